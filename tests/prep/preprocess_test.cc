#include "strata/preprocess.h"

#include <cmath>

#include "strata/csv.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

Table MakeTable() {
  auto t = ReadCsvText(
      "x,city,flag,when\n"
      "1,Oslo,true,2024-01-01 10:00:00\n"
      "2,Lima,false,2024-02-03 11:30:00\n"
      "3,Oslo,,2024-03-04 23:00:00\n"
      ",Pune,true,\n",
      "t.csv");
  EXPECT_OK(t);
  return std::move(*t);
}

int Feature(const Preprocessor& p, const std::string& name) {
  for (size_t i = 0; i < p.features().size(); ++i) {
    if (p.features()[i].name == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no feature " << name;
  return 0;
}

TEST(PreprocessTest, LinearStyleStandardisesAndOneHotEncodes) {
  Table t = MakeTable();
  auto p = Preprocessor::Fit(t, {"x", "city", "flag"}, {});
  ASSERT_OK(p);
  auto x = p->Transform(t);
  ASSERT_OK(x);
  // x: mean 2, population std sqrt(2/3); the NULL becomes the mean, i.e. 0.
  int fx = Feature(*p, "x");
  EXPECT_NEAR(x->at(0, fx), (1 - 2) / std::sqrt(2.0 / 3), 1e-12);
  EXPECT_EQ(x->at(3, fx), 0.0);
  // city: one column per category, sorted; flag: BOOL is categorical, with a NULL column.
  EXPECT_EQ(x->at(0, Feature(*p, "city=Oslo")), 1.0);
  EXPECT_EQ(x->at(0, Feature(*p, "city=Lima")), 0.0);
  EXPECT_EQ(x->at(2, Feature(*p, "flag=_null_")), 1.0);
  EXPECT_EQ(x->at(1, Feature(*p, "flag=false")), 1.0);
}

TEST(PreprocessTest, UnseenCategoriesAreAllZerosAtPredictionTime) {
  Table t = MakeTable();
  auto p = Preprocessor::Fit(t, {"city"}, {});
  ASSERT_OK(p);
  auto other = ReadCsvText("city\nRome\nLima\n", "o.csv");
  ASSERT_OK(other);
  auto x = p->Transform(*other);
  ASSERT_OK(x);
  for (int c = 0; c < x->cols(); ++c) EXPECT_EQ(x->at(0, c), 0.0);
  EXPECT_EQ(x->at(1, Feature(*p, "city=Lima")), 1.0);
}

TEST(PreprocessTest, TreeStyleLabelEncodesAndKeepsMissingAsNaN) {
  Table t = MakeTable();
  PreprocessOptions o;
  o.style = EncodingStyle::kRawLabelEncoded;
  auto p = Preprocessor::Fit(t, {"x", "city", "when"}, o);
  ASSERT_OK(p);
  auto x = p->Transform(t);
  ASSERT_OK(x);
  EXPECT_EQ(x->at(0, Feature(*p, "x")), 1.0);
  EXPECT_TRUE(std::isnan(x->at(3, Feature(*p, "x"))));
  // Categories sorted: Lima 0, Oslo 1, Pune 2.
  EXPECT_EQ(x->at(0, Feature(*p, "city")), 1.0);
  EXPECT_EQ(x->at(1, Feature(*p, "city")), 0.0);
  // Time parts as numbers: 2024-02-03 is a Saturday (6), month 2, hour 11.
  EXPECT_EQ(x->at(1, Feature(*p, "when.month")), 2.0);
  EXPECT_EQ(x->at(1, Feature(*p, "when.day_of_week")), 6.0);
  EXPECT_EQ(x->at(1, Feature(*p, "when.hour")), 11.0);
  EXPECT_TRUE(std::isnan(x->at(3, Feature(*p, "when.hour"))));
}

TEST(PreprocessTest, CapsCategoriesWithAnOtherBucket) {
  std::string csv = "c\n";
  for (int i = 0; i < 30; ++i) csv += "v" + std::to_string(i % 10) + "\n";
  csv += "rare\n";
  auto t = ReadCsvText(csv, "c.csv");
  ASSERT_OK(t);
  PreprocessOptions o;
  o.max_categories = 3;
  auto p = Preprocessor::Fit(*t, {"c"}, o);
  ASSERT_OK(p);
  EXPECT_EQ(p->features().size(), 4u);
  auto x = p->Transform(*t);
  ASSERT_OK(x);
  EXPECT_EQ(x->at(30, Feature(*p, "c=_other_")), 1.0);
}

TEST(PreprocessTest, CoercesInputTypesAndNamesBadValues) {
  Table t = MakeTable();
  auto p = Preprocessor::Fit(t, {"x"}, {});
  ASSERT_OK(p);
  auto as_text = ReadCsvText("x\n\"2\"\n", "s.csv", {});
  ASSERT_OK(as_text);
  auto x = p->Transform(*as_text);
  ASSERT_OK(x);
  EXPECT_NEAR(x->at(0, 0), 0.0, 1e-12);
  auto bad = ReadCsvText("x\nabc\n", "b.csv");
  ASSERT_OK(bad);
  auto r = p->Transform(*bad);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("column 'x', row 1: 'abc' cannot be read as INT64"));
  auto missing = ReadCsvText("y\n1\n", "m.csv");
  ASSERT_OK(missing);
  auto m = p->Transform(*missing);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(m.status().message(), HasSubstr("input column 'x'"));
}

TEST(PreprocessTest, JsonRoundTripGivesTheSameTransformation) {
  Table t = MakeTable();
  auto p = Preprocessor::Fit(t, {"x", "city", "flag", "when"}, {});
  ASSERT_OK(p);
  auto back = Preprocessor::FromJson(p->ToJson());
  ASSERT_OK(back);
  auto a = p->Transform(t);
  auto b = back->Transform(t);
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_EQ(a->data().size(), b->data().size());
  for (size_t i = 0; i < a->data().size(); ++i) {
    EXPECT_TRUE(a->data()[i] == b->data()[i] || (std::isnan(a->data()[i]) && std::isnan(b->data()[i])));
  }
  EXPECT_EQ(Preprocessor::FromJson(nlohmann::json{{"style", 1}}).status().code(),
            StatusCode::kDataLoss);
}

TEST(FeatureMatrixTest, TakeAndAppendRows) {
  FeatureMatrix m(3, 2);
  for (int r = 0; r < 3; ++r) {
    m.at(r, 0) = r;
    m.at(r, 1) = 10 + r;
  }
  FeatureMatrix t = m.TakeRows(std::vector<int64_t>{2, 2, 0});
  EXPECT_EQ(t.at(0, 1), 12);
  EXPECT_EQ(t.at(2, 0), 0);
  t.AppendRows(m);
  EXPECT_EQ(t.rows(), 6);
  EXPECT_EQ(t.at(4, 1), 11);
}

}  // namespace
}  // namespace strata
