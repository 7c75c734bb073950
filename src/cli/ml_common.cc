#include "cli/ml_common.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli/output.h"
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

Result<TrainingData> ReadTrainingData(Workspace& workspace, const std::string& table,
                                      const std::string& file, int threads) {
  STRATA_RETURN_IF_ERROR(CheckTrainingSource(table, file));
  TrainingData out;
  if (!file.empty()) {
    DataFileOptions read;
    if (threads > 0) read.csv.threads = threads;
    STRATA_ASSIGN_OR_RETURN(out.data, ReadDataFile(file, read));
    STRATA_ASSIGN_OR_RETURN(out.fingerprint, FileFingerprint(file));
    out.name = std::filesystem::path(file).stem().string();
  } else {
    STRATA_ASSIGN_OR_RETURN(out.data, workspace.ReadTable(table));
    STRATA_ASSIGN_OR_RETURN(TableInfo info, workspace.DescribeTable(table));
    out.fingerprint = info.fingerprint;
    out.name = table;
  }
  return out;
}

Result<double> ParseDuration(const std::string& text, const std::string& option_name) {
  static const std::pair<char, double> kUnits[] = {{'s', 1}, {'m', 60}, {'h', 3600}};
  std::string number = text;
  double unit = 1;
  if (!number.empty()) {
    for (const auto& [suffix, seconds] : kUnits) {
      if (number.back() == suffix) {
        unit = seconds;
        number.pop_back();
        break;
      }
    }
  }
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(number, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (number.empty() || used != number.size() || !(value > 0) || !std::isfinite(value)) {
    return InvalidArgument(fmt::format("{} '{}': expected a positive duration such as 90s, 5m or 1h",
                                       option_name, text));
  }
  return value * unit;
}

Result<nlohmann::json> ParseNameValues(const std::vector<std::string>& items,
                                       const std::string& option_name) {
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgument(fmt::format("{} '{}': expected NAME=VALUE, e.g. {} l2_reg=0.5",
                                         option_name, item, option_name));
    }
    std::string name = item.substr(0, eq);
    std::string text = item.substr(eq + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
      // Single-quoted SQL-style strings and bare words are strings.
      if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
        text = text.substr(1, text.size() - 2);
      }
      value = text;
    }
    out[name] = value;
  }
  return out;
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

}  // namespace strata::cli
