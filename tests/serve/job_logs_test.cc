// Job logs and retries over real HTTP: a training job's log lines (queued, started, stages,
// boosting rounds, the outcome) arrive over SSE as "log" events read until the stream ends,
// and GET /logs?after=SEQ pages through the same lines; train progress carries the step and
// the best loss so far; a cancelled job is retried as a new job (the retry of a job
// interrupted by a killed server is in jobs_test.cc's restart test); open event streams hold
// no request thread.
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "jobs_support.h"
#include "serve_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

json TrainJob(const std::string& model, json options) {
  return {{"type", "train"},
          {"model", model},
          {"spec", {{"source", "churn"}, {"label", "churn"}, {"model_type", "BOOSTED_TREE_CLASSIFIER"},
                    {"options", options}}}};
}

class JobLogsTest : public ChurnWorkspaceTest {};

TEST_F(JobLogsTest, LogLinesArriveOverSseAndFromTheLogsRoute) {
  RunningServer server(Options());
  auto client = server.Client();
  auto res = PostJson(client, "/v1/jobs", TrainJob("churn_logged", {{"max_iterations", 40}, {"early_stop", false}}));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  std::string id = JsonOf(res)["id"];

  // A real HTTP client reads the stream until the server ends it with "done".
  auto stream = client.Get(("/v1/jobs/" + id + "/events").c_str());
  ASSERT_TRUE(stream);
  ASSERT_EQ(stream->status, 200);
  std::vector<SseEvent> events = ParseSse(stream->body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().event, "done");
  EXPECT_EQ(events.back().data["state"], "succeeded");
  std::vector<json> lines;
  int progress = 0;
  for (const SseEvent& e : events) {
    if (e.event == "progress") ++progress;
    if (e.event != "log") continue;
    EXPECT_EQ(e.id, std::to_string(e.data["seq"].get<int64_t>()));
    lines.push_back(e.data);
  }
  EXPECT_GE(progress, 1);
  ASSERT_GE(lines.size(), 5u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i]["seq"], static_cast<int64_t>(i + 1));  // every line, in order, once
    EXPECT_FALSE(lines[i]["time"].get<std::string>().empty());
  }
  EXPECT_THAT(lines.front()["message"].get<std::string>(), ::testing::StartsWith("queued"));
  EXPECT_EQ(lines[1]["message"], "started");
  std::string all = json(lines).dump();
  EXPECT_THAT(all, ::testing::HasSubstr("boosting round 40/40: loss "));
  EXPECT_THAT(all, ::testing::HasSubstr("saved model 'churn_logged' version 1"));
  EXPECT_EQ(lines.back()["message"], "succeeded");

  // The same lines from /logs, and the ones after a given line.
  json logs = JsonOf(client.Get(("/v1/jobs/" + id + "/logs").c_str()));
  EXPECT_EQ(logs["state"], "succeeded");
  EXPECT_EQ(logs["logs"], json(lines));
  logs = JsonOf(client.Get(("/v1/jobs/" + id + "/logs?after=2").c_str()));
  ASSERT_EQ(logs["logs"].size(), lines.size() - 2);
  EXPECT_EQ(logs["logs"][0]["seq"], 3);
  // A reconnecting SSE client (Last-Event-ID) gets only what it missed.
  stream = client.Get(("/v1/jobs/" + id + "/events").c_str(),
                      httplib::Headers{{"Last-Event-ID", std::to_string(lines.size() - 1)}});
  ASSERT_TRUE(stream);
  events = ParseSse(stream->body);
  ASSERT_EQ(events.size(), 2u) << stream->body;
  EXPECT_EQ(events[0].data, lines.back());
  EXPECT_EQ(events[1].event, "done");
  std::string m = ErrorMessage(client.Get(("/v1/jobs/" + id + "/logs?after=x").c_str()), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"after\""));
  ErrorMessage(client.Get("/v1/jobs/job_nope/logs"), 404, "NOT_FOUND");

  // Progress names the step and the best evaluation loss so far.
  json job = JsonOf(client.Get(("/v1/jobs/" + id).c_str()));
  EXPECT_EQ(job["progress"]["best_metric"]["name"], "eval_loss") << job.dump();
  EXPECT_TRUE(job["progress"]["best_metric"]["value"].is_number());
  EXPECT_TRUE(job["progress"]["step"].is_string());
}

TEST_F(JobLogsTest, ATrainingJobReportsItsStepWhileRunning) {
  RunningServer server(Options());
  auto client = server.Client();
  json slow = TrainJob("churn_slow", {{"max_iterations", 100000}, {"early_stop", false}});
  std::string id = JsonOf(PostJson(client, "/v1/jobs", slow))["id"];
  json job;
  for (int i = 0; i < 3000; ++i) {
    job = JsonOf(client.Get(("/v1/jobs/" + id).c_str()));
    if (job["progress"].value("stage", "") == "training" && job["progress"].contains("best_metric")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_THAT(job["progress"].value("step", ""), ::testing::MatchesRegex("boosting round [0-9]+/100000"));
  EXPECT_GT(job["progress"]["percent"].get<double>(), 0.0);
  EXPECT_EQ(job["progress"]["best_metric"]["name"], "eval_loss");
  // Log lines grow while it runs.
  size_t before = JsonOf(client.Get(("/v1/jobs/" + id + "/logs").c_str()))["logs"].size();
  size_t after = before;
  for (int i = 0; i < 500 && after == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    after = JsonOf(client.Get(("/v1/jobs/" + id + "/logs").c_str()))["logs"].size();
  }
  EXPECT_GT(after, before);
  auto res = client.Post(("/v1/jobs/" + id + ":cancel").c_str(), "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(WaitWhile(client, id, {"running"})["state"], "cancelled");
  // A cancelled job can be retried; a queued/running or succeeded one cannot.
  res = client.Post(("/v1/jobs/" + id + ":retry").c_str(), "", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  std::string retry = JsonOf(res)["id"];
  EXPECT_EQ(JsonOf(res)["retry_of"], id);
  WaitWhile(client, retry, {"queued"});
  std::string m = ErrorMessage(client.Post(("/v1/jobs/" + retry + ":retry").c_str(), "", "application/json"),
                               409, "FAILED_PRECONDITION");
  EXPECT_THAT(m, ::testing::HasSubstr("running"));
  client.Post(("/v1/jobs/" + retry + ":cancel").c_str(), "", "application/json");
  EXPECT_EQ(WaitWhile(client, retry, {"running"})["retry_of"], id);
  ErrorMessage(client.Post("/v1/jobs/job_nope:retry", "", "application/json"), 404, "NOT_FOUND");
}

// An event stream holds no request thread while it waits for news: with --threads 2, six
// clients follow a running job while the other routes still answer, and every stream ends
// with "done" when the job is cancelled.
TEST_F(JobLogsTest, OpenEventStreamsHoldNoRequestThread) {
  ServerOptions options = Options();
  options.threads = 2;
  RunningServer server(options);
  auto client = server.Client();
  json slow = TrainJob("churn_followed", {{"max_iterations", 100000}, {"early_stop", false}});
  std::string id = JsonOf(PostJson(client, "/v1/jobs", slow))["id"];
  WaitWhile(client, id, {"queued"});

  constexpr int kStreams = 6;
  std::vector<std::string> bodies(kStreams);
  std::vector<std::atomic<bool>> started(kStreams);
  std::vector<std::thread> followers;
  auto join_followers = [&] {
    for (std::thread& follower : followers) follower.join();
    followers.clear();
  };
  // A test that stops early still cancels the job, which ends every stream, and joins.
  OnScopeExit finally{[&] {
    if (followers.empty()) return;
    client.Post(("/v1/jobs/" + id + ":cancel").c_str(), "", "application/json");
    join_followers();
  }};
  for (int i = 0; i < kStreams; ++i) {
    followers.emplace_back([&, i] {
      httplib::Client follower = server.Client();
      follower.Get(("/v1/jobs/" + id + "/events").c_str(), [&, i](const char* data, size_t n) {
        bodies[i].append(data, n);
        if (bodies[i].find("event: progress") != std::string::npos) started[i] = true;
        return true;
      });
    });
  }
  auto all_started = [&] {
    return std::all_of(started.begin(), started.end(), [](const std::atomic<bool>& s) { return s.load(); });
  };
  for (int i = 0; i < 3000 && !all_started(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(all_started()) << "not every event stream was answered";

  // Routes that run on request threads answer while the streams stay open (with a thread
  // per stream, these would wait for a job that never ends and time out).
  for (int i = 0; i < 5; ++i) {
    auto listed = client.Get("/v1/jobs");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->status, 200);
  }

  auto res = client.Post(("/v1/jobs/" + id + ":cancel").c_str(), "", "application/json");
  ASSERT_TRUE(res);
  join_followers();
  for (const std::string& body : bodies) {
    std::vector<SseEvent> events = ParseSse(body);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().event, "done") << body;
    EXPECT_EQ(events.back().data["state"], "cancelled");
  }
}

}  // namespace
}  // namespace strata::testing
