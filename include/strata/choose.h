// Choosing a model (step 3 of the seven): looks at a table's size, column types and label
// balance and recommends model types and a way to handle imbalance, with the reasons. The
// CLI's `strata choose`, the console and AutoML's starting portfolio use it.
//
//   STRATA_ASSIGN_OR_RETURN(strata::ModelAdvice a, strata::ChooseModel(table, "churn"));
//   a.models[0].model_type;  // e.g. "BOOSTED_TREE_CLASSIFIER"
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "strata/model.h"
#include "strata/status.h"
#include "strata/table.h"

namespace strata {

struct ModelRecommendation {
  std::string model_type;
  std::string reason;
  std::vector<std::string> options;  // suggested NAME=VALUE options, if any
};

struct ModelAdvice {
  Task task = Task::kClassification;
  int64_t rows = 0;
  int numeric_columns = 0, categorical_columns = 0, time_columns = 0;
  int64_t missing_values = 0;
  std::vector<std::string> facts;                // what was found, one line each
  std::vector<ModelRecommendation> models;       // best first
  std::vector<std::string> balance;              // imbalance advice, in order (may be empty)
  std::vector<std::string> balance_options;      // suggested NAME=VALUE options for it
};

// Recommends model types for predicting `target` from the other columns of `table`
// (no target: clustering). NotFound names the closest column for a misspelt target.
Result<ModelAdvice> ChooseModel(const Table& table, const std::optional<std::string>& target);

}  // namespace strata
