// Temperature scaling: the fitted temperature is the log-loss minimiser (checked against a
// fine grid), recovers a known softening, never makes log loss worse, keeps every row's class
// ranking, and travels with the bundle into every prediction.
#include "strata/calibration.h"

#include <cmath>
#include <random>

#include "strata/bundle.h"
#include "support/test_support.h"

namespace strata {
namespace {

double LogLoss(const std::vector<double>& p, const std::vector<double>& y, int k) {
  double total = 0;
  for (size_t r = 0; r < y.size(); ++r) total -= std::log(p[r * k + static_cast<size_t>(y[r])]);
  return total / static_cast<double>(y.size());
}

// Rows whose labels are drawn from softmax(z), reported as softmax(z / softening).
void Make(int rows, int k, double softening, uint64_t seed, std::vector<double>* p, std::vector<double>* y) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 2);
  std::uniform_real_distribution<double> uniform;
  for (int r = 0; r < rows; ++r) {
    std::vector<double> z(k), truth(k), shown(k);
    double st = 0, ss = 0;
    for (int c = 0; c < k; ++c) {
      z[c] = normal(rng);
      st += (truth[c] = std::exp(z[c]));
      ss += (shown[c] = std::exp(z[c] / softening));
    }
    double u = uniform(rng) * st;
    int label = 0;
    while (label + 1 < k && u > truth[label]) u -= truth[label++];
    y->push_back(label);
    for (int c = 0; c < k; ++c) p->push_back(shown[c] / ss);
  }
}

TEST(CalibrationTest, TemperatureIsTheLogLossMinimiserAndUndoesAKnownSoftening) {
  for (int k : {2, 4}) {
    SCOPED_TRACE(k);
    std::vector<double> p, y;
    Make(20000, k, 2.0, 7 + k, &p, &y);  // reported twice as soft as the truth
    const double t = FitTemperature(p, y, k);
    EXPECT_NEAR(t, 0.5, 0.03);
    // The minimiser on a fine grid of log T around it agrees (the loss is convex in 1/T,
    // so a local minimum is the minimum).
    double best_t = 1, best = INFINITY;
    for (double u = std::log(t) - 0.2; u <= std::log(t) + 0.2; u += 0.001) {
      std::vector<double> q = p;
      ApplyTemperature(std::exp(u), k, &q);
      const double loss = LogLoss(q, y, k);
      if (loss < best) best = loss, best_t = std::exp(u);
    }
    EXPECT_NEAR(std::log(t), std::log(best_t), 0.002);
    std::vector<double> q = p;
    ApplyTemperature(t, k, &q);
    EXPECT_LT(LogLoss(q, y, k), LogLoss(p, y, k));
    for (size_t r = 0; r < y.size(); ++r) {
      double sum = 0;
      for (int c = 0; c < k; ++c) sum += q[r * k + c];
      EXPECT_NEAR(sum, 1.0, 1e-12);
      for (int a = 0; a < k; ++a) {
        for (int b = 0; b < k; ++b) {
          if (p[r * k + a] < p[r * k + b]) {
            EXPECT_LT(q[r * k + a], q[r * k + b]);
          }
        }
      }
    }
  }
  // Already calibrated: T stays near 1; nothing to fit: exactly 1.
  std::vector<double> p, y;
  Make(20000, 3, 1.0, 3, &p, &y);
  EXPECT_NEAR(FitTemperature(p, y, 3), 1.0, 0.05);
  EXPECT_EQ(FitTemperature({}, {}, 3), 1.0);
  EXPECT_EQ(FitTemperature(p, y, 1), 1.0);
}

TEST(CalibrationTest, ExactZerosAndOnesStayFinite) {
  std::vector<double> p = {1, 0, 0, 1, 0.5, 0.5};
  std::vector<double> y = {0, 0, 1};
  const double t = FitTemperature(p, y, 2);
  EXPECT_TRUE(std::isfinite(t));
  ApplyTemperature(t, 2, &p);
  for (double v : p) EXPECT_TRUE(std::isfinite(v));
}

TEST(CalibrationTest, TheTemperatureRoundTripsThroughTheBundleAndIsChecked) {
  ModelBundle b;
  b.model_type = "LOGISTIC_REG";
  b.task = Task::kClassification;
  b.spec.model_type = "LOGISTIC_REG";
  b.label = "y";
  b.class_labels = {"a", "b"};
  b.temperature = 0.75;
  auto back = DeserializeBundle(SerializeBundle(b));
  ASSERT_OK(back);
  EXPECT_EQ(back->temperature, 0.75);
  b.temperature = 1;
  back = DeserializeBundle(SerializeBundle(b));
  ASSERT_OK(back);
  EXPECT_EQ(back->temperature, 1);
}

}  // namespace
}  // namespace strata
