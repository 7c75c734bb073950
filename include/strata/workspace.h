// Workspace: one SQLite file (WAL mode) holding the user's tables and Strata's catalog.
//
// User tables are plain SQLite tables, so the `sqlite3` shell can open a workspace; Strata's
// own tables are prefixed `strata_`. The catalog schema is versioned (PRAGMA user_version)
// and upgraded by ordered migrations when a workspace is opened. Every write is one
// transaction: a failed import or a killed process leaves the workspace exactly as it was.
//
//   STRATA_ASSIGN_OR_RETURN(auto ws, strata::Workspace::Open("strata.db"));
//   strata::WriteTableOptions options;
//   options.source = "churn.csv";
//   STRATA_RETURN_IF_ERROR(ws->WriteTable("churn", table, options));
//   STRATA_ASSIGN_OR_RETURN(strata::Table back, ws->ReadTable("churn"));
//
// How each type is stored, and how tables made outside Strata are read: docs/workspace.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/progress.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata {

class SqliteDb;  // src/workspace/sqlite_db.h: the one wrapper around the SQLite C API

// The catalog schema version this build writes and understands.
inline constexpr int kWorkspaceSchemaVersion = 7;

// The default workspace path: $STRATA_WORKSPACE if set, else "./strata.db".
std::string DefaultWorkspacePath();

struct TableInfo {
  std::string name;
  int64_t rows = 0;
  Schema schema;
  std::string source;       // file it was collected from, if any
  std::string format;       // "csv", "jsonl", ... or "" when created outside Strata
  std::string created_at;   // UTC, "YYYY-MM-DD HH:MM:SS"
  std::string fingerprint;  // content hash (xxh3-64, hex) of the stored rows
  bool in_catalog = false;  // false for tables made with the sqlite3 shell or plain SQL
};

enum class WriteMode {
  kCreate,   // fail with AlreadyExists if the table exists
  kReplace,  // drop and recreate, atomically
  kAppend,   // add rows; the schema must match
};

struct WriteTableOptions {
  WriteMode mode = WriteMode::kCreate;
  std::string source;  // recorded in the catalog
  std::string format;
  ProgressCallback progress;  // stage "importing", rows done/total
};

struct OpenOptions {
  bool create = true;          // create the file if missing (else NotFound)
  bool read_only = false;      // no writes; a workspace needing a catalog upgrade is refused
  int busy_timeout_ms = 5000;  // how long a write waits for another process's lock
};

class Workspace {
 public:
  // Opens (or creates) the workspace at `path`, applying catalog migrations in one
  // transaction. Fails with FailedPrecondition for a file that is not a workspace or was
  // written by a newer Strata, NotFound for a missing file or directory. ":memory:" opens a
  // private in-memory workspace (for tests).
  static Result<std::unique_ptr<Workspace>> Open(const std::string& path,
                                                 const OpenOptions& options = {});
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const std::string& path() const { return path_; }
  // The catalog schema version (PRAGMA user_version), or -1 if it cannot be read.
  int schema_version() const;

  // Tables visible to the user (catalog and non-catalog, never strata_* ones), by name.
  Result<std::vector<TableInfo>> ListTables();
  // One table's info; NotFound names the closest existing table.
  Result<TableInfo> DescribeTable(std::string_view name);
  bool HasTable(std::string_view name);

  // Stores `table` under `name` in one transaction and records it in the catalog. Table
  // and column names may be any non-empty text (quoted in SQL); names starting with
  // "strata_" or "sqlite_" are reserved. kAppend to a missing table creates it; kAppend to a
  // table made outside Strata adds it to the catalog. On any error nothing is changed.
  Status WriteTable(std::string_view name, const Table& table,
                    const WriteTableOptions& options = {});
  // Reads a table back with its catalog types (or types derived from the declared SQL
  // types for tables made outside Strata); `offset` skips the first rows (in storage order)
  // and `limit` keeps at most that many of the rest, for paging through a table.
  Result<Table> ReadTable(std::string_view name, std::optional<int64_t> limit = std::nullopt,
                          int64_t offset = 0);
  // Drops a table and its catalog entry in one transaction; NotFound if there is none.
  Status DropTable(std::string_view name);

  // The underlying connection, for other subsystems of the library (SQL engine, registry).
  SqliteDb& db() { return *db_; }

 private:
  Workspace(std::string path, std::unique_ptr<SqliteDb> db);
  std::string path_;
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace strata
