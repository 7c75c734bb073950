// Ensemble bundles: built from trained bundles, they predict the weighted average of their
// members, survive serialisation, refuse corruption, evaluate and explain like any bundle.
#include "strata/ensemble.h"

#include <cmath>

#include "strata/csv.h"
#include "strata/predictor.h"
#include "strata/trainer.h"
#include "support/churn_data.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

const Table& Churn() { return testing::ChurnTable(); }

ModelBundle TrainChurn(std::string model_type, nlohmann::json options = nlohmann::json::object(),
                       std::string label = "churn") {
  options["model_type"] = std::move(model_type);
  options["input_label_cols"] = {label};
  auto spec = TrainSpecFromOptions(options);
  EXPECT_OK(spec);
  auto bundle = Train(*spec, Churn());
  EXPECT_OK(bundle);
  return std::move(*bundle);
}

// Two different families, trained once for the whole suite.
const std::pair<ModelBundle, ModelBundle>& Members() {
  static const auto* m = new std::pair<ModelBundle, ModelBundle>(
      TrainChurn("LOGISTIC_REG"), TrainChurn("BOOSTED_TREE_CLASSIFIER", {{"max_iterations", 20}}));
  return *m;
}

ModelBundle Ensemble(double w1, double w2) {
  std::vector<EnsembleMember> members = {{w1, Members().first}, {w2, Members().second}};
  auto e = MakeEnsembleBundle(std::move(members), "ENSEMBLE");
  EXPECT_OK(e);
  return std::move(*e);
}

TEST(EnsembleTest, PredictsTheWeightedAverageOfItsMembers) {
  Table rows = Churn().Slice(0, 300);
  auto p1 = Predictor::Create(Members().first);
  auto p2 = Predictor::Create(Members().second);
  // Weights are normalised: 1 and 3 are 0.25 and 0.75.
  auto pe = Predictor::Create(Ensemble(1, 3));
  ASSERT_OK(p1);
  ASSERT_OK(p2);
  ASSERT_OK(pe);
  auto o1 = (*p1)->PredictRaw(rows);
  auto o2 = (*p2)->PredictRaw(rows);
  auto oe = (*pe)->PredictRaw(rows);
  ASSERT_OK(oe);
  ASSERT_EQ(oe->probabilities.size(), 600u);
  for (size_t i = 0; i < oe->probabilities.size(); ++i) {
    EXPECT_NEAR(oe->probabilities[i], 0.25 * o1->probabilities[i] + 0.75 * o2->probabilities[i], 1e-12);
  }
  EXPECT_TRUE((*pe)->is_ensemble());
  EXPECT_NEAR((*pe)->bundle().threshold,
              0.25 * Members().first.threshold + 0.75 * Members().second.threshold, 1e-12);
  // BigQuery ML's output columns, from the ensemble's threshold.
  auto table = (*pe)->Predict(rows);
  ASSERT_OK(table);
  ASSERT_OK(table->GetColumn("predicted_churn"));
  ASSERT_OK(table->GetColumn("predicted_churn_probs"));
  const Column& predicted = *table->GetColumn("predicted_churn").value();
  for (int64_t r = 0; r < 300; ++r) {
    bool positive = oe->probabilities[2 * r + 1] >= (*pe)->bundle().threshold;
    EXPECT_EQ(predicted.GetString(r), positive ? "yes" : "no");
  }
  // The feature path is refused: members transform the input themselves.
  EXPECT_EQ((*pe)->PredictFeatures(FeatureMatrix(1, 1)).status().code(), StatusCode::kFailedPrecondition);
}

TEST(EnsembleTest, SurvivesSerialisationAndDescribesItsMembers) {
  ModelBundle e = Ensemble(0.5, 0.5);
  auto back = DeserializeBundle(SerializeBundle(e));
  ASSERT_OK(back);
  EXPECT_EQ(back->model_type, "ENSEMBLE");
  auto members = EnsembleMembers(*back);
  ASSERT_OK(members);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].bundle.model_type, "LOGISTIC_REG");
  EXPECT_EQ((*members)[1].bundle.model_type, "BOOSTED_TREE_CLASSIFIER");
  EXPECT_DOUBLE_EQ((*members)[0].weight, 0.5);
  Table rows = Churn().Slice(100, 50);
  auto a = Predictor::Create(e).value()->PredictRaw(rows);
  auto b = Predictor::Create(*back).value()->PredictRaw(rows);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->probabilities, b->probabilities);
  auto model = back->LoadModel();
  ASSERT_OK(model);
  nlohmann::json d = (*model)->Describe({});
  ASSERT_EQ(d["members"].size(), 2u);
  EXPECT_EQ(d["members"][1]["model_type"], "BOOSTED_TREE_CLASSIFIER");
  // The input schema is the members'.
  EXPECT_EQ(back->preprocessor.input_schema().size(), Members().first.preprocessor.input_schema().size());
}

TEST(EnsembleTest, RefusesACorruptOrTruncatedPayload) {
  ModelBundle e = Ensemble(1, 1);
  ModelBundle truncated = e;
  truncated.payload.resize(truncated.payload.size() / 2);
  EXPECT_EQ(Predictor::Create(truncated).status().code(), StatusCode::kDataLoss);
  ModelBundle flipped = e;
  flipped.payload[flipped.payload.size() - 100] ^= 0x5A;  // inside the last member's bytes
  auto p = Predictor::Create(flipped);
  EXPECT_EQ(p.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(p.status().message(), HasSubstr("ensemble member 2"));
  ModelBundle bad_magic = e;
  bad_magic.payload[0] = 'X';
  EXPECT_EQ(Predictor::Create(bad_magic).status().code(), StatusCode::kDataLoss);
  // And through a whole serialised bundle, too.
  ModelBundle garbage = e;
  garbage.payload = std::string(64, '\xff');
  auto back = DeserializeBundle(SerializeBundle(garbage));
  ASSERT_OK(back);
  EXPECT_EQ(Predictor::Create(*back).status().code(), StatusCode::kDataLoss);
}

TEST(EnsembleTest, RefusesMembersThatDoNotPredictTheSameThing) {
  ModelBundle other_label = TrainChurn("LOGISTIC_REG", nlohmann::json::object(), "international_plan");
  auto e = MakeEnsembleBundle({{1, Members().first}, {1, other_label}});
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(e.status().message(), HasSubstr("label"));
  EXPECT_THAT(MakeEnsembleBundle({}).status().message(), HasSubstr("at least one member"));
  EXPECT_THAT(MakeEnsembleBundle({{0, Members().first}}).status().message(), HasSubstr("positive"));
  EXPECT_THAT(MakeEnsembleBundle({{1, Members().first}}, "LOGISTIC_REG").status().message(),
              HasSubstr("not an ensemble model type"));
  ModelBundle nested = Ensemble(1, 1);
  EXPECT_THAT(MakeEnsembleBundle({{1, nested}}).status().message(), HasSubstr("nested"));
}

// Log loss is convex in the probabilities: the ensemble's is at most the weighted mean of
// its members' on the same rows (Jensen), and Evaluate() works on ensembles.
TEST(EnsembleTest, EvaluatesAndItsLogLossIsAtMostTheMembersWeightedMean) {
  Table rows = Churn().Slice(4000, 1000);
  auto m1 = Evaluate(Members().first, rows);
  auto m2 = Evaluate(Members().second, rows);
  auto me = Evaluate(Ensemble(0.4, 0.6), rows);
  ASSERT_OK(m1);
  ASSERT_OK(m2);
  ASSERT_OK(me);
  double l1 = (*m1)["log_loss"], l2 = (*m2)["log_loss"], le = (*me)["log_loss"];
  EXPECT_LE(le, 0.4 * l1 + 0.6 * l2 + 1e-12);
  EXPECT_GT((*me)["roc_auc"].get<double>(), 0.8);
}

// Explanations are the weighted average of the members' and stay additive: attributions
// plus the baseline give the prediction value.
TEST(EnsembleTest, ExplanationsAreAdditive) {
  Table rows = Churn().Slice(0, 20);
  auto p = Predictor::Create(Ensemble(1, 1));
  ASSERT_OK(p);
  auto e = (*p)->Explain(rows, 0);
  ASSERT_OK(e);
  ASSERT_EQ(e->rows.size(), 20u);
  for (size_t r = 0; r < 20; ++r) {
    double total = e->baseline[r];
    for (const Attribution& a : e->rows[r]) total += a.attribution;
    EXPECT_NEAR(total, e->prediction_value[r], 1e-9);
    for (size_t i = 1; i < e->rows[r].size(); ++i) {
      EXPECT_GE(std::fabs(e->rows[r][i - 1].attribution), std::fabs(e->rows[r][i].attribution));
    }
  }
  auto top = (*p)->Explain(rows, 3);
  ASSERT_OK(top);
  EXPECT_EQ(top->rows[0].size(), 3u);
}

}  // namespace
}  // namespace strata
