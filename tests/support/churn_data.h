// The bundled churn data (examples/data/churn.csv) for tests: as a Table read once, and as
// a fixture whose temporary directory has it collected into a workspace for CLI tests.
#pragma once

#include "strata/csv.h"
#include "strata/table.h"
#include "support/test_support.h"

namespace strata::testing {

// The churn table, read once per test binary.
inline const Table& ChurnTable() {
  static const Table* t = [] {
    auto r = ReadCsv(SourcePath("examples/data/churn.csv"));
    EXPECT_OK(r);
    return new Table(r.ok() ? std::move(*r) : Table());
  }();
  return *t;
}

// A temporary directory whose ./strata.db holds the table `churn` (`strata collect`).
class ChurnCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = RunStrata({"collect", SourcePath("examples/data/churn.csv")}, dir_.path());
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  // Runs `strata ARGS...` in the directory.
  CommandResult Run(const std::vector<std::string>& args) { return RunStrata(args, dir_.path()); }
  TempDir dir_;
};

}  // namespace strata::testing
