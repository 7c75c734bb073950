// The losses of Strata's linear models, evaluated over a column-major FeatureMatrix with
// Eigen and in parallel over blocks of rows:
//
//   squared   1/2 w (y - s)^2                       s = x.b + c      (LINEAR_REG)
//   logistic  w (log(1 + e^s) - y s)                y in {0, 1}      (binary LOGISTIC_REG)
//   softmax   w (logsumexp_j(s_j) - s_y)            s_j = x.b_j + c_j, y in 0..k-1
//
// Evaluate returns the weighted sum over rows and, on request, its gradient with respect to
// the coefficients B (features x outputs) and the offsets c (one per output).
//
// Rows are cut into blocks whose size depends only on the row count, each block's partial
// sums are kept apart and added in block order, so the result is the same bit for bit with
// any number of threads (training is reproducible on another machine).
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <span>
#include <vector>

#include "strata/preprocess.h"

namespace strata {

enum class LossKind { kSquared, kLogistic, kSoftmax };

class LinearLoss {
 public:
  // `labels` (and `weights`, empty for all 1) must outlive the loss, one per row of `x`,
  // already validated: finite, and class indices for the classification losses.
  // `outputs` is 1 for kSquared and kLogistic, k for kSoftmax.
  LinearLoss(LossKind kind, const FeatureMatrix& x, std::span<const double> labels,
             std::span<const double> weights, int outputs, int threads);

  // Sum over rows of the weighted loss at (coef, offsets). When grad_coef is not null it
  // receives d/dB (same shape as coef) and grad_offsets d/dc.
  double Evaluate(const Eigen::MatrixXd& coef, const Eigen::VectorXd& offsets,
                  Eigen::MatrixXd* grad_coef, Eigen::VectorXd* grad_offsets) const;

  int64_t rows() const { return x_->rows(); }
  int features() const { return x_->cols(); }
  int outputs() const { return outputs_; }

 private:
  struct Partial;
  void EvaluateBlock(int64_t begin, int64_t end, const Eigen::MatrixXd& coef,
                     const Eigen::VectorXd& offsets, bool gradient, Partial* out) const;

  LossKind kind_;
  const FeatureMatrix* x_;
  std::span<const double> labels_;
  std::span<const double> weights_;
  int outputs_;
  int threads_;
  int64_t block_rows_;
};

// Weighted means of the columns of x (the centre the solvers reparametrise around).
Eigen::VectorXd WeightedColumnMeans(const FeatureMatrix& x, std::span<const double> weights);

}  // namespace strata
