// Per-column type inference over the sampled rows, with the shared rules of value_parser.h
// (MergeValueType), and the null rules every CSV code path uses.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "data/csv_scanner.h"
#include "strata/data_type.h"

namespace strata {

// A field is null when it is an unquoted null token. A quoted "" is an empty string for
// STRING columns and null for every other type, so it never decides a column's type.
inline bool IsCsvNull(const CsvField& f, const NullTokenSet& nulls) {
  return !f.quoted() && nulls.Contains(f.data, f.size);
}
inline bool IsCsvNullFor(const CsvField& f, const NullTokenSet& nulls, bool string_column) {
  return IsCsvNull(f, nulls) || (f.quoted() && f.size == 0 && !string_column);
}

// Merges the non-null values of one row into `types` (one entry per column, nullopt while
// a column has only nulls). A row whose field count differs from types->size() is ignored:
// the full parse reports or handles it.
void MergeCsvRowTypes(const CsvFieldList& fields, const NullTokenSet& nulls,
                      std::vector<std::optional<DataType>>* types);

// The type a column gets from its inferred one: all-null columns are STRING.
inline DataType ResolveCsvColumnType(std::optional<DataType> inferred) {
  return inferred.value_or(DataType::kString);
}

}  // namespace strata
