// Boosted trees and random forests (BOOSTED_TREE_* and RANDOM_FOREST_*), trained by XGBoost
// through xgboost_engine.h. tree_models.cc registers the four model types and maps their
// BigQuery ML options to XGBoost parameters (PlanTreeTraining); TreeModel runs the rounds,
// early stopping, prediction, TreeSHAP, importance and (de)serialisation.
//
//   TreeModel model(TreeEnsemble::kBoosted, Task::kClassification);
//   STRATA_RETURN_IF_ERROR(model.Fit(data, context));  // context.options validated already
//   ModelOutput out;
//   STRATA_RETURN_IF_ERROR(model.Predict(features, &out));  // out.probabilities: rows x k
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "models/xgboost_engine.h"
#include "strata/model.h"

namespace strata {

enum class TreeEnsemble {
  kBoosted,       // BOOSTED_TREE_*: up to max_iterations rounds of gradient boosting
  kRandomForest,  // RANDOM_FOREST_*: one round of num_parallel_tree trees, learning rate 1
};

// Everything a fit needs, derived once from the options and the data's shape.
// Label-encoded columns with at most this many categories split as sets of categories; more
// keep thresholds on the codes. Set splits lowered diamonds' RMSE (cut, color, clarity: 5-8
// categories) by 1.5%, but on churn's `state` (51) they overfit: xgboost-python ROC AUC
// 0.9202 with codes, 0.9189 with set splits (3 folds), and AutoML fell from 0.9250 to 0.9183.
inline constexpr int kMaxCategoriesForSetSplits = 16;

struct TreeTrainingPlan {
  // XGBoost parameters, set in this order (the Python reference sets the same ones).
  std::vector<std::pair<std::string, std::string>> params;
  int max_rounds = 20;
  double learning_rate = 0.3;
  bool early_stop = false;       // stop early and keep the best round
  double min_rel_progress = 0;   // BigQuery ML's rule (used when early_stopping_rounds == 0)
  int early_stopping_rounds = 0; // XGBoost's rule: rounds without improvement
  int max_bin = 256;
  int threads = 1;
  // Whether label-encoded categories are given to XGBoost as categorical (hist and approx,
  // unless the categorical_splits option is FALSE; the exact method splits only on
  // thresholds, so it sees the codes as numbers).
  bool categorical_splits = true;
  // Regression with a log-link objective (GAMMA, POISSON, TWEEDIE): Fit checks the labels
  // against the loss's floor and starts from their mean (XGBoost's base_score), not 0.5.
  bool log_link = false;
};

// Maps validated options to XGBoost parameters and the training plan (tree_models.cc).
// `num_classes` is 0 for regression.
Result<TreeTrainingPlan> PlanTreeTraining(TreeEnsemble ensemble, Task task, int num_classes,
                                          const FitContext& context);

// An XGBoost model saved by XGBoost itself (JSON or UBJSON, e.g. xgboost-python's
// Booster.save_model), wrapped as a TreeModel: its task and classes from the objective.
struct ImportedTrees {
  Task task = Task::kRegression;
  int num_classes = 0;                     // 0 for regression
  std::vector<std::string> feature_names;  // as stored in the model; empty if none
  int64_t num_features = 0;
  std::string payload;                     // TreeModel::Save() of the imported booster
  std::string objective;
};
Result<ImportedTrees> ImportXgboostTrees(std::string_view model_bytes);

class TreeModel : public Model {
 public:
  TreeModel(TreeEnsemble ensemble, Task task) : ensemble_(ensemble), task_(task) {}

  Status Fit(const TrainingData& data, const FitContext& context) override;
  Status Predict(const FeatureMatrix& features, ModelOutput* out) const override;
  Result<std::vector<FeatureImportance>> Importance(
      const std::vector<FeatureInfo>& features) const override;
  Status Contribute(const FeatureMatrix& features, Contributions* out) const override;
  Result<std::string> Save() const override;
  Status Load(std::string_view bytes) override;
  nlohmann::json Describe(const std::vector<FeatureInfo>& features) const override;
  Result<std::string> ExportXgboostJson() const override;

  // Raw scores (log-odds for classifiers): rows x groups, row-major; for tests and
  // ML.EXPLAIN_PREDICT's prediction_value.
  Result<std::vector<double>> PredictMargin(const FeatureMatrix& features) const;

 private:
  friend Result<ImportedTrees> ImportXgboostTrees(std::string_view model_bytes);
  Status CheckFitted(const FeatureMatrix& features) const;
  Status Train(const TrainingData& data, const FitContext& context, const TreeTrainingPlan& plan);
  // Whether the objective predicts exp(margin) (gamma, Poisson, Tweedie regression).
  bool LogLink() const;

  TreeEnsemble ensemble_;
  Task task_;
  xgb::Booster booster_;
  // What Describe and Load need besides the booster.
  int num_classes_ = 0;
  int64_t num_features_ = 0;
  int rounds_ = 0;             // rounds kept in the model
  int rounds_trained_ = 0;     // rounds run before early stopping chose the best
  int best_iteration_ = -1;    // 0-based; -1 without early stopping
  std::string stop_reason_;
  int64_t loss_rows_ = 0;      // training rows the per-round training loss was measured on
  nlohmann::json params_ = nlohmann::json::object();
};

}  // namespace strata
