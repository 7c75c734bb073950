// LINEAR_REG and LOGISTIC_REG beyond the reference values: registration, properties that
// must hold exactly (minimum norm, weights as duplicated rows, contributions adding up),
// errors, the saved payload, the training log, cancel and thread-count independence.
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <random>

#include "models/builtin_models.h"
#include "models/linear_regression.h"
#include "models/logistic_regression.h"
#include "strata/model.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// Rows of standard normal features; regression labels y = x.beta + 3 + noise, or class
// labels drawn from the softmax of k linear scores.
struct Synthetic {
  FeatureMatrix x;
  std::vector<double> y;
};

Synthetic MakeData(int64_t rows, int cols, int classes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Synthetic d{FeatureMatrix(rows, cols), std::vector<double>(static_cast<size_t>(rows))};
  for (int c = 0; c < cols; ++c) {
    for (int64_t r = 0; r < rows; ++r) d.x.at(r, c) = normal(rng);
  }
  std::uniform_real_distribution<double> uniform;
  for (int64_t r = 0; r < rows; ++r) {
    if (classes == 0) {
      double s = 3;
      for (int c = 0; c < cols; ++c) s += (c + 1) * 0.5 * d.x.at(r, c);
      d.y[r] = s + 0.3 * normal(rng);
      continue;
    }
    std::vector<double> p(static_cast<size_t>(classes));
    double total = 0;
    for (int k = 0; k < classes; ++k) {
      double s = 0.2 * k;
      for (int c = 0; c < cols; ++c) s += ((c + k) % 3 - 1) * 0.8 * d.x.at(r, c);
      total += (p[k] = std::exp(s));
    }
    double u = uniform(rng) * total;
    int label = 0;
    while (label + 1 < classes && u > p[label]) u -= p[label++];
    d.y[r] = label;
  }
  return d;
}

FitContext Context(nlohmann::json options = nlohmann::json::object()) {
  FitContext context;
  for (const auto& [k, v] : options.items()) context.options.Set(k, v);
  return context;
}

FitContext Tight(nlohmann::json options = nlohmann::json::object()) {
  options["max_iterations"] = 100000;
  options["early_stop"] = false;
  return Context(std::move(options));
}

TEST(LinearModelsTest, RegistersBothTypesWithBigQueryOptions) {
  RegisterLinearModels();
  auto linear = FindModelType("linear_reg");
  ASSERT_OK(linear);
  EXPECT_EQ((*linear)->task, Task::kRegression);
  EXPECT_EQ((*linear)->encoding, EncodingStyle::kStandardizeOneHot);
  EXPECT_FALSE((*linear)->summary.empty());
  auto values = ValidateOptions((*linear)->options, nlohmann::json::object());
  ASSERT_OK(values);
  EXPECT_EQ(values->GetString("optimize_strategy"), "AUTO_STRATEGY");
  EXPECT_EQ(values->GetInt("max_iterations"), 20);
  EXPECT_DOUBLE_EQ(values->GetDouble("min_rel_progress"), 0.01);
  EXPECT_TRUE(values->GetBool("fit_intercept"));
  EXPECT_THAT(ValidateOptions((*linear)->options, {{"l1_reg", -1}}).status().message(),
              HasSubstr("l1_reg"));
  EXPECT_FALSE(ValidateOptions((*linear)->options, {{"input_label_cols", {"y"}}}).ok());
  auto logistic = FindModelType("LOGISTIC_REG");
  ASSERT_OK(logistic);
  EXPECT_EQ((*logistic)->task, Task::kClassification);
  EXPECT_FALSE(ValidateOptions((*logistic)->options, {{"optimize_strategy", "AUTO_STRATEGY"}}).ok());
  for (const OptionSpec& spec : (*logistic)->options) EXPECT_FALSE(spec.help.empty()) << spec.name;
  EXPECT_NE(dynamic_cast<LogisticRegressionModel*>((*logistic)->create().get()), nullptr);
}

TEST(LinearModelsTest, DuplicatedColumnSplitsItsWeightEvenly) {
  Synthetic d = MakeData(500, 2, 0, 1);
  FeatureMatrix x(500, 3);
  for (int64_t r = 0; r < 500; ++r) {
    x.at(r, 0) = d.x.at(r, 0);
    x.at(r, 1) = d.x.at(r, 0);
    x.at(r, 2) = d.x.at(r, 1);
  }
  LinearRegressionModel model;
  ASSERT_OK(model.Fit({&x, d.y}, Context()));
  EXPECT_EQ(model.summary().stop_reason, "exact_min_norm");
  const auto& b = model.params().coefficients;
  EXPECT_NEAR(b(0, 0), b(1, 0), 1e-9);
  EXPECT_NEAR(b(0, 0) + b(1, 0), 0.5, 0.05);
  EXPECT_NEAR(b(2, 0), 1.0, 0.05);
}

TEST(LinearModelsTest, IntegerWeightsEqualDuplicatedRows) {
  for (int classes : {0, 2, 3}) {
    Synthetic d = MakeData(300, 4, classes, 7 + classes);
    std::vector<double> w(300);
    std::vector<int64_t> repeated;
    for (int64_t r = 0; r < 300; ++r) {
      w[r] = r % 3;  // 0, 1 or 2 copies
      for (int k = 0; k < r % 3; ++k) repeated.push_back(r);
    }
    FeatureMatrix x2 = d.x.TakeRows(repeated);
    std::vector<double> y2;
    for (int64_t r : repeated) y2.push_back(d.y[r]);
    nlohmann::json options = {{"l2_reg", 0.5}, {"l1_reg", classes == 2 ? 0.3 : 0.0}};
    if (classes == 0) {
      for (double l1 : {0.0, 2.0}) {
        options["l1_reg"] = l1;
        LinearRegressionModel weighted, duplicated;
        ASSERT_OK(weighted.Fit({&d.x, d.y, w}, Tight(options)));
        ASSERT_OK(duplicated.Fit({&x2, y2}, Tight(options)));
        EXPECT_LT((weighted.params().coefficients - duplicated.params().coefficients).norm(), 1e-9);
        EXPECT_NEAR(weighted.params().intercepts[0], duplicated.params().intercepts[0], 1e-9);
      }
      continue;
    }
    LogisticRegressionModel weighted, duplicated;
    ASSERT_OK(weighted.Fit({&d.x, d.y, w, classes}, Tight(options)));
    ASSERT_OK(duplicated.Fit({&x2, y2, {}, classes}, Tight(options)));
    ModelOutput a, b;
    ASSERT_OK(weighted.Predict(d.x, &a));
    ASSERT_OK(duplicated.Predict(d.x, &b));
    for (size_t i = 0; i < a.probabilities.size(); ++i) {
      EXPECT_NEAR(a.probabilities[i], b.probabilities[i], 1e-7) << classes;
    }
  }
}

TEST(LinearModelsTest, InvalidInputGivesClearErrors) {
  Synthetic d = MakeData(50, 2, 0, 3);
  LinearRegressionModel linear;
  LogisticRegressionModel logistic;
  ModelOutput out;
  EXPECT_EQ(linear.Predict(d.x, &out).code(), StatusCode::kFailedPrecondition);

  FeatureMatrix with_nan = d.x;
  with_nan.at(7, 1) = std::nan("");
  Status s = linear.Fit({&with_nan, d.y}, Context());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("column 1 row 7 is NaN"));

  std::vector<double> short_labels(d.y.begin(), d.y.begin() + 10);
  EXPECT_THAT(linear.Fit({&d.x, short_labels}, Context()).message(), HasSubstr("10 labels for 50 rows"));
  std::vector<double> short_weights(3, 1.0);
  EXPECT_THAT(linear.Fit({&d.x, d.y, short_weights}, Context()).message(), HasSubstr("3 weights"));
  std::vector<double> negative(50, 1.0);
  negative[4] = -1;
  EXPECT_THAT(linear.Fit({&d.x, d.y, negative}, Context()).message(), HasSubstr("row 4"));
  std::vector<double> nan_label = d.y;
  nan_label[2] = std::nan("");
  EXPECT_THAT(linear.Fit({&d.x, nan_label}, Context()).message(), HasSubstr("label of row 2"));
  EXPECT_THAT(linear.Fit({&d.x, d.y}, Context({{"l1_reg", 1.0}, {"optimize_strategy", "NORMAL_EQUATION"}}))
                  .message(),
              HasSubstr("NORMAL_EQUATION"));

  std::vector<double> classes(50, 0.0);
  EXPECT_THAT(logistic.Fit({&d.x, classes, {}, 1}, Context()).message(), HasSubstr("at least two"));
  classes[9] = 2;
  EXPECT_THAT(logistic.Fit({&d.x, classes, {}, 2}, Context()).message(),
              HasSubstr("label of row 9 is 2, not a class index"));

  ASSERT_OK(linear.Fit({&d.x, d.y}, Context()));
  FeatureMatrix wrong(5, 3);
  EXPECT_THAT(linear.Predict(wrong, &out).message(), HasSubstr("3 columns"));
  EXPECT_FALSE(linear.Importance({}).ok());
}

TEST(LinearModelsTest, SaveLoadPredictsIdentically) {
  for (int classes : {0, 2, 4}) {
    Synthetic d = MakeData(400, 5, classes, 11);
    std::unique_ptr<Model> model, back;
    if (classes == 0) {
      model = std::make_unique<LinearRegressionModel>();
      back = std::make_unique<LinearRegressionModel>();
    } else {
      model = std::make_unique<LogisticRegressionModel>();
      back = std::make_unique<LogisticRegressionModel>();
    }
    ASSERT_OK(model->Fit({&d.x, d.y, {}, classes}, Context({{"l2_reg", 0.1}})));
    auto bytes = model->Save();
    ASSERT_OK(bytes);
    ASSERT_OK(back->Load(*bytes));
    ModelOutput a, b;
    ASSERT_OK(model->Predict(d.x, &a));
    ASSERT_OK(back->Predict(d.x, &b));
    EXPECT_EQ(a.values, b.values);
    EXPECT_EQ(a.probabilities, b.probabilities);
    EXPECT_EQ(model->Describe({}), back->Describe({}));
  }
}

TEST(LinearModelsTest, CorruptPayloadIsRefused) {
  Synthetic d = MakeData(100, 3, 3, 5);
  LogisticRegressionModel model;
  ASSERT_OK(model.Fit({&d.x, d.y, {}, 3}, Context()));
  std::string good = *model.Save();
  LogisticRegressionModel back;
  LinearRegressionModel other;
  EXPECT_EQ(other.Load(good).code(), StatusCode::kDataLoss);  // another model type
  auto doc = nlohmann::json::parse(good);
  std::vector<std::string> bad = {"", "{", "[]", "null", good.substr(0, good.size() / 2)};
  auto edit = [&](auto change) {
    nlohmann::json copy = doc;
    change(copy);
    bad.push_back(copy.dump());
  };
  edit([](nlohmann::json& j) { j["coefficients"][1].erase(0); });
  edit([](nlohmann::json& j) { j["coefficients"][0][0] = nullptr; });
  edit([](nlohmann::json& j) { j["coefficients"][0][0] = "1.5"; });
  edit([](nlohmann::json& j) { j["intercepts"] = {1, 2}; });
  edit([](nlohmann::json& j) { j["outputs"] = 2; });
  edit([](nlohmann::json& j) { j["num_classes"] = 1; });
  edit([](nlohmann::json& j) { j["features"] = -3; });
  edit([](nlohmann::json& j) { j["features"] = 1e12; });
  edit([](nlohmann::json& j) { j.erase("coefficients"); });
  edit([](nlohmann::json& j) { j["format"] = 7; });
  for (const std::string& bytes : bad) {
    Status s = back.Load(bytes);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << bytes.substr(0, 80) << " -> " << s.ToString();
  }
  // Flipping bytes anywhere must give an error or a valid model, never a crash.
  std::mt19937 rng(1);
  for (int trial = 0; trial < 300; ++trial) {
    std::string mutated = good;
    mutated[rng() % mutated.size()] = static_cast<char>(rng() % 256);
    LogisticRegressionModel m;
    if (m.Load(mutated).ok()) {
      ModelOutput out;
      EXPECT_OK(m.Predict(d.x, &out));
    }
  }
}

TEST(LinearModelsTest, ContributionsAddUpToTheScores) {
  for (int classes : {0, 2, 3}) {
    Synthetic d = MakeData(60, 3, classes, 21);
    std::vector<FeatureInfo> info = {{"a", "a"}, {"b", "b"}, {"city_Oslo", "city", FeatureKind::kOneHot, "Oslo"}};
    std::unique_ptr<Model> model;
    if (classes == 0) {
      model = std::make_unique<LinearRegressionModel>();
    } else {
      model = std::make_unique<LogisticRegressionModel>();
    }
    ASSERT_OK(model->Fit({&d.x, d.y, {}, classes}, Context({{"l2_reg", 1.0}})));
    Contributions contrib;
    ASSERT_OK(model->Contribute(d.x, &contrib));
    const int k = classes > 2 ? classes : 1;
    ASSERT_EQ(contrib.classes, k);
    ASSERT_EQ(contrib.features, 3);
    ModelOutput out;
    ASSERT_OK(model->Predict(d.x, &out));
    for (int64_t r = 0; r < d.x.rows(); ++r) {
      std::vector<double> sums(k, 0.0);
      for (int c = 0; c < k; ++c) {
        for (int j = 0; j <= 3; ++j) sums[c] += contrib.values[(r * k + c) * 4 + j];
      }
      if (classes == 0) {
        EXPECT_NEAR(sums[0], out.values[r], 1e-9);
      } else if (classes == 2) {
        EXPECT_NEAR(1 / (1 + std::exp(-sums[0])), out.probabilities[2 * r + 1], 1e-12);
      } else {
        double total = 0;
        for (double s : sums) total += std::exp(s);
        for (int c = 0; c < k; ++c) EXPECT_NEAR(std::exp(sums[c]) / total, out.probabilities[r * k + c], 1e-12);
      }
    }
    auto importance = model->Importance(info);
    ASSERT_OK(importance);
    ASSERT_EQ(importance->size(), 3u);
    nlohmann::json described = model->Describe(info);
    const nlohmann::json& weights = k == 1 ? described["weights"] : described["classes"][0]["weights"];
    EXPECT_EQ(weights[2]["feature"], "city_Oslo");
    EXPECT_EQ(weights[2]["source_column"], "city");
    EXPECT_EQ(weights[2]["category"], "Oslo");
    if (k == 1) {
      EXPECT_DOUBLE_EQ((*importance)[1].weight, std::abs(weights[1]["weight"].get<double>()));
    }
  }
}

TEST(LinearModelsTest, LogsIterationsReportsProgressAndStopsEarly) {
  Synthetic train = MakeData(2000, 6, 3, 31);
  Synthetic eval = MakeData(500, 6, 3, 32);
  TrainingData eval_data{&eval.x, eval.y, {}, 3};
  std::vector<IterationInfo> log;
  int progress_calls = 0;
  FitContext context = Context();  // defaults: max_iterations 20, early_stop, 1%
  context.log = &log;
  context.eval = &eval_data;
  context.progress = [&](const Progress& p) {
    EXPECT_EQ(p.stage, "training");
    ++progress_calls;
  };
  LogisticRegressionModel model;
  ASSERT_OK(model.Fit({&train.x, train.y, {}, 3}, context));
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(model.summary().stop_reason, "early_stop");
  EXPECT_LT(log.size(), 20u);
  EXPECT_EQ(progress_calls, static_cast<int>(log.size()));
  for (size_t i = 1; i < log.size(); ++i) {
    EXPECT_EQ(log[i].iteration, static_cast<int>(i + 1));
    EXPECT_LE(log[i].loss, log[i - 1].loss);
    EXPECT_TRUE(std::isfinite(log[i].eval_loss));
  }
  // The last improvement was below 1%, every earlier one above.
  double last = (log[log.size() - 2].loss - log.back().loss) / log[log.size() - 2].loss;
  EXPECT_LT(last, 0.011);

  std::vector<IterationInfo> linear_log;
  FitContext linear_context = Context();
  linear_context.log = &linear_log;
  Synthetic r = MakeData(300, 3, 0, 33);
  LinearRegressionModel linear;
  ASSERT_OK(linear.Fit({&r.x, r.y}, linear_context));
  ASSERT_EQ(linear_log.size(), 1u);  // normal equations: one exact step
  EXPECT_NEAR(linear_log[0].loss, 0.09, 0.03);  // the noise variance, 0.3^2
  EXPECT_TRUE(std::isnan(linear_log[0].eval_loss));
}

TEST(LinearModelsTest, CancelStopsTraining) {
  Synthetic d = MakeData(1000, 4, 2, 41);
  std::atomic<bool> cancel{true};
  FitContext context = Tight();
  context.cancel = &cancel;
  LogisticRegressionModel model;
  EXPECT_EQ(model.Fit({&d.x, d.y, {}, 2}, context).code(), StatusCode::kCancelled);
  LinearRegressionModel linear;
  EXPECT_EQ(linear.Fit({&d.x, d.y}, context).code(), StatusCode::kCancelled);
}

TEST(LinearModelsTest, SolversAgree) {
  Synthetic d = MakeData(3000, 8, 0, 51);
  for (double l2 : {0.0, 10.0}) {
    LinearRegressionModel exact, descent, constant;
    ASSERT_OK(exact.Fit({&d.x, d.y}, Tight({{"l2_reg", l2}})));
    ASSERT_OK(descent.Fit({&d.x, d.y}, Tight({{"l2_reg", l2}, {"optimize_strategy", "BATCH_GRADIENT_DESCENT"}})));
    ASSERT_OK(constant.Fit({&d.x, d.y}, Tight({{"l2_reg", l2},
                                               {"optimize_strategy", "BATCH_GRADIENT_DESCENT"},
                                               {"learn_rate_strategy", "CONSTANT"},
                                               {"learn_rate", 0.5}})));
    EXPECT_EQ(descent.summary().solver, "LBFGS");
    EXPECT_EQ(constant.summary().solver, "GRADIENT_DESCENT");
    EXPECT_LT((exact.params().coefficients - descent.params().coefficients).norm(), 1e-6);
    EXPECT_LT((exact.params().coefficients - constant.params().coefficients).norm(), 1e-6);
    EXPECT_NEAR(exact.params().intercepts[0], descent.params().intercepts[0], 1e-6);
  }
  // A step far too long diverges, and the error says what to change.
  LinearRegressionModel diverging;
  Status s = diverging.Fit({&d.x, d.y}, Tight({{"optimize_strategy", "BATCH_GRADIENT_DESCENT"},
                                                {"learn_rate_strategy", "CONSTANT"},
                                                {"learn_rate", 50.0}}));
  EXPECT_THAT(s.message(), HasSubstr("lower learn_rate"));
  // Lasso: coordinate descent on the Gram matrix, OWL-QN and (without an intercept) both.
  for (bool intercept : {true, false}) {
    nlohmann::json o = {{"l1_reg", 300.0}, {"l2_reg", 1.0}, {"fit_intercept", intercept}};
    LinearRegressionModel cd, owlqn;
    ASSERT_OK(cd.Fit({&d.x, d.y}, Tight(o)));
    o["optimize_strategy"] = "BATCH_GRADIENT_DESCENT";
    ASSERT_OK(owlqn.Fit({&d.x, d.y}, Tight(o)));
    EXPECT_EQ(cd.summary().solver, "COORDINATE_DESCENT");
    EXPECT_EQ(owlqn.summary().solver, "OWLQN");
    EXPECT_LT((cd.params().coefficients - owlqn.params().coefficients).norm(), 1e-6);
    EXPECT_NEAR(cd.params().intercepts[0], owlqn.params().intercepts[0], 1e-6);
    if (!intercept) {
      EXPECT_EQ(cd.params().intercepts[0], 0.0);
    }
  }
}

TEST(LinearModelsTest, ResultDoesNotDependOnThreadCount) {
  // 40,000 rows: several summation groups, so threads really split the work.
  Synthetic d = MakeData(40000, 5, 3, 61);
  LogisticRegressionModel one, four;
  FitContext c1 = Context({{"l1_reg", 0.5}}), c4 = Context({{"l1_reg", 0.5}});
  c1.threads = 1;
  c4.threads = 4;
  ASSERT_OK(one.Fit({&d.x, d.y, {}, 3}, c1));
  ASSERT_OK(four.Fit({&d.x, d.y, {}, 3}, c4));
  EXPECT_EQ(one.params().coefficients, four.params().coefficients);
  EXPECT_EQ(one.params().intercepts, four.params().intercepts);
}

}  // namespace
}  // namespace strata
