// CSV/TSV reading and writing.
//
// ReadCsv turns a delimited text file into a typed Table: RFC 4180 quoting (delimiters,
// quotes and newlines inside quotes), header detection, delimiter sniffing among , ; tab |,
// UTF-8 BOM, CRLF, configurable null tokens, per-column type inference that never loses
// data (a column whose later rows contradict the sampled type is widened, never
// truncated), explicit type overrides, and multi-threaded parsing. The rules in full:
// docs/data.md, "Reading CSV".
//
//   strata::CsvReadOptions options;
//   options.type_overrides["zip"] = strata::DataType::kString;
//   strata::CsvReadReport report;
//   STRATA_ASSIGN_OR_RETURN(strata::Table t, strata::ReadCsv("data.csv", options, &report));
//
// Errors are InvalidArgument statuses whose message starts with "file:line:column: ",
// says what was found and what was expected, and suggests a fix.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "strata/data_type.h"
#include "strata/progress.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata {

// What to do with a row whose field count differs from the header's.
enum class BadRowPolicy {
  kError,  // stop with an error naming the row (default)
  kSkip,   // drop the row and count it in the report
  kPad,    // pad short rows with nulls, drop the extra fields of long rows; counted
};

// Parses "error", "skip" or "pad".
std::optional<BadRowPolicy> ParseBadRowPolicy(std::string_view name);

enum class HeaderMode { kAuto, kYes, kNo };

// The null tokens recognised by default: "", NA, N/A, n/a, NULL, null, NaN, nan, None,
// #N/A, <NA>. They apply to unquoted fields only: a quoted "NA" is the string NA.
std::vector<std::string> DefaultNullTokens();

struct CsvReadOptions {
  std::optional<char> delimiter;  // nullopt: sniff among ',', ';', '\t', '|'
  char quote = '"';
  HeaderMode header = HeaderMode::kAuto;
  std::vector<std::string> null_tokens = DefaultNullTokens();
  // Column name -> type, replacing inference for that column. A value that does not parse
  // as the given type is an error (with its line and column), not a silent null.
  std::map<std::string, DataType> type_overrides;
  BadRowPolicy on_bad_row = BadRowPolicy::kError;
  int64_t sample_rows = 20000;         // rows used to infer types before the full parse
  int64_t max_field_bytes = 8 << 20;   // larger fields are an error (often a stray quote)
  int threads = 0;                     // 0: all hardware threads
  // Called after each block, from the calling thread, with stage "reading" (then
  // "re-reading" if a widening pass is needed), bytes done and bytes total.
  ProgressCallback progress;
};

// What the reader decided and counted, for the CLI and the workspace catalog.
struct CsvReadReport {
  char delimiter = ',';
  bool header = true;
  int64_t rows = 0;            // rows in the table
  int64_t skipped_rows = 0;    // ragged rows dropped (BadRowPolicy::kSkip)
  int64_t padded_rows = 0;     // ragged rows fixed (BadRowPolicy::kPad)
  int64_t bytes = 0;           // bytes of input
  // Columns whose type was widened after the sample, e.g.
  // "zip: INT64 -> STRING (first at line 70211)".
  std::vector<std::string> widened;
  std::vector<std::string> warnings;
};

// Reads a CSV/TSV file into a table. `path` may be "-" for standard input (buffered in
// memory). The file itself is read in blocks, never loaded whole.
Result<Table> ReadCsv(const std::string& path, const CsvReadOptions& options = {},
                      CsvReadReport* report = nullptr);

// Reads CSV text already in memory; `name` stands for the file name in error messages.
Result<Table> ReadCsvText(std::string_view text, std::string_view name,
                          const CsvReadOptions& options = {}, CsvReadReport* report = nullptr);

struct CsvWriteOptions {
  char delimiter = ',';
  bool header = true;
  // Written for nulls, unquoted (NaN too). With a single column an empty token is written
  // as "" instead, since an empty line would be skipped as blank when read back.
  std::string null_token;
};

// Writes a table as RFC 4180 CSV with '\n' line ends. Fields are quoted only where reading
// back would otherwise change them: the delimiter, a quote, CR or LF inside, a space or tab
// at either end, or a STRING equal to a null token ("", NA, ...). Floats use the shortest
// exact text (2.0, 0.1, inf), TIMESTAMP "YYYY-MM-DD HH:MM:SS[.ffffff]" UTC, DATE
// "YYYY-MM-DD". InvalidArgument for a delimiter or null token that would break the file.
Status WriteCsv(const Table& table, std::ostream& out, const CsvWriteOptions& options = {});
// Same, to a file (written to a temporary name, then renamed, so a failure leaves no
// partial file).
Status WriteCsvFile(const Table& table, const std::string& path,
                    const CsvWriteOptions& options = {});

}  // namespace strata
