// The registry over real HTTP: models, versions, aliases with history and rollback, serving
// by alias, and an alias moved while clients hammer it (zero failed requests).
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "serve/model_cache.h"
#include "serve_fixture.h"
#include "strata/model_aliases.h"
#include "workspace/sqlite_db.h"

namespace strata::testing {
namespace {

using nlohmann::json;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = MakeChurnWorkspace(dir_); }
  ServerOptions Options() const {
    ServerOptions o;
    o.workspace_path = path_;
    return o;
  }
  static json OneRow() { return {{"instances", ChurnInstances(1)}}; }
  TempDir dir_;
  std::string path_;
};

TEST_F(RegistryTest, ModelsVersionsAndLineage) {
  RunningServer server(Options());
  auto client = server.Client();
  json models = JsonOf(client.Get("/v1/models"));
  ASSERT_EQ(models["models"].size(), 1u);
  EXPECT_EQ(models["models"][0]["name"], "churn_model");
  EXPECT_EQ(models["models"][0]["latest_version"], 2);
  json model = JsonOf(client.Get("/v1/models/churn_model"));
  EXPECT_EQ(model["versions"].size(), 2u);
  EXPECT_EQ(model["aliases"], json::array());
  json versions = JsonOf(client.Get("/v1/models/churn_model/versions"));
  ASSERT_EQ(versions["versions"].size(), 2u);
  EXPECT_EQ(versions["versions"][0]["model_type"], "BOOSTED_TREE_CLASSIFIER");
  EXPECT_TRUE(versions["versions"][0]["metrics"].contains("roc_auc"));
  json v1 = JsonOf(client.Get("/v1/models/churn_model/versions/1"));
  EXPECT_EQ(v1["version"], 1);
  EXPECT_EQ(v1["train_spec"]["label"], "churn");
  EXPECT_TRUE(v1["lineage"].is_object());
  EXPECT_EQ(v1["classes"].size(), 2u);
  std::string m = ErrorMessage(client.Get("/v1/models/churn_modl"), 404, "NOT_FOUND");
  EXPECT_THAT(m, ::testing::HasSubstr("Did you mean 'churn_model'?"));
}

// The model page's data: the stored evaluation (confusion matrix at the stored threshold,
// ROC points with counts, calibration), the threshold and the training-time importance, the
// same numbers the bundle holds.
TEST_F(RegistryTest, VersionCarriesEvaluationThresholdAndImportance) {
  ModelBundle stored;
  {
    auto ws = Workspace::Open(path_);
    ASSERT_TRUE(ws.ok());
    auto bundle = ModelStore(**ws).Load("churn_model", 1);
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    stored = std::move(bundle).value();
  }
  RunningServer server(Options());
  auto client = server.Client();
  json v1 = JsonOf(client.Get("/v1/models/churn_model/versions/1"));
  EXPECT_DOUBLE_EQ(v1["threshold"].get<double>(), stored.threshold);
  EXPECT_EQ(v1["eval_summary"], stored.eval_summary);
  EXPECT_EQ(v1["feature_importance"], stored.importance);
  ASSERT_FALSE(v1["feature_importance"].empty());
  EXPECT_GT(v1["feature_importance"][0]["importance_gain"].get<double>(), 0);
  EXPECT_EQ(v1["global_explain"], nullptr);  // trained without enable_global_explain

  const json& summary = v1["eval_summary"];
  const json& cm = summary["confusion_matrix"];
  ASSERT_EQ(cm.size(), 2u);
  int64_t rows = 0, support = 0;
  for (const json& r : cm) for (const json& c : r) rows += c.get<int64_t>();
  for (const json& c : summary["per_class"]) support += c["support"].get<int64_t>();
  EXPECT_EQ(rows, support);
  EXPECT_DOUBLE_EQ(summary["threshold"].get<double>(), stored.threshold);
  ASSERT_GT(summary["roc_curve"].size(), 2u);
  const json& point = summary["roc_curve"][1];
  EXPECT_EQ(point["true_positives"].get<int64_t>() + point["false_negatives"].get<int64_t>(),
            cm[1][0].get<int64_t>() + cm[1][1].get<int64_t>());
  EXPECT_EQ(summary["calibration"].size(), 10u);

  // An alias names the same version; the linear version has importance too (|coefficients|).
  ASSERT_EQ(client.Put("/v1/models/churn_model/aliases/staging", R"({"version": 1})", "application/json")->status, 200);
  EXPECT_EQ(JsonOf(client.Get("/v1/models/churn_model/versions/staging"))["eval_summary"], stored.eval_summary);
  json v2 = JsonOf(client.Get("/v1/models/churn_model/versions/2"));
  EXPECT_FALSE(v2["feature_importance"].empty());
  EXPECT_TRUE(v2["threshold"].is_number());
}

TEST_F(RegistryTest, AliasesSetMoveServeRollBackAndDelete) {
  RunningServer server(Options());
  auto client = server.Client();
  const std::string alias = "/v1/models/churn_model/aliases/production";
  auto res = client.Put(alias.c_str(), R"({"version": 1})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(JsonOf(res)["previous_version"], nullptr);
  json served = JsonOf(PostJson(client, "/v1/models/churn_model/labels/production:predict", OneRow()));
  EXPECT_EQ(served["model_version"], "1");
  // /v2 takes an alias where a version goes.
  EXPECT_EQ(JsonOf(client.Get("/v2/models/churn_model/versions/production/ready"))["version"], "1");

  res = client.Put(alias.c_str(), R"({"version": 2})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(JsonOf(res)["previous_version"], 1);
  served = JsonOf(PostJson(client, "/v1/models/churn_model/labels/production:predict", OneRow()));
  EXPECT_EQ(served["model_version"], "2");

  res = client.Post((alias + ":rollback").c_str(), "", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(JsonOf(res)["version"], 1);
  served = JsonOf(PostJson(client, "/v1/models/churn_model/labels/production:predict", OneRow()));
  EXPECT_EQ(served["model_version"], "1");

  json aliases = JsonOf(client.Get("/v1/models/churn_model/aliases"));
  ASSERT_EQ(aliases["aliases"].size(), 1u);
  EXPECT_EQ(aliases["aliases"][0]["version"], 1);
  ASSERT_EQ(aliases["history"].size(), 3u);
  EXPECT_EQ(aliases["history"][2]["action"], "rollback");
  EXPECT_EQ(aliases["history"][2]["previous_version"], 2);

  std::string m = ErrorMessage(PostJson(client, "/v1/models/churn_model/labels/prodution:predict", OneRow()),
                               404, "NOT_FOUND");
  EXPECT_THAT(m, ::testing::HasSubstr("Did you mean 'production'?"));
  res = client.Delete(alias.c_str());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ErrorMessage(PostJson(client, "/v1/models/churn_model/labels/production:predict", OneRow()), 404,
               "NOT_FOUND");
  ErrorMessage(client.Delete(alias.c_str()), 404, "NOT_FOUND");
}

TEST_F(RegistryTest, BadAliasRequestsGetClearErrors) {
  RunningServer server(Options());
  auto client = server.Client();
  const std::string alias = "/v1/models/churn_model/aliases/production";
  std::string m = ErrorMessage(client.Put(alias.c_str(), "{}", "application/json"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("\"version\""));
  m = ErrorMessage(client.Put(alias.c_str(), R"({"version": "two"})", "application/json"), 400,
                   "INVALID_ARGUMENT");
  m = ErrorMessage(client.Put(alias.c_str(), R"({"version": 7})", "application/json"), 404, "NOT_FOUND");
  EXPECT_THAT(m, ::testing::HasSubstr("no version 7"));
  m = ErrorMessage(client.Put("/v1/models/churn_model/aliases/123", R"({"version": 1})", "application/json"),
                   400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, ::testing::HasSubstr("all digits"));
  ASSERT_TRUE(client.Put(alias.c_str(), R"({"version": 1})", "application/json"));
  m = ErrorMessage(client.Post((alias + ":rollback").c_str(), "", "application/json"), 409,
                   "FAILED_PRECONDITION");
  EXPECT_THAT(m, ::testing::HasSubstr("nothing to roll back"));
}

// Clients predict through the alias while it moves between versions: every request
// succeeds, and each answer comes from one of the two versions.
TEST_F(RegistryTest, MovingAnAliasUnderLoadFailsNoRequest) {
  RunningServer server(Options());
  auto admin = server.Client();
  const std::string alias = "/v1/models/churn_model/aliases/production";
  ASSERT_EQ(admin.Put(alias.c_str(), R"({"version": 1})", "application/json")->status, 200);
  const std::string body = OneRow().dump();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::mutex seen_mutex;
  std::set<std::string> seen;
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      auto client = server.Client();
      while (!stop) {
        auto res = client.Post("/v1/models/churn_model/labels/production:predict", body, "application/json");
        if (res && res->status == 200) {
          ++ok;
          auto version = nlohmann::json::parse(res->body)["model_version"].get<std::string>();
          std::lock_guard lock(seen_mutex);
          seen.insert(version);
        } else {
          ++failed;
        }
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    // Wait for some traffic between moves, so each version is actually served.
    int before = ok.load();
    while (ok.load() < before + 5 && failed.load() == 0) std::this_thread::yield();
    std::string version = i % 2 == 0 ? "2" : "1";
    auto res = admin.Put(alias.c_str(), "{\"version\": " + version + "}", "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 100);
  EXPECT_EQ(seen, (std::set<std::string>{"1", "2"}));
}

// The server caches which version a request gets. A version saved on another connection of
// the server's process (as a job or /v1/sql saves one) is served by the very next request; one
// saved by another process (`strata models import`) once the cache has asked SQLite again,
// which it does at most a millisecond apart.
TEST_F(RegistryTest, NewVersionsAreServedWithoutARestart) {
  RunningServer server(Options());
  auto client = server.Client();
  const std::string body = OneRow().dump();
  auto served = [&]() -> std::string {
    auto res = client.Post("/v1/models/churn_model:predict", body, "application/json");
    if (!res || res->status != 200) return "failed";
    return json::parse(res->body)["model_version"].get<std::string>();
  };
  EXPECT_EQ(served(), "2");
  {
    auto ws = Workspace::Open(path_);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    auto bundle = ModelStore(**ws).Load("churn_model", 1);
    ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
    auto saved = ModelStore(**ws).Save("churn_model", *bundle);
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
    EXPECT_EQ(*saved, 3);
  }
  EXPECT_EQ(served(), "3");

  std::string file = dir_.File("churn_model.bundle");
  CommandResult exported = RunStrata({"-w", path_, "models", "export", "churn_model", file}, dir_.path());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  CommandResult imported =
      RunStrata({"-w", path_, "models", "import", file, "--as", "churn_model"}, dir_.path());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(served(), "4");
}

// A commit that touches no model (a running job's log line) must not make the server load
// and parse the model again: the predictor survives it; a new version is still picked up,
// and the old one is freed once nothing names or holds it.
TEST_F(RegistryTest, ACommitThatTouchesNoModelKeepsItsPredictorLoaded) {
  auto ws = Workspace::Open(path_);
  ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  std::mutex mutex;
  serve::ModelCache cache(**ws, mutex);
  auto first = cache.Get("churn_model", {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::weak_ptr<const Predictor> loaded = first->predictor;
  first->predictor.reset();  // no request holds it any more

  auto other = Workspace::Open(path_);  // another connection of this process, as a job's
  ASSERT_TRUE(other.ok());
  for (int i = 0; i < 2; ++i) {  // two unrelated commits, each seen by the next Get
    auto tx = SqliteTransaction::Begin((*other)->db());
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*other)->db().Exec("CREATE TABLE IF NOT EXISTS unrelated (x); "
                                    "INSERT INTO unrelated VALUES (1)").ok());
    ASSERT_TRUE(tx->Commit().ok());
    auto again = cache.Get("churn_model", {});
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->version, 2);
    EXPECT_EQ(again->predictor, loaded.lock()) << "the model was loaded again after commit " << i;
  }

  auto bundle = ModelStore(**other).Load("churn_model", 1);
  ASSERT_TRUE(bundle.ok());
  ASSERT_TRUE(ModelStore(**other).Save("churn_model", *bundle).ok());
  auto newer = cache.Get("churn_model", {});
  ASSERT_TRUE(newer.ok());
  EXPECT_EQ(newer->version, 3);
  EXPECT_NE(newer->predictor, loaded.lock());
  // Version 2 is named by no resolution now and held by no request: it is freed.
  EXPECT_TRUE(loaded.expired());
}

TEST(ModelAliasesTest, NamesAreChecked) {
  EXPECT_OK(ValidateAliasName("production"));
  EXPECT_OK(ValidateAliasName("canary-2"));
  EXPECT_FALSE(ValidateAliasName("").ok());
  EXPECT_FALSE(ValidateAliasName("42").ok());
  EXPECT_FALSE(ValidateAliasName("a/b").ok());
  EXPECT_FALSE(ValidateAliasName(std::string(65, 'a')).ok());
}

}  // namespace
}  // namespace strata::testing
