// Online prediction over real HTTP: TF-Serving `:predict` (rows as objects or arrays, columns)
// and the Open Inference Protocol (/v2: metadata, ready, infer per column and as one [N, F]
// tensor), each checked against the Predictor's own output on the same rows.
#include "serve_fixture.h"
#include "strata/data_file.h"

namespace strata::testing {
namespace {

using nlohmann::json;

class PredictTest : public ChurnWorkspaceTest {
 protected:
  static void SetUpTestSuite() {
    ChurnWorkspaceTest::SetUpTestSuite();
    auto data = ReadDataFile(SourcePath("examples/data/churn.csv"));
    rows_ = new Table(data->Slice(0, 5));
  }
  static void TearDownTestSuite() {
    delete rows_;
    ChurnWorkspaceTest::TearDownTestSuite();
  }
  // The Predictor's answer for the first rows, from the stored bundle.
  static Table Expected(int version, const PredictOptions& options = {}) {
    auto ws = Workspace::Open(*path_);
    ModelStore store(**ws);
    auto bundle = store.Load("churn_model", version);
    auto predictor = Predictor::Create(std::move(bundle).value());
    PredictOptions o = options;
    o.keep_input_columns = false;
    auto out = (*predictor)->Predict(*rows_, o);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return std::move(out).value();
  }
  static json InstancesAsObjects(int n) { return ChurnInstances(n); }
  static std::vector<std::string> InputNames() {
    auto ws = Workspace::Open(*path_);
    auto bundle = ModelStore(**ws).Load("churn_model");
    std::vector<std::string> names;
    for (const Field& f : bundle->preprocessor.input_schema()) names.push_back(f.name);
    return names;
  }
  // The rows as the Open Inference Protocol's single [N, F] tensor (BYTES: mixed types).
  static json OneTensor(const json& objects) {
    std::vector<std::string> names = InputNames();
    json data = json::array();
    for (const json& o : objects) {
      json row = json::array();
      for (const std::string& n : names) row.push_back(o[n]);
      data.push_back(row);
    }
    return json::array({{{"name", "input__0"},
                         {"shape", {static_cast<int>(objects.size()), static_cast<int>(names.size())}},
                         {"datatype", "BYTES"},
                         {"data", data}}});
  }
  static inline Table* rows_ = nullptr;
};

void ExpectMatches(const json& predictions, const Table& expected) {
  ASSERT_EQ(predictions.size(), static_cast<size_t>(expected.num_rows()));
  const Column& label = *expected.GetColumn("predicted_churn").value();
  const Column& probs = *expected.GetColumn("predicted_churn_probs").value();
  for (int64_t r = 0; r < expected.num_rows(); ++r) {
    EXPECT_EQ(predictions[r]["predicted_churn"], std::string(label.GetString(r)));
    json want = json::parse(probs.GetString(r));
    ASSERT_EQ(predictions[r]["predicted_churn_probs"].size(), want.size());
    for (size_t k = 0; k < want.size(); ++k) {
      EXPECT_EQ(predictions[r]["predicted_churn_probs"][k]["label"], want[k]["label"]);
      EXPECT_DOUBLE_EQ(predictions[r]["predicted_churn_probs"][k]["prob"].get<double>(),
                       want[k]["prob"].get<double>());
    }
  }
}

TEST_F(PredictTest, InstancesAsObjectsMatchThePredictor) {
  RunningServer server(Options());
  auto client = server.Client();
  auto res = PostJson(client, "/v1/models/churn_model:predict", {{"instances", InstancesAsObjects(5)}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = JsonOf(res);
  EXPECT_EQ(body["model_name"], "churn_model");
  EXPECT_EQ(body["model_version"], "2");  // the latest
  ExpectMatches(body["predictions"], Expected(2));
}

TEST_F(PredictTest, InstancesAsArraysAndAVersionMatchThePredictor) {
  RunningServer server(Options());
  auto client = server.Client();
  std::vector<std::string> names = InputNames();
  json rows = json::array();
  for (const json& object : InstancesAsObjects(5)) {
    json row = json::array();
    for (const std::string& n : names) row.push_back(object[n]);
    rows.push_back(row);
  }
  auto res = PostJson(client, "/v1/models/churn_model/versions/1:predict", {{"instances", rows}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(JsonOf(res)["model_version"], "1");
  ExpectMatches(JsonOf(res)["predictions"], Expected(1));
}

TEST_F(PredictTest, ColumnarInputsAnswerOutputsByColumn) {
  RunningServer server(Options());
  auto client = server.Client();
  json inputs = json::object();
  for (const json& object : InstancesAsObjects(5)) {
    for (const auto& [k, v] : object.items()) inputs[k].push_back(v);
  }
  auto res = PostJson(client, "/v1/models/churn_model/versions/1:predict", {{"inputs", inputs}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json outputs = JsonOf(res)["outputs"];
  Table expected = Expected(1);
  const Column& label = *expected.GetColumn("predicted_churn").value();
  ASSERT_EQ(outputs["predicted_churn"].size(), 5u);
  for (int r = 0; r < 5; ++r) EXPECT_EQ(outputs["predicted_churn"][r], std::string(label.GetString(r)));
}

TEST_F(PredictTest, ExplainAddsPerFeatureContributions) {
  RunningServer server(Options());
  auto client = server.Client();
  json body = {{"instances", InstancesAsObjects(2)}, {"explain", true}};
  auto res = PostJson(client, "/v1/models/churn_model/versions/1:predict", body);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json p = JsonOf(res)["predictions"][0];
  ASSERT_TRUE(p["top_feature_attributions"].is_array()) << p.dump();
  EXPECT_GT(p["top_feature_attributions"].size(), 0u);
  EXPECT_LE(p["top_feature_attributions"].size(), InputNames().size());
  EXPECT_TRUE(p["top_feature_attributions"][0].contains("feature"));
  // The query parameter form.
  res = PostJson(client, "/v1/models/churn_model/versions/1:predict?explain=true",
                 {{"instances", InstancesAsObjects(1)}});
  ASSERT_TRUE(res);
  EXPECT_TRUE(JsonOf(res)["predictions"][0].contains("top_feature_attributions"));
}

TEST_F(PredictTest, WrongShapesGet400NamingTheProblem) {
  RunningServer server(Options());
  auto client = server.Client();
  const std::string path = "/v1/models/churn_model:predict";
  std::string m = ErrorMessage(PostJson(client, path, {{"rows", json::array()}}), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"instances\""));
  m = ErrorMessage(PostJson(client, path, json::array({1, 2})), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("JSON object"));
  m = ErrorMessage(PostJson(client, path, {{"instances", 5}}), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("array"));
  m = ErrorMessage(PostJson(client, path, {{"instances", json::array({json::array({1, 2})})}}), 400,
                   "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("has 2 values but the model has"));
  json row = InstancesAsObjects(1)[0];
  row.erase("state");
  row["stat"] = "KS";
  m = ErrorMessage(PostJson(client, path, {{"instances", json::array({row})}}), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("instances[0] has no column 'state'"));
  EXPECT_THAT(m, ::testing::HasSubstr("Did you mean 'stat'?"));
  row = InstancesAsObjects(1)[0];
  row["account_length"] = "long";
  m = ErrorMessage(PostJson(client, path, {{"instances", json::array({row})}}), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("column 'account_length' needs a INT64 value, got string"));
  m = ErrorMessage(PostJson(client, path, {{"instances", InstancesAsObjects(1)}, {"inputs", json::object()}}),
                   400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("not both"));
}

TEST_F(PredictTest, UnknownModelsAndVersionsGet404WithSuggestions) {
  RunningServer server(Options());
  auto client = server.Client();
  json body = {{"instances", InstancesAsObjects(1)}};
  std::string m = ErrorMessage(PostJson(client, "/v1/models/churn_modle:predict", body), 404, "NOT_FOUND");
  EXPECT_THAT(m, ::testing::HasSubstr("Did you mean 'churn_model'?"));
  m = ErrorMessage(PostJson(client, "/v1/models/churn_model/versions/9:predict", body), 404, "NOT_FOUND");
  EXPECT_THAT(m, ::testing::HasSubstr("no version 9"));
  m = ErrorMessage(PostJson(client, "/v1/models/churn_model/versions/x:predict", body), 400,
                   "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("labels"));
  ErrorMessage(client.Get("/v2/models/nope"), 404, "NOT_FOUND");
  ErrorMessage(client.Get("/v2/models/churn_model/versions/7/ready"), 404, "NOT_FOUND");
}

TEST_F(PredictTest, RowLimitGets413AndTimeoutGets408) {
  ServerOptions o = Options();
  o.max_rows = 3;
  {
    RunningServer server(o);
    auto client = server.Client();
    std::string m = ErrorMessage(
        PostJson(client, "/v1/models/churn_model:predict", {{"instances", InstancesAsObjects(5)}}), 413,
        "PAYLOAD_TOO_LARGE");
    EXPECT_THAT(m, ::testing::HasSubstr("limit is 3"));
  }
  o = Options();
  o.request_timeout_ms = 0;  // every request is late
  RunningServer server(o);
  auto client = server.Client();
  ErrorMessage(PostJson(client, "/v1/models/churn_model:predict", {{"instances", InstancesAsObjects(2)}}),
               408, "DEADLINE_EXCEEDED");
}

TEST_F(PredictTest, V2MetadataListsInputsOutputsAndVersions) {
  RunningServer server(Options());
  auto client = server.Client();
  auto res = client.Get("/v2/models/churn_model");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json meta = JsonOf(res);
  EXPECT_EQ(meta["name"], "churn_model");
  EXPECT_EQ(meta["versions"], json::array({"1", "2"}));
  ASSERT_EQ(meta["inputs"].size(), InputNames().size());
  EXPECT_EQ(meta["inputs"][0]["name"], InputNames()[0]);
  EXPECT_EQ(meta["inputs"][0]["datatype"], "BYTES");  // state is a STRING
  EXPECT_EQ(meta["outputs"][0]["name"], "predict");
  EXPECT_EQ(meta["outputs"][1]["name"], "predict_proba");
  EXPECT_EQ(meta["outputs"][1]["shape"], json::array({-1, 2}));
  res = client.Get("/v2/models/churn_model/versions/1/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(JsonOf(res)["ready"], true);
  // The latest version's readiness, and one version's metadata.
  res = client.Get("/v2/models/churn_model/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(JsonOf(res)["ready"], true);
  res = client.Get("/v2/models/churn_model/versions/1");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json one = JsonOf(res);
  EXPECT_EQ(one["name"], "churn_model");
  EXPECT_EQ(one["inputs"], meta["inputs"]);
  EXPECT_EQ(one["outputs"], meta["outputs"]);
  ErrorMessage(client.Get("/v2/models/churn_model/versions/9"), 404, "NOT_FOUND");
}

// /infer without a version serves the latest one, and "parameters": {"explain": true} adds
// each row's contributions as JSON text, as :predict's "explain" does.
TEST_F(PredictTest, V2InferServesTheLatestVersionAndExplainsOnRequest) {
  RunningServer server(Options());
  auto client = server.Client();
  std::vector<std::string> names = InputNames();
  json inputs = OneTensor(InstancesAsObjects(3));
  auto res = PostJson(client, "/v2/models/churn_model/infer",
                      {{"inputs", inputs}, {"parameters", {{"explain", true}}}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = JsonOf(res);
  EXPECT_EQ(body["model_version"], "2");  // the latest of versions 1 and 2
  Table expected = Expected(2);
  const Column& label = *expected.GetColumn("predicted_churn").value();
  json explained;
  for (const json& out : body["outputs"]) {
    if (out["name"] == "predict") {
      for (int r = 0; r < 3; ++r) EXPECT_EQ(out["data"][r], std::string(label.GetString(r)));
    }
    if (out["name"] == "top_feature_attributions") explained = out;
  }
  ASSERT_FALSE(explained.is_null()) << body.dump();
  EXPECT_EQ(explained["datatype"], "BYTES");
  ASSERT_EQ(explained["data"].size(), 3u);
  json first = json::parse(explained["data"][0].get<std::string>());
  ASSERT_TRUE(first.is_array());
  EXPECT_GT(first.size(), 0u);
  EXPECT_LE(first.size(), names.size());
  EXPECT_TRUE(first[0].contains("feature"));
}

TEST_F(PredictTest, V2InferPerColumnAndAsOneTensorMatchThePredictor) {
  RunningServer server(Options());
  auto client = server.Client();
  std::vector<std::string> names = InputNames();
  json objects = InstancesAsObjects(5);
  json per_column = json::array();
  for (const std::string& n : names) {
    json data = json::array();
    for (const json& o : objects) data.push_back(o[n]);
    std::string dt = data[0].is_string() ? "BYTES" : data[0].is_number_integer() ? "INT64" : "FP64";
    per_column.push_back({{"name", n}, {"shape", {5}}, {"datatype", dt}, {"data", data}});
  }
  json tensor = OneTensor(objects);
  Table expected = Expected(1);
  const Column& label = *expected.GetColumn("predicted_churn").value();
  const Column& probs = *expected.GetColumn("predicted_churn_probs").value();
  for (const json& inputs : {per_column, tensor}) {
    auto res = PostJson(client, "/v2/models/churn_model/versions/1/infer", {{"id", "42"}, {"inputs", inputs}});
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    json body = JsonOf(res);
    EXPECT_EQ(body["id"], "42");
    EXPECT_EQ(body["model_version"], "1");
    json predict = body["outputs"][0], proba = body["outputs"][1];
    EXPECT_EQ(predict["name"], "predict");
    EXPECT_EQ(predict["datatype"], "BYTES");
    EXPECT_EQ(predict["shape"], json::array({5}));
    EXPECT_EQ(proba["name"], "predict_proba");
    EXPECT_EQ(proba["shape"], json::array({5, 2}));
    for (int r = 0; r < 5; ++r) {
      EXPECT_EQ(predict["data"][r], std::string(label.GetString(r)));
      json want = json::parse(probs.GetString(r));
      EXPECT_DOUBLE_EQ(proba["data"][2 * r + 1].get<double>(), want[1]["prob"].get<double>());
    }
  }
  // Asking for one output only.
  auto res = PostJson(client, "/v2/models/churn_model/versions/1/infer",
                      {{"inputs", tensor}, {"outputs", json::array({{{"name", "predict_proba"}}})}});
  ASSERT_TRUE(res);
  ASSERT_EQ(JsonOf(res)["outputs"].size(), 1u);
  EXPECT_EQ(JsonOf(res)["outputs"][0]["name"], "predict_proba");
}

TEST_F(PredictTest, V2InferWrongShapesGet400) {
  RunningServer server(Options());
  auto client = server.Client();
  const std::string path = "/v2/models/churn_model/infer";
  std::string m = ErrorMessage(PostJson(client, path, {{"input", 1}}), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"inputs\""));
  m = ErrorMessage(PostJson(client, path, {{"inputs", json::array({{{"name", "x"}, {"shape", {1}}}})}}), 400,
                   "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("lacks the field \"datatype\""));
  m = ErrorMessage(PostJson(client, path, {{"inputs", json::array({{{"name", "x"}, {"shape", {2, 3}},
                                                                    {"datatype", "FP64"}, {"data", {1, 2, 3}}}})}}),
                   400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("has 3 values but its shape [2,3] needs 6"));
  m = ErrorMessage(PostJson(client, path, {{"inputs", json::array({{{"name", "x"}, {"shape", {1, 3}},
                                                                    {"datatype", "FP64"}, {"data", {1, 2, 3}}}})}}),
                   400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("but the model has 19 inputs"));
  m = ErrorMessage(PostJson(client, path, {{"inputs", json::array({{{"name", "stat"}, {"shape", {1}},
                                                                    {"datatype", "BYTES"}, {"data", {"KS"}}}})}}),
                   400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("Did you mean 'state'?"));
  m = ErrorMessage(PostJson(client, path, {{"inputs", json::array({{{"name", "state"}, {"shape", {1}},
                                                                    {"datatype", "STRING"}, {"data", {"KS"}}}})}}),
                   400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("not an Open Inference Protocol datatype"));
}

}  // namespace
}  // namespace strata::testing
