// Registration functions of the built-in model families, each defined next to its model
// (linear_models.cc, tree_models.cc, kmeans.cc, dnn_models.cc) and called by RegisterBuiltinModels().
#pragma once

namespace strata {

void RegisterLinearModels();  // LINEAR_REG, LOGISTIC_REG
void RegisterTreeModels();    // BOOSTED_TREE_*, RANDOM_FOREST_*
void RegisterKMeansModel();   // KMEANS
void RegisterDnnModels();     // DNN_CLASSIFIER, DNN_REGRESSOR

}  // namespace strata
