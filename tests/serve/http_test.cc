// The HTTP foundation over real loopback HTTP: health, readiness, metrics, the OpenAPI
// document built from the route table, the error shape, limits and the host check.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <thread>
#include <tuple>

#include "serve/routes.h"
#include "serve_fixture.h"

namespace strata::testing {
namespace {

class HttpTest : public ChurnWorkspaceTest {};

// A TCP connection to 127.0.0.1:port whose reads time out after 5 s; -1 if it fails.
int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` as is on a new connection and returns what arrives within 5 s.
std::string RawExchange(int port, const std::string& request) {
  int fd = ConnectLoopback(port);
  std::string out;
  if (fd >= 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    ssize_t n;
    while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) out.append(buffer, static_cast<size_t>(n));
  }
  if (fd >= 0) close(fd);
  return out;
}

// Sends `request` on the open connection `fd` and reads one whole answer (headers and a
// Content-Length body) within 5 s; empty or cut short where the connection failed.
std::string SendAndRead(int fd, const std::string& request) {
  std::string answer;
  if (fd < 0 || send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    return answer;
  }
  char buffer[4096];
  size_t expected = std::string::npos;
  while (answer.size() < expected) {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
    size_t end = answer.find("\r\n\r\n");
    size_t length = answer.find("Content-Length: ");
    if (end != std::string::npos && length != std::string::npos && length < end) {
      expected = end + 4 + std::stoul(answer.substr(length + 16));
    }
  }
  return answer;
}

// Sends each request on one keep-alive connection, reading its whole answer before the
// next: what a client that reuses connections does. Returns the answers; one is empty where
// the connection failed.
std::vector<std::string> KeepAliveExchange(int port, const std::vector<std::string>& requests) {
  int fd = ConnectLoopback(port);
  std::vector<std::string> answers;
  for (const std::string& request : requests) answers.push_back(SendAndRead(fd, request));
  if (fd >= 0) close(fd);
  return answers;
}

TEST_F(HttpTest, APostWithoutContentLengthHasAnEmptyBody) {
  // RFC 9112: no Content-Length and no Transfer-Encoding means no body; the server must
  // answer at once rather than wait for the connection to close (`curl -X POST URL`).
  RunningServer server(Options());
  std::string cancel = RawExchange(
      server.port(), "POST /v1/jobs/job_x:cancel HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(cancel, ::testing::StartsWith("HTTP/1.1 404")) << cancel;
  EXPECT_THAT(cancel, ::testing::HasSubstr("no job 'job_x'"));
  std::string upload = RawExchange(
      server.port(), "POST /v1/datasets?name=t HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(upload, ::testing::StartsWith("HTTP/1.1 400")) << upload;
  EXPECT_THAT(upload, ::testing::HasSubstr("--data-binary"));
}

// Every error answered before the body is read (no route, wrong method, no token) must still
// consume the body: on a keep-alive connection the next request must parse, and a client that
// sends a large body before reading the answer must get the answer, not a reset.
TEST_F(HttpTest, ErrorsBeforeTheBodyLeaveTheConnectionUsable) {
  ServerOptions options = Options();
  options.auth = true;
  RunningServer server(options);
  // Larger than the server's first read, so that the body is not read along with the headers.
  const std::string body = R"({"instances": [{"x": ")" + std::string(20000, 'a') + R"("}]})";
  auto post = [&](const std::string& method, const std::string& path, const std::string& data) {
    return fmt::format("{} {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: {}\r\n\r\n{}",
                       method, path, data.size(), data);
  };
  const std::string health = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const auto& [method, path, status] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/v1/models/churn_model:predict", "401"},  // no token
           {"POST", "/v1/no_such_route", "404"},
           {"PATCH", "/v1/models", "405"},
           {"DELETE", "/v1/models/churn_model/aliases/staging", "401"}}) {
    auto replies = KeepAliveExchange(server.port(), {post(method, path, body), health});
    EXPECT_THAT(replies[0], ::testing::StartsWith("HTTP/1.1 " + status)) << method << " " << path;
    EXPECT_THAT(replies[1], ::testing::StartsWith("HTTP/1.1 200")) << method << " " << path;
    EXPECT_THAT(replies[1], ::testing::HasSubstr("{\"live\":true}"));
  }
  // 8 MB sent before the answer is read: the 401 arrives, and the connection stays usable.
  auto replies = KeepAliveExchange(server.port(), {post("POST", "/v1/datasets?name=big", std::string(8 << 20, 'a')), health});
  EXPECT_THAT(replies[0], ::testing::StartsWith("HTTP/1.1 401")) << replies[0];
  EXPECT_THAT(replies[1], ::testing::HasSubstr("{\"live\":true}"));
}

// The previous server held a request thread for each open connection, so with --threads 2 a
// third keep-alive client got no answer until one of the first two hung up. Open connections
// now hold no thread between requests.
TEST_F(HttpTest, ManyKeepAliveConnectionsAreServedWithFewRequestThreads) {
  ServerOptions options = Options();
  options.threads = 2;
  RunningServer server(options);
  std::vector<int> connections;
  for (int i = 0; i < 24; ++i) connections.push_back(ConnectLoopback(server.port()));
  const std::string models = "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n";  // a request thread's
  const std::string health = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";    // the event loop's
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < connections.size(); ++i) {
      std::string answer = SendAndRead(connections[i], round == 1 ? health : models);
      EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 200")) << "connection " << i << ", round " << round;
      EXPECT_THAT(answer, ::testing::HasSubstr(round == 1 ? "{\"live\":true}" : "\"models\""));
    }
  }
  for (int fd : connections) close(fd);
}

// HEAD answers GET's headers without the body; "Expect: 100-continue" gets its interim answer
// before the body is sent (curl sends it for bodies over 1 MB); a chunked body is read whole.
TEST_F(HttpTest, HeadExpectContinueAndChunkedBodiesFollowHttp11) {
  RunningServer server(Options());
  std::string get = RawExchange(server.port(), "GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string head = RawExchange(server.port(), "HEAD /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_THAT(head, ::testing::StartsWith("HTTP/1.1 200")) << head;
  size_t get_end = get.find("\r\n\r\n");
  ASSERT_NE(get_end, std::string::npos);
  EXPECT_THAT(head, ::testing::HasSubstr(fmt::format("Content-Length: {}\r\n", get.size() - get_end - 4)));
  EXPECT_EQ(head.find("\r\n\r\n"), head.size() - 4) << "HEAD must send no body";

  const std::string query = R"({"query": "SELECT 40 + 2 AS answer"})";
  int fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  std::string headers = fmt::format(
      "POST /v1/sql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
      query.size());
  ASSERT_EQ(send(fd, headers.data(), headers.size(), MSG_NOSIGNAL), static_cast<ssize_t>(headers.size()));
  char buffer[256];
  ssize_t n = recv(fd, buffer, sizeof buffer, 0);  // nothing of the body sent yet
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buffer, static_cast<size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  std::string answer = SendAndRead(fd, query);
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 200")) << answer;
  EXPECT_THAT(answer, ::testing::HasSubstr("42"));
  // The same query as a chunked body, split mid-token, on the same connection.
  std::string chunked = fmt::format(
      "POST /v1/sql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n",
      10, query.substr(0, 10), query.size() - 10, query.substr(10));
  answer = SendAndRead(fd, chunked);
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 200")) << answer;
  EXPECT_THAT(answer, ::testing::HasSubstr("42"));
  close(fd);
}

TEST_F(HttpTest, MalformedHttpAndOversizedHeadersGetTheErrorShape) {
  RunningServer server(Options());
  std::string answer = RawExchange(server.port(), "HELLO THERE\r\n\r\n");
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 400")) << answer;
  EXPECT_THAT(answer, ::testing::HasSubstr("\"code\":\"INVALID_ARGUMENT\""));
  EXPECT_THAT(answer, ::testing::HasSubstr("malformed HTTP"));
  answer = RawExchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                          std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 431")) << answer.substr(0, 200);
  EXPECT_THAT(answer, ::testing::HasSubstr("16 KiB"));
  // The server is fine afterwards.
  answer = RawExchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(answer, ::testing::HasSubstr("{\"live\":true}"));
}

TEST_F(HttpTest, HealthAndReadinessAnswer) {
  RunningServer server(Options());
  auto client = server.Client();
  for (const char* path : {"/healthz", "/v2/health/live"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(JsonOf(res)["live"], true);
  }
  for (const char* path : {"/readyz", "/v2/health/ready"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(JsonOf(res)["ready"], true);
  }
  auto meta = client.Get("/v2");
  ASSERT_TRUE(meta);
  EXPECT_EQ(JsonOf(meta)["name"], "strata");
}

TEST_F(HttpTest, OpenApiDescribesEveryRouteOfTheTable) {
  RunningServer server(Options());
  auto client = server.Client();
  auto res = client.Get("/openapi.json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  nlohmann::json doc = JsonOf(res);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  size_t operations = 0;
  for (const auto& [path, methods] : doc["paths"].items()) operations += methods.size();
  EXPECT_EQ(operations, serve::Routes().size());
  for (const serve::Route& route : serve::Routes()) {
    std::string method(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    ASSERT_TRUE(doc["paths"].contains(std::string(route.path))) << route.path;
    const auto& op = doc["paths"][std::string(route.path)][method];
    EXPECT_EQ(op["summary"], std::string(route.summary));
    EXPECT_TRUE(op["responses"].contains("default"));
  }
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
}

TEST_F(HttpTest, UnknownRoutesAndMethodsGetTheErrorShape) {
  RunningServer server(Options());
  auto client = server.Client();
  std::string message = ErrorMessage(client.Get("/v3/nothing"), 404, "NOT_FOUND");
  EXPECT_THAT(message, ::testing::HasSubstr("/openapi.json"));
  message = ErrorMessage(client.Delete("/v1/models"), 405, "METHOD_NOT_ALLOWED");
  EXPECT_THAT(message, ::testing::HasSubstr("DELETE"));
}

TEST_F(HttpTest, BodyOverTheLimitGets413WithTheErrorShape) {
  ServerOptions o = Options();
  o.max_body_bytes = 1024;
  RunningServer server(o);
  auto client = server.Client();
  std::string big = "{\"instances\": [" + std::string(4000, ' ') + "]}";
  std::string message = ErrorMessage(client.Post("/v1/models/churn_model:predict", big, "application/json"),
                                     413, "PAYLOAD_TOO_LARGE");
  EXPECT_THAT(message, ::testing::HasSubstr("limit"));
  // The server is still fine afterwards.
  auto again = server.Client().Get("/healthz");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(HttpTest, MalformedJsonGets400NamingThePosition) {
  RunningServer server(Options());
  auto client = server.Client();
  std::string message = ErrorMessage(
      client.Post("/v1/models/churn_model:predict", "{\"instances\": [1, 2,", "application/json"),
      400, "INVALID_ARGUMENT");
  EXPECT_THAT(message, ::testing::HasSubstr("not valid JSON"));
  EXPECT_THAT(message, ::testing::HasSubstr("line 1, column"));
  message = ErrorMessage(client.Post("/v1/models/churn_model:predict", "", "application/json"), 400,
                         "INVALID_ARGUMENT");
  EXPECT_THAT(message, ::testing::HasSubstr("empty"));
}

TEST_F(HttpTest, MetricsCountRequestsLatenciesErrorsAndPredictions) {
  RunningServer server(Options());
  auto client = server.Client();
  ASSERT_TRUE(client.Get("/healthz"));
  ASSERT_TRUE(client.Get("/no/such/route"));
  nlohmann::json row = {{"instances", nlohmann::json::array({nlohmann::json::array()})}};
  ASSERT_TRUE(PostJson(client, "/v1/models/churn_model:predict", row));  // a 400
  auto predicted = PostJson(client, "/v1/models/churn_model/versions/1:predict",
                            {{"instances", ChurnInstances(3)}});
  ASSERT_TRUE(predicted);
  ASSERT_EQ(predicted->status, 200) << predicted->body;
  // A request is counted just after its answer is sent, so poll until the last one shows.
  auto res = client.Get("/metrics");
  for (int i = 0; i < 1000 && res &&
                  res->body.find("route=\"/v1/models/{name}/versions/{version}:predict\"") ==
                      std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    res = client.Get("/metrics");
  }
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"), ::testing::HasSubstr("text/plain"));
  const std::string& text = res->body;
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "strata_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"));
  EXPECT_THAT(text, ::testing::HasSubstr("route=\"unmatched\",method=\"GET\",status=\"404\"} 1"));
  EXPECT_THAT(text, ::testing::HasSubstr("strata_http_errors_total{route=\"/v1/models/{name}:predict\"} 1"));
  EXPECT_THAT(text, ::testing::HasSubstr("strata_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1"));
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE strata_http_request_duration_seconds histogram"));
  // Rows predicted, by model and version: the 3 rows of the one answered prediction.
  EXPECT_THAT(text, ::testing::HasSubstr("strata_predictions_total{model=\"churn_model\",version=\"1\"} 3\n"));
}

// Every route that takes a JSON body answers malformed JSON with a 400 naming the position,
// and a body of the wrong JSON type with a 400 naming what was expected.
TEST_F(HttpTest, EveryJsonRouteAnswersMalformedJsonWith400) {
  RunningServer server(Options());
  auto client = server.Client();
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", "/v1/models/churn_model:predict"},
      {"POST", "/v1/models/churn_model/versions/1:predict"},
      {"POST", "/v2/models/churn_model/infer"},
      {"POST", "/v2/models/churn_model/versions/1/infer"},
      {"PUT", "/v1/models/churn_model/aliases/staging"},
      {"POST", "/v1/jobs"},
      {"POST", "/v1/sql"},
      {"PUT", "/v1/notebooks/scratch"},
  };
  for (const auto& route : routes) {
    const std::string& method = route.first;
    const std::string& path = route.second;
    SCOPED_TRACE(method + " " + path);
    auto send = [&](const std::string& body) {
      return method == "PUT" ? client.Put(path.c_str(), body, "application/json")
                             : client.Post(path.c_str(), body, "application/json");
    };
    std::string message = ErrorMessage(send("{\"a\": [1, 2,"), 400, "INVALID_ARGUMENT");
    EXPECT_THAT(message, ::testing::HasSubstr("not valid JSON"));
    EXPECT_THAT(message, ::testing::HasSubstr("line 1, column"));
    message = ErrorMessage(send("[1, 2]"), 400, "INVALID_ARGUMENT");
    EXPECT_FALSE(message.empty());
  }
  // Nothing was changed by them.
  EXPECT_EQ(JsonOf(client.Get("/v1/jobs"))["jobs"].size(), 0u);
  EXPECT_EQ(JsonOf(client.Get("/v1/models/churn_model/aliases"))["aliases"].size(), 0u);
}

// A body that stops arriving gets 408 after --request-timeout-ms of silence, naming the limit.
TEST_F(HttpTest, ABodyThatStopsArrivingGets408) {
  ServerOptions o = Options();
  o.request_timeout_ms = 1000;
  RunningServer server(o);
  auto start = std::chrono::steady_clock::now();
  std::string answer = RawExchange(server.port(),
                                   "POST /v1/models/churn_model:predict HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                                   "{\"instances\"");
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(answer, ::testing::StartsWith("HTTP/1.1 408")) << answer.substr(0, 300);
  EXPECT_THAT(answer, ::testing::HasSubstr("DEADLINE_EXCEEDED"));
  EXPECT_THAT(answer, ::testing::HasSubstr("--request-timeout-ms"));
  EXPECT_THAT(answer, ::testing::HasSubstr("Connection: close"));
  EXPECT_GE(waited, std::chrono::milliseconds(900));
  // The server is fine afterwards.
  auto again = server.Client().Get("/healthz");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

// A request that waits for a request thread past --request-timeout-ms gets 408 instead of
// running late: with one request thread held by an upload whose body trickles in for about
// 3.5 s, a registry request sent meanwhile is answered 408 naming --threads.
TEST_F(HttpTest, ARequestThatWaitedTooLongForAThreadGets408) {
  ServerOptions o = Options();
  o.threads = 1;
  o.request_timeout_ms = 1000;
  RunningServer server(o);
  int fd = ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  std::string head = "POST /v1/datasets?name=trickle HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: text/csv\r\nContent-Length: 100000\r\n\r\na,b\n";
  ASSERT_EQ(send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  std::thread trickle([fd] {
    for (int i = 0; i < 14; ++i) {  // a row every 250 ms: never silent for the 1 s limit
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      send(fd, "1,2\n", 4, MSG_NOSIGNAL);
    }
    shutdown(fd, SHUT_WR);  // the upload ends, cut short
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // the upload has the thread
  auto client = server.Client();
  client.set_read_timeout(std::chrono::seconds(30));
  std::string message = ErrorMessage(client.Get("/v1/models"), 408, "DEADLINE_EXCEEDED");
  EXPECT_THAT(message, ::testing::HasSubstr("waited"));
  EXPECT_THAT(message, ::testing::HasSubstr("--threads"));
  trickle.join();
  close(fd);
  // With the thread free again, the same request is answered.
  auto again = client.Get("/v1/models");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
}

TEST_F(HttpTest, ANonLoopbackHostIsRefusedWithoutAuth) {
  ServerOptions o = Options();
  o.host = "0.0.0.0";
  auto server = Server::Create(o);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(server.status().message(), ::testing::HasSubstr("--auth"));
  o.auth = true;
  EXPECT_OK(Server::Create(o));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("127.evil.com"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

TEST_F(HttpTest, AMissingWorkspaceIsNotFound) {
  ServerOptions o;
  o.workspace_path = dir_->File("missing.db");
  auto server = Server::Create(o);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kNotFound);
}

TEST_F(HttpTest, StopFinishesAndReadinessTurnsOff) {
  RunningServer server(Options());
  server.Stop();
  auto res = server.Client().Get("/healthz");
  EXPECT_FALSE(res);  // no longer accepting
}

}  // namespace
}  // namespace strata::testing
