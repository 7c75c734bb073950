// FeatureTransform (BigQuery ML's TRANSFORM functions): the documented examples of BigQuery
// ML's reference pages, fitting on training rows only, prediction on raw input, errors, and
// the bundle's JSON form.
#include "strata/transform.h"

#include <cmath>

#include "strata/csv.h"
#include "strata/preprocess.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

Table Csv(const std::string& text) {
  auto t = ReadCsvText(text, "t.csv");
  EXPECT_OK(t);
  return std::move(*t);
}

Table OneToFive() { return Csv("f\n1\n2\n3\n4\n5\n"); }

nlohmann::json Item(std::string function, std::vector<std::string> inputs, std::string output,
                    nlohmann::json args = nlohmann::json::array()) {
  return {{"function", std::move(function)}, {"inputs", std::move(inputs)}, {"output", std::move(output)},
          {"args", std::move(args)}};
}

// A spec from items (a braced list of one json would be that json, not an array of it).
nlohmann::json Spec(std::vector<nlohmann::json> items) { return nlohmann::json(std::move(items)); }

Table Apply(const Table& train, std::vector<nlohmann::json> items, const Table& input) {
  auto t = FeatureTransform::Fit(train, Spec(std::move(items)));
  EXPECT_OK(t);
  if (!t.ok()) return Table();
  auto out = t->Apply(input);
  EXPECT_OK(out);
  return out.ok() ? std::move(*out) : Table();
}

std::vector<std::string> Texts(const Column& c) {
  std::vector<std::string> v;
  for (int64_t r = 0; r < c.size(); ++r) v.push_back(c.IsNull(r) ? "NULL" : c.FormatValue(r));
  return v;
}

// BigQuery ML's reference examples (bigqueryml-syntax-standard-scaler / -quantile-bucketize /
// -bucketize): the same outputs for the same inputs.
TEST(FeatureTransformTest, BigQueryReferenceExamples) {
  Table f = OneToFive();
  Table z = Apply(f, {Item("STANDARD_SCALER", {"f"}, "output")}, f);
  ASSERT_EQ(z.num_rows(), 5);
  EXPECT_NEAR(z.column(0).GetFloat64(0), -1.2649110640673518, 1e-15);
  EXPECT_NEAR(z.column(0).GetFloat64(1), -0.6324555320336759, 1e-15);
  EXPECT_NEAR(z.column(0).GetFloat64(2), 0.0, 1e-15);
  EXPECT_NEAR(z.column(0).GetFloat64(4), 1.2649110640673518, 1e-15);

  Table q = Apply(f, {Item("QUANTILE_BUCKETIZE", {"f"}, "bucket", {3})}, f);
  EXPECT_EQ(Texts(q.column(0)), (std::vector<std::string>{"bin_1", "bin_2", "bin_2", "bin_3", "bin_3"}));

  Table points = Csv("x\n2.5\n0.5\n3\n");
  Table b = Apply(points, {Item("BUCKETIZE", {"x"}, "bucket", {{1, 2, 3}})}, points);
  EXPECT_EQ(Texts(b.column(0)), (std::vector<std::string>{"bin_3", "bin_1", "bin_4"}));
}

TEST(FeatureTransformTest, ScalersUseTrainingStatisticsAtPrediction) {
  Table train = OneToFive();
  Table later = Csv("f\n0\n3\n9\nNA\n");  // outside the training range, and a NULL
  Table mm = Apply(train, {Item("MIN_MAX_SCALER", {"f"}, "m")}, later);
  EXPECT_EQ(Texts(mm.column(0)), (std::vector<std::string>{"0", "0.5", "1", "NULL"}));  // capped
  Table ma = Apply(train, {Item("MAX_ABS_SCALER", {"f"}, "m")}, later);
  EXPECT_DOUBLE_EQ(ma.column(0).GetFloat64(2), 9.0 / 5.0);
  // Robust: (x - median) / (q75 - q25) with NumPy's percentiles of [1..5]: median 3, IQR 2.
  Table rs = Apply(train, {Item("ROBUST_SCALER", {"f"}, "r")}, later);
  EXPECT_DOUBLE_EQ(rs.column(0).GetFloat64(0), -1.5);
  EXPECT_DOUBLE_EQ(rs.column(0).GetFloat64(2), 3.0);
  Table wide = Apply(train, {Item("ROBUST_SCALER", {"f"}, "r", {{10, 90}, true, true})}, later);
  EXPECT_DOUBLE_EQ(wide.column(0).GetFloat64(2), (9.0 - 3.0) / (4.6 - 1.4));
}

TEST(FeatureTransformTest, ImputerEncodersAndHashing) {
  Table train = Csv("x,c\n1,a\n,b\n3,a\n8,\n,a\n");
  Table mean = Apply(train, {Item("IMPUTER", {"x"}, "x", {"mean"})}, train);
  EXPECT_EQ(Texts(mean.column(0)), (std::vector<std::string>{"1", "4", "3", "8", "4"}));
  Table median = Apply(train, {Item("IMPUTER", {"x"}, "x", {"median"})}, train);
  EXPECT_EQ(Texts(median.column(0))[1], "3");
  Table frequent = Apply(train, {Item("IMPUTER", {"c"}, "c", {"most_frequent"})}, train);
  EXPECT_EQ(Texts(frequent.column(0)), (std::vector<std::string>{"a", "b", "a", "a", "a"}));

  // Label encoding: the vocabulary (seen >= frequency_threshold times) in alphabetical order
  // from 1; NULL, rare and unseen values are 0.
  Table later = Csv("c\nb\na\nz\nNA\n");
  Table codes = Apply(train, {Item("LABEL_ENCODER", {"c"}, "code", {100, 1})}, later);
  EXPECT_EQ(Texts(codes.column(0)), (std::vector<std::string>{"2", "1", "0", "0"}));
  Table frequent_only = Apply(train, {Item("LABEL_ENCODER", {"c"}, "code", {100, 2})}, later);
  EXPECT_EQ(Texts(frequent_only.column(0)), (std::vector<std::string>{"0", "1", "0", "0"}));
  Table one_hot = Apply(train, {Item("ONE_HOT_ENCODER", {"c"}, "c1", {"most_frequent", 100, 1})}, later);
  EXPECT_EQ(Texts(one_hot.column(0)), (std::vector<std::string>{"b", "NULL", "NULL", "NULL"}));  // 'a' dropped

  Table hashed = Apply(train, {Item("HASH_BUCKETIZE", {"c"}, "h", {7})}, later);
  Table again = Apply(train, {Item("HASH_BUCKETIZE", {"c"}, "h", {7})}, later);
  EXPECT_EQ(Texts(hashed.column(0)), Texts(again.column(0)));
  for (int64_t r = 0; r < 3; ++r) {
    EXPECT_GE(hashed.column(0).GetInt64(r), 0);
    EXPECT_LT(hashed.column(0).GetInt64(r), 7);
  }
  EXPECT_TRUE(hashed.column(0).IsNull(3));
}

TEST(FeatureTransformTest, CrossesAndPolynomialsExpandIntoNamedColumns) {
  Table t = Csv("a,b,c\n2,3,x\n1,,y\n");
  Table cross = Apply(t, {Item("FEATURE_CROSS", {"a", "c"}, "ac")}, t);
  ASSERT_EQ(cross.num_columns(), 1);
  EXPECT_EQ(cross.column(0).name(), "ac_a_c");
  EXPECT_EQ(Texts(cross.column(0)), (std::vector<std::string>{"2_x", "1_y"}));

  Table poly = Apply(t, {Item("POLYNOMIAL_EXPAND", {"a", "b"}, "p", {2})}, t);
  std::vector<std::string> names;
  for (const Column& c : poly.columns()) names.push_back(c.name());
  EXPECT_EQ(names, (std::vector<std::string>{"p_a", "p_b", "p_a_a", "p_a_b", "p_b_b"}));
  EXPECT_EQ(Texts(poly.column(3)), (std::vector<std::string>{"6", "NULL"}));
}

// Text: documents as JSON arrays of tokens (SQLite's form of ARRAY<STRING>) or plain text
// split at whitespace; expected values from BigQuery ML's documented formulas: tf = count /
// document size, idf = log(1 + documents / (1 + documents with the term)).
TEST(FeatureTransformTest, TextBagOfWordsTfIdfAndNgrams) {
  Table docs = Csv(
      "f\n"
      "\"[\"\"I\"\", \"\"like\"\", \"\"pie\"\", \"\"pie\"\", \"\"pie\"\"]\"\n"
      "yum yum pie\n"
      "I yum pie\n"
      "you like pie too\n");
  ASSERT_EQ(docs.num_rows(), 4);
  // Terms in at least 2 documents: I, like, pie, yum; 'you' and 'too' are the unknown term.
  Table bow = Apply(docs, {Item("BAG_OF_WORDS", {"f"}, "w", {10, 2})}, docs);
  std::vector<std::string> names;
  for (const Column& c : bow.columns()) names.push_back(c.name());
  EXPECT_EQ(names, (std::vector<std::string>{"w__unknown", "w_I", "w_like", "w_pie", "w_yum"}));
  EXPECT_EQ(Texts(bow.column(3)), (std::vector<std::string>{"3", "1", "1", "1"}));
  EXPECT_EQ(Texts(bow.column(0)), (std::vector<std::string>{"0", "0", "0", "2"}));

  Table tfidf = Apply(docs, {Item("TF_IDF", {"f"}, "t", {10, 2})}, docs);
  EXPECT_NEAR(tfidf.column(3).GetFloat64(0), 0.6 * std::log(1 + 4.0 / 5), 1e-12);  // pie in doc 1
  EXPECT_NEAR(tfidf.column(1).GetFloat64(0), 0.2 * std::log(1 + 4.0 / 3), 1e-12);  // I in doc 1
  EXPECT_NEAR(tfidf.column(0).GetFloat64(3), 0.5 * std::log(1 + 4.0 / 2), 1e-12);  // unknown in doc 4
  EXPECT_NEAR(tfidf.column(4).GetFloat64(1), 2.0 / 3 * std::log(1 + 4.0 / 3), 1e-12);  // yum in doc 2

  // top_k keeps the terms found in the most documents.
  Table top = Apply(docs, {Item("BAG_OF_WORDS", {"f"}, "w", {1, 1})}, docs);
  ASSERT_EQ(top.num_columns(), 2);
  EXPECT_EQ(top.column(1).name(), "w_pie");

  Table grams = Apply(Csv("f\na b c\n"), {Item("NGRAMS", {"f"}, "g", {{1, 2}})}, Csv("f\na b c\n"));
  EXPECT_EQ(grams.column(0).GetString(0), "[\"a\",\"a b\",\"b\",\"b c\",\"c\"]");
  Table dashed = Apply(Csv("f\na b c\n"), {Item("NGRAMS", {"f"}, "g", {{2, 3}, "-"})}, Csv("f\na b c\n"));
  EXPECT_EQ(dashed.column(0).GetString(0), "[\"a-b\",\"a-b-c\",\"b-c\"]");
  auto bad = FeatureTransform::Fit(docs, Spec({Item("NGRAMS", {"f"}, "g", {3})}));
  EXPECT_THAT(bad.status().message(), HasSubstr("[min, max]"));
}

TEST(FeatureTransformTest, StarPassThroughRenamesAndJsonRoundTrip) {
  Table t = Csv("a,b,label\n1,x,0\n2,y,1\n3,x,0\n");
  nlohmann::json spec = Spec({{{"function", "*"}, {"except", {"b"}}},
                               {{"inputs", {"b"}}, {"output", "b_renamed"}},
                               Item("STANDARD_SCALER", {"a"}, "a_z")});
  auto fitted = FeatureTransform::Fit(t, spec);
  ASSERT_OK(fitted);
  EXPECT_EQ(fitted->outputs(), (std::vector<std::string>{"a", "label", "b_renamed", "a_z"}));
  auto back = FeatureTransform::FromJson(fitted->ToJson());
  ASSERT_OK(back);
  auto x = fitted->Apply(t);
  auto y = back->Apply(t);
  ASSERT_OK(x);
  ASSERT_OK(y);
  EXPECT_EQ(Texts(x->column(3)), Texts(y->column(3)));

  // The label may be absent at prediction.
  Table no_label = Csv("a,b\n5,x\n");
  auto out = fitted->Apply(no_label, {"label"});
  ASSERT_OK(out);
  EXPECT_EQ(out->num_columns(), 3);
}

TEST(FeatureTransformTest, ClearErrors) {
  Table t = Csv("a,c\n1,x\n2,y\n");
  auto unknown = FeatureTransform::Fit(t, Spec({Item("STANDARD_SCALAR", {"a"}, "z")}));
  EXPECT_THAT(unknown.status().message(), HasSubstr("Did you mean 'STANDARD_SCALER'?"));
  auto later = FeatureTransform::Fit(t, Spec({Item("MULTI_HOT_ENCODER", {"c"}, "z")}));
  EXPECT_EQ(later.status().code(), StatusCode::kUnimplemented);
  auto missing = FeatureTransform::Fit(t, Spec({Item("STANDARD_SCALER", {"aa"}, "z")}));
  EXPECT_THAT(missing.status().message(), HasSubstr("no input column 'aa'"));
  auto text = FeatureTransform::Fit(t, Spec({Item("STANDARD_SCALER", {"c"}, "z")}));
  EXPECT_THAT(text.status().message(), HasSubstr("input 'c' is STRING; ML.STANDARD_SCALER takes numbers"));
  auto unnamed = FeatureTransform::Fit(t, Spec({{{"function", "MIN_MAX_SCALER"}, {"inputs", {"a"}}}}));
  EXPECT_THAT(unnamed.status().message(), HasSubstr("needs a name"));
  auto twice = FeatureTransform::Fit(t, Spec({Item("", {"a"}, "x"), Item("", {"c"}, "x")}));
  EXPECT_THAT(twice.status().message(), HasSubstr("two outputs are named 'x'"));
  auto buckets = FeatureTransform::Fit(t, Spec({Item("QUANTILE_BUCKETIZE", {"a"}, "q")}));
  EXPECT_THAT(buckets.status().message(), HasSubstr("number of buckets"));

  auto fitted = FeatureTransform::Fit(t, Spec({Item("STANDARD_SCALER", {"a"}, "z")}));
  ASSERT_OK(fitted);
  auto applied = fitted->Apply(Csv("b\n1\n"));
  EXPECT_THAT(applied.status().message(), HasSubstr("needs input column 'a'"));
}

// Through the preprocessor: the transform is fitted on the rows it is given (the training
// part) and applied to raw rows later; the model's inputs are the transform's inputs.
TEST(FeatureTransformTest, PreprocessorFitsOnTrainingRowsAndTakesRawInput) {
  Table train = Csv("x,c,label\n1,a,0\n2,b,1\n3,a,0\n");
  PreprocessOptions options;
  options.transform = Spec({Item("STANDARD_SCALER", {"x"}, "x_z"), {{"inputs", {"c"}}}, {{"inputs", {"label"}}}});
  options.label = "label";
  auto p = Preprocessor::Fit(train, {}, options);
  ASSERT_OK(p);
  Schema inputs = p->input_schema();
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(inputs[0].name, "x");
  EXPECT_EQ(inputs[1].name, "c");
  auto x = p->Transform(Csv("x,c\n2,a\n"));  // no label at prediction
  ASSERT_OK(x);
  EXPECT_NEAR(x->at(0, 0), 0.0, 1e-12);  // (2 - mean 2) / sd
  auto back = Preprocessor::FromJson(p->ToJson());
  ASSERT_OK(back);
  auto y = back->Transform(Csv("x,c\n3,b\n"));
  ASSERT_OK(y);
  auto z = p->Transform(Csv("x,c\n3,b\n"));
  ASSERT_OK(z);
  EXPECT_EQ(y->data(), z->data());
}

}  // namespace
}  // namespace strata
