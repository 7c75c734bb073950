// `strata sql`: the BigQuery ML dialect over the workspace, in the manner of the sqlite3 shell.
// Interactive on a terminal (readline editing and history, multi-line statements ended by
// ';', dot-commands), or running a script from -c, a file or standard input. Every statement
// goes through the one SqlEngine (include/strata/sql.h).
#include <fmt/format.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli.h"
#include "cli/ml_common.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "strata/model_store.h"
#include "strata/sql.h"
#include "strata/suggest.h"
#include "strata/tune.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

enum class Mode { kTable, kCsv, kJson, kLine };

struct SqlArgs {
  std::string file;
  std::vector<std::string> commands;  // -c, repeatable
  std::string mode;
  bool continue_on_error = false;
  bool timer = false;
  int threads = 0;
};

std::atomic<bool> g_cancel{false};
void OnInterrupt(int) { g_cancel.store(true); }

const char* kHelp = R"(Statements end with ';' and may span lines. Plain SQL is SQLite's; BigQuery ML:
  CREATE [OR REPLACE] MODEL [IF NOT EXISTS] m OPTIONS(model_type='...', input_label_cols=['y']) AS SELECT ...;
  DROP MODEL [IF EXISTS] m;
  SELECT * FROM ML.PREDICT(MODEL m, TABLE t | (SELECT ...) [, STRUCT(0.5 AS threshold)]);
  ML.EVALUATE, ML.CONFUSION_MATRIX, ML.ROC_CURVE, ML.FEATURE_IMPORTANCE, ML.TRAINING_INFO,
  ML.FEATURE_INFO, ML.WEIGHTS (see docs/sql.md)
Dot-commands:
  .help                  this text
  .tables                the workspace's tables
  .models                the workspace's models
  .schema [TABLE]        CREATE statements of tables (or one table)
  .mode table|csv|json|line   how query results are shown
  .read FILE             run the statements of FILE
  .timer on|off          show each statement's run time
  .quit, .exit           leave (or Ctrl-D)
)";

// A line that is a dot-command (.mode csv, .tables, ...), not SQL.
bool IsDotCommand(std::string_view line) {
  size_t i = line.find_first_not_of(" \t");
  return i != std::string_view::npos && line[i] == '.';
}

class Shell {
 public:
  Shell(Workspace& ws, const SqlArgs& args, const GlobalOptions& global)
      : ws_(ws), engine_(ws), args_(args), global_(global), timer_(args.timer) {
    mode_ = global.format == OutputFormat::kJson ? Mode::kJson
            : global.format == OutputFormat::kCsv ? Mode::kCsv
                                                  : Mode::kTable;
  }

  Status SetMode(std::string_view name) {
    if (name == "table" || name == "box") {
      mode_ = Mode::kTable;
    } else if (name == "csv") {
      mode_ = Mode::kCsv;
    } else if (name == "json") {
      mode_ = Mode::kJson;
    } else if (name == "line") {
      mode_ = Mode::kLine;
    } else {
      return InvalidArgument(fmt::format("unknown mode '{}': use table, csv, json or line", name));
    }
    return Status::Ok();
  }

  // Runs a whole script (a file, -c text or standard input): statements and dot-commands.
  Status RunScript(std::string_view text, const std::string& source) {
    std::istringstream in{std::string(text)};
    std::string line, buffer;
    int line_number = 0, buffer_line = 1;
    Status last = Status::Ok();
    auto fail = [&](const Status& s) {
      if (!args_.continue_on_error) return false;
      PrintError(s);
      last = s;
      return true;
    };
    while (std::getline(in, line)) {
      ++line_number;
      if (buffer.find_first_not_of(" \t\r\n") == std::string::npos && IsDotCommand(line)) {
        buffer.clear();
        Status s = DotCommand(line);
        if (!s.ok() && !fail(s)) return s;
        continue;
      }
      if (buffer.find_first_not_of(" \t\r\n") == std::string::npos) {
        buffer.clear();
        buffer_line = line_number;
      }
      buffer += line;
      buffer += '\n';
      if (SqlEngine::IsComplete(buffer)) {
        Status s = Execute(buffer, source, buffer_line - 1);
        buffer.clear();
        if (!s.ok() && !fail(s)) return s;
      }
    }
    if (buffer.find_first_not_of(" \t\r\n") != std::string::npos) {
      // A last statement without ';' still runs, as in sqlite3 scripts.
      Status s = Execute(buffer, source, buffer_line - 1);
      if (!s.ok() && !fail(s)) return s;
    }
    return last;
  }

  // The interactive loop: readline with history in ~/.strata_history.
  Status Interactive() {
    std::string history;
    if (const char* home = std::getenv("HOME")) history = std::string(home) + "/.strata_history";
    if (!history.empty()) read_history(history.c_str());
    std::cout << fmt::format("strata sql over {} — statements end with ';', .help for help, "
                             "Ctrl-D to leave\n",
                             ws_.path());
    std::string buffer;
    int statement_number = 0;
    while (!quit_) {
      char* raw = readline(buffer.empty() ? "strata> " : "   ...> ");
      if (raw == nullptr) {
        std::cout << "\n";
        break;
      }
      std::string line(raw);
      std::free(raw);
      if (buffer.empty() && IsDotCommand(line)) {
        add_history(line.c_str());
        Status s = DotCommand(line);
        if (!s.ok()) PrintError(s);
        continue;
      }
      if (buffer.empty() && line.find_first_not_of(" \t") == std::string::npos) continue;
      buffer += line;
      buffer += '\n';
      if (!SqlEngine::IsComplete(buffer)) continue;
      std::string entry = buffer;
      while (!entry.empty() && (entry.back() == '\n' || entry.back() == ' ')) entry.pop_back();
      add_history(entry.c_str());
      Status s = Execute(buffer, fmt::format("<statement {}>", ++statement_number), 0);
      if (!s.ok()) PrintError(s);
      buffer.clear();
    }
    if (!history.empty()) write_history(history.c_str());
    return Status::Ok();
  }

 private:
  Status Execute(const std::string& text, const std::string& source, int line_offset) {
    SqlOptions options;
    options.source_name = source;
    options.line_offset = line_offset;
    options.threads = args_.threads;
    options.cancel = &g_cancel;
    ProgressBar bar(!global_.quiet && StderrIsTty());
    options.progress = bar.Callback("iterations");
    if (!global_.quiet) {
      // Tuning and AutoML report each trial / configuration and the best so far, as
      // `strata tune` and `strata automl` do.
      options.on_trial = [](const TuneProgress& p) { std::cerr << FormatTrialLine(p) << "\n"; };
      options.on_automl = [](const AutoMlEvent& e) { std::cerr << AutoMlProgressLine(e) << "\n"; };
    }
    g_cancel = false;
    auto previous = std::signal(SIGINT, OnInterrupt);
    Status s = engine_.Run(text, [&](const SqlResult& r) { return Show(r); }, options);
    std::signal(SIGINT, previous);
    bar.Finish();
    return s;
  }

  Status Show(const SqlResult& r) {
    if (r.has_rows) {
      switch (mode_) {
        case Mode::kTable: PrintTable(r.rows, OutputFormat::kTable, std::cout, 60); break;
        case Mode::kCsv: PrintTable(r.rows, OutputFormat::kCsv, std::cout); break;
        case Mode::kJson: PrintTable(r.rows, OutputFormat::kJson, std::cout); break;
        case Mode::kLine: PrintLines(r.rows); break;
      }
    } else if (!global_.quiet && r.message != "OK") {
      std::cerr << r.message << "\n";
    }
    if (timer_) std::cerr << fmt::format("Run Time: real {:.3f}\n", r.seconds);
    std::cout.flush();
    return Status::Ok();
  }

  // sqlite3's .mode line: one "column = value" line per cell, a blank line between rows.
  void PrintLines(const Table& t) {
    size_t width = 0;
    for (const Column& c : t.columns()) width = std::max(width, c.name().size());
    for (int64_t r = 0; r < t.num_rows(); ++r) {
      if (r > 0) std::cout << "\n";
      for (const Column& c : t.columns()) {
        std::cout << fmt::format("{:>{}} = {}\n", c.name(), width, c.IsNull(r) ? "NULL" : c.FormatValue(r));
      }
    }
  }

  Status DotCommand(const std::string& line) {
    std::istringstream words(line);
    std::string command, arg;
    words >> command >> arg;
    static const std::vector<std::string> kCommands = {".help", ".tables", ".models", ".schema", ".mode",
                                                       ".read", ".timer", ".quit", ".exit"};
    if (command == ".help") {
      std::cout << kHelp;
    } else if (command == ".quit" || command == ".exit") {
      quit_ = true;
    } else if (command == ".mode") {
      if (arg.empty()) return InvalidArgument(".mode needs a mode: table, csv, json or line");
      return SetMode(arg);
    } else if (command == ".timer") {
      if (arg != "on" && arg != "off") return InvalidArgument(".timer takes on or off");
      timer_ = arg == "on";
    } else if (command == ".read") {
      if (arg.empty()) return InvalidArgument(".read needs a file name");
      std::ifstream in(arg);
      if (!in) return NotFound(fmt::format(".read: cannot open '{}'", arg));
      std::stringstream text;
      text << in.rdbuf();
      return RunScript(text.str(), arg);
    } else if (command == ".tables") {
      STRATA_ASSIGN_OR_RETURN(auto tables, ws_.ListTables());
      TextTableBuilder out({{"table", DataType::kString}, {"rows", DataType::kInt64}});
      for (const TableInfo& t : tables) out.AddRow({t.name, std::to_string(t.rows)});
      PrintTable(out.Build(), OutputFormat::kTable, std::cout);
    } else if (command == ".models") {
      ModelStore store(ws_);
      STRATA_ASSIGN_OR_RETURN(auto models, store.List());
      TextTableBuilder out({{"model", DataType::kString},
                            {"model_type", DataType::kString},
                            {"label", DataType::kString},
                            {"versions", DataType::kInt64},
                            {"updated_at", DataType::kString}});
      for (const ModelInfo& m : models) {
        out.AddRow({m.name, m.model_type, m.label, std::to_string(m.versions), m.updated_at});
      }
      PrintTable(out.Build(), OutputFormat::kTable, std::cout);
    } else if (command == ".schema") {
      std::string sql =
          "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND substr(tbl_name, 1, 7) "
          "NOT IN ('strata_', 'sqlite_')";
      if (!arg.empty()) sql += " AND (name = " + QuoteSqlText(arg) + " OR tbl_name = " + QuoteSqlText(arg) + ")";
      sql += " ORDER BY tbl_name, type DESC, name";
      bool any = false;
      Status s = engine_.Run(sql, [&](const SqlResult& r) {
        for (int64_t i = 0; i < r.rows.num_rows(); ++i) {
          std::cout << r.rows.column(0).FormatValue(i) << ";\n";
          any = true;
        }
        return Status::Ok();
      });
      if (!s.ok()) return s;
      if (!any && !arg.empty()) {
        STRATA_ASSIGN_OR_RETURN(auto info, ws_.DescribeTable(arg));  // NotFound with a suggestion
      }
    } else {
      return InvalidArgument(fmt::format("unknown command {}; .help lists them.{}", command,
                                         DidYouMean(command, kCommands)));
    }
    return Status::Ok();
  }

  static std::string QuoteSqlText(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
      if (c == '\'') out += '\'';
      out += c;
    }
    return out + "'";
  }

  Workspace& ws_;
  SqlEngine engine_;
  const SqlArgs& args_;
  const GlobalOptions& global_;
  Mode mode_ = Mode::kTable;
  bool timer_ = false;
  bool quit_ = false;
};

Status RunSql(const SqlArgs& args, const GlobalOptions& global) {
  if (!args.file.empty() && !args.commands.empty()) {
    return InvalidArgument("give statements with -c or a FILE, not both");
  }
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/true));
  Shell shell(*ws, args, global);
  if (!args.mode.empty()) STRATA_RETURN_IF_ERROR(shell.SetMode(args.mode));
  if (!args.commands.empty()) {
    // Each -c ends its statement, as sqlite3's arguments do: a missing final ';' is added
    // (after a line break when the last line ends in a -- comment), so the next -c never
    // continues it.
    std::string text;
    for (const std::string& c : args.commands) {
      text += c;
      const size_t end = c.find_last_not_of(" \t\r\n");
      const size_t line_start = c.rfind('\n', end == std::string::npos ? 0 : end);
      const std::string_view last_line =
          std::string_view(c).substr(line_start == std::string::npos ? 0 : line_start + 1);
      if (end != std::string::npos && c[end] != ';' && !IsDotCommand(last_line)) {
        text += last_line.find("--") != std::string_view::npos ? "\n;" : ";";
      }
      text += "\n";
    }
    return shell.RunScript(text, "-c");
  }
  if (!args.file.empty()) {
    std::ifstream in(args.file);
    if (!in) return NotFound(fmt::format("cannot open SQL file '{}'", args.file));
    std::stringstream text;
    text << in.rdbuf();
    return shell.RunScript(text.str(), args.file);
  }
  if (!isatty(STDIN_FILENO)) {
    std::stringstream text;
    text << std::cin.rdbuf();
    return shell.RunScript(text.str(), "<stdin>");
  }
  return shell.Interactive();
}

}  // namespace

void AddSqlCommand(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<SqlArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sql", "BigQuery ML's SQL over the workspace: an interactive shell, or run -c SQL / FILE.sql");
  cmd->add_option("file", a->file, "A script of statements (and dot-commands) to run");
  cmd->add_option("-c,--command", a->commands,
                  "Run these statements and exit (repeatable), e.g. -c \"SELECT * FROM ML.EVALUATE(MODEL m)\"");
  cmd->add_option("--mode", a->mode, "How results are shown: table (default), csv, json or line");
  cmd->add_flag("--continue-on-error", a->continue_on_error,
                "Report a failing statement and go on (scripts stop at the first error otherwise)");
  cmd->add_flag("--timer", a->timer, "Show each statement's run time");
  cmd->add_option("--threads", a->threads, "Training threads for CREATE MODEL (default: all cores)");
  AddFormatOption(*cmd, ctx);
  cmd->callback([a, &ctx] { ctx.result = RunSql(*a, ctx.global); });
}

}  // namespace strata::cli
