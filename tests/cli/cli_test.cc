// End-to-end tests of the `strata` command: the built binary, run as a user would, on the
// bundled data and on small files made by the tests, in a temporary directory.
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "strata/workspace.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunStrata;
using testing::SourcePath;
using testing::TempDir;

const std::string kChurn = SourcePath("examples/data/churn.csv");

TEST(CliTest, HelpIsAvailableForEveryCommand) {
  TempDir dir;
  auto top = RunStrata({"--help"}, dir.path());
  EXPECT_EQ(top.exit_code, 0);
  for (const char* cmd : {"collect", "prepare", "tables", "head", "doctor", "quickstart"}) {
    EXPECT_THAT(top.out, HasSubstr(cmd));
    auto r = RunStrata({cmd, "--help"}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_THAT(r.out, HasSubstr("Usage")) << cmd;
  }
}

TEST(CliTest, UnknownCommandOrOptionIsAUsageError) {
  TempDir dir;
  auto r = RunStrata({"colect"}, dir.path());
  EXPECT_EQ(r.exit_code, 2);
  auto r2 = RunStrata({"collect", kChurn, "--bogus"}, dir.path());
  EXPECT_EQ(r2.exit_code, 2);
  EXPECT_THAT(r2.err, HasSubstr("--bogus"));
}

TEST(CliTest, CollectThenPrepareTheBundledData) {
  TempDir dir;
  auto c = RunStrata({"collect", kChurn}, dir.path());
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("into table 'churn': 5,000 rows x 20 columns"));
  EXPECT_THAT(c.out, HasSubstr("total_day_minutes"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "strata.db"));

  auto t = RunStrata({"tables", "--format", "json"}, dir.path());
  ASSERT_EQ(t.exit_code, 0) << t.err;
  auto tables = nlohmann::json::parse(t.out);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0]["table"], "churn");
  EXPECT_EQ(tables[0]["rows"], 5000);
  EXPECT_EQ(tables[0]["columns"], 20);

  auto p = RunStrata({"prepare", "churn", "--target", "churn"}, dir.path());
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(p.out, HasSubstr("Label 'churn': classification with 2 classes"));
  EXPECT_THAT(p.out, HasSubstr("14.1%"));
  EXPECT_THAT(p.out, HasSubstr("imbalanced"));
  EXPECT_THAT(p.out, HasSubstr("collect more data"));
  EXPECT_THAT(p.out, HasSubstr("SMOTE"));

  auto pj = RunStrata({"prepare", "churn", "--target", "churn", "--format", "json"}, dir.path());
  ASSERT_EQ(pj.exit_code, 0) << pj.err;
  auto profile = nlohmann::json::parse(pj.out);
  EXPECT_EQ(profile["rows"], 5000);
  EXPECT_EQ(profile["label"]["imbalanced"], true);
  EXPECT_EQ(profile["label"]["minority_label"], "yes");

  auto h = RunStrata({"head", "churn", "-n", "3", "--format", "csv"}, dir.path());
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_THAT(h.out, HasSubstr("state,account_length"));
  EXPECT_THAT(h.out, HasSubstr("KS,128,area_code_415,no,yes,25,265.1"));
  EXPECT_EQ(std::count(h.out.begin(), h.out.end(), '\n'), 4);
}

TEST(CliTest, WorkspaceComesFromOptionOrEnvironment) {
  TempDir dir;
  auto c = RunStrata({"collect", kChurn, "--as", "c1", "--workspace", "a.db"}, dir.path());
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "a.db"));
  auto e = RunStrata({"collect", kChurn, "--as", "c2"}, dir.path(), {"STRATA_WORKSPACE=b.db"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "b.db"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "strata.db"));
  auto t = RunStrata({"tables", "--format", "csv"}, dir.path(), {"STRATA_WORKSPACE=b.db"});
  EXPECT_THAT(t.out, HasSubstr("c2"));
  EXPECT_THAT(t.out, Not(HasSubstr("c1")));
}

TEST(CliTest, CollectingTwiceNeedsReplaceOrAppend) {
  TempDir dir;
  std::string csv = dir.Write("small.csv", "a,b\n1,x\n2,y\n");
  ASSERT_EQ(RunStrata({"collect", csv}, dir.path()).exit_code, 0);
  auto again = RunStrata({"collect", csv}, dir.path());
  EXPECT_EQ(again.exit_code, 5);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
  EXPECT_THAT(again.err, HasSubstr("--replace"));
  ASSERT_EQ(RunStrata({"collect", csv, "--append"}, dir.path()).exit_code, 0);
  auto t = RunStrata({"tables", "--format", "json"}, dir.path());
  EXPECT_EQ(nlohmann::json::parse(t.out)[0]["rows"], 4);
  ASSERT_EQ(RunStrata({"collect", csv, "--replace"}, dir.path()).exit_code, 0);
  t = RunStrata({"tables", "--format", "json"}, dir.path());
  EXPECT_EQ(nlohmann::json::parse(t.out)[0]["rows"], 2);
}

TEST(CliTest, BadFileFailsWithLocationAndLeavesWorkspaceUnchanged) {
  TempDir dir;
  ASSERT_EQ(RunStrata({"collect", kChurn}, dir.path()).exit_code, 0);
  std::string bad = dir.Write("bad.csv", "a,b,c\n1,2,3\n4,5\n");
  auto r = RunStrata({"collect", bad, "--as", "churn", "--replace"}, dir.path());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("bad.csv:3:"));
  EXPECT_THAT(r.err, HasSubstr("--on-bad-row"));
  // The old table is intact.
  auto t = RunStrata({"tables", "--format", "json"}, dir.path());
  auto tables = nlohmann::json::parse(t.out);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0]["rows"], 5000);

  auto skip = RunStrata({"collect", bad, "--on-bad-row", "skip"}, dir.path());
  ASSERT_EQ(skip.exit_code, 0) << skip.err;
  EXPECT_THAT(skip.out, HasSubstr("skipped 1 ragged rows"));
}

TEST(CliTest, TypeOverridesAndOptionErrorsAreChecked) {
  TempDir dir;
  std::string csv = dir.Write("zips.csv", "zip;amount\n12345;1.5\n54321;2\n");
  auto r = RunStrata({"collect", csv, "--types", "zip=STRING", "--format", "json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["columns"][0]["type"], "STRING");
  EXPECT_EQ(j["columns"][1]["type"], "FLOAT64");

  auto bad_type = RunStrata({"collect", csv, "--as", "z2", "--types", "zip=STRNG"}, dir.path());
  EXPECT_EQ(bad_type.exit_code, 3);
  EXPECT_THAT(bad_type.err, HasSubstr("unknown type 'STRNG'"));
  auto bad_col = RunStrata({"collect", csv, "--as", "z3", "--types", "zipp=STRING"}, dir.path());
  EXPECT_EQ(bad_col.exit_code, 3);
  EXPECT_THAT(bad_col.err, HasSubstr("zip"));
  auto bad_delim = RunStrata({"collect", csv, "--as", "z4", "--delimiter", "ab"}, dir.path());
  EXPECT_EQ(bad_delim.exit_code, 3);
  EXPECT_THAT(bad_delim.err, HasSubstr("--delimiter"));
}

TEST(CliTest, ReadsJsonLinesAndStandardInput) {
  TempDir dir;
  std::string jl = dir.Write("events.jsonl",
                             "{\"id\": 1, \"user\": {\"name\": \"ann\"}, \"tags\": [1,2]}\n"
                             "{\"id\": 2, \"user\": {\"name\": \"bob\"}}\n");
  auto r = RunStrata({"collect", jl, "--format", "json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["table"], "events");
  EXPECT_EQ(j["columns"][1]["name"], "user.name");

  auto s = RunStrata({"collect", "-", "--as", "piped"}, dir.path(), {}, "x,y\n1,2\n3,4\n");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto h = RunStrata({"head", "piped", "--format", "json"}, dir.path());
  EXPECT_EQ(nlohmann::json::parse(h.out)[1]["y"], 4);
  auto nostdin = RunStrata({"collect", "-"}, dir.path(), {}, "x\n1\n");
  EXPECT_EQ(nostdin.exit_code, 3);
  EXPECT_THAT(nostdin.err, HasSubstr("--as"));
}

TEST(CliTest, ReadingCommandsDoNotCreateAWorkspace) {
  TempDir dir;
  auto r = RunStrata({"tables"}, dir.path());
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("no workspace at"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "strata.db"));
  ASSERT_EQ(RunStrata({"collect", kChurn}, dir.path()).exit_code, 0);
  auto missing = RunStrata({"prepare", "chrun"}, dir.path());
  EXPECT_EQ(missing.exit_code, 4);
  EXPECT_THAT(missing.err, HasSubstr("Did you mean 'churn'?"));
  auto bad_target = RunStrata({"prepare", "churn", "--target", "chrn"}, dir.path());
  EXPECT_EQ(bad_target.exit_code, 4);
  EXPECT_THAT(bad_target.err, HasSubstr("Did you mean 'churn'?"));
}

TEST(CliTest, MissingFileIsNotFound) {
  TempDir dir;
  auto r = RunStrata({"collect", "nope.csv"}, dir.path());
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.err, HasSubstr("nope.csv"));
}

TEST(CliTest, DoctorReportsVersionsAndWorkspace) {
  TempDir dir;
  auto r = RunStrata({"doctor", "--format", "json"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto checks = nlohmann::json::parse(r.out);
  std::map<std::string, std::string> by_item;
  for (const auto& c : checks) by_item[c["item"]] = c["value"];
  EXPECT_THAT(by_item["sqlite"], HasSubstr("3."));
  EXPECT_NE(by_item["threads"], "");
  EXPECT_THAT(by_item["memory"], HasSubstr("total"));
  EXPECT_EQ(by_item["workspace writable"], "yes");
  EXPECT_THAT(by_item["workspace"], HasSubstr("strata.db"));

  auto bad = RunStrata({"doctor", "--workspace", "/nonexistent-dir/x.db"}, dir.path());
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.out, HasSubstr("does not exist"));
}

TEST(CliTest, QuickstartRunsTheStepsAndLeavesAWorkspace) {
  TempDir dir;
  auto r = RunStrata({"quickstart"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("[1/7] Collect"));
  EXPECT_THAT(r.out, HasSubstr("5,000 rows x 20 columns"));
  EXPECT_THAT(r.out, HasSubstr("[2/7] Prepare"));
  EXPECT_THAT(r.out, HasSubstr("no 4,293 (85.9%) yes 707 (14.1%)"));
  EXPECT_THAT(r.out, HasSubstr("[3/7] Choose a model"));
  EXPECT_THAT(r.out, HasSubstr("Using BOOSTED_TREE_CLASSIFIER"));
  EXPECT_THAT(r.out, HasSubstr("[4/7] Train"));
  EXPECT_THAT(r.out, HasSubstr("[5/7] Evaluate"));
  EXPECT_THAT(r.out, HasSubstr("roc_auc"));
  EXPECT_THAT(r.out, HasSubstr("[6/7] Tune parameters"));
  EXPECT_THAT(r.out, HasSubstr("8 trials of BOOSTED_TREE_CLASSIFIER"));
  EXPECT_THAT(r.out, HasSubstr("held-out test rows"));
  EXPECT_THAT(r.out, HasSubstr("[7/7] Make predictions"));
  auto again = RunStrata({"quickstart"}, dir.path());
  ASSERT_EQ(again.exit_code, 0) << again.err << " (quickstart must be re-runnable)";
  auto ws = Workspace::Open(dir.File("strata.db"));
  ASSERT_OK(ws);
  auto table = (*ws)->ReadTable("churn");
  ASSERT_OK(table);
  EXPECT_EQ(table->num_rows(), 5000);
  auto predictions = (*ws)->ReadTable("churn_predictions");
  ASSERT_OK(predictions);
  EXPECT_EQ(predictions->num_rows(), 5000);
  EXPECT_GE(predictions->ColumnIndex("predicted_churn_probs"), 0);
  auto models = RunStrata({"models", "list", "--format", "json"}, dir.path());
  ASSERT_EQ(models.exit_code, 0) << models.err;
  EXPECT_THAT(models.out, HasSubstr("churn_model"));
  EXPECT_THAT(models.out, HasSubstr("churn_tuned"));
  auto trials = RunStrata({"sql", "-c", "SELECT count(*) AS n FROM ML.TRIAL_INFO(MODEL churn_tuned)", "--mode", "csv"},
                          dir.path());
  ASSERT_EQ(trials.exit_code, 0) << trials.err;
  EXPECT_THAT(trials.out, HasSubstr("8"));
}

// The hints quickstart prints must work when pasted into a shell: they name the binary as it
// was invoked (it need not be on PATH) and the workspace that was passed.
TEST(CliTest, QuickstartHintsRunAsPrinted) {
  TempDir dir;
  auto r = RunStrata({"--workspace", "my demo.db", "quickstart"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string prefix = std::string(STRATA_CLI_PATH) + " --workspace 'my demo.db'";
  std::vector<std::string> hints;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    auto at = line.find(prefix);
    if (at == std::string::npos) continue;
    std::string hint = line.substr(at);
    if (hint.find(" serve") != std::string::npos || hint.find(" automl") != std::string::npos)
      continue;
    hints.push_back(hint);
  }
  // tables, models list, evaluate, predict, explain, and the ML.TRIAL_INFO query.
  ASSERT_EQ(hints.size(), 6u) << r.out;
  for (const std::string& hint : hints) {
    std::string command = "cd '" + dir.path().string() + "' && " + hint + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << hint;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "strata.db"))
      << "a hint opened the default workspace";
}

}  // namespace
}  // namespace strata
