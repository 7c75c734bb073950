// K-means clustering (KMEANS) on Eigen: k-means++ or random initialisation, then Lloyd
// iterations parallelised over rows. Results do not depend on the thread count: rows are
// summed in a fixed partition of blocks whose partial sums are added in block order, so a
// seed gives the same centroids on any machine with any `threads`.
//
//   KMeansModel model;
//   STRATA_RETURN_IF_ERROR(model.Fit(data, context));  // data.labels empty
//   ModelOutput out;
//   STRATA_RETURN_IF_ERROR(model.Predict(features, &out));  // out.cluster, out.distances
//
// The features come from the trainer already encoded: standardised numbers (or raw, with
// standardize_features = FALSE) and one-hot indicators; a NaN is an error.
#pragma once

#include <string>
#include <vector>

#include "strata/model.h"

namespace strata {

enum class KMeansDistance { kEuclidean, kCosine };

class KMeansModel : public Model {
 public:
  // Initialises with the option kmeans_init_method ('KMEANS++' or 'RANDOM').
  Status Fit(const TrainingData& data, const FitContext& context) override;

  // Runs Lloyd's iterations from the rows of `initial` (k x features) as starting centroids:
  // KMEANS_INIT_METHOD = 'CUSTOM' once the trainer extracts the kmeans_init_col rows, and
  // the comparison with scikit-learn from identical starting centroids.
  Status FitFrom(const TrainingData& data, const FitContext& context,
                 const FeatureMatrix& initial);

  // cluster[r]: the nearest centroid (0-based); distances: rows x k, row-major, Euclidean
  // distance or cosine distance (1 - cosine similarity) per distance_type.
  Status Predict(const FeatureMatrix& features, ModelOutput* out) const override;
  Result<std::string> Save() const override;
  Status Load(std::string_view bytes) override;
  // Centroids by feature name (centroid_id 1-based, as ML.CENTROIDS), with cluster sizes,
  // radii (mean distance of members) and the training mean squared distance.
  nlohmann::json Describe(const std::vector<FeatureInfo>& features) const override;

  int num_clusters() const { return k_; }
  // k x features, row-major.
  const std::vector<double>& centroids() const { return centroids_; }
  // The training loss after the last iteration: mean (weighted) squared distance of each
  // row to its centroid.
  double mean_squared_distance() const { return loss_; }
  int iterations() const { return iterations_; }

 private:
  Status Train(const TrainingData& data, const FitContext& context, int k,
               std::vector<double> initial);

  int k_ = 0;
  int d_ = 0;
  KMeansDistance distance_ = KMeansDistance::kEuclidean;
  std::vector<double> centroids_;     // k x d, row-major
  std::vector<double> cluster_size_;  // rows per cluster in training (weighted)
  std::vector<double> cluster_radius_;
  double loss_ = 0;
  int iterations_ = 0;
  std::string stop_reason_;
};

}  // namespace strata
