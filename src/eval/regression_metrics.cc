// EvaluateRegression: BigQuery ML's regression columns. Where BigQuery's formulas and
// scikit-learn's differ only in edge cases, the choice is documented in
// include/strata/metrics.h and docs/evaluation.md.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "eval/metrics_internal.h"
#include "strata/metrics.h"

namespace strata {
namespace {

using eval_internal::WeightAt;

// The median of the absolute errors. Unweighted: numpy's median (mean of the two middle
// values for an even count). Weighted: the first error whose cumulative weight reaches half
// the total (scikit-learn's _weighted_percentile), except that an exact half averages it
// with the next one, so that unit weights give the unweighted answer.
double MedianAbsoluteError(std::vector<double> errors, std::span<const double> w) {
  std::vector<size_t> order(errors.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return errors[a] < errors[b]; });
  if (w.empty()) {
    size_t n = order.size();
    double upper = errors[order[n / 2]];
    return n % 2 == 1 ? upper : (errors[order[n / 2 - 1]] + upper) / 2;
  }
  // Zero-weight rows cannot be the median; leaving them out keeps "the next one" meaningful.
  std::erase_if(order, [&](size_t i) { return w[i] == 0; });
  std::vector<double> cdf(order.size());
  double running = 0;
  for (size_t j = 0; j < order.size(); ++j) cdf[j] = running += w[order[j]];
  double half = 0.5 * cdf.back();
  size_t j = static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), half) - cdf.begin());
  j = std::min(j, order.size() - 1);
  if (cdf[j] == half && j + 1 < order.size()) {
    return (errors[order[j]] + errors[order[j + 1]]) / 2;
  }
  return errors[order[j]];
}

// 1 - residual / total with scikit-learn's force_finite rule for a constant label: 1 when
// it is predicted exactly, 0 otherwise.
double OneMinusRatio(double residual, double total) {
  if (total == 0) return residual == 0 ? 1.0 : 0.0;
  return 1 - residual / total;
}

}  // namespace

Result<RegressionMetrics> EvaluateRegression(std::span<const double> y,
                                             std::span<const double> predicted,
                                             std::span<const double> weights) {
  constexpr std::string_view kWhat = "regression evaluation";
  if (y.empty()) return InvalidArgument("regression evaluation: there are no rows to evaluate");
  if (predicted.size() != y.size()) {
    return InvalidArgument(fmt::format("regression evaluation: {} predictions for {} labels",
                                       predicted.size(), y.size()));
  }
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i]) || !std::isfinite(predicted[i])) {
      return InvalidArgument(fmt::format(
          "regression evaluation: row {} has label {} and prediction {}; both must be finite "
          "numbers",
          i + 1, y[i], predicted[i]));
    }
  }
  STRATA_RETURN_IF_ERROR(eval_internal::CheckWeights(weights, y.size(), kWhat));
  const size_t n = y.size();

  double total = 0, sum_y = 0, sum_err = 0;
  for (size_t i = 0; i < n; ++i) {
    double wi = WeightAt(weights, i);
    total += wi;
    sum_y += wi * y[i];
    sum_err += wi * (y[i] - predicted[i]);
  }
  const double mean_y = sum_y / total, mean_err = sum_err / total;

  RegressionMetrics m;
  double abs_sum = 0, sq_sum = 0, log_sq_sum = 0, total_ss = 0, err_var = 0;
  bool log_defined = true;
  std::vector<double> abs_errors(n);
  for (size_t i = 0; i < n; ++i) {
    double wi = WeightAt(weights, i);
    double e = y[i] - predicted[i];
    abs_errors[i] = std::abs(e);
    abs_sum += wi * abs_errors[i];
    sq_sum += wi * e * e;
    total_ss += wi * (y[i] - mean_y) * (y[i] - mean_y);
    err_var += wi * (e - mean_err) * (e - mean_err);
    if (y[i] <= -1 || predicted[i] <= -1) {
      log_defined = false;
    } else {
      double d = std::log1p(y[i]) - std::log1p(predicted[i]);
      log_sq_sum += wi * d * d;
    }
  }
  m.mean_absolute_error = abs_sum / total;
  m.mean_squared_error = sq_sum / total;
  m.root_mean_squared_error = std::sqrt(m.mean_squared_error);
  m.mean_squared_log_error = log_defined ? log_sq_sum / total : std::nan("");
  m.median_absolute_error = MedianAbsoluteError(std::move(abs_errors), weights);
  // scikit-learn: "R^2 score is not well-defined with less than two samples".
  m.r2_score = n < 2 ? std::nan("") : OneMinusRatio(sq_sum, total_ss);
  m.explained_variance = OneMinusRatio(err_var, total_ss);
  return m;
}

}  // namespace strata
