// ReadCsv: sniff the start of the input, then parse it block by block; if a value after the
// sample contradicted a column's type, parse it again with the widened types.
//
// Per block: read into a bounded buffer after the partial row left by the previous block,
// find the row ends in parallel (RowSplitter), convert the complete rows in parallel
// (CsvTableBuilder), and carry the partial row over. Memory is the table, one block, and a
// row: a row longer than a block grows the buffer, up to max_field_bytes per column.
#include "data/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <vector>

#include "common/parallel.h"
#include "data/csv_column_builder.h"
#include "data/csv_errors.h"
#include "data/csv_options.h"
#include "data/csv_scanner.h"
#include "data/csv_sniffer.h"

namespace strata {
namespace {

// More threads than this only add start-up cost; it also bounds a silly option value.
constexpr int kMaxThreads = 256;
// Room for a row beyond its fields' bytes (delimiters, quotes) before it counts as too large.
constexpr size_t kRowSlackBytes = size_t{1} << 20;

// The smallest read, so that a file that grows while it is read is not read byte by byte.
constexpr size_t kMinReadBytes = size_t{64} << 10;

size_t RemainingBytes(int64_t done, int64_t total) {
  return static_cast<size_t>(std::max<int64_t>(0, total - done));
}

bool IsBlank(const char* b, const char* e) { return b == e || (e - b == 1 && *b == '\r'); }

// The raw input buffer: a plain array, since a std::vector would zero every block first.
class RawBuffer {
 public:
  char* data() { return data_.get(); }
  // Makes room for `size` bytes, keeping the first `keep`.
  void Ensure(size_t size, size_t keep) {
    if (size <= capacity_) return;
    size_t grown = std::max(size, capacity_ + capacity_ / 2);
    std::unique_ptr<char[]> bigger(new char[grown]);
    if (keep > 0) std::memcpy(bigger.get(), data_.get(), keep);
    data_ = std::move(bigger);
    capacity_ = grown;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
};

// What one pass learned besides the table.
struct PassState {
  std::vector<int64_t> widen_lines;  // per column: line of the first contradicting value
  int64_t first_bad_line = 0;        // line of the first skipped or padded row
  int64_t rows_seen = 0;             // data rows, skipped ones included
};

class CsvReader {
 public:
  CsvReader(CsvSource& source, const CsvReadOptions& options, const CsvReaderTuning& tuning)
      : source_(source), options_(options), tuning_(tuning), nulls_(options.null_tokens) {}

  Result<Table> Read(CsvReadReport* report);

 private:
  Status RunPass(const std::vector<CsvColumnSpec>& specs, int pass, CsvTableBuilder* builder,
                 PassState* state);
  Status IssueStatus(const CsvRowIssue& issue, const char* buffer, int64_t line_base,
                     const std::vector<CsvColumnSpec>& specs) const;
  Status OversizedRowStatus(const char* buffer, const char* begin, const char* end,
                            int64_t line_base, size_t limit) const;
  CsvLocation Locate(const char* buffer, const char* p, int64_t line_base) const {
    CsvLocation at{source_.name(), 1, 1};
    LocateInBuffer(buffer, p, line_base, &at.line, &at.column);
    return at;
  }
  // The longest row accepted: a full field and a delimiter per column, plus slack, so any
  // row with the header's field count fits (the header itself included). It bounds the
  // buffer when a row spans blocks.
  size_t RowLimit(size_t ncols) const {
    const auto per_column = static_cast<size_t>(options_.max_field_bytes) + 1;
    ncols = std::max<size_t>(ncols, 1);
    constexpr size_t kCap = std::numeric_limits<size_t>::max() / 4;
    return per_column > kCap / ncols ? kCap : per_column * ncols + kRowSlackBytes;
  }
  // Rows expected in the whole input, from the rows and bytes seen so far. Over-estimating
  // is cheap (reserved pages are not touched); under-estimating copies the columns.
  static int64_t EstimateRows(int64_t rows, double bytes_per_row, int64_t bytes_done,
                              int64_t total) {
    int64_t remaining = std::max<int64_t>(0, total - bytes_done);
    auto more = static_cast<int64_t>(static_cast<double>(remaining) / bytes_per_row * 1.1);
    // A non-blank row takes at least two bytes.
    return rows + std::min(more, remaining / 2 + 1) + 16;
  }

  CsvSource& source_;
  const CsvReadOptions& options_;
  const CsvReaderTuning& tuning_;
  NullTokenSet nulls_;
  CsvSniffResult sniff_;
  int threads_ = 1;
  RawBuffer buffer_;
  RowSplitter splitter_;
};

Result<Table> CsvReader::Read(CsvReadReport* report) {
  const std::string& file = source_.name();
  STRATA_RETURN_IF_ERROR(ValidateCsvReadOptions(file, options_));
  threads_ = std::min(ResolveThreads(options_.threads), kMaxThreads);
  STRATA_ASSIGN_OR_RETURN(sniff_, SniffCsv(source_, options_, nulls_, tuning_.sample_read_bytes));

  std::vector<CsvColumnSpec> specs;
  for (size_t c = 0; c < sniff_.names.size(); ++c) {
    specs.push_back({sniff_.names[c], sniff_.types[c], false});
  }
  for (const auto& [name, type] : options_.type_overrides) {
    auto it = std::find(sniff_.names.begin(), sniff_.names.end(), name);
    if (it == sniff_.names.end()) return CsvUnknownOverrideError(file, name, sniff_.names);
    CsvColumnSpec& spec = specs[static_cast<size_t>(it - sniff_.names.begin())];
    spec.type = type;
    spec.overridden = true;
  }

  std::vector<std::string> widened_notes;
  for (int pass = 0;; ++pass) {
    CsvTableBuilder builder(specs, options_, sniff_.delimiter, nulls_, threads_,
                            RowLimit(specs.size()));
    builder.Reserve(EstimateRows(0, sniff_.bytes_per_row, 0, source_.size()));
    PassState state;
    state.widen_lines.assign(specs.size(), 0);
    STRATA_RETURN_IF_ERROR(RunPass(specs, pass, &builder, &state));

    bool widened = false;
    for (size_t c = 0; c < specs.size(); ++c) {
      const std::optional<DataType>& need = builder.widened()[c];
      if (!need || *need == specs[c].type) continue;
      // Every contradicting value was merged into `need`, so one more pass suffices; from
      // the third pass on, STRING guarantees the loop ends whatever happens.
      DataType to = pass >= 1 ? DataType::kString : WidenType(specs[c].type, *need);
      widened_notes.push_back(
          CsvWidenedNote(specs[c].name, specs[c].type, to, state.widen_lines[c]));
      specs[c].type = to;
      widened = true;
    }
    if (widened) continue;

    STRATA_ASSIGN_OR_RETURN(Table table, builder.Finish());
    if (report != nullptr) {
      report->delimiter = sniff_.delimiter;
      report->header = sniff_.header;
      report->rows = table.num_rows();
      report->skipped_rows = builder.skipped_rows();
      report->padded_rows = builder.padded_rows();
      report->bytes = source_.size();
      report->widened = std::move(widened_notes);
      report->warnings = sniff_.warnings;
      if (builder.skipped_rows() > 0) {
        report->warnings.push_back(
            CsvSkippedRowsWarning(builder.skipped_rows(), state.first_bad_line));
      }
      if (builder.padded_rows() > 0) {
        report->warnings.push_back(
            CsvPaddedRowsWarning(builder.padded_rows(), state.first_bad_line));
      }
    }
    return table;
  }
}

Status CsvReader::RunPass(const std::vector<CsvColumnSpec>& specs, int pass,
                          CsvTableBuilder* builder, PassState* state) {
  STRATA_RETURN_IF_ERROR(source_.Rewind());
  const int64_t total = source_.size();
  const size_t block = std::max<size_t>(tuning_.block_bytes, 4);
  const size_t row_limit = RowLimit(specs.size());
  const std::string_view stage = pass == 0 ? "reading" : "re-reading";

  size_t carry = 0, read_size = block;
  bool eof = false, first = true, header_pending = sniff_.header;
  int64_t line_base = 1, bytes_done = 0;
  std::vector<CsvRow> rows;
  CsvRowEnds ends;
  while (!eof) {
    // Small inputs get a small buffer (a 16 MiB block for a 1 KiB file would cost more than
    // parsing it); a file that grew since it was opened is still read to its end.
    size_t remaining = RemainingBytes(bytes_done + static_cast<int64_t>(carry), total);
    read_size = std::min(read_size, std::max(kMinReadBytes, remaining + 1));
    buffer_.Ensure(carry + read_size, carry);
    char* buf = buffer_.data();
    STRATA_ASSIGN_OR_RETURN(size_t n, source_.ReadParallel(buf + carry, read_size, threads_));
    eof = n < read_size;
    size_t len = carry + n;
    if (first) {
      first = false;
      if (len >= 3 && std::memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        std::memmove(buf, buf + 3, len - 3);
        len -= 3;
        bytes_done += 3;
      }
    }
    splitter_.Split(buf, len, options_.quote, threads_, tuning_.min_split_bytes, &ends);
    rows.clear();
    auto add_row = [&](size_t b, size_t e) {
      if (IsBlank(buf + b, buf + e)) return;
      if (header_pending) {  // checked by the sniffer already
        header_pending = false;
        return;
      }
      char* end = buf + e;
      if (end > buf + b && end[-1] == '\r') --end;
      rows.push_back({buf + b, end});
    };
    size_t consumed = 0;
    for (size_t e : ends.ends) {
      add_row(consumed, e);
      consumed = e + 1;
    }
    if (eof) {
      add_row(consumed, len);
      consumed = len;
    }

    if (!rows.empty()) {
      const auto nrows = static_cast<int64_t>(rows.size());
      state->rows_seen += nrows;
      int64_t tasks =
          std::clamp<int64_t>(nrows / std::max<int64_t>(tuning_.min_rows_per_task, 1), 1, threads_);
      int64_t hint = EstimateRows(builder->rows() + nrows,
                                  static_cast<double>(bytes_done + static_cast<int64_t>(consumed)) /
                                      static_cast<double>(builder->rows() + nrows),
                                  bytes_done + static_cast<int64_t>(consumed), total);
      CsvBlockResult result = builder->ParseBlock(rows, static_cast<int>(tasks), hint);
      if (result.issue.kind != CsvRowIssue::Kind::kNone) {
        return IssueStatus(result.issue, buf, line_base, specs);
      }
      for (auto [c, where] : result.first_widenings) {
        state->widen_lines[static_cast<size_t>(c)] = Locate(buf, where, line_base).line;
      }
      if (result.first_bad_row != nullptr) {
        state->first_bad_line = Locate(buf, result.first_bad_row, line_base).line;
      }
    }

    line_base += ends.newlines - std::count(buf + consumed, buf + len, '\n');
    bytes_done += static_cast<int64_t>(consumed);
    carry = len - consumed;
    if (carry > 0 && consumed > 0) std::memmove(buf, buf + consumed, carry);
    if (carry > row_limit) return OversizedRowStatus(buf, buf, buf + carry, line_base, row_limit);
    // A row longer than a block: read as much again, so a long row costs linear time.
    read_size = std::max(block, carry);
    if (options_.progress) options_.progress(Progress{stage, bytes_done, total});
  }
  if (sniff_.header && state->rows_seen == 0) {
    return CsvHeaderOnlyError(source_.name(), sniff_.first_row_line);
  }
  return Status::Ok();
}

Status CsvReader::IssueStatus(const CsvRowIssue& issue, const char* buffer, int64_t line_base,
                              const std::vector<CsvColumnSpec>& specs) const {
  CsvLocation at = Locate(buffer, issue.where, line_base);
  switch (issue.kind) {
    case CsvRowIssue::Kind::kSyntax:
      return CsvSyntaxError(issue.syntax, at, *issue.where, sniff_.delimiter, options_.quote,
                            options_.max_field_bytes);
    case CsvRowIssue::Kind::kRagged:
      return CsvRaggedRowError(at, issue.fields, static_cast<int64_t>(specs.size()), sniff_.header,
                               sniff_.first_row_line, sniff_.delimiter);
    case CsvRowIssue::Kind::kOverride: {
      const CsvColumnSpec& spec = specs[static_cast<size_t>(issue.column)];
      return CsvOverrideValueError(at, spec.name, issue.value, spec.type);
    }
    case CsvRowIssue::Kind::kUtf8:
      return CsvInvalidUtf8Error(at, issue.byte);
    case CsvRowIssue::Kind::kOversized:
      return OversizedRowStatus(buffer, issue.where, issue.row_end, line_base,
                                RowLimit(specs.size()));
    case CsvRowIssue::Kind::kNone:
      break;
  }
  return Status::Ok();
}

Status CsvReader::OversizedRowStatus(const char* buffer, const char* begin, const char* end,
                                     int64_t line_base, size_t limit) const {
  const char* where = begin;
  CsvSyntax s = DiagnoseOversizedRow(begin, end, sniff_.delimiter, options_.quote,
                                     static_cast<size_t>(options_.max_field_bytes), &where);
  CsvLocation at = Locate(buffer, where, line_base);
  if (s == CsvSyntax::kOk) return CsvRowTooLargeError(at, static_cast<int64_t>(limit));
  return CsvSyntaxError(s, at, *where, sniff_.delimiter, options_.quote, options_.max_field_bytes);
}

}  // namespace

Result<Table> ReadCsvSource(CsvSource& source, const CsvReadOptions& options,
                            const CsvReaderTuning& tuning, CsvReadReport* report) {
  // Allocation is the one failure the standard library reports by exception; a table too
  // big for memory becomes a status here instead of ending the process.
  try {
    CsvReader reader(source, options, tuning);
    return reader.Read(report);
  } catch (const std::bad_alloc&) {
    return CsvOutOfMemoryError(source.name());
  }
}

Result<Table> ReadCsv(const std::string& path, const CsvReadOptions& options,
                      CsvReadReport* report) {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<CsvSource> source, OpenCsvSource(path));
  return ReadCsvSource(*source, options, CsvReaderTuning(), report);
}

Result<Table> ReadCsvText(std::string_view text, std::string_view name,
                          const CsvReadOptions& options, CsvReadReport* report) {
  std::unique_ptr<CsvSource> source = MakeMemoryCsvSource(text, std::string(name));
  return ReadCsvSource(*source, options, CsvReaderTuning(), report);
}

}  // namespace strata
