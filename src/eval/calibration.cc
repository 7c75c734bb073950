#include "strata/calibration.h"

#include <algorithm>
#include <cmath>

namespace strata {
namespace {

// Probabilities are clamped here before taking logs (a member may predict an exact 0).
constexpr double kMinProbability = 1e-15;

// The tempered log-probabilities of one row: log p_c / t, normalised (a log-softmax).
void TemperedLogProbabilities(const double* p, int k, double t, double* out) {
  double top = -INFINITY;
  for (int c = 0; c < k; ++c) {
    out[c] = std::log(std::max(p[c], kMinProbability)) / t;
    top = std::max(top, out[c]);
  }
  double sum = 0;
  for (int c = 0; c < k; ++c) sum += std::exp(out[c] - top);
  const double log_total = top + std::log(sum);
  for (int c = 0; c < k; ++c) out[c] -= log_total;
}

double MeanLogLoss(std::span<const double> p, std::span<const double> labels, int k, double t) {
  double total = 0;
  std::vector<double> log_p(static_cast<size_t>(k));
  for (size_t r = 0; r < labels.size(); ++r) {
    TemperedLogProbabilities(p.data() + r * static_cast<size_t>(k), k, t, log_p.data());
    total -= log_p[static_cast<size_t>(labels[r])];
  }
  return total / static_cast<double>(labels.size());
}

}  // namespace

double FitTemperature(std::span<const double> probabilities, std::span<const double> labels,
                      int k) {
  if (k < 2 || labels.empty() || probabilities.size() != labels.size() * static_cast<size_t>(k)) {
    return 1.0;
  }
  // Golden-section search on u = log T over [log 1/20, log 20]; the loss is unimodal in u
  // for practical inputs (convex in 1/T).
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double lo = std::log(1.0 / 20), hi = std::log(20.0);
  double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
  double fa = MeanLogLoss(probabilities, labels, k, std::exp(a));
  double fb = MeanLogLoss(probabilities, labels, k, std::exp(b));
  for (int i = 0; i < 60; ++i) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = MeanLogLoss(probabilities, labels, k, std::exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = MeanLogLoss(probabilities, labels, k, std::exp(b));
    }
  }
  const double t = std::exp((lo + hi) / 2);
  // Never worse than leaving the probabilities alone.
  return MeanLogLoss(probabilities, labels, k, t) < MeanLogLoss(probabilities, labels, k, 1.0)
             ? t
             : 1.0;
}

void ApplyTemperature(double t, int k, std::vector<double>* probabilities) {
  if (t == 1.0 || k < 2) return;
  const size_t rows = probabilities->size() / static_cast<size_t>(k);
  std::vector<double> log_p(static_cast<size_t>(k));
  for (size_t r = 0; r < rows; ++r) {
    double* p = probabilities->data() + r * static_cast<size_t>(k);
    TemperedLogProbabilities(p, k, t, log_p.data());
    for (int c = 0; c < k; ++c) p[c] = std::exp(log_p[c]);
  }
}

}  // namespace strata
