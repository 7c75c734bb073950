// Every user-facing message of the CSV reader, in one place, so that their shape stays the
// same: "<file>:<line>:<column>: <what was found>; expected <what>. Possible solutions: ...".
// Lines are 1-based physical lines (newlines inside quoted fields count), columns are 1-based
// byte offsets within the line (a UTF-8 BOM does not count).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/csv_scanner.h"
#include "strata/data_type.h"
#include "strata/status.h"

namespace strata {

struct CsvLocation {
  std::string_view file;
  int64_t line = 1;
  int64_t column = 1;
};

// How a character is named in messages: "','", "tab", "'\\n'", "byte 0xE9".
std::string DescribeCsvChar(char c);

// A value as shown in messages: quoted, at most ~60 bytes, control and non-ASCII bytes as \xNN.
std::string QuoteCsvValue(std::string_view value);

// Option errors (reported at 1:1, since the whole file is read under the option).
Status CsvDelimiterOptionError(std::string_view file, char delimiter, char quote);
Status CsvQuoteOptionError(std::string_view file, char quote);
Status CsvNumericOptionError(std::string_view file, std::string_view option, int64_t value,
                             std::string_view expected);
Status CsvUnknownOverrideError(std::string_view file, std::string_view name,
                               const std::vector<std::string>& names);

// File-level errors.
Status CsvEmptyFileError(std::string_view file);
Status CsvHeaderOnlyError(std::string_view file, int64_t header_line);
Status CsvOpenError(std::string_view path, int error_number);
Status CsvReadError(std::string_view path, int error_number);
Status CsvOutOfMemoryError(std::string_view path);

// Syntax errors.
Status CsvUnterminatedQuoteError(const CsvLocation& at, char quote);
Status CsvStrayQuoteError(const CsvLocation& at, char quote);
Status CsvTextAfterQuoteError(const CsvLocation& at, char found, char delimiter, char quote);
Status CsvFieldTooLargeError(const CsvLocation& at, int64_t max_field_bytes, char quote);
Status CsvRowTooLargeError(const CsvLocation& at, int64_t max_row_bytes);
// The error for a tokenizer result other than kOk; `found` is the byte at the position.
Status CsvSyntaxError(CsvSyntax syntax, const CsvLocation& at, char found, char delimiter,
                      char quote, int64_t max_field_bytes);
Status CsvInvalidUtf8Error(const CsvLocation& at, unsigned char byte);

// Content errors.
Status CsvRaggedRowError(const CsvLocation& at, int64_t found, int64_t expected, bool header,
                         int64_t first_row_line, char delimiter);
Status CsvOverrideValueError(const CsvLocation& at, std::string_view column, std::string_view value,
                             DataType type);

// Report lines.
std::string CsvRenamedColumnWarning(int column_index, std::string_view from, std::string_view to);
std::string CsvSkippedRowsWarning(int64_t rows, int64_t first_line);
std::string CsvPaddedRowsWarning(int64_t rows, int64_t first_line);
std::string CsvWidenedNote(std::string_view column, DataType from, DataType to, int64_t first_line);

}  // namespace strata
