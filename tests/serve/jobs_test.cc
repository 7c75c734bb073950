// /v1/jobs over real HTTP: a training job runs the core Train() in the background and its
// model version is served at once; bad jobs get 400/404; cancelling; jobs train below the
// request threads' CPU priority; and a server killed with SIGKILL during a job shows it
// interrupted after a restart, the registry intact.
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "jobs_support.h"
#include "serve_cli_support.h"
#include "serve_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

json TrainJob(const std::string& model_type, json options = json::object()) {
  return {{"type", "train"},
          {"model", "churn_model"},
          {"spec", {{"source", "churn"}, {"label", "churn"}, {"model_type", model_type}, {"options", options}}}};
}

class JobsTest : public ChurnWorkspaceTest {};

// The nice value, scheduling policy and CPU ticks (user + system) used so far of one thread
// of this process.
struct ThreadCpu {
  int nice = 0;
  int policy = SCHED_OTHER;
  long ticks = 0;
};

// Every thread of this process by id, from /proc/self/task/*/stat.
std::map<std::string, ThreadCpu> ThreadsOfThisProcess() {
  std::map<std::string, ThreadCpu> threads;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t comm_end = text.rfind(')');  // the thread's name may hold spaces
    if (comm_end == std::string::npos) continue;
    std::istringstream rest(text.substr(comm_end + 1));
    std::vector<std::string> f{std::istream_iterator<std::string>(rest), {}};
    if (f.size() < 39) continue;  // f[0] is field 3 (state): utime 14, stime 15, nice 19, policy 41
    threads[entry.path().filename().string()] = {std::stoi(f[16]), std::stoi(f[38]),
                                                 std::stol(f[11]) + std::stol(f[12])};
  }
  return threads;
}

// Runs a long training job and returns the threads that did its work: those that used 0.1 s
// of CPU since it started, while the request threads were idle.
std::vector<ThreadCpu> BusyThreadsOfAJob(const ServerOptions& options) {
  RunningServer server(options);
  auto client = server.Client();
  json slow = TrainJob("BOOSTED_TREE_CLASSIFIER", {{"max_iterations", 100000}, {"early_stop", false}});
  std::string id = JsonOf(PostJson(client, "/v1/jobs", slow))["id"];
  WaitWhile(client, id, {"queued"});
  const auto start = ThreadsOfThisProcess();
  std::vector<ThreadCpu> busy;
  // On a busy machine a low-priority job gets little CPU: wait up to 60 s for its 0.1 s.
  for (int i = 0; i < 240 && busy.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    for (const auto& [tid, now] : ThreadsOfThisProcess()) {
      auto it = start.find(tid);
      if (now.ticks - (it == start.end() ? 0 : it->second.ticks) >= 10) busy.push_back(now);
    }
  }
  client.Post(("/v1/jobs/" + id + ":cancel").c_str(), "", "application/json");
  EXPECT_EQ(WaitWhile(client, id, {"queued", "running"})["state"], "cancelled");
  return busy;
}

TEST_F(JobsTest, ATrainingJobSavesAVersionThatIsServedAtOnce) {
  RunningServer server(Options());
  auto client = server.Client();
  int before = JsonOf(client.Get("/v1/models/churn_model"))["latest_version"];
  auto res = PostJson(client, "/v1/jobs", TrainJob("LOGISTIC_REG"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  std::string id = JsonOf(res)["id"];
  json job = WaitWhile(client, id, {"queued", "running"});
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["version"], before + 1);
  EXPECT_TRUE(job["result"]["metrics"].contains("roc_auc"));
  EXPECT_FALSE(job["finished_at"].is_null());
  json listed = JsonOf(client.Get("/v1/jobs"));
  EXPECT_EQ(listed["jobs"][0]["id"], id);
  json answer = JsonOf(PostJson(client, "/v1/models/churn_model:predict", {{"instances", ChurnInstances(1)}}));
  EXPECT_EQ(answer["model_version"], std::to_string(before + 1));
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, ::testing::HasSubstr("strata_jobs{state=\"succeeded\"} "));
}

TEST_F(JobsTest, JobEventsStreamProgressUntilDone) {
  RunningServer server(Options());
  auto client = server.Client();
  auto res = PostJson(client, "/v1/jobs", TrainJob("BOOSTED_TREE_CLASSIFIER", {{"max_iterations", 30}}));
  ASSERT_TRUE(res);
  std::string id = JsonOf(res)["id"];
  auto events = client.Get(("/v1/jobs/" + id + "/events").c_str());
  ASSERT_TRUE(events);
  EXPECT_EQ(events->status, 200);
  EXPECT_THAT(events->get_header_value("Content-Type"), ::testing::HasSubstr("text/event-stream"));
  const std::string& body = events->body;
  size_t done = body.find("event: done\ndata: ");
  ASSERT_NE(done, std::string::npos) << body;
  json last = json::parse(body.substr(done + 18, body.find('\n', done + 18) - done - 18));
  EXPECT_EQ(last["state"], "succeeded");
  EXPECT_EQ(last["id"], id);
  ErrorMessage(client.Get("/v1/jobs/job_nope/events"), 404, "NOT_FOUND");
}

// An AutoML job (the console's Train button): progress with the best so far and the
// leaderboard filling in, then an AUTOML_CLASSIFIER version served at once.
TEST_F(JobsTest, AnAutoMlJobReportsItsLeaderboardAndServesTheResult) {
  RunningServer server(Options());
  auto client = server.Client();
  json request = {{"type", "automl"},
                  {"model", "churn_automl"},
                  {"spec", {{"source", "churn"}, {"label", "churn"}, {"budget_seconds", 8}, {"folds", 3}}}};
  auto res = PostJson(client, "/v1/jobs", request);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  json job = WaitWhile(client, JsonOf(res)["id"], {"queued", "running"});
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["model_type"], "AUTOML_CLASSIFIER");
  EXPECT_EQ(job["result"]["metric"], "roc_auc");
  EXPECT_FALSE(job["result"]["leaderboard"].empty());
  EXPECT_EQ(job["progress"]["stage"], "automl");
  EXPECT_FALSE(job["progress"]["leaderboard"].empty());
  EXPECT_TRUE(job["progress"]["best"].contains("score"));
  json answer = JsonOf(PostJson(client, "/v1/models/churn_automl:predict", {{"instances", ChurnInstances(2)}}));
  ASSERT_EQ(answer["predictions"].size(), 2u) << answer.dump();
  // A bad AutoML spec is refused at submission, naming the field.
  request["spec"]["budget_secs"] = 5;
  std::string m = ErrorMessage(PostJson(client, "/v1/jobs", request), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("budget_seconds"));
}

TEST_F(JobsTest, BadJobsGetClearErrors) {
  RunningServer server(Options());
  auto client = server.Client();
  std::string m = ErrorMessage(PostJson(client, "/v1/jobs", {{"type", "tunes"}}), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"predict\""));
  EXPECT_THAT(m, ::testing::HasSubstr("Did you mean 'tune'?"));
  m = ErrorMessage(PostJson(client, "/v1/jobs", {{"model", "m"}}), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"type\""));
  json extra = TrainJob("LOGISTIC_REG");
  extra["spek"] = extra["spec"];
  m = ErrorMessage(PostJson(client, "/v1/jobs", extra), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("no field \"spek\". Did you mean 'spec'?"));
  json job = TrainJob("LOGISTIC_REG");
  job.erase("model");
  m = ErrorMessage(PostJson(client, "/v1/jobs", job), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"model\""));
  job = TrainJob("LOGISTIC_REG");
  job["spec"]["sourse"] = "x";
  m = ErrorMessage(PostJson(client, "/v1/jobs", job), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("Did you mean 'source'?"));
  job = TrainJob("LOGISTIC_REG");
  job["spec"]["source"] = "chrun";
  m = ErrorMessage(PostJson(client, "/v1/jobs", job), 404, "NOT_FOUND");
  EXPECT_THAT(m, ::testing::HasSubstr("churn"));
  ErrorMessage(client.Get("/v1/jobs/job_nope"), 404, "NOT_FOUND");
  // A job with options the model type rejects fails, with the reason.
  auto res = PostJson(client, "/v1/jobs", TrainJob("LOGISTIC_REG", {{"l2_reg", -1}}));
  ASSERT_EQ(res->status, 202) << res->body;
  json failed = WaitWhile(client, JsonOf(res)["id"], {"queued", "running"});
  EXPECT_EQ(failed["state"], "failed");
  EXPECT_THAT(failed.value("error", ""), ::testing::HasSubstr("l2_reg"));
}

TEST_F(JobsTest, CancellingQueuedAndRunningJobs) {
  RunningServer server(Options());
  auto client = server.Client();
  int before = JsonOf(client.Get("/v1/models/churn_model"))["latest_version"];
  json slow = TrainJob("BOOSTED_TREE_CLASSIFIER", {{"max_iterations", 100000}, {"early_stop", false}});
  std::string running = JsonOf(PostJson(client, "/v1/jobs", slow))["id"];
  std::string queued = JsonOf(PostJson(client, "/v1/jobs", slow))["id"];
  WaitWhile(client, running, {"queued"});
  auto res = client.Post(("/v1/jobs/" + queued + ":cancel").c_str(), "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(JsonOf(res)["state"], "cancelled");
  res = client.Post(("/v1/jobs/" + running + ":cancel").c_str(), "", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(WaitWhile(client, running, {"queued", "running"})["state"], "cancelled");
  ErrorMessage(client.Post(("/v1/jobs/" + running + ":cancel").c_str(), "", "application/json"), 409,
               "FAILED_PRECONDITION");
  EXPECT_EQ(JsonOf(client.Get("/v1/models/churn_model"))["latest_version"], before);
}

// --max-jobs run at once and --max-queued-jobs wait; one more gets 429 in the error shape,
// and nothing is queued for it.
TEST_F(JobsTest, JobsRunUpToTheLimitAndAFullQueueGets429) {
  ServerOptions options = Options();
  options.max_jobs = 2;
  options.max_queued_jobs = 1;
  RunningServer server(options);
  auto client = server.Client();
  json slow = TrainJob("BOOSTED_TREE_CLASSIFIER", {{"max_iterations", 100000}, {"early_stop", false}});
  std::vector<std::string> ids;
  auto submit = [&] {
    auto res = PostJson(client, "/v1/jobs", slow);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 202) << res->body;
    ids.push_back(JsonOf(res)["id"]);
  };
  // Each waits for the one before to leave the queue (a queue of 1 holds one at a time).
  ASSERT_NO_FATAL_FAILURE(submit());
  EXPECT_EQ(WaitWhile(client, ids[0], {"queued"})["state"], "running");
  ASSERT_NO_FATAL_FAILURE(submit());
  EXPECT_EQ(WaitWhile(client, ids[1], {"queued"})["state"], "running");  // two at once
  EXPECT_EQ(JsonOf(client.Get(("/v1/jobs/" + ids[0]).c_str()))["state"], "running");
  ASSERT_NO_FATAL_FAILURE(submit());
  EXPECT_EQ(JsonOf(client.Get(("/v1/jobs/" + ids[2]).c_str()))["state"], "queued");
  const size_t listed = JsonOf(client.Get("/v1/jobs"))["jobs"].size();
  std::string message = ErrorMessage(PostJson(client, "/v1/jobs", slow), 429, "RESOURCE_EXHAUSTED");
  EXPECT_THAT(message, ::testing::HasSubstr("--max-queued-jobs"));
  EXPECT_EQ(JsonOf(client.Get("/v1/jobs"))["jobs"].size(), listed);
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    client.Post(("/v1/jobs/" + *it + ":cancel").c_str(), "", "application/json");
    EXPECT_EQ(WaitWhile(client, *it, {"queued", "running"})["state"], "cancelled");
  }
}

// --job-nice (default idle): the job's thread and the OpenMP team it starts train under
// SCHED_IDLE, so requests get the CPU first; N runs them N nice levels lower; 0 keeps them
// level. The rest of the process keeps its priority and policy.
TEST_F(JobsTest, JobsTrainBelowThePriorityOfRequests) {
  errno = 0;
  const int base = getpriority(PRIO_PROCESS, 0);  // this thread's, as the request threads'
  ASSERT_EQ(errno, 0);
  const int base_policy = sched_getscheduler(0);
  ASSERT_EQ(base_policy, SCHED_OTHER);
  EXPECT_EQ(ServerOptions().job_nice, kJobNiceIdle);
  ServerOptions options = Options();
  options.job_nice = kJobNiceIdle;
  std::vector<ThreadCpu> idle = BusyThreadsOfAJob(options);
  ASSERT_FALSE(idle.empty()) << "no thread trained";
  for (const ThreadCpu& t : idle) EXPECT_EQ(t.policy, SCHED_IDLE);
  EXPECT_EQ(sched_getscheduler(0), base_policy);

  options.job_nice = 10;
  std::vector<ThreadCpu> lowered = BusyThreadsOfAJob(options);
  ASSERT_FALSE(lowered.empty()) << "no thread trained";
  for (const ThreadCpu& t : lowered) {
    EXPECT_EQ(t.nice, std::min(19, base + 10));
    EXPECT_EQ(t.policy, SCHED_OTHER);
  }
  EXPECT_EQ(getpriority(PRIO_PROCESS, 0), base);

  options.job_nice = 0;
  std::vector<ThreadCpu> level = BusyThreadsOfAJob(options);
  ASSERT_FALSE(level.empty()) << "no thread trained";
  for (const ThreadCpu& t : level) EXPECT_EQ(t.nice, base);
}

// Batch prediction from a file to a file, as docs/server.md describes it: upload the file
// (POST /v1/datasets), run a predict job into a table, download that table. The downloaded
// file holds the uploaded rows with the Predictor's answers for them.
TEST_F(JobsTest, ABatchPredictionFromAnUploadedFileDownloadsAsAFile) {
  RunningServer server(Options());
  auto client = server.Client();
  std::istringstream all(ReadFileOrDie(SourcePath("examples/data/churn.csv")));
  std::string file, line;
  for (int i = 0; i <= 300 && std::getline(all, line); ++i) file += line + "\n";  // header + 300
  auto res = client.Post("/v1/datasets?name=to_score", file, "text/csv");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  json job = {{"type", "predict"}, {"model", "churn_model"}, {"version", 1}, {"source", "to_score"},
              {"output_table", "to_score_out"}};
  res = PostJson(client, "/v1/jobs", job);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  json done = WaitWhile(client, JsonOf(res)["id"], {"queued", "running"});
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["result"]["rows"], 300);
  auto download = client.Get("/v1/datasets/to_score_out:download?format=csv");
  ASSERT_TRUE(download);
  ASSERT_EQ(download->status, 200) << download->body;
  auto scored = ReadDataFile(dir_->Write("to_score_out.csv", download->body));
  ASSERT_OK(scored);
  ASSERT_EQ(scored->num_rows(), 300);
  auto uploaded = ReadDataFile(dir_->Write("to_score.csv", file));
  ASSERT_OK(uploaded);
  auto ws = Workspace::Open(*path_);
  ASSERT_OK(ws);
  auto predictor = Predictor::Create(ModelStore(**ws).Load("churn_model", 1).value());
  ASSERT_OK(predictor);
  auto expected = (*predictor)->Predict(*uploaded);
  ASSERT_OK(expected);
  const Column& got = *scored->GetColumn("predicted_churn").value();
  const Column& want = *expected->GetColumn("predicted_churn").value();
  const Column& state = *scored->GetColumn("state").value();
  for (int64_t r = 0; r < 300; ++r) {
    EXPECT_EQ(got.GetString(r), want.GetString(r)) << "row " << r;
    EXPECT_EQ(state.GetString(r), uploaded->GetColumn("state").value()->GetString(r)) << "row " << r;
  }
}

TEST_F(JobsTest, ABatchPredictionJobWritesATableFromATable) {
  RunningServer server(Options());
  auto client = server.Client();
  json job = {{"type", "predict"}, {"model", "churn_model"}, {"version", 1}, {"source", "churn"},
              {"output_table", "churn_scored"}};
  auto res = PostJson(client, "/v1/jobs", job);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  json done = WaitWhile(client, JsonOf(res)["id"], {"queued", "running"});
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["result"]["rows"], 5000);
  EXPECT_EQ(done["result"]["version"], 1);
  EXPECT_EQ(done["type"], "predict");
  // The table holds what the Predictor gives on the same rows.
  auto ws = Workspace::Open(*path_);
  ASSERT_OK(ws);
  auto scored = (*ws)->ReadTable("churn_scored");
  ASSERT_OK(scored);
  ASSERT_EQ(scored->num_rows(), 5000);
  auto input = (*ws)->ReadTable("churn", 3);
  auto predictor = Predictor::Create(ModelStore(**ws).Load("churn_model", 1).value());
  auto expected = (*predictor)->Predict(*input);
  ASSERT_OK(expected);
  for (int64_t r = 0; r < 3; ++r) {
    EXPECT_EQ(scored->GetColumn("predicted_churn_probs").value()->GetString(r),
              expected->GetColumn("predicted_churn_probs").value()->GetString(r));
  }
  // Writing it again needs "replace".
  res = PostJson(client, "/v1/jobs", job);
  EXPECT_EQ(WaitWhile(client, JsonOf(res)["id"], {"queued", "running"})["state"], "failed");
  job["replace"] = true;
  res = PostJson(client, "/v1/jobs", job);
  EXPECT_EQ(WaitWhile(client, JsonOf(res)["id"], {"queued", "running"})["state"], "succeeded");
  job.erase("output_table");
  std::string m = ErrorMessage(PostJson(client, "/v1/jobs", job), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"output_table\""));
  job["output_table"] = "x";
  job["model"] = "churn_modl";
  m = ErrorMessage(PostJson(client, "/v1/jobs", job), 404, "NOT_FOUND");
  EXPECT_THAT(m, ::testing::HasSubstr("Did you mean 'churn_model'?"));
}

// A server killed with SIGKILL leaves a running and a queued job; after a restart both show
// interrupted (with a last log line saying so), the registry is intact, and a retry of the
// queued one (POST :retry) runs its stored request to the end as a new job.
TEST(JobsRestartTest, AServerKilledDuringAJobShowsItInterruptedAfterRestart) {
  TempDir dir;
  std::string workspace = MakeChurnWorkspace(dir);
  std::string id, queued;
  {
    Child child({"--workspace", workspace, "serve", "--port", "0"});
    int port = ServedPort(child);
    ASSERT_GT(port, 0) << child.err();
    httplib::Client client("127.0.0.1", port);
    json slow = TrainJob("BOOSTED_TREE_CLASSIFIER", {{"max_iterations", 100000}, {"early_stop", false}});
    auto res = PostJson(client, "/v1/jobs", slow);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 202) << res->body;
    id = JsonOf(res)["id"];
    json quick = TrainJob("LOGISTIC_REG");
    quick["model"] = "churn_retried";
    res = PostJson(client, "/v1/jobs", quick);
    ASSERT_TRUE(res);
    queued = JsonOf(res)["id"];
    EXPECT_EQ(WaitWhile(client, id, {"queued"})["state"], "running");
    kill(child.pid(), SIGKILL);
    EXPECT_EQ(child.Wait(), 128 + SIGKILL);
  }
  Child child({"--workspace", workspace, "serve", "--port", "0"});
  int port = ServedPort(child);
  ASSERT_GT(port, 0) << child.err();
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(30));
  for (const std::string& left : {id, queued}) {
    EXPECT_EQ(JsonOf(client.Get(("/v1/jobs/" + left).c_str()))["state"], "interrupted");
    json logs = JsonOf(client.Get(("/v1/jobs/" + left + "/logs").c_str()))["logs"];
    ASSERT_FALSE(logs.empty());
    EXPECT_THAT(logs.back()["message"].get<std::string>(), ::testing::StartsWith("interrupted"));
  }
  json model = JsonOf(client.Get("/v1/models/churn_model"));
  EXPECT_EQ(model["latest_version"], 2);
  EXPECT_EQ(JsonOf(PostJson(client, "/v1/models/churn_model:predict", {{"instances", ChurnInstances(1)}}))
                ["model_version"], "2");

  auto res = client.Post(("/v1/jobs/" + queued + ":retry").c_str(), "", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  std::string retry = JsonOf(res)["id"];
  EXPECT_EQ(JsonOf(res)["retry_of"], queued);
  json job = WaitWhile(client, retry, {"queued", "running"});
  EXPECT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_EQ(job["retry_of"], queued);
  EXPECT_EQ(job["request"], JsonOf(client.Get(("/v1/jobs/" + queued).c_str()))["request"]);
  EXPECT_EQ(job["result"]["version"], 1);
  EXPECT_EQ(JsonOf(client.Get("/v1/models/churn_retried"))["latest_version"], 1);
  json logs = JsonOf(client.Get(("/v1/jobs/" + queued + "/logs").c_str()))["logs"];
  EXPECT_EQ(logs.back()["message"], "retried as " + retry);
  ErrorMessage(client.Post(("/v1/jobs/" + retry + ":retry").c_str(), "", "application/json"), 409,
               "FAILED_PRECONDITION");
  kill(child.pid(), SIGTERM);
  EXPECT_EQ(child.Wait(), 0) << child.err();
}

}  // namespace
}  // namespace strata::testing
