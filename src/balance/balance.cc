// Imbalanced data: downsampling, upsampling (duplication, SMOTE, SMOTE-NC) and class
// weights, in that order, on the training part only.
#include "strata/balance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "common/parallel.h"
#include "common/random.h"
#include "strata/suggest.h"

namespace strata {
namespace {

// The rows of each class, in row order.
std::vector<std::vector<int64_t>> RowsByClass(std::span<const double> labels, int k) {
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(k));
  for (size_t r = 0; r < labels.size(); ++r) rows[static_cast<size_t>(labels[r])].push_back(static_cast<int64_t>(r));
  return rows;
}

std::vector<double> WeightedShares(std::span<const double> labels, std::span<const double> weights,
                                   int k) {
  std::vector<double> shares(static_cast<size_t>(k), 0.0);
  double total = 0;
  for (size_t r = 0; r < labels.size(); ++r) {
    double w = weights.empty() ? 1.0 : weights[r];
    shares[static_cast<size_t>(labels[r])] += w;
    total += w;
  }
  if (total > 0) {
    for (double& s : shares) s /= total;
  }
  return shares;
}

// A nominal feature for SMOTE: the matrix columns it spans (one for a label-encoded
// category, the indicator group for one-hot).
struct FeatureGroups {
  std::vector<int> numeric;                // columns interpolated
  std::vector<std::vector<int>> nominal;   // column groups copied or voted
};

FeatureGroups GroupFeatures(const std::vector<FeatureInfo>& features, int cols) {
  FeatureGroups g;
  for (int c = 0; c < cols; ++c) {
    const FeatureInfo* f = c < static_cast<int>(features.size()) ? &features[c] : nullptr;
    if (f == nullptr || f->kind == FeatureKind::kNumeric) {
      g.numeric.push_back(c);
    } else if (f->kind == FeatureKind::kCategorical) {
      g.nominal.push_back({c});
    } else if (!g.nominal.empty() && c > 0 && features[c - 1].kind == FeatureKind::kOneHot &&
               features[c - 1].source_column == f->source_column) {
      g.nominal.back().push_back(c);
    } else {
      g.nominal.push_back({c});
    }
  }
  return g;
}

struct Neighbours {
  int k = 0;
  std::vector<int64_t> index;  // rows x k, positions within the class's row list
};

// The k nearest neighbours of every row of one class among the rows of the same class.
// Distance: Euclidean over numeric features; with `nominal_penalty` > 0 (SMOTE-NC) every
// nominal feature that differs adds penalty² (Chawla et al. 2002: the median of the numeric
// features' standard deviations). A missing numeric value adds the penalty too.
Neighbours NearestNeighbours(const FeatureMatrix& x, const std::vector<int64_t>& rows,
                             const FeatureGroups& groups, double nominal_penalty, int k,
                             int threads) {
  const auto n = static_cast<int64_t>(rows.size());
  Neighbours nb;
  nb.k = static_cast<int>(std::min<int64_t>(k, n - 1));
  nb.index.resize(static_cast<size_t>(n * nb.k));
  if (nb.k <= 0) return nb;
  // Copy the class's rows into a row-major block for cache-friendly distance loops.
  const auto dn = static_cast<int64_t>(groups.numeric.size());
  std::vector<double> num(static_cast<size_t>(n * dn));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < dn; ++j) num[i * dn + j] = x.at(rows[i], groups.numeric[j]);
  }
  const double penalty2 = nominal_penalty * nominal_penalty;
  auto nominal_differs = [&](int64_t a, int64_t b, const std::vector<int>& cols) {
    for (int c : cols) {
      double va = x.at(rows[a], c), vb = x.at(rows[b], c);
      if (!(va == vb) && !(std::isnan(va) && std::isnan(vb))) return true;
    }
    return false;
  };
  ParallelFor(n, threads, [&](int64_t begin, int64_t end, int) {
    std::vector<std::pair<double, int64_t>> dist(static_cast<size_t>(n - 1));
    for (int64_t i = begin; i < end; ++i) {
      size_t m = 0;
      for (int64_t j = 0; j < n; ++j) {
        if (j == i) continue;
        double d = 0;
        const double* a = &num[i * dn];
        const double* b = &num[j * dn];
        for (int64_t f = 0; f < dn; ++f) {
          double diff = a[f] - b[f];
          d += std::isnan(diff) ? penalty2 : diff * diff;
        }
        if (penalty2 > 0) {
          for (const auto& cols : groups.nominal) {
            if (nominal_differs(i, j, cols)) d += penalty2;
          }
        }
        dist[m++] = {d, j};
      }
      std::partial_sort(dist.begin(), dist.begin() + nb.k, dist.end());
      for (int t = 0; t < nb.k; ++t) nb.index[static_cast<size_t>(i * nb.k + t)] = dist[t].second;
    }
  });
  return nb;
}

// The median over numeric features of their standard deviation within `rows`.
double MedianNumericStd(const FeatureMatrix& x, const std::vector<int64_t>& rows,
                        const std::vector<int>& numeric) {
  std::vector<double> stds;
  for (int c : numeric) {
    double sum = 0, sum2 = 0;
    int64_t count = 0;
    for (int64_t r : rows) {
      double v = x.at(r, c);
      if (std::isnan(v)) continue;
      sum += v;
      sum2 += v * v;
      ++count;
    }
    if (count < 2) continue;
    double mean = sum / count;
    stds.push_back(std::sqrt(std::max(0.0, sum2 / count - mean * mean)));
  }
  if (stds.empty()) return 1.0;
  std::nth_element(stds.begin(), stds.begin() + stds.size() / 2, stds.end());
  return stds[stds.size() / 2];
}

// The working set: rows of the original matrix (by index) plus synthetic rows.
struct Working {
  std::vector<int64_t> source;  // original row, or -1 for synthetic (see `synthetic`)
  std::vector<double> labels, weights;
  FeatureMatrix synthetic;      // the synthetic rows, in order of appearance
};

std::string ClassName(const std::vector<std::string>& class_labels, size_t c) {
  return c < class_labels.size() ? class_labels[c] : std::to_string(c);
}

std::string_view UpsampleName(UpsampleMethod m) {
  switch (m) {
    case UpsampleMethod::kDuplicate: return "duplication";
    case UpsampleMethod::kSmote: return "SMOTE";
    case UpsampleMethod::kSmoteNc: return "SMOTE-NC";
    case UpsampleMethod::kNone: break;
  }
  return "none";
}

}  // namespace

Result<BalancedData> Rebalance(const FeatureMatrix& x, std::span<const double> labels,
                               std::span<const double> weights, int num_classes,
                               const std::vector<std::string>& class_labels,
                               const std::vector<FeatureInfo>& features,
                               const BalanceSpec& spec, uint64_t seed) {
  const int64_t n = x.rows();
  if (static_cast<int64_t>(labels.size()) != n || (!weights.empty() && static_cast<int64_t>(weights.size()) != n)) {
    return InvalidArgument("Rebalance: labels and weights must have one entry per row");
  }
  if (spec.downsample_ratio && !(*spec.downsample_ratio >= 1.0)) {
    return InvalidArgument(fmt::format("option downsample_ratio = {} is out of range: expected a "
                                       "number >= 1 (majority rows kept per minority row)",
                                       *spec.downsample_ratio));
  }
  if (spec.upsample != UpsampleMethod::kNone && !(spec.upsample_ratio > 0 && spec.upsample_ratio <= 1)) {
    return InvalidArgument(fmt::format("option upsample_ratio = {} is out of range: expected a "
                                       "number in (0, 1] (minority size as a share of the majority)",
                                       spec.upsample_ratio));
  }
  if (spec.smote_k_neighbors < 1) {
    return InvalidArgument(fmt::format("option smote_k_neighbors = {} is out of range: expected an "
                                       "integer >= 1",
                                       spec.smote_k_neighbors));
  }
  const size_t k = static_cast<size_t>(num_classes);
  for (double y : labels) {
    if (!(y >= 0 && y < num_classes)) return InvalidArgument("Rebalance: a label is not a class index");
  }

  BalancedData out;
  out.prior_before = WeightedShares(labels, weights, num_classes);
  std::mt19937_64 rng(seed ^ 0x5eedba1a9ceULL);

  Working w;
  w.source.resize(static_cast<size_t>(n));
  std::iota(w.source.begin(), w.source.end(), 0);
  w.labels.assign(labels.begin(), labels.end());
  w.weights = weights.empty() ? std::vector<double>(static_cast<size_t>(n), 1.0)
                              : std::vector<double>(weights.begin(), weights.end());

  auto class_sizes = [&] {
    std::vector<int64_t> sizes(k, 0);
    for (double y : w.labels) ++sizes[static_cast<size_t>(y)];
    return sizes;
  };

  // 1. Downsample every class above ratio * minority (classes present only).
  if (spec.downsample_ratio) {
    std::vector<int64_t> sizes = class_sizes();
    int64_t minority = std::numeric_limits<int64_t>::max();
    for (int64_t s : sizes) {
      if (s > 0) minority = std::min(minority, s);
    }
    auto target = static_cast<int64_t>(std::ceil(*spec.downsample_ratio * static_cast<double>(minority)));
    std::vector<std::vector<int64_t>> by_class = RowsByClass(w.labels, num_classes);
    std::vector<char> keep(w.source.size(), 1);
    for (size_t c = 0; c < k; ++c) {
      auto& rows = by_class[c];
      auto size = static_cast<int64_t>(rows.size());
      if (size <= target) continue;
      // Partial Fisher-Yates: the first `target` positions are a uniform sample.
      for (int64_t i = 0; i < target; ++i) std::swap(rows[i], rows[i + UniformIndex(rng, size - i)]);
      for (int64_t i = target; i < size; ++i) keep[rows[i]] = 0;
      double factor = static_cast<double>(size) / static_cast<double>(target);
      if (spec.downsample_upweight) {
        for (int64_t i = 0; i < target; ++i) w.weights[rows[i]] *= factor;
      }
      out.notes.push_back(fmt::format(
          "downsampled class '{}' from {} to {} rows{}", ClassName(class_labels, c), size, target,
          spec.downsample_upweight ? fmt::format(" (kept rows weighted x{:.3g})", factor) : ""));
    }
    Working kept;
    for (size_t i = 0; i < w.source.size(); ++i) {
      if (!keep[i]) continue;
      kept.source.push_back(w.source[i]);
      kept.labels.push_back(w.labels[i]);
      kept.weights.push_back(w.weights[i]);
    }
    w = std::move(kept);
  }

  // 2. Upsample every class below ratio * majority.
  if (spec.upsample != UpsampleMethod::kNone) {
    std::vector<int64_t> sizes = class_sizes();
    int64_t majority = *std::max_element(sizes.begin(), sizes.end());
    auto target = static_cast<int64_t>(std::ceil(spec.upsample_ratio * static_cast<double>(majority)));
    std::vector<std::vector<int64_t>> by_class = RowsByClass(w.labels, num_classes);
    FeatureGroups groups = GroupFeatures(features, x.cols());
    std::vector<std::vector<double>> synthetic_rows;  // row-major, appended after
    for (size_t c = 0; c < k; ++c) {
      const auto& members = by_class[c];  // positions in w
      auto size = static_cast<int64_t>(members.size());
      if (size == 0 || size >= target) continue;
      int64_t add = target - size;
      // Mean weight of the class, so new rows weigh like the ones they come from.
      double class_weight = 0;
      for (int64_t p : members) class_weight += w.weights[p];
      class_weight /= static_cast<double>(size);
      UpsampleMethod method = spec.upsample;
      if (method != UpsampleMethod::kDuplicate && size < 2) {
        out.notes.push_back(fmt::format("class '{}' has one training row: upsampled by duplication",
                                        ClassName(class_labels, c)));
        method = UpsampleMethod::kDuplicate;
      }
      if (method == UpsampleMethod::kDuplicate) {
        for (int64_t i = 0; i < add; ++i) {
          int64_t p = members[UniformIndex(rng, size)];
          w.source.push_back(w.source[p]);
          w.labels.push_back(static_cast<double>(c));
          w.weights.push_back(w.weights[p]);
        }
      } else {
        std::vector<int64_t> original(static_cast<size_t>(size));
        for (int64_t i = 0; i < size; ++i) original[i] = w.source[members[i]];
        const bool nc = method == UpsampleMethod::kSmoteNc;
        double penalty = nc ? MedianNumericStd(x, original, groups.numeric) : 0.0;
        Neighbours nb = NearestNeighbours(x, original, groups, penalty, spec.smote_k_neighbors,
                                          ResolveThreads(0));
        for (int64_t i = 0; i < add; ++i) {
          int64_t a = UniformIndex(rng, size);
          int64_t b = nb.index[static_cast<size_t>(a * nb.k + UniformIndex(rng, nb.k))];
          double gap = UniformUnit(rng);
          std::vector<double> row(static_cast<size_t>(x.cols()));
          for (int col : groups.numeric) {
            double va = x.at(original[a], col), vb = x.at(original[b], col);
            row[col] = std::isnan(va) || std::isnan(vb) ? va : va + gap * (vb - va);
          }
          for (const auto& cols : groups.nominal) {
            int64_t from = a;  // SMOTE: the nominal values of the sample itself
            if (nc) {
              // SMOTE-NC: the most frequent value among the k neighbours (ties: nearest).
              int best_count = 0;
              for (int t = 0; t < nb.k; ++t) {
                int64_t cand = nb.index[static_cast<size_t>(a * nb.k + t)];
                int count = 0;
                for (int u = 0; u < nb.k; ++u) {
                  int64_t other = nb.index[static_cast<size_t>(a * nb.k + u)];
                  bool same = true;
                  for (int col : cols) {
                    double v1 = x.at(original[cand], col), v2 = x.at(original[other], col);
                    if (!(v1 == v2) && !(std::isnan(v1) && std::isnan(v2))) same = false;
                  }
                  count += same ? 1 : 0;
                }
                if (count > best_count) {
                  best_count = count;
                  from = cand;
                }
              }
            }
            for (int col : cols) row[col] = x.at(original[from], col);
          }
          synthetic_rows.push_back(std::move(row));
          w.source.push_back(-1);
          w.labels.push_back(static_cast<double>(c));
          w.weights.push_back(class_weight);
        }
      }
      out.notes.push_back(fmt::format("upsampled class '{}' from {} to {} rows by {}",
                                      ClassName(class_labels, c), size, target, UpsampleName(method)));
    }
    if (!synthetic_rows.empty()) {
      w.synthetic = FeatureMatrix(static_cast<int64_t>(synthetic_rows.size()), x.cols());
      for (size_t i = 0; i < synthetic_rows.size(); ++i) {
        for (int c = 0; c < x.cols(); ++c) w.synthetic.at(static_cast<int64_t>(i), c) = synthetic_rows[i][c];
      }
    }
  }

  // 3. Class weights: balanced (n / (k * n_c), on the resampled weights) or explicit.
  if (spec.auto_class_weights || !spec.class_weights.empty()) {
    std::vector<double> factor(k, 1.0);
    if (spec.auto_class_weights) {
      std::vector<double> mass(k, 0.0);
      double total = 0;
      int present = 0;
      for (size_t i = 0; i < w.labels.size(); ++i) {
        mass[static_cast<size_t>(w.labels[i])] += w.weights[i];
        total += w.weights[i];
      }
      for (double m : mass) present += m > 0 ? 1 : 0;
      for (size_t c = 0; c < k; ++c) {
        if (mass[c] > 0) factor[c] = total / (present * mass[c]);
      }
    }
    for (const auto& [label, weight] : spec.class_weights) {
      auto it = std::find(class_labels.begin(), class_labels.end(), label);
      if (it == class_labels.end()) {
        return InvalidArgument(fmt::format("class_weights names label '{}', which is not a class "
                                           "of the training data.{}",
                                           label, DidYouMean(label, class_labels)));
      }
      if (!(weight > 0) || !std::isfinite(weight)) {
        return InvalidArgument(fmt::format("class_weights['{}'] = {} is out of range: expected a "
                                           "finite number > 0",
                                           label, weight));
      }
      factor[static_cast<size_t>(it - class_labels.begin())] *= weight;
    }
    for (size_t i = 0; i < w.labels.size(); ++i) w.weights[i] *= factor[static_cast<size_t>(w.labels[i])];
    std::string listed;
    for (size_t c = 0; c < k; ++c) {
      listed += fmt::format("{}'{}' x{:.3g}", c ? ", " : "", ClassName(class_labels, c), factor[c]);
    }
    out.notes.push_back(fmt::format("class weights {}: {}",
                                    spec.auto_class_weights ? "(auto_class_weights)" : "(explicit)",
                                    listed));
  }

  // Materialise: original rows in working order, synthetic rows from their own matrix.
  const auto rows_out = static_cast<int64_t>(w.source.size());
  out.features = FeatureMatrix(rows_out, x.cols());
  int64_t next_synthetic = 0;
  for (int64_t i = 0; i < rows_out; ++i) {
    if (w.source[i] >= 0) {
      for (int c = 0; c < x.cols(); ++c) out.features.at(i, c) = x.at(w.source[i], c);
    } else {
      for (int c = 0; c < x.cols(); ++c) out.features.at(i, c) = w.synthetic.at(next_synthetic, c);
      ++next_synthetic;
    }
  }
  out.labels = std::move(w.labels);
  out.weights = std::move(w.weights);
  out.source_row = std::move(w.source);
  out.prior_after = WeightedShares(out.labels, out.weights, num_classes);
  return out;
}

std::vector<double> PriorCorrection(const BalancedData& data) {
  std::vector<double> correction(data.prior_before.size(), 1.0);
  for (size_t c = 0; c < correction.size(); ++c) {
    if (c < data.prior_after.size() && data.prior_after[c] > 0) {
      correction[c] = data.prior_before[c] / data.prior_after[c];
    }
  }
  return correction;
}

void CorrectProbabilities(std::span<const double> correction, int k,
                          std::vector<double>* probabilities) {
  if (correction.empty() || k <= 0) return;
  const size_t rows = probabilities->size() / static_cast<size_t>(k);
  for (size_t r = 0; r < rows; ++r) {
    double* p = probabilities->data() + r * static_cast<size_t>(k);
    double sum = 0;
    for (int c = 0; c < k; ++c) {
      p[c] *= correction[static_cast<size_t>(c)];
      sum += p[c];
    }
    if (sum > 0) {
      for (int c = 0; c < k; ++c) p[c] /= sum;
    }
  }
}

}  // namespace strata
