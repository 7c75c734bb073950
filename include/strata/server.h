// Server: the platform's REST face (`strata serve`), one process over one workspace.
//
// Routes (docs/server.md, and /openapi.json at run time) are declared once in a table
// (src/serve/routes.cc): health and metrics, the Open Inference Protocol (KServe v2) under
// /v2, TF-Serving/Vertex-style `:predict`, the model registry (versions, aliases), jobs, SQL
// and datasets (upload, preview, profile, download) under /v1. Every error has one shape, {"error": {"code", "message", "details"}}, and each Status
// code maps to one HTTP status.
//
//   strata::ServerOptions options;
//   options.workspace_path = "strata.db";
//   options.port = 0;  // any free port
//   STRATA_ASSIGN_OR_RETURN(auto server, strata::Server::Create(options));
//   STRATA_ASSIGN_OR_RETURN(int port, server->Bind());
//   std::thread stopper([&] { WaitForSignal(); server->Stop(); });
//   STRATA_RETURN_IF_ERROR(server->Serve());  // returns once in-flight requests finished
//
// It binds to loopback by default and refuses any other host unless `auth` is on.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata {

// ServerOptions::job_nice for jobs at idle priority (SCHED_IDLE): below nice's lowest level, 19.
inline constexpr int kJobNiceIdle = 20;

struct ServerOptions {
  std::string workspace_path;     // the workspace file (it must exist unless create_workspace)
  bool create_workspace = false;  // create an empty workspace when the file is missing
  std::string host = "127.0.0.1";
  int port = 8080;                // 0: any free port (see Bind)
  bool auth = false;              // require "Authorization: Bearer <token>" (api_tokens.h)
  size_t max_body_bytes = 16u << 20;  // larger request bodies get 413
  size_t max_upload_bytes = size_t{1} << 30;  // dataset uploads (POST /v1/datasets): 413 beyond
  int64_t max_rows = 100000;      // rows per prediction request (413 beyond)
  int request_timeout_ms = 30000; // reading a request and predicting; 408 beyond
  // A /v1/sql script that runs longer is stopped (the running statement's changes undone) and
  // gets 408; 0: no limit (a CREATE MODEL may train for minutes). A request's "timeout_ms"
  // may ask for less.
  int sql_timeout_ms = 0;
  // Threads for the routes that may block (registry, jobs, SQL, datasets); predictions and
  // probes are answered on the event-loop threads, one per core. 0: max(8, cores).
  int threads = 0;
  int max_jobs = 1;               // training jobs that run at once
  // How job threads, and the threads they start, share the CPU with requests: kJobNiceIdle
  // (the default) runs them under Linux's SCHED_IDLE policy, so a job gets only CPU that no
  // request thread wants and predictions stay fast while it trains; 0-19 runs them that many
  // nice levels below the server instead (0: at the server's priority).
  int job_nice = kJobNiceIdle;
  int max_queued_jobs = 16;       // jobs that may wait; more get 429
  // The built web console (index.html, assets/) served at "/"; empty: "/" answers a page
  // saying how to build it. FindWebRoot picks the default.
  std::string web_root;
};

// Where the web console's built files are: `flag` (--web-root) if given, else
// $STRATA_WEB_ROOT, else web/ or ../share/strata/web beside the binary, else the source
// tree's web/dist this binary was built from; the first of the last three that holds an
// index.html. Empty when none does.
std::string FindWebRoot(std::string_view flag);

// True for "localhost", 127.0.0.0/8 and "::1".
bool IsLoopbackHost(std::string_view host);

class Server {
 public:
  // Opens the workspace and checks the options: InvalidArgument for a non-loopback host
  // without auth, NotFound for a missing workspace.
  static Result<std::unique_ptr<Server>> Create(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket and returns its port (the chosen one when options.port is 0).
  // IoError when the address is taken or cannot be bound.
  Result<int> Bind();
  // Serves requests until Stop(); returns once in-flight requests have been answered and
  // running jobs were stopped (marked "interrupted").
  Status Serve();
  // Stops accepting connections and makes Serve() return; safe from any thread. /readyz
  // answers 503 from now on.
  void Stop();

  // "http://host:port" once bound.
  std::string url() const;

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata
