// BOOSTED_TREE_CLASSIFIER/REGRESSOR and RANDOM_FOREST_CLASSIFIER/REGRESSOR: their options
// (BigQuery ML names, defaults and ranges; docs/models/trees.md) and the mapping from those
// options to XGBoost parameters.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "common/parallel.h"
#include "models/builtin_models.h"
#include "models/tree_model.h"

namespace strata {
namespace {

// Options every tree type shares, with the defaults that differ passed in.
struct TreeDefaults {
  int64_t num_parallel_tree;
  int64_t max_tree_depth;
  double subsample;
  double colsample_bynode;
};

std::vector<OptionSpec> SharedTreeOptions(const TreeDefaults& d, bool forest) {
  return {
      OptionSpec::Int("num_parallel_tree", d.num_parallel_tree,
                      forest ? "trees in the forest" : "trees built per round (a boosted forest when > 1)")
          .Min(forest ? 2 : 1)
          .Tuning(forest ? 2 : 1, forest ? 200 : 10),
      OptionSpec::Int("max_tree_depth", d.max_tree_depth, "maximum depth of a tree")
          .Min(1).Max(20).Tuning(1, forest ? 20 : 10),
      OptionSpec::Float("l1_reg", 0.0, "L1 regularisation of leaf weights (XGBoost alpha)")
          .Min(0).Tuning(0, 10, Scale::kLog),
      OptionSpec::Float("l2_reg", 1.0, "L2 regularisation of leaf weights (XGBoost lambda)")
          .Min(0).Tuning(0, 10, Scale::kLog),
      OptionSpec::Enum("tree_method", {"AUTO", "EXACT", "APPROX", "HIST"}, "AUTO",
                       "split finding algorithm; AUTO is HIST (histograms of at most 256 bins)"),
      OptionSpec::Bool("categorical_splits", true,
                       fmt::format("HIST and APPROX: split label-encoded columns of at most {} "
                                   "categories as sets of categories; FALSE cuts their codes at "
                                   "thresholds, like xgboost-python on ordinal codes (faster on "
                                   "large data)",
                                   kMaxCategoriesForSetSplits))
          .Extension(),
      OptionSpec::Int("min_tree_child_weight", 1,
                      "minimum sum of instance weights (hessian) in a child (XGBoost min_child_weight)")
          .Min(0).Tuning(0, 50),
      OptionSpec::Float("colsample_bytree", 1.0, "fraction of columns sampled for each tree")
          .Min(0, true).Max(1).Tuning(0, 1),
      OptionSpec::Float("colsample_bylevel", 1.0, "fraction of columns sampled for each depth level")
          .Min(0, true).Max(1).Tuning(0, 1),
      OptionSpec::Float("colsample_bynode", d.colsample_bynode,
                        "fraction of columns sampled for each split")
          .Min(0, true).Max(1).Tuning(0, 1),
      OptionSpec::Float("min_split_loss", 0.0,
                        "minimum loss reduction needed to split a leaf (XGBoost gamma)")
          .Min(0).Tuning(0, 50),
      OptionSpec::Float("subsample", d.subsample, "fraction of rows sampled for each tree")
          .Min(0, true).Max(1).Tuning(0, 1),
  };
}

std::vector<OptionSpec> BoostedTreeOptions() {
  std::vector<OptionSpec> specs = SharedTreeOptions({1, 6, 1.0, 1.0}, /*forest=*/false);
  std::vector<OptionSpec> own = {
      OptionSpec::Enum("booster_type", {"GBTREE", "DART"}, "GBTREE",
                       "GBTREE: gradient-boosted trees; DART: boosted trees with dropout"),
      OptionSpec::Enum("dart_normalize_type", {"TREE", "FOREST"}, "TREE",
                       "DART: weigh a new tree like one dropped tree (TREE) or like the dropped "
                       "trees together (FOREST)"),
      OptionSpec::Float("dropout", 0.0, "DART: fraction of trees dropped in each round")
          .Min(0).Max(1).Tuning(0, 0.8),
      OptionSpec::Float("learn_rate", 0.3, "shrinkage of each new tree (XGBoost eta)")
          .Min(0, true).Tuning(0, 1),
      OptionSpec::Int("max_iterations", 20, "maximum number of boosting rounds")
          .Min(1).Max(1000000),
      OptionSpec::Bool("early_stop", true,
                       "stop when a round improves the loss by less than min_rel_progress, and "
                       "keep the best round"),
      OptionSpec::Float("min_rel_progress", 0.01,
                        "relative loss improvement a round must make for training to go on")
          .Min(0),
      OptionSpec::Int("early_stopping_rounds", 0,
                      "when > 0, stop after this many rounds without a new best evaluation "
                      "loss (XGBoost's rule) instead of the min_rel_progress rule")
          .Min(0).Extension(),
  };
  specs.insert(specs.end(), own.begin(), own.end());
  return specs;
}

std::vector<OptionSpec> RandomForestOptions() {
  std::vector<OptionSpec> specs = SharedTreeOptions({100, 15, 0.8, 0.8}, /*forest=*/true);
  // BigQuery ML accepts these for random forests too (bigframes passes them); a forest is
  // one round, so there is nothing to stop.
  specs.push_back(OptionSpec::Bool("early_stop", true,
                                   "accepted for BigQuery ML compatibility; no effect (one round)"));
  specs.push_back(OptionSpec::Float("min_rel_progress", 0.01,
                                    "accepted for BigQuery ML compatibility; no effect (one round)")
                      .Min(0));
  return specs;
}

// Regressors only: the loss the trees minimise (Strata extensions; BigQuery ML always uses
// squared error). The log-link losses fit positive, right-skewed labels such as prices,
// whose errors grow with the value, and still predict in label units.
std::vector<OptionSpec> RegressionObjectiveOptions() {
  return {
      OptionSpec::Enum("objective", {"SQUARED_ERROR", "GAMMA", "POISSON", "TWEEDIE"},
                       "SQUARED_ERROR",
                       "loss the trees minimise: SQUARED_ERROR, or a log-link loss for "
                       "positive, right-skewed labels (GAMMA: labels > 0; POISSON and TWEEDIE: "
                       "labels >= 0); predictions are in label units either way")
          .Extension(),
      OptionSpec::Float("tweedie_variance_power", 1.5,
                        "TWEEDIE: the variance power, between 1 (Poisson) and 2 (gamma)")
          .Min(1, true)
          .Max(2, true)
          .Tuning(1.1, 1.9)
          .Extension(),
  };
}

std::vector<OptionSpec> WithRegressionObjective(std::vector<OptionSpec> specs) {
  for (OptionSpec& o : RegressionObjectiveOptions()) specs.push_back(std::move(o));
  return specs;
}

// Shortest text that reads back as the same double ("0.3", "1", "1e-05").
std::string Num(double v) { return fmt::format("{}", v); }

void RegisterTreeType(std::string name, Task task, TreeEnsemble ensemble,
                      std::vector<OptionSpec> options, std::string summary) {
  ModelType type;
  type.name = std::move(name);
  type.task = task;
  type.encoding = EncodingStyle::kRawLabelEncoded;
  type.options = std::move(options);
  type.summary = std::move(summary);
  type.create = [ensemble, task]() -> std::unique_ptr<Model> {
    return std::make_unique<TreeModel>(ensemble, task);
  };
  RegisterModelType(std::move(type));
}

}  // namespace

Result<TreeTrainingPlan> PlanTreeTraining(TreeEnsemble ensemble, Task task, int num_classes,
                                          const FitContext& context) {
  const OptionValues& o = context.options;
  const bool forest = ensemble == TreeEnsemble::kRandomForest;
  TreeTrainingPlan plan;
  plan.threads = ResolveThreads(context.threads);
  auto set = [&plan](std::string name, std::string value) {
    plan.params.emplace_back(std::move(name), std::move(value));
  };

  if (task == Task::kClassification) {
    if (num_classes < 2) {
      return InvalidArgument(fmt::format(
          "a classifier needs at least 2 classes in the label, found {}", num_classes));
    }
    if (num_classes == 2) {
      set("objective", "binary:logistic");
      set("eval_metric", "logloss");
    } else {
      set("objective", "multi:softprob");
      set("num_class", std::to_string(num_classes));
      set("eval_metric", "mlogloss");
    }
  } else if (task == Task::kRegression) {
    // The objective option is declared for the regressor types; a caller validating against
    // another option list gets squared error.
    const std::string objective = o.Has("objective") ? o.GetString("objective") : "SQUARED_ERROR";
    plan.log_link = objective != "SQUARED_ERROR";
    set("objective", objective == "GAMMA"     ? "reg:gamma"
                     : objective == "POISSON" ? "count:poisson"
                     : objective == "TWEEDIE" ? "reg:tweedie"
                                              : "reg:squarederror");
    // Early stopping and the log watch RMSE in label units whatever the loss.
    set("eval_metric", "rmse");
    if (objective == "TWEEDIE")
      set("tweedie_variance_power", Num(o.GetDouble("tweedie_variance_power")));
  } else {
    return Internal("tree models do regression and classification only");
  }

  if (forest) {
    set("booster", "gbtree");
  } else {
    const std::string booster = o.GetString("booster_type");
    set("booster", booster == "DART" ? "dart" : "gbtree");
    if (booster == "DART") {
      set("rate_drop", Num(o.GetDouble("dropout")));
      set("normalize_type", o.GetString("dart_normalize_type") == "FOREST" ? "forest" : "tree");
    }
  }

  // AUTO means hist, not XGBoost 1.7's own "auto" (exact below ~4M rows, approx above):
  // hist is much faster on large data (the 1M-row benchmark in docs/models/trees.md), is
  // XGBoost 2.0's default, and gives exactly xgboost-python's result for
  // tree_method='hist', so a model is reproducible outside Strata.
  const std::string method = o.GetString("tree_method");
  const std::string xgb_method = method == "EXACT" ? "exact" : method == "APPROX" ? "approx" : "hist";
  // hist: XGBoost builds its histogram index from a plain DMatrix at the first round; on
  // XGBoost 1.7 that measured faster than a QuantileDMatrix (5.4 vs 7.1 s, 100k rows).
  set("tree_method", xgb_method);
  plan.categorical_splits = xgb_method != "exact" && o.GetBool("categorical_splits");
  if (xgb_method == "hist") set("max_bin", std::to_string(plan.max_bin));

  // Random forest: XGBoost's documented recipe, one round of num_parallel_tree trees with
  // learning rate 1 (the trees are averaged, not shrunk).
  plan.learning_rate = forest ? 1.0 : o.GetDouble("learn_rate");
  set("eta", Num(plan.learning_rate));
  set("max_depth", std::to_string(o.GetInt("max_tree_depth")));
  set("min_child_weight", std::to_string(o.GetInt("min_tree_child_weight")));
  set("gamma", Num(o.GetDouble("min_split_loss")));
  set("subsample", Num(o.GetDouble("subsample")));
  set("colsample_bytree", Num(o.GetDouble("colsample_bytree")));
  set("colsample_bylevel", Num(o.GetDouble("colsample_bylevel")));
  set("colsample_bynode", Num(o.GetDouble("colsample_bynode")));
  set("alpha", Num(o.GetDouble("l1_reg")));
  set("lambda", Num(o.GetDouble("l2_reg")));
  set("num_parallel_tree", std::to_string(o.GetInt("num_parallel_tree")));
  // XGBoost's seed is a signed 64-bit integer.
  set("seed", std::to_string(context.seed & static_cast<uint64_t>(INT64_MAX)));
  set("nthread", std::to_string(plan.threads));
  set("validate_parameters", "1");

  if (forest) {
    plan.max_rounds = 1;
    plan.early_stop = false;
  } else {
    plan.max_rounds = static_cast<int>(o.GetInt("max_iterations"));
    plan.early_stop = o.GetBool("early_stop") && plan.max_rounds > 1;
    plan.min_rel_progress = o.GetDouble("min_rel_progress");
    plan.early_stopping_rounds = static_cast<int>(o.GetInt("early_stopping_rounds"));
    if (!o.GetBool("early_stop") && plan.early_stopping_rounds > 0) {
      return InvalidArgument(
          "option early_stopping_rounds needs early_stop = TRUE; remove one of the two");
    }
  }
  if (std::isnan(plan.min_rel_progress)) plan.min_rel_progress = 0;
  return plan;
}

void RegisterTreeModels() {
  RegisterTreeType("BOOSTED_TREE_CLASSIFIER", Task::kClassification, TreeEnsemble::kBoosted,
                   BoostedTreeOptions(),
                   "gradient-boosted decision trees (XGBoost) for binary and multiclass labels");
  RegisterTreeType("BOOSTED_TREE_REGRESSOR", Task::kRegression, TreeEnsemble::kBoosted,
                   WithRegressionObjective(BoostedTreeOptions()),
                   "gradient-boosted decision trees (XGBoost) for numbers");
  RegisterTreeType("RANDOM_FOREST_CLASSIFIER", Task::kClassification,
                   TreeEnsemble::kRandomForest, RandomForestOptions(),
                   "random forest (XGBoost) for binary and multiclass labels");
  RegisterTreeType("RANDOM_FOREST_REGRESSOR", Task::kRegression, TreeEnsemble::kRandomForest,
                   WithRegressionObjective(RandomForestOptions()),
                   "random forest (XGBoost) for numbers");
}

}  // namespace strata
