// The web console's static files over real loopback HTTP: index.html at "/" and for page
// paths, assets with their type and cache headers, the "not built" page, path traversal
// refused, API 404s unchanged.
#include <filesystem>
#include <fstream>

#include "serve_fixture.h"

namespace strata::testing {
namespace {

class ConsoleTest : public EmptyWorkspaceTest {
 protected:
  // A server over a console build in a temp dir: index.html and one hashed asset, plus a
  // file beside the root that traversal would reach.
  std::unique_ptr<RunningServer> StartWithConsole() {
    std::filesystem::create_directories(web_.File("web/assets"));
    std::ofstream(web_.File("web/index.html")) << "<!doctype html><title>console</title>";
    std::ofstream(web_.File("web/assets/index-abc123.js")) << "console.log('strata');";
    std::ofstream(web_.File("secret.txt")) << "outside the web root";
    ServerOptions o = Options();
    o.web_root = web_.File("web");
    return std::make_unique<RunningServer>(o);
  }
  TempDir web_;
};

TEST_F(ConsoleTest, ServesIndexForTheRootAndPagePaths) {
  auto server = StartWithConsole();
  auto client = server->Client();
  for (const char* path : {"/", "/index.html", "/datasets", "/jobs/job_1"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(res->get_header_value("Cache-Control"), "no-cache") << path;
    EXPECT_THAT(res->body, ::testing::HasSubstr("<title>console</title>")) << path;
  }
}

TEST_F(ConsoleTest, ServesAssetsWithTheirTypeAndLongCaching) {
  auto server = StartWithConsole();
  auto client = server->Client();
  auto res = client.Get("/assets/index-abc123.js");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(res->body, "console.log('strata');");
  // A missing file with an extension is a 404 in the error shape, not index.html.
  ErrorMessage(client.Get("/assets/missing-000.js"), 404, "NOT_FOUND");
}

TEST_F(ConsoleTest, ApiPathsStillGetJsonErrors) {
  auto server = StartWithConsole();
  auto client = server->Client();
  for (const char* path : {"/v1/nothing", "/v1", "/v2/nothing/at/all"}) {
    std::string message = ErrorMessage(client.Get(path), 404, "NOT_FOUND");
    EXPECT_THAT(message, ::testing::HasSubstr("/openapi.json")) << path;
  }
  // Other methods on page paths are not the console's either.
  ErrorMessage(client.Post("/datasets", "{}", "application/json"), 404, "NOT_FOUND");
  auto healthz = client.Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(JsonOf(healthz)["live"], true);
}

TEST_F(ConsoleTest, RefusesPathTraversal) {
  auto server = StartWithConsole();
  auto client = server->Client();
  for (const char* path : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                           "/assets/%2E%2E/%2e%2e/secret.txt", "/./index.html"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_NE(res->status, 200) << path;
    EXPECT_EQ(res->body.find("outside the web root"), std::string::npos) << path;
    if (res->status == 400) {
      EXPECT_THAT(ErrorMessage(res, 400, "INVALID_ARGUMENT"), ::testing::HasSubstr(".."));
    }
  }
}

TEST_F(ConsoleTest, SaysHowToBuildWhenTheConsoleIsMissing) {
  ServerOptions o = Options();
  o.web_root = "";
  RunningServer server(o);
  auto client = server.Client();
  auto res = client.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(res->body, ::testing::HasSubstr("npm run build"));
  EXPECT_THAT(res->body, ::testing::HasSubstr("--web-root"));
}

TEST(FindWebRootTest, TheFlagThenTheEnvironmentWin) {
  EXPECT_EQ(FindWebRoot("/some/dir"), "/some/dir");
  setenv("STRATA_WEB_ROOT", "/from/env", 1);
  EXPECT_EQ(FindWebRoot(""), "/from/env");
  EXPECT_EQ(FindWebRoot("/flag"), "/flag");
  unsetenv("STRATA_WEB_ROOT");
}

}  // namespace
}  // namespace strata::testing
