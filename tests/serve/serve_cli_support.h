// Running the real `strata serve` binary in tests (support/child_process.h): the port it
// printed.
#pragma once

#include <regex>
#include <string>

#include "support/child_process.h"

namespace strata::testing {

// The port of a `strata serve --port 0` child, from its "serving ... at URL" line; -1 if none.
inline int ServedPort(Child& child) {
  if (!child.WaitForStderr("stop with Ctrl-C")) return -1;
  std::smatch match;
  std::string err = child.err();
  if (!std::regex_search(err, match, std::regex("http://127\\.0\\.0\\.1:(\\d+)"))) return -1;
  return std::stoi(match[1]);
}

}  // namespace strata::testing
