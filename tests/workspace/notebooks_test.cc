// Notebooks in the workspace: create, replace, list, get, delete, validation of names and
// content, and the upgrade of an older workspace that adds strata_notebooks.
#include "strata/notebooks.h"

#include "support/test_support.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::testing::HasSubstr;
using nlohmann::json;

json Cells(std::initializer_list<const char*> sql) {
  json cells = json::array();
  for (const char* s : sql) cells.push_back({{"sql", s}});
  return {{"cells", cells}};
}

// Each test gets a fresh workspace.
class NotebooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ws = Workspace::Open(dir_.File("ws.db"));
    ASSERT_OK(ws);
    ws_ = std::move(ws).value();
  }
  TempDir dir_;
  std::unique_ptr<Workspace> ws_;
};

TEST_F(NotebooksTest, CreateReplaceListGetDelete) {
  Notebooks notebooks(*ws_);
  Result<bool> created = notebooks.Put("churn", Cells({"SELECT 1", "SELECT 2"}));
  ASSERT_OK(created);
  EXPECT_TRUE(*created);
  created = notebooks.Put("churn", Cells({"SELECT 3"}));
  ASSERT_OK(created);
  EXPECT_FALSE(*created);
  ASSERT_OK(notebooks.Put("a.b-c_d", Cells({})));

  Result<std::vector<NotebookInfo>> list = notebooks.List();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "a.b-c_d");
  EXPECT_EQ((*list)[0].cells, 0u);
  EXPECT_EQ((*list)[1].name, "churn");
  EXPECT_EQ((*list)[1].cells, 1u);

  Result<NotebookInfo> nb = notebooks.Get("churn");
  ASSERT_OK(nb);
  EXPECT_EQ(nb->content, Cells({"SELECT 3"}));
  EXPECT_EQ(nb->created_at.size(), 19u);
  EXPECT_GE(nb->updated_at, nb->created_at);

  ASSERT_OK(notebooks.Delete("churn"));
  Status gone = notebooks.Get("churn").status();
  EXPECT_EQ(gone.code(), StatusCode::kNotFound);
  Status again = notebooks.Delete("chrun");
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_THAT(again.message(), HasSubstr("no notebook named 'chrun'"));
}

TEST_F(NotebooksTest, MisspeltNameSuggestsTheClosest) {
  Notebooks notebooks(*ws_);
  ASSERT_OK(notebooks.Put("churn_analysis", Cells({"SELECT 1"})));
  Status s = notebooks.Get("churn_analysys").status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("Did you mean 'churn_analysis'?"));
}

TEST_F(NotebooksTest, RefusesBadNamesAndContentNamingTheField) {
  Notebooks notebooks(*ws_);
  EXPECT_THAT(notebooks.Put("a/b", Cells({})).status().message(), HasSubstr("may only contain"));
  EXPECT_THAT(notebooks.Put("", Cells({})).status().message(), HasSubstr("1 to 128 characters"));
  EXPECT_THAT(notebooks.Put("x", json::object()).status().message(), HasSubstr("lacks the field \"cells\""));
  EXPECT_THAT(notebooks.Put("x", {{"cells", "SELECT 1"}}).status().message(),
              HasSubstr("\"cells\" must be an array, got string"));
  EXPECT_THAT(notebooks.Put("x", {{"cells", {{{"sql", "SELECT 1"}}, {{"sql", 3}}}}}).status().message(),
              HasSubstr("cells[1].sql must be a string"));
  EXPECT_THAT(notebooks.Put("x", {{"cells", {{{"sql", "SELECT 1"}, {"output", 1}}}}}).status().message(),
              HasSubstr("cells[0] has the unknown field \"output\""));
  EXPECT_THAT(notebooks.Put("x", {{"cells", json::array()}, {"title", "t"}}).status().message(),
              HasSubstr("unknown field \"title\""));
  json big = Cells({});
  big["cells"].push_back({{"sql", std::string(kMaxNotebookBytes, 'x')}});
  Status too_big = notebooks.Put("x", big).status();
  EXPECT_EQ(too_big.code(), StatusCode::kOutOfRange);
  EXPECT_THAT(too_big.message(), HasSubstr("at most 1048576 are allowed"));
  // Nothing was stored by the refused writes.
  Result<std::vector<NotebookInfo>> list = notebooks.List();
  ASSERT_OK(list);
  EXPECT_TRUE(list->empty());
}

TEST_F(NotebooksTest, AnOlderWorkspaceGainsTheNotebookTable) {
  const std::string path = ws_->path();
  {
    // The notebook table is the newest migration: one version back is a workspace without it.
    std::unique_ptr<Workspace> ws = std::move(ws_);
    ASSERT_OK(ws->db().Exec("DROP TABLE strata_notebooks; PRAGMA user_version = " +
                            std::to_string(kWorkspaceSchemaVersion - 1)));
  }
  auto ws = Workspace::Open(path);
  ASSERT_OK(ws);
  EXPECT_EQ((*ws)->schema_version(), kWorkspaceSchemaVersion);
  Notebooks notebooks(**ws);
  ASSERT_OK(notebooks.Put("after_upgrade", Cells({"SELECT 1"})));
  EXPECT_OK(notebooks.Get("after_upgrade"));
}

}  // namespace
}  // namespace strata
