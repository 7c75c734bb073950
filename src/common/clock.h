// Wall-clock time in the one format Strata stores and shows.
#pragma once

#include <string>

namespace strata {

// The current time in UTC as "YYYY-MM-DD HH:MM:SS" (catalog, registry and lineage times).
std::string NowUtc();

}  // namespace strata
