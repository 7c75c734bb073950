// SQL script tests in the manner of sqllogictest / DuckDB's .test files: every file in
// tests/sql/scripts/ runs against a fresh workspace through the one SqlEngine, record by
// record (records are separated by blank lines):
//
//   # a comment
//   load churn examples/data/churn.csv      (a bundled data file as a table, via ReadCsv)
//
//   statement ok                            (the statement must succeed)
//   CREATE MODEL m OPTIONS(...) AS SELECT * FROM churn;
//
//   statement error no model named          (it must fail, the message containing the text)
//   SELECT * FROM ML.EVALUATE(MODEL nope);
//
//   ${TMP} in a statement is the test's temporary directory, ${SRC} the source tree.
//
//   query                                   (the rows, '|'-separated, after a header line of
//   SELECT label, n FROM ...;                column names; NULL for null; floats as
//   ----                                     FormatValue writes them, so round() in SQL)
//   label|n
//   no|4148
//
// A failure names the file and the record's line.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "strata/csv.h"
#include "strata/sql.h"
#include "strata/workspace.h"
#include "support/test_support.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> ScriptFiles() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(testing::SourcePath("tests/sql/scripts"))) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct Record {
  int line = 0;  // of the directive
  std::string directive;
  std::string sql;
  std::vector<std::string> expected;  // query: header then rows
};

std::vector<Record> ParseScript(const std::string& path) {
  std::ifstream in(path);
  std::vector<Record> records;
  std::string line;
  int number = 0;
  Record current;
  bool in_record = false, in_expected = false;
  auto flush = [&] {
    if (in_record) records.push_back(current);
    current = Record();
    in_record = in_expected = false;
  };
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      flush();
      continue;
    }
    if (!in_record) {
      if (line[0] == '#') continue;
      current.line = number;
      current.directive = line;
      in_record = true;
      if (line.rfind("load ", 0) == 0) flush();  // a load is one line
      continue;
    }
    if (line == "----") {
      in_expected = true;
      continue;
    }
    if (in_expected) {
      current.expected.push_back(line);
    } else {
      current.sql += line + "\n";
    }
  }
  flush();
  return records;
}

std::vector<std::string> Render(const Table& t) {
  std::vector<std::string> lines;
  std::string header;
  for (int c = 0; c < t.num_columns(); ++c) header += (c ? "|" : "") + t.column(c).name();
  lines.push_back(header);
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    std::string row;
    for (int c = 0; c < t.num_columns(); ++c) {
      const Column& col = t.column(c);
      row += (c ? "|" : "") + (col.IsNull(r) ? std::string("NULL") : col.FormatValue(r));
    }
    lines.push_back(row);
  }
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class SqlScriptTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlScriptTest, Runs) {
  const std::string file = "tests/sql/scripts/" + GetParam();
  testing::TempDir dir;
  auto ws = Workspace::Open(dir.File("w.db"));
  ASSERT_OK(ws);
  SqlEngine engine(**ws);
  const std::vector<Record> records = ParseScript(testing::SourcePath(file));
  ASSERT_FALSE(records.empty()) << file << " has no records";
  for (const Record& r : records) {
    const std::string where = file + ":" + std::to_string(r.line);
    std::istringstream words(r.directive);
    std::string kind;
    words >> kind;
    if (kind == "load") {
      std::string table, path;
      words >> table >> path;
      auto data = ReadCsv(testing::SourcePath(path));
      ASSERT_TRUE(data.ok()) << where << ": " << data.status().ToString();
      Status written = (*ws)->WriteTable(table, *data);
      ASSERT_TRUE(written.ok()) << where << ": " << written.ToString();
      continue;
    }
    std::string sql = r.sql;
    for (const auto& [key, value] : {std::pair<std::string, std::string>{"${TMP}", dir.path().string()},
                                     {"${SRC}", fs::path(testing::SourcePath("")).parent_path().string()}}) {
      for (size_t at = sql.find(key); at != std::string::npos; at = sql.find(key, at)) {
        sql.replace(at, key.size(), value);
      }
    }
    std::vector<SqlResult> results;
    Status status = engine.Run(sql, [&](const SqlResult& result) {
      results.push_back(result);
      return Status::Ok();
    });
    if (kind == "statement") {
      std::string expect;
      words >> expect;
      if (expect == "ok") {
        EXPECT_TRUE(status.ok()) << where << ": " << status.ToString();
      } else if (expect == "error") {
        std::string text;
        std::getline(words, text);
        text.erase(0, text.find_first_not_of(' '));
        EXPECT_FALSE(status.ok()) << where << ": expected an error containing '" << text << "'";
        EXPECT_NE(status.message().find(text), std::string::npos)
            << where << ": expected '" << text << "' in:\n" << status.message();
      } else {
        ADD_FAILURE() << where << ": unknown directive '" << r.directive << "'";
      }
    } else if (kind == "query") {
      ASSERT_TRUE(status.ok()) << where << ": " << status.ToString();
      ASSERT_FALSE(results.empty()) << where;
      ASSERT_TRUE(results.back().has_rows) << where << ": not a query";
      EXPECT_EQ(Join(Render(results.back().rows)), Join(r.expected)) << where << "\n" << r.sql;
    } else {
      ADD_FAILURE() << where << ": unknown directive '" << r.directive << "'";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Scripts, SqlScriptTest, ::testing::ValuesIn(ScriptFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param.substr(0, param.param.find('.'));
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace strata
