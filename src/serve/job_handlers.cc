// /v1/jobs: training in the background through the JobQueue (jobs.h).
#include <chrono>
#include <memory>
#include <thread>

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

HandlerResult HandleJobEvents(ServerContext& context, const RouteRequest& request) {
  std::string id = request.param("id");
  Result<nlohmann::json> first = context.jobs->Get(id);
  if (!first.ok()) return first.status();
  // Server-Sent Events: the job as JSON each time it changes ("progress"), then "done" with
  // its final state. The stream also ends when the server shuts down, so it never holds up
  // a graceful stop.
  auto last = std::make_shared<std::string>();
  Reply reply;
  reply.content_type = "text/event-stream";
  reply.stream = [&context, id, last](std::string* chunk) {
    for (int polls = 0; polls < 50; ++polls) {  // a chunk at least every ~5 s keeps it alive
      Result<nlohmann::json> job = context.jobs->Get(id);
      if (!job.ok()) return false;
      std::string state = job->value("state", "");
      bool finished = state != "queued" && state != "running";
      std::string text = DumpJson(*job);
      if (finished) {
        *chunk = "event: done\ndata: " + text + "\n\n";
        return false;
      }
      if (context.draining) return false;
      if (text != *last) {
        *last = text;
        *chunk = "event: progress\ndata: " + text + "\n\n";
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    *chunk = ": keep-alive\n\n";
    return true;
  };
  return reply;
}

HandlerResult HandleCancelJob(ServerContext& context, const RouteRequest& request) {
  Result<nlohmann::json> job = context.jobs->Cancel(request.param("id"));
  if (!job.ok()) return job.status();
  return Reply{200, *job};
}

}  // namespace strata::serve
