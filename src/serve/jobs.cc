#include "serve/jobs.h"

#include <fmt/format.h>

#include <chrono>
#include <random>

#include "strata/model_store.h"
#include "strata/predictor.h"
#include "strata/trainer.h"
#include "strata/automl.h"
#include "workspace/catalog.h"
#include "workspace/sqlite_db.h"

namespace strata::serve {
namespace {

using nlohmann::json;

std::string NewJobId() {
  std::random_device random;
  return fmt::format("job_{:08x}{:08x}", random(), random());
}

constexpr std::string_view kColumns =
    "SELECT id, type, state, model, request, progress, result, error, created_at, started_at, "
    "finished_at FROM strata_jobs ";

json ReadJob(const SqliteStatement& q) {
  auto text = [&](int c) { return q.ColumnIsNull(c) ? json(nullptr) : json(std::string(q.ColumnText(c))); };
  auto parsed = [&](int c) { return json::parse(q.ColumnText(c), nullptr, /*allow_exceptions=*/false); };
  json job = {{"id", text(0)},       {"type", text(1)},       {"state", text(2)},
              {"model", text(3)},    {"request", parsed(4)},  {"progress", parsed(5)},
              {"result", parsed(6)}, {"created_at", text(8)}, {"started_at", text(9)},
              {"finished_at", text(10)}};
  if (!q.ColumnText(7).empty()) job["error"] = text(7);
  return job;
}

}  // namespace

Result<std::unique_ptr<JobQueue>> JobQueue::Create(const std::string& workspace_path, int workers,
                                                   int max_queued) {
  OpenOptions open;
  open.create = false;
  STRATA_ASSIGN_OR_RETURN(auto workspace, Workspace::Open(workspace_path, open));
  // A job left queued or running belonged to a process that is gone.
  STRATA_RETURN_IF_ERROR(workspace->db().Exec(
      "UPDATE strata_jobs SET state = 'interrupted', error = 'the server stopped before the job "
      "finished', finished_at = " + QuoteLiteral(NowUtc()) + " WHERE state IN ('queued', 'running')"));
  std::unique_ptr<JobQueue> queue(new JobQueue(std::move(workspace), workspace_path, max_queued));
  for (int i = 0; i < std::max(1, workers); ++i) queue->workers_.emplace_back([q = queue.get()] { q->Work(); });
  return queue;
}

JobQueue::JobQueue(std::unique_ptr<Workspace> workspace, std::string path, int max_queued)
    : workspace_(std::move(workspace)), path_(std::move(path)), max_queued_(max_queued) {}

JobQueue::~JobQueue() { Shutdown(); }

Result<json> JobQueue::Submit(const json& request) {
  if (!request.is_object()) {
    return InvalidArgument("a job is a JSON object {\"type\": \"train\", \"automl\" or \"predict\", ...}");
  }
  auto job = std::make_shared<Job>();
  job->type = request.value("type", "");
  if (job->type != "train" && job->type != "automl" && job->type != "predict") {
    return InvalidArgument(fmt::format("job type '{}' is not supported; use \"type\": \"train\", "
                                       "\"automl\" or \"predict\"", job->type));
  }
  if (!request.contains("model") || !request["model"].is_string() || request["model"].get<std::string>().empty()) {
    return InvalidArgument(job->type != "predict"
                               ? "the job lacks the field \"model\": the name to save the trained model as"
                               : "the job lacks the field \"model\": the model to predict with");
  }
  job->model = request["model"].get<std::string>();
  if (job->type == "train") {
    if (!request.contains("spec")) return InvalidArgument("the job lacks the field \"spec\" (a TrainSpec)");
    STRATA_ASSIGN_OR_RETURN(job->spec, TrainSpec::FromJson(request["spec"]));
    if (job->spec.source.empty()) {
      return InvalidArgument("\"spec.source\" must name a workspace table (jobs train from tables; "
                             "load files with `strata collect`)");
    }
    job->source = job->spec.source;
    job->request = {{"type", "train"}, {"model", job->model}, {"spec", job->spec.ToJson()}};
  } else if (job->type == "automl") {
    if (!request.contains("spec")) {
      return InvalidArgument("the job lacks the field \"spec\" (an AutoML spec: source, label, budget_seconds, ...)");
    }
    STRATA_ASSIGN_OR_RETURN(job->automl, AutoMlSpec::FromJson(request["spec"]));
    if (job->automl.source.empty()) {
      return InvalidArgument("\"spec.source\" must name a workspace table (jobs train from tables; "
                             "load files with `strata collect`)");
    }
    job->source = job->automl.source;
    job->request = {{"type", "automl"}, {"model", job->model}, {"spec", job->automl.ToJson()}};
  } else {
    for (const char* field : {"source", "output_table"}) {
      if (!request.contains(field) || !request[field].is_string() || request[field].get<std::string>().empty()) {
        return InvalidArgument(fmt::format("the job lacks the field \"{}\": a workspace table name", field));
      }
    }
    job->source = request["source"].get<std::string>();
    job->output_table = request["output_table"].get<std::string>();
    if (request.contains("version")) {
      if (!request["version"].is_number_integer() || request["version"].get<int64_t>() < 1) {
        return InvalidArgument("\"version\" must be a version number (1, 2, ...)");
      }
      job->version = request["version"].get<int>();
    }
    if (request.contains("replace")) {
      if (!request["replace"].is_boolean()) return InvalidArgument("\"replace\" must be true or false");
      job->replace = request["replace"].get<bool>();
    }
    job->request = {{"type", "predict"}, {"model", job->model}, {"source", job->source},
                    {"output_table", job->output_table}, {"replace", job->replace}};
    if (job->version) job->request["version"] = *job->version;
  }
  job->id = NewJobId();
  std::lock_guard lock(mutex_);
  if (stopping_) return Cancelled("the server is shutting down");
  if (static_cast<int>(queue_.size()) >= max_queued_) {
    return ResourceExhausted(fmt::format("{} jobs are already queued (the limit); wait for some to "
                                         "finish", queue_.size()));
  }
  if (!workspace_->HasTable(job->source)) return workspace_->DescribeTable(job->source).status();
  if (job->type == "predict") {
    ModelStore store(*workspace_);
    if (!store.Has(job->model)) return store.Versions(job->model).status();  // NotFound, suggestion
  }
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      workspace_->db().Prepare("INSERT INTO strata_jobs(id, type, state, model, request, created_at) "
                               "VALUES (?1, ?5, 'queued', ?2, ?3, ?4)"));
  STRATA_RETURN_IF_ERROR(insert.BindText(1, job->id));
  STRATA_RETURN_IF_ERROR(insert.BindText(2, job->model));
  STRATA_RETURN_IF_ERROR(insert.BindText(3, job->request.dump()));
  STRATA_RETURN_IF_ERROR(insert.BindText(4, NowUtc()));
  STRATA_RETURN_IF_ERROR(insert.BindText(5, job->type));
  STRATA_RETURN_IF_ERROR(insert.Run());
  queue_.push_back(job);
  wake_.notify_one();
  return json({{"id", job->id}, {"state", "queued"}});
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

Result<json> JobQueue::Cancel(std::string_view id) {
  {
    std::lock_guard lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if ((*it)->id != id) continue;
      std::string job_id = (*it)->id;
      queue_.erase(it);
      STRATA_RETURN_IF_ERROR(workspace_->db().Exec(fmt::format(
          "UPDATE strata_jobs SET state = 'cancelled', finished_at = {} WHERE id = {}",
          QuoteLiteral(NowUtc()), QuoteLiteral(job_id))));
      return json({{"id", job_id}, {"state", "cancelled"}});
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
    workspace_->db()
        .Exec("UPDATE strata_jobs SET state = 'interrupted', error = 'the server stopped before "
              "the job started', finished_at = " + QuoteLiteral(NowUtc()) + " WHERE id = " +
              QuoteLiteral(job->id))
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
    WriteState(job->id, outcome.state, outcome.result, outcome.error).IgnoreError();
  }
}

Status JobQueue::WriteState(const std::string& id, std::string_view state, const json& result,
                            std::string_view error) {
  bool finished = state != "running";
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement update,
      workspace_->db().Prepare(fmt::format(
          "UPDATE strata_jobs SET state = ?2, result = ?3, error = ?4, {} = ?5 WHERE id = ?1",
          finished ? "finished_at" : "started_at")));
  STRATA_RETURN_IF_ERROR(update.BindText(1, id));
  STRATA_RETURN_IF_ERROR(update.BindText(2, state));
  STRATA_RETURN_IF_ERROR(update.BindText(3, result.dump(-1, ' ', false, json::error_handler_t::replace)));
  STRATA_RETURN_IF_ERROR(update.BindText(4, error));
  STRATA_RETURN_IF_ERROR(update.BindText(5, NowUtc()));
  return update.Run();
}

Status JobQueue::SaveProgress(const std::string& id, const json& progress) {
  std::lock_guard lock(mutex_);
  STRATA_ASSIGN_OR_RETURN(SqliteStatement update,
                          workspace_->db().Prepare("UPDATE strata_jobs SET progress = ?2 WHERE id = ?1"));
  STRATA_RETURN_IF_ERROR(update.BindText(1, id));
  STRATA_RETURN_IF_ERROR(update.BindText(2, progress.dump()));
  return update.Run();
}

JobQueue::Outcome JobQueue::Run(Job& job) {
  {
    std::lock_guard lock(mutex_);
    WriteState(job.id, "running", json::object(), "").IgnoreError();
  }
  Result<json> result = job.type == "train"    ? Train(job)
                        : job.type == "automl" ? AutoMl(job)
                                               : BatchPredict(job);
  if (result.ok()) return {"succeeded", *result, ""};
  bool stopping = false;
  {
    std::lock_guard lock(mutex_);
    stopping = stopping_;
  }
  std::string state = !job.cancel ? "failed" : stopping ? "interrupted" : "cancelled";
  return {state, json::object(), result.status().ToString()};
}

// Each job has its own connection: reading data and saving results do not hold the queue.
Result<JobQueue::JobInput> JobQueue::ReadJobInput(const std::string& table) const {
  OpenOptions open;
  open.create = false;
  JobInput input;
  STRATA_ASSIGN_OR_RETURN(input.workspace, Workspace::Open(path_, open));
  STRATA_ASSIGN_OR_RETURN(input.data, input.workspace->ReadTable(table));
  STRATA_ASSIGN_OR_RETURN(TableInfo info, input.workspace->DescribeTable(table));
  input.fingerprint = info.fingerprint;
  return input;
}

Result<json> JobQueue::Train(Job& job) {
  STRATA_ASSIGN_OR_RETURN(JobInput input, ReadJobInput(job.spec.source));
  TrainOptions options;
  options.cancel = &job.cancel;
  options.data_fingerprint = input.fingerprint;
  std::mutex progress_mutex;
  auto last = std::chrono::steady_clock::time_point();
  options.progress = [&](const Progress& p) {
    std::lock_guard lock(progress_mutex);
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(200) && p.done != p.total) return;
    last = now;
    json progress = {{"stage", std::string(p.stage)}, {"done", p.done}, {"total", p.total}};
    if (p.total > 0) progress["percent"] = 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total);
    SaveProgress(job.id, progress).IgnoreError();
  };
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle, strata::Train(job.spec, std::move(input.data), options));
  STRATA_ASSIGN_OR_RETURN(int version, ModelStore(*input.workspace).Save(job.model, bundle));
  return json({{"model", job.model}, {"version", version}, {"metrics", bundle.metrics}});
}

// AutoML in the background: progress after each configuration with the best so far and the
// leaderboard filling in; a cancel keeps the best model found so far, as Ctrl-C does.
Result<json> JobQueue::AutoMl(Job& job) {
  STRATA_ASSIGN_OR_RETURN(JobInput input, ReadJobInput(job.automl.source));
  AutoMlOptions options;
  options.cancel = &job.cancel;
  json leaderboard = json::array();
  options.on_progress = [&](const AutoMlEvent& e) {
    leaderboard.push_back({{"name", e.last->name}, {"model_type", e.last->model_type},
                           {"score", e.last->score}, {"score_std", e.last->score_std},
                           {"fit_seconds", e.last->fit_seconds}});
    json progress = {{"stage", "automl"},
                     {"done", e.done},
                     {"elapsed_seconds", e.elapsed_seconds},
                     {"budget_seconds", e.budget_seconds},
                     {"percent", std::min(100.0, 100.0 * e.elapsed_seconds / e.budget_seconds)},
                     {"metric", e.metric},
                     {"best", {{"name", e.best->name}, {"score", e.best->score}}},
                     {"leaderboard", leaderboard}};
    SaveProgress(job.id, progress).IgnoreError();
  };
  STRATA_ASSIGN_OR_RETURN(AutoMlResult result, RunAutoMl(job.automl, input.data, options));
  result.bundle.lineage["data_fingerprint"] = input.fingerprint;
  STRATA_ASSIGN_OR_RETURN(int version, ModelStore(*input.workspace).Save(job.model, result.bundle));
  return json({{"model", job.model},
               {"version", version},
               {"model_type", result.bundle.model_type},
               {"metric", result.metric},
               {"score", result.ensemble_score},
               {"stopped_early", result.cancelled},
               {"metrics", result.bundle.metrics},
               {"leaderboard", result.bundle.eval_summary["leaderboard"]}});
}

Result<json> JobQueue::BatchPredict(Job& job) {
  OpenOptions open;
  open.create = false;
  STRATA_ASSIGN_OR_RETURN(auto workspace, Workspace::Open(path_, open));
  ModelStore store(*workspace);
  STRATA_ASSIGN_OR_RETURN(std::vector<ModelVersionInfo> versions, store.Versions(job.model));
  int version = job.version.value_or(versions.empty() ? 0 : versions.back().version);
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle, store.Load(job.model, version));
  STRATA_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(std::move(bundle)));
  SaveProgress(job.id, {{"stage", "reading"}}).IgnoreError();
  STRATA_ASSIGN_OR_RETURN(Table input, workspace->ReadTable(job.source));
  SaveProgress(job.id, {{"stage", "predicting"}, {"done", 0}, {"total", input.num_rows()}}).IgnoreError();
  STRATA_ASSIGN_OR_RETURN(Table out, predictor->Predict(input));
  if (job.cancel) return Cancelled("the job was cancelled before its predictions were written");
  WriteTableOptions write;
  write.mode = job.replace ? WriteMode::kReplace : WriteMode::kCreate;
  write.source = fmt::format("strata serve job {} ({} version {})", job.id, job.model, version);
  STRATA_RETURN_IF_ERROR(workspace->WriteTable(job.output_table, out, write));
  SaveProgress(job.id, {{"stage", "predicting"}, {"done", out.num_rows()}, {"total", out.num_rows()},
                        {"percent", 100.0}}).IgnoreError();
  return json({{"model", job.model}, {"version", version}, {"output_table", job.output_table},
               {"rows", out.num_rows()}});
}

}  // namespace strata::serve
