// The penalised objective the iterative linear solvers minimise, over one flat parameter
// vector theta = [vec(B); b] (b only with an intercept):
//
//   F(theta) = ( sum_i w_i loss(x_i.B + c) + l2/2 |B|^2 ) / W,   c = b - B^T mu
//
// W is the total row weight, so F is a weighted mean: gradients are O(1) whatever the row
// count, and the solvers' absolute tolerances mean the same on 1,000 and 1,000,000 rows.
// The L1 term (l1/W per coefficient, none on intercepts) is added by the solver (OWL-QN).
//
// mu holds the weighted feature means (zero without an intercept). Writing the offset as
// b - B^T mu centres the features without copying them: the intercept decouples from the
// coefficients, which conditions the problem far better for one-hot columns (whose means
// are category frequencies, not 0), and the model's own intercept is simply c.
#pragma once

#include <Eigen/Core>

#include "models/linear_loss.h"
#include "models/linear_params.h"

namespace strata {

class PenalizedLinearObjective {
 public:
  PenalizedLinearObjective(const LinearLoss& loss, double total_weight, double l2,
                           bool fit_intercept, Eigen::VectorXd center);

  // The number of parameters.
  Eigen::Index size() const { return coef_size_ + (fit_intercept_ ? outputs_ : 0); }

  // F(theta); writes dF/dtheta into *grad (a SmoothObjective).
  double operator()(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const;

  // The OWL-QN weights for an L1 strength `l1` in the user's (unnormalised) units.
  Eigen::VectorXd L1Weights(double l1) const;
  // (l1 |B|_1 + l2/2 |B|^2) / W: the part of F that is not the mean loss.
  double Penalty(const Eigen::VectorXd& theta, double l1) const;

  // The starting point: B = 0 and the given intercepts (ignored without an intercept).
  Eigen::VectorXd Start(const Eigen::VectorXd& intercepts) const;
  // The model parameters theta stands for: B and the offsets c.
  LinearParams ToParams(const Eigen::VectorXd& theta) const;

 private:
  const LinearLoss& loss_;
  double total_weight_;
  double l2_;
  bool fit_intercept_;
  Eigen::VectorXd center_;
  int features_;
  int outputs_;
  Eigen::Index coef_size_;
};

}  // namespace strata
