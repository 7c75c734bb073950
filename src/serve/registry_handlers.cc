// The model registry over REST: models, versions (metrics, training info, lineage) and
// aliases with their history. Each handler is one ModelStore / ModelAliases call.
#include <fmt/format.h>

#include "serve/handlers.h"
#include "serve/server_context.h"
#include "strata/model_aliases.h"
#include "strata/model_store.h"

namespace strata::serve {
namespace {

using nlohmann::json;

json VersionJson(const ModelVersionInfo& v) {
  return {{"version", v.version},       {"model_type", v.model_type}, {"created_at", v.created_at},
          {"bundle_bytes", v.bundle_bytes}, {"metrics", v.metrics},    {"train_spec", v.spec}};
}

json AliasesJson(const std::vector<AliasInfo>& aliases) {
  json out = json::array();
  for (const AliasInfo& a : aliases) {
    out.push_back({{"alias", a.alias}, {"version", a.version}, {"set_at", a.set_at}});
  }
  return out;
}

json OptionalJson(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

json HistoryJson(const std::vector<AliasEvent>& events) {
  json out = json::array();
  for (const AliasEvent& e : events) {
    out.push_back({{"alias", e.alias}, {"action", e.action}, {"version", OptionalJson(e.version)},
                   {"previous_version", OptionalJson(e.previous_version)}, {"set_at", e.set_at}});
  }
  return out;
}

}  // namespace

HandlerResult HandleListModels(ServerContext& context, const RouteRequest&) {
  std::lock_guard lock(context.workspace_mutex);
  ModelStore store(*context.workspace);
  Result<std::vector<ModelInfo>> models = store.List();
  if (!models.ok()) return models.status();
  json out = json::array();
  for (const ModelInfo& m : *models) {
    out.push_back({{"name", m.name}, {"model_type", m.model_type}, {"label", m.label},
                   {"latest_version", m.latest_version}, {"versions", m.versions},
                   {"created_at", m.created_at}, {"updated_at", m.updated_at}});
  }
  return Reply{200, {{"models", out}}};
}

HandlerResult HandleGetModel(ServerContext& context, const RouteRequest& request) {
  const std::string& name = request.param("name");
  std::lock_guard lock(context.workspace_mutex);
  ModelStore store(*context.workspace);
  Result<std::vector<ModelVersionInfo>> versions = store.Versions(name);
  if (!versions.ok()) return versions.status();
  ModelAliases aliases(*context.workspace);
  Result<std::vector<AliasInfo>> current = aliases.List(name);
  if (!current.ok()) return current.status();
  json list = json::array();
  for (const ModelVersionInfo& v : *versions) {
    list.push_back({{"version", v.version}, {"model_type", v.model_type}, {"created_at", v.created_at}});
  }
  std::string stored = versions->empty() ? name : versions->front().model;
  return Reply{200,
               {{"name", stored},
                {"latest_version", versions->empty() ? 0 : versions->back().version},
                {"versions", list},
                {"aliases", AliasesJson(*current)}}};
}

HandlerResult HandleListVersions(ServerContext& context, const RouteRequest& request) {
  std::lock_guard lock(context.workspace_mutex);
  ModelStore store(*context.workspace);
  Result<std::vector<ModelVersionInfo>> versions = store.Versions(request.param("name"));
  if (!versions.ok()) return versions.status();
  json out = json::array();
  for (const ModelVersionInfo& v : *versions) out.push_back(VersionJson(v));
  return Reply{200, {{"versions", out}}};
}

HandlerResult HandleGetVersion(ServerContext& context, const RouteRequest& request) {
  Result<VersionSelector> selector = ParseVersionOrAlias(request.param("version"), /*allow_alias=*/true);
  if (!selector.ok()) return selector.status();
  Result<ServedModel> served = context.models.Get(request.param("name"), *selector);
  if (!served.ok()) return served.status();
  const ModelBundle& b = served->predictor->bundle();
  const bool binary = b.task == Task::kClassification && b.class_labels.size() == 2;
  json inputs = json::array();
  for (const Field& f : b.preprocessor.input_schema()) {
    inputs.push_back({{"name", f.name}, {"type", DataTypeName(f.type)}});
  }
  return Reply{200,
               {{"name", served->model},
                {"version", served->version},
                {"model_type", b.model_type},
                {"task", TaskName(b.task)},
                {"label", b.label},
                {"classes", b.class_labels},
                {"inputs", inputs},
                {"metrics", b.metrics},
                // What the console's model page draws: the binary decision threshold (null
                // otherwise), the stored evaluation (per-class metrics, confusion matrix, ROC
                // points with counts, calibration bins) and the importance computed at training.
                {"threshold", binary ? json(b.threshold) : json(nullptr)},
                {"eval_summary", b.eval_summary.is_null() ? json::object() : b.eval_summary},
                {"feature_importance", b.importance.is_array() ? b.importance : json::array()},
                {"global_explain", b.global_explain},
                {"training_info", b.training_info},
                {"lineage", b.lineage},
                {"train_spec", b.spec.ToJson()}}};
}

HandlerResult HandleListAliases(ServerContext& context, const RouteRequest& request) {
  const std::string& name = request.param("name");
  std::lock_guard lock(context.workspace_mutex);
  ModelStore store(*context.workspace);
  if (!store.Has(name)) return store.Versions(name).status();
  ModelAliases aliases(*context.workspace);
  Result<std::vector<AliasInfo>> current = aliases.List(name);
  if (!current.ok()) return current.status();
  Result<std::vector<AliasEvent>> history = aliases.History(name);
  if (!history.ok()) return history.status();
  return Reply{200, {{"aliases", AliasesJson(*current)}, {"history", HistoryJson(*history)}}};
}

HandlerResult HandleSetAlias(ServerContext& context, const RouteRequest& request) {
  Result<json> body = request.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->is_object() || !body->contains("version")) {
    return Status(InvalidArgument("the body lacks the field \"version\": send {\"version\": N}"));
  }
  const json& v = (*body)["version"];
  if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > INT32_MAX) {
    return Status(InvalidArgument(fmt::format("\"version\" must be a version number (1, 2, ...), got {}",
                                              DumpJson(v))));
  }
  const std::string& name = request.param("name");
  const std::string& alias = request.param("alias");
  Result<std::optional<int>> previous = [&] {
    std::lock_guard lock(context.workspace_mutex);
    return ModelAliases(*context.workspace).Set(name, alias, static_cast<int>(v.get<int64_t>()));
  }();
  if (!previous.ok()) return previous.status();
  return Reply{200,
               {{"model", name}, {"alias", alias}, {"version", v}, {"previous_version", OptionalJson(*previous)}}};
}

HandlerResult HandleDeleteAlias(ServerContext& context, const RouteRequest& request) {
  Status status = [&] {
    std::lock_guard lock(context.workspace_mutex);
    return ModelAliases(*context.workspace).Delete(request.param("name"), request.param("alias"));
  }();
  if (!status.ok()) return status;
  return Reply{200, {{"deleted", request.param("alias")}}};
}

HandlerResult HandleRollbackAlias(ServerContext& context, const RouteRequest& request) {
  Result<int> version = [&] {
    std::lock_guard lock(context.workspace_mutex);
    return ModelAliases(*context.workspace).Rollback(request.param("name"), request.param("alias"));
  }();
  if (!version.ok()) return version.status();
  return Reply{200, {{"model", request.param("name")}, {"alias", request.param("alias")}, {"version", *version}}};
}

}  // namespace strata::serve
