// Boosted trees and random forests against xgboost-python 1.7.4 on the bundled data:
// tests/models/reference/tree_reference.py trains the same matrices with the same
// parameters, weights and rounds through the same libxgboost.so, so training losses,
// predictions, margins, TreeSHAP sums and importances must be bitwise equal.
#include <fstream>

#include "models/builtin_models.h"
#include "models/tree_model.h"
#include "strata/model.h"
#include "support/test_support.h"
#include "tree_test_data.h"

namespace strata {
namespace {

const nlohmann::json& Reference() {
  static const nlohmann::json* reference = [] {
    std::string text =
        testing::ReadFileOrDie(testing::SourcePath("tests/models/reference/tree_reference.json"));
    return new nlohmann::json(nlohmann::json::parse(text));
  }();
  return *reference;
}

std::vector<int64_t> RowsWhere(int64_t n, bool eval) {
  std::vector<int64_t> rows;
  for (int64_t r = 0; r < n; ++r) {
    if ((r % 5 == 0) == eval) rows.push_back(r);
  }
  return rows;
}

template <typename T>
std::vector<T> Take(const std::vector<T>& v, const std::vector<int64_t>& rows) {
  std::vector<T> out;
  for (int64_t r : rows) out.push_back(v[r]);
  return out;
}

class TreeReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TreeReferenceTest, MatchesXgboostPythonBitForBit) {
  ASSERT_TRUE(Reference()["cases"].contains(GetParam())) << GetParam();
  const nlohmann::json& c = Reference()["cases"][GetParam()];
  const bool classification = c["classification"];
  testing::TreeTestData d = testing::LoadTreeTestData(c["file"], c["label"], classification);
  const int64_t n = d.x.rows();
  ASSERT_GT(n, 0);

  std::vector<double> weights;
  if (c["weights"]) {
    for (int64_t r = 0; r < n; ++r) {
      weights.push_back((d.labels[r] == 1 ? 3.0 : 1.0) * (1.0 + static_cast<double>(r % 4) * 0.25));
    }
  }
  // Training rows (all, or those with row % 5 != 0) and evaluation rows (row % 5 == 0).
  FeatureMatrix train_x = d.x, eval_x;
  std::vector<double> train_y = d.labels, train_w = weights, eval_y, eval_w;
  TrainingData eval;
  if (c["eval_split"]) {
    std::vector<int64_t> train_rows = RowsWhere(n, false), eval_rows = RowsWhere(n, true);
    train_x = d.x.TakeRows(train_rows);
    eval_x = d.x.TakeRows(eval_rows);
    train_y = Take(d.labels, train_rows);
    eval_y = Take(d.labels, eval_rows);
    if (!weights.empty()) {
      train_w = Take(weights, train_rows);
      eval_w = Take(weights, eval_rows);
    }
    eval = {&eval_x, eval_y, eval_w, d.num_classes, d.features};
  }
  TrainingData train{&train_x, train_y, train_w, d.num_classes, d.features};

  RegisterTreeModels();
  const bool forest = GetParam().rfind("forest", 0) == 0;
  std::string type_name = std::string(forest ? "RANDOM_FOREST_" : "BOOSTED_TREE_") +
                          (classification ? "CLASSIFIER" : "REGRESSOR");
  auto type = FindModelType(type_name);
  ASSERT_OK(type);
  auto options = ValidateOptions((*type)->options, c["options"]);
  ASSERT_OK(options);
  std::vector<IterationInfo> log;
  FitContext ctx;
  ctx.options = *options;
  ctx.seed = 42;
  ctx.threads = Reference()["threads"];
  ctx.log = &log;
  if (c["eval_split"]) ctx.eval = &eval;

  // The BigQuery ML options map to exactly the XGBoost parameters the script used.
  auto plan = PlanTreeTraining(forest ? TreeEnsemble::kRandomForest : TreeEnsemble::kBoosted,
                               (*type)->task, classification ? d.num_classes : 0, ctx);
  ASSERT_OK(plan);
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : plan->params) {
    if (k != "nthread" && k != "validate_parameters") params[k] = v;
  }
  EXPECT_EQ(params, c["params"]);

  std::unique_ptr<Model> model = (*type)->create();
  ASSERT_OK(model->Fit(train, ctx));

  // The training log: XGBoost's evaluation text parsed the same way on both sides.
  ASSERT_EQ(log.size(), c["train_loss"].size());
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].loss, c["train_loss"][i].get<double>()) << "round " << i;
    if (c["eval_split"]) {
      EXPECT_EQ(log[i].eval_loss, c["eval_loss"][i].get<double>()) << i;
    }
  }
  nlohmann::json summary = model->Describe(d.features);
  EXPECT_EQ(summary["rounds_trained"], c["rounds_trained"]);
  const int best = c["best_iteration"];
  if (best >= 0) {
    EXPECT_EQ(summary["best_iteration"], best);
    EXPECT_EQ(summary["rounds"], best + 1);
  }

  std::vector<int64_t> subset = c["rows"].get<std::vector<int64_t>>();
  FeatureMatrix x = d.x.TakeRows(subset);
  ModelOutput out;
  ASSERT_OK(model->Predict(x, &out));
  const nlohmann::json& expected = c["predictions"];
  ASSERT_EQ(expected.size(), subset.size());
  for (size_t r = 0; r < subset.size(); ++r) {
    if (!classification) {
      EXPECT_EQ(out.values[r], expected[r][0].get<double>()) << "row " << subset[r];
    } else if (d.num_classes == 2) {
      EXPECT_EQ(out.probabilities[2 * r + 1], expected[r][0].get<double>()) << "row " << subset[r];
      EXPECT_EQ(out.probabilities[2 * r], 1.0 - expected[r][0].get<double>());
    } else {
      for (int k = 0; k < d.num_classes; ++k) {
        EXPECT_EQ(out.probabilities[r * d.num_classes + k], expected[r][k].get<double>())
            << "row " << subset[r] << " class " << k;
      }
    }
  }

  auto* tree = dynamic_cast<TreeModel*>(model.get());
  ASSERT_NE(tree, nullptr);
  auto margins = tree->PredictMargin(x);
  ASSERT_OK(margins);
  const size_t groups = c["margins"][0].size();
  for (size_t r = 0; r < subset.size(); ++r) {
    for (size_t g = 0; g < groups; ++g) {
      EXPECT_EQ((*margins)[r * groups + g], c["margins"][r][g].get<double>());
    }
  }

  // TreeSHAP, summed over the subset left to right per (class, feature).
  Contributions contrib;
  ASSERT_OK(model->Contribute(x, &contrib));
  ASSERT_EQ(static_cast<size_t>(contrib.classes), groups);
  const int width = contrib.features + 1;
  for (size_t g = 0; g < groups; ++g) {
    for (int f = 0; f < width; ++f) {
      double sum = 0;
      for (size_t r = 0; r < subset.size(); ++r) {
        sum += contrib.values[(r * groups + g) * width + f];
      }
      EXPECT_EQ(sum, c["shap_sums"][g][f].get<double>()) << "class " << g << " feature " << f;
    }
  }

  auto importance = model->Importance(d.features);
  ASSERT_OK(importance);
  ASSERT_EQ(importance->size(), d.features.size());
  for (size_t f = 0; f < importance->size(); ++f) {
    EXPECT_EQ((*importance)[f].feature, d.features[f].name);
    EXPECT_EQ((*importance)[f].weight, c["importance"]["weight"][f].get<double>());
    EXPECT_EQ((*importance)[f].gain, c["importance"]["gain"][f].get<double>());
    EXPECT_EQ((*importance)[f].cover, c["importance"]["cover"][f].get<double>());
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, TreeReferenceTest,
                         ::testing::Values("boosted_binary_churn", "boosted_multiclass_hpc",
                                           "boosted_regressor_ames", "boosted_codes_ames",
                                           "boosted_exact_churn", "boosted_dart_ames",
                                           "boosted_weighted_churn",
                                           "boosted_early_stopping_rounds_churn",
                                           "boosted_min_rel_progress_hpc", "boosted_gamma_ames",
                                           "forest_classifier_churn", "forest_regressor_ames"));

}  // namespace
}  // namespace strata
