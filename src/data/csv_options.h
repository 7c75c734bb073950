// Checking CsvReadOptions before any byte is read, so a bad option is reported as such and
// not as a confusing parse error later.
#pragma once

#include <string_view>

#include "strata/csv.h"
#include "strata/status.h"

namespace strata {

// The delimiters the sniffer chooses among, in order of preference on a tie.
inline constexpr char kCsvSniffDelimiters[] = {',', ';', '\t', '|'};

// OK, or an InvalidArgument naming the option, the expected range and a fix.
Status ValidateCsvReadOptions(std::string_view file, const CsvReadOptions& options);

}  // namespace strata
