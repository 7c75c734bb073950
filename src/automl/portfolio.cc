// AutoML's portfolio (src/automl/portfolio.h): known-good configurations of every family and,
// on imbalanced labels, of every rebalancing technique alone and combined.
#include "automl/portfolio.h"

namespace strata::automl {

// Whether neural networks get portfolio slots: when two of them (a 256-unit layer, about 50
// epochs, every fold) are estimated to take at most 15% of the budget, at 4 GFLOP/s (what
// one core sustained on the small data sets of bench/automl). Above that an epoch costs
// more than the boosted trees it would displace are likely to gain, and a network stopped
// by the budget leaves nothing.
bool NetworksFit(const DataFacts& facts, double budget_seconds, int folds_run, int folds) {
  const double train_rows = static_cast<double>(facts.rows) * (folds - 1) / folds;
  const double flops_per_epoch = train_rows * static_cast<double>(facts.inputs) * 256 * 6;
  const double seconds = 2 * 50 * flops_per_epoch * folds_run / 4e9;
  return seconds <= 0.15 * budget_seconds;
}

namespace {

// `options` with every field of `extra` set over it.
nlohmann::json Merged(nlohmann::json options, const nlohmann::json& extra) {
  for (const auto& [k, v] : extra.items()) options[k] = v;
  return options;
}

// The balance options that `options` sets, as they take effect: "off" values left out, and
// downsample_upweight at its default (true) when downsampling, dropped when not.
nlohmann::json EffectiveBalance(const nlohmann::json& options) {
  nlohmann::json set = nlohmann::json::object();
  if (options.value("auto_class_weights", false)) set["auto_class_weights"] = true;
  if (options.contains("upsample_method") && options["upsample_method"] != "NONE") {
    set["upsample_method"] = options["upsample_method"];
  }
  if (options.contains("downsample_ratio") && !options["downsample_ratio"].is_null()) {
    set["downsample_ratio"] = options["downsample_ratio"].get<double>();
    set["downsample_upweight"] = options.value("downsample_upweight", true);
  }
  return set;
}

}  // namespace

std::vector<Rebalancing> Rebalancings(const DataFacts& facts) {
  const std::string smote = facts.has_categorical ? "SMOTE_NC" : "SMOTE";
  // The combinations are imblearn's usual pipeline: the majority downsampled to 3 times the
  // minority, not upweighted, then the rest balanced by SMOTE or by class weights. Less
  // majority to learn from, but fewer duplicated or synthetic rows than either alone, and
  // faster on a large majority.
  const nlohmann::json downsample3 = {{"downsample_ratio", 3.0}, {"downsample_upweight", false}};
  return {
      {"none", nlohmann::json::object()},
      {"class_weights", {{"auto_class_weights", true}}},
      {"downsample_upweight", {{"downsample_ratio", 1.0}, {"downsample_upweight", true}}},
      {"smote", {{"upsample_method", smote}}},
      {"downsample3_smote", Merged(downsample3, {{"upsample_method", smote}})},
      {"downsample3_class_weights", Merged(downsample3, {{"auto_class_weights", true}})},
  };
}

nlohmann::json WithRebalancing(nlohmann::json options, const std::vector<Rebalancing>& rebalancings,
                               std::string_view name) {
  for (const Rebalancing& r : rebalancings) {
    if (r.name == name) return Merged(std::move(options), r.options);
  }
  return options;
}

std::string RebalancingOf(const nlohmann::json& options, const DataFacts& facts) {
  const nlohmann::json set = EffectiveBalance(options);
  for (const Rebalancing& r : Rebalancings(facts)) {
    if (EffectiveBalance(r.options) == set) return r.name;
  }
  return "";
}

// The model type of a family for the task: "BOOSTED_TREE", "RANDOM_FOREST" or "DNN" plus
// "_CLASSIFIER" or "_REGRESSOR".
std::string TypeFor(std::string_view family, Task task) {
  return std::string(family) + (task == Task::kClassification ? "_CLASSIFIER" : "_REGRESSOR");
}

// Known-good configurations, most useful first so that a short budget still tries every
// family: boosted trees at a few depths and learning rates (early stopping on the held-out
// fold picks the rounds), a random forest, linear models, and for imbalanced labels the
// rebalancing techniques as further candidates of the strongest families.
std::vector<Candidate> Portfolio(const DataFacts& facts) {
  const bool cls = facts.task == Task::kClassification;
  const std::string bt = TypeFor("BOOSTED_TREE", facts.task);
  const std::string rf = TypeFor("RANDOM_FOREST", facts.task);
  const std::string linear = cls ? "LOGISTIC_REG" : "LINEAR_REG";
  const nlohmann::json bt_default = {{"learn_rate", 0.1}, {"max_tree_depth", 6},
                                     {"max_iterations", 500}, {"early_stopping_rounds", 20}};
  const nlohmann::json bt_slow = {{"learn_rate", 0.05}, {"max_tree_depth", 4},
                                  {"subsample", 0.8}, {"colsample_bytree", 0.8},
                                  {"max_iterations", 1000}, {"early_stopping_rounds", 30}};
  const nlohmann::json bt_deep = {{"learn_rate", 0.03}, {"max_tree_depth", 8},
                                  {"min_tree_child_weight", 3}, {"subsample", 0.7},
                                  {"colsample_bytree", 0.6}, {"max_iterations", 1500},
                                  {"early_stopping_rounds", 40}};
  const nlohmann::json bt_shallow = {{"learn_rate", 0.1}, {"max_tree_depth", 3}, {"l2_reg", 5.0},
                                     {"max_iterations", 800}, {"early_stopping_rounds", 30}};
  // A forest is one XGBoost round that cannot be stopped half-way: 100 trees of depth 12 keep
  // it short (the half-columns forest costs less than the first, so the budget check on the
  // first's time covers it). No L2 penalty: XGBoost's lambda = 1 shrinks a leaf of n rows by
  // n / (n + 1), which biases deep trees' small leaves; without it RMSE fell from 695 to 565
  // on diamonds and from 4.7 to 3.7 on boston (xgboost-python, 3 folds).
  const nlohmann::json rf_default = {
      {"num_parallel_tree", 100}, {"max_tree_depth", 12}, {"l2_reg", 0.0}};
  const nlohmann::json rf_wide = {{"num_parallel_tree", 100},
                                  {"max_tree_depth", 12},
                                  {"colsample_bynode", 0.5},
                                  {"l2_reg", 0.0}};
  // Networks: a wide single layer and two layers, both with dropout and a little L2;
  // early stopping on the held-out fold picks the epochs.
  const std::string dnn = TypeFor("DNN", facts.task);
  const nlohmann::json dnn_wide = {
      {"hidden_units", {256}},       {"dropout", 0.3},           {"l2_reg", 1e-5},
      {"learn_rate", 0.005},         {"batch_size", 128},        {"max_iterations", 300},
      {"early_stopping_rounds", 20}, {"min_rel_progress", 0.001}};
  const nlohmann::json dnn_deep = {
      {"hidden_units", {256, 128}},  {"dropout", 0.3},           {"l2_reg", 1e-5},
      {"learn_rate", 0.003},         {"batch_size", 128},        {"max_iterations", 300},
      {"early_stopping_rounds", 20}, {"min_rel_progress", 0.001}};
  const nlohmann::json linear_default = {{"max_iterations", 50}};
  const nlohmann::json linear_l2 = {{"max_iterations", 50}, {"l2_reg", 1.0}};

  std::vector<Candidate> out = {
      {"boosted_tree_lr0.1_d6", bt, bt_default},
      {linear == "LOGISTIC_REG" ? "logistic_reg" : "linear_reg", linear, linear_default},
  };
  const bool imbalanced = cls && facts.minority_share < kImbalancedShare;
  const std::vector<Rebalancing> rebalancings = Rebalancings(facts);
  auto with = [&](const nlohmann::json& options, std::string_view rebalancing) {
    return WithRebalancing(options, rebalancings, rebalancing);
  };
  if (imbalanced) out.push_back({"boosted_tree_lr0.1_d6_class_weights", bt, with(bt_default, "class_weights")});
  out.push_back({"random_forest_d12", rf, rf_default});
  if (facts.networks) out.push_back({"dnn_256", dnn, dnn_wide});
  out.push_back({"boosted_tree_lr0.05_d4", bt, bt_slow});
  if (imbalanced) {
    out.push_back({"logistic_reg_class_weights", linear, with(linear_default, "class_weights")});
    out.push_back({"boosted_tree_lr0.1_d6_downsample_upweight", bt, with(bt_default, "downsample_upweight")});
  }
  out.push_back({"boosted_tree_lr0.03_d8", bt, bt_deep});
  // Positive labels (prices, counts, durations) are often right-skewed with errors that grow
  // with the value; a gamma loss fits them on the log scale and predicts in label units
  // (xgboost-python, diamonds 3 folds: RMSE 549 -> 533 for one deep configuration).
  // Cross-validation decides whether it helps; the tuning below can choose it too.
  if (facts.positive_label)
    out.push_back({"boosted_tree_lr0.03_d8_gamma", bt, Merged(bt_deep, {{"objective", "GAMMA"}})});
  if (facts.networks) out.push_back({"dnn_256x128", dnn, dnn_deep});
  if (imbalanced) {
    out.push_back({"boosted_tree_lr0.05_d4_smote", bt, with(bt_slow, "smote")});
    out.push_back({"boosted_tree_lr0.05_d4_class_weights", bt, with(bt_slow, "class_weights")});
  }
  out.push_back({"boosted_tree_lr0.1_d3", bt, bt_shallow});
  out.push_back({"random_forest_d12_half_columns", rf, rf_wide});
  out.push_back({linear == "LOGISTIC_REG" ? "logistic_reg_l2" : "linear_reg_l2", linear, linear_l2});
  if (imbalanced) {
    out.push_back({"random_forest_d12_class_weights", rf, with(rf_default, "class_weights")});
    out.push_back({"boosted_tree_lr0.03_d8_downsample_upweight", bt, with(bt_deep, "downsample_upweight")});
    // The combinations (see Rebalancings).
    out.push_back({"boosted_tree_lr0.05_d4_downsample3_smote", bt, with(bt_slow, "downsample3_smote")});
    out.push_back({"boosted_tree_lr0.1_d6_downsample3_class_weights", bt,
                   with(bt_default, "downsample3_class_weights")});
  }
  return out;
}

}  // namespace strata::automl
