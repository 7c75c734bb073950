// CSV writer. The quoting rule is chosen for the round trip through ReadCsv: a field is
// quoted only when the reader would otherwise split it, strip it or turn it into a null
// (a STRING equal to a null token such as "" or "NA": the reader treats only unquoted
// tokens as nulls, so quoting keeps the string).
#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "data/data_file_internal.h"
#include "data/json_text.h"
#include "strata/csv.h"

namespace strata {
namespace {

constexpr size_t kFlushBytes = 1 << 20;
constexpr char kQuote = '"';

class FieldWriter {
 public:
  FieldWriter(const CsvWriteOptions& options, int columns)
      : options_(options), null_text_(options.null_token) {
    // With one column an empty null token makes an empty line, which readers skip as blank:
    // the row would vanish. A quoted empty field keeps the row; ReadCsv reads it as a null
    // in every column type but STRING, where it is the empty string.
    if (columns == 1 && null_text_.empty()) null_text_ = "\"\"";
    null_tokens_ = DefaultNullTokens();
    null_tokens_.push_back(options.null_token);
    for (const std::string& t : null_tokens_) max_token_ = std::max(max_token_, t.size());
  }

  // Appends `value`, quoted (with quotes doubled) when it needs to be.
  void Append(std::string_view value, std::string* out) const {
    if (!NeedsQuotes(value)) {
      out->append(value);
      return;
    }
    out->push_back(kQuote);
    for (char c : value) {
      if (c == kQuote) out->push_back(kQuote);
      out->push_back(c);
    }
    out->push_back(kQuote);
  }

  void AppendValue(const Column& c, int64_t row, std::string* out) {
    if (c.IsNull(row)) {
      out->append(null_text_);
      return;
    }
    scratch_.clear();
    switch (c.type()) {
      case DataType::kString:
        Append(c.GetString(row), out);
        return;
      case DataType::kBool:
        scratch_ = c.GetBool(row) ? "true" : "false";
        break;
      case DataType::kInt64:
        fmt::format_to(std::back_inserter(scratch_), "{}", c.GetInt64(row));
        break;
      case DataType::kFloat64: {
        double v = c.GetFloat64(row);
        if (std::isnan(v)) {  // NaN reads back as a null token, so write it as a null
          out->append(null_text_);
          return;
        }
        if (std::isinf(v)) {
          scratch_ = v > 0 ? "inf" : "-inf";
        } else {
          AppendShortestFloat(&scratch_, v);
        }
        break;
      }
      case DataType::kTimestamp:
        scratch_ = FormatTimestamp(c.GetInt64(row));
        break;
      case DataType::kDate:
        scratch_ = FormatDate(c.GetInt64(row));
        break;
    }
    // Plain values need quotes only for unusual delimiters (a space splits a timestamp) or
    // a null token such as "0"; Append checks both.
    Append(scratch_, out);
  }

 private:
  bool NeedsQuotes(std::string_view v) const {
    if (v.empty()) return true;  // an unquoted empty field is a null
    if (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t') return true;
    for (char c : v) {
      if (c == options_.delimiter || c == kQuote || c == '\n' || c == '\r') return true;
    }
    if (v.size() <= max_token_) {
      for (const std::string& t : null_tokens_) {
        if (v == t) return true;
      }
    }
    return false;
  }

  const CsvWriteOptions& options_;
  std::string null_text_;  // what a null is written as
  std::vector<std::string> null_tokens_;
  size_t max_token_ = 0;
  std::string scratch_;
};

Status ValidateCsvWriteOptions(const CsvWriteOptions& options) {
  char d = options.delimiter;
  if (d == kQuote || d == '\n' || d == '\r' || d == '\0') {
    return InvalidArgument(
        "the CSV delimiter cannot be a quote, a line end or NUL: it would be read as one. "
        "Possible solutions: use ',', ';', '\\t' or '|'");
  }
  for (char c : options.null_token) {
    if (c == d || c == kQuote || c == '\n' || c == '\r') {
      return InvalidArgument(fmt::format(
          "CSV null token '{}' contains the delimiter, a quote or a line end; it is written "
          "unquoted, so it would break the file. Possible solutions: use a token such as NA",
          options.null_token));
    }
  }
  return Status::Ok();
}

}  // namespace

Status WriteCsv(const Table& table, std::ostream& out, const CsvWriteOptions& options) {
  STRATA_RETURN_IF_ERROR(ValidateCsvWriteOptions(options));
  FieldWriter writer(options, table.num_columns());
  std::string buffer;
  buffer.reserve(kFlushBytes + 4096);
  auto flush = [&]() {
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    buffer.clear();
    return out.good();
  };
  const int columns = table.num_columns();
  if (options.header && columns > 0) {
    for (int i = 0; i < columns; ++i) {
      if (i > 0) buffer.push_back(options.delimiter);
      writer.Append(table.column(i).name(), &buffer);
    }
    buffer.push_back('\n');
  }
  for (int64_t row = 0; row < table.num_rows(); ++row) {
    for (int i = 0; i < columns; ++i) {
      if (i > 0) buffer.push_back(options.delimiter);
      writer.AppendValue(table.column(i), row, &buffer);
    }
    buffer.push_back('\n');
    if (buffer.size() >= kFlushBytes && !flush()) break;
  }
  if (!flush() || !out.flush()) {
    return IoError("writing CSV failed (disk full or the output closed?)");
  }
  return Status::Ok();
}

Status WriteCsvFile(const Table& table, const std::string& path, const CsvWriteOptions& options) {
  STRATA_RETURN_IF_ERROR(ValidateCsvWriteOptions(options));
  return WriteFileAtomically(path,
                             [&](std::ostream& out) { return WriteCsv(table, out, options); });
}

}  // namespace strata
