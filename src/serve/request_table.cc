#include "serve/request_table.h"

#include <fmt/format.h>

#include <cmath>

#include "data/value_parser.h"
#include "strata/suggest.h"

namespace strata::serve {
namespace {

using nlohmann::json;

std::string Kind(const json& v) { return v.type_name(); }

Status WrongValue(const Field& field, const json& v, std::string_view where) {
  return InvalidArgument(fmt::format("{}: column '{}' needs a {} value, got {} {}", where,
                                     field.name, DataTypeName(field.type), Kind(v),
                                     v.dump(-1, ' ', false, json::error_handler_t::replace)));
}

// Appends one JSON value to a column of the schema's type; false (nothing appended) when the
// value does not fit the type. The caller names the place in the error (WrongValue), so the
// place's text is only built for a bad value, not for every cell of every request.
bool AppendValue(Column& column, const Field& field, const json& v) {
  if (v.is_null()) {
    column.AppendNull();
    return true;
  }
  switch (field.type) {
    case DataType::kFloat64:
      if (v.is_number()) {
        column.AppendFloat64(v.get<double>());
        return true;
      }
      break;
    case DataType::kInt64:
      if (v.is_number_integer()) {
        column.AppendInt64(v.get<int64_t>());
        return true;
      }
      if (v.is_number_float() && std::nearbyint(v.get<double>()) == v.get<double>() &&
          std::fabs(v.get<double>()) < 9.2e18) {
        column.AppendInt64(static_cast<int64_t>(v.get<double>()));
        return true;
      }
      break;
    case DataType::kBool:
      if (v.is_boolean()) {
        column.AppendBool(v.get<bool>());
        return true;
      }
      if (v.is_number_integer() && (v.get<int64_t>() == 0 || v.get<int64_t>() == 1)) {
        column.AppendBool(v.get<int64_t>() == 1);
        return true;
      }
      break;
    case DataType::kString:
      // Categories sent as numbers (codes, zip codes) keep their JSON text.
      if (v.is_string()) {
        column.AppendString(v.get_ref<const std::string&>());
      } else if (v.is_primitive()) {
        column.AppendString(v.dump());
      } else {
        break;
      }
      return true;
    case DataType::kDate:
    case DataType::kTimestamp: {
      if (!v.is_string()) break;
      int64_t value = 0;
      const std::string& text = v.get_ref<const std::string&>();
      bool ok = field.type == DataType::kDate ? ParseDateValue(text, &value)
                                              : ParseTimestampValue(text, &value);
      if (!ok) break;
      column.AppendInt64(value);
      return true;
    }
  }
  return false;
}

std::string Columns(const Schema& schema) {
  std::vector<std::string> names;
  for (const Field& f : schema) names.push_back(f.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

Result<Table> TableFromRows(const Schema& schema, const json& rows, std::string_view where) {
  if (!rows.is_array()) {
    return InvalidArgument(fmt::format("\"{}\" must be an array of rows, got {}", where, Kind(rows)));
  }
  if (rows.empty()) return InvalidArgument(fmt::format("\"{}\" is empty; send at least one row", where));
  std::vector<Column> columns;
  for (const Field& f : schema) {
    columns.emplace_back(f.name, f.type);
    columns.back().Reserve(static_cast<int64_t>(rows.size()));
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    const json& row = rows[r];
    auto at = [&] { return fmt::format("{}[{}]", where, r); };
    if (row.is_object()) {
      for (size_t c = 0; c < schema.size(); ++c) {
        auto it = row.find(schema[c].name);
        if (it == row.end()) {
          std::vector<std::string> keys;
          for (const auto& [key, value] : row.items()) keys.push_back(key);
          return InvalidArgument(fmt::format(
              "{} has no column '{}' (the model's inputs: {}); send null for a missing value.{}",
              at(), schema[c].name, Columns(schema), DidYouMean(schema[c].name, keys)));
        }
        if (!AppendValue(columns[c], schema[c], *it)) return WrongValue(schema[c], *it, at());
      }
    } else if (row.is_array()) {
      if (row.size() != schema.size()) {
        return InvalidArgument(
            fmt::format("{} has {} values but the model has {} inputs, in this order: {}", at(),
                        row.size(), schema.size(), Columns(schema)));
      }
      for (size_t c = 0; c < schema.size(); ++c) {
        if (!AppendValue(columns[c], schema[c], row[c])) return WrongValue(schema[c], row[c], at());
      }
    } else {
      return InvalidArgument(
          fmt::format("{} must be an object keyed by column name or an array of {} values, got {}",
                      at(), schema.size(), Kind(row)));
    }
  }
  return Table::FromColumns(std::move(columns));
}

namespace {

// The SAX events of TableFromInstancesText. Any callback returning false stops the parse,
// and the caller falls back to the general path.
class InstancesReader {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit InstancesReader(const Schema& schema)
      : schema_(schema), values_(schema.size()), seen_(schema.size()) {
    for (const Field& f : schema) columns_.emplace_back(f.name, f.type);
  }

  bool null() { return Scalar(json()); }
  bool boolean(bool v) { return Scalar(json(v)); }
  bool number_integer(number_integer_t v) { return Scalar(json(v)); }
  bool number_unsigned(number_unsigned_t v) { return Scalar(json(v)); }
  bool number_float(number_float_t v, const string_t&) { return Scalar(json(v)); }
  bool string(string_t& v) { return Scalar(json(std::move(v))); }
  bool binary(binary_t&) { return false; }

  bool start_object(std::size_t) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    if (depth_ != 2) return false;  // rows are objects; nothing else nests
    depth_ = 3;
    std::fill(seen_.begin(), seen_.end(), false);
    found_ = 0;
    next_ = 0;
    return true;
  }
  bool key(string_t& k) {
    if (depth_ == 1) {  // "instances", once, is the body's only field
      if (k != "instances" || instances_) return false;
      instances_ = true;
      return true;
    }
    // Keys usually come in the schema's order: try the next column before searching.
    current_ = -1;
    if (next_ < schema_.size() && schema_[next_].name == k) {
      current_ = static_cast<int>(next_);
    } else {
      for (size_t c = 0; c < schema_.size(); ++c) {
        if (schema_[c].name == k) current_ = static_cast<int>(c);
      }
    }
    if (current_ >= 0) next_ = static_cast<size_t>(current_) + 1;
    return true;
  }
  bool end_object() {
    if (depth_ == 1) {
      depth_ = 0;
      return true;
    }
    // depth 3: a complete row, appended only if it holds every column with a fitting value.
    if (found_ != schema_.size()) return false;
    for (size_t c = 0; c < schema_.size(); ++c) {
      if (!AppendValue(columns_[c], schema_[c], values_[c])) return false;
    }
    ++rows_;
    depth_ = 2;
    return true;
  }
  bool start_array(std::size_t) {
    if (depth_ != 1) return false;  // only the value of "instances"
    depth_ = 2;
    return true;
  }
  bool end_array() {
    depth_ = 1;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

  // The table, once the parse has succeeded (a complete document, so every level was closed).
  std::optional<Table> Finish() {
    if (!instances_ || rows_ == 0) return std::nullopt;
    Result<Table> table = Table::FromColumns(std::move(columns_));
    if (!table.ok()) return std::nullopt;
    return std::move(*table);
  }

 private:
  // A value: only a row's values are expected (depth 3), each column once.
  bool Scalar(json v) {
    if (depth_ != 3) return false;
    if (current_ < 0) return true;  // a key the model does not read
    size_t c = static_cast<size_t>(current_);
    if (seen_[c]) return false;  // a repeated key: the general path decides which counts
    seen_[c] = true;
    values_[c] = std::move(v);
    ++found_;
    return true;
  }

  const Schema& schema_;
  std::vector<Column> columns_;
  std::vector<json> values_;
  std::vector<bool> seen_;
  int depth_ = 0;  // 1: the body object, 2: the instances array, 3: a row
  bool instances_ = false;  // the body's "instances" key was read
  int current_ = -1;  // the column of the current key, -1 for a key the model does not read
  size_t next_ = 0, found_ = 0;
  int64_t rows_ = 0;
};

}  // namespace

std::optional<Table> TableFromInstancesText(const Schema& schema, std::string_view body) {
  InstancesReader reader(schema);
  if (!json::sax_parse(body.begin(), body.end(), &reader)) return std::nullopt;
  return reader.Finish();
}

Result<Table> TableFromColumns(const Schema& schema, const json& columns_json, std::string_view where) {
  if (!columns_json.is_object()) {
    return InvalidArgument(fmt::format(
        "\"{}\" must be an object of column name -> array of values, got {}", where, Kind(columns_json)));
  }
  std::vector<std::string> keys;
  for (const auto& [key, value] : columns_json.items()) keys.push_back(key);
  std::vector<Column> columns;
  size_t rows = 0;
  for (size_t c = 0; c < schema.size(); ++c) {
    const Field& field = schema[c];
    auto it = columns_json.find(field.name);
    if (it == columns_json.end()) {
      return InvalidArgument(fmt::format("\"{}\" has no column '{}' (the model's inputs: {}).{}",
                                         where, field.name, Columns(schema),
                                         DidYouMean(field.name, keys)));
    }
    std::string at = fmt::format("{}.{}", where, field.name);
    if (!it->is_array()) {
      return InvalidArgument(fmt::format("{} must be an array of values, got {}", at, Kind(*it)));
    }
    if (c == 0) rows = it->size();
    if (it->size() != rows || rows == 0) {
      return InvalidArgument(fmt::format(
          "{} has {} values, but {} has {}; every column needs the same, non-zero number", at,
          it->size(), schema[0].name, rows));
    }
    Column column(field.name, field.type);
    column.Reserve(static_cast<int64_t>(rows));
    for (size_t r = 0; r < rows; ++r) {
      if (!AppendValue(column, field, (*it)[r])) {
        return WrongValue(field, (*it)[r], fmt::format("{}[{}]", at, r));
      }
    }
    columns.push_back(std::move(column));
  }
  return Table::FromColumns(std::move(columns));
}

nlohmann::json CellToJson(const Column& column, int64_t row) {
  if (column.IsNull(row)) return nullptr;
  switch (column.type()) {
    case DataType::kBool: return column.GetBool(row);
    case DataType::kInt64: return column.GetInt64(row);
    case DataType::kFloat64: {
      double v = column.GetFloat64(row);
      return std::isfinite(v) ? json(v) : json(nullptr);
    }
    case DataType::kString: return std::string(column.GetString(row));
    case DataType::kDate: return FormatDate(column.GetInt64(row));
    case DataType::kTimestamp: return FormatTimestamp(column.GetInt64(row), /*iso_t=*/true);
  }
  return nullptr;
}

nlohmann::json RowToJson(const Table& table, int64_t row) {
  json out = json::object();
  for (const Column& column : table.columns()) {
    const std::string& name = column.name();
    // The Predictor's JSON-text columns (see predictor.h) go out as JSON, not as strings.
    bool json_text = name.ends_with("_probs") || name == "nearest_centroids_distance" ||
                     name == "top_feature_attributions";
    if (json_text && column.type() == DataType::kString && !column.IsNull(row)) {
      out[name] = json::parse(column.GetString(row), nullptr, /*allow_exceptions=*/false);
    } else {
      out[name] = CellToJson(column, row);
    }
  }
  return out;
}

}  // namespace strata::serve
