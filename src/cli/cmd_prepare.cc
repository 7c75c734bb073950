// `strata prepare TABLE [--target COL]`: step 2 of the seven. Prints the table's profile:
// per-column statistics, and with a target, the class balance and imbalance advice.
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "cli/cli.h"
#include "cli/output.h"
#include "strata/profile.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

struct PrepareArgs {
  std::string table;
  std::string target;
  int top = 3;
};

// Compact numbers for the profile table: 4 significant digits, no exponent for common sizes.
std::string Num(double v) {
  if (!std::isfinite(v)) return "";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{:.4g}", v);
}

std::string TopValues(const ColumnProfile& c) {
  std::string out;
  for (const ValueCount& v : c.top_values) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({})", v.value.empty() ? "\"\"" : v.value, WithThousands(v.count));
  }
  return out;
}

Table ProfileAsTable(const Profile& p) {
  TextTableBuilder b({{"column", DataType::kString},
                      {"type", DataType::kString},
                      {"nulls", DataType::kInt64},
                      {"distinct", DataType::kInt64},
                      {"min", DataType::kString},
                      {"mean", DataType::kString},
                      {"std", DataType::kString},
                      {"median", DataType::kString},
                      {"max", DataType::kString},
                      {"top values", DataType::kString}});
  for (const ColumnProfile& c : p.columns) {
    std::string min, mean, stddev, median, max;
    if (c.numeric && c.count > 0) {
      min = Num(c.numeric->min);
      mean = Num(c.numeric->mean);
      stddev = c.count > 1 ? Num(c.numeric->stddev) : "";
      median = Num(c.numeric->median);
      max = Num(c.numeric->max);
    } else if (c.text && c.count > 0) {
      min = fmt::format("len {}", c.text->min_length);
      mean = fmt::format("len {:.1f}", c.text->mean_length);
      max = fmt::format("len {}", c.text->max_length);
    } else {
      min = c.min_value.value_or("");
      max = c.max_value.value_or("");
    }
    b.AddRow({c.name, std::string(DataTypeName(c.type)), std::to_string(c.nulls),
              std::to_string(c.distinct), min, mean, stddev, median, max, TopValues(c)});
  }
  return b.Build();
}

void PrintLabel(const LabelProfile& label) {
  std::cout << fmt::format("\nLabel '{}': {}", label.column,
                           label.task == LabelTask::kClassification ? "classification"
                                                                    : "regression");
  if (label.task == LabelTask::kClassification) {
    std::cout << fmt::format(" with {} classes\n", label.classes.size());
    TextTableBuilder b({{"class", DataType::kString},
                        {"rows", DataType::kInt64},
                        {"share", DataType::kString}});
    for (const ClassShare& c : label.classes) {
      b.AddRow({c.label, std::to_string(c.count), fmt::format("{:.1f}%", c.fraction * 100)});
    }
    PrintTable(b.Build(), OutputFormat::kTable, std::cout);
  } else {
    std::cout << "\n";
  }
  if (label.nulls > 0) {
    std::cout << fmt::format("{} rows have no label; training will skip them.\n",
                             WithThousands(label.nulls));
  }
  if (!label.advice.empty()) {
    std::cout << (label.imbalanced ? "\nWarning: imbalanced data\n" : "\n");
    for (const std::string& a : label.advice) std::cout << "  - " << a << "\n";
  }
}

Status RunPrepare(const PrepareArgs& args, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  STRATA_ASSIGN_OR_RETURN(Table table, ws->ReadTable(args.table));
  ProfileOptions options;
  if (!args.target.empty()) options.target = args.target;
  options.top_k = args.top;
  auto profile = ProfileTable(table, options);
  if (!profile.ok()) return profile.status().WithContext("table '" + args.table + "'");

  switch (global.format) {
    case OutputFormat::kJson: {
      nlohmann::json j = ProfileToJson(*profile);
      j["table"] = args.table;
      std::cout << j.dump(2) << "\n";
      return Status::Ok();
    }
    case OutputFormat::kCsv: PrintTable(ProfileAsTable(*profile), OutputFormat::kCsv, std::cout); return Status::Ok();
    case OutputFormat::kTable: break;
  }
  std::cout << fmt::format("Table '{}': {} rows x {} columns\n", args.table,
                           WithThousands(profile->rows), profile->columns.size());
  PrintTable(ProfileAsTable(*profile), OutputFormat::kTable, std::cout, 48);
  if (!profile->warnings.empty()) {
    std::cout << "\nNotes:\n";
    for (const std::string& w : profile->warnings) std::cout << "  - " << w << "\n";
  }
  if (profile->label) PrintLabel(*profile->label);
  if (!profile->label) {
    std::cout << fmt::format(
        "\nNext: name the column to predict to see its class balance: {} prepare {} "
        "--target COLUMN\n",
        CommandLine(global), args.table);
  }
  return Status::Ok();
}

}  // namespace

void AddPrepareCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<PrepareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "prepare",
      "Step 2: profile a table (types, nulls, distinct values, statistics, top values) and, "
      "with --target, the label's class balance with imbalance advice");
  cmd->add_option("table", args->table, "Table in the workspace")->required();
  cmd->add_option("-t,--target", args->target, "The column to predict (the label)");
  cmd->add_option("--top", args->top, "How many most frequent values to show per column")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  AddFormatOption(*cmd, ctx);
  cmd->callback([args, &ctx] { ctx.result = RunPrepare(*args, ctx.global); });
}

}  // namespace strata::cli
