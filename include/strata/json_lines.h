// JSON Lines (one JSON object per line) reading and writing.
//
// Nested objects are flattened with dots ({"a":{"b":1}} gives column "a.b"); arrays are
// kept as compact JSON text in a STRING column. Columns appear in the order their keys first
// appear. Column types are inferred over all rows: numbers that are all integers give INT64,
// otherwise FLOAT64; true/false give BOOL; strings give STRING, or DATE/TIMESTAMP when every
// value is one (a string is never read as a number); mixed kinds widen to STRING (each value
// kept as its JSON text: 5 -> "5", "a" -> "a"), so nothing is lost. Integers beyond INT64
// (e.g. 18446744073709551615) make the column STRING with their exact digits, since FLOAT64
// would drop some. A key that is an object in some rows and a scalar in others gives both
// "key" (the scalars) and "key.sub" columns. Keys missing from a row are nulls; a column of
// only nulls is STRING. Two keys of one object that flatten to the same name are an error.
// The rules in full, with the error messages: docs/profile.md, "JSON Lines".
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

// Reads a JSON Lines file ("-" for stdin). Blank lines are ignored; CRLF line ends and a
// UTF-8 BOM are accepted. Errors (InvalidArgument) name file:line:column (column in
// characters), what was found and expected, and a fix; a missing file is NotFound.
Result<Table> ReadJsonLines(const std::string& path, const JsonReadOptions& options = {});
// Reads JSON Lines text already in memory; `name` stands for the file in errors.
Result<Table> ReadJsonLinesText(std::string_view text, std::string_view name,
                                const JsonReadOptions& options = {});

// Writes one JSON object per row, keys in column order: BOOL/INT64/FLOAT64 as JSON values
// (a float keeps a fraction, 2.0, so it reads back as FLOAT64), STRING as escaped strings
// (invalid UTF-8 bytes become U+FFFD), DATE as "YYYY-MM-DD", TIMESTAMP as
// "YYYY-MM-DDTHH:MM:SS[.ffffff]Z", nulls as null (non-finite floats too).
Status WriteJsonLines(const Table& table, std::ostream& out);
// Same, to a file via a temporary name and rename.
Status WriteJsonLinesFile(const Table& table, const std::string& path);

}  // namespace strata
