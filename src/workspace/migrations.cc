#include "workspace/migrations.h"

#include <string>

#include "strata/build_info.h"
#include "strata/workspace.h"
#include "workspace/catalog.h"

namespace strata {
namespace {

// Version 1: the table catalog. Names compare case-insensitively (COLLATE NOCASE) because
// SQLite's own table and column names do: "Churn" and "churn" are one table.
Status CreateCatalog(SqliteDb& db) {
  STRATA_RETURN_IF_ERROR(db.Exec(R"sql(
    CREATE TABLE strata_meta (
      key   TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL
    );
    CREATE TABLE strata_tables (
      name        TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
      source      TEXT NOT NULL DEFAULT '',
      format      TEXT NOT NULL DEFAULT '',
      row_count   INTEGER NOT NULL,
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL,
      fingerprint TEXT NOT NULL
    );
    CREATE TABLE strata_columns (
      table_name TEXT NOT NULL COLLATE NOCASE
                 REFERENCES strata_tables(name) ON DELETE CASCADE ON UPDATE CASCADE,
      ordinal    INTEGER NOT NULL,
      name       TEXT NOT NULL,
      type       TEXT NOT NULL,
      PRIMARY KEY (table_name, ordinal)
    );
  )sql"));
  STRATA_ASSIGN_OR_RETURN(SqliteStatement meta,
                          db.Prepare("INSERT INTO strata_meta(key, value) VALUES (?1, ?2)"));
  const std::pair<std::string, std::string> rows[] = {
      {"created_by", std::string("strata ") + STRATA_VERSION},
      {"created_at", NowUtc()},
  };
  for (const auto& [key, value] : rows) {
    STRATA_RETURN_IF_ERROR(meta.BindText(1, key));
    STRATA_RETURN_IF_ERROR(meta.BindText(2, value));
    STRATA_RETURN_IF_ERROR(meta.Run());
    STRATA_RETURN_IF_ERROR(meta.Reset());
  }
  return Status::Ok();
}

// Version 2: the model registry. Models share one namespace with tables (as in BigQuery
// ML); each version holds a whole bundle, so loading a model is one row read.
Status CreateModelRegistry(SqliteDb& db) {
  return db.Exec(R"sql(
    CREATE TABLE strata_models (
      name        TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,
      model_type  TEXT NOT NULL,
      label       TEXT NOT NULL DEFAULT '',
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    );
    CREATE TABLE strata_model_versions (
      model_name  TEXT NOT NULL COLLATE NOCASE
                  REFERENCES strata_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
      version     INTEGER NOT NULL,
      model_type  TEXT NOT NULL,
      created_at  TEXT NOT NULL,
      bundle      BLOB NOT NULL,
      bytes       INTEGER NOT NULL,
      metrics     TEXT NOT NULL,
      spec        TEXT NOT NULL,
      PRIMARY KEY (model_name, version)
    );
  )sql");
}

// Version 3: hyperparameter-tuning trials (ML.TRIAL_INFO), one row per trial of a tuned
// model version, each with its own bundle so ML.PREDICT can use any trial (trial_id).
Status CreateTrials(SqliteDb& db) {
  return db.Exec(R"sql(
    CREATE TABLE strata_trials (
      model_name      TEXT NOT NULL COLLATE NOCASE
                      REFERENCES strata_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
      model_version   INTEGER NOT NULL,
      trial_id        INTEGER NOT NULL,
      hyperparameters TEXT NOT NULL,
      objective       TEXT NOT NULL,
      objective_value REAL,
      eval_metrics    TEXT NOT NULL,
      test_metrics    TEXT,
      training_loss   REAL,
      eval_loss       REAL,
      status          TEXT NOT NULL,
      error_message   TEXT NOT NULL DEFAULT '',
      seconds         REAL NOT NULL,
      is_optimal      INTEGER NOT NULL,
      bundle          BLOB,
      PRIMARY KEY (model_name, model_version, trial_id)
    );
  )sql");
}

// Version 4: what `strata serve` keeps. Aliases are mutable names for a model version
// (production, staging, ...), with every change kept in a history so a rollback knows the
// version an alias held before; API tokens as SHA-256 hashes only.
Status CreateServerCatalog(SqliteDb& db) {
  return db.Exec(R"sql(
    CREATE TABLE strata_model_aliases (
      model_name  TEXT NOT NULL COLLATE NOCASE
                  REFERENCES strata_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
      alias       TEXT NOT NULL COLLATE NOCASE,
      version     INTEGER NOT NULL,
      set_at      TEXT NOT NULL,
      PRIMARY KEY (model_name, alias)
    );
    CREATE TABLE strata_model_alias_history (
      id               INTEGER PRIMARY KEY AUTOINCREMENT,
      model_name       TEXT NOT NULL COLLATE NOCASE
                       REFERENCES strata_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
      alias            TEXT NOT NULL COLLATE NOCASE,
      version          INTEGER,
      previous_version INTEGER,
      action           TEXT NOT NULL,
      set_at           TEXT NOT NULL
    );
    CREATE TABLE strata_api_tokens (
      id          TEXT PRIMARY KEY NOT NULL,
      name        TEXT NOT NULL DEFAULT '',
      scope       TEXT NOT NULL,
      hash        TEXT NOT NULL UNIQUE,
      created_at  TEXT NOT NULL,
      revoked_at  TEXT
    );
  )sql");
}

// Version 5: the server's jobs (training and batch prediction in the background) with their
// state, so a restarted server shows each job's true state.
Status CreateJobTable(SqliteDb& db) {
  return db.Exec(R"sql(
    CREATE TABLE strata_jobs (
      id          TEXT PRIMARY KEY NOT NULL,
      type        TEXT NOT NULL,
      state       TEXT NOT NULL,
      model       TEXT NOT NULL DEFAULT '',
      request     TEXT NOT NULL,
      progress    TEXT NOT NULL DEFAULT '{}',
      result      TEXT NOT NULL DEFAULT '{}',
      error       TEXT NOT NULL DEFAULT '',
      created_at  TEXT NOT NULL,
      started_at  TEXT,
      finished_at TEXT
    );
  )sql");
}

// Version 6: each job's log (timestamped lines: queued, started, progress, warnings, the
// outcome), read back by GET /v1/jobs/{id}/logs and streamed over SSE; and which job a job
// retries. Lines are read by (job_id, seq), the primary key.
Status CreateJobLogs(SqliteDb& db) {
  return db.Exec(R"sql(
    CREATE TABLE strata_job_logs (
      job_id  TEXT NOT NULL REFERENCES strata_jobs(id) ON DELETE CASCADE,
      seq     INTEGER NOT NULL,
      time    TEXT NOT NULL,
      level   TEXT NOT NULL,
      message TEXT NOT NULL,
      PRIMARY KEY (job_id, seq)
    );
    ALTER TABLE strata_jobs ADD COLUMN retry_of TEXT;
  )sql");
}

// Version 7: the console's SQL notebooks, each a JSON list of SQL cells.
Status CreateNotebookTable(SqliteDb& db) {
  return db.Exec(R"sql(
    CREATE TABLE strata_notebooks (
      name        TEXT PRIMARY KEY NOT NULL,
      content     TEXT NOT NULL,
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    );
  )sql");
}

constexpr Migration kMigrations[] = {
    {1, "create the table catalog", &CreateCatalog},
    {2, "create the model registry", &CreateModelRegistry},
    {3, "create the tuning trials", &CreateTrials},
    {4, "create the server catalog (aliases, API tokens)", &CreateServerCatalog},
    {5, "create the job table", &CreateJobTable},
    {6, "create the job logs", &CreateJobLogs},
    {7, "create the notebook table", &CreateNotebookTable},
};
static_assert(std::size(kMigrations) == kWorkspaceSchemaVersion,
              "add a migration for every schema version");

}  // namespace

std::span<const Migration> WorkspaceMigrations() { return kMigrations; }

Result<int> ReadSchemaVersion(SqliteDb& db) {
  STRATA_ASSIGN_OR_RETURN(int64_t version, db.QueryInt64("PRAGMA user_version"));
  return static_cast<int>(version);
}

Status MigrateWorkspace(SqliteDb& db) {
  const std::string& path = db.path();
  auto newer = [&](int version) {
    return FailedPrecondition("workspace '" + path + "' was written by a newer Strata (schema " +
                              std::to_string(version) + ", this build understands up to " +
                              std::to_string(kWorkspaceSchemaVersion) +
                              "); upgrade Strata to open it");
  };
  auto failed = [&](const Status& status) {
    return status.WithContext("upgrading the catalog of workspace '" + path + "'");
  };
  Result<int> version = ReadSchemaVersion(db);
  if (!version.ok()) return failed(version.status());
  if (*version > kWorkspaceSchemaVersion) return newer(*version);
  if (*version == kWorkspaceSchemaVersion) return Status::Ok();
  if (db.read_only()) {
    return FailedPrecondition("workspace '" + path + "' needs upgrading from schema " +
                              std::to_string(*version) + " to " +
                              std::to_string(kWorkspaceSchemaVersion) +
                              ", which a read-only open cannot do; open it once for writing");
  }

  Result<SqliteTransaction> tx = SqliteTransaction::Begin(db);
  if (!tx.ok()) return failed(tx.status());
  // Another process may have migrated between the first read and taking the write lock.
  version = ReadSchemaVersion(db);
  if (!version.ok()) return failed(version.status());
  if (*version > kWorkspaceSchemaVersion) return newer(*version);
  for (const Migration& migration : WorkspaceMigrations()) {
    if (migration.version <= *version) continue;
    Status status = migration.apply(db);
    if (!status.ok()) {
      return status.WithContext("upgrading workspace '" + path + "' with migration " +
                                std::to_string(migration.version) + " (" +
                                std::string(migration.title) + ")");
    }
  }
  // PRAGMA takes no bound parameters; the value is our own integer.
  Status status = db.Exec("PRAGMA user_version = " + std::to_string(kWorkspaceSchemaVersion));
  if (status.ok()) status = tx->Commit();
  return status.ok() ? status : failed(status);
}

}  // namespace strata
