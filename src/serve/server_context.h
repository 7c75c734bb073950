// The state every handler shares: options, the workspace (one connection, used under one
// mutex), the model cache and the metrics.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "serve/jobs.h"
#include "serve/metrics.h"
#include "serve/model_cache.h"
#include "strata/server.h"
#include "strata/workspace.h"

namespace strata::serve {

struct ServerContext {
  ServerContext(ServerOptions o, std::unique_ptr<Workspace> ws, size_t routes)
      : options(std::move(o)), workspace(std::move(ws)), models(*workspace, workspace_mutex),
        metrics(routes) {}

  ServerOptions options;
  std::unique_ptr<Workspace> workspace;
  std::mutex workspace_mutex;  // guards every use of `workspace`
  ModelCache models;
  Metrics metrics;
  std::unique_ptr<JobQueue> jobs;
  std::atomic<bool> draining{false};

  // A connection of the request's own to the workspace, for work too long to hold the shared
  // one (SQL scripts, dataset uploads, profiles, downloads); WAL lets it run beside the rest.
  Result<std::unique_ptr<Workspace>> OpenConnection() const {
    OpenOptions open;
    open.create = false;
    return Workspace::Open(options.workspace_path, open);
  }
};

}  // namespace strata::serve
