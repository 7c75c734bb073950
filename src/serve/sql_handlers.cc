// /v1/sql: a script in Strata's SQL (BigQuery ML's dialect over the workspace) through the
// one SqlEngine, the same as `strata sql -c`; each statement's rows or message come back.
#include <fmt/format.h>

#include <chrono>
#include <optional>

#include "common/watchdog.h"
#include "serve/handlers.h"
#include "serve/request_table.h"
#include "serve/server_context.h"
#include "strata/sql.h"

namespace strata::serve {

using nlohmann::json;

// Rows a query returns at most unless the request asks for fewer ("max_rows").
constexpr int64_t kDefaultSqlRows = 10'000;

HandlerResult HandleSql(ServerContext& context, const RouteRequest& request) {
  Result<json> body = request.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->is_object() || !body->contains("query") || !(*body)["query"].is_string()) {
    return InvalidArgument("the body needs \"query\": the SQL to run, e.g. {\"query\": \"SELECT * FROM "
                           "ML.EVALUATE(MODEL m)\"}");
  }
  int64_t max_rows = kDefaultSqlRows;
  if (body->contains("max_rows")) {
    const json& m = (*body)["max_rows"];
    if (!m.is_number_integer() || m.get<int64_t>() < 0) {
      return InvalidArgument("\"max_rows\" must be a whole number >= 0");
    }
    max_rows = m.get<int64_t>();
  }
  // The time limit: --sql-timeout-ms (0: none), or the request's "timeout_ms" when shorter.
  int64_t timeout_ms = context.options.sql_timeout_ms;
  std::string limit_name = "--sql-timeout-ms";
  if (body->contains("timeout_ms")) {
    const json& t = (*body)["timeout_ms"];
    if (!t.is_number_integer() || t.get<int64_t>() < 1) {
      return InvalidArgument("\"timeout_ms\" must be a whole number of milliseconds >= 1");
    }
    if (timeout_ms == 0 || t.get<int64_t>() < timeout_ms) {
      timeout_ms = t.get<int64_t>();
      limit_name = "the request's \"timeout_ms\"";
    }
  }
  // Its own connection, as jobs have: a long statement (CREATE MODEL) holds no one else.
  Result<std::unique_ptr<Workspace>> workspace = context.OpenConnection();
  if (!workspace.ok()) return workspace.status();
  SqlEngine engine(**workspace);
  json results = json::array();
  SqlOptions options;
  options.source_name = "query";
  // At the limit the watchdog's flag stops training between iterations and a query inside
  // SQLite; the statement's changes are undone, the statements before it stay.
  std::optional<Watchdog> watchdog;
  if (timeout_ms > 0) {
    watchdog.emplace(Watchdog::Clock::now() + std::chrono::milliseconds(timeout_ms), nullptr);
    options.cancel = watchdog->flag();
  }
  Status status = engine.Run((*body)["query"].get<std::string>(), [&](const SqlResult& r) {
    json out = {{"statement", r.statement}, {"line", r.line}, {"seconds", r.seconds}};
    if (r.has_rows) {
      json columns = json::array();
      for (const Column& c : r.rows.columns()) {
        columns.push_back({{"name", c.name()}, {"type", DataTypeName(c.type())}});
      }
      json rows = json::array();
      const int64_t n = std::min(r.rows.num_rows(), max_rows);
      for (int64_t i = 0; i < n; ++i) rows.push_back(RowToJson(r.rows, i));
      out["columns"] = std::move(columns);
      out["rows"] = std::move(rows);
      out["total_rows"] = r.rows.num_rows();
      out["truncated"] = r.rows.num_rows() > n;
    } else {
      out["message"] = r.message;
    }
    results.push_back(std::move(out));
    return Status::Ok();
  }, options);
  if (!status.ok()) {
    if (watchdog && watchdog->flag()->load() && status.code() == StatusCode::kCancelled) {
      return HttpError{408, "DEADLINE_EXCEEDED", fmt::format(
          "the SQL ran past {} ms ({}); the statement running then was stopped and its changes "
          "undone; the {} statement(s) before it finished and were kept. Run long work as a job "
          "(POST /v1/jobs) or raise the limit",
          timeout_ms, limit_name, results.size()),
                       {{"timeout_ms", timeout_ms}, {"statements_finished", results.size()}}};
    }
    return status;
  }
  return Reply{200, {{"results", results}}};
}

}  // namespace strata::serve
