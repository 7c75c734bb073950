// Every write is one transaction, proved with real faults rather than mocks: a database that
// runs out of pages half way through an import (PRAGMA max_page_count makes SQLite return
// SQLITE_FULL exactly as a full disk would), a writer killed mid-import, and another process
// holding the write lock. After each, the workspace must hold exactly what it held before.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "strata/workspace.h"
#include "support/test_support.h"
#include "workspace/sqlite_db.h"

extern char** environ;

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::testing::HasSubstr;

constexpr const char* kSqliteShell = "/usr/bin/sqlite3";

// Every table in the file (Strata's catalog included), its SQL and all its rows, as text.
std::string DumpDatabase(SqliteDb& db) {
  std::string dump;
  Result<SqliteStatement> tables =
      db.Prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  EXPECT_OK(tables);
  if (!tables.ok()) return "<error>";
  while (tables->Step().value_or(false)) {
    std::string name(tables->ColumnText(0));
    dump += "TABLE " + name + ": " + std::string(tables->ColumnText(1)) + "\n";
    Result<SqliteStatement> rows =
        db.Prepare("SELECT * FROM " + QuoteIdentifier(name) + " ORDER BY rowid");
    EXPECT_OK(rows);
    if (!rows.ok()) return "<error>";
    while (rows->Step().value_or(false)) {
      for (int c = 0; c < rows->column_count(); ++c) {
        dump += std::to_string(static_cast<int>(rows->ColumnType(c))) + ":" +
                std::string(rows->ColumnText(c)) + "|";
      }
      dump += "\n";
    }
  }
  return dump;
}

Table Numbers(int64_t rows, int64_t offset = 0) {
  Column id("id", DataType::kInt64);
  Column label("label", DataType::kString);
  Column score("score", DataType::kFloat64);
  for (int64_t i = 0; i < rows; ++i) {
    id.AppendInt64(offset + i);
    label.AppendString("row number " + std::to_string(offset + i));
    score.AppendFloat64(static_cast<double>(i) / 3.0);
  }
  Table table;
  EXPECT_OK(table.AddColumn(std::move(id)));
  EXPECT_OK(table.AddColumn(std::move(label)));
  EXPECT_OK(table.AddColumn(std::move(score)));
  return table;
}

class WorkspaceFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reopen();
    ASSERT_OK(ws_->WriteTable("small", Numbers(100)));
    ASSERT_OK(ws_->db().Exec("CREATE TABLE by_hand(v TEXT); INSERT INTO by_hand VALUES ('x')"));
  }

  void Reopen(int busy_timeout_ms = 5000) {
    ws_.reset();
    OpenOptions options;
    options.busy_timeout_ms = busy_timeout_ms;
    auto ws = Workspace::Open(path(), options);
    ASSERT_OK(ws);
    ws_ = std::move(ws).value();
  }

  // Lets the file grow by `pages` more pages before SQLite reports SQLITE_FULL.
  void LimitGrowth(int64_t pages) {
    int64_t now = ws_->db().QueryInt64("PRAGMA page_count").value_or(0);
    ASSERT_OK(ws_->db().Exec("PRAGMA max_page_count = " + std::to_string(now + pages)));
  }

  std::string path() const { return dir_.File("ws.db"); }

  TempDir dir_;
  std::unique_ptr<Workspace> ws_;
};

TEST_F(WorkspaceFaultTest, FullDiskDuringCreateLeavesNoTrace) {
  std::string before = DumpDatabase(ws_->db());
  LimitGrowth(20);
  Status status = ws_->WriteTable("big", Numbers(50000));
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("writing table 'big'"));
  EXPECT_FALSE(ws_->db().in_transaction());
  EXPECT_EQ(DumpDatabase(ws_->db()), before);
  EXPECT_FALSE(ws_->HasTable("big"));

  // The connection is still usable once there is room again.
  ASSERT_OK(ws_->db().Exec("PRAGMA max_page_count = 1073741823"));
  ASSERT_OK(ws_->WriteTable("big", Numbers(50000)));
  EXPECT_EQ(ws_->DescribeTable("big")->rows, 50000);
}

TEST_F(WorkspaceFaultTest, FullDiskDuringReplaceKeepsTheOldTable) {
  std::string before = DumpDatabase(ws_->db());
  std::string fingerprint = ws_->DescribeTable("small")->fingerprint;
  LimitGrowth(20);
  WriteTableOptions options;
  options.mode = WriteMode::kReplace;
  Status status = ws_->WriteTable("small", Numbers(50000, 1000), options);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_EQ(DumpDatabase(ws_->db()), before);
  Result<TableInfo> info = ws_->DescribeTable("small");
  ASSERT_OK(info);
  EXPECT_EQ(info->rows, 100);
  EXPECT_EQ(info->fingerprint, fingerprint);
  EXPECT_EQ(ws_->ReadTable("small")->column(0).GetInt64(99), 99);
}

TEST_F(WorkspaceFaultTest, FullDiskDuringAppendKeepsTheOldRows) {
  std::string before = DumpDatabase(ws_->db());
  LimitGrowth(20);
  WriteTableOptions options;
  options.mode = WriteMode::kAppend;
  Status status = ws_->WriteTable("small", Numbers(50000, 100), options);
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_EQ(DumpDatabase(ws_->db()), before);
}

TEST_F(WorkspaceFaultTest, FullDiskAtEveryPointOfAnImportLeavesNoTrace) {
  // Like SQLite's own fault tests: fail the import at each possible point (each extra page
  // allowed moves the failure later) until it succeeds.
  std::string before = DumpDatabase(ws_->db());
  for (int64_t pages = 0;; ++pages) {
    SCOPED_TRACE("pages allowed: " + std::to_string(pages));
    LimitGrowth(pages);
    Status status = ws_->WriteTable("mid", Numbers(2000));
    ASSERT_OK(ws_->db().Exec("PRAGMA max_page_count = 1073741823"));
    if (status.ok()) {
      EXPECT_GT(pages, 5);  // the import really did fail part way before
      EXPECT_EQ(ws_->DescribeTable("mid")->rows, 2000);
      break;
    }
    ASSERT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
    ASSERT_EQ(DumpDatabase(ws_->db()), before);
    ASSERT_LT(pages, 1000) << "the import never succeeded";
  }
}

TEST_F(WorkspaceFaultTest, WriterKilledMidImportLeavesNoTrace) {
  std::string before = DumpDatabase(ws_->db());
  ws_.reset();  // the child must not inherit an open connection
  // Rows of ~1.5 KB: by the kill at 65536 rows the import has outgrown its 64 MiB page
  // cache, so uncommitted pages really are in the WAL file when the writer dies.
  Column payload("payload", DataType::kString);
  for (int i = 0; i < 100000; ++i) payload.AppendString(std::string(1500, 'p'));
  Table heavy;
  ASSERT_OK(heavy.AddColumn(std::move(payload)));
  pid_t child = ::fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // The child: import, and die by SIGKILL (no destructors, no rollback) half way.
    auto ws = Workspace::Open(path());
    if (!ws.ok()) ::_exit(2);
    WriteTableOptions options;
    options.progress = [](const Progress& p) {
      if (p.done >= 65536 && p.done < p.total) ::raise(SIGKILL);
    };
    (*ws)->WriteTable("killed", heavy, options).IgnoreError();
    ::_exit(3);  // not reached if the kill worked
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
  ASSERT_EQ(WTERMSIG(wstatus), SIGKILL);
  EXPECT_GT(std::filesystem::file_size(path() + "-wal"), 64u << 20);
  // Opening runs WAL recovery, which must ignore the frames no commit record covers.
  Reopen();
  EXPECT_EQ(DumpDatabase(ws_->db()), before);
  EXPECT_EQ(ws_->db().QueryText("PRAGMA integrity_check").value_or(""), "ok");
  ASSERT_OK(ws_->WriteTable("killed", Numbers(10)));
}

TEST_F(WorkspaceFaultTest, SecondConnectionHoldingTheLockFailsTheWriteCleanly) {
  Reopen(/*busy_timeout_ms=*/50);
  std::string before = DumpDatabase(ws_->db());
  Result<std::unique_ptr<SqliteDb>> other = SqliteDb::Open(path(), {});
  ASSERT_OK(other);
  ASSERT_OK((*other)->Exec("BEGIN IMMEDIATE"));
  Status status = ws_->WriteTable("blocked", Numbers(10));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("locked by another process"));
  EXPECT_THAT(status.message(), HasSubstr(path()));
  EXPECT_EQ(ws_->DropTable("small").code(), StatusCode::kFailedPrecondition);
  // Reading goes on while another connection writes (WAL).
  EXPECT_EQ(DumpDatabase(ws_->db()), before);
  ASSERT_OK((*other)->Exec("ROLLBACK"));
  ASSERT_OK(ws_->WriteTable("blocked", Numbers(10)));
}

// A child process whose stdin we hold, so we decide when it ends.
struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;
};

Child SpawnWithStdin(const std::vector<std::string>& args) {
  Child child;
  int in[2];
  if (::pipe(in) != 0) return child;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_addclose(&actions, in[1]);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  if (posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    child.pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  child.stdin_fd = in[1];
  return child;
}

// Runs a command and returns its exit code and stdout.
std::pair<int, std::string> RunCommand(const std::vector<std::string>& args) {
  int out[2];
  if (::pipe(out) != 0) return {-1, ""};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(out[0], buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<size_t>(n));
  ::close(out[0]);
  if (rc != 0) return {-1, ""};
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  return {WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, text};
}

TEST_F(WorkspaceFaultTest, Sqlite3ShellHoldingTheLockFailsTheWriteCleanly) {
  if (::access(kSqliteShell, X_OK) != 0) GTEST_SKIP() << "no " << kSqliteShell;
  Reopen(/*busy_timeout_ms=*/50);
  std::string before = DumpDatabase(ws_->db());
  // -bail: if BEGIN failed, the shell stops before touching the marker.
  Child shell = SpawnWithStdin({kSqliteShell, "-bail", path()});
  ASSERT_GT(shell.pid, 0);
  std::string marker = dir_.File("locked");
  std::string script = ".timeout 5000\nBEGIN IMMEDIATE;\n.system touch '" + marker + "'\n";
  ASSERT_EQ(::write(shell.stdin_fd, script.data(), script.size()),
            static_cast<ssize_t>(script.size()));
  for (int i = 0; i < 400 && !std::filesystem::exists(marker); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_TRUE(std::filesystem::exists(marker)) << "the sqlite3 shell never took the lock";

  Status status = ws_->WriteTable("blocked", Numbers(10));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("locked by another process"));
  EXPECT_EQ(DumpDatabase(ws_->db()), before);

  ::close(shell.stdin_fd);  // end of input: the shell exits, its transaction rolls back
  int wstatus = 0;
  ASSERT_EQ(::waitpid(shell.pid, &wstatus, 0), shell.pid);
  ASSERT_OK(ws_->WriteTable("blocked", Numbers(10)));
}

TEST_F(WorkspaceFaultTest, Sqlite3ShellReadsTheWorkspace) {
  if (::access(kSqliteShell, X_OK) != 0) GTEST_SKIP() << "no " << kSqliteShell;
  Column when("when", DataType::kTimestamp);
  when.AppendInt64(int64_t{1709294400} * 1000000 + 250000);  // 2024-03-01 12:00:00.25
  Column who("who is", DataType::kString);
  who.AppendString("Zoë");
  Table table;
  ASSERT_OK(table.AddColumn(std::move(when)));
  ASSERT_OK(table.AddColumn(std::move(who)));
  ASSERT_OK(ws_->WriteTable("select", table));
  auto [code, out] = RunCommand(
      {kSqliteShell, "-readonly", path(),
       "SELECT \"who is\", \"when\", date(\"when\"), strftime('%H', \"when\") FROM \"select\";"
       "PRAGMA integrity_check;"
       "SELECT name, row_count FROM strata_tables ORDER BY name;"});
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out,
            "Zoë|2024-03-01 12:00:00.25|2024-03-01|12\n"
            "ok\n"
            "select|1\n"
            "small|100\n");
}

TEST_F(WorkspaceFaultTest, ImportsTwoHundredThousandRows) {
  const int64_t rows = 200000;
  Table table = Numbers(rows);
  ASSERT_OK(ws_->WriteTable("many", table));
  Result<TableInfo> info = ws_->DescribeTable("many");
  ASSERT_OK(info);
  EXPECT_EQ(info->rows, rows);
  Result<Table> back = ws_->ReadTable("many");
  ASSERT_OK(back);
  ASSERT_EQ(back->num_rows(), rows);
  EXPECT_EQ(back->column(0).GetInt64(rows - 1), rows - 1);
  EXPECT_EQ(back->column(1).GetString(12345), "row number 12345");
  EXPECT_EQ(back->column(2).GetFloat64(3), 1.0);
  // Writing what was read gives the same fingerprint: the round trip lost nothing.
  ASSERT_OK(ws_->WriteTable("again", *back));
  EXPECT_EQ(ws_->DescribeTable("again")->fingerprint, info->fingerprint);
}

}  // namespace
}  // namespace strata
