// The OpenAPI 3 document, generated from the route table so it cannot drift from the router.
#include <string>

#include "serve/routes.h"
#include "strata/build_info.h"

namespace strata::serve {
namespace {

using nlohmann::json;

json Ref(std::string_view component) {
  return {{"$ref", "#/components/schemas/" + std::string(component)}};
}

json Components() {
  json error = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message", "details"}},
          {"properties",
           {{"code", {{"type", "string"}, {"example", "NOT_FOUND"}}},
            {"message", {{"type", "string"}}},
            {"details", {{"type", "object"}}}}}}}}}};
  json tensor = {{"type", "object"},
                 {"required", {"name", "shape", "datatype", "data"}},
                 {"properties",
                  {{"name", {{"type", "string"}}},
                   {"shape", {{"type", "array"}, {"items", {{"type", "integer"}}}}},
                   {"datatype", {{"type", "string"}, {"enum", {"BOOL", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64", "FP32", "FP64", "BYTES"}}}},
                   {"data", {{"type", "array"}, {"items", json::object()}}}}}};
  return {
      {"Error", error},
      {"Tensor", tensor},
      {"InferRequest",
       {{"type", "object"},
        {"required", {"inputs"}},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"parameters", {{"type", "object"}}},
          {"inputs", {{"type", "array"}, {"items", Ref("Tensor")}}},
          {"outputs", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}}},
      {"InferResponse",
       {{"type", "object"},
        {"properties",
         {{"model_name", {{"type", "string"}}},
          {"model_version", {{"type", "string"}}},
          {"id", {{"type", "string"}}},
          {"outputs", {{"type", "array"}, {"items", Ref("Tensor")}}}}}}},
      {"ModelMetadata",
       {{"type", "object"},
        {"properties",
         {{"name", {{"type", "string"}}},
          {"versions", {{"type", "array"}, {"items", {{"type", "string"}}}}},
          {"platform", {{"type", "string"}}},
          {"inputs", {{"type", "array"}, {"items", {{"type", "object"}}}}},
          {"outputs", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}}},
      {"PredictRequest",
       {{"type", "object"},
        {"description", "Exactly one of instances (rows: objects keyed by column, or arrays in "
                        "input order) and inputs (columns: name -> values)."},
        {"properties",
         {{"instances", {{"type", "array"}, {"items", json::object()}}},
          {"inputs", {{"type", "object"}}},
          {"explain", {{"type", "boolean"}}},
          {"threshold", {{"type", "number"}}}}}}},
      {"PredictResponse",
       {{"type", "object"},
        {"properties",
         {{"predictions", {{"type", "array"}, {"items", {{"type", "object"}}}}},
          {"model_name", {{"type", "string"}}},
          {"model_version", {{"type", "string"}}}}}}},
      {"JobRequest",
       {{"type", "object"},
        {"required", {"type", "model"}},
        {"description", "Fields by type (docs/server.md): train and automl take spec; tune "
                        "takes source, spec, num_trials and optionally max_parallel_trials, "
                        "algorithm, objective; evaluate takes source and optionally version, "
                        "threshold; predict takes source, output_table and optionally "
                        "version, replace."},
        {"properties",
         {{"type", {{"type", "string"}, {"enum", {"train", "automl", "tune", "evaluate", "predict"}}}},
          {"model", {{"type", "string"}}},
          {"spec", {{"type", "object"},
                    {"description", "train, tune: a TrainSpec (docs/models.md); automl: an AutoML spec"}}},
          {"version", {{"type", "integer"}, {"description", "predict, evaluate: default the latest"}}},
          {"source", {{"type", "string"}, {"description", "the input table"}}},
          {"output_table", {{"type", "string"}}},
          {"replace", {{"type", "boolean"}}},
          {"threshold", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}},
          {"num_trials", {{"type", "integer"}, {"minimum", 1}, {"maximum", 100}}},
          {"max_parallel_trials", {{"type", "integer"}, {"minimum", 1}, {"maximum", 5}}},
          {"algorithm", {{"type", "string"}, {"example", "tpe"}}},
          {"objective", {{"type", "string"}, {"example", "roc_auc"}}}}}}},
      {"Job",
       {{"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"type", {{"type", "string"}}},
          {"state", {{"type", "string"}, {"enum", {"queued", "running", "succeeded", "failed", "cancelled", "interrupted"}}}},
          {"request", {{"type", "object"}}},
          {"progress", {{"type", "object"}}},
          {"result", {{"type", "object"}}},
          {"error", {{"type", "string"}}},
          {"retry_of", {{"type", "string"}}}}}}},
      {"JobLogs",
       {{"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"state", {{"type", "string"}}},
          {"logs",
           {{"type", "array"},
            {"items",
             {{"type", "object"},
              {"properties",
               {{"seq", {{"type", "integer"}}},
                {"time", {{"type", "string"}}},
                {"level", {{"type", "string"}, {"enum", {"info", "warning", "error"}}}},
                {"message", {{"type", "string"}}}}}}}}}}}}},
      {"DatasetUpload",
       {{"type", "object"},
        {"properties",
         {{"name", {{"type", "string"}}},
          {"rows", {{"type", "integer"}}},
          {"columns", {{"type", "array"}, {"items", Ref("DatasetColumn")}}},
          {"bytes", {{"type", "integer"}, {"description", "bytes of the uploaded file"}}},
          {"format", {{"type", "string"}, {"enum", {"csv", "tsv", "jsonl"}}}},
          {"seconds", {{"type", "number"}}}}}}},
      {"DatasetColumn",
       {{"type", "object"},
        {"properties",
         {{"name", {{"type", "string"}}},
          {"type", {{"type", "string"}, {"enum", {"BOOL", "INT64", "FLOAT64", "STRING", "DATE", "TIMESTAMP"}}}}}}}},
      {"Dataset",
       {{"type", "object"},
        {"properties",
         {{"name", {{"type", "string"}}},
          {"rows", {{"type", "integer"}}},
          {"columns", {{"type", "array"}, {"items", Ref("DatasetColumn")}}}}}}},
      {"DatasetList",
       {{"type", "object"},
        {"properties",
         {{"datasets",
           {{"type", "array"},
            {"items",
             {{"type", "object"},
              {"properties",
               {{"name", {{"type", "string"}}},
                {"rows", {{"type", "integer"}}},
                {"columns", {{"type", "integer"}, {"description", "how many"}}}}}}}}}}}}},
      {"DatasetPreview",
       {{"type", "object"},
        {"properties",
         {{"columns", {{"type", "array"}, {"items", {{"type", "string"}}}}},
          {"types", {{"type", "array"}, {"items", {{"type", "string"}}}}},
          {"rows", {{"type", "array"}, {"items", {{"type", "array"}, {"items", json::object()}}}}},
          {"offset", {{"type", "integer"}}},
          {"total_rows", {{"type", "integer"}}}}}}},
      {"Profile",
       {{"type", "object"},
        {"description", "ProfileToJson: rows, columns (statistics, histogram, top values), "
                        "label (class balance, imbalance advice) and warnings; docs/profile.md"},
        {"properties",
         {{"rows", {{"type", "integer"}}},
          {"columns", {{"type", "array"}, {"items", {{"type", "object"}}}}},
          {"label", {{"type", "object"}, {"nullable", true}}},
          {"warnings", {{"type", "array"}, {"items", {{"type", "string"}}}}}}}}},
      {"AliasRequest",
       {{"type", "object"},
        {"required", {"version"}},
        {"properties", {{"version", {{"type", "integer"}, {"minimum", 1}}}}}}},
      {"NotebookContent",
       {{"type", "object"},
        {"required", {"cells"}},
        {"properties",
         {{"cells",
           {{"type", "array"},
            {"items",
             {{"type", "object"},
              {"required", {"sql"}},
              {"properties", {{"sql", {{"type", "string"}}}}}}}}}}}}},
      {"Notebook",
       {{"type", "object"},
        {"properties",
         {{"name", {{"type", "string"}}},
          {"cells", {{"type", "integer"}, {"description", "how many cells"}}},
          {"content", Ref("NotebookContent")},
          {"created_at", {{"type", "string"}}},
          {"updated_at", {{"type", "string"}}}}}}},
  };
}

json Operation(const Route& route) {
  json op = {{"summary", std::string(route.summary)},
             {"operationId", std::string(route.method) + " " + std::string(route.path)}};
  json parameters = json::array();
  std::string_view path = route.path;
  for (size_t open = path.find('{'); open != std::string_view::npos; open = path.find('{', open + 1)) {
    size_t close = path.find('}', open);
    parameters.push_back({{"name", std::string(path.substr(open + 1, close - open - 1))},
                          {"in", "path"},
                          {"required", true},
                          {"schema", {{"type", "string"}}}});
  }
  std::string_view query = route.query;
  while (!query.empty()) {
    size_t comma = query.find(',');
    std::string_view item = query.substr(0, comma);
    size_t colon = item.find(':');
    parameters.push_back({{"name", std::string(item.substr(0, colon))},
                          {"in", "query"},
                          {"required", false},
                          {"schema", {{"type", std::string(item.substr(colon + 1))}}}});
    query = comma == std::string_view::npos ? std::string_view() : query.substr(comma + 1);
  }
  if (!parameters.empty()) op["parameters"] = parameters;
  if (route.raw_body) {
    op["requestBody"] = {
        {"required", true},
        {"content",
         {{"application/octet-stream", {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
  } else if (!route.request_schema.empty()) {
    op["requestBody"] = {{"required", true},
                         {"content", {{"application/json", {{"schema", Ref(route.request_schema)}}}}}};
  }
  json ok = {{"description", route.success_status == 201 ? "Created" : "OK"}};
  if (!route.response_schema.empty()) {
    ok["content"] = {{"application/json", {{"schema", Ref(route.response_schema)}}}};
  }
  json error = {{"description", "An error, in the one error shape"},
                {"content", {{"application/json", {{"schema", Ref("Error")}}}}}};
  op["responses"] = {{std::to_string(route.success_status), ok}, {"default", error}};
  if (route.scope == Scope::kPublic) {
    op["security"] = json::array();
  } else {
    op["x-strata-scope"] = route.scope == Scope::kAdmin ? "admin" : "read";
  }
  return op;
}

}  // namespace

nlohmann::json OpenApiDocument() {
  json paths = json::object();
  for (const Route& route : Routes()) {
    std::string method(route.method);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[std::string(route.path)][method] = Operation(route);
  }
  json components = {{"schemas", Components()},
                     {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}};
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "Strata"},
            {"version", STRATA_VERSION},
            {"description", "Strata's REST API: prediction (Open Inference Protocol and "
                            "TF-Serving style), the model registry, jobs, SQL and datasets. "
                            "Errors: "
                            "{\"error\": {\"code\", \"message\", \"details\"}}."}}},
          {"security", json::array({{{"bearer", json::array()}}})},
          {"paths", paths},
          {"components", components}};
}

}  // namespace strata::serve
