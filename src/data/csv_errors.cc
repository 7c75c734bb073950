#include "data/csv_errors.h"

#include <fmt/format.h>

#include <cstring>

#include "strata/suggest.h"

namespace strata {
namespace {

std::string Where(const CsvLocation& at) {
  return fmt::format("{}:{}:{}: ", at.file, at.line, at.column);
}

std::string Where(std::string_view file, int64_t line) {
  return fmt::format("{}:{}:1: ", file, line);
}

}  // namespace

std::string DescribeCsvChar(char c) {
  auto u = static_cast<unsigned char>(c);
  switch (c) {
    case '\t':
      return "tab";
    case '\n':
      return "'\\n'";
    case '\r':
      return "'\\r'";
    case ' ':
      return "space";
    default:
      break;
  }
  if (u < 0x20 || u >= 0x7f) return fmt::format("byte 0x{:02X}", u);
  return fmt::format("'{}'", c);
}

std::string QuoteCsvValue(std::string_view value) {
  // Long values are usually a symptom (a stray quote swallowing rows); the start is enough.
  constexpr size_t kMaxShown = 60;
  std::string out = "'";
  for (size_t i = 0; i < value.size() && i < kMaxShown; ++i) {
    auto u = static_cast<unsigned char>(value[i]);
    if (u < 0x20 || u >= 0x7f || u == '\\') {
      out += fmt::format("\\x{:02X}", u);
    } else {
      out += value[i];
    }
  }
  out += value.size() > kMaxShown ? "'..." : "'";
  return out;
}

Status CsvDelimiterOptionError(std::string_view file, char delimiter, char quote) {
  return InvalidArgument(fmt::format(
      "{}the delimiter {} cannot be used{}; expected one character such as ',', ';', '\\t' "
      "or '|'. Possible solutions: pass another delimiter, or leave it unset to let the "
      "reader detect it.",
      Where(file, 1), DescribeCsvChar(delimiter),
      delimiter == quote ? " because it is also the quote character"
                         : " (line ends, NUL and the quote character are not allowed)"));
}

Status CsvQuoteOptionError(std::string_view file, char quote) {
  return InvalidArgument(fmt::format(
      "{}the quote character {} cannot be used; expected a character that is not a line end "
      "or NUL. Possible solutions: keep the default '\"'.",
      Where(file, 1), DescribeCsvChar(quote)));
}

Status CsvNumericOptionError(std::string_view file, std::string_view option, int64_t value,
                             std::string_view expected) {
  return InvalidArgument(fmt::format(
      "{}option {} is {}; expected {}. Possible solutions: pass a value in that range, or "
      "leave the option at its default.",
      Where(file, 1), option, value, expected));
}

Status CsvUnknownOverrideError(std::string_view file, std::string_view name,
                               const std::vector<std::string>& names) {
  std::string list;
  for (size_t i = 0; i < names.size() && i < 20; ++i) {
    list += (i ? ", " : "") + names[i];
  }
  if (names.size() > 20) list += ", ...";
  return InvalidArgument(fmt::format(
      "{}type_overrides (--types) names column '{}', which the file does not have; expected "
      "one of its columns ({}).{} Possible solutions: fix the column name; if the file has "
      "no header, the columns are named column_1, column_2, ...",
      Where(file, 1), name, list, DidYouMean(name, names)));
}

Status CsvEmptyFileError(std::string_view file) {
  return InvalidArgument(fmt::format(
      "{}the file is empty (no rows, only blank lines or a byte order mark); expected a "
      "header and data rows. Possible solutions: check the path, or whether the file is "
      "still being written.",
      Where(file, 1)));
}

Status CsvHeaderOnlyError(std::string_view file, int64_t header_line) {
  return InvalidArgument(fmt::format(
      "{}the file has a header (line {}) but no data rows; expected at least one row after "
      "the header. Possible solutions: add data rows; if line {} is data, not a header, set "
      "header to 'no' (--header no).",
      Where(file, header_line + 1), header_line, header_line));
}

Status CsvOpenError(std::string_view path, int error_number) {
  return IoError(
      fmt::format("{}: cannot open the file: {}. Possible solutions: check the path "
                  "and its permissions.",
                  path, std::strerror(error_number)));
}

Status CsvReadError(std::string_view path, int error_number) {
  return IoError(
      fmt::format("{}: reading failed: {}. Possible solutions: check the disk and "
                  "that the file is not truncated while being read.",
                  path, std::strerror(error_number)));
}

Status CsvOutOfMemoryError(std::string_view path) {
  return ResourceExhausted(fmt::format(
      "{}: not enough memory to hold the table; expected the data to fit in memory. Possible "
      "solutions: read the file on a machine with more memory, or split it.",
      path));
}

Status CsvUnterminatedQuoteError(const CsvLocation& at, char quote) {
  return InvalidArgument(fmt::format(
      "{}the quoted field that starts here is never closed; expected a closing {} before the "
      "end of the file. Possible solutions: close the quote; inside a quoted field write a "
      "quote twice ({}{}); if quotes are not special in this file, pass another quote "
      "character.",
      Where(at), DescribeCsvChar(quote), quote, quote));
}

Status CsvStrayQuoteError(const CsvLocation& at, char quote) {
  return InvalidArgument(fmt::format(
      "{}found a quote {} inside an unquoted field; expected quotes only around a whole "
      "field (RFC 4180). Possible solutions: quote the whole field and double the quotes "
      "inside it (5\" screen -> {}5{}{} screen{}); if quotes are not special in this file, "
      "pass another quote character.",
      Where(at), DescribeCsvChar(quote), quote, quote, quote, quote));
}

Status CsvTextAfterQuoteError(const CsvLocation& at, char found, char delimiter, char quote) {
  return InvalidArgument(fmt::format(
      "{}found {} after the closing quote of a field; expected the delimiter {} or the end "
      "of the line. Possible solutions: put the whole value inside the quotes and write "
      "quotes inside it twice ({}{}); check the delimiter (pass it explicitly if the "
      "detected {} is wrong).",
      Where(at), DescribeCsvChar(found), DescribeCsvChar(delimiter), quote, quote,
      DescribeCsvChar(delimiter)));
}

Status CsvFieldTooLargeError(const CsvLocation& at, int64_t max_field_bytes, char quote) {
  return InvalidArgument(fmt::format(
      "{}the field that starts here is larger than {} bytes; expected fields of at most "
      "max_field_bytes ({}). Possible solutions: if the field is meant to be this large, "
      "raise max_field_bytes; otherwise look for a stray {} at or before this position "
      "that turns the rest of the file into one quoted field.",
      Where(at), max_field_bytes, max_field_bytes, DescribeCsvChar(quote)));
}

Status CsvRowTooLargeError(const CsvLocation& at, int64_t max_row_bytes) {
  return InvalidArgument(
      fmt::format("{}the row that starts here is larger than {} bytes; expected rows of at most "
                  "max_field_bytes per column (plus 1 MiB). Possible solutions: raise "
                  "max_field_bytes; check that the file is a delimited text file with line breaks.",
                  Where(at), max_row_bytes));
}

Status CsvSyntaxError(CsvSyntax syntax, const CsvLocation& at, char found, char delimiter,
                      char quote, int64_t max_field_bytes) {
  switch (syntax) {
    case CsvSyntax::kUnterminatedQuote:
      return CsvUnterminatedQuoteError(at, quote);
    case CsvSyntax::kStrayQuote:
      return CsvStrayQuoteError(at, quote);
    case CsvSyntax::kTextAfterQuote:
      return CsvTextAfterQuoteError(at, found, delimiter, quote);
    case CsvSyntax::kFieldTooLarge:
      return CsvFieldTooLargeError(at, max_field_bytes, quote);
    case CsvSyntax::kOk:
      break;
  }
  return Internal(fmt::format("{}CSV syntax error reported without a cause", Where(at)));
}

Status CsvInvalidUtf8Error(const CsvLocation& at, unsigned char byte) {
  return InvalidArgument(fmt::format(
      "{}invalid UTF-8: byte 0x{:02X} does not continue or start a UTF-8 character; expected "
      "UTF-8 text. Possible solutions: convert the file to UTF-8, e.g. "
      "`iconv -f latin1 -t utf-8 {} > converted.csv` (use the file's real encoding in place "
      "of latin1).",
      Where(at), byte, at.file));
}

Status CsvRaggedRowError(const CsvLocation& at, int64_t found, int64_t expected, bool header,
                         int64_t first_row_line, char delimiter) {
  return InvalidArgument(fmt::format(
      "{}this row has {} field{}; expected {}, as in the {} on line {}. Possible solutions: "
      "fix the row; set on_bad_row to skip (--on-bad-row skip) to drop such rows, or to pad "
      "(--on-bad-row pad) to fill missing fields with nulls and drop extra ones; check the "
      "delimiter (the reader used {}; set it with delimiter/--delimiter if that is wrong); "
      "quote fields that contain the delimiter.",
      Where(at), found, found == 1 ? "" : "s", expected, header ? "header" : "first row",
      first_row_line, DescribeCsvChar(delimiter)));
}

Status CsvOverrideValueError(const CsvLocation& at, std::string_view column, std::string_view value,
                             DataType type) {
  return InvalidArgument(fmt::format(
      "{}value {} in column '{}' is not a valid {}; expected {} because type_overrides "
      "(--types) sets that type. Possible solutions: fix the value; override the column as "
      "STRING; remove the override to let the reader infer the type; add the value to "
      "null_tokens (--null) if it means 'missing'.",
      Where(at), QuoteCsvValue(value), column, DataTypeName(type), DataTypeName(type)));
}

std::string CsvRenamedColumnWarning(int column_index, std::string_view from, std::string_view to) {
  if (from.empty()) {
    return fmt::format("header column {} has no name; named it '{}'", column_index + 1, to);
  }
  return fmt::format("header column {} repeats the name '{}' (names are case-insensitive in SQL); "
                     "renamed it '{}'",
                     column_index + 1, from, to);
}

std::string CsvSkippedRowsWarning(int64_t rows, int64_t first_line) {
  return fmt::format("skipped {} row{} with the wrong number of fields (first at line {})", rows,
                     rows == 1 ? "" : "s", first_line);
}

std::string CsvPaddedRowsWarning(int64_t rows, int64_t first_line) {
  return fmt::format(
      "padded or truncated {} row{} with the wrong number of fields (first at line {})", rows,
      rows == 1 ? "" : "s", first_line);
}

std::string CsvWidenedNote(std::string_view column, DataType from, DataType to,
                           int64_t first_line) {
  return fmt::format("{}: {} -> {} (first at line {})", column, DataTypeName(from),
                     DataTypeName(to), first_line);
}

}  // namespace strata
