// FeatureTransform: BigQuery ML's TRANSFORM clause. A list of output columns, each a column
// of the input or a preprocessing function of input columns (ML.STANDARD_SCALER,
// ML.QUANTILE_BUCKETIZE, ...). Analytic functions (OVER()) learn their statistics from the
// training rows only; the fitted transform lives in the bundle's preprocessor and is applied
// to raw input at prediction, so users never repeat it (docs/sql.md).
//
//   // TRANSFORM(ML.STANDARD_SCALER(age) OVER() AS age_z, city, churn)
//   nlohmann::json spec = nlohmann::json::array({
//       {{"function", "STANDARD_SCALER"}, {"inputs", {"age"}}, {"output", "age_z"}},
//       {{"inputs", {"city"}}, {"output", "city"}},
//       {{"inputs", {"churn"}}, {"output", "churn"}}});
//   STRATA_ASSIGN_OR_RETURN(auto t, strata::FeatureTransform::Fit(train, spec));
//   STRATA_ASSIGN_OR_RETURN(strata::Table features, t.Apply(input));
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "strata/status.h"
#include "strata/table.h"

namespace strata {

class FeatureTransform {
 public:
  FeatureTransform() = default;

  // Checks `spec` (a JSON array of {function, inputs, args, output}; function "" or absent
  // is the input column itself, "*" every column but `except`) against `train`'s columns
  // and fits the analytic functions on its rows. InvalidArgument names the output or
  // function at fault and what was expected.
  static Result<FeatureTransform> Fit(const Table& train, const nlohmann::json& spec);

  // The output columns for `input`, which needs the input columns (`required_inputs`);
  // columns in `optional` (the label) pass through when present and are skipped otherwise.
  Result<Table> Apply(const Table& input, const std::vector<std::string>& optional = {}) const;

  // The input columns the outputs read, with their training types, in first-use order.
  const Schema& inputs() const { return inputs_; }
  // The output columns' names, in order.
  std::vector<std::string> outputs() const;
  bool empty() const { return items_.empty(); }

  nlohmann::json ToJson() const;
  static Result<FeatureTransform> FromJson(const nlohmann::json& json);

  // The functions TRANSFORM accepts (upper case, without "ML.").
  static const std::vector<std::string>& Functions();

  struct Item {
    std::string function;             // "" (a column), or STANDARD_SCALER, ...
    std::vector<std::string> inputs;  // input columns
    nlohmann::json args = nlohmann::json::array();  // literal arguments after the inputs
    std::string output;
    nlohmann::json state = nlohmann::json::object();  // fitted statistics
  };

 private:
  std::vector<Item> items_;
  Schema inputs_;
};

}  // namespace strata
