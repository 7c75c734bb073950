#include "data/csv_options.h"

#include <cctype>
#include <string>

#include "data/csv_errors.h"

namespace strata {

std::vector<std::string> DefaultNullTokens() {
  return {"", "NA", "N/A", "n/a", "NULL", "null", "NaN", "nan", "None", "#N/A", "<NA>"};
}

std::optional<BadRowPolicy> ParseBadRowPolicy(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "error") return BadRowPolicy::kError;
  if (lower == "skip") return BadRowPolicy::kSkip;
  if (lower == "pad") return BadRowPolicy::kPad;
  return std::nullopt;
}

Status ValidateCsvReadOptions(std::string_view file, const CsvReadOptions& options) {
  auto is_line_end = [](char c) { return c == '\n' || c == '\r' || c == '\0'; };
  if (is_line_end(options.quote)) return CsvQuoteOptionError(file, options.quote);
  if (options.delimiter) {
    char d = *options.delimiter;
    if (is_line_end(d) || d == options.quote) {
      return CsvDelimiterOptionError(file, d, options.quote);
    }
  }
  if (options.sample_rows < 1) {
    return CsvNumericOptionError(file, "sample_rows", options.sample_rows, "at least 1");
  }
  if (options.max_field_bytes < 1) {
    return CsvNumericOptionError(file, "max_field_bytes", options.max_field_bytes, "at least 1");
  }
  if (options.threads < 0) {
    return CsvNumericOptionError(file, "threads", options.threads,
                                 "0 (all hardware threads) or more");
  }
  return Status::Ok();
}

}  // namespace strata
