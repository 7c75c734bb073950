// The `strata` command: one binary for every face of the platform. Each verb lives in its
// own cmd_*.cc; this file wires them together and turns a Status into an exit code.
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "cli/cli.h"
#include "strata/build_info.h"
#include "strata/workspace.h"

int main(int argc, char** argv) {
  using strata::cli::CommandContext;
  CommandContext ctx;

  CLI::App app{
      "Strata: a self-hosted machine-learning platform.\n"
      "The seven steps are verbs: collect, prepare, choose, train, evaluate, tune, predict.\n"
      "Start with `strata quickstart`, or `strata collect FILE` for your own data."};
  app.name("strata");
  app.set_version_flag("--version", std::string("strata ") + STRATA_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("-w,--workspace", ctx.global.workspace,
                 "Workspace file (default: $STRATA_WORKSPACE or ./strata.db)")
      ->envname("STRATA_WORKSPACE");
  app.add_flag("-q,--quiet", ctx.global.quiet, "No progress bars or notes on stderr");
  app.footer("Run `strata COMMAND --help` for a command's options. Docs: docs/cli.md");

  strata::cli::AddQuickstartCommand(app, ctx);
  strata::cli::AddCollectCommand(app, ctx);
  strata::cli::AddPrepareCommand(app, ctx);
  strata::cli::AddChooseCommand(app, ctx);
  strata::cli::AddTrainCommand(app, ctx);
  strata::cli::AddEvaluateCommand(app, ctx);
  strata::cli::AddTuneCommand(app, ctx);
  strata::cli::AddPredictCommands(app, ctx);
  strata::cli::AddAutoMlCommand(app, ctx);
  strata::cli::AddModelsCommand(app, ctx);
  strata::cli::AddSqlCommand(app, ctx);
  strata::cli::AddServeCommand(app, ctx);
  strata::cli::AddTokensCommand(app, ctx);
  strata::cli::AddTablesCommands(app, ctx);
  strata::cli::AddDoctorCommand(app, ctx);

  // Follow-up hints name the binary as it was invoked (build/strata where it is not on PATH).
  if (argc > 0 && std::strchr(argv[0], '/') != nullptr) ctx.global.program = argv[0];

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help, version or the usage error
    return code == 0 ? 0 : 2;
  }
  if (!ctx.result.ok()) {
    strata::cli::PrintError(ctx.result);
    return strata::cli::ExitCodeFor(ctx.result);
  }
  return 0;
}
