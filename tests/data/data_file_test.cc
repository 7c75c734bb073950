#include "strata/data_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(FileFormatTest, ParsesNamesCaseInsensitively) {
  EXPECT_EQ(ParseFileFormat("auto"), FileFormat::kAuto);
  EXPECT_EQ(ParseFileFormat("CSV"), FileFormat::kCsv);
  EXPECT_EQ(ParseFileFormat("tsv"), FileFormat::kTsv);
  EXPECT_EQ(ParseFileFormat("json"), FileFormat::kJsonLines);
  EXPECT_EQ(ParseFileFormat("JsonL"), FileFormat::kJsonLines);
  EXPECT_EQ(ParseFileFormat("ndjson"), FileFormat::kJsonLines);
  EXPECT_EQ(ParseFileFormat("parquet"), std::nullopt);
  EXPECT_EQ(ParseFileFormat(""), std::nullopt);
  for (FileFormat f :
       {FileFormat::kAuto, FileFormat::kCsv, FileFormat::kTsv, FileFormat::kJsonLines}) {
    EXPECT_EQ(ParseFileFormat(FileFormatName(f)), f) << "names parse back";
  }
  EXPECT_EQ(FileFormatName(FileFormat::kJsonLines), "jsonl");
}

TEST(FileFormatTest, FormatFromExtension) {
  EXPECT_EQ(FormatFromPath("data.csv"), FileFormat::kCsv);
  EXPECT_EQ(FormatFromPath("data.txt"), FileFormat::kCsv);
  EXPECT_EQ(FormatFromPath("dir/data.TSV"), FileFormat::kTsv);
  EXPECT_EQ(FormatFromPath("data.tab"), FileFormat::kTsv);
  EXPECT_EQ(FormatFromPath("events.jsonl"), FileFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("events.NDJSON"), FileFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("/tmp/x/events.json"), FileFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("data"), FileFormat::kCsv) << "unknown: CSV";
  EXPECT_EQ(FormatFromPath("data.xyz"), FileFormat::kCsv);
  EXPECT_EQ(FormatFromPath("dir.jsonl/data"), FileFormat::kCsv) << "only the file's extension";
  EXPECT_EQ(FormatFromPath("-"), FileFormat::kCsv);
}

TEST(FileFormatTest, SniffsJsonLinesFromALeadingBrace) {
  EXPECT_EQ(SniffFileFormat("{\"a\": 1}\n"), FileFormat::kJsonLines);
  EXPECT_EQ(SniffFileFormat("\xEF\xBB\xBF \r\n\t{\"a\": 1}"), FileFormat::kJsonLines)
      << "after a byte order mark and white space";
  EXPECT_EQ(SniffFileFormat("a,b\n1,2\n"), FileFormat::kCsv);
  EXPECT_EQ(SniffFileFormat("a\tb\n"), FileFormat::kCsv) << "the CSV reader sniffs tabs";
  EXPECT_EQ(SniffFileFormat("[1, 2]"), FileFormat::kCsv) << "a JSON array is no JSON Lines";
  EXPECT_EQ(SniffFileFormat(""), FileFormat::kCsv);
}

TEST(ReadDataFileTest, DispatchesOnExtensionAndFillsTheReport) {
  testing::TempDir dir;
  std::string jsonl = dir.Write("e.jsonl", "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"y\"}\n");
  DataFileReport report;
  Result<Table> t = ReadDataFile(jsonl, {}, &report);
  ASSERT_OK(t);
  EXPECT_EQ(report.format, FileFormat::kJsonLines);
  EXPECT_EQ(report.bytes, 32);
  EXPECT_EQ(report.rows, 2);
  EXPECT_EQ(report.columns, 2);
  EXPECT_EQ(t->column(0).type(), DataType::kInt64);

  std::string csv = dir.Write("d.csv", "a,b\n1,x\n2,y\n3,z\n");
  ASSERT_OK(ReadDataFile(csv, {}, &report));
  EXPECT_EQ(report.format, FileFormat::kCsv);
  EXPECT_EQ(report.rows, 3);
  EXPECT_EQ(report.csv.rows, 3);
  EXPECT_EQ(report.bytes, 16);

  // The format option beats the extension.
  std::string odd = dir.Write("events.log", "{\"a\":1}\n");
  DataFileOptions as_json;
  as_json.format = FileFormat::kJsonLines;
  Result<Table> j = ReadDataFile(odd, as_json, &report);
  ASSERT_OK(j);
  EXPECT_EQ(report.format, FileFormat::kJsonLines);
}

TEST(ReadDataFileTest, TsvDefaultsToTabUnlessTheDelimiterIsSet) {
  testing::TempDir dir;
  // Commas in the values: a sniffer could pick ',', the .tsv extension says tab.
  std::string tsv = dir.Write("d.tsv", "name\tnote\nAnn\ta,b\nBo\tc,d\n");
  DataFileReport report;
  Result<Table> t = ReadDataFile(tsv, {}, &report);
  ASSERT_OK(t);
  EXPECT_EQ(report.format, FileFormat::kTsv);
  EXPECT_EQ(report.csv.delimiter, '\t');
  ASSERT_EQ(t->num_columns(), 2);
  EXPECT_EQ(t->column(1).GetString(0), "a,b");

  std::string semi = dir.Write("s.tsv", "a;b\n1;2\n");
  DataFileOptions options;
  options.csv.delimiter = ';';
  Result<Table> s = ReadDataFile(semi, options, &report);
  ASSERT_OK(s);
  EXPECT_EQ(s->num_columns(), 2);
}

TEST(ReadDataFileTest, MissingFileIsNotFoundNamingThePath) {
  testing::TempDir dir;
  dir.Write("churn.csv", "a\n1\n");
  Result<Table> t = ReadDataFile(dir.File("chrun.csv"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(t.status().message(), HasSubstr(dir.File("chrun.csv")));
  EXPECT_THAT(t.status().message(), HasSubstr("Did you mean 'churn.csv'?"));
}

TEST(ReadDataFileTest, DirectoryIsInvalidArgument) {
  testing::TempDir dir;
  Result<Table> t = ReadDataFile(dir.path().string());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("is a directory"));
}

TEST(ReadDataFileTest, UnreadableFileIsIoError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
  testing::TempDir dir;
  std::string path = dir.Write("secret.csv", "a\n1\n");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  Result<Table> t = ReadDataFile(path);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kIoError);
  EXPECT_THAT(t.status().message(), HasSubstr(path));
}

TEST(ReadDataFileTest, CompressedFilesGetAClearError) {
  testing::TempDir dir;
  std::string gz = dir.Write("d.csv.gz", std::string("\x1F\x8B\x08\x00\x00\x00", 6));
  Result<Table> t = ReadDataFile(gz);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("gzip-compressed"));
  EXPECT_THAT(t.status().message(), HasSubstr("gunzip"));
  std::string xlsx = dir.Write("book.csv", "PK\x03\x04rest");
  EXPECT_THAT(ReadDataFile(xlsx).status().message(), HasSubstr("Excel"));
}

TEST(WriteDataFileTest, WritesByExtensionAndReadsBack) {
  Column a("a", DataType::kInt64);
  Column b("b", DataType::kString);
  a.AppendInt64(1);
  a.AppendInt64(2);
  b.AppendString("x,y");
  b.AppendString("z");
  Table t;
  ASSERT_OK(t.AddColumn(std::move(a)));
  ASSERT_OK(t.AddColumn(std::move(b)));
  testing::TempDir dir;
  ASSERT_OK(WriteDataFile(t, dir.File("out.csv")));
  EXPECT_EQ(testing::ReadFileOrDie(dir.File("out.csv")), "a,b\n1,\"x,y\"\n2,z\n");
  ASSERT_OK(WriteDataFile(t, dir.File("out.tsv")));
  EXPECT_EQ(testing::ReadFileOrDie(dir.File("out.tsv")), "a\tb\n1\tx,y\n2\tz\n");
  ASSERT_OK(WriteDataFile(t, dir.File("out.jsonl")));
  EXPECT_EQ(testing::ReadFileOrDie(dir.File("out.jsonl")),
            "{\"a\":1,\"b\":\"x,y\"}\n{\"a\":2,\"b\":\"z\"}\n");
  ASSERT_OK(WriteDataFile(t, dir.File("forced.txt"), FileFormat::kJsonLines));
  EXPECT_THAT(testing::ReadFileOrDie(dir.File("forced.txt")), StartsWith("{\"a\":1,"));
  for (const char* name : {"out.csv", "out.tsv", "out.jsonl"}) {
    Result<Table> back = ReadDataFile(dir.File(name));
    ASSERT_OK(back);
    EXPECT_EQ(back->schema(), t.schema()) << name;
    EXPECT_EQ(back->column(1).GetString(0), "x,y") << name;
  }
}

}  // namespace
}  // namespace strata
