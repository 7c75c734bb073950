// Pieces shared by the evaluators in src/eval: input checks and the sorted "binary curve"
// that ROC AUC, average precision, the ROC curve and threshold choice are all read from.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "strata/status.h"

namespace strata::eval_internal {

// Checks that `weights` is empty or has `n` finite, non-negative entries with a positive
// sum. `what` names the evaluator in messages.
Status CheckWeights(std::span<const double> weights, size_t n, std::string_view what);

// The weight of row i: weights[i], or 1 when weights is empty.
inline double WeightAt(std::span<const double> weights, size_t i) {
  return weights.empty() ? 1.0 : weights[i];
}

// Rows of a binary ranking problem summarised at each distinct score, highest first, as
// scikit-learn's _binary_clf_curve does: entry i counts the rows whose score is at least
// thresholds[i]. Rows of weight 0 are left out, as scikit-learn leaves them out.
struct BinaryCurve {
  std::vector<double> thresholds;            // distinct scores, descending
  std::vector<double> tps, fps;              // weighted cumulative positives/negatives
  std::vector<int64_t> tp_counts, fp_counts; // unweighted cumulative counts
  double total_pos = 0, total_neg = 0;       // weighted totals
  int64_t count_pos = 0, count_neg = 0;      // unweighted totals
};

// Builds the curve. `positive[i]` is nonzero for the positive rows; sizes must agree (the
// callers check). Scores must not be NaN.
BinaryCurve BuildBinaryCurve(std::span<const uint8_t> positive, std::span<const double> score,
                             std::span<const double> weights);

// Area under the ROC curve by the trapezoid rule over the distinct thresholds (ties count
// one half), exactly as scikit-learn's roc_auc_score. NaN when a class has no weight.
double RocAuc(const BinaryCurve& curve);

// Average precision, sum over thresholds of (R_i - R_{i-1}) * P_i, as scikit-learn's
// average_precision_score. NaN when there are no positives (scikit-learn warns and says 0).
double AveragePrecision(const BinaryCurve& curve);

}  // namespace strata::eval_internal
