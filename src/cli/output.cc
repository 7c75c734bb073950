#include "cli/output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

#include "data/value_parser.h"
#include "strata/csv.h"

namespace strata::cli {
namespace {

// Counts UTF-8 code points (continuation bytes are 10xxxxxx).
size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Cuts `s` to at most `width` code points, ending in "…" when cut; newlines and tabs
// become visible escapes so that rows stay on one line.
std::string Cell(std::string_view s, size_t width) {
  std::string flat;
  for (char c : s) {
    if (c == '\n') {
      flat += "\\n";
    } else if (c == '\r') {
      flat += "\\r";
    } else if (c == '\t') {
      flat += "\\t";
    } else {
      flat += c;
    }
  }
  if (DisplayWidth(flat) <= width) return flat;
  std::string out;
  size_t points = 0;
  for (size_t i = 0; i < flat.size(); ++i) {
    auto c = static_cast<unsigned char>(flat[i]);
    if ((c & 0xC0) != 0x80) {
      if (points + 1 == width) break;
      ++points;
    }
    out += flat[i];
  }
  return out + "…";
}

void PrintAscii(const Table& table, std::ostream& out, size_t max_width) {
  const int n = table.num_columns();
  std::vector<std::vector<std::string>> cells(static_cast<size_t>(table.num_rows()));
  std::vector<size_t> widths(n);
  std::vector<bool> right(n);
  for (int c = 0; c < n; ++c) {
    const Column& col = table.column(c);
    widths[c] = DisplayWidth(Cell(col.name(), max_width));
    right[c] = IsNumeric(col.type()) && col.type() != DataType::kBool;
  }
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    auto& row = cells[r];
    row.resize(n);
    for (int c = 0; c < n; ++c) {
      const Column& col = table.column(c);
      row[c] = col.IsNull(r) ? "NULL" : Cell(col.FormatValue(r), max_width);
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  std::string rule = "+";
  for (int c = 0; c < n; ++c) rule += std::string(widths[c] + 2, '-') + "+";
  auto print_row = [&](const std::vector<std::string>& row, bool header) {
    out << '|';
    for (int c = 0; c < n; ++c) {
      size_t pad = widths[c] - DisplayWidth(row[c]);
      if (right[c] && !header) {
        out << ' ' << std::string(pad, ' ') << row[c] << " |";
      } else {
        out << ' ' << row[c] << std::string(pad, ' ') << " |";
      }
    }
    out << '\n';
  };
  std::vector<std::string> header(n);
  for (int c = 0; c < n; ++c) header[c] = Cell(table.column(c).name(), max_width);
  out << rule << '\n';
  print_row(header, true);
  out << rule << '\n';
  for (const auto& row : cells) print_row(row, false);
  if (!cells.empty()) out << rule << '\n';
}

}  // namespace

nlohmann::json TableToJson(const Table& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    nlohmann::json row = nlohmann::json::object();
    for (const Column& col : table.columns()) {
      nlohmann::json v;  // null
      if (!col.IsNull(r)) {
        switch (col.type()) {
          case DataType::kBool: v = col.GetBool(r); break;
          case DataType::kInt64: v = col.GetInt64(r); break;
          case DataType::kFloat64:
            if (std::isfinite(col.GetFloat64(r))) v = col.GetFloat64(r);
            break;
          case DataType::kString: v = std::string(col.GetString(r)); break;
          case DataType::kTimestamp: v = FormatTimestamp(col.GetInt64(r), true); break;
          case DataType::kDate: v = FormatDate(col.GetInt64(r)); break;
        }
      }
      row[col.name()] = std::move(v);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void PrintTable(const Table& table, OutputFormat format, std::ostream& out, size_t max_width) {
  switch (format) {
    case OutputFormat::kTable: PrintAscii(table, out, max_width); break;
    case OutputFormat::kJson: out << TableToJson(table).dump(2) << '\n'; break;
    case OutputFormat::kCsv: {
      Status s = WriteCsv(table, out);
      if (!s.ok()) out << "# " << s.message() << '\n';
      break;
    }
  }
}

TextTableBuilder::TextTableBuilder(std::vector<Field> columns) {
  for (Field& f : columns) {
    Status s = table_.AddColumn(Column(std::move(f.name), f.type));
    s.IgnoreError();  // builder columns are fixed by the caller, names are unique
  }
}

void TextTableBuilder::AddRow(const std::vector<std::string>& cells) {
  for (int c = 0; c < table_.num_columns(); ++c) {
    Column& col = table_.mutable_column(c);
    const std::string cell = static_cast<size_t>(c) < cells.size() ? cells[c] : std::string();
    bool b;
    int64_t i;
    double d;
    switch (col.type()) {
      case DataType::kString: col.AppendString(cell); break;
      case DataType::kBool:
        ParseBoolValue(cell, &b) ? col.AppendBool(b) : col.AppendNull();
        break;
      case DataType::kInt64:
        ParseInt64Value(cell, &i) ? col.AppendInt64(i) : col.AppendNull();
        break;
      case DataType::kFloat64:
        ParseFloat64Value(cell, &d) ? col.AppendFloat64(d) : col.AppendNull();
        break;
      case DataType::kTimestamp:
        ParseTimestampValue(cell, &i) ? col.AppendInt64(i) : col.AppendNull();
        break;
      case DataType::kDate:
        ParseDateValue(cell, &i) ? col.AppendInt64(i) : col.AppendNull();
        break;
    }
  }
}

std::string WithThousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count > 0 && count % 3 == 0) out += ',';
    out += *it;
    ++count;
  }
  if (value < 0) out += '-';
  return std::string(out.rbegin(), out.rend());
}

std::string HumanBytes(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} {}", bytes, units[u]) : fmt::format("{:.1f} {}", bytes, units[u]);
}

bool StdoutIsTty() { return isatty(STDOUT_FILENO) != 0; }
bool StderrIsTty() { return isatty(STDERR_FILENO) != 0; }

}  // namespace strata::cli
