// `strata choose TABLE --target COL`: step 3 of the seven. Recommends model types and an
// approach to imbalance, with the reasons, and prints the command to train the first choice.
#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "cli/cli.h"
#include "cli/output.h"
#include "strata/choose.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

Status RunChoose(const std::string& table, const std::string& target, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  STRATA_ASSIGN_OR_RETURN(Table data, ws->ReadTable(table));
  std::optional<std::string> t;
  if (!target.empty()) t = target;
  STRATA_ASSIGN_OR_RETURN(ModelAdvice advice, ChooseModel(data, t));
  if (global.format == OutputFormat::kJson) {
    nlohmann::json out = {{"task", TaskName(advice.task)}, {"facts", advice.facts},
                          {"balance", advice.balance}, {"balance_options", advice.balance_options},
                          {"models", nlohmann::json::array()}};
    for (const auto& m : advice.models) {
      out["models"].push_back({{"model_type", m.model_type}, {"reason", m.reason}, {"options", m.options}});
    }
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  std::cout << "What the data says:\n";
  for (const std::string& f : advice.facts) std::cout << "  - " << f << "\n";
  TextTableBuilder b({{"rank", DataType::kInt64}, {"model_type", DataType::kString},
                      {"why", DataType::kString}});
  for (size_t i = 0; i < advice.models.size(); ++i) {
    b.AddRow({std::to_string(i + 1), advice.models[i].model_type, advice.models[i].reason});
  }
  std::cout << "Recommended models:\n";
  PrintTable(b.Build(), global.format, std::cout, 100);
  if (!advice.balance.empty()) {
    std::cout << "Imbalanced data:\n";
    for (const std::string& s : advice.balance) std::cout << "  - " << s << "\n";
  }
  const ModelRecommendation& first = advice.models.front();
  std::string cmd = fmt::format("{} train {} --model {}", CommandLine(global), table, first.model_type);
  if (!target.empty()) cmd += " --target " + target;
  for (const std::string& o : first.options) cmd += " -o " + o;
  std::cout << "Next: " << cmd << "\n";
  if (!advice.balance_options.empty()) {
    std::string with = cmd;
    for (const std::string& o : advice.balance_options) with += " -o " + o;
    std::cout << "  and compare with: " << with << "\n";
  }
  return Status::Ok();
}

}  // namespace

void AddChooseCommand(CLI::App& app, CommandContext& ctx) {
  struct Args {
    std::string table, target;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "choose", "Step 3: recommend model types and an imbalance approach for a table, with reasons");
  cmd->add_option("table", a->table, "Table in the workspace")->required();
  cmd->add_option("-t,--target", a->target, "The column to predict (none: clustering)");
  AddFormatOption(*cmd, ctx);
  cmd->callback([a, &ctx] { ctx.result = RunChoose(a->table, a->target, ctx.global); });
}

}  // namespace strata::cli
