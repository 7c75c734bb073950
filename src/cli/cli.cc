#include "cli/cli.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>

#include "strata/workspace.h"

namespace strata::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange: return 3;
    case StatusCode::kNotFound: return 4;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition: return 5;
    case StatusCode::kResourceExhausted: return 6;
    case StatusCode::kIoError:
    case StatusCode::kDataLoss: return 7;
    case StatusCode::kCancelled: return 130;
    case StatusCode::kInternal: return 70;
    case StatusCode::kUnimplemented: return 1;
  }
  return 1;
}

void PrintError(const Status& status) {
  std::cerr << "strata: error: " << status.message();
  if (status.code() == StatusCode::kInternal) {
    std::cerr << "\n(this is a bug in Strata; please report it with the command you ran)";
  }
  std::cerr << "\n";
}

namespace {
// Quotes a word for a POSIX shell when it holds anything beyond a safe set of characters.
std::string ShellWord(const std::string& word) {
  bool safe = !word.empty();
  for (char c : word) {
    safe = safe && c != '\0' &&
           (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("/._-+=:,@%", c));
  }
  if (safe) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
}  // namespace

std::string CommandLine(const GlobalOptions& global) {
  std::string line = ShellWord(global.program);
  const char* env = std::getenv("STRATA_WORKSPACE");
  if (!global.workspace.empty() && (env == nullptr || global.workspace != env)) {
    line += " --workspace " + ShellWord(global.workspace);
  }
  return line;
}

void AddFormatOption(CLI::App& command, CommandContext& ctx) {
  static const std::map<std::string, OutputFormat> kFormats = {
      {"table", OutputFormat::kTable}, {"json", OutputFormat::kJson}, {"csv", OutputFormat::kCsv}};
  command
      .add_option("--format", ctx.global.format, "Output format: table (default), json or csv")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case));
}

Result<std::unique_ptr<Workspace>> OpenWorkspace(const GlobalOptions& global, bool create) {
  std::string path = global.workspace.empty() ? DefaultWorkspacePath() : global.workspace;
  OpenOptions options;
  options.create = create;
  auto ws = Workspace::Open(path, options);
  if (!ws.ok() && ws.status().code() == StatusCode::kNotFound && !create) {
    return NotFound("no workspace at '" + path + "'. Collect data first (" + CommandLine(global) +
                    " collect FILE), or pass --workspace PATH "
                    "(or set STRATA_WORKSPACE) to use another one.");
  }
  return ws;
}

}  // namespace strata::cli
