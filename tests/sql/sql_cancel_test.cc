// Cancelling a script (Ctrl-C in `strata sql`, a request's deadline in `strata serve`): a query
// running inside SQLite stops promptly, its changes undone; the statements before it stay.
#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "strata/sql.h"
#include "strata/workspace.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// Counts to a trillion: hours of SQLite work unless interrupted.
constexpr const char* kEndlessQuery =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000000) "
    "SELECT count(*) FROM c";

// A fresh workspace, its engine, and options whose cancel flag the test sets.
class SqlCancelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = Workspace::Open(dir_.File("w.db"));
    ASSERT_OK(ws);
    workspace_ = std::move(*ws);
    engine_ = std::make_unique<SqlEngine>(*workspace_);
    options.cancel = &cancel;
  }
  testing::TempDir dir_;
  std::unique_ptr<Workspace> workspace_;
  std::unique_ptr<SqlEngine> engine_;
  std::atomic<bool> cancel{false};
  SqlOptions options;
};

TEST_F(SqlCancelTest, ALongQueryStopsSoonAfterTheCancelAndItsChangesAreUndone) {
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  int finished = 0;
  const auto started = std::chrono::steady_clock::now();
  Status s = engine_->Run(
      std::string("CREATE TABLE kept AS SELECT 1 AS a; CREATE TABLE undone AS ") + kEndlessQuery + ";",
      [&](const SqlResult&) {
        ++finished;
        return Status::Ok();
      },
      options);
  canceller.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("interrupted"));
  EXPECT_LT(seconds, 5.0);  // 0.3 s plus the interrupt's latency (sanitizers included)
  EXPECT_EQ(finished, 1);

  // The first statement stayed; the interrupted one left nothing; the connection works on,
  // with no interrupt hook left behind.
  cancel = false;
  std::vector<std::string> tables;
  ASSERT_OK(engine_->Run("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('kept', 'undone')",
                       [&](const SqlResult& r) {
                         for (int64_t i = 0; i < r.rows.num_rows(); ++i) {
                           tables.push_back(r.rows.columns()[0].FormatValue(i));
                         }
                         return Status::Ok();
                       }));
  EXPECT_EQ(tables, std::vector<std::string>{"kept"});
}

// Without a cancel flag (or with one never set) the same connection runs long queries to the
// end: the hook only exists while a script with a flag runs.
TEST_F(SqlCancelTest, AnUnsetFlagChangesNothing) {
  std::string count;
  ASSERT_OK(engine_->Run(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) FROM c",
      [&](const SqlResult& r) {
        count = r.rows.columns()[0].FormatValue(0);
        return Status::Ok();
      },
      options));
  EXPECT_EQ(count, "200000");
}

}  // namespace
}  // namespace strata
