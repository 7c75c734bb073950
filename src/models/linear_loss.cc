#include "models/linear_loss.h"

#include <algorithm>

#include "common/parallel.h"

namespace strata {
namespace {

using ConstBlock = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;
using ConstArray = Eigen::Map<const Eigen::ArrayXd>;

// Rows per inner chunk: the chunk's slice of X (2048 rows x 22 features = 360 KB) is read
// for the scores and again for the gradient, and stays in L2 cache in between.
constexpr int64_t kChunkRows = 2048;
// Rows per summation group. Groups are the unit of parallel work and of the ordered
// reduction; their number depends only on the row count (never on the thread count), so
// sums are reproducible. Small data is one group and runs on the calling thread.
constexpr int64_t kGroupRows = 16384;
constexpr int64_t kMaxGroups = 64;

}  // namespace

struct LinearLoss::Partial {
  double loss = 0;
  Eigen::MatrixXd grad;
  Eigen::VectorXd grad_offsets;
};

LinearLoss::LinearLoss(LossKind kind, const FeatureMatrix& x, std::span<const double> labels,
                       std::span<const double> weights, int outputs, int threads)
    : kind_(kind),
      x_(&x),
      labels_(labels),
      weights_(weights),
      outputs_(outputs),
      threads_(std::max(1, threads)) {
  int64_t groups = std::clamp<int64_t>((x.rows() + kGroupRows - 1) / kGroupRows, 1, kMaxGroups);
  block_rows_ = (x.rows() + groups - 1) / groups;
  if (block_rows_ == 0) block_rows_ = 1;
}

double LinearLoss::Evaluate(const Eigen::MatrixXd& coef, const Eigen::VectorXd& offsets,
                            Eigen::MatrixXd* grad_coef, Eigen::VectorXd* grad_offsets) const {
  const int64_t n = rows();
  const bool gradient = grad_coef != nullptr;
  const int64_t groups = n == 0 ? 0 : (n + block_rows_ - 1) / block_rows_;
  std::vector<Partial> partials(static_cast<size_t>(groups));
  ParallelFor(groups, threads_, [&](int64_t first, int64_t last, int /*worker*/) {
    for (int64_t g = first; g < last; ++g) {
      int64_t begin = g * block_rows_;
      EvaluateBlock(begin, std::min(n, begin + block_rows_), coef, offsets, gradient,
                    &partials[static_cast<size_t>(g)]);
    }
  });
  double loss = 0;
  if (gradient) {
    grad_coef->setZero(features(), outputs_);
    grad_offsets->setZero(outputs_);
  }
  for (const Partial& part : partials) {
    loss += part.loss;
    if (gradient) {
      *grad_coef += part.grad;
      *grad_offsets += part.grad_offsets;
    }
  }
  return loss;
}

void LinearLoss::EvaluateBlock(int64_t begin, int64_t end, const Eigen::MatrixXd& coef,
                               const Eigen::VectorXd& offsets, bool gradient,
                               Partial* out) const {
  const int p = features();
  const int k = outputs_;
  const int64_t stride = x_->rows();
  if (gradient) {
    out->grad.setZero(p, k);
    out->grad_offsets.setZero(k);
  }
  Eigen::MatrixXd scores;    // chunk rows x k
  Eigen::MatrixXd residual;  // d loss / d score, weighted
  Eigen::ArrayXd ones;
  if (weights_.empty()) ones.setOnes(std::min<int64_t>(kChunkRows, end - begin));
  double loss = 0;
  for (int64_t start = begin; start < end; start += kChunkRows) {
    const int64_t len = std::min(kChunkRows, end - start);
    ConstBlock x(x_->data().data() + start, len, p, Eigen::OuterStride<>(stride));
    ConstArray y(labels_.data() + start, len);
    ConstArray w(weights_.empty() ? ones.data() : weights_.data() + start, len);
    scores.resize(len, k);
    if (p > 0) {
      scores.noalias() = x * coef;
    } else {
      scores.setZero();
    }
    scores.rowwise() += offsets.transpose();
    residual.resize(len, k);
    switch (kind_) {
      case LossKind::kSquared: {
        Eigen::ArrayXd diff = scores.col(0).array() - y;
        Eigen::ArrayXd wdiff = w * diff;
        loss += 0.5 * (wdiff * diff).sum();
        residual.col(0) = wdiff.matrix();
        break;
      }
      case LossKind::kLogistic: {
        auto s = scores.col(0).array();
        // softplus(s) = log(1 + e^s) = max(s, 0) + log(1 + e^-|s|): never overflows, and
        // sigmoid(s) = e^(s - softplus(s)) is exact on both tails. log(1 + t) rather than
        // log1p(t) because Eigen vectorises log but not log1p for doubles; for t < 1e-16
        // that loses an absolute 1e-16 of a row's loss.
        Eigen::ArrayXd softplus = s.max(0.0) + (1.0 + (-s.abs()).exp()).log();
        loss += (w * (softplus - y * s)).sum();
        residual.col(0) = (w * ((s - softplus).exp() - y)).matrix();
        break;
      }
      case LossKind::kSoftmax: {
        Eigen::VectorXd top = scores.rowwise().maxCoeff();
        Eigen::ArrayXXd e = (scores.colwise() - top).array().exp();
        Eigen::ArrayXd total = e.rowwise().sum();
        Eigen::ArrayXd lse = top.array() + total.log();
        residual = (e.colwise() / total).matrix();
        for (int64_t i = 0; i < len; ++i) {
          const int label = static_cast<int>(y[i]);
          loss += w[i] * (lse[i] - scores(i, label));
          residual(i, label) -= 1.0;
        }
        residual.array().colwise() *= w;
        break;
      }
    }
    if (gradient) {
      if (p > 0) out->grad.noalias() += x.transpose() * residual;
      out->grad_offsets += residual.colwise().sum().transpose();
    }
  }
  out->loss = loss;
}

Eigen::VectorXd WeightedColumnMeans(const FeatureMatrix& x, std::span<const double> weights) {
  Eigen::Map<const Eigen::MatrixXd> m(x.data().data(), x.rows(), x.cols());
  if (weights.empty()) {
    if (x.rows() == 0) return Eigen::VectorXd::Zero(x.cols());
    return m.colwise().sum().transpose() / static_cast<double>(x.rows());
  }
  Eigen::Map<const Eigen::VectorXd> w(weights.data(), static_cast<Eigen::Index>(weights.size()));
  double total = w.sum();
  if (!(total > 0)) return Eigen::VectorXd::Zero(x.cols());
  return m.transpose() * w / total;
}

}  // namespace strata
