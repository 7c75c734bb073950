// DNN_CLASSIFIER and DNN_REGRESSOR: back-propagation against finite differences, learning
// what a linear model cannot, held-out quality equal to scikit-learn's MLP trained the same
// way (tests/models/reference/dnn_reference.py), early stopping, determinism, the saved
// payload, integrated-gradient contributions, cancel, and training through the trainer.
#include "models/dnn.h"

#include <atomic>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "models/builtin_models.h"
#include "strata/csv.h"
#include "strata/predictor.h"
#include "strata/trainer.h"
#include "support/churn_data.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

FitContext Context(nlohmann::json options = nlohmann::json::object(), uint64_t seed = 42) {
  FitContext context;
  for (const auto& [k, v] : options.items()) context.options.Set(k, v);
  context.seed = seed;
  return context;
}

// Two standard-normal inputs; the class is the sign of x0 * x1 (XOR of the quadrants), which
// no linear model separates; the regression label is sin(2 x0) + x1^2.
struct Synthetic {
  FeatureMatrix x;
  std::vector<double> cls, reg;
};

Synthetic MakeData(int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Synthetic d{FeatureMatrix(rows, 2), {}, {}};
  for (int64_t r = 0; r < rows; ++r) {
    d.x.at(r, 0) = normal(rng);
    d.x.at(r, 1) = normal(rng);
    d.cls.push_back(d.x.at(r, 0) * d.x.at(r, 1) > 0 ? 1 : 0);
    d.reg.push_back(std::sin(2 * d.x.at(r, 0)) + d.x.at(r, 1) * d.x.at(r, 1));
  }
  return d;
}

TEST(DnnTest, RegistersBothTypesWithBigQueryOptions) {
  RegisterBuiltinModels();
  auto classifier = FindModelType("dnn_classifier");
  ASSERT_OK(classifier);
  EXPECT_EQ((*classifier)->task, Task::kClassification);
  auto regressor = FindModelType("DNN_REGRESSOR");
  ASSERT_OK(regressor);
  EXPECT_EQ((*regressor)->task, Task::kRegression);
  const auto& specs = (*classifier)->options;
  auto defaults = ValidateOptions(specs, nlohmann::json::object());
  ASSERT_OK(defaults);
  EXPECT_EQ(defaults->GetIntList("hidden_units"), std::vector<int64_t>{128});
  EXPECT_EQ(defaults->GetString("optimizer"), "ADAM");
  EXPECT_EQ(defaults->GetString("activation_fn"), "RELU");
  EXPECT_DOUBLE_EQ(defaults->GetDouble("learn_rate"), 0.001);
  EXPECT_EQ(defaults->GetInt("max_iterations"), 20);
  EXPECT_FALSE(defaults->Has("batch_size"));
  // An int array, from JSON, a bare number or the CLI's comma list.
  auto two = ValidateOptions(specs, {{"HIDDEN_UNITS", {256, 128}}});
  ASSERT_OK(two);
  EXPECT_EQ(two->GetIntList("hidden_units"), (std::vector<int64_t>{256, 128}));
  EXPECT_EQ(ValidateOptions(specs, {{"hidden_units", "64, 32"}})->GetIntList("hidden_units"),
            (std::vector<int64_t>{64, 32}));
  EXPECT_EQ(ValidateOptions(specs, {{"hidden_units", 16}})->GetIntList("hidden_units"),
            (std::vector<int64_t>{16}));
  auto zero = ValidateOptions(specs, {{"hidden_units", {64, 0}}});
  EXPECT_THAT(zero.status().message(), HasSubstr("hidden_units"));
  EXPECT_THAT(zero.status().message(), HasSubstr("each in [1, 16384]"));
  EXPECT_THAT(ValidateOptions(specs, {{"hidden_units", {"wide"}}}).status().message(),
              HasSubstr("not a list of whole numbers"));
  EXPECT_THAT(ValidateOptions(specs, {{"activation_fn", "RELUU"}}).status().message(),
              HasSubstr("RELU"));
  EXPECT_FALSE(ValidateOptions(specs, {{"dropout", 1.0}}).ok());
  EXPECT_FALSE(ValidateOptions(specs, {{"batch_size", 9000}}).ok());
  for (const OptionSpec& spec : specs) EXPECT_FALSE(spec.help.empty()) << spec.name;
}

TEST(DnnTest, BackPropagationMatchesFiniteDifferences) {
  Synthetic d = MakeData(40, 3);
  std::vector<double> weights;
  for (int i = 0; i < 40; ++i) weights.push_back(0.5 + 0.25 * (i % 4));
  std::vector<double> three_classes;
  for (int i = 0; i < 40; ++i) three_classes.push_back(i % 3);
  for (const std::string activation : {"RELU", "ELU", "SELU", "SIGMOID", "TANH", "RELU6"}) {
    for (Task task : {Task::kClassification, Task::kRegression}) {
      SCOPED_TRACE(activation + " " + std::string(TaskName(task)));
      DnnModel model(task);
      const int classes = task == Task::kClassification ? 3 : 0;
      ASSERT_OK(model.Initialize(2, {5, 4}, classes, activation, 11));
      TrainingData data{&d.x, task == Task::kClassification ? three_classes : d.reg, weights,
                        classes};
      auto g = model.ObjectiveGradient(data, 0.01, 0.02);
      ASSERT_OK(g);
      const double h = 1e-6;
      for (size_t i = 0; i < g->values.size(); ++i) {
        model.PerturbForTest(i, h);
        const double up = model.ObjectiveGradient(data, 0.01, 0.02)->loss;
        model.PerturbForTest(i, -2 * h);
        const double down = model.ObjectiveGradient(data, 0.01, 0.02)->loss;
        model.PerturbForTest(i, h);
        EXPECT_NEAR(g->values[i], (up - down) / (2 * h), 1e-5 * (1 + std::abs(g->values[i])))
            << "parameter " << i;
      }
    }
  }
}

TEST(DnnTest, LearnsWhatALinearModelCannot) {
  Synthetic train = MakeData(2000, 1), test = MakeData(1000, 2);
  DnnModel classifier(Task::kClassification);
  ASSERT_OK(classifier.Fit(
      {&train.x, train.cls, {}, 2},
      Context({{"hidden_units", {32, 16}}, {"max_iterations", 60}, {"early_stop", false}})));
  ModelOutput out;
  ASSERT_OK(classifier.Predict(test.x, &out));
  int correct = 0;
  for (int64_t r = 0; r < 1000; ++r)
    correct += (out.probabilities[2 * r + 1] > 0.5) == (test.cls[r] == 1);
  EXPECT_GT(correct, 930);  // a linear model stays near 500

  DnnModel regressor(Task::kRegression);
  ASSERT_OK(regressor.Fit(
      {&train.x, train.reg},
      Context({{"hidden_units", {32, 16}}, {"max_iterations", 60}, {"early_stop", false}})));
  ASSERT_OK(regressor.Predict(test.x, &out));
  double sse = 0, sst = 0, mean = 0;
  for (double v : test.reg) mean += v / 1000;
  for (int64_t r = 0; r < 1000; ++r) {
    sse += std::pow(out.values[r] - test.reg[r], 2);
    sst += std::pow(test.reg[r] - mean, 2);
  }
  EXPECT_GT(1 - sse / sst, 0.95);
}

// The reference cases: the same matrix, split, network and training as the Python script.
TEST(DnnTest, HeldOutQualityMatchesScikitLearnMlp) {
  const nlohmann::json reference = nlohmann::json::parse(
      testing::ReadFileOrDie(testing::SourcePath("tests/models/reference/dnn_reference.json")));
  for (const nlohmann::json& c : reference["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    auto table = ReadCsv(testing::SourcePath("examples/data/" + c["file"].get<std::string>()));
    ASSERT_OK(table);
    const auto columns = c["columns"].get<std::vector<std::string>>();
    const int64_t n = table->num_rows();
    FeatureMatrix all(n, static_cast<int>(columns.size()));
    for (size_t j = 0; j < columns.size(); ++j) {
      const Column* col = *table->GetColumn(columns[j]);
      double mean = 0, var = 0;
      for (int64_t r = 0; r < n; ++r) mean += col->GetAsDouble(r) / static_cast<double>(n);
      for (int64_t r = 0; r < n; ++r)
        var += std::pow(col->GetAsDouble(r) - mean, 2) / static_cast<double>(n);
      for (int64_t r = 0; r < n; ++r)
        all.at(r, static_cast<int>(j)) = (col->GetAsDouble(r) - mean) / std::sqrt(var);
    }
    const bool classifier = c["task"] == "classification";
    const Column* label = *table->GetColumn(c["label"].get<std::string>());
    std::vector<std::string> classes;
    for (int64_t r = 0; r < n; ++r) classes.push_back(label->FormatValue(r));
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    std::vector<int64_t> train_rows, test_rows;
    std::vector<double> y_train, y_test;
    for (int64_t r = 0; r < n; ++r) {
      const double y = classifier
                           ? static_cast<double>(std::lower_bound(classes.begin(), classes.end(),
                                                                  label->FormatValue(r)) -
                                                 classes.begin())
                           : label->GetAsDouble(r);
      (r % 4 == 0 ? test_rows : train_rows).push_back(r);
      (r % 4 == 0 ? y_test : y_train).push_back(y);
    }
    const FeatureMatrix x_train = all.TakeRows(train_rows), x_test = all.TakeRows(test_rows);
    const int k = classifier ? static_cast<int>(classes.size()) : 0;
    double total = 0;
    const int seeds = 3;
    for (int seed = 0; seed < seeds; ++seed) {
      DnnModel model(classifier ? Task::kClassification : Task::kRegression);
      ASSERT_OK(model.Fit({&x_train, y_train, {}, k}, Context({{"hidden_units", c["hidden_units"]},
                                                               {"l2_reg", c["l2_reg"]},
                                                               {"batch_size", c["batch_size"]},
                                                               {"max_iterations", c["epochs"]},
                                                               {"early_stop", false}},
                                                              static_cast<uint64_t>(seed))));
      ModelOutput out;
      ASSERT_OK(model.Predict(x_test, &out));
      double score = 0;
      for (size_t i = 0; i < y_test.size(); ++i) {
        score += classifier ? -std::log(std::max(
                                  out.probabilities[i * k + static_cast<size_t>(y_test[i])], 1e-15))
                            : std::pow(out.values[i] - y_test[i], 2);
      }
      score /= static_cast<double>(y_test.size());
      total += classifier ? score : std::sqrt(score);
    }
    const double strata = total / seeds;
    const double sklearn = c["sklearn_mean"].get<double>();
    // Same objective and optimiser, other random streams: within 3% of scikit-learn's mean.
    EXPECT_NEAR(strata, sklearn, 0.03 * sklearn)
        << "Strata " << strata << ", scikit-learn " << sklearn;
    std::cout << c["name"].get<std::string>() << ": Strata " << strata << ", scikit-learn "
              << sklearn << "\n";
  }
}

TEST(DnnTest, EarlyStoppingKeepsTheBestEpoch) {
  Synthetic train = MakeData(300, 5), eval = MakeData(300, 6);
  TrainingData held{&eval.x, eval.cls, {}, 2};
  FitContext context = Context({{"hidden_units", {64, 64}},
                                {"max_iterations", 2000},
                                {"early_stopping_rounds", 10},
                                {"min_rel_progress", 0.0},
                                {"learn_rate", 0.01}});
  context.eval = &held;
  std::vector<IterationInfo> log;
  context.log = &log;
  DnnModel model(Task::kClassification);
  ASSERT_OK(model.Fit({&train.x, train.cls, {}, 2}, context));
  const nlohmann::json d = model.Describe({});
  EXPECT_EQ(d["stop_reason"], "early_stop");
  EXPECT_LT(d["epochs"].get<int>(), 2000);
  EXPECT_EQ(d["epochs"].get<int>(), static_cast<int>(log.size()));
  const int best = d["best_epoch"].get<int>();
  EXPECT_EQ(d["epochs"].get<int>() - best, 10);
  for (const IterationInfo& it : log) EXPECT_GE(it.eval_loss, log[best - 1].eval_loss);
  // The kept parameters are the best epoch's: their evaluation loss is the logged one.
  ModelOutput out;
  ASSERT_OK(model.Predict(eval.x, &out));
  double loss = 0;
  for (int64_t r = 0; r < 300; ++r)
    loss -= std::log(out.probabilities[2 * r + static_cast<int64_t>(eval.cls[r])]) / 300;
  EXPECT_NEAR(loss, log[best - 1].eval_loss, 1e-12);

  // BigQuery ML's rule (early_stopping_rounds = 0): the first epoch without min_rel_progress.
  FitContext bq = Context({{"max_iterations", 2000}, {"min_rel_progress", 0.01}});
  bq.eval = &held;
  DnnModel first(Task::kClassification);
  ASSERT_OK(first.Fit({&train.x, train.cls, {}, 2}, bq));
  EXPECT_EQ(first.Describe({})["stop_reason"], "early_stop");
}

TEST(DnnTest, SameSeedSameModelAndThePayloadRoundTrips) {
  Synthetic d = MakeData(500, 7);
  nlohmann::json options = {{"hidden_units", {16, 8}},
                            {"dropout", 0.2},
                            {"max_iterations", 5},
                            {"optimizer", "RMSPROP"},
                            {"activation_fn", "TANH"}};
  DnnModel a(Task::kRegression), b(Task::kRegression), c(Task::kRegression);
  ASSERT_OK(a.Fit({&d.x, d.reg}, Context(options, 9)));
  ASSERT_OK(b.Fit({&d.x, d.reg}, Context(options, 9)));
  ASSERT_OK(c.Fit({&d.x, d.reg}, Context(options, 10)));
  ModelOutput pa, pb, pc;
  ASSERT_OK(a.Predict(d.x, &pa));
  ASSERT_OK(b.Predict(d.x, &pb));
  ASSERT_OK(c.Predict(d.x, &pc));
  EXPECT_EQ(pa.values, pb.values);
  EXPECT_NE(pa.values, pc.values);

  auto bytes = a.Save();
  ASSERT_OK(bytes);
  DnnModel loaded(Task::kRegression);
  ASSERT_OK(loaded.Load(*bytes));
  ModelOutput pl;
  ASSERT_OK(loaded.Predict(d.x, &pl));
  EXPECT_EQ(pa.values, pl.values);
  EXPECT_EQ(loaded.Describe({}), a.Describe({}));

  // Corrupt payloads are refused with DataLoss, never a crash.
  DnnModel other(Task::kClassification);
  EXPECT_EQ(other.Load(*bytes).code(), StatusCode::kDataLoss);  // a regressor's payload
  nlohmann::json j = nlohmann::json::parse(*bytes);
  for (auto mutate : std::vector<std::function<void(nlohmann::json&)>>{
           [](nlohmann::json& p) { p["layers"][1]["w"].erase(0); },
           [](nlohmann::json& p) { p["layers"][0]["inputs"] = 3; },
           [](nlohmann::json& p) { p["layers"][2]["b"][0] = "x"; },
           [](nlohmann::json& p) { p["activation_fn"] = 7; },
           [](nlohmann::json& p) { p["label_scale"] = 0; },
           [](nlohmann::json& p) { p["layers"] = nlohmann::json::array(); },
           [](nlohmann::json& p) { p["summary"]["epochs"] = "many"; }}) {
    nlohmann::json broken = j;
    mutate(broken);
    DnnModel m(Task::kRegression);
    Status s = m.Load(broken.dump());
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << broken.dump().substr(0, 200);
  }
  DnnModel m(Task::kRegression);
  EXPECT_EQ(m.Load(bytes->substr(0, bytes->size() / 2)).code(), StatusCode::kDataLoss);
}

TEST(DnnTest, IntegratedGradientsAddUpToTheOutput) {
  Synthetic d = MakeData(800, 8);
  std::vector<double> three;
  for (int64_t r = 0; r < 800; ++r) three.push_back(d.x.at(r, 0) > 0.5 ? 2 : d.cls[r]);
  for (int classes : {0, 2, 3}) {
    SCOPED_TRACE(classes);
    DnnModel model(classes == 0 ? Task::kRegression : Task::kClassification);
    const std::vector<double>& y = classes == 0 ? d.reg : classes == 2 ? d.cls : three;
    ASSERT_OK(model.Fit({&d.x, y, {}, classes}, Context({{"hidden_units", {16}},
                                                         {"max_iterations", 10},
                                                         {"activation_fn", "TANH"},
                                                         {"integrated_gradients_num_steps", 30}})));
    FeatureMatrix some = d.x.TakeRows(std::vector<int64_t>{0, 1, 2, 3, 4});
    Contributions contrib;
    ASSERT_OK(model.Contribute(some, &contrib));
    ModelOutput out;
    ASSERT_OK(model.Predict(some, &out));
    const int explained = classes == 3 ? 3 : 1;
    EXPECT_EQ(contrib.classes, explained);
    EXPECT_EQ(contrib.features, 2);
    for (int64_t r = 0; r < 5; ++r) {
      for (int c = 0; c < explained; ++c) {
        const double* row = contrib.values.data() + (r * explained + c) * 3;
        const double total = row[0] + row[1] + row[2];
        double raw;
        if (classes == 0) {
          raw = out.values[r];
        } else if (classes == 2) {
          raw = std::log(out.probabilities[2 * r + 1] / out.probabilities[2 * r]);
        } else {
          // Logits are defined up to a constant: compare differences from class 0.
          const double* row0 = contrib.values.data() + (r * explained) * 3;
          raw = std::log(out.probabilities[3 * r + c] / out.probabilities[3 * r]) +
                (row0[0] + row0[1] + row0[2]);
        }
        EXPECT_NEAR(total, raw, 0.02 * (1 + std::abs(raw))) << "row " << r << " output " << c;
      }
    }
  }
}

TEST(DnnTest, CancelStopsTraining) {
  Synthetic d = MakeData(200, 9);
  std::atomic<bool> cancel{true};
  FitContext context = Context();
  context.cancel = &cancel;
  DnnModel model(Task::kClassification);
  EXPECT_EQ(model.Fit({&d.x, d.cls, {}, 2}, context).code(), StatusCode::kCancelled);
  ModelOutput out;
  EXPECT_EQ(model.Predict(d.x, &out).code(), StatusCode::kFailedPrecondition);
}

TEST(DnnTest, TrainsThroughTheTrainerWithImbalanceHandling) {
  RegisterBuiltinModels();
  auto spec = TrainSpecFromOptions({{"model_type", "DNN_CLASSIFIER"},
                                    {"input_label_cols", {"churn"}},
                                    {"hidden_units", {32}},
                                    {"max_iterations", 15},
                                    {"auto_class_weights", true}});
  ASSERT_OK(spec);
  auto bundle = Train(*spec, testing::ChurnTable());
  ASSERT_OK(bundle);
  EXPECT_EQ(bundle->model_type, "DNN_CLASSIFIER");
  EXPECT_GT(bundle->metrics["roc_auc"].get<double>(), 0.8);
  EXPECT_FALSE(bundle->training_info.empty());
  auto predictor = Predictor::Create(*bundle);
  ASSERT_OK(predictor);
  Table some = testing::ChurnTable().Slice(0, 20);
  auto predicted = (*predictor)->Predict(some);
  ASSERT_OK(predicted);
  EXPECT_TRUE(predicted->GetColumn("predicted_churn").ok());
  auto explained = (*predictor)->Explain(some, 3);
  ASSERT_OK(explained);
}

}  // namespace
}  // namespace strata
