// Splits: BigQuery ML's AUTO_SPLIT sizes, stratification, determinism, SEQ ordering, CUSTOM
// columns, and errors that name the option.
#include "strata/split.h"

#include <set>

#include "strata/csv.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// n rows: id (INT64), label ("a" for one row in `every`, else "b"), flag (BOOL, every 4th).
Table MakeTable(int64_t n, int64_t every = 10) {
  std::string csv = "id,label,flag\n";
  for (int64_t i = 0; i < n; ++i) {
    csv += std::to_string(n - i) + "," + (i % every == 0 ? "a" : "b") + "," +
           (i % 4 == 0 ? "true" : "false") + "\n";
  }
  auto t = ReadCsvText(csv, "split.csv");
  EXPECT_OK(t);
  return std::move(*t);
}

int64_t CountLabel(const Table& t, const RowIndices& rows, std::string_view value) {
  const Column& c = t.column(t.ColumnIndex("label"));
  int64_t n = 0;
  for (int64_t r : rows) n += c.GetString(r) == value ? 1 : 0;
  return n;
}

TEST(SplitTest, AutoSplitFollowsBigQueryMlSizes) {
  SplitSpec spec;  // AUTO_SPLIT
  auto small = SplitRows(MakeTable(499), spec, "label", true, 1);
  ASSERT_OK(small);
  EXPECT_EQ(small->method_used, SplitMethod::kNoSplit);
  EXPECT_EQ(small->train.size(), 499u);
  EXPECT_TRUE(small->eval.empty());

  auto medium = SplitRows(MakeTable(5000), spec, "label", true, 1);
  ASSERT_OK(medium);
  EXPECT_EQ(medium->method_used, SplitMethod::kRandom);
  EXPECT_EQ(medium->eval.size(), 1000u);
  EXPECT_EQ(medium->train.size(), 4000u);

  auto large = SplitRows(MakeTable(60000), spec, "label", true, 1);
  ASSERT_OK(large);
  EXPECT_EQ(large->eval.size(), 10000u);
}

TEST(SplitTest, RandomSplitIsStratifiedDisjointAndDeterministic) {
  Table t = MakeTable(2000, 10);  // 200 "a"
  SplitSpec spec;
  spec.method = SplitMethod::kRandom;
  spec.eval_fraction = 0.25;
  auto s = SplitRows(t, spec, "label", true, 7);
  ASSERT_OK(s);
  EXPECT_EQ(CountLabel(t, s->eval, "a"), 50);  // exactly a quarter of each class
  EXPECT_EQ(CountLabel(t, s->train, "a"), 150);
  std::set<int64_t> all(s->train.begin(), s->train.end());
  for (int64_t r : s->eval) EXPECT_TRUE(all.insert(r).second) << "row " << r << " in both parts";
  EXPECT_EQ(all.size(), 2000u);

  auto again = SplitRows(t, spec, "label", true, 7);
  ASSERT_OK(again);
  EXPECT_EQ(again->eval, s->eval);
  auto other_seed = SplitRows(t, spec, "label", true, 8);
  ASSERT_OK(other_seed);
  EXPECT_NE(other_seed->eval, s->eval);
}

TEST(SplitTest, TestFractionMakesAThirdPart) {
  Table t = MakeTable(1000);
  SplitSpec spec;
  spec.method = SplitMethod::kRandom;
  spec.eval_fraction = 0.2;
  spec.test_fraction = 0.1;
  auto s = SplitRows(t, spec, "label", true, 3);
  ASSERT_OK(s);
  EXPECT_NEAR(static_cast<double>(s->test.size()), 100, 2);
  EXPECT_EQ(s->eval.size(), 200u);
  EXPECT_EQ(s->train.size() + s->eval.size() + s->test.size(), 1000u);
}

TEST(SplitTest, SeqEvaluatesOnTheLastRowsOfTheSortKey) {
  Table t = MakeTable(100);  // id runs from 100 down to 1
  SplitSpec spec;
  spec.method = SplitMethod::kSeq;
  spec.eval_fraction = 0.1;
  spec.column = "id";
  auto s = SplitRows(t, spec, "label", true, 1);
  ASSERT_OK(s);
  ASSERT_EQ(s->eval.size(), 10u);
  const Column& id = t.column(0);
  for (int64_t r : s->eval) EXPECT_GT(id.GetInt64(r), 90);
}

TEST(SplitTest, CustomUsesABoolColumn) {
  Table t = MakeTable(100);
  SplitSpec spec;
  spec.method = SplitMethod::kCustom;
  spec.column = "flag";
  auto s = SplitRows(t, spec, "label", true, 1);
  ASSERT_OK(s);
  EXPECT_EQ(s->eval.size(), 25u);
  for (int64_t r : s->eval) EXPECT_EQ(r % 4, 0);

  spec.column = "id";
  auto not_bool = SplitRows(t, spec, "label", true, 1);
  ASSERT_FALSE(not_bool.ok());
  EXPECT_THAT(not_bool.status().message(), HasSubstr("needs a BOOL column"));
  spec.column = "flg";
  auto missing = SplitRows(t, spec, "label", true, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("Did you mean 'flag'"));
}

TEST(SplitTest, BadFractionsNameTheOption) {
  Table t = MakeTable(100);
  SplitSpec spec;
  spec.method = SplitMethod::kRandom;
  spec.eval_fraction = 1.5;
  auto s = SplitRows(t, spec, "label", true, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("data_split_eval_fraction"));
  spec.method = SplitMethod::kSeq;
  spec.eval_fraction = 0.2;
  auto no_column = SplitRows(t, spec, "label", true, 1);
  ASSERT_FALSE(no_column.ok());
  EXPECT_THAT(no_column.status().message(), HasSubstr("data_split_col"));
}

}  // namespace
}  // namespace strata
