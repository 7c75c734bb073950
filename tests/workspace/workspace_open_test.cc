// Opening workspaces: creation, connection settings, migrations, and the files and paths
// that are not workspaces.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include "strata/workspace.h"
#include "support/test_support.h"
#include "workspace/migrations.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::testing::HasSubstr;

// Makes a plain SQLite file (no Strata catalog) by running `sql` on it.
void MakeSqliteFile(const std::string& path, const std::string& sql) {
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path, {});
  ASSERT_OK(db);
  ASSERT_OK((*db)->Exec(sql));
}

TEST(WorkspaceOpenTest, CreatesAWalWorkspaceWithTheCatalog) {
  TempDir dir;
  std::string path = dir.File("new.db");
  Result<std::unique_ptr<Workspace>> ws = Workspace::Open(path);
  ASSERT_OK(ws);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ((*ws)->path(), path);
  EXPECT_EQ((*ws)->schema_version(), kWorkspaceSchemaVersion);
  SqliteDb& db = (*ws)->db();
  EXPECT_EQ(db.QueryText("PRAGMA journal_mode").value_or(""), "wal");
  EXPECT_EQ(db.QueryInt64("PRAGMA foreign_keys").value_or(-1), 1);
  EXPECT_EQ(db.QueryInt64("PRAGMA synchronous").value_or(-1), 1);  // NORMAL
  EXPECT_EQ(db.QueryInt64("SELECT count(*) FROM sqlite_schema WHERE name IN "
                          "('strata_meta', 'strata_tables', 'strata_columns')")
                .value_or(-1),
            3);
  EXPECT_THAT(db.QueryText("SELECT value FROM strata_meta WHERE key = 'created_by'").value_or(""),
              HasSubstr("strata "));
  Result<std::vector<TableInfo>> tables = (*ws)->ListTables();
  ASSERT_OK(tables);
  EXPECT_TRUE(tables->empty());
}

TEST(WorkspaceOpenTest, ReopeningKeepsTheCatalogAsIs) {
  TempDir dir;
  std::string path = dir.File("ws.db");
  std::string created_at;
  {
    auto ws = Workspace::Open(path);
    ASSERT_OK(ws);
    created_at = (*ws)
                     ->db()
                     .QueryText("SELECT value FROM strata_meta WHERE key = 'created_at'")
                     .value_or("");
    EXPECT_FALSE(created_at.empty());
  }
  auto ws = Workspace::Open(path);
  ASSERT_OK(ws);
  EXPECT_EQ((*ws)->schema_version(), kWorkspaceSchemaVersion);
  EXPECT_EQ(
      (*ws)->db().QueryText("SELECT value FROM strata_meta WHERE key = 'created_at'").value_or(""),
      created_at);
}

TEST(WorkspaceOpenTest, PlainSqliteFileBecomesAWorkspaceKeepingItsTables) {
  TempDir dir;
  std::string path = dir.File("legacy.db");
  MakeSqliteFile(path,
                 "CREATE TABLE people(name TEXT, age INTEGER);"
                 "INSERT INTO people VALUES ('Ada', 36), ('Alan', 41);");
  auto ws = Workspace::Open(path);
  ASSERT_OK(ws);
  EXPECT_EQ((*ws)->schema_version(), kWorkspaceSchemaVersion);
  Result<std::vector<TableInfo>> tables = (*ws)->ListTables();
  ASSERT_OK(tables);
  ASSERT_EQ(tables->size(), 1u);
  EXPECT_EQ((*tables)[0].name, "people");
  EXPECT_FALSE((*tables)[0].in_catalog);
  EXPECT_EQ((*tables)[0].rows, 2);
  Result<Table> people = (*ws)->ReadTable("people");
  ASSERT_OK(people);
  EXPECT_EQ(people->column(1).type(), DataType::kInt64);
  EXPECT_EQ(people->column(0).GetString(1), "Alan");
}

TEST(WorkspaceOpenTest, RefusesAWorkspaceFromANewerStrata) {
  TempDir dir;
  std::string path = dir.File("future.db");
  MakeSqliteFile(path, "CREATE TABLE t(x); PRAGMA user_version = 99;");
  auto ws = Workspace::Open(path);
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(ws.status().message(),
              HasSubstr("written by a newer Strata (schema 99, this build understands up to " +
                        std::to_string(kWorkspaceSchemaVersion) + ")"));
  EXPECT_THAT(ws.status().message(), HasSubstr(path));
  // Refusing must not touch the file.
  auto db = SqliteDb::Open(path, {});
  ASSERT_OK(db);
  EXPECT_EQ((*db)->QueryInt64("PRAGMA user_version").value_or(-1), 99);
  EXPECT_EQ((*db)->QueryInt64("SELECT count(*) FROM sqlite_schema").value_or(-1), 1);
}

TEST(WorkspaceOpenTest, RefusesATextFile) {
  TempDir dir;
  std::string path = dir.Write("data.csv", "id,name\n1,Ada\n2,Alan\n");
  auto ws = Workspace::Open(path);
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(ws.status().message(),
              HasSubstr("is not a Strata workspace (not an SQLite database)"));
  EXPECT_THAT(ws.status().message(), HasSubstr(path));
  EXPECT_EQ(testing::ReadFileOrDie(path), "id,name\n1,Ada\n2,Alan\n");
}

TEST(WorkspaceOpenTest, AnEmptyFileBecomesAWorkspace) {
  TempDir dir;
  std::string path = dir.Write("empty.db", "");
  auto ws = Workspace::Open(path);
  ASSERT_OK(ws);
  EXPECT_EQ((*ws)->schema_version(), kWorkspaceSchemaVersion);
}

TEST(WorkspaceOpenTest, ADirectoryIsNotAWorkspace) {
  TempDir dir;
  auto ws = Workspace::Open(dir.path().string());
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(ws.status().message(), HasSubstr("is a directory"));
  EXPECT_THAT(ws.status().message(), HasSubstr(dir.path().string()));
}

TEST(WorkspaceOpenTest, MissingParentDirectoryIsNamed) {
  TempDir dir;
  std::string path = dir.File("no/such/dir/ws.db");
  auto ws = Workspace::Open(path);
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(ws.status().message(), HasSubstr(dir.File("no/such/dir")));
  EXPECT_THAT(ws.status().message(), HasSubstr("does not exist"));
}

TEST(WorkspaceOpenTest, ParentThatIsAFileIsNamed) {
  TempDir dir;
  std::string file = dir.Write("plain.txt", "x");
  auto ws = Workspace::Open(file + "/ws.db");
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(ws.status().message(), HasSubstr("is not a directory"));
}

TEST(WorkspaceOpenTest, UnwritableDirectoryIsNamed) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores file permissions";
  TempDir dir;
  std::filesystem::create_directory(dir.File("locked"));
  std::filesystem::permissions(
      dir.File("locked"), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  auto ws = Workspace::Open(dir.File("locked/ws.db"));
  std::filesystem::permissions(dir.File("locked"), std::filesystem::perms::owner_all);
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(ws.status().message(), HasSubstr("no permission to write"));
}

TEST(WorkspaceOpenTest, WithoutCreateAMissingFileIsNotFound) {
  TempDir dir;
  OpenOptions options;
  options.create = false;
  auto ws = Workspace::Open(dir.File("missing.db"), options);
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(ws.status().message(), HasSubstr(dir.File("missing.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.File("missing.db")));

  options.create = true;
  options.read_only = true;
  EXPECT_EQ(Workspace::Open(dir.File("missing.db"), options).status().code(),
            StatusCode::kNotFound);
}

TEST(WorkspaceOpenTest, ReadOnlyOpenReadsButDoesNotWrite) {
  TempDir dir;
  std::string path = dir.File("ws.db");
  {
    auto ws = Workspace::Open(path);
    ASSERT_OK(ws);
    Column x("x", DataType::kInt64);
    x.AppendInt64(7);
    Table t;
    ASSERT_OK(t.AddColumn(std::move(x)));
    ASSERT_OK((*ws)->WriteTable("t", t));
  }
  OpenOptions options;
  options.read_only = true;
  auto ws = Workspace::Open(path, options);
  ASSERT_OK(ws);
  Result<Table> t = (*ws)->ReadTable("t");
  ASSERT_OK(t);
  EXPECT_EQ(t->column(0).GetInt64(0), 7);
  Status write = (*ws)->WriteTable("u", *t);
  EXPECT_EQ(write.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(write.message(), HasSubstr("read-only"));
  EXPECT_FALSE((*ws)->HasTable("u"));
}

TEST(WorkspaceOpenTest, ReadOnlyOpenCannotUpgrade) {
  TempDir dir;
  std::string path = dir.File("plain.db");
  MakeSqliteFile(path, "CREATE TABLE t(x)");
  OpenOptions options;
  options.read_only = true;
  auto ws = Workspace::Open(path, options);
  ASSERT_FALSE(ws.ok());
  EXPECT_EQ(ws.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(ws.status().message(), HasSubstr("needs upgrading from schema 0 to " +
                                                 std::to_string(kWorkspaceSchemaVersion)));
}

TEST(WorkspaceOpenTest, ACatalogTableInTheWayFailsTheUpgradeCleanly) {
  TempDir dir;
  std::string path = dir.File("clash.db");
  MakeSqliteFile(path, "CREATE TABLE strata_tables(whatever); CREATE TABLE keep(x);");
  auto ws = Workspace::Open(path);
  ASSERT_FALSE(ws.ok());
  EXPECT_THAT(ws.status().message(), HasSubstr("migration 1"));
  EXPECT_THAT(ws.status().message(), HasSubstr("strata_tables"));
  // The failed migration left nothing behind: same tables, version still 0.
  auto db = SqliteDb::Open(path, {});
  ASSERT_OK(db);
  EXPECT_EQ((*db)->QueryInt64("PRAGMA user_version").value_or(-1), 0);
  EXPECT_EQ((*db)->QueryInt64("SELECT count(*) FROM sqlite_schema").value_or(-1), 2);
}

TEST(WorkspaceOpenTest, MigrationsAreNumberedInOrder) {
  std::span<const Migration> migrations = WorkspaceMigrations();
  ASSERT_EQ(static_cast<int>(migrations.size()), kWorkspaceSchemaVersion);
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(migrations[i].title.empty());
  }
}

TEST(WorkspaceOpenTest, InMemoryWorkspaceWorks) {
  auto ws = Workspace::Open(":memory:");
  ASSERT_OK(ws);
  EXPECT_EQ((*ws)->schema_version(), kWorkspaceSchemaVersion);
}

TEST(WorkspaceOpenTest, DefaultPathComesFromTheEnvironment) {
  const char* old = std::getenv("STRATA_WORKSPACE");
  std::string saved = old != nullptr ? old : "";
  ::unsetenv("STRATA_WORKSPACE");
  EXPECT_EQ(DefaultWorkspacePath(), "./strata.db");
  ::setenv("STRATA_WORKSPACE", "/data/team.db", 1);
  EXPECT_EQ(DefaultWorkspacePath(), "/data/team.db");
  if (old != nullptr) {
    ::setenv("STRATA_WORKSPACE", saved.c_str(), 1);
  } else {
    ::unsetenv("STRATA_WORKSPACE");
  }
}

TEST(WorkspaceOpenTest, EmptyPathIsInvalid) {
  EXPECT_EQ(Workspace::Open("").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata
