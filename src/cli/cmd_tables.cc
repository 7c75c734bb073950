// `strata tables` and `strata head TABLE`: what is in the workspace.
#include <fmt/format.h>

#include <iostream>

#include "cli/cli.h"
#include "cli/output.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

Status RunTables(const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  STRATA_ASSIGN_OR_RETURN(std::vector<TableInfo> tables, ws->ListTables());
  TextTableBuilder b({{"table", DataType::kString},
                      {"rows", DataType::kInt64},
                      {"columns", DataType::kInt64},
                      {"source", DataType::kString},
                      {"created_at", DataType::kString}});
  for (const TableInfo& t : tables) {
    b.AddRow({t.name, std::to_string(t.rows), std::to_string(t.schema.size()), t.source,
              t.created_at});
  }
  if (tables.empty() && global.format == OutputFormat::kTable) {
    std::cout << "No tables in " << ws->path() << ". Import one with: " << CommandLine(global)
              << " collect FILE\n";
    return Status::Ok();
  }
  PrintTable(b.Build(), global.format, std::cout, 60);
  return Status::Ok();
}

Status RunHead(const std::string& table, int64_t rows, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  STRATA_ASSIGN_OR_RETURN(Table t, ws->ReadTable(table, rows));
  PrintTable(t, global.format, std::cout);
  return Status::Ok();
}

}  // namespace

void AddTablesCommands(CLI::App& app, CommandContext& ctx) {
  CLI::App* tables = app.add_subcommand("tables", "List the tables in the workspace");
  AddFormatOption(*tables, ctx);
  tables->callback([&ctx] { ctx.result = RunTables(ctx.global); });

  struct HeadArgs {
    std::string table;
    int64_t rows = 10;
  };
  auto args = std::make_shared<HeadArgs>();
  CLI::App* head = app.add_subcommand("head", "Show the first rows of a table");
  head->add_option("table", args->table, "Table in the workspace")->required();
  head->add_option("-n,--rows", args->rows, "How many rows")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  AddFormatOption(*head, ctx);
  head->callback([args, &ctx] { ctx.result = RunHead(args->table, args->rows, ctx.global); });
}

}  // namespace strata::cli
