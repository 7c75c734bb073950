#include "strata/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "strata/suggest.h"

namespace strata {

uint32_t StringDictionary::Intern(std::string_view value) {
  auto it = index_.find(value);
  if (it != index_.end()) return it->second;
  auto code = static_cast<uint32_t>(values_.size());
  values_.emplace_back(value);
  string_bytes_ += value.size();
  index_.emplace(std::string_view(values_.back()), code);
  return code;
}

int64_t StringDictionary::Find(std::string_view value) const {
  auto it = index_.find(value);
  return it == index_.end() ? -1 : static_cast<int64_t>(it->second);
}

Column::Column(std::string name, DataType type) : name_(std::move(name)), type_(type) {
  if (type_ == DataType::kString) dict_ = std::make_shared<StringDictionary>();
}

int64_t Column::null_count() const {
  if (valid_.empty()) return 0;
  int64_t n = 0;
  for (int64_t i = 0; i < size_; ++i) n += valid_[i] == 0;
  return n;
}

double Column::GetAsDouble(int64_t row) const {
  if (IsNull(row)) return std::numeric_limits<double>::quiet_NaN();
  switch (type_) {
    case DataType::kBool: return bools_[row] ? 1.0 : 0.0;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kDate: return static_cast<double>(ints_[row]);
    case DataType::kFloat64: return doubles_[row];
    case DataType::kString: break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string Column::FormatValue(int64_t row) const {
  if (IsNull(row)) return {};
  switch (type_) {
    case DataType::kBool: return bools_[row] ? "true" : "false";
    case DataType::kInt64: return fmt::format("{}", ints_[row]);
    case DataType::kFloat64: return fmt::format("{}", doubles_[row]);
    case DataType::kString: return std::string(GetString(row));
    case DataType::kTimestamp: return FormatTimestamp(ints_[row]);
    case DataType::kDate: return FormatDate(ints_[row]);
  }
  return {};
}

void Column::MarkValid() {
  if (!valid_.empty()) valid_.push_back(1);
}

void Column::AppendNull() {
  if (valid_.empty()) valid_.assign(static_cast<size_t>(size_), 1);
  valid_.push_back(0);
  switch (type_) {
    case DataType::kBool: bools_.push_back(0); break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kDate: ints_.push_back(0); break;
    case DataType::kFloat64: doubles_.push_back(0.0); break;
    case DataType::kString: codes_.push_back(0); break;
  }
  ++size_;
}

void Column::AppendBool(bool v) {
  MarkValid();
  bools_.push_back(v ? 1 : 0);
  ++size_;
}

void Column::AppendInt64(int64_t v) {
  MarkValid();
  ints_.push_back(v);
  ++size_;
}

void Column::AppendFloat64(double v) {
  MarkValid();
  doubles_.push_back(v);
  ++size_;
}

void Column::AppendString(std::string_view v) {
  MarkValid();
  codes_.push_back(dict_->Intern(v));
  ++size_;
}

void Column::Reserve(int64_t rows) {
  auto n = static_cast<size_t>(rows);
  switch (type_) {
    case DataType::kBool: bools_.reserve(n); break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kDate: ints_.reserve(n); break;
    case DataType::kFloat64: doubles_.reserve(n); break;
    case DataType::kString: codes_.reserve(n); break;
  }
}

void Column::CompactValidity() {
  if (valid_.empty()) return;
  for (int64_t i = 0; i < size_; ++i) {
    if (valid_[i] == 0) return;
  }
  std::vector<uint8_t>().swap(valid_);
}

namespace {

template <typename T>
std::vector<T> Gather(const std::vector<T>& src, std::span<const int64_t> rows) {
  std::vector<T> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = src[rows[i]];
  return out;
}

}  // namespace

Column Column::Take(std::span<const int64_t> rows) const {
  Column out(name_, type_);
  out.dict_ = dict_;
  if (!valid_.empty()) out.valid_ = Gather(valid_, rows);
  switch (type_) {
    case DataType::kBool: out.bools_ = Gather(bools_, rows); break;
    case DataType::kInt64:
    case DataType::kTimestamp:
    case DataType::kDate: out.ints_ = Gather(ints_, rows); break;
    case DataType::kFloat64: out.doubles_ = Gather(doubles_, rows); break;
    case DataType::kString: out.codes_ = Gather(codes_, rows); break;
  }
  out.size_ = static_cast<int64_t>(rows.size());
  out.CompactValidity();
  return out;
}

Column Column::Slice(int64_t offset, int64_t length) const {
  offset = std::clamp<int64_t>(offset, 0, size_);
  length = std::clamp<int64_t>(length, 0, size_ - offset);
  RowIndices rows(static_cast<size_t>(length));
  for (int64_t i = 0; i < length; ++i) rows[i] = offset + i;
  return Take(rows);
}

size_t Column::MemoryBytes() const {
  size_t bytes = valid_.capacity() + bools_.capacity() + ints_.capacity() * 8 +
                 doubles_.capacity() * 8 + codes_.capacity() * 4;
  if (dict_) bytes += dict_->string_bytes() + dict_->size() * 64;
  return bytes;
}

int Table::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name() == name) return static_cast<int>(i);
  }
  return -1;
}

Result<const Column*> Table::GetColumn(std::string_view name) const {
  int i = ColumnIndex(name);
  if (i >= 0) return &columns_[i];
  std::vector<std::string> names;
  for (const Column& c : columns_) names.push_back(c.name());
  return NotFound(fmt::format("no column named '{}'.{}", name, DidYouMean(name, names)));
}

namespace {

// The errors of AddColumn, SetColumn and FromColumns.
Status WrongLength(const Column& column, int64_t rows) {
  return InvalidArgument(fmt::format("column '{}' has {} rows, but the table has {}", column.name(),
                                     column.size(), rows));
}
Status RepeatedName(std::string_view name) {
  return AlreadyExists(fmt::format("the table already has a column named '{}'", name));
}

}  // namespace

Status Table::AddColumn(Column column) {
  if (!columns_.empty() && column.size() != num_rows()) return WrongLength(column, num_rows());
  if (ColumnIndex(column.name()) >= 0) return RepeatedName(column.name());
  columns_.push_back(std::move(column));
  return Status::Ok();
}

Result<Table> Table::FromColumns(std::vector<Column> columns) {
  std::vector<std::string_view> names;
  names.reserve(columns.size());
  for (const Column& c : columns) {
    if (c.size() != columns[0].size()) return WrongLength(c, columns[0].size());
    names.push_back(c.name());
  }
  std::sort(names.begin(), names.end());
  auto repeated = std::adjacent_find(names.begin(), names.end());
  if (repeated != names.end()) return RepeatedName(*repeated);
  Table table;
  table.columns_ = std::move(columns);
  return table;
}

Status Table::SetColumn(int i, Column column) {
  if (column.size() != num_rows()) return WrongLength(column, num_rows());
  columns_[i] = std::move(column);
  return Status::Ok();
}

Column Table::RemoveColumn(int i) {
  Column c = std::move(columns_[i]);
  columns_.erase(columns_.begin() + i);
  return c;
}

Schema Table::schema() const {
  Schema s;
  s.reserve(columns_.size());
  for (const Column& c : columns_) s.push_back({c.name(), c.type()});
  return s;
}

Table Table::Take(std::span<const int64_t> rows) const {
  Table out;
  for (const Column& c : columns_) out.columns_.push_back(c.Take(rows));
  return out;
}

Table Table::Slice(int64_t offset, int64_t length) const {
  Table out;
  for (const Column& c : columns_) out.columns_.push_back(c.Slice(offset, length));
  return out;
}

size_t Table::MemoryBytes() const {
  size_t bytes = 0;
  for (const Column& c : columns_) bytes += c.MemoryBytes();
  return bytes;
}

Table TableView::Materialize() const {
  if (!rows_) return table_->Slice(0, table_->num_rows());
  return table_->Take(*rows_);
}

}  // namespace strata
