// Training/evaluation/test splits with BigQuery ML's DATA_SPLIT_METHOD semantics.
#include "strata/split.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <unordered_map>

#include "common/random.h"
#include "strata/suggest.h"

namespace strata {
namespace {

// BigQuery ML's AUTO_SPLIT thresholds.
constexpr int64_t kAutoNoSplitBelow = 500;
constexpr int64_t kAutoFractionUpTo = 50'000;
constexpr int64_t kAutoLargeEvalRows = 10'000;
constexpr double kAutoEvalFraction = 0.2;

void Shuffle(std::vector<int64_t>& rows, std::mt19937_64& rng) {
  for (int64_t i = static_cast<int64_t>(rows.size()) - 1; i > 0; --i) {
    std::swap(rows[i], rows[UniformIndex(rng, i + 1)]);
  }
}

// Groups row numbers by label value (NULL labels form their own group), in order of first
// appearance, so stratification does not depend on hashing order.
std::vector<std::vector<int64_t>> GroupByLabel(const Column& label) {
  std::unordered_map<int64_t, size_t> group_of;
  std::vector<std::vector<int64_t>> groups;
  std::vector<int64_t> nulls;
  for (int64_t r = 0; r < label.size(); ++r) {
    if (label.IsNull(r)) {
      nulls.push_back(r);
      continue;
    }
    int64_t key = 0;
    switch (label.type()) {
      case DataType::kString: key = label.GetCode(r); break;
      case DataType::kBool: key = label.GetBool(r) ? 1 : 0; break;
      case DataType::kFloat64: {
        double v = label.GetFloat64(r);
        std::memcpy(&key, &v, sizeof key);
        break;
      }
      default: key = label.GetInt64(r); break;
    }
    auto [it, inserted] = group_of.try_emplace(key, groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(r);
  }
  if (!nulls.empty()) groups.push_back(std::move(nulls));
  return groups;
}

// Takes round(fraction * size) rows of each group at random for `out`, leaving the rest in
// the group. Every group keeps at least one row when it has more than one.
void TakeFraction(std::vector<std::vector<int64_t>>& groups, double fraction,
                  std::mt19937_64& rng, RowIndices& out) {
  for (auto& group : groups) {
    Shuffle(group, rng);
    auto n = static_cast<int64_t>(group.size());
    auto take = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
    if (take >= n && n > 1) take = n - 1;
    out.insert(out.end(), group.end() - take, group.end());
    group.resize(static_cast<size_t>(n - take));
  }
}

Status CheckFraction(const char* option, double value) {
  if (!(value > 0 && value < 1)) {
    return InvalidArgument(fmt::format("option {} = {} is out of range: expected a fraction "
                                       "strictly between 0 and 1",
                                       option, value));
  }
  return Status::Ok();
}

Result<const Column*> SplitColumn(const Table& table, const SplitSpec& spec) {
  if (spec.column.empty()) {
    return InvalidArgument(fmt::format("data_split_method = {} needs option data_split_col "
                                       "(the column that decides the split)",
                                       SplitMethodName(spec.method)));
  }
  int index = table.ColumnIndex(spec.column);
  if (index < 0) {
    std::vector<std::string> names;
    for (const Column& c : table.columns()) names.push_back(c.name());
    return NotFound(fmt::format("data_split_col '{}' is not a column of the training data.{}",
                                spec.column, DidYouMean(spec.column, names)));
  }
  return &table.column(index);
}

// Whether a before b when sorting by the SEQ column: NULLs first (as ORDER BY ... ASC),
// ties keep row order.
bool SeqLess(const Column& c, int64_t a, int64_t b) {
  bool na = c.IsNull(a), nb = c.IsNull(b);
  if (na || nb) return na && !nb;
  switch (c.type()) {
    case DataType::kString: return c.GetString(a) < c.GetString(b);
    case DataType::kBool: return c.GetBool(a) < c.GetBool(b);
    case DataType::kFloat64: return c.GetFloat64(a) < c.GetFloat64(b);
    default: return c.GetInt64(a) < c.GetInt64(b);
  }
}

}  // namespace

Result<SplitResult> SplitRows(const Table& table, const SplitSpec& spec, const std::string& label,
                              bool classification, uint64_t seed) {
  const int64_t n = table.num_rows();
  if (n == 0) return InvalidArgument("cannot split the training data: it has no rows");
  if (spec.test_fraction != 0) STRATA_RETURN_IF_ERROR(CheckFraction("data_split_test_fraction", spec.test_fraction));

  SplitResult result;
  SplitMethod method = spec.method;
  double eval_fraction = spec.eval_fraction;
  if (method == SplitMethod::kAutoSplit) {
    if (n < kAutoNoSplitBelow) {
      method = SplitMethod::kNoSplit;
    } else {
      method = SplitMethod::kRandom;
      eval_fraction = n <= kAutoFractionUpTo ? kAutoEvalFraction
                                              : static_cast<double>(kAutoLargeEvalRows) / n;
    }
  }
  result.method_used = method;
  std::mt19937_64 rng(seed);

  switch (method) {
    case SplitMethod::kNoSplit:
      result.train.resize(static_cast<size_t>(n));
      for (int64_t r = 0; r < n; ++r) result.train[r] = r;
      break;

    case SplitMethod::kAutoSplit:  // resolved above
    case SplitMethod::kRandom: {
      STRATA_RETURN_IF_ERROR(CheckFraction("data_split_eval_fraction", eval_fraction));
      std::vector<std::vector<int64_t>> groups;
      int label_index = label.empty() ? -1 : table.ColumnIndex(label);
      if (classification && spec.stratify && label_index >= 0) {
        groups = GroupByLabel(table.column(label_index));
      } else {
        groups.emplace_back(static_cast<size_t>(n));
        for (int64_t r = 0; r < n; ++r) groups[0][r] = r;
      }
      TakeFraction(groups, eval_fraction, rng, result.eval);
      if (spec.test_fraction > 0) {
        // The test fraction is of the whole table: rescale it to what remains.
        double rest = spec.test_fraction / (1.0 - eval_fraction);
        if (rest >= 1) {
          return InvalidArgument(fmt::format(
              "data_split_eval_fraction ({}) + data_split_test_fraction ({}) leave no training "
              "rows: their sum must be below 1",
              eval_fraction, spec.test_fraction));
        }
        TakeFraction(groups, rest, rng, result.test);
      }
      for (auto& group : groups) result.train.insert(result.train.end(), group.begin(), group.end());
      break;
    }

    case SplitMethod::kSeq: {
      STRATA_RETURN_IF_ERROR(CheckFraction("data_split_eval_fraction", eval_fraction));
      STRATA_ASSIGN_OR_RETURN(const Column* column, SplitColumn(table, spec));
      std::vector<int64_t> order(static_cast<size_t>(n));
      for (int64_t r = 0; r < n; ++r) order[r] = r;
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t b) { return SeqLess(*column, a, b); });
      auto eval_rows = static_cast<int64_t>(std::llround(eval_fraction * n));
      auto test_rows = static_cast<int64_t>(std::llround(spec.test_fraction * n));
      int64_t train_rows = n - eval_rows - test_rows;
      if (train_rows <= 0) {
        return InvalidArgument("data_split_eval_fraction + data_split_test_fraction leave no "
                               "training rows: their sum must be below 1");
      }
      // Oldest rows train, then evaluation, newest rows test.
      result.train.assign(order.begin(), order.begin() + train_rows);
      result.eval.assign(order.begin() + train_rows, order.begin() + train_rows + eval_rows);
      result.test.assign(order.begin() + train_rows + eval_rows, order.end());
      break;
    }

    case SplitMethod::kCustom: {
      STRATA_ASSIGN_OR_RETURN(const Column* column, SplitColumn(table, spec));
      // SQLite has no BOOL type: a SQL expression such as `x % 5 = 0 AS is_eval` gives
      // integers, and 0/1 integers mean FALSE/TRUE there.
      bool zero_one = column->type() == DataType::kInt64;
      for (int64_t r = 0; zero_one && r < n; ++r) {
        zero_one = column->IsNull(r) || column->GetInt64(r) == 0 || column->GetInt64(r) == 1;
      }
      if (column->type() != DataType::kBool && !zero_one) {
        return InvalidArgument(fmt::format(
            "data_split_col '{}' is {}, but data_split_method = CUSTOM needs a BOOL column "
            "(TRUE or NULL: evaluation row, FALSE: training row; 1 and 0 also do)",
            spec.column, DataTypeName(column->type())));
      }
      for (int64_t r = 0; r < n; ++r) {
        const bool eval = column->IsNull(r) ||
                          (zero_one ? column->GetInt64(r) == 1 : column->GetBool(r));
        (eval ? result.eval : result.train).push_back(r);
      }
      break;
    }
  }

  std::sort(result.train.begin(), result.train.end());
  std::sort(result.eval.begin(), result.eval.end());
  std::sort(result.test.begin(), result.test.end());
  if (result.train.empty()) {
    return InvalidArgument(fmt::format("the {} split leaves no training rows ({} rows in all)",
                                       SplitMethodName(method), n));
  }
  if (method != SplitMethod::kNoSplit && result.eval.empty()) {
    return InvalidArgument(fmt::format(
        "the {} split leaves no evaluation rows ({} rows in all); use data_split_method = "
        "NO_SPLIT to evaluate on the training data",
        SplitMethodName(method), n));
  }
  return result;
}

Result<std::vector<int>> AssignFolds(const Table& table, int folds, const std::string& label,
                                     bool classification, uint64_t seed) {
  const int64_t n = table.num_rows();
  if (folds < 2 || folds > n) {
    return InvalidArgument(fmt::format("cross-validation needs between 2 and {} folds (the number "
                                       "of rows), not {}",
                                       n, folds));
  }
  std::vector<std::vector<int64_t>> groups;
  if (classification && !label.empty()) {
    STRATA_ASSIGN_OR_RETURN(const Column* column, table.GetColumn(label));
    groups = GroupByLabel(*column);
  } else {
    groups.emplace_back(static_cast<size_t>(n));
    for (int64_t r = 0; r < n; ++r) groups[0][r] = r;
  }
  std::mt19937_64 rng(seed);
  std::vector<int> fold(static_cast<size_t>(n), 0);
  // Deal each shuffled class over the folds, continuing where the previous class stopped,
  // so fold sizes differ by at most one row.
  int next = 0;
  for (auto& group : groups) {
    Shuffle(group, rng);
    for (int64_t r : group) {
      fold[r] = next;
      next = (next + 1) % folds;
    }
  }
  return fold;
}

}  // namespace strata
