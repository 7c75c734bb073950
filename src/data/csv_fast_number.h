// Fast paths for the commonest values, shared by type inference and the column builder.
// Each accepts plain text only (no surrounding spaces, no '+', no leading zero), for which
// it gives exactly the answer of value_parser.h, and returns false for anything else, which
// must then go to the shared parser. Skipping the shared parser's trimming and checks (and
// the call into Convert) halves the conversion cost of a numeric file.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata {

inline bool ParsePlainInt64(const char* p, size_t n, int64_t* out) {
  size_t i = n > 0 && p[0] == '-' ? 1 : 0;
  size_t digits = n - i;
  // 18 digits always fit in int64; longer ones, "0..." and "-" take the careful path.
  if (digits == 0 || digits > 18 || (p[i] == '0' && digits > 1)) return false;
  uint64_t x = 0;
  for (; i < n; ++i) {
    auto d = static_cast<unsigned>(p[i] - '0');
    if (d > 9) return false;
    x = x * 10 + d;
  }
  *out = p[0] == '-' ? -static_cast<int64_t>(x) : static_cast<int64_t>(x);
  return true;
}

// Decimals with at most 15 significant digits (the benchmark's "%.6g" values and most
// measurements) are exact as integer / 10^k, and IEEE division rounds that correctly: the
// same double fast_float returns, in a third of its time.
inline bool ParsePlainDecimal(const char* p, size_t n, double* out) {
  static constexpr double kPow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  size_t i = n > 0 && p[0] == '-' ? 1 : 0;
  // "007.5" is not a number under the shared rules: leave it to them.
  if (i + 1 < n && p[i] == '0' && p[i + 1] >= '0' && p[i + 1] <= '9') return false;
  uint64_t mantissa = 0;
  size_t digits = 0, fraction = 0;
  for (; i < n && p[i] >= '0' && p[i] <= '9'; ++i, ++digits) {
    mantissa = mantissa * 10 + static_cast<unsigned>(p[i] - '0');
  }
  if (digits == 0) return false;
  if (i + 1 < n && p[i] == '.') {
    for (++i; i < n && p[i] >= '0' && p[i] <= '9'; ++i, ++digits, ++fraction) {
      mantissa = mantissa * 10 + static_cast<unsigned>(p[i] - '0');
    }
  }
  if (i != n || digits > 15) return false;
  double d = static_cast<double>(mantissa) / kPow10[fraction];
  *out = p[0] == '-' ? -d : d;
  return true;
}

}  // namespace strata
