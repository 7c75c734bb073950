#include "workspace/sqlite_db.h"

#include <sqlite3.h>

#include <atomic>
#include <limits>
#include <utility>

namespace strata {
namespace {

// SQL in error messages is cut here: an INSERT for a wide table is long and the statement's
// start already says what failed.
constexpr size_t kMaxSqlInMessage = 200;

std::string ShortSql(std::string_view sql) {
  if (sql.size() <= kMaxSqlInMessage) return std::string(sql);
  return std::string(sql.substr(0, kMaxSqlInMessage)) + "...";
}

std::string DbPath(sqlite3* db) {
  const char* file = db == nullptr ? nullptr : sqlite3_db_filename(db, "main");
  return file == nullptr || *file == '\0' ? std::string("the database")
                                          : "'" + std::string(file) + "'";
}

// SQLite takes lengths as int; a longer value would be silently truncated by a cast.
bool FitsInt(size_t n) { return n <= static_cast<size_t>(std::numeric_limits<int>::max()); }

}  // namespace

std::string QuoteIdentifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string QuoteLiteral(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

Status SqliteStatus(int rc, sqlite3* db, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return Status::Ok();
  // The connection's message is more specific ("no such table: x") than the code's, but it
  // describes the latest call only, so fall back to the code's text when they disagree.
  std::string detail =
      db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message(context);
  if (!message.empty()) message += ": ";
  message += detail;
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return ResourceExhausted(message + " (free disk space, or raise the workspace size limit)");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return FailedPrecondition(
          message +
          " (the workspace is locked by another process, e.g. an import, a training "
          "job or an sqlite3 shell with an open transaction; retry when it finishes)");
    case SQLITE_NOTADB:
      return FailedPrecondition(DbPath(db) +
                                " is not a Strata workspace (not an SQLite database): " + message +
                                "; check the path");
    case SQLITE_CORRUPT:
      return DataLoss(message + " (" + DbPath(db) +
                      " is damaged; restore it from a backup, or try the sqlite3 shell's "
                      "'.recover' command)");
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG:
      return ResourceExhausted(message);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return IoError(message);
    case SQLITE_READONLY:
      return FailedPrecondition(message + " (" + DbPath(db) +
                                " is open read-only or the file is not writable)");
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_CONSTRAINT:
      return FailedPrecondition(message);
    case SQLITE_INTERRUPT:
      return Cancelled(message);
    case SQLITE_ERROR:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return InvalidArgument(message);
    default:
      return Internal(message + " (SQLite code " + std::to_string(rc) + ")");
  }
}

// ---- SqliteStatement ----

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
  }
  return *this;
}

// sqlite3_finalize returns the error of the last step, which was reported then.
SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

Status SqliteStatement::Check(int rc, std::string_view what) const {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return Status::Ok();
  std::string context(what);
  context += " `";
  context += ShortSql(sql());
  context += "`";
  return SqliteStatus(rc, db_, context);
}

Status SqliteStatement::BindNull(int index) {
  return Check(sqlite3_bind_null(stmt_, index), "binding a parameter of");
}

Status SqliteStatement::BindInt64(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value), "binding a parameter of");
}

Status SqliteStatement::BindDouble(int index, double value) {
  return Check(sqlite3_bind_double(stmt_, index, value), "binding a parameter of");
}

Status SqliteStatement::BindText(int index, std::string_view value, bool copy) {
  if (!FitsInt(value.size())) {
    return ResourceExhausted("a text value of " + std::to_string(value.size()) +
                             " bytes is larger than SQLite can store (2 GiB)");
  }
  // A null data pointer would bind NULL; an empty string must stay an empty string.
  const char* data = value.data() == nullptr ? "" : value.data();
  return Check(sqlite3_bind_text(stmt_, index, data, static_cast<int>(value.size()),
                                 copy ? SQLITE_TRANSIENT : SQLITE_STATIC),
               "binding a parameter of");
}

Status SqliteStatement::BindBlob(int index, std::string_view bytes, bool copy) {
  if (!FitsInt(bytes.size())) {
    return ResourceExhausted("a blob of " + std::to_string(bytes.size()) +
                             " bytes is larger than SQLite can store (2 GiB)");
  }
  const char* data = bytes.data() == nullptr ? "" : bytes.data();
  return Check(sqlite3_bind_blob(stmt_, index, data, static_cast<int>(bytes.size()),
                                 copy ? SQLITE_TRANSIENT : SQLITE_STATIC),
               "binding a parameter of");
}

int SqliteStatement::parameter_count() const { return sqlite3_bind_parameter_count(stmt_); }

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Check(rc, "running");
}

Status SqliteStatement::Run() {
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

Status SqliteStatement::Reset() {
  // sqlite3_reset repeats the error of a failed step; that was reported by Step already.
  sqlite3_reset(stmt_);
  return Status::Ok();
}

Status SqliteStatement::ClearBindings() {
  return Check(sqlite3_clear_bindings(stmt_), "clearing the parameters of");
}

int SqliteStatement::column_count() const { return sqlite3_column_count(stmt_); }

std::string_view SqliteStatement::column_name(int column) const {
  const char* name = sqlite3_column_name(stmt_, column);
  return name == nullptr ? std::string_view() : std::string_view(name);
}

SqliteType SqliteStatement::ColumnType(int column) const {
  return static_cast<SqliteType>(sqlite3_column_type(stmt_, column));
}

int64_t SqliteStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double SqliteStatement::ColumnDouble(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string_view SqliteStatement::ColumnText(int column) const {
  // Text first, then bytes: sqlite3_column_bytes after a conversion reports the new size.
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string_view SqliteStatement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  if (blob == nullptr) return {};
  return {static_cast<const char*>(blob), static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string_view SqliteStatement::sql() const {
  const char* text = stmt_ == nullptr ? nullptr : sqlite3_sql(stmt_);
  return text == nullptr ? std::string_view() : std::string_view(text);
}

// ---- SqliteDb ----

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path,
                                                 const SqliteOpenOptions& options) {
  // SQLite's per-connection mutex shows up as ~8% of CPU samples (perf) in a 1M x 22 import
  // and read-back. SQLITE_OPEN_NOMUTEX would save that but make sharing one connection
  // between threads undefined behaviour, so we keep SQLite's serialized default.
  int flags = 0;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options.create) flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // SQLite allocates a handle even when opening fails; it carries the message.
  auto db = std::unique_ptr<SqliteDb>(new SqliteDb(path, raw));
  if (rc != SQLITE_OK) return SqliteStatus(rc, raw, "cannot open '" + path + "'");
  // Extended codes tell SQLITE_IOERR_SHORT_READ from a plain SQLITE_IOERR in messages; the
  // mapping in SqliteStatus looks at the primary code only.
  sqlite3_extended_result_codes(raw, 1);
  STRATA_RETURN_IF_ERROR(db->SetBusyTimeout(options.busy_timeout_ms));
  return db;
}

SqliteDb::~SqliteDb() {
  // close_v2 defers the close until statements still alive are finalized, so destruction
  // order between a SqliteDb and its statements cannot leak the connection.
  sqlite3_close_v2(db_);
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec needs a NUL-terminated string
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);  // the same text is available from sqlite3_errmsg
  if (rc == SQLITE_OK) return Status::Ok();
  return SqliteStatus(rc, db_, "running `" + ShortSql(sql) + "`");
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  if (!FitsInt(sql.size())) return ResourceExhausted("SQL statement too long");
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(rc, db_, "preparing `" + ShortSql(sql) + "`");
  }
  if (stmt == nullptr) {  // only whitespace or a comment
    return InvalidArgument("preparing `" + ShortSql(sql) + "`: no SQL statement");
  }
  return SqliteStatement(stmt, db_);
}

Result<int64_t> SqliteDb::QueryInt64(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
  STRATA_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFound("`" + ShortSql(sql) + "` returned no row");
  return stmt.ColumnInt64(0);
}

Result<std::string> SqliteDb::QueryText(std::string_view sql) {
  STRATA_ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
  STRATA_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFound("`" + ShortSql(sql) + "` returned no row");
  return std::string(stmt.ColumnText(0));
}

Status SqliteDb::SetBusyTimeout(int milliseconds) {
  return SqliteStatus(sqlite3_busy_timeout(db_, milliseconds), db_, "setting the busy timeout");
}

void SqliteDb::SetInterruptFlag(const std::atomic<bool>* flag) {
  // SQLite calls the handler every N virtual-machine instructions; a non-zero answer
  // interrupts the statement. 10,000 instructions take well under a millisecond.
  auto handler = [](void* data) -> int { return static_cast<const std::atomic<bool>*>(data)->load() ? 1 : 0; };
  if (flag == nullptr) {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
  } else {
    sqlite3_progress_handler(db_, 10'000, handler, const_cast<std::atomic<bool>*>(flag));
  }
}

bool SqliteDb::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

bool SqliteDb::read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

int64_t SqliteDb::changes() const { return sqlite3_changes64(db_); }

int SqliteDb::last_error_code() const { return sqlite3_errcode(db_) & 0xff; }

// ---- SqliteTransaction ----

Result<SqliteTransaction> SqliteTransaction::Begin(SqliteDb& db) {
  return Start(db, "BEGIN IMMEDIATE");
}

Result<SqliteTransaction> SqliteTransaction::BeginRead(SqliteDb& db) {
  return Start(db, "BEGIN DEFERRED");
}

Result<SqliteTransaction> SqliteTransaction::Start(SqliteDb& db, std::string_view begin_sql) {
  if (db.in_transaction()) {
    // Savepoint names only need to be unique among the open ones on this connection.
    static std::atomic<uint64_t> counter{0};
    std::string name = "strata_sp_" + std::to_string(counter.fetch_add(1));
    STRATA_RETURN_IF_ERROR(db.Exec("SAVEPOINT " + name));
    return SqliteTransaction(&db, std::move(name));
  }
  STRATA_RETURN_IF_ERROR(db.Exec(begin_sql));
  return SqliteTransaction(&db, "");
}

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), savepoint_(std::move(other.savepoint_)) {}

SqliteTransaction::~SqliteTransaction() { Rollback().IgnoreError(); }

namespace {
std::atomic<uint64_t> commits_in_process{0};
}  // namespace

uint64_t SqliteTransaction::CommitsInProcess() {
  return commits_in_process.load(std::memory_order_acquire);
}

Status SqliteTransaction::Commit() {
  if (db_ == nullptr) return Internal("Commit() on a finished transaction");
  SqliteDb* db = std::exchange(db_, nullptr);
  if (!db->in_transaction()) {
    // SQLite rolls a transaction back by itself after some errors (SQLITE_FULL, IOERR,
    // NOMEM); committing then would silently lose every write since BEGIN.
    return Internal("the transaction was rolled back by SQLite after an earlier error");
  }
  Status status = db->Exec(savepoint_.empty() ? "COMMIT" : "RELEASE " + savepoint_);
  if (!status.ok()) {
    // A failed COMMIT (e.g. SQLITE_BUSY from a reader in rollback-journal mode) leaves the
    // transaction open; roll it back so the connection is usable again.
    db_ = db;
    Rollback().IgnoreError();
  } else if (savepoint_.empty()) {
    // After COMMIT returned, so a reader that sees the new count also sees the data.
    commits_in_process.fetch_add(1, std::memory_order_release);
  }
  return status;
}

Status SqliteTransaction::Rollback() {
  if (db_ == nullptr) return Status::Ok();
  SqliteDb* db = std::exchange(db_, nullptr);
  if (!db->in_transaction()) return Status::Ok();  // SQLite already rolled back
  if (savepoint_.empty()) return db->Exec("ROLLBACK");
  // ROLLBACK TO keeps the savepoint open; RELEASE closes it.
  STRATA_RETURN_IF_ERROR(db->Exec("ROLLBACK TO " + savepoint_));
  return db->Exec("RELEASE " + savepoint_);
}

}  // namespace strata
