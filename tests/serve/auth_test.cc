// API tokens: hashing and revocation in the workspace, `strata tokens`, and Bearer auth over
// real HTTP with read and admin scopes (401 without or with a bad token, 403 for a read
// token on an admin route), on every route of the table.
#include <chrono>
#include <map>
#include <string>

#include "serve/routes.h"
#include "serve_fixture.h"
#include "strata/api_tokens.h"
#include "workspace/sqlite_db.h"

namespace strata::testing {
namespace {

class AuthTest : public ChurnWorkspaceTest {
 protected:
  static ServerOptions AuthOptions() {
    ServerOptions o = Options();
    o.auth = true;
    return o;
  }
  static std::string Create(TokenScope scope) {
    auto ws = Workspace::Open(*path_);
    auto token = CreateApiToken(**ws, scope, "test");
    EXPECT_TRUE(token.ok());
    return token->secret;
  }
};

TEST_F(AuthTest, TokensAreStoredHashedAndCanBeRevoked) {
  auto ws = Workspace::Open(*path_);
  ASSERT_OK(ws);
  auto token = CreateApiToken(**ws, TokenScope::kAdmin, "ci");
  ASSERT_OK(token);
  EXPECT_THAT(token->secret, ::testing::StartsWith("strata_" + token->info.id + "_"));
  EXPECT_EQ(token->secret.size(), 7u + 8 + 1 + 64);
  // Only the SHA-256 is stored.
  auto stored = (*ws)->db().QueryText("SELECT hash FROM strata_api_tokens WHERE id = '" + token->info.id + "'");
  ASSERT_OK(stored);
  EXPECT_EQ(*stored, Sha256Hex(token->secret));
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto who = VerifyApiToken(**ws, token->secret);
  ASSERT_OK(who);
  EXPECT_EQ(who->scope, TokenScope::kAdmin);
  EXPECT_EQ(who->name, "ci");
  EXPECT_FALSE(VerifyApiToken(**ws, token->secret + "x").ok());
  ASSERT_OK(RevokeApiToken(**ws, token->info.id));
  EXPECT_EQ(VerifyApiToken(**ws, token->secret).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(RevokeApiToken(**ws, token->info.id).code(), StatusCode::kNotFound);
  EXPECT_FALSE(ParseTokenScope("write").ok());
}

TEST_F(AuthTest, BearerTokensAndScopesOverHttp) {
  std::string read = Create(TokenScope::kRead), admin = Create(TokenScope::kAdmin);
  RunningServer server(AuthOptions());
  auto client = server.Client();
  // Probes and the API description stay public.
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  EXPECT_EQ(client.Get("/openapi.json")->status, 200);
  std::string m = ErrorMessage(client.Get("/v1/models"), 401, "UNAUTHENTICATED");
  EXPECT_THAT(m, ::testing::HasSubstr("Authorization: Bearer"));
  client.set_bearer_token_auth("strata_00000000_nope");
  ErrorMessage(client.Get("/v1/models"), 401, "UNAUTHENTICATED");

  client.set_bearer_token_auth(read);
  EXPECT_EQ(client.Get("/v1/models")->status, 200);
  EXPECT_EQ(client.Get("/metrics")->status, 200);
  EXPECT_EQ(client.Get("/v2/models/churn_model")->status, 200);
  const char* alias = "/v1/models/churn_model/aliases/staging";
  m = ErrorMessage(client.Put(alias, R"({"version": 1})", "application/json"), 403, "PERMISSION_DENIED");
  EXPECT_THAT(m, ::testing::HasSubstr("admin"));

  client.set_bearer_token_auth(admin);
  EXPECT_EQ(client.Put(alias, R"({"version": 1})", "application/json")->status, 200);
  EXPECT_EQ(client.Delete(alias)->status, 200);

  // Revocation takes effect on the next request.
  {
    auto ws = Workspace::Open(*path_);
    auto tokens = ListApiTokens(**ws);
    for (const ApiTokenInfo& t : *tokens) {
      if (!t.revoked_at && admin.find(t.id) != std::string::npos) ASSERT_OK(RevokeApiToken(**ws, t.id));
    }
  }
  ErrorMessage(client.Get("/v1/models"), 401, "UNAUTHENTICATED");
}

// Every route of the table, with auth on: a public one answers without a token; any other
// gets 401 without one; an admin route gets 403 with a read token, and a read route gets past
// the check with it (its answer may still be 404 or 400 for the placeholder names used).
TEST_F(AuthTest, EveryRouteOfTheTableChecksItsScope) {
  std::string read = Create(TokenScope::kRead);
  RunningServer server(AuthOptions());
  const std::map<std::string, std::string> values = {
      {"{name}", "churn_model"}, {"{version}", "1"}, {"{alias}", "staging"}, {"{id}", "job_none"}};
  std::map<serve::Scope, int> checked;
  for (const serve::Route& route : serve::Routes()) {
    ++checked[route.scope];
    std::string path(route.path), method(route.method);
    for (const auto& [key, value] : values) {
      for (size_t at; (at = path.find(key)) != std::string::npos;) path.replace(at, key.size(), value);
    }
    ASSERT_EQ(path.find('{'), std::string::npos) << "no value for a parameter of " << route.path;
    SCOPED_TRACE(method + " " + path);
    auto send = [&](const std::string& token) {
      auto client = server.Client();
      client.set_read_timeout(std::chrono::seconds(10));
      if (!token.empty()) client.set_bearer_token_auth(token);
      if (method == "GET") return client.Get(path.c_str());
      if (method == "DELETE") return client.Delete(path.c_str());
      if (method == "PUT") return client.Put(path.c_str(), "{}", "application/json");
      return client.Post(path.c_str(), "{}", "application/json");
    };
    auto anonymous = send("");
    ASSERT_TRUE(anonymous);
    if (route.scope == serve::Scope::kPublic) {
      EXPECT_NE(anonymous->status, 401) << anonymous->body;
      continue;
    }
    ErrorMessage(anonymous, 401, "UNAUTHENTICATED");
    if (route.scope == serve::Scope::kAdmin) {
      ErrorMessage(send(read), 403, "PERMISSION_DENIED");
    } else {
      auto answer = send(read);
      ASSERT_TRUE(answer);
      EXPECT_NE(answer->status, 401) << answer->body;
      EXPECT_NE(answer->status, 403) << answer->body;
    }
  }
  EXPECT_GT(checked[serve::Scope::kPublic], 0);
  EXPECT_GE(checked[serve::Scope::kRead], 5);
  EXPECT_GE(checked[serve::Scope::kAdmin], 5);
}

TEST_F(AuthTest, TheTokensCommandCreatesListsAndRevokes) {
  TempDir dir;
  ASSERT_EQ(RunStrata({"--workspace", *path_, "tokens", "create", "--scope", "admin", "--name", "deploy"},
                      dir.path().string()).exit_code, 0);
  CommandResult created = RunStrata({"--workspace", *path_, "tokens", "create", "--name", "dash"},
                                    dir.path().string());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::string secret = created.out.substr(0, created.out.find('\n'));
  EXPECT_THAT(secret, ::testing::StartsWith("strata_"));
  EXPECT_THAT(created.err, ::testing::HasSubstr("shown only now"));
  CommandResult listed = RunStrata({"--workspace", *path_, "tokens", "list", "--format", "csv"},
                                   dir.path().string());
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, ::testing::HasSubstr("dash,read"));
  EXPECT_THAT(listed.out, ::testing::HasSubstr("deploy,admin"));
  EXPECT_THAT(listed.out, ::testing::Not(::testing::HasSubstr(secret)));
  EXPECT_EQ(RunStrata({"--workspace", *path_, "tokens", "revoke", "dash"}, dir.path().string()).exit_code, 0);
  CommandResult again = RunStrata({"--workspace", *path_, "tokens", "revoke", "dash"}, dir.path().string());
  EXPECT_EQ(again.exit_code, 4);
  CommandResult bad = RunStrata({"--workspace", *path_, "tokens", "create", "--scope", "root"},
                                dir.path().string());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, ::testing::HasSubstr("'read'"));
}

}  // namespace
}  // namespace strata::testing
