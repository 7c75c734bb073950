// Exact and coordinate-descent solvers for weighted least squares with an unpenalised
// intercept, used by LINEAR_REG (linear_regression.h has the objective):
//
//   minimise over b   1/2 |W^1/2 (yc - Xc b)|^2 + l1 |b|_1 + l2/2 |b|^2
//
// where Xc and yc are the features and labels centred at their weighted means (not at all
// without an intercept); the intercept is then mean(y) - mean(x).b.
#pragma once

#include <Eigen/Core>

#include <functional>
#include <span>

#include "models/lbfgs.h"
#include "strata/preprocess.h"
#include "strata/status.h"

namespace strata {

// The weighted, centred data of a least-squares problem, reduced to what the exact and Gram
// solvers need.
struct GramSystem {
  Eigen::MatrixXd gram;    // Xc' W Xc, features x features
  Eigen::VectorXd xty;     // Xc' W yc
  double yty = 0;          // yc' W yc
  Eigen::VectorXd x_mean;  // weighted column means (zeros without an intercept)
  double y_mean = 0;
  double total_weight = 0;
};

// Weighted means of the columns and labels (or zeros when `center` is false).
void WeightedMeans(const FeatureMatrix& x, std::span<const double> y,
                   std::span<const double> w, bool center, Eigen::VectorXd* x_mean,
                   double* y_mean);

// One pass over the data; parallel over row blocks with a reduction order that does not
// depend on `threads`.
GramSystem ComputeGram(const FeatureMatrix& x, std::span<const double> y,
                       std::span<const double> w, bool center, int threads);

// Solves (gram + l2 I) b = xty. *min_norm is set when the system is singular (to 1e-12 of
// its largest pivot) and the minimum-norm solution was returned instead of the LDLT one.
Eigen::VectorXd SolveNormalEquations(const GramSystem& system, double l2, bool* min_norm);

// The penalised objective at b, from the Gram system: O(p^2).
double GramObjective(const GramSystem& system, const Eigen::VectorXd& b, double l1, double l2);

struct CoordinateDescentOptions {
  double l1 = 0;
  double l2 = 0;
  int max_iterations = 20;      // passes over all coefficients
  double min_rel_progress = 0;  // BigQuery's early stop (0: off)
  // Converged when a pass moves no coefficient by more than this times the largest one.
  double tolerance = 1e-12;
};

// Called after each pass with the pass number, the coefficients and the objective.
using PassCallback = std::function<Status(int pass, const Eigen::VectorXd& b, double objective)>;

// Cyclic coordinate descent with soft-thresholding on the precomputed Gram matrix: a pass
// costs O(p^2) whatever the row count. Starts from *b.
Result<SolverResult> CoordinateDescentGram(const GramSystem& system,
                                           const CoordinateDescentOptions& options,
                                           Eigen::VectorXd* b, const PassCallback& on_pass);

// The same on the residuals, for many features (a pass costs O(rows x p) and no p x p
// matrix is formed). `x_mean` and `y_mean` as WeightedMeans returns them.
Result<SolverResult> CoordinateDescentResidual(const FeatureMatrix& x, std::span<const double> y,
                                               std::span<const double> w,
                                               const Eigen::VectorXd& x_mean, double y_mean,
                                               const CoordinateDescentOptions& options,
                                               Eigen::VectorXd* b, const PassCallback& on_pass);

}  // namespace strata
