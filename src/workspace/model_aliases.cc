#include "strata/model_aliases.h"

#include <fmt/format.h>

#include "strata/model_store.h"
#include "strata/suggest.h"
#include "workspace/catalog.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

std::optional<int> OptionalInt(const SqliteStatement& q, int column) {
  if (q.ColumnIsNull(column)) return std::nullopt;
  return static_cast<int>(q.ColumnInt64(column));
}

// NotFound for a missing model (naming the closest one) or OK.
Status CheckModel(Workspace& workspace, std::string_view model) {
  ModelStore store(workspace);
  if (store.Has(model)) return Status::Ok();
  return store.Versions(model).status();  // NotFound with a suggestion
}

Result<std::optional<int>> CurrentVersion(SqliteDb& db, std::string_view model,
                                          std::string_view alias) {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      db.Prepare("SELECT version FROM strata_model_aliases WHERE model_name = ?1 AND alias = ?2"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, model));
  STRATA_RETURN_IF_ERROR(q.BindText(2, alias));
  STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<int>();
  return std::optional<int>(static_cast<int>(q.ColumnInt64(0)));
}

Status RecordEvent(SqliteDb& db, std::string_view model, std::string_view alias,
                   std::optional<int> version, std::optional<int> previous,
                   std::string_view action, const std::string& now) {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db.Prepare("INSERT INTO strata_model_alias_history(model_name, alias, version, "
                 "previous_version, action, set_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  STRATA_RETURN_IF_ERROR(insert.BindText(1, model));
  STRATA_RETURN_IF_ERROR(insert.BindText(2, alias));
  STRATA_RETURN_IF_ERROR(version ? insert.BindInt64(3, *version) : insert.BindNull(3));
  STRATA_RETURN_IF_ERROR(previous ? insert.BindInt64(4, *previous) : insert.BindNull(4));
  STRATA_RETURN_IF_ERROR(insert.BindText(5, action));
  STRATA_RETURN_IF_ERROR(insert.BindText(6, now));
  return insert.Run();
}

}  // namespace

Status ValidateAliasName(std::string_view alias) {
  bool all_digits = !alias.empty();
  for (char c : alias) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (!ok) {
      return InvalidArgument(fmt::format(
          "alias '{}' may only contain letters, digits, '_' and '-'", alias));
    }
    all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  }
  if (alias.empty() || alias.size() > 64) {
    return InvalidArgument("an alias needs 1 to 64 characters, e.g. 'production'");
  }
  if (all_digits) {
    return InvalidArgument(fmt::format(
        "alias '{}' is all digits, which reads as a version number; pick a name", alias));
  }
  return Status::Ok();
}

Result<std::optional<int>> ModelAliases::Move(std::string_view model, std::string_view alias,
                                              int version, std::string_view action) {
  STRATA_RETURN_IF_ERROR(ValidateAliasName(alias));
  SqliteDb& db = workspace_.db();
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(db));
  STRATA_RETURN_IF_ERROR(CheckModel(workspace_, model));
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement exists,
      db.Prepare("SELECT 1 FROM strata_model_versions WHERE model_name = ?1 AND version = ?2"));
  STRATA_RETURN_IF_ERROR(exists.BindText(1, model));
  STRATA_RETURN_IF_ERROR(exists.BindInt64(2, version));
  STRATA_ASSIGN_OR_RETURN(bool found, exists.Step());
  if (!found) {
    return NotFound(fmt::format("model '{}' has no version {}; `strata models show {}` lists "
                                "its versions", model, version, model));
  }
  STRATA_ASSIGN_OR_RETURN(std::optional<int> previous, CurrentVersion(db, model, alias));
  std::string now = NowUtc();
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement upsert,
      db.Prepare("INSERT INTO strata_model_aliases(model_name, alias, version, set_at) "
                 "VALUES ((SELECT name FROM strata_models WHERE name = ?1), ?2, ?3, ?4) "
                 "ON CONFLICT(model_name, alias) DO UPDATE SET version = excluded.version, "
                 "set_at = excluded.set_at"));
  STRATA_RETURN_IF_ERROR(upsert.BindText(1, model));
  STRATA_RETURN_IF_ERROR(upsert.BindText(2, alias));
  STRATA_RETURN_IF_ERROR(upsert.BindInt64(3, version));
  STRATA_RETURN_IF_ERROR(upsert.BindText(4, now));
  STRATA_RETURN_IF_ERROR(upsert.Run());
  STRATA_RETURN_IF_ERROR(RecordEvent(db, model, alias, version, previous, action, now));
  STRATA_RETURN_IF_ERROR(tx.Commit());
  return previous;
}

Result<std::optional<int>> ModelAliases::Set(std::string_view model, std::string_view alias,
                                             int version) {
  return Move(model, alias, version, "set");
}

Status ModelAliases::Delete(std::string_view model, std::string_view alias) {
  SqliteDb& db = workspace_.db();
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(db));
  STRATA_ASSIGN_OR_RETURN(int version, Resolve(model, alias));
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement del,
      db.Prepare("DELETE FROM strata_model_aliases WHERE model_name = ?1 AND alias = ?2"));
  STRATA_RETURN_IF_ERROR(del.BindText(1, model));
  STRATA_RETURN_IF_ERROR(del.BindText(2, alias));
  STRATA_RETURN_IF_ERROR(del.Run());
  STRATA_RETURN_IF_ERROR(RecordEvent(db, model, alias, std::nullopt, version, "delete", NowUtc()));
  return tx.Commit();
}

Result<int> ModelAliases::Resolve(std::string_view model, std::string_view alias) {
  STRATA_ASSIGN_OR_RETURN(std::optional<int> version, CurrentVersion(workspace_.db(), model, alias));
  if (version) return *version;
  STRATA_RETURN_IF_ERROR(CheckModel(workspace_, model));
  STRATA_ASSIGN_OR_RETURN(std::vector<AliasInfo> aliases, List(model));
  std::vector<std::string> names;
  for (const AliasInfo& a : aliases) names.push_back(a.alias);
  std::string hint = DidYouMean(alias, names);
  if (hint.empty()) {
    hint = names.empty() ? " It has no aliases yet; set one with PUT /v1/models/" +
                               std::string(model) + "/aliases/" + std::string(alias)
                         : " Its aliases: " + fmt::format("{}.", fmt::join(names, ", "));
  }
  return NotFound(fmt::format("model '{}' has no alias '{}'.{}", model, alias, hint));
}

Result<std::vector<AliasInfo>> ModelAliases::List(std::string_view model) {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      workspace_.db().Prepare("SELECT model_name, alias, version, set_at FROM strata_model_aliases "
                              "WHERE model_name = ?1 ORDER BY alias"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, model));
  std::vector<AliasInfo> out;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({std::string(q.ColumnText(0)), std::string(q.ColumnText(1)),
                   static_cast<int>(q.ColumnInt64(2)), std::string(q.ColumnText(3))});
  }
  return out;
}

Result<std::vector<AliasEvent>> ModelAliases::History(std::string_view model,
                                                      std::string_view alias) {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      workspace_.db().Prepare("SELECT id, model_name, alias, version, previous_version, action, "
                              "set_at FROM strata_model_alias_history WHERE model_name = ?1 "
                              "AND (?2 = '' OR alias = ?2) ORDER BY id"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, model));
  STRATA_RETURN_IF_ERROR(q.BindText(2, alias));
  std::vector<AliasEvent> out;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AliasEvent e;
    e.id = q.ColumnInt64(0);
    e.model = q.ColumnText(1);
    e.alias = q.ColumnText(2);
    e.version = OptionalInt(q, 3);
    e.previous_version = OptionalInt(q, 4);
    e.action = q.ColumnText(5);
    e.set_at = q.ColumnText(6);
    out.push_back(std::move(e));
  }
  return out;
}

Result<int> ModelAliases::Rollback(std::string_view model, std::string_view alias) {
  SqliteDb& db = workspace_.db();
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(db));
  STRATA_ASSIGN_OR_RETURN(int current, Resolve(model, alias));
  STRATA_ASSIGN_OR_RETURN(std::vector<AliasEvent> history, History(model, alias));
  std::optional<int> previous;
  if (!history.empty()) previous = history.back().previous_version;
  if (!previous) {
    return FailedPrecondition(fmt::format(
        "alias '{}' of model '{}' has held only version {}; there is nothing to roll back to",
        alias, model, current));
  }
  STRATA_RETURN_IF_ERROR(Move(model, alias, *previous, "rollback").status());
  STRATA_RETURN_IF_ERROR(tx.Commit());
  return *previous;
}

}  // namespace strata
