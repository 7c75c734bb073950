// Catalog schema migrations. The workspace's schema version is SQLite's PRAGMA user_version
// (0 for a plain SQLite file); migration N takes a workspace from version N-1 to N. Opening
// a workspace applies every pending migration in one transaction, so a workspace is never
// left half-upgraded. To change the catalog, append a migration and bump
// kWorkspaceSchemaVersion (include/strata/workspace.h); never edit a released one.
#pragma once

#include <span>
#include <string_view>

#include "strata/status.h"
#include "workspace/sqlite_db.h"

namespace strata {

struct Migration {
  int version;             // the version this migration produces
  std::string_view title;  // for error messages: "migration 1 (create the catalog)"
  Status (*apply)(SqliteDb& db);
};

// Every migration, in order; element i produces version i + 1.
std::span<const Migration> WorkspaceMigrations();

// Brings the open database to kWorkspaceSchemaVersion. Refuses a workspace written by a
// newer Strata, and one that needs upgrading when the connection is read-only.
Status MigrateWorkspace(SqliteDb& db);

// PRAGMA user_version of the open database.
Result<int> ReadSchemaVersion(SqliteDb& db);

}  // namespace strata
