// ModelBundle: the unit that is stored, versioned, served and exported. It holds everything
// prediction needs — input schema, fitted preprocessing, model payload, label mapping,
// decision threshold, probability correction — plus metrics, importance, training log and
// lineage. Loading a bundle and predicting needs nothing else.
//
//   std::string bytes = strata::SerializeBundle(bundle);
//   STRATA_ASSIGN_OR_RETURN(strata::ModelBundle back, strata::DeserializeBundle(bytes));
//
// Format (docs/models.md): "STRATAMB" magic, u32 format version, u32 header length, the
// header as JSON, u64 payload length, the model payload, and an XXH3-64 checksum of all of
// the above. A truncated or corrupted bundle is refused with DataLoss, never a crash.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "strata/data_type.h"
#include "strata/metrics.h"
#include "strata/model.h"
#include "strata/preprocess.h"
#include "strata/status.h"
#include "strata/train_spec.h"

namespace strata {

inline constexpr uint32_t kBundleFormatVersion = 1;

struct ModelBundle {
  std::string model_type;       // registered type name
  Task task = Task::kRegression;
  TrainSpec spec;               // how it was trained (lineage)
  std::string label;            // label column (empty for clustering)
  DataType label_type = DataType::kString;
  std::vector<std::string> class_labels;  // classification: class index -> label text
  int positive_class = 1;       // binary: index of the positive class
  Preprocessor preprocessor;
  std::string payload;          // Model::Save()
  double threshold = 0.5;       // binary decision threshold on P(positive)
  std::vector<double> prior_correction;  // per class (empty: none)
  double temperature = 1;       // classification: probability recalibration (calibration.h)
  nlohmann::json options;       // all option values used (given and defaulted)
  nlohmann::json metrics;       // evaluation on the eval split (ML.EVALUATE)
  nlohmann::json training_info; // per-iteration log (ML.TRAINING_INFO)
  nlohmann::json importance;    // global feature importance
  nlohmann::json global_explain;  // [{feature, attribution}] (ENABLE_GLOBAL_EXPLAIN), or null
  nlohmann::json lineage;       // source, rows, data fingerprint, created_at, strata version
  nlohmann::json eval_summary;  // curves, confusion matrix, calibration, per-class metrics

  // Re-creates the fitted model from the payload.
  Result<std::unique_ptr<Model>> LoadModel() const;
};

std::string SerializeBundle(const ModelBundle& bundle);
Result<ModelBundle> DeserializeBundle(std::string_view bytes);

// Writes a bundle to a file (temp name + rename) / reads one, with the path in errors.
Status WriteBundleFile(const ModelBundle& bundle, const std::string& path);
Result<ModelBundle> ReadBundleFile(const std::string& path);

// A bundle around an XGBoost model file saved by XGBoost itself (JSON or UBJSON; objective
// binary:logistic, multi:softprob or reg:*), for BigQuery ML's model_type = 'XGBOOST'
// import. Its inputs are numeric columns named by `input_columns`, else by the model's
// feature names, else f0, f1, ...; classes are "0", "1", ...; the label is "label".
Result<ModelBundle> ImportXgboostModelFile(const std::string& path,
                                           const std::vector<std::string>& input_columns = {});

}  // namespace strata
