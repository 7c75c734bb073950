// Progress reporting for long work (reading files, importing, training).
//
// Library functions take an optional ProgressCallback and call it now and then; the CLI
// draws a bar on stderr, the server streams it to jobs. Callbacks must be cheap and
// thread-safe: readers may call them from worker threads.
//
//   options.progress = [](const strata::Progress& p) { Draw(p.stage, p.done, p.total); };
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>

namespace strata {

struct Progress {
  std::string_view stage;  // what is being done, e.g. "reading", "importing"
  int64_t done = 0;        // units done so far (bytes or rows)
  int64_t total = 0;       // total units, or 0 when unknown
  // Training only: the last iteration's loss on the training and on the evaluation data
  // (NaN when unknown), so that a job can report the best so far.
  double loss = std::numeric_limits<double>::quiet_NaN();
  double eval_loss = std::numeric_limits<double>::quiet_NaN();
};

using ProgressCallback = std::function<void(const Progress&)>;

}  // namespace strata
