// Reads one CSV file with strata::ReadCsv and prints what it got, for bench/csv_read/run.py.
//
//   strata_read_csv FILE [--threads N] [--types]
//
// Prints "rows=R columns=C seconds=S" on success (the time covers ReadCsv only), the column
// types with --types, and the error message with exit code 1 on failure.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "strata/csv.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [--threads N] [--types]\n", argv[0]);
    return 2;
  }
  strata::CsvReadOptions options;
  bool types = false;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      options.threads = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--types") == 0) {
      types = true;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  auto start = std::chrono::steady_clock::now();
  strata::CsvReadReport report;
  strata::Result<strata::Table> table = strata::ReadCsv(argv[1], options, &report);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!table.ok()) {
    std::fprintf(stderr, "%s\n", table.status().ToString().c_str());
    return 1;
  }
  std::printf("rows=%lld columns=%d seconds=%.4f\n", static_cast<long long>(table->num_rows()),
              table->num_columns(), seconds);
  if (types) {
    for (const strata::Column& c : table->columns()) {
      std::printf("%s %s nulls=%lld\n", c.name().c_str(),
                  std::string(strata::DataTypeName(c.type())).c_str(),
                  static_cast<long long>(c.null_count()));
    }
    for (const std::string& w : report.widened) std::printf("widened: %s\n", w.c_str());
    for (const std::string& w : report.warnings) std::printf("warning: %s\n", w.c_str());
  }
  return 0;
}
