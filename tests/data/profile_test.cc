#include "strata/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "data/profile_stats.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- A generated table whose answers are known ----

Table KnownTable() {
  Column id("id", DataType::kInt64);
  Column sparse("sparse", DataType::kFloat64);
  Column flag("flag", DataType::kBool);
  Column city("city", DataType::kString);
  Column same("same", DataType::kString);
  Column empty("empty", DataType::kInt64);
  Column day("day", DataType::kDate);
  Column at("at", DataType::kTimestamp);
  Column label("label", DataType::kString);
  for (int i = 0; i < 100; ++i) {
    id.AppendInt64(i + 1);
    // 60 nulls, then 10 x 0.0, 10 x 1.5, 10 x -2.0, 5 x inf, 3 x -inf, 2 x NaN.
    if (i < 60) {
      sparse.AppendNull();
    } else if (i < 90) {
      sparse.AppendFloat64(i < 70 ? (i % 2 == 0 ? 0.0 : -0.0) : i < 80 ? 1.5 : -2.0);
    } else {
      sparse.AppendFloat64(i < 95 ? kInf : i < 98 ? -kInf : std::nan(""));
    }
    flag.AppendBool(i % 10 >= 3);  // 70 true, 30 false
    const char* cities[] = {"Oslo", "Z\xC3\xBCrich", "S\xC3\xA3o Paulo", ""};
    int c = i < 40 ? 0 : i < 70 ? 1 : i < 90 ? 2 : i < 95 ? 3 : -1;
    if (c < 0) {
      city.AppendNull();
    } else {
      city.AppendString(cities[c]);
    }
    same.AppendString("same");
    empty.AppendNull();
    day.AppendInt64(19783 + i % 7);               // 2024-03-01 .. 2024-03-07
    at.AppendInt64(1709296200000000 + i * 1000);  // 2024-03-01 12:30:00 + i ms
    label.AppendString(i < 80 ? "no" : i < 92 ? "yes" : "maybe");
  }
  Table t;
  for (Column* col : {&id, &sparse, &flag, &city, &same, &empty, &day, &at, &label}) {
    EXPECT_OK(t.AddColumn(std::move(*col)));
  }
  return t;
}

std::vector<std::pair<std::string, int64_t>> Top(const ColumnProfile& c) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const ValueCount& v : c.top_values) out.emplace_back(v.value, v.count);
  return out;
}
using VC = std::pair<std::string, int64_t>;

TEST(ProfileTest, IntegerColumnStatistics) {
  Result<Profile> p = ProfileTable(KnownTable());
  ASSERT_OK(p);
  EXPECT_EQ(p->rows, 100);
  ASSERT_EQ(p->columns.size(), 9u);
  const ColumnProfile& id = p->columns[0];
  EXPECT_EQ(id.type, DataType::kInt64);
  EXPECT_EQ(id.count, 100);
  EXPECT_EQ(id.nulls, 0);
  EXPECT_EQ(id.distinct, 100);
  ASSERT_TRUE(id.numeric.has_value());
  EXPECT_EQ(id.numeric->min, 1);
  EXPECT_EQ(id.numeric->max, 100);
  EXPECT_DOUBLE_EQ(id.numeric->mean, 50.5);
  EXPECT_DOUBLE_EQ(id.numeric->stddev, std::sqrt(100.0 * 101.0 / 12.0));
  // numpy: np.percentile(np.arange(1, 101), [5, 25, 50, 75, 95])
  EXPECT_DOUBLE_EQ(id.numeric->p05, 5.95);
  EXPECT_DOUBLE_EQ(id.numeric->p25, 25.75);
  EXPECT_DOUBLE_EQ(id.numeric->median, 50.5);
  EXPECT_DOUBLE_EQ(id.numeric->p75, 75.25);
  EXPECT_DOUBLE_EQ(id.numeric->p95, 95.05);
  EXPECT_EQ(id.numeric->zeros, 0);
  EXPECT_FALSE(id.text.has_value());
  EXPECT_THAT(Top(id), ElementsAre(VC{"1", 1}, VC{"2", 1}, VC{"3", 1}, VC{"4", 1}, VC{"5", 1}))
      << "all counts tie: smallest values first";
}

TEST(ProfileTest, FloatColumnExcludesNonFiniteValuesFromStatistics) {
  Result<Profile> p = ProfileTable(KnownTable());
  ASSERT_OK(p);
  const ColumnProfile& s = p->columns[1];
  EXPECT_EQ(s.count, 40);
  EXPECT_EQ(s.nulls, 60);
  EXPECT_EQ(s.distinct, 6) << "0 (and -0), 1.5, -2, inf, -inf, nan";
  ASSERT_TRUE(s.numeric.has_value());
  EXPECT_EQ(s.numeric->non_finite, 10);
  EXPECT_EQ(s.numeric->zeros, 10);
  EXPECT_EQ(s.numeric->min, -2.0);
  EXPECT_EQ(s.numeric->max, 1.5);
  EXPECT_DOUBLE_EQ(s.numeric->mean, -1.0 / 6.0);
  // Sum of squared deviations: 10 (0 + 1/6)^2 + 10 (1.5 + 1/6)^2 + 10 (-2 + 1/6)^2.
  double ss = 10 * (std::pow(1.0 / 6, 2) + std::pow(1.5 + 1.0 / 6, 2) + std::pow(-2 + 1.0 / 6, 2));
  EXPECT_DOUBLE_EQ(s.numeric->stddev, std::sqrt(ss / 29));
  EXPECT_EQ(s.numeric->p05, -2.0);
  EXPECT_EQ(s.numeric->p25, -2.0);
  EXPECT_EQ(s.numeric->median, 0.0);
  EXPECT_EQ(s.numeric->p75, 1.5);
  EXPECT_EQ(s.numeric->p95, 1.5);
  EXPECT_THAT(Top(s),
              ElementsAre(VC{"-2", 10}, VC{"0", 10}, VC{"1.5", 10}, VC{"inf", 5}, VC{"-inf", 3}));
}

TEST(ProfileTest, BoolColumnIsNumericZeroAndOne) {
  Result<Profile> p = ProfileTable(KnownTable());
  ASSERT_OK(p);
  const ColumnProfile& f = p->columns[2];
  EXPECT_EQ(f.distinct, 2);
  ASSERT_TRUE(f.numeric.has_value());
  EXPECT_EQ(f.numeric->min, 0);
  EXPECT_EQ(f.numeric->max, 1);
  EXPECT_DOUBLE_EQ(f.numeric->mean, 0.7);
  EXPECT_DOUBLE_EQ(f.numeric->stddev, std::sqrt(100 * 0.7 * 0.3 / 99));
  EXPECT_EQ(f.numeric->p05, 0);
  EXPECT_EQ(f.numeric->p25, 0);
  EXPECT_EQ(f.numeric->median, 1);
  EXPECT_EQ(f.numeric->zeros, 30);
  EXPECT_THAT(Top(f), ElementsAre(VC{"true", 70}, VC{"false", 30}));
}

TEST(ProfileTest, StringColumnCountsCodePoints) {
  Result<Profile> p = ProfileTable(KnownTable());
  ASSERT_OK(p);
  const ColumnProfile& c = p->columns[3];
  EXPECT_EQ(c.count, 95);
  EXPECT_EQ(c.nulls, 5);
  EXPECT_EQ(c.distinct, 4);
  EXPECT_FALSE(c.numeric.has_value());
  ASSERT_TRUE(c.text.has_value());
  EXPECT_EQ(c.text->min_length, 0);
  EXPECT_EQ(c.text->max_length, 9) << "São Paulo: 9 characters, 10 bytes";
  EXPECT_DOUBLE_EQ(c.text->mean_length, (40 * 4 + 30 * 6 + 20 * 9) / 95.0);
  EXPECT_THAT(Top(c), ElementsAre(VC{"Oslo", 40}, VC{"Z\xC3\xBCrich", 30},
                                  VC{"S\xC3\xA3o Paulo", 20}, VC{"", 5}));
}

TEST(ProfileTest, DateAndTimestampColumnsHaveFormattedRanges) {
  Result<Profile> p = ProfileTable(KnownTable());
  ASSERT_OK(p);
  const ColumnProfile& day = p->columns[6];
  EXPECT_EQ(day.distinct, 7);
  EXPECT_EQ(day.min_value, "2024-03-01");
  EXPECT_EQ(day.max_value, "2024-03-07");
  EXPECT_FALSE(day.numeric.has_value());
  EXPECT_THAT(Top(day),
              ElementsAre(VC{"2024-03-01", 15}, VC{"2024-03-02", 15}, VC{"2024-03-03", 14},
                          VC{"2024-03-04", 14}, VC{"2024-03-05", 14}));
  const ColumnProfile& at = p->columns[7];
  EXPECT_EQ(at.min_value, "2024-03-01 12:30:00");
  EXPECT_EQ(at.max_value, "2024-03-01 12:30:00.099");
  const ColumnProfile& empty = p->columns[5];
  EXPECT_EQ(empty.count, 0);
  EXPECT_EQ(empty.distinct, 0);
  EXPECT_FALSE(empty.numeric.has_value()) << "no values, no statistics";
  EXPECT_TRUE(empty.top_values.empty());
}

TEST(ProfileTest, WarnsAboutConstantEmptyIdLikeAndMostlyNullColumns) {
  Result<Profile> p = ProfileTable(KnownTable());
  ASSERT_OK(p);
  EXPECT_THAT(
      p->warnings,
      ElementsAre(StartsWith("Column 'id' looks like an ID: all 100 values are distinct."),
                  "Column 'sparse' is 60.0% null (60 of 100 rows).",
                  "Column 'same' is constant: every non-null value is 'same'; it cannot help "
                  "a model.",
                  "Column 'empty' is empty: all 100 values are null."));
  // Twenty rows are too few to call distinct values an ID.
  Result<Profile> small = ProfileTable(KnownTable().Slice(0, 20));
  ASSERT_OK(small);
  for (const std::string& w : small->warnings) EXPECT_THAT(w, Not(HasSubstr("looks like an ID")));
}

TEST(ProfileTest, TopValuesTieBreakByValueAndHonourTopK) {
  Column s("s", DataType::kString);
  Column i("i", DataType::kInt64);
  for (const char* v : {"b", "c", "a", "b", "a"}) s.AppendString(v);
  for (int64_t v : {3, 10, -1, 3, -1}) i.AppendInt64(v);
  Table t;
  ASSERT_OK(t.AddColumn(std::move(s)));
  ASSERT_OK(t.AddColumn(std::move(i)));
  ProfileOptions options;
  options.top_k = 2;
  Result<Profile> p = ProfileTable(t, options);
  ASSERT_OK(p);
  EXPECT_THAT(Top(p->columns[0]), ElementsAre(VC{"a", 2}, VC{"b", 2}));
  EXPECT_THAT(Top(p->columns[1]), ElementsAre(VC{"-1", 2}, VC{"3", 2}));
  options.top_k = 0;
  p = ProfileTable(t, options);
  ASSERT_OK(p);
  EXPECT_TRUE(p->columns[0].top_values.empty());
}

TEST(ProfileTest, StringColumnSharingAHugeDictionary) {
  Column big("s", DataType::kString);
  for (int i = 0; i < 5000; ++i) big.AppendString("v" + std::to_string(i));
  Table t;
  ASSERT_OK(t.AddColumn(std::move(big)));
  Table few = t.Take(std::vector<int64_t>{7, 7, 3});  // shares the 5000-entry dictionary
  Result<Profile> p = ProfileTable(few);
  ASSERT_OK(p);
  EXPECT_EQ(p->columns[0].distinct, 2);
  EXPECT_THAT(Top(p->columns[0]), ElementsAre(VC{"v7", 2}, VC{"v3", 1}));
}

// ---- Label ----

TEST(ProfileLabelTest, ImbalancedMulticlassLabelGetsAdviceInOrder) {
  ProfileOptions options;
  options.target = "label";
  Result<Profile> p = ProfileTable(KnownTable(), options);
  ASSERT_OK(p);
  ASSERT_TRUE(p->label.has_value());
  const LabelProfile& l = *p->label;
  EXPECT_EQ(l.column, "label");
  EXPECT_EQ(l.task, LabelTask::kClassification);
  ASSERT_EQ(l.classes.size(), 3u);
  EXPECT_EQ(l.classes[0].label, "no");
  EXPECT_EQ(l.classes[1].label, "yes");
  EXPECT_EQ(l.classes[2].label, "maybe");
  EXPECT_DOUBLE_EQ(l.classes[2].fraction, 0.08);
  EXPECT_TRUE(l.imbalanced);
  EXPECT_EQ(l.minority_label, "maybe");
  ASSERT_EQ(l.advice.size(), 6u);
  EXPECT_EQ(l.advice[0],
            "Imbalanced label: 'maybe' is 8.0% of 100 rows (8 rows); a model can score 80.0% "
            "accuracy by always predicting 'no'.");
}

TEST(ProfileLabelTest, BalancedRegressionAndSingleClassLabels) {
  Table t = KnownTable();
  ProfileOptions options;
  options.target = "flag";  // 30% false: not below the 20% threshold
  Result<Profile> p = ProfileTable(t, options);
  ASSERT_OK(p);
  EXPECT_EQ(p->label->task, LabelTask::kClassification);
  EXPECT_FALSE(p->label->imbalanced);
  EXPECT_EQ(p->label->minority_label, "false");
  EXPECT_DOUBLE_EQ(p->label->minority_fraction, 0.3);
  EXPECT_TRUE(p->label->advice.empty());
  options.imbalance_threshold = 0.35;
  p = ProfileTable(t, options);
  ASSERT_OK(p);
  EXPECT_TRUE(p->label->imbalanced) << "the threshold is an option";

  options = {};
  options.target = "id";  // 100 distinct integers > max_classes: regression
  p = ProfileTable(t, options);
  ASSERT_OK(p);
  EXPECT_EQ(p->label->task, LabelTask::kRegression);
  EXPECT_TRUE(p->label->classes.empty());
  EXPECT_FALSE(p->label->imbalanced);
  for (const std::string& w : p->warnings) EXPECT_THAT(w, Not(HasSubstr("'id' looks like")));

  options.target = "sparse";
  p = ProfileTable(t, options);
  ASSERT_OK(p);
  EXPECT_EQ(p->label->task, LabelTask::kRegression);
  EXPECT_EQ(p->label->nulls, 60);

  options.target = "same";
  p = ProfileTable(t, options);
  ASSERT_OK(p);
  EXPECT_FALSE(p->label->imbalanced);
  EXPECT_THAT(p->warnings, Contains(StartsWith("Label 'same' has a single class")));
}

TEST(ProfileLabelTest, DetectTask) {
  Column b("b", DataType::kBool);
  Column s("s", DataType::kString);
  Column few("few", DataType::kInt64);
  Column many("many", DataType::kInt64);
  Column f("f", DataType::kFloat64);
  for (int i = 0; i < 60; ++i) {
    b.AppendBool(i % 2 == 0);
    s.AppendString(std::to_string(i));
    few.AppendInt64(i % 3);
    many.AppendInt64(i);
    f.AppendFloat64(i % 2);
  }
  EXPECT_EQ(DetectTask(b), LabelTask::kClassification);
  EXPECT_EQ(DetectTask(s), LabelTask::kClassification);
  EXPECT_EQ(DetectTask(few), LabelTask::kClassification);
  EXPECT_EQ(DetectTask(many), LabelTask::kRegression);
  EXPECT_EQ(DetectTask(many, 60), LabelTask::kClassification) << "60 classes allowed";
  EXPECT_EQ(DetectTask(f), LabelTask::kRegression);
}

TEST(ProfileLabelTest, UnknownTargetIsNotFoundWithSuggestion) {
  ProfileOptions options;
  options.target = "lable";
  Result<Profile> p = ProfileTable(KnownTable(), options);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(p.status().message(), "target column 'lable' not found. Did you mean 'label'?");
}

// ---- JSON ----

TEST(ProfileJsonTest, StableFieldsAndNullForMissingNumbers) {
  ProfileOptions options;
  options.target = "label";
  Table t = KnownTable().Slice(60, 1);  // one row: no standard deviation
  Result<Profile> p = ProfileTable(t, options);
  ASSERT_OK(p);
  nlohmann::json j = ProfileToJson(*p);
  EXPECT_EQ(j["rows"], 1);
  ASSERT_EQ(j["columns"].size(), 9u);
  const nlohmann::json& id = j["columns"][0];
  EXPECT_EQ(id["name"], "id");
  EXPECT_EQ(id["type"], "INT64");
  EXPECT_EQ(id["count"], 1);
  EXPECT_EQ(id["nulls"], 0);
  EXPECT_EQ(id["distinct"], 1);
  EXPECT_EQ(id["numeric"]["min"], 61.0);
  EXPECT_TRUE(id["numeric"]["stddev"].is_null()) << "NaN becomes null";
  EXPECT_TRUE(id["text"].is_null());
  EXPECT_TRUE(id["min_value"].is_null());
  EXPECT_EQ(id["top_values"][0]["value"], "61");
  EXPECT_EQ(id["top_values"][0]["count"], 1);
  for (const char* key : {"min", "max", "mean", "stddev", "p05", "p25", "median", "p75", "p95",
                          "zeros", "non_finite"}) {
    EXPECT_TRUE(id["numeric"].contains(key)) << key;
  }
  EXPECT_EQ(j["columns"][3]["text"]["max_length"], 6) << "Zürich";
  EXPECT_EQ(j["columns"][6]["min_value"], "2024-03-05");
  const nlohmann::json& label = j["label"];
  EXPECT_EQ(label["column"], "label");
  EXPECT_EQ(label["task"], "classification");
  EXPECT_EQ(label["classes"][0]["label"], "no");
  EXPECT_EQ(label["classes"][0]["fraction"], 1.0);
  EXPECT_EQ(label["imbalanced"], false);
  EXPECT_TRUE(label["advice"].is_array());
  EXPECT_TRUE(j["warnings"].is_array());
  // The whole document is valid JSON that parses back.
  EXPECT_EQ(nlohmann::json::parse(j.dump()), j);

  Result<Profile> inf_only = ProfileTable(KnownTable().Slice(90, 5));
  ASSERT_OK(inf_only);
  nlohmann::json k = ProfileToJson(*inf_only);
  EXPECT_TRUE(k["columns"][1]["numeric"]["mean"].is_null());
  EXPECT_EQ(k["columns"][1]["numeric"]["non_finite"], 5);
  EXPECT_TRUE(k["label"].is_null());
}

// ---- Histograms ----

Column Int64Column(std::initializer_list<int64_t> values) {
  Column c("x", DataType::kInt64);
  for (int64_t v : values) c.AppendInt64(v);
  return c;
}

TEST(ProfileHistogramTest, IntegersZeroToTwentyFillOneBinEachAndTheLastIsClosed) {
  Column c("x", DataType::kInt64);
  for (int v = 0; v <= 20; ++v) c.AppendInt64(v);
  ColumnProfile p = ProfileColumn(c, 3);
  ASSERT_TRUE(p.histogram.has_value());
  std::vector<double> edges;
  for (int e = 0; e <= 20; ++e) edges.push_back(e);
  EXPECT_EQ(p.histogram->edges, edges);  // width (20 - 0) / 20 = 1
  std::vector<int64_t> counts(20, 1);
  counts.back() = 2;  // [19, 20] holds 19 and 20
  EXPECT_EQ(p.histogram->counts, counts);
}

TEST(ProfileHistogramTest, ConstantColumnIsWidenedByHalfOnEachSideAsNumpyDoes) {
  ColumnProfile p = ProfileColumn(Int64Column({5, 5, 5}), 3);
  ASSERT_TRUE(p.histogram.has_value());
  EXPECT_EQ(p.histogram->edges.front(), 4.5);
  EXPECT_EQ(p.histogram->edges.back(), 5.5);
  EXPECT_DOUBLE_EQ(p.histogram->edges[10], 5.0);
  std::vector<int64_t> counts(20, 0);
  counts[10] = 3;  // 5 is the left edge of bin 10
  EXPECT_EQ(p.histogram->counts, counts);
}

TEST(ProfileHistogramTest, FloatsCountFiniteValuesOnlyAndSkipNulls) {
  Column c("x", DataType::kFloat64);
  for (double v : {1.0, 2.0, kInf, std::nan(""), 3.0, -kInf}) c.AppendFloat64(v);
  c.AppendNull();
  ColumnProfile p = ProfileColumn(c, 3);
  ASSERT_TRUE(p.histogram.has_value());
  EXPECT_EQ(p.histogram->edges.front(), 1.0);
  EXPECT_EQ(p.histogram->edges.back(), 3.0);
  std::vector<int64_t> counts(20, 0);
  counts[0] = 1;   // 1.0
  counts[10] = 1;  // 2.0 = 1 + 10 * 0.1
  counts[19] = 1;  // 3.0, in the closed last bin
  EXPECT_EQ(p.histogram->counts, counts);
  EXPECT_EQ(p.numeric->non_finite, 3);
}

TEST(ProfileHistogramTest, OnlyForNumbersWithAFiniteValue) {
  Column inf("x", DataType::kFloat64);
  inf.AppendFloat64(kInf);
  EXPECT_FALSE(ProfileColumn(inf, 3).histogram.has_value());
  Column text("x", DataType::kString);
  text.AppendString("a");
  EXPECT_FALSE(ProfileColumn(text, 3).histogram.has_value());
  Column flag("x", DataType::kBool);
  flag.AppendBool(true);
  EXPECT_FALSE(ProfileColumn(flag, 3).histogram.has_value());
  Column nulls("x", DataType::kInt64);
  nulls.AppendNull();
  EXPECT_FALSE(ProfileColumn(nulls, 3).histogram.has_value());
}

TEST(ProfileHistogramTest, JsonHasEdgesAndCountsOrNull) {
  Table t;
  ASSERT_OK(t.AddColumn(Int64Column({0, 10, 20})));
  Column text("s", DataType::kString);
  for (const char* v : {"a", "b", "c"}) text.AppendString(v);
  ASSERT_OK(t.AddColumn(std::move(text)));
  Result<Profile> p = ProfileTable(t);
  ASSERT_OK(p);
  nlohmann::json j = ProfileToJson(*p);
  const nlohmann::json& h = j["columns"][0]["histogram"];
  ASSERT_EQ(h["edges"].size(), 21u);
  ASSERT_EQ(h["counts"].size(), 20u);
  EXPECT_EQ(h["edges"][10], 10.0);
  EXPECT_EQ(h["counts"][0], 1);
  EXPECT_EQ(h["counts"][10], 1);
  EXPECT_EQ(h["counts"][19], 1);
  EXPECT_TRUE(j["columns"][1].contains("histogram"));
  EXPECT_TRUE(j["columns"][1]["histogram"].is_null());
}

// ---- The churn data set against pandas ----

// A small CSV parser for churn.csv only (quoted strings, unquoted numbers, no embedded
// commas), so that this test does not depend on the CSV reader it might one day check.
Table ReadChurnByHand() {
  std::ifstream in(testing::SourcePath("examples/data/churn.csv"));
  std::string line;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> quoted, fractional;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) fields.push_back(f);
    if (!rows.empty()) {
      for (size_t c = 0; c < fields.size(); ++c) {
        if (quoted.size() < fields.size()) quoted.assign(fields.size(), false);
        if (fractional.size() < fields.size()) fractional.assign(fields.size(), false);
        quoted[c] = quoted[c] || fields[c].front() == '"';
        fractional[c] = fractional[c] || fields[c].find('.') != std::string::npos;
      }
    }
    rows.push_back(std::move(fields));
  }
  auto unquote = [](const std::string& s) {
    return s.front() == '"' ? s.substr(1, s.size() - 2) : s;
  };
  Table t;
  for (size_t c = 0; c < rows[0].size(); ++c) {
    DataType type = quoted[c]       ? DataType::kString
                    : fractional[c] ? DataType::kFloat64
                                    : DataType::kInt64;
    Column col(unquote(rows[0][c]), type);
    for (size_t r = 1; r < rows.size(); ++r) {
      const std::string& v = rows[r][c];
      if (type == DataType::kString) col.AppendString(unquote(v));
      if (type == DataType::kFloat64) col.AppendFloat64(std::stod(v));
      if (type == DataType::kInt64) col.AppendInt64(std::stoll(v));
    }
    EXPECT_OK(t.AddColumn(std::move(col)));
  }
  return t;
}

void ExpectClose(double actual, double expected, const std::string& what) {
  EXPECT_LE(std::fabs(actual - expected), 1e-9 * std::max(1.0, std::fabs(expected)))
      << what << ": " << actual << " vs pandas " << expected;
}

TEST(ProfileChurnTest, MatchesPandasReference) {
  std::ifstream in(testing::SourcePath("tests/data/reference/churn_profile_reference.json"));
  nlohmann::json ref = nlohmann::json::parse(in);
  Table churn = ReadChurnByHand();
  ProfileOptions options;
  options.target = "churn";
  Result<Profile> p = ProfileTable(churn, options);
  ASSERT_OK(p);
  EXPECT_EQ(p->rows, ref["rows"]);
  ASSERT_EQ(p->columns.size(), ref["columns"].size());
  for (size_t i = 0; i < p->columns.size(); ++i) {
    const ColumnProfile& c = p->columns[i];
    const nlohmann::json& r = ref["columns"][i];
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.name, r["name"]);
    EXPECT_EQ(DataTypeName(c.type), r["type"].get<std::string>());
    EXPECT_EQ(c.count, r["count"]);
    EXPECT_EQ(c.nulls, r["nulls"]);
    EXPECT_EQ(c.distinct, r["distinct"]);
    ASSERT_EQ(c.top_values.size(), r["top_values"].size());
    for (size_t k = 0; k < c.top_values.size(); ++k) {
      const nlohmann::json& rv = r["top_values"][k][0];
      if (rv.is_string()) {
        EXPECT_EQ(c.top_values[k].value, rv.get<std::string>());
      } else {
        ExpectClose(std::stod(c.top_values[k].value), rv.get<double>(), "top value");
      }
      EXPECT_EQ(c.top_values[k].count, r["top_values"][k][1]);
    }
    if (r.contains("numeric")) {
      ASSERT_TRUE(c.numeric.has_value());
      const nlohmann::json& n = r["numeric"];
      ExpectClose(c.numeric->min, n["min"], "min");
      ExpectClose(c.numeric->max, n["max"], "max");
      ExpectClose(c.numeric->mean, n["mean"], "mean");
      ExpectClose(c.numeric->stddev, n["stddev"], "stddev");
      ExpectClose(c.numeric->p05, n["p05"], "p05");
      ExpectClose(c.numeric->p25, n["p25"], "p25");
      ExpectClose(c.numeric->median, n["median"], "median");
      ExpectClose(c.numeric->p75, n["p75"], "p75");
      ExpectClose(c.numeric->p95, n["p95"], "p95");
      EXPECT_EQ(c.numeric->zeros, n["zeros"]);
      // numpy.histogram(values, bins=20): the same rule, so the same edges and counts.
      ASSERT_TRUE(c.histogram.has_value());
      const nlohmann::json& h = r["histogram"];
      ASSERT_EQ(c.histogram->edges.size(), h["edges"].size());
      for (size_t e = 0; e < c.histogram->edges.size(); ++e) {
        EXPECT_DOUBLE_EQ(c.histogram->edges[e], h["edges"][e].get<double>()) << "edge " << e;
      }
      EXPECT_EQ(c.histogram->counts, h["counts"].get<std::vector<int64_t>>());
    } else {
      ASSERT_TRUE(c.text.has_value());
      EXPECT_EQ(c.text->min_length, r["text"]["min_length"]);
      EXPECT_EQ(c.text->max_length, r["text"]["max_length"]);
      ExpectClose(c.text->mean_length, r["text"]["mean_length"], "mean length");
    }
  }

  ASSERT_TRUE(p->label.has_value());
  const LabelProfile& l = *p->label;
  ASSERT_EQ(l.classes.size(), 2u);
  EXPECT_EQ(l.classes[0].label, "no");
  EXPECT_EQ(l.classes[0].count, 4293);
  EXPECT_EQ(l.classes[1].label, "yes");
  EXPECT_EQ(l.classes[1].count, 707);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(l.classes[k].label, ref["label"]["classes"][k]["label"]);
    ExpectClose(l.classes[k].fraction, ref["label"]["classes"][k]["fraction"], "fraction");
  }
  EXPECT_TRUE(l.imbalanced);
  EXPECT_EQ(l.minority_label, "yes");
  EXPECT_DOUBLE_EQ(l.minority_fraction, 0.1414);
  ASSERT_EQ(l.advice.size(), 6u);
  EXPECT_EQ(l.advice[0],
            "Imbalanced label: 'yes' is 14.1% of 5000 rows (707 rows); a model can score 85.9% "
            "accuracy by always predicting 'no'.");
  EXPECT_EQ(l.advice[1],
            "First, collect more data, especially more examples of 'yes', if you can.");
  EXPECT_THAT(l.advice[2], HasSubstr("downsampling the majority class with upweighting"));
  EXPECT_THAT(l.advice[2], HasSubstr("'no' rows"));
  EXPECT_THAT(l.advice[2], HasSubstr("calibrated"));
  EXPECT_THAT(l.advice[3], HasSubstr("upsample the minority class"));
  EXPECT_THAT(l.advice[3], HasSubstr("SMOTE (SMOTE-NC"));
  EXPECT_THAT(l.advice[4], HasSubstr("auto_class_weights"));
  EXPECT_THAT(l.advice[5], HasSubstr("precision and recall, PR AUC"));
  EXPECT_THAT(l.advice[5], HasSubstr("threshold"));
  EXPECT_THAT(l.advice[5], HasSubstr("rather than accuracy"));
  EXPECT_TRUE(p->warnings.empty()) << p->warnings.front();
}

// ---- The fast paths against simple references ----

TEST(ProfileStatsTest, RadixSortMatchesStdSort) {
  std::mt19937_64 rng(42);
  std::vector<uint64_t> scratch;
  for (size_t n : {0, 1, 2, 511, 512, 513, 10000, 100000}) {
    for (int shape = 0; shape < 3; ++shape) {
      std::vector<uint64_t> keys(n);
      for (uint64_t& k : keys) {
        uint64_t r = rng();
        k = shape == 0 ? r : shape == 1 ? r % 7 : (r % 1000) << 40;  // full, tiny, one byte
      }
      std::vector<uint64_t> expected = keys;
      std::sort(expected.begin(), expected.end());
      RadixSortU64(&keys, &scratch);
      EXPECT_EQ(keys, expected) << "n=" << n << " shape=" << shape;
    }
  }
}

TEST(ProfileStatsTest, KeysPreserveOrder) {
  const double doubles[] = {-kInf,  -1e308, -1.5, -5e-324, 0.0, 5e-324,
                            1e-300, 1.0,    2.5,  1e308,   kInf};
  for (size_t i = 0; i + 1 < std::size(doubles); ++i) {
    EXPECT_LT(KeyFromDouble(doubles[i]), KeyFromDouble(doubles[i + 1])) << doubles[i];
    EXPECT_EQ(DoubleFromKey(KeyFromDouble(doubles[i])), doubles[i]);
  }
  const int64_t ints[] = {std::numeric_limits<int64_t>::min(), -1, 0, 1,
                          std::numeric_limits<int64_t>::max()};
  for (size_t i = 0; i + 1 < std::size(ints); ++i) {
    EXPECT_LT(KeyFromInt64(ints[i]), KeyFromInt64(ints[i + 1]));
    EXPECT_EQ(Int64FromKey(KeyFromInt64(ints[i])), ints[i]);
  }
}

TEST(ProfileStatsTest, RandomColumnsMatchANaiveReference) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(1000, 250);
  Column f("f", DataType::kFloat64);
  std::vector<double> values;
  for (int i = 0; i < 20001; ++i) {
    if (i % 13 == 0) {
      f.AppendNull();
      continue;
    }
    double v = std::round(normal(rng) * 8) / 8;  // repeats, so distinct < count
    f.AppendFloat64(v);
    values.push_back(v);
  }
  ColumnProfile p = ProfileColumn(f, 3);
  std::sort(values.begin(), values.end());
  auto n = static_cast<double>(values.size());
  long double sum = 0;
  for (double v : values) sum += v;
  double mean = static_cast<double>(sum / values.size());
  long double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  auto quantile = [&](double q) {  // numpy's "linear", written out
    double pos = q * (n - 1);
    size_t lo = static_cast<size_t>(pos);
    return lo + 1 < values.size() ? values[lo] + (values[lo + 1] - values[lo]) * (pos - lo)
                                  : values[lo];
  };
  ASSERT_TRUE(p.numeric.has_value());
  EXPECT_NEAR(p.numeric->mean, mean, 1e-9 * mean);
  EXPECT_NEAR(p.numeric->stddev, std::sqrt(static_cast<double>(ss) / (n - 1)), 1e-9 * 250);
  EXPECT_NEAR(p.numeric->p05, quantile(0.05), 1e-9);
  EXPECT_NEAR(p.numeric->p25, quantile(0.25), 1e-9);
  EXPECT_NEAR(p.numeric->median, quantile(0.5), 1e-9);
  EXPECT_NEAR(p.numeric->p75, quantile(0.75), 1e-9);
  EXPECT_NEAR(p.numeric->p95, quantile(0.95), 1e-9);
  EXPECT_EQ(p.numeric->min, values.front());
  EXPECT_EQ(p.numeric->max, values.back());
  std::map<double, int64_t> counts;
  for (double v : values) ++counts[v];
  EXPECT_EQ(p.distinct, static_cast<int64_t>(counts.size()));
  std::vector<std::pair<int64_t, double>> by_count;
  for (auto [v, c] : counts) by_count.emplace_back(-c, v);
  std::sort(by_count.begin(), by_count.end());
  ASSERT_EQ(p.top_values.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(p.top_values[k].count, -by_count[k].first);
    EXPECT_EQ(p.top_values[k].value, fmt::format("{}", by_count[k].second));
  }
}

// A wide table like the ones users profile; the timing is printed, not asserted (machines
// differ), but the profile must agree with a single-threaded one.
TEST(ProfileStatsTest, WideTableInParallelMatchesSingleThreaded) {
  const int64_t rows = 200000;
  std::mt19937_64 rng(3);
  Table t;
  for (int c = 0; c < 22; ++c) {
    DataType type = c % 4 == 0   ? DataType::kString
                    : c % 4 == 1 ? DataType::kInt64
                                 : DataType::kFloat64;
    Column col("c" + std::to_string(c), type);
    col.Reserve(rows);
    for (int64_t r = 0; r < rows; ++r) {
      uint64_t x = rng();
      if (x % 50 == 0) {
        col.AppendNull();
      } else if (type == DataType::kString) {
        col.AppendString("s" + std::to_string(x % 40));
      } else if (type == DataType::kInt64) {
        col.AppendInt64(static_cast<int64_t>(x % 1000) - 500);
      } else {
        col.AppendFloat64(static_cast<double>(x >> 11) * 0x1.0p-53 * 300.0);
      }
    }
    ASSERT_OK(t.AddColumn(std::move(col)));
  }
  ProfileOptions one;
  one.threads = 1;
  ProfileOptions all;
  auto start = std::chrono::steady_clock::now();
  Result<Profile> parallel = ProfileTable(t, all);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "profile of " << rows << " x 22: " << seconds << " s\n";
  Result<Profile> serial = ProfileTable(t, one);
  ASSERT_OK(parallel);
  ASSERT_OK(serial);
  EXPECT_EQ(ProfileToJson(*parallel), ProfileToJson(*serial));
}

}  // namespace
}  // namespace strata
