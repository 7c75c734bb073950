#include "models/kmeans.h"

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <random>

#include "common/parallel.h"
#include "common/random.h"
#include "models/builtin_models.h"

namespace strata {
namespace {

// Rows are scored kChunk at a time, vectorised over rows straight from the column-major
// matrix (no transposed copy). Sums over rows go through a partition into at most
// kMaxBlocks blocks that depends only on the row count, so results are bitwise the same for
// any thread count.
constexpr int64_t kChunk = 256;
constexpr int64_t kMaxBlocks = 64;
constexpr int64_t kMinBlockRows = 1024;
constexpr std::string_view kMagic = "STRKMS01";

using ArrayXXd = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic>;
using ConstColumn = Eigen::Map<const Eigen::ArrayXd>;

struct Blocks {
  int64_t rows = 0, size = 1, count = 0;
  int64_t begin(int64_t b) const { return b * size; }
  int64_t end(int64_t b) const { return std::min(rows, (b + 1) * size); }
};

Blocks MakeBlocks(int64_t rows) {
  Blocks b;
  b.rows = rows;
  b.size = std::max(kMinBlockRows, (rows + kMaxBlocks - 1) / kMaxBlocks);
  b.count = (rows + b.size - 1) / b.size;
  return b;
}

void ForEachBlock(const Blocks& blocks, int threads,
                  const std::function<void(int64_t block, int64_t begin, int64_t end)>& fn) {
  ParallelFor(blocks.count, threads, [&](int64_t lo, int64_t hi, int /*worker*/) {
    for (int64_t b = lo; b < hi; ++b) fn(b, blocks.begin(b), blocks.end(b));
  });
}

// The rows being clustered. For cosine distance rows are compared by direction: a row's
// score against a (unit-length) centroid is 1 - cosine similarity; a zero row scores 1.
struct Points {
  const FeatureMatrix* x = nullptr;
  std::span<const double> weights;  // empty: all 1
  KMeansDistance distance = KMeansDistance::kEuclidean;
  std::vector<double> inv_norm;     // cosine only: 1 / |row| (0 for a zero row)
  double weight(int64_t r) const { return weights.empty() ? 1.0 : weights[r]; }
};

Points MakePoints(const FeatureMatrix& x, std::span<const double> weights,
                  KMeansDistance distance, int threads) {
  Points p;
  p.x = &x;
  p.weights = weights;
  p.distance = distance;
  if (distance == KMeansDistance::kCosine) {
    p.inv_norm.assign(static_cast<size_t>(x.rows()), 0.0);
    ParallelFor(x.rows(), threads, [&](int64_t lo, int64_t hi, int) {
      for (int64_t r = lo; r < hi; ++r) {
        double s = 0;
        for (int c = 0; c < x.cols(); ++c) s += x.at(r, c) * x.at(r, c);
        p.inv_norm[r] = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
      }
    });
  }
  return p;
}

// Scores rows [r0, r0 + len) against k centroids (k x d, row-major) into `scores`
// (len x k): squared Euclidean distance, or cosine distance. Lower is nearer.
void Score(const Points& p, int64_t r0, int64_t len, const std::vector<double>& centroids, int k,
           ArrayXXd* scores) {
  const FeatureMatrix& x = *p.x;
  const int d = x.cols();
  scores->resize(len, k);
  scores->setZero();
  for (int j = 0; j < k; ++j) {
    const double* c = centroids.data() + static_cast<size_t>(j) * d;
    auto col = scores->col(j);
    if (p.distance == KMeansDistance::kEuclidean) {
      for (int f = 0; f < d; ++f) col += (ConstColumn(x.column(f) + r0, len) - c[f]).square();
    } else {
      for (int f = 0; f < d; ++f) col += ConstColumn(x.column(f) + r0, len) * c[f];
      col = 1.0 - col * ConstColumn(p.inv_norm.data() + r0, len);
    }
  }
}

// Loss term and reported distance of a row from its score.
double LossOf(KMeansDistance d, double score) {
  return d == KMeansDistance::kEuclidean ? score : score * score;
}
double DistanceOf(KMeansDistance d, double score) {
  return d == KMeansDistance::kEuclidean ? std::sqrt(std::max(score, 0.0)) : score;
}

// One assignment pass: each row's nearest centroid, and the sums the next centroids and the
// loss are made of (Lloyd's E-step and the accumulation of its M-step).
struct PassSums {
  std::vector<double> sums;      // k x d: weighted rows (cosine: unit rows) per cluster
  std::vector<double> weight;    // k: weight per cluster
  std::vector<double> distance;  // k: sum of reported distances (for radii)
  std::vector<double> rows;      // k: rows per cluster
  double loss = 0, total_weight = 0;
  int64_t changed = 0;

  void Reset(int k, int d) {
    sums.assign(static_cast<size_t>(k) * d, 0.0);
    weight.assign(k, 0.0);
    distance.assign(k, 0.0);
    rows.assign(k, 0.0);
    loss = total_weight = 0;
    changed = 0;
  }
  void Add(const PassSums& o) {
    for (size_t i = 0; i < sums.size(); ++i) sums[i] += o.sums[i];
    for (size_t j = 0; j < weight.size(); ++j) {
      weight[j] += o.weight[j];
      distance[j] += o.distance[j];
      rows[j] += o.rows[j];
    }
    loss += o.loss;
    total_weight += o.total_weight;
    changed += o.changed;
  }
  double MeanLoss() const { return total_weight > 0 ? loss / total_weight : 0; }
};

// Assigns every row; `labels` (in: previous, out: new) and `best` (the row's score).
PassSums AssignPass(const Points& p, const std::vector<double>& centroids, int k, int threads,
                    std::vector<int>* labels, std::vector<double>* best) {
  const FeatureMatrix& x = *p.x;
  const int d = x.cols();
  const Blocks blocks = MakeBlocks(x.rows());
  std::vector<PassSums> parts(static_cast<size_t>(blocks.count));
  ForEachBlock(blocks, threads, [&](int64_t b, int64_t begin, int64_t end) {
    PassSums& s = parts[b];
    s.Reset(k, d);
    ArrayXXd scores;
    for (int64_t r0 = begin; r0 < end; r0 += kChunk) {
      const int64_t len = std::min(kChunk, end - r0);
      Score(p, r0, len, centroids, k, &scores);
      for (int64_t i = 0; i < len; ++i) {
        const int64_t r = r0 + i;
        Eigen::Index j = 0;
        const double score = scores.row(i).minCoeff(&j);  // first minimum on ties
        const int label = static_cast<int>(j);
        if ((*labels)[r] != label) ++s.changed;
        (*labels)[r] = label;
        (*best)[r] = score;
        const double w = p.weight(r);
        const double scale = p.distance == KMeansDistance::kCosine ? w * p.inv_norm[r] : w;
        double* sum = s.sums.data() + static_cast<size_t>(label) * d;
        for (int f = 0; f < d; ++f) sum[f] += scale * x.at(r, f);
        s.weight[label] += w;
        s.rows[label] += 1;
        s.distance[label] += DistanceOf(p.distance, score);
        s.loss += w * LossOf(p.distance, score);
        s.total_weight += w;
      }
    }
  });
  PassSums total;
  total.Reset(k, d);
  for (const PassSums& s : parts) total.Add(s);
  return total;
}

void NormalizeRow(double* row, int d) {
  double s = 0;
  for (int f = 0; f < d; ++f) s += row[f] * row[f];
  if (s <= 0) return;
  const double inv = 1.0 / std::sqrt(s);
  for (int f = 0; f < d; ++f) row[f] *= inv;
}

void CopyRow(const Points& p, int64_t r, double* out) {
  for (int f = 0; f < p.x->cols(); ++f) out[f] = p.x->at(r, f);
  if (p.distance == KMeansDistance::kCosine) NormalizeRow(out, p.x->cols());
}

// Lloyd's M-step. A cluster left without members is re-seeded at the row farthest from its
// own centroid (the worst-served row), the next farthest for the next empty cluster.
void UpdateCentroids(const Points& p, const PassSums& s, const std::vector<double>& best, int k,
                     std::vector<double>* centroids) {
  const int d = p.x->cols();
  std::vector<int> empty;
  for (int j = 0; j < k; ++j) {
    double* c = centroids->data() + static_cast<size_t>(j) * d;
    if (s.weight[j] <= 0) {
      empty.push_back(j);
      continue;
    }
    const double* sum = s.sums.data() + static_cast<size_t>(j) * d;
    if (p.distance == KMeansDistance::kEuclidean) {
      for (int f = 0; f < d; ++f) c[f] = sum[f] / s.weight[j];
    } else {
      double norm = 0;
      for (int f = 0; f < d; ++f) norm += sum[f] * sum[f];
      if (norm > 0) {
        for (int f = 0; f < d; ++f) c[f] = sum[f] / std::sqrt(norm);
      }
    }
  }
  if (empty.empty()) return;
  std::vector<int64_t> order(best.size());
  std::iota(order.begin(), order.end(), 0);
  const size_t m = std::min(order.size(), empty.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<int64_t>(m), order.end(),
                    [&](int64_t a, int64_t b) { return best[a] > best[b] || (best[a] == best[b] && a < b); });
  for (size_t i = 0; i < m; ++i) {
    CopyRow(p, order[i], centroids->data() + static_cast<size_t>(empty[i]) * d);
  }
}

// Sum over rows of weight x min(closest, score against candidate t), per candidate.
std::vector<double> CandidatePotentials(const Points& p, const std::vector<double>& candidates,
                                        int trials, const std::vector<double>& closest,
                                        int threads) {
  const Blocks blocks = MakeBlocks(p.x->rows());
  std::vector<double> parts(static_cast<size_t>(blocks.count * trials), 0.0);
  ForEachBlock(blocks, threads, [&](int64_t b, int64_t begin, int64_t end) {
    ArrayXXd scores;
    for (int64_t r0 = begin; r0 < end; r0 += kChunk) {
      const int64_t len = std::min(kChunk, end - r0);
      Score(p, r0, len, candidates, trials, &scores);
      for (int t = 0; t < trials; ++t) {
        double sum = 0;
        for (int64_t i = 0; i < len; ++i) {
          sum += p.weight(r0 + i) * std::min(closest[r0 + i], std::max(scores(i, t), 0.0));
        }
        parts[b * trials + t] += sum;
      }
    }
  });
  std::vector<double> out(trials, 0.0);
  for (int64_t b = 0; b < blocks.count; ++b) {
    for (int t = 0; t < trials; ++t) out[t] += parts[b * trials + t];
  }
  return out;
}

// Lowers closest[r] to the score against `centroid` (1 x d).
void UpdateClosest(const Points& p, const std::vector<double>& centroid, int threads,
                   std::vector<double>* closest) {
  ParallelFor((p.x->rows() + kChunk - 1) / kChunk, threads, [&](int64_t lo, int64_t hi, int) {
    ArrayXXd scores;
    for (int64_t c = lo; c < hi; ++c) {
      const int64_t r0 = c * kChunk, len = std::min(kChunk, p.x->rows() - r0);
      Score(p, r0, len, centroid, 1, &scores);
      for (int64_t i = 0; i < len; ++i) {
        (*closest)[r0 + i] = std::min((*closest)[r0 + i], std::max(scores(i, 0), 0.0));
      }
    }
  });
}


// Greedy k-means++ (Arthur & Vassilvitskii; scikit-learn's variant): each new centroid is the
// best, by total potential, of 2 + ln(k) rows drawn with probability proportional to their
// score against the nearest centroid so far.
std::vector<double> KMeansPlusPlus(const Points& p, int k, std::mt19937_64& rng, int threads) {
  const int64_t n = p.x->rows();
  const int d = p.x->cols();
  std::vector<double> centroids(static_cast<size_t>(k) * d);
  // With cosine distance a zero row has no direction: it never seeds a centroid (unless
  // every row is zero).
  auto directionless = [&](int64_t r) {
    return p.distance == KMeansDistance::kCosine && p.inv_norm[r] == 0;
  };
  int64_t first_row = UniformIndex(rng, n);
  for (int64_t step = 0; step < n && directionless(first_row); ++step) first_row = (first_row + 1) % n;
  CopyRow(p, first_row, centroids.data());
  std::vector<double> closest(static_cast<size_t>(n), std::numeric_limits<double>::infinity());
  std::vector<double> first(centroids.begin(), centroids.begin() + d);
  auto update = [&](const std::vector<double>& centroid) {
    UpdateClosest(p, centroid, threads, &closest);
    for (int64_t r = 0; r < n; ++r) {
      if (directionless(r)) closest[r] = 0;
    }
  };
  update(first);
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  std::vector<double> cumulative(static_cast<size_t>(n));
  for (int c = 1; c < k; ++c) {
    double running = 0;
    for (int64_t r = 0; r < n; ++r) cumulative[r] = running += p.weight(r) * closest[r];
    std::vector<double> candidates(static_cast<size_t>(trials) * d);
    for (int t = 0; t < trials; ++t) {
      int64_t r;
      if (running > 0) {
        const double target = UniformUnit(rng) * running;
        r = std::lower_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin();
        r = std::min(r, n - 1);
      } else {
        r = UniformIndex(rng, n);  // every row is a centroid
      }
      CopyRow(p, r, candidates.data() + static_cast<size_t>(t) * d);
    }
    std::vector<double> potentials = CandidatePotentials(p, candidates, trials, closest, threads);
    const int pick = static_cast<int>(std::min_element(potentials.begin(), potentials.end()) -
                                      potentials.begin());
    std::vector<double> chosen(candidates.begin() + static_cast<int64_t>(pick) * d,
                               candidates.begin() + static_cast<int64_t>(pick + 1) * d);
    std::copy(chosen.begin(), chosen.end(), centroids.begin() + static_cast<int64_t>(c) * d);
    update(chosen);
  }
  return centroids;
}

// k distinct rows drawn uniformly.
std::vector<double> RandomRows(const Points& p, int k, std::mt19937_64& rng) {
  const int64_t n = p.x->rows();
  const int d = p.x->cols();
  std::vector<int64_t> rows;
  while (static_cast<int>(rows.size()) < k) {
    int64_t r = UniformIndex(rng, n);
    if (std::find(rows.begin(), rows.end(), r) == rows.end()) rows.push_back(r);
  }
  std::vector<double> centroids(static_cast<size_t>(k) * d);
  for (int j = 0; j < k; ++j) CopyRow(p, rows[j], centroids.data() + static_cast<size_t>(j) * d);
  return centroids;
}

Status CheckMatrix(const FeatureMatrix& x, std::string_view what) {
  for (int c = 0; c < x.cols(); ++c) {
    const double* col = x.column(c);
    for (int64_t r = 0; r < x.rows(); ++r) {
      if (!std::isfinite(col[r])) {
        return InvalidArgument(fmt::format(
            "{} row {}, feature {}: {} is not a finite number; k-means needs complete data "
            "(the preprocessor fills NULLs)",
            what, r + 1, c + 1, col[r]));
      }
    }
  }
  return Status::Ok();
}

Status CheckTrainingData(const TrainingData& data, std::string_view what) {
  if (data.features == nullptr || data.features->rows() == 0 || data.features->cols() == 0) {
    return InvalidArgument(fmt::format("the {} data has no rows or no feature columns", what));
  }
  const int64_t n = data.features->rows();
  if (!data.weights.empty()) {
    if (static_cast<int64_t>(data.weights.size()) != n) {
      return InvalidArgument(fmt::format("{} data: {} row weights for {} rows", what,
                                         data.weights.size(), n));
    }
    double total = 0;
    for (double w : data.weights) {
      if (!std::isfinite(w) || w < 0) {
        return InvalidArgument(fmt::format("{} data: row weight {} is not a finite number >= 0", what, w));
      }
      total += w;
    }
    if (total <= 0) return InvalidArgument(fmt::format("{} data: every row weight is 0", what));
  }
  return CheckMatrix(*data.features, what);
}

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

Status KMeansModel::Fit(const TrainingData& data, const FitContext& context) {
  STRATA_RETURN_IF_ERROR(CheckTrainingData(data, "training"));
  const OptionValues& o = context.options;
  const int64_t n = data.features->rows();
  int k;
  if (o.Has("num_clusters")) {
    k = static_cast<int>(o.GetInt("num_clusters"));
  } else {
    // BigQuery ML's default: log10 of the number of training rows (rounded, at least 2).
    k = static_cast<int>(std::clamp<double>(std::round(std::log10(static_cast<double>(n))), 2, 100));
  }
  if (k > n) {
    return InvalidArgument(fmt::format(
        "num_clusters = {} but the training data has {} rows; set num_clusters to at most {}", k,
        n, n));
  }
  const std::string init = o.GetString("kmeans_init_method");
  if (init == "CUSTOM") {
    return Unimplemented(
        "kmeans_init_method = 'CUSTOM' (starting centroids from kmeans_init_col) is not "
        "supported yet; use 'KMEANS++' (the default) or 'RANDOM'");
  }
  distance_ = o.GetString("distance_type") == "COSINE" ? KMeansDistance::kCosine
                                                       : KMeansDistance::kEuclidean;
  const int threads = ResolveThreads(context.threads);
  Points p = MakePoints(*data.features, data.weights, distance_, threads);
  std::mt19937_64 rng(context.seed);
  std::vector<double> initial =
      init == "RANDOM" ? RandomRows(p, k, rng) : KMeansPlusPlus(p, k, rng, threads);
  return Train(data, context, k, std::move(initial));
}

Status KMeansModel::FitFrom(const TrainingData& data, const FitContext& context,
                            const FeatureMatrix& initial) {
  STRATA_RETURN_IF_ERROR(CheckTrainingData(data, "training"));
  STRATA_RETURN_IF_ERROR(CheckMatrix(initial, "starting centroid"));
  if (initial.cols() != data.features->cols() || initial.rows() < 1 || initial.rows() > 100) {
    return InvalidArgument(fmt::format(
        "starting centroids: {} x {} given; expected 1 to 100 rows of {} features",
        initial.rows(), initial.cols(), data.features->cols()));
  }
  distance_ = context.options.GetString("distance_type") == "COSINE" ? KMeansDistance::kCosine
                                                                     : KMeansDistance::kEuclidean;
  const int k = static_cast<int>(initial.rows());
  const int d = initial.cols();
  std::vector<double> start(static_cast<size_t>(k) * d);
  for (int j = 0; j < k; ++j) {
    for (int f = 0; f < d; ++f) start[static_cast<size_t>(j) * d + f] = initial.at(j, f);
    if (distance_ == KMeansDistance::kCosine) NormalizeRow(start.data() + static_cast<size_t>(j) * d, d);
  }
  return Train(data, context, k, std::move(start));
}

Status KMeansModel::Train(const TrainingData& data, const FitContext& context, int k,
                          std::vector<double> centroids) {
  const OptionValues& o = context.options;
  const int threads = ResolveThreads(context.threads);
  const FeatureMatrix& x = *data.features;
  const int max_iterations = o.Has("max_iterations") ? static_cast<int>(o.GetInt("max_iterations")) : 20;
  const bool early_stop = o.Has("early_stop") ? o.GetBool("early_stop") : true;
  const double min_rel_progress = o.Has("min_rel_progress") ? o.GetDouble("min_rel_progress") : 0.01;

  std::optional<Points> eval;
  if (context.eval != nullptr) {
    STRATA_RETURN_IF_ERROR(CheckTrainingData(*context.eval, "evaluation"));
    if (context.eval->features->cols() != x.cols()) {
      return InvalidArgument("the evaluation data has a different number of features");
    }
    eval = MakePoints(*context.eval->features, context.eval->weights, distance_, threads);
  }
  Points p = MakePoints(x, data.weights, distance_, threads);
  std::vector<int> labels(static_cast<size_t>(x.rows()), -1);
  std::vector<double> best(static_cast<size_t>(x.rows()));
  PassSums sums = AssignPass(p, centroids, k, threads, &labels, &best);
  double previous = sums.MeanLoss();
  int iterations = 0;
  std::string stop_reason = "max_iterations reached";
  std::vector<int> eval_labels;
  std::vector<double> eval_best;
  if (eval) {
    eval_labels.assign(static_cast<size_t>(eval->x->rows()), -1);
    eval_best.resize(static_cast<size_t>(eval->x->rows()));
  }
  // Lloyd: new centroids from the last assignment, then a new assignment. Stops when no row
  // changes cluster (a fixed point, as scikit-learn's strict convergence), when the loss
  // improves by less than min_rel_progress (early_stop), or after max_iterations.
  for (int it = 0; it < max_iterations; ++it) {
    if (context.cancel != nullptr && context.cancel->load()) {
      return Cancelled(fmt::format("k-means cancelled after {} of {} iterations", it, max_iterations));
    }
    const auto start = std::chrono::steady_clock::now();
    UpdateCentroids(p, sums, best, k, &centroids);
    sums = AssignPass(p, centroids, k, threads, &labels, &best);
    iterations = it + 1;
    const double loss = sums.MeanLoss();
    if (context.log != nullptr) {
      IterationInfo info;
      info.iteration = it;
      info.loss = loss;
      info.eval_loss = eval ? AssignPass(*eval, centroids, k, threads, &eval_labels, &eval_best).MeanLoss()
                            : std::numeric_limits<double>::quiet_NaN();
      info.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
      context.log->push_back(info);
    }
    if (context.progress) context.progress({"training", iterations, max_iterations});
    if (sums.changed == 0) {
      stop_reason = "converged: no row changed cluster";
      break;
    }
    if (early_stop && previous - loss < min_rel_progress * previous) {
      stop_reason = fmt::format("loss improved by less than min_rel_progress = {}", min_rel_progress);
      break;
    }
    previous = loss;
  }

  k_ = k;
  d_ = x.cols();
  centroids_ = std::move(centroids);
  cluster_size_ = sums.weight;
  cluster_radius_.assign(k, 0.0);
  for (int j = 0; j < k; ++j) {
    if (sums.rows[j] > 0) cluster_radius_[j] = sums.distance[j] / sums.rows[j];
  }
  loss_ = sums.MeanLoss();
  iterations_ = iterations;
  stop_reason_ = stop_reason;
  return Status::Ok();
}

Status KMeansModel::Predict(const FeatureMatrix& features, ModelOutput* out) const {
  if (k_ == 0) return FailedPrecondition("the k-means model has not been trained or loaded");
  if (features.cols() != d_) {
    return InvalidArgument(fmt::format("the model was trained on {} features, got {}", d_,
                                       features.cols()));
  }
  STRATA_RETURN_IF_ERROR(CheckMatrix(features, "prediction"));
  *out = ModelOutput{};
  out->width = k_;
  const int64_t n = features.rows();
  out->cluster.assign(static_cast<size_t>(n), 0);
  out->distances.assign(static_cast<size_t>(n) * k_, 0.0);
  const int threads = ResolveThreads(0);
  Points p = MakePoints(features, {}, distance_, threads);
  ParallelFor((n + kChunk - 1) / kChunk, threads, [&](int64_t lo, int64_t hi, int) {
    ArrayXXd scores;
    for (int64_t c = lo; c < hi; ++c) {
      const int64_t r0 = c * kChunk, len = std::min(kChunk, n - r0);
      Score(p, r0, len, centroids_, k_, &scores);
      for (int64_t i = 0; i < len; ++i) {
        Eigen::Index j = 0;
        scores.row(i).minCoeff(&j);
        out->cluster[r0 + i] = static_cast<int>(j);
        for (int m = 0; m < k_; ++m) {
          out->distances[(r0 + i) * k_ + m] = DistanceOf(distance_, scores(i, m));
        }
      }
    }
  });
  return Status::Ok();
}

Result<std::string> KMeansModel::Save() const {
  if (k_ == 0) return FailedPrecondition("the k-means model has not been trained or loaded");
  nlohmann::json j = {{"num_clusters", k_},
                      {"num_features", d_},
                      {"distance_type", distance_ == KMeansDistance::kCosine ? "COSINE" : "EUCLIDEAN"},
                      {"centroids", centroids_},
                      {"cluster_size", cluster_size_},
                      {"cluster_radius", cluster_radius_},
                      {"mean_squared_distance", loss_},
                      {"iterations", iterations_},
                      {"stop_reason", stop_reason_}};
  std::string out(kMagic);
  out += j.dump();
  const uint64_t h = Fnv1a(out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((h >> (8 * i)) & 0xff));
  return out;
}

Status KMeansModel::Load(std::string_view bytes) {
  auto corrupt = [](std::string_view why) {
    return DataLoss(fmt::format("the k-means payload is corrupt or not a k-means model ({})", why));
  };
  if (bytes.size() < kMagic.size() + 8 || bytes.substr(0, kMagic.size()) != kMagic) {
    return corrupt("no STRKMS01 header");
  }
  uint64_t stored = 0;
  for (int i = 0; i < 8; ++i) {
    stored |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[bytes.size() - 8 + i])) << (8 * i);
  }
  if (stored != Fnv1a(bytes.substr(0, bytes.size() - 8))) return corrupt("checksum mismatch");
  nlohmann::json j = nlohmann::json::parse(bytes.substr(kMagic.size(), bytes.size() - kMagic.size() - 8),
                                           nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return corrupt("unreadable JSON");
  KMeansModel m;
  try {
    m.k_ = j.at("num_clusters").get<int>();
    m.d_ = j.at("num_features").get<int>();
    m.distance_ = j.at("distance_type").get<std::string>() == "COSINE" ? KMeansDistance::kCosine
                                                                       : KMeansDistance::kEuclidean;
    m.centroids_ = j.at("centroids").get<std::vector<double>>();
    m.cluster_size_ = j.at("cluster_size").get<std::vector<double>>();
    m.cluster_radius_ = j.at("cluster_radius").get<std::vector<double>>();
    m.loss_ = j.at("mean_squared_distance").get<double>();
    m.iterations_ = j.at("iterations").get<int>();
    m.stop_reason_ = j.at("stop_reason").get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    return corrupt(e.what());
  }
  if (m.k_ < 1 || m.d_ < 1 || m.centroids_.size() != static_cast<size_t>(m.k_) * m.d_ ||
      m.cluster_size_.size() != static_cast<size_t>(m.k_) ||
      m.cluster_radius_.size() != static_cast<size_t>(m.k_)) {
    return corrupt("sizes do not agree");
  }
  k_ = m.k_;
  d_ = m.d_;
  distance_ = m.distance_;
  centroids_ = std::move(m.centroids_);
  cluster_size_ = std::move(m.cluster_size_);
  cluster_radius_ = std::move(m.cluster_radius_);
  loss_ = m.loss_;
  iterations_ = m.iterations_;
  stop_reason_ = std::move(m.stop_reason_);
  return Status::Ok();
}

nlohmann::json KMeansModel::Describe(const std::vector<FeatureInfo>& features) const {
  nlohmann::json centroids = nlohmann::json::array();
  for (int j = 0; j < k_; ++j) {
    nlohmann::json values = nlohmann::json::array();
    for (int f = 0; f < d_; ++f) {
      nlohmann::json v = {{"feature", f < static_cast<int>(features.size()) ? features[f].name
                                                                              : fmt::format("f{}", f)},
                          {"value", centroids_[static_cast<size_t>(j) * d_ + f]}};
      if (f < static_cast<int>(features.size()) && features[f].kind == FeatureKind::kOneHot) {
        v["column"] = features[f].source_column;
        v["category"] = features[f].category;
      }
      values.push_back(std::move(v));
    }
    centroids.push_back({{"centroid_id", j + 1},
                         {"cluster_size", cluster_size_[j]},
                         {"cluster_radius", cluster_radius_[j]},
                         {"features", std::move(values)}});
  }
  return {{"num_clusters", k_},
          {"distance_type", distance_ == KMeansDistance::kCosine ? "COSINE" : "EUCLIDEAN"},
          {"iterations", iterations_},
          {"stop_reason", stop_reason_},
          {"mean_squared_distance", loss_},
          {"centroids", std::move(centroids)}};
}

void RegisterKMeansModel() {
  ModelType type;
  type.name = "KMEANS";
  type.task = Task::kClustering;
  // The trainer reads standardize_features and uses kOneHotOnly when it is FALSE.
  type.encoding = EncodingStyle::kStandardizeOneHot;
  type.summary = "k-means clustering (k-means++ initialisation, Lloyd iterations)";
  type.options = {
      OptionSpec::Int("num_clusters", std::nullopt,
                      "number of clusters; unset: log10(rows), rounded, at least 2")
          .Min(2).Max(100).Tuning(2, 10),
      OptionSpec::Enum("kmeans_init_method", {"RANDOM", "KMEANS++", "CUSTOM"}, "KMEANS++",
                       "starting centroids: k-means++ sampling, or random rows"),
      OptionSpec::Enum("distance_type", {"EUCLIDEAN", "COSINE"}, "EUCLIDEAN",
                       "distance between rows and centroids"),
      OptionSpec::Bool("standardize_features", true,
                       "standardise numeric features before clustering"),
      OptionSpec::Int("max_iterations", 20, "maximum number of Lloyd iterations").Min(1).Max(1000000),
      OptionSpec::Bool("early_stop", true,
                       "stop when an iteration improves the loss by less than min_rel_progress"),
      OptionSpec::Float("min_rel_progress", 0.01,
                        "relative loss improvement an iteration must make for training to go on")
          .Min(0),
  };
  type.create = [] { return std::make_unique<KMeansModel>(); };
  RegisterModelType(std::move(type));
}

}  // namespace strata
