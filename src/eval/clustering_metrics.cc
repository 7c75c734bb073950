// EvaluateClustering: k-means' ML.EVALUATE columns. The Davies-Bouldin index follows
// scikit-learn's davies_bouldin_score step by step (including its "all distances are 0"
// rule), with the model's centroids in place of recomputed cluster means.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "strata/metrics.h"

namespace strata {
namespace {

double Distance(const double* a, const double* b, int dims) {
  double sum = 0;
  for (int j = 0; j < dims; ++j) sum += (a[j] - b[j]) * (a[j] - b[j]);
  return std::sqrt(sum);
}

// np.allclose(values, 0) with its default atol.
bool AllNearZero(const std::vector<double>& values) {
  return std::all_of(values.begin(), values.end(), [](double v) { return std::abs(v) <= 1e-8; });
}

}  // namespace

Result<ClusteringMetrics> EvaluateClustering(std::span<const double> points, int dims,
                                             std::span<const int> cluster,
                                             std::span<const double> centroids, int k) {
  if (dims < 1 || k < 1) {
    return InvalidArgument(fmt::format(
        "clustering evaluation needs at least 1 dimension and 1 cluster, got {} and {}", dims, k));
  }
  if (points.empty() || points.size() % dims != 0) {
    return InvalidArgument(fmt::format(
        "clustering evaluation: {} point values is not a positive multiple of {} dimensions",
        points.size(), dims));
  }
  const size_t n = points.size() / dims;
  if (cluster.size() != n) {
    return InvalidArgument(fmt::format("clustering evaluation: {} assignments for {} points",
                                       cluster.size(), n));
  }
  if (centroids.size() != static_cast<size_t>(k) * dims) {
    return InvalidArgument(fmt::format(
        "clustering evaluation: {} centroid values for {} clusters x {} dimensions",
        centroids.size(), k, dims));
  }
  for (size_t i = 0; i < points.size(); ++i) {
    if (!std::isfinite(points[i])) {
      return InvalidArgument(fmt::format(
          "clustering evaluation: point {} has a missing or infinite value in dimension {}",
          i / dims + 1, i % dims + 1));
    }
  }
  for (size_t i = 0; i < centroids.size(); ++i) {
    if (!std::isfinite(centroids[i])) {
      return InvalidArgument(fmt::format(
          "clustering evaluation: centroid {} has a missing or infinite value", i / dims));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (cluster[i] < 0 || cluster[i] >= k) {
      return InvalidArgument(fmt::format(
          "clustering evaluation: point {} is assigned to cluster {}, expected 0 to {}", i + 1,
          cluster[i], k - 1));
    }
  }

  std::vector<double> intra(k, 0.0);
  std::vector<int64_t> size(k, 0);
  double squared_sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const int c = cluster[i];
    double d = Distance(&points[i * dims], &centroids[static_cast<size_t>(c) * dims], dims);
    intra[c] += d;
    squared_sum += d * d;
    ++size[c];
  }
  ClusteringMetrics m;
  m.mean_squared_distance = squared_sum / static_cast<double>(n);

  std::vector<int> present;
  for (int c = 0; c < k; ++c) {
    if (size[c] > 0) present.push_back(c);
  }
  if (present.size() < 2) {
    // scikit-learn refuses to score a single cluster; the index is undefined.
    m.davies_bouldin_index = std::nan("");
    return m;
  }
  const size_t p = present.size();
  std::vector<double> mean_intra(p), between(p * p);
  for (size_t a = 0; a < p; ++a) mean_intra[a] = intra[present[a]] / size[present[a]];
  for (size_t a = 0; a < p; ++a) {
    for (size_t b = 0; b < p; ++b) {
      between[a * p + b] = Distance(&centroids[static_cast<size_t>(present[a]) * dims],
                                    &centroids[static_cast<size_t>(present[b]) * dims], dims);
    }
  }
  if (AllNearZero(mean_intra) || AllNearZero(between)) {
    m.davies_bouldin_index = 0;
    return m;
  }
  double sum = 0;
  for (size_t a = 0; a < p; ++a) {
    double worst = 0;
    for (size_t b = 0; b < p; ++b) {
      double d = between[a * p + b];
      // Coinciding centroids (and a cluster with itself) are at infinite distance for the
      // index, as scikit-learn sets them, so they contribute 0.
      if (d == 0) continue;
      worst = std::max(worst, (mean_intra[a] + mean_intra[b]) / d);
    }
    sum += worst;
  }
  m.davies_bouldin_index = sum / static_cast<double>(p);
  return m;
}

}  // namespace strata
