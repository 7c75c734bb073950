// /v1/jobs: jobs in the background through the JobQueue (jobs.h): submit, list, get, logs,
// events (SSE), cancel, retry.
#include <charconv>
#include <chrono>
#include <memory>

#include "serve/handlers.h"
#include "serve/jobs.h"
#include "serve/server_context.h"

namespace strata::serve {
namespace {

// 202 with the new job; 429 when the queue is full (not the 413 ResourceExhausted gives for
// the server's other limits).
HandlerResult Queued(const Result<nlohmann::json>& job) {
  if (!job.ok() && job.status().code() == StatusCode::kResourceExhausted) {
    return HttpError{429, "RESOURCE_EXHAUSTED", job.status().message()};
  }
  if (!job.ok()) return job.status();
  return Reply{202, *job};
}

// "?after=SEQ" (or SSE's Last-Event-ID header): the log line to continue after.
Result<int64_t> AfterParam(const RouteRequest& request) {
  std::optional<std::string> after = request.Query("after");
  if (!after) after = request.Header("Last-Event-ID");
  if (!after) return 0;
  int64_t value = -1;
  auto [end, error] = std::from_chars(after->data(), after->data() + after->size(), value);
  if (error != std::errc() || end != after->data() + after->size() || value < 0) {
    return InvalidArgument("\"after\" must be a log line number (0, 1, 2, ...), got '" + *after + "'");
  }
  return value;
}

}  // namespace

HandlerResult HandleSubmitJob(ServerContext& context, const RouteRequest& request) {
  Result<nlohmann::json> body = request.JsonBody();
  if (!body.ok()) return body.status();
  return Queued(context.jobs->Submit(*body));
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

HandlerResult HandleJobLogs(ServerContext& context, const RouteRequest& request) {
  Result<int64_t> after = AfterParam(request);
  if (!after.ok()) return after.status();
  Result<nlohmann::json> logs = context.jobs->Logs(request.param("id"), *after);
  if (!logs.ok()) return logs.status();
  return Reply{200, *logs};
}

HandlerResult HandleJobEvents(ServerContext& context, const RouteRequest& request) {
  std::string id = request.param("id");
  Result<int64_t> after = AfterParam(request);
  if (!after.ok()) return after.status();
  Result<nlohmann::json> first = context.jobs->Get(id);
  if (!first.ok()) return first.status();
  // Server-Sent Events: each new log line ("log", with its seq as the event id, so a client
  // reconnecting with Last-Event-ID misses none), the job as JSON each time it changes
  // ("progress"), then "done" with its final state after the last lines. The stream also
  // ends when the server shuts down, so it never holds up a graceful stop.
  struct Seen {
    std::string job;
    int64_t seq = 0;
    int quiet_polls = 0;
  };
  auto seen = std::make_shared<Seen>();
  seen->seq = *after;
  Reply reply;
  reply.content_type = "text/event-stream";
  reply.headers.emplace_back("Cache-Control", "no-cache");
  // One poll: the server calls it again kStreamPollInterval after a poll with nothing new.
  // A comment after 5 s of nothing keeps proxies from closing the stream.
  constexpr int kKeepAlivePolls = std::chrono::seconds(5) / kStreamPollInterval;
  reply.stream = [&context, id, seen](std::string* chunk) {
    Result<nlohmann::json> job = context.jobs->Get(id);
    if (!job.ok()) return false;
    // Read after the job: a finished job's lines are all written with its final state.
    Result<nlohmann::json> logs = context.jobs->Logs(id, seen->seq);
    if (!logs.ok()) return false;
    for (const nlohmann::json& line : (*logs)["logs"]) {
      seen->seq = line["seq"].get<int64_t>();
      *chunk += "id: " + std::to_string(seen->seq) + "\nevent: log\ndata: " + DumpJson(line) + "\n\n";
    }
    std::string state = job->value("state", "");
    bool finished = state != "queued" && state != "running";
    std::string text = DumpJson(*job);
    if (finished) {
      *chunk += "event: done\ndata: " + text + "\n\n";
      return false;
    }
    if (context.draining) return false;
    if (text != seen->job) {
      seen->job = text;
      *chunk += "event: progress\ndata: " + text + "\n\n";
    }
    if (!chunk->empty()) {
      seen->quiet_polls = 0;
    } else if (++seen->quiet_polls == kKeepAlivePolls) {
      *chunk = ": keep-alive\n\n";
      seen->quiet_polls = 0;
    }
    return true;
  };
  return reply;
}

HandlerResult HandleCancelJob(ServerContext& context, const RouteRequest& request) {
  Result<nlohmann::json> job = context.jobs->Cancel(request.param("id"));
  if (!job.ok()) return job.status();
  return Reply{200, *job};
}

HandlerResult HandleRetryJob(ServerContext& context, const RouteRequest& request) {
  return Queued(context.jobs->Retry(request.param("id")));
}

}  // namespace strata::serve
