#include "data/csv_column_builder.h"

#include <fast_float/fast_float.h>

#include <algorithm>
#include <cmath>

#include "common/parallel.h"
#include "data/csv_fast_number.h"
#include "data/csv_type_inference.h"
#include "data/value_parser.h"

namespace strata {
namespace {

inline bool ParseInt64Fast(std::string_view v, int64_t* out) {
  return ParsePlainInt64(v.data(), v.size(), out) || ParseInt64Value(v, out);
}

inline bool ParseFloat64Fast(std::string_view v, double* out) {
  if (ParsePlainDecimal(v.data(), v.size(), out)) return true;
  // fast_float directly when the shared parser would only trim and check, else the latter.
  bool plain = !v.empty() && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')) && v.back() != ' ' &&
               v.back() != '\t';
  if (plain) {
    size_t s = v[0] == '-' ? 1 : 0;
    plain =
        s < v.size() && !(v[s] == '0' && v.size() > s + 1 && v[s + 1] >= '0' && v[s + 1] <= '9');
  }
  if (!plain) return ParseFloat64Value(v, out);
  auto r = fast_float::from_chars(v.data(), v.data() + v.size(), *out);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return ParseFloat64Value(v, out);
  return !std::isnan(*out);
}

}  // namespace

struct CsvTableBuilder::Worker {
  int64_t begin = 0, end = 0;  // the block rows this worker parsed
  CsvFieldList fields;
  CsvArena arena;                             // unescaped values, until the block is merged
  std::vector<LocalDictionary> dictionaries;  // per column (STRING columns only)
  std::vector<std::vector<int64_t>> nulls;    // per column: output rows that are null
  std::vector<int64_t> skipped;               // output rows dropped (kSkip)
  int64_t padded = 0;
  const char* first_bad_row = nullptr;
  std::vector<std::optional<DataType>> widen;  // per column
  std::vector<const char*> first_widening;     // per column
  CsvRowIssue issue;

  void Reset(size_t ncols) {
    for (LocalDictionary& d : dictionaries) {
      d.index.clear();
      d.values.clear();
    }
    dictionaries.resize(ncols);
    for (std::vector<int64_t>& n : nulls) n.clear();
    nulls.resize(ncols);
    skipped.clear();
    arena.Reset();
    padded = 0;
    first_bad_row = nullptr;
    widen.assign(ncols, std::nullopt);
    first_widening.assign(ncols, nullptr);
    issue = CsvRowIssue();
  }
};

CsvTableBuilder::CsvTableBuilder(std::vector<CsvColumnSpec> specs, const CsvReadOptions& options,
                                 char delimiter, const NullTokenSet& nulls, int max_tasks,
                                 size_t max_row_bytes)
    : specs_(std::move(specs)),
      delimiter_(delimiter),
      quote_(options.quote),
      max_field_bytes_(static_cast<size_t>(options.max_field_bytes)),
      max_row_bytes_(max_row_bytes),
      on_bad_row_(options.on_bad_row),
      nulls_(nulls),
      workers_(static_cast<size_t>(std::max(max_tasks, 1))),
      storage_(specs_.size()),
      widened_(specs_.size()),
      widening_seen_(specs_.size(), false) {
  columns_.reserve(specs_.size());
  for (const CsvColumnSpec& s : specs_) columns_.emplace_back(s.name, s.type);
}

CsvTableBuilder::~CsvTableBuilder() = default;

void CsvTableBuilder::Reserve(int64_t rows) {
  if (rows <= capacity_) return;
  capacity_ = rows;
  for (Column& col : columns_) {
    col.Reserve(rows);
    if (!col.validity().empty()) col.validity().reserve(static_cast<size_t>(rows));
  }
}

void CsvTableBuilder::Resize(int64_t rows, int tasks) {
  // Growing a column touches its new pages for the first time; on a 2-CPU VM the page
  // faults of a 1M x 22 table took 0.15 s, a fifth of the read, so the columns are grown
  // in parallel (different vectors, within their reserved capacity: no shared state).
  auto n = static_cast<size_t>(rows);
  ParallelFor(static_cast<int64_t>(columns_.size()), tasks, [&](int64_t b, int64_t e, int) {
    for (auto c = static_cast<size_t>(b); c < static_cast<size_t>(e); ++c) ResizeColumn(c, n);
  });
}

void CsvTableBuilder::ResizeColumn(size_t c, size_t n) {
  Column& col = columns_[c];
  Storage& s = storage_[c];
  switch (col.type()) {
    case DataType::kBool:
      col.bool_data().resize(n);
      s.bools = col.bool_data().data();
      break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kDate:
      col.int64_data().resize(n);
      s.ints = col.int64_data().data();
      s.type = col.type();
      break;
    case DataType::kFloat64:
      col.float64_data().resize(n);
      s.doubles = col.float64_data().data();
      break;
    case DataType::kString:
      col.codes().resize(n);
      s.codes = col.codes().data();
      break;
  }
}

CsvBlockResult CsvTableBuilder::ParseBlock(const std::vector<CsvRow>& rows, int tasks,
                                           int64_t capacity_hint) {
  CsvBlockResult result;
  const auto n = static_cast<int64_t>(rows.size());
  if (n == 0) return result;
  if (size_ + n > capacity_) Reserve(std::max(size_ + n, capacity_hint));
  const int64_t max_tasks = std::min(n, static_cast<int64_t>(workers_.size()));
  tasks = static_cast<int>(std::clamp<int64_t>(tasks, 1, max_tasks));
  // Threads only pay off for large blocks (page faults); small ones are grown in place.
  const int64_t cells = n * static_cast<int64_t>(specs_.size());
  Resize(size_ + n, cells >= (int64_t{1} << 16) ? tasks : 1);
  for (int t = 0; t < tasks; ++t) workers_[static_cast<size_t>(t)].Reset(specs_.size());
  ParallelFor(n, tasks, [&](int64_t begin, int64_t end, int worker) {
    ParseRange(workers_[static_cast<size_t>(worker)], rows, begin, end);
  });
  // Ranges are contiguous and in worker order, so the first worker with an issue has the
  // earliest one.
  for (int t = 0; t < tasks; ++t) {
    if (workers_[static_cast<size_t>(t)].issue.kind != CsvRowIssue::Kind::kNone) {
      result.issue = workers_[static_cast<size_t>(t)].issue;
      return result;
    }
  }
  MergeBlock(tasks, n, &result);
  return result;
}

void CsvTableBuilder::ParseRange(Worker& w, const std::vector<CsvRow>& rows, int64_t begin,
                                 int64_t end) {
  w.begin = begin;
  w.end = end;
  const auto ncols = static_cast<int64_t>(specs_.size());
  for (int64_t i = begin; i < end; ++i) {
    const CsvRow& row = rows[static_cast<size_t>(i)];
    if (static_cast<size_t>(row.end - row.begin) > max_row_bytes_) {
      w.issue.kind = CsvRowIssue::Kind::kOversized;
      w.issue.row = i;
      w.issue.where = row.begin;
      w.issue.row_end = row.end;
      return;
    }
    const char* where = nullptr;
    CsvSyntax syntax = TokenizeCsvRow(row.begin, row.end, delimiter_, quote_, max_field_bytes_,
                                      &w.arena, &w.fields, &where);
    if (syntax != CsvSyntax::kOk) {
      w.issue.kind = CsvRowIssue::Kind::kSyntax;
      w.issue.row = i;
      w.issue.where = where;
      w.issue.syntax = syntax;
      return;
    }
    const int64_t out = size_ + i;
    auto nfields = static_cast<int64_t>(w.fields.size());
    if (nfields != ncols) {
      if (on_bad_row_ == BadRowPolicy::kError) {
        w.issue.kind = CsvRowIssue::Kind::kRagged;
        w.issue.row = i;
        // Point at the first extra field, or at the line end where fields are missing.
        w.issue.where = nfields > ncols ? w.fields[static_cast<size_t>(ncols)].begin : row.end;
        w.issue.fields = nfields;
        return;
      }
      if (w.first_bad_row == nullptr) w.first_bad_row = row.begin;
      if (on_bad_row_ == BadRowPolicy::kSkip) {
        w.skipped.push_back(out);
        continue;
      }
      ++w.padded;
      for (int64_t c = nfields; c < ncols; ++c) w.nulls[static_cast<size_t>(c)].push_back(out);
      nfields = std::min(nfields, ncols);
    }
    for (int64_t c = 0; c < nfields; ++c) {
      const CsvField& f = w.fields[static_cast<size_t>(c)];
      const Storage& s = storage_[static_cast<size_t>(c)];
      if (!f.quoted() && !nulls_.Contains(f.data, f.size)) {
        if (s.doubles != nullptr && ParsePlainDecimal(f.data, f.size, &s.doubles[out])) continue;
        if (s.type == DataType::kInt64 && ParsePlainInt64(f.data, f.size, &s.ints[out])) continue;
      }
      if (!Convert(w, static_cast<int>(c), f, out, i)) return;
    }
  }
}

bool CsvTableBuilder::Convert(Worker& w, int c, const CsvField& f, int64_t out, int64_t row) {
  const CsvColumnSpec& spec = specs_[static_cast<size_t>(c)];
  const Storage& s = storage_[static_cast<size_t>(c)];
  const bool is_string = spec.type == DataType::kString;
  if (IsCsvNullFor(f, nulls_, is_string)) {
    w.nulls[static_cast<size_t>(c)].push_back(out);
    return true;
  }
  const std::string_view v = f.value();
  bool ok = false;
  switch (spec.type) {
    case DataType::kFloat64:
      ok = ParseFloat64Fast(v, &s.doubles[out]);
      break;
    case DataType::kInt64:
      ok = ParseInt64Fast(v, &s.ints[out]);
      break;
    case DataType::kDate:
      ok = ParseDateValue(v, &s.ints[out]);
      break;
    case DataType::kTimestamp:
      ok = ParseTimestampValue(v, &s.ints[out]);
      break;
    case DataType::kBool: {
      bool b = false;
      ok = ParseBoolValue(v, &b);
      s.bools[out] = b ? 1 : 0;
      break;
    }
    case DataType::kString: {
      LocalDictionary& d = w.dictionaries[static_cast<size_t>(c)];
      auto [it, inserted] = d.index.try_emplace(v, static_cast<uint32_t>(d.values.size()));
      if (inserted) {
        // Validating each distinct value once per block keeps UTF-8 checks off the hot path
        // of repetitive (categorical) columns.
        size_t bad = FindInvalidUtf8InField(v);
        if (bad != std::string_view::npos) {
          w.issue.kind = CsvRowIssue::Kind::kUtf8;
          w.issue.row = row;
          w.issue.where = CsvValueBytePosition(f, quote_, bad);
          w.issue.byte = static_cast<unsigned char>(v[bad]);
          return false;
        }
        d.values.push_back(v);
      }
      s.codes[out] = it->second;
      return true;
    }
  }
  if (ok) return true;
  if (spec.overridden) {
    w.issue.kind = CsvRowIssue::Kind::kOverride;
    w.issue.row = row;
    w.issue.where = f.begin;
    w.issue.column = c;
    w.issue.value = v;
    return false;
  }
  // Join the value's own type, not MergeValueType: that tries the type so far first, so
  // "1.5" then a 30-digit integer gives FLOAT64, the reverse STRING, and the result would
  // depend on how the file is split among blocks and threads (found by csv_fuzzer). The
  // join is order-free, and keeps the huge integer as text, as inference does.
  std::optional<DataType>& widen = w.widen[static_cast<size_t>(c)];
  widen = WidenType(widen.value_or(spec.type), InferValueType(v));
  if (w.first_widening[static_cast<size_t>(c)] == nullptr) {
    w.first_widening[static_cast<size_t>(c)] = f.begin;
  }
  return true;
}

void CsvTableBuilder::MergeBlock(int tasks, int64_t block_rows, CsvBlockResult* result) {
  const int64_t end = size_ + block_rows;
  std::vector<uint32_t> remap;
  for (size_t c = 0; c < specs_.size(); ++c) {
    Column& col = columns_[c];
    if (specs_[c].type == DataType::kString) {
      StringDictionary& dict = col.dictionary();
      uint32_t* codes = storage_[c].codes;
      for (int t = 0; t < tasks; ++t) {
        const Worker& w = workers_[static_cast<size_t>(t)];
        const std::vector<std::string_view>& values = w.dictionaries[c].values;
        if (values.empty()) continue;
        remap.resize(values.size());
        bool identity = true;
        for (size_t k = 0; k < values.size(); ++k) {
          remap[k] = dict.Intern(values[k]);
          identity = identity && remap[k] == k;
        }
        if (identity) continue;
        // Null and skipped rows hold code 0, which is a valid index here; their codes are
        // never read.
        for (int64_t r = size_ + w.begin; r < size_ + w.end; ++r) codes[r] = remap[codes[r]];
      }
    }
    size_t null_count = 0;
    for (int t = 0; t < tasks; ++t) {
      null_count += workers_[static_cast<size_t>(t)].nulls[c].size();
    }
    std::vector<uint8_t>& valid = col.validity();
    // Rows before this block had no nulls, or the mask would exist (and be non-empty:
    // blocks are never empty).
    if (null_count > 0 && valid.empty()) valid.reserve(static_cast<size_t>(capacity_));
    if (null_count > 0 || !valid.empty()) {
      valid.resize(static_cast<size_t>(end), 1);
      for (int t = 0; t < tasks; ++t) {
        for (int64_t r : workers_[static_cast<size_t>(t)].nulls[c]) {
          valid[static_cast<size_t>(r)] = 0;
        }
      }
    }
    for (int t = 0; t < tasks; ++t) {
      const Worker& w = workers_[static_cast<size_t>(t)];
      if (!w.widen[c]) continue;
      widened_[c] = widened_[c] ? WidenType(*widened_[c], *w.widen[c]) : *w.widen[c];
      if (!widening_seen_[c]) {
        widening_seen_[c] = true;
        result->first_widenings.emplace_back(static_cast<int>(c), w.first_widening[c]);
      }
    }
  }
  std::vector<int64_t> skipped;
  const bool none_before = skipped_ + padded_ == 0;
  for (int t = 0; t < tasks; ++t) {
    const Worker& w = workers_[static_cast<size_t>(t)];
    if (w.first_bad_row != nullptr && result->first_bad_row == nullptr && none_before) {
      result->first_bad_row = w.first_bad_row;
    }
    skipped.insert(skipped.end(), w.skipped.begin(), w.skipped.end());
    padded_ += w.padded;
  }
  skipped_ += static_cast<int64_t>(skipped.size());
  if (!skipped.empty()) Compact(skipped, end);
  size_ = end - static_cast<int64_t>(skipped.size());
}

namespace {

// Removes the rows in `skipped` (ascending, all in [skipped[0], end)) from v[...end).
template <typename T>
void CompactVector(std::vector<T>& v, const std::vector<int64_t>& skipped, int64_t end) {
  if (v.empty()) return;
  size_t next = 0;
  int64_t write = skipped[0];
  for (int64_t r = skipped[0]; r < end; ++r) {
    if (next < skipped.size() && skipped[next] == r) {
      ++next;
      continue;
    }
    v[static_cast<size_t>(write++)] = v[static_cast<size_t>(r)];
  }
  v.resize(static_cast<size_t>(write));
}

}  // namespace

void CsvTableBuilder::Compact(const std::vector<int64_t>& skipped, int64_t end) {
  for (Column& col : columns_) {
    CompactVector(col.validity(), skipped, end);
    switch (col.type()) {
      case DataType::kBool:
        CompactVector(col.bool_data(), skipped, end);
        break;
      case DataType::kInt64:
      case DataType::kTimestamp:
      case DataType::kDate:
        CompactVector(col.int64_data(), skipped, end);
        break;
      case DataType::kFloat64:
        CompactVector(col.float64_data(), skipped, end);
        break;
      case DataType::kString:
        CompactVector(col.codes(), skipped, end);
        break;
    }
  }
}

Result<Table> CsvTableBuilder::Finish() {
  Resize(size_, 1);
  Table table;
  for (Column& col : columns_) {
    col.SetSize(size_);
    col.CompactValidity();
    STRATA_RETURN_IF_ERROR(table.AddColumn(std::move(col)));
  }
  columns_.clear();
  return table;
}

}  // namespace strata
