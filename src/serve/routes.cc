#include "serve/routes.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <vector>

#include "serve/handlers.h"

namespace strata::serve {
namespace {

constexpr Route kRoutes[] = {
    // Health, metrics, the API description.
    {"GET", "/healthz", "Liveness: 200 while the process runs", Scope::kPublic, &HandleHealthz},
    {"GET", "/readyz", "Readiness: 200 when serving, 503 while shutting down", Scope::kPublic,
     &HandleReadyz},
    {"GET", "/metrics", "Prometheus metrics: requests, latencies, errors, predictions",
     Scope::kRead, &HandleMetrics},
    {"GET", "/openapi.json", "This API as an OpenAPI 3 document", Scope::kPublic, &HandleOpenApi},
    // Open Inference Protocol (KServe v2).
    {"GET", "/v2", "Server metadata (Open Inference Protocol)", Scope::kRead, &HandleV2Server},
    {"GET", "/v2/health/live", "Server live (Open Inference Protocol)", Scope::kPublic,
     &HandleHealthz},
    {"GET", "/v2/health/ready", "Server ready (Open Inference Protocol)", Scope::kPublic,
     &HandleReadyz},
    {"GET", "/v2/models/{name}", "Model metadata: inputs and outputs of the latest version",
     Scope::kRead, &HandleV2ModelMetadata, {}, "ModelMetadata"},
    {"GET", "/v2/models/{name}/versions/{version}",
     "Model metadata of a version (a number or an alias)", Scope::kRead, &HandleV2ModelMetadata,
     {}, "ModelMetadata"},
    {"GET", "/v2/models/{name}/ready", "Model ready: 200 when it loads", Scope::kRead,
     &HandleV2ModelReady},
    {"GET", "/v2/models/{name}/versions/{version}/ready", "Model version ready", Scope::kRead,
     &HandleV2ModelReady},
    {"POST", "/v2/models/{name}/infer",
     "Inference: one input per column, or one [N, F] tensor", Scope::kRead, &HandleV2Infer,
     "InferRequest", "InferResponse"},
    {"POST", "/v2/models/{name}/versions/{version}/infer", "Inference on a version or alias",
     Scope::kRead, &HandleV2Infer, "InferRequest", "InferResponse"},
    // TF-Serving / Vertex AI style prediction.
    {"POST", "/v1/models/{name}:predict", "Predict with the latest version (instances or inputs)",
     Scope::kRead, &HandleV1Predict, "PredictRequest", "PredictResponse"},
    {"POST", "/v1/models/{name}/versions/{version}:predict", "Predict with a numbered version",
     Scope::kRead, &HandleV1Predict, "PredictRequest", "PredictResponse"},
    {"POST", "/v1/models/{name}/labels/{alias}:predict", "Predict with the version an alias names",
     Scope::kRead, &HandleV1Predict, "PredictRequest", "PredictResponse"},
    // The registry.
    {"GET", "/v1/models", "Registered models", Scope::kRead, &HandleListModels},
    {"GET", "/v1/models/{name}", "A model: versions and aliases", Scope::kRead, &HandleGetModel},
    {"GET", "/v1/models/{name}/versions", "A model's versions with metrics and lineage",
     Scope::kRead, &HandleListVersions},
    {"GET", "/v1/models/{name}/versions/{version}",
     "One version: metrics, evaluation summary (curves, confusion matrix, calibration), "
     "threshold, feature importance, training info, lineage", Scope::kRead, &HandleGetVersion},
    {"GET", "/v1/models/{name}/aliases", "A model's aliases and their history", Scope::kRead,
     &HandleListAliases},
    {"PUT", "/v1/models/{name}/aliases/{alias}", "Set or move an alias: {\"version\": N}",
     Scope::kAdmin, &HandleSetAlias, "AliasRequest"},
    {"DELETE", "/v1/models/{name}/aliases/{alias}", "Delete an alias", Scope::kAdmin,
     &HandleDeleteAlias},
    {"POST", "/v1/models/{name}/aliases/{alias}:rollback",
     "Move an alias back to the version it held before its latest change", Scope::kAdmin,
     &HandleRollbackAlias},
    // Model types and their option declarations (the console's Train form is built from it).
    {"GET", "/v1/model-types",
     "Model types with their options (type, default, range, allowed values, scale, help), the "
     "common training options (split, balance, threshold) and AutoML's",
     Scope::kRead, &HandleListModelTypes},
    // Jobs.
    {"POST", "/v1/jobs",
     "Submit a job: training ({\"type\": \"train\", \"model\", \"spec\": TrainSpec}), "
     "AutoML (\"automl\"), tuning (\"tune\", \"source\", \"spec\", \"num_trials\"), "
     "evaluation (\"evaluate\", \"model\", \"source\") or batch prediction "
     "(\"predict\", \"model\", \"source\", \"output_table\")",
     Scope::kAdmin, &HandleSubmitJob, "JobRequest", "Job"},
    {"GET", "/v1/jobs", "Jobs, newest first, with state and progress", Scope::kRead, &HandleListJobs},
    {"GET", "/v1/jobs/{id}", "One job: state, progress, result or error", Scope::kRead,
     &HandleGetJob, {}, "Job"},
    {"GET", "/v1/jobs/{id}/logs",
     "The job's log lines after line ?after=SEQ (default 0: all), oldest first", Scope::kRead,
     &HandleJobLogs, {}, "JobLogs", "after:integer"},
    {"GET", "/v1/jobs/{id}/events",
     "The job as Server-Sent Events: \"log\" per log line, \"progress\" on each change, then "
     "\"done\" (?after=SEQ or Last-Event-ID: the log lines after that one)",
     Scope::kRead, &HandleJobEvents, {}, {}, "after:integer"},
    {"POST", "/v1/jobs/{id}:cancel", "Cancel a queued or running job", Scope::kAdmin,
     &HandleCancelJob},
    {"POST", "/v1/jobs/{id}:retry",
     "Queue a failed, cancelled or interrupted job's request again as a new job (\"retry_of\")",
     Scope::kAdmin, &HandleRetryJob, {}, "Job"},
    // SQL over the workspace (BigQuery ML's dialect, docs/sql.md).
    {"POST", "/v1/sql",
     "Run SQL: {\"query\": \"...\", \"max_rows\": N, \"timeout_ms\": N}; each statement's columns and "
     "rows, or its message; 408 past the time limit",
     Scope::kAdmin, &HandleSql},
    // Datasets: the workspace's tables, uploaded as files and downloaded again.
    {"POST", "/v1/datasets",
     "Upload a CSV, TSV or JSON Lines file (the raw bytes as the body) as table ?name=; 201",
     Scope::kAdmin, &HandleUploadDataset, {}, "DatasetUpload", "name:string,format:string,replace:boolean", true, 201},
    {"GET", "/v1/datasets", "The workspace's tables with their row and column counts", Scope::kRead,
     &HandleListDatasets, {}, "DatasetList"},
    {"GET", "/v1/datasets/{name}", "A table's rows and columns with their types", Scope::kRead,
     &HandleGetDataset, {}, "Dataset"},
    {"GET", "/v1/datasets/{name}/preview", "A page of rows: ?offset=0&limit=50 (limit at most 1000)",
     Scope::kRead, &HandlePreviewDataset, {}, "DatasetPreview", "offset:integer,limit:integer"},
    {"GET", "/v1/datasets/{name}/profile",
     "The profile of `strata prepare` (statistics, histograms; with ?label=, class balance and "
     "imbalance advice)",
     Scope::kRead, &HandleProfileDataset, {}, "Profile", "label:string"},
    {"GET", "/v1/datasets/{name}:download", "The table as a file: ?format=csv (default) or jsonl",
     Scope::kRead, &HandleDownloadDataset, {}, {}, "format:string"},
    {"DELETE", "/v1/datasets/{name}", "Delete a table", Scope::kAdmin, &HandleDeleteDataset},
    // SQL notebooks saved in the workspace (the console's SQL notebook).
    {"GET", "/v1/notebooks", "Saved SQL notebooks: name, cell count, times", Scope::kRead,
     &HandleListNotebooks},
    {"GET", "/v1/notebooks/{name}", "A notebook with its cells", Scope::kRead, &HandleGetNotebook,
     {}, "Notebook"},
    {"PUT", "/v1/notebooks/{name}",
     "Create (201) or replace (200) a notebook: {\"cells\": [{\"sql\": \"...\"}]}", Scope::kAdmin,
     &HandlePutNotebook, "NotebookContent", "Notebook"},
    {"DELETE", "/v1/notebooks/{name}", "Delete a notebook", Scope::kAdmin, &HandleDeleteNotebook},
};

// Splits "/a/b" into {"a", "b"}; "/" gives {}.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = path.starts_with('/') ? 1 : 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Matches one template segment ("models", "{name}", "{name}:predict") against `segment`.
bool MatchSegment(std::string_view pattern, std::string_view segment,
                  std::map<std::string, std::string, std::less<>>* params) {
  if (!pattern.starts_with('{')) return pattern == segment;
  size_t close = pattern.find('}');
  std::string_view name = pattern.substr(1, close - 1);
  std::string_view suffix = pattern.substr(close + 1);
  if (!segment.ends_with(suffix)) return false;
  std::string_view value = segment.substr(0, segment.size() - suffix.size());
  if (value.empty() || value.find(':') != std::string_view::npos) return false;
  (*params)[std::string(name)] = std::string(value);
  return true;
}

bool MatchPath(const std::vector<std::string_view>& want, const std::vector<std::string_view>& got,
               std::map<std::string, std::string, std::less<>>* params) {
  if (want.size() != got.size()) return false;
  params->clear();
  for (size_t i = 0; i < want.size(); ++i) {
    if (!MatchSegment(want[i], got[i], params)) return false;
  }
  return true;
}

// Each route's template split into segments once: splitting all of them on every request
// was 8% of a single-row prediction's instructions (bench/serve).
const std::vector<std::vector<std::string_view>>& RouteSegments() {
  static const auto* segments = [] {
    auto* out = new std::vector<std::vector<std::string_view>>();
    for (const Route& route : kRoutes) out->push_back(Segments(route.path));
    return out;
  }();
  return *segments;
}

}  // namespace

std::span<const Route> Routes() { return kRoutes; }

bool AnsweredOnEventLoop(const Route& route) {
  static constexpr Handler kInline[] = {&HandleHealthz,         &HandleReadyz,
                                        &HandleV2ModelMetadata, &HandleV2ModelReady,
                                        &HandleV2Infer,         &HandleV1Predict};
  return std::find(std::begin(kInline), std::end(kInline), route.handler) != std::end(kInline);
}

const Route* MatchRoute(std::string_view method, std::string_view path,
                        std::map<std::string, std::string, std::less<>>* params,
                        bool* path_matched) {
  *path_matched = false;
  // HEAD is answered like GET, without the body.
  if (method == "HEAD") method = "GET";
  const std::vector<std::vector<std::string_view>>& segments = RouteSegments();
  std::vector<std::string_view> got = Segments(path);
  for (size_t i = 0; i < std::size(kRoutes); ++i) {
    const Route& route = kRoutes[i];
    if (!MatchPath(segments[i], got, params)) continue;
    *path_matched = true;
    if (route.method == method) return &route;
  }
  params->clear();
  return nullptr;
}

Result<nlohmann::json> RouteRequest::JsonBody() const {
  if (body.empty()) {
    return InvalidArgument("the request body is empty; send a JSON object");
  }
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 9: ...".
    std::string what = e.what();
    size_t at = what.find(" at ");
    std::string detail = at == std::string::npos ? what : what.substr(at + 4);
    return InvalidArgument("the request body is not valid JSON: " + detail);
  }
}

std::optional<std::string> RouteRequest::Query(const std::string& name) const {
  for (const auto& [key, value] : head->query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> RequestHead::Header(std::string_view name) const {
  auto same = [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); };
  for (const auto& [key, value] : headers) {
    if (std::equal(key.begin(), key.end(), name.begin(), name.end(), same)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> RouteRequest::Header(const std::string& name) const {
  std::optional<std::string_view> value = head->Header(name);
  if (!value) return std::nullopt;
  return std::string(*value);
}

std::optional<HttpError> RouteRequest::CheckDeadline() const {
  if (std::chrono::steady_clock::now() <= deadline) return std::nullopt;
  return HttpError{408, "DEADLINE_EXCEEDED",
                   "the request took longer than the server's timeout (strata serve "
                   "--request-timeout-ms); send fewer rows per request"};
}

}  // namespace strata::serve
