// The real `strata serve` binary: it prints its URL, refuses a public host without auth,
// and on SIGTERM stops accepting, still answers the request in flight, and exits 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "jobs_support.h"
#include "serve_cli_support.h"
#include "serve_fixture.h"

namespace strata::testing {
namespace {

int ConnectTo(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, 0);
    ASSERT_GT(n, 0);
    sent += static_cast<size_t>(n);
  }
}

std::string ReadAll(int fd) {
  std::string out;
  char buffer[4096];
  while (true) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

TEST(ServeCliTest, SigtermFinishesTheRequestInFlightAndExitsZero) {
  TempDir dir;
  std::string workspace = MakeChurnWorkspace(dir);
  Child child({"--workspace", workspace, "serve", "--port", "0"});
  int port = ServedPort(child);
  ASSERT_GT(port, 0) << child.err();
  httplib::Client client("127.0.0.1", port);
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);

  // A request whose body is half sent when SIGTERM arrives.
  std::string body = nlohmann::json{{"instances", ChurnInstances(1)}}.dump();
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  SendAll(fd, "POST /v1/models/churn_model:predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2));
  // The server has the connection once it answers a request on a connection made after it.
  httplib::Client later("127.0.0.1", port);
  ASSERT_EQ(later.Get("/healthz")->status, 200);
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  ASSERT_TRUE(child.WaitForStderr("stopping")) << child.err();
  SendAll(fd, body.substr(body.size() / 2));
  std::string response = ReadAll(fd);
  close(fd);
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 200")) << response;
  EXPECT_THAT(response, ::testing::HasSubstr("\"predictions\""));
  EXPECT_EQ(child.Wait(), 0) << child.err();
  EXPECT_THAT(child.err(), ::testing::HasSubstr("strata: stopped"));
  EXPECT_EQ(ConnectTo(port), -1);  // no longer listening
}

TEST(ServeCliTest, APublicHostWithoutAuthAndABadJobNiceAreRefused) {
  TempDir dir;
  auto ws = Workspace::Open(dir.File("strata.db"));
  ASSERT_OK(ws);
  CommandResult r = RunStrata({"--workspace", dir.File("strata.db"), "serve", "--host", "0.0.0.0"},
                              dir.path().string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("--auth"));
  CommandResult nice = RunStrata({"--workspace", dir.File("strata.db"), "serve", "--job-nice", "25"},
                                 dir.path().string());
  EXPECT_EQ(nice.exit_code, 3) << nice.err;
  EXPECT_THAT(nice.err, ::testing::HasSubstr("--job-nice 25: expected idle, or 0"));
  CommandResult word = RunStrata({"--workspace", dir.File("strata.db"), "serve", "--job-nice", "low"},
                                 dir.path().string());
  EXPECT_EQ(word.exit_code, 3) << word.err;
  EXPECT_THAT(word.err, ::testing::HasSubstr("--job-nice low: expected idle"));
  CommandResult help = RunStrata({"serve", "--help"}, dir.path().string());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, ::testing::HasSubstr("Examples:"));
}

// SIGINT (Ctrl-C) stops the server as SIGTERM does: exit 0, the running job and the queued one
// marked interrupted by the server itself before it exits (a restarted server only reads them),
// and the registry intact, with no version of the model the job was training.
TEST(ServeCliTest, SigintMarksRunningAndQueuedJobsInterruptedAndExitsZero) {
  TempDir dir;
  std::string workspace = MakeChurnWorkspace(dir);
  std::string running, queued;
  {
    Child child({"--workspace", workspace, "serve", "--port", "0"});
    int port = ServedPort(child);
    ASSERT_GT(port, 0) << child.err();
    httplib::Client client("127.0.0.1", port);
    nlohmann::json slow = {{"type", "train"},
                           {"model", "churn_slow"},
                           {"spec", {{"source", "churn"}, {"label", "churn"},
                                     {"model_type", "BOOSTED_TREE_CLASSIFIER"},
                                     {"options", {{"max_iterations", 100000}, {"early_stop", false}}}}}};
    auto res = PostJson(client, "/v1/jobs", slow);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 202) << res->body;
    running = nlohmann::json::parse(res->body)["id"];
    res = PostJson(client, "/v1/jobs", slow);
    ASSERT_TRUE(res);
    queued = nlohmann::json::parse(res->body)["id"];
    EXPECT_EQ(WaitWhile(client, running, {"queued"})["state"], "running");
    ASSERT_EQ(kill(child.pid(), SIGINT), 0);
    EXPECT_EQ(child.Wait(), 0) << child.err();
  }
  Child child({"--workspace", workspace, "serve", "--port", "0"});
  int port = ServedPort(child);
  ASSERT_GT(port, 0) << child.err();
  httplib::Client client("127.0.0.1", port);
  nlohmann::json first = nlohmann::json::parse(client.Get(("/v1/jobs/" + running).c_str())->body);
  nlohmann::json second = nlohmann::json::parse(client.Get(("/v1/jobs/" + queued).c_str())->body);
  EXPECT_EQ(first["state"], "interrupted");
  EXPECT_EQ(second["state"], "interrupted");
  // Marked by the stopping server, not by the restart ("... before the job finished").
  EXPECT_THAT(first.value("error", ""), ::testing::Not(::testing::HasSubstr("before the job finished")));
  EXPECT_THAT(second.value("error", ""), ::testing::HasSubstr("before the job started"));
  auto model = client.Get("/v1/models/churn_model");
  ASSERT_TRUE(model);
  EXPECT_EQ(model->status, 200);
  EXPECT_EQ(client.Get("/v1/models/churn_slow")->status, 404);
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  EXPECT_EQ(child.Wait(), 0) << child.err();
}

TEST(ServeCliTest, AMissingWorkspaceIsRefusedUnlessCreateIsGiven) {
  TempDir dir;
  std::string workspace = dir.File("new.db");
  CommandResult r = RunStrata({"--workspace", workspace, "serve", "--port", "0"},
                              dir.path().string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, ::testing::HasSubstr("no workspace at '" + workspace + "'"));
  EXPECT_THAT(r.err, ::testing::HasSubstr("--create"));
  EXPECT_FALSE(std::filesystem::exists(workspace));

  Child child({"--workspace", workspace, "serve", "--port", "0", "--create"});
  int port = ServedPort(child);
  ASSERT_GT(port, 0) << child.err();
  EXPECT_THAT(child.err(), ::testing::HasSubstr("created an empty workspace"));
  httplib::Client client("127.0.0.1", port);
  auto datasets = client.Get("/v1/datasets");
  ASSERT_TRUE(datasets);
  EXPECT_EQ(datasets->status, 200);
  EXPECT_EQ(nlohmann::json::parse(datasets->body)["datasets"].size(), 0u);
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  EXPECT_EQ(child.Wait(), 0) << child.err();
  EXPECT_TRUE(std::filesystem::exists(workspace));
}

}  // namespace
}  // namespace strata::testing
