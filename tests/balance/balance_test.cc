// Rebalancing: sizes and weights of each technique alone and combined, SMOTE's synthetic
// rows lying between real minority neighbours, SMOTE-NC's categorical values, the recorded
// priors and their correction.
#include "strata/balance.h"

#include <cmath>
#include <numeric>

#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// 900 rows of class 0 around (0, 0) and 100 of class 1 around (5, 5); a third,
// categorical feature (codes 0..2) that is 2 for most of class 1.
struct Data {
  FeatureMatrix x{1000, 3};
  std::vector<double> y = std::vector<double>(1000);
  std::vector<FeatureInfo> features{{"a", "a", FeatureKind::kNumeric, ""},
                                    {"b", "b", FeatureKind::kNumeric, ""},
                                    {"c", "c", FeatureKind::kCategorical, ""}};
  std::vector<std::string> classes{"no", "yes"};
  Data() {
    for (int64_t r = 0; r < 1000; ++r) {
      bool minority = r >= 900;
      y[r] = minority ? 1 : 0;
      x.at(r, 0) = (minority ? 5.0 : 0.0) + std::sin(static_cast<double>(r));
      x.at(r, 1) = (minority ? 5.0 : 0.0) + std::cos(static_cast<double>(r) * 1.3);
      x.at(r, 2) = minority ? (r % 10 == 0 ? 1 : 2) : static_cast<double>(r % 3);
    }
  }
};

std::vector<int64_t> Counts(const BalancedData& d) {
  std::vector<int64_t> n(2, 0);
  for (double y : d.labels) ++n[static_cast<size_t>(y)];
  return n;
}

TEST(BalanceTest, ClassWeightsBalanceTheWeightedMass) {
  Data d;
  BalanceSpec spec;
  spec.auto_class_weights = true;
  auto b = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 1);
  ASSERT_OK(b);
  EXPECT_EQ(b->labels.size(), 1000u);
  EXPECT_NEAR(b->weights[0], 1000.0 / (2 * 900), 1e-12);
  EXPECT_NEAR(b->weights[950], 1000.0 / (2 * 100), 1e-12);
  EXPECT_NEAR(b->prior_before[1], 0.1, 1e-12);
  EXPECT_NEAR(b->prior_after[1], 0.5, 1e-12);
  std::vector<double> correction = PriorCorrection(*b);
  EXPECT_NEAR(correction[0], 0.9 / 0.5, 1e-12);
  EXPECT_NEAR(correction[1], 0.1 / 0.5, 1e-12);

  spec.auto_class_weights = false;
  spec.class_weights = {{"yes", 4.0}};
  auto explicit_weights = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 1);
  ASSERT_OK(explicit_weights);
  EXPECT_EQ(explicit_weights->weights[0], 1.0);
  EXPECT_EQ(explicit_weights->weights[999], 4.0);

  spec.class_weights = {{"yess", 4.0}};
  auto unknown = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 1);
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("Did you mean 'yes'"));
}

TEST(BalanceTest, DownsamplingKeepsRatioTimesMinorityAndUpweights) {
  Data d;
  BalanceSpec spec;
  spec.downsample_ratio = 2.0;
  auto b = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 1);
  ASSERT_OK(b);
  EXPECT_EQ(Counts(*b), (std::vector<int64_t>{200, 100}));
  for (size_t i = 0; i < b->labels.size(); ++i) {
    EXPECT_EQ(b->weights[i], b->labels[i] == 0 ? 4.5 : 1.0);
    ASSERT_GE(b->source_row[i], 0);
    EXPECT_EQ(b->features.at(static_cast<int64_t>(i), 0), d.x.at(b->source_row[i], 0));
  }
  // Upweighting keeps the weighted prior: no correction needed.
  EXPECT_NEAR(b->prior_after[1], 0.1, 1e-12);

  spec.downsample_upweight = false;
  auto plain = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 1);
  ASSERT_OK(plain);
  EXPECT_NEAR(plain->prior_after[1], 1.0 / 3, 1e-12);
  EXPECT_NEAR(PriorCorrection(*plain)[1], 0.1 / (1.0 / 3), 1e-12);
}

TEST(BalanceTest, DuplicationUpsamplesFromRealMinorityRows) {
  Data d;
  BalanceSpec spec;
  spec.upsample = UpsampleMethod::kDuplicate;
  spec.upsample_ratio = 0.5;
  auto b = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 1);
  ASSERT_OK(b);
  EXPECT_EQ(Counts(*b), (std::vector<int64_t>{900, 450}));
  for (size_t i = 1000; i < b->labels.size(); ++i) EXPECT_GE(b->source_row[i], 900);
}

TEST(BalanceTest, SmoteSynthesisesBetweenMinorityNeighbours) {
  Data d;
  BalanceSpec spec;
  spec.upsample = UpsampleMethod::kSmote;
  auto b = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 1);
  ASSERT_OK(b);
  EXPECT_EQ(Counts(*b), (std::vector<int64_t>{900, 900}));
  int64_t not_a_copy = 0;
  for (int64_t i = 1000; i < b->features.rows(); ++i) {
    EXPECT_EQ(b->source_row[i], -1);
    // Inside the minority cloud (radius ~1.5 around (5, 5)), never near the majority.
    EXPECT_NEAR(b->features.at(i, 0), 5.0, 1.5);
    EXPECT_NEAR(b->features.at(i, 1), 5.0, 1.5);
    double code = b->features.at(i, 2);
    EXPECT_TRUE(code == 1 || code == 2) << "categorical copied from a minority row, got " << code;
    bool copy = false;
    for (int64_t r = 900; r < 1000; ++r) {
      copy |= d.x.at(r, 0) == b->features.at(i, 0) && d.x.at(r, 1) == b->features.at(i, 1);
    }
    not_a_copy += copy ? 0 : 1;
    // On a segment between two real minority rows: s = a + t (b - a), 0 <= t <= 1.
    bool on_segment = copy;
    const double s0 = b->features.at(i, 0), s1 = b->features.at(i, 1);
    for (int64_t a = 900; a < 1000 && !on_segment; ++a) {
      for (int64_t c = 900; c < 1000 && !on_segment; ++c) {
        double dx = d.x.at(c, 0) - d.x.at(a, 0);
        if (a == c || std::abs(dx) < 1e-9) continue;
        double t = (s0 - d.x.at(a, 0)) / dx;
        on_segment = t >= -1e-12 && t <= 1 + 1e-12 &&
                     std::abs(d.x.at(a, 1) + t * (d.x.at(c, 1) - d.x.at(a, 1)) - s1) < 1e-9;
      }
    }
    EXPECT_TRUE(on_segment) << "synthetic row " << i << " (" << s0 << ", " << s1
                            << ") is not between two minority rows";
  }
  EXPECT_GT(not_a_copy, 790);  // synthetic, not duplicates
}

TEST(BalanceTest, SmoteNcVotesCategoricalValuesAndIsDeterministic) {
  Data d;
  BalanceSpec spec;
  spec.upsample = UpsampleMethod::kSmoteNc;
  auto b = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 9);
  auto again = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 9);
  ASSERT_OK(b);
  ASSERT_OK(again);
  EXPECT_EQ(b->features.data(), again->features.data());
  int64_t majority_code = 0;
  for (int64_t i = 1000; i < b->features.rows(); ++i) majority_code += b->features.at(i, 2) == 2 ? 1 : 0;
  // 90% of the minority has code 2: the neighbour vote picks it nearly always.
  EXPECT_GT(majority_code, 0.9 * 800);
}

TEST(BalanceTest, AllThreeTechniquesCombine) {
  Data d;
  BalanceSpec spec;
  spec.downsample_ratio = 4.0;  // 900 -> 400 majority rows
  spec.upsample = UpsampleMethod::kSmote;
  spec.upsample_ratio = 0.5;    // 100 -> 200 minority rows
  spec.auto_class_weights = true;
  auto b = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 1);
  ASSERT_OK(b);
  EXPECT_EQ(Counts(*b), (std::vector<int64_t>{400, 200}));
  EXPECT_NEAR(b->prior_after[1], 0.5, 1e-9);
  EXPECT_EQ(b->notes.size(), 3u);
}

TEST(BalanceTest, CorrectProbabilitiesRenormalises) {
  std::vector<double> p{0.5, 0.5, 0.2, 0.8};
  std::vector<double> correction{1.8, 0.2};
  CorrectProbabilities(correction, 2, &p);
  EXPECT_NEAR(p[0], 0.9, 1e-12);
  EXPECT_NEAR(p[1], 0.1, 1e-12);
  EXPECT_NEAR(p[2] + p[3], 1.0, 1e-12);
  EXPECT_NEAR(p[3], 0.16 / (0.36 + 0.16), 1e-12);
}

TEST(BalanceTest, BadOptionsAreNamed) {
  Data d;
  BalanceSpec spec;
  spec.downsample_ratio = 0.5;
  auto b = Rebalance(d.x, d.y, {}, 2, d.classes, d.features, spec, 1);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(), HasSubstr("downsample_ratio"));
}

}  // namespace
}  // namespace strata
