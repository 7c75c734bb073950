// Automatic preprocessing with BigQuery ML's semantics: turns a Table into the numeric
// FeatureMatrix a model trains on, with the fitted state stored in the model bundle so
// prediction applies exactly the same transformation.
//
//   PreprocessOptions o;
//   o.style = strata::EncodingStyle::kStandardizeOneHot;  // linear models
//   STRATA_ASSIGN_OR_RETURN(auto prep, strata::Preprocessor::Fit(train, {"age", "city"}, o));
//   STRATA_ASSIGN_OR_RETURN(strata::FeatureMatrix x, prep.Transform(eval));
//
// Per input type:
//   numeric (INT64, FLOAT64)  linear/k-means: standardised with the training mean and
//                             population std; NULL -> the training mean (0 after scaling).
//                             trees: passed through; NULL -> missing (NaN), which XGBoost
//                             routes by its learnt default direction.
//   STRING, BOOL              linear/k-means: one-hot over the most frequent categories (at
//                             most max_categories; the rest share an "_other_" column);
//                             NULL is its own category; a value unseen in training is all
//                             zeros. trees: label-encoded (categories in sorted order, codes
//                             0..k-1); NULL and unseen -> missing; XGBoost splits them as
//                             categories (FeatureKind::kCategorical, TrainingData).
//   TIMESTAMP, DATE           parts: Unix seconds (days for DATE) as a numeric feature, plus
//                             month, day of week (and hour for TIMESTAMP) as categories for
//                             linear models or numbers for trees.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "strata/data_type.h"
#include "strata/status.h"
#include "strata/table.h"
#include "strata/transform.h"

namespace strata {

// A dense numeric matrix, column-major (a column is contiguous), NaN for missing values.
// Column-major because the linear solvers and statistics scan columns; XGBoost reads it
// through an array interface with strides, so no copy is needed.
class FeatureMatrix {
 public:
  FeatureMatrix() = default;
  FeatureMatrix(int64_t rows, int cols) : rows_(rows), cols_(cols), data_(static_cast<size_t>(rows) * cols) {}

  int64_t rows() const { return rows_; }
  int cols() const { return cols_; }
  double& at(int64_t r, int c) { return data_[static_cast<size_t>(c) * rows_ + r]; }
  double at(int64_t r, int c) const { return data_[static_cast<size_t>(c) * rows_ + r]; }
  double* column(int c) { return data_.data() + static_cast<size_t>(c) * rows_; }
  const double* column(int c) const { return data_.data() + static_cast<size_t>(c) * rows_; }
  const std::vector<double>& data() const { return data_; }
  std::vector<double>& data() { return data_; }

  // A new matrix with the given rows, in order (repeats allowed).
  FeatureMatrix TakeRows(std::span<const int64_t> rows) const;
  // Appends the rows of `other` (same number of columns).
  void AppendRows(const FeatureMatrix& other);

 private:
  int64_t rows_ = 0;
  int cols_ = 0;
  std::vector<double> data_;
};

// What a model input column is, so resampling (SMOTE-NC) and explanations know how to treat
// it and so explanations can be summed back to the user's columns.
enum class FeatureKind {
  kNumeric,      // a number (possibly standardised)
  kCategorical,  // a label-encoded category code (trees)
  kOneHot,       // one indicator of a one-hot group (linear models)
};

struct FeatureInfo {
  std::string name;           // e.g. "age", "city_Oslo", "signup_month"
  std::string source_column;  // the input column it comes from
  FeatureKind kind = FeatureKind::kNumeric;
  std::string category;       // the category a kOneHot indicator stands for
  int categories = 0;         // kCategorical: how many codes (categories seen in training)
};

enum class EncodingStyle {
  kStandardizeOneHot,  // linear and logistic regression
  kRawLabelEncoded,    // boosted trees and random forests
  kOneHotOnly,         // k-means without standardize_features
};

struct PreprocessOptions {
  EncodingStyle style = EncodingStyle::kStandardizeOneHot;
  int max_categories = 1000;  // one-hot columns per input before the "_other_" bucket
  // A TRANSFORM clause (FeatureTransform's JSON spec; null or empty for none): fitted on the
  // training rows first; its outputs, but `label`, become the columns encoded above.
  nlohmann::json transform;
  std::string label;
};

// Fitted statistics of one input column.
struct ColumnTransform {
  std::string column;
  DataType type = DataType::kFloat64;
  double mean = 0, stddev = 1;          // numeric (and the numeric part of time columns)
  std::vector<std::string> categories;  // categorical vocabulary, in feature order
  bool has_other = false;               // an "_other_" bucket for rare categories
  int64_t null_count = 0, count = 0;    // in the training data (for ML.FEATURE_INFO)
  double min = 0, max = 0, median = 0;  // numeric summary (ML.FEATURE_INFO)
};

class Preprocessor {
 public:
  Preprocessor() = default;

  // Learns the transformation of `columns` of `train` (with a TRANSFORM: of the transform's
  // outputs, `columns` being ignored). InvalidArgument for a column with no usable values;
  // NotFound (with a suggestion) for a missing column.
  static Result<Preprocessor> Fit(const Table& train, const std::vector<std::string>& columns,
                                  const PreprocessOptions& options);

  // Applies it to any table that has the input columns (by name; others are ignored).
  // A missing column, or one whose values cannot be read as the training type, is an error
  // naming the column and the expected type.
  Result<FeatureMatrix> Transform(const Table& input) const;

  const std::vector<FeatureInfo>& features() const { return features_; }
  const std::vector<ColumnTransform>& columns() const { return columns_; }
  EncodingStyle style() const { return options_.style; }
  // The input columns and their training types (with a TRANSFORM, the columns it reads).
  Schema input_schema() const;
  // The fitted TRANSFORM, empty when there is none.
  const FeatureTransform& feature_transform() const { return transform_; }

  nlohmann::json ToJson() const;
  static Result<Preprocessor> FromJson(const nlohmann::json& json);

 private:
  static Result<Preprocessor> FitColumns(const Table& train, const std::vector<std::string>& columns,
                                         const PreprocessOptions& options);
  Result<FeatureMatrix> TransformColumns(const Table& input) const;

  PreprocessOptions options_;
  FeatureTransform transform_;
  std::vector<ColumnTransform> columns_;
  std::vector<FeatureInfo> features_;
};

}  // namespace strata
