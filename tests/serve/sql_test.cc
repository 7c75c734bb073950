// /v1/sql over real HTTP: a script through the one SqlEngine (plain SQL and BigQuery ML's
// statements), each statement's rows or message, and SQL errors as a clear 400.
#include "serve_fixture.h"

namespace strata::testing {
namespace {

using nlohmann::json;

class SqlEndpointTest : public ChurnWorkspaceTest {};

TEST_F(SqlEndpointTest, RunsAScriptAndReturnsEachStatementsResult) {
  RunningServer server(Options());
  auto client = server.Client();
  auto res = PostJson(client, "/v1/sql",
                      {{"query",
                        "CREATE MODEL sql_lr OPTIONS(model_type='logistic_reg', input_label_cols=['churn']) "
                        "AS SELECT * FROM churn;\n"
                        "SELECT churn, count(*) AS n FROM churn GROUP BY churn ORDER BY churn;\n"
                        "SELECT roc_auc > 0.7 AS good FROM ML.EVALUATE(MODEL sql_lr);"},
                       {"max_rows", 1}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  ASSERT_EQ(body["results"].size(), 3u);
  EXPECT_THAT(body["results"][0]["message"].get<std::string>(), ::testing::HasSubstr("Created model sql_lr"));
  const json& counts = body["results"][1];
  EXPECT_EQ(counts["columns"][0]["name"], "churn");
  EXPECT_EQ(counts["columns"][1]["type"], "INT64");
  EXPECT_EQ(counts["total_rows"], 2);
  EXPECT_EQ(counts["rows"].size(), 1u);  // max_rows
  EXPECT_TRUE(counts["truncated"].get<bool>());
  EXPECT_EQ(counts["rows"][0]["churn"], "no");
  EXPECT_EQ(counts["rows"][0]["n"], 4293);
  EXPECT_EQ(body["results"][2]["rows"][0]["good"], 1);
  // The model is in the registry at once.
  EXPECT_EQ(JsonOf(client.Get("/v1/models/sql_lr"))["latest_version"], 1);
}

TEST_F(SqlEndpointTest, SqlErrorsAndBadBodiesAreClear400s) {
  RunningServer server(Options());
  auto client = server.Client();
  std::string m = ErrorMessage(PostJson(client, "/v1/sql", {{"query", "SELECT * FROM chrun;"}}), 400,
                               "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("no such table: chrun"));
  EXPECT_THAT(m, ::testing::HasSubstr("query:1:"));  // where, as `strata sql` says it
  m = ErrorMessage(PostJson(client, "/v1/sql", {{"sql", "SELECT 1"}}), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"query\""));
  m = ErrorMessage(PostJson(client, "/v1/sql", {{"query", "SELECT 1"}, {"max_rows", -1}}), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("max_rows"));
}

}  // namespace
}  // namespace strata::testing
