// `strata collect FILE`: step 1 of the seven. Reads a CSV/TSV/JSON Lines file with type
// inference and imports it into the workspace in one transaction.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <map>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "strata/collect.h"
#include "strata/data_file.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

struct CollectArgs {
  std::string file;
  std::string table;
  std::vector<std::string> types;
  std::string delimiter;
  std::string input_format = "auto";
  std::string header = "auto";
  std::vector<std::string> nulls;
  std::string on_bad_row = "error";
  bool replace = false;
  bool append = false;
  int threads = 0;
};

// "churn-2024.csv" -> "churn_2024": a table name that needs no quoting in SQL.
std::string TableNameFromPath(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  std::string name;
  for (char c : stem) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    name += ok ? c : '_';
  }
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name = "t_" + name;
  return name;
}

Result<char> ParseDelimiter(const std::string& text) {
  static const std::map<std::string, char> kNamed = {
      {"tab", '\t'}, {"\\t", '\t'}, {"comma", ','}, {"semicolon", ';'}, {"pipe", '|'}};
  auto it = kNamed.find(text);
  if (it != kNamed.end()) return it->second;
  if (text.size() == 1 && text[0] != '"' && text[0] != '\n' && text[0] != '\r') return text[0];
  return InvalidArgument(fmt::format(
      "--delimiter '{}' is not a single character; expected one of , ; | tab (or any one "
      "character other than a quote or newline)",
      text));
}

// Parses "--types age=INT64,zip=STRING" (repeatable) into a name -> type map.
Result<std::map<std::string, DataType>> ParseTypes(const std::vector<std::string>& specs) {
  std::map<std::string, DataType> out;
  for (const std::string& spec : specs) {
    size_t start = 0;
    while (start <= spec.size()) {
      size_t comma = spec.find(',', start);
      std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
      if (item.empty()) continue;
      size_t eq = item.rfind('=');
      if (eq == std::string::npos || eq == 0) {
        return InvalidArgument(fmt::format(
            "--types '{}': expected COLUMN=TYPE, e.g. --types zip=STRING,age=INT64", item));
      }
      std::string type_name = item.substr(eq + 1);
      auto type = ParseDataType(type_name);
      if (!type) {
        return InvalidArgument(fmt::format("--types '{}': unknown type '{}'; expected one of {}",
                                           item, type_name, DataTypeNamesForHelp()));
      }
      out[item.substr(0, eq)] = *type;
    }
  }
  return out;
}

Result<DataFileOptions> BuildReadOptions(const CollectArgs& args) {
  DataFileOptions options;
  auto format = ParseFileFormat(args.input_format);
  if (!format) {
    return InvalidArgument(fmt::format(
        "--input-format '{}': expected auto, csv, tsv or jsonl", args.input_format));
  }
  options.format = *format;
  if (args.input_format == "tsv") options.csv.delimiter = '\t';
  if (!args.delimiter.empty()) {
    STRATA_ASSIGN_OR_RETURN(char d, ParseDelimiter(args.delimiter));
    options.csv.delimiter = d;
  }
  if (args.header == "yes" || args.header == "true") {
    options.csv.header = HeaderMode::kYes;
  } else if (args.header == "no" || args.header == "false") {
    options.csv.header = HeaderMode::kNo;
  } else if (args.header != "auto") {
    return InvalidArgument(fmt::format("--header '{}': expected auto, yes or no", args.header));
  }
  if (!args.nulls.empty()) options.csv.null_tokens = args.nulls;
  auto policy = ParseBadRowPolicy(args.on_bad_row);
  if (!policy) {
    return InvalidArgument(
        fmt::format("--on-bad-row '{}': expected error, skip or pad", args.on_bad_row));
  }
  options.csv.on_bad_row = *policy;
  STRATA_ASSIGN_OR_RETURN(options.csv.type_overrides, ParseTypes(args.types));
  options.csv.threads = args.threads;
  return options;
}

Status RunCollect(const CollectArgs& args, const GlobalOptions& global) {
  if (args.replace && args.append) {
    return InvalidArgument("--replace and --append exclude each other; pick one");
  }
  std::string table_name = args.table.empty() ? TableNameFromPath(args.file) : args.table;
  if (args.file == "-" && args.table.empty()) {
    return InvalidArgument("reading standard input needs a table name: add --as TABLE");
  }
  STRATA_ASSIGN_OR_RETURN(DataFileOptions options, BuildReadOptions(args));
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/true));
  WriteMode mode = args.replace ? WriteMode::kReplace
                                : (args.append ? WriteMode::kAppend : WriteMode::kCreate);
  // Fail before reading a large file when the import is bound to fail.
  if (mode == WriteMode::kCreate && ws->HasTable(table_name)) {
    return AlreadyExists(fmt::format(
        "table '{}' already exists in {}. Possible solutions: --replace to overwrite it, "
        "--append to add rows, or --as NAME for a new table",
        table_name, ws->path()));
  }

  ProgressBar bar(!global.quiet && StderrIsTty());
  CollectOptions collect;
  collect.read = std::move(options);
  collect.read.csv.progress = bar.Callback("bytes");
  collect.read.json.progress = bar.Callback("bytes");
  collect.write.mode = mode;
  collect.write.progress = bar.Callback("rows");
  STRATA_ASSIGN_OR_RETURN(CollectResult collected, CollectFile(*ws, args.file, table_name, collect));
  bar.Finish();
  const Table& table = collected.table;
  const DataFileReport& report = collected.report;
  const double seconds = collected.seconds;
  const std::string source =
      args.file == "-" ? "<stdin>" : std::filesystem::absolute(args.file).string();

  std::vector<std::string> notes;
  if (report.csv.skipped_rows > 0) {
    notes.push_back(fmt::format("skipped {} ragged rows (--on-bad-row skip)",
                                WithThousands(report.csv.skipped_rows)));
  }
  if (report.csv.padded_rows > 0) {
    notes.push_back(fmt::format("padded or cut {} ragged rows (--on-bad-row pad)",
                                WithThousands(report.csv.padded_rows)));
  }
  for (const std::string& w : report.csv.widened) notes.push_back("widened " + w);
  for (const std::string& w : report.csv.warnings) notes.push_back(w);

  if (global.format == OutputFormat::kJson) {
    nlohmann::json out = {{"table", table_name},
                          {"workspace", ws->path()},
                          {"source", source},
                          {"format", std::string(FileFormatName(report.format))},
                          {"rows", table.num_rows()},
                          {"columns", nlohmann::json::array()},
                          {"bytes", report.bytes},
                          {"seconds", seconds},
                          {"notes", notes}};
    for (const Column& c : table.columns()) {
      out["columns"].push_back(
          {{"name", c.name()}, {"type", DataTypeName(c.type())}, {"nulls", c.null_count()}});
    }
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  TextTableBuilder schema({{"column", DataType::kString},
                           {"type", DataType::kString},
                           {"nulls", DataType::kInt64}});
  for (const Column& c : table.columns()) {
    schema.AddRow({c.name(), std::string(DataTypeName(c.type())), std::to_string(c.null_count())});
  }
  if (global.format == OutputFormat::kCsv) {
    PrintTable(schema.Build(), OutputFormat::kCsv, std::cout);
    return Status::Ok();
  }
  std::cout << fmt::format("Collected {} into table '{}': {} rows x {} columns ({} in {:.2f} s)\n",
                           args.file == "-" ? "standard input" : args.file, table_name,
                           WithThousands(table.num_rows()), table.num_columns(),
                           HumanBytes(static_cast<double>(report.bytes)), seconds);
  std::cout << "Workspace: " << ws->path() << "\n";
  PrintTable(schema.Build(), OutputFormat::kTable, std::cout);
  for (const std::string& n : notes) std::cout << "note: " << n << "\n";
  std::cout << fmt::format("Next: {} prepare {} --target COLUMN\n", CommandLine(global),
                           table_name);
  return Status::Ok();
}

}  // namespace

void AddCollectCommand(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<CollectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "collect",
      "Step 1: import a CSV, TSV or JSON Lines file into the workspace as a typed table");
  cmd->add_option("file", args->file, "Data file to import ('-' for standard input)")
      ->required();
  cmd->add_option("--as", args->table, "Table name (default: the file name without extension)");
  cmd->add_option("--types", args->types,
                  "Override inferred types: COLUMN=TYPE[,COLUMN=TYPE...]; types: " +
                      DataTypeNamesForHelp());
  cmd->add_option("--delimiter", args->delimiter,
                  "Field delimiter: , ; | tab or one character (default: detected)");
  cmd->add_option("--input-format", args->input_format,
                  "auto (from the extension), csv, tsv or jsonl")
      ->capture_default_str();
  cmd->add_option("--header", args->header, "Whether the first row is a header: auto, yes, no")
      ->capture_default_str();
  cmd->add_option("--null", args->nulls,
                  "A text that means NULL (repeatable; replaces the defaults: empty, NA, N/A, "
                  "NULL, NaN, None, ...)");
  cmd->add_option("--on-bad-row", args->on_bad_row,
                  "Rows with the wrong number of fields: error, skip or pad")
      ->capture_default_str();
  cmd->add_flag("--replace", args->replace, "Replace the table if it exists (atomically)");
  cmd->add_flag("--append", args->append, "Append rows to an existing table with the same columns");
  cmd->add_option("--threads", args->threads, "Parsing threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  AddFormatOption(*cmd, ctx);
  cmd->callback([args, &ctx] { ctx.result = RunCollect(*args, ctx.global); });
}

}  // namespace strata::cli
