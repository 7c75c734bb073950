#include "data/profile_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "data/json_text.h"

namespace strata {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// NaN sorts after +inf among the top-value candidates of a FLOAT64 column.
constexpr uint64_t kNanKey = std::numeric_limits<uint64_t>::max();

// Neumaier's compensated sum: the profile is compared with pandas to 1e-9, and a plain
// running sum over a million values can drift further than that.
class CompensatedSum {
 public:
  void Add(double x) {
    double t = sum_ + x;
    if (std::fabs(sum_) >= std::fabs(x)) {
      compensation_ += (sum_ - t) + x;
    } else {
      compensation_ += (x - t) + sum_;
    }
    sum_ = t;
  }
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0, compensation_ = 0;
};

// The k most frequent values: higher count first, ties by the smaller value. Candidates may
// be offered in any order.
template <typename Key>
class TopK {
 public:
  struct Entry {
    int64_t count;
    Key key;
  };
  explicit TopK(int k) : k_(static_cast<size_t>(std::max(k, 0))) {}

  void Offer(int64_t count, const Key& key) {
    if (k_ == 0) return;
    Entry e{count, key};
    if (heap_.size() < k_) {
      heap_.push_back(e);
      std::push_heap(heap_.begin(), heap_.end(), Better);
    } else if (Better(e, heap_.front())) {  // front() is the worst kept entry
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.back() = e;
      std::push_heap(heap_.begin(), heap_.end(), Better);
    }
  }
  std::vector<Entry> Take() {
    std::sort(heap_.begin(), heap_.end(), Better);
    return std::move(heap_);
  }

 private:
  static bool Better(const Entry& a, const Entry& b) {
    return a.count > b.count || (a.count == b.count && a.key < b.key);
  }
  size_t k_;
  std::vector<Entry> heap_;
};

// Fills the moments and quantiles of n >= 0 sorted values.
template <typename At>
NumericStats SortedNumericStats(const At& at, int64_t n) {
  NumericStats s;
  if (n == 0) {
    s.min = s.max = s.mean = s.stddev = kNaN;
    s.p05 = s.p25 = s.median = s.p75 = s.p95 = kNaN;
    return s;
  }
  CompensatedSum sum;
  for (int64_t i = 0; i < n; ++i) sum.Add(at(i));
  s.mean = sum.value() / static_cast<double>(n);
  // Two passes (sum of squared deviations from the mean) rather than E[x^2] - E[x]^2,
  // which cancels catastrophically when the mean is large relative to the spread.
  CompensatedSum squares;
  for (int64_t i = 0; i < n; ++i) {
    double d = at(i) - s.mean;
    squares.Add(d * d);
  }
  s.stddev = n > 1 ? std::sqrt(squares.value() / static_cast<double>(n - 1)) : kNaN;
  s.min = at(0);
  s.max = at(n - 1);
  s.p05 = SortedQuantile(at, n, 0.05);
  s.p25 = SortedQuantile(at, n, 0.25);
  s.median = SortedQuantile(at, n, 0.5);
  s.p75 = SortedQuantile(at, n, 0.75);
  s.p95 = SortedQuantile(at, n, 0.95);
  return s;
}

void ProfileBool(const Column& c, int top_k, ColumnProfile* p) {
  int64_t counts[2] = {0, 0};
  const auto& data = c.bool_data();
  for (int64_t i = 0; i < c.size(); ++i) {
    if (!c.IsNull(i)) ++counts[data[i] != 0];
  }
  TopK<int> top(top_k);
  for (int v = 0; v < 2; ++v) {
    if (counts[v] > 0) {
      ++p->distinct;
      top.Offer(counts[v], v);
    }
  }
  for (const auto& e : top.Take()) p->top_values.push_back({e.key ? "true" : "false", e.count});
  if (p->count == 0) return;
  const int64_t zeros = counts[0];
  // The sorted values are `zeros` zeros, then ones; no need to materialise them.
  NumericStats s = SortedNumericStats([&](int64_t i) { return i < zeros ? 0.0 : 1.0; }, p->count);
  s.zeros = zeros;
  p->numeric = s;
}

void ProfileString(const Column& c, int top_k, ColumnProfile* p) {
  const StringDictionary& dict = c.dictionary();
  const auto& codes = c.codes();
  // A column taken from a big table shares its dictionary; count in a map when the
  // dictionary is much larger than the column, in a flat array otherwise.
  std::vector<std::pair<uint32_t, int64_t>> counted;
  if (dict.size() <= 4 * static_cast<size_t>(c.size()) + 1024) {
    std::vector<int64_t> counts(dict.size());
    for (int64_t i = 0; i < c.size(); ++i) {
      if (!c.IsNull(i)) ++counts[codes[i]];
    }
    for (uint32_t code = 0; code < counts.size(); ++code) {
      if (counts[code] > 0) counted.emplace_back(code, counts[code]);
    }
  } else {
    std::unordered_map<uint32_t, int64_t> counts;
    for (int64_t i = 0; i < c.size(); ++i) {
      if (!c.IsNull(i)) ++counts[codes[i]];
    }
    counted.assign(counts.begin(), counts.end());
  }
  TopK<std::string_view> top(top_k);
  TextStats text;
  text.min_length = std::numeric_limits<int64_t>::max();
  double total_length = 0;
  for (const auto& [code, count] : counted) {
    std::string_view value = dict.Get(code);
    int64_t length = CountCodePoints(value);
    text.min_length = std::min(text.min_length, length);
    text.max_length = std::max(text.max_length, length);
    total_length += static_cast<double>(length) * static_cast<double>(count);
    top.Offer(count, value);
  }
  p->distinct = static_cast<int64_t>(counted.size());
  for (const auto& e : top.Take()) p->top_values.push_back({std::string(e.key), e.count});
  if (p->count == 0) return;
  text.mean_length = total_length / static_cast<double>(p->count);
  p->text = text;
}

// INT64, FLOAT64, DATE and TIMESTAMP: one sorted copy of the finite values.
void ProfileSorted(const Column& c, int top_k, ColumnProfile* p) {
  const bool is_float = c.type() == DataType::kFloat64;
  std::vector<uint64_t> keys;
  keys.reserve(static_cast<size_t>(p->count));
  int64_t pos_inf = 0, neg_inf = 0, nans = 0;
  if (is_float) {
    const auto& data = c.float64_data();
    for (int64_t i = 0; i < c.size(); ++i) {
      if (c.IsNull(i)) continue;
      double v = data[i];
      if (std::isnan(v)) {
        ++nans;
      } else if (std::isinf(v)) {
        ++(v > 0 ? pos_inf : neg_inf);
      } else {
        keys.push_back(KeyFromDouble(v + 0.0));  // + 0.0 turns -0.0 into 0.0
      }
    }
  } else {
    const auto& data = c.int64_data();
    for (int64_t i = 0; i < c.size(); ++i) {
      if (!c.IsNull(i)) keys.push_back(KeyFromInt64(data[i]));
    }
  }
  std::vector<uint64_t> scratch;
  RadixSortU64(&keys, &scratch);
  std::vector<uint64_t>().swap(scratch);

  auto value_at = [&](int64_t i) {
    return is_float ? DoubleFromKey(keys[i]) : static_cast<double>(Int64FromKey(keys[i]));
  };
  const auto n = static_cast<int64_t>(keys.size());
  TopK<uint64_t> top(top_k);
  int64_t zeros = 0;
  for (int64_t i = 0; i < n;) {
    int64_t j = i + 1;
    while (j < n && keys[j] == keys[i]) ++j;
    ++p->distinct;
    top.Offer(j - i, keys[i]);
    if (value_at(i) == 0) zeros += j - i;
    i = j;
  }
  const std::pair<int64_t, uint64_t> non_finite[] = {
      {neg_inf, KeyFromDouble(-std::numeric_limits<double>::infinity())},
      {pos_inf, KeyFromDouble(std::numeric_limits<double>::infinity())},
      {nans, kNanKey}};
  for (const auto& [count, key] : non_finite) {
    if (count == 0) continue;
    ++p->distinct;
    top.Offer(count, key);
  }

  auto format = [&](uint64_t key) -> std::string {
    switch (c.type()) {
      case DataType::kFloat64:
        return key == kNanKey ? "nan" : fmt::format("{}", DoubleFromKey(key));
      case DataType::kDate:
        return FormatDate(Int64FromKey(key));
      case DataType::kTimestamp:
        return FormatTimestamp(Int64FromKey(key));
      default:
        return fmt::format("{}", Int64FromKey(key));
    }
  };
  for (const auto& e : top.Take()) p->top_values.push_back({format(e.key), e.count});

  if (c.type() == DataType::kDate || c.type() == DataType::kTimestamp) {
    if (n > 0) {
      p->min_value = format(keys.front());
      p->max_value = format(keys.back());
    }
    return;
  }
  if (p->count == 0) return;
  NumericStats s = SortedNumericStats(value_at, n);
  s.zeros = zeros;
  s.non_finite = pos_inf + neg_inf + nans;
  p->numeric = s;
  if (n == 0) return;  // only non-finite values: numpy has no range for them either
  // numpy subtracts INT64 bounds exactly (as unsigned), FLOAT64 ones in doubles.
  double span = is_float ? s.max - s.min
                         : static_cast<double>(static_cast<uint64_t>(Int64FromKey(keys.back())) -
                                               static_cast<uint64_t>(Int64FromKey(keys.front())));
  p->histogram = SortedHistogram(value_at, n, kHistogramBins, span);
}

}  // namespace

std::vector<double> LinspaceEdges(double first, double last, int bins) {
  std::vector<double> edges(static_cast<size_t>(bins) + 1);
  const double delta = last - first;
  const double step = delta / bins;
  for (int i = 0; i <= bins; ++i) {
    // numpy multiplies, then adds, each rounded (no fused multiply-add); a step that
    // underflows to 0 makes it divide first instead.
    double scaled = step == 0 ? i / static_cast<double>(bins) * delta : i * step;
    edges[static_cast<size_t>(i)] = scaled + first;
  }
  edges.back() = last;
  return edges;
}

void RadixSortU64(std::vector<uint64_t>* keys, std::vector<uint64_t>* scratch) {
  const size_t n = keys->size();
  if (n < 512) {  // below this the histograms cost more than they save
    std::sort(keys->begin(), keys->end());
    return;
  }
  std::vector<std::array<size_t, 256>> counts(8);
  for (auto& c : counts) c.fill(0);
  for (uint64_t k : *keys) {
    for (int b = 0; b < 8; ++b) ++counts[b][(k >> (8 * b)) & 0xFF];
  }
  scratch->resize(n);
  uint64_t* src = keys->data();
  uint64_t* dst = scratch->data();
  for (int b = 0; b < 8; ++b) {
    auto& count = counts[b];
    // Every key has the same byte here (common for small integers and dates): skip.
    if (count[(src[0] >> (8 * b)) & 0xFF] == n) continue;
    size_t offset = 0;
    for (size_t& c : count) {
      size_t here = c;
      c = offset;
      offset += here;
    }
    for (size_t i = 0; i < n; ++i) dst[count[(src[i] >> (8 * b)) & 0xFF]++] = src[i];
    std::swap(src, dst);
  }
  if (src != keys->data()) std::copy(src, src + n, keys->data());
}

ColumnProfile ProfileColumn(const Column& column, int top_k) {
  ColumnProfile p;
  p.name = column.name();
  p.type = column.type();
  p.nulls = column.null_count();
  p.count = column.size() - p.nulls;
  switch (column.type()) {
    case DataType::kBool:
      ProfileBool(column, top_k, &p);
      break;
    case DataType::kString:
      ProfileString(column, top_k, &p);
      break;
    case DataType::kInt64:
    case DataType::kFloat64:
    case DataType::kDate:
    case DataType::kTimestamp:
      ProfileSorted(column, top_k, &p);
      break;
  }
  return p;
}

}  // namespace strata
