#include "strata/model_store.h"

#include <fmt/format.h>

#include "strata/suggest.h"
#include "workspace/catalog.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

Status ValidateModelName(std::string_view name) {
  if (name.empty()) return InvalidArgument("model name is empty; give the model a name");
  if (name.find('\0') != std::string_view::npos) {
    return InvalidArgument("model name contains a NUL byte");
  }
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("strata_", 0) == 0 || lower.rfind("sqlite_", 0) == 0) {
    return InvalidArgument(fmt::format("model name '{}' is reserved (names starting with "
                                       "strata_ or sqlite_ belong to the workspace itself)",
                                       name));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ModelNames(SqliteDb& db) {
  STRATA_ASSIGN_OR_RETURN(SqliteStatement q, db.Prepare("SELECT name FROM strata_models ORDER BY name"));
  std::vector<std::string> names;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    names.emplace_back(q.ColumnText(0));
  }
  return names;
}

Status NoSuchModel(SqliteDb& db, std::string_view name) {
  auto names = ModelNames(db);
  std::string hint = names.ok() ? DidYouMean(name, *names) : "";
  return NotFound(fmt::format("no model named '{}'.{}", name, hint));
}

}  // namespace

Result<int> ModelStore::Save(std::string_view name, const ModelBundle& bundle, bool replace) {
  STRATA_RETURN_IF_ERROR(ValidateModelName(name));
  SqliteDb& db = workspace_.db();
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(db));
  if (workspace_.HasTable(name)) {
    return AlreadyExists(fmt::format(
        "'{}' is already a table; models and tables share one namespace. Pick another model name",
        name));
  }
  if (replace) {
    STRATA_ASSIGN_OR_RETURN(SqliteStatement del,
                            db.Prepare("DELETE FROM strata_models WHERE name = ?1"));
    STRATA_RETURN_IF_ERROR(del.BindText(1, name));
    STRATA_RETURN_IF_ERROR(del.Run());
  }
  std::string now = NowUtc();
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement upsert,
      db.Prepare("INSERT INTO strata_models(name, model_type, label, created_at, updated_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT(name) DO UPDATE SET "
                 "model_type = excluded.model_type, label = excluded.label, "
                 "updated_at = excluded.updated_at"));
  STRATA_RETURN_IF_ERROR(upsert.BindText(1, name));
  STRATA_RETURN_IF_ERROR(upsert.BindText(2, bundle.model_type));
  STRATA_RETURN_IF_ERROR(upsert.BindText(3, bundle.label));
  STRATA_RETURN_IF_ERROR(upsert.BindText(4, now));
  STRATA_RETURN_IF_ERROR(upsert.Run());
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement next,
      db.Prepare("SELECT COALESCE(MAX(version), 0) + 1 FROM strata_model_versions "
                 "WHERE model_name = ?1"));
  STRATA_RETURN_IF_ERROR(next.BindText(1, name));
  STRATA_ASSIGN_OR_RETURN(bool has_row, next.Step());
  int version = has_row ? static_cast<int>(next.ColumnInt64(0)) : 1;
  std::string bytes = SerializeBundle(bundle);
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      db.Prepare("INSERT INTO strata_model_versions(model_name, version, model_type, created_at, "
                 "bundle, bytes, metrics, spec) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  STRATA_RETURN_IF_ERROR(insert.BindText(1, name));
  STRATA_RETURN_IF_ERROR(insert.BindInt64(2, version));
  STRATA_RETURN_IF_ERROR(insert.BindText(3, bundle.model_type));
  STRATA_RETURN_IF_ERROR(insert.BindText(4, now));
  STRATA_RETURN_IF_ERROR(insert.BindBlob(5, bytes, /*copy=*/false));
  STRATA_RETURN_IF_ERROR(insert.BindInt64(6, static_cast<int64_t>(bytes.size())));
  STRATA_RETURN_IF_ERROR(insert.BindText(7, bundle.metrics.dump()));
  STRATA_RETURN_IF_ERROR(insert.BindText(8, bundle.spec.ToJson().dump()));
  STRATA_RETURN_IF_ERROR(insert.Run());
  STRATA_RETURN_IF_ERROR(tx.Commit());
  return version;
}

Result<ModelBundle> ModelStore::Load(std::string_view name, std::optional<int> version) {
  SqliteDb& db = workspace_.db();
  std::string sql =
      "SELECT bundle, version FROM strata_model_versions WHERE model_name = ?1 " +
      std::string(version ? "AND version = ?2" : "ORDER BY version DESC LIMIT 1");
  STRATA_ASSIGN_OR_RETURN(SqliteStatement q, db.Prepare(sql));
  STRATA_RETURN_IF_ERROR(q.BindText(1, name));
  if (version) STRATA_RETURN_IF_ERROR(q.BindInt64(2, *version));
  STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) {
    if (version && Has(name)) {
      return NotFound(fmt::format("model '{}' has no version {}", name, *version));
    }
    return NoSuchModel(db, name);
  }
  auto bundle = DeserializeBundle(q.ColumnBlob(0));
  if (!bundle.ok()) {
    return bundle.status().WithContext(
        fmt::format("model '{}' version {}", name, q.ColumnInt64(1)));
  }
  return bundle;
}

bool ModelStore::Has(std::string_view name) {
  auto q = workspace_.db().Prepare("SELECT 1 FROM strata_models WHERE name = ?1");
  if (!q.ok() || !q->BindText(1, name).ok()) return false;
  auto row = q->Step();
  return row.ok() && *row;
}

Result<std::vector<ModelInfo>> ModelStore::List() {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      workspace_.db().Prepare(
          "SELECT m.name, m.model_type, m.label, m.created_at, m.updated_at, "
          "MAX(v.version), COUNT(v.version) FROM strata_models m "
          "LEFT JOIN strata_model_versions v ON v.model_name = m.name "
          "GROUP BY m.name ORDER BY m.name"));
  std::vector<ModelInfo> out;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ModelInfo m;
    m.name = q.ColumnText(0);
    m.model_type = q.ColumnText(1);
    m.label = q.ColumnText(2);
    m.created_at = q.ColumnText(3);
    m.updated_at = q.ColumnText(4);
    m.latest_version = static_cast<int>(q.ColumnInt64(5));
    m.versions = static_cast<int>(q.ColumnInt64(6));
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<ModelVersionInfo>> ModelStore::Versions(std::string_view name) {
  if (!Has(name)) return NoSuchModel(workspace_.db(), name);
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      workspace_.db().Prepare("SELECT model_name, version, model_type, created_at, bytes, "
                              "metrics, spec FROM strata_model_versions WHERE model_name = ?1 "
                              "ORDER BY version"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, name));
  std::vector<ModelVersionInfo> out;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ModelVersionInfo v;
    v.model = q.ColumnText(0);
    v.version = static_cast<int>(q.ColumnInt64(1));
    v.model_type = q.ColumnText(2);
    v.created_at = q.ColumnText(3);
    v.bundle_bytes = q.ColumnInt64(4);
    v.metrics = nlohmann::json::parse(q.ColumnText(5), nullptr, /*allow_exceptions=*/false);
    v.spec = nlohmann::json::parse(q.ColumnText(6), nullptr, /*allow_exceptions=*/false);
    out.push_back(std::move(v));
  }
  return out;
}

Status ModelStore::Drop(std::string_view name) {
  SqliteDb& db = workspace_.db();
  STRATA_ASSIGN_OR_RETURN(SqliteTransaction tx, SqliteTransaction::Begin(db));
  STRATA_ASSIGN_OR_RETURN(SqliteStatement del,
                          db.Prepare("DELETE FROM strata_models WHERE name = ?1"));
  STRATA_RETURN_IF_ERROR(del.BindText(1, name));
  STRATA_RETURN_IF_ERROR(del.Run());
  if (db.changes() == 0) return NoSuchModel(db, name);
  return tx.Commit();
}

}  // namespace strata
