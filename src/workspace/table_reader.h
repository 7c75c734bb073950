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

// Reads user table `table` (stored spelling): at most `limit` rows after skipping `offset`.
Result<Table> ReadStoredTable(SqliteDb& db, const std::string& table,
                              const std::vector<SqlColumn>& columns,
                              const std::optional<TableInfo>& catalog,
                              std::optional<int64_t> limit, int64_t offset = 0);

// The schema of a table outside the catalog without reading it whole: starting types, with
// a scan of just the columns whose declared type names none. ReadStoredTable may still widen
// a column whose stored values disagree with its declared type.
Result<Schema> DeriveSchema(SqliteDb& db, const std::string& table,
                            const std::vector<SqlColumn>& columns);

// Reads the rows of a query in batches of typed columns, so a caller can stream a result of
// any size (ML.PREDICT) or read it whole (CREATE MODEL ... AS query). A column starts from
// the declared type of the table column it selects (sqlite3_column_decltype), else from
// `hints` by name, else its values decide; it widens as ReadStoredTable's do, and a later
// batch starts from the type the earlier ones ended with. Duplicate result names get a
// suffix ("a", "a_1"), since a Table's columns have unique names.
class QueryReader {
 public:
  static Result<QueryReader> Start(SqliteDb& db, std::string_view sql,
                                   const std::vector<Field>& hints = {});
  const std::vector<std::string>& names() const { return names_; }
  // The starting type of each column before any row is read (nullopt: the values decide).
  const std::vector<std::optional<DataType>>& types() const { return types_; }
  // The next at most `max_rows` rows (all remaining when max_rows <= 0); a table with the
  // columns and no rows once the query is done.
  Result<Table> Next(int64_t max_rows);
  bool done() const { return done_; }

 private:
  SqliteStatement statement_;
  std::vector<std::string> names_;
  std::vector<std::optional<DataType>> types_;
  bool done_ = false;
};

// Every row of `sql` as one Table (QueryReader).
Result<Table> ReadQuery(SqliteDb& db, std::string_view sql, const std::vector<Field>& hints = {});

}  // namespace strata
