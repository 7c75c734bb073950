// Background jobs of the server: a bounded queue run by worker threads. A training job calls
// the core Train() and saves the bundle as the model's next version; a batch prediction job
// runs Predictor::Predict over a workspace table into another table. Every
// job is a row of strata_jobs (state, progress, result, error), written through the
// queue's own workspace connection, so a restarted server shows each job's true state:
// jobs that were queued or running when the process died are marked "interrupted" at start.
//
// States: queued -> running -> succeeded | failed | cancelled | interrupted (the server
// stopped while it ran).
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
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
#include "strata/workspace.h"

namespace strata::serve {

class JobQueue {
 public:
  // Opens its own connection to the workspace and marks leftover queued/running jobs
  // interrupted. `workers` jobs run at once; at most `max_queued` wait.
  static Result<std::unique_ptr<JobQueue>> Create(const std::string& workspace_path, int workers,
                                                  int max_queued);
  ~JobQueue();

  // Queues a job: {"type": "train", "model": NAME, "spec": TrainSpec JSON} or
  // {"type": "predict", "model": NAME, "version": N (optional), "source": TABLE,
  //  "output_table": TABLE, "replace": false}. Fields are checked now (InvalidArgument,
  // NotFound for a missing table or model); ResourceExhausted when the queue is full.
  Result<nlohmann::json> Submit(const nlohmann::json& request);
  // One job / every job, newest first, as JSON.
  Result<nlohmann::json> Get(std::string_view id);
  Result<nlohmann::json> List();
  // Cancels a queued or running job; FailedPrecondition for a finished one.
  Result<nlohmann::json> Cancel(std::string_view id);
  // Stops the workers: running jobs are cancelled and marked interrupted.
  void Shutdown();
  // Jobs by state, for /metrics.
  std::map<std::string, int64_t> CountByState();

 private:
  struct Job {
    std::string id;
    std::string type;    // "train", "automl" or "predict"
    std::string model;
    std::string source;  // the workspace table read
    TrainSpec spec;      // train
    AutoMlSpec automl;   // automl
    std::optional<int> version;  // predict: the model version (default: the latest)
    std::string output_table;    // predict
    bool replace = false;        // predict: replace output_table if it exists
    nlohmann::json request;      // as stored in strata_jobs
    std::atomic<bool> cancel{false};
  };
  // A job's training table, read on the job's own connection (kept for saving the model),
  // with the fingerprint the model's lineage records.
  struct JobInput {
    std::unique_ptr<Workspace> workspace;
    Table data;
    std::string fingerprint;
  };
  Result<JobInput> ReadJobInput(const std::string& table) const;
  Result<nlohmann::json> Train(Job& job);
  Result<nlohmann::json> AutoMl(Job& job);
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
  // Writes a job's state; the caller holds mutex_.
  Status WriteState(const std::string& id, std::string_view state, const nlohmann::json& result,
                    std::string_view error);
  Status SaveProgress(const std::string& id, const nlohmann::json& progress);

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
