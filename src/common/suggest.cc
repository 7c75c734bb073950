#include "strata/suggest.h"

#include <algorithm>
#include <cctype>

namespace strata {
namespace {

// Levenshtein distance over ASCII-lowered bytes; names are short, so O(n*m) is fine.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates) {
  size_t best = SIZE_MAX;
  std::string best_name;
  for (const std::string& candidate : candidates) {
    size_t d = EditDistance(name, candidate);
    if (d < best) {
      best = d;
      best_name = candidate;
    }
  }
  size_t limit = std::max<size_t>(2, name.size() / 3);
  return best <= limit ? best_name : std::string();
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  std::string closest = ClosestName(name, candidates);
  if (closest.empty()) return {};
  return " Did you mean '" + closest + "'?";
}

}  // namespace strata
