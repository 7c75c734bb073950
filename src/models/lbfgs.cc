#include "models/lbfgs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace strata {
namespace {

using Eigen::VectorXd;

constexpr double kArmijo = 1e-4;      // sufficient decrease (Nocedal & Wright's c1)
constexpr int kMaxLineSearch = 50;    // halvings from 1 reach 1e-15: below that, no progress
constexpr int kMaxExpansions = 30;    // doublings of a too-cautious first step
// A constant step "diverged" once the objective grows this much past its start: the
// iterates then grow geometrically and overflow a few dozen iterations later.
constexpr double kDivergenceFactor = 1e3;

double L1Term(const VectorXd& l1, const VectorXd& x) {
  return l1.size() == 0 ? 0.0 : l1.cwiseProduct(x.cwiseAbs()).sum();
}

// The OWL-QN pseudo-gradient: the gradient of F where it is differentiable, and at x_i = 0
// the one-sided derivative that points downhill (0 when neither side does).
void PseudoGradient(const VectorXd& x, const VectorXd& g, const VectorXd& l1, VectorXd* pg) {
  if (l1.size() == 0) {
    *pg = g;
    return;
  }
  pg->resize(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    double lam = l1[i];
    if (lam == 0) {
      (*pg)[i] = g[i];
    } else if (x[i] > 0) {
      (*pg)[i] = g[i] + lam;
    } else if (x[i] < 0) {
      (*pg)[i] = g[i] - lam;
    } else if (g[i] + lam < 0) {
      (*pg)[i] = g[i] + lam;
    } else if (g[i] - lam > 0) {
      (*pg)[i] = g[i] - lam;
    } else {
      (*pg)[i] = 0;
    }
  }
}

// The L-BFGS correction pairs (s, y) and the two-loop recursion that applies the inverse
// Hessian approximation they define.
class History {
 public:
  explicit History(int memory) : memory_(std::max(1, memory)) {}

  bool empty() const { return s_.empty(); }
  void Clear() {
    s_.clear();
    y_.clear();
    rho_.clear();
  }

  // Keeps the pair only when it carries curvature (s.y > 0); a flat direction would make
  // the approximation singular.
  void Push(VectorXd s, VectorXd y) {
    double sy = s.dot(y);
    double yy = y.squaredNorm();
    if (!(sy > 1e-12 * yy) || yy == 0) return;
    if (static_cast<int>(s_.size()) == memory_) {
      s_.erase(s_.begin());
      y_.erase(y_.begin());
      rho_.erase(rho_.begin());
    }
    s_.push_back(std::move(s));
    y_.push_back(std::move(y));
    rho_.push_back(1.0 / sy);
  }

  // d = -H * grad.
  void Direction(const VectorXd& grad, VectorXd* d) const {
    *d = -grad;
    if (s_.empty()) return;
    std::vector<double> alpha(s_.size());
    for (size_t k = s_.size(); k-- > 0;) {
      alpha[k] = rho_[k] * s_[k].dot(*d);
      *d -= alpha[k] * y_[k];
    }
    const VectorXd& s = s_.back();
    const VectorXd& y = y_.back();
    *d *= s.dot(y) / y.squaredNorm();
    for (size_t k = 0; k < s_.size(); ++k) {
      double beta = rho_[k] * y_[k].dot(*d);
      *d += (alpha[k] - beta) * s_[k];
    }
  }

 private:
  int memory_;
  std::vector<VectorXd> s_, y_;
  std::vector<double> rho_;
};

bool SmallChange(double previous, double current, double tolerance) {
  double scale = std::max({std::abs(previous), std::abs(current),
                           std::numeric_limits<double>::min()});
  return std::abs(previous - current) <= tolerance * scale;
}

bool EarlyStop(const LbfgsOptions& o, double previous, double current) {
  if (o.min_rel_progress <= 0) return false;
  double scale = std::max(std::abs(previous), std::numeric_limits<double>::min());
  return (previous - current) / scale < o.min_rel_progress;
}

Result<SolverResult> ProximalGradient(const SmoothObjective& f, const LbfgsOptions& o,
                                      VectorXd* x, VectorXd g, double fx,
                                      const IterationCallback& on_iteration) {
  const double eta = o.constant_step;
  const double start = fx;
  VectorXd xn(x->size()), gn(x->size());
  SolverResult result{0, fx, StopReason::kMaxIterations};
  for (int iter = 1; iter <= o.max_iterations; ++iter) {
    xn = *x - eta * g;
    if (o.l1.size() != 0) {
      // Soft-thresholding: the proximal operator of eta * l1_i |x_i|.
      for (Eigen::Index i = 0; i < xn.size(); ++i) {
        double t = eta * o.l1[i];
        xn[i] = xn[i] > t ? xn[i] - t : (xn[i] < -t ? xn[i] + t : 0.0);
      }
    }
    double v = f(xn, &gn) + L1Term(o.l1, xn);
    if (!std::isfinite(v) || !gn.allFinite() ||
        v > kDivergenceFactor * std::max(std::abs(start), 1e-12)) {
      return InvalidArgument(fmt::format(
          "learn_rate {} makes the training loss diverge (iteration {}); lower learn_rate or "
          "use learn_rate_strategy = 'LINE_SEARCH'",
          eta, iter));
    }
    double mapping = (*x - xn).lpNorm<Eigen::Infinity>() / eta;
    double previous = fx;
    std::swap(*x, xn);
    std::swap(g, gn);
    fx = v;
    result.iterations = iter;
    result.value = fx;
    STRATA_RETURN_IF_ERROR(on_iteration({iter, fx, eta, x}));
    if (mapping <= o.gradient_tolerance || SmallChange(previous, fx, o.function_tolerance)) {
      result.reason = StopReason::kConverged;
      return result;
    }
    if (EarlyStop(o, previous, fx)) {
      result.reason = StopReason::kEarlyStop;
      return result;
    }
  }
  return result;
}

}  // namespace

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kConverged: return "converged";
    case StopReason::kEarlyStop: return "early_stop";
    case StopReason::kMaxIterations: return "max_iterations";
    case StopReason::kNoProgress: return "no_progress";
  }
  return "?";
}

Result<SolverResult> MinimizeLbfgs(const SmoothObjective& f, const LbfgsOptions& o,
                                   VectorXd* x, const IterationCallback& on_iteration) {
  const Eigen::Index n = x->size();
  if (o.l1.size() != 0 && o.l1.size() != n) {
    return Internal("MinimizeLbfgs: l1 weights and x differ in size");
  }
  const bool has_l1 = o.l1.size() != 0 && (o.l1.array() > 0).any();
  VectorXd g(n);
  double fx = f(*x, &g) + L1Term(o.l1, *x);
  if (!std::isfinite(fx) || !g.allFinite()) {
    return InvalidArgument(
        "the training loss is not finite at the starting point; check the features and "
        "labels for values too large to square");
  }
  if (o.constant_step > 0) return ProximalGradient(f, o, x, std::move(g), fx, on_iteration);

  VectorXd pg, pgn, d, xi;
  PseudoGradient(*x, g, o.l1, &pg);
  SolverResult result{0, fx, StopReason::kConverged};
  if (pg.lpNorm<Eigen::Infinity>() <= o.gradient_tolerance) return result;

  History history(o.memory);
  // Two trial buffers: the line search writes into `trial` and keeps the best in `best`.
  VectorXd best_x(n), best_g(n), trial_x(n), trial_g(n);
  for (int iter = 1; iter <= o.max_iterations; ++iter) {
    history.Direction(pg, &d);
    if (has_l1) {
      // OWL-QN keeps the direction in the orthant the pseudo-gradient points to.
      for (Eigen::Index i = 0; i < n; ++i) {
        if (d[i] * pg[i] >= 0) d[i] = 0;
      }
    }
    double slope = pg.dot(d);
    if (!(slope < 0)) {
      // The curvature pairs went stale (can happen after an orthant change): restart.
      history.Clear();
      d = -pg;
      slope = -pg.squaredNorm();
      if (slope == 0) break;
    }
    if (has_l1) {
      xi.resize(n);
      for (Eigen::Index i = 0; i < n; ++i) {
        double v = (*x)[i] != 0 ? (*x)[i] : d[i];
        xi[i] = v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0);
      }
    }
    auto evaluate = [&](double step) {
      trial_x = *x + step * d;
      if (has_l1) {
        for (Eigen::Index i = 0; i < n; ++i) {
          if (trial_x[i] * xi[i] <= 0) trial_x[i] = 0;
        }
      }
      double v = f(trial_x, &trial_g);
      if (!std::isfinite(v) || !trial_g.allFinite()) return std::numeric_limits<double>::infinity();
      return v + L1Term(o.l1, trial_x);
    };
    auto sufficient = [&](double step, double v) {
      double decrease = has_l1 ? pg.dot(trial_x - *x) : step * slope;
      return v <= fx + kArmijo * decrease;
    };

    const bool fresh = history.empty();
    double step = 1.0;
    if (fresh) step = iter == 1 ? o.initial_step : 1.0 / std::max(d.norm(), 1e-300);
    double v = evaluate(step);
    int tries = 1;
    while (!sufficient(step, v) && tries < kMaxLineSearch) {
      // Backtrack to the minimiser of the quadratic through f(0), f'(0) and f(step),
      // kept within [0.1, 0.5] of the step so a poor model cannot stall or overshoot.
      double next = 0.5 * step;
      double curvature = 2 * (v - fx - step * slope);
      if (std::isfinite(v) && curvature > 0) next = -slope * step * step / curvature;
      step = std::clamp(next, 0.1 * step, 0.5 * step);
      v = evaluate(step);
      ++tries;
    }
    if (!sufficient(step, v)) {
      result.reason = StopReason::kNoProgress;
      return result;
    }
    std::swap(best_x, trial_x);
    std::swap(best_g, trial_g);
    if (fresh) {
      // Without curvature information the first step may be far too short: grow it while
      // the objective keeps falling.
      for (int k = 0; k < kMaxExpansions; ++k) {
        double longer = 2 * step;
        double lv = evaluate(longer);
        if (!(lv < v) || !sufficient(longer, lv)) break;
        step = longer;
        v = lv;
        std::swap(best_x, trial_x);
        std::swap(best_g, trial_g);
      }
    }

    history.Push(best_x - *x, best_g - g);
    double previous = fx;
    std::swap(*x, best_x);
    std::swap(g, best_g);
    fx = v;
    PseudoGradient(*x, g, o.l1, &pg);
    result.iterations = iter;
    result.value = fx;
    STRATA_RETURN_IF_ERROR(on_iteration({iter, fx, step, x}));
    if (pg.lpNorm<Eigen::Infinity>() <= o.gradient_tolerance ||
        SmallChange(previous, fx, o.function_tolerance)) {
      result.reason = StopReason::kConverged;
      return result;
    }
    if (EarlyStop(o, previous, fx)) {
      result.reason = StopReason::kEarlyStop;
      return result;
    }
    if (iter == o.max_iterations) result.reason = StopReason::kMaxIterations;
  }
  return result;
}

}  // namespace strata
