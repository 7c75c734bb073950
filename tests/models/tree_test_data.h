// The numeric matrices the tree tests train on, built exactly as
// tests/models/reference/tree_reference.py builds them for xgboost-python: every column but
// the label in file order; numbers as doubles; text label-encoded in sorted order; NULL as
// NaN; then the cells with (31 * row + 17 * column) % 41 == 0 set to NaN (the bundled files
// have no NULLs, and missing values must be exercised). Labels are class indices in sorted
// order, or the number itself.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "strata/csv.h"
#include "strata/preprocess.h"
#include "support/test_support.h"

namespace strata::testing {

struct TreeTestData {
  FeatureMatrix x;
  std::vector<double> labels;
  std::vector<FeatureInfo> features;
  int num_classes = 0;  // 0 for regression
};

// Values of one column as doubles: numbers as they are, text as its sorted-order code.
inline std::vector<double> EncodeColumn(const Column& column, bool* categorical, int* categories) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> out(static_cast<size_t>(column.size()), nan);
  *categorical = column.type() == DataType::kString;
  if (!*categorical) {
    for (int64_t r = 0; r < column.size(); ++r) out[r] = column.GetAsDouble(r);
    return out;
  }
  std::map<std::string, double> codes;
  for (int64_t r = 0; r < column.size(); ++r) {
    if (!column.IsNull(r)) codes[std::string(column.GetString(r))] = 0;
  }
  double next = 0;
  for (auto& [text, code] : codes) code = next++;
  *categories = static_cast<int>(codes.size());
  for (int64_t r = 0; r < column.size(); ++r) {
    if (!column.IsNull(r)) out[r] = codes[std::string(column.GetString(r))];
  }
  return out;
}

inline TreeTestData LoadTreeTestData(const std::string& file, const std::string& label,
                                     bool classification) {
  TreeTestData data;
  auto table = ReadCsv(SourcePath("examples/data/" + file));
  EXPECT_OK(table);
  if (!table.ok()) return data;
  std::vector<int> feature_columns;
  int label_column = -1;
  for (int c = 0; c < table->num_columns(); ++c) {
    if (table->column(c).name() == label) {
      label_column = c;
    } else {
      feature_columns.push_back(c);
    }
  }
  EXPECT_GE(label_column, 0) << label;
  const int64_t rows = table->num_rows();
  data.x = FeatureMatrix(rows, static_cast<int>(feature_columns.size()));
  for (size_t f = 0; f < feature_columns.size(); ++f) {
    const Column& column = table->column(feature_columns[f]);
    bool categorical = false;
    int categories = 0;
    std::vector<double> values = EncodeColumn(column, &categorical, &categories);
    std::copy(values.begin(), values.end(), data.x.column(static_cast<int>(f)));
    FeatureInfo info;
    info.name = column.name();
    info.source_column = column.name();
    info.kind = categorical ? FeatureKind::kCategorical : FeatureKind::kNumeric;
    info.categories = categories;
    data.features.push_back(info);
  }
  for (int64_t r = 0; r < rows; ++r) {
    for (int c = 0; c < data.x.cols(); ++c) {
      if ((31 * r + 17 * c) % 41 == 0) data.x.at(r, c) = std::numeric_limits<double>::quiet_NaN();
    }
  }
  bool categorical = false;
  int categories = 0;
  data.labels = EncodeColumn(table->column(label_column), &categorical, &categories);
  if (classification) {
    data.num_classes = static_cast<int>(*std::max_element(data.labels.begin(), data.labels.end())) + 1;
  }
  return data;
}

}  // namespace strata::testing
