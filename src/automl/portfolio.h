// AutoML's portfolio: the known-good configurations it scores first, chosen from what the
// data looks like (task, class balance, column types, size). Internal to src/automl; the
// tests read it to check what each kind of data gets.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/model.h"

namespace strata::automl {

// One configuration to score: a name for the leaderboard, a model type, its OPTIONS.
struct Candidate {
  std::string name;
  std::string model_type;
  nlohmann::json options;  // model and balance OPTIONS
};

// What the data looks like, for the portfolio.
struct DataFacts {
  Task task = Task::kClassification;
  int num_classes = 0;
  double minority_share = 1;  // classification: the rarest class's share of rows
  bool has_categorical = false;
  int64_t rows = 0;
  int64_t inputs = 0;     // a rough count of model inputs after one-hot encoding
  bool networks = false;  // neural networks fit in the budget (NetworksFit)
  bool positive_label = false;  // regression: every label above 0 (log-link losses apply)
};

// Labels whose rarest class has less than this share of the rows count as imbalanced: the
// rebalancing techniques, alone and combined, become candidates.
inline constexpr double kImbalancedShare = 0.2;

// A way to rebalance imbalanced labels: its name (for leaderboard names and the tuning's
// "rebalancing" dimension) and the balance OPTIONS it sets.
struct Rebalancing {
  std::string name;
  nlohmann::json options;  // empty for "none"
};

// Every rebalancing AutoML measures on imbalanced labels, "none" first: class weights,
// downsample-and-upweight, SMOTE (SMOTE-NC with categorical columns) and two combinations
// (the majority downsampled to 3x the minority, then SMOTE or class weights).
std::vector<Rebalancing> Rebalancings(const DataFacts& facts);

// `options` with the balance OPTIONS of the rebalancing called `name`, one of `rebalancings`.
nlohmann::json WithRebalancing(nlohmann::json options, const std::vector<Rebalancing>& rebalancings,
                               std::string_view name);

// The name of the rebalancing that `options` sets ("none" when no balance option is set), or
// "" when its balance options match none of Rebalancings(facts).
std::string RebalancingOf(const nlohmann::json& options, const DataFacts& facts);

// Whether neural networks get portfolio slots: two of them (a 256-unit layer, about 50
// epochs, every fold run) estimated to take at most 15% of the budget.
bool NetworksFit(const DataFacts& facts, double budget_seconds, int folds_run, int folds);

// The model type of a family for the task: "BOOSTED_TREE", "RANDOM_FOREST" or "DNN" plus
// "_CLASSIFIER" or "_REGRESSOR".
std::string TypeFor(std::string_view family, Task task);

// Known-good configurations for data like `facts`, most useful first so that a short budget
// still tries every family.
std::vector<Candidate> Portfolio(const DataFacts& facts);

}  // namespace strata::automl
