// SqliteDb: the one wrapper around the SQLite C API in Strata. The workspace, the SQL engine
// and the model registry all reach SQLite through it, so every return code is checked here
// and turned into a Status that names the operation, the SQL and SQLite's own message.
//
//   STRATA_ASSIGN_OR_RETURN(auto db, SqliteDb::Open("strata.db", {}));
//   STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(*db));
//   STRATA_ASSIGN_OR_RETURN(SqliteStatement insert, db->Prepare("INSERT INTO t VALUES (?1)"));
//   STRATA_RETURN_IF_ERROR(insert.BindInt64(1, 42));
//   STRATA_RETURN_IF_ERROR(insert.Run());
//   STRATA_RETURN_IF_ERROR(tx.Commit());  // without it, the destructor rolls back
//
// Error mapping (SqliteStatus): SQLITE_FULL -> ResourceExhausted, SQLITE_BUSY/LOCKED ->
// FailedPrecondition ("locked by another process"), SQLITE_NOTADB -> FailedPrecondition
// ("not a Strata workspace"), SQLITE_CORRUPT -> DataLoss, SQLITE_ERROR (bad SQL, no such
// table) -> InvalidArgument, I/O and open failures -> IoError, misuse -> Internal.
//
// Threading: SQLite serializes calls on one connection, so a SqliteDb may be shared, but a
// transaction belongs to the connection: threads that write concurrently open their own.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "strata/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace strata {

// "name" with inner double quotes doubled: safe to splice into SQL as an identifier.
std::string QuoteIdentifier(std::string_view name);
// 'text' with inner single quotes doubled: an SQL string literal.
std::string QuoteLiteral(std::string_view text);

// The Status for SQLite result code `rc` (OK for SQLITE_OK/ROW/DONE) on connection `db`
// (may be null): "context: sqlite's message" plus advice for the codes a user can act on.
Status SqliteStatus(int rc, sqlite3* db, std::string_view context);

struct SqliteOpenOptions {
  bool create = true;          // create the file if it is missing
  bool read_only = false;      // open read-only (implies !create)
  int busy_timeout_ms = 5000;  // how long to wait for another connection's lock
};

// The storage class of a result column value, as sqlite3_column_type reports it.
enum class SqliteType { kInteger = 1, kFloat = 2, kText = 3, kBlob = 4, kNull = 5 };

class SqliteDb;

// A prepared statement. Bind indexes and column indexes follow SQLite: parameters are
// 1-based, result columns 0-based. Column accessors are valid after Step() returned true and
// until the next Step()/Reset(); the views they return point into SQLite's buffers.
class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  Status BindNull(int index);
  Status BindInt64(int index, int64_t value);
  Status BindDouble(int index, double value);
  // `copy` = false saves a copy per bind when the caller keeps `value` alive and unchanged
  // until the statement is stepped (the import binds dictionary strings this way).
  Status BindText(int index, std::string_view value, bool copy = true);
  Status BindBlob(int index, std::string_view bytes, bool copy = true);
  int parameter_count() const;

  // Advances: true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps to completion, ignoring any rows (for INSERT/UPDATE/DDL).
  Status Run();
  // Makes the statement ready to step again; bindings are kept (overwrite or ClearBindings).
  Status Reset();
  Status ClearBindings();

  int column_count() const;
  std::string_view column_name(int column) const;
  SqliteType ColumnType(int column) const;
  bool ColumnIsNull(int column) const { return ColumnType(column) == SqliteType::kNull; }
  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string_view ColumnText(int column) const;  // "" for NULL
  std::string_view ColumnBlob(int column) const;

  // The SQL the statement was prepared from (for error messages).
  std::string_view sql() const;
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  friend class SqliteDb;
  SqliteStatement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  Status Check(int rc, std::string_view what) const;

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

// One connection to one database file. Closes the connection on destruction.
class SqliteDb {
 public:
  // Opens `path`. Opening is lazy in SQLite, so a file that is not a database is only
  // detected by the first query; callers that care run one (Workspace::Open does).
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path,
                                                const SqliteOpenOptions& options);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more ';'-separated statements that return no rows of interest.
  Status Exec(std::string_view sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  // The first column of the first row of `sql` as an integer (NotFound when no row).
  Result<int64_t> QueryInt64(std::string_view sql);
  // The first column of the first row of `sql` as text (NotFound when no row).
  Result<std::string> QueryText(std::string_view sql);

  Status SetBusyTimeout(int milliseconds);
  // While `flag` (kept alive by the caller) reads true, a running statement stops within a
  // few thousand SQLite instructions with SQLITE_INTERRUPT (Cancelled), its changes undone;
  // nullptr removes the hook. Lets Ctrl-C and request deadlines stop a long query.
  void SetInterruptFlag(const std::atomic<bool>* flag);
  // True inside BEGIN ... COMMIT (SQLite's autocommit mode is off).
  bool in_transaction() const;
  // True when the connection cannot write (opened read-only or the file is not writable).
  bool read_only() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t changes() const;
  // The primary result code of the latest failed call (SQLITE_NOTADB, ...), for callers
  // whose message depends on it; SqliteStatus has already mapped it to a StatusCode.
  int last_error_code() const;

  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

 private:
  SqliteDb(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  std::string path_;
  sqlite3* db_;
};

// A transaction. Begin() takes the write lock at once (BEGIN IMMEDIATE) so a second writer
// fails at the start rather than half way; BeginRead() (BEGIN DEFERRED) gives a group of
// reads one consistent snapshot without blocking writers (WAL). Inside an enclosing
// transaction both open a SAVEPOINT instead, so library calls compose. Destroying it without
// Commit() rolls back.
class SqliteTransaction {
 public:
  static Result<SqliteTransaction> Begin(SqliteDb& db);
  static Result<SqliteTransaction> BeginRead(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();

  Status Commit();
  // How many outermost transactions this process has committed, on any connection. A reader
  // that caches what it read (serve::ModelCache) compares it to see its own process's writes
  // at once without asking SQLite on every call.
  static uint64_t CommitsInProcess();
  // Rolls back now (also done by the destructor); safe after SQLite rolled back by itself.
  Status Rollback();

 private:
  SqliteTransaction(SqliteDb* db, std::string savepoint)
      : db_(db), savepoint_(std::move(savepoint)) {}
  static Result<SqliteTransaction> Start(SqliteDb& db, std::string_view begin_sql);

  SqliteDb* db_;
  std::string savepoint_;  // empty for a top-level BEGIN IMMEDIATE
};

}  // namespace strata
