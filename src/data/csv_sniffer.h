// The sniffer reads the start of a CSV input and decides what the full parse needs: the
// delimiter, whether the first row is a header, the column names and the sampled types.
//
// Delimiter: each of , ; tab | splits the first rows; the one whose field counts agree on
// every row wins, more columns breaking ties (a ';' file whose text has commas splits
// consistently only on ';'). Header (HeaderMode::kAuto): the first row is a header when one
// of its values does not fit its column's type inferred from the rows below it (a name
// above numbers), or when every column is STRING and the first row's values are non-empty
// and distinct (names above text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/csv_scanner.h"
#include "data/csv_source.h"
#include "strata/csv.h"
#include "strata/data_type.h"
#include "strata/status.h"

namespace strata {

struct CsvSniffResult {
  char delimiter = ',';
  bool header = false;
  int64_t first_row_line = 1;         // line of the header, or of the first data row
  std::vector<std::string> names;     // unique, non-empty
  std::vector<DataType> types;        // inferred on the sample; overrides not applied
  std::vector<std::string> warnings;  // renamed header columns
  double bytes_per_row = 64;          // average over the sample, to pre-size columns
};

// Reads at most options.sample_rows + 1 rows from the start of `source` (within a byte cap
// that grows with max_field_bytes), `read_step` bytes at a time, and sniffs them. Errors:
// an empty input, a syntax error in the first row, invalid UTF-8 in the header. Leaves the
// source at an unspecified position: rewind it before the full parse.
Result<CsvSniffResult> SniffCsv(CsvSource& source, const CsvReadOptions& options,
                                const NullTokenSet& nulls, size_t read_step);

// The header rule above, exposed for tests: `types` were inferred from the rows below
// `first` (nullopt: only nulls); `has_rows_below` says whether there were any.
bool LooksLikeCsvHeader(const CsvFieldList& first,
                        const std::vector<std::optional<DataType>>& types, bool has_rows_below,
                        const NullTokenSet& nulls);

}  // namespace strata
