// The Model object behind ensemble bundles (src/models/ensemble.cc), for LoadModel().
#pragma once

#include <memory>

#include "strata/model.h"

namespace strata {

// An empty ensemble model; Load() fills it from an ensemble bundle's payload.
std::unique_ptr<Model> NewEnsembleModel();

}  // namespace strata
