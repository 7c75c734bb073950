#include "models/linear_objective.h"

#include <utility>

namespace strata {

PenalizedLinearObjective::PenalizedLinearObjective(const LinearLoss& loss, double total_weight,
                                                   double l2, bool fit_intercept,
                                                   Eigen::VectorXd center)
    : loss_(loss),
      total_weight_(total_weight),
      l2_(l2),
      fit_intercept_(fit_intercept),
      center_(std::move(center)),
      features_(loss.features()),
      outputs_(loss.outputs()),
      coef_size_(static_cast<Eigen::Index>(loss.features()) * loss.outputs()) {
  if (!fit_intercept_ || center_.size() != features_) center_.setZero(features_);
}

LinearParams PenalizedLinearObjective::ToParams(const Eigen::VectorXd& theta) const {
  LinearParams params;
  params.coefficients = Eigen::Map<const Eigen::MatrixXd>(theta.data(), features_, outputs_);
  if (fit_intercept_) {
    params.intercepts = theta.tail(outputs_) - params.coefficients.transpose() * center_;
  } else {
    params.intercepts.setZero(outputs_);
  }
  return params;
}

double PenalizedLinearObjective::operator()(const Eigen::VectorXd& theta,
                                            Eigen::VectorXd* grad) const {
  LinearParams params = ToParams(theta);
  Eigen::MatrixXd grad_coef;
  Eigen::VectorXd grad_offsets;
  double value = loss_.Evaluate(params.coefficients, params.intercepts, &grad_coef,
                                &grad_offsets);
  // Chain rule through c = b - B^T mu.
  grad_coef.noalias() -= center_ * grad_offsets.transpose();
  grad_coef += l2_ * params.coefficients;
  value += 0.5 * l2_ * params.coefficients.squaredNorm();
  const double scale = 1.0 / total_weight_;
  grad->resize(size());
  grad->head(coef_size_) = Eigen::Map<const Eigen::VectorXd>(grad_coef.data(), coef_size_) * scale;
  if (fit_intercept_) grad->tail(outputs_) = grad_offsets * scale;
  return value * scale;
}

Eigen::VectorXd PenalizedLinearObjective::L1Weights(double l1) const {
  Eigen::VectorXd weights = Eigen::VectorXd::Zero(size());
  weights.head(coef_size_).setConstant(l1 / total_weight_);
  return weights;
}

double PenalizedLinearObjective::Penalty(const Eigen::VectorXd& theta, double l1) const {
  auto coef = theta.head(coef_size_);
  return (l1 * coef.cwiseAbs().sum() + 0.5 * l2_ * coef.squaredNorm()) / total_weight_;
}

Eigen::VectorXd PenalizedLinearObjective::Start(const Eigen::VectorXd& intercepts) const {
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(size());
  if (fit_intercept_) theta.tail(outputs_) = intercepts;
  return theta;
}

}  // namespace strata
