// Rendering results for people (aligned tables, like sqlite3's `.mode table`) and for scripts
// (JSON, CSV). Every command prints its results through here so formats stay consistent.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "strata/table.h"

namespace strata::cli {

// Prints `table` in `format`: an aligned ASCII table (numbers right-aligned, long cells cut
// at `max_cell_width` code points with "…", NULL shown as "NULL"), CSV, or a JSON array of
// row objects with typed values.
void PrintTable(const Table& table, OutputFormat format, std::ostream& out,
                size_t max_cell_width = 40);

// A JSON array of row objects: BOOL/INT64/FLOAT64 as JSON values, DATE/TIMESTAMP as ISO
// strings, nulls (and non-finite floats) as null.
nlohmann::json TableToJson(const Table& table);

// A small builder for result tables whose cells are text (lists, reports).
class TextTableBuilder {
 public:
  explicit TextTableBuilder(std::vector<Field> columns);
  // Adds a row of formatted cells; "" in a non-STRING column is NULL.
  void AddRow(const std::vector<std::string>& cells);
  Table Build() const { return table_; }

 private:
  Table table_;
};

// "5,000" for 5000: thousands separators for people.
std::string WithThousands(int64_t value);

// Human-readable byte size: "1.5 MB".
std::string HumanBytes(double bytes);

// Whether stdout / stderr is a terminal.
bool StdoutIsTty();
bool StderrIsTty();

}  // namespace strata::cli
