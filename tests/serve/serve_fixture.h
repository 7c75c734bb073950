// Shared set-up of the server tests: a real workspace in a temp dir with real models trained
// on examples/data/churn.csv through the core Train(), and a real server on 127.0.0.1 on an
// ephemeral port, talked to over HTTP with httplib's client.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "strata/data_file.h"
#include "strata/model_store.h"
#include "strata/predictor.h"
#include "strata/server.h"
#include "strata/trainer.h"
#include "strata/workspace.h"
#include "support/test_support.h"

namespace strata::testing {

// Trains `model_type` on the churn data (label "churn").
inline ModelBundle TrainChurn(const Table& data, const std::string& model_type,
                              nlohmann::json options = nlohmann::json::object()) {
  TrainSpec spec;
  spec.source = "churn";
  spec.label = "churn";
  spec.model_type = model_type;
  spec.options = std::move(options);
  Result<ModelBundle> bundle = Train(spec, data);
  EXPECT_TRUE(bundle.ok()) << bundle.status().ToString();
  return std::move(bundle).value();
}

// A workspace with model "churn": version 1 boosted trees, version 2 logistic regression.
inline std::string MakeChurnWorkspace(const TempDir& dir) {
  std::string path = dir.File("strata.db");
  auto ws = Workspace::Open(path);
  EXPECT_TRUE(ws.ok()) << ws.status().ToString();
  auto data = ReadDataFile(SourcePath("examples/data/churn.csv"));
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_TRUE((*ws)->WriteTable("churn", *data).ok());
  ModelStore store(**ws);
  EXPECT_TRUE(store.Save("churn_model", TrainChurn(*data, "BOOSTED_TREE_CLASSIFIER",
                                                   {{"max_iterations", 5}})).ok());
  EXPECT_TRUE(store.Save("churn_model", TrainChurn(*data, "LOGISTIC_REG")).ok());
  return path;
}

// Row `row` of the churn table as a prediction instance: every column but the label.
inline nlohmann::json ChurnInstance(const Table& data, int64_t row) {
  nlohmann::json out = nlohmann::json::object();
  for (const Column& c : data.columns()) {
    if (c.name() == "churn") continue;
    if (c.type() == DataType::kString) out[c.name()] = std::string(c.GetString(row));
    else if (c.type() == DataType::kInt64) out[c.name()] = c.GetInt64(row);
    else out[c.name()] = c.GetFloat64(row);
  }
  return out;
}

// The first `n` churn rows as instances.
inline nlohmann::json ChurnInstances(int n) {
  auto data = ReadDataFile(SourcePath("examples/data/churn.csv"));
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  nlohmann::json rows = nlohmann::json::array();
  for (int r = 0; r < n; ++r) rows.push_back(ChurnInstance(*data, r));
  return rows;
}

// Jobs in the suites' servers run 10 nice levels lower, not at the default idle policy: under
// `ctest -j` other tests keep the cores busy, and an idle-policy job would wait for them.
// JobsTest.JobsTrainBelowThePriorityOfRequests checks the default.
inline constexpr int kTestJobNice = 10;

// A suite whose tests share one churn workspace (MakeChurnWorkspace), made once.
class ChurnWorkspaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    path_ = new std::string(MakeChurnWorkspace(*dir_));
  }
  static void TearDownTestSuite() {
    delete path_;
    delete dir_;
  }
  // Server options over the shared workspace.
  static ServerOptions Options() {
    ServerOptions o;
    o.workspace_path = *path_;
    o.job_nice = kTestJobNice;
    return o;
  }
  static inline TempDir* dir_ = nullptr;
  static inline std::string* path_ = nullptr;
};

// A suite whose tests each get a fresh, empty workspace (no data, no models).
class EmptyWorkspaceTest : public ::testing::Test {
 protected:
  ServerOptions Options() {
    EXPECT_TRUE(Workspace::Open(dir_.File("strata.db")).ok());
    ServerOptions o;
    o.workspace_path = dir_.File("strata.db");
    o.job_nice = kTestJobNice;
    return o;
  }
  TempDir dir_;
};

// A server running on its own thread until the object dies.
class RunningServer {
 public:
  explicit RunningServer(ServerOptions options) {
    options.port = 0;
    auto server = Server::Create(std::move(options));
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    auto port = server_->Bind();
    EXPECT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    thread_ = std::thread([this] { EXPECT_TRUE(server_->Serve().ok()); });
    // Ready when /readyz answers; no fixed sleeps.
    httplib::Client client = Client();
    for (int i = 0; i < 2000; ++i) {
      auto res = client.Get("/readyz");
      if (res && res->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "the server did not become ready";
  }
  ~RunningServer() { Stop(); }

  void Stop() {
    if (!thread_.joinable()) return;
    server_->Stop();
    thread_.join();
  }
  int port() const { return port_; }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(std::chrono::seconds(30));
    return client;
  }

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Runs `run` when it goes out of scope (also when an ASSERT returns early), and where it is
// called before; `run` must be safe to call twice.
struct OnScopeExit {
  std::function<void()> run;
  ~OnScopeExit() { run(); }
};

// The body of a response as JSON (test failure on a non-JSON body).
inline nlohmann::json JsonOf(const httplib::Result& res) {
  if (!res) {
    ADD_FAILURE() << "no response: " << httplib::to_string(res.error());
    return nullptr;
  }
  auto json = nlohmann::json::parse(res->body, nullptr, false);
  if (json.is_discarded()) ADD_FAILURE() << "not JSON: " << res->body;
  return json;
}

// Checks the one error shape and returns the message.
inline std::string ErrorMessage(const httplib::Result& res, int status, const std::string& code) {
  if (!res) {
    ADD_FAILURE() << "no response";
    return "";
  }
  EXPECT_EQ(res->status, status) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  nlohmann::json body = JsonOf(res);
  EXPECT_TRUE(body.contains("error")) << res->body;
  const nlohmann::json& e = body["error"];
  EXPECT_EQ(e.value("code", ""), code) << res->body;
  EXPECT_TRUE(e.contains("details") && e["details"].is_object()) << res->body;
  return e.value("message", "");
}

inline httplib::Result PostJson(httplib::Client& client, const std::string& path,
                                const nlohmann::json& body) {
  return client.Post(path.c_str(), body.dump(), "application/json");
}

}  // namespace strata::testing
