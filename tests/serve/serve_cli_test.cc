// The real `strata serve` binary: it prints its URL, refuses a public host without auth,
// and on SIGTERM stops accepting, still answers the request in flight, and exits 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "serve_fixture.h"

extern char** environ;

namespace strata::testing {
namespace {

// A child process whose stderr is read line by line.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    std::string binary = STRATA_CLI_PATH;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    EXPECT_EQ(posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    err_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0 && !waited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    close(err_);
  }
  // Reads stderr until it contains `text` (false after 60 s or at end of output).
  bool WaitForStderr(const std::string& text) {
    for (int i = 0; i < 600 && stderr_.find(text) == std::string::npos; ++i) {
      pollfd p{err_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buffer[4096];
      ssize_t n = read(err_, buffer, sizeof buffer);
      if (n <= 0) break;
      stderr_.append(buffer, static_cast<size_t>(n));
    }
    return stderr_.find(text) != std::string::npos;
  }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    waited_ = true;
    WaitForStderr("\x01");  // drain what is left
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_t pid() const { return pid_; }
  const std::string& err() const { return stderr_; }

 private:
  pid_t pid_ = -1;
  int err_ = -1;
  bool waited_ = false;
  std::string stderr_;
};

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
  ASSERT_TRUE(child.WaitForStderr("(auth off)")) << child.err();
  std::smatch match;
  std::string err = child.err();
  ASSERT_TRUE(std::regex_search(err, match, std::regex("http://127\\.0\\.0\\.1:(\\d+)"))) << err;
  int port = std::stoi(match[1]);
  httplib::Client client("127.0.0.1", port);
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);

  // A request whose body is half sent when SIGTERM arrives.
  auto data = ReadDataFile(SourcePath("examples/data/churn.csv"));
  nlohmann::json row = nlohmann::json::object();
  for (const Column& c : data->columns()) {
    if (c.name() == "churn") continue;
    if (c.type() == DataType::kString) row[c.name()] = std::string(c.GetString(0));
    else if (c.type() == DataType::kInt64) row[c.name()] = c.GetInt64(0);
    else row[c.name()] = c.GetFloat64(0);
  }
  std::string body = nlohmann::json{{"instances", {row}}}.dump();
  int fd = ConnectTo(port);
  ASSERT_GE(fd, 0);
  SendAll(fd, "POST /v1/models/churn_model:predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
              "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2));
  // The server has the connection once it answers another request after it.
  ASSERT_EQ(client.Get("/healthz")->status, 200);
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

TEST(ServeCliTest, APublicHostWithoutAuthIsRefused) {
  TempDir dir;
  auto ws = Workspace::Open(dir.File("strata.db"));
  ASSERT_OK(ws);
  CommandResult r = RunStrata({"--workspace", dir.File("strata.db"), "serve", "--host", "0.0.0.0"},
                              dir.path().string());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("--auth"));
  CommandResult help = RunStrata({"serve", "--help"}, dir.path().string());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, ::testing::HasSubstr("Examples:"));
}

}  // namespace
}  // namespace strata::testing
