// JSON Lines writer: one object per row, keys in column order. Rows are formatted into a
// buffer that is handed to the stream about once per MB, which keeps the ostream overhead
// out of the per-value path.
#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "data/data_file_internal.h"
#include "data/json_text.h"
#include "strata/json_lines.h"

namespace strata {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

void AppendJsonValue(const Column& c, int64_t row, std::string* out) {
  if (c.IsNull(row)) {
    out->append("null");
    return;
  }
  switch (c.type()) {
    case DataType::kBool:
      out->append(c.GetBool(row) ? "true" : "false");
      return;
    case DataType::kInt64:
      fmt::format_to(std::back_inserter(*out), "{}", c.GetInt64(row));
      return;
    case DataType::kFloat64: {
      double v = c.GetFloat64(row);
      // JSON has no NaN or Infinity; null is what other JSON tools read back without error.
      if (std::isfinite(v)) {
        AppendShortestFloat(out, v);
      } else {
        out->append("null");
      }
      return;
    }
    case DataType::kString:
      AppendJsonString(out, c.GetString(row));
      return;
    case DataType::kTimestamp:
      out->push_back('"');
      out->append(FormatTimestamp(c.GetInt64(row), /*iso_t=*/true));
      out->push_back('"');
      return;
    case DataType::kDate:
      out->push_back('"');
      out->append(FormatDate(c.GetInt64(row)));
      out->push_back('"');
      return;
  }
}

}  // namespace

Status WriteJsonLines(const Table& table, std::ostream& out) {
  std::vector<std::string> keys;  // "\"name\":" per column, escaped once
  for (const Column& c : table.columns()) {
    std::string key;
    AppendJsonString(&key, c.name());
    key.push_back(':');
    keys.push_back(std::move(key));
  }
  std::string buffer;
  buffer.reserve(kFlushBytes + 4096);
  auto flush = [&]() {
    out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    buffer.clear();
    return out.good();
  };
  for (int64_t row = 0; row < table.num_rows(); ++row) {
    buffer.push_back('{');
    for (int i = 0; i < table.num_columns(); ++i) {
      if (i > 0) buffer.push_back(',');
      buffer.append(keys[i]);
      AppendJsonValue(table.column(i), row, &buffer);
    }
    buffer.append("}\n");
    if (buffer.size() >= kFlushBytes && !flush()) break;
  }
  if (!flush() || !out.flush()) {
    return IoError("writing JSON Lines failed (disk full or the output closed?)");
  }
  return Status::Ok();
}

Status WriteJsonLinesFile(const Table& table, const std::string& path) {
  return WriteFileAtomically(path, [&](std::ostream& out) { return WriteJsonLines(table, out); });
}

}  // namespace strata
