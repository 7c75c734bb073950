// Shared plumbing of the `strata` command: global options, how each command registers itself,
// and how a Status becomes an exit code and a message on stderr.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "strata/status.h"

namespace strata::cli {

enum class OutputFormat { kTable, kJson, kCsv };

// Options every command understands; filled before a command's callback runs.
struct GlobalOptions {
  std::string workspace;  // --workspace, else $STRATA_WORKSPACE, else ./strata.db
  OutputFormat format = OutputFormat::kTable;
  bool quiet = false;        // --quiet: no progress bars or notes on stderr
  std::string program = "strata";  // how the user invoked us: argv[0] when it names a path
};

// The command to type in a follow-up hint, e.g. "build/strata --workspace /tmp/demo.db"
// (--workspace unless it came from the default or $STRATA_WORKSPACE): hints must work when
// pasted, even where `strata` is not on PATH.
std::string CommandLine(const GlobalOptions& global);

// What a command's callback reports back to main().
struct CommandContext {
  GlobalOptions global;
  Status result;
};

// Each command adds itself (its options, help text and callback) to the top-level app. The
// callback stores its outcome in ctx.result.
void AddCollectCommand(CLI::App& app, CommandContext& ctx);
void AddPrepareCommand(CLI::App& app, CommandContext& ctx);
void AddTablesCommands(CLI::App& app, CommandContext& ctx);  // tables, head
void AddDoctorCommand(CLI::App& app, CommandContext& ctx);
void AddQuickstartCommand(CLI::App& app, CommandContext& ctx);
void AddChooseCommand(CLI::App& app, CommandContext& ctx);
void AddTrainCommand(CLI::App& app, CommandContext& ctx);
void AddTuneCommand(CLI::App& app, CommandContext& ctx);
void AddEvaluateCommand(CLI::App& app, CommandContext& ctx);
void AddPredictCommands(CLI::App& app, CommandContext& ctx);  // predict, explain
void AddModelsCommand(CLI::App& app, CommandContext& ctx);
void AddSqlCommand(CLI::App& app, CommandContext& ctx);
void AddAutoMlCommand(CLI::App& app, CommandContext& ctx);
void AddServeCommand(CLI::App& app, CommandContext& ctx);
void AddTokensCommand(CLI::App& app, CommandContext& ctx);

// The exit code for a failed Status (documented in docs/cli.md):
// 1 other, 2 usage, 3 invalid input data, 4 not found, 5 conflicting state,
// 6 resource limit, 7 I/O or corrupt data, 70 internal error, 130 cancelled.
int ExitCodeFor(const Status& status);

// Prints "strata: error: <message>" to stderr.
void PrintError(const Status& status);

// Adds `--format table|json|csv` to a command, writing into ctx.global.format.
void AddFormatOption(CLI::App& command, CommandContext& ctx);

}  // namespace strata::cli

namespace strata {
class Workspace;
}

namespace strata::cli {

// Opens the workspace named by the global options. Commands that only read pass
// create=false, so a mistyped path is reported instead of silently creating a new file.
Result<std::unique_ptr<Workspace>> OpenWorkspace(const GlobalOptions& global, bool create);

}  // namespace strata::cli
