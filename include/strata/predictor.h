// Predictor: built once from a bundle, thread-safe, batch-first; online prediction is a
// batch of one. An ensemble bundle (strata/ensemble.h) predicts the weighted average of its
// members' outputs, each member with its own preprocessing. Output columns follow BigQuery ML's ML.PREDICT:
//   regression      predicted_<label> (FLOAT64)
//   classification  predicted_<label> (the label's type), predicted_<label>_probs
//                   (JSON text [{"label": ..., "prob": ...}], classes in label order)
//   k-means         centroid_id (INT64, 1-based), nearest_centroids_distance (JSON text)
//
//   STRATA_ASSIGN_OR_RETURN(auto predictor, strata::Predictor::Create(std::move(bundle)));
//   STRATA_ASSIGN_OR_RETURN(strata::Table out, predictor->Predict(input, {}));
#pragma once

#include <memory>
#include <optional>

#include "strata/bundle.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata {

struct PredictOptions {
  std::optional<double> threshold;  // binary: overrides the bundle's threshold
  bool keep_input_columns = true;   // pass input columns through (BigQuery ML does)
  int explain_top_k = 0;            // > 0: add top_feature_attributions (JSON text)
};

// Contributions of one row summed back to the user's input columns.
struct Attribution {
  std::string feature;
  double attribution = 0;
};

class Predictor {
 public:
  static Result<std::shared_ptr<const Predictor>> Create(ModelBundle bundle);

  // Predicts every row of `input` (which needs the model's input columns).
  Result<Table> Predict(const Table& input, const PredictOptions& options = {}) const;

  // Raw outputs after preprocessing and prior correction (probabilities for classifiers).
  Result<ModelOutput> PredictRaw(const Table& input) const;
  // The same for rows already transformed by the bundle's preprocessor (not for ensembles,
  // whose members each transform the input themselves: FailedPrecondition).
  Result<ModelOutput> PredictFeatures(const FeatureMatrix& features) const;

  // Per-row contributions summed per input column (TreeSHAP / coefficient x value), with the
  // baseline (bias) and the raw prediction value, for ML.EXPLAIN_PREDICT. For an ensemble:
  // the weighted average of its members' explanations.
  struct Explanation {
    std::vector<std::vector<Attribution>> rows;  // sorted by |attribution|, descending
    std::vector<double> baseline;
    std::vector<double> prediction_value;
  };
  Result<Explanation> Explain(const Table& input, int top_k) const;

  const ModelBundle& bundle() const { return bundle_; }
  bool is_ensemble() const { return !members_.empty(); }
  // The columns the model reads and their types (the preprocessor's input schema), computed
  // once: a served request needs them to read its JSON.
  const Schema& input_schema() const { return input_schema_; }

 private:
  struct Member {
    double weight = 0;
    std::shared_ptr<const Predictor> predictor;
  };
  Predictor(ModelBundle bundle, std::unique_ptr<Model> model, std::vector<Member> members);
  Result<Explanation> ExplainEnsemble(const Table& input, int top_k) const;
  ModelBundle bundle_;
  Schema input_schema_;
  std::unique_ptr<Model> model_;  // null for an ensemble
  std::vector<Member> members_;   // an ensemble's members, weights summing to 1
};

// ML.GLOBAL_EXPLAIN's numbers: the mean absolute attribution of each input column over the
// first `max_rows` rows of `rows` (callers pass rows drawn at random, e.g. an evaluation
// split), as [{feature, attribution}], largest first.
Result<nlohmann::json> GlobalExplain(const Predictor& predictor, const Table& rows,
                                     int64_t max_rows = 10'000);

}  // namespace strata
