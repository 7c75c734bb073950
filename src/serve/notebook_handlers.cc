// /v1/notebooks: the console's SQL notebooks, saved in the workspace. Each handler is one
// Notebooks call (include/strata/notebooks.h), which validates names and content.
#include "serve/handlers.h"
#include "serve/server_context.h"
#include "strata/notebooks.h"

namespace strata::serve {
namespace {

using nlohmann::json;

json NotebookJson(const NotebookInfo& nb, bool with_content) {
  json out = {{"name", nb.name}, {"cells", nb.cells}, {"created_at", nb.created_at},
              {"updated_at", nb.updated_at}};
  if (with_content) out["content"] = nb.content;
  return out;
}

}  // namespace

HandlerResult HandleListNotebooks(ServerContext& context, const RouteRequest&) {
  std::lock_guard lock(context.workspace_mutex);
  Result<std::vector<NotebookInfo>> list = Notebooks(*context.workspace).List();
  if (!list.ok()) return list.status();
  json out = json::array();
  for (const NotebookInfo& nb : *list) out.push_back(NotebookJson(nb, false));
  return Reply{200, {{"notebooks", out}}};
}

HandlerResult HandleGetNotebook(ServerContext& context, const RouteRequest& request) {
  std::lock_guard lock(context.workspace_mutex);
  Result<NotebookInfo> nb = Notebooks(*context.workspace).Get(request.param("name"));
  if (!nb.ok()) return nb.status();
  return Reply{200, NotebookJson(*nb, true)};
}

HandlerResult HandlePutNotebook(ServerContext& context, const RouteRequest& request) {
  Result<json> body = request.JsonBody();
  if (!body.ok()) return body.status();
  std::lock_guard lock(context.workspace_mutex);
  Notebooks notebooks(*context.workspace);
  Result<bool> created = notebooks.Put(request.param("name"), *body);
  if (!created.ok()) return created.status();
  Result<NotebookInfo> nb = notebooks.Get(request.param("name"));
  if (!nb.ok()) return nb.status();
  return Reply{*created ? 201 : 200, NotebookJson(*nb, true)};
}

HandlerResult HandleDeleteNotebook(ServerContext& context, const RouteRequest& request) {
  std::lock_guard lock(context.workspace_mutex);
  Status status = Notebooks(*context.workspace).Delete(request.param("name"));
  if (!status.ok()) return status;
  return Reply{200, {{"deleted", request.param("name")}}};
}

}  // namespace strata::serve
