// TreeModel behaviour beyond parity with xgboost-python (tree_reference_test.cc): option
// declarations and mapping, persistence and corrupt payloads, TreeSHAP additivity,
// cancellation, progress and the training log.
#include <atomic>
#include <cmath>

#include "models/builtin_models.h"
#include "models/tree_model.h"
#include "strata/model.h"
#include "support/test_support.h"
#include "tree_test_data.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

const testing::TreeTestData& Churn() {
  static const auto* d = new testing::TreeTestData(testing::LoadTreeTestData("churn.csv", "churn", true));
  return *d;
}
const testing::TreeTestData& Hpc() {
  static const auto* d = new testing::TreeTestData(testing::LoadTreeTestData("hpc_data.csv", "class", true));
  return *d;
}
const testing::TreeTestData& Ames() {
  static const auto* d =
      new testing::TreeTestData(testing::LoadTreeTestData("ames.csv", "Sale_Price", false));
  return *d;
}

const ModelType& Type(std::string_view name) {
  RegisterTreeModels();
  auto type = FindModelType(name);
  EXPECT_OK(type);
  return **type;
}

FitContext Context(const ModelType& type, nlohmann::json options) {
  auto values = ValidateOptions(type.options, options);
  EXPECT_OK(values);
  FitContext ctx;
  if (values.ok()) ctx.options = *values;
  ctx.threads = 2;
  return ctx;
}

std::unique_ptr<Model> Fit(std::string_view type_name, const testing::TreeTestData& d,
                           nlohmann::json options) {
  const ModelType& type = Type(type_name);
  std::unique_ptr<Model> model = type.create();
  TrainingData data{&d.x, d.labels, {}, d.num_classes};
  EXPECT_OK(model->Fit(data, Context(type, options)));
  return model;
}

FeatureMatrix FirstRows(const FeatureMatrix& x, int64_t n) {
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < n; ++r) rows.push_back(r);
  return x.TakeRows(rows);
}

TEST(TreeModelsTest, DeclaresBigQueryOptionsWithTheirDefaults) {
  const ModelType& boosted = Type("boosted_tree_classifier");
  EXPECT_EQ(boosted.encoding, EncodingStyle::kRawLabelEncoded);
  auto v = ValidateOptions(boosted.options, nlohmann::json::object());
  ASSERT_OK(v);
  EXPECT_EQ(v->GetInt("max_tree_depth"), 6);
  EXPECT_EQ(v->GetDouble("learn_rate"), 0.3);
  EXPECT_EQ(v->GetDouble("l2_reg"), 1.0);
  EXPECT_EQ(v->GetInt("max_iterations"), 20);
  EXPECT_EQ(v->GetString("booster_type"), "GBTREE");
  EXPECT_EQ(v->GetString("tree_method"), "AUTO");
  EXPECT_TRUE(v->GetBool("early_stop"));
  EXPECT_EQ(v->GetDouble("min_rel_progress"), 0.01);
  EXPECT_EQ(v->GetInt("early_stopping_rounds"), 0);
  EXPECT_TRUE(v->GetBool("categorical_splits"));
  for (const OptionSpec& s : boosted.options) {
    EXPECT_EQ(s.strata_extension,
              s.name == "early_stopping_rounds" || s.name == "categorical_splits")
        << s.name;
    // The trainer owns these.
    EXPECT_NE(s.name, "input_label_cols");
    EXPECT_NE(s.name, "instance_weight_col");
    EXPECT_NE(s.name, "class_weights");
  }
  auto forest = ValidateOptions(Type("RANDOM_FOREST_REGRESSOR").options, nlohmann::json::object());
  ASSERT_OK(forest);
  EXPECT_EQ(forest->GetInt("num_parallel_tree"), 100);
  EXPECT_EQ(forest->GetInt("max_tree_depth"), 15);
  EXPECT_EQ(forest->GetDouble("subsample"), 0.8);
  EXPECT_EQ(forest->GetDouble("colsample_bynode"), 0.8);
  EXPECT_FALSE(forest->Has("learn_rate"));
  // Regressors only: the loss (a Strata extension), squared error by default.
  for (std::string_view name : {"BOOSTED_TREE_REGRESSOR", "RANDOM_FOREST_REGRESSOR"}) {
    auto regressor = ValidateOptions(Type(name).options, nlohmann::json::object());
    ASSERT_OK(regressor);
    EXPECT_EQ(regressor->GetString("objective"), "SQUARED_ERROR") << name;
    EXPECT_EQ(regressor->GetDouble("tweedie_variance_power"), 1.5) << name;
  }
  EXPECT_FALSE(ValidateOptions(boosted.options, {{"objective", "GAMMA"}}).ok());
}

TEST(TreeModelsTest, RejectsOutOfRangeOptions) {
  const ModelType& type = Type("BOOSTED_TREE_REGRESSOR");
  EXPECT_FALSE(ValidateOptions(type.options, {{"max_tree_depth", 0}}).ok());
  EXPECT_FALSE(ValidateOptions(type.options, {{"max_tree_depth", 21}}).ok());
  EXPECT_FALSE(ValidateOptions(type.options, {{"subsample", 0}}).ok());
  EXPECT_FALSE(ValidateOptions(type.options, {{"learn_rate", 0}}).ok());
  EXPECT_FALSE(ValidateOptions(type.options, {{"booster_type", "LINEAR"}}).ok());
  EXPECT_FALSE(ValidateOptions(type.options, {{"objective", "HUBER"}}).ok());
  EXPECT_FALSE(ValidateOptions(type.options, {{"tweedie_variance_power", 2}}).ok());
  EXPECT_FALSE(ValidateOptions(type.options, {{"tweedie_variance_power", 1}}).ok());
  EXPECT_FALSE(ValidateOptions(Type("RANDOM_FOREST_CLASSIFIER").options,
                               {{"num_parallel_tree", 1}}).ok());
}

TEST(TreeModelsTest, MapsOptionsToXgboostParameters) {
  const ModelType& type = Type("BOOSTED_TREE_CLASSIFIER");
  FitContext ctx = Context(type, {{"tree_method", "AUTO"}, {"l1_reg", 0.5}, {"min_split_loss", 2},
                                  {"booster_type", "DART"}, {"dropout", 0.25}});
  ctx.seed = 7;
  auto plan = PlanTreeTraining(TreeEnsemble::kBoosted, Task::kClassification, 3, ctx);
  ASSERT_OK(plan);
  std::map<std::string, std::string> p(plan->params.begin(), plan->params.end());
  EXPECT_EQ(p["tree_method"], "hist");  // AUTO is hist (docs/models/trees.md)
  EXPECT_EQ(p["objective"], "multi:softprob");
  EXPECT_EQ(p["num_class"], "3");
  EXPECT_EQ(p["eval_metric"], "mlogloss");
  EXPECT_EQ(p["alpha"], "0.5");
  EXPECT_EQ(p["gamma"], "2");
  EXPECT_EQ(p["booster"], "dart");
  EXPECT_EQ(p["rate_drop"], "0.25");
  EXPECT_EQ(p["seed"], "7");
  EXPECT_EQ(p["nthread"], "2");
  EXPECT_EQ(p["max_bin"], "256");

  auto forest = PlanTreeTraining(TreeEnsemble::kRandomForest, Task::kRegression, 0,
                                 Context(Type("RANDOM_FOREST_REGRESSOR"), {{"tree_method", "EXACT"}}));
  ASSERT_OK(forest);
  std::map<std::string, std::string> f(forest->params.begin(), forest->params.end());
  EXPECT_EQ(f["eta"], "1");
  EXPECT_EQ(f["num_parallel_tree"], "100");
  EXPECT_EQ(f["tree_method"], "exact");
  EXPECT_EQ(f["objective"], "reg:squarederror");
  EXPECT_EQ(forest->max_rounds, 1);
  EXPECT_EQ(f.count("max_bin"), 0u);  // exact: no histogram

  const ModelType& regressor = Type("BOOSTED_TREE_REGRESSOR");
  const std::vector<std::pair<std::string, std::string>> objectives = {
      {"SQUARED_ERROR", "reg:squarederror"},
      {"GAMMA", "reg:gamma"},
      {"POISSON", "count:poisson"},
      {"TWEEDIE", "reg:tweedie"}};
  for (const auto& [option, xgboost] : objectives) {
    auto r = PlanTreeTraining(
        TreeEnsemble::kBoosted, Task::kRegression, 0,
        Context(regressor, {{"objective", option}, {"tweedie_variance_power", 1.2}}));
    ASSERT_OK(r);
    std::map<std::string, std::string> q(r->params.begin(), r->params.end());
    EXPECT_EQ(q["objective"], xgboost);
    EXPECT_EQ(q["eval_metric"], "rmse");  // early stopping in label units whatever the loss
    EXPECT_EQ(r->log_link, option != "SQUARED_ERROR");
    EXPECT_EQ(q.count("tweedie_variance_power"), option == "TWEEDIE" ? 1u : 0u);
    if (option == "TWEEDIE") {
      EXPECT_EQ(q["tweedie_variance_power"], "1.2");
    }
  }

  auto conflict = PlanTreeTraining(TreeEnsemble::kBoosted, Task::kClassification, 2,
                                   Context(type, {{"early_stop", false}, {"early_stopping_rounds", 3}}));
  EXPECT_EQ(conflict.status().code(), StatusCode::kInvalidArgument);
}

// Eight categories whose label alternates with the code (a, c, e, g negative; b, d, f, h
// positive): one split on the set of categories separates them, one threshold on the codes
// cannot. Declared categorical, a single depth-1 tree gets every row right; with the EXACT
// method (codes as numbers), with categorical_splits = FALSE, or for a column said to have
// more than 16 categories (which keeps threshold splits), it cannot.
TEST(TreeModelTest, SplitsLabelEncodedCategoriesAsSets) {
  const int64_t rows = 800;
  FeatureMatrix x(rows, 2);
  std::vector<double> labels(rows);
  for (int64_t r = 0; r < rows; ++r) {
    x.at(r, 0) = static_cast<double>(r % 8);           // the category code
    x.at(r, 1) = static_cast<double>((r * 37) % 101);  // noise
    labels[r] = static_cast<double>(r % 2);
  }
  std::vector<FeatureInfo> info = {{"letter", "letter", FeatureKind::kCategorical, "", 8},
                                   {"noise", "noise", FeatureKind::kNumeric, ""}};
  TrainingData data{&x, labels, {}, 2, info};
  auto accuracy = [&](const std::string& tree_method, bool categorical_splits = true) {
    const ModelType& type = Type("boosted_tree_classifier");
    std::unique_ptr<Model> model = type.create();
    // max_cat_to_onehot is 4 in XGBoost: eight categories get a partition split.
    EXPECT_OK(model->Fit(data, Context(type, {{"max_iterations", 1},
                                              {"max_tree_depth", 1},
                                              {"learn_rate", 1.0},
                                              {"early_stop", false},
                                              {"tree_method", tree_method},
                                              {"categorical_splits", categorical_splits}})));
    ModelOutput out;
    EXPECT_OK(model->Predict(x, &out));
    int64_t right = 0;
    for (int64_t r = 0; r < rows; ++r)
      right += (out.probabilities[r * 2 + 1] > 0.5) == (labels[r] == 1);
    return static_cast<double>(right) / rows;
  };
  EXPECT_EQ(accuracy("HIST"), 1.0);
  EXPECT_EQ(accuracy("APPROX"), 1.0);
  EXPECT_LT(accuracy("EXACT"), 0.7);
  EXPECT_LT(accuracy("HIST", /*categorical_splits=*/false), 0.7);
  EXPECT_LT(accuracy("APPROX", /*categorical_splits=*/false), 0.7);
  info[0].categories = 40;
  EXPECT_LT(accuracy("HIST"), 0.7);
}

TEST(TreeModelTest, SaveLoadPredictsIdentically) {
  const std::vector<std::pair<std::string_view, nlohmann::json>> cases = {
      {"BOOSTED_TREE_CLASSIFIER", {{"max_iterations", 5}, {"num_parallel_tree", 2}}},
      {"RANDOM_FOREST_CLASSIFIER", {{"num_parallel_tree", 3}}}};
  for (const auto& [name, options] : cases) {
    std::unique_ptr<Model> model = Fit(name, Hpc(), options);
    auto bytes = model->Save();
    ASSERT_OK(bytes);
    std::unique_ptr<Model> back = Type(name).create();
    ASSERT_OK(back->Load(*bytes));
    FeatureMatrix x = FirstRows(Hpc().x, 300);
    ModelOutput a, b;
    ASSERT_OK(model->Predict(x, &a));
    ASSERT_OK(back->Predict(x, &b));
    EXPECT_EQ(a.probabilities, b.probabilities) << name;
    EXPECT_EQ(a.width, 4);
    EXPECT_EQ(model->Describe(Hpc().features), back->Describe(Hpc().features));
    auto again = back->Save();
    ASSERT_OK(again);
    EXPECT_EQ(*again, *bytes);
  }
}

TEST(TreeModelTest, RefusesCorruptPayloads) {
  std::unique_ptr<Model> model = Fit("BOOSTED_TREE_CLASSIFIER", Churn(), {{"max_iterations", 3}});
  auto bytes = model->Save();
  ASSERT_OK(bytes);
  const ModelType& type = Type("BOOSTED_TREE_CLASSIFIER");
  std::vector<std::string> bad = {"", "STRXGB01", bytes->substr(0, bytes->size() / 2),
                                  "not a model at all, just some text of some length"};
  for (size_t at : {size_t{3}, size_t{20}, bytes->size() / 2, bytes->size() - 3}) {
    std::string flipped = *bytes;
    flipped[at] ^= 0x20;
    bad.push_back(flipped);
  }
  for (const std::string& b : bad) {
    std::unique_ptr<Model> m = type.create();
    Status s = m->Load(b);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
    ModelOutput out;
    EXPECT_EQ(m->Predict(Churn().x, &out).code(), StatusCode::kFailedPrecondition);
  }
  // A classifier's payload is not a regressor.
  std::unique_ptr<Model> regressor = Type("BOOSTED_TREE_REGRESSOR").create();
  EXPECT_EQ(regressor->Load(*bytes).code(), StatusCode::kInvalidArgument);
}

TEST(TreeModelTest, ContributionsSumToTheRawMargin) {
  for (const testing::TreeTestData* d : {&Churn(), &Hpc()}) {
    std::unique_ptr<Model> model = Fit("BOOSTED_TREE_CLASSIFIER", *d, {{"max_iterations", 8}});
    FeatureMatrix x = FirstRows(d->x, 200);
    Contributions c;
    ASSERT_OK(model->Contribute(x, &c));
    auto margin = dynamic_cast<TreeModel&>(*model).PredictMargin(x);
    ASSERT_OK(margin);
    const int groups = d->num_classes > 2 ? d->num_classes : 1;
    ASSERT_EQ(c.classes, groups);
    ASSERT_EQ(c.features, x.cols());
    ASSERT_EQ(c.rows, 200);
    ASSERT_EQ(c.values.size(), static_cast<size_t>(200 * groups * (x.cols() + 1)));
    for (int64_t r = 0; r < 200; ++r) {
      for (int g = 0; g < groups; ++g) {
        double sum = 0;
        for (int f = 0; f <= x.cols(); ++f) sum += c.values[(r * groups + g) * (x.cols() + 1) + f];
        // XGBoost sums in float; the margin is float too.
        EXPECT_NEAR(sum, (*margin)[r * groups + g], 1e-5 * (1 + std::fabs(sum)));
      }
    }
  }
}

// Gamma regression on Ames' sale prices: it starts from the labels' mean (not XGBoost 1.7's
// 0.5), predicts in label units, survives a save and load, and explains in label units —
// the bias is exp(bias margin) and each row's attributions add up to its prediction.
TEST(TreeModelTest, LogLinkObjectivesPredictAndExplainInLabelUnits) {
  const testing::TreeTestData& d = Ames();
  std::unique_ptr<Model> model = Fit(
      "BOOSTED_TREE_REGRESSOR", d,
      {{"objective", "GAMMA"}, {"max_iterations", 30}, {"learn_rate", 0.2}, {"early_stop", false}});
  double mean = 0;
  for (double y : d.labels) mean += y;
  mean /= static_cast<double>(d.labels.size());
  nlohmann::json summary = model->Describe(d.features);
  ASSERT_TRUE(summary["params"].contains("base_score")) << summary.dump();
  EXPECT_NEAR(std::stod(summary["params"]["base_score"].get<std::string>()), mean, 1e-6 * mean);
  EXPECT_EQ(summary["params"]["objective"], "reg:gamma");

  FeatureMatrix x = FirstRows(d.x, 300);
  ModelOutput out;
  ASSERT_OK(model->Predict(x, &out));
  double squared = 0, squared_mean = 0;
  for (int64_t r = 0; r < 300; ++r) {
    EXPECT_GT(out.values[r], 0);
    squared += (out.values[r] - d.labels[r]) * (out.values[r] - d.labels[r]);
    squared_mean += (mean - d.labels[r]) * (mean - d.labels[r]);
  }
  EXPECT_LT(squared, 0.2 * squared_mean);  // R² above 0.8 on rows it trained on

  Contributions c;
  ASSERT_OK(model->Contribute(x, &c));
  const int width = static_cast<int>(x.cols()) + 1;
  auto margin = dynamic_cast<TreeModel&>(*model).PredictMargin(x);
  ASSERT_OK(margin);
  EXPECT_GT(c.values[width - 1], 0.5 * mean);  // exp(bias margin): a price, not a log
  EXPECT_LT(c.values[width - 1], 2 * mean);
  for (int64_t r = 0; r < 300; ++r) {
    double sum = 0;
    for (int f = 0; f < width; ++f) sum += c.values[r * width + f];
    EXPECT_NEAR(sum, out.values[r], 1e-4 * out.values[r]) << "row " << r;
    EXPECT_EQ(c.values[r * width + width - 1], c.values[width - 1]);  // one bias for all rows
    EXPECT_NEAR(std::log(out.values[r]), (*margin)[r], 1e-5);
  }

  auto bytes = model->Save();
  ASSERT_OK(bytes);
  std::unique_ptr<Model> back = Type("BOOSTED_TREE_REGRESSOR").create();
  ASSERT_OK(back->Load(*bytes));
  ModelOutput again;
  ASSERT_OK(back->Predict(x, &again));
  EXPECT_EQ(again.values, out.values);
  Contributions c2;
  ASSERT_OK(back->Contribute(x, &c2));
  EXPECT_EQ(c2.values, c.values);
}

TEST(TreeModelTest, LogLinkObjectivesRefuseLabelsBelowTheirFloor) {
  const testing::TreeTestData& d = Ames();
  const ModelType& type = Type("BOOSTED_TREE_REGRESSOR");
  std::vector<double> labels = d.labels;
  labels[7] = 0;
  TrainingData data{&d.x, labels, {}, 0};
  std::unique_ptr<Model> gamma = type.create();
  Status s = gamma->Fit(data, Context(type, {{"objective", "GAMMA"}, {"max_iterations", 2}}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("objective = 'GAMMA' needs labels above 0"));
  EXPECT_THAT(s.message(), HasSubstr("1 training row(s)"));
  // Tweedie and Poisson accept zeros, not negative labels, and not only zeros.
  std::unique_ptr<Model> tweedie = type.create();
  EXPECT_OK(tweedie->Fit(data, Context(type, {{"objective", "TWEEDIE"}, {"max_iterations", 2}})));
  std::vector<double> negative_labels = labels;
  negative_labels[9] = -1;
  TrainingData negative{&d.x, negative_labels, {}, 0};
  std::unique_ptr<Model> poisson = type.create();
  s = poisson->Fit(negative, Context(type, {{"objective", "POISSON"}, {"max_iterations", 2}}));
  EXPECT_THAT(s.message(), HasSubstr("needs labels of at least 0, but 1 training row(s)"));
  std::vector<double> zeros(d.labels.size(), 0.0);
  TrainingData all_zero{&d.x, zeros, {}, 0};
  s = type.create()->Fit(all_zero,
                         Context(type, {{"objective", "POISSON"}, {"max_iterations", 2}}));
  EXPECT_THAT(s.message(), HasSubstr("every training label is 0"));
  // The evaluation data is checked too.
  TrainingData train{&d.x, d.labels, {}, 0};
  FitContext ctx = Context(type, {{"objective", "GAMMA"}, {"max_iterations", 2}});
  ctx.eval = &data;
  s = type.create()->Fit(train, ctx);
  EXPECT_THAT(s.message(), HasSubstr("1 evaluation row(s)"));
}

TEST(TreeModelTest, CancelStopsTrainingAndLeavesNoModel) {
  const ModelType& type = Type("BOOSTED_TREE_CLASSIFIER");
  std::atomic<bool> cancel{false};
  FitContext ctx = Context(type, {{"max_iterations", 50}, {"early_stop", false}});
  ctx.cancel = &cancel;
  int calls = 0;
  ctx.progress = [&](const Progress& p) {
    EXPECT_EQ(p.stage, "training");
    EXPECT_EQ(p.total, 50);
    EXPECT_EQ(p.done, ++calls);
    if (p.done == 3) cancel = true;
  };
  std::unique_ptr<Model> model = type.create();
  TrainingData data{&Churn().x, Churn().labels, {}, 2};
  Status s = model->Fit(data, ctx);
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_EQ(calls, 3);
  ModelOutput out;
  EXPECT_EQ(model->Predict(Churn().x, &out).code(), StatusCode::kFailedPrecondition);
}

TEST(TreeModelTest, EarlyStopWithoutEvalDataWatchesTrainingLoss) {
  const ModelType& type = Type("BOOSTED_TREE_CLASSIFIER");
  std::vector<IterationInfo> log;
  FitContext ctx = Context(type, {{"max_iterations", 100}, {"min_rel_progress", 0.02}});
  ctx.log = &log;
  std::unique_ptr<Model> model = type.create();
  TrainingData data{&Churn().x, Churn().labels, {}, 2};
  ASSERT_OK(model->Fit(data, ctx));
  ASSERT_GT(log.size(), 2u);
  ASSERT_LT(log.size(), 100u);
  const double last = log.back().loss, before = log[log.size() - 2].loss;
  EXPECT_LT(before - last, 0.02 * before);
  for (const IterationInfo& i : log) {
    EXPECT_TRUE(std::isnan(i.eval_loss));
    EXPECT_EQ(i.learning_rate, 0.3);
    EXPECT_GE(i.duration_ms, 0);
  }
  nlohmann::json summary = model->Describe(Churn().features);
  EXPECT_EQ(summary["rounds_trained"], log.size());
  EXPECT_EQ(summary["num_trees"], summary["rounds"]);
  EXPECT_THAT(summary["stop_reason"].get<std::string>(), HasSubstr("min_rel_progress"));
}

// Above 50,000 training rows the per-round training loss is measured on a sample of them
// (it is for the log); early stopping on the training loss still sees every row.
TEST(TreeModelTest, TrainingLossOfLargeDataIsMeasuredOnASample) {
  const ModelType& type = Type("BOOSTED_TREE_CLASSIFIER");
  std::vector<int64_t> rows;
  for (int copy = 0; copy < 12; ++copy) {
    for (int64_t r = 0; r < Churn().x.rows(); ++r) rows.push_back(r);
  }
  FeatureMatrix x = Churn().x.TakeRows(rows);  // 60,000 rows
  std::vector<double> y;
  for (int64_t r : rows) y.push_back(Churn().labels[r]);
  TrainingData data{&x, y, {}, 2};
  FeatureMatrix x_eval = FirstRows(Churn().x, 1000);
  const std::vector<double> y_eval(Churn().labels.begin(), Churn().labels.begin() + 1000);
  TrainingData eval{&x_eval, y_eval, {}, 2};

  std::vector<IterationInfo> log;
  FitContext ctx = Context(type, {{"max_iterations", 3}, {"early_stop", false}});
  ctx.eval = &eval;
  ctx.log = &log;
  std::unique_ptr<Model> model = type.create();
  ASSERT_OK(model->Fit(data, ctx));
  EXPECT_EQ(model->Describe(Churn().features)["training_loss_rows"], 50000);
  // The sample's loss estimates the loss over all rows.
  ModelOutput out;
  ASSERT_OK(model->Predict(x, &out));
  double full = 0;
  for (size_t r = 0; r < y.size(); ++r) full -= std::log(out.probabilities[2 * r + (y[r] > 0)]);
  full /= static_cast<double>(y.size());
  ASSERT_EQ(log.size(), 3u);
  EXPECT_NEAR(log.back().loss, full, 0.01);
  EXPECT_FALSE(std::isnan(log.back().eval_loss));

  FitContext watch = Context(type, {{"max_iterations", 3}});  // early stop, no eval data
  std::unique_ptr<Model> watched = type.create();
  ASSERT_OK(watched->Fit(data, watch));
  EXPECT_EQ(watched->Describe(Churn().features)["training_loss_rows"], 60000);
}

TEST(TreeModelTest, SameSeedSameModel) {
  nlohmann::json options = {{"max_iterations", 5}, {"subsample", 0.7}, {"colsample_bytree", 0.5}};
  auto a = Fit("BOOSTED_TREE_CLASSIFIER", Churn(), options)->Save();
  auto b = Fit("BOOSTED_TREE_CLASSIFIER", Churn(), options)->Save();
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
}

TEST(TreeModelTest, ExportsXgboostJson) {
  std::unique_ptr<Model> model = Fit("RANDOM_FOREST_CLASSIFIER", Churn(), {{"num_parallel_tree", 4}});
  auto text = model->ExportXgboostJson();
  ASSERT_OK(text);
  auto json = nlohmann::json::parse(*text);
  EXPECT_EQ(json["learner"]["gradient_booster"]["model"]["trees"].size(), 4u);
  EXPECT_EQ(json["learner"]["objective"]["name"], "binary:logistic");
}

TEST(TreeModelTest, RejectsBadInputWithAStatus) {
  const ModelType& type = Type("BOOSTED_TREE_CLASSIFIER");
  std::unique_ptr<Model> model = type.create();
  std::vector<double> labels = Churn().labels;
  labels[7] = 2;  // not a class of a binary label
  TrainingData data{&Churn().x, labels, {}, 2};
  Status s = model->Fit(data, Context(type, nlohmann::json::object()));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("row 8"));

  std::unique_ptr<Model> fitted = Fit("BOOSTED_TREE_CLASSIFIER", Churn(), {{"max_iterations", 2}});
  FeatureMatrix narrow(10, 3);
  ModelOutput out;
  EXPECT_EQ(fitted->Predict(narrow, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fitted->Importance({}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata
