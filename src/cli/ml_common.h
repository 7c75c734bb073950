// Helpers shared by the ML commands (train, evaluate, predict, explain, models, choose):
// reading the input table or file, parsing --option values, printing metrics.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "strata/table.h"
#include "strata/workspace.h"

namespace strata {
struct AutoMlEvent;  // strata/automl.h
}  // namespace strata

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

// Parses repeatable "name=value" options: the value as JSON when it parses (numbers, true,
// [..], {..}), else as a string. "--option l2_reg=0.5 --option optimizer=adam".
Result<nlohmann::json> ParseNameValues(const std::vector<std::string>& items,
                                       const std::string& option_name);
// One such value: JSON when it parses, else the text ('quoted' or bare) as a string.
nlohmann::json ParseValueText(std::string text);

// The options train and tune share: TABLE, --file, --target, --model (--model-type), --name.
// `verb` words the --file help ("Train", "Tune").
void AddModelDataOptions(CLI::App& command, std::string& table, std::string& file,
                         std::string& target, std::string& model_type, std::string& name,
                         const std::string& verb);

// The flat OPTIONS train and tune start from: the --option values, then --model and
// --target. InvalidArgument (pointing to `strata choose`) when no model type is given.
Result<nlohmann::json> BaseModelOptions(const std::vector<std::string>& options,
                                        const std::string& model_type, const std::string& target);

// The model name when --name is not given: TABLE_model, or the file's stem + "_model".
std::string DefaultModelName(const std::string& table, const std::string& file);

// Exactly one of a workspace TABLE and --file FILE (InvalidArgument otherwise).
Status CheckTrainingSource(const std::string& table, const std::string& file);

// Parses a duration such as "90", "90s", "5m", "1.5h" into seconds (> 0); errors name
// `option_name`.
Result<double> ParseDuration(const std::string& text, const std::string& option_name);

// Training rows from a workspace table or a data file, with the fingerprint the model's
// lineage records (train and tune read their data the same way).
struct TrainingInput {
  Table data;
  std::string fingerprint;
};
Result<TrainingInput> ReadTrainingInput(Workspace& workspace, const std::string& table,
                                        const std::string& file, int threads);

// While alive, Ctrl-C (SIGINT) sets flag() instead of killing the process, so a long
// training or tuning stops cleanly (tuning keeps its best trial). Restores the handler.
class CancelOnInterrupt {
 public:
  CancelOnInterrupt();
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;
  const std::atomic<bool>* flag() const;

 private:
  void (*previous_)(int);
};

// Prints a flat metrics object as a two-column table (metric, value) or JSON/CSV.
void PrintMetrics(const nlohmann::json& metrics, OutputFormat format, std::ostream& out);

// Prints a confusion matrix (rows: true class, columns: predicted) from a metrics summary.
void PrintConfusion(const nlohmann::json& summary, std::ostream& out);

// Prints an AutoML leaderboard (a bundle's eval_summary["leaderboard"]): rank, configuration,
// model type, score ± std, fit seconds, ensemble weight, status and the key options. With
// max_rows > 0, only the best max_rows and the ensemble's members, and how many were left out.
void PrintLeaderboard(const nlohmann::json& leaderboard, size_t max_rows, std::ostream& out);

// "0.9201 ± 0.0123", or "0.9201" without a spread: a cross-validated score for people.
std::string ScoreText(double score, double std_dev);

// A configuration's options as "name=value" pairs for people ("max_tree_depth=6
// learn_rate=0.03"), leaving out the iteration caps that early stopping makes moot.
std::string KeyOptionsText(const nlohmann::json& options);

// One line of AutoML progress for stderr: elapsed / budget, the configuration just scored
// with its mean ± std and fit time, and the best so far (`strata automl`, `strata sql`).
std::string AutoMlProgressLine(const AutoMlEvent& event);

}  // namespace strata::cli
