#include "data/csv_scanner.h"

#include <algorithm>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/parallel.h"

namespace strata {

char* CsvArena::Allocate(size_t n) {
  if (n > capacity_ - used_) {
    // Chunks are never moved, so earlier values stay valid; most rows need none at all.
    size_t size = std::max<size_t>(n, size_t{64} << 10);
    chunks_.emplace_back(new char[size]);
    used_ = 0;
    capacity_ = size;
  }
  char* p = chunks_.back().get() + used_;
  used_ += n;
  return p;
}

void CsvArena::Reset() {
  if (chunks_.size() > 1) {
    std::unique_ptr<char[]> last = std::move(chunks_.back());
    chunks_.clear();
    chunks_.push_back(std::move(last));
  }
  used_ = 0;
}

namespace {

// The general tokenizer: any mix of quoted and unquoted fields.
CsvSyntax TokenizeQuoted(const char* begin, const char* end, char delimiter, char quote,
                         size_t max_field_bytes, CsvArena* arena, CsvFieldList* fields,
                         const char** where) {
  fields->clear();
  const char* p = begin;
  while (true) {
    if (p < end && *p == quote) {
      // Find the closing quote: a quote not followed by another one.
      const char* scan = p + 1;
      const char* close = nullptr;
      size_t doubled = 0;
      while (true) {
        auto* q =
            static_cast<const char*>(std::memchr(scan, quote, static_cast<size_t>(end - scan)));
        if (q == nullptr) {
          *where = p;
          return CsvSyntax::kUnterminatedQuote;
        }
        if (q + 1 < end && q[1] == quote) {
          ++doubled;
          scan = q + 2;
          continue;
        }
        close = q;
        break;
      }
      if (static_cast<size_t>(close + 1 - p) > max_field_bytes) {
        *where = p;
        return CsvSyntax::kFieldTooLarge;
      }
      const char* data = p + 1;
      size_t size = static_cast<size_t>(close - data);
      if (doubled > 0 && arena != nullptr) {
        // Copy the value without the second quote of each pair.
        char* out = arena->Allocate(size - doubled);
        char* w = out;
        for (const char* r = data; r < close;) {
          const auto* q =
              static_cast<const char*>(std::memchr(r, quote, static_cast<size_t>(close - r)));
          const char* stop = q != nullptr ? q + 1 : close;  // keep one quote of the pair
          std::memcpy(w, r, static_cast<size_t>(stop - r));
          w += stop - r;
          r = q != nullptr ? q + 2 : close;
        }
        data = out;
        size = static_cast<size_t>(w - out);
      }
      fields->push_back(p, data, size);
      const char* next = close + 1;
      if (next == end) return CsvSyntax::kOk;
      if (*next != delimiter) {
        *where = next;
        return CsvSyntax::kTextAfterQuote;
      }
      p = next + 1;
      continue;
    }
    const char* r = p;
    while (r < end) {
      char c = *r;
      if (c == delimiter) break;
      if (c == quote) {
        *where = r;
        return CsvSyntax::kStrayQuote;
      }
      ++r;
    }
    if (static_cast<size_t>(r - p) > max_field_bytes) {
      *where = p;
      return CsvSyntax::kFieldTooLarge;
    }
    fields->push_back(p, p, static_cast<size_t>(r - p));
    if (r == end) return CsvSyntax::kOk;
    p = r + 1;
  }
}

}  // namespace

CsvSyntax TokenizeCsvRow(const char* begin, const char* end, char delimiter, char quote,
                         size_t max_field_bytes, CsvArena* arena, CsvFieldList* fields,
                         const char** where) {
  // Fast path for rows without any quote (nearly every row of a numeric file): find the
  // delimiters 16 bytes at a time. The first quote seen hands the row to TokenizeQuoted.
  fields->clear();
  const char* p = begin;
  const char* field = begin;
  auto emit = [&](const char* stop) {
    fields->push_back(field, field, static_cast<size_t>(stop - field));
    field = stop + 1;
  };
#ifdef __SSE2__
  const __m128i delimiters = _mm_set1_epi8(delimiter);
  const __m128i quotes = _mm_set1_epi8(quote);
  for (; end - p >= 16; p += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quotes)) != 0) {
      return TokenizeQuoted(begin, end, delimiter, quote, max_field_bytes, arena, fields, where);
    }
    auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, delimiters)));
    while (mask != 0) {
      emit(p + __builtin_ctz(mask));
      mask &= mask - 1;
    }
  }
#endif
  for (; p < end; ++p) {
    if (*p == delimiter) {
      emit(p);
    } else if (*p == quote) {
      return TokenizeQuoted(begin, end, delimiter, quote, max_field_bytes, arena, fields, where);
    }
  }
  emit(end);
  for (const CsvField& f : *fields) {
    if (f.size > max_field_bytes) {
      // Let the general tokenizer report it, so a quote before the big field wins.
      return TokenizeQuoted(begin, end, delimiter, quote, max_field_bytes, arena, fields, where);
    }
  }
  return CsvSyntax::kOk;
}

CsvSyntax DiagnoseOversizedRow(const char* begin, const char* end, char delimiter, char quote,
                               size_t max_field_bytes, const char** where) {
  CsvFieldList fields;
  CsvSyntax s =
      TokenizeCsvRow(begin, end, delimiter, quote, max_field_bytes, nullptr, &fields, where);
  if (s == CsvSyntax::kUnterminatedQuote) {
    // Not unterminated: the input goes on, the buffer just ends inside this quoted field.
    if (static_cast<size_t>(end - *where) > max_field_bytes) return CsvSyntax::kFieldTooLarge;
    *where = begin;
    return CsvSyntax::kOk;
  }
  if (s == CsvSyntax::kOk) *where = begin;
  return s;
}

namespace {

// Records the '\n' offsets of [lo, hi) by the parity of quotes seen since lo. memchr does
// the scanning: it is several times faster than a byte loop, and chunks without any quote
// (most numeric files) need only the newline search.
void ScanChunk(const char* data, size_t lo, size_t hi, char quote, std::vector<size_t>* even,
               std::vector<size_t>* odd, size_t* quotes) {
  const char* p = data + lo;
  const char* e = data + hi;
  std::vector<size_t>* lists[2] = {even, odd};
  int parity = 0;
  size_t count = 0;
  while (p < e) {
    const auto* qp = static_cast<const char*>(std::memchr(p, quote, static_cast<size_t>(e - p)));
    const char* stop = qp != nullptr ? qp : e;
    for (const char* n = p;
         (n = static_cast<const char*>(std::memchr(n, '\n', static_cast<size_t>(stop - n)))) !=
         nullptr;
         ++n) {
      lists[parity]->push_back(static_cast<size_t>(n - data));
    }
    if (qp == nullptr) break;
    parity ^= 1;
    ++count;
    p = qp + 1;
  }
  *quotes = count;
}

}  // namespace

void RowSplitter::Split(const char* data, size_t size, char quote, int threads,
                        size_t min_chunk_bytes, CsvRowEnds* out) {
  out->ends.clear();
  out->newlines = 0;
  if (size == 0) return;
  size_t by_size = size / std::max<size_t>(min_chunk_bytes, 1);
  auto nchunks = static_cast<int64_t>(std::clamp<size_t>(by_size, 1, std::max(threads, 1)));
  chunks_.resize(static_cast<size_t>(nchunks));
  ParallelFor(nchunks, static_cast<int>(nchunks), [&](int64_t b, int64_t e, int) {
    for (int64_t k = b; k < e; ++k) {
      Chunk& c = chunks_[static_cast<size_t>(k)];
      c.newlines[0].clear();
      c.newlines[1].clear();
      size_t lo = size * static_cast<size_t>(k) / static_cast<size_t>(nchunks);
      size_t hi = size * static_cast<size_t>(k + 1) / static_cast<size_t>(nchunks);
      ScanChunk(data, lo, hi, quote, &c.newlines[0], &c.newlines[1], &c.quotes);
    }
  });
  // A '\n' ends a row when the quotes before it in the whole buffer are even: that is the
  // chunk's own list for its starting parity.
  int parity = 0;
  size_t total = 0;
  for (const Chunk& c : chunks_) total += c.newlines[parity].size() + c.newlines[1].size();
  out->ends.reserve(total);
  for (const Chunk& c : chunks_) {
    const std::vector<size_t>& ends = c.newlines[parity];
    out->ends.insert(out->ends.end(), ends.begin(), ends.end());
    out->newlines += static_cast<int64_t>(c.newlines[0].size() + c.newlines[1].size());
    parity ^= static_cast<int>(c.quotes & 1);
  }
}

size_t FindInvalidUtf8InField(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // ASCII runs are the common case: check 8 bytes at a time.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    // The lead byte is reported for any broken sequence: it is the byte a user recognises
    // (0xE9 is Latin-1 'e' with an accent).
    if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

NullTokenSet::NullTokenSet(const std::vector<std::string>& tokens) {
  for (const std::string& t : tokens) {
    if (t.size() >= 64) {
      has_long_ = true;
    } else {
      length_mask_ |= uint64_t{1} << t.size();
    }
    if (!t.empty()) first_byte_[static_cast<unsigned char>(t[0])] = true;
    tokens_.push_back(t);
  }
}

bool NullTokenSet::ContainsSlow(std::string_view value) const {
  return std::find(tokens_.begin(), tokens_.end(), value) != tokens_.end();
}

void LocateInBuffer(const char* buffer, const char* p, int64_t first_line, int64_t* line,
                    int64_t* column) {
  int64_t newlines = 0;
  const char* line_start = buffer;
  for (const char* s = buffer;
       (s = static_cast<const char*>(std::memchr(s, '\n', static_cast<size_t>(p - s)))) != nullptr;
       ++s) {
    ++newlines;
    line_start = s + 1;
  }
  *line = first_line + newlines;
  *column = (p - line_start) + 1;
}

}  // namespace strata
