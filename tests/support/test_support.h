// Helpers shared by the test suites: temporary directories, files, running the CLI.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "strata/table.h"

namespace strata::testing {

// Asserts that a Status or Result is OK, printing its message otherwise.
#define ASSERT_OK(expr)                                                   \
  do {                                                                    \
    const auto& strata_s_ = (expr);                                       \
    ASSERT_TRUE(::strata::testing::StatusOf(strata_s_).ok())              \
        << ::strata::testing::StatusOf(strata_s_).ToString();             \
  } while (false)
#define EXPECT_OK(expr)                                                   \
  do {                                                                    \
    const auto& strata_s_ = (expr);                                       \
    EXPECT_TRUE(::strata::testing::StatusOf(strata_s_).ok())              \
        << ::strata::testing::StatusOf(strata_s_).ToString();             \
  } while (false)

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  static const Status kOk;
  return r.ok() ? kOk : r.status();
}

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Path of `name` inside the directory.
  std::string File(std::string_view name) const { return (path_ / name).string(); }
  // Writes `contents` to `name` inside the directory and returns its path.
  std::string Write(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

// Reads a whole file (test failure if it cannot).
std::string ReadFileOrDie(const std::string& path);

// Expects the same columns (names and types, in order) and the same cells: nulls in the same
// rows, other values equal as Column::FormatValue writes them (floats in their shortest exact
// form, so equal text is equal value). Reports the first cell that differs.
void ExpectSameTable(const Table& actual, const Table& expected);

// The repository root, for bundled data such as examples/data/churn.csv.
std::string SourcePath(std::string_view relative);

// The result of running a command.
struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the built `strata` binary with `args` in directory `cwd`, with extra environment
// entries ("NAME=value"), feeding `stdin_text`. Never goes through a shell.
CommandResult RunStrata(const std::vector<std::string>& args, const std::string& cwd,
                        const std::vector<std::string>& env = {},
                        const std::string& stdin_text = "");

}  // namespace strata::testing
