// Probability recalibration by temperature scaling (Guo et al. 2017): class probabilities
// p_c become p_c^(1/T) / sum_j p_j^(1/T), i.e. the log-probabilities are divided by one
// temperature T fitted to minimise log loss on held-out predictions. T > 1 softens
// over-confident models, T < 1 sharpens under-confident averages such as AutoML's ensembles.
// The class ranking of every row, hence ROC AUC and the argmax, is unchanged.
//
//   double t = strata::FitTemperature(oof.probabilities, labels, k);
//   strata::ApplyTemperature(t, k, &test.probabilities);
#pragma once

#include <span>
#include <vector>

namespace strata {

// The temperature in [1/20, 20] that minimises the mean log loss of `probabilities` (rows x
// k, row-major) against `labels` (class indices), found by golden-section search on log T.
// 1 when there is nothing to fit (no rows, k < 2).
double FitTemperature(std::span<const double> probabilities, std::span<const double> labels, int k);

// Rescales rows x k probabilities in place by temperature `t` (no-op for t == 1).
void ApplyTemperature(double t, int k, std::vector<double>* probabilities);

}  // namespace strata
