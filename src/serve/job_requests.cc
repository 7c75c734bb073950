// Checking a job request: its type, its fields (unknown ones named, with the closest known
// one), and the specs inside, parsed by the same functions the CLI and SQL use
// (TrainSpec::FromJson, AutoMlSpec::FromJson, TuneSpecFromOptions). The stored request is
// the checked one, so a retry parses exactly what ran.
#include <fmt/format.h>

#include <algorithm>

#include "serve/jobs.h"
#include "strata/model.h"
#include "strata/suggest.h"

namespace strata::serve {
namespace {

using nlohmann::json;

struct JobType {
  std::string_view name;
  std::vector<std::string> fields;  // besides "type" and "model"
};

const std::vector<JobType>& JobTypes() {
  static const std::vector<JobType> kTypes = {
      {"train", {"spec"}},
      {"automl", {"spec"}},
      {"tune", {"source", "spec", "num_trials", "max_parallel_trials", "algorithm", "objective"}},
      {"evaluate", {"source", "version", "threshold"}},
      {"predict", {"source", "version", "output_table", "replace"}},
  };
  return kTypes;
}

// A field that must be a non-empty string.
Result<std::string> NameField(const json& request, const char* field, std::string_view what) {
  if (!request.contains(field) || !request[field].is_string() || request[field].get<std::string>().empty()) {
    return InvalidArgument(fmt::format("the job lacks the field \"{}\": {}", field, what));
  }
  return request[field].get<std::string>();
}

Status NoSourceTable() {
  return InvalidArgument("\"spec.source\" must name a workspace table (jobs train from tables; "
                         "load files with `strata collect`)");
}

Status CheckVersion(const json& request, std::optional<int>* version) {
  if (!request.contains("version")) return Status::Ok();
  if (!request["version"].is_number_integer() || request["version"].get<int64_t>() < 1) {
    return InvalidArgument("\"version\" must be a version number (1, 2, ...)");
  }
  *version = request["version"].get<int>();
  return Status::Ok();
}

Status ParseTrain(const json& request, TrainSpec* spec) {
  if (!request.contains("spec")) return InvalidArgument("the job lacks the field \"spec\" (a TrainSpec)");
  STRATA_ASSIGN_OR_RETURN(*spec, TrainSpec::FromJson(request["spec"]));
  return Status::Ok();
}

struct TuneParts {
  TrainSpec spec;
  TuneSpec tune;
  std::string source;
};

// A tuning job: the TrainSpec as flat OPTIONS (HPARAM_RANGE / HPARAM_CANDIDATES values in
// spec.options are searched), the tuning fields under their BigQuery ML names, then
// TuneSpecFromOptions as for SQL's CREATE MODEL; the search space and the objective are
// checked against the model type now, so mistakes are 400s rather than failed jobs.
Status ParseTune(const json& request, TuneParts* out) {
  STRATA_RETURN_IF_ERROR(ParseTrain(request, &out->spec));
  if (request.contains("source")) {
    STRATA_ASSIGN_OR_RETURN(out->source, NameField(request, "source", "the workspace table to tune on"));
    if (!out->spec.source.empty() && out->spec.source != out->source) {
      return InvalidArgument(fmt::format("\"source\" ('{}') and \"spec.source\" ('{}') differ; give one",
                                         out->source, out->spec.source));
    }
    out->spec.source = out->source;
  }
  out->source = out->spec.source;
  if (out->source.empty()) {
    return InvalidArgument("the job lacks the field \"source\": the workspace table to tune on");
  }
  json options = TrainSpecToOptions(out->spec);
  if (!request.contains("num_trials") || !request["num_trials"].is_number_integer()) {
    return InvalidArgument("the job lacks the field \"num_trials\": how many trials to run, 1..100");
  }
  options["num_trials"] = request["num_trials"];
  if (request.contains("max_parallel_trials")) {
    if (!request["max_parallel_trials"].is_number_integer()) {
      return InvalidArgument("\"max_parallel_trials\" must be a whole number, 1..5");
    }
    options["max_parallel_trials"] = request["max_parallel_trials"];
  }
  if (request.contains("algorithm")) {
    if (!request["algorithm"].is_string()) {
      return InvalidArgument("\"algorithm\" must be a string: tpe_asha, tpe, random or grid");
    }
    Result<TuneAlgorithm> algorithm = ParseTuneAlgorithm(request["algorithm"].get<std::string>());
    if (!algorithm.ok()) return algorithm.status().WithContext("field \"algorithm\"");
    options["hparam_tuning_algorithm"] = request["algorithm"];
  }
  if (request.contains("objective")) {
    if (!request["objective"].is_string()) {
      return InvalidArgument("\"objective\" must be a metric name such as \"roc_auc\" or \"r2_score\"");
    }
    options["hparam_tuning_objectives"] = json::array({request["objective"]});
  }
  STRATA_ASSIGN_OR_RETURN(out->tune, TuneSpecFromOptions(options));
  out->tune.source = out->source;
  out->tune.transform = out->spec.transform;
  out->tune.features = out->spec.features;
  RegisterBuiltinModels();
  STRATA_ASSIGN_OR_RETURN(const ModelType* type, FindModelType(out->spec.model_type));
  STRATA_RETURN_IF_ERROR(BuildSearchSpace(*type, out->tune.options).status().WithContext("field \"spec.options\""));
  Result<Objective> objective = FindObjective(type->task, out->tune.objective);
  if (!objective.ok()) return objective.status().WithContext("field \"objective\"");
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<JobQueue::Job>> JobQueue::ParseRequest(const json& request) {
  std::vector<std::string> names;
  for (const JobType& t : JobTypes()) names.emplace_back(t.name);
  if (!request.is_object()) {
    return InvalidArgument(fmt::format("a job is a JSON object {{\"type\": ..., \"model\": ...}} with "
                                       "\"type\" one of {}", json(names).dump()));
  }
  auto job = std::make_shared<Job>();
  if (!request.contains("type") || !request["type"].is_string()) {
    return InvalidArgument(fmt::format("the job lacks the field \"type\": one of {}", json(names).dump()));
  }
  job->type = request["type"].get<std::string>();
  auto type = std::find_if(JobTypes().begin(), JobTypes().end(),
                           [&](const JobType& t) { return t.name == job->type; });
  if (type == JobTypes().end()) {
    return InvalidArgument(fmt::format("job type '{}' is not supported; \"type\" is one of {}.{}",
                                       job->type, json(names).dump(), DidYouMean(job->type, names)));
  }
  std::vector<std::string> fields = type->fields;
  fields.insert(fields.begin(), {"type", "model"});
  for (const auto& [key, value] : request.items()) {
    if (std::find(fields.begin(), fields.end(), key) != fields.end()) continue;
    return InvalidArgument(fmt::format("a {} job has no field \"{}\".{} Its fields: {}", job->type, key,
                                       DidYouMean(key, fields), json(fields).dump()));
  }
  const bool trains = job->type == "train" || job->type == "automl" || job->type == "tune";
  STRATA_ASSIGN_OR_RETURN(job->model, NameField(request, "model",
                                                trains ? "the name to save the trained model as"
                                                       : "the model to use"));
  if (job->type == "train") {
    STRATA_RETURN_IF_ERROR(ParseTrain(request, &job->spec));
    if (job->spec.source.empty()) return NoSourceTable();
    job->source = job->spec.source;
    job->request = {{"type", "train"}, {"model", job->model}, {"spec", job->spec.ToJson()}};
  } else if (job->type == "automl") {
    if (!request.contains("spec")) {
      return InvalidArgument("the job lacks the field \"spec\" (an AutoML spec: source, label, budget_seconds, ...)");
    }
    STRATA_ASSIGN_OR_RETURN(job->automl, AutoMlSpec::FromJson(request["spec"]));
    if (job->automl.source.empty()) return NoSourceTable();
    job->source = job->automl.source;
    job->request = {{"type", "automl"}, {"model", job->model}, {"spec", job->automl.ToJson()}};
  } else if (job->type == "tune") {
    TuneParts tune;
    STRATA_RETURN_IF_ERROR(ParseTune(request, &tune));
    job->spec = std::move(tune.spec);
    job->tune = std::move(tune.tune);
    job->source = tune.source;
    job->request = request;
    job->request["source"] = job->source;
    job->request["spec"] = job->spec.ToJson();
  } else if (job->type == "evaluate") {
    STRATA_ASSIGN_OR_RETURN(job->source, NameField(request, "source", "the workspace table to evaluate on (with the label column)"));
    STRATA_RETURN_IF_ERROR(CheckVersion(request, &job->version));
    if (request.contains("threshold")) {
      const json& t = request["threshold"];
      if (!t.is_number() || t.get<double>() < 0 || t.get<double>() > 1) {
        return InvalidArgument(fmt::format("\"threshold\" must be a number in [0, 1] (a binary "
                                           "model's decision threshold), got {}", t.dump()));
      }
      job->threshold = t.get<double>();
    }
    job->request = {{"type", "evaluate"}, {"model", job->model}, {"source", job->source}};
    if (job->version) job->request["version"] = *job->version;
    if (job->threshold) job->request["threshold"] = *job->threshold;
  } else {
    STRATA_ASSIGN_OR_RETURN(job->source, NameField(request, "source", "a workspace table name"));
    STRATA_ASSIGN_OR_RETURN(job->output_table, NameField(request, "output_table", "a workspace table name"));
    STRATA_RETURN_IF_ERROR(CheckVersion(request, &job->version));
    if (request.contains("replace")) {
      if (!request["replace"].is_boolean()) return InvalidArgument("\"replace\" must be true or false");
      job->replace = request["replace"].get<bool>();
    }
    job->request = {{"type", "predict"}, {"model", job->model}, {"source", job->source},
                    {"output_table", job->output_table}, {"replace", job->replace}};
    if (job->version) job->request["version"] = *job->version;
  }
  return job;
}

}  // namespace strata::serve
