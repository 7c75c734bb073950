// Internal: one column of a JSON Lines file while it is being read. Values are stored as
// they came (a kind and an 8-byte payload per row) and the column's type is decided only
// when all rows are in, because a key may hold an integer in row 1 and a string in row
// 90,000.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/table.h"

namespace strata {

// What a JSON value was, per cell; the column type is decided from the set of kinds seen.
enum class JsonCellKind : uint8_t { kNull, kBool, kInt, kFloat, kString, kArray, kBigInt };

constexpr uint8_t JsonKindBit(JsonCellKind k) {
  return static_cast<uint8_t>(1u << static_cast<int>(k));
}

// One column while reading: per row a kind and an 8-byte payload (int64 bits, double bits,
// bool, or a code into the column's dictionary for strings, arrays and big integers).
class JsonColumnBuilder {
 public:
  explicit JsonColumnBuilder(std::string name)
      : name_(std::move(name)), dict_(std::make_shared<StringDictionary>()) {}

  int64_t rows() const { return static_cast<int64_t>(kinds_.size()); }

  // Appends nulls until the column has `rows` rows (keys missing from earlier lines).
  void PadTo(int64_t rows) {
    if (this->rows() >= rows) return;
    seen_ |= JsonKindBit(JsonCellKind::kNull);
    kinds_.resize(static_cast<size_t>(rows), static_cast<uint8_t>(JsonCellKind::kNull));
    payloads_.resize(static_cast<size_t>(rows), 0);
  }

  void Add(JsonCellKind kind, uint64_t payload) {
    seen_ |= JsonKindBit(kind);
    kinds_.push_back(static_cast<uint8_t>(kind));
    payloads_.push_back(payload);
  }
  void AddText(JsonCellKind kind, std::string_view text) { Add(kind, dict_->Intern(text)); }

  // The column: the type is decided from the kinds seen (see json_lines.h), padded with
  // nulls to `rows`.
  Column Finish(int64_t rows);

 private:
  Column FinishAsText();
  bool TryFinishAsDateOrTimestamp(Column* out);

  std::string name_;
  std::vector<uint8_t> kinds_;
  std::vector<uint64_t> payloads_;
  std::shared_ptr<StringDictionary> dict_;
  uint8_t seen_ = 0;
};

}  // namespace strata
