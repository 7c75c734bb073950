// Turning the JSON of a prediction request into the model's input Table. The columns and
// their types come from the bundle's input schema (Preprocessor::input_schema()), so what
// reaches the Predictor is what `strata predict` would read from a file; preprocessing and
// prediction themselves are the core's. Errors name the row and column at fault.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "strata/data_type.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata::serve {

// Rows: each instance an object keyed by column name (extra keys are ignored; a missing
// column is an error, send null for a missing value) or an array of values in input-schema
// order. `where` names the field in errors ("instances").
Result<Table> TableFromRows(const Schema& schema, const nlohmann::json& rows, std::string_view where);
// The table of a `:predict` body that is exactly {"instances": [objects]}, each object holding
// every input column as a scalar, read by a SAX pass over `body` without building the JSON
// document (a tenth of the server's CPU per single-row prediction went to that document).
// nullopt for any other body (more fields, arrays as rows, nesting, duplicate or missing
// keys, a value of the wrong type, bad JSON): TableFromRows on the parsed body then builds
// the same table or names the problem. Extra keys with scalar values are ignored, as there.
std::optional<Table> TableFromInstancesText(const Schema& schema, std::string_view body);
// Columns: an object of column name -> array of values, all of one length.
Result<Table> TableFromColumns(const Schema& schema, const nlohmann::json& columns,
                               std::string_view where);

// JSON values of a prediction table's row: BigQuery ML's output columns as JSON, with the
// JSON-text columns (probabilities, distances, attributions) embedded as JSON.
nlohmann::json RowToJson(const Table& table, int64_t row);
// One cell as JSON (numbers, strings, booleans, dates as text, null for nulls and NaN).
nlohmann::json CellToJson(const Column& column, int64_t row);

}  // namespace strata::serve
