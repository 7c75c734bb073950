// Workspace::WriteTable: one transaction that (re)creates or extends a user table, inserts
// every row through one prepared statement, and records the table in the catalog.
#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/text.h"
#include "strata/workspace.h"
#include "workspace/catalog.h"
#include "workspace/fingerprint.h"
#include "workspace/sqlite_db.h"
#include "workspace/table_reader.h"
#include "workspace/value_codec.h"

namespace strata {
namespace {

// How often the import reports progress: often enough for a smooth bar, rarely enough that
// a callback costs nothing measurable.
constexpr int64_t kProgressEveryRows = int64_t{64} * 1024;
// Rows encoded per block (kProgressEveryRows is a multiple of it): 256 rows of 22 columns
// need ~360 KB of values and date buffers, which stay in L2.
constexpr int64_t kEncodeBlockRows = 256;
static_assert(kProgressEveryRows % kEncodeBlockRows == 0);

// Page cache for the import, in KiB (SQLite's negative cache_size). With SQLite's default
// 2 MiB, a bare C program inserting 1M x 22 rows used 15-20% more user CPU than with 64 MiB.
// Restored afterwards so a long-lived connection stays small.
constexpr int64_t kImportCacheKiB = int64_t{64} * 1024;

Status ValidateColumns(std::string_view table_name, const Table& table) {
  if (table.num_columns() == 0) {
    return InvalidArgument("table '" + std::string(table_name) +
                           "' has no columns; an SQLite table needs at least one");
  }
  // SQLite column names are case-insensitive, so "Age" and "age" would collide.
  std::unordered_set<std::string> seen;
  for (const Column& column : table.columns()) {
    const std::string& name = column.name();
    if (name.empty()) {
      return InvalidArgument("table '" + std::string(table_name) +
                             "' has a column with an empty name; name every column");
    }
    if (name.find('\0') != std::string::npos) {
      return InvalidArgument("column name in table '" + std::string(table_name) +
                             "' contains a NUL byte, which SQLite cannot store");
    }
    if (!seen.insert(AsciiLower(name)).second) {
      return InvalidArgument("table '" + std::string(table_name) + "' has two columns named '" +
                             name + "' (names are case-insensitive in SQL); rename one");
    }
  }
  return Status::Ok();
}

std::string FormatSchema(const Schema& schema) {
  std::string out = "(";
  for (size_t i = 0; i < schema.size(); ++i) {
    if (i > 0) out += ", ";
    out += schema[i].name + " " + std::string(DataTypeName(schema[i].type));
  }
  return out + ")";
}

Status CheckAppendSchema(std::string_view name, const Schema& stored, const Schema& incoming) {
  if (stored == incoming) return Status::Ok();
  std::string difference;
  if (stored.size() != incoming.size()) {
    difference = "the table has " + std::to_string(stored.size()) + " columns, the new data " +
                 std::to_string(incoming.size());
  } else {
    for (size_t i = 0; i < stored.size(); ++i) {
      if (stored[i] == incoming[i]) continue;
      difference = "column " + std::to_string(i + 1) + " is '" + stored[i].name + "' " +
                   std::string(DataTypeName(stored[i].type)) + " in the table but '" +
                   incoming[i].name + "' " + std::string(DataTypeName(incoming[i].type)) +
                   " in the new data";
      break;
    }
  }
  return FailedPrecondition(
      "cannot append to table '" + std::string(name) + "': the schemas differ (" + difference +
      "). Table: " + FormatSchema(stored) + "; new data: " + FormatSchema(incoming) +
      ". Write with WriteMode::kReplace (--replace) to overwrite the "
      "table, or convert the new data to the table's schema");
}

Status CreateSqlTable(SqliteDb& db, std::string_view name, const Table& table) {
  std::string sql = "CREATE TABLE " + QuoteIdentifier(name) + " (";
  for (int i = 0; i < table.num_columns(); ++i) {
    if (i > 0) sql += ", ";
    sql += QuoteIdentifier(table.column(i).name());
    sql += ' ';
    sql += DeclaredSqlType(table.column(i).type());
  }
  sql += ")";
  return db.Exec(sql);
}

// Feeds the rows already stored in `table` to `fingerprint` (an append extends the hash of
// the old rows) and returns how many there are.
Result<int64_t> HashStoredRows(SqliteDb& db, const std::string& table, const Schema& schema,
                               TableFingerprint* fingerprint) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < schema.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += QuoteIdentifier(schema[i].name);
  }
  sql += " FROM " + QuoteIdentifier(table);
  STRATA_ASSIGN_OR_RETURN(SqliteStatement select, db.Prepare(sql));
  const int width = static_cast<int>(schema.size());
  int64_t rows = 0;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    for (int c = 0; c < width; ++c) fingerprint->Add(ReadValue(select, c));
    ++rows;
  }
  return rows;
}

Status InsertRows(SqliteDb& db, std::string_view name, const Table& table,
                  const ProgressCallback& progress, TableFingerprint* fingerprint) {
  const int width = table.num_columns();
  std::string sql = "INSERT INTO " + QuoteIdentifier(name) + " VALUES (";
  for (int i = 1; i <= width; ++i) {
    if (i > 1) sql += ", ";
    sql += "?" + std::to_string(i);
  }
  sql += ")";
  STRATA_ASSIGN_OR_RETURN(SqliteStatement insert, db.Prepare(sql));

  // Rows are encoded a block at a time, column by column: reading one column's arrays in
  // order instead of 22 of them in turn per row cut EncodeCell's share of a 1M x 22 import
  // from 13% to 5% of CPU samples (perf). Text is bound without copying, so each cell's
  // formatted date stays in `buffers` until its row is stepped.
  const size_t block_rows = static_cast<size_t>(kEncodeBlockRows);
  std::vector<SqlValue> values(block_rows * static_cast<size_t>(width));
  std::vector<CellBuffer> buffers(values.size());
  const int64_t rows = table.num_rows();
  int64_t next_progress = kProgressEveryRows;
  for (int64_t first = 0; first < rows; first += kEncodeBlockRows) {
    const int64_t count = std::min(kEncodeBlockRows, rows - first);
    for (int c = 0; c < width; ++c) {
      const Column& column = table.column(c);
      for (int64_t i = 0; i < count; ++i) {
        size_t cell = static_cast<size_t>(i * width + c);
        if (!EncodeCell(column, first + i, &buffers[cell], &values[cell])) {
          return OutOfRange("column '" + column.name() + "', row " + std::to_string(first + i + 1) +
                            ": " + std::string(DataTypeName(column.type())) +
                            " value is outside the years 0000-9999 that the workspace can store");
        }
      }
    }
    for (int64_t i = 0; i < count; ++i) {
      const SqlValue* row = &values[static_cast<size_t>(i * width)];
      for (int c = 0; c < width; ++c) {
        STRATA_RETURN_IF_ERROR(BindValue(insert, c + 1, row[c]));
        fingerprint->Add(row[c]);
      }
      STRATA_RETURN_IF_ERROR(insert.Run());
      STRATA_RETURN_IF_ERROR(insert.Reset());
    }
    if (progress && first + count >= next_progress && first + count < rows) {
      progress(Progress{"importing", first + count, rows});
      next_progress += kProgressEveryRows;
    }
  }
  if (progress) progress(Progress{"importing", rows, rows});
  return Status::Ok();
}

// Sets the page cache for the lifetime of the object.
class ScopedCacheSize {
 public:
  ScopedCacheSize(SqliteDb& db, int64_t kib) : db_(db) {
    Result<int64_t> old = db_.QueryInt64("PRAGMA cache_size");
    if (!old.ok()) return;  // only a speed-up: an import works without it
    old_ = *old;
    db_.Exec("PRAGMA cache_size = -" + std::to_string(kib)).IgnoreError();
  }
  ~ScopedCacheSize() {
    if (old_) db_.Exec("PRAGMA cache_size = " + std::to_string(*old_)).IgnoreError();
  }
  ScopedCacheSize(const ScopedCacheSize&) = delete;
  ScopedCacheSize& operator=(const ScopedCacheSize&) = delete;

 private:
  SqliteDb& db_;
  std::optional<int64_t> old_;
};

bool SameNames(const Schema& schema, const std::vector<SqlColumn>& columns) {
  if (schema.size() != columns.size()) return false;
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name != columns[i].name) return false;
  }
  return true;
}

// Everything WriteTable does inside its transaction; any error leaves the rollback to the
// caller's SqliteTransaction.
Status WriteInTransaction(SqliteDb& db, std::string_view name, const Table& table,
                          const WriteTableOptions& options) {
  STRATA_ASSIGN_OR_RETURN(std::optional<std::string> existing, FindUserTable(db, name));
  const Schema schema = table.schema();
  TableInfo info;
  info.name = existing ? *existing : std::string(name);
  info.schema = schema;
  info.source = options.source;
  info.format = options.format;
  info.created_at = NowUtc();
  info.in_catalog = true;
  TableFingerprint fingerprint(schema);
  int64_t old_rows = 0;
  bool create = true;
  if (existing) {
    switch (options.mode) {
      case WriteMode::kCreate:
        return AlreadyExists("table '" + *existing + "' already exists in workspace '" + db.path() +
                             "'; write with WriteMode::kReplace (--replace) to " +
                             "overwrite it or WriteMode::kAppend (--append) to add rows");
      case WriteMode::kReplace:
        // A new table: it takes the new spelling of the name and a new created_at.
        info.name = std::string(name);
        STRATA_RETURN_IF_ERROR(db.Exec("DROP TABLE " + QuoteIdentifier(*existing)));
        STRATA_RETURN_IF_ERROR(DeleteCatalogEntry(db, *existing));
        break;
      case WriteMode::kAppend: {
        STRATA_ASSIGN_OR_RETURN(std::vector<SqlColumn> columns, ReadSqlColumns(db, *existing));
        STRATA_ASSIGN_OR_RETURN(std::optional<TableInfo> catalog, LoadCatalogEntry(db, *existing));
        Schema stored;
        if (catalog && SameNames(catalog->schema, columns)) {
          stored = catalog->schema;
        } else {  // made outside Strata, or altered since: ask the stored table
          STRATA_ASSIGN_OR_RETURN(stored, DeriveSchema(db, *existing, columns));
        }
        STRATA_RETURN_IF_ERROR(CheckAppendSchema(*existing, stored, schema));
        if (catalog) {
          info.created_at = catalog->created_at;
          if (info.source.empty()) info.source = catalog->source;
          if (info.format.empty()) info.format = catalog->format;
        }
        STRATA_ASSIGN_OR_RETURN(old_rows, HashStoredRows(db, *existing, schema, &fingerprint));
        create = false;
        break;
      }
    }
  }
  if (create) STRATA_RETURN_IF_ERROR(CreateSqlTable(db, info.name, table));
  STRATA_RETURN_IF_ERROR(InsertRows(db, info.name, table, options.progress, &fingerprint));
  info.rows = old_rows + table.num_rows();
  info.fingerprint = fingerprint.HexDigest();
  // Replaces any entry under the name, including a stale one whose table was dropped with
  // the sqlite3 shell.
  return SaveCatalogEntry(db, info, NowUtc());
}

}  // namespace

Status Workspace::WriteTable(std::string_view name, const Table& table,
                             const WriteTableOptions& options) {
  STRATA_RETURN_IF_ERROR(ValidateTableName(name));
  STRATA_RETURN_IF_ERROR(ValidateColumns(name, table));
  ScopedCacheSize cache(*db_, kImportCacheKiB);
  Status status;
  {
    Result<SqliteTransaction> tx = SqliteTransaction::Begin(*db_);
    status = tx.ok() ? WriteInTransaction(*db_, name, table, options) : tx.status();
    if (status.ok()) status = tx->Commit();
  }  // an uncommitted `tx` rolls back here
  // AlreadyExists names the table and the workspace already.
  if (status.ok() || status.code() == StatusCode::kAlreadyExists) return status;
  return status.WithContext("writing table '" + std::string(name) + "' to workspace '" + path_ +
                            "'");
}

}  // namespace strata
