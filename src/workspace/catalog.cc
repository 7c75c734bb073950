#include "workspace/catalog.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "strata/suggest.h"

namespace strata {
namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// The filter shared by every user-table query. LIKE is case-insensitive for ASCII, as
// SQLite's name matching is; '\' escapes the '_' wildcard.
constexpr std::string_view kUserTableFilter =
    "type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
    "AND name NOT LIKE 'strata\\_%' ESCAPE '\\'";

}  // namespace

Status ValidateTableName(std::string_view name) {
  if (name.empty()) return InvalidArgument("table name is empty; give the table a name");
  if (name.find('\0') != std::string_view::npos) {
    return InvalidArgument("table name contains a NUL byte, which SQLite cannot store");
  }
  for (std::string_view prefix : {"strata_", "sqlite_"}) {
    if (StartsWithNoCase(name, prefix)) {
      return InvalidArgument("table name '" + std::string(name) + "' is reserved: names " +
                             "starting with '" + std::string(prefix) + "' belong to " +
                             (prefix == "strata_" ? "Strata's catalog" : "SQLite") +
                             "; choose another name");
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> FindUserTable(SqliteDb& db, std::string_view name) {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db.Prepare("SELECT name FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE AND " +
                 std::string(kUserTableFilter)));
  STRATA_RETURN_IF_ERROR(stmt.BindText(1, name));
  STRATA_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(stmt.ColumnText(0)));
}

Result<std::vector<std::string>> ListUserTableNames(SqliteDb& db) {
  STRATA_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare("SELECT name FROM sqlite_schema WHERE " +
                                                           std::string(kUserTableFilter) +
                                                           " ORDER BY name COLLATE NOCASE"));
  std::vector<std::string> names;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    names.emplace_back(stmt.ColumnText(0));
  }
  return names;
}

Status NoSuchTable(SqliteDb& db, std::string_view name) {
  std::string message = "no table '" + std::string(name) + "' in workspace '" + db.path() + "'.";
  Result<std::vector<std::string>> names = ListUserTableNames(db);
  if (names.ok()) {
    std::string hint = DidYouMean(name, *names);
    message += hint.empty() ? " List the tables with `strata tables`." : hint;
  }
  return NotFound(std::move(message));
}

Result<std::vector<SqlColumn>> ReadSqlColumns(SqliteDb& db, std::string_view table) {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement stmt,
      db.Prepare("SELECT name, type FROM pragma_table_info(?1, 'main') ORDER BY cid"));
  STRATA_RETURN_IF_ERROR(stmt.BindText(1, table));
  std::vector<SqlColumn> columns;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    columns.push_back({std::string(stmt.ColumnText(0)), std::string(stmt.ColumnText(1))});
  }
  return columns;
}

Result<int64_t> CountRows(SqliteDb& db, std::string_view table) {
  return db.QueryInt64("SELECT count(*) FROM " + QuoteIdentifier(table));
}

Result<std::optional<TableInfo>> LoadCatalogEntry(SqliteDb& db, std::string_view name) {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement entry,
      db.Prepare("SELECT name, source, format, row_count, created_at, fingerprint "
                 "FROM strata_tables WHERE name = ?1"));
  STRATA_RETURN_IF_ERROR(entry.BindText(1, name));
  STRATA_ASSIGN_OR_RETURN(bool found, entry.Step());
  if (!found) return std::optional<TableInfo>();
  TableInfo info;
  info.name = entry.ColumnText(0);
  info.source = entry.ColumnText(1);
  info.format = entry.ColumnText(2);
  info.rows = entry.ColumnInt64(3);
  info.created_at = entry.ColumnText(4);
  info.fingerprint = entry.ColumnText(5);
  info.in_catalog = true;

  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement columns,
      db.Prepare("SELECT name, type FROM strata_columns WHERE table_name = ?1 ORDER BY ordinal"));
  STRATA_RETURN_IF_ERROR(columns.BindText(1, name));
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, columns.Step());
    if (!row) break;
    std::optional<DataType> type = ParseDataType(columns.ColumnText(1));
    if (!type) {
      return DataLoss("the catalog of workspace '" + db.path() + "' gives column '" +
                      std::string(columns.ColumnText(0)) + "' of table '" + info.name +
                      "' the unknown type '" + std::string(columns.ColumnText(1)) + "'");
    }
    info.schema.push_back({std::string(columns.ColumnText(0)), *type});
  }
  return std::optional<TableInfo>(std::move(info));
}

Status SaveCatalogEntry(SqliteDb& db, const TableInfo& info, std::string_view updated_at) {
  STRATA_RETURN_IF_ERROR(DeleteCatalogEntry(db, info.name));
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement entry,
      db.Prepare("INSERT INTO strata_tables(name, source, format, row_count, created_at, "
                 "updated_at, fingerprint) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  STRATA_RETURN_IF_ERROR(entry.BindText(1, info.name));
  STRATA_RETURN_IF_ERROR(entry.BindText(2, info.source));
  STRATA_RETURN_IF_ERROR(entry.BindText(3, info.format));
  STRATA_RETURN_IF_ERROR(entry.BindInt64(4, info.rows));
  STRATA_RETURN_IF_ERROR(entry.BindText(5, info.created_at));
  STRATA_RETURN_IF_ERROR(entry.BindText(6, updated_at));
  STRATA_RETURN_IF_ERROR(entry.BindText(7, info.fingerprint));
  STRATA_RETURN_IF_ERROR(entry.Run());

  STRATA_ASSIGN_OR_RETURN(SqliteStatement column,
                          db.Prepare("INSERT INTO strata_columns(table_name, ordinal, name, type) "
                                     "VALUES (?1, ?2, ?3, ?4)"));
  for (size_t i = 0; i < info.schema.size(); ++i) {
    STRATA_RETURN_IF_ERROR(column.BindText(1, info.name));
    STRATA_RETURN_IF_ERROR(column.BindInt64(2, static_cast<int64_t>(i)));
    STRATA_RETURN_IF_ERROR(column.BindText(3, info.schema[i].name));
    STRATA_RETURN_IF_ERROR(column.BindText(4, DataTypeName(info.schema[i].type)));
    STRATA_RETURN_IF_ERROR(column.Run());
    STRATA_RETURN_IF_ERROR(column.Reset());
  }
  return Status::Ok();
}

Status DeleteCatalogEntry(SqliteDb& db, std::string_view name) {
  // Columns first and explicitly: the ON DELETE CASCADE only fires on connections with
  // foreign_keys=ON, and an entry may have been left behind by one without it.
  for (std::string_view sql : {"DELETE FROM strata_columns WHERE table_name = ?1",
                               "DELETE FROM strata_tables WHERE name = ?1"}) {
    STRATA_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(sql));
    STRATA_RETURN_IF_ERROR(stmt.BindText(1, name));
    STRATA_RETURN_IF_ERROR(stmt.Run());
  }
  return Status::Ok();
}

}  // namespace strata
