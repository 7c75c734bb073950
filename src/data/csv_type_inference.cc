#include "data/csv_type_inference.h"

#include "data/csv_fast_number.h"
#include "data/value_parser.h"

namespace strata {

void MergeCsvRowTypes(const CsvFieldList& fields, const NullTokenSet& nulls,
                      std::vector<std::optional<DataType>>* types) {
  const size_t ncols = types->size();
  if (fields.size() != ncols) return;
  for (size_t c = 0; c < ncols; ++c) {
    const CsvField& f = fields[c];
    if (IsCsvNull(f, nulls) || (f.quoted() && f.size == 0)) continue;
    std::optional<DataType>& t = (*types)[c];
    if (t == DataType::kString) continue;  // nothing widens STRING: skip the parse
    // The common case, a number that fits its column's type, without the shared parser:
    // MergeValueType would keep the type too. Halves the sniffing time of numeric files.
    double d;
    int64_t i;
    if (t == DataType::kFloat64 && ParsePlainDecimal(f.data, f.size, &d)) continue;
    if (t == DataType::kInt64 && ParsePlainInt64(f.data, f.size, &i)) continue;
    t = MergeValueType(t, f.value());
  }
}

}  // namespace strata
