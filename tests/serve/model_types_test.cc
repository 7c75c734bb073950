// GET /v1/model-types over real loopback HTTP: every registered model type with its option
// declarations as declared, the common (balance) options and AutoML's.
#include <cmath>

#include "serve_fixture.h"
#include "strata/model.h"

namespace strata::testing {
namespace {

class ModelTypesTest : public EmptyWorkspaceTest {};

TEST_F(ModelTypesTest, EveryTypeComesWithItsOptionDeclarations) {
  RunningServer server(Options());
  auto client = server.Client();
  auto res = client.Get("/v1/model-types");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  nlohmann::json body = JsonOf(res);
  RegisterBuiltinModels();
  ASSERT_EQ(body["model_types"].size(), ModelTypes().size());
  const nlohmann::json* boosted = nullptr;
  for (const auto& t : body["model_types"]) {
    if (t["model_type"] == "BOOSTED_TREE_CLASSIFIER") boosted = &t;
  }
  ASSERT_NE(boosted, nullptr);
  EXPECT_EQ((*boosted)["task"], "classification");
  // Each option as declared: compare with the registry's declaration itself.
  const ModelType* type = *FindModelType("BOOSTED_TREE_CLASSIFIER");
  ASSERT_EQ((*boosted)["options"].size(), type->options.size());
  for (size_t i = 0; i < type->options.size(); ++i) {
    const OptionSpec& spec = type->options[i];
    const nlohmann::json& o = (*boosted)["options"][i];
    EXPECT_EQ(o["name"], spec.name);
    EXPECT_EQ(o["default"], spec.default_value) << spec.name;
    EXPECT_EQ(o["help"], spec.help) << spec.name;
    EXPECT_EQ(o["min"].is_null(), !spec.min.has_value() || !std::isfinite(*spec.min)) << spec.name;
    if (spec.min && std::isfinite(*spec.min)) {
      EXPECT_EQ(o["min"], *spec.min) << spec.name;
    }
    EXPECT_EQ(o["allowed"].size(), spec.choices.size()) << spec.name;
  }
  // The balance options live among the common ones, with their ranges.
  std::map<std::string, nlohmann::json> common;
  for (const auto& o : body["common_options"]) common[o["name"]] = o;
  for (const char* name : {"auto_class_weights", "class_weights", "downsample_ratio",
                           "downsample_upweight", "upsample_method", "smote_k_neighbors"}) {
    EXPECT_TRUE(common.count(name)) << name;
  }
  EXPECT_EQ(common["downsample_ratio"]["type"], "float");
  EXPECT_EQ(common["downsample_ratio"]["min"], 1.0);
  EXPECT_EQ(common["class_weights"]["type"], "float_map");
  EXPECT_EQ(common["upsample_method"]["type"], "enum");
  EXPECT_EQ(common["upsample_method"]["allowed"],
            nlohmann::json({"NONE", "DUPLICATE", "SMOTE", "SMOTE_NC"}));
  EXPECT_EQ(common["smote_k_neighbors"]["max"], 100.0);
  // AutoML's budget, in hours, with its bounds.
  bool budget = false;
  for (const auto& o : body["automl"]["options"]) {
    if (o["name"] == "budget_hours") {
      budget = true;
      EXPECT_EQ(o["min_exclusive"], true);
      EXPECT_EQ(o["max"], 72.0);
    }
  }
  EXPECT_TRUE(budget);
}

}  // namespace
}  // namespace strata::testing
