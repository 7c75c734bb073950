// `strata serve`: the REST server over the workspace (include/strata/server.h), stopped
// gracefully by SIGTERM or SIGINT: it stops accepting, answers the requests in flight, and
// exits 0.
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include "cli/cli.h"
#include "strata/server.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

struct ServeArgs {
  std::string host = "127.0.0.1";
  int port = 8080;
  bool auth = false;
  double max_body_mb = 16;
  double max_upload_mb = 1024;
  int64_t max_rows = 100000;
  int request_timeout_ms = 30000;
  int sql_timeout_ms = 0;
  int threads = 0;
  int max_jobs = 1;
  int max_queued_jobs = 16;
  std::string job_nice = "idle";
  std::string web_root;
  bool create = false;
};

Status RunServe(const ServeArgs& a, const GlobalOptions& global) {
  ServerOptions options;
  options.workspace_path = global.workspace.empty() ? DefaultWorkspacePath() : global.workspace;
  options.host = a.host;
  options.port = a.port;
  options.auth = a.auth;
  if (!(a.max_body_mb > 0)) return InvalidArgument("--max-body-mb must be positive");
  options.max_body_bytes = static_cast<size_t>(a.max_body_mb * 1024 * 1024);
  if (!(a.max_upload_mb > 0)) return InvalidArgument("--max-upload-mb must be positive");
  options.max_upload_bytes = static_cast<size_t>(a.max_upload_mb * 1024 * 1024);
  options.max_rows = a.max_rows;
  options.request_timeout_ms = a.request_timeout_ms;
  options.sql_timeout_ms = a.sql_timeout_ms;
  options.threads = a.threads;
  options.max_jobs = a.max_jobs;
  options.max_queued_jobs = a.max_queued_jobs;
  if (a.job_nice == "idle") {
    options.job_nice = kJobNiceIdle;
  } else {
    auto [end, ec] = std::from_chars(a.job_nice.data(), a.job_nice.data() + a.job_nice.size(),
                                     options.job_nice);
    // The range is Server::Create's to check; here only that the value is a number, and that
    // the number standing for idle is asked for by its word.
    if (ec != std::errc() || end != a.job_nice.data() + a.job_nice.size() ||
        options.job_nice == kJobNiceIdle) {
      return InvalidArgument(fmt::format(
          "--job-nice {}: expected idle, or 0 (jobs at the server's priority) to 19 (the lowest "
          "nice level)",
          a.job_nice));
    }
  }
  options.web_root = FindWebRoot(a.web_root);
  options.create_workspace = a.create;
  bool existed = std::filesystem::exists(options.workspace_path);

  // SIGTERM and SIGINT are blocked in every thread (the server's threads inherit the mask)
  // and taken by one thread with sigwait, which stops the server outside signal context.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Result<std::unique_ptr<Server>> created = Server::Create(options);
  if (!created.ok() && created.status().code() == StatusCode::kNotFound && !existed && !a.create) {
    return NotFound(fmt::format(
        "no workspace at '{}'. Collect data first (strata collect FILE), pass --workspace PATH "
        "(or set STRATA_WORKSPACE) to serve another one, or pass --create to start with an "
        "empty workspace and upload data in the web console",
        options.workspace_path));
  }
  STRATA_ASSIGN_OR_RETURN(auto server, std::move(created));
  if (!existed && !global.quiet) {
    std::cerr << fmt::format("strata: created an empty workspace '{}'\n", options.workspace_path);
  }
  STRATA_ASSIGN_OR_RETURN(int port, server->Bind());
  (void)port;
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    if (done) return;
    if (!global.quiet) {
      std::cerr << fmt::format("strata: {}: stopping; finishing the requests in flight\n",
                               signal == SIGINT ? "interrupted" : "terminated");
    }
    server->Stop();
  });
  std::cerr << fmt::format("strata: serving workspace '{}' at {} (auth {}); stop with Ctrl-C\n",
                           options.workspace_path, server->url(), a.auth ? "on" : "off");
  Status status = server->Serve();
  done = true;
  pthread_kill(waiter.native_handle(), SIGTERM);  // wakes the waiter if no signal came
  waiter.join();
  if (status.ok() && !global.quiet) std::cerr << "strata: stopped\n";
  return status;
}

}  // namespace

void AddServeCommand(CLI::App& app, CommandContext& ctx) {
  auto a = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve the workspace over HTTP: prediction (KServe v2, TF-Serving :predict), "
               "the model registry, jobs, SQL and datasets");
  cmd->add_option("--host", a->host,
                  "Address to listen on; other than loopback it needs --auth")
      ->capture_default_str();
  cmd->add_option("--port", a->port, "TCP port (0: any free port)")->capture_default_str();
  cmd->add_flag("--auth", a->auth,
                "Require 'Authorization: Bearer TOKEN' (tokens: `strata tokens create`)");
  cmd->add_option("--max-body-mb", a->max_body_mb, "Largest request body, in MiB (413 beyond)")
      ->capture_default_str();
  cmd->add_option("--max-upload-mb", a->max_upload_mb,
                  "Largest dataset upload (POST /v1/datasets), in MiB (413 beyond)")
      ->capture_default_str();
  cmd->add_option("--max-rows", a->max_rows, "Most rows in one prediction request (413 beyond)")
      ->capture_default_str();
  cmd->add_option("--request-timeout-ms", a->request_timeout_ms,
                  "Time to read a request and predict (408 beyond)")
      ->capture_default_str();
  cmd->add_option("--sql-timeout-ms", a->sql_timeout_ms,
                  "Longest a /v1/sql script may run; beyond, the running statement is stopped, its "
                  "changes undone, and the request gets 408 (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "Threads for the routes that may block (0: max(8, cores)); predictions and probes run on one event-loop thread per core")
      ->capture_default_str();
  cmd->add_option("--max-jobs", a->max_jobs, "Training jobs (/v1/jobs) that run at once")
      ->capture_default_str();
  cmd->add_option("--max-queued-jobs", a->max_queued_jobs,
                  "Jobs that may wait for a free slot; more get 429")
      ->capture_default_str();
  cmd->add_option("--job-nice", a->job_nice,
                  "How jobs share the CPU with requests: idle (Linux's SCHED_IDLE: jobs get only "
                  "the CPU requests leave), or N nice levels (0-19) below the server")
      ->capture_default_str();
  cmd->add_flag("--create", a->create,
                "Create an empty workspace when none exists (then upload data in the console)");
  cmd->add_option("--web-root", a->web_root,
                  "The built web console served at / (default: $STRATA_WEB_ROOT, web/ beside "
                  "the binary, or the source tree's web/dist)")
      ->check(CLI::ExistingDirectory);
  cmd->footer(
      "Examples:\n"
      "  strata serve                              http://127.0.0.1:8080, no auth;\n"
      "                                            the web console at http://127.0.0.1:8080/\n"
      "  strata tokens create --scope admin        then:\n"
      "  strata serve --host 0.0.0.0 --auth        reachable from other machines\n"
      "  curl -s localhost:8080/v1/models/churn:predict \\\n"
      "       -d '{\"instances\": [{\"tenure\": 3, \"plan\": \"basic\"}]}'\n"
      "  curl -s --data-binary @churn.csv 'localhost:8080/v1/datasets?name=churn'\n"
      "Routes: docs/server.md, or GET /openapi.json");
  cmd->callback([a, &ctx] { ctx.result = RunServe(*a, ctx.global); });
}

}  // namespace strata::cli
