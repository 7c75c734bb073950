// End-to-end tests of the one training pipeline on the bundled data sets: spec validation,
// splits, rebalancing of the training part only, prior-shift correction, thresholds,
// bundles and the predictor.
#include "strata/trainer.h"

#include <cmath>

#include "strata/csv.h"
#include "strata/predictor.h"
#include "support/churn_data.h"
#include "support/test_support.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

const Table& Churn() { return testing::ChurnTable(); }

TrainSpec Spec(std::string model_type, nlohmann::json options = nlohmann::json::object()) {
  options["model_type"] = std::move(model_type);
  options["input_label_cols"] = {"churn"};
  auto spec = TrainSpecFromOptions(options);
  EXPECT_OK(spec);
  spec->source = "churn";
  return *spec;
}

TEST(TrainerTest, BoostedTreeOnChurnLearnsAndEvaluatesOnTheEvalSplit) {
  auto bundle = Train(Spec("BOOSTED_TREE_CLASSIFIER", {{"max_iterations", 30}}), Churn());
  ASSERT_OK(bundle);
  EXPECT_EQ(bundle->class_labels, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(bundle->lineage["eval_rows"], 1000);  // AUTO_SPLIT: 20% of 5,000 rows
  EXPECT_EQ(bundle->lineage["train_rows"], 4000);
  EXPECT_GT(bundle->metrics["roc_auc"].get<double>(), 0.85);
  EXPECT_EQ(bundle->metrics["positive_class"], "yes");
  EXPECT_GT(bundle->threshold, 0.0);
  EXPECT_LT(bundle->threshold, 1.0);
  EXPECT_FALSE(bundle->training_info.empty());
  EXPECT_FALSE(bundle->importance.empty());
}

// Handing the table over (Train(spec, std::move(t))) frees it early and changes nothing else,
// with and without an evaluation split and with rebalancing.
TEST(TrainerTest, TrainingOnAHandedOverTableGivesTheSameModel) {
  for (const TrainSpec& spec :
       {Spec("BOOSTED_TREE_CLASSIFIER", {{"max_iterations", 5}}),
        Spec("LOGISTIC_REG", {{"data_split_method", "no_split"}}),
        Spec("LOGISTIC_REG", {{"downsample_ratio", 2}})}) {
    auto kept = Train(spec, Churn());
    ASSERT_OK(kept);
    Table copy = Churn().Slice(0, Churn().num_rows());
    auto handed = Train(spec, std::move(copy));
    ASSERT_OK(handed);
    EXPECT_EQ(copy.num_rows(), 0);
    EXPECT_EQ(handed->payload, kept->payload);
    EXPECT_EQ(handed->metrics, kept->metrics);
    EXPECT_EQ(handed->label, "churn");
    EXPECT_EQ(handed->label_type, kept->label_type);
    EXPECT_EQ(handed->lineage["rows"], 5000);
  }
}

TEST(TrainerTest, BundleRoundTripPredictsIdentically) {
  auto bundle = Train(Spec("LOGISTIC_REG"), Churn());
  ASSERT_OK(bundle);
  auto back = DeserializeBundle(SerializeBundle(*bundle));
  ASSERT_OK(back);
  auto p1 = Predictor::Create(*bundle);
  auto p2 = Predictor::Create(*back);
  ASSERT_OK(p1);
  ASSERT_OK(p2);
  Table rows = Churn().Slice(0, 50);
  auto a = (*p1)->Predict(rows);
  auto b = (*p2)->Predict(rows);
  ASSERT_OK(a);
  ASSERT_OK(b);
  int probs = a->ColumnIndex("predicted_churn_probs");
  ASSERT_GE(probs, 0);
  ASSERT_GE(a->ColumnIndex("predicted_churn"), 0);
  EXPECT_EQ(a->num_columns(), Churn().num_columns() + 2);
  for (int64_t r = 0; r < 50; ++r) {
    EXPECT_EQ(a->column(probs).GetString(r), b->column(probs).GetString(r));
  }
  auto json = nlohmann::json::parse(a->column(probs).GetString(0));
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["label"], "no");
  EXPECT_NEAR(json[0]["prob"].get<double>() + json[1]["prob"].get<double>(), 1.0, 1e-12);
}

TEST(TrainerTest, ThresholdOverrideChangesTheDecisionOnly) {
  auto bundle = Train(Spec("LOGISTIC_REG"), Churn());
  ASSERT_OK(bundle);
  auto p = Predictor::Create(*bundle);
  ASSERT_OK(p);
  PredictOptions all_yes;
  all_yes.threshold = 0.0;
  auto out = (*p)->Predict(Churn().Slice(0, 20), all_yes);
  ASSERT_OK(out);
  const Column& pred = out->column(out->ColumnIndex("predicted_churn"));
  for (int64_t r = 0; r < 20; ++r) EXPECT_EQ(pred.GetString(r), "yes");
  PredictOptions bad;
  bad.threshold = 1.5;
  EXPECT_EQ((*p)->Predict(Churn().Slice(0, 2), bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(TrainerTest, RebalancingTouchesTheTrainingPartOnly) {
  TrainSpec spec = Spec("LOGISTIC_REG", {{"upsample_method", "DUPLICATE"}});
  auto bundle = Train(spec, Churn());
  ASSERT_OK(bundle);
  // The evaluation split keeps its size and its class balance.
  EXPECT_EQ(bundle->lineage["eval_rows"], 1000);
  const auto& cm = bundle->eval_summary;
  ASSERT_TRUE(cm.contains("confusion_matrix")) << cm.dump();
  int64_t eval_yes = 0, eval_total = 0;
  for (size_t i = 0; i < cm["confusion_matrix"].size(); ++i) {
    for (const auto& v : cm["confusion_matrix"][i]) {
      eval_total += v.get<int64_t>();
      if (i == 1) eval_yes += v.get<int64_t>();
    }
  }
  EXPECT_EQ(eval_total, 1000);
  EXPECT_NEAR(static_cast<double>(eval_yes) / eval_total, 707.0 / 5000, 0.01);
  EXPECT_FALSE(bundle->lineage["balance"].empty());
}

TEST(TrainerTest, PriorCorrectionKeepsProbabilitiesCalibrated) {
  auto plain = Train(Spec("LOGISTIC_REG"), Churn());
  auto weighted = Train(Spec("LOGISTIC_REG", {{"auto_class_weights", true}}), Churn());
  auto uncorrected = Train(Spec("LOGISTIC_REG", {{"auto_class_weights", true},
                                                 {"correct_prior_shift", false}}),
                           Churn());
  ASSERT_OK(plain);
  ASSERT_OK(weighted);
  ASSERT_OK(uncorrected);
  double brier_plain = plain->metrics["brier_score"].get<double>();
  double brier_corrected = weighted->metrics["brier_score"].get<double>();
  double brier_uncorrected = uncorrected->metrics["brier_score"].get<double>();
  EXPECT_LT(brier_corrected, brier_uncorrected);
  EXPECT_LT(brier_corrected, brier_plain * 1.15);
}

TEST(TrainerTest, RegressionAndClustering) {
  auto ames = ReadCsv(testing::SourcePath("examples/data/ames.csv"));
  ASSERT_OK(ames);
  auto spec = TrainSpecFromOptions({{"model_type", "LINEAR_REG"}, {"input_label_cols", {"Sale_Price"}},
                                    {"l2_reg", 1.0}});
  ASSERT_OK(spec);
  auto reg = Train(*spec, *ames);
  ASSERT_OK(reg);
  EXPECT_GT(reg->metrics["r2_score"].get<double>(), 0.7);
  auto p = Predictor::Create(*reg);
  ASSERT_OK(p);
  auto out = (*p)->Predict(ames->Slice(0, 3));
  ASSERT_OK(out);
  EXPECT_EQ(out->column(out->ColumnIndex("predicted_Sale_Price")).type(), DataType::kFloat64);

  auto kspec = TrainSpecFromOptions({{"model_type", "KMEANS"}, {"num_clusters", 3}});
  ASSERT_OK(kspec);
  Table numeric = ames->Slice(0, 500);
  kspec->features = {"Lot_Area", "Gr_Liv_Area", "Year_Built"};
  auto km = Train(*kspec, numeric);
  ASSERT_OK(km);
  EXPECT_TRUE(km->metrics.contains("davies_bouldin_index"));
  auto kp = Predictor::Create(*km);
  ASSERT_OK(kp);
  auto kout = (*kp)->Predict(numeric.Slice(0, 5));
  ASSERT_OK(kout);
  const Column& id = kout->column(kout->ColumnIndex("centroid_id"));
  for (int64_t r = 0; r < 5; ++r) {
    EXPECT_GE(id.GetInt64(r), 1);
    EXPECT_LE(id.GetInt64(r), 3);
  }
}

TEST(TrainerTest, ClearErrorsForBadSpecs) {
  auto unknown_type = Train(Spec("BOOSTED_TREE_CLASIFIER"), Churn());
  EXPECT_THAT(unknown_type.status().message(), HasSubstr("Did you mean 'BOOSTED_TREE_CLASSIFIER'?"));
  auto unknown_option = Train(Spec("LOGISTIC_REG", {{"l2_regg", 1}}), Churn());
  EXPECT_THAT(unknown_option.status().message(), HasSubstr("Did you mean 'l2_reg'?"));
  TrainSpec no_label = Spec("LOGISTIC_REG");
  no_label.label = "chrun";
  EXPECT_THAT(Train(no_label, Churn()).status().message(), HasSubstr("Did you mean 'churn'?"));
  TrainSpec regression_on_text = Spec("LINEAR_REG");
  EXPECT_THAT(Train(regression_on_text, Churn()).status().message(), HasSubstr("needs a numeric label"));
  auto with_nulls = ReadCsvText("x,y\n1,a\n2,\n3,b\n", "n.csv");
  ASSERT_OK(with_nulls);
  TrainSpec s = Spec("LOGISTIC_REG");
  s.label = "y";
  auto r = Train(s, *with_nulls);
  EXPECT_THAT(r.status().message(), HasSubstr("label column 'y' has 1 NULL values (the first in row 2)"));
  auto weights = Train(Spec("LOGISTIC_REG", {{"class_weights", {{"yes", 2}, {"nope", 1}}}}), Churn());
  EXPECT_THAT(weights.status().message(), HasSubstr("'nope' is not a label value"));
}

TEST(TrainerTest, PredictorNamesMissingInputColumns) {
  auto bundle = Train(Spec("LOGISTIC_REG"), Churn());
  ASSERT_OK(bundle);
  auto p = Predictor::Create(*bundle);
  ASSERT_OK(p);
  Table partial = Churn().Slice(0, 3);
  partial.RemoveColumn(partial.ColumnIndex("total_day_minutes"));
  auto out = (*p)->Predict(partial);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("input column 'total_day_minutes'"));
}

TEST(BundleTest, CorruptOrTruncatedBundlesAreRefused) {
  auto bundle = Train(Spec("LOGISTIC_REG"), Churn());
  ASSERT_OK(bundle);
  std::string bytes = SerializeBundle(*bundle);
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
    auto r = DeserializeBundle(std::string_view(bytes).substr(0, cut));
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << cut;
  }
  for (size_t pos : {size_t{3}, size_t{20}, bytes.size() / 2, bytes.size() - 3}) {
    std::string flipped = bytes;
    flipped[pos] ^= 0x40;
    auto r = DeserializeBundle(flipped);
    EXPECT_FALSE(r.ok()) << pos;
  }
}

TEST(TrainerTest, DefaultPositiveClassIsTheOneReadingPositiveElseTheMinority) {
  // "insurance" sorts first but is the rare class: it must be the positive one.
  std::string csv = "x,label\n";
  for (int i = 0; i < 200; ++i) {
    csv += std::to_string(i) + "," + (i % 10 == 0 ? "insurance" : "noinsurance") + "\n";
  }
  auto table = ReadCsvText(csv, "coil.csv");
  ASSERT_OK(table);
  TrainSpec spec;
  spec.source = "coil";
  spec.label = "label";
  spec.model_type = "LOGISTIC_REG";
  auto bundle = Train(spec, *table);
  ASSERT_OK(bundle);
  EXPECT_EQ(bundle->class_labels, (std::vector<std::string>{"noinsurance", "insurance"}));
  EXPECT_EQ(bundle->metrics["positive_class"], "insurance");

  // 0/1 labels: 1 is positive even when it is the majority.
  std::string ones = "x,label\n";
  for (int i = 0; i < 200; ++i) ones += std::to_string(i) + "," + (i % 10 == 0 ? "0" : "1") + "\n";
  auto numeric = ReadCsvText(ones, "ones.csv");
  ASSERT_OK(numeric);
  auto b2 = Train(spec, *numeric);
  ASSERT_OK(b2);
  EXPECT_EQ(b2->class_labels[1], "1");
}

}  // namespace
}  // namespace strata
