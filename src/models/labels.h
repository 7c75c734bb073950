// Label handling shared by the trainer, the predictor and evaluation: which classes a label
// column has (in a stable order) and how label values map to class indices and back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "strata/status.h"
#include "strata/table.h"

namespace strata {

// The distinct non-null values of a classification label, as text, in natural order:
// numbers numerically, BOOL false before true, text bytewise. With `positive` set for a
// binary label, that class is moved to index 1 (the positive class); without it, index 1 is
// the class that reads as positive ("1", "true", "yes"...), else the minority class.
Result<std::vector<std::string>> ClassLabels(const Column& label,
                                             const std::optional<std::string>& positive);

// Class index per row (-1 for NULL or for a value not in `classes`).
std::vector<int> ClassIndices(const Column& label, const std::vector<std::string>& classes);

// A column named `name` of `type` holding the class texts for `indices` (the inverse of
// ClassIndices, for predicted_<label>).
Column LabelColumn(const std::string& name, DataType type, const std::vector<std::string>& classes,
                   const std::vector<int>& indices);

// Checks that a label column has no NULLs, naming the first row that has one.
Status CheckNoNullLabels(const Column& label);

}  // namespace strata
