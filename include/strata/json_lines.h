// JSON Lines (one JSON object per line) reading and writing.
//
// Nested objects are flattened with dots ({"a":{"b":1}} gives column "a.b"); arrays are
// kept as JSON text in a STRING column. Column types are inferred over all rows: numbers
// that are all integers give INT64, otherwise FLOAT64; true/false give BOOL; strings give
// STRING, or DATE/TIMESTAMP when every value is one; mixed kinds widen to STRING (each value
// kept as its JSON text), so nothing is lost. Keys missing from a row are nulls.
//
//   STRATA_ASSIGN_OR_RETURN(strata::Table t, strata::ReadJsonLines("events.jsonl"));
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "strata/progress.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata {

struct JsonReadOptions {
  ProgressCallback progress;  // stage "reading", bytes done/total
};

// Reads a JSON Lines file ("-" for stdin). Blank lines are ignored. Errors name
// file:line:column and what was expected.
Result<Table> ReadJsonLines(const std::string& path, const JsonReadOptions& options = {});
// Reads JSON Lines text already in memory; `name` stands for the file in errors.
Result<Table> ReadJsonLinesText(std::string_view text, std::string_view name,
                                const JsonReadOptions& options = {});

// Writes one JSON object per row: BOOL/INT64/FLOAT64 as JSON values, STRING as strings,
// DATE as "YYYY-MM-DD", TIMESTAMP as ISO 8601 UTC, nulls as null (non-finite floats too).
Status WriteJsonLines(const Table& table, std::ostream& out);
// Same, to a file via a temporary name and rename.
Status WriteJsonLinesFile(const Table& table, const std::string& path);

}  // namespace strata
