// TrainSpec: everything one training needs — source, label, model type, options, split,
// balance, threshold choice and seed. It serialises to JSON, so a CLI call, a SQL
// CREATE MODEL, a REST job and a pipeline step are the same object.
//
//   strata::TrainSpec spec;
//   spec.source = "churn";
//   spec.label = "churn";
//   spec.model_type = "BOOSTED_TREE_CLASSIFIER";
//   spec.options = {{"max_tree_depth", 6}, {"num_parallel_tree", 1}};
//   spec.balance.downsample_ratio = 3.0;  // keep 3 majority rows per minority row
//   std::string text = spec.ToJson().dump();
//
// Faces that receive BigQuery-ML-style OPTIONS(...) (SQL, CLI --option) call
// TrainSpecFromOptions, which moves the split, balance and threshold options into their
// structured fields and leaves the model's own options in `options`.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "strata/options.h"
#include "strata/status.h"

namespace strata {

// BigQuery ML's DATA_SPLIT_METHOD.
enum class SplitMethod { kAutoSplit, kRandom, kSeq, kCustom, kNoSplit };

// "AUTO_SPLIT", "RANDOM", "SEQ", "CUSTOM", "NO_SPLIT".
std::string_view SplitMethodName(SplitMethod method);

struct SplitSpec {
  SplitMethod method = SplitMethod::kAutoSplit;
  double eval_fraction = 0.2;  // RANDOM and SEQ (DATA_SPLIT_EVAL_FRACTION)
  double test_fraction = 0.0;  // a third, test part (tuning; DATA_SPLIT_TEST_FRACTION)
  std::string column;          // DATA_SPLIT_COL: BOOL for CUSTOM (TRUE = eval), sort key for SEQ
  bool stratify = true;        // Strata: stratify RANDOM/AUTO splits by label (classification)
};

// How to resample the minority class(es) of the training part.
enum class UpsampleMethod { kNone, kDuplicate, kSmote, kSmoteNc };

// Imbalance handling, applied to the training part only, never to evaluation data. The
// three techniques combine: downsample the majority, then upsample the minority, then weight.
struct BalanceSpec {
  bool auto_class_weights = false;             // weight = n / (k * n_class)  (BigQuery ML)
  std::map<std::string, double> class_weights; // explicit per label (BigQuery ML CLASS_WEIGHTS)
  // Downsample every class larger than ratio * minority to that size (e.g. 1.0: balanced).
  std::optional<double> downsample_ratio;
  bool downsample_upweight = true;  // weight kept rows by the downsampling factor
  UpsampleMethod upsample = UpsampleMethod::kNone;
  // Upsample every class smaller than ratio * majority up to that size (1.0: balanced).
  double upsample_ratio = 1.0;
  int smote_k_neighbors = 5;
  // Correct predicted probabilities for the prior shift the techniques above cause.
  bool correct_prior_shift = true;

  bool Any() const {
    return auto_class_weights || !class_weights.empty() || downsample_ratio.has_value() ||
           upsample != UpsampleMethod::kNone;
  }
};

// How a binary classifier's decision threshold is chosen on the evaluation split.
enum class ThresholdObjective { kMaxF1, kPrecisionTarget, kRecallTarget, kFixed };

struct ThresholdSpec {
  ThresholdObjective objective = ThresholdObjective::kMaxF1;
  double target = 0.5;  // the precision/recall target, or the fixed threshold
};

struct TrainSpec {
  std::string source;       // a workspace table, or
  std::string source_file;  // a CSV/TSV/JSON Lines file read through ReadDataFile
  std::string label;       // the column to predict (empty for KMEANS)
  std::string model_type;  // BigQuery ML name, e.g. "LOGISTIC_REG"
  nlohmann::json options = nlohmann::json::object();  // the model type's own options
  std::vector<std::string> features;  // empty: every column but the label and split column
  // TRANSFORM: FeatureTransform's JSON spec (strata/transform.h); null for none.
  nlohmann::json transform;
  SplitSpec split;
  BalanceSpec balance;
  ThresholdSpec threshold;
  std::optional<std::string> positive_class;  // binary: which label is "positive"
  std::string instance_weight_col;  // a column of per-row weights (BigQuery ML)
  bool enable_global_explain = false;
  uint64_t seed = 42;

  nlohmann::json ToJson() const;
  // Parses and checks field names and types (not the model options: see ValidateTrainSpec).
  static Result<TrainSpec> FromJson(const nlohmann::json& json);
};

// Declarations of the options every supervised model takes besides its own: the split,
// balance and threshold options (BigQuery ML names plus Strata's extensions).
const std::vector<OptionSpec>& CommonTrainOptions();

// Builds a TrainSpec from BigQuery-ML-style OPTIONS (e.g. model_type, input_label_cols,
// data_split_method, auto_class_weights, l2_reg, ...): common options go to their fields,
// the rest stay in `options` for the model type to validate.
Result<TrainSpec> TrainSpecFromOptions(const nlohmann::json& options);
// The inverse: a TrainSpec as flat OPTIONS (model options and common ones side by side), so
// that a spec given as JSON can be tuned like SQL's OPTIONS. Source, features and TRANSFORM
// are not options and are left out.
nlohmann::json TrainSpecToOptions(const TrainSpec& spec);

}  // namespace strata
