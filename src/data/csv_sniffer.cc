#include "data/csv_sniffer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "common/text.h"
#include "data/csv_errors.h"
#include "data/csv_options.h"
#include "data/csv_type_inference.h"
#include "data/value_parser.h"

namespace strata {
namespace {

// Rows used to choose the delimiter: enough to see a ragged or quoted row, few enough that
// trying four delimiters costs nothing.
constexpr size_t kDelimiterRows = 64;
// The sample is read until it holds the sample rows or reaches this many bytes (or twice
// max_field_bytes, so that a row with one huge field still fits).
constexpr size_t kSampleMinCapBytes = size_t{32} << 20;

struct RowSpan {
  const char* begin;
  const char* end;
};

// The first bytes of the input, cut into rows.
struct Sample {
  std::string bytes;
  std::vector<RowSpan> rows;  // non-blank rows, line end removed
  bool eof = false;
  size_t complete_bytes = 0;  // bytes up to the end of the last complete row
};

bool IsBlank(const char* b, const char* e) { return b == e || (e - b == 1 && *b == '\r'); }

RowSpan MakeRow(const char* b, const char* e) {
  if (e > b && e[-1] == '\r') --e;
  return {b, e};
}

Status ReadSample(CsvSource& source, const CsvReadOptions& options, size_t read_step,
                  Sample* sample) {
  const auto want_rows = static_cast<size_t>(std::min<int64_t>(options.sample_rows, 1 << 30)) + 1;
  const size_t cap =
      std::max(kSampleMinCapBytes, 2 * static_cast<size_t>(options.max_field_bytes) + (1 << 20));
  read_step = std::max<size_t>(read_step, 4);
  std::string& buf = sample->bytes;
  std::vector<size_t> ends;  // offsets of row-ending '\n's
  size_t scanned = 0, row_start = 0, nonblank = 0;
  bool in_quote = false, first = true;
  const char quote = options.quote;
  const auto total = static_cast<size_t>(std::max<int64_t>(source.size(), 0));
  size_t read = 0;
  while (!sample->eof && nonblank < want_rows && buf.size() < cap) {
    // Do not allocate a whole step for a small input (the source size may be stale, so
    // this only shrinks the step, and a full read still means "maybe more").
    size_t left = total > read ? total - read : 0;
    size_t step = std::min(read_step, std::max<size_t>(4096, left + 1));
    size_t old = buf.size();
    buf.resize(old + step);
    STRATA_ASSIGN_OR_RETURN(size_t n, source.Read(buf.data() + old, step));
    buf.resize(old + n);
    read += n;
    sample->eof = n < step;
    if (first && buf.size() >= 3 && std::memcmp(buf.data(), "\xEF\xBB\xBF", 3) == 0) {
      buf.erase(0, 3);  // a UTF-8 byte order mark is not data
    }
    first = false;
    for (; scanned < buf.size() && nonblank < want_rows; ++scanned) {
      char c = buf[scanned];
      if (c == quote) {
        in_quote = !in_quote;
      } else if (c == '\n' && !in_quote) {
        ends.push_back(scanned);
        if (!IsBlank(buf.data() + row_start, buf.data() + scanned)) ++nonblank;
        row_start = scanned + 1;
      }
    }
  }
  // Row spans point into `buf`, which no longer changes size.
  size_t start = 0;
  for (size_t e : ends) {
    char* b = buf.data() + start;
    if (!IsBlank(b, buf.data() + e)) sample->rows.push_back(MakeRow(b, buf.data() + e));
    start = e + 1;
  }
  sample->complete_bytes = start;
  if (sample->eof && nonblank < want_rows &&
      !IsBlank(buf.data() + start, buf.data() + buf.size())) {
    sample->rows.push_back(MakeRow(buf.data() + start, buf.data() + buf.size()));
  }
  return Status::Ok();
}

CsvLocation Locate(std::string_view file, const Sample& sample, const char* p) {
  CsvLocation at{file, 1, 1};
  LocateInBuffer(sample.bytes.data(), p, 1, &at.line, &at.column);
  return at;
}

// Field counts of the first rows under `delimiter`; -1 for a row it cannot tokenize.
std::vector<int64_t> FieldCounts(const Sample& sample, char delimiter, char quote,
                                 size_t max_field_bytes) {
  std::vector<int64_t> counts;
  CsvFieldList fields;
  const char* where = nullptr;
  for (size_t r = 0; r < sample.rows.size() && r < kDelimiterRows; ++r) {
    CsvSyntax s = TokenizeCsvRow(sample.rows[r].begin, sample.rows[r].end, delimiter, quote,
                                 max_field_bytes, /*arena=*/nullptr, &fields, &where);
    counts.push_back(s == CsvSyntax::kOk ? static_cast<int64_t>(fields.size()) : -1);
  }
  return counts;
}

char ChooseDelimiter(const Sample& sample, const CsvReadOptions& options) {
  char best = ',';
  bool best_consistent = false;
  double best_fraction = 0;
  int64_t best_columns = 1;
  for (char d : kCsvSniffDelimiters) {
    if (d == options.quote) continue;
    std::vector<int64_t> counts =
        FieldCounts(sample, d, options.quote, static_cast<size_t>(options.max_field_bytes));
    std::map<int64_t, size_t> freq;
    for (int64_t c : counts) {
      if (c > 0) ++freq[c];
    }
    int64_t mode = 0;
    size_t mode_rows = 0;
    for (auto [columns, rows] : freq) {
      if (rows >= mode_rows) {  // ties go to more columns
        mode = columns;
        mode_rows = rows;
      }
    }
    if (mode <= 1 || counts.empty()) continue;
    bool consistent = mode_rows == counts.size();
    double fraction = static_cast<double>(mode_rows) / static_cast<double>(counts.size());
    bool better = false;
    if (consistent != best_consistent) {
      better = consistent;
    } else if (consistent) {
      better = mode > best_columns;
    } else {
      better = fraction > best_fraction || (fraction == best_fraction && mode > best_columns);
    }
    if (better) {
      best = d;
      best_consistent = consistent;
      best_fraction = fraction;
      best_columns = mode;
    }
  }
  return best;
}

// Header names made unique and non-empty; each change is a warning. Unique ignoring ASCII
// case, as SQL (and the workspace's SQLite tables) compare column names: "Age" and "age" in
// one file would otherwise stop `strata collect`.
std::vector<std::string> UniqueNames(const CsvFieldList& header,
                                     std::vector<std::string>* warnings) {
  std::set<std::string, std::less<>> original;
  for (const CsvField& f : header) original.emplace(AsciiLower(f.value()));
  std::set<std::string, std::less<>> used;
  std::vector<std::string> names;
  for (size_t c = 0; c < header.size(); ++c) {
    std::string name(header[c].value());
    std::string base = name.empty() ? fmt::format("column_{}", c + 1) : name;
    std::string chosen = base;
    bool clash = used.contains(AsciiLower(chosen)) ||
                 (name.empty() && original.contains(AsciiLower(chosen)));
    for (int k = 2; clash; ++k) {
      chosen = fmt::format("{}_{}", base, k);
      clash = used.contains(AsciiLower(chosen)) || original.contains(AsciiLower(chosen));
    }
    if (chosen != name) {
      warnings->push_back(CsvRenamedColumnWarning(static_cast<int>(c), name, chosen));
    }
    used.insert(AsciiLower(chosen));
    names.push_back(std::move(chosen));
  }
  return names;
}

}  // namespace

bool LooksLikeCsvHeader(const CsvFieldList& first,
                        const std::vector<std::optional<DataType>>& types, bool has_rows_below,
                        const NullTokenSet& nulls) {
  std::set<std::string_view> distinct;
  bool all_named = true;  // every value non-empty and distinct
  for (const CsvField& f : first) {
    if (f.size == 0 || !distinct.insert(f.value()).second) all_named = false;
  }
  if (!has_rows_below) {
    // Nothing to compare with: a row of distinct words is a header, "1,2,3" is data.
    if (!all_named) return false;
    for (const CsvField& f : first) {
      if (InferValueType(f.value()) != DataType::kString) return false;
    }
    return true;
  }
  bool all_string = true;
  for (size_t c = 0; c < first.size() && c < types.size(); ++c) {
    DataType t = ResolveCsvColumnType(types[c]);
    if (t == DataType::kString) continue;
    all_string = false;
    const CsvField& f = first[c];
    if (IsCsvNullFor(f, nulls, false)) continue;
    if (!FitsType(f.value(), t)) return true;
  }
  return all_string && all_named;
}

Result<CsvSniffResult> SniffCsv(CsvSource& source, const CsvReadOptions& options,
                                const NullTokenSet& nulls, size_t read_step) {
  const std::string& file = source.name();
  const char quote = options.quote;
  const auto max_field = static_cast<size_t>(options.max_field_bytes);
  Sample sample;
  STRATA_RETURN_IF_ERROR(ReadSample(source, options, read_step, &sample));
  if (sample.rows.empty()) {
    if (sample.eof) return CsvEmptyFileError(file);
    // Not even one row within the cap: the first row is oversized.
    char* b = sample.bytes.data();
    char* e = b + sample.bytes.size();
    const char* where = b;
    char d = options.delimiter.value_or(',');
    CsvSyntax s = DiagnoseOversizedRow(b, e, d, quote, max_field, &where);
    CsvLocation at = Locate(file, sample, where);
    if (s == CsvSyntax::kOk) return CsvRowTooLargeError(at, static_cast<int64_t>(e - b));
    return CsvSyntaxError(s, at, *where, d, quote, options.max_field_bytes);
  }

  CsvSniffResult result;
  result.delimiter = options.delimiter ? *options.delimiter : ChooseDelimiter(sample, options);
  const char d = result.delimiter;

  // Row 1 is kept; the rest stream through type inference twice at once: from row 2 (the
  // data rows if row 1 is a header) and from row 1 (if it is not). Inference is not
  // order-free (a huge integer after floats stays FLOAT64, before them it makes the column
  // STRING), so the second stream is not just the first plus row 1.
  CsvArena first_arena, row_arena;  // the first row's values live until the names are made
  CsvFieldList first;
  const char* where = nullptr;
  CsvSyntax syntax = TokenizeCsvRow(sample.rows[0].begin, sample.rows[0].end, d, quote, max_field,
                                    &first_arena, &first, &where);
  if (syntax != CsvSyntax::kOk) {
    return CsvSyntaxError(syntax, Locate(file, sample, where), *where, d, quote,
                          options.max_field_bytes);
  }
  result.first_row_line = Locate(file, sample, sample.rows[0].begin).line;
  const size_t ncols = first.size();
  const auto sample_rows = static_cast<size_t>(options.sample_rows);
  std::vector<std::optional<DataType>> below(ncols), from_first(ncols);
  MergeCsvRowTypes(first, nulls, &from_first);
  CsvFieldList fields;
  for (size_t r = 1; r < sample.rows.size() && r <= sample_rows; ++r) {
    row_arena.Reset();
    // Rows with syntax errors are left to the full parse, which reports them in context.
    if (TokenizeCsvRow(sample.rows[r].begin, sample.rows[r].end, d, quote, max_field, &row_arena,
                       &fields, &where) != CsvSyntax::kOk) {
      continue;
    }
    MergeCsvRowTypes(fields, nulls, &below);
    if (r < sample_rows) MergeCsvRowTypes(fields, nulls, &from_first);
  }
  switch (options.header) {
    case HeaderMode::kYes:
      result.header = true;
      break;
    case HeaderMode::kNo:
      result.header = false;
      break;
    case HeaderMode::kAuto:
      result.header = LooksLikeCsvHeader(first, below, sample.rows.size() > 1, nulls);
      break;
  }
  const std::vector<std::optional<DataType>>& types = result.header ? below : from_first;
  for (const std::optional<DataType>& t : types) result.types.push_back(ResolveCsvColumnType(t));

  if (result.header) {
    for (const CsvField& f : first) {
      size_t bad = FindInvalidUtf8InField(f.value());
      if (bad != std::string_view::npos) {
        return CsvInvalidUtf8Error(Locate(file, sample, CsvValueBytePosition(f, quote, bad)),
                                   static_cast<unsigned char>(f.data[bad]));
      }
    }
    result.names = UniqueNames(first, &result.warnings);
  } else {
    for (size_t c = 0; c < ncols; ++c) result.names.push_back(fmt::format("column_{}", c + 1));
  }
  size_t sampled_bytes = sample.complete_bytes > 0 ? sample.complete_bytes : sample.bytes.size();
  result.bytes_per_row =
      std::max(1.0, static_cast<double>(sampled_bytes) / static_cast<double>(sample.rows.size()));
  return result;
}

}  // namespace strata
