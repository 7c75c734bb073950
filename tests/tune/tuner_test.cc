// The tuner end to end on the bundled churn data: trials through the one Train(), the
// 80/10/10 holdout, determinism, the core budget, cancellation, failed trials, and the
// trials stored in a real workspace file.
#include <atomic>
#include <cmath>
#include <thread>

#include "strata/csv.h"
#include "strata/model_store.h"
#include "strata/sql.h"
#include "strata/trainer.h"
#include "strata/tune.h"
#include "strata/workspace.h"
#include "support/churn_data.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

const Table& Churn() { return testing::ChurnTable(); }

TuneSpec Spec(nlohmann::json options) {
  options["input_label_cols"] = {"churn"};
  auto spec = TuneSpecFromOptions(options);
  EXPECT_OK(spec);
  spec->source = "churn";
  return *spec;
}

TuneOptions Threads(int threads) {
  TuneOptions o;
  o.threads = threads;
  return o;
}

TEST(TunerTest, LogisticRegressionTrialsAreRecordedAndTheBestIsTestedOnAHeldOutPart) {
  auto result = Tune(Spec({{"model_type", "LOGISTIC_REG"}, {"num_trials", 4}}), Churn(), Threads(2));
  ASSERT_OK(result);
  ASSERT_EQ(result->trials.size(), 4u);
  EXPECT_EQ(result->objective.name, "ROC_AUC");
  int optimal = 0;
  for (const TrialResult& t : result->trials) {
    EXPECT_EQ(t.status, TrialStatus::kSucceeded) << t.error_message;
    EXPECT_TRUE(t.hyperparameters.contains("l1_reg"));
    EXPECT_TRUE(t.hyperparameters.contains("l2_reg"));
    EXPECT_GT(t.objective, 0.5);
    optimal += t.is_optimal;
    EXPECT_LE(t.objective, result->trials[result->optimal_index].objective);
  }
  EXPECT_EQ(optimal, 1);
  // 80/10/10: 500 test rows held out; each trial trains on 4,000 and evaluates on 500.
  EXPECT_EQ(result->test_rows, 500);
  const TrialResult& best = result->trials[result->optimal_index];
  EXPECT_EQ(best.bundle->lineage["train_rows"], 4000);
  EXPECT_EQ(best.bundle->lineage["eval_rows"], 500);
  EXPECT_EQ(result->model.metrics["evaluated_on"], "test split");
  EXPECT_TRUE(result->model.metrics["roc_auc"].is_number());
}

// The tuned boosted tree is at least as good on evaluation data as the default options'
// trial on the same split (a one-trial "search" of the default value).
TEST(TunerTest, TunedBoostedTreeIsAtLeastAsGoodAsTheDefaultOptions) {
  nlohmann::json base = {{"model_type", "BOOSTED_TREE_CLASSIFIER"}, {"max_iterations", 10}};
  nlohmann::json defaults = base;
  defaults["num_trials"] = 1;
  defaults["max_tree_depth"] = HparamCandidates({6});
  auto default_trial = Tune(Spec(defaults), Churn(), Threads(2));
  ASSERT_OK(default_trial);
  nlohmann::json tuned = base;
  tuned["num_trials"] = 8;
  tuned["max_parallel_trials"] = 2;
  tuned["max_tree_depth"] = HparamRange(2, 10);
  tuned["learn_rate"] = HparamRange(0.05, 1);
  auto result = Tune(Spec(tuned), Churn(), Threads(2));
  ASSERT_OK(result);
  EXPECT_TRUE(result->model.lineage["tuning"]["successive_halving"].get<bool>());
  // Successive halving over max_iterations = 10: rungs of 3 and 10 rounds; trials stopped at
  // 3 rounds, and the optimal one trained with all 10.
  int stopped = 0;
  for (const TrialResult& t : result->trials) stopped += t.resource == 3;
  EXPECT_GT(stopped, 0);
  EXPECT_EQ(result->trials[result->optimal_index].resource, 10);
  EXPECT_EQ(result->trials[result->optimal_index].hyperparameters["max_iterations"], 10);
  EXPECT_GE(result->trials[result->optimal_index].objective,
            default_trial->trials[0].objective);
}

// Trials run in batches proposed from the finished ones, so thread timing changes nothing.
TEST(TunerTest, TheSameSeedGivesTheSameTrials) {
  nlohmann::json options = {{"model_type", "LOGISTIC_REG"}, {"num_trials", 5}, {"seed", 7},
                            {"max_iterations", 5}, {"max_parallel_trials", 2}};
  auto serial = Tune(Spec(options), Churn(), Threads(2));
  auto parallel = Tune(Spec(options), Churn(), Threads(2));
  ASSERT_OK(serial);
  ASSERT_OK(parallel);
  ASSERT_EQ(serial->trials.size(), parallel->trials.size());
  for (size_t i = 0; i < serial->trials.size(); ++i) {
    EXPECT_EQ(serial->trials[i].hyperparameters, parallel->trials[i].hyperparameters);
    EXPECT_NEAR(serial->trials[i].objective, parallel->trials[i].objective, 1e-9);
  }
  options["seed"] = 8;
  auto other = Tune(Spec(options), Churn(), Threads(2));
  ASSERT_OK(other);
  EXPECT_NE(serial->trials[1].hyperparameters, other->trials[1].hyperparameters);
}

TEST(TunerTest, ParallelTrialsShareTheCoresWithoutExceedingThem) {
  auto result = Tune(Spec({{"model_type", "LOGISTIC_REG"}, {"num_trials", 2},
                           {"max_parallel_trials", 5}, {"max_iterations", 3}}),
                     Churn(), Threads(2));
  ASSERT_OK(result);
  const auto& tuning = result->model.lineage["tuning"];
  EXPECT_EQ(tuning["max_parallel_trials"], 2);  // 5 asked, 2 cores
  EXPECT_EQ(tuning["threads_per_trial"], 1);
  EXPECT_LE(tuning["max_parallel_trials"].get<int>() * tuning["threads_per_trial"].get<int>(), 2);
}

TEST(TunerTest, CancelKeepsTheBestTrialSoFar) {
  std::atomic<bool> cancel{false};
  TuneOptions o = Threads(2);
  o.cancel = &cancel;
  int seen = 0;
  o.progress = [&](const TuneProgress& p) {
    ++seen;
    EXPECT_NE(p.best, nullptr);
    if (p.done >= 2) cancel.store(true);
  };
  auto result = Tune(Spec({{"model_type", "LOGISTIC_REG"}, {"num_trials", 20}, {"max_iterations", 3}}),
                     Churn(), o);
  ASSERT_OK(result);
  EXPECT_TRUE(result->cancelled);
  EXPECT_EQ(result->trials.size(), 2u);
  EXPECT_EQ(seen, 2);
  EXPECT_TRUE(result->trials[result->optimal_index].is_optimal);
}

TEST(TunerTest, AFailedTrialIsRecordedAndTheTuningGoesOn) {
  // FIXED needs threshold_target: that trial fails, the MAX_F1 one succeeds.
  auto result = Tune(Spec({{"model_type", "LOGISTIC_REG"}, {"num_trials", 2},
                           {"hparam_tuning_algorithm", "grid_search"}, {"max_iterations", 3},
                           {"threshold_objective", HparamCandidates({"MAX_F1", "FIXED"})}}),
                     Churn(), Threads(2));
  ASSERT_OK(result);
  ASSERT_EQ(result->trials.size(), 2u);
  int failed = 0;
  for (const TrialResult& t : result->trials) {
    if (t.status == TrialStatus::kFailed) {
      ++failed;
      EXPECT_THAT(t.error_message, HasSubstr("threshold_target"));
      EXPECT_FALSE(t.is_optimal);
    }
  }
  EXPECT_EQ(failed, 1);
}

TEST(TunerTest, BadTuningInputFailsBeforeAnyTrial) {
  auto objective = Tune(Spec({{"model_type", "LINEAR_REG"}, {"num_trials", 2},
                              {"hparam_tuning_objectives", {"roc_auc"}}}),
                        Churn(), Threads(2));
  ASSERT_FALSE(objective.ok());
  EXPECT_THAT(objective.status().message(), HasSubstr("R2_SCORE"));
  TuneSpec misspelt = Spec({{"model_type", "LOGISTIC_REG"}, {"num_trials", 2}});
  misspelt.options["input_label_cols"] = {"churnn"};
  auto label = Tune(misspelt, Churn(), Threads(2));
  ASSERT_FALSE(label.ok());
  EXPECT_THAT(label.status().message(), HasSubstr("churnn"));
}

TEST(TunerTest, KmeansMinimisesTheDaviesBouldinIndex) {
  TuneSpec spec = Spec({{"model_type", "KMEANS"}, {"num_trials", 3}, {"max_iterations", 5}});
  spec.options.erase("input_label_cols");
  spec.features = {"total_day_minutes", "total_eve_minutes", "total_night_minutes"};
  auto result = Tune(spec, Churn(), Threads(2));
  ASSERT_OK(result);
  EXPECT_FALSE(result->objective.maximize);
  for (const TrialResult& t : result->trials) {
    EXPECT_GE(t.objective, result->trials[result->optimal_index].objective);
  }
}

// The tuned model in a real workspace file: the optimal trial as the version, every trial
// in strata_trials, ML.TRIAL_INFO and trial_id through SQL.
TEST(TunerTest, TrialsAreStoredInTheWorkspaceAndReachableFromSql) {
  testing::TempDir dir;
  auto ws = Workspace::Open(dir.File("w.db"), {});
  ASSERT_OK(ws);
  auto result = Tune(Spec({{"model_type", "LOGISTIC_REG"}, {"num_trials", 3}, {"max_iterations", 3}}),
                     Churn(), Threads(2));
  ASSERT_OK(result);
  auto version = SaveTunedModel(**ws, "tuned", *result);
  ASSERT_OK(version);
  EXPECT_EQ(*version, 1);
  auto trials = LoadTrials(**ws, "tuned");
  ASSERT_OK(trials);
  ASSERT_EQ(trials->size(), 3u);
  const int optimal_id = result->trials[result->optimal_index].trial_id;
  for (const TrialResult& t : *trials) EXPECT_EQ(t.is_optimal, t.trial_id == optimal_id);

  auto bundle = LoadTrialBundle(**ws, "tuned", 2);
  ASSERT_OK(bundle);
  EXPECT_EQ(bundle->options["l2_reg"], result->trials[1].bundle->options["l2_reg"]);
  auto missing = LoadTrialBundle(**ws, "tuned", 9);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("trial_id can be 1, 2, 3"));

  ASSERT_OK((*ws)->WriteTable("churn", Churn()));
  SqlEngine engine(**ws);
  std::vector<Table> tables;
  ASSERT_OK(engine.Run(
      "SELECT COUNT(*) AS n, SUM(is_optimal) AS optimal, MIN(status) AS status "
      "FROM ML.TRIAL_INFO(MODEL tuned);"
      "SELECT trial_id FROM ML.TRIAL_INFO(MODEL tuned) WHERE is_optimal;"
      "SELECT COUNT(*) AS n FROM ML.PREDICT(MODEL tuned, (SELECT * FROM churn LIMIT 5), "
      "STRUCT(2 AS trial_id));"
      "SELECT roc_auc FROM ML.EVALUATE(MODEL tuned, TABLE churn, STRUCT(3 AS trial_id));",
      [&](const SqlResult& r) {
        tables.push_back(r.rows);
        return Status::Ok();
      }));
  ASSERT_EQ(tables.size(), 4u);
  EXPECT_EQ(tables[0].column(0).GetInt64(0), 3);
  EXPECT_EQ(tables[0].column(1).GetInt64(0), 1);
  EXPECT_EQ(tables[0].column(2).GetString(0), "SUCCEEDED");
  EXPECT_EQ(tables[1].column(0).GetInt64(0), optimal_id);
  EXPECT_EQ(tables[2].column(0).GetInt64(0), 5);
  EXPECT_GT(tables[3].column(0).GetFloat64(0), 0.5);
}

}  // namespace
}  // namespace strata
