// Logical column types, their BigQuery names, and the date/time encodings Strata uses.
//
//   std::optional<strata::DataType> t = strata::ParseDataType("float");  // kFloat64
//   strata::DataTypeName(*t);                                          // "FLOAT64"
//
// TIMESTAMP values are microseconds since 1970-01-01T00:00:00Z (UTC); DATE values are days
// since 1970-01-01. Both are stored as int64.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

enum class DataType : uint8_t { kBool, kInt64, kFloat64, kString, kTimestamp, kDate };

// BigQuery's name of a type: BOOL, INT64, FLOAT64, STRING, TIMESTAMP, DATE.
std::string_view DataTypeName(DataType type);

// Parses a type name case-insensitively, accepting common aliases (INT, INTEGER, FLOAT,
// DOUBLE, REAL, TEXT, VARCHAR, BOOLEAN, DATETIME). Returns nullopt for an unknown name.
std::optional<DataType> ParseDataType(std::string_view name);

// The names ParseDataType accepts, for error messages ("expected one of ...").
std::string DataTypeNamesForHelp();

// True for the types a model can use as numbers directly.
bool IsNumeric(DataType type);

// The narrowest type that holds every value of both `a` and `b` without loss:
// INT64+FLOAT64 -> FLOAT64, DATE+TIMESTAMP -> TIMESTAMP, anything else mixed -> STRING.
DataType WidenType(DataType a, DataType b);

// A named, typed column slot in a schema.
struct Field {
  std::string name;
  DataType type;
  friend bool operator==(const Field&, const Field&) = default;
};
using Schema = std::vector<Field>;

// Calendar helpers (proleptic Gregorian, UTC).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

// "2024-03-01" for a DATE value.
std::string FormatDate(int64_t days);
// "2024-03-01 12:30:00" (seconds fraction only when non-zero, up to 6 digits) for a
// TIMESTAMP value, always UTC; `iso_t` uses 'T' and a trailing 'Z' (for JSON).
std::string FormatTimestamp(int64_t micros, bool iso_t = false);

}  // namespace strata
