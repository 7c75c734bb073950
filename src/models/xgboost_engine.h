// The XGBoost engine: the only code in Strata that calls XGBoost's C API (libxgboost, the
// Debian package libxgboost-dev). Every return code is checked; a failure becomes a Status
// carrying XGBoost's own message (XGBGetLastError) and what Strata was doing at the time.
// Handles are RAII objects, so no error path leaks a booster or a matrix.
//
//   STRATA_ASSIGN_OR_RETURN(xgb::DMatrix train,
//                           xgb::DMatrix::FromFeatures(features, 8));
//   STRATA_RETURN_IF_ERROR(train.SetLabels(labels));
//   const xgb::DMatrix* cache[] = {&train};
//   STRATA_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::Booster::Create(cache));
//   STRATA_RETURN_IF_ERROR(booster.SetParam("objective", "binary:logistic"));
//   for (int i = 0; i < 20; ++i) STRATA_RETURN_IF_ERROR(booster.UpdateOneIter(i, train));
//   STRATA_ASSIGN_OR_RETURN(xgb::Prediction p,
//                           booster.PredictDense(features, xgb::PredictType::kValue));
//
// Data crosses the boundary without copies on Strata's side: a FeatureMatrix is column-major
// doubles, and XGBoost reads it in place through an __array_interface__ document with
// strides (typestr "<f8"), converting each value to float exactly as xgboost-python does for
// a float64 numpy array. Labels and weights go the same way.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/preprocess.h"
#include "strata/status.h"

namespace strata::xgb {

// A DMatrix handle (training, evaluation or prediction data).
class DMatrix {
 public:
  DMatrix() = default;
  ~DMatrix();
  DMatrix(DMatrix&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  DMatrix& operator=(DMatrix&& other) noexcept;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;

  // A plain DMatrix holding XGBoost's own copy of `features` (NaN = missing); `features`
  // may be freed afterwards. For the exact and approx tree methods, and for TreeSHAP.
  static Result<DMatrix> FromFeatures(const FeatureMatrix& features, int threads);

  // A new matrix of the given rows (in that order), labels and weights included.
  Result<DMatrix> Slice(std::span<const int> rows) const;

  // Sets the label or weight of every row (one value per row).
  Status SetLabels(std::span<const double> labels);
  Status SetWeights(std::span<const double> weights);
  // Marks columns as categorical ("c": values are category codes 0, 1, ...; NaN missing) or
  // numeric ("q"), one entry per column. hist and approx then split a categorical column by
  // partitioning its categories instead of by thresholds on the codes.
  Status SetFeatureTypes(std::span<const std::string> types);

  void* handle() const { return handle_; }

 private:
  explicit DMatrix(void* handle) : handle_(handle) {}
  Status SetFloatInfo(const char* field, std::span<const double> values);

  void* handle_ = nullptr;
};

// What a prediction computes (XGBoosterPredictFromDMatrix's "type").
enum class PredictType {
  kValue = 0,          // probabilities or regression values
  kMargin = 1,         // raw scores (log-odds for binary:logistic)
  kContributions = 2,  // TreeSHAP: features + 1 columns per output group, bias last
};

// XGBoost's output copied out of its thread-local buffer, in strict shape:
// value/margin (rows, groups); contributions (rows, groups, features + 1).
struct Prediction {
  std::vector<float> values;
  std::vector<uint64_t> shape;
};

// A Booster handle: parameters, boosting rounds, prediction, (de)serialisation.
// Prediction is thread-safe for tree boosters (XGBoost keeps per-thread buffers since 1.4);
// the other methods must not race with anything on the same booster.
class Booster {
 public:
  Booster() = default;
  ~Booster();
  Booster(Booster&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  Booster& operator=(Booster&& other) noexcept;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  // A new booster whose prediction cache covers `cache` (training and evaluation data).
  static Result<Booster> Create(std::span<const DMatrix* const> cache);
  // A booster from bytes written by Save ("ubj" or "json"); DataLoss if they do not parse.
  static Result<Booster> Load(std::string_view bytes);

  bool valid() const { return handle_ != nullptr; }

  // Sets one XGBoost parameter; InvalidArgument naming it if XGBoost rejects the value.
  Status SetParam(const std::string& name, const std::string& value);

  // Runs boosting round `iteration` (0-based) on `train`.
  Status UpdateOneIter(int iteration, const DMatrix& train);

  // The evaluation metric (the booster's eval_metric) on each matrix, after `iteration`.
  Result<std::vector<double>> Eval(int iteration, std::span<const DMatrix* const> matrices);

  // Predicts from a DMatrix using rounds [0, iteration_end) (0: all rounds).
  Result<Prediction> Predict(const DMatrix& data, PredictType type, int iteration_end = 0) const;
  // Predicts straight from `features` (in-place prediction, no DMatrix is built); only
  // kValue and kMargin.
  Result<Prediction> PredictDense(const FeatureMatrix& features, PredictType type,
                                  int iteration_end = 0) const;

  // Number of boosting rounds in the model.
  Result<int> BoostedRounds() const;
  // Number of input features the model was trained on.
  Result<int64_t> NumFeatures() const;
  // A new booster holding rounds [begin, end) of this one.
  Result<Booster> Slice(int begin, int end) const;

  // The model (trees and learner parameters) as "ubj" (binary JSON) or "json".
  Result<std::string> Save(std::string_view format) const;
  // The learner's full configuration as JSON text (parameters actually in effect).
  Result<std::string> Config() const;
  // The feature names stored in the model (empty when it has none).
  Result<std::vector<std::string>> FeatureNames() const;
  // Removes them: Strata names features itself and reads importance by index.
  Status ClearFeatureNames();

  // XGBoost's feature importance of `importance_type` ("weight", "gain", "cover",
  // "total_gain", "total_cover") per feature index; features never split on get 0.
  Result<std::vector<double>> FeatureScores(std::string_view importance_type,
                                            int64_t num_features) const;

 private:
  explicit Booster(void* handle) : handle_(handle) {}

  void* handle_ = nullptr;
};

// XGBoost's version, e.g. "1.7.4" (for Describe and `strata doctor`).
std::string Version();

}  // namespace strata::xgb
