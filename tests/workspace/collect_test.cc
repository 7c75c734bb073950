// CollectFile: a data file read with type inference and stored in one transaction, the one
// import behind `strata collect` and the server's dataset upload.
#include "strata/collect.h"

#include <filesystem>

#include "support/test_support.h"

namespace strata {
namespace {

using ::strata::testing::TempDir;
using ::testing::HasSubstr;

TEST(CollectFileTest, StoresTheTableWithInferredTypesAndRecordsSourceAndFormat) {
  TempDir dir;
  auto ws = Workspace::Open(dir.File("ws.db"));
  ASSERT_OK(ws);
  // No known extension: the option decides.
  std::string path =
      dir.Write("people.data", "{\"name\": \"Ann\", \"age\": 31}\n{\"name\": \"Bo\", \"age\": 2.5}\n");
  CollectOptions options;
  options.read.format = FileFormat::kJsonLines;
  options.write.source = "upload";
  Result<CollectResult> r = CollectFile(**ws, path, "people", options);
  ASSERT_OK(r);
  EXPECT_EQ(r->table.num_rows(), 2);
  EXPECT_EQ(r->report.format, FileFormat::kJsonLines);
  EXPECT_GT(r->report.bytes, 0);
  EXPECT_GE(r->seconds, 0.0);
  Result<TableInfo> info = (*ws)->DescribeTable("people");
  ASSERT_OK(info);
  EXPECT_EQ(info->schema, (Schema{{"name", DataType::kString}, {"age", DataType::kFloat64}}));
  EXPECT_EQ(info->source, "upload");
  EXPECT_EQ(info->format, "jsonl");
}

TEST(CollectFileTest, ExistingTableOrBadFileChangesNothing) {
  TempDir dir;
  auto ws = Workspace::Open(dir.File("ws.db"));
  ASSERT_OK(ws);
  std::string good = dir.Write("t.csv", "a,b\n1,2\n");
  std::string bad = dir.Write("bad.csv", "a,b\n1,2\n3,4,5\n");
  ASSERT_OK(CollectFile(**ws, good, "t"));
  EXPECT_EQ((*ws)->DescribeTable("t")->source, std::filesystem::absolute(good).string());

  Result<CollectResult> again = CollectFile(**ws, good, "t");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);

  CollectOptions replace;
  replace.write.mode = WriteMode::kReplace;
  Result<CollectResult> broken = CollectFile(**ws, bad, "t", replace);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(broken.status().message(), HasSubstr("bad.csv:3:"));
  EXPECT_EQ((*ws)->DescribeTable("t")->rows, 1) << "the old table is intact";
}

}  // namespace
}  // namespace strata
