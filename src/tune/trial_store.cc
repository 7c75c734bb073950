// Tuned models in the workspace (include/strata/tune.h): the optimal bundle as a model
// version through ModelStore and the trials in strata_trials, in one transaction.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "strata/model_store.h"
#include "strata/tune.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

Status BindOptionalDouble(SqliteStatement& q, int index, std::optional<double> v) {
  if (v && std::isfinite(*v)) return q.BindDouble(index, *v);
  return q.BindNull(index);
}

std::optional<double> OptionalDouble(const SqliteStatement& q, int column) {
  if (q.ColumnIsNull(column)) return std::nullopt;
  return q.ColumnDouble(column);
}

nlohmann::json ParseJson(std::string_view text) {
  if (text.empty()) return nlohmann::json();
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

Result<int> SaveTunedModel(Workspace& workspace, std::string_view name, const TuneResult& result,
                           bool replace) {
  SqliteDb& db = workspace.db();
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(db));
  ModelStore store(workspace);
  STRATA_ASSIGN_OR_RETURN(int version, store.Save(name, result.model, replace));
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db.Prepare("INSERT INTO strata_trials(model_name, model_version, trial_id, hyperparameters, "
                 "objective, objective_value, eval_metrics, test_metrics, training_loss, "
                 "eval_loss, status, error_message, seconds, is_optimal, bundle) VALUES "
                 "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"));
  for (const TrialResult& t : result.trials) {
    STRATA_RETURN_IF_ERROR(insert.BindText(1, name));
    STRATA_RETURN_IF_ERROR(insert.BindInt64(2, version));
    STRATA_RETURN_IF_ERROR(insert.BindInt64(3, t.trial_id));
    STRATA_RETURN_IF_ERROR(insert.BindText(4, t.hyperparameters.dump()));
    STRATA_RETURN_IF_ERROR(insert.BindText(5, result.objective.name));
    STRATA_RETURN_IF_ERROR(BindOptionalDouble(insert, 6, t.objective));
    STRATA_RETURN_IF_ERROR(
        insert.BindText(7, t.eval_metrics.is_null() ? "{}" : t.eval_metrics.dump()));
    if (t.is_optimal && !result.test_metrics.is_null()) {
      nlohmann::json test = result.test_metrics;
      test.erase("summary");
      STRATA_RETURN_IF_ERROR(insert.BindText(8, test.dump()));
    } else {
      STRATA_RETURN_IF_ERROR(insert.BindNull(8));
    }
    STRATA_RETURN_IF_ERROR(BindOptionalDouble(insert, 9, t.training_loss));
    STRATA_RETURN_IF_ERROR(BindOptionalDouble(insert, 10, t.eval_loss));
    STRATA_RETURN_IF_ERROR(insert.BindText(11, TrialStatusName(t.status)));
    STRATA_RETURN_IF_ERROR(insert.BindText(12, t.error_message));
    STRATA_RETURN_IF_ERROR(insert.BindDouble(13, t.seconds));
    STRATA_RETURN_IF_ERROR(insert.BindInt64(14, t.is_optimal ? 1 : 0));
    if (t.bundle) {
      // The optimal trial's row keeps the trial's own bundle (eval metrics); the model
      // version holds the same model with the test metrics.
      STRATA_RETURN_IF_ERROR(insert.BindBlob(15, SerializeBundle(*t.bundle)));
    } else {
      STRATA_RETURN_IF_ERROR(insert.BindNull(15));
    }
    STRATA_RETURN_IF_ERROR(insert.Run());
    STRATA_RETURN_IF_ERROR(insert.Reset());
  }
  STRATA_RETURN_IF_ERROR(tx.Commit());
  return version;
}

Result<std::vector<TrialResult>> LoadTrials(Workspace& workspace, std::string_view name,
                                            std::optional<int> version) {
  ModelStore store(workspace);
  if (!version) {
    STRATA_ASSIGN_OR_RETURN(std::vector<ModelVersionInfo> versions, store.Versions(name));
    version = versions.empty() ? 0 : versions.back().version;
  }
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      workspace.db().Prepare(
          "SELECT trial_id, hyperparameters, objective_value, eval_metrics, training_loss, "
          "eval_loss, status, error_message, seconds, is_optimal FROM strata_trials "
          "WHERE model_name = ?1 AND model_version = ?2 ORDER BY trial_id"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, name));
  STRATA_RETURN_IF_ERROR(q.BindInt64(2, *version));
  std::vector<TrialResult> trials;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    TrialResult t;
    t.trial_id = static_cast<int>(q.ColumnInt64(0));
    t.hyperparameters = ParseJson(q.ColumnText(1));
    t.objective = OptionalDouble(q, 2).value_or(std::nan(""));
    t.eval_metrics = ParseJson(q.ColumnText(3));
    t.training_loss = OptionalDouble(q, 4);
    t.eval_loss = OptionalDouble(q, 5);
    t.status = q.ColumnText(6) == "SUCCEEDED" ? TrialStatus::kSucceeded : TrialStatus::kFailed;
    t.error_message = std::string(q.ColumnText(7));
    t.seconds = q.ColumnDouble(8);
    t.is_optimal = q.ColumnInt64(9) != 0;
    trials.push_back(std::move(t));
  }
  if (trials.empty()) {
    return NotFound(
        fmt::format("model '{}' version {} was not trained with hyperparameter "
                    "tuning, so it has no trials (train it with num_trials)",
                    name, *version));
  }
  return trials;
}

Result<ModelBundle> LoadTrialBundle(Workspace& workspace, std::string_view name, int trial_id) {
  STRATA_ASSIGN_OR_RETURN(std::vector<TrialResult> trials, LoadTrials(workspace, name));
  std::vector<int> ids;
  for (const TrialResult& t : trials) {
    if (t.status == TrialStatus::kSucceeded) ids.push_back(t.trial_id);
  }
  if (std::find(ids.begin(), ids.end(), trial_id) == ids.end()) {
    return NotFound(fmt::format("model '{}' has no succeeded trial {} (trial_id can be {})", name,
                                trial_id, fmt::join(ids, ", ")));
  }
  ModelStore store(workspace);
  STRATA_ASSIGN_OR_RETURN(std::vector<ModelVersionInfo> versions, store.Versions(name));
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      workspace.db().Prepare("SELECT bundle FROM strata_trials WHERE model_name = ?1 AND "
                             "model_version = ?2 AND trial_id = ?3"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, name));
  STRATA_RETURN_IF_ERROR(q.BindInt64(2, versions.back().version));
  STRATA_RETURN_IF_ERROR(q.BindInt64(3, trial_id));
  STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row || q.ColumnIsNull(0)) return NotFound(fmt::format("trial {} has no model", trial_id));
  auto bundle = DeserializeBundle(q.ColumnBlob(0));
  if (!bundle.ok()) {
    return bundle.status().WithContext(fmt::format("model '{}' trial {}", name, trial_id));
  }
  return bundle;
}

}  // namespace strata
