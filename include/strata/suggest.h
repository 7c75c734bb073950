// "Did you mean …?" suggestions for misspelt names (columns, tables, options, model types).
//
//   strata::ClosestName("lable", {"label", "age"});  // "label"
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata {

// The candidate closest to `name` by case-insensitive edit distance, or "" when none is
// close enough to be a plausible typo (distance above a third of the name's length, min 2).
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);

// " Did you mean 'x'?" when ClosestName finds one, else "".
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace strata
