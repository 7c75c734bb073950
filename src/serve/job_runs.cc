// What each job type does: one core call (Train, RunAutoMl, Tune, Evaluate,
// Predictor::Predict) on the job's own workspace connection, with progress (stage,
// done/total, percent, the current step, the best metric so far) and log lines.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>

#include "serve/jobs.h"
#include "strata/model_store.h"
#include "strata/predictor.h"
#include "strata/trainer.h"
#include "strata/tune.h"

namespace strata::serve {
namespace {

using nlohmann::json;

// The headline metrics of a metrics JSON, for a log line: "roc_auc=0.912 accuracy=0.87".
std::string MetricsLine(const json& metrics) {
  std::string line;
  for (const char* name : {"roc_auc", "pr_auc", "accuracy", "f1_score", "log_loss", "r2_score",
                           "mean_absolute_error", "root_mean_squared_error", "davies_bouldin_index"}) {
    if (!metrics.contains(name) || !metrics[name].is_number()) continue;
    line += fmt::format("{}{}={:.4g}", line.empty() ? "" : " ", name, metrics[name].get<double>());
  }
  return line;
}

// A model version on a job's own connection (the latest when `version` is unset).
struct JobModel {
  std::unique_ptr<Workspace> workspace;
  ModelBundle bundle;
  int version = 0;
};

Result<JobModel> LoadJobModel(const std::string& path, const std::string& name, std::optional<int> version) {
  OpenOptions open;
  open.create = false;
  JobModel model;
  STRATA_ASSIGN_OR_RETURN(model.workspace, Workspace::Open(path, open));
  ModelStore store(*model.workspace);
  STRATA_ASSIGN_OR_RETURN(std::vector<ModelVersionInfo> versions, store.Versions(name));
  model.version = version.value_or(versions.empty() ? 0 : versions.back().version);
  STRATA_ASSIGN_OR_RETURN(model.bundle, store.Load(name, model.version));
  return model;
}

double Percent(int64_t done, int64_t total) {
  return total > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 0.0;
}

}  // namespace

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

// Training: progress at most five times a second (and at each stage), with the step
// ("boosting round 40/100") and the best loss so far (on the evaluation part when there is
// one); a log line per stage and at most one a second while training, plus the last round.
Result<json> JobQueue::Train(Job& job) {
  STRATA_ASSIGN_OR_RETURN(JobInput input, ReadJobInput(job.spec.source));
  Log(job, "info", fmt::format("training {} on {} rows of table '{}'", job.spec.model_type,
                               input.data.num_rows(), job.spec.source));
  std::string type = job.spec.model_type;
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::toupper(c); });
  const std::string unit = type.starts_with("BOOSTED_TREE") ? "boosting round"
                           : type.starts_with("RANDOM_FOREST") ? "round"
                                                               : "iteration";
  TrainOptions options;
  options.cancel = &job.cancel;
  options.data_fingerprint = input.fingerprint;
  std::mutex progress_mutex;
  struct {
    std::chrono::steady_clock::time_point saved, logged;
    std::string stage;
    std::string best_name;
    double best = std::nan("");
    std::string unlogged;  // the latest training line not yet logged
  } state;
  options.progress = [&](const Progress& p) {
    std::lock_guard lock(progress_mutex);
    auto now = std::chrono::steady_clock::now();
    const bool training = p.stage == "training";
    const bool has_eval = std::isfinite(p.eval_loss);
    const double watched = has_eval ? p.eval_loss : p.loss;
    if (training && std::isfinite(watched) && !(watched >= state.best)) {
      state.best = watched;
      state.best_name = has_eval ? "eval_loss" : "loss";
    }
    const std::string step = training && p.total > 0 ? fmt::format("{} {}/{}", unit, p.done, p.total)
                                                     : std::string(p.stage);
    const bool new_stage = p.stage != state.stage;
    if (new_stage) {
      if (!state.unlogged.empty()) Log(job, "info", std::move(state.unlogged));
      state.unlogged.clear();
      state.stage = std::string(p.stage);
      Log(job, "info", state.stage);
    }
    if (training) {
      std::string line = step;
      if (std::isfinite(p.loss)) line += fmt::format(": loss {:.5g}", p.loss);
      if (has_eval) line += fmt::format(", eval_loss {:.5g}", p.eval_loss);
      if (std::isfinite(state.best)) line += fmt::format(" (best {} {:.5g})", state.best_name, state.best);
      if (now - state.logged >= std::chrono::seconds(1) || p.done == p.total) {
        Log(job, "info", std::move(line));
        state.logged = now;
        state.unlogged.clear();
      } else {
        state.unlogged = std::move(line);
      }
    }
    if (!new_stage && now - state.saved < std::chrono::milliseconds(200) && p.done != p.total) return;
    state.saved = now;
    json progress = {{"stage", std::string(p.stage)}, {"done", p.done}, {"total", p.total}, {"step", step}};
    if (p.total > 0) progress["percent"] = Percent(p.done, p.total);
    if (std::isfinite(state.best)) progress["best_metric"] = {{"name", state.best_name}, {"value", state.best}};
    SaveProgress(job, progress).IgnoreError();
  };
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle, strata::Train(job.spec, std::move(input.data), options));
  STRATA_ASSIGN_OR_RETURN(int version, ModelStore(*input.workspace).Save(job.model, bundle));
  Log(job, "info", fmt::format("saved model '{}' version {}: {}", job.model, version, MetricsLine(bundle.metrics)));
  return json({{"model", job.model}, {"version", version}, {"metrics", bundle.metrics}});
}

// AutoML in the background: progress after each configuration with the best so far and the
// leaderboard filling in; a cancel keeps the best model found so far, as Ctrl-C does.
Result<json> JobQueue::AutoMl(Job& job) {
  STRATA_ASSIGN_OR_RETURN(JobInput input, ReadJobInput(job.automl.source));
  Log(job, "info", fmt::format("AutoML on {} rows of table '{}' for {} s", input.data.num_rows(),
                               job.automl.source, job.automl.budget_seconds));
  AutoMlOptions options;
  options.cancel = &job.cancel;
  json leaderboard = json::array();
  options.on_progress = [&](const AutoMlEvent& e) {
    leaderboard.push_back({{"name", e.last->name}, {"model_type", e.last->model_type},
                           {"score", e.last->score}, {"score_std", e.last->score_std},
                           {"fit_seconds", e.last->fit_seconds}});
    Log(job, "info", fmt::format("configuration {}: {} {}={:.4f} (best {} {:.4f})", e.done, e.last->name,
                                 e.metric, e.last->score, e.best->name, e.best->score));
    json progress = {{"stage", "automl"},
                     {"done", e.done},
                     {"elapsed_seconds", e.elapsed_seconds},
                     {"budget_seconds", e.budget_seconds},
                     {"percent", std::min(100.0, 100.0 * e.elapsed_seconds / e.budget_seconds)},
                     {"step", fmt::format("configuration {}", e.done)},
                     {"metric", e.metric},
                     {"best", {{"name", e.best->name}, {"score", e.best->score}}},
                     {"best_metric", {{"name", e.metric}, {"value", e.best->score}}},
                     {"leaderboard", leaderboard}};
    SaveProgress(job, progress).IgnoreError();
  };
  STRATA_ASSIGN_OR_RETURN(AutoMlResult result, RunAutoMl(job.automl, input.data, options));
  result.bundle.lineage["data_fingerprint"] = input.fingerprint;
  STRATA_ASSIGN_OR_RETURN(int version, ModelStore(*input.workspace).Save(job.model, result.bundle));
  Log(job, "info", fmt::format("saved model '{}' version {}: {}={:.4f}", job.model, version, result.metric,
                               result.ensemble_score));
  return json({{"model", job.model},
               {"version", version},
               {"model_type", result.bundle.model_type},
               {"metric", result.metric},
               {"score", result.ensemble_score},
               {"stopped_early", result.cancelled},
               {"metrics", result.bundle.metrics},
               {"leaderboard", result.bundle.eval_summary["leaderboard"]}});
}

// Tuning: progress and a log line after each trial (done/total, the best so far). A cancel
// stops starting trials and ends the job cancelled with no model saved; its result keeps the
// trials that finished.
Result<json> JobQueue::Tune(Job& job) {
  STRATA_ASSIGN_OR_RETURN(JobInput input, ReadJobInput(job.source));
  Log(job, "info", fmt::format("tuning {} with {} trials ({} at a time, {}) on {} rows of table '{}'",
                               job.spec.model_type, job.tune.num_trials, job.tune.max_parallel_trials,
                               TuneAlgorithmName(job.tune.algorithm), input.data.num_rows(), job.source));
  SaveProgress(job, {{"stage", "tuning"}, {"done", 0}, {"total", job.tune.num_trials}, {"percent", 0.0},
                     {"step", fmt::format("trial 1/{}", job.tune.num_trials)}})
      .IgnoreError();
  TuneOptions options;
  options.cancel = &job.cancel;
  options.data_fingerprint = input.fingerprint;
  options.progress = [&](const TuneProgress& p) {
    Log(job, p.trial->status == TrialStatus::kFailed ? "warning" : "info", FormatTrialLine(p));
    json progress = {{"stage", "tuning"},
                     {"done", p.done},
                     {"total", p.total},
                     {"percent", Percent(p.done, p.total)},
                     {"step", fmt::format("trial {}/{}", p.trial->trial_id, p.total)}};
    if (p.best != nullptr && p.objective != nullptr) {
      progress["best_metric"] = {{"name", p.objective->metric},
                                 {"value", p.best->objective},
                                 {"trial_id", p.best->trial_id}};
    }
    SaveProgress(job, progress).IgnoreError();
  };
  STRATA_ASSIGN_OR_RETURN(TuneResult result, strata::Tune(job.tune, input.data, options));
  json out = TuneResultToJson(result);
  if (job.cancel) {
    job.partial_result = out;
    int done = static_cast<int>(std::count_if(result.trials.begin(), result.trials.end(), [](const TrialResult& t) {
      return t.status == TrialStatus::kSucceeded;
    }));
    return Cancelled(fmt::format("the tuning stopped after {} succeeded trials of {}; no model version "
                                 "was saved", done, job.tune.num_trials));
  }
  STRATA_ASSIGN_OR_RETURN(int version, SaveTunedModel(*input.workspace, job.model, result));
  Log(job, "info", fmt::format("saved the optimal trial {} as model '{}' version {}: {}",
                               out["optimal_trial_id"].dump(), job.model, version, MetricsLine(result.model.metrics)));
  out["model"] = job.model;
  out["version"] = version;
  return out;
}

// Evaluation: the core Evaluate() (ML.EVALUATE with input data) on a workspace table; the
// result splits its JSON into the flat metrics, the summary (per class, confusion matrix)
// and the curves (ROC, calibration) that the console draws.
Result<json> JobQueue::Evaluate(Job& job) {
  SaveProgress(job, {{"stage", "loading"}, {"step", "loading the model"}}).IgnoreError();
  STRATA_ASSIGN_OR_RETURN(JobModel model, LoadJobModel(path_, job.model, job.version));
  const ModelBundle& bundle = model.bundle;
  const int version = model.version;
  STRATA_ASSIGN_OR_RETURN(Table data, model.workspace->ReadTable(job.source));
  if (job.cancel) return Cancelled("the evaluation was cancelled before it started");
  Log(job, "info", fmt::format("evaluating model '{}' version {} ({}) on {} rows of table '{}'", job.model,
                               version, bundle.model_type, data.num_rows(), job.source));
  SaveProgress(job, {{"stage", "evaluating"}, {"done", 0}, {"total", data.num_rows()}, {"percent", 0.0},
                     {"step", "evaluating"}})
      .IgnoreError();
  STRATA_ASSIGN_OR_RETURN(json metrics, strata::Evaluate(bundle, data, job.threshold));
  json summary = metrics["summary"];
  metrics.erase("summary");
  metrics.erase("evaluated_on");
  json curves = json::object();
  for (const char* curve : {"roc_curve", "calibration"}) {
    if (!summary.is_object() || !summary.contains(curve)) continue;
    curves[curve] = std::move(summary[curve]);
    summary.erase(curve);
  }
  SaveProgress(job, {{"stage", "evaluating"}, {"done", data.num_rows()}, {"total", data.num_rows()},
                     {"percent", 100.0}, {"step", "evaluating"}})
      .IgnoreError();
  Log(job, "info", MetricsLine(metrics));
  json out = {{"model", job.model}, {"version", version}, {"model_type", bundle.model_type},
              {"source", job.source}, {"rows", data.num_rows()}, {"metrics", metrics},
              {"summary", summary}, {"curves", curves}};
  if (job.threshold) out["threshold"] = *job.threshold;
  return out;
}

Result<json> JobQueue::BatchPredict(Job& job) {
  STRATA_ASSIGN_OR_RETURN(JobModel model, LoadJobModel(path_, job.model, job.version));
  Workspace* workspace = model.workspace.get();
  const int version = model.version;
  STRATA_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(std::move(model.bundle)));
  SaveProgress(job, {{"stage", "reading"}, {"step", "reading"}}).IgnoreError();
  STRATA_ASSIGN_OR_RETURN(Table input, workspace->ReadTable(job.source));
  Log(job, "info", fmt::format("predicting with model '{}' version {} on {} rows of table '{}'", job.model,
                               version, input.num_rows(), job.source));
  SaveProgress(job, {{"stage", "predicting"}, {"done", 0}, {"total", input.num_rows()}, {"step", "predicting"}})
      .IgnoreError();
  STRATA_ASSIGN_OR_RETURN(Table out, predictor->Predict(input));
  if (job.cancel) return Cancelled("the job was cancelled before its predictions were written");
  WriteTableOptions write;
  write.mode = job.replace ? WriteMode::kReplace : WriteMode::kCreate;
  write.source = fmt::format("strata serve job {} ({} version {})", job.id, job.model, version);
  STRATA_RETURN_IF_ERROR(workspace->WriteTable(job.output_table, out, write));
  SaveProgress(job, {{"stage", "predicting"}, {"done", out.num_rows()}, {"total", out.num_rows()},
                     {"percent", 100.0}, {"step", "predicting"}})
      .IgnoreError();
  Log(job, "info", fmt::format("wrote {} rows to table '{}'", out.num_rows(), job.output_table));
  return json({{"model", job.model}, {"version", version}, {"output_table", job.output_table},
               {"rows", out.num_rows()}});
}

}  // namespace strata::serve
