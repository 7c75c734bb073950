// Table: Strata's in-memory, columnar, typed data set. It is the only data structure that
// crosses module boundaries (readers, profile, workspace, splits, training, prediction).
//
//   strata::Column age("age", strata::DataType::kInt64);
//   age.AppendInt64(42);
//   age.AppendNull();
//   strata::Table table;
//   STRATA_RETURN_IF_ERROR(table.AddColumn(std::move(age)));
//   strata::Table first = table.Take({0});  // row selection by index vector
//
// Storage per type: BOOL -> uint8, INT64/TIMESTAMP/DATE -> int64, FLOAT64 -> double,
// STRING -> uint32 codes into a shared, append-only StringDictionary (so categoricals are
// dictionary-encoded and row selections share the dictionary instead of copying strings).
// Nulls live in a validity mask (1 = value present); an empty mask means "no nulls".
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "strata/data_type.h"
#include "strata/status.h"

namespace strata {

// Row positions into a table, used for splits, sampling and filtering.
using RowIndices = std::vector<int64_t>;

// The distinct strings of a STRING column, each with a dense uint32 code. Append-only, so
// codes handed out stay valid; not thread-safe for concurrent Intern calls.
class StringDictionary {
 public:
  // Returns the code of `value`, adding it if it is new.
  uint32_t Intern(std::string_view value);
  // Returns the code of `value`, or -1 if it is not in the dictionary.
  int64_t Find(std::string_view value) const;
  std::string_view Get(uint32_t code) const { return values_[code]; }
  size_t size() const { return values_.size(); }
  // Bytes used by the strings themselves (for memory reports).
  size_t string_bytes() const { return string_bytes_; }

 private:
  std::deque<std::string> values_;  // deque: elements never move, so the views stay valid
  std::unordered_map<std::string_view, uint32_t> index_;
  size_t string_bytes_ = 0;
};

// One named, typed column with a null mask.
class Column {
 public:
  Column(std::string name, DataType type);

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  DataType type() const { return type_; }
  int64_t size() const { return size_; }

  bool IsNull(int64_t row) const { return !valid_.empty() && valid_[row] == 0; }
  bool has_nulls() const { return !valid_.empty(); }
  int64_t null_count() const;

  // Typed reads; calling the wrong one for the column's type is a programmer error.
  bool GetBool(int64_t row) const { return bools_[row] != 0; }
  int64_t GetInt64(int64_t row) const { return ints_[row]; }  // INT64, TIMESTAMP, DATE
  double GetFloat64(int64_t row) const { return doubles_[row]; }
  std::string_view GetString(int64_t row) const { return dict_->Get(codes_[row]); }
  uint32_t GetCode(int64_t row) const { return codes_[row]; }

  // The value as a double for numeric types (BOOL 0/1, INT64, FLOAT64, TIMESTAMP micros,
  // DATE days); NaN for nulls and for STRING.
  double GetAsDouble(int64_t row) const;
  // The value as text, as the CSV writer and `strata head` show it ("" for null).
  std::string FormatValue(int64_t row) const;

  // Appends; AppendX must match the column's type (AppendInt64 for TIMESTAMP/DATE too).
  void AppendNull();
  void AppendBool(bool v);
  void AppendInt64(int64_t v);
  void AppendFloat64(double v);
  void AppendString(std::string_view v);
  void Reserve(int64_t rows);

  // Raw storage, for readers and kernels that fill or scan columns in bulk. After resizing
  // storage directly, call SetSize; an empty validity vector means no nulls.
  std::vector<uint8_t>& bool_data() { return bools_; }
  std::vector<int64_t>& int64_data() { return ints_; }
  std::vector<double>& float64_data() { return doubles_; }
  std::vector<uint32_t>& codes() { return codes_; }
  std::vector<uint8_t>& validity() { return valid_; }
  const std::vector<uint8_t>& bool_data() const { return bools_; }
  const std::vector<int64_t>& int64_data() const { return ints_; }
  const std::vector<double>& float64_data() const { return doubles_; }
  const std::vector<uint32_t>& codes() const { return codes_; }
  const std::vector<uint8_t>& validity() const { return valid_; }
  StringDictionary& dictionary() { return *dict_; }
  const StringDictionary& dictionary() const { return *dict_; }
  const std::shared_ptr<StringDictionary>& shared_dictionary() const { return dict_; }
  void set_dictionary(std::shared_ptr<StringDictionary> dict) { dict_ = std::move(dict); }
  void SetSize(int64_t rows) { size_ = rows; }
  // Drops the validity mask if it records no nulls (saves a byte per row).
  void CompactValidity();

  // A new column with the given rows, in order; a STRING column shares this dictionary.
  Column Take(std::span<const int64_t> rows) const;
  // A new column with rows [offset, offset + length).
  Column Slice(int64_t offset, int64_t length) const;

  // Approximate heap bytes held by the column.
  size_t MemoryBytes() const;

 private:
  void MarkValid();

  std::string name_;
  DataType type_;
  int64_t size_ = 0;
  std::vector<uint8_t> valid_;
  std::vector<uint8_t> bools_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<uint32_t> codes_;
  std::shared_ptr<StringDictionary> dict_;
};

// An ordered set of equally long, uniquely named columns.
class Table {
 public:
  Table() = default;

  int64_t num_rows() const { return columns_.empty() ? 0 : columns_[0].size(); }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  const Column& column(int i) const { return columns_[i]; }
  Column& mutable_column(int i) { return columns_[i]; }
  const std::vector<Column>& columns() const { return columns_; }

  // Index of the column named `name` (exact match), or -1.
  int ColumnIndex(std::string_view name) const;
  // The column named `name`, or NotFound naming the closest existing column.
  Result<const Column*> GetColumn(std::string_view name) const;

  // Adds a column; it must have as many rows as the table and a new name.
  Status AddColumn(Column column);
  // A table of `columns`, checked as AddColumn checks them, in O(n log n) name comparisons
  // rather than AddColumn's O(n^2): wide single-row inputs (a served prediction) build one.
  static Result<Table> FromColumns(std::vector<Column> columns);
  // Replaces column i (same length required).
  Status SetColumn(int i, Column column);
  // Removes and returns column i.
  Column RemoveColumn(int i);

  Schema schema() const;

  // A new table with the given rows, in order (indices may repeat, e.g. for upsampling).
  Table Take(std::span<const int64_t> rows) const;
  // A new table with rows [offset, offset + length), clamped to the table.
  Table Slice(int64_t offset, int64_t length) const;

  size_t MemoryBytes() const;

 private:
  std::vector<Column> columns_;
};

// A row selection over a table without copying it: rows() maps view rows to table rows.
// The table must outlive the view.
class TableView {
 public:
  explicit TableView(const Table& table) : table_(&table) {}
  TableView(const Table& table, std::shared_ptr<const RowIndices> rows)
      : table_(&table), rows_(std::move(rows)) {}

  const Table& table() const { return *table_; }
  int64_t num_rows() const { return rows_ ? static_cast<int64_t>(rows_->size()) : table_->num_rows(); }
  // The table row behind view row i.
  int64_t row(int64_t i) const { return rows_ ? (*rows_)[i] : i; }
  // Copies the selected rows into a new table.
  Table Materialize() const;

 private:
  const Table* table_;
  std::shared_ptr<const RowIndices> rows_;
};

}  // namespace strata
