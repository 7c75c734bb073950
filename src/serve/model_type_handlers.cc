// GET /v1/model-types: every registered model type with its option declarations, plus the
// common training options (split, balance, threshold) and AutoML's, so that clients (the
// console's Train form) are generated from the one declaration of each option.
#include "serve/handlers.h"
#include "strata/automl.h"
#include "strata/model.h"
#include "strata/train_spec.h"

namespace strata::serve {
namespace {

nlohmann::json OptionsJson(const std::vector<OptionSpec>& specs) {
  nlohmann::json out = nlohmann::json::array();
  for (const OptionSpec& spec : specs) out.push_back(OptionSpecToJson(spec));
  return out;
}

}  // namespace

HandlerResult HandleListModelTypes(ServerContext&, const RouteRequest&) {
  RegisterBuiltinModels();
  nlohmann::json types = nlohmann::json::array();
  for (const ModelType* type : ModelTypes()) {
    types.push_back({{"model_type", type->name},
                     {"task", TaskName(type->task)},
                     {"summary", type->summary},
                     {"options", OptionsJson(type->options)}});
  }
  return Reply{200,
               {{"model_types", types},
                {"common_options", OptionsJson(CommonTrainOptions())},
                {"automl", {{"model_types", {"AUTOML_CLASSIFIER", "AUTOML_REGRESSOR"}},
                            {"options", OptionsJson(AutoMlOptionSpecs())}}}}};
}

}  // namespace strata::serve
