// `strata sql` as a user runs it: -c, a script file, standard input, dot-commands, output
// modes, and how errors stop a script (or not) with a non-zero exit.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "support/child_process.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunStrata;
using testing::SourcePath;
using testing::TempDir;

class SqlCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = RunStrata({"collect", SourcePath("examples/data/churn.csv")}, dir_.path());
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  testing::CommandResult Run(const std::vector<std::string>& args, const std::string& in = "") {
    return RunStrata(args, dir_.path(), {}, in);
  }
  TempDir dir_;
};

TEST_F(SqlCliTest, HelpAndCommands) {
  auto help = Run({"sql", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--continue-on-error"));

  auto r = Run({"sql", "-c",
                "CREATE MODEL m OPTIONS(model_type='logistic_reg', input_label_cols=['churn']) AS "
                "SELECT * FROM churn;",
                "-c", "SELECT count(*) AS n FROM ML.PREDICT(MODEL m, TABLE churn);"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Created model m (LOGISTIC_REG, version 1)"));
  EXPECT_THAT(r.out, HasSubstr("| 5000 |"));  // an aligned table

  auto csv = Run({"sql", "--mode", "csv", "-c", "SELECT precision, recall FROM ML.EVALUATE(MODEL m)"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, HasSubstr("precision,recall\n"));

  auto json = Run({"sql", "--mode", "json", "-c", "SELECT 1 AS a, 'x' AS b"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto rows = nlohmann::json::parse(json.out);
  EXPECT_EQ(rows, nlohmann::json::parse(R"([{"a": 1, "b": "x"}])"));

  auto line = Run({"sql", "--mode", "line", "-c", "SELECT 1 AS a, 'x' AS bb"});
  EXPECT_EQ(line.out, " a = 1\nbb = x\n");

  // Each -c is its own statement even without ';' (as sqlite3's arguments): the second
  // sees the model the first created, and a trailing comment does not swallow the end.
  auto each = Run({"sql", "--mode", "csv", "-c",
                   "CREATE MODEL n OPTIONS(model_type='linear_reg', input_label_cols=['total_day_charge']) "
                   "AS SELECT * FROM churn -- a comment",
                   "-c", "SELECT count(*) AS rows_seen FROM ML.PREDICT(MODEL n, TABLE churn)"});
  ASSERT_EQ(each.exit_code, 0) << each.err;
  EXPECT_THAT(each.out, HasSubstr("rows_seen\n5000\n"));
}

TEST_F(SqlCliTest, ScriptFilesStopAtTheFirstErrorWithItsPosition) {
  auto script = dir_.Write("script.sql",
                           "-- a comment\n"
                           "CREATE TABLE t(a INTEGER);\n"
                           "INSERT INTO t VALUES (1),\n"
                           "  (2);\n"
                           "SELECT * FROM ML.EVALUATE(MODEL missing);\n"
                           "INSERT INTO t VALUES (3);\n");
  auto r = Run({"sql", script});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("script.sql:5:33: no model named 'missing'"));
  EXPECT_THAT(r.err, HasSubstr("  SELECT * FROM ML.EVALUATE(MODEL missing);\n"
                               "                                  ^"));
  auto count = Run({"sql", "--mode", "csv", "-c", "SELECT count(*) AS n FROM t"});
  EXPECT_EQ(count.out, "n\n2\n");  // the statement after the error did not run

  auto go_on = Run({"sql", "--continue-on-error", script});
  EXPECT_NE(go_on.exit_code, 0);  // still reports the failure
  count = Run({"sql", "--mode", "csv", "-c", "SELECT count(*) AS n FROM t"});
  EXPECT_THAT(go_on.err, HasSubstr("table t already exists"));
  EXPECT_EQ(count.out, "n\n5\n");  // 2 + 2 again + 1 after the error
}

TEST_F(SqlCliTest, StandardInputAndDotCommands) {
  auto r = Run({"sql"},
               ".mode csv\n"
               "CREATE MODEL m OPTIONS(model_type='boosted_tree_classifier',\n"
               "                       input_label_cols=['churn'], max_iterations=3)\n"
               "AS SELECT * FROM churn;\n"
               ".models\n"
               ".tables\n"
               "SELECT count(*) AS n FROM ML.FEATURE_IMPORTANCE(MODEL m);\n"
               ".schema churn\n"
               ".timer on\n"
               "SELECT 1 AS one;\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("BOOSTED_TREE_CLASSIFIER"));  // .models
  EXPECT_THAT(r.out, HasSubstr("churn"));                    // .tables
  EXPECT_THAT(r.out, HasSubstr("n\n19\n"));                  // csv mode
  EXPECT_THAT(r.out, HasSubstr("CREATE TABLE \"churn\""));   // .schema
  EXPECT_THAT(r.out, Not(HasSubstr("strata_models")));       // catalog tables hidden
  EXPECT_THAT(r.err, HasSubstr("Run Time: real"));

  auto help = Run({"sql"}, ".help\n");
  EXPECT_THAT(help.out, HasSubstr("ML.PREDICT"));
  auto bad = Run({"sql"}, ".tabels\n");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("Did you mean '.tables'?"));
  auto read = dir_.Write("inner.sql", "SELECT 42 AS answer;\n");
  auto nested = Run({"sql", "--mode", "csv"}, ".read " + read + "\n");
  EXPECT_EQ(nested.out, "answer\n42\n");
}

// The example script of the docs runs as documented, from the repository root.
TEST_F(SqlCliTest, ExampleScriptRuns) {
  auto r = RunStrata({"-w", dir_.File("example.db"), "sql", "examples/sql/churn.sql", "--mode", "csv"},
                     SourcePath(""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Loaded 5000 rows into churn"));
  EXPECT_THAT(r.err, HasSubstr("Created model churn_sql_model (BOOSTED_TREE_CLASSIFIER"));
  EXPECT_THAT(r.out, HasSubstr("expected_label,no,yes"));
  EXPECT_THAT(r.out, HasSubstr("state,customers,predicted_to_churn"));
}

// Ctrl-C stops a query running inside SQLite, as in the sqlite3 shell: the statement is
// interrupted and its changes undone, the ones before it stay, the exit code is 130.
TEST_F(SqlCliTest, CtrlCInterruptsALongQuery) {
  testing::Child child({"--workspace", dir_.File("strata.db"), "sql", "-c",
                        "CREATE TABLE kept AS SELECT 1 AS a; INSERT INTO kept VALUES (2);\n"
                        "CREATE TABLE undone AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                        "WHERE x < 1000000000000) SELECT count(*) AS n FROM c;"});
  // The INSERT's note says the long statement has started (and Ctrl-C's handler is set).
  ASSERT_TRUE(child.WaitForStderr("1 row changed")) << child.err();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(child.pid(), SIGINT), 0);
  EXPECT_EQ(child.Wait(), 130);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count(), 10);
  EXPECT_THAT(child.err(), HasSubstr("interrupted"));
  EXPECT_THAT(child.err(), HasSubstr("-c:2:1"));  // the statement that was stopped

  auto tables = Run({"sql", "--mode", "csv", "-c",
                     "SELECT name FROM sqlite_master WHERE name IN ('kept', 'undone'); SELECT count(*) FROM kept"});
  ASSERT_EQ(tables.exit_code, 0) << tables.err;
  EXPECT_EQ(tables.out, "name\nkept\ncount(*)\n2\n");
}

// The interactive shell on a terminal (a pseudo-terminal made by util-linux's `script`):
// prompts, a statement over two lines, a dot-command, and the history file.
TEST_F(SqlCliTest, InteractiveShellOnATerminal) {
  // util-linux's `script` needs a pseudo-terminal; chroots without /dev/pts have none.
  if (std::system("script -qec true /dev/null < /dev/null > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "no pseudo-terminal here (`script -qec true /dev/null` fails)";
  }
  const std::string input = dir_.Write("keys.txt", "SELECT 40 + 2\n  AS answer;\n.tables\n.quit\n");
  const std::string output = dir_.File("screen.txt");
  const std::string command = fmt::format(
      "cd '{}' && HOME='{}' script -qec '{} sql' /dev/null < '{}' > '{}' 2>&1", dir_.path().string(),
      dir_.path().string(), STRATA_CLI_PATH, input, output);
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string screen = testing::ReadFileOrDie(output);
  EXPECT_THAT(screen, HasSubstr("strata> "));
  EXPECT_THAT(screen, HasSubstr("   ...> "));  // the statement went on over a second line
  EXPECT_THAT(screen, HasSubstr("| answer |"));
  EXPECT_THAT(screen, HasSubstr("|     42 |"));
  EXPECT_THAT(screen, HasSubstr("| churn "));  // .tables
  EXPECT_EQ(testing::ReadFileOrDie(dir_.File(".strata_history")), "SELECT 40 + 2\n  AS answer;\n.tables\n.quit\n");
}

}  // namespace
}  // namespace strata
