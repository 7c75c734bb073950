// Search spaces from option declarations: default ranges and scales, user overrides,
// common (balance) options, and the errors for bad HPARAM input.
#include <cmath>

#include "strata/train_spec.h"
#include "strata/tune.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

const ModelType& Type(std::string_view name) {
  RegisterBuiltinModels();
  auto type = FindModelType(name);
  EXPECT_OK(type);
  return **type;
}

const SearchParam* Param(const SearchSpace& space, std::string_view name) {
  for (const SearchParam& p : space.params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(SearchSpaceTest, DefaultSpaceComesFromTheDeclaredTuningRanges) {
  auto space = BuildSearchSpace(Type("BOOSTED_TREE_CLASSIFIER"),
                                {{"model_type", "BOOSTED_TREE_CLASSIFIER"}, {"input_label_cols", {"y"}}});
  ASSERT_OK(space);
  EXPECT_EQ(space->params.size(), DefaultTunedOptions(Type("BOOSTED_TREE_CLASSIFIER")).size());
  const SearchParam* depth = Param(*space, "max_tree_depth");
  ASSERT_NE(depth, nullptr);
  EXPECT_EQ(depth->kind, ParamKind::kInt);
  EXPECT_EQ(depth->lo, 1);
  EXPECT_EQ(depth->hi, 10);
  const SearchParam* l2 = Param(*space, "l2_reg");
  ASSERT_NE(l2, nullptr);
  EXPECT_EQ(l2->scale, Scale::kLog);
  EXPECT_GT(l2->lo, 0);  // (0, 10] on a log scale starts just above 0
  EXPECT_EQ(l2->hi, 10);
  // learn_rate's declared minimum is exclusive: 0 itself is never sampled.
  EXPECT_GT(Param(*space, "learn_rate")->Decode(0.0).get<double>(), 0);
  EXPECT_EQ(space->fixed["model_type"], "BOOSTED_TREE_CLASSIFIER");
}

TEST(SearchSpaceTest, MarkedOptionsAloneAreSearchedWithTheUsersRanges) {
  auto space = BuildSearchSpace(Type("LOGISTIC_REG"), {{"model_type", "LOGISTIC_REG"},
                                                       {"l2_reg", HparamRange(0.01, 100)},
                                                       {"max_iterations", 5}});
  ASSERT_OK(space);
  ASSERT_EQ(space->params.size(), 1u);
  const SearchParam& l2 = space->params[0];
  EXPECT_EQ(l2.name, "l2_reg");
  EXPECT_EQ(l2.scale, Scale::kLog);
  EXPECT_NEAR(l2.Decode(0.5).get<double>(), 1.0, 1e-9);  // geometric middle of [0.01, 100]
  EXPECT_NEAR(l2.Decode(0.0).get<double>(), 0.01, 1e-12);
  EXPECT_NEAR(l2.Decode(1.0).get<double>(), 100, 1e-9);
  EXPECT_NEAR(l2.Encode(1.0), 0.5, 1e-9);
  nlohmann::json options = space->OptionsAt({0.5});
  EXPECT_EQ(options["max_iterations"], 5);
  EXPECT_NEAR(options["l2_reg"].get<double>(), 1.0, 1e-9);
}

TEST(SearchSpaceTest, CandidatesAreDecodedToEveryValue) {
  auto space = BuildSearchSpace(Type("BOOSTED_TREE_REGRESSOR"),
                                {{"model_type", "BOOSTED_TREE_REGRESSOR"},
                                 {"max_tree_depth", HparamCandidates({4, 6, 8})}});
  ASSERT_OK(space);
  const SearchParam& p = space->params[0];
  EXPECT_EQ(p.kind, ParamKind::kCategorical);
  EXPECT_EQ(p.Decode(0.0), 4);
  EXPECT_EQ(p.Decode(0.5), 6);
  EXPECT_EQ(p.Decode(0.99), 8);
  EXPECT_EQ(p.Decode(1.0), 8);
  EXPECT_EQ(p.Decode(p.Encode(8)), 8);
  EXPECT_EQ(p.GridPoints().size(), 3u);
}

// DNN layer shapes are array candidates; BigQuery ML writes them STRUCT([8, 16]), which the
// SQL front end reads as a one-field struct ([[8, 16]]). The default DNN space is numeric.
TEST(SearchSpaceTest, DnnHiddenUnitsAreArrayCandidates) {
  auto space = BuildSearchSpace(Type("DNN_CLASSIFIER"),
                                {{"model_type", "DNN_CLASSIFIER"},
                                 {"hidden_units", HparamCandidates({{{8}}, {{8, 16}}, {32, 16}})}});
  ASSERT_OK(space);
  const SearchParam& p = space->params[0];
  EXPECT_EQ(p.Decode(0.0), nlohmann::json({8}));
  EXPECT_EQ(p.Decode(0.5), nlohmann::json({8, 16}));
  EXPECT_EQ(p.Decode(1.0), nlohmann::json({32, 16}));
  EXPECT_EQ(p.Decode(p.Encode(nlohmann::json({8, 16}))), nlohmann::json({8, 16}));
  EXPECT_THAT(BuildSearchSpace(Type("DNN_CLASSIFIER"), {{"hidden_units", HparamCandidates({{{0}}})}})
                  .status().message(),
              HasSubstr("hidden_units"));
  auto defaults = BuildSearchSpace(Type("DNN_REGRESSOR"), {{"model_type", "DNN_REGRESSOR"}});
  ASSERT_OK(defaults);
  std::vector<std::string> names;
  for (const SearchParam& q : defaults->params) names.push_back(q.name);
  EXPECT_EQ(names, (std::vector<std::string>{"batch_size", "dropout", "l2_reg", "learn_rate"}));
}

// AutoML searches balance settings like any other hyperparameter: they are common options
// in the same flat OPTIONS, and a trial's OPTIONS become a TrainSpec with them set.
TEST(SearchSpaceTest, CommonBalanceOptionsCanBeSearched) {
  auto space = BuildSearchSpace(Type("LOGISTIC_REG"),
                                {{"model_type", "LOGISTIC_REG"},
                                 {"input_label_cols", {"churn"}},
                                 {"auto_class_weights", HparamCandidates({true, false})},
                                 {"downsample_ratio", HparamRange(1, 4)}});
  ASSERT_OK(space);
  ASSERT_EQ(space->params.size(), 2u);
  auto spec = TrainSpecFromOptions(space->OptionsAt({0.1, 1.0}));
  ASSERT_OK(spec);
  EXPECT_TRUE(spec->balance.auto_class_weights);
  ASSERT_TRUE(spec->balance.downsample_ratio.has_value());
  EXPECT_NEAR(*spec->balance.downsample_ratio, 4.0, 1e-9);
}

TEST(SearchSpaceTest, BadHparamInputNamesTheOptionAndWhatIsValid) {
  const ModelType& trees = Type("BOOSTED_TREE_CLASSIFIER");
  auto unknown = BuildSearchSpace(trees, {{"l2_regg", HparamRange(0, 1)}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("cannot tune 'l2_regg'"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("l2_reg"));

  auto not_numeric = BuildSearchSpace(trees, {{"booster_type", HparamRange(0, 1)}});
  ASSERT_FALSE(not_numeric.ok());
  EXPECT_THAT(not_numeric.status().message(), HasSubstr("HPARAM_RANGE applies to numeric options"));
  EXPECT_THAT(not_numeric.status().message(), HasSubstr("HPARAM_CANDIDATES"));

  auto out_of_range = BuildSearchSpace(trees, {{"max_tree_depth", HparamRange(2, 50)}});
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_THAT(out_of_range.status().message(), HasSubstr("max_tree_depth"));
  EXPECT_THAT(out_of_range.status().message(), HasSubstr("[1, 20]"));

  auto reversed = BuildSearchSpace(trees, {{"l1_reg", HparamRange(5, 1)}});
  ASSERT_FALSE(reversed.ok());
  EXPECT_THAT(reversed.status().message(), HasSubstr("must be below the maximum"));

  auto bad_candidate = BuildSearchSpace(trees, {{"booster_type", HparamCandidates({"GBTREE", "GBLINEAR"})}});
  ASSERT_FALSE(bad_candidate.ok());
  EXPECT_THAT(bad_candidate.status().message(), HasSubstr("booster_type"));
  EXPECT_THAT(bad_candidate.status().message(), HasSubstr("DART"));

  auto label = BuildSearchSpace(trees, {{"input_label_cols", HparamCandidates({"a", "b"})}});
  ASSERT_FALSE(label.ok());
  EXPECT_THAT(label.status().message(), HasSubstr("not a hyperparameter"));
}

TEST(SearchSpaceTest, TuningOptionsAreChecked) {
  auto zero = TuneSpecFromOptions({{"num_trials", 0}, {"model_type", "LINEAR_REG"}});
  ASSERT_FALSE(zero.ok());
  EXPECT_THAT(zero.status().message(), HasSubstr("num_trials"));
  EXPECT_THAT(zero.status().message(), HasSubstr("[1, 100]"));
  auto parallel = TuneSpecFromOptions({{"num_trials", 5}, {"max_parallel_trials", 9}});
  ASSERT_FALSE(parallel.ok());
  EXPECT_THAT(parallel.status().message(), HasSubstr("max_parallel_trials"));
  auto algorithm = TuneSpecFromOptions({{"num_trials", 5}, {"hparam_tuning_algorithm", "grid_serch"}});
  ASSERT_FALSE(algorithm.ok());
  EXPECT_THAT(algorithm.status().message(), HasSubstr("GRID_SEARCH"));
  auto ok = TuneSpecFromOptions({{"NUM_TRIALS", 7}, {"hparam_tuning_algorithm", "random_search"},
                                 {"hparam_tuning_objectives", {"pr_auc"}}, {"l2_reg", 1}});
  ASSERT_OK(ok);
  EXPECT_EQ(ok->num_trials, 7);
  EXPECT_EQ(ok->algorithm, TuneAlgorithm::kRandom);
  EXPECT_EQ(ok->objective, "pr_auc");
  EXPECT_EQ(ok->options, (nlohmann::json{{"l2_reg", 1}}));
}

TEST(SearchSpaceTest, ObjectivesFollowBigQueryMlWithDefaultsPerTask) {
  EXPECT_EQ(FindObjective(Task::kClassification, "")->name, "ROC_AUC");
  EXPECT_EQ(FindObjective(Task::kRegression, "")->name, "R2_SCORE");
  EXPECT_EQ(FindObjective(Task::kClustering, "")->name, "DAVIES_BOULDIN_INDEX");
  EXPECT_FALSE(FindObjective(Task::kClustering, "")->maximize);
  EXPECT_FALSE(FindObjective(Task::kClassification, "log_loss")->maximize);
  EXPECT_TRUE(FindObjective(Task::kClassification, "balanced_accuracy")->maximize);
  EXPECT_EQ(FindObjective(Task::kClassification, "pr_auc")->metric, "pr_auc");
  auto wrong_task = FindObjective(Task::kClassification, "r2_score");
  ASSERT_FALSE(wrong_task.ok());
  EXPECT_THAT(wrong_task.status().message(), HasSubstr("not an objective for classification"));
  auto typo = FindObjective(Task::kClassification, "roc_acu");
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(typo.status().message(), HasSubstr("ROC_AUC"));
}

}  // namespace
}  // namespace strata
