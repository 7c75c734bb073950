// ReadCsv / ReadCsvText: quoting, line ends, BOM, null tokens, the bundled churn file,
// standard input, progress and the report.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "strata/csv.h"
#include "support/test_support.h"

namespace strata {
namespace {

// Every cell as text, "<null>" for nulls.
std::vector<std::vector<std::string>> Cells(const Table& t) {
  std::vector<std::vector<std::string>> rows(static_cast<size_t>(t.num_rows()));
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    for (const Column& c : t.columns()) {
      rows[static_cast<size_t>(r)].push_back(c.IsNull(r) ? "<null>" : c.FormatValue(r));
    }
  }
  return rows;
}

std::vector<std::string> Names(const Table& t) {
  std::vector<std::string> names;
  for (const Column& c : t.columns()) names.push_back(c.name());
  return names;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, QuotedFieldsHoldDelimitersQuotesAndNewlines) {
  Result<Table> t = ReadCsvText(
      "id,text\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"line one\nline two\"\n4,plain\n", "q.csv");
  ASSERT_OK(t);
  EXPECT_EQ(t->column(1).type(), DataType::kString);
  EXPECT_EQ(Cells(*t),
            (Rows{{"1", "a,b"}, {"2", "say \"hi\""}, {"3", "line one\nline two"}, {"4", "plain"}}));
}

TEST(CsvReaderTest, CrlfAndLfLineEndsAndNoFinalNewline) {
  for (const char* text :
       {"a,b\r\n1,x\r\n2,y\r\n", "a,b\n1,x\n2,y\n", "a,b\r\n1,x\r\n2,y", "a,b\n1,x\n2,y"}) {
    Result<Table> t = ReadCsvText(text, "crlf.csv");
    ASSERT_OK(t);
    EXPECT_EQ(Names(*t), (std::vector<std::string>{"a", "b"})) << text;
    EXPECT_EQ(Cells(*t), (Rows{{"1", "x"}, {"2", "y"}})) << text;
  }
}

TEST(CsvReaderTest, CrlfInsideQuotesIsData) {
  Result<Table> t = ReadCsvText("a,b\r\n1,\"x\r\ny\"\r\n", "crlf.csv");
  ASSERT_OK(t);
  EXPECT_EQ(t->column(1).GetString(0), "x\r\ny");
}

TEST(CsvReaderTest, SkipsUtf8ByteOrderMark) {
  Result<Table> t = ReadCsvText("\xEF\xBB\xBFname,n\nann,1\n", "bom.csv");
  ASSERT_OK(t);
  EXPECT_EQ(Names(*t), (std::vector<std::string>{"name", "n"}));
  EXPECT_EQ(t->num_rows(), 1);
}

TEST(CsvReaderTest, SkipsBlankLines) {
  Result<Table> t = ReadCsvText("\n\na,b\n\n1,2\r\n\r\n3,4\n\n", "blank.csv");
  ASSERT_OK(t);
  EXPECT_EQ(Cells(*t), (Rows{{"1", "2"}, {"3", "4"}}));
}

TEST(CsvReaderTest, NullTokensApplyToUnquotedFieldsOnly) {
  Result<Table> t = ReadCsvText(
      "s,n\n"
      "NA,1\n"
      "\"NA\",NULL\n"
      ",n/a\n"
      "\"\",\"\"\n"
      "x,3\n",
      "nulls.csv");
  ASSERT_OK(t);
  const Column& s = t->column(0);
  const Column& n = t->column(1);
  ASSERT_EQ(s.type(), DataType::kString);
  ASSERT_EQ(n.type(), DataType::kInt64);  // a quoted "" does not make it STRING
  EXPECT_TRUE(s.IsNull(0));
  EXPECT_EQ(s.GetString(1), "NA");  // quoted: the string NA
  EXPECT_TRUE(s.IsNull(2));         // unquoted empty
  EXPECT_FALSE(s.IsNull(3));        // quoted "": an empty string in a STRING column...
  EXPECT_EQ(s.GetString(3), "");
  EXPECT_TRUE(n.IsNull(3));  // ...and null in an INT64 column
  EXPECT_TRUE(n.IsNull(1));
  EXPECT_TRUE(n.IsNull(2));
  EXPECT_EQ(n.GetInt64(4), 3);
}

TEST(CsvReaderTest, EveryDefaultNullToken) {
  std::string text = "v,k\n";
  for (const std::string& token : DefaultNullTokens()) text += token + ",1\n";
  text += "2.5,1\n";
  Result<Table> t = ReadCsvText(text, "tokens.csv");
  ASSERT_OK(t);
  const Column& v = t->column(0);
  EXPECT_EQ(v.type(), DataType::kFloat64);
  EXPECT_EQ(v.null_count(), static_cast<int64_t>(DefaultNullTokens().size()));
}

TEST(CsvReaderTest, CustomNullTokens) {
  CsvReadOptions options;
  options.null_tokens = {"-", "?"};
  Result<Table> t = ReadCsvText("a,b\n-,x\n2,?\n,y\n", "custom.csv", options);
  ASSERT_OK(t);
  EXPECT_EQ(t->column(0).type(), DataType::kString);  // "" is no longer null
  EXPECT_TRUE(t->column(0).IsNull(0));
  EXPECT_EQ(t->column(0).GetString(2), "");
  EXPECT_TRUE(t->column(1).IsNull(1));
}

TEST(CsvReaderTest, ReadsBundledChurnFile) {
  CsvReadReport report;
  Result<Table> t = ReadCsv(testing::SourcePath("examples/data/churn.csv"), {}, &report);
  ASSERT_OK(t);
  EXPECT_EQ(t->num_rows(), 5000);
  EXPECT_EQ(t->num_columns(), 20);
  EXPECT_TRUE(report.header);
  EXPECT_EQ(report.delimiter, ',');
  EXPECT_EQ(report.rows, 5000);
  EXPECT_TRUE(report.widened.empty());
  Result<const Column*> churn = t->GetColumn("churn");
  ASSERT_OK(churn);
  ASSERT_EQ((*churn)->type(), DataType::kString);
  int yes = 0;
  for (int64_t r = 0; r < t->num_rows(); ++r) yes += (*churn)->GetString(r) == "yes";
  EXPECT_EQ(yes, 707);
  EXPECT_EQ(t->column(0).name(), "state");
  EXPECT_EQ(t->column(0).GetString(0), "KS");  // quoted in the file
  EXPECT_EQ(t->column(1).type(), DataType::kInt64);
  EXPECT_EQ(t->column(6).type(), DataType::kFloat64);
  EXPECT_DOUBLE_EQ(t->column(6).GetFloat64(0), 265.1);
}

TEST(CsvReaderTest, ReadsFileAndReportsBytes) {
  testing::TempDir dir;
  std::string text = "x,y\n1,a\n2,b\n";
  std::string path = dir.Write("small.csv", text);
  CsvReadReport report;
  Result<Table> t = ReadCsv(path, {}, &report);
  ASSERT_OK(t);
  EXPECT_EQ(report.bytes, static_cast<int64_t>(text.size()));
  EXPECT_EQ(report.rows, 2);
}

TEST(CsvReaderTest, MissingFileIsIoError) {
  Result<Table> t = ReadCsv("/nonexistent/dir/data.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kIoError);
  EXPECT_THAT(t.status().message(), ::testing::StartsWith("/nonexistent/dir/data.csv: "));
}

TEST(CsvReaderTest, DashReadsStandardInput) {
  testing::TempDir dir;
  std::string path = dir.Write("in.csv", "a,b\n1,2\n3,4\n");
  // Point stdin at the file for the duration of the read, then restore it.
  std::fflush(stdin);
  int saved = dup(fileno(stdin));
  ASSERT_NE(std::freopen(path.c_str(), "rb", stdin), nullptr);
  CsvReadReport report;
  Result<Table> t = ReadCsv("-", {}, &report);
  ASSERT_EQ(dup2(saved, fileno(stdin)), fileno(stdin));
  close(saved);
  std::clearerr(stdin);
  ASSERT_OK(t);
  EXPECT_EQ(Cells(*t), (Rows{{"1", "2"}, {"3", "4"}}));
}

TEST(CsvReaderTest, ProgressIsReportedUpToTheTotal) {
  testing::TempDir dir;
  std::string text = "a,b\n";
  for (int i = 0; i < 2000; ++i) text += std::to_string(i) + ",x\n";
  std::string path = dir.Write("p.csv", text);
  CsvReadOptions options;
  std::vector<int64_t> done;
  int64_t total = -1;
  options.progress = [&](const Progress& p) {
    EXPECT_EQ(p.stage, "reading");
    done.push_back(p.done);
    total = p.total;
  };
  ASSERT_OK(ReadCsv(path, options));
  ASSERT_FALSE(done.empty());
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
  EXPECT_EQ(total, static_cast<int64_t>(text.size()));
  EXPECT_EQ(done.back(), total);
}

TEST(CsvReaderTest, ParsesBadRowPolicyNames) {
  EXPECT_EQ(ParseBadRowPolicy("error"), BadRowPolicy::kError);
  EXPECT_EQ(ParseBadRowPolicy("Skip"), BadRowPolicy::kSkip);
  EXPECT_EQ(ParseBadRowPolicy("PAD"), BadRowPolicy::kPad);
  EXPECT_EQ(ParseBadRowPolicy("ignore"), std::nullopt);
}

}  // namespace
}  // namespace strata
