// Online prediction: the Open Inference Protocol (KServe v2) and the TF-Serving / Vertex
// `:predict` form. Both build the model's input Table from the JSON (request_table.h) and
// call Predictor::Predict, the same function as `strata predict` and ML.PREDICT.
#include <fmt/format.h>

#include "serve/handlers.h"
#include "serve/request_table.h"
#include "serve/server_context.h"
#include "strata/model_store.h"
#include "strata/suggest.h"

namespace strata::serve {
namespace {

using nlohmann::json;

// The model a request names: "name" with an optional "version" (a number; on /v2 also an
// alias) or "alias" path parameter.
Result<ServedModel> Lookup(ServerContext& context, const RouteRequest& request, bool v2) {
  VersionSelector selector;
  if (auto it = request.params.find("version"); it != request.params.end()) {
    STRATA_ASSIGN_OR_RETURN(selector, ParseVersionOrAlias(it->second, /*allow_alias=*/v2));
  } else if (auto a = request.params.find("alias"); a != request.params.end()) {
    STRATA_ASSIGN_OR_RETURN(selector, ParseVersionOrAlias(a->second, /*allow_alias=*/true));
    if (selector.alias.empty()) {
      return InvalidArgument(fmt::format("label '{}' is a number; use /versions/{}:predict",
                                         a->second, a->second));
    }
  }
  return context.models.Get(request.param("name"), selector);
}

std::string_view OipDatatype(DataType type) {
  switch (type) {
    case DataType::kBool: return "BOOL";
    case DataType::kInt64: return "INT64";
    case DataType::kFloat64: return "FP64";
    default: return "BYTES";
  }
}

// Whether a request asks for explanations: ?explain=true or "explain": true.
Result<bool> WantsExplain(const RouteRequest& request, const json& flag) {
  if (auto q = request.Query("explain")) return *q == "true" || *q == "1" || q->empty();
  if (flag.is_null()) return false;
  if (!flag.is_boolean()) {
    return InvalidArgument(fmt::format("\"explain\" must be true or false, got {}", flag.type_name()));
  }
  return flag.get<bool>();
}

// Predicts `input` with the row limit and deadline checked before and after.
HandlerResult Predict(ServerContext& context, const RouteRequest& request, const ServedModel& served,
                      const Table& input, const PredictOptions& options, Table* out) {
  if (input.num_rows() > context.options.max_rows) {
    return HttpError{413, "PAYLOAD_TOO_LARGE",
                     fmt::format("{} rows in one request; the limit is {} (strata serve "
                                 "--max-rows); split the request or use batch prediction",
                                 input.num_rows(), context.options.max_rows),
                     {{"rows", input.num_rows()}, {"max_rows", context.options.max_rows}}};
  }
  if (auto late = request.CheckDeadline()) return *late;
  Result<Table> predicted = served.predictor->Predict(input, options);
  if (!predicted.ok()) return predicted.status();
  if (auto late = request.CheckDeadline()) return *late;
  context.metrics.RecordPredictions(served.model, served.version, input.num_rows());
  *out = std::move(*predicted);
  return Reply{};
}

const Schema& InputSchema(const ServedModel& served) { return served.predictor->input_schema(); }

// Flattens nested tensor data ([[1, 2], [3, 4]] -> [1, 2, 3, 4]), row-major.
void Flatten(const json& data, json* out) {
  for (const json& v : data) {
    if (v.is_array()) {
      Flatten(v, out);
    } else {
      out->push_back(v);
    }
  }
}

Result<int64_t> ShapeProduct(const json& shape, const std::string& at) {
  int64_t product = 1;
  for (const json& d : shape) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0) {
      return InvalidArgument(fmt::format("{}.shape must hold non-negative integers, got {}", at,
                                         DumpJson(shape)));
    }
    product *= d.get<int64_t>();
  }
  return product;
}

constexpr std::string_view kDatatypes[] = {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8",
                                           "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"};

// The OIP "inputs" as the model's input table: one input per column (shape [N] or [N, 1]),
// or a single [N, F] tensor whose F columns are the model's inputs in order.
Result<Table> TableFromInferInputs(const Schema& schema, const json& inputs) {
  if (!inputs.is_array() || inputs.empty()) {
    return InvalidArgument("\"inputs\" must be a non-empty array of tensors "
                           "{\"name\", \"shape\", \"datatype\", \"data\"}");
  }
  json columns = json::object();
  std::vector<std::string> names;
  for (const Field& f : schema) names.push_back(f.name);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const json& t = inputs[i];
    std::string at = fmt::format("inputs[{}]", i);
    if (!t.is_object()) return InvalidArgument(at + " must be an object");
    for (const char* key : {"name", "shape", "datatype", "data"}) {
      if (!t.contains(key)) {
        return InvalidArgument(fmt::format("{} lacks the field \"{}\" (a tensor has name, shape, "
                                           "datatype and data)", at, key));
      }
    }
    if (!t["name"].is_string()) return InvalidArgument(at + ".name must be a string");
    if (!t["shape"].is_array() || t["shape"].empty()) {
      return InvalidArgument(at + ".shape must be a non-empty array, e.g. [2] or [2, 5]");
    }
    if (!t["data"].is_array()) return InvalidArgument(at + ".data must be an array");
    const json& dt = t["datatype"];
    if (!dt.is_string() || std::find(std::begin(kDatatypes), std::end(kDatatypes),
                                     dt.get<std::string>()) == std::end(kDatatypes)) {
      return InvalidArgument(fmt::format("{}.datatype {} is not an Open Inference Protocol "
                                         "datatype (BOOL, INT64, FP64, BYTES, ...)", at, DumpJson(dt)));
    }
    const json& shape = t["shape"];
    STRATA_ASSIGN_OR_RETURN(int64_t count, ShapeProduct(shape, at));
    json flat = json::array();
    Flatten(t["data"], &flat);
    if (static_cast<int64_t>(flat.size()) != count) {
      return InvalidArgument(fmt::format("{} has {} values but its shape {} needs {}", at,
                                         flat.size(), DumpJson(shape), count));
    }
    const std::string& name = t["name"].get_ref<const std::string&>();
    bool is_column = std::find(names.begin(), names.end(), name) != names.end();
    if (inputs.size() == 1 && shape.size() == 2 && !(is_column && schema.size() == 1)) {
      // One [N, F] tensor.
      int64_t n = shape[0].get<int64_t>(), f = shape[1].get<int64_t>();
      if (f != static_cast<int64_t>(schema.size())) {
        return InvalidArgument(fmt::format(
            "{} has shape {} but the model has {} inputs ([N, {}]), in this order: {}", at,
            DumpJson(shape), schema.size(), schema.size(), fmt::join(names, ", ")));
      }
      json rows = json::array();
      for (int64_t r = 0; r < n; ++r) {
        rows.push_back(json(flat.begin() + r * f, flat.begin() + (r + 1) * f));
      }
      return TableFromRows(schema, rows, at);
    }
    if (!is_column) {
      return InvalidArgument(fmt::format(
          "{}: '{}' is not an input of the model (its inputs: {}); send one input per column, or "
          "a single [N, {}] tensor.{}",
          at, name, fmt::join(names, ", "), schema.size(), DidYouMean(name, names)));
    }
    if (shape.size() > 2 || (shape.size() == 2 && shape[1].get<int64_t>() != 1)) {
      return InvalidArgument(fmt::format("{} ('{}') is one column: its shape must be [N] or "
                                         "[N, 1], got {}", at, name, DumpJson(shape)));
    }
    columns[name] = std::move(flat);
  }
  return TableFromColumns(schema, columns, "inputs");
}

// One OIP output tensor from a prediction column.
json OutputTensor(const std::string& name, const Column& column) {
  json data = json::array();
  for (int64_t r = 0; r < column.size(); ++r) data.push_back(CellToJson(column, r));
  return {{"name", name}, {"datatype", OipDatatype(column.type())}, {"shape", {column.size()}},
          {"data", std::move(data)}};
}

}  // namespace

HandlerResult HandleV1Predict(ServerContext& context, const RouteRequest& request) {
  PredictOptions options;
  options.keep_input_columns = false;
  bool rows = true;
  bool explain = false;
  std::optional<Table> input;
  // The common body, {"instances": [{column: value, ...}, ...]}, goes from its text to the
  // input table in one pass; anything else (or any problem) takes the general path, which
  // builds the same table or names the problem, and checks the body before the model.
  Result<ServedModel> served = Lookup(context, request, /*v2=*/false);
  if (served.ok()) input = TableFromInstancesText(InputSchema(*served), request.body);
  if (input) {
    explain = WantsExplain(request, json()).value();  // ?explain= only: the body has no field
  } else {
    Result<json> body = request.JsonBody();
    if (!body.ok()) return body.status();
    if (!body->is_object()) {
      return Status(InvalidArgument(
          fmt::format("the body must be a JSON object with \"instances\" or \"inputs\", got {}",
                      body->type_name())));
    }
    rows = body->contains("instances");
    bool columns = body->contains("inputs");
    if (rows == columns) {
      return Status(InvalidArgument(
          rows ? "send either \"instances\" (rows) or \"inputs\" (columns), not both"
               : "the body lacks the field \"instances\" (rows: objects keyed by "
                 "column name, or arrays) or \"inputs\" (columns)"));
    }
    Result<bool> wants = WantsExplain(request, body->value("explain", json()));
    if (!wants.ok()) return wants.status();
    explain = *wants;
    if (body->contains("threshold")) {
      if (!(*body)["threshold"].is_number())
        return Status(InvalidArgument("\"threshold\" must be a number"));
      options.threshold = (*body)["threshold"].get<double>();
    }
    if (!served.ok()) return served.status();
    const Schema& schema = InputSchema(*served);
    Result<Table> parsed = rows ? TableFromRows(schema, (*body)["instances"], "instances")
                                : TableFromColumns(schema, (*body)["inputs"], "inputs");
    if (!parsed.ok()) return parsed.status();
    input = std::move(*parsed);
  }
  if (explain) options.explain_top_k = static_cast<int>(InputSchema(*served).size());
  Table out;
  HandlerResult predicted = Predict(context, request, *served, *input, options, &out);
  if (predicted.error) return predicted;
  json answer = {{"model_name", served->model}, {"model_version", std::to_string(served->version)}};
  if (rows) {
    json predictions = json::array();
    for (int64_t r = 0; r < out.num_rows(); ++r) predictions.push_back(RowToJson(out, r));
    answer["predictions"] = std::move(predictions);
  } else {
    json outputs = json::object();
    for (const Column& column : out.columns()) outputs[column.name()] = json::array();
    for (int64_t r = 0; r < out.num_rows(); ++r) {
      json row = RowToJson(out, r);  // named: items() would dangle on a temporary
      for (auto& [name, value] : row.items()) outputs[name].push_back(value);
    }
    answer["outputs"] = std::move(outputs);
  }
  return Reply{200, std::move(answer)};
}

HandlerResult HandleV2Infer(ServerContext& context, const RouteRequest& request) {
  Result<json> body = request.JsonBody();
  if (!body.ok()) return body.status();
  if (!body->is_object() || !body->contains("inputs")) {
    return Status(InvalidArgument("the body must be a JSON object with the field \"inputs\" "
                                  "(Open Inference Protocol)"));
  }
  json parameters = body->value("parameters", json::object());
  if (!parameters.is_object()) return Status(InvalidArgument("\"parameters\" must be an object"));
  Result<bool> explain = WantsExplain(request, parameters.value("explain", json()));
  if (!explain.ok()) return explain.status();
  Result<ServedModel> served = Lookup(context, request, /*v2=*/true);
  if (!served.ok()) return served.status();
  const Schema& schema = InputSchema(*served);
  Result<Table> input = TableFromInferInputs(schema, (*body)["inputs"]);
  if (!input.ok()) return input.status();
  PredictOptions options;
  options.keep_input_columns = false;
  if (*explain) options.explain_top_k = static_cast<int>(schema.size());
  Table out;
  HandlerResult predicted = Predict(context, request, *served, *input, options, &out);
  if (predicted.error) return predicted;

  const ModelBundle& bundle = served->predictor->bundle();
  const std::string probs_name = "predicted_" + bundle.label + "_probs";
  json outputs = json::array();
  for (int c = 0; c < out.num_columns(); ++c) {
    const Column& column = out.column(c);
    if (c == 0) {
      outputs.push_back(OutputTensor("predict", column));
    } else if (column.name() == probs_name) {
      // [N, K] probabilities in class order; the class labels travel as a parameter.
      size_t k = bundle.class_labels.size();
      json data = json::array();
      for (int64_t r = 0; r < column.size(); ++r) {
        json probs = json::parse(column.GetString(r), nullptr, false);
        for (const json& p : probs) data.push_back(p.value("prob", 0.0));
      }
      outputs.push_back({{"name", "predict_proba"}, {"datatype", "FP64"},
                         {"shape", {out.num_rows(), static_cast<int64_t>(k)}},
                         {"parameters", {{"classes", bundle.class_labels}}},
                         {"data", std::move(data)}});
    } else {
      outputs.push_back(OutputTensor(column.name(), column));
    }
  }
  // "outputs": [{"name": ...}] asks for some outputs only.
  if (body->contains("outputs")) {
    const json& wanted = (*body)["outputs"];
    if (!wanted.is_array()) return Status(InvalidArgument("\"outputs\" must be an array of {\"name\"}"));
    json chosen = json::array();
    std::vector<std::string> available;
    for (const json& o : outputs) available.push_back(o["name"]);
    for (const json& w : wanted) {
      std::string name = w.is_object() ? w.value("name", "") : "";
      auto it = std::find(available.begin(), available.end(), name);
      if (it == available.end()) {
        return Status(NotFound(fmt::format("the model has no output '{}' (its outputs: {}).{}", name,
                                           fmt::join(available, ", "), DidYouMean(name, available))));
      }
      chosen.push_back(outputs[static_cast<size_t>(it - available.begin())]);
    }
    outputs = std::move(chosen);
  }
  json answer = {{"model_name", served->model},
                 {"model_version", std::to_string(served->version)},
                 {"outputs", std::move(outputs)}};
  if (body->contains("id")) answer["id"] = (*body)["id"];
  return Reply{200, std::move(answer)};
}

HandlerResult HandleV2ModelMetadata(ServerContext& context, const RouteRequest& request) {
  Result<ServedModel> served = Lookup(context, request, /*v2=*/true);
  if (!served.ok()) return served.status();
  const ModelBundle& bundle = served->predictor->bundle();
  json versions = json::array();
  {
    std::lock_guard lock(context.workspace_mutex);
    ModelStore store(*context.workspace);
    Result<std::vector<ModelVersionInfo>> all = store.Versions(served->model);
    if (!all.ok()) return all.status();
    for (const ModelVersionInfo& v : *all) versions.push_back(std::to_string(v.version));
  }
  json inputs = json::array();
  for (const Field& f : InputSchema(*served)) {
    inputs.push_back({{"name", f.name}, {"datatype", OipDatatype(f.type)}, {"shape", {-1}},
                      {"parameters", {{"strata_type", DataTypeName(f.type)}}}});
  }
  json outputs = json::array();
  DataType label_type = bundle.task == Task::kClassification ? bundle.label_type
                        : bundle.task == Task::kClustering   ? DataType::kInt64
                                                             : DataType::kFloat64;
  outputs.push_back({{"name", "predict"}, {"datatype", OipDatatype(label_type)}, {"shape", {-1}}});
  if (bundle.task == Task::kClassification) {
    outputs.push_back({{"name", "predict_proba"}, {"datatype", "FP64"},
                       {"shape", {-1, static_cast<int64_t>(bundle.class_labels.size())}},
                       {"parameters", {{"classes", bundle.class_labels}}}});
  }
  return Reply{200,
               {{"name", served->model},
                {"versions", versions},
                {"platform", "strata"},
                {"parameters", {{"model_type", bundle.model_type},
                                {"task", TaskName(bundle.task)},
                                {"version", std::to_string(served->version)}}},
                {"inputs", inputs},
                {"outputs", outputs}}};
}

HandlerResult HandleV2ModelReady(ServerContext& context, const RouteRequest& request) {
  Result<ServedModel> served = Lookup(context, request, /*v2=*/true);
  if (!served.ok()) return served.status();
  return Reply{200, {{"name", served->model}, {"version", std::to_string(served->version)}, {"ready", true}}};
}

}  // namespace strata::serve
