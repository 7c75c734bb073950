// Imbalanced data: class weights, downsampling the majority class(es) (optionally
// upweighting what is kept), and upsampling the minority class(es) by duplication, SMOTE or
// SMOTE-NC — alone or combined. Applied to the training part only, never to evaluation data.
//
//   strata::BalanceSpec b;
//   b.downsample_ratio = 2.0;                    // at most 2 majority rows per minority row
//   b.upsample = strata::UpsampleMethod::kSmote; // then synthesise minority rows
//   STRATA_ASSIGN_OR_RETURN(strata::BalancedData d,
//       strata::Rebalance(x, labels, num_classes, features, b, seed));
//
// The result records the class priors before and after, so predicted probabilities can be
// corrected for the prior shift: p(y|x) ∝ p'(y|x) * prior(y) / prior'(y).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/preprocess.h"
#include "strata/status.h"
#include "strata/train_spec.h"

namespace strata {

struct BalancedData {
  FeatureMatrix features;         // training rows after resampling (synthetic rows appended)
  std::vector<double> labels;     // class index per row
  std::vector<double> weights;    // per row (all 1 when no weighting applies)
  std::vector<int64_t> source_row;  // original row for kept/duplicated rows, -1 if synthetic
  std::vector<double> prior_before;  // class shares in the original training part
  std::vector<double> prior_after;   // effective (weighted) shares the model sees
  std::vector<std::string> notes;    // what was done, for the training report
};

// Applies `spec` to a training part: downsample, then upsample, then class weights.
// `class_labels` names the classes for explicit class_weights (unknown labels are an error
// naming the closest label). `features` tells SMOTE-NC which columns are categorical.
Result<BalancedData> Rebalance(const FeatureMatrix& x, std::span<const double> labels,
                               std::span<const double> weights, int num_classes,
                               const std::vector<std::string>& class_labels,
                               const std::vector<FeatureInfo>& features,
                               const BalanceSpec& spec, uint64_t seed);

// Per-class multipliers that undo the prior shift: prior_before[c] / prior_after[c].
std::vector<double> PriorCorrection(const BalancedData& data);

// Applies the multipliers to rows x k probabilities (row-major) and renormalises each row.
void CorrectProbabilities(std::span<const double> correction, int k,
                          std::vector<double>* probabilities);

}  // namespace strata
