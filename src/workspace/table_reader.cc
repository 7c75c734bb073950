#include "workspace/table_reader.h"

#include <sqlite3.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "workspace/value_codec.h"

namespace strata {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

// Builds one column from stored values, widening its type when a value does not fit.
class ColumnBuilder {
 public:
  ColumnBuilder(std::string name, std::optional<DataType> type)
      : name_(std::move(name)), type_(type) {}

  void Reserve(int64_t rows) { reserve_ = rows; }

  void Append(const SqlValue& value) {
    if (value.kind == SqliteType::kNull) {
      if (column_) {
        column_->AppendNull();
      } else {
        ++leading_nulls_;  // the values have not named a type yet
      }
      return;
    }
    if (!column_) Start(type_ ? *type_ : NaturalType(value));
    // Terminates: each widening moves up BOOL < INT64 < FLOAT64 < STRING or
    // DATE < TIMESTAMP < STRING, and every value fits STRING.
    while (!DecodeValue(value, column_->type(), &decoded_)) {
      Widen(WidenForValue(column_->type(), value));
    }
    Put(decoded_);
  }

  // The column's type so far (nullopt while only NULLs were seen and none was given).
  std::optional<DataType> type() const { return column_ ? std::optional(column_->type()) : type_; }

  Column Finish() {
    // An all-NULL column of unknown type reads as STRING, the type that assumes nothing.
    if (!column_) Start(type_.value_or(DataType::kString));
    column_->CompactValidity();
    return std::move(*column_);
  }

 private:
  void Start(DataType type) {
    column_.emplace(name_, type);
    column_->Reserve(reserve_);
    for (int64_t i = 0; i < leading_nulls_; ++i) column_->AppendNull();
  }

  void Put(const DecodedValue& value) {
    switch (column_->type()) {
      case DataType::kBool:
        column_->AppendBool(value.integer != 0);
        break;
      case DataType::kInt64:
      case DataType::kTimestamp:
      case DataType::kDate:
        column_->AppendInt64(value.integer);
        break;
      case DataType::kFloat64:
        column_->AppendFloat64(value.real);
        break;
      case DataType::kString:
        column_->AppendString(value.view);
        break;
    }
  }

  // Rewrites the values read so far as `to`. Rare (a hand-edited or untyped column), so it
  // favours simplicity over speed.
  void Widen(DataType to) {
    const Column& old = *column_;
    if (old.type() == DataType::kInt64 && to == DataType::kFloat64) {
      for (int64_t i = 0; i < old.size(); ++i) {
        SqlValue v{SqliteType::kInteger, old.GetInt64(i), 0.0, {}};
        DecodedValue d;
        if (!old.IsNull(i) && !DecodeValue(v, DataType::kFloat64, &d)) {
          to = DataType::kString;  // an integer beyond 2^53 would change as a double
          break;
        }
      }
    }
    Column wide(name_, to);
    wide.Reserve(old.size());
    for (int64_t i = 0; i < old.size(); ++i) {
      if (old.IsNull(i)) {
        wide.AppendNull();
      } else if (to == DataType::kString) {
        wide.AppendString(old.FormatValue(i));
      } else if (to == DataType::kFloat64) {  // from INT64 (checked above) or BOOL
        wide.AppendFloat64(old.GetAsDouble(i));
      } else if (to == DataType::kInt64) {  // from BOOL
        wide.AppendInt64(old.GetBool(i) ? 1 : 0);
      } else if (to == DataType::kTimestamp) {  // from DATE: midnight UTC
        wide.AppendInt64(old.GetInt64(i) * kMicrosPerDay);
      }
    }
    column_ = std::move(wide);
  }

  std::string name_;
  std::optional<DataType> type_;
  int64_t leading_nulls_ = 0;
  int64_t reserve_ = 0;
  std::optional<Column> column_;
  DecodedValue decoded_;  // reused: its string keeps its buffer between rows
};

std::string SelectColumns(const std::string& table, const std::vector<SqlColumn>& columns,
                          const std::vector<size_t>& which) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < which.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += QuoteIdentifier(columns[which[i]].name);
  }
  sql += " FROM " + QuoteIdentifier(table);
  return sql;
}

}  // namespace

std::vector<std::optional<DataType>> StartingTypes(const std::vector<SqlColumn>& columns,
                                                   const std::optional<TableInfo>& catalog) {
  std::unordered_map<std::string, DataType> catalog_types;
  if (catalog) {
    for (const Field& field : catalog->schema) catalog_types.emplace(field.name, field.type);
  }
  std::vector<std::optional<DataType>> types;
  types.reserve(columns.size());
  for (const SqlColumn& column : columns) {
    auto it = catalog_types.find(column.name);
    // A column added with ALTER TABLE after the import has no catalog type.
    types.push_back(it != catalog_types.end() ? std::optional<DataType>(it->second)
                                              : TypeFromDeclaredSqlType(column.declared_type));
  }
  return types;
}

Result<Table> ReadStoredTable(SqliteDb& db, const std::string& table,
                              const std::vector<SqlColumn>& columns,
                              const std::optional<TableInfo>& catalog,
                              std::optional<int64_t> limit, int64_t offset) {
  std::vector<std::optional<DataType>> types = StartingTypes(columns, catalog);
  std::vector<size_t> all(columns.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::string sql = SelectColumns(table, columns, all);
  // SQLite takes OFFSET only after a LIMIT; -1 means no limit.
  if (limit || offset > 0) sql += " LIMIT ?1 OFFSET ?2";
  STRATA_ASSIGN_OR_RETURN(SqliteStatement select, db.Prepare(sql));
  if (limit || offset > 0) {
    STRATA_RETURN_IF_ERROR(select.BindInt64(1, limit.value_or(-1)));
    STRATA_RETURN_IF_ERROR(select.BindInt64(2, offset));
  }

  int64_t expected_rows = catalog ? std::max<int64_t>(catalog->rows - offset, 0) : 0;
  if (limit && *limit < expected_rows) expected_rows = *limit;
  std::vector<ColumnBuilder> builders;
  builders.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    builders.emplace_back(columns[i].name, types[i]);
    builders.back().Reserve(expected_rows);
  }
  const int width = static_cast<int>(columns.size());
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    for (int c = 0; c < width; ++c) builders[static_cast<size_t>(c)].Append(ReadValue(select, c));
  }

  Table result;
  for (ColumnBuilder& builder : builders) {
    STRATA_RETURN_IF_ERROR(result.AddColumn(builder.Finish()));
  }
  return result;
}

Result<Schema> DeriveSchema(SqliteDb& db, const std::string& table,
                            const std::vector<SqlColumn>& columns) {
  std::vector<std::optional<DataType>> types = StartingTypes(columns, std::nullopt);
  std::vector<size_t> untyped;
  for (size_t i = 0; i < types.size(); ++i) {
    if (!types[i]) untyped.push_back(i);
  }
  if (!untyped.empty()) {
    STRATA_ASSIGN_OR_RETURN(SqliteStatement select,
                            db.Prepare(SelectColumns(table, columns, untyped)));
    DecodedValue scratch;
    while (true) {
      STRATA_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      for (size_t k = 0; k < untyped.size(); ++k) {
        SqlValue value = ReadValue(select, static_cast<int>(k));
        if (value.kind == SqliteType::kNull) continue;
        std::optional<DataType>& type = types[untyped[k]];
        if (!type) type = NaturalType(value);
        while (!DecodeValue(value, *type, &scratch)) type = WidenForValue(*type, value);
      }
    }
  }
  Schema schema;
  for (size_t i = 0; i < columns.size(); ++i) {
    schema.push_back({columns[i].name, types[i].value_or(DataType::kString)});
  }
  return schema;
}

Result<QueryReader> QueryReader::Start(SqliteDb& db, std::string_view sql,
                                       const std::vector<Field>& hints) {
  QueryReader reader;
  STRATA_ASSIGN_OR_RETURN(reader.statement_, db.Prepare(sql));
  const int width = reader.statement_.column_count();
  std::unordered_set<std::string> seen;
  for (int c = 0; c < width; ++c) {
    std::string name(reader.statement_.column_name(c));
    if (name.empty()) name = "f" + std::to_string(c);
    std::string unique = name;
    for (int k = 1; seen.count(unique) > 0; ++k) unique = name + "_" + std::to_string(k);
    seen.insert(unique);
    reader.names_.push_back(unique);
    const char* declared = sqlite3_column_decltype(reader.statement_.raw(), c);
    std::optional<DataType> type = declared ? TypeFromDeclaredSqlType(declared) : std::nullopt;
    if (!type) {
      for (const Field& hint : hints) {
        if (hint.name == name) type = hint.type;
      }
    }
    reader.types_.push_back(type);
  }
  return reader;
}

Result<Table> QueryReader::Next(int64_t max_rows) {
  std::vector<ColumnBuilder> builders;
  builders.reserve(names_.size());
  for (size_t i = 0; i < names_.size(); ++i) builders.emplace_back(names_[i], types_[i]);
  const int width = static_cast<int>(names_.size());
  int64_t rows = 0;
  while (!done_ && (max_rows <= 0 || rows < max_rows)) {
    STRATA_ASSIGN_OR_RETURN(bool row, statement_.Step());
    if (!row) {
      done_ = true;
      break;
    }
    for (int c = 0; c < width; ++c) builders[static_cast<size_t>(c)].Append(ReadValue(statement_, c));
    ++rows;
  }
  Table result;
  for (size_t i = 0; i < builders.size(); ++i) {
    types_[i] = builders[i].type();  // the next batch starts where this one ended
    STRATA_RETURN_IF_ERROR(result.AddColumn(builders[i].Finish()));
  }
  return result;
}

Result<Table> ReadQuery(SqliteDb& db, std::string_view sql, const std::vector<Field>& hints) {
  STRATA_ASSIGN_OR_RETURN(QueryReader reader, QueryReader::Start(db, sql, hints));
  return reader.Next(0);
}

}  // namespace strata
