// `strata quickstart`: the README's main job. Runs the seven steps on the bundled,
// imbalanced churn data set, printing what each step did and found, and leaves a workspace
// that the other commands (and later `strata serve`) can open.
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "cli/cli.h"
#include "cli/embedded_data.h"
#include "cli/output.h"
#include "cli/progress_bar.h"
#include "strata/csv.h"
#include "strata/profile.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

constexpr const char* kTable = "churn";
constexpr const char* kLabel = "churn";

void Step(int n, const char* name, const std::string& text) {
  std::cout << fmt::format("\n[{}/7] {}\n{}", n, name, text);
}

Status RunQuickstart(const GlobalOptions& global) {
  auto start = std::chrono::steady_clock::now();
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/true));
  std::cout << "Strata quickstart: predicting which telecom customers churn.\n"
            << "Data: examples/data/churn.csv (modeldata's mlc_churn, MIT licence), bundled.\n"
            << "Workspace: " << ws->path() << "\n";

  // 1. Collect.
  CsvReadReport read_report;
  STRATA_ASSIGN_OR_RETURN(Table table,
                          ReadCsvText(BundledChurnCsv(), "churn.csv", {}, &read_report));
  WriteTableOptions write;
  write.mode = WriteMode::kReplace;  // quickstart can be re-run
  write.source = "examples/data/churn.csv (bundled)";
  write.format = "csv";
  STRATA_RETURN_IF_ERROR(ws->WriteTable(kTable, table, write));
  int numeric = 0, text = 0;
  for (const Column& c : table.columns()) (IsNumeric(c.type()) ? numeric : text)++;
  Step(1, "Collect",
       fmt::format("  Read {} rows x {} columns ({} numeric, {} text; delimiter '{}', header "
                   "detected) into table '{}'.\n",
                   WithThousands(table.num_rows()), table.num_columns(), numeric, text,
                   read_report.delimiter, kTable));

  // 2. Prepare.
  ProfileOptions profile_options;
  profile_options.target = kLabel;
  STRATA_ASSIGN_OR_RETURN(Profile profile, ProfileTable(table, profile_options));
  int64_t nulls = 0;
  for (const ColumnProfile& c : profile.columns) nulls += c.nulls;
  std::string prepared = fmt::format("  Profiled {} columns: {} missing values.\n",
                                     profile.columns.size(), WithThousands(nulls));
  for (const std::string& w : profile.warnings) prepared += "  Note: " + w + "\n";
  const LabelProfile& label = *profile.label;
  prepared += fmt::format("  Label '{}' ({}):", label.column,
                          label.task == LabelTask::kClassification ? "classification"
                                                                   : "regression");
  for (const ClassShare& c : label.classes) {
    prepared += fmt::format(" {} {} ({:.1f}%)", c.label, WithThousands(c.count), c.fraction * 100);
  }
  prepared += "\n";
  for (const std::string& a : label.advice) prepared += "  - " + a + "\n";
  Step(2, "Prepare", prepared);

  Step(3, "Choose a model", "  Not available yet: arrives with the core ML engine.\n");
  Step(4, "Train", "  Not available yet.\n");
  Step(5, "Evaluate", "  Not available yet.\n");
  Step(6, "Tune parameters", "  Not available yet.\n");
  Step(7, "Make predictions", "  Not available yet.\n");

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format(
      "\nDone in {:.2f} s. Explore the workspace:\n"
      "  strata tables\n"
      "  strata head {}\n"
      "  strata prepare {} --target {}\n"
      "  sqlite3 {} 'SELECT churn, COUNT(*) FROM churn GROUP BY churn'\n",
      seconds, kTable, kTable, kLabel, ws->path());
  return Status::Ok();
}

}  // namespace

void AddQuickstartCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd = app.add_subcommand(
      "quickstart",
      "Run the seven steps on the bundled churn data set, explaining each, and leave a "
      "workspace to explore");
  cmd->callback([&ctx] { ctx.result = RunQuickstart(ctx.global); });
}

}  // namespace strata::cli
