// Parsing single text values into typed values, and the inference rule behind every reader:
// the narrowest type a piece of text can be read as without losing information.
//
// Rules (documented in docs/data.md):
//   BOOL       true / false, case-insensitive
//   INT64      optional sign and digits that fit in 64 bits; no leading zeros ("007" stays
//              STRING, so zip codes and IDs keep their zeros); longer integers stay STRING
//   FLOAT64    decimal or scientific notation (fast_float), "inf", "-inf"; a leading zero
//              only directly before the decimal point
//   DATE       YYYY-MM-DD
//   TIMESTAMP  YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH[:MM]], converted to UTC (a plain
//              date also parses as a TIMESTAMP at midnight, so DATE widens to TIMESTAMP)
//   STRING     anything else
// Leading and trailing ASCII spaces are ignored for the non-STRING types.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "strata/data_type.h"

namespace strata {

bool ParseBoolValue(std::string_view text, bool* out);
bool ParseInt64Value(std::string_view text, int64_t* out);
bool ParseFloat64Value(std::string_view text, double* out);
bool ParseDateValue(std::string_view text, int64_t* days);
bool ParseTimestampValue(std::string_view text, int64_t* micros);

// Whether `text` can be read as `type` (STRING always can).
bool FitsType(std::string_view text, DataType type);

// The narrowest type `text` fits: BOOL, INT64, FLOAT64, DATE, TIMESTAMP, else STRING.
DataType InferValueType(std::string_view text);

// The type that holds both the values seen so far (`current`, or nullopt when none yet) and
// `text`: first tries `text` as `current` (the common, fast case), else widens.
DataType MergeValueType(std::optional<DataType> current, std::string_view text);

}  // namespace strata
