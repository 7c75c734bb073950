// Helpers shared by the ML commands (train, evaluate, predict, explain, models, choose):
// reading the input table or file, parsing --option values, printing metrics.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "strata/table.h"
#include "strata/workspace.h"

namespace strata::cli {

// Where a command's input rows come from: a workspace table or a data file.
struct InputArgs {
  std::string table;
  std::string file;
};

// Adds --table / --file options to a command (exactly one may be given).
void AddInputOptions(CLI::App& command, InputArgs& args, const std::string& what);

// Reads the input (NotFound naming the table or file); `required` false allows neither.
Result<Table> ReadInput(Workspace& workspace, const InputArgs& args, bool required);

// Training data from a workspace table or a data file (exactly one), with the fingerprint
// that goes into the model's lineage and the name models default to ("churn" for
// churn.csv). Used by train, tune and automl.
struct TrainingData {
  Table data;
  std::string fingerprint;
  std::string name;
};
Status CheckTrainingSource(const std::string& table, const std::string& file);  // exactly one
Result<TrainingData> ReadTrainingData(Workspace& workspace, const std::string& table,
                                      const std::string& file, int threads);

// Parses a duration such as "90", "90s", "5m", "1.5h" into seconds (> 0).
Result<double> ParseDuration(const std::string& text, const std::string& option_name);

// Parses repeatable "name=value" options: the value as JSON when it parses (numbers, true,
// [..], {..}), else as a string. "--option l2_reg=0.5 --option optimizer=adam".
Result<nlohmann::json> ParseNameValues(const std::vector<std::string>& items,
                                       const std::string& option_name);

// Prints a flat metrics object as a two-column table (metric, value) or JSON/CSV.
void PrintMetrics(const nlohmann::json& metrics, OutputFormat format, std::ostream& out);

// Prints a confusion matrix (rows: true class, columns: predicted) from a metrics summary.
void PrintConfusion(const nlohmann::json& summary, std::ostream& out);

}  // namespace strata::cli
