// `strata evaluate MODEL [--table T | --file F]`: step 5 of the seven. Without input, the
// metrics stored at training time (on the evaluation split); with input, metrics on it.
#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "cli/ml_common.h"
#include "cli/output.h"
#include "strata/model_store.h"
#include "strata/trainer.h"

namespace strata::cli {
namespace {

struct EvaluateArgs {
  std::string model;
  int version = 0;
  InputArgs input;
  double threshold = -1;
};

Status RunEvaluate(const EvaluateArgs& a, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  ModelStore store(*ws);
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle,
                          store.Load(a.model, a.version > 0 ? std::optional<int>(a.version) : std::nullopt));
  STRATA_ASSIGN_OR_RETURN(Table data, ReadInput(*ws, a.input, /*required=*/false));
  nlohmann::json metrics;
  nlohmann::json summary;
  std::string on;
  if (data.num_columns() == 0) {
    if (a.threshold >= 0) {
      return InvalidArgument("--threshold needs input data (--table or --file), as in "
                             "BigQuery ML's ML.EVALUATE");
    }
    metrics = bundle.metrics;
    summary = bundle.eval_summary;
    on = metrics.value("evaluated_on", "evaluation split") + " at training time";
  } else {
    std::optional<double> threshold;
    if (a.threshold >= 0) threshold = a.threshold;
    STRATA_ASSIGN_OR_RETURN(metrics, Evaluate(bundle, data, threshold));
    summary = metrics["summary"];
    metrics.erase("summary");
    on = fmt::format("{} rows of {}", WithThousands(data.num_rows()),
                     a.input.table.empty() ? a.input.file : a.input.table);
  }
  metrics.erase("evaluated_on");
  if (global.format == OutputFormat::kJson) {
    nlohmann::json out = metrics;
    out["summary"] = summary;
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  if (global.format == OutputFormat::kTable) {
    std::cout << fmt::format("Model '{}' ({}), evaluated on {}:\n", a.model, bundle.model_type, on);
  }
  PrintMetrics(metrics, global.format, std::cout);
  if (global.format == OutputFormat::kTable) {
    if (summary.contains("per_class")) {
      TextTableBuilder b({{"class", DataType::kString},
                          {"precision", DataType::kFloat64},
                          {"recall", DataType::kFloat64},
                          {"f1_score", DataType::kFloat64},
                          {"support", DataType::kInt64}});
      for (const auto& c : summary["per_class"]) {
        b.AddRow({c.value("label", ""), fmt::format("{:.4f}", c.value("precision", 0.0)),
                  fmt::format("{:.4f}", c.value("recall", 0.0)),
                  fmt::format("{:.4f}", c.value("f1", c.value("f1_score", 0.0))),
                  std::to_string(c.value("support", 0))});
      }
      PrintTable(b.Build(), OutputFormat::kTable, std::cout);
    }
    PrintConfusion(summary, std::cout);
  }
  return Status::Ok();
}

}  // namespace

void AddEvaluateCommand(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<EvaluateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "evaluate", "Step 5: a model's metrics (ML.EVALUATE), on its evaluation split or new data");
  cmd->add_option("model", a->model, "Model name")->required();
  cmd->add_option("--version", a->version, "Model version (default: the latest)");
  AddInputOptions(*cmd, a->input, "evaluate on (must hold the label column)");
  cmd->add_option("--threshold", a->threshold, "Binary decision threshold to evaluate at");
  AddFormatOption(*cmd, ctx);
  cmd->callback([a, &ctx] { ctx.result = RunEvaluate(*a, ctx.global); });
}

}  // namespace strata::cli
