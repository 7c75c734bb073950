// LOGISTIC_REG: logistic regression, binary and multinomial, on Strata's own solvers.
//
// With row weights w_i and k classes it minimises (intercepts are never penalised)
//
//   sum_i w_i logloss_i + l2/2 |B|^2 + l1 |B|_1
//
//   k = 2   one coefficient vector: p(class 1) = sigmoid(x.b + c)
//   k > 2   full softmax, k coefficient vectors and intercepts (scikit-learn's
//           multi_class='multinomial'): p(class j) = softmax_j(x.B + c)
//
// scikit-learn's LogisticRegression(C = 1/l2) minimises the same objective (C = 1/l1 with
// penalty='l1'). The solver is L-BFGS, OWL-QN when l1_reg > 0, or proximal gradient descent
// with a fixed step when learn_rate_strategy = 'CONSTANT'. It stops at max_iterations,
// after the first iteration that improves the objective by less than min_rel_progress
// (relative) when early_stop is set (BigQuery ML's rule), or when converged: largest
// gradient component below 1e-9 of the weight-normalised objective, or an objective that
// no longer changes in double precision. Losses and gradients run over row blocks in
// parallel (linear_loss.h).
//
// Predictions are probabilities, rows x k, row-major (binary: [1 - p, p]). Contributions
// and Describe are in the score space: log-odds of class 1 for k = 2, the k logits else.
#pragma once

#include <string>
#include <vector>

#include "models/linear_params.h"
#include "strata/model.h"

namespace strata {

class LogisticRegressionModel final : public Model {
 public:
  Status Fit(const TrainingData& data, const FitContext& context) override;
  Status Predict(const FeatureMatrix& features, ModelOutput* out) const override;
  Result<std::vector<FeatureImportance>> Importance(
      const std::vector<FeatureInfo>& features) const override;
  Status Contribute(const FeatureMatrix& features, Contributions* out) const override;
  Result<std::string> Save() const override;
  Status Load(std::string_view bytes) override;
  nlohmann::json Describe(const std::vector<FeatureInfo>& features) const override;

  int num_classes() const { return num_classes_; }
  // Coefficients: features x 1 for binary, features x k for multinomial.
  const LinearParams& params() const { return params_; }
  const LinearTrainingSummary& summary() const { return summary_; }

 private:
  Status CheckFitted() const;

  int num_classes_ = 0;  // 0 until fitted or loaded
  LinearParams params_;
  LinearTrainingSummary summary_;
};

}  // namespace strata
