// The workspace catalog (strata_tables, strata_columns) and the questions asked of SQLite's
// own schema: which user tables exist, what their columns are declared as. User tables are
// every table except SQLite's (sqlite_*) and Strata's (strata_*); table names compare
// case-insensitively, as SQLite compares them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "strata/status.h"
#include "strata/workspace.h"
#include "workspace/sqlite_db.h"

namespace strata {

// InvalidArgument unless `name` may name a user table: non-empty, no NUL byte, not starting
// with "strata_" (Strata's catalog) or "sqlite_" (SQLite's internals), any case.
Status ValidateTableName(std::string_view name);

// A column of a stored table as SQLite declares it (the declared type may be "").
struct SqlColumn {
  std::string name;
  std::string declared_type;
};

// The stored spelling of the user table called `name` (any case), or nullopt.
Result<std::optional<std::string>> FindUserTable(SqliteDb& db, std::string_view name);
// Every user table name, sorted case-insensitively.
Result<std::vector<std::string>> ListUserTableNames(SqliteDb& db);
// NotFound for `name`, naming the closest existing user table.
Status NoSuchTable(SqliteDb& db, std::string_view name);
// The columns of user table `table`, in order.
Result<std::vector<SqlColumn>> ReadSqlColumns(SqliteDb& db, std::string_view table);
// The number of rows of user table `table` (a full count).
Result<int64_t> CountRows(SqliteDb& db, std::string_view table);

// The catalog entry for `name` (in_catalog = true), or nullopt when there is none.
Result<std::optional<TableInfo>> LoadCatalogEntry(SqliteDb& db, std::string_view name);
// Writes (inserts or replaces) the entry and its columns; `updated_at` is stored alongside.
Status SaveCatalogEntry(SqliteDb& db, const TableInfo& info, std::string_view updated_at);
// Removes the entry for `name`, if any, with its columns.
Status DeleteCatalogEntry(SqliteDb& db, std::string_view name);

}  // namespace strata
