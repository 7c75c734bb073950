#include "models/xgboost_engine.h"

#include <fmt/format.h>
#include <omp.h>
#include <xgboost/c_api.h>

#include <cctype>
#include <cstdlib>
#include <mutex>
#include <optional>

namespace strata::xgb {
namespace {

// XGBoost logs warnings through its own logger, which prints to stderr by default. Stderr
// belongs to the CLI's progress bar, and every failure we act on comes back through a return
// code and XGBGetLastError, so the log is dropped here, once for the process.
void DropXgboostLog(const char* /*message*/) {}

void InstallLogSink() {
  static std::once_flag once;
  std::call_once(once, [] { XGBRegisterLogCallback(&DropXgboostLog); });
}

// XGBGetLastError text is "[12:00:00] ./src/learner.cc:1017: <message>\nStack trace: ...";
// users need only the message.
std::string CleanError(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find("] ");
    if (close != std::string_view::npos && close < 16) text.remove_prefix(close + 2);
  }
  size_t trace = text.find("\nStack trace:");
  if (trace != std::string_view::npos) text = text.substr(0, trace);
  // Drop "path/file.cc:123: " when it leads the message.
  size_t colon = text.find(": ");
  if (colon != std::string_view::npos && colon < 120) {
    size_t digits = colon;
    while (digits > 0 && std::isdigit(static_cast<unsigned char>(text[digits - 1]))) --digits;
    if (digits < colon && digits > 0 && text[digits - 1] == ':') text.remove_prefix(colon + 2);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

// Turns an XGBoost return code into a Status: "context: XGBoost: message".
Status Check(int rc, StatusCode code, std::string_view context) {
  if (rc == 0) return Status::Ok();
  const char* last = XGBGetLastError();
  return Status(code, fmt::format("{}: XGBoost: {}", context,
                                  CleanError(last == nullptr ? "unknown error" : last)));
}

Status CheckInternal(int rc, std::string_view context) {
  return Check(rc, StatusCode::kInternal, context);
}

// __array_interface__ (version 3) of a column-major rows x cols matrix of doubles: element
// (r, c) lives at data + r * 8 + c * rows * 8.
std::string ColumnMajorInterface(const FeatureMatrix& x) {
  return fmt::format(
      R"({{"data":[{},true],"shape":[{},{}],"strides":[8,{}],"typestr":"<f8","version":3}})",
      reinterpret_cast<uintptr_t>(x.data().data()), x.rows(), x.cols(), x.rows() * 8);
}

std::string VectorInterface(std::span<const double> v) {
  return fmt::format(R"({{"data":[{},true],"shape":[{}],"strides":null,"typestr":"<f8","version":3}})",
                     reinterpret_cast<uintptr_t>(v.data()), v.size());
}

std::string MatrixConfig(int threads) {
  return fmt::format(R"({{"missing": NaN, "nthread": {}}})", threads);
}

std::string PredictConfig(PredictType type, int iteration_end, bool in_place) {
  return fmt::format(
      R"({{"type": {}, "training": false, "iteration_begin": 0, "iteration_end": {}, )"
      R"("strict_shape": true{}}})",
      static_cast<int>(type), iteration_end, in_place ? R"(, "missing": NaN, "cache_id": 0)" : "");
}

Result<Prediction> CopyPrediction(const bst_ulong* shape, bst_ulong dim, const float* values) {
  Prediction out;
  size_t total = 1;
  for (bst_ulong i = 0; i < dim; ++i) {
    out.shape.push_back(shape[i]);
    total *= shape[i];
  }
  if (dim == 0) total = 0;
  if (total > 0 && values == nullptr) return Internal("XGBoost returned no prediction buffer");
  out.values.assign(values, values + total);
  return out;
}

}  // namespace

// ---- DMatrix ----

DMatrix::~DMatrix() {
  if (handle_ != nullptr) XGDMatrixFree(handle_);  // only fails for a null handle
}

DMatrix& DMatrix::operator=(DMatrix&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

Result<DMatrix> DMatrix::FromFeatures(const FeatureMatrix& features, int threads) {
  InstallLogSink();
  std::string data = ColumnMajorInterface(features);
  DMatrixHandle handle = nullptr;
  STRATA_RETURN_IF_ERROR(CheckInternal(
      XGDMatrixCreateFromDense(data.c_str(), MatrixConfig(threads).c_str(), &handle),
      fmt::format("building an XGBoost matrix of {} x {}", features.rows(), features.cols())));
  return DMatrix(handle);
}

Result<DMatrix> DMatrix::Slice(std::span<const int> rows) const {
  DMatrixHandle handle = nullptr;
  STRATA_RETURN_IF_ERROR(CheckInternal(
      XGDMatrixSliceDMatrix(handle_, rows.data(), rows.size(), &handle),
      fmt::format("taking {} rows of an XGBoost matrix", rows.size())));
  return DMatrix(handle);
}

Status DMatrix::SetFloatInfo(const char* field, std::span<const double> values) {
  std::string data = VectorInterface(values);
  return CheckInternal(XGDMatrixSetInfoFromInterface(handle_, field, data.c_str()),
                       fmt::format("setting {} {} values on an XGBoost matrix", values.size(), field));
}

Status DMatrix::SetLabels(std::span<const double> labels) { return SetFloatInfo("label", labels); }

Status DMatrix::SetWeights(std::span<const double> weights) {
  return SetFloatInfo("weight", weights);
}

// ---- Booster ----

Booster::~Booster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}

Booster& Booster::operator=(Booster&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGBoosterFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

Status DMatrix::SetFeatureTypes(std::span<const std::string> types) {
  std::vector<const char*> pointers;
  pointers.reserve(types.size());
  for (const std::string& t : types) pointers.push_back(t.c_str());
  return CheckInternal(XGDMatrixSetStrFeatureInfo(handle_, "feature_type", pointers.data(),
                                                  static_cast<bst_ulong>(pointers.size())),
                       "setting XGBoost feature types");
}

Result<Booster> Booster::Create(std::span<const DMatrix* const> cache) {
  InstallLogSink();
  std::vector<DMatrixHandle> handles;
  for (const DMatrix* m : cache) handles.push_back(m->handle());
  BoosterHandle handle = nullptr;
  STRATA_RETURN_IF_ERROR(CheckInternal(
      XGBoosterCreate(handles.data(), handles.size(), &handle), "creating an XGBoost booster"));
  return Booster(handle);
}

Result<Booster> Booster::Load(std::string_view bytes) {
  InstallLogSink();
  BoosterHandle handle = nullptr;
  STRATA_RETURN_IF_ERROR(
      CheckInternal(XGBoosterCreate(nullptr, 0, &handle), "creating an XGBoost booster"));
  Booster booster(handle);
  STRATA_RETURN_IF_ERROR(Check(XGBoosterLoadModelFromBuffer(handle, bytes.data(), bytes.size()),
                               StatusCode::kDataLoss, "loading the XGBoost model"));
  return booster;
}

Status Booster::SetParam(const std::string& name, const std::string& value) {
  return Check(XGBoosterSetParam(handle_, name.c_str(), value.c_str()),
               StatusCode::kInvalidArgument,
               fmt::format("setting XGBoost parameter {}={}", name, value));
}

Status Booster::UpdateOneIter(int iteration, const DMatrix& train) {
  return CheckInternal(XGBoosterUpdateOneIter(handle_, iteration, train.handle()),
                       fmt::format("XGBoost boosting round {}", iteration + 1));
}

Result<std::vector<double>> Booster::Eval(int iteration,
                                          std::span<const DMatrix* const> matrices) {
  std::vector<DMatrixHandle> handles;
  std::vector<std::string> names;
  for (size_t i = 0; i < matrices.size(); ++i) {
    handles.push_back(matrices[i]->handle());
    names.push_back(fmt::format("m{}", i));
  }
  std::vector<const char*> name_ptrs;
  for (const std::string& n : names) name_ptrs.push_back(n.c_str());
  const char* text = nullptr;
  STRATA_RETURN_IF_ERROR(CheckInternal(
      XGBoosterEvalOneIter(handle_, iteration, handles.data(), name_ptrs.data(), handles.size(),
                           &text),
      fmt::format("evaluating XGBoost round {}", iteration + 1)));
  // "[3]\tm0-logloss:0.4123\tm1-logloss:0.4301": one "name-metric:value" per matrix. The
  // value is parsed from XGBoost's text exactly as xgboost-python's callbacks parse it, so
  // early stopping takes the same decisions.
  std::vector<double> out;
  std::string_view rest(text == nullptr ? "" : text);
  size_t tab;
  while ((tab = rest.find('\t')) != std::string_view::npos) {
    rest.remove_prefix(tab + 1);
    std::string_view item = rest.substr(0, rest.find('\t'));
    size_t colon = item.rfind(':');
    if (colon == std::string_view::npos) break;
    std::string number(item.substr(colon + 1));
    char* end = nullptr;
    double v = std::strtod(number.c_str(), &end);
    if (end == number.c_str()) break;
    out.push_back(v);
  }
  if (out.size() != matrices.size()) {
    return Internal(fmt::format("unexpected XGBoost evaluation text '{}'", text == nullptr ? "" : text));
  }
  return out;
}

Result<Prediction> Booster::Predict(const DMatrix& data, PredictType type,
                                    int iteration_end) const {
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* values = nullptr;
  std::string config = PredictConfig(type, iteration_end, /*in_place=*/false);
  STRATA_RETURN_IF_ERROR(CheckInternal(
      XGBoosterPredictFromDMatrix(handle_, data.handle(), config.c_str(), &shape, &dim, &values),
      "XGBoost prediction"));
  return CopyPrediction(shape, dim, values);
}

Result<Prediction> Booster::PredictDense(const FeatureMatrix& features, PredictType type,
                                         int iteration_end) const {
  if (type != PredictType::kValue && type != PredictType::kMargin) {
    return Internal("in-place XGBoost prediction computes values and margins only");
  }
  // Without a proxy DMatrix, XGBoost builds one per call, and its constructor reads the
  // cgroup CPU quota from /sys/fs/cgroup: a 1-row prediction of 100 trees took 45 us that
  // way and 8-17 us with a reused proxy (bench/serve). Each thread keeps its own proxy, which
  // points at `features` only during the call, so concurrent predictions never share one.
  struct Proxy {
    DMatrixHandle handle = nullptr;
    ~Proxy() {
      if (handle != nullptr) XGDMatrixFree(handle);
    }
  };
  thread_local Proxy proxy;
  if (proxy.handle == nullptr) {
    STRATA_RETURN_IF_ERROR(
        CheckInternal(XGProxyDMatrixCreate(&proxy.handle), "creating an XGBoost proxy matrix"));
  }
  // XGBoost predicts in blocks of 64 rows, one block per OpenMP thread, so a smaller input
  // has one block and a team of threads only waits on it: a 1-row prediction took 40-50 us
  // with 2 threads against 9 us with 1 (bench/serve). XGBoost takes its thread count from
  // the calling thread's OpenMP setting when the booster's nthread is unset (loaded
  // models), so that setting is 1 for the call.
  struct OneOpenMpThread {
    int saved = omp_get_max_threads();
    OneOpenMpThread() { omp_set_num_threads(1); }
    ~OneOpenMpThread() { omp_set_num_threads(saved); }
  };
  std::optional<OneOpenMpThread> one_thread;
  if (features.rows() <= 64) one_thread.emplace();
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* values = nullptr;
  std::string data = ColumnMajorInterface(features);
  std::string config = PredictConfig(type, iteration_end, /*in_place=*/true);
  STRATA_RETURN_IF_ERROR(CheckInternal(
      XGBoosterPredictFromDense(handle_, data.c_str(), config.c_str(), proxy.handle, &shape,
                                &dim, &values),
      fmt::format("XGBoost prediction on {} x {} features", features.rows(), features.cols())));
  return CopyPrediction(shape, dim, values);
}

Result<int> Booster::BoostedRounds() const {
  int rounds = 0;
  STRATA_RETURN_IF_ERROR(
      CheckInternal(XGBoosterBoostedRounds(handle_, &rounds), "counting XGBoost rounds"));
  return rounds;
}

Result<int64_t> Booster::NumFeatures() const {
  bst_ulong n = 0;
  STRATA_RETURN_IF_ERROR(
      CheckInternal(XGBoosterGetNumFeature(handle_, &n), "reading the XGBoost feature count"));
  return static_cast<int64_t>(n);
}

Result<Booster> Booster::Slice(int begin, int end) const {
  BoosterHandle out = nullptr;
  int rc = XGBoosterSlice(handle_, begin, end, 1, &out);
  if (rc == -2) {
    return Internal(fmt::format("XGBoost rounds [{}, {}) are out of range", begin, end));
  }
  STRATA_RETURN_IF_ERROR(
      CheckInternal(rc, fmt::format("keeping XGBoost rounds [{}, {})", begin, end)));
  return Booster(out);
}

Result<std::string> Booster::Save(std::string_view format) const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  std::string config = fmt::format(R"({{"format": "{}"}})", format);
  STRATA_RETURN_IF_ERROR(
      CheckInternal(XGBoosterSaveModelToBuffer(handle_, config.c_str(), &length, &bytes),
                    fmt::format("saving the XGBoost model as {}", format)));
  return std::string(bytes, length);
}

Result<std::string> Booster::Config() const {
  bst_ulong length = 0;
  const char* text = nullptr;
  STRATA_RETURN_IF_ERROR(CheckInternal(XGBoosterSaveJsonConfig(handle_, &length, &text),
                                       "reading the XGBoost configuration"));
  return std::string(text, length);
}

Result<std::vector<std::string>> Booster::FeatureNames() const {
  bst_ulong n = 0;
  const char** names = nullptr;
  STRATA_RETURN_IF_ERROR(CheckInternal(XGBoosterGetStrFeatureInfo(handle_, "feature_name", &n, &names),
                                       "reading the XGBoost feature names"));
  std::vector<std::string> out;
  for (bst_ulong i = 0; i < n; ++i) out.emplace_back(names[i]);
  return out;
}

Status Booster::ClearFeatureNames() {
  return CheckInternal(XGBoosterSetStrFeatureInfo(handle_, "feature_name", nullptr, 0),
                       "clearing the XGBoost feature names");
}

Result<std::vector<double>> Booster::FeatureScores(std::string_view importance_type,
                                                   int64_t num_features) const {
  std::string config =
      fmt::format(R"({{"importance_type": "{}", "feature_map": ""}})", importance_type);
  bst_ulong n = 0, dim = 0;
  const char** names = nullptr;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  STRATA_RETURN_IF_ERROR(CheckInternal(
      XGBoosterFeatureScore(handle_, config.c_str(), &n, &names, &dim, &shape, &scores),
      fmt::format("computing XGBoost {} importance", importance_type)));
  // Without feature names XGBoost calls feature i "f<i>" and lists only features used in a
  // split; tree boosters give one score per listed feature.
  std::vector<double> out(static_cast<size_t>(num_features), 0.0);
  for (bst_ulong i = 0; i < n; ++i) {
    std::string_view name(names[i]);
    char* end = nullptr;
    long index = name.size() > 1 && name[0] == 'f' ? std::strtol(names[i] + 1, &end, 10) : -1;
    if (index < 0 || index >= num_features || end == nullptr || *end != '\0') {
      return Internal(fmt::format("unexpected XGBoost feature name '{}'", name));
    }
    out[static_cast<size_t>(index)] = scores[i];
  }
  return out;
}

std::string Version() {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return fmt::format("{}.{}.{}", major, minor, patch);
}

}  // namespace strata::xgb
