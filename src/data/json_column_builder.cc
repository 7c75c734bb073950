#include "data/json_column_builder.h"

#include <fmt/format.h>

#include <bit>

#include "data/json_text.h"
#include "data/value_parser.h"

namespace strata {

Column JsonColumnBuilder::Finish(int64_t rows) {
  PadTo(rows);
  const uint8_t kinds = seen_ & static_cast<uint8_t>(~JsonKindBit(JsonCellKind::kNull));
  const uint8_t numbers = JsonKindBit(JsonCellKind::kInt) | JsonKindBit(JsonCellKind::kFloat);
  const uint8_t texts = JsonKindBit(JsonCellKind::kString) | JsonKindBit(JsonCellKind::kArray) |
                        JsonKindBit(JsonCellKind::kBigInt);
  DataType type = DataType::kString;
  if (kinds == JsonKindBit(JsonCellKind::kBool)) {
    type = DataType::kBool;
  } else if (kinds == JsonKindBit(JsonCellKind::kInt)) {
    type = DataType::kInt64;
  } else if (kinds != 0 && (kinds & ~numbers) == 0) {
    type = DataType::kFloat64;
  } else if (kinds == JsonKindBit(JsonCellKind::kString)) {
    Column dated(name_, DataType::kDate);
    if (TryFinishAsDateOrTimestamp(&dated)) return dated;
  } else if ((kinds & ~texts) != 0) {
    return FinishAsText();  // mixed kinds: every value as its JSON text
  }

  Column out(name_, type);
  const size_t n = kinds_.size();
  if ((seen_ & JsonKindBit(JsonCellKind::kNull)) != 0) {
    auto& valid = out.validity();
    valid.resize(n);
    for (size_t i = 0; i < n; ++i)
      valid[i] = kinds_[i] != static_cast<uint8_t>(JsonCellKind::kNull);
  }
  switch (type) {
    case DataType::kBool: {
      auto& data = out.bool_data();
      data.resize(n);
      for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(payloads_[i]);
      break;
    }
    case DataType::kInt64: {
      auto& data = out.int64_data();
      data.resize(n);
      for (size_t i = 0; i < n; ++i) data[i] = static_cast<int64_t>(payloads_[i]);
      break;
    }
    case DataType::kFloat64: {
      auto& data = out.float64_data();
      data.resize(n);
      for (size_t i = 0; i < n; ++i) {
        data[i] = kinds_[i] == static_cast<uint8_t>(JsonCellKind::kInt)
                      ? static_cast<double>(static_cast<int64_t>(payloads_[i]))
                      : std::bit_cast<double>(payloads_[i]);
      }
      break;
    }
    default: {  // strings, arrays and big integers, all interned already: reuse the codes
      out.set_dictionary(dict_);
      auto& codes = out.codes();
      codes.resize(n);
      for (size_t i = 0; i < n; ++i) codes[i] = static_cast<uint32_t>(payloads_[i]);
      break;
    }
  }
  out.SetSize(static_cast<int64_t>(n));
  return out;
}

// Every string is a date -> DATE; every string a date or timestamp -> TIMESTAMP. Each
// distinct string is parsed once, through the dictionary.
bool JsonColumnBuilder::TryFinishAsDateOrTimestamp(Column* out) {
  std::vector<int64_t> parsed(dict_->size());
  DataType type = DataType::kDate;
  for (uint32_t code = 0; code < dict_->size(); ++code) {
    if (!ParseDateValue(dict_->Get(code), &parsed[code])) {
      type = DataType::kTimestamp;
      break;
    }
  }
  if (type == DataType::kTimestamp) {
    for (uint32_t code = 0; code < dict_->size(); ++code) {
      if (!ParseTimestampValue(dict_->Get(code), &parsed[code])) return false;
    }
  }
  Column col(name_, type);
  const size_t n = kinds_.size();
  auto& data = col.int64_data();
  data.resize(n);
  bool has_nulls = (seen_ & JsonKindBit(JsonCellKind::kNull)) != 0;
  if (has_nulls) col.validity().resize(n);
  for (size_t i = 0; i < n; ++i) {
    bool null = kinds_[i] == static_cast<uint8_t>(JsonCellKind::kNull);
    data[i] = null ? 0 : parsed[payloads_[i]];
    if (has_nulls) col.validity()[i] = null ? 0 : 1;
  }
  col.SetSize(static_cast<int64_t>(n));
  *out = std::move(col);
  return true;
}

// Mixed kinds widen to STRING with each value's JSON text: 5 -> "5", true -> "true", a
// string stays itself (no quotes), an array stays its compact text.
Column JsonColumnBuilder::FinishAsText() {
  Column out(name_, DataType::kString);
  out.Reserve(rows());
  std::string text;
  for (size_t i = 0; i < kinds_.size(); ++i) {
    uint64_t p = payloads_[i];
    switch (static_cast<JsonCellKind>(kinds_[i])) {
      case JsonCellKind::kNull:
        out.AppendNull();
        continue;
      case JsonCellKind::kBool:
        out.AppendString(p != 0 ? "true" : "false");
        continue;
      case JsonCellKind::kInt:
        out.AppendString(fmt::format("{}", static_cast<int64_t>(p)));
        continue;
      case JsonCellKind::kFloat:
        text.clear();
        AppendShortestFloat(&text, std::bit_cast<double>(p));
        out.AppendString(text);
        continue;
      case JsonCellKind::kString:
      case JsonCellKind::kArray:
      case JsonCellKind::kBigInt:
        out.AppendString(dict_->Get(static_cast<uint32_t>(p)));
        continue;
    }
  }
  out.CompactValidity();
  return out;
}

}  // namespace strata
