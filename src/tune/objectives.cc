// HPARAM_TUNING_OBJECTIVES: BigQuery ML's names and defaults per task, plus PR_AUC, LOG_LOSS
// and BALANCED_ACCURACY; each maps to a key of the metrics JSON Train() stores.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/text.h"
#include "strata/suggest.h"
#include "strata/tune.h"

namespace strata {
namespace {

const std::vector<Objective>& ObjectivesFor(Task task) {
  static const std::vector<Objective> kRegression = {
      {"R2_SCORE", "r2_score", true},
      {"EXPLAINED_VARIANCE", "explained_variance", true},
      {"MEAN_ABSOLUTE_ERROR", "mean_absolute_error", false},
      {"MEAN_SQUARED_ERROR", "mean_squared_error", false},
      {"MEAN_SQUARED_LOG_ERROR", "mean_squared_log_error", false},
      {"MEDIAN_ABSOLUTE_ERROR", "median_absolute_error", false},
      {"ROOT_MEAN_SQUARED_ERROR", "root_mean_squared_error", false}};
  static const std::vector<Objective> kClassification = {
      {"ROC_AUC", "roc_auc", true},   {"PRECISION", "precision", true},
      {"RECALL", "recall", true},     {"ACCURACY", "accuracy", true},
      {"F1_SCORE", "f1_score", true}, {"LOG_LOSS", "log_loss", false},
      {"PR_AUC", "pr_auc", true},     {"BALANCED_ACCURACY", "balanced_accuracy", true}};
  static const std::vector<Objective> kClustering = {
      {"DAVIES_BOULDIN_INDEX", "davies_bouldin_index", false}};
  switch (task) {
    case Task::kRegression:
      return kRegression;
    case Task::kClassification:
      return kClassification;
    default:
      return kClustering;
  }
}

}  // namespace

Result<Objective> FindObjective(Task task, std::string_view name) {
  const std::vector<Objective>& all = ObjectivesFor(task);
  if (name.empty()) return all.front();  // BigQuery ML's default is listed first
  const std::string upper = AsciiUpper(name);
  std::vector<std::string> names;
  for (const Objective& o : all) {
    if (o.name == upper) return o;
    names.push_back(o.name);
  }
  return InvalidArgument(
      fmt::format("hparam_tuning_objectives: '{}' is not an objective for {} models (valid: {}).{}",
                  name, TaskName(task), fmt::join(names, ", "), DidYouMean(upper, names)));
}

}  // namespace strata
