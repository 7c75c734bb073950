// How Strata's typed values are stored in SQLite and read back: the declared SQL type of each
// DataType, the value written for each cell, and the rules that turn whatever a user table
// holds (SQLite is dynamically typed) back into typed columns without losing data.
//
//   DATA TYPE   declared SQL type   stored as
//   INT64       INTEGER             integer
//   FLOAT64     REAL                real (NaN -> NULL, +-inf stays real)
//   STRING      TEXT                text
//   BOOL        BOOLEAN             integer 0 / 1
//   TIMESTAMP   TIMESTAMP           text 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC
//   DATE        DATE                text 'YYYY-MM-DD'
//
// Dates and times are text, not numbers, so the sqlite3 shell shows them readably and
// SQLite's date functions (date(), strftime()) take them as they are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "strata/data_type.h"
#include "strata/table.h"
#include "workspace/sqlite_db.h"

namespace strata {

// One SQLite value; `text` points into a column dictionary, a CellBuffer or SQLite's own
// buffer, so a SqlValue lives only as long as that.
struct SqlValue {
  SqliteType kind = SqliteType::kNull;
  int64_t integer = 0;
  double real = 0.0;
  std::string_view text;  // kText and kBlob
};

// The declared SQL type Strata gives a column of `type` ("INTEGER", "REAL", ...).
std::string_view DeclaredSqlType(DataType type);

// The DataType a declared SQL type names, following SQLite's affinity rules by substring
// (so "BIGINT", "VARCHAR(20)", "DOUBLE PRECISION" work); nullopt when it names none ("",
// "NUMERIC", "ANY", "BLOB"), in which case the values decide.
std::optional<DataType> TypeFromDeclaredSqlType(std::string_view declared);

// Room for a formatted TIMESTAMP or DATE while its SqlValue is bound.
struct CellBuffer {
  char chars[32];
};

// The value stored for row `row` of `column`. Returns false for a TIMESTAMP or DATE whose
// year is outside 0000-9999, which SQLite's date text cannot represent.
bool EncodeCell(const Column& column, int64_t row, CellBuffer* buffer, SqlValue* out);

// Binds `value` to parameter `index` without copying text (the caller keeps it alive).
Status BindValue(SqliteStatement& statement, int index, const SqlValue& value);

// Result column `column` of the current row of `statement`.
SqlValue ReadValue(const SqliteStatement& statement, int column);

// Fast equivalents of FormatTimestamp / FormatDate (same output; the import formats one per
// cell). Write at most 27 / 10 chars to `out` and return the length; the year must be in
// 0000-9999.
size_t FormatTimestampTo(int64_t micros, char* out);
size_t FormatDateTo(int64_t days, char* out);
// Whether a TIMESTAMP (micros) / DATE (days) value has a year in 0000-9999.
bool TimestampInRange(int64_t micros);
bool DateInRange(int64_t days);

// ---- reading back ----

// The type a value has on its own: integer -> INT64, real -> FLOAT64, text -> the narrowest
// type its text parses as (InferValueType), blob -> STRING. Not for NULL.
DataType NaturalType(const SqlValue& value);

// A typed value decoded from a SqlValue; which member is set depends on the target type.
struct DecodedValue {
  int64_t integer = 0;    // INT64, BOOL (0/1), TIMESTAMP, DATE
  double real = 0.0;      // FLOAT64
  std::string text;       // STRING rendered from a number (text values use `view`)
  std::string_view view;  // STRING
};

// Converts a non-NULL `value` to `type` when that loses nothing but formatting ('42' text as
// INT64, an integral real as INT64, integer 0/1 as BOOL, ...). False when it cannot.
bool DecodeValue(const SqlValue& value, DataType type, DecodedValue* out);

// The type a column of `current` must widen to so that `value` (which DecodeValue refused)
// fits. Follows WidenType, except that BOOL meeting a number widens to that number's type
// (SQLite stores booleans as integers) and a widening that would not help gives STRING.
DataType WidenForValue(DataType current, const SqlValue& value);

// The text a value has in a STRING column: numbers in their shortest round-trip form.
std::string RenderValue(const SqlValue& value);

}  // namespace strata
