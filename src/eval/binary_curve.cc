#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "eval/metrics_internal.h"

namespace strata::eval_internal {

Status CheckWeights(std::span<const double> weights, size_t n, std::string_view what) {
  if (weights.empty()) return Status::Ok();
  if (weights.size() != n) {
    return InvalidArgument(fmt::format("{}: {} weights for {} rows; give one weight per row or none",
                                       what, weights.size(), n));
  }
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(weights[i]) || weights[i] < 0) {
      return InvalidArgument(fmt::format(
          "{}: the weight of row {} is {}; weights must be finite and not negative", what, i + 1,
          weights[i]));
    }
    total += weights[i];
  }
  if (!(total > 0)) {
    return InvalidArgument(fmt::format("{}: every weight is 0, so there is nothing to evaluate",
                                       what));
  }
  return Status::Ok();
}

BinaryCurve BuildBinaryCurve(std::span<const uint8_t> positive, std::span<const double> score,
                             std::span<const double> weights) {
  std::vector<size_t> order;
  order.reserve(score.size());
  for (size_t i = 0; i < score.size(); ++i) {
    if (WeightAt(weights, i) != 0) order.push_back(i);
  }
  // Ties are summed as a group below, so their order among themselves does not matter.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return score[a] > score[b]; });

  BinaryCurve curve;
  double tps = 0, fps = 0;
  int64_t tp_count = 0, fp_count = 0;
  for (size_t j = 0; j < order.size(); ++j) {
    size_t i = order[j];
    double w = WeightAt(weights, i);
    if (positive[i]) {
      tps += w;
      ++tp_count;
    } else {
      fps += w;
      ++fp_count;
    }
    // A threshold closes where the next score differs (or at the end).
    if (j + 1 == order.size() || score[order[j + 1]] != score[i]) {
      curve.thresholds.push_back(score[i]);
      curve.tps.push_back(tps);
      curve.fps.push_back(fps);
      curve.tp_counts.push_back(tp_count);
      curve.fp_counts.push_back(fp_count);
    }
  }
  curve.total_pos = tps;
  curve.total_neg = fps;
  curve.count_pos = tp_count;
  curve.count_neg = fp_count;
  return curve;
}

double RocAuc(const BinaryCurve& curve) {
  if (!(curve.total_pos > 0) || !(curve.total_neg > 0)) return std::nan("");
  // Trapezoids in unnormalised units, divided once at the end: fewer roundings than
  // normalising every point first.
  double area = 0, prev_tp = 0, prev_fp = 0;
  for (size_t i = 0; i < curve.thresholds.size(); ++i) {
    area += (curve.fps[i] - prev_fp) * (curve.tps[i] + prev_tp) / 2;
    prev_tp = curve.tps[i];
    prev_fp = curve.fps[i];
  }
  return area / (curve.total_pos * curve.total_neg);
}

double AveragePrecision(const BinaryCurve& curve) {
  if (!(curve.total_pos > 0)) return std::nan("");
  double ap = 0, prev_recall = 0;
  for (size_t i = 0; i < curve.thresholds.size(); ++i) {
    double recall = curve.tps[i] / curve.total_pos;
    double predicted = curve.tps[i] + curve.fps[i];
    double precision = predicted > 0 ? curve.tps[i] / predicted : 0;
    ap += (recall - prev_recall) * precision;
    prev_recall = recall;
  }
  return ap;
}

}  // namespace strata::eval_internal
