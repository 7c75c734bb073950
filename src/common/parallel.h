// Internal helpers for data-parallel loops. Strata parallelises big, even loops (parsing
// blocks of a file, scanning columns), so contiguous ranges on plain threads are enough.
#pragma once

#include <cstdint>
#include <functional>

namespace strata {

// The number of threads to use: `requested` if positive, else the hardware's (at least 1).
int ResolveThreads(int requested);

// Splits [0, n) into up to `threads` contiguous ranges and runs fn(begin, end, worker) on
// each, on the calling thread for the first range and new threads for the rest. Returns
// when all are done. Ranges are never empty; worker numbers are dense from 0.
void ParallelFor(int64_t n, int threads,
                 const std::function<void(int64_t begin, int64_t end, int worker)>& fn);

}  // namespace strata
