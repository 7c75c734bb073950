// Health, readiness, metrics, the OpenAPI document and OIP server metadata.
#include <vector>

#include "serve/handlers.h"
#include "serve/server_context.h"
#include "strata/build_info.h"
#include "workspace/sqlite_db.h"

namespace strata::serve {

HandlerResult HandleHealthz(ServerContext&, const RouteRequest&) {
  return Reply{200, {{"live", true}}};
}

HandlerResult HandleReadyz(ServerContext& context, const RouteRequest&) {
  if (context.draining) {
    return HttpError{503, "UNAVAILABLE", "the server is shutting down", {{"ready", false}}};
  }
  std::lock_guard lock(context.workspace_mutex);
  Result<int64_t> ok = context.workspace->db().QueryInt64("SELECT 1");
  if (!ok.ok()) {
    return HttpError{503, "UNAVAILABLE", "the workspace cannot be read: " + ok.status().message(),
                     {{"ready", false}}};
  }
  return Reply{200, {{"ready", true}, {"workspace", context.workspace->path()}}};
}

HandlerResult HandleMetrics(ServerContext& context, const RouteRequest&) {
  std::vector<std::string> names;
  for (const Route& route : Routes()) names.emplace_back(route.path);
  Reply reply;
  reply.text = context.metrics.Render(names);
  reply.text += "# HELP strata_jobs Server jobs by state.\n# TYPE strata_jobs gauge\n";
  for (const auto& [state, count] : context.jobs->CountByState()) {
    reply.text += "strata_jobs{state=\"" + state + "\"} " + std::to_string(count) + "\n";
  }
  reply.content_type = "text/plain; version=0.0.4";
  return reply;
}

HandlerResult HandleOpenApi(ServerContext&, const RouteRequest&) {
  static const nlohmann::json document = OpenApiDocument();
  return Reply{200, document};
}

HandlerResult HandleV2Server(ServerContext&, const RouteRequest&) {
  return Reply{200, {{"name", "strata"}, {"version", STRATA_VERSION}, {"extensions", nlohmann::json::array()}}};
}

}  // namespace strata::serve
