// ASHA's promotion rule (include/strata/tune.h; Li et al., "A System for Massively Parallel
// Hyperparameter Tuning", MLSys 2020, Algorithm 2).
#include <algorithm>
#include <cmath>

#include "strata/tune.h"

namespace strata {

SuccessiveHalving::SuccessiveHalving(int64_t max_resource, int eta, int64_t min_resource)
    : eta_(std::max(2, eta)) {
  max_resource = std::max<int64_t>(1, max_resource);
  min_resource = std::clamp<int64_t>(min_resource, 1, max_resource);
  // Rungs from the top down: max, max/eta, ... while at least min_resource.
  std::vector<int64_t> down;
  for (double r = static_cast<double>(max_resource); std::llround(r) >= min_resource; r /= eta_) {
    int64_t v = std::llround(r);
    if (!down.empty() && v == down.back()) break;
    down.push_back(v);
  }
  resources_.assign(down.rbegin(), down.rend());
  results_.resize(resources_.size());
  promoted_.resize(resources_.size());
}

void SuccessiveHalving::Report(int id, int rung, double score) {
  if (rung < 0 || rung >= rungs()) return;
  results_[static_cast<size_t>(rung)].push_back({score, id});
}

std::optional<std::pair<int, int>> SuccessiveHalving::NextPromotion() {
  for (int k = rungs() - 2; k >= 0; --k) {
    auto ranked = results_[static_cast<size_t>(k)];
    // Best first; ties go to the earlier trial so the choice is deterministic.
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    const size_t top = ranked.size() / static_cast<size_t>(eta_);
    auto& done = promoted_[static_cast<size_t>(k)];
    for (size_t i = 0; i < top; ++i) {
      const int id = ranked[i].second;
      if (std::find(done.begin(), done.end(), id) == done.end()) {
        done.push_back(id);
        return std::make_pair(id, k + 1);
      }
    }
  }
  return std::nullopt;
}

}  // namespace strata
