// Data compiled into the binary, so `strata quickstart` works from any directory.
#pragma once

#include <string_view>

namespace strata::cli {

// examples/data/churn.csv (modeldata's mlc_churn, MIT; see examples/data/README.md).
std::string_view BundledChurnCsv();

}  // namespace strata::cli
