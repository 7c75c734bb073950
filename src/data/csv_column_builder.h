// Turns blocks of CSV rows into typed columns, in parallel, writing each value straight into
// the column's pre-sized storage (no per-block tables to concatenate afterwards).
//
// Each worker tokenizes and converts a contiguous range of a block's rows. What cannot be
// written concurrently is collected per worker and applied after the block, in worker
// order, which is file order: strings go to a per-worker dictionary whose codes are remapped
// into the column's dictionary (so codes come out in first-appearance order whatever the
// thread count), nulls to per-worker lists that become the validity mask (only columns that
// have nulls get one), skipped rows to a list that compacts the block.
//
// A value that contradicts its column's type is not an error unless the type was set by
// type_overrides: the builder joins the column's type with the value's own (WidenType of
// InferValueType) and the reader parses the input again with the widened types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "data/csv_scanner.h"
#include "strata/csv.h"
#include "strata/data_type.h"
#include "strata/table.h"

namespace strata {

struct CsvColumnSpec {
  std::string name;
  DataType type = DataType::kString;
  bool overridden = false;  // the type came from type_overrides: a misfit is an error
};

// One row of a block: its bytes without the line end.
struct CsvRow {
  const char* begin;
  const char* end;
};

// The first problem met in a block, which stops the read.
struct CsvRowIssue {
  enum class Kind : uint8_t { kNone, kSyntax, kRagged, kOverride, kUtf8, kOversized };
  Kind kind = Kind::kNone;
  int64_t row = 0;  // index of the row within the block
  const char* where = nullptr;
  CsvSyntax syntax = CsvSyntax::kOk;  // kSyntax
  int64_t fields = 0;                 // kRagged: fields found
  int column = 0;                     // kOverride
  std::string_view value;             // kOverride
  unsigned char byte = 0;             // kUtf8
  const char* row_end = nullptr;      // kOversized: the row is [where, row_end)
};

struct CsvBlockResult {
  CsvRowIssue issue;  // kind kNone when the block was parsed
  // Columns whose type was contradicted for the first time in this block, with the
  // position of the first contradicting field.
  std::vector<std::pair<int, const char*>> first_widenings;
  // The first row skipped or padded in this block, when it is the first such row at all.
  const char* first_bad_row = nullptr;
};

class CsvTableBuilder {
 public:
  // Rows longer than `max_row_bytes` are an issue (the reader's limit for rows that span
  // blocks, applied to rows within one block too, so block sizes never change the outcome).
  CsvTableBuilder(std::vector<CsvColumnSpec> specs, const CsvReadOptions& options, char delimiter,
                  const NullTokenSet& nulls, int max_tasks, size_t max_row_bytes);
  ~CsvTableBuilder();  // out of line: Worker is defined in the .cc
  CsvTableBuilder(const CsvTableBuilder&) = delete;
  CsvTableBuilder& operator=(const CsvTableBuilder&) = delete;

  // Reserves storage for `rows` rows, so that growing the columns block by block does not
  // copy them (a copy would double the peak memory).
  void Reserve(int64_t rows);

  // Parses `rows` with up to `tasks` workers and appends them. `capacity_hint` is the
  // reader's estimate of the final row count, used if the columns must grow.
  CsvBlockResult ParseBlock(const std::vector<CsvRow>& rows, int tasks, int64_t capacity_hint);

  int64_t rows() const { return size_; }
  int64_t skipped_rows() const { return skipped_; }
  int64_t padded_rows() const { return padded_; }
  // Per column, the type its contradicting values need (nullopt: no contradiction).
  const std::vector<std::optional<DataType>>& widened() const { return widened_; }

  // The finished table; the builder is left empty.
  Result<Table> Finish();

 private:
  struct LocalDictionary {
    std::unordered_map<std::string_view, uint32_t> index;
    std::vector<std::string_view> values;  // views into the block or the worker's arena
  };
  struct Worker;
  struct Storage {                      // raw pointers into column storage, valid for one block
    DataType type = DataType::kString;  // set for the int64-backed types
    uint8_t* bools = nullptr;
    int64_t* ints = nullptr;
    double* doubles = nullptr;
    uint32_t* codes = nullptr;
  };

  void ParseRange(Worker& w, const std::vector<CsvRow>& rows, int64_t begin, int64_t end);
  bool Convert(Worker& w, int c, const CsvField& f, int64_t out, int64_t row);
  void MergeBlock(int tasks, int64_t block_rows, CsvBlockResult* result);
  void Compact(const std::vector<int64_t>& skipped, int64_t end);
  void Resize(int64_t rows, int tasks);
  void ResizeColumn(size_t c, size_t rows);

  std::vector<CsvColumnSpec> specs_;
  std::vector<Column> columns_;
  char delimiter_;
  char quote_;
  size_t max_field_bytes_;
  size_t max_row_bytes_;
  BadRowPolicy on_bad_row_;
  const NullTokenSet& nulls_;
  std::vector<Worker> workers_;
  std::vector<Storage> storage_;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
  int64_t skipped_ = 0;
  int64_t padded_ = 0;
  std::vector<std::optional<DataType>> widened_;
  std::vector<bool> widening_seen_;
};

}  // namespace strata
