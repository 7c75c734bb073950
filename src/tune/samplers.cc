// Samplers (include/strata/tune.h): quasi-random (shifted Halton), grid, and TPE. Every
// dimension is [0, 1); SearchParam::Decode turns a coordinate into an option value.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "strata/tune.h"

namespace strata {
namespace {

constexpr int kPrimes[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                           43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};

// The radical inverse of `index` in base `base` (the Halton sequence's coordinate).
double RadicalInverse(uint64_t index, int base) {
  double result = 0, f = 1.0 / base;
  while (index > 0) {
    result += f * static_cast<double>(index % static_cast<uint64_t>(base));
    index /= static_cast<uint64_t>(base);
    f /= base;
  }
  return result;
}

// Halton points shifted by a seeded random vector modulo 1 (Cranley-Patterson rotation):
// the shift keeps the low discrepancy and makes different seeds give different points.
// Dimensions past the 25th prime fall back to plain seeded uniform draws.
class QuasiRandomSampler : public Sampler {
 public:
  QuasiRandomSampler(size_t dims, uint64_t seed) : rng_(seed) {
    std::uniform_real_distribution<double> u(0, 1);
    for (size_t d = 0; d < dims; ++d) shift_.push_back(u(rng_));
  }

  std::optional<std::vector<double>> Suggest(const std::vector<Observation>&) override {
    ++index_;  // Halton's index 0 is the origin: start at 1
    std::vector<double> p(shift_.size());
    std::uniform_real_distribution<double> u(0, 1);
    for (size_t d = 0; d < p.size(); ++d) {
      double x = d < std::size(kPrimes) ? RadicalInverse(index_, kPrimes[d]) : u(rng_);
      p[d] = std::fmod(x + shift_[d], 1.0);
    }
    return p;
  }

 private:
  std::mt19937_64 rng_;
  std::vector<double> shift_;
  uint64_t index_ = 0;
};

class GridSampler : public Sampler {
 public:
  GridSampler(const SearchSpace& space, uint64_t seed) {
    for (const SearchParam& p : space.params) axes_.push_back(p.GridPoints());
    size_t total = 1;
    for (const auto& a : axes_) total *= a.size();
    order_.resize(total);
    std::iota(order_.begin(), order_.end(), size_t{0});
    // Shuffled, so NUM_TRIALS below the grid's size still spreads over it.
    std::mt19937_64 rng(seed);
    std::shuffle(order_.begin(), order_.end(), rng);
  }

  std::optional<std::vector<double>> Suggest(const std::vector<Observation>&) override {
    if (next_ >= order_.size()) return std::nullopt;
    size_t code = order_[next_++];
    std::vector<double> p(axes_.size());
    for (size_t d = 0; d < axes_.size(); ++d) {
      p[d] = axes_[d][code % axes_[d].size()];
      code /= axes_[d].size();
    }
    return p;
  }

 private:
  std::vector<std::vector<double>> axes_;
  std::vector<size_t> order_;
  size_t next_ = 0;
};

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// A Parzen estimator of one numeric dimension on [0, 1]: a Gaussian kernel at each
// observation, truncated to [0, 1], plus a uniform prior counted as one more observation.
// Each kernel's width is the larger gap to its neighbours (the bounds count as neighbours),
// clipped to [1 / min(100, n + 1), 1]: hyperopt's rule. Few points give wide kernels that
// still explore; many close points give narrow ones.
class Parzen {
 public:
  explicit Parzen(std::vector<double> points) : mu_(std::move(points)) {
    std::vector<size_t> order(mu_.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return mu_[a] < mu_[b]; });
    sigma_.assign(mu_.size(), 1.0);
    const double floor = 1.0 / std::min(100.0, static_cast<double>(mu_.size()) + 1);
    for (size_t r = 0; r < order.size(); ++r) {
      const double x = mu_[order[r]];
      const double left = r == 0 ? x : x - mu_[order[r - 1]];
      const double right = r + 1 == order.size() ? 1 - x : mu_[order[r + 1]] - x;
      sigma_[order[r]] = std::clamp(std::max(left, right), floor, 1.0);
    }
  }

  double Sample(std::mt19937_64& rng) const {
    std::uniform_int_distribution<size_t> pick(0, mu_.size());
    size_t i = pick(rng);
    if (i == mu_.size()) return std::uniform_real_distribution<double>(0, 1)(rng);
    std::normal_distribution<double> normal(mu_[i], sigma_[i]);
    for (int tries = 0; tries < 16; ++tries) {
      double x = normal(rng);
      if (x >= 0 && x <= 1) return x;
    }
    return std::clamp(normal(rng), 0.0, 1.0);
  }

  double LogDensity(double x) const {
    double density = 1.0;  // the uniform prior
    for (size_t i = 0; i < mu_.size(); ++i) {
      const double m = mu_[i], s = sigma_[i];
      double z = NormalCdf((1 - m) / s) - NormalCdf((0 - m) / s);
      double d = (x - m) / s;
      density += std::exp(-0.5 * d * d) / (s * std::sqrt(2 * M_PI) * std::max(z, 1e-12));
    }
    return std::log(density / static_cast<double>(mu_.size() + 1));
  }

 private:
  std::vector<double> mu_;
  std::vector<double> sigma_;
};

// Smoothed category frequencies (one pseudo-count per category).
std::vector<double> CategoryWeights(const std::vector<size_t>& picks, size_t k) {
  std::vector<double> w(k, 1.0);
  for (size_t c : picks) w[c] += 1;
  double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& x : w) x /= total;
  return w;
}

class TpeSampler : public Sampler {
 public:
  TpeSampler(const SearchSpace& space, uint64_t seed, int startup, int candidates, double gamma)
      : params_(space.params),
        startup_(std::max(1, startup)),
        candidates_(std::max(1, candidates)),
        gamma_(gamma),
        startup_sampler_(space.params.size(), seed),
        rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

  std::optional<std::vector<double>> Suggest(const std::vector<Observation>& history) override {
    if (history.size() < static_cast<size_t>(startup_)) return startup_sampler_.Suggest(history);
    // Good: the best ceil(gamma * n) observations; bad: the rest.
    std::vector<size_t> order(history.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return history[a].score > history[b].score; });
    const auto n_good = static_cast<size_t>(
        std::clamp<double>(std::ceil(gamma_ * static_cast<double>(history.size())), 1,
                           static_cast<double>(history.size()) - 1));
    std::vector<std::vector<double>> draws(static_cast<size_t>(candidates_),
                                           std::vector<double>(params_.size()));
    std::vector<double> score(draws.size(), 0.0);
    for (size_t d = 0; d < params_.size(); ++d) {
      std::vector<double> good, bad;
      for (size_t r = 0; r < order.size(); ++r) {
        (r < n_good ? good : bad).push_back(history[order[r]].point[d]);
      }
      if (params_[d].kind == ParamKind::kCategorical) {
        const size_t k = params_[d].candidates.size();
        auto index = [k](double u) {
          return std::min(k - 1, static_cast<size_t>(u * static_cast<double>(k)));
        };
        std::vector<size_t> gi, bi;
        for (double u : good) gi.push_back(index(u));
        for (double u : bad) bi.push_back(index(u));
        std::vector<double> lw = CategoryWeights(gi, k), gw = CategoryWeights(bi, k);
        std::discrete_distribution<size_t> pick(lw.begin(), lw.end());
        for (size_t c = 0; c < draws.size(); ++c) {
          size_t i = pick(rng_);
          draws[c][d] = (static_cast<double>(i) + 0.5) / static_cast<double>(k);
          score[c] += std::log(lw[i]) - std::log(gw[i]);
        }
      } else {
        Parzen l(good), g(bad);
        for (size_t c = 0; c < draws.size(); ++c) {
          double x = l.Sample(rng_);
          draws[c][d] = x;
          score[c] += l.LogDensity(x) - g.LogDensity(x);
        }
      }
    }
    size_t pick = static_cast<size_t>(std::max_element(score.begin(), score.end()) - score.begin());
    return draws[pick];
  }

 private:
  std::vector<SearchParam> params_;
  int startup_, candidates_;
  double gamma_;
  QuasiRandomSampler startup_sampler_;
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<Sampler> MakeQuasiRandomSampler(const SearchSpace& space, uint64_t seed) {
  return std::make_unique<QuasiRandomSampler>(space.params.size(), seed);
}

std::unique_ptr<Sampler> MakeGridSampler(const SearchSpace& space, uint64_t seed) {
  return std::make_unique<GridSampler>(space, seed);
}

std::unique_ptr<Sampler> MakeTpeSampler(const SearchSpace& space, uint64_t seed, int startup_trials,
                                        int candidates, double gamma) {
  return std::make_unique<TpeSampler>(space, seed, startup_trials, candidates, gamma);
}

}  // namespace strata
