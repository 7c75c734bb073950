// The job queue's machinery: storing jobs and their log lines, the workers, cancel and
// retry. What each job type does is in job_runs.cc; how requests are checked in
// job_requests.cc.
#include "serve/jobs.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <random>

#include "strata/model_store.h"
#include "strata/server.h"
#include "workspace/catalog.h"
#include "workspace/sqlite_db.h"

namespace strata::serve {
namespace {

using nlohmann::json;

std::string NewJobId() {
  std::random_device random;
  return fmt::format("job_{:08x}{:08x}", random(), random());
}

// UTC with milliseconds: log lines of one second stay readable in order.
std::string LogTime() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &utc);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{}.{:03d}", buffer, ms);
}

// A log line for a job that is not in memory (one left by a stopped server, one retried),
// numbered after its last line.
std::string AppendLogSql(std::string_view where, std::string_view level, std::string_view message) {
  return fmt::format(
      "INSERT INTO strata_job_logs(job_id, seq, time, level, message) SELECT id, "
      "COALESCE((SELECT MAX(seq) FROM strata_job_logs WHERE job_id = strata_jobs.id), 0) + 1, "
      "{}, {}, {} FROM strata_jobs WHERE {}",
      QuoteLiteral(LogTime()), QuoteLiteral(level), QuoteLiteral(message), where);
}

constexpr std::string_view kColumns =
    "SELECT id, type, state, model, request, progress, result, error, created_at, started_at, "
    "finished_at, retry_of FROM strata_jobs ";

json ReadJob(const SqliteStatement& q) {
  auto text = [&](int c) { return q.ColumnIsNull(c) ? json(nullptr) : json(std::string(q.ColumnText(c))); };
  auto parsed = [&](int c) { return json::parse(q.ColumnText(c), nullptr, /*allow_exceptions=*/false); };
  json job = {{"id", text(0)},       {"type", text(1)},       {"state", text(2)},
              {"model", text(3)},    {"request", parsed(4)},  {"progress", parsed(5)},
              {"result", parsed(6)}, {"created_at", text(8)}, {"started_at", text(9)},
              {"finished_at", text(10)}};
  if (!q.ColumnText(7).empty()) job["error"] = text(7);
  if (!q.ColumnIsNull(11)) job["retry_of"] = text(11);
  return job;
}

bool Finished(std::string_view state) { return state != "queued" && state != "running"; }

// Lowers the calling thread's CPU priority: to Linux's SCHED_IDLE policy for kJobNiceIdle,
// else by `steps` nice levels (at most to 19). Both are per thread on Linux and inherited by
// the threads it creates (XGBoost's OpenMP team, AutoML's trial threads), so the whole job
// runs below the request threads. SCHED_IDLE rather than nice 19: a waking request thread
// preempts an idle-policy thread at once, where a niced one may finish its time slice first.
void LowerThreadPriority(int steps) {
  if (steps == 0) return;
  if (steps == kJobNiceIdle) {
    sched_param param{};
    param.sched_priority = 0;
    int error = pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
    if (error == 0) return;
    fmt::print(stderr, "strata serve: warning: could not run a job thread under SCHED_IDLE: {}; "
                       "it runs 19 nice levels lower instead\n", std::strerror(error));
    steps = 19;
  }
  const id_t thread = static_cast<id_t>(gettid());
  errno = 0;
  int current = getpriority(PRIO_PROCESS, thread);  // -1 is also a valid nice value
  int target = std::min(19, (errno == 0 ? current : 0) + steps);
  if (setpriority(PRIO_PROCESS, thread, target) != 0) {
    fmt::print(stderr, "strata serve: warning: could not lower the priority of a job thread to "
                       "nice {}: {}; jobs run at the server's priority\n", target, std::strerror(errno));
  }
}

}  // namespace

Result<std::unique_ptr<JobQueue>> JobQueue::Create(const std::string& workspace_path, int workers,
                                                   int max_queued, int nice) {
  OpenOptions open;
  open.create = false;
  STRATA_ASSIGN_OR_RETURN(auto workspace, Workspace::Open(workspace_path, open));
  {
    // A job left queued or running belonged to a process that is gone.
    STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(workspace->db()));
    constexpr std::string_view kLeft = "state IN ('queued', 'running')";
    STRATA_RETURN_IF_ERROR(workspace->db().Exec(AppendLogSql(
        kLeft, "error", "interrupted: the server stopped before the job finished; "
                        "POST /v1/jobs/{id}:retry runs it again")));
    STRATA_RETURN_IF_ERROR(workspace->db().Exec(
        "UPDATE strata_jobs SET state = 'interrupted', error = 'the server stopped before the job "
        "finished', finished_at = " + QuoteLiteral(NowUtc()) + " WHERE " + std::string(kLeft)));
    STRATA_RETURN_IF_ERROR(tx.Commit());
  }
  std::unique_ptr<JobQueue> queue(new JobQueue(std::move(workspace), workspace_path, max_queued));
  for (int i = 0; i < std::max(1, workers); ++i) {
    queue->workers_.emplace_back([q = queue.get(), nice] {
      LowerThreadPriority(nice);
      q->Work();
    });
  }
  return queue;
}

JobQueue::JobQueue(std::unique_ptr<Workspace> workspace, std::string path, int max_queued)
    : workspace_(std::move(workspace)), path_(std::move(path)), max_queued_(max_queued) {}

JobQueue::~JobQueue() { Shutdown(); }

Result<json> JobQueue::Submit(const json& request) {
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<Job> job, ParseRequest(request));
  return Enqueue(std::move(job));
}

Result<json> JobQueue::Enqueue(std::shared_ptr<Job> job) {
  job->id = NewJobId();
  std::lock_guard lock(mutex_);
  if (stopping_) return Cancelled("the server is shutting down");
  if (static_cast<int>(queue_.size()) >= max_queued_) {
    return ResourceExhausted(fmt::format("{} jobs are already queued (the limit, "
                                         "--max-queued-jobs); wait for some to finish",
                                         queue_.size()));
  }
  if (!workspace_->HasTable(job->source)) return workspace_->DescribeTable(job->source).status();
  if (job->type == "predict" || job->type == "evaluate") {
    ModelStore store(*workspace_);
    // NotFound with a suggestion for a misspelt model.
    STRATA_ASSIGN_OR_RETURN(std::vector<ModelVersionInfo> versions, store.Versions(job->model));
    bool found = !job->version;
    for (const ModelVersionInfo& v : versions) found = found || v.version == *job->version;
    if (!found) {
      return NotFound(fmt::format("model '{}' has no version {}; GET /v1/models/{}/versions lists "
                                  "them", job->model, *job->version, job->model));
    }
  }
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(workspace_->db()));
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      workspace_->db().Prepare("INSERT INTO strata_jobs(id, type, state, model, request, created_at, "
                               "retry_of) VALUES (?1, ?5, 'queued', ?2, ?3, ?4, ?6)"));
  STRATA_RETURN_IF_ERROR(insert.BindText(1, job->id));
  STRATA_RETURN_IF_ERROR(insert.BindText(2, job->model));
  STRATA_RETURN_IF_ERROR(insert.BindText(3, job->request.dump()));
  STRATA_RETURN_IF_ERROR(insert.BindText(4, NowUtc()));
  STRATA_RETURN_IF_ERROR(insert.BindText(5, job->type));
  if (job->retry_of.empty()) {
    STRATA_RETURN_IF_ERROR(insert.BindNull(6));
  } else {
    STRATA_RETURN_IF_ERROR(insert.BindText(6, job->retry_of));
  }
  STRATA_RETURN_IF_ERROR(insert.Run());
  job->pending_logs.push_back(
      {++job->last_seq, LogTime(), "info",
       job->retry_of.empty() ? fmt::format("queued: {} job for model '{}'", job->type, job->model)
                             : fmt::format("queued: {} job for model '{}', retrying {}", job->type,
                                           job->model, job->retry_of)});
  STRATA_RETURN_IF_ERROR(WritePendingLogs(*job));
  if (!job->retry_of.empty()) {
    STRATA_RETURN_IF_ERROR(workspace_->db().Exec(
        AppendLogSql("id = " + QuoteLiteral(job->retry_of), "info", "retried as " + job->id)));
  }
  STRATA_RETURN_IF_ERROR(tx.Commit());
  job->last_write = std::chrono::steady_clock::now();
  queue_.push_back(job);
  wake_.notify_one();
  json answer = {{"id", job->id}, {"state", "queued"}};
  if (!job->retry_of.empty()) answer["retry_of"] = job->retry_of;
  return answer;
}

Result<json> JobQueue::Get(std::string_view id) {
  std::lock_guard lock(mutex_);
  STRATA_ASSIGN_OR_RETURN(SqliteStatement q,
                          workspace_->db().Prepare(std::string(kColumns) + "WHERE id = ?1"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, id));
  STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NotFound(fmt::format("no job '{}'; GET /v1/jobs lists them", id));
  return ReadJob(q);
}

Result<json> JobQueue::List() {
  std::lock_guard lock(mutex_);
  STRATA_ASSIGN_OR_RETURN(SqliteStatement q, workspace_->db().Prepare(
                                                 std::string(kColumns) + "ORDER BY created_at DESC, rowid DESC"));
  json jobs = json::array();
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    jobs.push_back(ReadJob(q));
  }
  return jobs;
}

Result<json> JobQueue::Logs(std::string_view id, int64_t after) {
  std::lock_guard lock(mutex_);
  // One read transaction, so the state and the lines agree (a finished job's last line, its
  // outcome, is written with its state).
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::BeginRead(workspace_->db()));
  STRATA_ASSIGN_OR_RETURN(SqliteStatement state,
                          workspace_->db().Prepare("SELECT state FROM strata_jobs WHERE id = ?1"));
  STRATA_RETURN_IF_ERROR(state.BindText(1, id));
  STRATA_ASSIGN_OR_RETURN(bool found, state.Step());
  if (!found) return NotFound(fmt::format("no job '{}'; GET /v1/jobs lists them", id));
  json out = {{"id", std::string(id)}, {"state", std::string(state.ColumnText(0))}, {"logs", json::array()}};
  STRATA_ASSIGN_OR_RETURN(SqliteStatement q,
                          workspace_->db().Prepare("SELECT seq, time, level, message FROM strata_job_logs "
                                                   "WHERE job_id = ?1 AND seq > ?2 ORDER BY seq"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, id));
  STRATA_RETURN_IF_ERROR(q.BindInt64(2, after));
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out["logs"].push_back({{"seq", q.ColumnInt64(0)},
                           {"time", std::string(q.ColumnText(1))},
                           {"level", std::string(q.ColumnText(2))},
                           {"message", std::string(q.ColumnText(3))}});
  }
  return out;
}

Result<json> JobQueue::Cancel(std::string_view id) {
  {
    std::lock_guard lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if ((*it)->id != id) continue;
      std::shared_ptr<Job> job = *it;
      queue_.erase(it);
      job->pending_logs.push_back({++job->last_seq, LogTime(), "info", "cancelled before it started"});
      STRATA_RETURN_IF_ERROR(WriteState(*job, "cancelled", json::object(), ""));
      return json({{"id", job->id}, {"state", "cancelled"}});
    }
    if (auto it = running_.find(std::string(id)); it != running_.end()) {
      it->second->cancel = true;
      return json({{"id", it->first}, {"state", "cancelling"}});
    }
  }
  STRATA_ASSIGN_OR_RETURN(json job, Get(id));
  return FailedPrecondition(fmt::format("job '{}' has already finished ({})", id,
                                        job["state"].get<std::string>()));
}

Result<json> JobQueue::Retry(std::string_view id) {
  STRATA_ASSIGN_OR_RETURN(json old, Get(id));
  const std::string state = old.value("state", "");
  if (!Finished(state) || state == "succeeded") {
    return FailedPrecondition(fmt::format(
        "job '{}' is {}; only a failed, cancelled or interrupted job can be retried", id, state));
  }
  // The stored request is checked again: the table or model may have gone since.
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<Job> job, ParseRequest(old["request"]));
  job->retry_of = std::string(id);
  return Enqueue(std::move(job));
}

void JobQueue::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [id, job] : running_) job->cancel = true;
    wake_.notify_all();
  }
  for (std::thread& t : workers_) t.join();
  // Jobs still queued never started; a restarted server shows them interrupted.
  std::lock_guard lock(mutex_);
  for (const auto& job : queue_) {
    job->pending_logs.push_back({++job->last_seq, LogTime(), "error",
                                 "interrupted: the server stopped before the job started"});
    WriteState(*job, "interrupted", json::object(), "the server stopped before the job started")
        .IgnoreError();
  }
  queue_.clear();
}

std::map<std::string, int64_t> JobQueue::CountByState() {
  std::map<std::string, int64_t> counts;
  std::lock_guard lock(mutex_);
  auto q = workspace_->db().Prepare("SELECT state, COUNT(*) FROM strata_jobs GROUP BY state");
  if (!q.ok()) return counts;
  while (true) {
    auto row = q->Step();
    if (!row.ok() || !*row) break;
    counts[std::string(q->ColumnText(0))] = q->ColumnInt64(1);
  }
  return counts;
}

void JobQueue::Work() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
      running_[job->id] = job;
    }
    Outcome outcome = Run(*job);
    // One critical section, so a cancel never finds a job finished in the table but still
    // in running_.
    std::lock_guard lock(mutex_);
    running_.erase(job->id);
    job->pending_logs.push_back({++job->last_seq, LogTime(),
                                 outcome.state == "succeeded" ? "info" : "error",
                                 outcome.error.empty() ? outcome.state
                                                       : outcome.state + ": " + outcome.error});
    WriteState(*job, outcome.state, outcome.result, outcome.error).IgnoreError();
  }
}

void JobQueue::Log(Job& job, std::string_view level, std::string message) {
  std::lock_guard lock(mutex_);
  job.pending_logs.push_back({++job.last_seq, LogTime(), std::string(level), std::move(message)});
  // Batched: at most about four writes a second per job.
  if (std::chrono::steady_clock::now() - job.last_write < std::chrono::milliseconds(250)) return;
  auto tx = SqliteTransaction::Begin(workspace_->db());
  if (!tx.ok() || !WritePendingLogs(job).ok()) return;  // kept pending for the next write
  if (tx->Commit().ok()) job.last_write = std::chrono::steady_clock::now();
}

Status JobQueue::WritePendingLogs(Job& job) {
  if (job.pending_logs.empty()) return Status::Ok();
  STRATA_ASSIGN_OR_RETURN(SqliteStatement insert,
                          workspace_->db().Prepare("INSERT INTO strata_job_logs(job_id, seq, time, "
                                                   "level, message) VALUES (?1, ?2, ?3, ?4, ?5)"));
  for (const LogLine& line : job.pending_logs) {
    STRATA_RETURN_IF_ERROR(insert.BindText(1, job.id));
    STRATA_RETURN_IF_ERROR(insert.BindInt64(2, line.seq));
    STRATA_RETURN_IF_ERROR(insert.BindText(3, line.time));
    STRATA_RETURN_IF_ERROR(insert.BindText(4, line.level));
    STRATA_RETURN_IF_ERROR(insert.BindText(5, line.message));
    STRATA_RETURN_IF_ERROR(insert.Run());
    STRATA_RETURN_IF_ERROR(insert.Reset());
  }
  job.pending_logs.clear();
  return Status::Ok();
}

Status JobQueue::WriteState(Job& job, std::string_view state, const json& result,
                            std::string_view error) {
  bool finished = state != "running";
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(workspace_->db()));
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement update,
      workspace_->db().Prepare(fmt::format(
          "UPDATE strata_jobs SET state = ?2, result = ?3, error = ?4, {} = ?5 WHERE id = ?1",
          finished ? "finished_at" : "started_at")));
  STRATA_RETURN_IF_ERROR(update.BindText(1, job.id));
  STRATA_RETURN_IF_ERROR(update.BindText(2, state));
  STRATA_RETURN_IF_ERROR(update.BindText(3, result.dump(-1, ' ', false, json::error_handler_t::replace)));
  STRATA_RETURN_IF_ERROR(update.BindText(4, error));
  STRATA_RETURN_IF_ERROR(update.BindText(5, NowUtc()));
  STRATA_RETURN_IF_ERROR(update.Run());
  STRATA_RETURN_IF_ERROR(WritePendingLogs(job));
  STRATA_RETURN_IF_ERROR(tx.Commit());
  job.last_write = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status JobQueue::SaveProgress(Job& job, const json& progress) {
  std::lock_guard lock(mutex_);
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(workspace_->db()));
  STRATA_ASSIGN_OR_RETURN(SqliteStatement update,
                          workspace_->db().Prepare("UPDATE strata_jobs SET progress = ?2 WHERE id = ?1"));
  STRATA_RETURN_IF_ERROR(update.BindText(1, job.id));
  STRATA_RETURN_IF_ERROR(update.BindText(2, progress.dump(-1, ' ', false, json::error_handler_t::replace)));
  STRATA_RETURN_IF_ERROR(update.Run());
  STRATA_RETURN_IF_ERROR(WritePendingLogs(job));
  STRATA_RETURN_IF_ERROR(tx.Commit());
  job.last_write = std::chrono::steady_clock::now();
  return Status::Ok();
}

JobQueue::Outcome JobQueue::Run(Job& job) {
  {
    std::lock_guard lock(mutex_);
    job.pending_logs.push_back({++job.last_seq, LogTime(), "info", "started"});
    WriteState(job, "running", json::object(), "").IgnoreError();
  }
  Result<json> result = job.type == "train"      ? Train(job)
                        : job.type == "automl"   ? AutoMl(job)
                        : job.type == "tune"     ? Tune(job)
                        : job.type == "evaluate" ? Evaluate(job)
                                                 : BatchPredict(job);
  if (result.ok()) return {"succeeded", *result, ""};
  bool stopping = false;
  {
    std::lock_guard lock(mutex_);
    stopping = stopping_;
  }
  std::string state = !job.cancel ? "failed" : stopping ? "interrupted" : "cancelled";
  json partial = job.partial_result.is_null() ? json::object() : job.partial_result;
  return {state, partial, result.status().ToString()};
}

}  // namespace strata::serve
