#include "cli/ml_common.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include <filesystem>
#include <iostream>
#include <set>

#include "cli/output.h"
#include "strata/automl.h"
#include "strata/data_file.h"

namespace strata::cli {

void AddInputOptions(CLI::App& command, InputArgs& args, const std::string& what) {
  auto* t = command.add_option("--table", args.table, "Workspace table to " + what);
  auto* f = command.add_option("--file", args.file, "CSV/TSV/JSON Lines file to " + what);
  t->excludes(f);
  f->excludes(t);
}

Result<Table> ReadInput(Workspace& workspace, const InputArgs& args, bool required) {
  if (!args.table.empty()) return workspace.ReadTable(args.table);
  if (!args.file.empty()) return ReadDataFile(args.file);
  if (required) return InvalidArgument("give the input rows with --table TABLE or --file FILE");
  return Table();
}

void AddModelDataOptions(CLI::App& command, std::string& table, std::string& file,
                         std::string& target, std::string& model_type, std::string& name,
                         const std::string& verb) {
  command.add_option("table", table, "Training table in the workspace");
  command.add_option("--file", file,
                     verb + " straight from a CSV/TSV/JSON Lines file instead of a table (read as "
                     "`strata collect` reads it; the model records the file's fingerprint)");
  command.add_option("-t,--target", target, "The label column to predict (input_label_cols)");
  command.add_option("-m,--model,--model-type", model_type,
                     "Model type: LINEAR_REG, LOGISTIC_REG, BOOSTED_TREE_CLASSIFIER, "
                     "BOOSTED_TREE_REGRESSOR, RANDOM_FOREST_CLASSIFIER, RANDOM_FOREST_REGRESSOR, "
                     "DNN_CLASSIFIER, DNN_REGRESSOR, KMEANS");
  command.add_option("-n,--name", name, "Model name (default: TABLE_model)");
}

Result<nlohmann::json> BaseModelOptions(const std::vector<std::string>& options,
                                        const std::string& model_type, const std::string& target) {
  STRATA_ASSIGN_OR_RETURN(nlohmann::json out, ParseNameValues(options, "--option"));
  if (model_type.empty() && !out.contains("model_type")) {
    return InvalidArgument(
        "choose a model type with --model TYPE (e.g. BOOSTED_TREE_CLASSIFIER); `strata choose "
        "TABLE --target COL` recommends one");
  }
  if (!model_type.empty()) out["model_type"] = model_type;
  if (!target.empty()) out["input_label_cols"] = {target};
  return out;
}

std::string DefaultModelName(const std::string& table, const std::string& file) {
  return (file.empty() ? table : std::filesystem::path(file).stem().string()) + "_model";
}

Status CheckTrainingSource(const std::string& table, const std::string& file) {
  if (!table.empty() && !file.empty()) {
    return InvalidArgument("give the training data once: a workspace TABLE or --file FILE, not both");
  }
  if (table.empty() && file.empty()) {
    return InvalidArgument("give the training data: a workspace TABLE, or --file FILE (a CSV/TSV/JSON "
                           "Lines file)");
  }
  return Status::Ok();
}

Result<double> ParseDuration(const std::string& text, const std::string& option_name) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  const std::string unit = end != nullptr ? std::string(end) : "";
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
  if (end == text.c_str() || scale < 0 || !(value > 0) || !std::isfinite(value)) {
    return InvalidArgument(fmt::format("{} '{}': expected a positive duration such as 90s, 5m or 1h",
                                       option_name, text));
  }
  return value * scale;
}

Result<TrainingInput> ReadTrainingInput(Workspace& workspace, const std::string& table,
                                        const std::string& file, int threads) {
  TrainingInput input;
  if (!file.empty()) {
    DataFileOptions read;
    if (threads > 0) read.csv.threads = threads;
    STRATA_ASSIGN_OR_RETURN(input.data, ReadDataFile(file, read));
    STRATA_ASSIGN_OR_RETURN(input.fingerprint, FileFingerprint(file));
  } else {
    STRATA_ASSIGN_OR_RETURN(input.data, workspace.ReadTable(table));
    STRATA_ASSIGN_OR_RETURN(TableInfo info, workspace.DescribeTable(table));
    input.fingerprint = info.fingerprint;
  }
  return input;
}

namespace {
std::atomic<bool> g_interrupted{false};
void OnInterrupt(int) { g_interrupted.store(true); }
}  // namespace

CancelOnInterrupt::CancelOnInterrupt() : previous_(std::signal(SIGINT, OnInterrupt)) {
  g_interrupted.store(false);
}
CancelOnInterrupt::~CancelOnInterrupt() { std::signal(SIGINT, previous_); }
const std::atomic<bool>* CancelOnInterrupt::flag() const { return &g_interrupted; }

Result<nlohmann::json> ParseNameValues(const std::vector<std::string>& items,
                                       const std::string& option_name) {
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument(fmt::format("{} '{}': expected NAME=VALUE, e.g. {} l2_reg=0.5",
                                         option_name, item, option_name));
    }
    out[item.substr(0, eq)] = ParseValueText(item.substr(eq + 1));
  }
  return out;
}

nlohmann::json ParseValueText(std::string text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_discarded()) return value;
  // Single-quoted SQL-style strings and bare words are strings.
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    text = text.substr(1, text.size() - 2);
  }
  return text;
}

void PrintMetrics(const nlohmann::json& metrics, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << metrics.dump(2) << "\n";
    return;
  }
  TextTableBuilder b({{"metric", DataType::kString}, {"value", DataType::kString}});
  for (const auto& [name, value] : metrics.items()) {
    if (value.is_object() || value.is_array()) continue;
    std::string text;
    if (value.is_number_float()) {
      text = fmt::format("{:.6g}", value.get<double>());
    } else if (value.is_null()) {
      text = "NULL";
    } else if (value.is_string()) {
      text = value.get<std::string>();
    } else {
      text = value.dump();
    }
    b.AddRow({name, text});
  }
  PrintTable(b.Build(), format, out);
}

void PrintConfusion(const nlohmann::json& summary, std::ostream& out) {
  if (!summary.is_object() || !summary.contains("confusion_matrix") ||
      !summary.contains("labels")) {
    return;
  }
  const auto& labels = summary["labels"];
  const auto& matrix = summary["confusion_matrix"];
  std::vector<Field> fields = {{"expected_label", DataType::kString}};
  for (const auto& l : labels) fields.push_back({"predicted " + l.get<std::string>(), DataType::kInt64});
  TextTableBuilder b(fields);
  for (size_t i = 0; i < labels.size() && i < matrix.size(); ++i) {
    std::vector<std::string> row = {labels[i].get<std::string>()};
    for (const auto& v : matrix[i]) row.push_back(v.dump());
    b.AddRow(row);
  }
  out << "Confusion matrix (rows: true class, columns: predicted):\n";
  PrintTable(b.Build(), OutputFormat::kTable, out);
}

std::string ScoreText(double score, double std_dev) {
  return std_dev > 0 ? fmt::format("{:.4f} ± {:.4f}", score, std_dev)
                     : fmt::format("{:.4f}", score);
}

std::string AutoMlProgressLine(const AutoMlEvent& e) {
  const std::string score = e.last->status == "ok" ? ScoreText(e.last->score, e.last->score_std) : "-";
  return fmt::format("[{:>5.0f}s/{:.0f}s] {:>2}. {:<44} {} {:<18} ({:.1f} s)   best {:.4f} {}", e.elapsed_seconds,
                     e.budget_seconds, e.done, e.last->name, e.metric, score, e.last->fit_seconds, e.best->score,
                     e.best->name);
}

std::string KeyOptionsText(const nlohmann::json& options) {
  static const std::set<std::string> kCaps = {"max_iterations", "early_stopping_rounds", "min_rel_progress"};
  std::string out;
  if (!options.is_object()) return out;
  for (const auto& [name, value] : options.items()) {
    if (kCaps.contains(name)) continue;
    std::string text;
    if (value.is_number_float()) {
      text = fmt::format("{:.3g}", value.get<double>());
    } else if (value.is_string()) {
      text = value.get<std::string>();
    } else {
      text = value.dump();
    }
    out += (out.empty() ? "" : " ") + name + "=" + text;
  }
  return out;
}

void PrintLeaderboard(const nlohmann::json& leaderboard, size_t max_rows, std::ostream& out) {
  if (!leaderboard.is_array() || leaderboard.empty()) return;
  TextTableBuilder board({{"rank", DataType::kInt64},
                          {"configuration", DataType::kString},
                          {"model_type", DataType::kString},
                          {"score", DataType::kString},
                          {"fit_s", DataType::kString},
                          {"weight", DataType::kString},
                          {"status", DataType::kString},
                          {"key options", DataType::kString}});
  size_t shown = 0;
  for (size_t i = 0; i < leaderboard.size(); ++i) {
    const nlohmann::json& e = leaderboard[i];
    auto number = [&e](const char* key) {
      return e.contains(key) && e[key].is_number() ? e[key].get<double>() : 0.0;
    };
    const double weight = number("ensemble_weight");
    if (max_rows > 0 && i >= max_rows && !(weight > 0)) continue;
    const bool scored = e.contains("score") && e["score"].is_number();
    board.AddRow({std::to_string(e.value("rank", static_cast<int64_t>(i + 1))), e.value("name", ""),
                  e.value("model_type", ""),
                  scored ? ScoreText(number("score"), number("score_std")) : std::string("-"),
                  fmt::format("{:.1f}", number("fit_seconds")), fmt::format("{:.2f}", weight),
                  e.value("status", ""),
                  KeyOptionsText(e.value("options", nlohmann::json::object()))});
    ++shown;
  }
  out << "Leaderboard (" << leaderboard.front().value("metric", "") << ", mean ± std over the folds):\n";
  PrintTable(board.Build(), OutputFormat::kTable, out, /*max_cell_width=*/90);
  if (shown < leaderboard.size()) {
    out << fmt::format("... and {} more configurations (all of them: strata models show MODEL, or --format json)\n",
                       leaderboard.size() - shown);
  }
}

}  // namespace strata::cli
