// Model aliases: mutable names (production, staging, champion, ...) that point at one
// numbered version of a registered model, with the history of every change. Serving a model
// "by alias" follows the pointer, so moving an alias deploys another version; rolling back
// moves it to the version it held before its latest change.
//
//   strata::ModelAliases aliases(*workspace);
//   STRATA_ASSIGN_OR_RETURN(std::optional<int> before, aliases.Set("churn", "production", 3));
//   STRATA_ASSIGN_OR_RETURN(int version, aliases.Resolve("churn", "production"));  // 3
//   STRATA_ASSIGN_OR_RETURN(int back, aliases.Rollback("churn", "production"));  // *before
//
// Aliases live in the workspace (strata_model_aliases and strata_model_alias_history), each
// change in one transaction; dropping a model drops its aliases and their history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "strata/workspace.h"

namespace strata {

struct AliasInfo {
  std::string model;
  std::string alias;
  int version = 0;
  std::string set_at;  // UTC, "YYYY-MM-DD HH:MM:SS"
};

// One change of an alias: action "set" (version, previous_version when it existed before),
// "rollback" (likewise) or "delete" (previous_version only).
struct AliasEvent {
  int64_t id = 0;
  std::string model;
  std::string alias;
  std::optional<int> version;
  std::optional<int> previous_version;
  std::string action;
  std::string set_at;
};

// InvalidArgument unless `alias` may name an alias: 1-64 letters, digits, '_' or '-', not
// all digits (those are version numbers).
Status ValidateAliasName(std::string_view alias);

class ModelAliases {
 public:
  explicit ModelAliases(Workspace& workspace) : workspace_(workspace) {}

  // Points `alias` of `model` at `version` (which must exist) and returns the version it
  // pointed at before (nullopt for a new alias). NotFound names the closest model.
  Result<std::optional<int>> Set(std::string_view model, std::string_view alias, int version);
  // Removes an alias; NotFound (with the closest alias) when it does not exist.
  Status Delete(std::string_view model, std::string_view alias);
  // The version `alias` points at; NotFound names the model's closest alias.
  Result<int> Resolve(std::string_view model, std::string_view alias);
  // The model's aliases, by name.
  Result<std::vector<AliasInfo>> List(std::string_view model);
  // The model's alias changes, oldest first (every alias when `alias` is empty).
  Result<std::vector<AliasEvent>> History(std::string_view model, std::string_view alias = "");
  // Moves `alias` back to the version it held before its latest change and returns it;
  // FailedPrecondition when it had none (a new alias). A second rollback undoes the first.
  Result<int> Rollback(std::string_view model, std::string_view alias);

 private:
  Result<std::optional<int>> Move(std::string_view model, std::string_view alias, int version,
                                  std::string_view action);
  Workspace& workspace_;
};

}  // namespace strata
