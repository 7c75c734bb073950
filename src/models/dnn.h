// DNN_CLASSIFIER / DNN_REGRESSOR: a fully connected feed-forward network on Eigen, trained
// with mini-batch ADAM (or ADAGRAD, RMSPROP, SGD), BigQuery ML's option names and defaults.
//
// Layers: inputs -> hidden_units[0] -> ... -> outputs, each hidden layer followed by
// activation_fn and, during training, inverted dropout. Outputs: k softmax logits for a
// classifier (k >= 2), one value for a regressor, which trains on the label standardised
// with its (weighted) mean and standard deviation and predicts in the label's units.
//
// Per mini-batch of B rows the objective is, as in TensorFlow/Keras (what BigQuery ML runs),
//
//   sum_i w_i loss_i / B  +  l2_reg * sum W^2  +  l1_reg * sum |W|    (biases never penalised)
//
// with loss the cross-entropy (classifier) or half the squared error on the standardised
// label (regressor). An epoch (one pass over the shuffled rows) is one iteration of
// ML.TRAINING_INFO. Early stopping watches the evaluation loss (the training loss without
// evaluation data): with early_stopping_rounds = 0, BigQuery ML's rule, the first epoch that
// improves the best loss by less than min_rel_progress (relative) stops; with N > 0, N
// epochs without such an improvement. The parameters of the best epoch are kept.
// Deterministic for a seed: one thread, one seeded generator for initialisation (Glorot
// uniform), shuffling and dropout.
//
// Contributions are integrated gradients (BigQuery ML's explanation method for DNNs) from
// the all-zero input — the mean row, since the preprocessing standardises numerics — in
// integrated_gradients_num_steps steps, in the output's raw space (log-odds of class 1 for
// binary, the k logits else, the label's units for regression); the bias is the output at
// the baseline. They add up to the raw output within the integration error.
#pragma once

#include <Eigen/Core>
#include <random>
#include <string>
#include <vector>

#include "strata/model.h"

namespace strata {

// The activation_fn values DNN models implement (their option declaration lists the same).
const std::vector<std::string>& DnnActivations();

class DnnModel final : public Model {
 public:
  explicit DnnModel(Task task) : task_(task) {}

  Status Fit(const TrainingData& data, const FitContext& context) override;
  Status Predict(const FeatureMatrix& features, ModelOutput* out) const override;
  Status Contribute(const FeatureMatrix& features, Contributions* out) const override;
  Result<std::string> Save() const override;
  Status Load(std::string_view bytes) override;
  nlohmann::json Describe(const std::vector<FeatureInfo>& features) const override;

  // Test hooks: the mean objective (with penalties, without dropout) of the current
  // parameters on `data`, and its gradient by back-propagation, flattened layer by layer
  // (weights column-major, then biases).
  struct Gradient {
    double loss = 0;
    std::vector<double> values;
  };
  Result<Gradient> ObjectiveGradient(const TrainingData& data, double l1_reg, double l2_reg) const;
  // Fresh layers as Fit starts from: Glorot-uniform weights from `seed`, zero biases
  // (Fit then sets the output bias to the class priors). Public for the gradient check.
  Status Initialize(int inputs, const std::vector<int>& hidden, int num_classes,
                    const std::string& activation, uint64_t seed);
  // Adds `delta` to flattened parameter `index` (same order as Gradient::values).
  void PerturbForTest(size_t index, double delta);

 private:
  struct Layer {
    Eigen::MatrixXd w;  // outputs x inputs
    Eigen::VectorXd b;
  };
  struct Summary {
    int epochs = 0;
    int best_epoch = 0;
    std::string stop_reason;
    std::string optimizer;
    int batch_size = 0;
  };

  Status CheckFitted() const;
  Status Train(const TrainingData& data, const FitContext& context);  // Fit's body
  Status LoadPayload(std::string_view bytes);  // Load's body; throws on a wrong JSON type
  int Outputs() const;
  // What a forward pass keeps for Backward: each layer's input and pre-activation, and in
  // training the inverted-dropout masks that multiply each hidden layer's activation.
  struct Trace {
    std::vector<Eigen::MatrixXd> a, z;
    const std::vector<Eigen::MatrixXd>* masks = nullptr;
  };
  // Raw outputs (outputs x columns of `x_t`, one column per row) of the network on rows
  // given as columns, filling `trace` when given.
  Eigen::MatrixXd Forward(const Eigen::MatrixXd& x_t, Trace* trace = nullptr) const;
  // Gradients of every layer's weights (with the L1/L2 penalties) and biases, from `delta`
  // = d loss / d output of the traced pass (already weighted and divided by the batch).
  void Backward(Eigen::MatrixXd delta, const Trace& trace, double l1_reg, double l2_reg,
                std::vector<Eigen::MatrixXd>* gw, std::vector<Eigen::VectorXd>* gb) const;
  // Rows [begin, end) of `x` as columns.
  static Eigen::MatrixXd Columns(const FeatureMatrix& x, int64_t begin, int64_t end);

  Task task_;
  int inputs_ = 0;
  int num_classes_ = 0;  // classifier: k >= 2 once fitted
  std::string activation_ = "RELU";
  int ig_steps_ = 15;
  std::vector<Layer> layers_;                // empty until fitted or loaded
  double label_mean_ = 0, label_scale_ = 1;  // regressor: the label's standardisation
  Summary summary_;
};

}  // namespace strata
