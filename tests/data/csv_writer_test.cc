#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include "strata/csv.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

std::string Write(const Table& t, const CsvWriteOptions& options = {}) {
  std::ostringstream out;
  EXPECT_OK(WriteCsv(t, out, options));
  return out.str();
}

Table OneStringColumn(std::string name, std::initializer_list<const char*> values) {
  Column c(std::move(name), DataType::kString);
  for (const char* v : values) {
    if (v == nullptr) {
      c.AppendNull();
    } else {
      c.AppendString(v);
    }
  }
  Table t;
  EXPECT_OK(t.AddColumn(std::move(c)));
  return t;
}

TEST(CsvWriteTest, QuotesOnlyWhereTheReaderWouldMisreadTheField) {
  Table t = OneStringColumn(
      "text", {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", " lead", "trail\t", "",
               nullptr, "NA", "null", "N/A", "inner space", "x;y|z"});
  Column n("n", DataType::kInt64);
  for (int i = 0; i < t.num_rows(); ++i) n.AppendInt64(i);
  ASSERT_OK(t.AddColumn(std::move(n)));
  EXPECT_EQ(Write(t),
            "text,n\n"
            "plain,0\n"
            "\"a,b\",1\n"
            "\"say \"\"hi\"\"\",2\n"
            "\"two\nlines\",3\n"
            "\"cr\rhere\",4\n"
            "\" lead\",5\n"
            "\"trail\t\",6\n"
            "\"\",7\n"  // the empty string, quoted so that it is not a null
            ",8\n"      // null: the (empty) null token, unquoted
            "\"NA\",9\n"
            "\"null\",10\n"
            "\"N/A\",11\n"
            "inner space,12\n"
            "x;y|z,13\n");
}

TEST(CsvWriteTest, FormatsEveryType) {
  Column b("b", DataType::kBool);
  Column i("i", DataType::kInt64);
  Column f("f", DataType::kFloat64);
  Column ts("ts", DataType::kTimestamp);
  Column d("d", DataType::kDate);
  b.AppendBool(true);
  b.AppendBool(false);
  b.AppendNull();
  b.AppendBool(true);
  i.AppendInt64(-42);
  i.AppendInt64(std::numeric_limits<int64_t>::min());
  i.AppendNull();
  i.AppendInt64(0);
  f.AppendFloat64(2.0);
  f.AppendFloat64(0.1 + 0.2);
  f.AppendFloat64(std::numeric_limits<double>::infinity());
  f.AppendFloat64(std::nan(""));
  ts.AppendInt64(1709296200000000);
  ts.AppendInt64(1709296200500000);
  ts.AppendInt64(-1);
  ts.AppendNull();
  d.AppendInt64(19783);
  d.AppendInt64(0);
  d.AppendNull();
  d.AppendInt64(-719528);  // 0000-01-01
  Table t;
  for (Column* c : {&b, &i, &f, &ts, &d}) ASSERT_OK(t.AddColumn(std::move(*c)));
  EXPECT_EQ(Write(t),
            "b,i,f,ts,d\n"
            "true,-42,2.0,2024-03-01 12:30:00,2024-03-01\n"
            "false,-9223372036854775808,0.30000000000000004,2024-03-01 12:30:00.5,1970-01-01\n"
            ",,inf,1969-12-31 23:59:59.999999,\n"
            "true,0,,,0000-01-01\n");
}

TEST(CsvWriteTest, OptionsForDelimiterHeaderAndNullToken) {
  Column a("a b", DataType::kString);
  Column n("n", DataType::kInt64);
  a.AppendString("x,y");
  a.AppendString("tab\there");
  a.AppendString("NA");
  a.AppendNull();
  n.AppendInt64(1);
  n.AppendNull();
  n.AppendInt64(3);
  n.AppendInt64(4);
  Table t;
  ASSERT_OK(t.AddColumn(std::move(a)));
  ASSERT_OK(t.AddColumn(std::move(n)));
  CsvWriteOptions tsv;
  tsv.delimiter = '\t';
  tsv.null_token = "NA";
  EXPECT_EQ(Write(t, tsv), "a b\tn\nx,y\t1\n\"tab\there\"\tNA\n\"NA\"\t3\nNA\t4\n");
  CsvWriteOptions no_header;
  no_header.header = false;
  no_header.null_token = "-";
  EXPECT_EQ(Write(t, no_header), "\"x,y\",1\ntab\there,-\n\"NA\",3\n-,4\n");
  // A custom null token that a value equals is quoted too, whatever the type.
  CsvWriteOptions zero;
  zero.null_token = "4";
  EXPECT_EQ(Write(t, zero), "a b,n\n\"x,y\",1\ntab\there,4\n\"NA\",3\n4,\"4\"\n");
}

TEST(CsvWriteTest, RejectsOptionsThatWouldBreakTheFile) {
  Table t = OneStringColumn("a", {"x"});
  std::ostringstream out;
  CsvWriteOptions quote;
  quote.delimiter = '"';
  EXPECT_EQ(WriteCsv(t, out, quote).code(), StatusCode::kInvalidArgument);
  CsvWriteOptions newline;
  newline.delimiter = '\n';
  EXPECT_EQ(WriteCsv(t, out, newline).code(), StatusCode::kInvalidArgument);
  CsvWriteOptions token;
  token.null_token = "a,b";
  Status s = WriteCsv(t, out, token);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("null token 'a,b'"));
  EXPECT_EQ(out.str(), "") << "nothing written on a bad option";
}

TEST(CsvWriteTest, OneColumnNullsAreQuotedEmptyFieldsNotBlankLines) {
  Column n("n", DataType::kInt64);
  n.AppendInt64(1);
  n.AppendNull();
  n.AppendInt64(3);
  Table t;
  ASSERT_OK(t.AddColumn(std::move(n)));
  EXPECT_EQ(Write(t), "n\n1\n\"\"\n3\n");
  Result<Table> back = ReadCsvText(Write(t), "one.csv");
  ASSERT_OK(back);
  ASSERT_EQ(back->num_rows(), 3) << "a blank line would have been skipped";
  EXPECT_TRUE(back->column(0).IsNull(1));
  CsvWriteOptions na;
  na.null_token = "NA";
  EXPECT_EQ(Write(t, na), "n\n1\nNA\n3\n");
}

TEST(CsvWriteTest, EmptyTables) {
  EXPECT_EQ(Write(Table()), "");
  Table header_only;
  ASSERT_OK(header_only.AddColumn(Column("a", DataType::kInt64)));
  ASSERT_OK(header_only.AddColumn(Column("b", DataType::kString)));
  EXPECT_EQ(Write(header_only), "a,b\n");
}

TEST(CsvWriteTest, FileIsReplacedOnlyWhenTheWriteSucceeds) {
  testing::TempDir dir;
  std::string path = dir.Write("out.csv", "old contents\n");
  Table t = OneStringColumn("a", {"x", "y"});
  CsvWriteOptions bad;
  bad.delimiter = '\r';
  EXPECT_FALSE(WriteCsvFile(t, path, bad).ok());
  EXPECT_EQ(testing::ReadFileOrDie(path), "old contents\n");
  ASSERT_OK(WriteCsvFile(t, path));
  EXPECT_EQ(testing::ReadFileOrDie(path), "a\nx\ny\n");
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(e.path().filename(), "out.csv") << "no temporary file left behind";
  }
  EXPECT_EQ(files, 1);
  Status s = WriteCsvFile(t, dir.File("no/such/dir/out.csv"));
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("no/such/dir/out.csv"));
  Status d = WriteCsvFile(t, dir.path().string());
  EXPECT_EQ(d.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(d.message(), HasSubstr("is a directory"));
}

// ---- Round trip through the CSV reader ----

void ExpectSameTable(const Table& a, const Table& b) {
  ASSERT_EQ(a.schema(), b.schema());
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (int c = 0; c < a.num_columns(); ++c) {
    const Column& x = a.column(c);
    const Column& y = b.column(c);
    for (int64_t r = 0; r < a.num_rows(); ++r) {
      ASSERT_EQ(x.IsNull(r), y.IsNull(r)) << x.name() << " row " << r;
      if (x.IsNull(r)) continue;
      if (x.type() == DataType::kFloat64) {
        EXPECT_EQ(x.GetFloat64(r), y.GetFloat64(r)) << x.name() << " row " << r << ": bit-exact";
      } else {
        EXPECT_EQ(x.FormatValue(r), y.FormatValue(r)) << x.name() << " row " << r;
      }
    }
  }
}

TEST(CsvRoundTripTest, ReadingWhatWasWrittenGivesTheSameTable) {
  Column name("name", DataType::kString);
  Column n("n", DataType::kInt64);
  Column f("f", DataType::kFloat64);
  Column ok("ok", DataType::kBool);
  Column ts("ts", DataType::kTimestamp);
  Column d("d", DataType::kDate);
  const char* names[] = {"plain", "a,b",  "say \"hi\"", "two\nlines", " padded ",   "",
                         "NA",    "null", "Zo\xC3\xAB", "x;y",        "crlf\r\nin", "\"quoted\""};
  const double floats[] = {0.1 + 0.2, 2.0, -0.5, 1e300, 5e-324, 123456789.0};
  for (int i = 0; i < 12; ++i) {
    name.AppendString(names[i]);
    if (i % 5 == 4) {
      n.AppendNull();
      f.AppendNull();
      ok.AppendNull();
      ts.AppendNull();
      d.AppendNull();
      continue;
    }
    n.AppendInt64(i * 1000003 - 7);
    f.AppendFloat64(floats[i % 6]);
    ok.AppendBool(i % 2 == 0);
    ts.AppendInt64(1709296200000000 + i * 1234567);
    d.AppendInt64(19783 - i * 400);
  }
  Table t;
  for (Column* c : {&name, &n, &f, &ok, &ts, &d}) ASSERT_OK(t.AddColumn(std::move(*c)));
  std::string text = Write(t);
  CsvReadReport report;
  Result<Table> back = ReadCsvText(text, "round.csv", {}, &report);
  ASSERT_OK(back);
  EXPECT_TRUE(report.header);
  ExpectSameTable(t, *back);

  CsvWriteOptions tsv;
  tsv.delimiter = '\t';
  Result<Table> tsv_back = ReadCsvText(Write(t, tsv), "round.tsv");
  ASSERT_OK(tsv_back);
  ExpectSameTable(t, *tsv_back);
}

TEST(CsvRoundTripTest, ChurnSurvivesWriteAndRead) {
  Result<Table> churn = ReadCsv(testing::SourcePath("examples/data/churn.csv"));
  ASSERT_OK(churn);
  Result<Table> back = ReadCsvText(Write(*churn), "churn.csv");
  ASSERT_OK(back);
  ExpectSameTable(*churn, *back);
}

}  // namespace
}  // namespace strata
