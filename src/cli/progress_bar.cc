#include "cli/progress_bar.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/output.h"

namespace strata::cli {

namespace {
constexpr auto kQuietFor = std::chrono::milliseconds(400);  // short work shows no bar
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);
constexpr int kBarWidth = 30;
}  // namespace

ProgressBar::ProgressBar(bool enabled)
    : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { Finish(); }

ProgressCallback ProgressBar::Callback(std::string unit) {
  if (!enabled_) return nullptr;
  return [this, unit](const Progress& p) { Draw(p, unit); };
}

void ProgressBar::Draw(const Progress& p, const std::string& unit) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < kQuietFor || now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  std::string amount;
  if (unit == "bytes") {
    amount = p.total > 0 ? fmt::format("{} / {}", HumanBytes(static_cast<double>(p.done)),
                                       HumanBytes(static_cast<double>(p.total)))
                         : HumanBytes(static_cast<double>(p.done));
  } else {
    amount = p.total > 0 ? fmt::format("{} / {} {}", WithThousands(p.done),
                                       WithThousands(p.total), unit)
                         : fmt::format("{} {}", WithThousands(p.done), unit);
  }
  std::string line;
  if (p.total > 0) {
    double frac = std::min(1.0, static_cast<double>(p.done) / static_cast<double>(p.total));
    int filled = static_cast<int>(frac * kBarWidth);
    line = fmt::format("\r{:<10} [{}{}] {:3.0f}%  {}", p.stage, std::string(filled, '#'),
                       std::string(kBarWidth - filled, '.'), frac * 100, amount);
  } else {
    line = fmt::format("\r{:<10} {}", p.stage, amount);
  }
  std::fputs(fmt::format("{:<79}", line).c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!drawn_) return;
  std::fputs(fmt::format("\r{:<79}\r", "").c_str(), stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace strata::cli
