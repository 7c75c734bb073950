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

// Counts to a trillion inside SQLite: hours of work unless stopped.
constexpr const char* kEndlessQuery =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000000) "
    "SELECT count(*) FROM c";

// The names of the tables among `names` that exist.
std::vector<std::string> TablesNamed(httplib::Client& client, const std::string& names) {
  json body = JsonOf(PostJson(client, "/v1/sql",
                              {{"query", "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (" +
                                             names + ") ORDER BY name"}}));
  std::vector<std::string> out;
  for (const json& row : body["results"][0]["rows"]) out.push_back(row["name"].get<std::string>());
  return out;
}

class SqlTimeoutTest : public EmptyWorkspaceTest {};

// A script that runs past the request's "timeout_ms" is stopped inside SQLite: 408 naming the
// limit; the running statement's changes are undone, the statements before it kept.
TEST_F(SqlTimeoutTest, AScriptPastTheRequestsTimeoutGets408AndKeepsWhatFinished) {
  RunningServer server(Options());
  auto client = server.Client();
  const auto started = std::chrono::steady_clock::now();
  auto res = PostJson(client, "/v1/sql",
                      {{"query", std::string("CREATE TABLE kept AS SELECT 1 AS a;\nCREATE TABLE undone AS ") +
                                     kEndlessQuery + ";"},
                       {"timeout_ms", 400}});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string m = ErrorMessage(res, 408, "DEADLINE_EXCEEDED");
  EXPECT_THAT(m, ::testing::HasSubstr("400 ms"));
  EXPECT_THAT(m, ::testing::HasSubstr("\"timeout_ms\""));
  EXPECT_LT(seconds, 10);
  json details = JsonOf(res)["error"]["details"];
  EXPECT_EQ(details["timeout_ms"], 400);
  EXPECT_EQ(details["statements_finished"], 1);
  EXPECT_EQ(TablesNamed(client, "'kept', 'undone'"), std::vector<std::string>{"kept"});

  for (const json& bad : {json(0), json(-5), json("1s"), json(1.5)}) {
    m = ErrorMessage(PostJson(client, "/v1/sql", {{"query", "SELECT 1"}, {"timeout_ms", bad}}), 400,
                     "INVALID_ARGUMENT");
    EXPECT_THAT(m, ::testing::HasSubstr("timeout_ms"));
  }
}

// --sql-timeout-ms caps every script; a request may ask for less, never for more.
TEST_F(SqlTimeoutTest, TheServersLimitCapsEveryScript) {
  ServerOptions o = Options();
  o.sql_timeout_ms = 300;
  RunningServer server(o);
  auto client = server.Client();
  for (const json& body : {json{{"query", kEndlessQuery}}, json{{"query", kEndlessQuery}, {"timeout_ms", 600000}}}) {
    std::string m = ErrorMessage(PostJson(client, "/v1/sql", body), 408, "DEADLINE_EXCEEDED");
    EXPECT_THAT(m, ::testing::HasSubstr("--sql-timeout-ms"));
  }
  // Quick scripts are untouched.
  auto res = PostJson(client, "/v1/sql", {{"query", "SELECT 1 AS one"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  o.sql_timeout_ms = -1;
  EXPECT_THAT(Server::Create(o).status().message(), ::testing::HasSubstr("--sql-timeout-ms -1"));
}

// A CREATE MODEL cut by the limit stops training and stores nothing.
TEST_F(SqlEndpointTest, ATrainingCutByTheTimeoutStoresNoModel) {
  RunningServer server(Options());
  auto client = server.Client();
  std::string m = ErrorMessage(
      PostJson(client, "/v1/sql",
               {{"query",
                 "CREATE MODEL cut_by_timeout OPTIONS(model_type = 'dnn_classifier', input_label_cols = ['churn'], "
                 "hidden_units = [256, 256], max_iterations = 100000, early_stop = FALSE) AS SELECT * FROM churn"},
                {"timeout_ms", 1000}}),
      408, "DEADLINE_EXCEEDED");
  EXPECT_THAT(m, ::testing::HasSubstr("1000 ms"));
  ErrorMessage(client.Get("/v1/models/cut_by_timeout"), 404, "NOT_FOUND");
}

}  // namespace
}  // namespace strata::testing
