// /v1/jobs: training in the background through the JobQueue (jobs.h).
#include "serve/handlers.h"
#include "serve/jobs.h"
#include "serve/server_context.h"

namespace strata::serve {

HandlerResult HandleSubmitJob(ServerContext& context, const RouteRequest& request) {
  Result<nlohmann::json> body = request.JsonBody();
  if (!body.ok()) return body.status();
  Result<nlohmann::json> job = context.jobs->Submit(*body);
  if (!job.ok() && job.status().code() == StatusCode::kResourceExhausted) {
    return HttpError{429, "RESOURCE_EXHAUSTED", job.status().message()};  // the queue is full
  }
  if (!job.ok()) return job.status();
  return Reply{202, *job};
}

HandlerResult HandleListJobs(ServerContext& context, const RouteRequest&) {
  Result<nlohmann::json> jobs = context.jobs->List();
  if (!jobs.ok()) return jobs.status();
  return Reply{200, {{"jobs", *jobs}}};
}

HandlerResult HandleGetJob(ServerContext& context, const RouteRequest& request) {
  Result<nlohmann::json> job = context.jobs->Get(request.param("id"));
  if (!job.ok()) return job.status();
  return Reply{200, *job};
}

HandlerResult HandleCancelJob(ServerContext& context, const RouteRequest& request) {
  Result<nlohmann::json> job = context.jobs->Cancel(request.param("id"));
  if (!job.ok()) return job.status();
  return Reply{200, *job};
}

}  // namespace strata::serve
