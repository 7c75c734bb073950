#include "strata/choose.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "strata/profile.h"

namespace strata {

Result<ModelAdvice> ChooseModel(const Table& table, const std::optional<std::string>& target) {
  ModelAdvice a;
  a.rows = table.num_rows();
  const Column* label = nullptr;
  if (target) {
    STRATA_ASSIGN_OR_RETURN(label, table.GetColumn(*target));
  }
  int high_cardinality = 0;
  for (const Column& c : table.columns()) {
    if (&c == label) continue;
    a.missing_values += c.null_count();
    if (c.type() == DataType::kString || c.type() == DataType::kBool) {
      ++a.categorical_columns;
      if (c.type() == DataType::kString && c.dictionary().size() > 100) ++high_cardinality;
    } else if (c.type() == DataType::kTimestamp || c.type() == DataType::kDate) {
      ++a.time_columns;
    } else {
      ++a.numeric_columns;
    }
  }
  a.facts.push_back(fmt::format("{} rows; {} numeric, {} categorical, {} date/time feature columns",
                                a.rows, a.numeric_columns, a.categorical_columns, a.time_columns));
  if (a.missing_values > 0) {
    a.facts.push_back(fmt::format("{} missing feature values: boosted trees route them natively; "
                                  "linear models impute the training mean",
                                  a.missing_values));
  }
  if (high_cardinality > 0) {
    a.facts.push_back(fmt::format("{} text column(s) with more than 100 distinct values: one-hot "
                                  "encoding makes linear models wide; trees label-encode them",
                                  high_cardinality));
  }

  if (!label) {
    a.task = Task::kClustering;
    a.models.push_back({"KMEANS",
                        "no label: group similar rows; k-means++ starts, standardised features",
                        {}});
    return a;
  }
  a.task = DetectTask(*label) == LabelTask::kClassification ? Task::kClassification
                                                            : Task::kRegression;
  if (a.task == Task::kRegression &&
      label->type() != DataType::kInt64 && label->type() != DataType::kFloat64) {
    a.task = Task::kClassification;
  }
  const bool small = a.rows < 1000;
  const bool nonlinear_ok = a.rows >= 200;
  if (a.task == Task::kRegression) {
    a.facts.push_back(fmt::format("label '{}' is numeric with many values: regression", label->name()));
    if (nonlinear_ok) {
      a.models.push_back({"BOOSTED_TREE_REGRESSOR",
                          "usually the most accurate on tabular data: non-linear effects and "
                          "interactions, missing values and categories handled natively",
                          small ? std::vector<std::string>{"max_tree_depth=4", "learn_rate=0.1", "max_iterations=100"}
                                : std::vector<std::string>{"learn_rate=0.1", "max_iterations=100"}});
    }
    a.models.push_back({"LINEAR_REG", "a fast, interpretable baseline (coefficients per column); "
                                      "best when effects are roughly additive",
                        {}});
    a.models.push_back({"RANDOM_FOREST_REGRESSOR",
                        "robust with little tuning; a good second opinion on small data", {}});
    return a;
  }

  // Classification: look at the balance.
  ProfileOptions po;
  po.target = label->name();
  STRATA_ASSIGN_OR_RETURN(Profile profile, ProfileTable(table, po));
  if (!profile.label.has_value()) return Internal("profile without a label section");
  const LabelProfile lp = profile.label.value();
  a.facts.push_back(fmt::format("label '{}' has {} classes: classification", label->name(),
                                lp.classes.size()));
  if (nonlinear_ok) {
    a.models.push_back({"BOOSTED_TREE_CLASSIFIER",
                        "usually the most accurate on tabular data, ranks well even when "
                        "classes are imbalanced, handles missing values and categories",
                        small ? std::vector<std::string>{"max_tree_depth=4", "learn_rate=0.1", "max_iterations=100"}
                              : std::vector<std::string>{"learn_rate=0.1", "max_iterations=100"}});
  }
  a.models.push_back({"LOGISTIC_REG",
                      "a fast, interpretable baseline with well-calibrated probabilities", {}});
  a.models.push_back({"RANDOM_FOREST_CLASSIFIER", "robust with little tuning, few ways to overfit", {}});
  if (lp.imbalanced) {
    const ClassShare& minority = lp.classes.back();
    const ClassShare& majority = lp.classes.front();
    a.facts.push_back(fmt::format("imbalanced: '{}' is {:.1f}% of rows ({} rows)", minority.label,
                                  100 * minority.fraction, minority.count));
    a.balance.push_back(
        "First, collect more data of the minority class if you can: nothing else helps as much.");
    a.balance.push_back(
        "Start without resampling: the decision threshold is tuned on the evaluation split "
        "(maximum F1) and boosted trees rank well under imbalance; compare PR AUC and recall, "
        "not accuracy.");
    if (majority.count >= 50000) {
        a.balance.push_back(fmt::format(
            "The majority class is large ({} rows): downsampling it (e.g. to 3 rows per "
            "minority row) with upweighting trains several times faster and keeps "
            "probabilities calibrated.",
            majority.count));
      a.balance_options = {"downsample_ratio=3"};
    } else if (minority.count < 1000) {
      a.balance.push_back(fmt::format(
          "With only {} minority rows, try upsampling with SMOTE{} or class weights "
          "(auto_class_weights) and keep whichever improves PR AUC on the evaluation split.",
          minority.count, a.categorical_columns > 0 ? "-NC (mixed feature types)" : ""));
      a.balance_options = {a.categorical_columns > 0 ? "upsample_method=SMOTE_NC" : "upsample_method=SMOTE"};
    } else {
      a.balance.push_back(
          "If recall on the minority class stays low, add class weights "
          "(auto_class_weights=true); probabilities are corrected for the shift.");
      a.balance_options = {"auto_class_weights=true"};
    }
  }
  return a;
}

}  // namespace strata
