// EvaluateBinary and EvaluateMulticlass. Every metric is read from two summaries: the
// weighted confusion matrix (thresholded metrics) and the sorted binary curve (AUCs, ROC
// curve); both follow scikit-learn 1.2's definitions, which tests/eval checks to 1e-9.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "eval/metrics_internal.h"
#include "strata/metrics.h"

namespace strata {
namespace {

using eval_internal::BinaryCurve;
using eval_internal::BuildBinaryCurve;
using eval_internal::CheckWeights;
using eval_internal::WeightAt;

// scikit-learn's log_loss clips with eps; 1e-15 was its default before 1.2 and is what
// BigQuery-style reports commonly use, so losses stay finite for confident mistakes.
constexpr double kLogLossEps = 1e-15;
constexpr int kCalibrationBins = 10;

// Rows with weight 0 are treated as absent everywhere (scikit-learn drops them from its
// curves); dropping them up front keeps every count consistent with the weighted metrics.
struct Rows {
  std::vector<int> y;
  std::vector<double> p;  // n (binary) or n x k (multiclass), row-major
  std::vector<double> w;  // empty: all 1
};

Rows DropZeroWeights(std::span<const int> y, std::span<const double> p,
                     std::span<const double> w, int width) {
  Rows rows;
  bool any_zero = std::find(w.begin(), w.end(), 0.0) != w.end();
  if (!any_zero) {
    rows.y.assign(y.begin(), y.end());
    rows.p.assign(p.begin(), p.end());
    rows.w.assign(w.begin(), w.end());
    return rows;
  }
  for (size_t i = 0; i < y.size(); ++i) {
    if (w[i] == 0) continue;
    rows.y.push_back(y[i]);
    rows.p.insert(rows.p.end(), p.begin() + static_cast<ptrdiff_t>(i * width),
                  p.begin() + static_cast<ptrdiff_t>((i + 1) * width));
    rows.w.push_back(w[i]);
  }
  return rows;
}

Status CheckLabels(std::span<const int> y, int k, std::string_view what) {
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= k) {
      return InvalidArgument(fmt::format("{}: the label of row {} is class {}, expected 0 to {}",
                                         what, i + 1, y[i], k - 1));
    }
  }
  return Status::Ok();
}

Status CheckProbabilities(std::span<const double> p, int width, std::string_view what) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (std::isnan(p[i]) || p[i] < 0 || p[i] > 1) {
      std::string where = width == 1 ? fmt::format("row {}", i + 1)
                                     : fmt::format("row {}, class {}", i / width + 1, i % width);
      return InvalidArgument(fmt::format(
          "{}: the probability at {} is {}; probabilities must be numbers in [0, 1]", what, where,
          p[i]));
    }
  }
  return Status::Ok();
}

// Confusion matrix [true][predicted], weighted and as counts.
struct Confusion {
  int k = 0;
  std::vector<double> weighted;
  std::vector<int64_t> counts;
  double& W(int t, int p) { return weighted[static_cast<size_t>(t) * k + p]; }
  double W(int t, int p) const { return weighted[static_cast<size_t>(t) * k + p]; }
};

Confusion BuildConfusion(std::span<const int> y, std::span<const int> predicted,
                         std::span<const double> w, int k) {
  Confusion c;
  c.k = k;
  c.weighted.assign(static_cast<size_t>(k) * k, 0.0);
  c.counts.assign(static_cast<size_t>(k) * k, 0);
  for (size_t i = 0; i < y.size(); ++i) {
    c.W(y[i], predicted[i]) += WeightAt(w, i);
    ++c.counts[static_cast<size_t>(y[i]) * k + predicted[i]];
  }
  return c;
}

// Per-class precision/recall/F1, accuracy and balanced accuracy from the confusion matrix;
// a zero denominator gives 0, scikit-learn's zero_division default.
void FillThresholded(const Confusion& c, const std::vector<std::string>& labels,
                     ClassificationMetrics* m) {
  const int k = c.k;
  double total = 0, correct = 0, recall_sum = 0;
  int classes_present = 0;
  m->per_class.clear();
  m->confusion.assign(k, std::vector<int64_t>(k, 0));
  for (int t = 0; t < k; ++t) {
    double row = 0, col = 0;
    for (int p = 0; p < k; ++p) {
      row += c.W(t, p);
      col += c.W(p, t);
      m->confusion[t][p] = c.counts[static_cast<size_t>(t) * k + p];
    }
    total += row;
    correct += c.W(t, t);
    ClassMetrics cm;
    cm.label = labels[t];
    cm.precision = col > 0 ? c.W(t, t) / col : 0;
    cm.recall = row > 0 ? c.W(t, t) / row : 0;
    cm.f1 = cm.precision + cm.recall > 0
                ? 2 * cm.precision * cm.recall / (cm.precision + cm.recall)
                : 0;
    for (int p = 0; p < k; ++p) cm.support += c.counts[static_cast<size_t>(t) * k + p];
    if (row > 0) {
      recall_sum += cm.recall;
      ++classes_present;
    }
    m->per_class.push_back(std::move(cm));
  }
  m->accuracy = correct / total;
  // scikit-learn's balanced_accuracy_score averages over the classes present in y only.
  m->balanced_accuracy = recall_sum / classes_present;
  m->labels = labels;
}

std::vector<CalibrationBin> Calibration(std::span<const int> y, std::span<const double> p,
                                        std::span<const double> w) {
  // Edges i * 0.1 exactly as np.linspace(0, 1, 11) computes them (0.30000000000000004, ...),
  // so a probability on an edge lands in the same bin as in scikit-learn.
  std::vector<double> edges(kCalibrationBins + 1);
  for (int i = 0; i < kCalibrationBins; ++i) edges[i] = i * 0.1;
  edges[kCalibrationBins] = 1.0;
  std::vector<double> sum_w(kCalibrationBins, 0), sum_p(kCalibrationBins, 0),
      sum_y(kCalibrationBins, 0);
  std::vector<int64_t> count(kCalibrationBins, 0);
  for (size_t i = 0; i < y.size(); ++i) {
    // np.searchsorted(edges[1:-1], p, side="left"): the interior edges strictly below p.
    int bin = static_cast<int>(std::lower_bound(edges.begin() + 1, edges.end() - 1, p[i]) -
                               (edges.begin() + 1));
    double wi = WeightAt(w, i);
    sum_w[bin] += wi;
    sum_p[bin] += wi * p[i];
    sum_y[bin] += wi * y[i];
    ++count[bin];
  }
  std::vector<CalibrationBin> bins(kCalibrationBins);
  for (int b = 0; b < kCalibrationBins; ++b) {
    bins[b].lower = edges[b];
    bins[b].upper = edges[b + 1];
    bins[b].count = count[b];
    bins[b].mean_predicted = count[b] > 0 ? sum_p[b] / sum_w[b] : std::nan("");
    bins[b].fraction_positive = count[b] > 0 ? sum_y[b] / sum_w[b] : std::nan("");
  }
  return bins;
}

std::vector<CurvePoint> RocCurve(const BinaryCurve& curve) {
  std::vector<CurvePoint> points;
  if (curve.thresholds.empty()) return points;
  points.reserve(curve.thresholds.size() + 1);
  const double nan = std::nan("");
  auto rate = [&](double v, double total) { return total > 0 ? v / total : nan; };
  CurvePoint start;
  start.threshold = curve.thresholds[0] + 1;  // scikit-learn 1.2: "thresholds[0] + 1"
  start.precision = 1;
  start.tn = curve.count_neg;
  start.fn = curve.count_pos;
  start.tpr = rate(0, curve.total_pos);
  start.fpr = rate(0, curve.total_neg);
  points.push_back(start);
  for (size_t i = 0; i < curve.thresholds.size(); ++i) {
    CurvePoint pt;
    pt.threshold = curve.thresholds[i];
    pt.tpr = rate(curve.tps[i], curve.total_pos);
    pt.fpr = rate(curve.fps[i], curve.total_neg);
    double predicted = curve.tps[i] + curve.fps[i];
    pt.precision = predicted > 0 ? curve.tps[i] / predicted : 1;
    pt.tp = curve.tp_counts[i];
    pt.fp = curve.fp_counts[i];
    pt.tn = curve.count_neg - pt.fp;
    pt.fn = curve.count_pos - pt.tp;
    points.push_back(pt);
  }
  return points;
}

}  // namespace

Result<ClassificationMetrics> EvaluateBinary(std::span<const int> y,
                                             std::span<const double> positive_probability,
                                             std::span<const double> weights, double threshold,
                                             const std::vector<std::string>& labels) {
  constexpr std::string_view kWhat = "binary evaluation";
  if (y.empty()) return InvalidArgument("binary evaluation: there are no rows to evaluate");
  if (positive_probability.size() != y.size()) {
    return InvalidArgument(fmt::format("binary evaluation: {} probabilities for {} labels",
                                       positive_probability.size(), y.size()));
  }
  if (!labels.empty() && labels.size() != 2) {
    return InvalidArgument(fmt::format(
        "binary evaluation needs 2 class labels, got {}; use EvaluateMulticlass for more",
        labels.size()));
  }
  if (!std::isfinite(threshold)) {
    return InvalidArgument(fmt::format("binary evaluation: the threshold {} is not a number",
                                       threshold));
  }
  STRATA_RETURN_IF_ERROR(CheckLabels(y, 2, kWhat));
  STRATA_RETURN_IF_ERROR(CheckProbabilities(positive_probability, 1, kWhat));
  STRATA_RETURN_IF_ERROR(CheckWeights(weights, y.size(), kWhat));
  const Rows rows = DropZeroWeights(y, positive_probability, weights, 1);
  const std::span<const double> w = rows.w;
  const size_t n = rows.y.size();

  ClassificationMetrics m;
  m.threshold = threshold;
  std::vector<int> predicted(n);
  for (size_t i = 0; i < n; ++i) predicted[i] = rows.p[i] >= threshold ? 1 : 0;
  FillThresholded(BuildConfusion(rows.y, predicted, w, 2),
                  labels.empty() ? std::vector<std::string>{"0", "1"} : labels, &m);
  m.precision = m.per_class[1].precision;
  m.recall = m.per_class[1].recall;
  m.f1_score = m.per_class[1].f1;

  double total = 0, loss = 0, brier = 0;
  for (size_t i = 0; i < n; ++i) {
    double wi = WeightAt(w, i);
    // As scikit-learn: clip P(positive), form [1 - p, p], renormalise.
    double p1 = std::clamp(rows.p[i], kLogLossEps, 1 - kLogLossEps);
    double p0 = 1 - p1;
    loss -= wi * std::log((rows.y[i] == 1 ? p1 : p0) / (p0 + p1));
    brier += wi * (rows.p[i] - rows.y[i]) * (rows.p[i] - rows.y[i]);
    total += wi;
  }
  m.log_loss = loss / total;
  m.brier_score = brier / total;

  std::vector<uint8_t> positive(n);
  for (size_t i = 0; i < n; ++i) positive[i] = rows.y[i] == 1;
  BinaryCurve curve = BuildBinaryCurve(positive, rows.p, w);
  m.roc_auc = eval_internal::RocAuc(curve);
  m.pr_auc = eval_internal::AveragePrecision(curve);
  m.roc_curve = RocCurve(curve);
  m.calibration = Calibration(rows.y, rows.p, w);
  return m;
}

Result<ClassificationMetrics> EvaluateMulticlass(std::span<const int> y,
                                                 std::span<const double> probabilities,
                                                 std::span<const double> weights,
                                                 const std::vector<std::string>& labels) {
  constexpr std::string_view kWhat = "multiclass evaluation";
  if (y.empty()) return InvalidArgument("multiclass evaluation: there are no rows to evaluate");
  size_t k = labels.size();
  if (k == 0 && probabilities.size() % y.size() == 0) k = probabilities.size() / y.size();
  if (k < 2) {
    return InvalidArgument(fmt::format("multiclass evaluation needs at least 2 classes, got {}",
                                       k));
  }
  if (probabilities.size() != y.size() * k) {
    return InvalidArgument(fmt::format(
        "multiclass evaluation: {} probabilities for {} rows x {} classes; give a row-major "
        "rows x classes matrix",
        probabilities.size(), y.size(), k));
  }
  const int kc = static_cast<int>(k);
  STRATA_RETURN_IF_ERROR(CheckLabels(y, kc, kWhat));
  STRATA_RETURN_IF_ERROR(CheckProbabilities(probabilities, kc, kWhat));
  STRATA_RETURN_IF_ERROR(CheckWeights(weights, y.size(), kWhat));
  const Rows rows = DropZeroWeights(y, probabilities, weights, kc);
  const std::span<const double> w = rows.w;
  const size_t n = rows.y.size();

  std::vector<std::string> names = labels;
  if (names.empty()) {
    for (int c = 0; c < kc; ++c) names.push_back(std::to_string(c));
  }

  ClassificationMetrics m;
  m.threshold = std::nan("");  // multiclass predicts the most probable class
  std::vector<int> predicted(n);
  double total = 0, loss = 0, brier = 0;
  for (size_t i = 0; i < n; ++i) {
    const double* row = &rows.p[i * k];
    // np.argmax: the first of equal maxima.
    predicted[i] = static_cast<int>(std::max_element(row, row + k) - row);
    double wi = WeightAt(w, i), clipped_sum = 0, sq = 0;
    for (size_t c = 0; c < k; ++c) {
      clipped_sum += std::clamp(row[c], kLogLossEps, 1 - kLogLossEps);
      double target = static_cast<int>(c) == rows.y[i] ? 1.0 : 0.0;
      sq += (row[c] - target) * (row[c] - target);
    }
    double own = std::clamp(row[rows.y[i]], kLogLossEps, 1 - kLogLossEps);
    loss -= wi * std::log(own / clipped_sum);
    brier += wi * sq;
    total += wi;
  }
  m.log_loss = loss / total;
  m.brier_score = brier / total;
  FillThresholded(BuildConfusion(rows.y, predicted, w, kc), names, &m);
  for (const ClassMetrics& cm : m.per_class) {
    m.precision += cm.precision / kc;
    m.recall += cm.recall / kc;
    m.f1_score += cm.f1 / kc;
  }

  // One-vs-rest AUCs, macro-averaged over the classes where they are defined (a class
  // absent from y has no ROC AUC or average precision).
  double auc_sum = 0, ap_sum = 0;
  int auc_classes = 0, ap_classes = 0;
  std::vector<uint8_t> positive(n);
  std::vector<double> score(n);
  for (int c = 0; c < kc; ++c) {
    for (size_t i = 0; i < n; ++i) {
      positive[i] = rows.y[i] == c;
      score[i] = rows.p[i * k + c];
    }
    BinaryCurve curve = BuildBinaryCurve(positive, score, w);
    double auc = eval_internal::RocAuc(curve);
    double ap = eval_internal::AveragePrecision(curve);
    if (!std::isnan(auc)) {
      auc_sum += auc;
      ++auc_classes;
    }
    if (!std::isnan(ap)) {
      ap_sum += ap;
      ++ap_classes;
    }
  }
  m.roc_auc = auc_classes > 0 ? auc_sum / auc_classes : std::nan("");
  m.pr_auc = ap_classes > 0 ? ap_sum / ap_classes : std::nan("");
  return m;
}

}  // namespace strata
