// Every error the CSV reader reports: the status code, the "file:line:column: " prefix, what
// was found and expected, and a suggestion. Also the bad-row policies and the size limits.
#include <string>
#include <vector>

#include "data/csv_reader.h"
#include "data/csv_source.h"
#include "strata/csv.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Status ReadError(std::string_view text, const CsvReadOptions& options = {}) {
  Result<Table> t = ReadCsvText(text, "data.csv", options);
  EXPECT_FALSE(t.ok()) << "expected an error for: " << text.substr(0, 200);
  return t.ok() ? Status::Ok() : t.status();
}

void ExpectActionable(const Status& s) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("expected"));
  EXPECT_THAT(s.message(), HasSubstr("Possible solutions: "));
}

TEST(CsvErrorsTest, RaggedRowNamesBothCountsAndTheHeaderLine) {
  Status s = ReadError("a,b\n1,2\n3,4,5\n6,7\n");
  ExpectActionable(s);
  EXPECT_THAT(s.message(), StartsWith("data.csv:3:5: this row has 3 fields; expected 2, as in "
                                      "the header on line 1."));
  EXPECT_THAT(s.message(), HasSubstr("set on_bad_row to skip (--on-bad-row skip)"));

  Status short_row = ReadError("\na,b,c\n1,2,3\n4,5\n");
  EXPECT_THAT(short_row.message(),
              StartsWith("data.csv:4:4: this row has 2 fields; expected 3, as in the header on "
                         "line 2."));
  CsvReadOptions no_header;
  no_header.header = HeaderMode::kNo;
  Status first_row = ReadError("1,2\n3\n", no_header);
  EXPECT_THAT(first_row.message(), HasSubstr("as in the first row on line 1"));
}

TEST(CsvErrorsTest, SkipDropsRaggedRowsAndCountsThem) {
  CsvReadOptions options;
  options.on_bad_row = BadRowPolicy::kSkip;
  CsvReadReport report;
  Result<Table> t = ReadCsvText("a,b\n1,x\n2\n3,y,extra\n4,z\n", "data.csv", options, &report);
  ASSERT_OK(t);
  ASSERT_EQ(t->num_rows(), 2);
  EXPECT_EQ(t->column(0).GetInt64(1), 4);
  EXPECT_EQ(t->column(1).GetString(1), "z");
  EXPECT_EQ(report.skipped_rows, 2);
  EXPECT_EQ(report.padded_rows, 0);
  EXPECT_EQ(report.rows, 2);
  EXPECT_THAT(report.warnings,
              ::testing::ElementsAre("skipped 2 rows with the wrong number of fields (first at "
                                     "line 3)"));
}

TEST(CsvErrorsTest, PadFillsShortRowsAndTruncatesLongOnes) {
  CsvReadOptions options;
  options.on_bad_row = BadRowPolicy::kPad;
  CsvReadReport report;
  Result<Table> t =
      ReadCsvText("a,b,c\n1,x,2\n2\n3,y,4,extra,more\n", "data.csv", options, &report);
  ASSERT_OK(t);
  ASSERT_EQ(t->num_rows(), 3);
  EXPECT_TRUE(t->column(1).IsNull(1));
  EXPECT_TRUE(t->column(2).IsNull(1));
  EXPECT_EQ(t->column(1).GetString(2), "y");
  EXPECT_EQ(t->column(2).GetInt64(2), 4);
  EXPECT_EQ(report.padded_rows, 2);
  EXPECT_EQ(report.skipped_rows, 0);
}

TEST(CsvErrorsTest, InvalidUtf8ShowsTheByteAndSuggestsIconv) {
  Status s = ReadError("name,n\ncaf\xE9,1\n");
  ExpectActionable(s);
  EXPECT_THAT(s.message(), StartsWith("data.csv:2:4: invalid UTF-8: byte 0xE9"));
  EXPECT_THAT(s.message(), HasSubstr("iconv -f latin1 -t utf-8 data.csv"));
  // Inside a quoted value with doubled quotes, the column is still the byte's own.
  Status quoted = ReadError("name,n\n\"a\"\"b\xE9\",1\n");
  EXPECT_THAT(quoted.message(), StartsWith("data.csv:2:6: invalid UTF-8: byte 0xE9"));
  Status header = ReadError("na\xFFme,n\nx,1\n");
  EXPECT_THAT(header.message(), StartsWith("data.csv:1:3: invalid UTF-8: byte 0xFF"));
}

TEST(CsvErrorsTest, UnterminatedQuotePointsAtTheOpeningQuote) {
  Status s = ReadError("a,b\n1,2\n3,\"abc\n4,5\n");
  ExpectActionable(s);
  EXPECT_THAT(s.message(), StartsWith("data.csv:3:3: the quoted field that starts here is "
                                      "never closed"));
}

TEST(CsvErrorsTest, StrayQuoteAndTextAfterAClosingQuote) {
  Status stray = ReadError("a,b\n1,5\" screen\n2,3\n");
  ExpectActionable(stray);
  EXPECT_THAT(stray.message(), StartsWith("data.csv:2:4: found a quote '\"' inside an "
                                          "unquoted field"));
  Status after = ReadError("a,b\n1,\"x\"y\n");
  ExpectActionable(after);
  EXPECT_THAT(after.message(), StartsWith("data.csv:2:6: found 'y' after the closing quote"));
}

TEST(CsvErrorsTest, EmptyFile) {
  for (const char* text : {"", "\n\n\r\n", "\xEF\xBB\xBF"}) {
    Status s = ReadError(text);
    ExpectActionable(s);
    EXPECT_THAT(s.message(), StartsWith("data.csv:1:1: the file is empty"));
  }
}

TEST(CsvErrorsTest, HeaderWithoutDataRows) {
  for (const char* text : {"a,b\n", "a,b", "a,b\n\n\n"}) {
    Status s = ReadError(text);
    ExpectActionable(s);
    EXPECT_THAT(s.message(),
                StartsWith("data.csv:2:1: the file has a header (line 1) but no data rows"));
  }
}

TEST(CsvErrorsTest, FieldLargerThanTheLimit) {
  std::string big(10 * 1000 * 1000, 'x');
  std::string text = "id,blob\n1,small\n2," + big + "\n3,end\n";
  Status s = ReadError(text);
  ExpectActionable(s);
  EXPECT_THAT(s.message(), StartsWith("data.csv:3:3: the field that starts here is larger than "
                                      "8388608 bytes"));
  EXPECT_THAT(s.message(), HasSubstr("raise max_field_bytes"));

  CsvReadOptions raised;
  raised.max_field_bytes = 16 << 20;
  Result<Table> t = ReadCsvText(text, "data.csv", raised);
  ASSERT_OK(t);
  EXPECT_EQ(t->column(1).GetString(1).size(), big.size());
}

TEST(CsvErrorsTest, StrayQuoteSwallowingTheFileHitsTheFieldLimit) {
  // A row that never ends within the row limit (max_field_bytes per column plus 1 MiB):
  // an opening quote with no closing one early in a large file, read in small blocks so
  // the row spans many of them. The same file cut short is an unterminated quote.
  std::string text = "a,b\n1,\"oops\n";
  for (int i = 0; i < 400000; ++i) text += "2,some text\n";
  CsvReadOptions options;
  options.max_field_bytes = 1000;
  CsvReaderTuning tuning;
  tuning.block_bytes = 4096;
  std::unique_ptr<CsvSource> source = MakeMemoryCsvSource(text, "data.csv");
  Result<Table> t = ReadCsvSource(*source, options, tuning, nullptr);
  ASSERT_FALSE(t.ok());
  ExpectActionable(t.status());
  EXPECT_THAT(t.status().message(),
              StartsWith("data.csv:2:3: the field that starts here is larger than 1000 bytes"));
  EXPECT_THAT(t.status().message(), HasSubstr("stray '\"'"));
  source = MakeMemoryCsvSource(std::string_view(text).substr(0, 20000), "data.csv");
  t = ReadCsvSource(*source, options, tuning, nullptr);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), StartsWith("data.csv:2:3: the quoted field that starts here "
                                               "is never closed"));
}

TEST(CsvErrorsTest, RowLargerThanTheRowLimitWhetherOrNotItSpansBlocks) {
  // Small fields, but too many of them: (max_field_bytes + 1) per column, plus 1 MiB.
  std::string text = "a,b\n1,2\n1";
  for (int i = 0; i < 600000; ++i) text += ",x";
  text += "\n2,3\n";
  CsvReadOptions options;
  options.max_field_bytes = 10;
  options.on_bad_row = BadRowPolicy::kPad;
  for (size_t block : {size_t{16} << 20, size_t{4096}}) {
    CsvReaderTuning tuning;
    tuning.block_bytes = block;
    std::unique_ptr<CsvSource> source = MakeMemoryCsvSource(text, "data.csv");
    Result<Table> t = ReadCsvSource(*source, options, tuning, nullptr);
    ASSERT_FALSE(t.ok()) << "block " << block;
    ExpectActionable(t.status());
    EXPECT_THAT(t.status().message(),
                StartsWith("data.csv:3:1: the row that starts here is larger than 1048598 bytes"))
        << "block " << block;
  }
}

TEST(CsvErrorsTest, ValueFailingAnOverride) {
  CsvReadOptions options;
  options.type_overrides["n"] = DataType::kInt64;
  Status s = ReadError("name,n\nann,1\nbob,abc\n", options);
  ExpectActionable(s);
  EXPECT_THAT(s.message(), StartsWith("data.csv:3:5: value 'abc' in column 'n' is not a valid "
                                      "INT64; expected INT64 because type_overrides"));
}

TEST(CsvErrorsTest, OverrideOfAnUnknownColumnSuggestsTheClosest) {
  CsvReadOptions options;
  options.type_overrides["zpi"] = DataType::kString;
  Status s = ReadError("zip,city\n501,Holtsville\n", options);
  ExpectActionable(s);
  EXPECT_THAT(s.message(), StartsWith("data.csv:1:1: type_overrides (--types) names column "
                                      "'zpi'"));
  EXPECT_THAT(s.message(), HasSubstr("Did you mean 'zip'?"));
}

TEST(CsvErrorsTest, BadOptions) {
  CsvReadOptions quote_delimiter;
  quote_delimiter.delimiter = '"';
  Status s = ReadError("a,b\n1,2\n", quote_delimiter);
  ExpectActionable(s);
  EXPECT_THAT(s.message(), StartsWith("data.csv:1:1: the delimiter '\"' cannot be used because "
                                      "it is also the quote character"));
  CsvReadOptions newline;
  newline.delimiter = '\n';
  EXPECT_THAT(ReadError("a\n", newline).message(),
              StartsWith("data.csv:1:1: the delimiter '\\n' cannot be used"));
  CsvReadOptions sample;
  sample.sample_rows = 0;
  EXPECT_THAT(ReadError("a\n1\n", sample).message(),
              StartsWith("data.csv:1:1: option sample_rows is 0; expected at least 1"));
  CsvReadOptions field;
  field.max_field_bytes = -1;
  ExpectActionable(ReadError("a\n1\n", field));
}

TEST(CsvErrorsTest, LinesCountNewlinesInsideQuotesAcrossBlocks) {
  std::string text = "note,n\n";
  for (int i = 0; i < 300; ++i) text += "\"a\nb\r\nc\"," + std::to_string(i) + "\n";
  text += "x,1,extra\n";  // line 2 + 300 * 3 = 902
  CsvReaderTuning tuning;
  tuning.block_bytes = 64;
  tuning.min_rows_per_task = 1;
  tuning.min_split_bytes = 8;
  CsvReadOptions options;
  options.threads = 4;
  std::unique_ptr<CsvSource> source = MakeMemoryCsvSource(text, "data.csv");
  Result<Table> t = ReadCsvSource(*source, options, tuning, nullptr);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), StartsWith("data.csv:902:5: this row has 3 fields"));
}

// Regression (found by csv_fuzzer): quoted values with doubled quotes were unescaped in
// the input buffer, which shifted bytes, so positions computed afterwards in the same block
// counted a newline twice. The input is now never modified.
TEST(CsvErrorsTest, PositionsAfterUnescapedMultilineFieldsAreExact) {
  Status later_line = ReadError("h1,h2\n\"a\"\"\nb\"\"\nc\",1\nx,2\"\n");
  EXPECT_THAT(later_line.message(), StartsWith("data.csv:5:4: found a quote"));
  Status same_line = ReadError("h1,h2\n\"a\"\"\nb\",5\" in\n");
  EXPECT_THAT(same_line.message(), StartsWith("data.csv:3:5: found a quote"));
}

TEST(CsvErrorsTest, EarliestErrorWinsAmongWorkers) {
  std::string text = "a,b\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + ",x\n";
  text += "1,\"bad\"q\n";  // line 1002
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + ",x\n";
  text += "1,2,3\n";  // a later, different error
  CsvReaderTuning tuning;
  tuning.min_rows_per_task = 1;
  CsvReadOptions options;
  options.threads = 8;
  std::unique_ptr<CsvSource> source = MakeMemoryCsvSource(text, "data.csv");
  Result<Table> t = ReadCsvSource(*source, options, tuning, nullptr);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), StartsWith("data.csv:1002:8: found 'q' after the closing"));
}

}  // namespace
}  // namespace strata
