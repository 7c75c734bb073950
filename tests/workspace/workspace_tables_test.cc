// Writing, reading, listing and dropping tables: types, names, modes and the catalog.
#include <cmath>
#include <limits>

#include "strata/workspace.h"
#include "support/test_support.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::testing::HasSubstr;

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

class WorkspaceTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = Workspace::Open(dir_.File("ws.db"));
    ASSERT_OK(ws);
    ws_ = std::move(ws).value();
  }

  std::string QueryText(const std::string& sql) {
    Result<std::string> text = ws_->db().QueryText(sql);
    EXPECT_OK(text);
    return text.value_or("<error>");
  }

  TempDir dir_;
  std::unique_ptr<Workspace> ws_;
};

// Designated initializers would trip -Wmissing-field-initializers for the rest.
WriteTableOptions Options(WriteMode mode, std::string source = "", std::string format = "") {
  WriteTableOptions options;
  options.mode = mode;
  options.source = std::move(source);
  options.format = std::move(format);
  return options;
}

Table OneColumn(const std::string& name, DataType type, std::vector<int64_t> values) {
  Column column(name, type);
  for (int64_t v : values) column.AppendInt64(v);
  Table table;
  EXPECT_OK(table.AddColumn(std::move(column)));
  return table;
}

// Every type, with nulls in every column.
Table AllTypes() {
  Column b("flag", DataType::kBool);
  Column i("count", DataType::kInt64);
  Column f("score", DataType::kFloat64);
  Column s("city", DataType::kString);
  Column t("seen_at", DataType::kTimestamp);
  Column d("born_on", DataType::kDate);
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const double kInf = std::numeric_limits<double>::infinity();
  const int64_t kYear0 = -719528, kYear9999 = 2932896;  // 0000-01-01, 9999-12-31
  for (int row = 0; row < 4; ++row) {
    if (row == 2) {
      for (Column* c : {&b, &i, &f, &s, &t, &d}) c->AppendNull();
      continue;
    }
    b.AppendBool(row != 1);
    i.AppendInt64(row == 0 ? kMin : row == 1 ? 0 : kMax);
    f.AppendFloat64(row == 0 ? 0.1 : row == 1 ? -1e300 : kInf);
    s.AppendString(row == 0 ? "Zürich" : row == 1 ? "" : "東京 🙂");
    t.AppendInt64(row == 0 ? 0 : row == 1 ? -500000 : 1700000000000001);
    d.AppendInt64(row == 0 ? 0 : row == 1 ? kYear0 : kYear9999);
  }
  Table table;
  for (Column* c : {&b, &i, &f, &s, &t, &d}) EXPECT_OK(table.AddColumn(std::move(*c)));
  return table;
}

void ExpectSameTable(const Table& actual, const Table& expected) {
  ASSERT_EQ(actual.schema(), expected.schema());
  ASSERT_EQ(actual.num_rows(), expected.num_rows());
  for (int c = 0; c < expected.num_columns(); ++c) {
    const Column& a = actual.column(c);
    const Column& e = expected.column(c);
    for (int64_t r = 0; r < expected.num_rows(); ++r) {
      SCOPED_TRACE(e.name() + " row " + std::to_string(r));
      ASSERT_EQ(a.IsNull(r), e.IsNull(r));
      if (e.IsNull(r)) continue;
      switch (e.type()) {
        case DataType::kBool:
          EXPECT_EQ(a.GetBool(r), e.GetBool(r));
          break;
        case DataType::kFloat64:
          EXPECT_EQ(a.GetFloat64(r), e.GetFloat64(r));
          break;
        case DataType::kString:
          EXPECT_EQ(a.GetString(r), e.GetString(r));
          break;
        default:
          EXPECT_EQ(a.GetInt64(r), e.GetInt64(r));
          break;
      }
    }
  }
}

TEST_F(WorkspaceTablesTest, EveryTypeRoundTripsWithNulls) {
  Table table = AllTypes();
  ASSERT_OK(ws_->WriteTable("all_types", table, Options(WriteMode::kCreate, "all.csv", "csv")));
  Result<Table> back = ws_->ReadTable("all_types");
  ASSERT_OK(back);
  ExpectSameTable(*back, table);
  // Empty string and NULL stay different.
  EXPECT_FALSE(back->column(3).IsNull(1));
  EXPECT_EQ(back->column(3).GetString(1), "");
  EXPECT_TRUE(back->column(3).IsNull(2));
}

TEST_F(WorkspaceTablesTest, StoresValuesAsDocumentedForTheSqliteShell) {
  ASSERT_OK(ws_->WriteTable("all_types", AllTypes()));
  EXPECT_EQ(QueryText("SELECT group_concat(name || ' ' || type, ', ') FROM "
                      "pragma_table_info('all_types')"),
            "flag BOOLEAN, count INTEGER, score REAL, city TEXT, seen_at TIMESTAMP, "
            "born_on DATE");
  EXPECT_EQ(QueryText("SELECT typeof(flag) || ' ' || flag FROM all_types WHERE rowid = 1"),
            "integer 1");
  EXPECT_EQ(QueryText("SELECT seen_at FROM all_types WHERE rowid = 2"), "1969-12-31 23:59:59.5");
  EXPECT_EQ(QueryText("SELECT seen_at FROM all_types WHERE rowid = 4"),
            "2023-11-14 22:13:20.000001");
  // SQLite's date functions read the stored text as it is.
  EXPECT_EQ(QueryText("SELECT date(seen_at, '+1 day') FROM all_types WHERE rowid = 1"),
            "1970-01-02");
  EXPECT_EQ(QueryText("SELECT born_on FROM all_types WHERE rowid = 2"), "0000-01-01");
  EXPECT_EQ(QueryText("SELECT born_on FROM all_types WHERE rowid = 4"), "9999-12-31");
  EXPECT_EQ(QueryText("SELECT typeof(score) FROM all_types WHERE rowid = 3"), "null");
}

TEST_F(WorkspaceTablesTest, NanIsStoredAsNullAndInfinitiesSurvive) {
  Column f("x", DataType::kFloat64);
  f.AppendFloat64(std::nan(""));
  f.AppendFloat64(-std::numeric_limits<double>::infinity());
  f.AppendFloat64(-0.0);
  Table table;
  ASSERT_OK(table.AddColumn(std::move(f)));
  ASSERT_OK(ws_->WriteTable("floats", table));
  Result<Table> back = ws_->ReadTable("floats");
  ASSERT_OK(back);
  EXPECT_TRUE(back->column(0).IsNull(0));
  EXPECT_EQ(back->column(0).GetFloat64(1), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(back->column(0).GetFloat64(2), 0.0);
}

TEST_F(WorkspaceTablesTest, NamesThatNeedQuotingWork) {
  Column a("first name", DataType::kString);
  Column b("select", DataType::kInt64);
  Column c("say \"hi\"", DataType::kInt64);
  Column d("it's", DataType::kInt64);
  Column e("größe", DataType::kFloat64);
  a.AppendString("Ada");
  b.AppendInt64(1);
  c.AppendInt64(2);
  d.AppendInt64(3);
  e.AppendFloat64(1.7);
  Table table;
  for (Column* col : {&a, &b, &c, &d, &e}) ASSERT_OK(table.AddColumn(std::move(*col)));
  for (std::string name : {"my \"odd\" table", "select", "from where", "it's", "列表", "a;b--c"}) {
    SCOPED_TRACE(name);
    ASSERT_OK(ws_->WriteTable(name, table));
    EXPECT_TRUE(ws_->HasTable(name));
    Result<Table> back = ws_->ReadTable(name);
    ASSERT_OK(back);
    ExpectSameTable(*back, table);
    Result<TableInfo> info = ws_->DescribeTable(name);
    ASSERT_OK(info);
    EXPECT_EQ(info->name, name);
    EXPECT_EQ(info->schema, table.schema());
  }
}

TEST_F(WorkspaceTablesTest, RejectsBadNames) {
  Table table = OneColumn("x", DataType::kInt64, {1});
  for (std::string name : {std::string(""), std::string("strata_models"), std::string("STRATA_x"),
                           std::string("sqlite_stat1"), std::string("a\0b", 3)}) {
    Status status = ws_->WriteTable(name, table);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_THAT(ws_->WriteTable("strata_models", table).message(), HasSubstr("reserved"));

  Table empty_name = OneColumn("", DataType::kInt64, {1});
  EXPECT_EQ(ws_->WriteTable("t", empty_name).code(), StatusCode::kInvalidArgument);
  Table duplicate = OneColumn("Age", DataType::kInt64, {1});
  ASSERT_OK(duplicate.AddColumn(OneColumn("age", DataType::kInt64, {2}).column(0)));
  Status dup = ws_->WriteTable("t", duplicate);
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(dup.message(), HasSubstr("case-insensitive"));
  Status no_columns = ws_->WriteTable("t", Table());
  EXPECT_EQ(no_columns.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_columns.message(), HasSubstr("no columns"));
  EXPECT_FALSE(ws_->HasTable("t"));
}

TEST_F(WorkspaceTablesTest, ZeroRowTableKeepsItsSchema) {
  Table table = AllTypes().Slice(0, 0);
  ASSERT_EQ(table.num_rows(), 0);
  ASSERT_OK(ws_->WriteTable("empty", table));
  Result<Table> back = ws_->ReadTable("empty");
  ASSERT_OK(back);
  EXPECT_EQ(back->num_rows(), 0);
  EXPECT_EQ(back->schema(), table.schema());
}

TEST_F(WorkspaceTablesTest, CreateRefusesAnExistingTableAndNamesTheFix) {
  Table table = OneColumn("x", DataType::kInt64, {1, 2});
  ASSERT_OK(ws_->WriteTable("Churn", table));
  Status again = ws_->WriteTable("churn", OneColumn("x", DataType::kInt64, {9}));
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.message(), HasSubstr("--replace"));
  EXPECT_THAT(again.message(), HasSubstr("'Churn'"));
  Result<Table> back = ws_->ReadTable("CHURN");  // names are case-insensitive, as in SQL
  ASSERT_OK(back);
  EXPECT_EQ(back->num_rows(), 2);
}

TEST_F(WorkspaceTablesTest, ReplaceSwapsTableAndCatalog) {
  ASSERT_OK(ws_->WriteTable("t", OneColumn("x", DataType::kInt64, {1, 2, 3})));
  Table replacement;
  Column name("name", DataType::kString);
  name.AppendString("only");
  ASSERT_OK(replacement.AddColumn(std::move(name)));
  ASSERT_OK(ws_->WriteTable("T", replacement, Options(WriteMode::kReplace, "new.csv")));
  Result<TableInfo> info = ws_->DescribeTable("t");
  ASSERT_OK(info);
  EXPECT_EQ(info->name, "T");
  EXPECT_EQ(info->rows, 1);
  EXPECT_EQ(info->source, "new.csv");
  EXPECT_EQ(info->schema, replacement.schema());
  EXPECT_EQ(QueryText("SELECT count(*) FROM strata_columns"), "1");
  Result<Table> back = ws_->ReadTable("t");
  ASSERT_OK(back);
  ExpectSameTable(*back, replacement);
  // Replace also creates a table that does not exist yet.
  ASSERT_OK(ws_->WriteTable("fresh", replacement, Options(WriteMode::kReplace)));
  EXPECT_TRUE(ws_->HasTable("fresh"));
}

TEST_F(WorkspaceTablesTest, AppendAddsRowsAndExtendsTheFingerprint) {
  Table all = AllTypes();
  Table first = all.Slice(0, 2);
  Table second = all.Slice(2, 2);
  ASSERT_OK(ws_->WriteTable("t", first, Options(WriteMode::kCreate, "a.csv", "csv")));
  Result<TableInfo> before = ws_->DescribeTable("t");
  ASSERT_OK(before);
  ASSERT_OK(ws_->WriteTable("t", second, Options(WriteMode::kAppend)));
  Result<TableInfo> after = ws_->DescribeTable("t");
  ASSERT_OK(after);
  EXPECT_EQ(after->rows, 4);
  EXPECT_EQ(after->created_at, before->created_at);
  EXPECT_EQ(after->source, "a.csv");  // kept: the append named no source
  EXPECT_NE(after->fingerprint, before->fingerprint);
  Result<Table> back = ws_->ReadTable("t");
  ASSERT_OK(back);
  ExpectSameTable(*back, all);
  // The fingerprint of the appended table is that of the whole table written at once.
  ASSERT_OK(ws_->WriteTable("whole", all));
  EXPECT_EQ(ws_->DescribeTable("whole")->fingerprint, after->fingerprint);
}

TEST_F(WorkspaceTablesTest, AppendWithAnotherSchemaChangesNothing) {
  ASSERT_OK(ws_->WriteTable("t", OneColumn("x", DataType::kInt64, {1})));
  Result<TableInfo> before = ws_->DescribeTable("t");
  ASSERT_OK(before);
  Status wrong_type =
      ws_->WriteTable("t", OneColumn("x", DataType::kDate, {1}), Options(WriteMode::kAppend));
  EXPECT_EQ(wrong_type.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong_type.message(),
              HasSubstr("column 1 is 'x' INT64 in the table but 'x' DATE in the new data"));
  EXPECT_THAT(wrong_type.message(), HasSubstr("--replace"));
  Table two_columns = OneColumn("x", DataType::kInt64, {2});
  ASSERT_OK(two_columns.AddColumn(OneColumn("y", DataType::kInt64, {3}).column(0)));
  Status wrong_width = ws_->WriteTable("t", two_columns, Options(WriteMode::kAppend));
  EXPECT_EQ(wrong_width.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong_width.message(), HasSubstr("the table has 1 columns, the new data 2"));
  Result<TableInfo> after = ws_->DescribeTable("t");
  ASSERT_OK(after);
  EXPECT_EQ(after->rows, 1);
  EXPECT_EQ(after->fingerprint, before->fingerprint);
}

TEST_F(WorkspaceTablesTest, AppendToAMissingTableCreatesIt) {
  ASSERT_OK(
      ws_->WriteTable("new", OneColumn("x", DataType::kInt64, {1}), Options(WriteMode::kAppend)));
  EXPECT_EQ(ws_->DescribeTable("new")->rows, 1);
}

TEST_F(WorkspaceTablesTest, AppendToATableMadeWithSqlAddsItToTheCatalog) {
  ASSERT_OK(
      ws_->db().Exec("CREATE TABLE ext(id INTEGER, label TEXT);"
                     "INSERT INTO ext VALUES (1, 'a'), (2, 'b');"));
  EXPECT_FALSE(ws_->DescribeTable("ext")->in_catalog);
  Table more = OneColumn("id", DataType::kInt64, {3});
  Column label("label", DataType::kString);
  label.AppendString("c");
  ASSERT_OK(more.AddColumn(std::move(label)));
  ASSERT_OK(ws_->WriteTable("ext", more, Options(WriteMode::kAppend)));
  Result<TableInfo> info = ws_->DescribeTable("ext");
  ASSERT_OK(info);
  EXPECT_TRUE(info->in_catalog);
  EXPECT_EQ(info->rows, 3);
  EXPECT_EQ(info->fingerprint.size(), 16u);
  EXPECT_EQ(ws_->ReadTable("ext")->column(1).GetString(2), "c");
}

TEST_F(WorkspaceTablesTest, FingerprintIsStableAndSeesEveryValue) {
  Table table = AllTypes();
  ASSERT_OK(ws_->WriteTable("a", table));
  ASSERT_OK(ws_->WriteTable("b", table));
  std::string fp = ws_->DescribeTable("a")->fingerprint;
  EXPECT_EQ(fp.size(), 16u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(ws_->DescribeTable("b")->fingerprint, fp);
  ASSERT_OK(ws_->WriteTable("a", table, Options(WriteMode::kReplace)));
  EXPECT_EQ(ws_->DescribeTable("a")->fingerprint, fp);

  Table changed = AllTypes();
  changed.mutable_column(1).int64_data()[1] = 1;  // one value, 0 -> 1
  ASSERT_OK(ws_->WriteTable("c", changed));
  EXPECT_NE(ws_->DescribeTable("c")->fingerprint, fp);
  Table renamed = AllTypes();
  renamed.mutable_column(0).set_name("other");
  ASSERT_OK(ws_->WriteTable("d", renamed));
  EXPECT_NE(ws_->DescribeTable("d")->fingerprint, fp);
  // An empty string and a NULL hash differently.
  Table null_city = AllTypes();
  null_city.mutable_column(3).validity()[1] = 0;
  ASSERT_OK(ws_->WriteTable("e", null_city));
  EXPECT_NE(ws_->DescribeTable("e")->fingerprint, fp);
}

TEST_F(WorkspaceTablesTest, CatalogRecordsSourceTypesAndTimes) {
  ASSERT_OK(ws_->WriteTable("t", AllTypes(), Options(WriteMode::kCreate, "data/t.jsonl", "jsonl")));
  Result<TableInfo> info = ws_->DescribeTable("t");
  ASSERT_OK(info);
  EXPECT_TRUE(info->in_catalog);
  EXPECT_EQ(info->rows, 4);
  EXPECT_EQ(info->source, "data/t.jsonl");
  EXPECT_EQ(info->format, "jsonl");
  EXPECT_THAT(info->created_at,
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"));
  EXPECT_EQ(QueryText("SELECT group_concat(type, ',') FROM (SELECT type FROM strata_columns "
                      "WHERE table_name = 't' ORDER BY ordinal)"),
            "BOOL,INT64,FLOAT64,STRING,TIMESTAMP,DATE");
  EXPECT_EQ(QueryText("SELECT updated_at = created_at FROM strata_tables"), "1");
}

TEST_F(WorkspaceTablesTest, ListsUserTablesOnlyWithRowCounts) {
  ASSERT_OK(ws_->WriteTable("b_table", OneColumn("x", DataType::kInt64, {1, 2})));
  ASSERT_OK(
      ws_->db().Exec("CREATE TABLE A_raw(v); INSERT INTO A_raw VALUES (1), (2), (3);"
                     "CREATE VIEW a_view AS SELECT 1;"));
  Result<std::vector<TableInfo>> tables = ws_->ListTables();
  ASSERT_OK(tables);
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[0].name, "A_raw");
  EXPECT_FALSE((*tables)[0].in_catalog);
  EXPECT_EQ((*tables)[0].rows, 3);
  EXPECT_EQ((*tables)[0].schema, (Schema{{"v", DataType::kInt64}}));
  EXPECT_EQ((*tables)[1].name, "b_table");
  EXPECT_TRUE((*tables)[1].in_catalog);
  EXPECT_EQ((*tables)[1].rows, 2);
  EXPECT_FALSE(ws_->HasTable("strata_tables"));
  EXPECT_EQ(ws_->ReadTable("strata_tables").status().code(), StatusCode::kNotFound);
}

TEST_F(WorkspaceTablesTest, UnknownTablesAreNotFoundWithASuggestion) {
  ASSERT_OK(ws_->WriteTable("churn", OneColumn("x", DataType::kInt64, {1})));
  for (const Status& status : {ws_->ReadTable("chrun").status(),
                               ws_->DescribeTable("chrun").status(), ws_->DropTable("chrun")}) {
    EXPECT_EQ(status.code(), StatusCode::kNotFound);
    EXPECT_THAT(status.message(), HasSubstr("Did you mean 'churn'?"));
  }
  EXPECT_FALSE(ws_->HasTable("chrun"));
}

TEST_F(WorkspaceTablesTest, DropRemovesTableAndCatalogEntry) {
  ASSERT_OK(ws_->WriteTable("t", AllTypes()));
  ASSERT_OK(ws_->DropTable("T"));
  EXPECT_FALSE(ws_->HasTable("t"));
  EXPECT_EQ(QueryText("SELECT count(*) FROM strata_tables"), "0");
  EXPECT_EQ(QueryText("SELECT count(*) FROM strata_columns"), "0");
}

TEST_F(WorkspaceTablesTest, StaleCatalogEntryDoesNotBlockANewTable) {
  ASSERT_OK(ws_->WriteTable("t", OneColumn("x", DataType::kInt64, {1})));
  ASSERT_OK(ws_->db().Exec("DROP TABLE t"));  // as the sqlite3 shell would
  ASSERT_OK(ws_->ListTables());
  EXPECT_TRUE(ws_->ListTables()->empty());
  ASSERT_OK(ws_->WriteTable("t", OneColumn("y", DataType::kDate, {5})));
  EXPECT_EQ(ws_->DescribeTable("t")->schema, (Schema{{"y", DataType::kDate}}));
}

TEST_F(WorkspaceTablesTest, LimitKeepsTheFirstRows) {
  ASSERT_OK(ws_->WriteTable("t", OneColumn("x", DataType::kInt64, {5, 6, 7})));
  Result<Table> two = ws_->ReadTable("t", 2);
  ASSERT_OK(two);
  ASSERT_EQ(two->num_rows(), 2);
  EXPECT_EQ(two->column(0).GetInt64(1), 6);
  EXPECT_EQ(ws_->ReadTable("t", 0)->num_rows(), 0);
  EXPECT_EQ(ws_->ReadTable("t", 10)->num_rows(), 3);
  EXPECT_EQ(ws_->ReadTable("t", -1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(WorkspaceTablesTest, OffsetSkipsRowsForPaging) {
  ASSERT_OK(ws_->WriteTable("t", OneColumn("x", DataType::kInt64, {5, 6, 7, 8})));
  Result<Table> page = ws_->ReadTable("t", 2, 1);
  ASSERT_OK(page);
  ASSERT_EQ(page->num_rows(), 2);
  EXPECT_EQ(page->column(0).GetInt64(0), 6);
  EXPECT_EQ(page->column(0).GetInt64(1), 7);
  Result<Table> rest = ws_->ReadTable("t", std::nullopt, 3);
  ASSERT_OK(rest);
  ASSERT_EQ(rest->num_rows(), 1) << "no limit: the rest";
  EXPECT_EQ(rest->column(0).GetInt64(0), 8);
  Result<Table> past = ws_->ReadTable("t", 10, 9);
  ASSERT_OK(past);
  EXPECT_EQ(past->num_rows(), 0);
  EXPECT_EQ(past->column(0).type(), DataType::kInt64) << "the columns are still typed";
  EXPECT_EQ(ws_->ReadTable("t", 1, -1).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(WorkspaceTablesTest, OutOfRangeDatesAreRefusedAndNothingIsWritten) {
  Table table = OneColumn("t", DataType::kTimestamp, {0, 10000LL * 366 * kMicrosPerDay});
  Status status = ws_->WriteTable("far", table);
  EXPECT_EQ(status.code(), StatusCode::kOutOfRange);
  EXPECT_THAT(status.message(), HasSubstr("column 't', row 2"));
  EXPECT_FALSE(ws_->HasTable("far"));
}

TEST_F(WorkspaceTablesTest, ReportsImportProgress) {
  const int64_t rows = 150000;
  Column x("x", DataType::kInt64);
  for (int64_t i = 0; i < rows; ++i) x.AppendInt64(i);
  Table table;
  ASSERT_OK(table.AddColumn(std::move(x)));
  std::vector<int64_t> done;
  WriteTableOptions options;
  options.progress = [&](const Progress& p) {
    EXPECT_EQ(p.stage, "importing");
    EXPECT_EQ(p.total, rows);
    done.push_back(p.done);
  };
  ASSERT_OK(ws_->WriteTable("t", table, options));
  EXPECT_EQ(done, (std::vector<int64_t>{65536, 131072, rows}));
}

}  // namespace
}  // namespace strata
