// Model: the one interface every model type implements, and the registry of model types by
// BigQuery ML name. A model type is a plug-in: one registration names it, declares its
// options (with defaults, ranges and tuning spaces) and gives its factory.
//
//   strata::RegisterBuiltinModels();  // explicit: static registration is lost when linking
//   STRATA_ASSIGN_OR_RETURN(const strata::ModelType* type,
//                           strata::FindModelType("boosted_tree_classifier"));
//   std::unique_ptr<strata::Model> model = type->create();
//   STRATA_RETURN_IF_ERROR(model->Fit(train, context));
//
// Models see only numbers: a FeatureMatrix (from the Preprocessor), labels as doubles
// (regression values, or class indices 0..k-1), and optional row weights. Everything about
// tables, label names, splits and balancing happens around them, in the trainer.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "strata/options.h"
#include "strata/preprocess.h"
#include "strata/progress.h"
#include "strata/status.h"

namespace strata {

enum class Task { kRegression, kClassification, kClustering };

std::string_view TaskName(Task task);  // "regression", "classification", "clustering"

// Numbers a model trains on. `labels` holds regression targets or class indices; it is
// empty for clustering. `weights` is empty (all 1) or one per row.
struct TrainingData {
  const FeatureMatrix* features = nullptr;
  std::span<const double> labels;
  std::span<const double> weights;
  int num_classes = 0;  // classification: k >= 2
  // What each feature column is (the Preprocessor's features()); empty: all numeric. Tree
  // models split label-encoded categories as categories rather than as ordered numbers.
  std::span<const FeatureInfo> feature_info;
};

// One line of the training log (ML.TRAINING_INFO).
struct IterationInfo {
  int iteration = 0;
  double loss = 0;       // on the training data
  double eval_loss = 0;  // on the evaluation data (NaN when there is none)
  double learning_rate = 0;
  int64_t duration_ms = 0;
};

struct FitContext {
  OptionValues options;            // validated against the type's declarations
  const TrainingData* eval = nullptr;  // for early stopping and eval_loss, may be null
  uint64_t seed = 42;
  int threads = 0;                 // 0: all cores
  ProgressCallback progress;       // stage "training", iterations done/total, losses
  const std::atomic<bool>* cancel = nullptr;  // set to stop early (Status kCancelled)
  std::vector<IterationInfo>* log = nullptr; // filled per iteration when set
};

// Raw model output for a batch of rows.
//   regression:      values[r]
//   classification:  probabilities, rows x k, row-major (binary: k = 2)
//   clustering:      cluster[r] (0-based) and distances rows x k (to each centroid)
struct ModelOutput {
  std::vector<double> values;
  std::vector<double> probabilities;
  std::vector<int> cluster;
  std::vector<double> distances;
  int width = 0;  // k for classification and clustering
};

// Global importance of one model input (a FeatureMatrix column).
struct FeatureImportance {
  std::string feature;
  double weight = 0;  // XGBoost: number of splits; linear: |standardised coefficient|
  double gain = 0;    // XGBoost: average gain; linear: |standardised coefficient|
  double cover = 0;   // XGBoost: average cover; linear: 0
};

// Per-row additive contributions: rows x (features + 1), the last column the bias, in the
// model's raw output space (log-odds for binary classifiers; per class for multiclass as
// rows x k x (features + 1)).
struct Contributions {
  std::vector<double> values;
  int64_t rows = 0;
  int features = 0;
  int classes = 1;
};

class Model {
 public:
  virtual ~Model() = default;

  // Trains on `data`. The option values in `context` have been validated already.
  virtual Status Fit(const TrainingData& data, const FitContext& context) = 0;

  // Predicts a batch; thread-safe (const, no shared mutable state).
  virtual Status Predict(const FeatureMatrix& features, ModelOutput* out) const = 0;

  // Global importances, one per feature; Unimplemented where it does not apply.
  virtual Result<std::vector<FeatureImportance>> Importance(
      const std::vector<FeatureInfo>& features) const;

  // Per-row contributions (TreeSHAP for trees, coefficient x value for linear models).
  virtual Status Contribute(const FeatureMatrix& features, Contributions* out) const;

  // The fitted parameters as bytes for the bundle, and back.
  virtual Result<std::string> Save() const = 0;
  virtual Status Load(std::string_view bytes) = 0;

  // A JSON description of the fitted parameters (weights, centroids, trees summary) for
  // ML.WEIGHTS / ML.CENTROIDS and `strata models show`.
  virtual nlohmann::json Describe(const std::vector<FeatureInfo>& features) const = 0;

  // For tree models: the model in XGBoost's JSON format (Unimplemented otherwise).
  virtual Result<std::string> ExportXgboostJson() const;
};

// A registered model type.
struct ModelType {
  std::string name;  // BigQuery ML name, upper case: "BOOSTED_TREE_CLASSIFIER"
  Task task = Task::kRegression;
  EncodingStyle encoding = EncodingStyle::kStandardizeOneHot;
  std::vector<OptionSpec> options;  // the type's own options (common ones are separate)
  std::string summary;              // one line for `strata choose` and --help
  std::function<std::unique_ptr<Model>()> create;
};

// Registers a model type; a second registration of the same name is ignored (pointers to
// registered types stay valid for the life of the process).
void RegisterModelType(ModelType type);
// Registers Strata's built-in model types (idempotent). Call once before using the registry.
void RegisterBuiltinModels();
// Looks a type up by name (case-insensitive); NotFound naming the closest registered name.
Result<const ModelType*> FindModelType(std::string_view name);
// All registered types, by name.
std::vector<const ModelType*> ModelTypes();

}  // namespace strata
