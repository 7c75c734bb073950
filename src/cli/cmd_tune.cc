// `strata tune TABLE --target COL --model TYPE --trials N`: step 6 of the seven. Builds the
// same flat OPTIONS as SQL's CREATE MODEL ... OPTIONS(num_trials = N, x = HPARAM_RANGE(...)),
// runs the tuner (every trial through the one Train()), prints a line per trial and a
// leaderboard, and stores the optimal trial as a new model version with all its trials.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "cli/cli.h"
#include "cli/ml_common.h"
#include "cli/output.h"
#include "strata/tune.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

struct TuneArgs {
  std::string table;
  std::string file;
  std::string target;
  std::string model_type;
  std::string name;
  int trials = 10;
  int parallel = 1;
  std::string algorithm;
  std::string objective;
  std::vector<std::string> searches;
  std::vector<std::string> options;
  std::string budget;
  int64_t seed = -1;
  int threads = 0;
  bool replace = false;
};

// "l2_reg=range(0,10)" or "max_tree_depth=candidates(4,6,8)" as an OPTIONS entry.
Status AddSearch(const std::string& item, nlohmann::json* options) {
  auto usage = [&item] {
    return InvalidArgument(fmt::format(
        "--search '{}': expected NAME=range(MIN,MAX) or NAME=candidates(V1,V2,...), e.g. "
        "--search 'l2_reg=range(0,10)' --search 'max_tree_depth=candidates(4,6,8)'",
        item));
  };
  const size_t eq = item.find('=');
  const size_t open = item.find('(', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || eq == 0 || open == std::string::npos || item.back() != ')') {
    return usage();
  }
  const std::string name = item.substr(0, eq);
  std::string kind = item.substr(eq + 1, open - eq - 1);
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::vector<std::string> parts;
  std::string inner = item.substr(open + 1, item.size() - open - 2);
  for (size_t start = 0; start <= inner.size();) {
    size_t comma = inner.find(',', start);
    if (comma == std::string::npos) comma = inner.size();
    parts.push_back(inner.substr(start, comma - start));
    start = comma + 1;
  }
  nlohmann::json list = nlohmann::json::array();
  for (std::string& part : parts) {
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    list.push_back(ParseValueText(part));
  }
  if (kind == "range" || kind == "hparam_range") {
    if (list.size() != 2 || !list[0].is_number() || !list[1].is_number()) return usage();
    (*options)[name] = HparamRange(list[0].get<double>(), list[1].get<double>());
  } else if (kind == "candidates" || kind == "hparam_candidates") {
    (*options)[name] = HparamCandidates(list);
  } else {
    return usage();
  }
  return Status::Ok();
}

Result<TuneSpec> BuildTuneSpec(const TuneArgs& a) {
  STRATA_ASSIGN_OR_RETURN(nlohmann::json options,
                          BaseModelOptions(a.options, a.model_type, a.target));
  options["num_trials"] = a.trials;
  options["max_parallel_trials"] = a.parallel;
  if (!a.algorithm.empty()) options["hparam_tuning_algorithm"] = a.algorithm;
  if (!a.objective.empty()) options["hparam_tuning_objectives"] = {a.objective};
  if (a.seed >= 0) options["seed"] = a.seed;
  if (!a.budget.empty()) {
    STRATA_ASSIGN_OR_RETURN(options["tuning_time_budget_seconds"], ParseDuration(a.budget, "--budget"));
  }
  for (const std::string& item : a.searches) STRATA_RETURN_IF_ERROR(AddSearch(item, &options));
  STRATA_ASSIGN_OR_RETURN(TuneSpec spec, TuneSpecFromOptions(options));
  spec.source = a.file.empty() ? a.table : a.file;
  return spec;
}

// The trials, best first (failed ones last), as a table.
Table Leaderboard(const TuneResult& result) {
  std::vector<const TrialResult*> order;
  for (const TrialResult& t : result.trials) order.push_back(&t);
  const bool max = result.objective.maximize;
  std::stable_sort(order.begin(), order.end(), [max](const TrialResult* a, const TrialResult* b) {
    const bool aok = a->status == TrialStatus::kSucceeded,
               bok = b->status == TrialStatus::kSucceeded;
    if (aok != bok) return aok;
    return aok && (max ? a->objective > b->objective : a->objective < b->objective);
  });
  TextTableBuilder table({{"trial_id", DataType::kInt64},
                          {result.objective.metric, DataType::kFloat64},
                          {"status", DataType::kString},
                          {"seconds", DataType::kFloat64},
                          {"hyperparameters", DataType::kString},
                          {"optimal", DataType::kString}});
  for (const TrialResult* t : order) {
    std::string hp;
    for (const auto& [k, v] : t->hyperparameters.items()) {
      hp += fmt::format("{}{}={}", hp.empty() ? "" : " ", k,
                        v.is_number_float() ? fmt::format("{:.4g}", v.get<double>()) : v.dump());
    }
    table.AddRow(
        {std::to_string(t->trial_id),
         t->status == TrialStatus::kSucceeded ? fmt::format("{:.6g}", t->objective) : "",
         t->status == TrialStatus::kSucceeded ? "SUCCEEDED" : "FAILED: " + t->error_message,
         fmt::format("{:.2f}", t->seconds), hp, t->is_optimal ? "*" : ""});
  }
  return table.Build();
}

Status RunTune(const TuneArgs& args, const GlobalOptions& global) {
  if (args.table.empty() == args.file.empty()) {
    return InvalidArgument(
        "give the training data once: strata tune TABLE ... (a workspace table) or strata tune "
        "--file FILE ... (a CSV/TSV/JSON Lines file)");
  }
  STRATA_ASSIGN_OR_RETURN(TuneSpec spec, BuildTuneSpec(args));
  const bool from_file = !args.file.empty();
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/from_file));
  const std::string name = args.name.empty() ? DefaultModelName(args.table, args.file) : args.name;
  STRATA_ASSIGN_OR_RETURN(TrainingInput input,
                          ReadTrainingInput(*ws, args.table, args.file, args.threads));

  TuneOptions options;
  options.threads = args.threads;
  options.data_fingerprint = input.fingerprint;
  if (!global.quiet) {
    options.progress = [](const TuneProgress& p) { std::cerr << FormatTrialLine(p) << "\n"; };
  }
  Result<TuneResult> result = Internal("not tuned");
  {
    CancelOnInterrupt interrupt;
    options.cancel = interrupt.flag();
    result = Tune(spec, input.data, options);
  }
  if (!result.ok()) return result.status();
  STRATA_ASSIGN_OR_RETURN(int version, SaveTunedModel(*ws, name, *result, args.replace));
  const TrialResult& best = result->trials[result->optimal_index];

  if (global.format == OutputFormat::kJson) {
    nlohmann::json out = {{"model", name}, {"version", version}};
    out.update(TuneResultToJson(*result));
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  PrintTable(Leaderboard(*result), global.format, std::cout, 60);
  std::cout << fmt::format(
      "Tuned {} '{}' version {}: {} trials ({}{}), optimal trial {} with {} {:.4f} on evaluation "
      "data\n",
      result->model.model_type, name, version, result->trials.size(),
      TuneAlgorithmName(result->algorithm), result->cancelled ? ", stopped early" : "",
      best.trial_id, result->objective.name, best.objective);
  std::cout << "Evaluation of the optimal trial ("
            << result->model.metrics.value("evaluated_on", "") << ", "
            << WithThousands(result->test_rows) << " rows):\n";
  PrintMetrics(result->model.metrics, global.format, std::cout);
  std::cout << fmt::format(
      "Next: {0} evaluate {1} | {0} sql -c \"SELECT * FROM ML.TRIAL_INFO(MODEL {1})\"\n", CommandLine(global), name);
  return Status::Ok();
}

}  // namespace

void AddTuneCommand(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<TuneArgs>();
  CLI::App* cmd = app.add_subcommand(
      "tune",
      "Step 6: tune hyperparameters (trials in parallel, TPE with successive halving) and store "
      "the best trial as a new model version");
  AddModelDataOptions(*cmd, a->table, a->file, a->target, a->model_type, a->name, "Tune");
  cmd->add_option("--trials", a->trials, "Number of trials, 1..100 (num_trials; default 10)");
  cmd->add_option("--parallel", a->parallel,
                  "Trials at once, 1..5 (max_parallel_trials); the cores are shared among them");
  cmd->add_option("--algorithm", a->algorithm,
                  "tpe_asha (default: TPE with successive halving for tree models), tpe, random, "
                  "grid; BigQuery ML's VIZIER_DEFAULT, RANDOM_SEARCH, GRID_SEARCH also work");
  cmd->add_option("--objective", a->objective,
                  "Metric to optimise on evaluation data, e.g. roc_auc (default for "
                  "classifiers), r2_score (regressors), log_loss, pr_auc, balanced_accuracy");
  cmd->add_option("-s,--search", a->searches,
                  "Search an option: 'NAME=range(MIN,MAX)' or 'NAME=candidates(V1,V2,...)' "
                  "(repeatable); none: the model type's default space");
  cmd->add_option("-o,--option", a->options, "A fixed BigQuery ML option, NAME=VALUE (repeatable)");
  cmd->add_option("--budget", a->budget, "Start no trial after this long, e.g. 90s, 5m, 1h");
  cmd->add_option("--seed", a->seed,
                  "Random seed (default 42): the same seed gives the same trials");
  cmd->add_option("--threads", a->threads, "Cores for all trials together (default: all)");
  cmd->add_flag("--replace", a->replace, "Replace the model and its versions");
  cmd->footer(
      "Examples:\n"
      "  strata tune churn --target churn --model boosted_tree_classifier --trials 20 --parallel "
      "2\n"
      "  strata tune churn -t churn -m logistic_reg --trials 10 --search 'l2_reg=range(0,10)' \\\n"
      "      --search 'auto_class_weights=candidates(true,false)' --objective pr_auc\n"
      "  strata tune --file houses.csv -t price -m boosted_tree_regressor --trials 30 --budget 5m\n"
      "Ctrl-C stops after the running trials and keeps the best one found so far.");
  AddFormatOption(*cmd, ctx);
  cmd->callback([a, &ctx] { ctx.result = RunTune(*a, ctx.global); });
}

}  // namespace strata::cli
