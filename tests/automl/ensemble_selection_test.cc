// Caruana ensemble selection on constructed predictions whose best mix is known.
#include <cmath>
#include <random>

#include "strata/ensemble.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// Binary outputs from P(class 1) per row.
ModelOutput Binary(const std::vector<double>& p1) {
  ModelOutput o;
  o.width = 2;
  for (double p : p1) {
    o.probabilities.push_back(1 - p);
    o.probabilities.push_back(p);
  }
  return o;
}

TEST(EnsembleSelectionTest, GivesAllWeightToAPerfectCandidate) {
  std::mt19937_64 rng(1);
  std::vector<double> y, good, noise1, noise2;
  for (int r = 0; r < 400; ++r) {
    y.push_back(r % 3 == 0 ? 1 : 0);
    good.push_back(y.back() == 1 ? 0.95 : 0.05);
    noise1.push_back(static_cast<double>(rng() % 1000) / 1000.0 * 0.98 + 0.01);
    noise2.push_back(0.5);
  }
  auto sel = SelectEnsemble({Binary(noise1), Binary(good), Binary(noise2)}, y,
                            Task::kClassification, 2, "log_loss", 10);
  ASSERT_OK(sel);
  EXPECT_EQ(sel->weights, (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(sel->score_by_round.size(), 10u);
  EXPECT_NEAR(sel->score, -std::log(0.95), 1e-9);
}

// Two models that are each wrong on a different half of the rows: their average beats
// both, and selection finds it.
TEST(EnsembleSelectionTest, MixesComplementaryCandidatesAndBeatsEach) {
  std::vector<double> y, a, b;
  for (int r = 0; r < 200; ++r) {
    double label = r % 2;
    y.push_back(label);
    double right = label == 1 ? 0.8 : 0.2, wrong = label == 1 ? 0.4 : 0.6;
    a.push_back(r < 100 ? right : wrong);
    b.push_back(r < 100 ? wrong : right);
  }
  auto sel = SelectEnsemble({Binary(a), Binary(b)}, y, Task::kClassification, 2, "LOG_LOSS", 20);
  ASSERT_OK(sel);
  EXPECT_NEAR(sel->weights[0], 0.5, 0.1);
  EXPECT_NEAR(sel->weights[0] + sel->weights[1], 1.0, 1e-12);
  auto alone = SelectEnsemble({Binary(a)}, y, Task::kClassification, 2, "LOG_LOSS", 1);
  ASSERT_OK(alone);
  EXPECT_LT(sel->score, alone->score - 0.05);
  // The same again: deterministic.
  auto again = SelectEnsemble({Binary(a), Binary(b)}, y, Task::kClassification, 2, "LOG_LOSS", 20);
  EXPECT_EQ(again->weights, sel->weights);
  // AUC as the metric works too (lower-is-better internally, reported negated).
  auto auc = SelectEnsemble({Binary(a), Binary(b)}, y, Task::kClassification, 2, "roc_auc", 5);
  ASSERT_OK(auc);
  EXPECT_LT(auc->score, -0.9);
}

TEST(EnsembleSelectionTest, CancelsOppositeBiasesInRegression) {
  std::vector<double> y;
  ModelOutput high, low, far;
  for (int r = 0; r < 100; ++r) {
    y.push_back(r * 0.5);
    high.values.push_back(r * 0.5 + 2);
    low.values.push_back(r * 0.5 - 2);
    far.values.push_back(r * 0.5 + 10);
  }
  auto sel = SelectEnsemble({high, low, far}, y, Task::kRegression, 0, "MEAN_SQUARED_ERROR", 10);
  ASSERT_OK(sel);
  EXPECT_DOUBLE_EQ(sel->weights[0], 0.5);
  EXPECT_DOUBLE_EQ(sel->weights[1], 0.5);
  EXPECT_DOUBLE_EQ(sel->weights[2], 0.0);
  EXPECT_NEAR(sel->score, 0.0, 1e-9);
  // AverageOutputs predicts exactly what the selection scored.
  auto avg = AverageOutputs({&high, &low, &far}, sel->weights);
  ASSERT_OK(avg);
  for (int r = 0; r < 100; ++r) EXPECT_NEAR(avg->values[r], y[r], 1e-12);
}

TEST(EnsembleSelectionTest, RejectsBadInputWithClearErrors) {
  std::vector<double> y = {0, 1};
  ModelOutput ok = Binary({0.2, 0.7});
  EXPECT_THAT(SelectEnsemble({ok}, y, Task::kClassification, 2, "f1", 5).status().message(),
              HasSubstr("LOG_LOSS, ROC_AUC"));
  EXPECT_THAT(SelectEnsemble({ok}, y, Task::kRegression, 0, "log_loss", 5).status().message(),
              HasSubstr("MEAN_SQUARED_ERROR"));
  EXPECT_THAT(SelectEnsemble({}, y, Task::kClassification, 2, "log_loss", 5).status().message(),
              HasSubstr("at least one candidate"));
  EXPECT_THAT(SelectEnsemble({Binary({0.1})}, y, Task::kClassification, 2, "log_loss", 5).status().message(),
              HasSubstr("candidate 1 has 1 predictions for 2 rows"));
  EXPECT_THAT(SelectEnsemble({ok}, y, Task::kClassification, 2, "log_loss", 0).status().message(),
              HasSubstr("rounds 0"));
}

}  // namespace
}  // namespace strata
