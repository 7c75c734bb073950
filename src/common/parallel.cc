#include "common/parallel.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace strata {

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

void ParallelFor(int64_t n, int threads,
                 const std::function<void(int64_t begin, int64_t end, int worker)>& fn) {
  if (n <= 0) return;
  int64_t parts = std::clamp<int64_t>(threads, 1, n);
  int64_t step = n / parts, extra = n % parts;
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(parts - 1));
  int64_t begin = 0;
  int64_t first_end = 0;
  for (int64_t p = 0; p < parts; ++p) {
    int64_t end = begin + step + (p < extra ? 1 : 0);
    if (p == 0) {
      first_end = end;
    } else {
      pool.emplace_back(fn, begin, end, static_cast<int>(p));
    }
    begin = end;
  }
  fn(0, first_end, 0);
  for (std::thread& t : pool) t.join();
}

}  // namespace strata
