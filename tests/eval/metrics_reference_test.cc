// Every metric against scikit-learn 1.2 on the fixed vectors of
// tests/eval/reference/metrics_reference.json (inputs and expected outputs, written by
// metrics_reference.py), to 1e-9; plus a brute-force O(n^2) ROC AUC as a second reference.
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "strata/metrics.h"
#include "support/test_support.h"

namespace strata {
namespace {

using nlohmann::json;

constexpr double kTolerance = 1e-9;

const json& Reference() {
  static const json* data = [] {
    std::ifstream in(testing::SourcePath("tests/eval/reference/metrics_reference.json"));
    return new json(json::parse(in));
  }();
  return *data;
}

std::vector<const json*> Cases(std::string_view kind) {
  std::vector<const json*> out;
  for (const json& c : Reference()["cases"]) {
    if (c["kind"] == kind) out.push_back(&c);
  }
  return out;
}

// `expected` null means scikit-learn has no value (undefined): Strata says NaN.
void ExpectMetric(double actual, const json& expected, const std::string& what) {
  if (expected.is_null()) {
    EXPECT_TRUE(std::isnan(actual)) << what << " = " << actual << ", expected NaN";
    return;
  }
  double e = expected.get<double>();
  EXPECT_NEAR(actual, e, kTolerance * std::max(1.0, std::abs(e))) << what;
}

std::vector<double> Doubles(const json& j) {
  std::vector<double> v;
  if (j.is_null()) return v;
  for (const json& x : j) v.push_back(x.is_null() ? std::nan("") : x.get<double>());
  return v;
}

// Pairs of (positive, negative) rows: 1 when the positive scores higher, 1/2 on a tie.
double BruteForceRocAuc(const std::vector<int>& y, const std::vector<double>& p,
                        const std::vector<double>& w) {
  double sum = 0, pos = 0, neg = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    double wi = w.empty() ? 1 : w[i];
    (y[i] == 1 ? pos : neg) += wi;
    if (y[i] != 1) continue;
    for (size_t j = 0; j < y.size(); ++j) {
      if (y[j] != 0) continue;
      double wj = w.empty() ? 1 : w[j];
      sum += wi * wj * (p[i] > p[j] ? 1.0 : p[i] == p[j] ? 0.5 : 0.0);
    }
  }
  return sum / (pos * neg);
}

void ExpectFlat(const ClassificationMetrics& m, const json& e, const std::string& name) {
  ExpectMetric(m.precision, e["precision"], name + " precision");
  ExpectMetric(m.recall, e["recall"], name + " recall");
  ExpectMetric(m.accuracy, e["accuracy"], name + " accuracy");
  ExpectMetric(m.f1_score, e["f1_score"], name + " f1_score");
  ExpectMetric(m.log_loss, e["log_loss"], name + " log_loss");
  ExpectMetric(m.roc_auc, e["roc_auc"], name + " roc_auc");
  ExpectMetric(m.pr_auc, e["pr_auc"], name + " pr_auc");
  ExpectMetric(m.balanced_accuracy, e["balanced_accuracy"], name + " balanced_accuracy");
  ExpectMetric(m.brier_score, e["brier_score"], name + " brier_score");
  ASSERT_EQ(m.per_class.size(), e["per_class"].size()) << name;
  for (size_t c = 0; c < m.per_class.size(); ++c) {
    const json& pc = e["per_class"][c];
    std::string what = name + " class " + std::to_string(c);
    ExpectMetric(m.per_class[c].precision, pc["precision"], what + " precision");
    ExpectMetric(m.per_class[c].recall, pc["recall"], what + " recall");
    ExpectMetric(m.per_class[c].f1, pc["f1"], what + " f1");
    EXPECT_EQ(m.per_class[c].support, pc["support"].get<int64_t>()) << what;
  }
  EXPECT_EQ(json(m.confusion), e["confusion"]) << name;
}

TEST(MetricsReference, FileIsThere) {
  ASSERT_GE(Reference()["cases"].size(), 30u);
  EXPECT_EQ(Reference()["sklearn"].get<std::string>().substr(0, 3), "1.2");
}

TEST(MetricsReference, Binary) {
  for (const json* c : Cases("binary")) {
    const std::string name = (*c)["name"];
    SCOPED_TRACE(name);
    std::vector<int> y = (*c)["y"];
    std::vector<double> p = (*c)["p"], w = Doubles((*c)["w"]);
    const json& e = (*c)["expected"];
    auto m = EvaluateBinary(y, p, w, (*c)["threshold"].get<double>(), {"no", "yes"});
    ASSERT_OK(m);
    ExpectFlat(*m, e, name);
    EXPECT_EQ(m->labels, (std::vector<std::string>{"no", "yes"}));

    // Second reference for ROC AUC: all pairs (rows of weight 0 contribute nothing).
    if (!e["roc_auc"].is_null()) {
      EXPECT_NEAR(m->roc_auc, BruteForceRocAuc(y, p, w), kTolerance) << name;
    }

    // ROC curve point by point (scikit-learn's roc_curve without dropping points).
    std::vector<double> thr = Doubles(e["roc_curve"]["threshold"]);
    std::vector<double> fpr = Doubles(e["roc_curve"]["fpr"]);
    std::vector<double> tpr = Doubles(e["roc_curve"]["tpr"]);
    ASSERT_EQ(m->roc_curve.size(), thr.size());
    for (size_t i = 0; i < thr.size(); ++i) {
      EXPECT_DOUBLE_EQ(m->roc_curve[i].threshold, thr[i]) << i;
      ExpectMetric(m->roc_curve[i].fpr, e["roc_curve"]["fpr"][i], name + " fpr");
      ExpectMetric(m->roc_curve[i].tpr, e["roc_curve"]["tpr"][i], name + " tpr");
      const CurvePoint& pt = m->roc_curve[i];
      EXPECT_EQ(pt.tp + pt.fn, m->per_class[1].support);
      EXPECT_EQ(pt.fp + pt.tn, m->per_class[0].support);
    }
    // The precision-recall curve is read off the same points.
    std::vector<double> pr_thr = Doubles(e["pr_curve"]["threshold"]);
    ASSERT_EQ(pr_thr.size() + 1, m->roc_curve.size());
    for (size_t i = 0; i < pr_thr.size(); ++i) {
      const CurvePoint& pt = m->roc_curve[m->roc_curve.size() - 1 - i];  // ascending
      EXPECT_DOUBLE_EQ(pt.threshold, pr_thr[i]);
      ExpectMetric(pt.precision, e["pr_curve"]["precision"][i], name + " pr precision");
      if (m->per_class[1].support > 0) {
        ExpectMetric(pt.tpr, e["pr_curve"]["recall"][i], name + " pr recall");
      }
    }

    ASSERT_EQ(m->calibration.size(), 10u);
    for (size_t b = 0; b < 10; ++b) {
      const json& eb = e["calibration"][b];
      EXPECT_EQ(m->calibration[b].count, eb["count"].get<int64_t>()) << "bin " << b;
      ExpectMetric(m->calibration[b].mean_predicted, eb["mean_predicted"], name + " bin mean");
      ExpectMetric(m->calibration[b].fraction_positive, eb["fraction_positive"],
                   name + " bin positives");
      EXPECT_DOUBLE_EQ(m->calibration[b].lower, b * 0.1);
    }

    if (e.contains("threshold_choice")) {
      const json& t = e["threshold_choice"];
      ThresholdSpec spec;
      auto f1 = SelectThreshold(y, p, w, spec);
      ASSERT_OK(f1);
      EXPECT_DOUBLE_EQ(f1->threshold, t["max_f1"]["threshold"].get<double>());
      ExpectMetric(f1->f1, t["max_f1"]["f1"], name + " max f1");
      EXPECT_DOUBLE_EQ(ChooseThresholdMaxF1(y, p, w), f1->threshold);

      spec = {ThresholdObjective::kPrecisionTarget, t["precision_target"].get<double>()};
      auto prec = SelectThreshold(y, p, w, spec);
      ASSERT_OK(prec);
      EXPECT_DOUBLE_EQ(prec->threshold, t["precision"]["threshold"].get<double>());
      ExpectMetric(prec->precision, t["precision"]["precision"], name + " precision target");
      ExpectMetric(prec->recall, t["precision"]["recall"], name + " precision target recall");
      EXPECT_EQ(prec->target_met, t["precision"]["met"].get<bool>());
      EXPECT_EQ(prec->note.empty(), prec->target_met);

      spec = {ThresholdObjective::kRecallTarget, t["recall_target"].get<double>()};
      auto rec = SelectThreshold(y, p, w, spec);
      ASSERT_OK(rec);
      EXPECT_DOUBLE_EQ(rec->threshold, t["recall"]["threshold"].get<double>());
      ExpectMetric(rec->recall, t["recall"]["recall"], name + " recall target");
      EXPECT_DOUBLE_EQ(ChooseThresholdForRecall(y, p, w, spec.target), rec->threshold);
    }
  }
}

TEST(MetricsReference, Multiclass) {
  for (const json* c : Cases("multiclass")) {
    const std::string name = (*c)["name"];
    SCOPED_TRACE(name);
    std::vector<int> y = (*c)["y"];
    std::vector<double> p = (*c)["p"], w = Doubles((*c)["w"]);
    const int k = (*c)["k"];
    std::vector<std::string> labels;
    for (int i = 0; i < k; ++i) labels.push_back("class" + std::to_string(i));
    auto m = EvaluateMulticlass(y, p, w, labels);
    ASSERT_OK(m);
    ExpectFlat(*m, (*c)["expected"], name);
    EXPECT_TRUE(m->roc_curve.empty());
    EXPECT_TRUE(m->calibration.empty());
    EXPECT_FALSE(m->ToJson().contains("threshold"));
  }
}

TEST(MetricsReference, Regression) {
  for (const json* c : Cases("regression")) {
    const std::string name = (*c)["name"];
    SCOPED_TRACE(name);
    std::vector<double> y = (*c)["y"], p = (*c)["p"], w = Doubles((*c)["w"]);
    const json& e = (*c)["expected"];
    auto m = EvaluateRegression(y, p, w);
    ASSERT_OK(m);
    ExpectMetric(m->mean_absolute_error, e["mean_absolute_error"], name + " mae");
    ExpectMetric(m->mean_squared_error, e["mean_squared_error"], name + " mse");
    ExpectMetric(m->root_mean_squared_error, e["root_mean_squared_error"], name + " rmse");
    ExpectMetric(m->median_absolute_error, e["median_absolute_error"], name + " median");
    ExpectMetric(m->r2_score, e["r2_score"], name + " r2");
    ExpectMetric(m->explained_variance, e["explained_variance"], name + " explained variance");
    // scikit-learn refuses negative values for MSLE; BigQuery's formula covers (-1, inf),
    // checked in regression_metrics_test.cc.
    if (!e["mean_squared_log_error"].is_null()) {
      ExpectMetric(m->mean_squared_log_error, e["mean_squared_log_error"], name + " msle");
    }
  }
}

TEST(MetricsReference, Clustering) {
  for (const json* c : Cases("clustering")) {
    const std::string name = (*c)["name"];
    SCOPED_TRACE(name);
    std::vector<double> points = (*c)["points"], centroids = (*c)["centroids"];
    std::vector<int> cluster = (*c)["cluster"];
    auto m = EvaluateClustering(points, (*c)["dims"], cluster, centroids, (*c)["k"]);
    ASSERT_OK(m);
    ExpectMetric(m->davies_bouldin_index, (*c)["expected"]["davies_bouldin_index"], name);
    ExpectMetric(m->mean_squared_distance, (*c)["expected"]["mean_squared_distance"], name);
  }
}

}  // namespace
}  // namespace strata
