// `strata tokens create|list|revoke`: API tokens for `strata serve --auth`
// (include/strata/api_tokens.h). The secret is printed once, on stdout; only its hash is kept.
#include <fmt/format.h>

#include <iostream>

#include "cli/cli.h"
#include "cli/output.h"
#include "strata/api_tokens.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

Status RunCreate(const std::string& scope_name, const std::string& name, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(TokenScope scope, ParseTokenScope(scope_name));
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  STRATA_ASSIGN_OR_RETURN(NewApiToken token, CreateApiToken(*ws, scope, name));
  std::cout << token.secret << "\n";
  if (!global.quiet) {
    std::cerr << fmt::format("strata: created {} token {}; it is shown only now. Send it as "
                             "'Authorization: Bearer <token>'\n",
                             TokenScopeName(scope), token.info.id);
  }
  return Status::Ok();
}

Status RunList(const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  STRATA_ASSIGN_OR_RETURN(std::vector<ApiTokenInfo> tokens, ListApiTokens(*ws));
  TextTableBuilder b({{"id", DataType::kString},
                      {"name", DataType::kString},
                      {"scope", DataType::kString},
                      {"created_at", DataType::kString},
                      {"revoked_at", DataType::kString}});
  for (const ApiTokenInfo& t : tokens) {
    b.AddRow({t.id, t.name, std::string(TokenScopeName(t.scope)), t.created_at,
              t.revoked_at.value_or("")});
  }
  PrintTable(b.Build(), global.format, std::cout);
  return Status::Ok();
}

Status RunRevoke(const std::string& id, const GlobalOptions& global) {
  STRATA_ASSIGN_OR_RETURN(auto ws, OpenWorkspace(global, /*create=*/false));
  STRATA_RETURN_IF_ERROR(RevokeApiToken(*ws, id));
  if (!global.quiet) std::cerr << fmt::format("strata: revoked token '{}'\n", id);
  return Status::Ok();
}

}  // namespace

void AddTokensCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* tokens = app.add_subcommand("tokens", "API tokens for `strata serve --auth`");
  tokens->require_subcommand(1);

  auto scope = std::make_shared<std::string>("read");
  auto name = std::make_shared<std::string>();
  CLI::App* create = tokens->add_subcommand(
      "create", "Create a token and print it once (read: predict and GET; admin: also change)");
  create->add_option("--scope", *scope, "read or admin")->capture_default_str();
  create->add_option("--name", *name, "A name for people, e.g. the client that uses it");
  create->footer("Example:\n  TOKEN=$(strata tokens create --scope read --name dashboard)\n"
                 "  curl -H \"Authorization: Bearer $TOKEN\" localhost:8080/v1/models");
  create->callback([scope, name, &ctx] { ctx.result = RunCreate(*scope, *name, ctx.global); });

  CLI::App* list = tokens->add_subcommand("list", "List tokens (never their secrets)");
  AddFormatOption(*list, ctx);
  list->callback([&ctx] { ctx.result = RunList(ctx.global); });

  auto id = std::make_shared<std::string>();
  CLI::App* revoke = tokens->add_subcommand("revoke", "Revoke a token by id or name");
  revoke->add_option("token", *id, "Token id (from `strata tokens list`) or name")->required();
  revoke->callback([id, &ctx] { ctx.result = RunRevoke(*id, ctx.global); });
}

}  // namespace strata::cli
