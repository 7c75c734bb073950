#include "models/linear_least_squares.h"

#include <Eigen/Cholesky>
#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common/parallel.h"
#include "models/linear_loss.h"

namespace strata {
namespace {

using ConstBlock = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;

// A direction whose variance is below this fraction of the largest counts as collinear
// (condition number of X above 1e6). Exact collinearity, such as a one-hot group next to
// the intercept, leaves pivots near 1e-16 of the largest; genuine but weak directions of
// real data sets stay far above (churn.csv's minutes/charge pairs: 2e-8).
constexpr double kRankTolerance = 1e-12;
// Summation groups, as in linear_loss.cc: the count depends only on the data's shape.
constexpr int64_t kGroupRows = 16384;
constexpr int64_t kMaxGroups = 64;
// Each group holds a p x p partial Gram matrix; cap their total (in doubles) at 256 MB.
constexpr int64_t kGramBudget = int64_t{1} << 25;

double SoftThreshold(double v, double t) { return v > t ? v - t : (v < -t ? v + t : 0.0); }

struct GramPartial {
  Eigen::MatrixXd gram;
  Eigen::VectorXd xty;
  double yty = 0;
};

bool EarlyStop(const CoordinateDescentOptions& o, double previous, double current) {
  if (o.min_rel_progress <= 0) return false;
  return (previous - current) / std::max(std::abs(previous), std::numeric_limits<double>::min()) <
         o.min_rel_progress;
}

// After a coordinate-descent pass: converged when no coefficient moved by more than
// tolerance x the largest one, or stopped early by min_rel_progress. Sets `reason` when so.
bool PassStops(const CoordinateDescentOptions& o, double largest_change, const Eigen::VectorXd& beta,
               double previous, double value, StopReason* reason) {
  const double scale = beta.size() > 0 ? beta.cwiseAbs().maxCoeff() : 0.0;
  if (largest_change <= o.tolerance * scale) {
    *reason = StopReason::kConverged;
    return true;
  }
  if (EarlyStop(o, previous, value)) {
    *reason = StopReason::kEarlyStop;
    return true;
  }
  return false;
}

}  // namespace

void WeightedMeans(const FeatureMatrix& x, std::span<const double> y, std::span<const double> w,
                   bool center, Eigen::VectorXd* x_mean, double* y_mean) {
  *y_mean = 0;
  if (!center) {
    x_mean->setZero(x.cols());
    return;
  }
  *x_mean = WeightedColumnMeans(x, w);
  double total = 0, sum = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    double wi = w.empty() ? 1.0 : w[i];
    total += wi;
    sum += wi * y[i];
  }
  *y_mean = total > 0 ? sum / total : 0.0;
}

GramSystem ComputeGram(const FeatureMatrix& x, std::span<const double> y,
                       std::span<const double> w, bool center, int threads) {
  const int p = x.cols();
  const int64_t n = x.rows();
  GramSystem system;
  WeightedMeans(x, y, w, center, &system.x_mean, &system.y_mean);
  system.total_weight = 0;
  for (size_t i = 0; i < y.size(); ++i) system.total_weight += w.empty() ? 1.0 : w[i];

  const int64_t p2 = std::max<int64_t>(1, int64_t{p} * p);
  const int64_t groups = std::clamp<int64_t>(
      std::min((n + kGroupRows - 1) / kGroupRows, std::max<int64_t>(1, kGramBudget / p2)), 1,
      kMaxGroups);
  const int64_t group_rows = (n + groups - 1) / groups;
  // Chunks of at most 2 MB of centred features.
  const int64_t chunk_rows = std::clamp<int64_t>(262144 / std::max(p, 1), 16, 2048);
  std::vector<GramPartial> partials(static_cast<size_t>(groups));
  ParallelFor(groups, threads, [&](int64_t first, int64_t last, int /*worker*/) {
    Eigen::MatrixXd a;
    Eigen::VectorXd yw;
    for (int64_t g = first; g < last; ++g) {
      GramPartial& part = partials[static_cast<size_t>(g)];
      part.gram.setZero(p, p);
      part.xty.setZero(p);
      const int64_t end = std::min(n, (g + 1) * group_rows);
      for (int64_t start = g * group_rows; start < end; start += chunk_rows) {
        const int64_t len = std::min(chunk_rows, end - start);
        ConstBlock block(x.data().data() + start, len, p, Eigen::OuterStride<>(n));
        // Rows scaled by sqrt(w): then A'A = Xc' W Xc and A' (sqrt(w) yc) = Xc' W yc.
        a = block.rowwise() - system.x_mean.transpose();
        yw.resize(len);
        for (int64_t i = 0; i < len; ++i) {
          double s = w.empty() ? 1.0 : std::sqrt(w[start + i]);
          a.row(i) *= s;
          yw[i] = s * (y[start + i] - system.y_mean);
        }
        if (p > 0) {
          part.gram.selfadjointView<Eigen::Lower>().rankUpdate(a.transpose());
          part.xty.noalias() += a.transpose() * yw;
        }
        part.yty += yw.squaredNorm();
      }
    }
  });
  system.gram.setZero(p, p);
  system.xty.setZero(p);
  for (const GramPartial& part : partials) {
    system.gram += part.gram;
    system.xty += part.xty;
    system.yty += part.yty;
  }
  system.gram = system.gram.selfadjointView<Eigen::Lower>();
  return system;
}

Eigen::VectorXd SolveNormalEquations(const GramSystem& system, double l2, bool* min_norm) {
  const Eigen::Index p = system.gram.rows();
  *min_norm = false;
  if (p == 0) return Eigen::VectorXd();
  Eigen::MatrixXd a = system.gram;
  a.diagonal().array() += l2;
  Eigen::LDLT<Eigen::MatrixXd> ldlt(a);
  // LDLT pivots on the largest remaining diagonal, so for a positive semi-definite matrix
  // a (numerically) zero D entry means a singular direction.
  if (ldlt.info() == Eigen::Success) {
    Eigen::VectorXd d = ldlt.vectorD();
    double largest = d.cwiseAbs().maxCoeff();
    if (largest > 0 && d.minCoeff() > kRankTolerance * largest) {
      Eigen::VectorXd b = ldlt.solve(system.xty);
      if (b.allFinite()) return b;
    }
  }
  // Singular: among all minimisers, the one of smallest norm. The system is consistent
  // (xty lies in the range of the Gram matrix), so this is pinv(Xc) yc, what lstsq gives.
  *min_norm = true;
  Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod;
  cod.setThreshold(kRankTolerance);
  cod.compute(a);
  return cod.solve(system.xty);
}

double GramObjective(const GramSystem& system, const Eigen::VectorXd& b, double l1, double l2) {
  if (b.size() == 0) return 0.5 * system.yty;
  return 0.5 * system.yty - b.dot(system.xty) + 0.5 * b.dot(system.gram * b) +
         l1 * b.cwiseAbs().sum() + 0.5 * l2 * b.squaredNorm();
}

Result<SolverResult> CoordinateDescentGram(const GramSystem& system,
                                           const CoordinateDescentOptions& o,
                                           Eigen::VectorXd* b, const PassCallback& on_pass) {
  const Eigen::Index p = system.gram.rows();
  Eigen::VectorXd& beta = *b;
  Eigen::VectorXd q = p > 0 ? Eigen::VectorXd(system.gram * beta) : Eigen::VectorXd();  // G b
  double previous = GramObjective(system, beta, o.l1, o.l2);
  SolverResult result{0, previous, StopReason::kMaxIterations};
  for (int pass = 1; pass <= o.max_iterations; ++pass) {
    double largest_change = 0;
    for (Eigen::Index j = 0; j < p; ++j) {
      const double diag = system.gram(j, j) + o.l2;
      if (!(diag > 0)) continue;  // a constant column without L2: its coefficient stays 0
      const double old = beta[j];
      const double rho = system.xty[j] - q[j] + system.gram(j, j) * old;
      const double updated = SoftThreshold(rho, o.l1) / diag;
      if (updated != old) {
        q.noalias() += (updated - old) * system.gram.col(j);
        beta[j] = updated;
        largest_change = std::max(largest_change, std::abs(updated - old));
      }
    }
    const double value = GramObjective(system, beta, o.l1, o.l2);
    result.iterations = pass;
    result.value = value;
    STRATA_RETURN_IF_ERROR(on_pass(pass, beta, value));
    if (PassStops(o, largest_change, beta, previous, value, &result.reason)) return result;
    previous = value;
  }
  return result;
}

Result<SolverResult> CoordinateDescentResidual(const FeatureMatrix& x, std::span<const double> y,
                                               std::span<const double> w,
                                               const Eigen::VectorXd& x_mean, double y_mean,
                                               const CoordinateDescentOptions& o,
                                               Eigen::VectorXd* b, const PassCallback& on_pass) {
  const int p = x.cols();
  const Eigen::Index n = x.rows();
  Eigen::VectorXd& beta = *b;
  Eigen::ArrayXd weight = w.empty() ? Eigen::ArrayXd::Ones(n)
                                    : Eigen::ArrayXd(Eigen::Map<const Eigen::ArrayXd>(w.data(), n));
  auto column = [&](int j) { return Eigen::Map<const Eigen::ArrayXd>(x.column(j), n); };
  // r = yc - Xc b, and the weighted squared norms of the centred columns.
  Eigen::ArrayXd r = Eigen::Map<const Eigen::ArrayXd>(y.data(), n) - y_mean;
  Eigen::VectorXd norms(p);
  for (int j = 0; j < p; ++j) {
    Eigen::ArrayXd centred = column(j) - x_mean[j];
    norms[j] = (weight * centred.square()).sum();
    if (beta[j] != 0) r -= beta[j] * centred;
  }
  auto objective = [&] {
    return 0.5 * (weight * r.square()).sum() + o.l1 * beta.cwiseAbs().sum() +
           0.5 * o.l2 * beta.squaredNorm();
  };
  double previous = objective();
  SolverResult result{0, previous, StopReason::kMaxIterations};
  for (int pass = 1; pass <= o.max_iterations; ++pass) {
    double largest_change = 0;
    for (int j = 0; j < p; ++j) {
      const double diag = norms[j] + o.l2;
      if (!(diag > 0)) continue;
      const double old = beta[j];
      const double rho = (weight * r * (column(j) - x_mean[j])).sum() + norms[j] * old;
      const double updated = SoftThreshold(rho, o.l1) / diag;
      if (updated != old) {
        r -= (updated - old) * (column(j) - x_mean[j]);
        beta[j] = updated;
        largest_change = std::max(largest_change, std::abs(updated - old));
      }
    }
    const double value = objective();
    result.iterations = pass;
    result.value = value;
    STRATA_RETURN_IF_ERROR(on_pass(pass, beta, value));
    if (PassStops(o, largest_change, beta, previous, value, &result.reason)) return result;
    previous = value;
  }
  return result;
}

}  // namespace strata
