#include "strata/table.h"

#include <cmath>

#include "support/test_support.h"

namespace strata {
namespace {

Table MakeTable() {
  Column id("id", DataType::kInt64);
  Column city("city", DataType::kString);
  Column score("score", DataType::kFloat64);
  const char* cities[] = {"Oslo", "Lima", "Oslo", "Pune"};
  for (int i = 0; i < 4; ++i) {
    id.AppendInt64(i);
    city.AppendString(cities[i]);
    if (i == 2) {
      score.AppendNull();
    } else {
      score.AppendFloat64(i * 1.5);
    }
  }
  Table t;
  EXPECT_OK(t.AddColumn(std::move(id)));
  EXPECT_OK(t.AddColumn(std::move(city)));
  EXPECT_OK(t.AddColumn(std::move(score)));
  return t;
}

TEST(TableTest, StringsAreDictionaryEncoded) {
  Table t = MakeTable();
  const Column& city = t.column(1);
  EXPECT_EQ(city.dictionary().size(), 3u);
  EXPECT_EQ(city.GetCode(0), city.GetCode(2));
  EXPECT_EQ(city.GetString(3), "Pune");
}

TEST(TableTest, NullMaskIsCreatedOnFirstNullOnly) {
  Table t = MakeTable();
  EXPECT_FALSE(t.column(0).has_nulls());
  EXPECT_TRUE(t.column(2).IsNull(2));
  EXPECT_FALSE(t.column(2).IsNull(1));
  EXPECT_EQ(t.column(2).null_count(), 1);
  EXPECT_TRUE(std::isnan(t.column(2).GetAsDouble(2)));
  EXPECT_EQ(t.column(2).FormatValue(2), "");
  EXPECT_EQ(t.column(2).FormatValue(3), "4.5");
}

TEST(TableTest, TakeSelectsRepeatsAndSharesDictionaries) {
  Table t = MakeTable();
  Table s = t.Take(std::vector<int64_t>{3, 0, 0});
  ASSERT_EQ(s.num_rows(), 3);
  EXPECT_EQ(s.column(0).GetInt64(0), 3);
  EXPECT_EQ(s.column(1).GetString(1), "Oslo");
  EXPECT_EQ(s.column(1).shared_dictionary(), t.column(1).shared_dictionary());
  EXPECT_FALSE(s.column(2).has_nulls()) << "the selection holds no null, so no mask";

  Table only_null = t.Take(std::vector<int64_t>{2});
  EXPECT_TRUE(only_null.column(2).IsNull(0));
}

TEST(TableTest, ViewMapsRowsWithoutCopying) {
  Table t = MakeTable();
  auto rows = std::make_shared<const RowIndices>(RowIndices{1, 3});
  TableView v(t, rows);
  EXPECT_EQ(v.num_rows(), 2);
  EXPECT_EQ(v.row(1), 3);
  Table m = v.Materialize();
  EXPECT_EQ(m.column(1).GetString(0), "Lima");
  EXPECT_EQ(TableView(t).Materialize().num_rows(), 4);
}

TEST(TableTest, SliceClampsToTheTable) {
  Table t = MakeTable();
  EXPECT_EQ(t.Slice(2, 100).num_rows(), 2);
  EXPECT_EQ(t.Slice(10, 1).num_rows(), 0);
}

TEST(TableTest, RejectsMismatchedLengthsAndDuplicateNames) {
  Table t = MakeTable();
  Column short_col("x", DataType::kBool);
  short_col.AppendBool(true);
  Status s = t.AddColumn(std::move(short_col));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  Column dup("id", DataType::kInt64);
  for (int i = 0; i < 4; ++i) dup.AppendInt64(i);
  EXPECT_EQ(t.AddColumn(std::move(dup)).code(), StatusCode::kAlreadyExists);
}

TEST(TableTest, GetColumnSuggestsTheClosestName) {
  Table t = MakeTable();
  auto c = t.GetColumn("scor");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), ::testing::HasSubstr("Did you mean 'score'?"));
}

TEST(DataTypeTest, NamesAliasesAndWidening) {
  EXPECT_EQ(ParseDataType("integer"), DataType::kInt64);
  EXPECT_EQ(ParseDataType("Double"), DataType::kFloat64);
  EXPECT_EQ(ParseDataType("text"), DataType::kString);
  EXPECT_FALSE(ParseDataType("blob").has_value());
  EXPECT_EQ(DataTypeName(DataType::kTimestamp), "TIMESTAMP");
  EXPECT_EQ(WidenType(DataType::kInt64, DataType::kFloat64), DataType::kFloat64);
  EXPECT_EQ(WidenType(DataType::kDate, DataType::kTimestamp), DataType::kTimestamp);
  EXPECT_EQ(WidenType(DataType::kBool, DataType::kInt64), DataType::kString);
}

TEST(DataTypeTest, CivilDatesRoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(FormatDate(DaysFromCivil(1600, 2, 29)), "1600-02-29");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatTimestamp(1500000), "1970-01-01 00:00:01.5");
  EXPECT_EQ(FormatTimestamp(-1, true), "1969-12-31T23:59:59.999999Z");
}

}  // namespace
}  // namespace strata
