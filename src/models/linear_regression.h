// LINEAR_REG: least-squares linear regression with L1 and L2 penalties.
//
// With row weights w_i it minimises (the intercept is never penalised)
//
//   1/2 sum_i w_i (y_i - x_i.b - c)^2 + l1 |b|_1 + l2/2 |b|^2
//
// scikit-learn equivalents: LinearRegression (l1 = l2 = 0), Ridge(alpha = l2), and
// Lasso/ElasticNet with alpha = (l1 + l2) / sum(w), l1_ratio = l1 / (l1 + l2).
//
// optimize_strategy picks the solver (AUTO_STRATEGY as BigQuery ML does):
//   NORMAL_EQUATION         l1 = 0 only. Solves (Xc' W Xc + l2 I) b = Xc' W yc on the
//                           weighted-centred data with a pivoted LDLT; when the Gram matrix
//                           is singular (a one-hot group plus the intercept always is) it
//                           returns the minimum-norm solution (complete orthogonal
//                           decomposition), as scikit-learn's lstsq does. One iteration.
//   coordinate descent      AUTO_STRATEGY with l1 > 0. Cyclic, on the precomputed Gram
//                           matrix (p <= 512: a pass costs p^2, not rows x p) or on the
//                           residuals. One iteration = one pass over all coefficients.
//   BATCH_GRADIENT_DESCENT  L-BFGS (OWL-QN with l1 > 0; a fixed step with
//                           learn_rate_strategy = 'CONSTANT') on the weight-normalised
//                           objective; AUTO_STRATEGY picks it past 10,000 features.
// The iterative solvers stop at max_iterations, after the first iteration whose relative
// improvement of the objective is below min_rel_progress when early_stop is set, or when
// converged (coordinate descent: the largest coefficient change of a pass is below 1e-12
// of the largest coefficient).
//
// The training log's loss is the weighted mean squared error on the training rows (no
// penalty), eval_loss the same on the evaluation rows.
#pragma once

#include <string>
#include <vector>

#include "models/linear_params.h"
#include "strata/model.h"

namespace strata {

class LinearRegressionModel final : public Model {
 public:
  Status Fit(const TrainingData& data, const FitContext& context) override;
  Status Predict(const FeatureMatrix& features, ModelOutput* out) const override;
  Result<std::vector<FeatureImportance>> Importance(
      const std::vector<FeatureInfo>& features) const override;
  Status Contribute(const FeatureMatrix& features, Contributions* out) const override;
  Result<std::string> Save() const override;
  Status Load(std::string_view bytes) override;
  nlohmann::json Describe(const std::vector<FeatureInfo>& features) const override;

  // Coefficients: features x 1.
  const LinearParams& params() const { return params_; }
  const LinearTrainingSummary& summary() const { return summary_; }

 private:
  Status CheckFitted() const;

  bool fitted_ = false;
  LinearParams params_;
  LinearTrainingSummary summary_;
};

}  // namespace strata
