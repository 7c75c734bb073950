// Splitting a table into training, evaluation (and test) rows with BigQuery ML's
// DATA_SPLIT_METHOD semantics, stratified by label for classification, deterministic for a
// given seed.
//
//   STRATA_ASSIGN_OR_RETURN(strata::SplitResult s,
//       strata::SplitRows(table, spec.split, "churn", /*classification=*/true, spec.seed));
//   strata::Table train = table.Take(s.train);
//
// AUTO_SPLIT: fewer than 500 rows -> no split; up to 50,000 -> 20% evaluation; more ->
// 10,000 evaluation rows. RANDOM: eval_fraction at random. SEQ: rows sorted by the split
// column, the last eval_fraction evaluate. CUSTOM: a BOOL column, TRUE (or NULL) = eval.
// NO_SPLIT: everything trains (and evaluation uses the training data, as BigQuery ML does).
#pragma once

#include <cstdint>
#include <string>

#include "strata/status.h"
#include "strata/table.h"
#include "strata/train_spec.h"

namespace strata {

struct SplitResult {
  RowIndices train, eval, test;  // sorted ascending; eval empty for NO_SPLIT
  SplitMethod method_used = SplitMethod::kNoSplit;  // what AUTO_SPLIT resolved to
};

// Splits the rows of `table`. `label` is used to stratify (classification) and may be empty.
// Errors name the option: a missing split column, a CUSTOM column that is not BOOL, an
// eval fraction outside (0, 1), a split that leaves a part empty.
Result<SplitResult> SplitRows(const Table& table, const SplitSpec& spec, const std::string& label,
                              bool classification, uint64_t seed);

// K-fold assignment for cross-validation: fold (0..folds-1) of every row, at random,
// stratified by `label` for classification (each class dealt round-robin over the folds),
// deterministic for a given seed. InvalidArgument when folds < 2 or exceeds the rows.
Result<std::vector<int>> AssignFolds(const Table& table, int folds, const std::string& label,
                                     bool classification, uint64_t seed);

}  // namespace strata
