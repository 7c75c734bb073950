// The fitted parameters of a linear model and everything LINEAR_REG and LOGISTIC_REG do
// alike with them: raw scores, per-row contributions, importance, the ML.WEIGHTS-style
// description and the saved payload.
//
// A linear model has `outputs` scores per row, s = x.B + b: one for LINEAR_REG (the
// prediction) and for binary LOGISTIC_REG (the log-odds of class 1), k for multinomial
// LOGISTIC_REG (the softmax logits).
#pragma once

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "strata/model.h"
#include "strata/preprocess.h"
#include "strata/status.h"

namespace strata {

struct LinearParams {
  Eigen::MatrixXd coefficients;  // features x outputs
  Eigen::VectorXd intercepts;    // outputs (zeros when fit_intercept = FALSE)

  int features() const { return static_cast<int>(coefficients.rows()); }
  int outputs() const { return static_cast<int>(coefficients.cols()); }
};

// How a model was trained, kept in the payload for `strata models show` and ML.WEIGHTS.
struct LinearTrainingSummary {
  std::string solver;  // "NORMAL_EQUATION", "COORDINATE_DESCENT", "LBFGS", "OWLQN", ...
  int iterations = 0;
  std::string stop_reason;  // "converged", "early_stop", "max_iterations", ...
};

// OK when `x` has `features` columns and only finite values; otherwise InvalidArgument
// naming the column and row. `what` says whose matrix it is ("training features").
Status CheckFeatureValues(const FeatureMatrix& x, int features, std::string_view what);

// Raw scores, rows x outputs. `x` must have params.features() columns.
Eigen::MatrixXd LinearScores(const LinearParams& params, const FeatureMatrix& x);

// coefficient x value per feature plus the intercept as bias, in the score space, laid out
// as model.h documents (classes = outputs).
Status LinearContributions(const LinearParams& params, const FeatureMatrix& x,
                           Contributions* out);

// |coefficient| as weight and gain (summed over outputs). The inputs are standardised by
// the trainer, so the raw coefficient already is the standardised one.
Result<std::vector<FeatureImportance>> LinearImportance(const LinearParams& params,
                                                        const std::vector<FeatureInfo>& features);

// {"model_type", "solver", "iterations", "stop_reason", then for one output "intercept" and
// "weights": [{"feature", "source_column", ["category"], "weight"}], for k outputs
// "classes": [{"class_index", "intercept", "weights"}]}. Names come from `features`
// ("feature_<j>" where it is short).
nlohmann::json DescribeLinear(std::string_view model_type, int num_classes,
                              const LinearParams& params, const LinearTrainingSummary& summary,
                              const std::vector<FeatureInfo>& features);

// The saved form: compact JSON text, doubles written with round-trip precision.
std::string SaveLinearPayload(std::string_view model_type, int num_classes,
                              const LinearParams& params, const LinearTrainingSummary& summary);

// Parses a payload written by SaveLinearPayload for `model_type`. DataLoss, never a crash,
// for anything else: not JSON, another model type, missing fields, wrong sizes, non-finite
// numbers. `num_classes` receives the stored class count (0 for regression).
Status LoadLinearPayload(std::string_view bytes, std::string_view model_type,
                         LinearParams* params, LinearTrainingSummary* summary,
                         int* num_classes);

}  // namespace strata
