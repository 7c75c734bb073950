// The SQL notebooks of the console, stored in strata_notebooks (migration 6).
#include "strata/notebooks.h"

#include <fmt/format.h>

#include <cctype>

#include "common/clock.h"
#include "strata/suggest.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

// The names of every stored notebook, for "did you mean".
Result<std::vector<std::string>> Names(SqliteDb& db) {
  STRATA_ASSIGN_OR_RETURN(SqliteStatement q, db.Prepare("SELECT name FROM strata_notebooks ORDER BY name"));
  std::vector<std::string> out;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.emplace_back(q.ColumnText(0));
  }
  return out;
}

Status NoSuchNotebook(SqliteDb& db, std::string_view name) {
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, Names(db));
  std::string hint = DidYouMean(name, names);
  if (hint.empty() && names.empty()) hint = " The workspace has no notebooks yet.";
  return NotFound(fmt::format("no notebook named '{}'.{}", name, hint));
}

}  // namespace

Status ValidateNotebookName(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return InvalidArgument("a notebook name needs 1 to 128 characters, e.g. 'churn_analysis'");
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return InvalidArgument(fmt::format(
          "notebook name '{}' may only contain letters, digits, '_', '-' and '.'", name));
    }
  }
  return Status::Ok();
}

Result<nlohmann::json> ParseNotebookContent(const nlohmann::json& body) {
  const char* shape = "send {\"cells\": [{\"sql\": \"SELECT ...\"}, ...]}";
  if (!body.is_object()) {
    return InvalidArgument(fmt::format("a notebook is a JSON object, got {}: {}", body.type_name(), shape));
  }
  // A misspelt "cells" is named as such rather than reported missing.
  for (const auto& [key, value] : body.items()) {
    if (key != "cells") {
      return InvalidArgument(fmt::format("the notebook has the unknown field \"{}\": {}", key, shape));
    }
  }
  if (!body.contains("cells")) {
    return InvalidArgument(fmt::format("the notebook lacks the field \"cells\": {}", shape));
  }
  const nlohmann::json& cells = body["cells"];
  if (!cells.is_array()) {
    return InvalidArgument(fmt::format("\"cells\" must be an array, got {}: {}", cells.type_name(), shape));
  }
  if (cells.size() > kMaxNotebookCells) {
    return OutOfRange(fmt::format("the notebook has {} cells; at most {} are allowed", cells.size(),
                                  kMaxNotebookCells));
  }
  nlohmann::json out = {{"cells", nlohmann::json::array()}};
  for (size_t i = 0; i < cells.size(); ++i) {
    const nlohmann::json& cell = cells[i];
    if (!cell.is_object()) {
      return InvalidArgument(fmt::format("cells[{}] must be an object {{\"sql\": \"...\"}}, got {}", i,
                                         cell.type_name()));
    }
    for (const auto& [key, value] : cell.items()) {
      if (key != "sql") {
        return InvalidArgument(fmt::format("cells[{}] has the unknown field \"{}\"; a cell holds only \"sql\"",
                                           i, key));
      }
    }
    auto sql = cell.find("sql");
    if (sql == cell.end() || !sql->is_string()) {
      return InvalidArgument(fmt::format("cells[{}].sql must be a string (the cell's SQL)", i));
    }
    out["cells"].push_back({{"sql", *sql}});
  }
  if (size_t bytes = out.dump().size(); bytes > kMaxNotebookBytes) {
    return OutOfRange(fmt::format("the notebook is {} bytes; at most {} are allowed", bytes,
                                  kMaxNotebookBytes));
  }
  return out;
}

Result<std::vector<NotebookInfo>> Notebooks::List() {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      workspace_.db().Prepare("SELECT name, json_array_length(content, '$.cells'), created_at, updated_at "
                              "FROM strata_notebooks ORDER BY name"));
  std::vector<NotebookInfo> out;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    NotebookInfo nb;
    nb.name = q.ColumnText(0);
    nb.cells = static_cast<size_t>(q.ColumnInt64(1));
    nb.created_at = q.ColumnText(2);
    nb.updated_at = q.ColumnText(3);
    out.push_back(std::move(nb));
  }
  return out;
}

Result<NotebookInfo> Notebooks::Get(std::string_view name) {
  SqliteDb& db = workspace_.db();
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      db.Prepare("SELECT name, content, created_at, updated_at FROM strata_notebooks WHERE name = ?1"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, name));
  STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NoSuchNotebook(db, name);
  NotebookInfo nb;
  nb.name = q.ColumnText(0);
  nb.content = nlohmann::json::parse(q.ColumnText(1), nullptr, /*allow_exceptions=*/false);
  if (nb.content.is_discarded()) {
    return DataLoss(fmt::format("notebook '{}' in the workspace is not valid JSON; rewrite it with PUT "
                                "/v1/notebooks/{}", name, name));
  }
  nb.cells = nb.content.contains("cells") ? nb.content["cells"].size() : 0;
  nb.created_at = q.ColumnText(2);
  nb.updated_at = q.ColumnText(3);
  return nb;
}

Result<bool> Notebooks::Put(std::string_view name, const nlohmann::json& content) {
  STRATA_RETURN_IF_ERROR(ValidateNotebookName(name));
  STRATA_ASSIGN_OR_RETURN(nlohmann::json checked, ParseNotebookContent(content));
  SqliteDb& db = workspace_.db();
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(db));
  STRATA_ASSIGN_OR_RETURN(SqliteStatement exists, db.Prepare("SELECT 1 FROM strata_notebooks WHERE name = ?1"));
  STRATA_RETURN_IF_ERROR(exists.BindText(1, name));
  STRATA_ASSIGN_OR_RETURN(bool existed, exists.Step());
  const std::string now = NowUtc();
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement upsert,
      db.Prepare("INSERT INTO strata_notebooks(name, content, created_at, updated_at) VALUES (?1, ?2, ?3, ?3) "
                 "ON CONFLICT(name) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at"));
  STRATA_RETURN_IF_ERROR(upsert.BindText(1, name));
  STRATA_RETURN_IF_ERROR(upsert.BindText(2, checked.dump()));
  STRATA_RETURN_IF_ERROR(upsert.BindText(3, now));
  STRATA_RETURN_IF_ERROR(upsert.Run());
  STRATA_RETURN_IF_ERROR(tx.Commit());
  return !existed;
}

Status Notebooks::Delete(std::string_view name) {
  SqliteDb& db = workspace_.db();
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(db));
  STRATA_ASSIGN_OR_RETURN(SqliteStatement del, db.Prepare("DELETE FROM strata_notebooks WHERE name = ?1"));
  STRATA_RETURN_IF_ERROR(del.BindText(1, name));
  STRATA_RETURN_IF_ERROR(del.Run());
  STRATA_ASSIGN_OR_RETURN(int64_t changed, db.QueryInt64("SELECT changes()"));
  if (changed == 0) return NoSuchNotebook(db, name);
  return tx.Commit();
}

}  // namespace strata
