// /v1/notebooks over real HTTP: create (201), replace (200), list, get, delete, clear 400s
// naming the field, 404s with a suggestion, and notebooks that outlive the server.
#include "serve_fixture.h"
#include "strata/notebooks.h"

namespace strata::testing {
namespace {

using nlohmann::json;

class NotebookRoutesTest : public ::testing::Test {
 protected:
  // The server opens an existing workspace only: make an empty one.
  void SetUp() override { ASSERT_TRUE(Workspace::Open(dir_.File("strata.db")).ok()); }
  ServerOptions Options() const {
    ServerOptions o;
    o.workspace_path = dir_.File("strata.db");
    return o;
  }
  static httplib::Result Put(httplib::Client& client, const std::string& path, const std::string& body) {
    return client.Put(path.c_str(), body, "application/json");
  }
  TempDir dir_;
};

TEST_F(NotebookRoutesTest, CreateReplaceListGetDeleteAndKeepAcrossRestarts) {
  const json first = {{"cells", {{{"sql", "SELECT 1 AS one"}}, {{"sql", "SELECT * FROM ML.EVALUATE(MODEL m)"}}}}};
  const json second = {{"cells", {{{"sql", "SELECT 2 AS two"}}}}};
  {
    RunningServer server(Options());
    auto client = server.Client();
    EXPECT_EQ(JsonOf(client.Get("/v1/notebooks"))["notebooks"], json::array());
    auto res = Put(client, "/v1/notebooks/churn_analysis", first.dump());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 201) << res->body;
    json created = JsonOf(res);
    EXPECT_EQ(created["name"], "churn_analysis");
    EXPECT_EQ(created["cells"], 2);
    EXPECT_EQ(created["content"], first);
    res = Put(client, "/v1/notebooks/churn_analysis", second.dump());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_EQ(JsonOf(res)["created_at"], created["created_at"]);
    ASSERT_EQ(Put(client, "/v1/notebooks/scratch", R"({"cells": []})")->status, 201);
  }
  // A new server over the same workspace file sees what the first one saved.
  RunningServer server(Options());
  auto client = server.Client();
  json list = JsonOf(client.Get("/v1/notebooks"))["notebooks"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "churn_analysis");
  EXPECT_EQ(list[0]["cells"], 1);
  EXPECT_FALSE(list[0].contains("content"));
  EXPECT_EQ(list[1]["name"], "scratch");
  json got = JsonOf(client.Get("/v1/notebooks/churn_analysis"));
  EXPECT_EQ(got["content"], second);

  auto res = client.Delete("/v1/notebooks/scratch");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(JsonOf(client.Get("/v1/notebooks"))["notebooks"].size(), 1u);
  std::string m = ErrorMessage(client.Get("/v1/notebooks/churn_analysys"), 404, "NOT_FOUND");
  EXPECT_THAT(m, ::testing::HasSubstr("Did you mean 'churn_analysis'?"));
  ErrorMessage(client.Delete("/v1/notebooks/scratch"), 404, "NOT_FOUND");
}

TEST_F(NotebookRoutesTest, BadBodiesAndNamesAreClear400s) {
  RunningServer server(Options());
  auto client = server.Client();
  EXPECT_THAT(ErrorMessage(Put(client, "/v1/notebooks/x", "{\"cells\": [}"), 400, "INVALID_ARGUMENT"),
              ::testing::HasSubstr("not valid JSON"));
  EXPECT_THAT(ErrorMessage(Put(client, "/v1/notebooks/x", R"({"cell": []})"), 400, "INVALID_ARGUMENT"),
              ::testing::HasSubstr("unknown field \"cell\""));
  EXPECT_THAT(ErrorMessage(Put(client, "/v1/notebooks/x", R"({"cells": [{"sql": 1}]})"), 400,
                           "INVALID_ARGUMENT"),
              ::testing::HasSubstr("cells[0].sql must be a string"));
  EXPECT_THAT(ErrorMessage(Put(client, "/v1/notebooks/x%20y", R"({"cells": []})"), 400, "INVALID_ARGUMENT"),
              ::testing::HasSubstr("may only contain letters, digits"));
  json big = {{"cells", {{{"sql", std::string(kMaxNotebookBytes, ' ')}}}}};
  EXPECT_THAT(ErrorMessage(Put(client, "/v1/notebooks/x", big.dump()), 400, "OUT_OF_RANGE"),
              ::testing::HasSubstr("at most"));
  EXPECT_EQ(JsonOf(client.Get("/v1/notebooks"))["notebooks"], json::array());
  json openapi = JsonOf(client.Get("/openapi.json"));
  EXPECT_TRUE(openapi["paths"]["/v1/notebooks/{name}"].contains("put"));
  EXPECT_EQ(openapi["paths"]["/v1/notebooks/{name}"]["put"]["x-strata-scope"], "admin");
}

}  // namespace
}  // namespace strata::testing
