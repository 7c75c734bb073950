// Evaluation and tuning jobs over real HTTP: an evaluation job's metrics are the core
// Evaluate()'s and `strata evaluate`'s on the same table; a tuning job runs its trials,
// reports done/total and the best so far, and stores the trials and a model version; a
// cancelled tuning stays cancelled with nothing saved; wrong shapes are 400s naming the field.
#include <functional>

#include "jobs_support.h"
#include "serve_fixture.h"
#include "strata/tune.h"

namespace strata::testing {
namespace {

using nlohmann::json;

class JobTypesTest : public ChurnWorkspaceTest {};

json Submit(httplib::Client& client, const json& request) {
  auto res = PostJson(client, "/v1/jobs", request);
  EXPECT_TRUE(res);
  if (!res) return nullptr;
  EXPECT_EQ(res->status, 202) << res->body;
  return WaitWhile(client, JsonOf(res)["id"], {"queued", "running"});
}

// Evaluate(version 2 of churn_model, the churn table), as the core computes it.
json CoreEvaluate(const std::string& workspace, std::optional<double> threshold) {
  auto ws = Workspace::Open(workspace);
  EXPECT_OK(ws);
  auto bundle = ModelStore(**ws).Load("churn_model", 2);
  EXPECT_OK(bundle);
  auto data = (*ws)->ReadTable("churn");
  EXPECT_OK(data);
  auto metrics = Evaluate(*bundle, *data, threshold);
  EXPECT_OK(metrics);
  return *metrics;
}

TEST_F(JobTypesTest, AnEvaluationJobGivesTheCoreMetricsAndCurves) {
  RunningServer server(Options());
  auto client = server.Client();
  json job = Submit(client, {{"type", "evaluate"}, {"model", "churn_model"}, {"version", 2}, {"source", "churn"}});
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  const json& result = job["result"];
  json expected = CoreEvaluate(*path_, std::nullopt);
  json summary = expected["summary"];
  expected.erase("summary");
  EXPECT_EQ(result["metrics"], expected);
  EXPECT_EQ(result["version"], 2);
  EXPECT_EQ(result["rows"], 5000);
  EXPECT_EQ(result["curves"]["roc_curve"], summary["roc_curve"]);
  EXPECT_EQ(result["curves"]["calibration"].size(), 10u);
  EXPECT_EQ(result["summary"]["confusion_matrix"], summary["confusion_matrix"]);
  EXPECT_FALSE(result["summary"].contains("roc_curve"));

  // The same numbers as `strata evaluate --format json` on the same table.
  CommandResult cli = RunStrata({"--workspace", *path_, "evaluate", "churn_model", "--version", "2",
                                 "--table", "churn", "--format", "json"},
                                dir_->path());
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  json printed = json::parse(cli.out);
  for (const char* metric : {"roc_auc", "log_loss", "precision", "recall", "f1_score", "threshold"}) {
    EXPECT_EQ(result["metrics"][metric], printed[metric]) << metric;
  }

  // A threshold is the one Evaluate() takes; the latest version by default.
  job = Submit(client, {{"type", "evaluate"}, {"model", "churn_model"}, {"source", "churn"}, {"threshold", 0.3}});
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  expected = CoreEvaluate(*path_, 0.3);
  expected.erase("summary");
  EXPECT_EQ(job["result"]["metrics"], expected);
  EXPECT_EQ(job["result"]["metrics"]["threshold"], 0.3);

  json bad = {{"type", "evaluate"}, {"model", "churn_model"}, {"source", "churn"}, {"threshold", 2}};
  std::string m = ErrorMessage(PostJson(client, "/v1/jobs", bad), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"threshold\""));
  bad = {{"type", "evaluate"}, {"model", "churn_model"}, {"source", "churn"}, {"version", 9}};
  m = ErrorMessage(PostJson(client, "/v1/jobs", bad), 404, "NOT_FOUND");
  EXPECT_THAT(m, ::testing::HasSubstr("no version 9"));
  bad = {{"type", "evaluate"}, {"model", "churn_model"}};
  m = ErrorMessage(PostJson(client, "/v1/jobs", bad), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"source\""));
}

json TuneJob(const std::string& model, int trials) {
  return {{"type", "tune"},
          {"model", model},
          {"source", "churn"},
          {"spec", {{"label", "churn"}, {"model_type", "LOGISTIC_REG"},
                    {"options", {{"l2_reg", HparamRange(0, 5)}}}}},
          {"num_trials", trials},
          {"algorithm", "random"}};
}

TEST_F(JobTypesTest, ATuningJobStoresItsTrialsAndTheOptimalModel) {
  RunningServer server(Options());
  auto client = server.Client();
  json job = Submit(client, TuneJob("churn_tuned", 3));
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  const json& result = job["result"];
  EXPECT_EQ(result["model"], "churn_tuned");
  EXPECT_EQ(result["version"], 1);
  EXPECT_EQ(result["objective"], "ROC_AUC");
  EXPECT_EQ(result["algorithm"], "RANDOM_SEARCH") << result.dump();
  ASSERT_EQ(result["trials"].size(), 3u);
  EXPECT_EQ(job["progress"]["done"], 3);
  EXPECT_EQ(job["progress"]["total"], 3);
  EXPECT_EQ(job["progress"]["percent"], 100.0);
  EXPECT_EQ(job["progress"]["best_metric"]["name"], "roc_auc");
  // The best so far is the optimal trial's objective.
  for (const json& t : result["trials"]) {
    if (t["is_optimal"] == true) {
      EXPECT_EQ(job["progress"]["best_metric"]["value"], t["objective"]);
      EXPECT_EQ(result["optimal_trial_id"], t["trial_id"]);
    }
  }
  // Stored as `strata tune` stores: the trials (ML.TRIAL_INFO) and a served version.
  auto ws = Workspace::Open(*path_);
  ASSERT_OK(ws);
  auto trials = LoadTrials(**ws, "churn_tuned");
  ASSERT_OK(trials);
  EXPECT_EQ(trials->size(), 3u);
  json model = JsonOf(client.Get("/v1/models/churn_tuned"));
  EXPECT_EQ(model["latest_version"], 1);
  json answer = JsonOf(PostJson(client, "/v1/models/churn_tuned:predict", {{"instances", ChurnInstances(1)}}));
  EXPECT_EQ(answer["predictions"].size(), 1u) << answer.dump();
  // A log line per trial.
  json logs = JsonOf(client.Get(("/v1/jobs/" + job["id"].get<std::string>() + "/logs").c_str()));
  std::string text = logs["logs"].dump();
  EXPECT_THAT(text, ::testing::HasSubstr("trial 3/3"));
  EXPECT_THAT(text, ::testing::HasSubstr("roc_auc="));
}

TEST_F(JobTypesTest, CancellingATuningJobKeepsItCancelled) {
  RunningServer server(Options());
  auto client = server.Client();
  json slow = {{"type", "tune"},
               {"model", "churn_slow_tune"},
               {"source", "churn"},
               {"spec", {{"label", "churn"}, {"model_type", "BOOSTED_TREE_CLASSIFIER"},
                         {"options", {{"max_iterations", 100000}, {"early_stop", false},
                                      {"max_tree_depth", HparamCandidates({2, 3})}}}}},
               {"num_trials", 4},
               {"algorithm", "random"}};
  auto res = PostJson(client, "/v1/jobs", slow);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  std::string id = JsonOf(res)["id"];
  EXPECT_EQ(WaitWhile(client, id, {"queued"})["state"], "running");
  res = client.Post(("/v1/jobs/" + id + ":cancel").c_str(), "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(JsonOf(res)["state"], "cancelling");
  json job = WaitWhile(client, id, {"running"});
  EXPECT_EQ(job["state"], "cancelled") << job.dump();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(JsonOf(client.Get(("/v1/jobs/" + id).c_str()))["state"], "cancelled");
  ErrorMessage(client.Get("/v1/models/churn_slow_tune"), 404, "NOT_FOUND");
  json logs = JsonOf(client.Get(("/v1/jobs/" + id + "/logs").c_str()));
  ASSERT_FALSE(logs["logs"].empty());
  EXPECT_THAT(logs["logs"].back()["message"].get<std::string>(), ::testing::StartsWith("cancelled"));
}

TEST_F(JobTypesTest, BadTuningJobsNameTheField) {
  RunningServer server(Options());
  auto client = server.Client();
  struct Case {
    std::function<void(json&)> change;
    int status;
    std::string code, message;
  };
  const Case cases[] = {
      {[](json& j) { j.erase("num_trials"); }, 400, "INVALID_ARGUMENT", "\"num_trials\""},
      {[](json& j) { j["num_trails"] = 3; }, 400, "INVALID_ARGUMENT", "Did you mean 'num_trials'?"},
      {[](json& j) { j["num_trials"] = 500; }, 400, "INVALID_ARGUMENT", "num_trials: 500 is out of range"},
      {[](json& j) { j["objective"] = "roc"; }, 400, "INVALID_ARGUMENT", "field \"objective\""},
      {[](json& j) { j["algorithm"] = "annealing"; }, 400, "INVALID_ARGUMENT", "field \"algorithm\""},
      {[](json& j) { j["spec"]["options"] = {{"l2_regg", HparamRange(0, 1)}}; }, 400, "INVALID_ARGUMENT",
       "Did you mean 'l2_reg'?"},
      {[](json& j) { j.erase("source"); }, 400, "INVALID_ARGUMENT", "\"source\""},
      {[](json& j) { j["source"] = "chrun"; }, 404, "NOT_FOUND", "churn"},
  };
  for (const Case& c : cases) {
    json job = TuneJob("t", 3);
    c.change(job);
    std::string m = ErrorMessage(PostJson(client, "/v1/jobs", job), c.status, c.code);
    EXPECT_THAT(m, ::testing::HasSubstr(c.message)) << job.dump();
  }
}

}  // namespace
}  // namespace strata::testing
