// `strata tune` as a user runs it: the built binary on the bundled churn data.
#include <nlohmann/json.hpp>

#include "support/churn_data.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

class TuneCliTest : public testing::ChurnCliTest {
 protected:
  // `strata tune --threads=2 ARGS...`: the suite runs on 2 cores.
  testing::CommandResult Tune(std::vector<std::string> args) {
    args.insert(args.begin(), {"tune", "--threads=2"});
    return Run(args);
  }
};

TEST_F(TuneCliTest, HelpShowsExamples) {
  auto r = Run({"tune", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--search"));
  EXPECT_THAT(r.out, HasSubstr("strata tune churn --target churn"));
}

TEST_F(TuneCliTest, TunesPrintsTrialLinesAndALeaderboardAndStoresTheModel) {
  auto r = Tune({"churn", "--target", "churn", "--model-type", "logistic_reg", "--trials", "3",
                "--parallel", "2", "--search", "l2_reg=range(0.01, 10)", "--search",
                "auto_class_weights=candidates(true,false)", "--objective", "pr_auc", "-o",
                "max_iterations=3", "--name", "tuned"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("trial 1/3"));
  EXPECT_THAT(r.err, HasSubstr("pr_auc="));
  EXPECT_THAT(r.err, HasSubstr("best="));
  EXPECT_THAT(r.out, HasSubstr("trial_id"));
  EXPECT_THAT(r.out, HasSubstr("optimal trial"));
  EXPECT_THAT(r.out, HasSubstr("test split"));
  auto info = Run({"sql", "--mode", "csv", "-c",
                   "SELECT COUNT(*) AS n, SUM(is_optimal) AS optimal FROM ML.TRIAL_INFO(MODEL tuned)"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_THAT(info.out, HasSubstr("3,1"));
}

// `strata sql` reports tuning and AutoML as `strata tune` and `strata automl` do: a line per
// trial or configuration on stderr with the best so far; --quiet leaves only the results.
TEST_F(TuneCliTest, SqlNumTrialsAndAutoMlReportEachTrialAndTheBestSoFar) {
  auto tuned = Run({"sql", "--threads=2", "-c",
                    "CREATE MODEL tuned OPTIONS(model_type = 'logistic_reg', input_label_cols = ['churn'], "
                    "num_trials = 3, max_iterations = 3, l2_reg = HPARAM_RANGE(0.01, 10)) AS SELECT * FROM churn"});
  ASSERT_EQ(tuned.exit_code, 0) << tuned.err;
  EXPECT_THAT(tuned.err, HasSubstr("trial 1/3"));
  EXPECT_THAT(tuned.err, HasSubstr("trial 3/3"));
  EXPECT_THAT(tuned.err, HasSubstr("roc_auc="));
  EXPECT_THAT(tuned.err, HasSubstr("best="));

  auto automl = Run({"sql", "--threads=2", "-c",
                     "CREATE MODEL auto OPTIONS(model_type = 'AUTOML_CLASSIFIER', input_label_cols = ['churn'], "
                     "budget_hours = 0.002) AS SELECT * FROM churn LIMIT 800"});
  ASSERT_EQ(automl.exit_code, 0) << automl.err;
  EXPECT_THAT(automl.err, HasSubstr("1. boosted_tree_lr0.1_d6"));
  EXPECT_THAT(automl.err, HasSubstr("best "));
  EXPECT_THAT(automl.err, HasSubstr("Created model auto"));

  auto quiet = Run({"sql", "--quiet", "--threads=2", "-c",
                    "CREATE OR REPLACE MODEL tuned OPTIONS(model_type = 'logistic_reg', input_label_cols = "
                    "['churn'], num_trials = 2, max_iterations = 2, l2_reg = HPARAM_RANGE(0.01, 10)) AS "
                    "SELECT * FROM churn"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_THAT(quiet.err, ::testing::Not(HasSubstr("trial 1/2")));
}

TEST_F(TuneCliTest, JsonOutputNamesTheOptimalTrial) {
  auto r = Tune({"churn", "-t", "churn", "-m", "logistic_reg", "--trials", "2", "-o",
                "max_iterations=2", "--format", "json", "--seed", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["model"], "churn_model");
  EXPECT_EQ(j["trials"].size(), 2u);
  EXPECT_EQ(j["objective"], "ROC_AUC");
  EXPECT_TRUE(j["optimal_trial_id"].is_number_integer());
}

TEST_F(TuneCliTest, BadInputGetsClearErrors) {
  auto unknown = Tune({"churn", "-t", "churn", "-m", "logistic_reg", "--trials", "2", "--search",
                      "l2_regg=range(0,1)"});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("Did you mean 'l2_reg'"));
  auto form = Tune({"churn", "-t", "churn", "-m", "logistic_reg", "--search", "l2_reg=0..1"});
  EXPECT_NE(form.exit_code, 0);
  EXPECT_THAT(form.err, HasSubstr("NAME=range(MIN,MAX)"));
  auto trials = Tune({"churn", "-t", "churn", "-m", "logistic_reg", "--trials", "0"});
  EXPECT_NE(trials.exit_code, 0);
  EXPECT_THAT(trials.err, HasSubstr("num_trials"));
  auto objective = Tune({"churn", "-t", "churn", "-m", "logistic_reg", "--objective", "r2_score"});
  EXPECT_NE(objective.exit_code, 0);
  EXPECT_THAT(objective.err, HasSubstr("ROC_AUC"));
  auto budget = Tune({"churn", "-t", "churn", "-m", "logistic_reg", "--budget", "soon"});
  EXPECT_NE(budget.exit_code, 0);
  EXPECT_THAT(budget.err, HasSubstr("90s, 5m or 1h"));
}

}  // namespace
}  // namespace strata
