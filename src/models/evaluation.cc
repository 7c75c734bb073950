#include "models/evaluation.h"

#include <fmt/format.h>

#include <cmath>

#include "models/labels.h"
#include "strata/metrics.h"

namespace strata {
namespace {

// The stored curve keeps at most kCurvePoints points, evenly spaced over the full curve
// (its first and last point included): one point per distinct score would put a
// 100,000-point curve into every bundle of a large evaluation split. BigQuery ML's
// ML.ROC_CURVE likewise reports about 100 thresholds.
constexpr size_t kCurvePoints = 201;

void ThinCurve(nlohmann::json* curve) {
  if (!curve->is_array() || curve->size() <= kCurvePoints) return;
  nlohmann::json thin = nlohmann::json::array();
  const size_t n = curve->size();
  for (size_t i = 0; i < kCurvePoints; ++i) thin.push_back((*curve)[i * (n - 1) / (kCurvePoints - 1)]);
  *curve = std::move(thin);
}

nlohmann::json Finite(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

nlohmann::json ClassificationFlat(const ClassificationMetrics& m, bool binary) {
  nlohmann::json j = {{"precision", Finite(m.precision)},
                      {"recall", Finite(m.recall)},
                      {"accuracy", Finite(m.accuracy)},
                      {"f1_score", Finite(m.f1_score)},
                      {"log_loss", Finite(m.log_loss)},
                      {"roc_auc", Finite(m.roc_auc)},
                      {"pr_auc", Finite(m.pr_auc)},
                      {"balanced_accuracy", Finite(m.balanced_accuracy)},
                      {"brier_score", Finite(m.brier_score)}};
  if (binary) j["threshold"] = m.threshold;
  return j;
}

}  // namespace

Result<double> ChooseThreshold(const ThresholdSpec& spec, const std::vector<int>& y,
                               const std::vector<double>& probabilities) {
  std::vector<double> score(y.size());
  for (size_t i = 0; i < y.size(); ++i) score[i] = probabilities[2 * i + 1];
  switch (spec.objective) {
    case ThresholdObjective::kFixed: return spec.target;
    case ThresholdObjective::kMaxF1: return ChooseThresholdMaxF1(y, score, {});
    case ThresholdObjective::kPrecisionTarget:
      return ChooseThresholdForPrecision(y, score, {}, spec.target);
    case ThresholdObjective::kRecallTarget:
      return ChooseThresholdForRecall(y, score, {}, spec.target);
  }
  return 0.5;
}

Result<EvaluationResult> EvaluateOutput(const ModelBundle& bundle, const Table& data,
                                        const FeatureMatrix& features, const ModelOutput& out,
                                        double threshold) {
  EvaluationResult result;
  if (bundle.task == Task::kClustering) {
    const int64_t n = features.rows();
    const int d = features.cols();
    const int k = out.width;
    std::vector<double> points(static_cast<size_t>(n) * d);
    for (int c = 0; c < d; ++c) {
      const double* col = features.column(c);
      for (int64_t r = 0; r < n; ++r) points[static_cast<size_t>(r) * d + c] = col[r];
    }
    std::vector<double> centroids(static_cast<size_t>(k) * d, 0.0);
    std::vector<int64_t> sizes(k, 0);
    for (int64_t r = 0; r < n; ++r) {
      int c = out.cluster[r];
      ++sizes[c];
      for (int j = 0; j < d; ++j) centroids[static_cast<size_t>(c) * d + j] += points[static_cast<size_t>(r) * d + j];
    }
    for (int c = 0; c < k; ++c) {
      for (int j = 0; j < d && sizes[c] > 0; ++j) centroids[static_cast<size_t>(c) * d + j] /= static_cast<double>(sizes[c]);
    }
    STRATA_ASSIGN_OR_RETURN(ClusteringMetrics m,
                            EvaluateClustering(points, d, out.cluster, centroids, k));
    result.metrics = {{"davies_bouldin_index", Finite(m.davies_bouldin_index)},
                      {"mean_squared_distance", Finite(m.mean_squared_distance)}};
    result.summary = {{"cluster_sizes", sizes}};
    return result;
  }

  auto label_col = data.GetColumn(bundle.label);
  if (!label_col.ok()) {
    return NotFound(fmt::format("evaluation needs the label column '{}': {}", bundle.label,
                                label_col.status().message()));
  }
  const Column& label = **label_col;
  // Rows with a NULL label cannot be scored; they are left out.
  std::vector<int64_t> keep;
  keep.reserve(static_cast<size_t>(label.size()));
  for (int64_t r = 0; r < label.size(); ++r) {
    if (!label.IsNull(r)) keep.push_back(r);
  }
  if (keep.empty()) return InvalidArgument("no rows with a label to evaluate on");

  if (bundle.task == Task::kRegression) {
    std::vector<double> y, p;
    for (int64_t r : keep) {
      y.push_back(label.GetAsDouble(r));
      p.push_back(out.values[r]);
    }
    STRATA_ASSIGN_OR_RETURN(RegressionMetrics m, EvaluateRegression(y, p, {}));
    result.metrics = {{"mean_absolute_error", Finite(m.mean_absolute_error)},
                      {"mean_squared_error", Finite(m.mean_squared_error)},
                      {"mean_squared_log_error", Finite(m.mean_squared_log_error)},
                      {"median_absolute_error", Finite(m.median_absolute_error)},
                      {"r2_score", Finite(m.r2_score)},
                      {"explained_variance", Finite(m.explained_variance)},
                      {"root_mean_squared_error", Finite(m.root_mean_squared_error)}};
    result.summary = m.ToJson();
    return result;
  }

  const int k = static_cast<int>(bundle.class_labels.size());
  std::vector<int> all = ClassIndices(label, bundle.class_labels);
  std::vector<int> y;
  std::vector<double> probs;
  y.reserve(keep.size());
  probs.reserve(keep.size() * k);
  for (int64_t r : keep) {
    if (all[r] < 0) {
      return InvalidArgument(fmt::format(
          "label '{}' value '{}' (row {}) never occurred in the training data, so the model "
          "cannot predict it; classes seen in training: {}",
          bundle.label, label.FormatValue(r), r + 1, nlohmann::json(bundle.class_labels).dump()));
    }
    y.push_back(all[r]);
    for (int c = 0; c < k; ++c) probs.push_back(out.probabilities[static_cast<size_t>(r) * k + c]);
  }
  if (k == 2) {
    std::vector<double> p1(y.size());
    for (size_t i = 0; i < y.size(); ++i) p1[i] = probs[2 * i + 1];
    STRATA_ASSIGN_OR_RETURN(ClassificationMetrics m,
                            EvaluateBinary(y, p1, {}, threshold, bundle.class_labels));
    result.metrics = ClassificationFlat(m, true);
    result.metrics["positive_class"] = bundle.class_labels[1];
    result.summary = m.ToJson();
    ThinCurve(&result.summary["roc_curve"]);
  } else {
    STRATA_ASSIGN_OR_RETURN(ClassificationMetrics m,
                            EvaluateMulticlass(y, probs, {}, bundle.class_labels));
    result.metrics = ClassificationFlat(m, false);
    result.summary = m.ToJson();
  }
  return result;
}

}  // namespace strata
