// AutoML's portfolio: what each kind of data gets. Imbalanced labels get every rebalancing
// technique alone and combined, each a valid configuration that trains on real data; balanced
// labels and regression get none.
#include "automl/portfolio.h"

#include <set>

#include "strata/train_spec.h"
#include "strata/trainer.h"
#include "support/churn_data.h"
#include "support/test_support.h"

namespace strata {
namespace {

using automl::Candidate;
using automl::DataFacts;
using ::testing::HasSubstr;

DataFacts Facts(Task task, double minority_share, bool has_categorical = false) {
  DataFacts f;
  f.task = task;
  f.num_classes = task == Task::kClassification ? 2 : 0;
  f.minority_share = minority_share;
  f.has_categorical = has_categorical;
  f.rows = 5000;
  f.inputs = 20;
  return f;
}

// The rebalancing a configuration asks for, as a set of technique names.
std::set<std::string> Techniques(const Candidate& c) {
  std::set<std::string> t;
  if (c.options.value("auto_class_weights", false)) t.insert("class_weights");
  if (c.options.contains("downsample_ratio")) t.insert("downsample");
  if (c.options.value("upsample_method", std::string("NONE")) != "NONE") t.insert("upsample");
  return t;
}

TEST(AutoMlPortfolioTest, ImbalancedLabelsGetEveryTechniqueAloneAndCombined) {
  std::set<std::set<std::string>> seen;
  std::set<std::string> names;
  for (const Candidate& c : automl::Portfolio(Facts(Task::kClassification, 0.05))) {
    seen.insert(Techniques(c));
    EXPECT_TRUE(names.insert(c.name).second) << "two entries named " << c.name;
    if (c.options.contains("upsample_method")) {
      EXPECT_EQ(c.options["upsample_method"], "SMOTE") << c.name;
    }
  }
  const std::set<std::set<std::string>> expected = {
      {}, {"class_weights"}, {"downsample"}, {"upsample"},
      {"downsample", "upsample"}, {"downsample", "class_weights"}};
  for (const auto& techniques : expected) {
    EXPECT_TRUE(seen.count(techniques)) << "no configuration with exactly: "
                                        << ::testing::PrintToString(techniques);
  }
}

TEST(AutoMlPortfolioTest, BalancedLabelsAndRegressionAreNotRebalanced) {
  for (const DataFacts& facts : {Facts(Task::kClassification, 0.2), Facts(Task::kClassification, 0.45),
                                 Facts(Task::kRegression, 1.0)}) {
    auto portfolio = automl::Portfolio(facts);
    ASSERT_GE(portfolio.size(), 6u);
    for (const Candidate& c : portfolio) EXPECT_TRUE(Techniques(c).empty()) << c.name;
  }
}

// Every portfolio configuration's rebalancing is one of Rebalancings(), by name: the tuning
// warm-starts its "rebalancing" dimension from them. Together they cover every technique.
TEST(AutoMlPortfolioTest, EveryRebalancingIsNamedAndRecognised) {
  const DataFacts facts = Facts(Task::kClassification, 0.05);
  std::set<std::string> names, used;
  for (const automl::Rebalancing& r : automl::Rebalancings(facts)) {
    EXPECT_TRUE(names.insert(r.name).second) << "two rebalancings named " << r.name;
    EXPECT_EQ(automl::RebalancingOf(r.options, facts), r.name);
  }
  EXPECT_EQ(names, (std::set<std::string>{"none", "class_weights", "downsample_upweight", "smote",
                                          "downsample3_smote", "downsample3_class_weights"}));
  for (const Candidate& c : automl::Portfolio(facts)) {
    const std::string name = automl::RebalancingOf(c.options, facts);
    EXPECT_NE(name, "") << c.name << " " << c.options.dump();
    used.insert(name);
  }
  EXPECT_EQ(used, names);

  // Options at their "off" values are no rebalancing; options no technique sets are none.
  EXPECT_EQ(automl::RebalancingOf({{"auto_class_weights", false}, {"upsample_method", "NONE"},
                                   {"downsample_upweight", true}}, facts),
            "none");
  EXPECT_EQ(automl::RebalancingOf({{"downsample_ratio", 3.0}}, facts), "");  // upweighted: not a technique
  EXPECT_EQ(automl::RebalancingOf({{"downsample_ratio", 1}}, facts), "downsample_upweight");
  EXPECT_EQ(automl::RebalancingOf({{"upsample_method", "DUPLICATE"}}, facts), "");
  // With categorical columns, SMOTE is SMOTE-NC.
  EXPECT_EQ(automl::RebalancingOf({{"upsample_method", "SMOTE_NC"}},
                                  Facts(Task::kClassification, 0.05, true)),
            "smote");
}

// Categorical columns get SMOTE-NC; positive regression labels the gamma loss; networks only
// when they fit the budget.
TEST(AutoMlPortfolioTest, FollowsColumnTypesLabelRangeAndBudget) {
  bool smote_nc = false;
  for (const Candidate& c : automl::Portfolio(Facts(Task::kClassification, 0.05, true))) {
    if (c.options.contains("upsample_method")) {
      EXPECT_EQ(c.options["upsample_method"], "SMOTE_NC") << c.name;
      smote_nc = true;
    }
  }
  EXPECT_TRUE(smote_nc);

  auto count = [](const std::vector<Candidate>& p, const std::string& needle) {
    int n = 0;
    for (const Candidate& c : p) n += c.options.dump().find(needle) != std::string::npos;
    return n;
  };
  DataFacts regression = Facts(Task::kRegression, 1.0);
  EXPECT_EQ(count(automl::Portfolio(regression), "GAMMA"), 0);
  regression.positive_label = true;
  EXPECT_EQ(count(automl::Portfolio(regression), "GAMMA"), 1);

  DataFacts facts = Facts(Task::kClassification, 0.4);
  int networks = 0;
  for (const Candidate& c : automl::Portfolio(facts)) networks += c.model_type == "DNN_CLASSIFIER";
  EXPECT_EQ(networks, 0);
  facts.networks = true;
  for (const Candidate& c : automl::Portfolio(facts)) networks += c.model_type == "DNN_CLASSIFIER";
  EXPECT_EQ(networks, 2);

  // 5,000 rows x 20 inputs: two networks are estimated at ~15 s over 5 folds, which fits in
  // 15% of 120 s but not of 60 s.
  EXPECT_TRUE(automl::NetworksFit(facts, 120, 5, 5));
  EXPECT_FALSE(automl::NetworksFit(facts, 60, 5, 5));
}

// Every configuration of every portfolio is a valid TrainSpec of its model type.
TEST(AutoMlPortfolioTest, EveryConfigurationIsAValidTrainSpec) {
  std::vector<DataFacts> all = {Facts(Task::kClassification, 0.05, true), Facts(Task::kClassification, 0.4),
                                Facts(Task::kRegression, 1.0)};
  all[1].networks = true;
  all[2].positive_label = true;
  all[2].networks = true;
  for (const DataFacts& facts : all) {
    for (const Candidate& c : automl::Portfolio(facts)) {
      nlohmann::json options = c.options;
      options["model_type"] = c.model_type;
      options["input_label_cols"] = {"label"};
      SCOPED_TRACE(c.name);
      EXPECT_OK(TrainSpecFromOptions(options));
    }
  }
}

// The combinations train on real imbalanced data (churn: 14% "yes", categorical columns), do
// both steps in order, and end balanced.
TEST(AutoMlPortfolioTest, TheCombinationsTrainOnRealImbalancedData) {
  const Table& churn = testing::ChurnTable();
  int trained = 0;
  for (const Candidate& c : automl::Portfolio(Facts(Task::kClassification, 0.14, true))) {
    if (Techniques(c).size() < 2) continue;
    SCOPED_TRACE(c.name);
    nlohmann::json options = c.options;
    options["model_type"] = c.model_type;
    options["input_label_cols"] = {"churn"};
    options["max_iterations"] = 30;
    auto spec = TrainSpecFromOptions(options);
    ASSERT_OK(spec);
    auto bundle = Train(*spec, churn.Slice(0, 2000));
    ASSERT_OK(bundle);
    const std::string notes = bundle->lineage["balance"].dump();
    EXPECT_THAT(notes, HasSubstr("downsampled class 'no'"));
    EXPECT_THAT(notes, ::testing::Not(HasSubstr("kept rows weighted")));
    EXPECT_THAT(notes, ::testing::AnyOf(HasSubstr("upsampled class 'yes'"), HasSubstr("class weights")));
    EXPECT_GT(bundle->metrics["roc_auc"].get<double>(), 0.8);
    ++trained;
  }
  EXPECT_EQ(trained, 2);
}

}  // namespace
}  // namespace strata
