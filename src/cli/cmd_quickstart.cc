// `strata quickstart`: the README's main job. Runs the seven steps on the bundled,
// imbalanced churn data set, printing what each step did and found, and leaves a workspace
// that the other commands (and later `strata serve`) can open.
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "cli/cli.h"
#include "cli/embedded_data.h"
#include "cli/ml_common.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "strata/choose.h"
#include "strata/csv.h"
#include "strata/model_store.h"
#include "strata/predictor.h"
#include "strata/profile.h"
#include "strata/trainer.h"
#include "strata/tune.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

constexpr const char* kTable = "churn";
constexpr const char* kLabel = "churn";
// Trials in step 6: enough for TPE to improve on the defaults, quick on 5,000 rows.
constexpr int kTuningTrials = 8;

void Step(int n, const char* name, const std::string& text) {
  std::cout << fmt::format("\n[{}/7] {}\n{}", n, name, text);
}

Status RunQuickstart(const GlobalOptions& global) {
  auto start = std::chrono::steady_clock::now();
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/true));
  std::cout << "Strata quickstart: predicting which telecom customers churn.\n"
            << "Data: examples/data/churn.csv (modeldata's mlc_churn, MIT licence), bundled.\n"
            << "Workspace: " << ws->path() << "\n";

  // 1. Collect.
  CsvReadReport read_report;
  STRATA_ASSIGN_OR_RETURN(Table table,
                          ReadCsvText(BundledChurnCsv(), "churn.csv", {}, &read_report));
  WriteTableOptions write;
  write.mode = WriteMode::kReplace;  // quickstart can be re-run
  write.source = "examples/data/churn.csv (bundled)";
  write.format = "csv";
  STRATA_RETURN_IF_ERROR(ws->WriteTable(kTable, table, write));
  int numeric = 0, text = 0;
  for (const Column& c : table.columns()) (IsNumeric(c.type()) ? numeric : text)++;
  Step(1, "Collect",
       fmt::format("  Read {} rows x {} columns ({} numeric, {} text; delimiter '{}', header "
                   "detected) into table '{}'.\n",
                   WithThousands(table.num_rows()), table.num_columns(), numeric, text,
                   read_report.delimiter, kTable));

  // 2. Prepare.
  ProfileOptions profile_options;
  profile_options.target = kLabel;
  STRATA_ASSIGN_OR_RETURN(Profile profile, ProfileTable(table, profile_options));
  int64_t nulls = 0;
  for (const ColumnProfile& c : profile.columns) nulls += c.nulls;
  std::string prepared = fmt::format("  Profiled {} columns: {} missing values.\n",
                                     profile.columns.size(), WithThousands(nulls));
  for (const std::string& w : profile.warnings) prepared += "  Note: " + w + "\n";
  const LabelProfile& label = *profile.label;
  prepared += fmt::format("  Label '{}' ({}):", label.column,
                          label.task == LabelTask::kClassification ? "classification"
                                                                   : "regression");
  for (const ClassShare& c : label.classes) {
    prepared += fmt::format(" {} {} ({:.1f}%)", c.label, WithThousands(c.count), c.fraction * 100);
  }
  prepared += "\n";
  for (const std::string& a : label.advice) prepared += "  - " + a + "\n";
  Step(2, "Prepare", prepared);

  // 3. Choose a model.
  STRATA_ASSIGN_OR_RETURN(ModelAdvice advice, ChooseModel(table, std::string(kLabel)));
  std::string chosen = "  Found:\n";
  for (const std::string& f : advice.facts) chosen += "    - " + f + "\n";
  chosen += "  Recommended models, best first:\n";
  for (const ModelRecommendation& m : advice.models) {
    chosen += fmt::format("    {:<26} {}\n", m.model_type, m.reason);
  }
  if (!advice.balance.empty()) {
    chosen += "  Imbalance:\n";
    for (const std::string& b : advice.balance) chosen += "    - " + b + "\n";
  }
  const std::string model_type = advice.models.front().model_type;
  chosen += fmt::format("  Using {} (the first recommendation).\n", model_type);
  Step(3, "Choose a model", chosen);

  // 4. Train: the recommended model as is, and with the recommended imbalance handling, so
  // the effect of rebalancing is visible side by side.
  auto train = [&](const std::string& name,
                   const std::vector<std::string>& extra) -> Result<ModelBundle> {
    nlohmann::json options = {{"model_type", model_type}, {"input_label_cols", {kLabel}}};
    for (const std::string& item : extra) {
      size_t eq = item.find('=');
      nlohmann::json value = nlohmann::json::parse(item.substr(eq + 1), nullptr, false);
      options[item.substr(0, eq)] = value.is_discarded() ? nlohmann::json(item.substr(eq + 1)) : value;
    }
    STRATA_ASSIGN_OR_RETURN(TrainSpec spec, TrainSpecFromOptions(options));
    spec.source = kTable;
    STRATA_ASSIGN_OR_RETURN(ModelBundle bundle, Train(spec, table));
    ModelStore store(*ws);
    STRATA_RETURN_IF_ERROR(store.Save(name, bundle, /*replace=*/true).status());
    return bundle;
  };
  std::vector<std::pair<std::string, ModelBundle>> models;
  STRATA_ASSIGN_OR_RETURN(ModelBundle plain, train("churn_model", {}));
  models.emplace_back("churn_model", std::move(plain));
  if (!advice.balance_options.empty()) {
    STRATA_ASSIGN_OR_RETURN(ModelBundle balanced, train("churn_balanced", advice.balance_options));
    models.emplace_back("churn_balanced", std::move(balanced));
  }
  std::string trained;
  for (const auto& [name, bundle] : models) {
    const auto& lineage = bundle.lineage;
    trained += fmt::format("  '{}': {} on {} training rows, {} evaluation rows ({}), {} "
                           "iterations, {:.2f} s",
                           name, bundle.model_type, WithThousands(lineage["train_rows"].get<int64_t>()),
                           WithThousands(lineage["eval_rows"].get<int64_t>()),
                           lineage["split_method"].get<std::string>(), bundle.training_info.size(),
                           lineage["training_seconds"].get<double>());
    trained += name == "churn_model" ? " (no rebalancing)\n" : "\n";
    for (const auto& note : lineage["balance"]) trained += "    " + note.get<std::string>() + "\n";
  }
  Step(4, "Train", trained);

  // 5. Evaluate, on the evaluation split the training never saw.
  std::string evaluated = fmt::format("  {:<20}", "metric");
  for (const auto& [name, bundle] : models) evaluated += fmt::format(" {:>15}", name);
  evaluated += "\n";
  for (const char* metric : {"roc_auc", "pr_auc", "precision", "recall", "f1_score",
                             "balanced_accuracy", "log_loss", "brier_score", "threshold"}) {
    evaluated += fmt::format("  {:<20}", metric);
    for (const auto& [name, bundle] : models) {
      const auto& m = bundle.metrics;
      evaluated += m.contains(metric) && m[metric].is_number()
                       ? fmt::format(" {:>15.4f}", m[metric].get<double>())
                       : fmt::format(" {:>15}", "-");
    }
    evaluated += "\n";
  }
  evaluated += "  (positive class 'yes'; precision, recall and F1 at each model's threshold, "
               "chosen for maximum F1 on the evaluation split)\n";
  Step(5, "Evaluate", evaluated);
  PrintConfusion(models.front().second.eval_summary, std::cout);

  // 6. Tune: a few TPE trials (with successive halving) of the chosen model type over its
  // default search space, picked on evaluation rows and reported on a held-out test part.
  TuneSpec tune_spec;
  tune_spec.options = {{"model_type", model_type}, {"input_label_cols", {kLabel}}};
  tune_spec.source = kTable;
  tune_spec.num_trials = kTuningTrials;
  STRATA_ASSIGN_OR_RETURN(TuneResult tuned, Tune(tune_spec, table));
  STRATA_RETURN_IF_ERROR(SaveTunedModel(*ws, "churn_tuned", tuned, /*replace=*/true).status());
  const TrialResult& best_trial = tuned.trials[tuned.optimal_index];
  std::string tuned_text = fmt::format(
      "  {} trials of {} ({}), objective {} on the evaluation rows:\n", tuned.trials.size(), model_type,
      TuneAlgorithmName(tuned.algorithm), tuned.objective.name);
  tuned_text += fmt::format("    best: trial {} with {}: {} {:.4f}\n", best_trial.trial_id,
                            FormatHyperparameters(best_trial.hyperparameters), tuned.objective.metric, best_trial.objective);
  if (tuned.test_metrics.is_object() && tuned.test_metrics.contains(tuned.objective.metric)) {
    tuned_text += fmt::format("    on the {} held-out test rows: {} {:.4f}\n", WithThousands(tuned.test_rows),
                              tuned.objective.metric, tuned.test_metrics[tuned.objective.metric].get<double>());
  }
  const std::string strata = CommandLine(global);
  tuned_text += fmt::format(
      "  Stored as model 'churn_tuned'; its trials: {0} sql -c \"SELECT * FROM "
      "ML.TRIAL_INFO(MODEL churn_tuned)\"\n"
      "  The best model Strata finds in a minute: {0} automl churn --target churn --budget 1m\n",
      strata);
  Step(6, "Tune parameters", tuned_text);

  // 7. Predict with the first model, on the whole table, into a workspace table.
  STRATA_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(models.front().second));
  STRATA_ASSIGN_OR_RETURN(Table predictions, predictor->Predict(table));
  WriteTableOptions write_predictions;
  write_predictions.mode = WriteMode::kReplace;
  write_predictions.source = "strata predict churn_model";
  STRATA_RETURN_IF_ERROR(ws->WriteTable("churn_predictions", predictions, write_predictions));
  const Column& predicted = predictions.column(predictions.ColumnIndex("predicted_churn"));
  int64_t flagged = 0;
  for (int64_t r = 0; r < predicted.size(); ++r) flagged += predicted.GetString(r) == "yes" ? 1 : 0;
  Step(7, "Make predictions",
       fmt::format("  Predicted all {} customers with 'churn_model' into table "
                   "'churn_predictions': {} flagged as likely to churn.\n"
                   "  Columns follow BigQuery ML: predicted_churn, predicted_churn_probs.\n",
                   WithThousands(table.num_rows()), WithThousands(flagged)));

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format(
      "\nDone in {1:.2f} s. Explore the workspace:\n"
      "  {0} tables\n"
      "  {0} models list\n"
      "  {0} evaluate churn_model\n"
      "  {0} predict churn_model --table {2} --rows 5\n"
      "  {0} explain churn_model --table {2} --rows 3\n"
      "  sqlite3 {3} 'SELECT churn, predicted_churn, COUNT(*) FROM churn_predictions GROUP BY 1, "
      "2'\n"
      "  {0} serve    # the web console and the REST API at http://127.0.0.1:8080/\n",
      strata, seconds, kTable, ws->path());
  return Status::Ok();
}

}  // namespace

void AddQuickstartCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd = app.add_subcommand(
      "quickstart",
      "Run the seven steps on the bundled churn data set, explaining each, and leave a "
      "workspace to explore");
  cmd->callback([&ctx] { ctx.result = RunQuickstart(ctx.global); });
}

}  // namespace strata::cli
