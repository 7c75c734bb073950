// Reading tables Strata did not write, or whose values were edited by hand: SQLite does not
// enforce declared types, so ReadTable must convert what it can and widen the rest without
// losing a value.
#include "strata/workspace.h"
#include "support/test_support.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

using ::strata::testing::TempDir;

class WorkspaceReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = Workspace::Open(dir_.File("ws.db"));
    ASSERT_OK(ws);
    ws_ = std::move(ws).value();
  }

  // Reads `table` and returns its column `name` (test failure if either is missing).
  Column ReadColumn(const std::string& table, const std::string& name) {
    Result<Table> t = ws_->ReadTable(table);
    EXPECT_OK(t);
    if (!t.ok()) return Column(name, DataType::kString);
    Result<const Column*> column = t->GetColumn(name);
    EXPECT_OK(column);
    return column.ok() ? **column : Column(name, DataType::kString);
  }

  std::vector<std::string> Formatted(const Column& column) {
    std::vector<std::string> out;
    for (int64_t r = 0; r < column.size(); ++r) {
      out.push_back(column.IsNull(r) ? "NULL" : column.FormatValue(r));
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Workspace> ws_;
};

using Strings = std::vector<std::string>;

TEST_F(WorkspaceReadTest, TableMadeWithSqlGetsTypesFromDeclarationsAndValues) {
  ASSERT_OK(ws_->db().Exec(R"sql(
    CREATE TABLE raw(a, b INTEGER, c TEXT, d REAL, e DATETIME, f, g, h, i DATE, j BOOLEAN);
    INSERT INTO raw VALUES (1,   1,    'hello', 1.5, '2024-01-01 10:00:00', 1,   NULL, 'true',  '2024-02-29', 1);
    INSERT INTO raw VALUES ('x', 2,    5,       2,   '2024-01-02',          2.5, NULL, 'false', NULL,         0);
    INSERT INTO raw VALUES (3,   NULL, NULL,    NULL, NULL,                 NULL, NULL, NULL,   '2024-03-01', NULL);
  )sql"));
  Result<Table> table = ws_->ReadTable("raw");
  ASSERT_OK(table);
  EXPECT_EQ(table->schema(), (Schema{{"a", DataType::kString},     // 1 and 'x'
                                     {"b", DataType::kInt64},      // declared
                                     {"c", DataType::kString},     // TEXT affinity: '5'
                                     {"d", DataType::kFloat64},    // REAL affinity: 2.0
                                     {"e", DataType::kTimestamp},  // a date is midnight
                                     {"f", DataType::kFloat64},    // 1 then 2.5
                                     {"g", DataType::kString},     // only NULLs
                                     {"h", DataType::kBool},       // 'true' / 'false'
                                     {"i", DataType::kDate},
                                     {"j", DataType::kBool}}));
  EXPECT_EQ(Formatted(table->column(0)), (Strings{"1", "x", "3"}));
  EXPECT_EQ(Formatted(table->column(2)), (Strings{"hello", "5", "NULL"}));
  EXPECT_EQ(Formatted(table->column(4)),
            (Strings{"2024-01-01 10:00:00", "2024-01-02 00:00:00", "NULL"}));
  EXPECT_EQ(Formatted(table->column(5)), (Strings{"1", "2.5", "NULL"}));
  EXPECT_EQ(Formatted(table->column(6)), (Strings{"NULL", "NULL", "NULL"}));

  // Describe derives the same schema without reading the table whole.
  Result<TableInfo> info = ws_->DescribeTable("raw");
  ASSERT_OK(info);
  EXPECT_FALSE(info->in_catalog);
  EXPECT_EQ(info->rows, 3);
  EXPECT_EQ(info->schema, table->schema());
  EXPECT_EQ(info->fingerprint, "");
}

TEST_F(WorkspaceReadTest, IntegerBeyondTwoToThe53KeepsItsDigits) {
  ASSERT_OK(
      ws_->db().Exec("CREATE TABLE big(v); INSERT INTO big VALUES (9007199254740993), "
                     "(0.5);"));
  // INT64 then a real: FLOAT64 would round 2^53 + 1, so the column becomes text.
  EXPECT_EQ(Formatted(ReadColumn("big", "v")), (Strings{"9007199254740993", "0.5"}));
}

TEST_F(WorkspaceReadTest, BoolColumnMeetingOtherNumbersBecomesNumeric) {
  ASSERT_OK(ws_->db().Exec("CREATE TABLE b(v BOOLEAN); INSERT INTO b VALUES (1), (0), (7);"));
  Column v = ReadColumn("b", "v");
  EXPECT_EQ(v.type(), DataType::kInt64);
  EXPECT_EQ(Formatted(v), (Strings{"1", "0", "7"}));
}

TEST_F(WorkspaceReadTest, BlobsAreReadAsTheirBytes) {
  ASSERT_OK(ws_->db().Exec("CREATE TABLE bl(v); INSERT INTO bl VALUES (x'41420043');"));
  Column v = ReadColumn("bl", "v");
  ASSERT_EQ(v.type(), DataType::kString);
  EXPECT_EQ(v.GetString(0), std::string("AB\0C", 4));
}

// A Strata table edited with the sqlite3 shell: the catalog says one type, a value another.
class HandEditedTest : public WorkspaceReadTest {
 protected:
  void SetUp() override {
    WorkspaceReadTest::SetUp();
    Column n("n", DataType::kInt64);
    Column d("d", DataType::kDate);
    Column t("t", DataType::kTimestamp);
    Column b("b", DataType::kBool);
    Column f("f", DataType::kFloat64);
    for (int i = 0; i < 3; ++i) {
      n.AppendInt64(i + 1);
      d.AppendInt64(19000 + i);
      t.AppendInt64(int64_t{1700000000} * 1000000 + i);
      b.AppendBool(i % 2 == 0);
      f.AppendFloat64(i + 0.25);
    }
    Table table;
    for (Column* c : {&n, &d, &t, &b, &f}) ASSERT_OK(table.AddColumn(std::move(*c)));
    ASSERT_OK(ws_->WriteTable("edited", table));
  }

  void Edit(const std::string& assignment) {
    ASSERT_OK(ws_->db().Exec("UPDATE edited SET " + assignment + " WHERE rowid = 2"));
  }
};

TEST_F(HandEditedTest, UnchangedTableReadsWithCatalogTypes) {
  Result<Table> t = ws_->ReadTable("edited");
  ASSERT_OK(t);
  EXPECT_EQ(t->schema(), ws_->DescribeTable("edited")->schema);
}

TEST_F(HandEditedTest, TextInAnIntegerColumnWidensToString) {
  Edit("n = 'two'");
  Column n = ReadColumn("edited", "n");
  EXPECT_EQ(n.type(), DataType::kString);
  EXPECT_EQ(Formatted(n), (Strings{"1", "two", "3"}));
}

TEST_F(HandEditedTest, RealInAnIntegerColumnWidensToFloat) {
  Edit("n = 2.5");
  Column n = ReadColumn("edited", "n");
  EXPECT_EQ(n.type(), DataType::kFloat64);
  EXPECT_EQ(Formatted(n), (Strings{"1", "2.5", "3"}));
}

TEST_F(HandEditedTest, IsoTimestampIsConverted) {
  Edit("t = '2024-03-01T12:00:00+02:00'");
  Column t = ReadColumn("edited", "t");
  EXPECT_EQ(t.type(), DataType::kTimestamp);
  EXPECT_EQ(t.FormatValue(1), "2024-03-01 10:00:00");
}

TEST_F(HandEditedTest, TimestampInADateColumnWidensToTimestamp) {
  Edit("d = '2024-03-01 12:30:00'");
  Column d = ReadColumn("edited", "d");
  EXPECT_EQ(d.type(), DataType::kTimestamp);
  EXPECT_EQ(Formatted(d),
            (Strings{"2022-01-08 00:00:00", "2024-03-01 12:30:00", "2022-01-10 00:00:00"}));
}

TEST_F(HandEditedTest, InvalidDateWidensToStringKeepingTheOthers) {
  Edit("d = '2024-13-45'");
  Column d = ReadColumn("edited", "d");
  EXPECT_EQ(d.type(), DataType::kString);
  EXPECT_EQ(Formatted(d), (Strings{"2022-01-08", "2024-13-45", "2022-01-10"}));
}

TEST_F(HandEditedTest, OtherNumberInABoolColumnWidensToInteger) {
  Edit("b = 5");
  Column b = ReadColumn("edited", "b");
  EXPECT_EQ(b.type(), DataType::kInt64);
  EXPECT_EQ(Formatted(b), (Strings{"1", "5", "1"}));
}

TEST_F(HandEditedTest, WordInAFloatColumnWidensToString) {
  Edit("f = 'n/a'");
  Column f = ReadColumn("edited", "f");
  EXPECT_EQ(f.type(), DataType::kString);
  EXPECT_EQ(Formatted(f), (Strings{"0.25", "n/a", "2.25"}));
}

TEST_F(HandEditedTest, AddedColumnGetsItsDeclaredType) {
  ASSERT_OK(ws_->db().Exec("ALTER TABLE edited ADD COLUMN extra REAL"));
  Edit("extra = 4");
  Column extra = ReadColumn("edited", "extra");
  EXPECT_EQ(extra.type(), DataType::kFloat64);
  EXPECT_EQ(Formatted(extra), (Strings{"NULL", "4", "NULL"}));
}

}  // namespace
}  // namespace strata
