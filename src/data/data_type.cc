#include "strata/data_type.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace strata {

std::string_view DataTypeName(DataType type) {
  switch (type) {
    case DataType::kBool: return "BOOL";
    case DataType::kInt64: return "INT64";
    case DataType::kFloat64: return "FLOAT64";
    case DataType::kString: return "STRING";
    case DataType::kTimestamp: return "TIMESTAMP";
    case DataType::kDate: return "DATE";
  }
  return "UNKNOWN";
}

std::optional<DataType> ParseDataType(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper == "BOOL" || upper == "BOOLEAN") return DataType::kBool;
  if (upper == "INT64" || upper == "INT" || upper == "INTEGER" || upper == "BIGINT") {
    return DataType::kInt64;
  }
  if (upper == "FLOAT64" || upper == "FLOAT" || upper == "DOUBLE" || upper == "REAL" ||
      upper == "NUMERIC") {
    return DataType::kFloat64;
  }
  if (upper == "STRING" || upper == "TEXT" || upper == "VARCHAR") return DataType::kString;
  if (upper == "TIMESTAMP" || upper == "DATETIME") return DataType::kTimestamp;
  if (upper == "DATE") return DataType::kDate;
  return std::nullopt;
}

std::string DataTypeNamesForHelp() { return "BOOL, INT64, FLOAT64, STRING, TIMESTAMP, DATE"; }

bool IsNumeric(DataType type) {
  return type == DataType::kBool || type == DataType::kInt64 || type == DataType::kFloat64;
}

DataType WidenType(DataType a, DataType b) {
  if (a == b) return a;
  auto is = [&](DataType x, DataType y) { return (a == x && b == y) || (a == y && b == x); };
  if (is(DataType::kInt64, DataType::kFloat64)) return DataType::kFloat64;
  if (is(DataType::kDate, DataType::kTimestamp)) return DataType::kTimestamp;
  return DataType::kString;
}

// Howard Hinnant's civil-date algorithms (public domain), valid for any int64 day count
// that fits a year in int64.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* year, unsigned* month, unsigned* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (*month <= 2);
}

std::string FormatDate(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string FormatTimestamp(int64_t micros, bool iso_t) {
  int64_t days = micros / 86400000000LL;
  int64_t rem = micros % 86400000000LL;
  if (rem < 0) {
    rem += 86400000000LL;
    --days;
  }
  int64_t secs = rem / 1000000;
  int64_t frac = rem % 1000000;
  std::string out = FormatDate(days);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld:%02lld", iso_t ? 'T' : ' ',
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  out += buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  if (iso_t) out += 'Z';
  return out;
}

}  // namespace strata
