// First-order solvers for the convex objectives of Strata's linear models:
//
//   minimise  F(x) = f(x) + sum_i l1_i |x_i|
//
// where f is smooth (a loss plus an L2 penalty) and l1_i >= 0 (0 for unpenalised entries
// such as intercepts). Three methods, chosen by LbfgsOptions:
//   - L-BFGS (Nocedal 1980) when there is no L1 term;
//   - OWL-QN (Andrew & Gao 2007, "Scalable training of L1-regularized log-linear models")
//     when some l1_i > 0: L-BFGS on the pseudo-gradient, steps projected onto the orthant of
//     the current point, so coefficients reach exact zeros;
//   - proximal gradient descent with a constant step (BigQuery ML's
//     LEARN_RATE_STRATEGY = 'CONSTANT') when constant_step > 0.
//
//   LbfgsOptions o;
//   o.max_iterations = 100;
//   Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
//   STRATA_ASSIGN_OR_RETURN(SolverResult r, MinimizeLbfgs(f, o, &x, on_iteration));
//
// Internal to the linear models; Eigen stays inside src/models.
#pragma once

#include <Eigen/Core>

#include <functional>
#include <string_view>

#include "strata/status.h"

namespace strata {

// The smooth part f: returns f(x) and writes its gradient to *grad (already sized like x).
using SmoothObjective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd* grad)>;

struct LbfgsOptions {
  int max_iterations = 100;  // iterations (accepted steps), not function evaluations
  int memory = 10;           // correction pairs kept by L-BFGS
  // Converged when the largest component of the (pseudo-)gradient is at most this. The
  // linear models normalise their objectives by the total row weight, so the gradient of
  // a well-scaled problem is O(1) and an absolute tolerance means the same at any size.
  double gradient_tolerance = 1e-9;
  // Converged when one iteration lowers F by at most this, relative to |F|: the objective
  // no longer changes in the digits a double holds (scipy's L-BFGS-B uses 64 * eps ~ 1e-14).
  double function_tolerance = 1e-14;
  // BigQuery ML's EARLY_STOP: stop after the first iteration whose relative improvement
  // (F_prev - F) / |F_prev| is below this. 0 turns it off.
  double min_rel_progress = 0;
  // The first trial step of the first iteration, along the negative gradient
  // (LS_INIT_LEARN_RATE). Later iterations try the quasi-Newton step 1 first. The first
  // line search also grows the step while the objective keeps falling, so a cautious value
  // costs a few evaluations, not a wasted iteration.
  double initial_step = 1;
  // > 0: proximal gradient descent with this fixed step instead of L-BFGS (LEARN_RATE).
  double constant_step = 0;
  // Per-coordinate L1 weights; empty or all zero for no L1 term.
  Eigen::VectorXd l1;
};

enum class StopReason {
  kConverged,      // gradient or objective change below tolerance
  kEarlyStop,      // relative improvement below min_rel_progress
  kMaxIterations,  // the iteration budget ran out
  kNoProgress,     // the line search found no lower point: at the optimum to machine precision
};

// "converged", "early_stop", "max_iterations", "no_progress".
std::string_view StopReasonName(StopReason reason);

// What the per-iteration callback sees.
struct SolverIteration {
  int iteration = 0;   // 1-based
  double value = 0;    // F at the new point
  double step = 0;     // the accepted step length along the search direction
  const Eigen::VectorXd* x = nullptr;  // the new point
};

// Called after every iteration; a non-OK Status (for example Cancelled) stops the solver and
// is returned as is.
using IterationCallback = std::function<Status(const SolverIteration&)>;

struct SolverResult {
  int iterations = 0;
  double value = 0;
  StopReason reason = StopReason::kConverged;
};

// Minimises F starting from *x, leaving the best point found in *x. InvalidArgument when
// the objective is not finite at the start, or when a constant step makes it diverge (the
// message says to lower learn_rate).
Result<SolverResult> MinimizeLbfgs(const SmoothObjective& f, const LbfgsOptions& options,
                                   Eigen::VectorXd* x, const IterationCallback& on_iteration);

}  // namespace strata
