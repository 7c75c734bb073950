// Workspace: opening (path checks, connection settings, migrations) and the read side of
// the catalog. Writing tables lives in table_writer.cc, decoding them in table_reader.cc.
#include "strata/workspace.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "workspace/catalog.h"
#include "workspace/migrations.h"
#include "workspace/sqlite_db.h"
#include "workspace/table_reader.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kInMemoryPath = ":memory:";

// SQLite reports most path problems as "unable to open database file"; checking first lets
// the message say which part of the path is wrong and what to do about it.
Status CheckWorkspacePath(const std::string& path, const OpenOptions& options) {
  if (path.empty()) {
    return InvalidArgument("workspace path is empty; give a file such as strata.db");
  }
  if (path.find('\0') != std::string::npos) {
    return InvalidArgument("workspace path contains a NUL byte");
  }
  if (path == kInMemoryPath) return Status::Ok();
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) parent = ".";
  if (fs::exists(status)) {
    if (fs::is_directory(status)) {
      return FailedPrecondition("workspace path '" + path +
                                "' is a directory; give a file inside it, e.g. '" +
                                (fs::path(path) / "strata.db").string() + "'");
    }
    if (options.read_only) return Status::Ok();
    if (::access(path.c_str(), W_OK) != 0) {
      return FailedPrecondition("workspace '" + path +
                                "' is not writable (permission denied); fix its permissions, "
                                "or open it read-only to read it");
    }
    // WAL mode keeps two side files (-wal, -shm) next to the database.
    if (::access(parent.c_str(), W_OK) != 0) {
      return FailedPrecondition("directory '" + parent.string() + "' of workspace '" + path +
                                "' is not writable; SQLite needs to create '" + path +
                                "-wal' there");
    }
    return Status::Ok();
  }
  if (options.read_only || !options.create) {
    return NotFound("no workspace at '" + path + "' (the file does not exist); check the path" +
                    (options.read_only ? "" : ", or allow creating it"));
  }
  fs::file_status parent_status = fs::status(parent, ec);
  if (!fs::exists(parent_status)) {
    return NotFound("cannot create workspace '" + path + "': directory '" + parent.string() +
                    "' does not exist; create it first (mkdir -p '" + parent.string() + "')");
  }
  if (!fs::is_directory(parent_status)) {
    return FailedPrecondition("cannot create workspace '" + path + "': '" + parent.string() +
                              "' is not a directory");
  }
  if (::access(parent.c_str(), W_OK) != 0) {
    return FailedPrecondition("cannot create workspace '" + path +
                              "': no permission to write in directory '" + parent.string() + "'");
  }
  return Status::Ok();
}

// Connection settings, re-applied on every open since SQLite keeps only journal_mode.
Status ConfigureConnection(SqliteDb& db, bool in_memory) {
  // WAL: readers (the server, `strata sql`) never block the writer and a reader never sees
  // a half-written table; NORMAL sync is durable at checkpoints and cannot corrupt in WAL.
  STRATA_ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode = WAL"));
  if (mode != "wal" && !(in_memory && mode == "memory")) {
    return FailedPrecondition("workspace '" + db.path() + "' cannot use write-ahead logging " +
                              "(journal mode stayed '" + mode +
                              "'); keep workspaces on a local file system");
  }
  return db.Exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
}

// Everything Describe/List report about one user table (stored spelling `name`).
Result<TableInfo> Describe(SqliteDb& db, const std::string& name) {
  STRATA_ASSIGN_OR_RETURN(std::optional<TableInfo> entry, LoadCatalogEntry(db, name));
  if (entry) {
    entry->name = name;
    return std::move(*entry);
  }
  TableInfo info;
  info.name = name;
  STRATA_ASSIGN_OR_RETURN(info.rows, CountRows(db, name));
  STRATA_ASSIGN_OR_RETURN(std::vector<SqlColumn> columns, ReadSqlColumns(db, name));
  STRATA_ASSIGN_OR_RETURN(info.schema, DeriveSchema(db, name, columns));
  return info;
}

}  // namespace

std::string DefaultWorkspacePath() {
  const char* env = std::getenv("STRATA_WORKSPACE");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("./strata.db");
}

Workspace::Workspace(std::string path, std::unique_ptr<SqliteDb> db)
    : path_(std::move(path)), db_(std::move(db)) {}

Workspace::~Workspace() = default;

Result<std::unique_ptr<Workspace>> Workspace::Open(const std::string& path,
                                                   const OpenOptions& options) {
  STRATA_RETURN_IF_ERROR(CheckWorkspacePath(path, options));
  const std::string context = "opening workspace '" + path + "'";
  SqliteOpenOptions sqlite_options;
  sqlite_options.create = options.create && !options.read_only;
  sqlite_options.read_only = options.read_only;
  sqlite_options.busy_timeout_ms = options.busy_timeout_ms;
  Result<std::unique_ptr<SqliteDb>> opened = SqliteDb::Open(path, sqlite_options);
  if (!opened.ok()) return opened.status().WithContext(context);
  std::unique_ptr<SqliteDb> db = std::move(opened).value();
  if (!options.read_only && db->read_only()) {
    return FailedPrecondition("workspace '" + path + "' is not writable; open it read-only");
  }

  // SQLite opens lazily: the first read is what finds out whether this is a database.
  Result<int64_t> probe = db->QueryInt64("SELECT count(*) FROM sqlite_schema");
  if (!probe.ok()) {
    if (db->last_error_code() == SQLITE_NOTADB) {
      return FailedPrecondition("'" + path +
                                "' is not a Strata workspace (not an SQLite database); check "
                                "the path, or name a new file to create a workspace there");
    }
    return probe.status().WithContext(context);
  }
  if (!options.read_only) {
    Status configured = ConfigureConnection(*db, path == kInMemoryPath);
    if (!configured.ok()) return configured.WithContext(context);
  }
  // Its errors name the workspace and what was being upgraded.
  STRATA_RETURN_IF_ERROR(MigrateWorkspace(*db));
  return std::unique_ptr<Workspace>(new Workspace(path, std::move(db)));
}

int Workspace::schema_version() const {
  Result<int> version = ReadSchemaVersion(*db_);
  return version.ok() ? *version : -1;
}

Result<std::vector<TableInfo>> Workspace::ListTables() {
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction snapshot, SqliteTransaction::BeginRead(*db_));
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, ListUserTableNames(*db_));
  std::vector<TableInfo> tables;
  tables.reserve(names.size());
  for (const std::string& name : names) {
    STRATA_ASSIGN_OR_RETURN(TableInfo info, Describe(*db_, name));
    tables.push_back(std::move(info));
  }
  STRATA_RETURN_IF_ERROR(snapshot.Commit());
  return tables;
}

Result<TableInfo> Workspace::DescribeTable(std::string_view name) {
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction snapshot, SqliteTransaction::BeginRead(*db_));
  STRATA_ASSIGN_OR_RETURN(std::optional<std::string> stored, FindUserTable(*db_, name));
  if (!stored) return NoSuchTable(*db_, name);
  STRATA_ASSIGN_OR_RETURN(TableInfo info, Describe(*db_, *stored));
  STRATA_RETURN_IF_ERROR(snapshot.Commit());
  return info;
}

bool Workspace::HasTable(std::string_view name) {
  Result<std::optional<std::string>> stored = FindUserTable(*db_, name);
  return stored.ok() && stored->has_value();
}

Result<Table> Workspace::ReadTable(std::string_view name, std::optional<int64_t> limit,
                                   int64_t offset) {
  if (limit && *limit < 0) {
    return InvalidArgument("row limit " + std::to_string(*limit) + " is negative");
  }
  if (offset < 0) return InvalidArgument("row offset " + std::to_string(offset) + " is negative");
  // One snapshot for the catalog and the rows, so a concurrent replace cannot pair the old
  // types with the new rows.
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction snapshot, SqliteTransaction::BeginRead(*db_));
  STRATA_ASSIGN_OR_RETURN(std::optional<std::string> stored, FindUserTable(*db_, name));
  if (!stored) return NoSuchTable(*db_, name);
  STRATA_ASSIGN_OR_RETURN(std::vector<SqlColumn> columns, ReadSqlColumns(*db_, *stored));
  STRATA_ASSIGN_OR_RETURN(std::optional<TableInfo> catalog, LoadCatalogEntry(*db_, *stored));
  Result<Table> table = ReadStoredTable(*db_, *stored, columns, catalog, limit, offset);
  if (!table.ok()) {
    return table.status().WithContext("reading table '" + *stored + "' of workspace '" + path_ +
                                      "'");
  }
  STRATA_RETURN_IF_ERROR(snapshot.Commit());
  return table;
}

Status Workspace::DropTable(std::string_view name) {
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(*db_));
  STRATA_ASSIGN_OR_RETURN(std::optional<std::string> stored, FindUserTable(*db_, name));
  if (!stored) return NoSuchTable(*db_, name);
  STRATA_RETURN_IF_ERROR(db_->Exec("DROP TABLE " + QuoteIdentifier(*stored)));
  STRATA_RETURN_IF_ERROR(DeleteCatalogEntry(*db_, *stored));
  return tx.Commit();
}

}  // namespace strata
