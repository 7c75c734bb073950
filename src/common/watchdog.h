// Watchdog: one cancel flag for work that must stop at a deadline or when its caller
// cancels (Ctrl-C, a stopping server). Long work (training, SQLite queries) polls one flag;
// this thread folds the clock and the caller's flag into it, checking every 20 ms.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace strata {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;

  // Sets flag() once `deadline` passes or `user_cancel` (may be null) reads true.
  Watchdog(Clock::time_point deadline, const std::atomic<bool>* user_cancel)
      : deadline_(deadline), user_cancel_(user_cancel), thread_([this] { Run(); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  const std::atomic<bool>* flag() const { return &stop_; }
  bool user_cancelled() const { return user_cancel_ != nullptr && user_cancel_->load(); }
  bool deadline_passed() const { return Clock::now() >= deadline_; }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!done_) {
      if (deadline_passed() || user_cancelled()) {
        stop_ = true;
        return;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }
  Clock::time_point deadline_;
  const std::atomic<bool>* user_cancel_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;  // last: it starts once the members above are ready
};

}  // namespace strata
