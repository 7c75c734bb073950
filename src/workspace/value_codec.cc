#include "workspace/value_codec.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "data/value_parser.h"

namespace strata {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

// Floor division: timestamps before 1970 are negative and must land on the previous day.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Day numbers of 0000-01-01 and 9999-12-31: the years SQLite's date text can hold.
int64_t MinDay() {
  static const int64_t day = DaysFromCivil(0, 1, 1);
  return day;
}
int64_t MaxDay() {
  static const int64_t day = DaysFromCivil(9999, 12, 31);
  return day;
}

void PutDigits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Doubles of magnitude below 2^63 convert to int64 without overflow (2^63 itself does not).
constexpr double kTwoTo63 = 9223372036854775808.0;

}  // namespace

std::string_view DeclaredSqlType(DataType type) {
  switch (type) {
    case DataType::kInt64:
      return "INTEGER";
    case DataType::kFloat64:
      return "REAL";
    case DataType::kString:
      return "TEXT";
    case DataType::kBool:
      return "BOOLEAN";
    case DataType::kTimestamp:
      return "TIMESTAMP";
    case DataType::kDate:
      return "DATE";
  }
  return "TEXT";
}

std::optional<DataType> TypeFromDeclaredSqlType(std::string_view declared) {
  std::string upper(declared);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  // Order matters: "DATETIME" holds "DATE", and SQLite itself checks INT before the text
  // and real patterns ("POINT" has INTEGER affinity, so we follow it).
  if (Contains(upper, "BOOL")) return DataType::kBool;
  if (Contains(upper, "TIMESTAMP") || Contains(upper, "DATETIME")) return DataType::kTimestamp;
  if (Contains(upper, "DATE")) return DataType::kDate;
  if (Contains(upper, "INT")) return DataType::kInt64;
  if (Contains(upper, "CHAR") || Contains(upper, "CLOB") || Contains(upper, "TEXT") ||
      Contains(upper, "STRING")) {
    return DataType::kString;
  }
  if (Contains(upper, "REAL") || Contains(upper, "FLOA") || Contains(upper, "DOUB")) {
    return DataType::kFloat64;
  }
  return std::nullopt;
}

bool TimestampInRange(int64_t micros) {
  int64_t day = FloorDiv(micros, kMicrosPerDay);
  return day >= MinDay() && day <= MaxDay();
}

bool DateInRange(int64_t days) { return days >= MinDay() && days <= MaxDay(); }

size_t FormatDateTo(int64_t days, char* out) {
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  PutDigits(out, year, 4);
  out[4] = '-';
  PutDigits(out + 5, month, 2);
  out[7] = '-';
  PutDigits(out + 8, day, 2);
  return 10;
}

size_t FormatTimestampTo(int64_t micros, char* out) {
  int64_t day = FloorDiv(micros, kMicrosPerDay);
  int64_t rem = micros - day * kMicrosPerDay;
  int64_t seconds = rem / 1000000;
  int64_t fraction = rem % 1000000;
  size_t n = FormatDateTo(day, out);
  out[n++] = ' ';
  PutDigits(out + n, seconds / 3600, 2);
  out[n + 2] = ':';
  PutDigits(out + n + 3, seconds / 60 % 60, 2);
  out[n + 5] = ':';
  PutDigits(out + n + 6, seconds % 60, 2);
  n += 8;
  if (fraction != 0) {
    out[n++] = '.';
    PutDigits(out + n, fraction, 6);
    size_t digits = 6;
    while (out[n + digits - 1] == '0') --digits;  // FormatTimestamp trims trailing zeros
    n += digits;
  }
  return n;
}

bool EncodeCell(const Column& column, int64_t row, CellBuffer* buffer, SqlValue* out) {
  if (column.IsNull(row)) {
    out->kind = SqliteType::kNull;
    return true;
  }
  switch (column.type()) {
    case DataType::kBool:
      out->kind = SqliteType::kInteger;
      out->integer = column.GetBool(row) ? 1 : 0;
      return true;
    case DataType::kInt64:
      out->kind = SqliteType::kInteger;
      out->integer = column.GetInt64(row);
      return true;
    case DataType::kFloat64: {
      double v = column.GetFloat64(row);
      // NaN is Strata's "missing number"; SQLite would store it as NULL anyway.
      out->kind = std::isnan(v) ? SqliteType::kNull : SqliteType::kFloat;
      out->real = v;
      return true;
    }
    case DataType::kString:
      out->kind = SqliteType::kText;
      out->text = column.GetString(row);
      return true;
    case DataType::kTimestamp: {
      int64_t v = column.GetInt64(row);
      if (!TimestampInRange(v)) return false;
      out->kind = SqliteType::kText;
      out->text = std::string_view(buffer->chars, FormatTimestampTo(v, buffer->chars));
      return true;
    }
    case DataType::kDate: {
      int64_t v = column.GetInt64(row);
      if (!DateInRange(v)) return false;
      out->kind = SqliteType::kText;
      out->text = std::string_view(buffer->chars, FormatDateTo(v, buffer->chars));
      return true;
    }
  }
  return false;
}

Status BindValue(SqliteStatement& statement, int index, const SqlValue& value) {
  switch (value.kind) {
    case SqliteType::kNull:
      return statement.BindNull(index);
    case SqliteType::kInteger:
      return statement.BindInt64(index, value.integer);
    case SqliteType::kFloat:
      return statement.BindDouble(index, value.real);
    case SqliteType::kText:
      return statement.BindText(index, value.text, /*copy=*/false);
    case SqliteType::kBlob:
      return statement.BindBlob(index, value.text, /*copy=*/false);
  }
  return Internal("unknown SQLite value kind");
}

SqlValue ReadValue(const SqliteStatement& statement, int column) {
  SqlValue value;
  value.kind = statement.ColumnType(column);
  switch (value.kind) {
    case SqliteType::kNull:
      break;
    case SqliteType::kInteger:
      value.integer = statement.ColumnInt64(column);
      break;
    case SqliteType::kFloat:
      value.real = statement.ColumnDouble(column);
      break;
    case SqliteType::kText:
      value.text = statement.ColumnText(column);
      break;
    case SqliteType::kBlob:
      value.text = statement.ColumnBlob(column);
      break;
  }
  return value;
}

DataType NaturalType(const SqlValue& value) {
  switch (value.kind) {
    case SqliteType::kInteger:
      return DataType::kInt64;
    case SqliteType::kFloat:
      return DataType::kFloat64;
    case SqliteType::kText:
      return InferValueType(value.text);
    case SqliteType::kBlob:
    case SqliteType::kNull:
      break;
  }
  return DataType::kString;
}

std::string RenderValue(const SqlValue& value) {
  switch (value.kind) {
    case SqliteType::kNull:
      return {};
    case SqliteType::kInteger:
      return fmt::format("{}", value.integer);
    // fmt's shortest round-trip form, as Column::FormatValue prints FLOAT64 values.
    case SqliteType::kFloat:
      return fmt::format("{}", value.real);
    case SqliteType::kText:
    case SqliteType::kBlob:
      return std::string(value.text);
  }
  return {};
}

bool DecodeValue(const SqlValue& value, DataType type, DecodedValue* out) {
  const SqliteType kind = value.kind;
  switch (type) {
    case DataType::kString:
      if (kind == SqliteType::kText || kind == SqliteType::kBlob) {
        out->view = value.text;
      } else {
        out->text = RenderValue(value);
        out->view = out->text;
      }
      return true;
    case DataType::kInt64:
      if (kind == SqliteType::kInteger) {
        out->integer = value.integer;
        return true;
      }
      if (kind == SqliteType::kFloat) {
        double d = value.real;
        if (d != std::trunc(d) || d < -kTwoTo63 || d >= kTwoTo63) return false;
        out->integer = static_cast<int64_t>(d);
        return true;
      }
      return kind == SqliteType::kText && ParseInt64Value(value.text, &out->integer);
    case DataType::kFloat64:
      if (kind == SqliteType::kFloat) {
        out->real = value.real;
        return true;
      }
      if (kind == SqliteType::kInteger) {
        // Exact only: 2^53 + 1 as a double would silently become 2^53.
        double d = static_cast<double>(value.integer);
        if (d >= kTwoTo63 || static_cast<int64_t>(d) != value.integer) return false;
        out->real = d;
        return true;
      }
      return kind == SqliteType::kText && ParseFloat64Value(value.text, &out->real);
    case DataType::kBool: {
      if (kind == SqliteType::kInteger || kind == SqliteType::kFloat) {
        double d = kind == SqliteType::kInteger ? static_cast<double>(value.integer) : value.real;
        if (d != 0.0 && d != 1.0) return false;
        out->integer = d == 1.0 ? 1 : 0;
        return true;
      }
      bool b = false;
      if (kind != SqliteType::kText || !ParseBoolValue(value.text, &b)) return false;
      out->integer = b ? 1 : 0;
      return true;
    }
    case DataType::kTimestamp:
      return kind == SqliteType::kText && ParseTimestampValue(value.text, &out->integer);
    case DataType::kDate:
      return kind == SqliteType::kText && ParseDateValue(value.text, &out->integer);
  }
  return false;
}

DataType WidenForValue(DataType current, const SqlValue& value) {
  DataType natural = NaturalType(value);
  if (current == DataType::kBool &&
      (natural == DataType::kInt64 || natural == DataType::kFloat64)) {
    return natural;
  }
  DataType widened = WidenType(current, natural);
  // Same type back means the value has the right kind but does not fit (an integer beyond
  // 2^53 in a FLOAT64 column): only text keeps it exactly.
  return widened == current ? DataType::kString : widened;
}

}  // namespace strata
