// End-to-end tests of the ML commands (choose, train, evaluate, predict, explain, models) as
// a user runs them: the built binary on the bundled churn data in a temporary directory.
#include <nlohmann/json.hpp>

#include <fstream>

#include "support/churn_data.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunStrata;
using testing::SourcePath;
using testing::TempDir;

const std::string kChurn = SourcePath("examples/data/churn.csv");

class MlCliTest : public testing::ChurnCliTest {};

TEST_F(MlCliTest, HelpForEveryMlCommand) {
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{"choose"}, {"train"}, {"evaluate"}, {"predict"}, {"explain"},
        {"models"}, {"models", "list"}, {"models", "export"}, {"models", "types"}}) {
    cmd.push_back("--help");
    auto r = Run(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd[0];
    EXPECT_THAT(r.out, HasSubstr("Usage")) << cmd[0];
  }
}

TEST_F(MlCliTest, ChooseRecommendsWithReasons) {
  auto r = Run({"choose", "churn", "--target", "churn"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("BOOSTED_TREE_CLASSIFIER"));
  EXPECT_THAT(r.out, HasSubstr("imbalanced"));
}

TEST_F(MlCliTest, TrainEvaluatePredictExplainAndTheRegistry) {
  auto t = Run({"train", "churn", "--target", "churn", "--model", "BOOSTED_TREE_CLASSIFIER",
                "--downsample", "2", "-o", "max_iterations=15", "--format", "json"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  auto trained = nlohmann::json::parse(t.out);
  EXPECT_EQ(trained["model"], "churn_model");
  EXPECT_EQ(trained["version"], 1);
  EXPECT_GT(trained["metrics"]["roc_auc"].get<double>(), 0.85);
  EXPECT_EQ(trained["lineage"]["eval_rows"], 1000);  // never resampled

  auto e = Run({"evaluate", "churn_model", "--format", "json"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  auto metrics = nlohmann::json::parse(e.out);
  EXPECT_NEAR(metrics["roc_auc"].get<double>(), trained["metrics"]["roc_auc"].get<double>(), 1e-12);

  auto p = Run({"predict", "churn_model", "--table", "churn", "--rows", "3", "--format", "csv"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(p.out, HasSubstr("predicted_churn,predicted_churn_probs"));
  EXPECT_THAT(p.out, HasSubstr("\"\"label\"\":\"\"yes\"\""));  // JSON inside CSV quoting

  auto out_file = dir_.File("predictions.csv");
  auto pf = Run({"predict", "churn_model", "--file", kChurn, "--output", out_file});
  ASSERT_EQ(pf.exit_code, 0) << pf.err;
  std::ifstream in(out_file);
  std::string header;
  std::getline(in, header);
  EXPECT_THAT(header, HasSubstr("predicted_churn"));

  auto x = Run({"explain", "churn_model", "--table", "churn", "--rows", "2"});
  ASSERT_EQ(x.exit_code, 0) << x.err;

  auto again = Run({"train", "churn", "--target", "churn", "--model", "LOGISTIC_REG",
                    "--name", "churn_model"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto list = Run({"models", "list", "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto models = nlohmann::json::parse(list.out);
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["versions"], 2);

  auto bundle = dir_.File("model.bundle");
  ASSERT_EQ(Run({"models", "export", "churn_model", bundle}).exit_code, 0);
  auto imported = Run({"models", "import", bundle, "--as", "copy"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  ASSERT_EQ(Run({"models", "drop", "copy"}).exit_code, 0);
  auto gone = Run({"evaluate", "copy"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_THAT(gone.err, HasSubstr("copy"));
}

TEST_F(MlCliTest, TrainStraightFromAFileRecordsTheFilesFingerprint) {
  // A fresh workspace: training from a file needs none beforehand.
  TempDir fresh;
  auto t = RunStrata({"-w", fresh.File("w.db"), "train", "--file", kChurn, "--target", "churn",
                      "--model", "LOGISTIC_REG", "--format", "json"},
                     fresh.path());
  ASSERT_EQ(t.exit_code, 0) << t.err;
  auto trained = nlohmann::json::parse(t.out);
  EXPECT_EQ(trained["model"], "churn_model");  // named after the file
  EXPECT_EQ(trained["lineage"]["source"], kChurn);
  EXPECT_EQ(trained["lineage"]["source_kind"], "file");
  const std::string fingerprint = trained["lineage"]["data_fingerprint"];
  EXPECT_THAT(fingerprint, ::testing::MatchesRegex("xxh3:[0-9a-f]{16}"));
  EXPECT_EQ(trained["lineage"]["rows"], 5000);

  // The same rows from the workspace table train the same model.
  auto w = Run({"train", "churn", "--target", "churn", "--model", "LOGISTIC_REG", "--format",
                "json"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  auto from_table = nlohmann::json::parse(w.out);
  EXPECT_EQ(from_table["lineage"]["source_kind"], "table");
  EXPECT_NEAR(from_table["metrics"]["log_loss"].get<double>(),
              trained["metrics"]["log_loss"].get<double>(), 1e-12);

  // A changed file has another fingerprint.
  auto copy = fresh.File("churn_copy.csv");
  {
    std::ifstream in(kChurn);
    std::ofstream out(copy);
    out << in.rdbuf() << "\n";  // one more (empty) line at the end: same rows, other bytes
  }
  auto c = RunStrata({"-w", fresh.File("w.db"), "train", "--file", copy, "--target", "churn",
                      "--model", "LOGISTIC_REG", "--format", "json"},
                     fresh.path());
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(nlohmann::json::parse(c.out)["lineage"]["data_fingerprint"], fingerprint);

  auto both = Run({"train", "churn", "--file", kChurn, "--target", "churn", "--model",
                   "LOGISTIC_REG"});
  EXPECT_NE(both.exit_code, 0);
  EXPECT_THAT(both.err, HasSubstr("not both"));
  auto neither = Run({"train", "--target", "churn", "--model", "LOGISTIC_REG"});
  EXPECT_NE(neither.exit_code, 0);
  EXPECT_THAT(neither.err, HasSubstr("--file FILE"));
  auto missing = Run({"train", "--file", "no_such.csv", "--target", "churn", "--model",
                      "LOGISTIC_REG"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("no_such.csv"));
}

// A model saved by xgboost-python (tests/sql/reference/xgboost_import_reference.py) imports
// from the CLI as from SQL, and predicts from the columns its feature names give.
TEST_F(MlCliTest, ImportsAModelSavedByXgboost) {
  const std::string model = SourcePath("tests/sql/reference/xgb_churn_classifier.json");
  auto r = Run({"models", "import", model, "--as", "xgb", "--xgboost"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto p = Run({"predict", "xgb", "--table", "churn", "--rows", "2", "--only-predictions", "--format", "csv"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(p.out, HasSubstr("predicted_label,predicted_label_probs"));
  auto regressor = Run({"models", "import", SourcePath("tests/sql/reference/xgb_night_regressor.json"), "--as",
                        "night", "--xgboost", "--input-columns",
                        "total_day_minutes,total_eve_minutes,number_customer_service_calls,total_intl_calls"});
  ASSERT_EQ(regressor.exit_code, 0) << regressor.err;
  auto bad = Run({"models", "import", model, "--as", "x", "--input-columns", "a"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("add --xgboost"));
}

TEST_F(MlCliTest, BadInputGetsAClearErrorAndANonZeroExit) {
  auto option = Run({"train", "churn", "--target", "churn", "--model", "LOGISTIC_REG", "-o",
                     "l2_regg=1"});
  EXPECT_NE(option.exit_code, 0);
  EXPECT_THAT(option.err, HasSubstr("Did you mean 'l2_reg'"));

  auto range = Run({"train", "churn", "--target", "churn", "--model", "BOOSTED_TREE_CLASSIFIER",
                    "-o", "max_tree_depth=0"});
  EXPECT_NE(range.exit_code, 0);
  EXPECT_THAT(range.err, HasSubstr("max_tree_depth"));

  auto type = Run({"train", "churn", "--target", "churn", "--model", "BOOSTED_TREE_CLASIFIER"});
  EXPECT_NE(type.exit_code, 0);
  EXPECT_THAT(type.err, HasSubstr("BOOSTED_TREE_CLASSIFIER"));

  auto label = Run({"train", "churn", "--target", "chrun", "--model", "LOGISTIC_REG"});
  EXPECT_NE(label.exit_code, 0);
  EXPECT_THAT(label.err, HasSubstr("churn"));

  auto corrupt = dir_.File("corrupt.bundle");
  std::ofstream(corrupt) << "not a bundle";
  auto imported = Run({"models", "import", corrupt, "--as", "bad"});
  EXPECT_NE(imported.exit_code, 0);
  EXPECT_THAT(imported.err, HasSubstr(corrupt));
}

// `strata automl` as a user runs it: a short budget on a file, JSON output, the model then
// predicting like any other; bad input named clearly.
TEST(AutoMlCliTest, FindsAModelWithinTheBudgetAndItPredicts) {
  TempDir dir;
  {
    std::ifstream in(kChurn);
    std::string line;
    std::ofstream out(dir.File("small.csv"));
    for (int i = 0; i <= 800 && std::getline(in, line); ++i) out << line << "\n";
  }
  auto r = RunStrata({"automl", "--file", "small.csv", "--target", "churn", "--budget", "8s", "--folds", "3",
                      "--format", "json"},
                     dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["model"], "small_automl");
  EXPECT_EQ(j["model_type"], "AUTOML_CLASSIFIER");
  EXPECT_EQ(j["metric"], "roc_auc");
  // The 10% contract is measured by bench/automl on an idle machine; tests also run under
  // sanitizers and CI load, so they only check the budget bounds the run.
  EXPECT_LE(j["seconds"].get<double>(), 8 * 1.5);
  EXPECT_FALSE(j["leaderboard"].empty());
  EXPECT_EQ(j["leaderboard"][0]["status"], "ok");
  EXPECT_THAT(r.err, HasSubstr("boosted_tree_lr0.1_d6"));  // progress on stderr
  auto p = RunStrata({"predict", "small_automl", "--file", "small.csv", "--rows", "5", "--format", "csv"},
                     dir.path().string());
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_THAT(p.out, HasSubstr("predicted_churn_probs"));
  auto show = RunStrata({"models", "show", "small_automl"}, dir.path().string());
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("AUTOML_CLASSIFIER"));
  EXPECT_THAT(show.out, HasSubstr("Leaderboard (roc_auc, mean ± std over the folds)"));
  EXPECT_THAT(show.out, HasSubstr("boosted_tree_lr0.1_d6"));
  // Each configuration's key options, without the iteration caps early stopping makes moot.
  EXPECT_THAT(show.out, HasSubstr("key options"));
  EXPECT_THAT(show.out, HasSubstr("learn_rate=0.1 max_tree_depth=6"));
  EXPECT_THAT(show.out, Not(HasSubstr("early_stopping_rounds=")));

  auto bad_budget = RunStrata({"automl", "--file", "small.csv", "--target", "churn", "--budget", "5x"},
                              dir.path().string());
  EXPECT_NE(bad_budget.exit_code, 0);
  EXPECT_THAT(bad_budget.err, HasSubstr("--budget '5x': expected a positive duration"));
  auto no_target = RunStrata({"automl", "--file", "small.csv", "--target", "chrn"}, dir.path().string());
  EXPECT_NE(no_target.exit_code, 0);
  EXPECT_THAT(no_target.err, HasSubstr("churn"));
  auto help = RunStrata({"automl", "--help"}, dir.path().string());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--budget"));
}

}  // namespace
}  // namespace strata
