// K-fold cross-validation through Train(): stratified folds, out-of-fold predictions for
// every row, fold metrics with mean and standard deviation.
#include "strata/cross_validation.h"

#include <atomic>
#include <cmath>
#include <map>

#include "strata/csv.h"
#include "strata/metrics.h"
#include "strata/split.h"
#include "support/churn_data.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

const Table& Churn() { return testing::ChurnTable(); }

TrainSpec Spec(std::string model_type, std::string label, nlohmann::json options = nlohmann::json::object()) {
  options["model_type"] = std::move(model_type);
  if (!label.empty()) options["input_label_cols"] = {std::move(label)};
  auto spec = TrainSpecFromOptions(options);
  EXPECT_OK(spec);
  return *spec;
}

TEST(AssignFoldsTest, StratifiesEveryClassOverTheFoldsDeterministically) {
  auto folds = AssignFolds(Churn(), 5, "churn", true, 7);
  ASSERT_OK(folds);
  const Column& y = *Churn().GetColumn("churn").value();
  std::map<std::string, std::vector<int>> per_class;
  for (int64_t r = 0; r < Churn().num_rows(); ++r) {
    auto& counts = per_class[std::string(y.GetString(r))];
    counts.resize(5);
    ++counts[(*folds)[r]];
  }
  for (const auto& [label, counts] : per_class) {
    int lo = *std::min_element(counts.begin(), counts.end());
    int hi = *std::max_element(counts.begin(), counts.end());
    EXPECT_LE(hi - lo, 1) << label;
  }
  EXPECT_EQ(*AssignFolds(Churn(), 5, "churn", true, 7), *folds);
  EXPECT_NE(*AssignFolds(Churn(), 5, "churn", true, 8), *folds);
  EXPECT_THAT(AssignFolds(Churn(), 1, "churn", true, 7).status().message(), HasSubstr("between 2 and"));
  EXPECT_THAT(AssignFolds(Churn().Slice(0, 3), 4, "churn", true, 7).status().message(),
              HasSubstr("not 4"));
}

TEST(CrossValidationTest, GivesOutOfFoldPredictionsForEveryRowAndFoldMetrics) {
  CrossValidationOptions o;
  o.folds = 4;
  std::vector<int64_t> done;
  o.progress = [&](const Progress& p) { done.push_back(p.done); };
  auto cv = CrossValidate(Spec("LOGISTIC_REG", "churn"), Churn(), o);
  ASSERT_OK(cv);
  const int64_t n = Churn().num_rows();
  ASSERT_EQ(cv->oof.probabilities.size(), static_cast<size_t>(2 * n));
  ASSERT_EQ(cv->labels.size(), static_cast<size_t>(n));
  EXPECT_EQ(cv->class_labels, (std::vector<std::string>{"no", "yes"}));
  for (int64_t r = 0; r < n; ++r) {
    EXPECT_NEAR(cv->oof.probabilities[2 * r] + cv->oof.probabilities[2 * r + 1], 1.0, 1e-9);
  }
  ASSERT_EQ(cv->fold_metrics.size(), 4u);
  double sum = 0;
  for (const auto& m : cv->fold_metrics) sum += m["roc_auc"].get<double>();
  EXPECT_NEAR(cv->mean.at("roc_auc"), sum / 4, 1e-12);
  EXPECT_GT(cv->stddev.at("roc_auc"), 0.0);
  EXPECT_LT(cv->stddev.at("roc_auc"), 0.05);
  // The out-of-fold predictions, pooled, score close to the folds' mean.
  std::vector<int> y(cv->labels.begin(), cv->labels.end());
  std::vector<double> p1(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) p1[r] = cv->oof.probabilities[2 * r + 1];
  auto pooled = EvaluateBinary(y, p1, {}, 0.5, cv->class_labels);
  ASSERT_OK(pooled);
  EXPECT_NEAR(pooled->roc_auc, cv->mean.at("roc_auc"), 0.02);
  EXPECT_EQ(done.back(), 4);
  // Deterministic for a seed.
  auto again = CrossValidate(Spec("LOGISTIC_REG", "churn"), Churn(), o);
  ASSERT_OK(again);
  EXPECT_EQ(again->oof.probabilities, cv->oof.probabilities);
}

TEST(CrossValidationTest, WorksForRegressionAndWithRebalancing) {
  CrossValidationOptions o;
  o.folds = 3;
  // total_day_charge is a fixed multiple of total_day_minutes: a linear model nails it.
  auto cv = CrossValidate(Spec("LINEAR_REG", "total_day_charge"), Churn(), o);
  ASSERT_OK(cv);
  EXPECT_EQ(cv->oof.values.size(), static_cast<size_t>(Churn().num_rows()));
  EXPECT_GT(cv->mean.at("r2_score"), 0.999);
  // Downsampling applies to each fold's training part; every row still gets a prediction.
  auto balanced = CrossValidate(Spec("LOGISTIC_REG", "churn", {{"downsample_ratio", 1.0}}), Churn(), o);
  ASSERT_OK(balanced);
  EXPECT_EQ(balanced->oof.probabilities.size(), static_cast<size_t>(2 * Churn().num_rows()));
}

TEST(CrossValidationTest, ReportsErrorsAndCancellation) {
  CrossValidationOptions o;
  o.folds = 3;
  EXPECT_EQ(CrossValidate(Spec("KMEANS", ""), Churn(), o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(CrossValidate(Spec("LOGISTIC_REG", "no_such_column"), Churn(), o).status().message(),
              HasSubstr("no_such_column"));
  std::atomic<bool> cancel{true};
  o.cancel = &cancel;
  EXPECT_EQ(CrossValidate(Spec("LOGISTIC_REG", "churn"), Churn(), o).status().code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace strata
