#include "workspace/value_codec.h"

#include <cmath>
#include <limits>
#include <random>

#include "support/test_support.h"

namespace strata {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

SqlValue Integer(int64_t v) { return {SqliteType::kInteger, v, 0.0, {}}; }
SqlValue Real(double v) { return {SqliteType::kFloat, 0, v, {}}; }
SqlValue Text(std::string_view v) { return {SqliteType::kText, 0, 0.0, v}; }

std::string FastTimestamp(int64_t micros) {
  char buffer[32];
  return std::string(buffer, FormatTimestampTo(micros, buffer));
}

std::string FastDate(int64_t days) {
  char buffer[32];
  return std::string(buffer, FormatDateTo(days, buffer));
}

// FormatTimestamp/FormatDate are the slow, obviously-correct reference.
TEST(ValueCodecTest, FastDateFormattingMatchesTheReference) {
  const int64_t min_day = DaysFromCivil(0, 1, 1);
  const int64_t max_day = DaysFromCivil(9999, 12, 31);
  std::vector<int64_t> micros = {0,
                                 1,
                                 -1,
                                 999999,
                                 -500000,
                                 kMicrosPerDay - 1,
                                 -kMicrosPerDay,
                                 min_day * kMicrosPerDay,
                                 (max_day + 1) * kMicrosPerDay - 1,
                                 1700000000123000};
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> any(min_day * kMicrosPerDay,
                                             (max_day + 1) * kMicrosPerDay - 1);
  for (int i = 0; i < 100000; ++i) micros.push_back(any(rng));
  for (int64_t m : micros) {
    ASSERT_TRUE(TimestampInRange(m)) << m;
    ASSERT_EQ(FastTimestamp(m), FormatTimestamp(m)) << m;
  }
  std::uniform_int_distribution<int64_t> day(min_day, max_day);
  for (int i = 0; i < 10000; ++i) {
    int64_t d = day(rng);
    ASSERT_EQ(FastDate(d), FormatDate(d)) << d;
  }
  EXPECT_EQ(FastDate(min_day), "0000-01-01");
  EXPECT_EQ(FastTimestamp((max_day + 1) * kMicrosPerDay - 1), "9999-12-31 23:59:59.999999");
}

TEST(ValueCodecTest, RangeIsTheYearsSqliteDatesHold) {
  const int64_t min_day = DaysFromCivil(0, 1, 1);
  const int64_t max_day = DaysFromCivil(9999, 12, 31);
  EXPECT_TRUE(DateInRange(min_day));
  EXPECT_FALSE(DateInRange(min_day - 1));
  EXPECT_TRUE(DateInRange(max_day));
  EXPECT_FALSE(DateInRange(max_day + 1));
  EXPECT_FALSE(TimestampInRange(min_day * kMicrosPerDay - 1));
  EXPECT_FALSE(TimestampInRange((max_day + 1) * kMicrosPerDay));
  EXPECT_FALSE(TimestampInRange(std::numeric_limits<int64_t>::min()));
  EXPECT_FALSE(TimestampInRange(std::numeric_limits<int64_t>::max()));
}

TEST(ValueCodecTest, DeclaredTypesRoundTrip) {
  for (DataType type : {DataType::kBool, DataType::kInt64, DataType::kFloat64, DataType::kString,
                        DataType::kTimestamp, DataType::kDate}) {
    EXPECT_EQ(TypeFromDeclaredSqlType(DeclaredSqlType(type)), type) << DataTypeName(type);
  }
}

TEST(ValueCodecTest, DeclaredTypesFollowSqliteAffinityPatterns) {
  EXPECT_EQ(TypeFromDeclaredSqlType("bigint"), DataType::kInt64);
  EXPECT_EQ(TypeFromDeclaredSqlType("UNSIGNED BIG INT"), DataType::kInt64);
  EXPECT_EQ(TypeFromDeclaredSqlType("INT64"), DataType::kInt64);
  EXPECT_EQ(TypeFromDeclaredSqlType("VARCHAR(20)"), DataType::kString);
  EXPECT_EQ(TypeFromDeclaredSqlType("clob"), DataType::kString);
  EXPECT_EQ(TypeFromDeclaredSqlType("DOUBLE PRECISION"), DataType::kFloat64);
  EXPECT_EQ(TypeFromDeclaredSqlType("float64"), DataType::kFloat64);
  EXPECT_EQ(TypeFromDeclaredSqlType("bool"), DataType::kBool);
  EXPECT_EQ(TypeFromDeclaredSqlType("DATETIME"), DataType::kTimestamp);
  EXPECT_EQ(TypeFromDeclaredSqlType("timestamp with time zone"), DataType::kTimestamp);
  EXPECT_EQ(TypeFromDeclaredSqlType("date"), DataType::kDate);
  // No type named: the values decide.
  EXPECT_EQ(TypeFromDeclaredSqlType(""), std::nullopt);
  EXPECT_EQ(TypeFromDeclaredSqlType("NUMERIC"), std::nullopt);
  EXPECT_EQ(TypeFromDeclaredSqlType("NUM"), std::nullopt);
  EXPECT_EQ(TypeFromDeclaredSqlType("BLOB"), std::nullopt);
}

TEST(ValueCodecTest, EncodesEachTypeAsDocumented) {
  Column ts("ts", DataType::kTimestamp);
  ts.AppendInt64(1500000);  // 1.5 s after the epoch
  Column day("d", DataType::kDate);
  day.AppendInt64(-1);
  Column f("f", DataType::kFloat64);
  f.AppendFloat64(std::nan(""));
  f.AppendFloat64(-std::numeric_limits<double>::infinity());
  Column b("b", DataType::kBool);
  b.AppendBool(true);
  b.AppendNull();

  CellBuffer buffer;
  SqlValue v;
  ASSERT_TRUE(EncodeCell(ts, 0, &buffer, &v));
  EXPECT_EQ(v.kind, SqliteType::kText);
  EXPECT_EQ(v.text, "1970-01-01 00:00:01.5");
  ASSERT_TRUE(EncodeCell(day, 0, &buffer, &v));
  EXPECT_EQ(v.text, "1969-12-31");
  ASSERT_TRUE(EncodeCell(f, 0, &buffer, &v));
  EXPECT_EQ(v.kind, SqliteType::kNull);  // NaN is Strata's missing number
  ASSERT_TRUE(EncodeCell(f, 1, &buffer, &v));
  EXPECT_EQ(v.kind, SqliteType::kFloat);
  EXPECT_EQ(v.real, -std::numeric_limits<double>::infinity());
  ASSERT_TRUE(EncodeCell(b, 0, &buffer, &v));
  EXPECT_EQ(v.kind, SqliteType::kInteger);
  EXPECT_EQ(v.integer, 1);
  ASSERT_TRUE(EncodeCell(b, 1, &buffer, &v));
  EXPECT_EQ(v.kind, SqliteType::kNull);

  Column far("far", DataType::kDate);
  far.AppendInt64(DaysFromCivil(10000, 1, 1));
  EXPECT_FALSE(EncodeCell(far, 0, &buffer, &v));
}

TEST(ValueCodecTest, DecodesOnlyWithoutLoss) {
  DecodedValue d;
  EXPECT_TRUE(DecodeValue(Real(3.0), DataType::kInt64, &d));
  EXPECT_EQ(d.integer, 3);
  EXPECT_FALSE(DecodeValue(Real(3.5), DataType::kInt64, &d));
  EXPECT_FALSE(DecodeValue(Real(1e19), DataType::kInt64, &d));
  EXPECT_TRUE(DecodeValue(Text("42"), DataType::kInt64, &d));
  EXPECT_EQ(d.integer, 42);
  EXPECT_FALSE(DecodeValue(Text("007"), DataType::kInt64, &d));  // keeps its zeros as text

  EXPECT_TRUE(DecodeValue(Integer(int64_t{1} << 53), DataType::kFloat64, &d));
  EXPECT_FALSE(DecodeValue(Integer((int64_t{1} << 53) + 1), DataType::kFloat64, &d));
  EXPECT_FALSE(DecodeValue(Integer(std::numeric_limits<int64_t>::max()), DataType::kFloat64, &d));
  EXPECT_TRUE(DecodeValue(Integer(std::numeric_limits<int64_t>::min()), DataType::kFloat64, &d));

  EXPECT_TRUE(DecodeValue(Integer(1), DataType::kBool, &d));
  EXPECT_EQ(d.integer, 1);
  EXPECT_FALSE(DecodeValue(Integer(2), DataType::kBool, &d));
  EXPECT_TRUE(DecodeValue(Text("FALSE"), DataType::kBool, &d));
  EXPECT_EQ(d.integer, 0);

  EXPECT_TRUE(DecodeValue(Text("2024-03-01T12:00:00+01:00"), DataType::kTimestamp, &d));
  EXPECT_EQ(FormatTimestamp(d.integer), "2024-03-01 11:00:00");
  EXPECT_FALSE(DecodeValue(Integer(1700000000), DataType::kTimestamp, &d));
  EXPECT_FALSE(DecodeValue(Text("2024-02-30"), DataType::kDate, &d));

  EXPECT_TRUE(DecodeValue(Real(0.1), DataType::kString, &d));
  EXPECT_EQ(d.view, "0.1");
  EXPECT_TRUE(DecodeValue(Integer(-5), DataType::kString, &d));
  EXPECT_EQ(d.view, "-5");
}

TEST(ValueCodecTest, WidensToTheNarrowestTypeThatHoldsTheValue) {
  EXPECT_EQ(WidenForValue(DataType::kBool, Integer(2)), DataType::kInt64);
  EXPECT_EQ(WidenForValue(DataType::kBool, Real(0.5)), DataType::kFloat64);
  EXPECT_EQ(WidenForValue(DataType::kBool, Text("yes")), DataType::kString);
  EXPECT_EQ(WidenForValue(DataType::kInt64, Real(1.5)), DataType::kFloat64);
  EXPECT_EQ(WidenForValue(DataType::kInt64, Text("1e3")), DataType::kFloat64);
  EXPECT_EQ(WidenForValue(DataType::kInt64, Text("abc")), DataType::kString);
  EXPECT_EQ(WidenForValue(DataType::kFloat64, Integer((int64_t{1} << 53) + 1)), DataType::kString);
  EXPECT_EQ(WidenForValue(DataType::kDate, Text("2024-01-01 10:00")), DataType::kTimestamp);
  EXPECT_EQ(WidenForValue(DataType::kTimestamp, Integer(5)), DataType::kString);
}

}  // namespace
}  // namespace strata
