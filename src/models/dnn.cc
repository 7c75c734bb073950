#include "models/dnn.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>

#include "models/linear_params.h"
#include "models/linear_training.h"

namespace strata {
namespace {

constexpr std::string_view kPayloadFormat = "strata.dnn";
constexpr int kPayloadVersion = 1;
constexpr int64_t kPredictBlock = 4096;
// Far above any real network, low enough that a corrupt size cannot ask for an absurd
// allocation before the arrays are checked.
constexpr int64_t kMaxStoredValues = int64_t{1} << 31;
constexpr double kSeluScale = 1.0507009873554805;
constexpr double kSeluAlpha = 1.6732632423543772;

// activation(z) in place.
void Activate(const std::string& fn, Eigen::MatrixXd* z) {
  auto& m = *z;
  if (fn == "RELU") {
    m = m.cwiseMax(0.0);
  } else if (fn == "RELU6") {
    m = m.cwiseMax(0.0).cwiseMin(6.0);
  } else if (fn == "ELU") {
    m = m.unaryExpr([](double v) { return v > 0 ? v : std::expm1(v); });
  } else if (fn == "SELU") {
    m = m.unaryExpr([](double v) { return kSeluScale * (v > 0 ? v : kSeluAlpha * std::expm1(v)); });
  } else if (fn == "SIGMOID") {
    m = m.unaryExpr([](double v) { return 1.0 / (1.0 + std::exp(-v)); });
  } else {
    m = m.array().tanh().matrix();
  }
}

// activation'(z), elementwise.
Eigen::MatrixXd Derivative(const std::string& fn, const Eigen::MatrixXd& z) {
  if (fn == "RELU") return z.unaryExpr([](double v) { return v > 0 ? 1.0 : 0.0; });
  if (fn == "RELU6") return z.unaryExpr([](double v) { return v > 0 && v < 6 ? 1.0 : 0.0; });
  if (fn == "ELU") return z.unaryExpr([](double v) { return v > 0 ? 1.0 : std::exp(v); });
  if (fn == "SELU") {
    return z.unaryExpr(
        [](double v) { return kSeluScale * (v > 0 ? 1.0 : kSeluAlpha * std::exp(v)); });
  }
  if (fn == "SIGMOID") {
    return z.unaryExpr([](double v) {
      double s = 1.0 / (1.0 + std::exp(-v));
      return s * (1 - s);
    });
  }
  return z.unaryExpr([](double v) {
    double t = std::tanh(v);
    return 1 - t * t;
  });
}

// Softmax of each column in place; returns nothing.
void SoftmaxColumns(Eigen::MatrixXd* m) {
  for (int64_t c = 0; c < m->cols(); ++c) {
    auto col = m->col(c);
    const double top = col.maxCoeff();
    col = (col.array() - top).exp().matrix();
    col /= col.sum();
  }
}

// Per-row loss of raw outputs: cross-entropy for k classes, half the squared error on
// the standardised label otherwise; fills `delta` (d loss / d output) when given.
void RowLosses(const Eigen::MatrixXd& out, std::span<const double> y, bool classifier,
               Eigen::VectorXd* loss, Eigen::MatrixXd* delta) {
  const int64_t n = out.cols();
  loss->resize(n);
  if (classifier) {
    Eigen::MatrixXd p = out;
    SoftmaxColumns(&p);
    for (int64_t i = 0; i < n; ++i) {
      const int label = static_cast<int>(y[i]);
      (*loss)[i] = -std::log(std::max(p(label, i), 1e-300));
      if (delta != nullptr) p(label, i) -= 1.0;
    }
    if (delta != nullptr) *delta = std::move(p);
    return;
  }
  if (delta != nullptr) delta->resize(1, n);
  for (int64_t i = 0; i < n; ++i) {
    const double e = out(0, i) - y[i];
    (*loss)[i] = 0.5 * e * e;
    if (delta != nullptr) (*delta)(0, i) = e;
  }
}

// One optimiser's state for one parameter array.
struct Slot {
  Eigen::ArrayXd m, v;
};

struct Optimizer {
  std::string name;
  double learn_rate = 0.001;
  int64_t step = 0;

  // One update of the `size` parameters at `param` with their gradient.
  void Apply(double* param, const double* grad, int64_t size, Slot* s) const {
    Eigen::Map<Eigen::ArrayXd> p(param, size);
    Eigen::Map<const Eigen::ArrayXd> g(grad, size);
    if (s->m.size() == 0) {
      s->m = Eigen::ArrayXd::Zero(size);
      // Keras starts ADAGRAD's accumulator at 0.1.
      s->v = Eigen::ArrayXd::Constant(size, name == "ADAGRAD" ? 0.1 : 0.0);
    }
    constexpr double kEps = 1e-7;
    if (name == "ADAM") {
      constexpr double b1 = 0.9, b2 = 0.999;
      s->m = b1 * s->m + (1 - b1) * g;
      s->v = b2 * s->v + (1 - b2) * g.square();
      const double c1 = 1 - std::pow(b1, static_cast<double>(step));
      const double c2 = 1 - std::pow(b2, static_cast<double>(step));
      p -= learn_rate * (s->m / c1) / ((s->v / c2).sqrt() + kEps);
    } else if (name == "ADAGRAD") {
      s->v += g.square();
      p -= learn_rate * g / (s->v.sqrt() + kEps);
    } else if (name == "RMSPROP") {
      s->v = 0.9 * s->v + 0.1 * g.square();
      p -= learn_rate * g / (s->v.sqrt() + kEps);
    } else {
      p -= learn_rate * g;
    }
  }
};

// d |w| / d w (0 at 0), elementwise.
Eigen::MatrixXd Sign(const Eigen::MatrixXd& w) {
  return w.unaryExpr([](double v) { return double((v > 0) - (v < 0)); });
}

Status Corrupt(std::string_view what) {
  return DataLoss(
      fmt::format("DNN model payload is corrupt: {}; retrain the model or restore "
                  "the bundle from a backup",
                  what));
}

}  // namespace

const std::vector<std::string>& DnnActivations() {
  static const auto* names =
      new std::vector<std::string>{"RELU", "RELU6", "ELU", "SELU", "SIGMOID", "TANH"};
  return *names;
}

Status DnnModel::CheckFitted() const {
  if (layers_.empty()) return FailedPrecondition("the DNN model is not trained yet");
  return Status::Ok();
}

int DnnModel::Outputs() const { return task_ == Task::kClassification ? num_classes_ : 1; }

Eigen::MatrixXd DnnModel::Columns(const FeatureMatrix& x, int64_t begin, int64_t end) {
  Eigen::MatrixXd out(x.cols(), end - begin);
  for (int c = 0; c < x.cols(); ++c) {
    const double* col = x.column(c);
    for (int64_t r = begin; r < end; ++r) out(c, r - begin) = col[r];
  }
  return out;
}

Eigen::MatrixXd DnnModel::Forward(const Eigen::MatrixXd& x_t, Trace* trace) const {
  Eigen::MatrixXd current = x_t;
  for (size_t i = 0; i < layers_.size(); ++i) {
    Eigen::MatrixXd next = layers_[i].w * current;
    next.colwise() += layers_[i].b;
    if (trace != nullptr) {
      trace->a.push_back(std::move(current));
      trace->z.push_back(next);
    }
    if (i + 1 < layers_.size()) {
      Activate(activation_, &next);
      if (trace != nullptr && trace->masks != nullptr) next = next.cwiseProduct((*trace->masks)[i]);
    }
    current = std::move(next);
  }
  return current;
}

void DnnModel::Backward(Eigen::MatrixXd delta, const Trace& trace, double l1_reg, double l2_reg,
                        std::vector<Eigen::MatrixXd>* gw, std::vector<Eigen::VectorXd>* gb) const {
  gw->resize(layers_.size());
  gb->resize(layers_.size());
  for (size_t i = layers_.size(); i-- > 0;) {
    (*gw)[i] = delta * trace.a[i].transpose();
    if (l2_reg > 0) (*gw)[i] += 2 * l2_reg * layers_[i].w;
    if (l1_reg > 0) (*gw)[i] += l1_reg * Sign(layers_[i].w);
    (*gb)[i] = delta.rowwise().sum();
    if (i > 0) {
      delta =
          (layers_[i].w.transpose() * delta).cwiseProduct(Derivative(activation_, trace.z[i - 1]));
      if (trace.masks != nullptr) delta = delta.cwiseProduct((*trace.masks)[i - 1]);
    }
  }
}

Status DnnModel::Initialize(int inputs, const std::vector<int>& hidden, int num_classes,
                            const std::string& activation, uint64_t seed) {
  inputs_ = inputs;
  num_classes_ = num_classes;
  activation_ = activation;
  std::mt19937_64 rng(seed);
  std::vector<int> sizes = {inputs};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(Outputs());
  layers_.clear();
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    const double limit = std::sqrt(6.0 / (sizes[i] + sizes[i + 1]));
    std::uniform_real_distribution<double> uniform(-limit, limit);
    Layer layer;
    layer.w.resize(sizes[i + 1], sizes[i]);
    for (int64_t j = 0; j < layer.w.size(); ++j) layer.w.data()[j] = uniform(rng);
    layer.b = Eigen::VectorXd::Zero(sizes[i + 1]);
    layers_.push_back(std::move(layer));
  }
  return Status::Ok();
}

void DnnModel::PerturbForTest(size_t index, double delta) {
  for (Layer& l : layers_) {
    if (index < static_cast<size_t>(l.w.size())) {
      l.w.data()[index] += delta;
      return;
    }
    index -= static_cast<size_t>(l.w.size());
    if (index < static_cast<size_t>(l.b.size())) {
      l.b[static_cast<int64_t>(index)] += delta;
      return;
    }
    index -= static_cast<size_t>(l.b.size());
  }
}

Result<DnnModel::Gradient> DnnModel::ObjectiveGradient(const TrainingData& data, double l1_reg,
                                                       double l2_reg) const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  const FeatureMatrix& x = *data.features;
  const int64_t n = x.rows();
  Trace trace;
  Eigen::MatrixXd out = Forward(Columns(x, 0, n), &trace);
  Eigen::VectorXd loss;
  Eigen::MatrixXd delta;
  RowLosses(out, data.labels, task_ == Task::kClassification, &loss, &delta);
  Gradient g;
  for (int64_t i = 0; i < n; ++i) {
    const double w = data.weights.empty() ? 1.0 : data.weights[i];
    g.loss += w * loss[i] / static_cast<double>(n);
    delta.col(i) *= w / static_cast<double>(n);
  }
  for (const Layer& l : layers_)
    g.loss += l2_reg * l.w.squaredNorm() + l1_reg * l.w.cwiseAbs().sum();
  std::vector<Eigen::MatrixXd> gw;
  std::vector<Eigen::VectorXd> gb;
  Backward(std::move(delta), trace, l1_reg, l2_reg, &gw, &gb);
  for (size_t i = 0; i < layers_.size(); ++i) {
    g.values.insert(g.values.end(), gw[i].data(), gw[i].data() + gw[i].size());
    g.values.insert(g.values.end(), gb[i].data(), gb[i].data() + gb[i].size());
  }
  return g;
}

Status DnnModel::Fit(const TrainingData& data, const FitContext& context) {
  Status status = Train(data, context);
  if (!status.ok()) layers_.clear();  // failed or cancelled: not a trained model
  return status;
}

Status DnnModel::Train(const TrainingData& data, const FitContext& context) {
  const bool classifier = task_ == Task::kClassification;
  STRATA_RETURN_IF_ERROR(CheckLinearData(data, classifier, -1, "training data"));
  const FeatureMatrix& x = *data.features;
  if (context.eval != nullptr) {
    STRATA_RETURN_IF_ERROR(CheckLinearData(*context.eval, classifier, x.cols(), "evaluation data"));
    if (classifier && context.eval->num_classes != data.num_classes) {
      return InvalidArgument(fmt::format("evaluation data has {} classes, training data {}",
                                         context.eval->num_classes, data.num_classes));
    }
  }
  const OptionValues& o = context.options;
  std::vector<int> hidden;
  for (int64_t units :
       o.Has("hidden_units") ? o.GetIntList("hidden_units") : std::vector<int64_t>{128}) {
    hidden.push_back(static_cast<int>(units));
  }
  const std::string activation = o.Has("activation_fn") ? o.GetString("activation_fn") : "RELU";
  if (std::find(DnnActivations().begin(), DnnActivations().end(), activation) ==
      DnnActivations().end()) {
    return InvalidArgument(fmt::format("activation_fn '{}' is not supported", activation));
  }
  const int64_t n = x.rows();
  const int64_t batch = std::min<int64_t>(n, o.Has("batch_size") ? o.GetInt("batch_size") : 32);
  const double dropout = o.Has("dropout") ? o.GetDouble("dropout") : 0.0;
  const double l1 = o.Has("l1_reg") ? o.GetDouble("l1_reg") : 0.0;
  const double l2 = o.Has("l2_reg") ? o.GetDouble("l2_reg") : 0.0;
  const int max_epochs =
      o.Has("max_iterations") ? static_cast<int>(o.GetInt("max_iterations")) : 20;
  const bool early_stop = !o.Has("early_stop") || o.GetBool("early_stop");
  const double min_rel_progress =
      o.Has("min_rel_progress") ? o.GetDouble("min_rel_progress") : 0.01;
  const int patience =
      o.Has("early_stopping_rounds") ? static_cast<int>(o.GetInt("early_stopping_rounds")) : 0;
  Optimizer optimizer;
  optimizer.name = o.Has("optimizer") ? o.GetString("optimizer") : "ADAM";
  optimizer.learn_rate = o.Has("learn_rate") ? o.GetDouble("learn_rate") : 0.001;
  if (o.Has("integrated_gradients_num_steps"))
    ig_steps_ = static_cast<int>(o.GetInt("integrated_gradients_num_steps"));

  // Labels the network trains on: class indices, or the standardised regression label.
  auto weight = [&](int64_t i) { return data.weights.empty() ? 1.0 : data.weights[i]; };
  std::vector<double> y(data.labels.begin(), data.labels.end());
  std::vector<double> eval_y;
  double total_weight = 0;
  for (int64_t i = 0; i < n; ++i) total_weight += weight(i);
  if (!classifier) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < n; ++i) mean += weight(i) * y[i];
    mean /= total_weight;
    for (int64_t i = 0; i < n; ++i) var += weight(i) * (y[i] - mean) * (y[i] - mean);
    const double sd = std::sqrt(var / total_weight);
    label_mean_ = mean;
    label_scale_ = sd > 0 && std::isfinite(sd) ? sd : 1.0;
    for (double& v : y) v = (v - label_mean_) / label_scale_;
    if (context.eval != nullptr) {
      for (double v : context.eval->labels) eval_y.push_back((v - label_mean_) / label_scale_);
    }
  } else if (context.eval != nullptr) {
    eval_y.assign(context.eval->labels.begin(), context.eval->labels.end());
  }

  STRATA_RETURN_IF_ERROR(Initialize(x.cols(), hidden, data.num_classes, activation, context.seed));
  if (classifier) {
    // Start at the class priors, as the intercept-only model would.
    Eigen::VectorXd prior = Eigen::VectorXd::Constant(num_classes_, 1e-12);
    for (int64_t i = 0; i < n; ++i) prior[static_cast<int>(y[i])] += weight(i);
    layers_.back().b = (prior / prior.sum()).array().log().matrix();
  }
  std::mt19937_64 rng(context.seed ^ 0x9e3779b97f4a7c15ULL);
  std::bernoulli_distribution keep(1.0 - dropout);

  const Eigen::MatrixXd x_t = Columns(x, 0, n);
  // The evaluation loss in the log's units: cross-entropy, or the mean squared error in the
  // label's units.
  const double loss_unit = classifier ? 1.0 : 2.0 * label_scale_ * label_scale_;
  auto eval_loss = [&]() {
    if (context.eval == nullptr) return std::numeric_limits<double>::quiet_NaN();
    const FeatureMatrix& ex = *context.eval->features;
    double sum = 0, total = 0;
    for (int64_t begin = 0; begin < ex.rows(); begin += kPredictBlock) {
      const int64_t end = std::min(ex.rows(), begin + kPredictBlock);
      Eigen::VectorXd loss;
      RowLosses(Forward(Columns(ex, begin, end)),
                std::span<const double>(eval_y).subspan(static_cast<size_t>(begin),
                                                        static_cast<size_t>(end - begin)),
                classifier, &loss, nullptr);
      for (int64_t i = begin; i < end; ++i) {
        const double w = context.eval->weights.empty() ? 1.0 : context.eval->weights[i];
        sum += w * loss[i - begin];
        total += w;
      }
    }
    return sum / total * loss_unit;
  };

  std::vector<Slot> w_slots(layers_.size()), b_slots(layers_.size());
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::vector<Layer> best_layers = layers_;
  double best_loss = std::numeric_limits<double>::infinity();  // lowest monitored loss
  double reference = std::numeric_limits<double>::infinity();  // last significant one
  int stale = 0;
  TrainingLog log(context, max_epochs);
  STRATA_RETURN_IF_ERROR(log.CheckCancel());
  summary_ = Summary{};
  summary_.optimizer = optimizer.name;
  summary_.batch_size = static_cast<int>(batch);
  summary_.stop_reason = "max_iterations";
  std::vector<Eigen::MatrixXd> masks(layers_.size() - 1), gw;
  std::vector<Eigen::VectorXd> gb;
  for (int epoch = 1; epoch <= max_epochs; ++epoch) {
    for (int64_t i = n - 1; i > 0; --i) {
      std::uniform_int_distribution<int64_t> pick(0, i);
      std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(pick(rng))]);
    }
    double epoch_loss = 0;
    for (int64_t begin = 0; begin < n; begin += batch) {
      if (context.cancel != nullptr && context.cancel->load()) {
        return Cancelled("training cancelled");
      }
      const int64_t end = std::min(n, begin + batch);
      const int64_t b = end - begin;
      Eigen::MatrixXd rows(x.cols(), b);
      std::vector<double> yb(static_cast<size_t>(b)), wb(static_cast<size_t>(b));
      for (int64_t j = 0; j < b; ++j) {
        const int64_t row = order[static_cast<size_t>(begin + j)];
        rows.col(j) = x_t.col(row);
        yb[static_cast<size_t>(j)] = y[static_cast<size_t>(row)];
        wb[static_cast<size_t>(j)] = weight(row);
      }
      Trace trace;
      if (dropout > 0) {
        for (size_t i = 0; i < masks.size(); ++i) {
          masks[i].resize(layers_[i].w.rows(), b);
          for (int64_t j = 0; j < masks[i].size(); ++j) {
            masks[i].data()[j] = keep(rng) ? 1.0 / (1.0 - dropout) : 0.0;
          }
        }
        trace.masks = &masks;
      }
      const Eigen::MatrixXd out = Forward(rows, &trace);
      Eigen::VectorXd loss;
      Eigen::MatrixXd delta;
      RowLosses(out, yb, classifier, &loss, &delta);
      for (int64_t j = 0; j < b; ++j) {
        epoch_loss += wb[static_cast<size_t>(j)] * loss[j];
        delta.col(j) *= wb[static_cast<size_t>(j)] / static_cast<double>(b);
      }
      Backward(std::move(delta), trace, l1, l2, &gw, &gb);
      ++optimizer.step;
      for (size_t i = 0; i < layers_.size(); ++i) {
        optimizer.Apply(layers_[i].w.data(), gw[i].data(), gw[i].size(), &w_slots[i]);
        optimizer.Apply(layers_[i].b.data(), gb[i].data(), gb[i].size(), &b_slots[i]);
      }
    }
    bool finite = true;
    for (const Layer& l : layers_) finite = finite && l.w.allFinite() && l.b.allFinite();
    if (!finite) {
      return InvalidArgument(fmt::format(
          "DNN training diverged in epoch {}; lower learn_rate (now {}) or set l2_reg > 0", epoch,
          optimizer.learn_rate));
    }
    const double train_loss = epoch_loss / total_weight * loss_unit;
    const double held_loss = eval_loss();
    summary_.epochs = epoch;
    STRATA_RETURN_IF_ERROR(log.Record(epoch, train_loss, held_loss, optimizer.learn_rate));
    const double monitored = std::isfinite(held_loss) ? held_loss : train_loss;
    if (monitored < best_loss) {
      best_loss = monitored;
      best_layers = layers_;
      summary_.best_epoch = epoch;
    }
    const bool significant =
        monitored < reference * (1.0 - min_rel_progress) || !std::isfinite(reference);
    if (significant) {
      reference = monitored;
      stale = 0;
    } else {
      ++stale;
    }
    if (early_stop && ((patience == 0 && !significant) || (patience > 0 && stale >= patience))) {
      summary_.stop_reason = "early_stop";
      break;
    }
  }
  if (early_stop) layers_ = std::move(best_layers);
  return Status::Ok();
}

Status DnnModel::Predict(const FeatureMatrix& features, ModelOutput* out) const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  STRATA_RETURN_IF_ERROR(CheckFeatureValues(features, inputs_, "prediction features"));
  const int64_t rows = features.rows();
  *out = ModelOutput{};
  const int k = Outputs();
  if (task_ == Task::kClassification) {
    out->width = k;
    out->probabilities.resize(static_cast<size_t>(rows * k));
  } else {
    out->values.resize(static_cast<size_t>(rows));
  }
  for (int64_t begin = 0; begin < rows; begin += kPredictBlock) {
    const int64_t end = std::min(rows, begin + kPredictBlock);
    Eigen::MatrixXd raw = Forward(Columns(features, begin, end));
    if (task_ == Task::kClassification) {
      SoftmaxColumns(&raw);
      std::copy(raw.data(), raw.data() + raw.size(), out->probabilities.begin() + begin * k);
    } else {
      for (int64_t r = begin; r < end; ++r)
        out->values[static_cast<size_t>(r)] = raw(0, r - begin) * label_scale_ + label_mean_;
    }
  }
  return Status::Ok();
}

Status DnnModel::Contribute(const FeatureMatrix& features, Contributions* out) const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  STRATA_RETURN_IF_ERROR(CheckFeatureValues(features, inputs_, "contribution features"));
  const int p = inputs_;
  const int k = Outputs();
  // The explained outputs: binary classifiers explain the log-odds z1 - z0, others each raw
  // output (in the label's units for a regressor).
  const int explained = task_ == Task::kClassification && k == 2 ? 1 : k;
  Eigen::MatrixXd seeds = Eigen::MatrixXd::Zero(k, explained);
  if (task_ == Task::kClassification && k == 2) {
    seeds(0, 0) = -1;
    seeds(1, 0) = 1;
  } else {
    for (int c = 0; c < k; ++c) seeds(c, c) = task_ == Task::kRegression ? label_scale_ : 1.0;
  }
  const Eigen::MatrixXd base_out = Forward(Eigen::MatrixXd::Zero(p, 1));
  Eigen::VectorXd bias = seeds.transpose() * base_out.col(0);
  if (task_ == Task::kRegression) bias[0] += label_mean_;

  const int64_t rows = features.rows();
  const int64_t width = p + 1;
  out->rows = rows;
  out->features = p;
  out->classes = explained;
  out->values.assign(static_cast<size_t>(rows * explained * width), 0.0);
  const int steps = ig_steps_;
  const int64_t block = std::max<int64_t>(1, kPredictBlock / steps);
  for (int64_t begin = 0; begin < rows; begin += block) {
    const int64_t end = std::min(rows, begin + block);
    const Eigen::MatrixXd x = Columns(features, begin, end);
    // Every row at every step's point on the straight path from the baseline (midpoints).
    Eigen::MatrixXd path(p, x.cols() * steps);
    for (int64_t r = 0; r < x.cols(); ++r) {
      for (int s = 0; s < steps; ++s) path.col(r * steps + s) = x.col(r) * ((s + 0.5) / steps);
    }
    Trace trace;
    Forward(path, &trace);
    for (int c = 0; c < explained; ++c) {
      Eigen::MatrixXd delta = seeds.col(c).replicate(1, path.cols());
      for (size_t i = layers_.size(); i-- > 0;) {
        delta = layers_[i].w.transpose() * delta;
        if (i > 0) delta = delta.cwiseProduct(Derivative(activation_, trace.z[i - 1]));
      }
      for (int64_t r = 0; r < x.cols(); ++r) {
        double* row = out->values.data() + ((begin + r) * explained + c) * width;
        Eigen::VectorXd mean_grad = delta.middleCols(r * steps, steps).rowwise().mean();
        for (int j = 0; j < p; ++j) row[j] = mean_grad[j] * x(j, r);
        row[p] = bias[c];
      }
    }
  }
  return Status::Ok();
}

Result<std::string> DnnModel::Save() const {
  STRATA_RETURN_IF_ERROR(CheckFitted());
  nlohmann::json layers = nlohmann::json::array();
  for (const Layer& l : layers_) {
    layers.push_back({{"outputs", l.w.rows()},
                      {"inputs", l.w.cols()},
                      {"w", std::vector<double>(l.w.data(), l.w.data() + l.w.size())},
                      {"b", std::vector<double>(l.b.data(), l.b.data() + l.b.size())}});
  }
  nlohmann::json j = {{"format", kPayloadFormat},
                      {"version", kPayloadVersion},
                      {"task", TaskName(task_)},
                      {"inputs", inputs_},
                      {"num_classes", num_classes_},
                      {"activation_fn", activation_},
                      {"integrated_gradients_num_steps", ig_steps_},
                      {"label_mean", label_mean_},
                      {"label_scale", label_scale_},
                      {"layers", std::move(layers)},
                      {"summary",
                       {{"epochs", summary_.epochs},
                        {"best_epoch", summary_.best_epoch},
                        {"stop_reason", summary_.stop_reason},
                        {"optimizer", summary_.optimizer},
                        {"batch_size", summary_.batch_size}}}};
  return j.dump();
}

Status DnnModel::Load(std::string_view bytes) {
  try {
    return LoadPayload(bytes);
  } catch (const nlohmann::json::exception& e) {
    return Corrupt(std::string("a field has the wrong type (") + e.what() + ")");
  }
}

Status DnnModel::LoadPayload(std::string_view bytes) {
  nlohmann::json j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Corrupt("not a JSON object");
  if (j.value("format", "") != kPayloadFormat) return Corrupt("not a DNN payload");
  if (j.value("version", 0) != kPayloadVersion) {
    return Corrupt(fmt::format("version {} is not {}", j.value("version", 0), kPayloadVersion));
  }
  if (j.value("task", "") != TaskName(task_)) {
    return Corrupt(fmt::format("a {} network cannot load as a {} model", j.value("task", "?"),
                               TaskName(task_)));
  }
  const int64_t inputs = j.value("inputs", int64_t{-1});
  const int64_t classes = j.value("num_classes", int64_t{-1});
  const std::string activation = j.value("activation_fn", "");
  const int64_t steps = j.value("integrated_gradients_num_steps", int64_t{0});
  if (inputs < 0 || inputs > kMaxStoredValues)
    return Corrupt("'inputs' is missing or out of range");
  if (task_ == Task::kClassification ? classes < 2 || classes > 1'000'000 : classes != 0) {
    return Corrupt("'num_classes' is missing or out of range");
  }
  if (std::find(DnnActivations().begin(), DnnActivations().end(), activation) ==
      DnnActivations().end()) {
    return Corrupt(fmt::format("activation_fn '{}' is unknown", activation));
  }
  if (steps < 1 || steps > 1000) return Corrupt("'integrated_gradients_num_steps' is out of range");
  const nlohmann::json& stored = j.contains("layers") ? j["layers"] : nlohmann::json();
  if (!stored.is_array() || stored.empty()) return Corrupt("'layers' is missing or empty");
  std::vector<Layer> layers;
  int64_t expected_inputs = inputs;
  for (const nlohmann::json& l : stored) {
    if (!l.is_object()) return Corrupt("a layer is not an object");
    const int64_t rows = l.value("outputs", int64_t{-1});
    const int64_t cols = l.value("inputs", int64_t{-1});
    if (rows < 1 || cols != expected_inputs ||
        rows * std::max<int64_t>(cols, 1) > kMaxStoredValues) {
      return Corrupt("layer sizes do not chain from the inputs to the outputs");
    }
    const nlohmann::json& w = l.contains("w") ? l["w"] : nlohmann::json();
    const nlohmann::json& b = l.contains("b") ? l["b"] : nlohmann::json();
    if (!w.is_array() || static_cast<int64_t>(w.size()) != rows * cols || !b.is_array() ||
        static_cast<int64_t>(b.size()) != rows) {
      return Corrupt("a layer's weights or biases have the wrong size");
    }
    Layer layer;
    layer.w.resize(rows, cols);
    layer.b.resize(rows);
    for (int64_t i = 0; i < rows * cols; ++i) {
      const nlohmann::json& v = w[static_cast<size_t>(i)];
      if (!v.is_number() || !std::isfinite(v.get<double>()))
        return Corrupt("a weight is not a finite number");
      layer.w.data()[i] = v.get<double>();
    }
    for (int64_t i = 0; i < rows; ++i) {
      const nlohmann::json& v = b[static_cast<size_t>(i)];
      if (!v.is_number() || !std::isfinite(v.get<double>()))
        return Corrupt("a bias is not a finite number");
      layer.b[i] = v.get<double>();
    }
    expected_inputs = rows;
    layers.push_back(std::move(layer));
  }
  const int64_t outputs = task_ == Task::kClassification ? classes : 1;
  if (expected_inputs != outputs)
    return Corrupt("the last layer does not have one output per class");
  const nlohmann::json mean = j.value("label_mean", nlohmann::json());
  const nlohmann::json scale = j.value("label_scale", nlohmann::json());
  if (!mean.is_number() || !scale.is_number() || !std::isfinite(mean.get<double>()) ||
      !(scale.get<double>() > 0) || !std::isfinite(scale.get<double>())) {
    return Corrupt("the label's standardisation is missing or not finite");
  }
  const nlohmann::json summary = j.value("summary", nlohmann::json::object());
  inputs_ = static_cast<int>(inputs);
  num_classes_ = static_cast<int>(classes);
  activation_ = activation;
  ig_steps_ = static_cast<int>(steps);
  label_mean_ = mean.get<double>();
  label_scale_ = scale.get<double>();
  layers_ = std::move(layers);
  summary_ = Summary{};
  if (summary.is_object()) {
    summary_.epochs = summary.value("epochs", 0);
    summary_.best_epoch = summary.value("best_epoch", 0);
    summary_.stop_reason = summary.value("stop_reason", "");
    summary_.optimizer = summary.value("optimizer", "");
    summary_.batch_size = summary.value("batch_size", 0);
  }
  return Status::Ok();
}

nlohmann::json DnnModel::Describe(const std::vector<FeatureInfo>& /*features*/) const {
  const std::string type = task_ == Task::kClassification ? "DNN_CLASSIFIER" : "DNN_REGRESSOR";
  if (layers_.empty()) return {{"model_type", type}, {"trained", false}};
  nlohmann::json hidden = nlohmann::json::array();
  int64_t parameters = 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (i + 1 < layers_.size()) hidden.push_back(layers_[i].w.rows());
    parameters += layers_[i].w.size() + layers_[i].b.size();
  }
  nlohmann::json out = {{"model_type", type},
                        {"inputs", inputs_},
                        {"hidden_units", hidden},
                        {"outputs", Outputs()},
                        {"activation_fn", activation_},
                        {"parameters", parameters},
                        {"optimizer", summary_.optimizer},
                        {"batch_size", summary_.batch_size},
                        {"epochs", summary_.epochs},
                        {"best_epoch", summary_.best_epoch},
                        {"stop_reason", summary_.stop_reason}};
  if (task_ == Task::kRegression) {
    out["label_mean"] = label_mean_;
    out["label_scale"] = label_scale_;
  }
  return out;
}

}  // namespace strata
