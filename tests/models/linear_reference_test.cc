// LINEAR_REG and LOGISTIC_REG against scikit-learn 1.2 on the bundled data sets. The
// reference values come from tests/models/reference/linear_reference.py (committed with its
// output, linear_reference.json); the feature matrix is built here exactly as there: the
// numeric columns the JSON names, standardised with the population standard deviation.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/linear_regression.h"
#include "models/logistic_regression.h"
#include "strata/csv.h"
#include "support/test_support.h"

namespace strata {
namespace {

const nlohmann::json& Reference() {
  static const nlohmann::json* doc = new nlohmann::json(nlohmann::json::parse(
      testing::ReadFileOrDie(testing::SourcePath("tests/models/reference/linear_reference.json"))));
  return *doc;
}

const Table& Data(const std::string& file) {
  static auto* cache = new std::map<std::string, Table>();
  auto it = cache->find(file);
  if (it == cache->end()) {
    auto table = ReadCsv(testing::SourcePath("examples/data/" + file));
    EXPECT_OK(table);
    it = cache->emplace(file, std::move(*table)).first;
  }
  return it->second;
}

std::vector<double> ColumnValues(const Table& t, const std::string& name) {
  auto column = t.GetColumn(name);
  EXPECT_OK(column);
  std::vector<double> v(static_cast<size_t>(t.num_rows()));
  for (int64_t r = 0; r < t.num_rows(); ++r) v[r] = (*column)->GetAsDouble(r);
  return v;
}

FeatureMatrix Standardised(const Table& t, const std::vector<std::string>& columns) {
  FeatureMatrix x(t.num_rows(), static_cast<int>(columns.size()));
  for (size_t c = 0; c < columns.size(); ++c) {
    std::vector<double> v = ColumnValues(t, columns[c]);
    double mean = 0, var = 0;
    for (double d : v) mean += d;
    mean /= v.size();
    for (double d : v) var += (d - mean) * (d - mean);
    double sd = std::sqrt(var / v.size());
    for (size_t r = 0; r < v.size(); ++r) x.at(r, c) = (v[r] - mean) / sd;
  }
  return x;
}

std::vector<double> RowWeights(int64_t n) {
  std::vector<double> w(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) w[i] = 0.5 + 0.25 * (i % 5);
  return w;
}

FitContext Tight(nlohmann::json options) {
  FitContext context;
  options["max_iterations"] = 100000;
  options["early_stop"] = false;
  for (const auto& [k, v] : options.items()) context.options.Set(k, v);
  return context;
}

// |actual - expected| <= rel * |expected|, with a floor of rel times the largest expected
// coefficient so that coefficients the lasso sets to zero compare sensibly.
void ExpectCoefficientsNear(const Eigen::VectorXd& actual, const nlohmann::json& expected,
                            double rel, const std::string& name) {
  ASSERT_EQ(actual.size(), static_cast<Eigen::Index>(expected.size())) << name;
  double largest = 0;
  for (const auto& e : expected) largest = std::max(largest, std::abs(e.get<double>()));
  for (size_t j = 0; j < expected.size(); ++j) {
    double e = expected[j].get<double>();
    EXPECT_NEAR(actual[j], e, rel * std::max(std::abs(e), 1e-3 * largest))
        << name << " coefficient " << j;
  }
}

TEST(LinearReferenceTest, LinearRegressionMatchesScikitLearn) {
  const nlohmann::json& ref = Reference()["linear"];
  const Table& t = Data(ref["file"]);
  FeatureMatrix x = Standardised(t, ref["columns"]);
  std::vector<double> y = ColumnValues(t, ref["label"]);
  std::vector<double> w = RowWeights(x.rows());
  for (const auto& c : ref["cases"]) {
    for (std::string strategy : {"AUTO_STRATEGY", "BATCH_GRADIENT_DESCENT"}) {
      std::string name = c["name"].get<std::string>() + "/" + strategy;
      TrainingData data{&x, y, c["weighted"].get<bool>() ? std::span<const double>(w)
                                                       : std::span<const double>()};
      LinearRegressionModel model;
      ASSERT_OK(model.Fit(data, Tight({{"l1_reg", c["l1_reg"]},
                                       {"l2_reg", c["l2_reg"]},
                                       {"optimize_strategy", strategy}})));
      // The exact and coordinate-descent solvers meet the 1e-6 bar; L-BFGS stops on its
      // gradient tolerance, which leaves ~1e-7 of relative error on this data set.
      double rel = strategy == "AUTO_STRATEGY" ? 1e-6 : 2e-5;
      ExpectCoefficientsNear(model.params().coefficients.col(0), c["coefficients"], rel, name);
      double intercept = c["intercept"].get<double>();
      EXPECT_NEAR(model.params().intercepts[0], intercept, 1e-6 * std::abs(intercept)) << name;
    }
  }
}

TEST(LinearReferenceTest, RankDeficientDesignGivesTheMinimumNormSolution) {
  // Numeric columns plus every one-hot indicator of Bldg_Type: with the intercept the
  // indicators are collinear; scikit-learn's lstsq gives the minimum-norm solution.
  const nlohmann::json& ref = Reference()["rank_deficient"];
  const Table& t = Data("ames.csv");
  FeatureMatrix numeric = Standardised(t, ref["numeric"]);
  std::vector<std::string> categories = ref["categories"];
  auto bldg = t.GetColumn(ref["onehot_column"].get<std::string>());
  ASSERT_OK(bldg);
  const int p = numeric.cols() + static_cast<int>(categories.size());
  FeatureMatrix x(t.num_rows(), p);
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    for (int c = 0; c < numeric.cols(); ++c) x.at(r, c) = numeric.at(r, c);
    for (size_t k = 0; k < categories.size(); ++k) {
      x.at(r, numeric.cols() + static_cast<int>(k)) = (*bldg)->GetString(r) == categories[k];
    }
  }
  std::vector<double> y = ColumnValues(t, "Sale_Price");
  LinearRegressionModel model;
  ASSERT_OK(model.Fit({&x, y}, Tight({})));
  EXPECT_EQ(model.summary().stop_reason, "exact_min_norm");
  ExpectCoefficientsNear(model.params().coefficients.col(0), ref["coefficients"], 1e-6, "min_norm");
  EXPECT_NEAR(model.params().intercepts[0], ref["intercept"].get<double>(),
              1e-6 * std::abs(ref["intercept"].get<double>()));
}

// Probabilities rows x k from scikit-learn's coefficients (one row per class, one for
// binary) and intercepts.
std::vector<double> ReferenceProbabilities(const FeatureMatrix& x, const nlohmann::json& c, int k) {
  std::vector<double> out(static_cast<size_t>(x.rows() * k));
  const auto& coef = c["coefficients"];
  const auto& intercepts = c["intercepts"];
  for (int64_t r = 0; r < x.rows(); ++r) {
    std::vector<double> s(coef.size());
    for (size_t o = 0; o < coef.size(); ++o) {
      s[o] = intercepts[o].get<double>();
      for (int j = 0; j < x.cols(); ++j) s[o] += coef[o][j].get<double>() * x.at(r, j);
    }
    if (k == 2) {
      double p = 1 / (1 + std::exp(-s[0]));
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
      continue;
    }
    double top = *std::max_element(s.begin(), s.end()), total = 0;
    for (int o = 0; o < k; ++o) total += std::exp(s[o] - top);
    for (int o = 0; o < k; ++o) out[r * k + o] = std::exp(s[o] - top) / total;
  }
  return out;
}

void CheckLogistic(const nlohmann::json& ref) {
  const Table& t = Data(ref["file"]);
  FeatureMatrix x = Standardised(t, ref["columns"]);
  std::vector<std::string> classes = ref["classes"];
  const int k = ref["num_classes"];
  auto label = t.GetColumn(ref["label"].get<std::string>());
  ASSERT_OK(label);
  std::vector<double> y(static_cast<size_t>(t.num_rows()));
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    auto it = std::find(classes.begin(), classes.end(), (*label)->GetString(r));
    ASSERT_NE(it, classes.end());
    y[r] = static_cast<double>(it - classes.begin());
  }
  std::vector<double> w = RowWeights(x.rows());
  for (const auto& c : ref["cases"]) {
    const std::string name = ref["file"].get<std::string>() + "/" + c["name"].get<std::string>();
    std::vector<double> expected = ReferenceProbabilities(x, c, k);
    // The stored predict_proba rows pin the formula above to scikit-learn's.
    for (int r = 0; r < 5; ++r) {
      for (int o = 0; o < k; ++o) {
        ASSERT_NEAR(expected[r * k + o], c["first_probabilities"][r][o].get<double>(), 1e-12);
      }
    }
    bool weighted = c["weighted"];
    TrainingData data{&x, y, weighted ? std::span<const double>(w) : std::span<const double>(), k};
    LogisticRegressionModel model;
    ASSERT_OK(model.Fit(data, Tight({{"l1_reg", c["l1_reg"]}, {"l2_reg", c["l2_reg"]}})));
    EXPECT_EQ(model.summary().stop_reason, "converged") << name;
    ModelOutput out;
    ASSERT_OK(model.Predict(x, &out));
    ASSERT_EQ(out.width, k);
    ASSERT_EQ(out.probabilities.size(), expected.size());
    double worst = 0, logloss = 0, total = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      worst = std::max(worst, std::abs(out.probabilities[i] - expected[i]));
    }
    for (int64_t r = 0; r < x.rows(); ++r) {
      double wr = weighted ? w[r] : 1.0;
      logloss -= wr * std::log(out.probabilities[r * k + static_cast<int>(y[r])]);
      total += wr;
    }
    EXPECT_LE(worst, 1e-4) << name;
    EXPECT_NEAR(logloss / total, c["log_loss"].get<double>(), 1e-6) << name;
    if (c["l1_reg"].get<double>() > 0) {
      // OWL-QN reaches exact zeros where the lasso solution has them.
      for (size_t o = 0; o < c["coefficients"].size(); ++o) {
        for (int j = 0; j < x.cols(); ++j) {
          if (c["coefficients"][o][j].get<double>() == 0 && model.params().coefficients(j, o) != 0) {
            ADD_FAILURE() << name << ": coefficient " << j << " of output " << o
                          << " is not zero: " << model.params().coefficients(j, o);
          }
        }
      }
    }
  }
}

TEST(LinearReferenceTest, BinaryLogisticRegressionMatchesScikitLearn) {
  CheckLogistic(Reference()["binary"]);
}

TEST(LinearReferenceTest, MultinomialLogisticRegressionMatchesScikitLearn) {
  CheckLogistic(Reference()["multiclass"]);
}

}  // namespace
}  // namespace strata
