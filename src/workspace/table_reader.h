// Reading stored tables back into typed Tables, and the types a table made outside Strata
// (the sqlite3 shell, plain SQL) is read with.
//
// A column's type comes from the catalog when Strata wrote the table, else from its
// declared SQL type (TypeFromDeclaredSqlType), else from its values. SQLite does not enforce
// declared types, so every value is checked: one that converts losslessly is converted (text
// '42' in an INT64 column), one that does not widens the column (INT64 -> FLOAT64 -> STRING,
// DATE -> TIMESTAMP, anything -> STRING) with the values read so far converted too, so
// nothing stored is ever lost or silently changed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "strata/table.h"
#include "strata/workspace.h"
#include "workspace/catalog.h"
#include "workspace/sqlite_db.h"

namespace strata {

// The starting type of each of `columns`: the catalog's when `catalog` names the column,
// else the declared type's; nullopt where the values must decide.
std::vector<std::optional<DataType>> StartingTypes(const std::vector<SqlColumn>& columns,
                                                   const std::optional<TableInfo>& catalog);

// Reads user table `table` (stored spelling), at most `limit` rows.
Result<Table> ReadStoredTable(SqliteDb& db, const std::string& table,
                              const std::vector<SqlColumn>& columns,
                              const std::optional<TableInfo>& catalog,
                              std::optional<int64_t> limit);

// The schema of a table outside the catalog without reading it whole: starting types, with
// a scan of just the columns whose declared type names none. ReadStoredTable may still widen
// a column whose stored values disagree with its declared type.
Result<Schema> DeriveSchema(SqliteDb& db, const std::string& table,
                            const std::vector<SqlColumn>& columns);

}  // namespace strata
