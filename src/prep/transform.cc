// BigQuery ML's TRANSFORM functions (include/strata/transform.h). Each function is a fit step
// (statistics of the training rows, for the analytic ones) and an apply step (a column of
// the output); both are here, one pair per function, so training and prediction cannot
// disagree.
#include "strata/transform.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "strata/suggest.h"

namespace strata {
namespace {

using Item = FeatureTransform::Item;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const std::vector<std::string> kFunctions = {
    "STANDARD_SCALER", "MIN_MAX_SCALER", "MAX_ABS_SCALER", "ROBUST_SCALER",  "BUCKETIZE",
    "QUANTILE_BUCKETIZE", "IMPUTER",     "LABEL_ENCODER",  "ONE_HOT_ENCODER", "HASH_BUCKETIZE",
    "FEATURE_CROSS",   "POLYNOMIAL_EXPAND", "NGRAMS",    "BAG_OF_WORDS",    "TF_IDF"};
const std::vector<std::string> kLater = {"MULTI_HOT_ENCODER"};

// ML.BAG_OF_WORDS / ML.TF_IDF give one column per dictionary term, so Strata's default
// dictionary is smaller than BigQuery ML's sparse 32,000 terms.
constexpr int64_t kDefaultTextTerms = 1000;

Status Bad(const Item& item, std::string_view message) {
  return InvalidArgument(fmt::format("TRANSFORM: ML.{} ... AS {}: {}", item.function, item.output, message));
}

bool IsNumber(DataType t) {
  return t == DataType::kInt64 || t == DataType::kFloat64 || t == DataType::kBool;
}

// The values of a numeric column as doubles (NaN for NULL).
std::vector<double> Numbers(const Column& c) {
  std::vector<double> v(static_cast<size_t>(c.size()));
  for (int64_t r = 0; r < c.size(); ++r) v[r] = c.IsNull(r) ? kNaN : c.GetAsDouble(r);
  return v;
}

std::vector<double> Present(const std::vector<double>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (double x : v) {
    if (std::isfinite(x)) out.push_back(x);
  }
  return out;
}

// The value at quantile p of sorted `v` by nearest rank (BigQuery's APPROX_QUANTILES agrees on
// small data: ML.QUANTILE_BUCKETIZE([1..5], 3) splits at 2 and 4).
double NearestRank(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return kNaN;
  const double rank = std::ceil(p * static_cast<double>(sorted.size()));
  const size_t i = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(sorted.size()))) - 1;
  return sorted[i];
}

double Median(std::vector<double> v) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Linear-interpolated percentile (0..100) of sorted values, as NumPy's default.
double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  const double pos = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::string Text(const Column& c, int64_t r) {
  return c.type() == DataType::kString ? std::string(c.GetString(r)) : c.FormatValue(r);
}

// An optional positional argument.
const nlohmann::json* Arg(const Item& item, size_t i) {
  return i < item.args.size() && !item.args[i].is_null() ? &item.args[i] : nullptr;
}

Result<int64_t> IntArg(const Item& item, size_t i, int64_t fallback, int64_t min, std::string_view name) {
  const nlohmann::json* a = Arg(item, i);
  if (a == nullptr) return fallback;
  if (!a->is_number_integer() || a->get<int64_t>() < min) {
    return Bad(item, fmt::format("{} must be an integer >= {}", name, min));
  }
  return a->get<int64_t>();
}

// The vocabulary of LABEL_ENCODER / ONE_HOT_ENCODER: categories seen at least
// `frequency_threshold` times, the `top_k` most frequent, in alphabetical order.
// The values counted at least `threshold` times, the `top_k` most counted (ties: the smaller
// value first), in alphabetical order: BigQuery ML's dictionary rule for its encoders and
// text functions.
std::vector<std::string> TopValues(const std::map<std::string, int64_t>& counts, int64_t top_k,
                                   int64_t threshold) {
  std::vector<std::pair<int64_t, std::string>> kept;
  for (const auto& [value, count] : counts) {
    if (count >= threshold) kept.push_back({count, value});
  }
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (static_cast<int64_t>(kept.size()) > top_k) kept.resize(static_cast<size_t>(top_k));
  std::vector<std::string> out;
  for (const auto& [count, value] : kept) out.push_back(value);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Vocabulary(const Column& c, int64_t top_k, int64_t threshold) {
  std::map<std::string, int64_t> counts;
  for (int64_t r = 0; r < c.size(); ++r) {
    if (!c.IsNull(r)) ++counts[Text(c, r)];
  }
  return TopValues(counts, top_k, threshold);
}

// Combinations of `k` of `n` indices (ascending); with repetition for polynomials.
void Combinations(int n, int k, bool repeat, std::vector<int>& current, int start,
                  std::vector<std::vector<int>>* out) {
  if (static_cast<int>(current.size()) == k) {
    out->push_back(current);
    return;
  }
  for (int i = start; i < n; ++i) {
    current.push_back(i);
    Combinations(n, k, repeat, current, repeat ? i : i + 1, out);
    current.pop_back();
  }
}

// Tokens of a tokenized document: a JSON array of strings ('["a", "b"]', as SQLite holds
// BigQuery's ARRAY<STRING>), else the text split at whitespace. NULL elements are skipped.
std::vector<std::string> Tokens(const Column& c, int64_t r) {
  std::vector<std::string> out;
  if (c.IsNull(r)) return out;
  const std::string text = Text(c, r);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_array()) {
      for (const auto& t : j) {
        if (t.is_string()) out.push_back(t.get<std::string>());
      }
      return out;
    }
  }
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string BinName(int64_t index) { return "bin_" + std::to_string(index); }

// Fits `item` on `train` (its inputs already checked to exist).
Status FitItem(const Table& train, Item* item) {
  const std::string& f = item->function;
  std::vector<const Column*> in;
  for (const std::string& name : item->inputs) in.push_back(&train.column(train.ColumnIndex(name)));
  const Column& x = *in[0];
  const bool numeric_fn = f == "STANDARD_SCALER" || f == "MIN_MAX_SCALER" || f == "MAX_ABS_SCALER" ||
                          f == "ROBUST_SCALER" || f == "BUCKETIZE" || f == "QUANTILE_BUCKETIZE" ||
                          f == "POLYNOMIAL_EXPAND";
  if (numeric_fn) {
    for (const Column* c : in) {
      if (!IsNumber(c->type())) {
        return Bad(*item, fmt::format("input '{}' is {}; ML.{} takes numbers", c->name(),
                                      DataTypeName(c->type()), f));
      }
    }
  }
  if (f.empty()) return Status::Ok();
  const bool multi = f == "FEATURE_CROSS" || f == "POLYNOMIAL_EXPAND";
  if (!multi && item->inputs.size() != 1) return Bad(*item, "takes one input column");
  auto& s = item->state;
  if (f == "STANDARD_SCALER") {
    std::vector<double> v = Present(Numbers(x));
    double mean = 0, ss = 0;
    for (double d : v) mean += d;
    mean = v.empty() ? 0 : mean / static_cast<double>(v.size());
    for (double d : v) ss += (d - mean) * (d - mean);
    // The sample standard deviation: BigQuery scales [1..5] to +-1.2649.
    s["mean"] = mean;
    s["stddev"] = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
  } else if (f == "MIN_MAX_SCALER" || f == "MAX_ABS_SCALER") {
    std::vector<double> v = Present(Numbers(x));
    double lo = v.empty() ? 0 : *std::min_element(v.begin(), v.end());
    double hi = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
    s["min"] = lo;
    s["max"] = hi;
    s["max_abs"] = std::max(std::fabs(lo), std::fabs(hi));
  } else if (f == "ROBUST_SCALER") {
    std::vector<double> v = Present(Numbers(x));
    std::sort(v.begin(), v.end());
    double q_lo = 25, q_hi = 75;
    if (const nlohmann::json* range = Arg(*item, 0)) {
      if (!range->is_array() || range->size() != 2 || !(*range)[0].is_number() || !(*range)[1].is_number() ||
          !((*range)[0].get<double>() < (*range)[1].get<double>())) {
        return Bad(*item, "quantile_range must be [low, high] percentiles, e.g. [25, 75]");
      }
      q_lo = (*range)[0].get<double>();
      q_hi = (*range)[1].get<double>();
    }
    s["median"] = Percentile(v, 50);
    s["scale"] = Percentile(v, q_hi) - Percentile(v, q_lo);
  } else if (f == "BUCKETIZE") {
    const nlohmann::json* points = Arg(*item, 0);
    if (points == nullptr || !points->is_array() || points->empty()) {
      return Bad(*item, "takes the split points as an array: ML.BUCKETIZE(x, [1, 2, 3])");
    }
    std::vector<double> p;
    for (const auto& v : *points) {
      if (!v.is_number()) return Bad(*item, "split points must be numbers");
      p.push_back(v.get<double>());
    }
    if (!std::is_sorted(p.begin(), p.end())) return Bad(*item, "split points must be ascending");
    if (const nlohmann::json* exclude = Arg(*item, 1); exclude && exclude->is_boolean() && exclude->get<bool>()) {
      if (p.size() < 3) return Bad(*item, "exclude_boundaries needs at least 3 split points");
      p = std::vector<double>(p.begin() + 1, p.end() - 1);
    }
    s["boundaries"] = p;
  } else if (f == "QUANTILE_BUCKETIZE") {
    STRATA_ASSIGN_OR_RETURN(int64_t k, IntArg(*item, 0, -1, 1, "num_buckets"));
    if (k < 1) return Bad(*item, "takes the number of buckets: ML.QUANTILE_BUCKETIZE(x, 4) OVER()");
    std::vector<double> v = Present(Numbers(x));
    std::sort(v.begin(), v.end());
    std::vector<double> b;
    for (int64_t i = 1; i < k; ++i) {
      double q = NearestRank(v, static_cast<double>(i) / static_cast<double>(k));
      if (std::isfinite(q) && (b.empty() || q > b.back())) b.push_back(q);
    }
    s["boundaries"] = b;
  } else if (f == "IMPUTER") {
    const nlohmann::json* strategy = Arg(*item, 0);
    const std::string how = strategy && strategy->is_string() ? strategy->get<std::string>() : "";
    if (how != "mean" && how != "median" && how != "most_frequent") {
      return Bad(*item, "takes a strategy: 'mean', 'median' or 'most_frequent'");
    }
    s["strategy"] = how;
    if (how == "most_frequent") {
      std::map<std::string, int64_t> counts;
      for (int64_t r = 0; r < x.size(); ++r) {
        if (!x.IsNull(r)) ++counts[Text(x, r)];
      }
      std::string best;
      int64_t best_count = -1;
      for (const auto& [value, count] : counts) {
        if (count > best_count) best = value, best_count = count;  // ties: the smallest value
      }
      s["fill"] = best;
    } else {
      if (!IsNumber(x.type())) return Bad(*item, fmt::format("strategy '{}' takes numbers; use 'most_frequent'", how));
      std::vector<double> v = Present(Numbers(x));
      double fill = 0;
      if (how == "mean") {
        for (double d : v) fill += d;
        fill = v.empty() ? 0 : fill / static_cast<double>(v.size());
      } else {
        fill = v.empty() ? 0 : Median(v);
      }
      s["fill"] = fill;
    }
  } else if (f == "LABEL_ENCODER" || f == "ONE_HOT_ENCODER") {
    // ML.ONE_HOT_ENCODER(x, drop, top_k, frequency_threshold); ML.LABEL_ENCODER(x, top_k, threshold).
    const size_t first = f == "ONE_HOT_ENCODER" ? 1 : 0;
    STRATA_ASSIGN_OR_RETURN(int64_t top_k, IntArg(*item, first, 32000, 1, "top_k"));
    STRATA_ASSIGN_OR_RETURN(int64_t threshold, IntArg(*item, first + 1, 5, 0, "frequency_threshold"));
    std::vector<std::string> vocabulary = Vocabulary(x, top_k, threshold);
    if (f == "ONE_HOT_ENCODER") {
      const nlohmann::json* drop = Arg(*item, 0);
      const std::string how = drop && drop->is_string() ? drop->get<std::string>() : "none";
      if (how != "none" && how != "most_frequent") return Bad(*item, "drop must be 'none' or 'most_frequent'");
      if (how == "most_frequent" && !vocabulary.empty()) {
        std::map<std::string, int64_t> counts;
        for (int64_t r = 0; r < x.size(); ++r) {
          if (!x.IsNull(r)) ++counts[Text(x, r)];
        }
        std::string most;
        int64_t most_count = -1;
        for (const std::string& v : vocabulary) {
          if (counts[v] > most_count) most = v, most_count = counts[v];
        }
        s["dropped"] = most;
      }
    }
    s["vocabulary"] = vocabulary;
  } else if (f == "HASH_BUCKETIZE") {
    STRATA_ASSIGN_OR_RETURN(int64_t size, IntArg(*item, 0, -1, 1, "hash_bucket_size"));
    if (size < 1) return Bad(*item, "takes the number of buckets: ML.HASH_BUCKETIZE(x, 100)");
    s["size"] = size;
  } else if (f == "BAG_OF_WORDS" || f == "TF_IDF") {
    // A dictionary of the terms found in at least frequency_threshold documents, the top_k
    // found in the most documents, in alphabetical order; every other term is the unknown
    // term (BigQuery ML's rules).
    STRATA_ASSIGN_OR_RETURN(int64_t top_k, IntArg(*item, 0, kDefaultTextTerms, 1, "top_k"));
    STRATA_ASSIGN_OR_RETURN(int64_t threshold, IntArg(*item, 1, 5, 0, "frequency_threshold"));
    std::map<std::string, int64_t> documents;
    for (int64_t r = 0; r < x.size(); ++r) {
      std::vector<std::string> tokens = Tokens(x, r);
      std::sort(tokens.begin(), tokens.end());
      for (size_t i = 0; i < tokens.size(); ++i) {
        if (i == 0 || tokens[i] != tokens[i - 1]) ++documents[tokens[i]];
      }
    }
    const std::vector<std::string> dictionary = TopValues(documents, top_k, threshold);
    // Documents holding an unknown term, for its IDF.
    int64_t unknown_documents = 0;
    for (int64_t r = 0; r < x.size(); ++r) {
      for (const std::string& t : Tokens(x, r)) {
        if (!std::binary_search(dictionary.begin(), dictionary.end(), t)) {
          ++unknown_documents;
          break;
        }
      }
    }
    const double n = static_cast<double>(x.size());
    nlohmann::json names = nlohmann::json::array({item->output + "__unknown"});
    nlohmann::json idf = nlohmann::json::array({std::log(1 + n / (1 + static_cast<double>(unknown_documents)))});
    for (const std::string& term : dictionary) {
      names.push_back(item->output + "_" + term);
      idf.push_back(std::log(1 + n / (1 + static_cast<double>(documents[term]))));
    }
    s["dictionary"] = dictionary;
    s["names"] = names;
    if (f == "TF_IDF") s["idf"] = idf;
  } else if (f == "NGRAMS") {
    const nlohmann::json* range = Arg(*item, 0);
    if (range == nullptr || !range->is_array() || range->size() != 2 || !(*range)[0].is_number_integer() ||
        !(*range)[1].is_number_integer() || (*range)[0].get<int64_t>() < 1 ||
        (*range)[1].get<int64_t>() < (*range)[0].get<int64_t>()) {
      return Bad(*item, "takes the n-gram sizes as [min, max], e.g. ML.NGRAMS(words, [1, 2])");
    }
    if (const nlohmann::json* sep = Arg(*item, 1); sep != nullptr && !sep->is_string()) {
      return Bad(*item, "separator must be a string");
    }
  } else if (multi) {
    const int n = static_cast<int>(item->inputs.size());
    const int64_t fallback = 2;
    STRATA_ASSIGN_OR_RETURN(int64_t degree, IntArg(*item, 0, fallback, 1, "degree"));
    if (f == "FEATURE_CROSS" && (n < 2 || degree < 2 || degree > n)) {
      return Bad(*item, "crosses 2 or more columns, degree 2..their number: ML.FEATURE_CROSS(STRUCT(a, b))");
    }
    if (f == "POLYNOMIAL_EXPAND" && (degree < 1 || degree > 4)) {
      return Bad(*item, "degree must be 1 to 4");
    }
    std::vector<std::vector<int>> terms;
    std::vector<int> current;
    if (f == "FEATURE_CROSS") {
      for (int d = 2; d <= degree; ++d) Combinations(n, d, /*repeat=*/false, current, 0, &terms);
    } else {
      for (int d = 1; d <= degree; ++d) Combinations(n, d, /*repeat=*/true, current, 0, &terms);
    }
    nlohmann::json names = nlohmann::json::array();
    for (const auto& term : terms) {
      std::string name = item->output;
      for (int i : term) name += "_" + item->inputs[static_cast<size_t>(i)];
      names.push_back(name);
    }
    s["terms"] = terms;
    s["names"] = names;
  }
  return Status::Ok();
}

// Applies `item` to `in` (its input columns), appending its output column(s) to `out`.
Status ApplyItem(const Item& item, const std::vector<const Column*>& in, Table* out) {
  const std::string& f = item.function;
  const auto& s = item.state;
  const Column& x = *in[0];
  const int64_t n = x.size();
  if (f.empty()) {
    Column copy = x.Slice(0, n);
    copy.set_name(item.output);
    return out->AddColumn(std::move(copy));
  }
  auto numeric_out = [&](auto fn) -> Status {
    Column c(item.output, DataType::kFloat64);
    c.Reserve(n);
    for (int64_t r = 0; r < n; ++r) {
      if (x.IsNull(r)) {
        c.AppendNull();
        continue;
      }
      const double v = fn(x.GetAsDouble(r));
      if (std::isnan(v)) {
        c.AppendNull();
      } else {
        c.AppendFloat64(v);
      }
    }
    return out->AddColumn(std::move(c));
  };
  auto bucket_out = [&](const std::vector<double>& b) -> Status {
    Column c(item.output, DataType::kString);
    c.Reserve(n);
    for (int64_t r = 0; r < n; ++r) {
      if (x.IsNull(r)) {
        c.AppendNull();
        continue;
      }
      const double v = x.GetAsDouble(r);
      const int64_t index = std::upper_bound(b.begin(), b.end(), v) - b.begin() + 1;
      c.AppendString(BinName(index));
    }
    return out->AddColumn(std::move(c));
  };
  if (f == "STANDARD_SCALER") {
    const double mean = s["mean"], sd = s["stddev"];
    return numeric_out([&](double v) { return sd > 0 ? (v - mean) / sd : 0.0; });
  }
  if (f == "MIN_MAX_SCALER") {
    const double lo = s["min"], hi = s["max"];
    // Values outside the training range are capped to [0, 1], as BigQuery ML does.
    return numeric_out([&](double v) { return hi > lo ? std::clamp((v - lo) / (hi - lo), 0.0, 1.0) : 0.0; });
  }
  if (f == "MAX_ABS_SCALER") {
    const double m = s["max_abs"];
    return numeric_out([&](double v) { return m > 0 ? v / m : 0.0; });
  }
  if (f == "ROBUST_SCALER") {
    const double median = s["median"], scale = s["scale"];
    const nlohmann::json* with_median = Arg(item, 1);
    const nlohmann::json* with_range = Arg(item, 2);
    const bool center = !(with_median && with_median->is_boolean() && !with_median->get<bool>());
    const bool divide = !(with_range && with_range->is_boolean() && !with_range->get<bool>());
    return numeric_out([&](double v) {
      if (center) v -= median;
      if (divide && scale > 0) v /= scale;
      return v;
    });
  }
  if (f == "BUCKETIZE" || f == "QUANTILE_BUCKETIZE") {
    return bucket_out(s["boundaries"].get<std::vector<double>>());
  }
  if (f == "IMPUTER") {
    if (x.type() == DataType::kString) {
      const std::string fill = s["fill"];
      Column c(item.output, DataType::kString);
      c.Reserve(n);
      for (int64_t r = 0; r < n; ++r) c.AppendString(x.IsNull(r) ? std::string_view(fill) : x.GetString(r));
      return out->AddColumn(std::move(c));
    }
    // Numbers stay numbers (most_frequent's value was kept as text).
    const double fill = s["fill"].is_string() ? std::strtod(s["fill"].get<std::string>().c_str(), nullptr)
                                              : s["fill"].get<double>();
    Column c(item.output, DataType::kFloat64);
    c.Reserve(n);
    for (int64_t r = 0; r < n; ++r) c.AppendFloat64(x.IsNull(r) ? fill : x.GetAsDouble(r));
    return out->AddColumn(std::move(c));
  }
  if (f == "LABEL_ENCODER" || f == "ONE_HOT_ENCODER") {
    const std::vector<std::string> vocabulary = s["vocabulary"];
    const std::string dropped = s.value("dropped", std::string());
    const bool has_dropped = s.contains("dropped");
    if (f == "LABEL_ENCODER") {
      // 1.. for the vocabulary in alphabetical order; 0 for NULL, rare and unseen values.
      Column c(item.output, DataType::kInt64);
      c.Reserve(n);
      for (int64_t r = 0; r < n; ++r) {
        if (x.IsNull(r)) {
          c.AppendInt64(0);
          continue;
        }
        auto it = std::lower_bound(vocabulary.begin(), vocabulary.end(), Text(x, r));
        c.AppendInt64(it != vocabulary.end() && *it == Text(x, r) ? (it - vocabulary.begin()) + 1 : 0);
      }
      return out->AddColumn(std::move(c));
    }
    // The category, which the model's encoding one-hot encodes; NULL for rare, unseen and
    // dropped values (all zeros in BigQuery ML's sparse output).
    Column c(item.output, DataType::kString);
    c.Reserve(n);
    for (int64_t r = 0; r < n; ++r) {
      const std::string v = x.IsNull(r) ? std::string() : Text(x, r);
      const bool known = !x.IsNull(r) && std::binary_search(vocabulary.begin(), vocabulary.end(), v) &&
                         !(has_dropped && v == dropped);
      if (known) {
        c.AppendString(v);
      } else {
        c.AppendNull();
      }
    }
    return out->AddColumn(std::move(c));
  }
  if (f == "HASH_BUCKETIZE") {
    const uint64_t size = s["size"].get<uint64_t>();
    Column c(item.output, DataType::kInt64);
    c.Reserve(n);
    for (int64_t r = 0; r < n; ++r) {
      if (x.IsNull(r)) {
        c.AppendNull();
        continue;
      }
      const std::string v = Text(x, r);
      c.AppendInt64(static_cast<int64_t>(XXH3_64bits(v.data(), v.size()) % size));
    }
    return out->AddColumn(std::move(c));
  }
  if (f == "BAG_OF_WORDS" || f == "TF_IDF") {
    const std::vector<std::string> dictionary = s["dictionary"];
    const std::vector<std::string> names = s["names"];
    const bool tf_idf = f == "TF_IDF";
    std::vector<double> idf;
    if (tf_idf) idf = s["idf"].get<std::vector<double>>();
    std::vector<Column> columns;
    for (const std::string& name : names) {
      columns.emplace_back(name, tf_idf ? DataType::kFloat64 : DataType::kInt64);
      columns.back().Reserve(n);
    }
    std::vector<int64_t> counts(names.size());
    for (int64_t r = 0; r < n; ++r) {
      std::fill(counts.begin(), counts.end(), 0);
      const std::vector<std::string> tokens = Tokens(x, r);
      for (const std::string& t : tokens) {
        auto it = std::lower_bound(dictionary.begin(), dictionary.end(), t);
        const size_t k = it != dictionary.end() && *it == t ? static_cast<size_t>(it - dictionary.begin()) + 1 : 0;
        ++counts[k];
      }
      for (size_t k = 0; k < names.size(); ++k) {
        if (tf_idf) {
          const double tf = tokens.empty() ? 0.0 : static_cast<double>(counts[k]) / static_cast<double>(tokens.size());
          columns[k].AppendFloat64(tf * idf[k]);
        } else {
          columns[k].AppendInt64(counts[k]);
        }
      }
    }
    for (Column& c : columns) STRATA_RETURN_IF_ERROR(out->AddColumn(std::move(c)));
    return Status::Ok();
  }
  if (f == "NGRAMS") {
    const int64_t lo = item.args[0][0], hi = item.args[0][1];
    const nlohmann::json* sep = Arg(item, 1);
    const std::string separator = sep != nullptr ? sep->get<std::string>() : " ";
    Column c(item.output, DataType::kString);
    c.Reserve(n);
    for (int64_t r = 0; r < n; ++r) {
      if (x.IsNull(r)) {
        c.AppendNull();
        continue;
      }
      const std::vector<std::string> tokens = Tokens(x, r);
      nlohmann::json grams = nlohmann::json::array();
      // By position, then size: ['a', 'a b', 'b', 'b c', 'c'] for [1, 2].
      for (size_t i = 0; i < tokens.size(); ++i) {
        for (int64_t size = lo; size <= hi && i + static_cast<size_t>(size) <= tokens.size(); ++size) {
          std::string g = tokens[i];
          for (int64_t k = 1; k < size; ++k) g += separator + tokens[i + static_cast<size_t>(k)];
          grams.push_back(g);
        }
      }
      c.AppendString(grams.dump());
    }
    return out->AddColumn(std::move(c));
  }
  if (f == "FEATURE_CROSS" || f == "POLYNOMIAL_EXPAND") {
    const auto terms = s["terms"].get<std::vector<std::vector<int>>>();
    const auto names = s["names"].get<std::vector<std::string>>();
    for (size_t t = 0; t < terms.size(); ++t) {
      if (f == "FEATURE_CROSS") {
        Column c(names[t], DataType::kString);
        c.Reserve(n);
        for (int64_t r = 0; r < n; ++r) {
          std::string v;
          bool null = false;
          for (size_t k = 0; k < terms[t].size(); ++k) {
            const Column& col = *in[static_cast<size_t>(terms[t][k])];
            if (col.IsNull(r)) null = true;
            if (!null) v += (k ? "_" : "") + Text(col, r);
          }
          if (null) {
            c.AppendNull();
          } else {
            c.AppendString(v);
          }
        }
        STRATA_RETURN_IF_ERROR(out->AddColumn(std::move(c)));
      } else {
        Column c(names[t], DataType::kFloat64);
        c.Reserve(n);
        for (int64_t r = 0; r < n; ++r) {
          double v = 1;
          bool null = false;
          for (int k : terms[t]) {
            const Column& col = *in[static_cast<size_t>(k)];
            if (col.IsNull(r)) null = true;
            if (!null) v *= col.GetAsDouble(r);
          }
          if (null) {
            c.AppendNull();
          } else {
            c.AppendFloat64(v);
          }
        }
        STRATA_RETURN_IF_ERROR(out->AddColumn(std::move(c)));
      }
    }
    return Status::Ok();
  }
  return Internal("TRANSFORM: no apply step for ML." + f);
}

}  // namespace

const std::vector<std::string>& FeatureTransform::Functions() { return kFunctions; }

Result<FeatureTransform> FeatureTransform::Fit(const Table& train, const nlohmann::json& spec) {
  if (!spec.is_array() || spec.empty()) return InvalidArgument("TRANSFORM: the list of columns is empty");
  FeatureTransform t;
  std::vector<std::string> names;
  for (const Column& c : train.columns()) names.push_back(c.name());
  for (const auto& j : spec) {
    Item item;
    try {
      if (!j.is_object()) return InvalidArgument("TRANSFORM: each item must be an object");
      auto text = [&](const char* key) {
        return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
      };
      item.function = text("function");
      if (j.contains("inputs") && !j["inputs"].is_null()) item.inputs = j["inputs"].get<std::vector<std::string>>();
      if (j.contains("args") && j["args"].is_array()) item.args = j["args"];
      item.output = text("output");
    } catch (const nlohmann::json::exception& e) {
      return InvalidArgument(std::string("TRANSFORM: malformed item: ") + e.what());
    }
    if (item.function == "*") {
      // Every input column but those excepted, as they are.
      std::vector<std::string> except;
      if (j.contains("except") && j["except"].is_array()) except = j["except"].get<std::vector<std::string>>();
      for (const std::string& e : except) {
        if (std::find(names.begin(), names.end(), e) == names.end()) {
          return InvalidArgument(fmt::format("TRANSFORM: * EXCEPT names '{}', which is not a column.{}", e,
                                             DidYouMean(e, names)));
        }
      }
      for (const std::string& name : names) {
        if (std::find(except.begin(), except.end(), name) != except.end()) continue;
        Item copy;
        copy.inputs = {name};
        copy.output = name;
        t.items_.push_back(std::move(copy));
      }
      continue;
    }
    if (!item.function.empty() &&
        std::find(kFunctions.begin(), kFunctions.end(), item.function) == kFunctions.end()) {
      if (std::find(kLater.begin(), kLater.end(), item.function) != kLater.end()) {
        return Unimplemented(fmt::format("TRANSFORM: ML.{} is not supported yet", item.function));
      }
      return InvalidArgument(fmt::format("TRANSFORM: unknown function ML.{}.{}", item.function,
                                         DidYouMean(item.function, kFunctions)));
    }
    if (item.inputs.empty()) return InvalidArgument("TRANSFORM: an item has no input column");
    if (item.output.empty()) {
      if (!item.function.empty()) {
        return InvalidArgument(fmt::format("TRANSFORM: ML.{}({}) needs a name: ML.{}(...) AS name",
                                           item.function, item.inputs[0], item.function));
      }
      item.output = item.inputs[0];
    }
    for (const std::string& in : item.inputs) {
      if (train.ColumnIndex(in) < 0) {
        return NotFound(fmt::format("TRANSFORM: no input column '{}' (for {}).{}", in, item.output,
                                    DidYouMean(in, names)));
      }
    }
    t.items_.push_back(std::move(item));
  }
  std::vector<std::string> outputs;
  for (Item& item : t.items_) {
    STRATA_RETURN_IF_ERROR(FitItem(train, &item));
    for (const std::string& in : item.inputs) {
      bool seen = false;
      for (const Field& f : t.inputs_) seen = seen || f.name == in;
      if (!seen) t.inputs_.push_back({in, train.column(train.ColumnIndex(in)).type()});
    }
  }
  std::vector<std::string> all = t.outputs();
  for (size_t i = 0; i < all.size(); ++i) {
    if (std::find(all.begin(), all.begin() + static_cast<int64_t>(i), all[i]) != all.begin() + static_cast<int64_t>(i)) {
      return InvalidArgument(fmt::format("TRANSFORM: two outputs are named '{}'", all[i]));
    }
  }
  return t;
}

std::vector<std::string> FeatureTransform::outputs() const {
  std::vector<std::string> out;
  for (const Item& item : items_) {
    if (item.state.contains("names")) {
      for (const auto& n : item.state["names"]) out.push_back(n.get<std::string>());
    } else {
      out.push_back(item.output);
    }
  }
  return out;
}

Result<Table> FeatureTransform::Apply(const Table& input, const std::vector<std::string>& optional) const {
  Table out;
  std::vector<std::string> names;
  for (const Column& c : input.columns()) names.push_back(c.name());
  for (const Item& item : items_) {
    std::vector<const Column*> in;
    bool skip = false;
    for (const std::string& name : item.inputs) {
      const int i = input.ColumnIndex(name);
      if (i < 0) {
        if (std::find(optional.begin(), optional.end(), name) != optional.end()) {
          skip = true;
          break;
        }
        return InvalidArgument(fmt::format("the model's TRANSFORM needs input column '{}', which is "
                                           "missing.{}",
                                           name, DidYouMean(name, names)));
      }
      in.push_back(&input.column(i));
    }
    if (skip) continue;
    STRATA_RETURN_IF_ERROR(ApplyItem(item, in, &out));
  }
  return out;
}

nlohmann::json FeatureTransform::ToJson() const {
  nlohmann::json items = nlohmann::json::array();
  for (const Item& item : items_) {
    items.push_back({{"function", item.function},
                     {"inputs", item.inputs},
                     {"args", item.args},
                     {"output", item.output},
                     {"state", item.state}});
  }
  nlohmann::json inputs = nlohmann::json::array();
  for (const Field& f : inputs_) inputs.push_back({{"name", f.name}, {"type", DataTypeName(f.type)}});
  return {{"items", items}, {"inputs", inputs}};
}

Result<FeatureTransform> FeatureTransform::FromJson(const nlohmann::json& j) {
  FeatureTransform t;
  try {
    for (const auto& i : j.at("items")) {
      Item item;
      item.function = i.at("function").get<std::string>();
      item.inputs = i.at("inputs").get<std::vector<std::string>>();
      item.args = i.at("args");
      item.output = i.at("output").get<std::string>();
      item.state = i.at("state");
      t.items_.push_back(std::move(item));
    }
    for (const auto& f : j.at("inputs")) {
      auto type = ParseDataType(f.at("type").get<std::string>());
      if (!type) return DataLoss("TRANSFORM: unknown input type in the bundle");
      t.inputs_.push_back({f.at("name").get<std::string>(), *type});
    }
  } catch (const nlohmann::json::exception& e) {
    return DataLoss(std::string("TRANSFORM in the bundle is corrupt: ") + e.what());
  }
  return t;
}

}  // namespace strata
