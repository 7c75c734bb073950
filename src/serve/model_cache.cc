#include "serve/model_cache.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <utility>

#include "strata/model_aliases.h"
#include "strata/model_store.h"
#include "workspace/sqlite_db.h"

namespace strata::serve {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string VersionSelector::ToString() const {
  if (!alias.empty()) return "@" + alias;
  return version ? std::to_string(*version) : "latest";
}

Result<VersionSelector> ParseVersionOrAlias(std::string_view text, bool allow_alias) {
  VersionSelector selector;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if (value < 1) {
      return InvalidArgument(fmt::format("version '{}' is not a version number (1, 2, ...)", text));
    }
    selector.version = value;
    return selector;
  }
  if (!allow_alias) {
    return InvalidArgument(fmt::format(
        "version '{}' is not a number; serve an alias with /v1/models/NAME/labels/{}:predict",
        text, text));
  }
  STRATA_RETURN_IF_ERROR(ValidateAliasName(text));
  selector.alias = text;
  return selector;
}

Result<ServedModel> ModelCache::Get(std::string_view model, const VersionSelector& selector) {
  std::lock_guard lock(mutex_);
  // Read before resolving: a commit after this point changes the count for the next request.
  uint64_t commits = SqliteTransaction::CommitsInProcess();
  auto now = std::chrono::steady_clock::now();
  bool ours = commits != commits_seen_;
  if (ours || now - last_data_version_check_ >= kOtherProcessesCheckInterval) {
    // data_version changes when another connection commits: a new version or alias.
    if (!data_version_query_) {
      STRATA_ASSIGN_OR_RETURN(data_version_query_, workspace_.db().Prepare("PRAGMA data_version"));
    }
    STRATA_ASSIGN_OR_RETURN(bool has_row, data_version_query_->Step());
    int64_t data_version = has_row ? data_version_query_->ColumnInt64(0) : -1;
    // Reset ends the statement's read transaction, which would otherwise hold back WAL
    // checkpoints until the next request.
    STRATA_RETURN_IF_ERROR(data_version_query_->Reset());
    if (ours || data_version != data_version_) ResolveAgain(now);
    data_version_ = data_version;
    commits_seen_ = commits;
    last_data_version_check_ = now;
  }
  std::string key = Lower(model) + "\n" + selector.ToString();
  auto it = resolved_.find(key);
  if (it != resolved_.end()) {
    it->second.last_used = now;
    return it->second.served;
  }
  STRATA_ASSIGN_OR_RETURN(ServedModel served, Resolve(model, selector));
  resolved_[key] = {std::string(model), selector, served, now};
  return served;
}

void ModelCache::ResolveAgain(std::chrono::steady_clock::time_point now) {
  std::map<std::string, Resolution> before = std::exchange(resolved_, {});
  for (auto& [key, r] : before) {
    if (now - r.last_used > kKeepUnused) continue;
    // One that fails now (the model was deleted) is left out: the next request for it gets
    // the error from Get.
    Result<ServedModel> served = Resolve(r.model, r.selector);
    if (!served.ok()) continue;
    r.served = std::move(served).value();
    resolved_.emplace(key, std::move(r));
  }
}

Result<ServedModel> ModelCache::Resolve(std::string_view model, const VersionSelector& selector) {
  ModelStore store(workspace_);
  std::optional<int> version = selector.version;
  if (!selector.alias.empty()) {
    ModelAliases aliases(workspace_);
    STRATA_ASSIGN_OR_RETURN(version, aliases.Resolve(model, selector.alias));
  }
  SqliteDb& db = workspace_.db();
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      db.Prepare("SELECT model_name, version, created_at FROM strata_model_versions "
                 "WHERE model_name = ?1 " +
                 std::string(version ? "AND version = ?2" : "ORDER BY version DESC LIMIT 1")));
  STRATA_RETURN_IF_ERROR(q.BindText(1, model));
  if (version) STRATA_RETURN_IF_ERROR(q.BindInt64(2, *version));
  STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return store.Load(model, version).status();  // NotFound with a suggestion
  ServedModel served;
  served.model = q.ColumnText(0);
  served.version = static_cast<int>(q.ColumnInt64(1));
  std::string key = fmt::format("{}\n{}\n{}", Lower(served.model), served.version, q.ColumnText(2));
  auto it = predictors_.find(key);
  if (it != predictors_.end()) {
    served.predictor = it->second.lock();
    if (served.predictor) return served;
  }
  STRATA_ASSIGN_OR_RETURN(ModelBundle bundle, store.Load(served.model, served.version));
  STRATA_ASSIGN_OR_RETURN(served.predictor, Predictor::Create(std::move(bundle)));
  predictors_[key] = served.predictor;
  return served;
}

}  // namespace strata::serve
