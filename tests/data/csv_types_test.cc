// Type inference (the shared value_parser.h rules as the CSV reader applies them), widening
// after the sample, and explicit type overrides.
#include <cmath>
#include <cstdlib>
#include <iterator>
#include <string>
#include <vector>

#include "strata/csv.h"
#include "support/test_support.h"

namespace strata {
namespace {

Table MustRead(std::string_view text, const CsvReadOptions& options = {},
               CsvReadReport* report = nullptr) {
  Result<Table> t = ReadCsvText(text, "t.csv", options, report);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(*t) : Table();
}

DataType TypeOf(const Table& t, std::string_view name) {
  Result<const Column*> c = t.GetColumn(name);
  EXPECT_TRUE(c.ok()) << name;
  return c.ok() ? (*c)->type() : DataType::kString;
}

int64_t Micros(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return (DaysFromCivil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss) * 1000000;
}

TEST(CsvTypesTest, InfersEachType) {
  Table t = MustRead(
      "i,f,b,d,ts,s,mixed,empty\n"
      "1,1.5,true,2024-03-01,2024-03-01 12:30:00,x,1,\n"
      "-20,2e3,FALSE,2024-02-29,2024-03-01T12:00:00+02:00,y,2.5,NA\n"
      "300,inf,True,1999-12-31,2024-03-01T23:59:59.250Z,z,-3,\n");
  EXPECT_EQ(TypeOf(t, "i"), DataType::kInt64);
  EXPECT_EQ(TypeOf(t, "f"), DataType::kFloat64);
  EXPECT_EQ(TypeOf(t, "b"), DataType::kBool);
  EXPECT_EQ(TypeOf(t, "d"), DataType::kDate);
  EXPECT_EQ(TypeOf(t, "ts"), DataType::kTimestamp);
  EXPECT_EQ(TypeOf(t, "s"), DataType::kString);
  EXPECT_EQ(TypeOf(t, "mixed"), DataType::kFloat64);
  EXPECT_EQ(TypeOf(t, "empty"), DataType::kString);  // all null
  EXPECT_EQ(t.column(7).null_count(), 3);

  EXPECT_EQ(t.column(0).GetInt64(1), -20);
  EXPECT_DOUBLE_EQ(t.column(1).GetFloat64(1), 2000.0);
  EXPECT_TRUE(std::isinf(t.column(1).GetFloat64(2)));
  EXPECT_FALSE(t.column(2).GetBool(1));
  EXPECT_EQ(t.column(3).GetInt64(1), DaysFromCivil(2024, 2, 29));
  // Offsets are converted to UTC.
  EXPECT_EQ(t.column(4).GetInt64(0), Micros(2024, 3, 1, 12, 30, 0));
  EXPECT_EQ(t.column(4).GetInt64(1), Micros(2024, 3, 1, 10, 0, 0));
  EXPECT_EQ(t.column(4).GetInt64(2), Micros(2024, 3, 1, 23, 59, 59) + 250000);
}

TEST(CsvTypesTest, LeadingZerosAndHugeIntegersStayText) {
  Table t = MustRead("zip,id,code\n00501,123456789012345678901234,007.5\n02134,1,1.5\n");
  EXPECT_EQ(TypeOf(t, "zip"), DataType::kString);
  EXPECT_EQ(t.column(0).GetString(0), "00501");
  EXPECT_EQ(TypeOf(t, "id"), DataType::kString);
  EXPECT_EQ(t.column(1).GetString(0), "123456789012345678901234");
  EXPECT_EQ(TypeOf(t, "code"), DataType::kString);
}

TEST(CsvTypesTest, QuotedNumbersAreNumbers) {
  Table t = MustRead("n\n\"1\"\n\"2\"\n");
  EXPECT_EQ(TypeOf(t, "n"), DataType::kInt64);
  EXPECT_EQ(t.column(0).GetInt64(1), 2);
}

TEST(CsvTypesTest, ExtremeIntegersAndFloats) {
  Table t = MustRead("i,f\n9223372036854775807,0.1\n-9223372036854775808,1e-320\n0,-0.000001\n");
  EXPECT_EQ(t.column(0).GetInt64(0), INT64_MAX);
  EXPECT_EQ(t.column(0).GetInt64(1), INT64_MIN);
  EXPECT_EQ(t.column(1).GetFloat64(0), 0.1);
  EXPECT_EQ(t.column(1).GetFloat64(1), 1e-320);
  EXPECT_EQ(t.column(1).GetFloat64(2), -0.000001);
}

TEST(CsvTypesTest, FastFloatPathMatchesTheSharedParser) {
  // Values the reader's own decimal path handles, and ones it leaves to fast_float; all
  // must be the correctly rounded double.
  const char* values[] = {"0.1",
                          "-0.3",
                          "123456.789012345",
                          "1234567890123456",
                          "0.0000001",
                          "9007199254740993",
                          "1.7976931348623157e308",
                          "2.2250738585072014e-308",
                          "3.14159265358979323846",
                          " 4.5 "};
  std::string text = "f\n";
  for (const char* v : values) text += std::string("\"") + v + "\"\n";
  Table t = MustRead(text);
  ASSERT_EQ(TypeOf(t, "f"), DataType::kFloat64);
  for (size_t i = 0; i < std::size(values); ++i) {
    EXPECT_EQ(t.column(0).GetFloat64(static_cast<int64_t>(i)), std::strtod(values[i], nullptr))
        << values[i];
  }
}

TEST(CsvTypesTest, WidensAColumnContradictedAfterTheSample) {
  std::string text = "zip,n,when,flag\n";
  for (int i = 0; i < 100; ++i) {
    std::string zip = i == 60 ? "K1A-0B1" : std::to_string(10000 + i);
    std::string n = i == 70 ? "2.5" : std::to_string(i);
    std::string when = i == 80 ? "2024-03-01 08:00:00" : "2024-03-01";
    std::string flag = i == 90 ? "maybe" : (i % 2 ? "true" : "false");
    text += zip + "," + n + "," + when + "," + flag + "\n";
  }
  CsvReadOptions options;
  options.sample_rows = 10;
  CsvReadReport report;
  Table t = MustRead(text, options, &report);
  EXPECT_EQ(TypeOf(t, "zip"), DataType::kString);
  EXPECT_EQ(TypeOf(t, "n"), DataType::kFloat64);
  EXPECT_EQ(TypeOf(t, "when"), DataType::kTimestamp);
  EXPECT_EQ(TypeOf(t, "flag"), DataType::kString);
  // No value is lost: the integers read before the contradiction are there as text.
  EXPECT_EQ(t.column(0).GetString(0), "10000");
  EXPECT_EQ(t.column(0).GetString(60), "K1A-0B1");
  EXPECT_DOUBLE_EQ(t.column(1).GetFloat64(70), 2.5);
  EXPECT_DOUBLE_EQ(t.column(1).GetFloat64(71), 71.0);
  EXPECT_EQ(t.column(2).GetInt64(0), Micros(2024, 3, 1, 0, 0, 0));
  EXPECT_EQ(t.column(2).GetInt64(80), Micros(2024, 3, 1, 8, 0, 0));
  EXPECT_EQ(t.column(3).GetString(90), "maybe");
  EXPECT_THAT(report.widened, ::testing::ElementsAre("zip: INT64 -> STRING (first at line 62)",
                                                     "n: INT64 -> FLOAT64 (first at line 72)",
                                                     "when: DATE -> TIMESTAMP (first at line 82)",
                                                     "flag: BOOL -> STRING (first at line 92)"));
}

TEST(CsvTypesTest, WideningMergesEveryLaterValue) {
  // First a float, later text: one re-parse must go straight to STRING.
  std::string text = "v\n";
  for (int i = 0; i < 50; ++i) text += std::to_string(i) + "\n";
  text += "1.5\n";
  for (int i = 0; i < 50; ++i) text += std::to_string(i) + "\n";
  text += "abc\n";
  CsvReadOptions options;
  options.sample_rows = 5;
  CsvReadReport report;
  Table t = MustRead(text, options, &report);
  EXPECT_EQ(TypeOf(t, "v"), DataType::kString);
  EXPECT_EQ(t.column(0).GetString(50), "1.5");
  EXPECT_THAT(report.widened, ::testing::ElementsAre("v: INT64 -> STRING (first at line 52)"));
}

TEST(CsvTypesTest, WideningLineCountsQuotedNewlines) {
  std::string text = "note,n\n";
  for (int i = 0; i < 20; ++i) text += "\"two\nlines\"," + std::to_string(i) + "\n";
  text += "x,oops\n";  // physical line 2 + 20 * 2 = 42
  CsvReadOptions options;
  options.sample_rows = 3;
  CsvReadReport report;
  Table t = MustRead(text, options, &report);
  EXPECT_THAT(report.widened, ::testing::ElementsAre("n: INT64 -> STRING (first at line 42)"));
}

TEST(CsvTypesTest, OverridesReplaceInference) {
  CsvReadOptions options;
  options.type_overrides["zip"] = DataType::kString;
  options.type_overrides["score"] = DataType::kFloat64;
  options.type_overrides["day"] = DataType::kTimestamp;
  Table t = MustRead("zip,score,day\n501,1,2024-03-01\n2134,,2024-03-02\n", options);
  EXPECT_EQ(TypeOf(t, "zip"), DataType::kString);
  EXPECT_EQ(t.column(0).GetString(0), "501");
  EXPECT_EQ(TypeOf(t, "score"), DataType::kFloat64);
  EXPECT_TRUE(t.column(1).IsNull(1));  // null tokens still apply
  EXPECT_EQ(TypeOf(t, "day"), DataType::kTimestamp);
  EXPECT_EQ(t.column(2).GetInt64(1), Micros(2024, 3, 2, 0, 0, 0));
}

TEST(CsvTypesTest, OverridesNameGeneratedColumnsWithoutHeader) {
  CsvReadOptions options;
  options.header = HeaderMode::kNo;
  options.type_overrides["column_2"] = DataType::kString;
  Table t = MustRead("1,2\n3,4\n", options);
  EXPECT_EQ(t.column(0).type(), DataType::kInt64);
  EXPECT_EQ(t.column(1).type(), DataType::kString);
}

}  // namespace
}  // namespace strata
