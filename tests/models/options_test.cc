#include "strata/options.h"

#include "strata/train_spec.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

std::vector<OptionSpec> Specs() {
  return {OptionSpec::Float("l2_reg", 0.0, "L2").Min(0).Tuning(0, 10, Scale::kLog),
          OptionSpec::Int("max_iterations", 20, "iterations").Min(1),
          OptionSpec::Enum("booster_type", {"GBTREE", "DART"}, "GBTREE", "booster"),
          OptionSpec::Bool("early_stop", true, "stop early")};
}

TEST(OptionsTest, DefaultsAndCaseInsensitiveNames) {
  auto v = ValidateOptions(Specs(), {{"L2_REG", 0.5}, {"booster_type", "dart"}});
  ASSERT_OK(v);
  EXPECT_EQ(v->GetDouble("l2_reg"), 0.5);
  EXPECT_EQ(v->GetInt("max_iterations"), 20);
  EXPECT_EQ(v->GetString("booster_type"), "DART");
  EXPECT_TRUE(v->GetBool("early_stop"));
}

TEST(OptionsTest, CoercesNumbersGivenAsTextOrWholeFloats) {
  auto v = ValidateOptions(Specs(), {{"max_iterations", 50.0}, {"l2_reg", "0.25"}});
  ASSERT_OK(v);
  EXPECT_EQ(v->GetInt("max_iterations"), 50);
  EXPECT_EQ(v->GetDouble("l2_reg"), 0.25);
}

TEST(OptionsTest, UnknownNamesSuggestTheClosest) {
  auto v = ValidateOptions(Specs(), {{"l2_regg", 1}});
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("unknown option 'l2_regg'. Did you mean 'l2_reg'?"));
}

TEST(OptionsTest, OutOfRangeNamesTheValidRange) {
  auto v = ValidateOptions(Specs(), {{"l2_reg", -1}});
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("option l2_reg: -1 is out of range; expected FLOAT64 in [0, +inf)"));
  auto w = ValidateOptions(Specs(), {{"max_iterations", 2.5}});
  EXPECT_THAT(w.status().message(), HasSubstr("not a whole number"));
  auto e = ValidateOptions(Specs(), {{"booster_type", "GBTRE"}});
  EXPECT_THAT(e.status().message(), HasSubstr("Did you mean 'GBTREE'?"));
}

TEST(TrainSpecTest, OptionsSplitIntoStructuredFields) {
  auto spec = TrainSpecFromOptions({{"MODEL_TYPE", "logistic_reg"},
                                    {"input_label_cols", {"churn"}},
                                    {"data_split_method", "random"},
                                    {"data_split_eval_fraction", 0.3},
                                    {"auto_class_weights", true},
                                    {"upsample_method", "smote"},
                                    {"l2_reg", 0.1}});
  ASSERT_OK(spec);
  EXPECT_EQ(spec->model_type, "logistic_reg");
  EXPECT_EQ(spec->label, "churn");
  EXPECT_EQ(spec->split.method, SplitMethod::kRandom);
  EXPECT_DOUBLE_EQ(spec->split.eval_fraction, 0.3);
  EXPECT_TRUE(spec->balance.auto_class_weights);
  EXPECT_EQ(spec->balance.upsample, UpsampleMethod::kSmote);
  EXPECT_EQ(spec->options, (nlohmann::json{{"l2_reg", 0.1}}));
}

TEST(TrainSpecTest, JsonRoundTrip) {
  TrainSpec s;
  s.source = "churn";
  s.label = "churn";
  s.model_type = "BOOSTED_TREE_CLASSIFIER";
  s.options = {{"max_tree_depth", 4}};
  s.balance.downsample_ratio = 2.0;
  s.balance.class_weights = {{"yes", 3.0}};
  s.threshold.objective = ThresholdObjective::kRecallTarget;
  s.threshold.target = 0.8;
  s.positive_class = "yes";
  s.seed = 7;
  auto back = TrainSpec::FromJson(s.ToJson());
  ASSERT_OK(back);
  EXPECT_EQ(back->ToJson(), s.ToJson());
  auto bad = TrainSpec::FromJson({{"model_type", "X"}, {"lable", "y"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("Did you mean 'label'?"));

  TrainSpec from_file = s;
  from_file.source.clear();
  from_file.source_file = "data/churn.csv";
  auto file_back = TrainSpec::FromJson(from_file.ToJson());
  ASSERT_OK(file_back);
  EXPECT_EQ(file_back->source_file, "data/churn.csv");
  EXPECT_EQ(file_back->ToJson(), from_file.ToJson());
  auto both = TrainSpec::FromJson(
      {{"model_type", "X"}, {"source", "churn"}, {"source_file", "churn.csv"}});
  ASSERT_FALSE(both.ok());
  EXPECT_THAT(both.status().message(), HasSubstr("not both"));
}

// TrainSpecToOptions is TrainSpecFromOptions' inverse (what a server tuning job relies on
// to tune a TrainSpec given as JSON): every structured field survives the round trip.
TEST(TrainSpecTest, OptionsRoundTrip) {
  TrainSpec s;
  s.label = "churn";
  s.model_type = "BOOSTED_TREE_CLASSIFIER";
  s.options = {{"max_tree_depth", 4}};
  s.split.method = SplitMethod::kSeq;
  s.split.eval_fraction = 0.25;
  s.split.column = "signup_date";
  s.split.stratify = false;
  s.balance.downsample_ratio = 2.0;
  s.balance.downsample_upweight = false;
  s.balance.class_weights = {{"yes", 3.0}};
  s.balance.upsample = UpsampleMethod::kSmote;
  s.balance.upsample_ratio = 0.5;
  s.balance.smote_k_neighbors = 7;
  s.threshold.objective = ThresholdObjective::kRecallTarget;
  s.threshold.target = 0.8;
  s.positive_class = "yes";
  s.instance_weight_col = "w";
  s.enable_global_explain = true;
  s.seed = 7;
  nlohmann::json options = TrainSpecToOptions(s);
  EXPECT_EQ(options["input_label_cols"], nlohmann::json({"churn"}));
  EXPECT_EQ(options["max_tree_depth"], 4);
  auto back = TrainSpecFromOptions(options);
  ASSERT_OK(back);
  EXPECT_EQ(back->ToJson(), s.ToJson());
  // The defaults round-trip too.
  TrainSpec plain;
  plain.model_type = "LOGISTIC_REG";
  back = TrainSpecFromOptions(TrainSpecToOptions(plain));
  ASSERT_OK(back);
  EXPECT_EQ(back->ToJson(), plain.ToJson());
}

TEST(TrainSpecTest, RejectsContradictions) {
  EXPECT_FALSE(TrainSpecFromOptions({{"input_label_cols", {"y"}}}).ok());
  auto both = TrainSpecFromOptions({{"model_type", "LOGISTIC_REG"},
                                    {"auto_class_weights", true},
                                    {"class_weights", {{"a", 1}}}});
  EXPECT_THAT(both.status().message(), HasSubstr("exclude each other"));
  auto target = TrainSpecFromOptions({{"model_type", "LOGISTIC_REG"},
                                      {"threshold_objective", "precision"}});
  EXPECT_THAT(target.status().message(), HasSubstr("needs threshold_target"));
}

}  // namespace
}  // namespace strata
