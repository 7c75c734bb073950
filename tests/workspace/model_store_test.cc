#include "strata/model_store.h"

#include "strata/csv.h"
#include "support/test_support.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

ModelBundle MakeBundle(double auc) {
  ModelBundle b;
  b.model_type = "LOGISTIC_REG";
  b.task = Task::kClassification;
  b.label = "y";
  b.class_labels = {"a", "b"};
  b.payload = "payload";
  b.spec.model_type = "LOGISTIC_REG";
  b.metrics = {{"roc_auc", auc}};
  b.options = nlohmann::json::object();
  b.training_info = nlohmann::json::array();
  b.importance = nlohmann::json::array();
  b.lineage = nlohmann::json::object();
  return b;
}

TEST(ModelStoreTest, VersionsCountUpAndLoadPicksTheLatest) {
  testing::TempDir dir;
  auto ws = Workspace::Open(dir.File("w.db"));
  ASSERT_OK(ws);
  ModelStore store(**ws);
  EXPECT_EQ(*store.Save("m", MakeBundle(0.7)), 1);
  EXPECT_EQ(*store.Save("m", MakeBundle(0.8)), 2);
  auto latest = store.Load("m");
  ASSERT_OK(latest);
  EXPECT_EQ(latest->metrics["roc_auc"], 0.8);
  auto first = store.Load("m", 1);
  ASSERT_OK(first);
  EXPECT_EQ(first->metrics["roc_auc"], 0.7);
  EXPECT_THAT(store.Load("m", 9).status().message(), HasSubstr("has no version 9"));
  auto versions = store.Versions("m");
  ASSERT_OK(versions);
  EXPECT_EQ(versions->size(), 2u);
  auto list = store.List();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].latest_version, 2);
  // CREATE OR REPLACE: versions start again.
  EXPECT_EQ(*store.Save("m", MakeBundle(0.9), /*replace=*/true), 1);
}

TEST(ModelStoreTest, UnknownModelsSuggestAndDropRemovesEverything) {
  testing::TempDir dir;
  auto ws = Workspace::Open(dir.File("w.db"));
  ASSERT_OK(ws);
  ModelStore store(**ws);
  ASSERT_OK(store.Save("churn_model", MakeBundle(0.7)));
  auto missing = store.Load("churn_modle");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("Did you mean 'churn_model'?"));
  ASSERT_OK(store.Drop("churn_model"));
  EXPECT_FALSE(store.Has("churn_model"));
  EXPECT_EQ(store.Drop("churn_model").code(), StatusCode::kNotFound);
  auto rows = (*ws)->db().QueryInt64("SELECT COUNT(*) FROM strata_model_versions");
  ASSERT_OK(rows);
  EXPECT_EQ(*rows, 0);
}

TEST(ModelStoreTest, ModelsAndTablesShareOneNamespace) {
  testing::TempDir dir;
  auto ws = Workspace::Open(dir.File("w.db"));
  ASSERT_OK(ws);
  auto t = ReadCsvText("a\n1\n", "t.csv");
  ASSERT_OK(t);
  ASSERT_OK((*ws)->WriteTable("churn", *t));
  ModelStore store(**ws);
  auto clash = store.Save("churn", MakeBundle(0.5));
  EXPECT_EQ(clash.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store.Save("strata_x", MakeBundle(0.5)).status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelStoreTest, AFailedSaveLeavesNoHalfMadeModel) {
  testing::TempDir dir;
  auto ws = Workspace::Open(dir.File("w.db"));
  ASSERT_OK(ws);
  ModelStore store(**ws);
  ASSERT_OK(store.Save("m", MakeBundle(0.7)));
  // A disk that fills up mid-save (real SQLite limit, no mock).
  auto pages = (*ws)->db().QueryInt64("PRAGMA page_count");
  ASSERT_OK(pages);
  ASSERT_OK((*ws)->db().Exec("PRAGMA max_page_count = " + std::to_string(*pages)));
  ModelBundle big = MakeBundle(0.9);
  big.payload = std::string(1 << 20, 'x');
  auto r = store.Save("m", big);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  auto r2 = store.Save("other", big);
  EXPECT_FALSE(r2.ok());
  ASSERT_OK((*ws)->db().Exec("PRAGMA max_page_count = 1073741823"));
  auto versions = store.Versions("m");
  ASSERT_OK(versions);
  EXPECT_EQ(versions->size(), 1u);
  EXPECT_FALSE(store.Has("other"));
}

TEST(ModelStoreTest, CorruptStoredBundleIsReportedNotCrashed) {
  testing::TempDir dir;
  auto ws = Workspace::Open(dir.File("w.db"));
  ASSERT_OK(ws);
  ModelStore store(**ws);
  ASSERT_OK(store.Save("m", MakeBundle(0.7)));
  ASSERT_OK((*ws)->db().Exec("UPDATE strata_model_versions SET bundle = substr(bundle, 1, 40)"));
  auto r = store.Load("m");
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(r.status().message(), HasSubstr("model 'm' version 1"));
}

}  // namespace
}  // namespace strata
