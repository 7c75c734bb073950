// Seeded random draws that give the same sequence on every platform and standard library:
// std::mt19937_64's output is fixed by the C++ standard, but std::uniform_*_distribution and
// std::shuffle are not, so splits, sampling and initialisation use these instead.
#pragma once

#include <cstdint>
#include <random>

namespace strata {

// A uniform integer in [0, n), n > 0 (modulo bias is below 2^-40 for any table size).
inline int64_t UniformIndex(std::mt19937_64& rng, int64_t n) {
  return static_cast<int64_t>(rng() % static_cast<uint64_t>(n));
}

// A uniform double in [0, 1) from 53 random bits.
inline double UniformUnit(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace strata
