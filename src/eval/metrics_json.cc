// ToJson for the metrics structs: ML.EVALUATE names for the flat metrics, ML.ROC_CURVE
// column names for curve points, and null for undefined (NaN) values, since JSON has no NaN.
#include <cmath>

#include "strata/metrics.h"

namespace strata {
namespace {

nlohmann::json Number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

}  // namespace

nlohmann::json ClassificationMetrics::ToJson() const {
  nlohmann::json j = {{"precision", Number(precision)},
                      {"recall", Number(recall)},
                      {"accuracy", Number(accuracy)},
                      {"f1_score", Number(f1_score)},
                      {"log_loss", Number(log_loss)},
                      {"roc_auc", Number(roc_auc)},
                      {"pr_auc", Number(pr_auc)},
                      {"balanced_accuracy", Number(balanced_accuracy)},
                      {"brier_score", Number(brier_score)}};
  // Multiclass predicts the most probable class and has no threshold.
  if (std::isfinite(threshold) && labels.size() <= 2) j["threshold"] = threshold;
  j["labels"] = labels;
  nlohmann::json classes = nlohmann::json::array();
  for (const ClassMetrics& c : per_class) {
    classes.push_back({{"label", c.label},
                       {"precision", Number(c.precision)},
                       {"recall", Number(c.recall)},
                       {"f1_score", Number(c.f1)},
                       {"support", c.support}});
  }
  j["per_class"] = std::move(classes);
  j["confusion_matrix"] = confusion;
  nlohmann::json roc = nlohmann::json::array();
  for (const CurvePoint& p : roc_curve) {
    roc.push_back({{"threshold", Number(p.threshold)},
                   {"recall", Number(p.tpr)},
                   {"false_positive_rate", Number(p.fpr)},
                   {"precision", Number(p.precision)},
                   {"true_positives", p.tp},
                   {"false_positives", p.fp},
                   {"true_negatives", p.tn},
                   {"false_negatives", p.fn}});
  }
  j["roc_curve"] = std::move(roc);
  nlohmann::json bins = nlohmann::json::array();
  for (const CalibrationBin& b : calibration) {
    bins.push_back({{"lower", b.lower},
                    {"upper", b.upper},
                    {"mean_predicted", Number(b.mean_predicted)},
                    {"fraction_positive", Number(b.fraction_positive)},
                    {"count", b.count}});
  }
  j["calibration"] = std::move(bins);
  return j;
}

nlohmann::json RegressionMetrics::ToJson() const {
  return {{"mean_absolute_error", Number(mean_absolute_error)},
          {"mean_squared_error", Number(mean_squared_error)},
          {"mean_squared_log_error", Number(mean_squared_log_error)},
          {"median_absolute_error", Number(median_absolute_error)},
          {"r2_score", Number(r2_score)},
          {"explained_variance", Number(explained_variance)},
          {"root_mean_squared_error", Number(root_mean_squared_error)}};
}

nlohmann::json ClusteringMetrics::ToJson() const {
  return {{"davies_bouldin_index", Number(davies_bouldin_index)},
          {"mean_squared_distance", Number(mean_squared_distance)}};
}

}  // namespace strata
