#include "strata/preprocess.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "common/parallel.h"
#include "data/value_parser.h"
#include "strata/suggest.h"

namespace strata {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kNullCategory = "_null_";
constexpr const char* kOtherCategory = "_other_";

bool IsTime(DataType t) { return t == DataType::kTimestamp || t == DataType::kDate; }

// Whether a column is encoded as categories under `style`.
bool IsCategorical(DataType t, EncodingStyle style) {
  if (t == DataType::kString) return true;
  if (t == DataType::kBool) return style != EncodingStyle::kRawLabelEncoded;
  return false;
}

// The time parts a TIMESTAMP/DATE column contributes besides its numeric value.
std::vector<std::string> TimeParts(DataType t) {
  if (t == DataType::kDate) return {"month", "day_of_week"};
  return {"month", "day_of_week", "hour"};
}

// Value of a time part for a TIMESTAMP (micros) or DATE (days) value.
int TimePart(DataType t, int64_t v, const std::string& part) {
  int64_t days = t == DataType::kDate ? v : (v >= 0 ? v / 86400000000LL : (v - 86399999999LL) / 86400000000LL);
  if (part == "month") {
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, &y, &m, &d);
    return static_cast<int>(m);
  }
  if (part == "day_of_week") {  // 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday)
    int64_t dow = ((days % 7) + 7 + 3) % 7;
    return static_cast<int>(dow) + 1;
  }
  int64_t micros_of_day = v - days * 86400000000LL;
  return static_cast<int>(micros_of_day / 3600000000LL);
}

// The numeric value of a time column: Unix seconds for TIMESTAMP, days for DATE.
double TimeNumber(DataType t, int64_t v) {
  return t == DataType::kDate ? static_cast<double>(v) : static_cast<double>(v) / 1e6;
}

// Reads a cell as a double for a numeric training column, coercing the input's type.
// Returns false when the value is present but cannot be read.
bool NumericCell(const Column& c, int64_t r, DataType train_type, double* out) {
  if (c.IsNull(r)) {
    *out = kNaN;
    return true;
  }
  switch (c.type()) {
    case DataType::kBool: *out = c.GetBool(r) ? 1 : 0; return true;
    case DataType::kInt64: *out = static_cast<double>(c.GetInt64(r)); return true;
    case DataType::kFloat64: *out = c.GetFloat64(r); return true;
    case DataType::kTimestamp:
    case DataType::kDate:
      if (!IsTime(train_type)) return false;
      *out = TimeNumber(c.type(), c.GetInt64(r));
      if (train_type == DataType::kDate && c.type() == DataType::kTimestamp) *out /= 86400;
      if (train_type == DataType::kTimestamp && c.type() == DataType::kDate) *out *= 86400;
      return true;
    case DataType::kString: {
      std::string_view s = c.GetString(r);
      if (IsTime(train_type)) {
        int64_t v;
        if (train_type == DataType::kDate && ParseDateValue(s, &v)) {
          *out = static_cast<double>(v);
          return true;
        }
        if (ParseTimestampValue(s, &v)) {
          *out = train_type == DataType::kDate ? static_cast<double>(v) / 86400e6 : v / 1e6;
          return true;
        }
        return false;
      }
      bool b;
      if (train_type == DataType::kBool && ParseBoolValue(s, &b)) {
        *out = b ? 1 : 0;
        return true;
      }
      return ParseFloat64Value(s, out);
    }
  }
  return false;
}

// The raw time value (micros or days, in the training type) of a cell, for time parts.
bool TimeCell(const Column& c, int64_t r, DataType train_type, int64_t* out) {
  double v;
  if (!NumericCell(c, r, train_type, &v) || std::isnan(v)) return false;
  *out = train_type == DataType::kDate ? static_cast<int64_t>(std::floor(v))
                                       : static_cast<int64_t>(std::llround(v * 1e6));
  return true;
}

// The category text of a cell (as the training column would have formatted it).
std::string CategoryText(const Column& c, int64_t r) { return c.FormatValue(r); }

Status BadValue(const ColumnTransform& t, const Column& c, int64_t r) {
  return InvalidArgument(fmt::format(
      "column '{}', row {}: '{}' cannot be read as {}, the column's type in the training "
      "data. Possible solutions: fix or cast the value, or leave it NULL",
      t.column, r + 1, c.FormatValue(r), DataTypeName(t.type)));
}

}  // namespace

FeatureMatrix FeatureMatrix::TakeRows(std::span<const int64_t> rows) const {
  FeatureMatrix out(static_cast<int64_t>(rows.size()), cols_);
  for (int c = 0; c < cols_; ++c) {
    const double* src = column(c);
    double* dst = out.column(c);
    for (size_t i = 0; i < rows.size(); ++i) dst[i] = src[rows[i]];
  }
  return out;
}

void FeatureMatrix::AppendRows(const FeatureMatrix& other) {
  if (cols_ == 0 && rows_ == 0) {
    *this = other;
    return;
  }
  std::vector<double> merged(static_cast<size_t>(rows_ + other.rows_) * cols_);
  for (int c = 0; c < cols_; ++c) {
    std::copy_n(column(c), rows_, merged.data() + static_cast<size_t>(c) * (rows_ + other.rows_));
    std::copy_n(other.column(c), other.rows_,
                merged.data() + static_cast<size_t>(c) * (rows_ + other.rows_) + rows_);
  }
  rows_ += other.rows_;
  data_ = std::move(merged);
}

Result<Preprocessor> Preprocessor::Fit(const Table& train, const std::vector<std::string>& columns,
                                       const PreprocessOptions& options) {
  if (!options.transform.is_array() || options.transform.empty()) {
    return FitColumns(train, columns, options);
  }
  // TRANSFORM: fit it on the training rows, then encode its outputs (but the label).
  STRATA_ASSIGN_OR_RETURN(FeatureTransform transform, FeatureTransform::Fit(train, options.transform));
  STRATA_ASSIGN_OR_RETURN(Table transformed, transform.Apply(train, {options.label}));
  std::vector<std::string> outputs;
  for (const std::string& name : transform.outputs()) {
    if (name != options.label) outputs.push_back(name);
  }
  if (outputs.empty()) return InvalidArgument("TRANSFORM gives no feature column besides the label");
  PreprocessOptions inner = options;
  inner.transform = nlohmann::json();
  STRATA_ASSIGN_OR_RETURN(Preprocessor p, FitColumns(transformed, outputs, inner));
  p.transform_ = std::move(transform);
  return p;
}

Result<Preprocessor> Preprocessor::FitColumns(const Table& train, const std::vector<std::string>& columns,
                                              const PreprocessOptions& options) {
  Preprocessor p;
  p.options_ = options;
  const bool one_hot = options.style != EncodingStyle::kRawLabelEncoded;
  if (columns.empty()) return InvalidArgument("no feature columns to train on");
  for (const std::string& name : columns) {
    STRATA_ASSIGN_OR_RETURN(const Column* col, train.GetColumn(name));
    ColumnTransform t;
    t.column = name;
    t.type = col->type();
    t.count = col->size() - col->null_count();
    t.null_count = col->null_count();
    const int64_t n = col->size();
    if (IsCategorical(t.type, options.style)) {
      std::map<std::string, int64_t> counts;
      if (col->type() == DataType::kString) {
        // Count dictionary codes, then name them: one string per category, not per row.
        std::vector<int64_t> by_code(col->dictionary().size(), 0);
        for (int64_t r = 0; r < n; ++r) {
          if (!col->IsNull(r)) ++by_code[col->GetCode(r)];
        }
        for (size_t code = 0; code < by_code.size(); ++code) {
          if (by_code[code] > 0) {
            counts[std::string(col->dictionary().Get(static_cast<uint32_t>(code)))] += by_code[code];
          }
        }
      } else {
        for (int64_t r = 0; r < n; ++r) {
          if (!col->IsNull(r)) ++counts[CategoryText(*col, r)];
        }
      }
      std::vector<std::pair<std::string, int64_t>> by_count(counts.begin(), counts.end());
      if (one_hot && static_cast<int>(by_count.size()) > options.max_categories) {
        // Keep the most frequent categories; the rest share the "_other_" column.
        std::stable_sort(by_count.begin(), by_count.end(),
                         [](const auto& a, const auto& b) { return a.second > b.second; });
        by_count.resize(static_cast<size_t>(options.max_categories));
        t.has_other = true;
        std::sort(by_count.begin(), by_count.end());
      }
      for (const auto& [value, count] : by_count) t.categories.push_back(value);
      if (one_hot) {
        for (const std::string& cat : t.categories) {
          p.features_.push_back({name + "=" + cat, name, FeatureKind::kOneHot, cat});
        }
        if (t.has_other) {
          p.features_.push_back({name + "=" + kOtherCategory, name, FeatureKind::kOneHot, kOtherCategory});
        }
        if (t.null_count > 0) {
          p.features_.push_back({name + "=" + kNullCategory, name, FeatureKind::kOneHot, kNullCategory});
        }
      } else {
        p.features_.push_back({name, name, FeatureKind::kCategorical, "",
                               static_cast<int>(t.categories.size()) + (t.has_other ? 1 : 0)});
      }
    } else {
      // Numeric, BOOL for trees, and the numeric part of time columns.
      std::vector<double> values;
      values.reserve(static_cast<size_t>(t.count));
      for (int64_t r = 0; r < n; ++r) {
        double v;
        if (NumericCell(*col, r, t.type, &v) && std::isfinite(v)) values.push_back(v);
      }
      if (!values.empty()) {
        double sum = 0;
        for (double v : values) sum += v;
        t.mean = sum / static_cast<double>(values.size());
        double ss = 0;
        for (double v : values) ss += (v - t.mean) * (v - t.mean);
        t.stddev = std::sqrt(ss / static_cast<double>(values.size()));
        auto [mn, mx] = std::minmax_element(values.begin(), values.end());
        t.min = *mn;
        t.max = *mx;
        auto mid = values.begin() + static_cast<int64_t>(values.size() / 2);
        std::nth_element(values.begin(), mid, values.end());
        t.median = *mid;
      }
      // A constant column standardises to zeros rather than dividing by zero.
      if (!(t.stddev > 0)) t.stddev = 1;
      p.features_.push_back({name, name, FeatureKind::kNumeric, ""});
      if (IsTime(t.type)) {
        for (const std::string& part : TimeParts(t.type)) {
          if (one_hot) {
            // One-hot over the values seen in training, like a categorical column.
            std::map<int, int64_t> seen;
            for (int64_t r = 0; r < n; ++r) {
              int64_t raw;
              if (TimeCell(*col, r, t.type, &raw)) ++seen[TimePart(t.type, raw, part)];
            }
            for (const auto& [v, count] : seen) {
              std::string cat = part + "=" + std::to_string(v);
              p.features_.push_back({name + "." + cat, name, FeatureKind::kOneHot, cat});
            }
          } else {
            p.features_.push_back({name + "." + part, name, FeatureKind::kNumeric, part});
          }
        }
      }
    }
    p.columns_.push_back(std::move(t));
  }
  return p;
}

Result<FeatureMatrix> Preprocessor::Transform(const Table& input) const {
  if (transform_.empty()) return TransformColumns(input);
  STRATA_ASSIGN_OR_RETURN(Table transformed, transform_.Apply(input, {options_.label}));
  return TransformColumns(transformed);
}

Result<FeatureMatrix> Preprocessor::TransformColumns(const Table& input) const {
  const int64_t n = input.num_rows();
  FeatureMatrix x(n, static_cast<int>(features_.size()));
  const bool one_hot = options_.style != EncodingStyle::kRawLabelEncoded;
  const bool standardize = options_.style == EncodingStyle::kStandardizeOneHot;

  // Resolve input columns first so a missing one fails before any work.
  std::vector<const Column*> inputs;
  for (const ColumnTransform& t : columns_) {
    // Inputs usually arrive in the model's column order (a served request's table is built
    // in it), so the same position is tried before a search by name, which would make a wide
    // single-row input cost O(columns^2) string comparisons.
    size_t i = inputs.size();
    if (i < static_cast<size_t>(input.num_columns()) &&
        input.column(static_cast<int>(i)).name() == t.column) {
      inputs.push_back(&input.column(static_cast<int>(i)));
      continue;
    }
    auto col = input.GetColumn(t.column);
    if (!col.ok()) {
      return NotFound(fmt::format("the model needs input column '{}' ({}), which is missing. {}",
                                  t.column, DataTypeName(t.type), col.status().message()));
    }
    inputs.push_back(*col);
  }
  // The first feature index of each input column.
  std::vector<int> first_feature(columns_.size());
  {
    size_t f = 0;
    for (size_t i = 0; i < columns_.size(); ++i) {
      first_feature[i] = static_cast<int>(f);
      while (f < features_.size() && features_[f].source_column == columns_[i].column) ++f;
    }
  }

  std::vector<Status> errors(columns_.size());
  ParallelFor(static_cast<int64_t>(columns_.size()), 0, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      const ColumnTransform& t = columns_[i];
      const Column& col = *inputs[i];
      int f0 = first_feature[i];
      if (IsCategorical(t.type, options_.style)) {
        // Map each distinct input value to its feature once (dictionary codes for strings).
        std::unordered_map<std::string, int> index;
        for (size_t k = 0; k < t.categories.size(); ++k) index[t.categories[k]] = static_cast<int>(k);
        int other = -1, null_col = -1;
        int width = static_cast<int>(t.categories.size());
        if (one_hot) {
          if (t.has_other) other = width++;
          if (t.null_count > 0) null_col = width++;
          for (int k = 0; k < width; ++k) std::fill_n(x.column(f0 + k), n, 0.0);
        }
        std::vector<int> code_map;
        if (col.type() == DataType::kString) {
          code_map.resize(col.dictionary().size());
          for (size_t code = 0; code < code_map.size(); ++code) {
            auto it = index.find(std::string(col.dictionary().Get(static_cast<uint32_t>(code))));
            code_map[code] = it == index.end() ? -1 : it->second;
          }
        }
        double* out = x.column(f0);
        for (int64_t r = 0; r < n; ++r) {
          int k;
          if (col.IsNull(r)) {
            k = -2;
          } else if (col.type() == DataType::kString) {
            k = code_map[col.GetCode(r)];
          } else {
            auto it = index.find(CategoryText(col, r));
            k = it == index.end() ? -1 : it->second;
          }
          if (one_hot) {
            // Unseen values (and NULL when training had none) are all zeros.
            int target = k >= 0 ? k : (k == -2 ? null_col : other);
            if (k == -1 && !t.has_other) target = -1;
            if (target >= 0) x.at(r, f0 + target) = 1.0;
          } else {
            out[r] = k >= 0 ? static_cast<double>(k) : kNaN;
          }
        }
        continue;
      }
      double* out = x.column(f0);
      for (int64_t r = 0; r < n; ++r) {
        double v;
        if (!NumericCell(col, r, t.type, &v)) {
          errors[i] = BadValue(t, col, r);
          return;
        }
        if (!std::isfinite(v)) v = kNaN;
        if (one_hot) {
          if (std::isnan(v)) v = t.mean;  // BigQuery ML: NULL numeric -> training mean
          if (standardize) v = (v - t.mean) / t.stddev;
        }
        out[r] = v;
      }
      if (!IsTime(t.type)) continue;
      int f = f0 + 1;
      for (const std::string& part : TimeParts(t.type)) {
        if (one_hot) {
          // The one-hot features of this part are consecutive: "part=value".
          std::unordered_map<int, int> part_index;
          while (f < static_cast<int>(features_.size()) && features_[f].source_column == t.column &&
                 features_[f].category.rfind(part + "=", 0) == 0) {
            part_index[std::stoi(features_[f].category.substr(part.size() + 1))] = f;
            std::fill_n(x.column(f), n, 0.0);
            ++f;
          }
          for (int64_t r = 0; r < n; ++r) {
            int64_t raw;
            if (!TimeCell(col, r, t.type, &raw)) continue;
            auto it = part_index.find(TimePart(t.type, raw, part));
            if (it != part_index.end()) x.at(r, it->second) = 1.0;
          }
        } else {
          double* po = x.column(f);
          for (int64_t r = 0; r < n; ++r) {
            int64_t raw;
            po[r] = TimeCell(col, r, t.type, &raw) ? TimePart(t.type, raw, part) : kNaN;
          }
          ++f;
        }
      }
    }
  });
  for (const Status& s : errors) STRATA_RETURN_IF_ERROR(s);
  return x;
}

Schema Preprocessor::input_schema() const {
  Schema s;
  if (!transform_.empty()) {
    for (const Field& f : transform_.inputs()) {
      if (f.name != options_.label) s.push_back(f);
    }
    return s;
  }
  for (const ColumnTransform& t : columns_) s.push_back({t.column, t.type});
  return s;
}

namespace {

std::string StyleName(EncodingStyle s) {
  switch (s) {
    case EncodingStyle::kStandardizeOneHot: return "standardize_one_hot";
    case EncodingStyle::kRawLabelEncoded: return "raw_label_encoded";
    case EncodingStyle::kOneHotOnly: return "one_hot_only";
  }
  return "?";
}

std::string KindName(FeatureKind k) {
  switch (k) {
    case FeatureKind::kNumeric: return "numeric";
    case FeatureKind::kCategorical: return "categorical";
    case FeatureKind::kOneHot: return "one_hot";
  }
  return "?";
}

}  // namespace

nlohmann::json Preprocessor::ToJson() const {
  nlohmann::json j;
  j["style"] = StyleName(options_.style);
  j["max_categories"] = options_.max_categories;
  if (!transform_.empty()) {
    j["transform"] = transform_.ToJson();
    j["label"] = options_.label;
  }
  j["columns"] = nlohmann::json::array();
  for (const ColumnTransform& t : columns_) {
    j["columns"].push_back({{"column", t.column},
                            {"type", DataTypeName(t.type)},
                            {"mean", t.mean},
                            {"stddev", t.stddev},
                            {"min", t.min},
                            {"max", t.max},
                            {"median", t.median},
                            {"categories", t.categories},
                            {"has_other", t.has_other},
                            {"count", t.count},
                            {"null_count", t.null_count}});
  }
  j["features"] = nlohmann::json::array();
  for (const FeatureInfo& f : features_) {
    nlohmann::json feature = {{"name", f.name},
                              {"source_column", f.source_column},
                              {"kind", KindName(f.kind)},
                              {"category", f.category}};
    if (f.kind == FeatureKind::kCategorical) feature["categories"] = f.categories;
    j["features"].push_back(std::move(feature));
  }
  return j;
}

Result<Preprocessor> Preprocessor::FromJson(const nlohmann::json& j) {
  Preprocessor p;
  try {
    std::string style = j.at("style").get<std::string>();
    if (style == "standardize_one_hot") {
      p.options_.style = EncodingStyle::kStandardizeOneHot;
    } else if (style == "raw_label_encoded") {
      p.options_.style = EncodingStyle::kRawLabelEncoded;
    } else if (style == "one_hot_only") {
      p.options_.style = EncodingStyle::kOneHotOnly;
    } else {
      return DataLoss("preprocessing: unknown encoding style '" + style + "'");
    }
    p.options_.max_categories = j.at("max_categories").get<int>();
    if (j.contains("transform")) {
      STRATA_ASSIGN_OR_RETURN(p.transform_, FeatureTransform::FromJson(j["transform"]));
      p.options_.label = j.value("label", std::string());
    }
    for (const auto& c : j.at("columns")) {
      ColumnTransform t;
      t.column = c.at("column").get<std::string>();
      auto type = ParseDataType(c.at("type").get<std::string>());
      if (!type) return DataLoss("preprocessing: unknown column type");
      t.type = *type;
      t.mean = c.at("mean").get<double>();
      t.stddev = c.at("stddev").get<double>();
      t.min = c.at("min").get<double>();
      t.max = c.at("max").get<double>();
      t.median = c.at("median").get<double>();
      t.categories = c.at("categories").get<std::vector<std::string>>();
      t.has_other = c.at("has_other").get<bool>();
      t.count = c.at("count").get<int64_t>();
      t.null_count = c.at("null_count").get<int64_t>();
      p.columns_.push_back(std::move(t));
    }
    for (const auto& f : j.at("features")) {
      FeatureInfo info;
      info.name = f.at("name").get<std::string>();
      info.source_column = f.at("source_column").get<std::string>();
      std::string kind = f.at("kind").get<std::string>();
      info.kind = kind == "numeric"       ? FeatureKind::kNumeric
                  : kind == "categorical" ? FeatureKind::kCategorical
                                          : FeatureKind::kOneHot;
      info.category = f.at("category").get<std::string>();
      info.categories = f.value("categories", 0);  // absent in bundles before it was saved
      p.features_.push_back(std::move(info));
    }
  } catch (const nlohmann::json::exception& e) {
    return DataLoss(std::string("preprocessing state is malformed: ") + e.what());
  }
  return p;
}

}  // namespace strata
