// `strata predict MODEL` (step 7 of the seven) and `strata explain MODEL`: batch prediction
// from a table or file to a table, a file or stdout, and explanations of predictions.
#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "cli/ml_common.h"
#include "cli/output.h"
#include "strata/data_file.h"
#include "strata/model_store.h"
#include "strata/predictor.h"

namespace strata::cli {
namespace {

struct PredictArgs {
  std::string model;
  int version = 0;
  InputArgs input;
  std::string output_table;
  std::string output_file;
  double threshold = -1;
  int explain = 0;
  bool only_predictions = false;
  bool replace = false;
  int64_t rows = 0;
};

Status RunPredict(const PredictArgs& a, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  ModelStore store(*ws);
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle,
                          store.Load(a.model, a.version > 0 ? std::optional<int>(a.version) : std::nullopt));
  STRATA_ASSIGN_OR_RETURN(Table input, ReadInput(*ws, a.input, /*required=*/true));
  if (a.rows > 0) input = input.Slice(0, a.rows);
  STRATA_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(std::move(bundle)));
  PredictOptions options;
  if (a.threshold >= 0) options.threshold = a.threshold;
  options.keep_input_columns = !a.only_predictions;
  options.explain_top_k = a.explain;
  STRATA_ASSIGN_OR_RETURN(Table out, predictor->Predict(input, options));
  if (!a.output_table.empty()) {
    WriteTableOptions write;
    write.mode = a.replace ? WriteMode::kReplace : WriteMode::kCreate;
    write.source = "strata predict " + a.model;
    STRATA_RETURN_IF_ERROR(ws->WriteTable(a.output_table, out, write));
    std::cout << fmt::format("Wrote {} predictions to table '{}'\n", WithThousands(out.num_rows()),
                             a.output_table);
    return Status::Ok();
  }
  if (!a.output_file.empty()) {
    STRATA_RETURN_IF_ERROR(WriteDataFile(out, a.output_file));
    std::cout << fmt::format("Wrote {} predictions to {}\n", WithThousands(out.num_rows()),
                             a.output_file);
    return Status::Ok();
  }
  PrintTable(out, global.format, std::cout, 60);
  return Status::Ok();
}

struct ExplainArgs {
  std::string model;
  InputArgs input;
  int top_k = 5;
  int64_t rows = 10;
};

Status RunExplain(const ExplainArgs& a, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  ModelStore store(*ws);
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle, store.Load(a.model));
  if (a.input.table.empty() && a.input.file.empty()) {
    // Global explanation: the importance stored in the bundle.
    TextTableBuilder b({{"feature", DataType::kString},
                        {"importance_weight", DataType::kFloat64},
                        {"importance_gain", DataType::kFloat64},
                        {"importance_cover", DataType::kFloat64}});
    std::vector<nlohmann::json> rows(bundle.importance.begin(), bundle.importance.end());
    std::sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) {
      return x["importance_gain"].template get<double>() > y["importance_gain"].template get<double>();
    });
    for (const auto& f : rows) {
      b.AddRow({f["feature"].get<std::string>(), fmt::format("{}", f["importance_weight"].get<double>()),
                fmt::format("{}", f["importance_gain"].get<double>()),
                fmt::format("{}", f["importance_cover"].get<double>())});
    }
    if (rows.empty()) {
      return Unimplemented("model '" + a.model + "' (" + bundle.model_type +
                           ") has no feature importance; explain rows with --table or --file");
    }
    PrintTable(b.Build(), global.format, std::cout);
    return Status::Ok();
  }
  STRATA_ASSIGN_OR_RETURN(Table input, ReadInput(*ws, a.input, /*required=*/true));
  if (a.rows > 0) input = input.Slice(0, a.rows);
  STRATA_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(std::move(bundle)));
  PredictOptions options;
  options.keep_input_columns = false;
  STRATA_ASSIGN_OR_RETURN(Table out, predictor->Predict(input, options));
  STRATA_ASSIGN_OR_RETURN(Predictor::Explanation e, predictor->Explain(input, a.top_k));
  Column attributions("top_feature_attributions", DataType::kString);
  Column baseline("baseline_prediction_value", DataType::kFloat64);
  Column value("prediction_value", DataType::kFloat64);
  for (size_t r = 0; r < e.rows.size(); ++r) {
    std::string text;
    for (const Attribution& x : e.rows[r]) {
      text += fmt::format("{}{} {:+.4g}", text.empty() ? "" : ", ", x.feature, x.attribution);
    }
    if (global.format == OutputFormat::kJson) {
      nlohmann::json arr = nlohmann::json::array();
      for (const Attribution& x : e.rows[r]) arr.push_back({{"feature", x.feature}, {"attribution", x.attribution}});
      text = arr.dump();
    }
    attributions.AppendString(text);
    baseline.AppendFloat64(e.baseline[r]);
    value.AppendFloat64(e.prediction_value[r]);
  }
  STRATA_RETURN_IF_ERROR(out.AddColumn(std::move(attributions)));
  STRATA_RETURN_IF_ERROR(out.AddColumn(std::move(baseline)));
  STRATA_RETURN_IF_ERROR(out.AddColumn(std::move(value)));
  PrintTable(out, global.format, std::cout, 100);
  return Status::Ok();
}

}  // namespace

void AddPredictCommands(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand(
      "predict", "Step 7: predict with a model (ML.PREDICT) from a table or file to a table, "
                 "a file or stdout");
  cmd->add_option("model", a->model, "Model name")->required();
  cmd->add_option("--version", a->version, "Model version (default: the latest)");
  AddInputOptions(*cmd, a->input, "predict");
  cmd->add_option("--output-table", a->output_table, "Write the predictions to this table");
  cmd->add_option("--output", a->output_file,
                  "Write the predictions to a file (.csv, .tsv, .jsonl by extension)");
  cmd->add_flag("--replace", a->replace, "Replace --output-table if it exists");
  cmd->add_option("--threshold", a->threshold,
                  "Binary decision threshold (default: the one chosen at training)");
  cmd->add_option("--explain", a->explain,
                  "Add the top K feature attributions per row (top_feature_attributions)");
  cmd->add_flag("--only-predictions", a->only_predictions, "Leave the input columns out");
  cmd->add_option("--rows", a->rows, "Predict only the first N rows");
  AddFormatOption(*cmd, ctx);
  cmd->callback([a, &ctx] { ctx.result = RunPredict(*a, ctx.global); });

  auto e = std::make_shared<ExplainArgs>();
  CLI::App* ex = app.add_subcommand(
      "explain", "Explain a model: global feature importance, or per-row attributions "
                 "(ML.EXPLAIN_PREDICT) with --table/--file");
  ex->add_option("model", e->model, "Model name")->required();
  AddInputOptions(*ex, e->input, "explain");
  ex->add_option("--top", e->top_k, "Attributions per row")->capture_default_str();
  ex->add_option("--rows", e->rows, "Explain the first N rows")->capture_default_str();
  AddFormatOption(*ex, ctx);
  ex->callback([e, &ctx] { ctx.result = RunExplain(*e, ctx.global); });
}

}  // namespace strata::cli
