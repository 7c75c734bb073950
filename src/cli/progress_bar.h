// A progress bar on stderr for long work, driven by the library's ProgressCallback. It draws
// only on a terminal, only after the work has run for a moment (quick commands stay quiet),
// and at most ten times a second; it is thread-safe because readers report from workers.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "strata/progress.h"

namespace strata::cli {

class ProgressBar {
 public:
  // `enabled` false (e.g. --quiet or stderr not a TTY) makes every call a no-op.
  explicit ProgressBar(bool enabled);
  ~ProgressBar();

  // A callback to hand to library functions; `unit` "bytes" or "rows" picks the labels.
  ProgressCallback Callback(std::string unit);
  // Erases the bar (call before printing results).
  void Finish();

 private:
  void Draw(const Progress& p, const std::string& unit);

  bool enabled_;
  bool drawn_ = false;
  std::mutex mu_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace strata::cli
