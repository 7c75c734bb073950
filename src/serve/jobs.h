// Background jobs of the server: a bounded queue run by worker threads. A training job calls
// the core Train() and saves the bundle as the model's next version; an AutoML job runs
// RunAutoMl; a tuning job runs Tune() and saves the optimal trial with SaveTunedModel; an
// evaluation job runs Evaluate() on a table; a batch prediction job runs Predictor::Predict
// over a workspace table into another table. Every job is a row of strata_jobs (state,
// progress, result, error) with its log lines in strata_job_logs, written through the
// queue's own workspace connection, so a restarted server shows each job's true state:
// jobs that were queued or running when the process died are marked "interrupted" at start,
// and Retry() queues such a job's request again.
//
// States: queued -> running -> succeeded | failed | cancelled | interrupted (the server
// stopped while it ran).
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "strata/automl.h"
#include "strata/status.h"
#include "strata/train_spec.h"
#include "strata/tune.h"
#include "strata/workspace.h"

namespace strata::serve {

class JobQueue {
 public:
  // Opens its own connection to the workspace and marks leftover queued/running jobs
  // interrupted. `workers` jobs run at once; at most `max_queued` wait. Job threads, and the threads they
  // start, run below the server's CPU priority: `nice` is ServerOptions::job_nice.
  static Result<std::unique_ptr<JobQueue>> Create(const std::string& workspace_path, int workers,
                                                  int max_queued, int nice);
  ~JobQueue();

  // Queues a job of type "train", "automl", "tune", "evaluate" or "predict" (fields in
  // docs/server.md). Fields are checked now (InvalidArgument naming the field, NotFound for
  // a missing table, model or version); ResourceExhausted when the queue is full.
  Result<nlohmann::json> Submit(const nlohmann::json& request);
  // One job / every job, newest first, as JSON.
  Result<nlohmann::json> Get(std::string_view id);
  Result<nlohmann::json> List();
  // The job's log lines after line `after` (0: all), oldest first, with the job's state:
  // {"id", "state", "logs": [{"seq", "time", "level", "message"}]}. NotFound for no job.
  Result<nlohmann::json> Logs(std::string_view id, int64_t after);
  // Cancels a queued or running job; FailedPrecondition for a finished one.
  Result<nlohmann::json> Cancel(std::string_view id);
  // Queues the stored request of a failed, cancelled or interrupted job again as a new job
  // whose "retry_of" is `id` (how a job cut off by a server stop is resumed after a
  // restart). FailedPrecondition for a queued, running or succeeded job.
  Result<nlohmann::json> Retry(std::string_view id);
  // Stops the workers: running jobs are cancelled and marked interrupted.
  void Shutdown();
  // Jobs by state, for /metrics.
  std::map<std::string, int64_t> CountByState();

 private:
  struct LogLine {
    int64_t seq = 0;
    std::string time, level, message;
  };
  struct Job {
    std::string id;
    std::string type;    // "train", "automl", "tune", "evaluate" or "predict"
    std::string model;
    std::string source;  // the workspace table read
    TrainSpec spec;      // train
    AutoMlSpec automl;   // automl
    TuneSpec tune;       // tune
    std::optional<int> version;  // predict, evaluate: the model version (default: the latest)
    std::string output_table;    // predict
    bool replace = false;        // predict: replace output_table if it exists
    std::optional<double> threshold;  // evaluate: a binary model's decision threshold
    nlohmann::json request;      // as stored in strata_jobs
    std::string retry_of;        // the job this one retries, if any
    std::atomic<bool> cancel{false};
    // Guarded by the queue's mutex_: log lines not yet written, the last line's number and
    // when the job's row was last written (log lines are batched into those writes).
    std::vector<LogLine> pending_logs;
    int64_t last_seq = 0;
    std::chrono::steady_clock::time_point last_write;
    nlohmann::json partial_result;  // what a cancelled job leaves (a tuning's finished trials)
  };
  // A job's training table, read on the job's own connection (kept for saving the model),
  // with the fingerprint the model's lineage records.
  struct JobInput {
    std::unique_ptr<Workspace> workspace;
    Table data;
    std::string fingerprint;
  };
  // job_requests.cc: checks a request's fields and builds the job (and its stored request).
  static Result<std::shared_ptr<Job>> ParseRequest(const nlohmann::json& request);
  // Checks the job's table and model exist, stores it queued and queues it.
  Result<nlohmann::json> Enqueue(std::shared_ptr<Job> job);

  // job_runs.cc: the work of each job type.
  Result<JobInput> ReadJobInput(const std::string& table) const;
  Result<nlohmann::json> Train(Job& job);
  Result<nlohmann::json> AutoMl(Job& job);
  Result<nlohmann::json> Tune(Job& job);
  Result<nlohmann::json> Evaluate(Job& job);
  Result<nlohmann::json> BatchPredict(Job& job);
  // How a job ended.
  struct Outcome {
    std::string state;
    nlohmann::json result;
    std::string error;
  };
  JobQueue(std::unique_ptr<Workspace> workspace, std::string path, int max_queued);
  void Work();
  Outcome Run(Job& job);
  // Adds a line ("info", "warning" or "error") to the job's log. It is written with the
  // job's next progress or state write, or at once when the row was not written for 250 ms.
  void Log(Job& job, std::string_view level, std::string message);
  // Writes a job's state with its pending log lines, in one transaction; the caller holds
  // mutex_. "running" sets started_at, the final states finished_at.
  Status WriteState(Job& job, std::string_view state, const nlohmann::json& result,
                    std::string_view error);
  // Writes a job's progress with its pending log lines, in one transaction.
  Status SaveProgress(Job& job, const nlohmann::json& progress);
  // Writes the pending log lines; the caller holds mutex_ and a transaction.
  Status WritePendingLogs(Job& job);

  std::unique_ptr<Workspace> workspace_;  // used under mutex_
  std::string path_;
  int max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::map<std::string, std::shared_ptr<Job>> running_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace strata::serve
