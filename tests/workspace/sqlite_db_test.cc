#include "workspace/sqlite_db.h"

#include <sqlite3.h>

#include "support/test_support.h"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::testing::HasSubstr;

std::unique_ptr<SqliteDb> OpenOrDie(const std::string& path, int busy_timeout_ms = 0) {
  SqliteOpenOptions options;
  options.busy_timeout_ms = busy_timeout_ms;
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(path, options);
  EXPECT_OK(db);
  return db.ok() ? std::move(db).value() : nullptr;
}

int64_t CountRows(SqliteDb& db, const std::string& table) {
  Result<int64_t> n = db.QueryInt64("SELECT count(*) FROM " + QuoteIdentifier(table));
  EXPECT_OK(n);
  return n.value_or(-1);
}

TEST(QuoteTest, DoublesInnerQuotes) {
  EXPECT_EQ(QuoteIdentifier("plain"), "\"plain\"");
  EXPECT_EQ(QuoteIdentifier("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(QuoteIdentifier(""), "\"\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
}

TEST(QuoteTest, QuotedNamesWorkInSqlite) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("q.db"));
  for (std::string name : {"select", "a \"b\" c", "it's", "größe", "from where"}) {
    SCOPED_TRACE(name);
    EXPECT_OK(db->Exec("CREATE TABLE " + QuoteIdentifier(name) + " (" + QuoteIdentifier(name) +
                       " INTEGER)"));
    EXPECT_OK(db->Exec("INSERT INTO " + QuoteIdentifier(name) + " VALUES (1)"));
    EXPECT_EQ(CountRows(*db, name), 1);
  }
}

TEST(SqliteStatementTest, BindsAndReadsEveryStorageClass) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  ASSERT_OK(db->Exec("CREATE TABLE t(a, b, c, d, e)"));
  Result<SqliteStatement> insert = db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
  ASSERT_OK(insert);
  EXPECT_EQ(insert->parameter_count(), 5);
  const std::string text_with_nul("a\0b", 3);
  ASSERT_OK(insert->BindInt64(1, INT64_MIN));
  ASSERT_OK(insert->BindDouble(2, -2.5));
  ASSERT_OK(insert->BindText(3, text_with_nul));
  ASSERT_OK(insert->BindBlob(4, std::string("\x00\xff", 2)));
  ASSERT_OK(insert->BindNull(5));
  ASSERT_OK(insert->Run());

  Result<SqliteStatement> select = db->Prepare("SELECT a, b, c, d, e FROM t");
  ASSERT_OK(select);
  Result<bool> row = select->Step();
  ASSERT_OK(row);
  ASSERT_TRUE(*row);
  EXPECT_EQ(select->column_count(), 5);
  EXPECT_EQ(select->column_name(2), "c");
  EXPECT_EQ(select->ColumnType(0), SqliteType::kInteger);
  EXPECT_EQ(select->ColumnInt64(0), INT64_MIN);
  EXPECT_EQ(select->ColumnType(1), SqliteType::kFloat);
  EXPECT_EQ(select->ColumnDouble(1), -2.5);
  EXPECT_EQ(select->ColumnType(2), SqliteType::kText);
  EXPECT_EQ(select->ColumnText(2), text_with_nul);
  EXPECT_EQ(select->ColumnType(3), SqliteType::kBlob);
  EXPECT_EQ(select->ColumnBlob(3), std::string("\x00\xff", 2));
  EXPECT_TRUE(select->ColumnIsNull(4));
  row = select->Step();
  ASSERT_OK(row);
  EXPECT_FALSE(*row);
}

TEST(SqliteStatementTest, EmptyTextStaysTextNotNull) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  Result<SqliteStatement> stmt = db->Prepare("SELECT typeof(?1), length(?1)");
  ASSERT_OK(stmt);
  ASSERT_OK(stmt->BindText(1, std::string_view()));
  ASSERT_TRUE(stmt->Step().value_or(false));
  EXPECT_EQ(stmt->ColumnText(0), "text");
  EXPECT_EQ(stmt->ColumnInt64(1), 0);
}

TEST(SqliteStatementTest, ResetRunsAgainWithNewBindings) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  ASSERT_OK(db->Exec("CREATE TABLE t(x INTEGER)"));
  Result<SqliteStatement> insert = db->Prepare("INSERT INTO t VALUES (?1)");
  ASSERT_OK(insert);
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(insert->BindInt64(1, i));
    ASSERT_OK(insert->Run());
    ASSERT_OK(insert->Reset());
  }
  EXPECT_EQ(db->QueryInt64("SELECT sum(x) FROM t").value_or(-1), 3);
}

TEST(SqliteStatusTest, BadSqlIsInvalidArgumentNamingTheSql) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  Result<SqliteStatement> stmt = db->Prepare("SELEC 1");
  ASSERT_FALSE(stmt.ok());
  EXPECT_EQ(stmt.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(stmt.status().message(), HasSubstr("SELEC 1"));
  EXPECT_THAT(stmt.status().message(), HasSubstr("syntax error"));

  Status missing = db->Exec("SELECT * FROM nowhere");
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.message(), HasSubstr("no such table: nowhere"));
}

TEST(SqliteStatusTest, QueryWithoutRowsIsNotFound) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  ASSERT_OK(db->Exec("CREATE TABLE t(x)"));
  EXPECT_EQ(db->QueryInt64("SELECT x FROM t").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db->QueryText("SELECT x FROM t").status().code(), StatusCode::kNotFound);
}

TEST(SqliteStatusTest, NotADatabaseIsFailedPrecondition) {
  TempDir dir;
  std::string path = dir.Write("notes.txt", std::string(4096, 'x'));
  auto db = OpenOrDie(path);
  Result<int64_t> probe = db->QueryInt64("SELECT count(*) FROM sqlite_schema");
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(probe.status().message(), HasSubstr("not an SQLite database"));
  EXPECT_THAT(probe.status().message(), HasSubstr(path));
  EXPECT_EQ(db->last_error_code(), SQLITE_NOTADB);
}

TEST(SqliteStatusTest, FullDiskIsResourceExhausted) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  ASSERT_OK(db->Exec("CREATE TABLE t(x TEXT)"));
  int64_t pages = db->QueryInt64("PRAGMA page_count").value_or(0);
  ASSERT_OK(db->Exec("PRAGMA max_page_count = " + std::to_string(pages + 2)));
  Status status = db->Exec("INSERT INTO t SELECT zeroblob(100000)");
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr("full"));
}

TEST(SqliteStatusTest, SecondWriterIsToldTheWorkspaceIsLocked) {
  TempDir dir;
  auto first = OpenOrDie(dir.File("t.db"));
  auto second = OpenOrDie(dir.File("t.db"), /*busy_timeout_ms=*/0);
  ASSERT_OK(first->Exec("PRAGMA journal_mode = WAL"));
  Result<SqliteTransaction> held = SqliteTransaction::Begin(*first);
  ASSERT_OK(held);
  Result<SqliteTransaction> blocked = SqliteTransaction::Begin(*second);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(blocked.status().message(), HasSubstr("locked by another process"));
  EXPECT_FALSE(second->in_transaction());
}

TEST(SqliteStatusTest, MapsCodesWithoutAConnection) {
  EXPECT_TRUE(SqliteStatus(SQLITE_OK, nullptr, "x").ok());
  EXPECT_TRUE(SqliteStatus(SQLITE_DONE, nullptr, "x").ok());
  EXPECT_EQ(SqliteStatus(SQLITE_CORRUPT, nullptr, "x").code(), StatusCode::kDataLoss);
  EXPECT_EQ(SqliteStatus(SQLITE_IOERR_WRITE, nullptr, "x").code(), StatusCode::kIoError);
  EXPECT_EQ(SqliteStatus(SQLITE_BUSY_SNAPSHOT, nullptr, "x").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(SqliteStatus(SQLITE_MISUSE, nullptr, "x").code(), StatusCode::kInternal);
  EXPECT_THAT(SqliteStatus(SQLITE_FULL, nullptr, "inserting").message(),
              HasSubstr("inserting: database or disk is full"));
}

TEST(SqliteTransactionTest, RollsBackUnlessCommitted) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  ASSERT_OK(db->Exec("CREATE TABLE t(x)"));
  {
    Result<SqliteTransaction> tx = SqliteTransaction::Begin(*db);
    ASSERT_OK(tx);
    ASSERT_OK(db->Exec("INSERT INTO t VALUES (1)"));
    EXPECT_TRUE(db->in_transaction());
  }
  EXPECT_FALSE(db->in_transaction());
  EXPECT_EQ(CountRows(*db, "t"), 0);
  {
    Result<SqliteTransaction> tx = SqliteTransaction::Begin(*db);
    ASSERT_OK(tx);
    ASSERT_OK(db->Exec("INSERT INTO t VALUES (1)"));
    ASSERT_OK(tx->Commit());
    EXPECT_FALSE(tx->Commit().ok());  // a second commit is a programmer error, not a crash
  }
  EXPECT_EQ(CountRows(*db, "t"), 1);
}

TEST(SqliteTransactionTest, NestedTransactionsBecomeSavepoints) {
  TempDir dir;
  auto db = OpenOrDie(dir.File("t.db"));
  ASSERT_OK(db->Exec("CREATE TABLE t(x)"));
  Result<SqliteTransaction> outer = SqliteTransaction::Begin(*db);
  ASSERT_OK(outer);
  ASSERT_OK(db->Exec("INSERT INTO t VALUES (1)"));
  {
    Result<SqliteTransaction> inner = SqliteTransaction::Begin(*db);
    ASSERT_OK(inner);
    ASSERT_OK(db->Exec("INSERT INTO t VALUES (2)"));
  }  // inner rolled back, outer still open
  EXPECT_TRUE(db->in_transaction());
  {
    Result<SqliteTransaction> inner = SqliteTransaction::BeginRead(*db);
    ASSERT_OK(inner);
    ASSERT_OK(db->Exec("INSERT INTO t VALUES (3)"));
    ASSERT_OK(inner->Commit());
  }
  ASSERT_OK(outer->Commit());
  EXPECT_EQ(db->QueryInt64("SELECT sum(x) FROM t").value_or(-1), 4);
}

TEST(SqliteTransactionTest, ReadTransactionDoesNotBlockAWriter) {
  TempDir dir;
  auto reader = OpenOrDie(dir.File("t.db"));
  auto writer = OpenOrDie(dir.File("t.db"));
  ASSERT_OK(reader->Exec("PRAGMA journal_mode = WAL; CREATE TABLE t(x)"));
  Result<SqliteTransaction> snapshot = SqliteTransaction::BeginRead(*reader);
  ASSERT_OK(snapshot);
  EXPECT_EQ(CountRows(*reader, "t"), 0);
  ASSERT_OK(writer->Exec("INSERT INTO t VALUES (1)"));
  EXPECT_EQ(CountRows(*reader, "t"), 0);  // still the snapshot
  ASSERT_OK(snapshot->Commit());
  EXPECT_EQ(CountRows(*reader, "t"), 1);
}

TEST(SqliteDbTest, OpenFailureNamesThePath) {
  SqliteOpenOptions options;
  options.create = false;
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open("/nonexistent-dir/x.db", options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIoError);
  EXPECT_THAT(db.status().message(), HasSubstr("/nonexistent-dir/x.db"));
}

TEST(SqliteDbTest, ReadOnlyConnectionRefusesWrites) {
  TempDir dir;
  {
    auto db = OpenOrDie(dir.File("t.db"));
    ASSERT_OK(db->Exec("CREATE TABLE t(x)"));
  }
  SqliteOpenOptions options;
  options.read_only = true;
  Result<std::unique_ptr<SqliteDb>> db = SqliteDb::Open(dir.File("t.db"), options);
  ASSERT_OK(db);
  EXPECT_TRUE((*db)->read_only());
  Status status = (*db)->Exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("read-only"));
}

}  // namespace
}  // namespace strata
