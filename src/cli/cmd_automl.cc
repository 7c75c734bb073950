// `strata automl TABLE --target COL --budget 5m`: the AutoML tier. Runs strata/automl.h
// under the budget, shows each configuration as it finishes and the leaderboard at the end,
// and stores the resulting ensemble as a new model version. Ctrl-C stops the search and
// keeps the best model found so far.
#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/cli.h"
#include "cli/ml_common.h"
#include "cli/output.h"
#include "strata/automl.h"
#include "strata/model_store.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

struct AutoMlArgs {
  std::string table;
  std::string file;
  std::string target;
  std::string budget = "5m";
  std::string metric;
  std::string name;
  int folds = 0;
  bool no_ensemble = false;
  bool replace = false;
  std::string positive_class;
  int64_t seed = 42;
  int threads = 0;
};

Status RunAutoMlCommand(const AutoMlArgs& args, const GlobalOptions& global) {
  STRATA_RETURN_IF_ERROR(CheckTrainingSource(args.table, args.file));
  if (args.target.empty()) return InvalidArgument("give the label column to predict with --target COL");
  STRATA_ASSIGN_OR_RETURN(double budget, ParseDuration(args.budget, "--budget"));
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/!args.file.empty()));
  STRATA_ASSIGN_OR_RETURN(TrainingInput input, ReadTrainingInput(*ws, args.table, args.file, args.threads));
  const std::string name =
      args.name.empty()
          ? (args.file.empty() ? args.table : std::filesystem::path(args.file).stem().string()) + "_automl"
          : args.name;

  AutoMlSpec spec;
  spec.source = args.table;
  spec.source_file = args.file;
  spec.label = args.target;
  spec.budget_seconds = budget;
  spec.metric = args.metric;
  spec.folds = args.folds;
  spec.ensemble = !args.no_ensemble;
  spec.seed = static_cast<uint64_t>(args.seed);
  if (!args.positive_class.empty()) spec.positive_class = args.positive_class;

  AutoMlOptions options;
  options.threads = args.threads;
  CancelOnInterrupt interrupt;
  options.cancel = interrupt.flag();
  if (!global.quiet) {
    std::cerr << fmt::format("AutoML: predicting '{}' from {} rows, budget {:.0f} s; Ctrl-C stops and keeps the "
                             "best so far\n",
                             args.target, WithThousands(input.data.num_rows()), budget);
    options.on_progress = [](const AutoMlEvent& e) { std::cerr << AutoMlProgressLine(e) << "\n"; };
  }
  auto result = RunAutoMl(spec, input.data, options);
  if (!result.ok()) return result.status();
  result->bundle.lineage["data_fingerprint"] = input.fingerprint;
  ModelStore store(*ws);
  STRATA_ASSIGN_OR_RETURN(int version, store.Save(name, result->bundle, args.replace));

  if (global.format == OutputFormat::kJson) {
    nlohmann::json out = {{"model", name},
                          {"version", version},
                          {"model_type", result->bundle.model_type},
                          {"metric", result->metric},
                          {"score", result->ensemble_score},
                          {"cancelled", result->cancelled},
                          {"seconds", result->seconds},
                          {"metrics", result->bundle.metrics},
                          {"leaderboard", result->bundle.eval_summary["leaderboard"]},
                          {"feature_importance", result->bundle.importance}};
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  // The best 20 and every ensemble member; `strata models show` lists them all.
  PrintLeaderboard(result->bundle.eval_summary["leaderboard"], /*max_rows=*/20, std::cout);
  std::cout << fmt::format("\n{} '{}' version {} in {:.1f} s{}: {} {:.4f} ({})\n", result->bundle.model_type,
                           name, version, result->seconds, result->cancelled ? " (stopped early)" : "",
                           result->metric, result->ensemble_score,
                           result->bundle.metrics.value("evaluated_on", ""));
  PrintMetrics(result->bundle.metrics, global.format, std::cout);
  PrintConfusion(result->bundle.eval_summary, std::cout);
  const nlohmann::json& importance = result->bundle.importance;
  if (importance.is_array() && !importance.empty()) {
    std::cout << "Most important columns:";
    for (size_t i = 0; i < importance.size() && i < 5; ++i) {
      std::cout << fmt::format(" {} ({:.0f}%)", importance[i]["feature"].get<std::string>(),
                               100 * importance[i]["importance_gain"].get<double>());
    }
    std::cout << "\n";
  }
  std::cout << fmt::format("Next: {0} evaluate {1} | {0} predict {1} {2} {3}\n",
                           CommandLine(global), name, args.file.empty() ? "--table" : "--file",
                           args.file.empty() ? args.table : args.file);
  return Status::Ok();
}

}  // namespace

void AddAutoMlCommand(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<AutoMlArgs>();
  CLI::App* cmd = app.add_subcommand(
      "automl",
      "AutoML: find the best model for a label within a time budget (portfolio of model families and "
      "imbalance strategies, cross-validated, ensembled) and store it as a new model version");
  cmd->footer(
      "Examples:\n"
      "  strata automl churn --target churn --budget 5m\n"
      "  strata automl --file data.csv --target price --budget 90s --metric mean_absolute_error\n"
      "The model predicts like any other: strata predict churn_automl --table new_rows");
  cmd->add_option("table", a->table, "Training table in the workspace");
  cmd->add_option("--file", a->file, "Train from a CSV/TSV/JSON Lines file instead of a table");
  cmd->add_option("-t,--target", a->target, "The label column to predict")->required();
  cmd->add_option("-b,--budget", a->budget, "Time budget: 90s, 5m, 1h (default 5m), honoured within 10%");
  cmd->add_option("--metric", a->metric,
                  "What to optimise: roc_auc (binary default), log_loss (multiclass default), pr_auc, "
                  "accuracy, f1_score, balanced_accuracy, root_mean_squared_error (regression default), "
                  "mean_absolute_error, r2_score, ...");
  cmd->add_option("--folds", a->folds,
                  "Cross-validation folds (default: 5 up to 50,000 rows, else a 20% holdout)");
  cmd->add_flag("--no-ensemble", a->no_ensemble, "Keep the best single configuration, not an ensemble");
  cmd->add_option("--positive-class", a->positive_class, "Binary: which label is positive");
  cmd->add_option("-n,--name", a->name, "Model name (default: TABLE_automl)");
  cmd->add_flag("--replace", a->replace, "Replace the model and its versions");
  cmd->add_option("--seed", a->seed, "Random seed (default 42): the same seed gives the same folds and models");
  cmd->add_option("--threads", a->threads, "Threads (default: all cores)");
  AddFormatOption(*cmd, ctx);
  cmd->callback([a, &ctx] { ctx.result = RunAutoMlCommand(*a, ctx.global); });
}

}  // namespace strata::cli
