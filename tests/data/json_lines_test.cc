#include "strata/json_lines.h"

#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <sstream>

#include "data/json_text.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

Table Read(std::string_view text) {
  Result<Table> t = ReadJsonLinesText(text, "t.jsonl");
  EXPECT_OK(t);
  return t.ok() ? std::move(t).value() : Table();
}

Status ReadError(std::string_view text) {
  Result<Table> t = ReadJsonLinesText(text, "t.jsonl");
  EXPECT_FALSE(t.ok()) << "expected an error for: " << text;
  return t.ok() ? Status::Ok() : t.status();
}

Schema Fields(std::initializer_list<Field> fields) { return Schema(fields); }

TEST(JsonLinesReadTest, InfersTypesOverAllRowsInOrderOfFirstAppearance) {
  Table t = Read(
      R"({"id": 1, "score": 2, "ok": true, "name": "Ann", "day": "2024-03-01"})"
      "\n"
      R"({"id": 2, "score": 2.5, "ok": false, "name": "Bo", "day": "2024-03-02", "extra": null})"
      "\n"
      R"({"id": 3, "name": null, "at": "2024-03-01T12:30:00Z"})"
      "\n");
  EXPECT_EQ(t.schema(), Fields({{"id", DataType::kInt64},
                                {"score", DataType::kFloat64},
                                {"ok", DataType::kBool},
                                {"name", DataType::kString},
                                {"day", DataType::kDate},
                                {"extra", DataType::kString},
                                {"at", DataType::kTimestamp}}));
  ASSERT_EQ(t.num_rows(), 3);
  EXPECT_EQ(t.column(0).GetInt64(2), 3);
  EXPECT_EQ(t.column(1).GetFloat64(0), 2.0) << "an integer in a FLOAT64 column";
  EXPECT_EQ(t.column(1).GetFloat64(1), 2.5);
  EXPECT_TRUE(t.column(1).IsNull(2)) << "a missing key is a null";
  EXPECT_FALSE(t.column(2).GetBool(1));
  EXPECT_TRUE(t.column(3).IsNull(2)) << "an explicit null";
  EXPECT_EQ(t.column(4).FormatValue(1), "2024-03-02");
  EXPECT_EQ(t.column(5).null_count(), 3) << "a key that only ever holds null";
  EXPECT_TRUE(t.column(6).IsNull(0));
  EXPECT_EQ(t.column(6).FormatValue(2), "2024-03-01 12:30:00");
}

TEST(JsonLinesReadTest, DatesAndTimestampsTogetherAreTimestamps) {
  Table t = Read("{\"t\":\"2024-03-01\"}\n{\"t\":\"2024-03-01 06:00:00+02:00\"}\n");
  ASSERT_EQ(t.column(0).type(), DataType::kTimestamp);
  EXPECT_EQ(t.column(0).FormatValue(0), "2024-03-01 00:00:00");
  EXPECT_EQ(t.column(0).FormatValue(1), "2024-03-01 04:00:00");
  Table s = Read("{\"t\":\"2024-03-01\"}\n{\"t\":\"soon\"}\n");
  EXPECT_EQ(s.column(0).type(), DataType::kString) << "one non-date string keeps them all text";
}

TEST(JsonLinesReadTest, StringsThatLookLikeNumbersStayStrings) {
  Table t = Read("{\"zip\":\"007\",\"n\":\"12\",\"b\":\"true\"}\n");
  EXPECT_EQ(
      t.schema(),
      Fields({{"zip", DataType::kString}, {"n", DataType::kString}, {"b", DataType::kString}}));
}

TEST(JsonLinesReadTest, FlattensNestedObjectsWithDots) {
  Table t = Read(R"({"user": {"name": "Ann", "address": {"city": "Oslo", "zip": 150}}, "n": 1})"
                 "\n"
                 R"({"user": {"name": "Bo"}, "n": 2})"
                 "\n");
  EXPECT_EQ(t.schema(), Fields({{"user.name", DataType::kString},
                                {"user.address.city", DataType::kString},
                                {"user.address.zip", DataType::kInt64},
                                {"n", DataType::kInt64}}));
  EXPECT_EQ(t.column(1).GetString(0), "Oslo");
  EXPECT_TRUE(t.column(2).IsNull(1));
}

TEST(JsonLinesReadTest, KeepsArraysAsCompactJsonText) {
  Table t = Read(
      R"({"tags": ["a", "b\"c"], "m": [[1, 2.50], {"k": null, "e": "\u00e9"}, true, -3], "e": []})"
      "\n"
      R"({"tags": []})"
      "\n");
  ASSERT_EQ(
      t.schema(),
      Fields({{"tags", DataType::kString}, {"m", DataType::kString}, {"e", DataType::kString}}));
  EXPECT_EQ(t.column(0).GetString(0), R"(["a","b\"c"])");
  EXPECT_EQ(t.column(1).GetString(0), "[[1,2.50],{\"k\":null,\"e\":\"\xC3\xA9\"},true,-3]");
  EXPECT_EQ(t.column(2).GetString(0), "[]");
  EXPECT_EQ(t.column(0).GetString(1), "[]");
}

TEST(JsonLinesReadTest, MixedKindsWidenToStringKeepingEachValuesText) {
  Table t = Read(
      "{\"v\": 5, \"w\": true, \"x\": 1, \"y\": [1]}\n"
      "{\"v\": \"a\", \"w\": 2, \"x\": 1.5, \"y\": \"s\"}\n"
      "{\"v\": 2.5, \"w\": null, \"x\": -2, \"y\": 7}\n");
  EXPECT_EQ(t.schema(), Fields({{"v", DataType::kString},
                                {"w", DataType::kString},
                                {"x", DataType::kFloat64},
                                {"y", DataType::kString}}));
  EXPECT_EQ(t.column(0).GetString(0), "5");
  EXPECT_EQ(t.column(0).GetString(1), "a") << "a string keeps no quotes";
  EXPECT_EQ(t.column(0).GetString(2), "2.5");
  EXPECT_EQ(t.column(1).GetString(0), "true");
  EXPECT_EQ(t.column(1).GetString(1), "2");
  EXPECT_TRUE(t.column(1).IsNull(2));
  EXPECT_EQ(t.column(2).GetFloat64(2), -2.0);
  EXPECT_EQ(t.column(3).GetString(0), "[1]");
  EXPECT_EQ(t.column(3).GetString(2), "7");
}

TEST(JsonLinesReadTest, ObjectInOneRowAndScalarInAnotherSplitIntoKeyAndKeyDotSub) {
  Table t = Read("{\"a\": {\"b\": 1, \"c\": \"x\"}}\n{\"a\": 5}\n{\"a\": {\"b\": 2}}\n");
  EXPECT_EQ(
      t.schema(),
      Fields({{"a.b", DataType::kInt64}, {"a.c", DataType::kString}, {"a", DataType::kInt64}}));
  EXPECT_EQ(t.column(0).FormatValue(2), "2");
  EXPECT_TRUE(t.column(0).IsNull(1));
  EXPECT_TRUE(t.column(2).IsNull(0));
  EXPECT_EQ(t.column(2).GetInt64(1), 5);
}

TEST(JsonLinesReadTest, IntegersBeyondInt64StayStringsWithAllTheirDigits) {
  Table t = Read(
      "{\"u\": 18446744073709551615, \"h\": 123456789012345678901234567890, \"i\": 1}\n"
      "{\"u\": 1, \"h\": -99999999999999999999, \"i\": 9223372036854775807}\n");
  EXPECT_EQ(t.schema(),
            Fields({{"u", DataType::kString}, {"h", DataType::kString}, {"i", DataType::kInt64}}));
  EXPECT_EQ(t.column(0).GetString(0), "18446744073709551615");
  EXPECT_EQ(t.column(0).GetString(1), "1");
  EXPECT_EQ(t.column(1).GetString(0), "123456789012345678901234567890");
  EXPECT_EQ(t.column(1).GetString(1), "-99999999999999999999");
  EXPECT_EQ(t.column(2).GetInt64(1), std::numeric_limits<int64_t>::max());
}

TEST(JsonLinesReadTest, IgnoresBlankLinesAndToleratesCrlfAndBom) {
  Table t = Read("\xEF\xBB\xBF{\"a\":1}\r\n\r\n   \n{\"a\":2}\r\n\t\n{\"a\":3}");
  ASSERT_EQ(t.num_rows(), 3);
  EXPECT_EQ(t.column(0).name(), "a") << "the BOM is not part of the first key";
  EXPECT_EQ(t.column(0).GetInt64(2), 3) << "a last line without a newline";
}

TEST(JsonLinesReadTest, ReadsUnicodeAndEscapes) {
  Table t = Read(
      "{\"name\": \"Zo\xC3\xAB \xF0\x9F\x98\x80\", \"esc\": \"tab\\there \\ud83d\\ude00 "
      "\\u00e9\", \"k\xC3\xA9y\": 1}\n");
  EXPECT_EQ(t.column(0).GetString(0), "Zo\xC3\xAB \xF0\x9F\x98\x80");
  EXPECT_EQ(t.column(1).GetString(0), "tab\there \xF0\x9F\x98\x80 \xC3\xA9");
  EXPECT_EQ(t.column(2).name(), "k\xC3\xA9y");
}

TEST(JsonLinesReadTest, EmptyObjectsAreRowsOfNulls) {
  Table t = Read("{\"a\":1}\n{}\n{\"a\":{}}\n");
  ASSERT_EQ(t.num_rows(), 3);
  EXPECT_EQ(t.num_columns(), 1);
  EXPECT_TRUE(t.column(0).IsNull(1));
  EXPECT_TRUE(t.column(0).IsNull(2)) << "an empty nested object has no keys to flatten";
}

TEST(JsonLinesErrorTest, InvalidJsonNamesLineAndColumnInPlainWords) {
  Status s = ReadError("{\"a\":1}\n\n{\"a\":1,b}\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), StartsWith("t.jsonl:3:8: invalid JSON in an object key: "));
  EXPECT_THAT(s.message(), HasSubstr("expected a key in double quotes"));
  EXPECT_THAT(s.message(), HasSubstr("; expected one JSON object per line."));
  EXPECT_THAT(s.message(), HasSubstr("Possible solutions: "));
  EXPECT_THAT(s.message(), Not(HasSubstr("json.exception")));
  EXPECT_THAT(s.message(), Not(HasSubstr("last read")));
}

TEST(JsonLinesErrorTest, ColumnsCountCharactersNotBytes) {
  // "é" is two bytes; nlohmann stops at the '}' after "tru", the 15th character and the
  // 17th byte.
  Status s = ReadError("{\"\xC3\xA9\": \"\xC3\xA9\", tru}\n");
  EXPECT_THAT(s.message(), StartsWith("t.jsonl:1:15: invalid JSON in an object key"));
}

TEST(JsonLinesErrorTest, TruncatedLineAndTrailingText) {
  EXPECT_THAT(ReadError("{\"a\":1\n").message(),
              StartsWith("t.jsonl:1:7: invalid JSON in an object: the line ends too early; "
                         "expected '}'"));
  EXPECT_THAT(ReadError("{\"a\":1} {\"b\":2}\n").message(),
              StartsWith("t.jsonl:1:9: invalid JSON: unexpected '{'; expected end of input"));
  EXPECT_THAT(ReadError("{\"a\":1e999}\n").message(),
              HasSubstr("number too large for a 64-bit float: '1e999'"));
}

TEST(JsonLinesErrorTest, LongTokensAreShortenedInMessages) {
  std::string line = "{\"a\":\"" + std::string(5000, 'x') + "\\q\"}\n";
  Status s = ReadError(line);
  EXPECT_THAT(s.message(), StartsWith("t.jsonl:1:5008: invalid JSON: invalid string"));
  EXPECT_THAT(s.message(), HasSubstr(" near '..." + std::string(38, 'x') + "\\q'"));
  EXPECT_LT(s.message().size(), 1000u);
}

TEST(JsonLinesErrorTest, PrettyPrintedJsonSuggestsConvertingIt) {
  Status s = ReadError("{\n  \"a\": 1\n}\n");
  EXPECT_THAT(s.message(), StartsWith("t.jsonl:1:2: invalid JSON"));
  EXPECT_THAT(s.message(), HasSubstr("jq -c"));
}

TEST(JsonLinesErrorTest, ValidJsonThatIsNotAnObjectNamesTheLine) {
  EXPECT_THAT(ReadError("{\"a\":1}\n[1, 2]\n").message(),
              StartsWith("t.jsonl:2:1: found an array where a JSON object was expected; "
                         "expected one JSON object per line."));
  EXPECT_THAT(ReadError("{\"a\":1}\n{\"a\":2}\n  42\n").message(),
              StartsWith("t.jsonl:3:3: found a number where a JSON object was expected"));
  EXPECT_THAT(ReadError("\"text\"\n").message(), StartsWith("t.jsonl:1:1: found a string"));
  EXPECT_THAT(ReadError("null\n").message(), StartsWith("t.jsonl:1:1: found null"));
}

TEST(JsonLinesErrorTest, EmptyInputIsAnError) {
  for (std::string_view text : {"", "\n\n  \r\n", "\xEF\xBB\xBF"}) {
    Status s = ReadError(text);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), StartsWith("t.jsonl: no JSON objects found"));
  }
}

TEST(JsonLinesErrorTest, InvalidUtf8NamesLineAndColumn) {
  Status s = ReadError("{\"a\":\"ok\"}\n{\"a\":\"caf\xE9\"}\n");
  EXPECT_THAT(s.message(), StartsWith("t.jsonl:2:10: invalid UTF-8 (byte 0xE9)"));
  EXPECT_THAT(s.message(), HasSubstr("iconv"));
  // Overlong encodings and surrogates are not UTF-8 either.
  EXPECT_THAT(ReadError("{\"a\":\"\xC0\xAF\"}\n").message(),
              StartsWith("t.jsonl:1:7: invalid UTF-8"));
  EXPECT_THAT(ReadError("{\"a\":\"\xED\xA0\x80\"}\n").message(),
              StartsWith("t.jsonl:1:7: invalid UTF-8"));
}

TEST(JsonLinesErrorTest, KeysThatCollideAfterFlatteningAreAnError) {
  Status s = ReadError("{\"a\":1}\n{\"a\":{\"b\":1},\"a.b\":2}\n");
  EXPECT_THAT(s.message(), StartsWith("t.jsonl:2: key 'a.b' appears twice in one object"));
  EXPECT_THAT(ReadError("{\"a\":1,\"a\":2}\n").message(),
              StartsWith("t.jsonl:1: key 'a' appears twice"));
}

TEST(JsonLinesFileTest, ReadsFilesWithProgressAndReportsMissingOnes) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 40000; ++i) {
    text += "{\"i\":" + std::to_string(i) + ",\"pad\":\"" + std::string(40, 'x') + "\"}\n";
  }
  std::string path = dir.Write("big.jsonl", text);
  JsonReadOptions options;
  int64_t calls = 0, last_done = 0, total = 0;
  options.progress = [&](const Progress& p) {
    EXPECT_EQ(p.stage, "reading");
    EXPECT_GE(p.done, last_done);
    ++calls;
    last_done = p.done;
    total = p.total;
  };
  Result<Table> t = ReadJsonLines(path, options);
  ASSERT_OK(t);
  EXPECT_EQ(t->num_rows(), 40000);
  EXPECT_EQ(t->column(0).GetInt64(39999), 39999) << "lines across 1 MB read chunks";
  EXPECT_GE(calls, 2);
  EXPECT_EQ(last_done, static_cast<int64_t>(text.size()));
  EXPECT_EQ(total, static_cast<int64_t>(text.size()));

  Result<Table> missing = ReadJsonLines(dir.File("nope.jsonl"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("nope.jsonl"));

  Result<Table> bad = ReadJsonLines(dir.Write("bad.jsonl", "{\"a\":1}\n{oops}\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), StartsWith(dir.File("bad.jsonl") + ":2:2: "));
}

TEST(JsonLinesFileTest, DashReadsStandardInput) {
  std::istringstream in("{\"a\":1}\n{\"a\":2}\n");
  std::streambuf* saved = std::cin.rdbuf(in.rdbuf());
  Result<Table> t = ReadJsonLines("-");
  std::cin.rdbuf(saved);
  std::cin.clear();
  ASSERT_OK(t);
  EXPECT_EQ(t->num_rows(), 2);

  std::istringstream bad("[]\n");
  saved = std::cin.rdbuf(bad.rdbuf());
  Result<Table> e = ReadJsonLines("-");
  std::cin.rdbuf(saved);
  std::cin.clear();
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), StartsWith("<stdin>:1:1: found an array"));
}

// ---- Writing ----

Table AllTypes() {
  Column b("flag", DataType::kBool);
  Column i("count", DataType::kInt64);
  Column f("score", DataType::kFloat64);
  Column s("name", DataType::kString);
  Column ts("at", DataType::kTimestamp);
  Column d("day", DataType::kDate);
  b.AppendBool(true);
  b.AppendNull();
  b.AppendBool(false);
  i.AppendInt64(-7);
  i.AppendInt64(std::numeric_limits<int64_t>::max());
  i.AppendNull();
  f.AppendFloat64(2.0);
  f.AppendFloat64(0.1);
  f.AppendNull();
  s.AppendString("quote \" backslash \\ newline \n tab \t bell \x07");
  s.AppendString("Zo\xC3\xAB \xF0\x9F\x98\x80");
  s.AppendNull();
  ts.AppendInt64(1709296200000000);  // 2024-03-01 12:30:00
  ts.AppendInt64(1709296200123456);
  ts.AppendNull();
  d.AppendInt64(19783);  // 2024-03-01
  d.AppendNull();
  d.AppendInt64(-1);  // 1969-12-31
  Table t;
  EXPECT_OK(t.AddColumn(std::move(b)));
  EXPECT_OK(t.AddColumn(std::move(i)));
  EXPECT_OK(t.AddColumn(std::move(f)));
  EXPECT_OK(t.AddColumn(std::move(s)));
  EXPECT_OK(t.AddColumn(std::move(ts)));
  EXPECT_OK(t.AddColumn(std::move(d)));
  return t;
}

std::string Write(const Table& t) {
  std::ostringstream out;
  EXPECT_OK(WriteJsonLines(t, out));
  return out.str();
}

TEST(JsonLinesWriteTest, WritesOneObjectPerRowWithTypedValues) {
  std::string text = Write(AllTypes());
  std::istringstream lines(text);
  std::string l1, l2, l3;
  std::getline(lines, l1);
  std::getline(lines, l2);
  std::getline(lines, l3);
  EXPECT_EQ(l1,
            "{\"flag\":true,\"count\":-7,\"score\":2.0,"
            "\"name\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007\","
            "\"at\":\"2024-03-01T12:30:00Z\",\"day\":\"2024-03-01\"}");
  EXPECT_EQ(l2,
            "{\"flag\":null,\"count\":9223372036854775807,\"score\":0.1,"
            "\"name\":\"Zo\xC3\xAB \xF0\x9F\x98\x80\",\"at\":\"2024-03-01T12:30:00.123456Z\","
            "\"day\":null}");
  EXPECT_EQ(l3,
            "{\"flag\":false,\"count\":null,\"score\":null,\"name\":null,\"at\":null,"
            "\"day\":\"1969-12-31\"}");
  EXPECT_EQ(text.back(), '\n');
}

TEST(JsonLinesWriteTest, NonFiniteFloatsAndInvalidUtf8StayValidJson) {
  Column f("x", DataType::kFloat64);
  f.AppendFloat64(std::numeric_limits<double>::infinity());
  f.AppendFloat64(std::nan(""));
  f.AppendFloat64(1e300);
  Column s("s\"k", DataType::kString);
  s.AppendString("latin1 caf\xE9");
  s.AppendString("");
  s.AppendString("ok");
  Table t;
  ASSERT_OK(t.AddColumn(std::move(f)));
  ASSERT_OK(t.AddColumn(std::move(s)));
  EXPECT_EQ(Write(t),
            "{\"x\":null,\"s\\\"k\":\"latin1 caf\\ufffd\"}\n"
            "{\"x\":null,\"s\\\"k\":\"\"}\n"
            "{\"x\":1e+300,\"s\\\"k\":\"ok\"}\n");
}

void ExpectSameTable(const Table& a, const Table& b) {
  ASSERT_EQ(a.schema(), b.schema());
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (int c = 0; c < a.num_columns(); ++c) {
    for (int64_t r = 0; r < a.num_rows(); ++r) {
      ASSERT_EQ(a.column(c).IsNull(r), b.column(c).IsNull(r)) << a.column(c).name() << " row " << r;
      if (a.column(c).type() == DataType::kFloat64 && !a.column(c).IsNull(r)) {
        EXPECT_EQ(a.column(c).GetFloat64(r), b.column(c).GetFloat64(r)) << "bit-exact";
      } else {
        EXPECT_EQ(a.column(c).FormatValue(r), b.column(c).FormatValue(r))
            << a.column(c).name() << " row " << r;
      }
    }
  }
}

TEST(JsonLinesWriteTest, RoundTripGivesTheSameTable) {
  Table original = AllTypes();
  Result<Table> back = ReadJsonLinesText(Write(original), "round.jsonl");
  ASSERT_OK(back);
  ExpectSameTable(original, *back);

  // Doubles that need all 17 digits, integral doubles and tiny ones come back bit-exact.
  Column f("f", DataType::kFloat64);
  for (double v : {0.1 + 0.2, 1.0, -0.0, 5e-324, 1.7976931348623157e308, 123456789.0}) {
    f.AppendFloat64(v);
  }
  Table floats;
  ASSERT_OK(floats.AddColumn(std::move(f)));
  Result<Table> fback = ReadJsonLinesText(Write(floats), "f.jsonl");
  ASSERT_OK(fback);
  ExpectSameTable(floats, *fback);
}

TEST(JsonLinesWriteTest, FileIsWrittenViaTemporaryAndRename) {
  testing::TempDir dir;
  std::string path = dir.File("out.jsonl");
  ASSERT_OK(WriteJsonLinesFile(AllTypes(), path));
  Result<Table> back = ReadJsonLines(path);
  ASSERT_OK(back);
  ExpectSameTable(AllTypes(), *back);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(e.path().filename(), "out.jsonl") << "no temporary file left behind";
  }
  EXPECT_EQ(files, 1);

  Status s = WriteJsonLinesFile(AllTypes(), dir.File("missing/dir/out.jsonl"));
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("missing/dir/out.jsonl"));
  EXPECT_FALSE(std::filesystem::exists(dir.File("missing")));
}

TEST(JsonTextTest, Utf8ValidationAndCodePoints) {
  EXPECT_EQ(FindInvalidUtf8("plain"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("\xF4\x8F\xBF\xBF ok"), std::string_view::npos) << "U+10FFFF";
  EXPECT_EQ(FindInvalidUtf8("ab\xF4\x90\x80\x80"), 2u) << "past U+10FFFF";
  EXPECT_EQ(FindInvalidUtf8("abc\xE2\x82"), 3u) << "truncated sequence";
  EXPECT_EQ(FindInvalidUtf8("\x80"), 0u) << "lone continuation byte";
  EXPECT_EQ(CountCodePoints("Zo\xC3\xAB \xF0\x9F\x98\x80"), 5);
  std::string out;
  AppendShortestFloat(&out, 3.0);
  out += ' ';
  AppendShortestFloat(&out, 0.30000000000000004);
  out += ' ';
  AppendShortestFloat(&out, 1e21);
  EXPECT_EQ(out, "3.0 0.30000000000000004 1e+21");
}

}  // namespace
}  // namespace strata
