// /v1/datasets over real HTTP: upload (CSV and JSON Lines, streamed to a temporary file and
// imported by the core), replace and 409, bad files (400 naming line and column, nothing
// imported), the upload limit (413), scopes, list, preview, profile with histograms, the
// download round trip, a slow download holding no request thread, delete and 404 with a
// suggestion.
#include <fmt/format.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "serve_fixture.h"
#include "strata/api_tokens.h"

namespace strata::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Each test gets a fresh, empty workspace of its own.
class DatasetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("strata.db");
    ASSERT_OK(Workspace::Open(path_));
  }
  ServerOptions Options() const {
    ServerOptions o;
    o.workspace_path = path_;
    return o;
  }
  static std::string Churn() { return ReadFileOrDie(SourcePath("examples/data/churn.csv")); }
  static httplib::Result Upload(httplib::Client& client, const std::string& query,
                                const std::string& body) {
    return client.Post(("/v1/datasets?" + query).c_str(), body, "application/octet-stream");
  }
  // The files next to the workspace that an upload left behind (there should be none).
  std::vector<std::string> Leftovers() const {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      std::string name = entry.path().filename().string();
      if (name.find("upload") != std::string::npos) out.push_back(name);
    }
    return out;
  }
  // Writes `text` to a file named `name` in the test's directory and reads it with the core.
  Table ReadBack(const std::string& text, const std::string& name) const {
    Result<Table> table = ReadDataFile(dir_.Write(name, text));
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ok() ? std::move(table).value() : Table();
  }

  TempDir dir_;
  std::string path_;
};

std::string TypeOf(const json& columns, const std::string& name) {
  for (const json& c : columns) {
    if (c["name"] == name) return c["type"];
  }
  return "<missing>";
}

TEST_F(DatasetsTest, UploadCsvInfersTypesAndIsListedAndDescribed) {
  RunningServer server(Options());
  auto client = server.Client();
  const std::string csv = Churn();
  auto res = Upload(client, "name=churn", csv);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
  json body = JsonOf(res);
  EXPECT_EQ(body["name"], "churn");
  EXPECT_EQ(body["rows"], 5000);
  EXPECT_EQ(body["format"], "csv");
  EXPECT_EQ(body["bytes"], csv.size());
  EXPECT_GE(body["seconds"].get<double>(), 0.0);
  ASSERT_EQ(body["columns"].size(), 20u);
  EXPECT_EQ(TypeOf(body["columns"], "state"), "STRING");
  EXPECT_EQ(TypeOf(body["columns"], "account_length"), "INT64");
  EXPECT_EQ(TypeOf(body["columns"], "total_day_minutes"), "FLOAT64");
  EXPECT_TRUE(Leftovers().empty()) << Leftovers().front();

  json list = JsonOf(client.Get("/v1/datasets"));
  ASSERT_EQ(list["datasets"].size(), 1u) << list.dump() << " (no strata_* tables)";
  EXPECT_EQ(list["datasets"][0], json({{"name", "churn"}, {"rows", 5000}, {"columns", 20}}));
  json one = JsonOf(client.Get("/v1/datasets/churn"));
  EXPECT_EQ(one["name"], "churn");
  EXPECT_EQ(one["rows"], 5000);
  EXPECT_EQ(one["columns"], body["columns"]);
  // The table is an ordinary workspace table, as `strata collect` makes them.
  auto ws = Workspace::Open(path_);
  ASSERT_OK(ws);
  EXPECT_EQ((*ws)->DescribeTable("churn")->format, "csv");

  std::string metrics = client.Get("/metrics")->body;
  EXPECT_THAT(metrics, HasSubstr("strata_dataset_uploads_total 1\n"));
  EXPECT_THAT(metrics, HasSubstr("strata_dataset_upload_bytes_total " + std::to_string(csv.size())));
}

TEST_F(DatasetsTest, ExistingNameIs409UnlessReplaceAndBadNamesAre400) {
  RunningServer server(Options());
  auto client = server.Client();
  client.set_keep_alive(true);  // one connection, as browsers keep it: refusals must drain
  ASSERT_EQ(Upload(client, "name=t", "a,b\n1,x\n")->status, 201);
  std::string m = ErrorMessage(Upload(client, "name=t", "a\n2\n"), 409, "ALREADY_EXISTS");
  EXPECT_THAT(m, HasSubstr("'t'"));
  EXPECT_THAT(m, HasSubstr("replace=true"));
  auto replaced = Upload(client, "name=t&replace=true", "a\n2\n3\n");
  ASSERT_EQ(replaced->status, 201) << replaced->body;
  EXPECT_EQ(JsonOf(replaced)["rows"], 2);
  EXPECT_EQ(JsonOf(client.Get("/v1/datasets/t"))["columns"].size(), 1u);

  m = ErrorMessage(client.Post("/v1/datasets", std::string("a\n1\n"), "text/csv"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("?name="));
  m = ErrorMessage(Upload(client, "name=my-data", "a\n1\n"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("not a valid dataset name"));
  m = ErrorMessage(Upload(client, "name=strata_models", "a\n1\n"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("reserved"));
  m = ErrorMessage(Upload(client, "name=x&format=xml", "a\n1\n"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("?format=xml"));
  m = ErrorMessage(Upload(client, "name=x", ""), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("empty"));
  // The same connection is still in step after refused uploads with bodies.
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_TRUE(Leftovers().empty());
}

TEST_F(DatasetsTest, MalformedFileIs400NamingLineAndColumnAndImportsNothing) {
  RunningServer server(Options());
  auto client = server.Client();
  std::string m = ErrorMessage(Upload(client, "name=bad", "a,b\n1,2\n3,4,5\n"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("upload:3:"));
  EXPECT_EQ(m.find(".strata-upload"), std::string::npos) << m;
  m = ErrorMessage(Upload(client, "name=bad", "{\"a\": 1}\n{\"a\": 2,}\n"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("upload:2:"));
  ErrorMessage(client.Get("/v1/datasets/bad"), 404, "NOT_FOUND");
  EXPECT_TRUE(JsonOf(client.Get("/v1/datasets"))["datasets"].empty());
  EXPECT_TRUE(Leftovers().empty()) << Leftovers().front();
}

TEST_F(DatasetsTest, UploadOverTheLimitIs413AndNothingIsKept) {
  ServerOptions o = Options();
  o.max_upload_bytes = 1 << 20;
  RunningServer server(o);
  auto client = server.Client();
  client.set_keep_alive(true);
  std::string big = "x\n";
  while (big.size() < (2u << 20)) big += "123456789\n";
  std::string m = ErrorMessage(Upload(client, "name=big", big), 413, "PAYLOAD_TOO_LARGE");
  EXPECT_THAT(m, HasSubstr("--max-upload-mb"));
  EXPECT_EQ(client.Get("/healthz")->status, 200) << "the same connection is still in step";
  ErrorMessage(client.Get("/v1/datasets/big"), 404, "NOT_FOUND");
  EXPECT_TRUE(Leftovers().empty());
  // Under the limit is fine, although it is far above --max-body-mb's JSON limit here.
  o.max_body_bytes = 1024;
  RunningServer small_bodies(o);
  auto other = small_bodies.Client();
  std::string fits = big.substr(0, 500000);
  fits.resize(fits.rfind('\n') + 1);
  auto res = Upload(other, "name=fits", fits);
  ASSERT_EQ(res->status, 201) << res->body;
  ErrorMessage(PostJson(other, "/v1/sql", {{"query", std::string(2000, ' ')}}), 413, "PAYLOAD_TOO_LARGE");
}

TEST_F(DatasetsTest, ReadTokensCannotUploadOrDelete) {
  auto ws = Workspace::Open(path_);
  ASSERT_OK(ws);
  auto read = CreateApiToken(**ws, TokenScope::kRead, "viewer");
  auto admin = CreateApiToken(**ws, TokenScope::kAdmin, "owner");
  ASSERT_OK(read);
  ASSERT_OK(admin);
  ServerOptions o = Options();
  o.auth = true;
  RunningServer server(o);
  auto client = server.Client();
  ErrorMessage(Upload(client, "name=t", "a\n1\n"), 401, "UNAUTHENTICATED");
  client.set_bearer_token_auth(read->secret);
  ErrorMessage(Upload(client, "name=t", "a\n1\n"), 403, "PERMISSION_DENIED");
  auto admin_client = server.Client();
  admin_client.set_bearer_token_auth(admin->secret);
  ASSERT_EQ(Upload(admin_client, "name=t", "a\n1\n")->status, 201);
  EXPECT_EQ(client.Get("/v1/datasets")->status, 200);
  EXPECT_EQ(client.Get("/v1/datasets/t/preview")->status, 200);
  EXPECT_EQ(client.Get("/v1/datasets/t:download")->status, 200);
  ErrorMessage(client.Delete("/v1/datasets/t"), 403, "PERMISSION_DENIED");
  EXPECT_EQ(admin_client.Delete("/v1/datasets/t")->status, 200);
}

TEST_F(DatasetsTest, PreviewPagesThroughRowsAsJsonValues) {
  RunningServer server(Options());
  auto client = server.Client();
  ASSERT_EQ(Upload(client, "name=churn", Churn())->status, 201);
  Table churn = ReadBack(Churn(), "churn.csv");
  json page = JsonOf(client.Get("/v1/datasets/churn/preview?offset=10&limit=5"));
  EXPECT_EQ(page["offset"], 10);
  EXPECT_EQ(page["total_rows"], 5000);
  ASSERT_EQ(page["columns"].size(), 20u);
  EXPECT_EQ(page["columns"][0], "state");
  EXPECT_EQ(page["types"][1], "INT64");
  ASSERT_EQ(page["rows"].size(), 5u);
  for (int r = 0; r < 5; ++r) {
    EXPECT_EQ(page["rows"][r][0], std::string(churn.column(0).GetString(10 + r)));
    EXPECT_EQ(page["rows"][r][1], churn.column(1).GetInt64(10 + r));
    EXPECT_EQ(page["rows"][r][6], churn.column(6).GetFloat64(10 + r));
  }
  EXPECT_EQ(JsonOf(client.Get("/v1/datasets/churn/preview"))["rows"].size(), 50u) << "default";
  EXPECT_TRUE(JsonOf(client.Get("/v1/datasets/churn/preview?offset=5000"))["rows"].empty());
  std::string m = ErrorMessage(client.Get("/v1/datasets/churn/preview?limit=1001"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("?limit=1001"));
  EXPECT_THAT(m, HasSubstr("1000"));
  ErrorMessage(client.Get("/v1/datasets/churn/preview?offset=-1"), 400, "INVALID_ARGUMENT");
  ErrorMessage(client.Get("/v1/datasets/churn/preview?limit=ten"), 400, "INVALID_ARGUMENT");
  // Booleans and nulls come out as JSON's.
  ASSERT_EQ(Upload(client, "name=flags", "{\"ok\": true, \"n\": null}\n{\"ok\": false, \"n\": 2}\n")->status, 201);
  json flags = JsonOf(client.Get("/v1/datasets/flags/preview"));
  EXPECT_EQ(flags["rows"], json::parse("[[true, null], [false, 2]]"));
  EXPECT_EQ(flags["types"], json::parse("[\"BOOL\", \"INT64\"]"));
}

TEST_F(DatasetsTest, ProfileHasHistogramsAndTheLabelsBalance) {
  RunningServer server(Options());
  auto client = server.Client();
  ASSERT_EQ(Upload(client, "name=churn", Churn())->status, 201);
  auto res = client.Get("/v1/datasets/churn/profile?label=churn");
  ASSERT_EQ(res->status, 200) << res->body;
  json profile = JsonOf(res);
  EXPECT_EQ(profile["rows"], 5000);
  int histograms = 0;
  for (const json& c : profile["columns"]) {
    if (c["type"] == "STRING") {
      EXPECT_TRUE(c["histogram"].is_null()) << c["name"];
      continue;
    }
    const json& h = c["histogram"];
    ASSERT_EQ(h["edges"].size(), 21u) << c["name"];
    ASSERT_EQ(h["counts"].size(), 20u) << c["name"];
    int64_t sum = 0;
    for (const json& n : h["counts"]) sum += n.get<int64_t>();
    EXPECT_EQ(sum, c["count"].get<int64_t>()) << c["name"];
    EXPECT_EQ(h["edges"][0], c["numeric"]["min"]);
    EXPECT_EQ(h["edges"][20], c["numeric"]["max"]);
    ++histograms;
  }
  EXPECT_EQ(histograms, 15);
  const json& label = profile["label"];
  EXPECT_EQ(label["column"], "churn");
  EXPECT_EQ(label["classes"][0], json({{"label", "no"}, {"count", 4293}, {"fraction", 0.8586}}));
  EXPECT_EQ(label["minority_label"], "yes");
  EXPECT_TRUE(label["imbalanced"].get<bool>());
  EXPECT_THAT(label["advice"][1].get<std::string>(), HasSubstr("collect more data"));

  EXPECT_TRUE(JsonOf(client.Get("/v1/datasets/churn/profile"))["label"].is_null());
  std::string m = ErrorMessage(client.Get("/v1/datasets/churn/profile?label=chrun"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("Did you mean 'churn'?"));
}

TEST_F(DatasetsTest, DownloadRoundTripsInCsvAndJsonLines) {
  RunningServer server(Options());
  auto client = server.Client();
  ASSERT_EQ(Upload(client, "name=churn", Churn())->status, 201);
  Table original = ReadBack(Churn(), "original.csv");

  auto csv = client.Get("/v1/datasets/churn:download");
  ASSERT_EQ(csv->status, 200) << csv->body;
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv");
  EXPECT_EQ(csv->get_header_value("Content-Disposition"), "attachment; filename=churn.csv");
  ExpectSameTable(ReadBack(csv->body, "download.csv"), original);

  auto jsonl = client.Get("/v1/datasets/churn:download?format=jsonl");
  ASSERT_EQ(jsonl->status, 200) << jsonl->body;
  EXPECT_EQ(jsonl->get_header_value("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(jsonl->get_header_value("Content-Disposition"), "attachment; filename=churn.jsonl");
  ExpectSameTable(ReadBack(jsonl->body, "download.jsonl"), original);

  // The JSON Lines file uploads again (its format sniffed) to the same table.
  auto again = Upload(client, "name=churn_jsonl", jsonl->body);
  ASSERT_EQ(again->status, 201) << again->body;
  EXPECT_EQ(JsonOf(again)["format"], "jsonl");
  EXPECT_EQ(JsonOf(again)["rows"], 5000);
  auto back = client.Get("/v1/datasets/churn_jsonl:download");
  ExpectSameTable(ReadBack(back->body, "back.csv"), original);

  ErrorMessage(client.Get("/v1/datasets/churn:download?format=xlsx"), 400, "INVALID_ARGUMENT");
  ErrorMessage(client.Get("/v1/datasets/chrun:download"), 404, "NOT_FOUND");
}

// A client that reads a download slowly holds no request thread: with two request threads,
// three downloads stalled by their clients leave the other routes answering, and each still
// arrives whole once its client reads on.
TEST_F(DatasetsTest, SlowDownloadsHoldNoRequestThread) {
  // About 9 MB of CSV: more than a stalled client's and the server's socket buffers hold.
  std::string text = "id,x,name\n";
  for (int i = 0; i < 300000; ++i) text += fmt::format("{},{},customer_{}\n", i, i * 0.25, i % 977);
  Table original = ReadBack(text, "big.csv");
  {
    Result<std::unique_ptr<Workspace>> workspace = Workspace::Open(path_);
    ASSERT_OK(workspace);
    ASSERT_OK((*workspace)->WriteTable("big", original));
  }
  ServerOptions options = Options();
  options.threads = 2;
  RunningServer server(options);

  constexpr int kDownloads = 3;
  std::atomic<bool> read_on{false};
  std::vector<std::atomic<bool>> started(kDownloads);
  std::vector<std::string> bodies(kDownloads);
  std::vector<std::thread> readers;
  // A test that stops early still lets the readers finish, and joins them.
  OnScopeExit finally{[&] {
    read_on = true;
    for (std::thread& reader : readers) reader.join();
    readers.clear();
  }};
  for (int i = 0; i < kDownloads; ++i) {
    readers.emplace_back([&, i] {
      httplib::Client reader = server.Client();
      reader.set_socket_options([](socket_t sock) {
        int bytes = 4096;  // a small receive window, so the server's writes stall sooner
        setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
      });
      reader.Get("/v1/datasets/big:download", [&, i](const char* data, size_t n) {
        bodies[i].append(data, n);
        started[i] = true;
        while (!read_on) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return true;
      });
    });
  }
  auto all_started = [&] {
    return std::all_of(started.begin(), started.end(), [](const std::atomic<bool>& s) { return s.load(); });
  };
  for (int i = 0; i < 3000 && !all_started(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(all_started()) << "not every download was answered";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server's writes stall

  // Routes that run on request threads answer while the downloads stall (with a thread per
  // download, these would wait for a client that does not read and time out).
  httplib::Client client = server.Client();
  client.set_read_timeout(std::chrono::seconds(5));
  for (int i = 0; i < 5; ++i) {
    auto listed = client.Get("/v1/datasets");
    ASSERT_TRUE(listed) << httplib::to_string(listed.error());
    EXPECT_EQ(listed->status, 200);
  }

  finally.run();
  for (int i = 0; i < kDownloads; ++i) {
    SCOPED_TRACE(i);
    ExpectSameTable(ReadBack(bodies[i], fmt::format("download{}.csv", i)), original);
  }
}

TEST_F(DatasetsTest, DeleteAndUnknownNamesWithASuggestion) {
  RunningServer server(Options());
  auto client = server.Client();
  ASSERT_EQ(Upload(client, "name=churn", "a\n1\n")->status, 201);
  std::string m = ErrorMessage(client.Get("/v1/datasets/chrun"), 404, "NOT_FOUND");
  EXPECT_THAT(m, HasSubstr("Did you mean 'churn'?"));
  m = ErrorMessage(client.Get("/v1/datasets/chrun/preview"), 404, "NOT_FOUND");
  EXPECT_THAT(m, HasSubstr("Did you mean 'churn'?"));
  ErrorMessage(client.Get("/v1/datasets/chrun/profile"), 404, "NOT_FOUND");
  m = ErrorMessage(client.Delete("/v1/datasets/strata_tables"), 400, "INVALID_ARGUMENT");
  EXPECT_THAT(m, HasSubstr("not a dataset"));
  m = ErrorMessage(client.Delete("/v1/datasets/chrun"), 404, "NOT_FOUND");
  EXPECT_THAT(m, HasSubstr("Did you mean 'churn'?"));

  auto deleted = client.Delete("/v1/datasets/churn");
  ASSERT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(JsonOf(deleted), json({{"deleted", "churn"}}));
  ErrorMessage(client.Get("/v1/datasets/churn"), 404, "NOT_FOUND");
  EXPECT_TRUE(JsonOf(client.Get("/v1/datasets"))["datasets"].empty());
}

}  // namespace
}  // namespace strata::testing
