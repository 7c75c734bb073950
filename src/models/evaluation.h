// Turning a model's raw output into ML.EVALUATE metrics, shared by training (metrics on the
// evaluation split), Evaluate() on new data, and later the SQL and server faces.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "strata/bundle.h"
#include "strata/model.h"
#include "strata/table.h"
#include "strata/train_spec.h"

namespace strata {

struct EvaluationResult {
  nlohmann::json metrics;  // ML.EVALUATE columns (+ Strata's additions), flat
  nlohmann::json summary;  // curves, confusion matrix, per-class metrics, calibration
};

// The binary decision threshold on P(positive) chosen by `spec` on labelled outputs
// (rows x 2 probabilities, class 1 positive).
Result<double> ChooseThreshold(const ThresholdSpec& spec, const std::vector<int>& y,
                               const std::vector<double>& probabilities);

// Metrics of `out` (the model's output for `features`, already prior-corrected) against the
// labels in `data` (the bundle's label column). Rows whose label is NULL are skipped; a label
// value the model never saw is an error naming it.
Result<EvaluationResult> EvaluateOutput(const ModelBundle& bundle, const Table& data,
                                        const FeatureMatrix& features, const ModelOutput& out,
                                        double threshold);

}  // namespace strata
