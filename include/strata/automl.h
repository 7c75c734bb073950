// AutoML: the best model Strata can find for a label within a time budget. It detects the
// task from the label, tries a portfolio of known-good configurations of every model family
// (boosted trees, random forests, neural networks, linear models) and of imbalance handling
// (none, class weights, downsample-and-upweight, SMOTE, and combinations of them) scored by
// cross-validation (small data) or a holdout (large data), then builds a Caruana ensemble
// over the out-of-fold predictions of the best ones, tunes the decision threshold on them,
// and returns it as one bundle (AUTOML_CLASSIFIER / AUTOML_REGRESSOR) that predicts and
// serves like any other.
//
//   strata::AutoMlSpec spec;
//   spec.label = "churn";
//   spec.budget_seconds = 300;
//   STRATA_ASSIGN_OR_RETURN(strata::AutoMlResult r, strata::RunAutoMl(spec, table));
//   r.leaderboard[0].name;  // the best single configuration
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "strata/bundle.h"
#include "strata/options.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata {

struct AutoMlSpec {
  std::string source;       // lineage: the workspace table, or
  std::string source_file;  // the file the data came from
  std::string label;
  double budget_seconds = 300;  // wall time for the whole run, honoured within 10%
  // What to optimise (ML.EVALUATE name, lower-case): empty for the default — roc_auc for
  // binary, log_loss for multiclass, root_mean_squared_error for regression.
  std::string metric;
  int folds = 0;  // cross-validation folds; 0: 5 folds up to kAutoMlCvMaxRows rows, else a holdout
  bool ensemble = true;  // false: the best single configuration
  std::optional<std::string> positive_class;
  uint64_t seed = 42;
  // The task, when the caller knows it (AUTOML_CLASSIFIER / AUTOML_REGRESSOR); unset: from
  // the label (`strata choose`'s rules).
  std::optional<Task> task;

  nlohmann::json ToJson() const;
  static Result<AutoMlSpec> FromJson(const nlohmann::json& json);
};

// BigQuery ML's OPTIONS for AUTOML_CLASSIFIER / AUTOML_REGRESSOR (model_type,
// input_label_cols, budget_hours, optimization_objective) plus Strata's extensions (folds,
// ensemble, seed, positive_class), declared once for validation, errors and docs.
const std::vector<OptionSpec>& AutoMlOptionSpecs();

// Builds an AutoMlSpec from those OPTIONS (names case-insensitive; unknown ones rejected
// naming the closest). optimization_objective takes BigQuery ML's values (MAXIMIZE_AU_ROC,
// MINIMIZE_LOG_LOSS, MAXIMIZE_AU_PRC, MINIMIZE_RMSE, MINIMIZE_MAE, MINIMIZE_RMSLE) or an
// ML.EVALUATE metric name.
Result<AutoMlSpec> AutoMlSpecFromOptions(const nlohmann::json& options);

// Up to this many rows AutoML cross-validates; above, it scores on a 20% holdout.
inline constexpr int64_t kAutoMlCvMaxRows = 50'000;

// One configuration tried, as the leaderboard shows it.
struct LeaderboardEntry {
  std::string name;         // e.g. "boosted_tree_lr0.05_d6" or "logistic_reg_class_weights"
  std::string model_type;   // the family, a BigQuery ML model type
  nlohmann::json options;   // the configuration's OPTIONS (model and balance)
  double score = 0;         // mean of the metric over the folds (or the holdout's)
  double score_std = 0;     // its standard deviation over the folds (0 for a holdout)
  double fit_seconds = 0;
  std::string status;       // "ok", "failed: ...", "cancelled"
  double ensemble_weight = 0;
};

// A progress report, after each configuration.
struct AutoMlEvent {
  int done = 0;                 // configurations finished
  double elapsed_seconds = 0, budget_seconds = 0;
  const LeaderboardEntry* last = nullptr;  // the one just finished
  const LeaderboardEntry* best = nullptr;  // the best so far
  std::string metric;
};

struct AutoMlOptions {
  std::function<void(const AutoMlEvent&)> on_progress;
  const std::atomic<bool>* cancel = nullptr;  // set: stop and keep the best found so far
  int threads = 0;
};

struct AutoMlResult {
  ModelBundle bundle;                      // AUTOML_CLASSIFIER / AUTOML_REGRESSOR
  std::vector<LeaderboardEntry> leaderboard;  // best first; failed ones last
  std::string metric;
  bool higher_is_better = true;
  double ensemble_score = 0;  // the final model's metric on the out-of-fold predictions
  bool cancelled = false;     // stopped early by the caller; the bundle is the best so far
  double seconds = 0;
};

// Runs AutoML on `data` (which holds the label and the feature columns). InvalidArgument
// for a missing or unusable label or a budget <= 0; Cancelled only when nothing finished.
Result<AutoMlResult> RunAutoMl(const AutoMlSpec& spec, const Table& data,
                               const AutoMlOptions& options = {});

}  // namespace strata
