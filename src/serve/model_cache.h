// The models the server has loaded: (model, version) -> a shared, thread-safe Predictor,
// built once from the stored bundle. A request resolves its model name and selector (the
// latest version, a number, or an alias) to a version, then takes a shared_ptr to that
// version's Predictor. Moving an alias changes what new requests resolve to; requests that
// already hold the old Predictor finish with it, and it is freed when the last one ends.
//
// Resolutions are cached and resolved again whenever the workspace changes (a version the
// change did not touch keeps its loaded predictor). Commits made in this
// process (the server's handlers, its jobs, /v1/sql) are seen by the next request, through
// SqliteTransaction::CommitsInProcess(); other processes' commits (a `strata train` adding a
// version) through SQLite's PRAGMA data_version, checked at most once a millisecond: asking
// SQLite on every request cost about a tenth of the server's CPU per single-row prediction.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "strata/predictor.h"
#include "strata/status.h"
#include "strata/workspace.h"
#include "workspace/sqlite_db.h"

namespace strata::serve {

// What a request names: the latest version, a version number, or an alias.
struct VersionSelector {
  std::optional<int> version;
  std::string alias;  // used when non-empty
  std::string ToString() const;
};

// "3" -> version 3; "production" -> alias; InvalidArgument for "0" or "-1".
Result<VersionSelector> ParseVersionOrAlias(std::string_view text, bool allow_alias);

struct ServedModel {
  std::string model;  // the stored spelling
  int version = 0;
  std::shared_ptr<const Predictor> predictor;
};

class ModelCache {
 public:
  // `workspace` is used under `mutex`, which every user of the workspace shares.
  ModelCache(Workspace& workspace, std::mutex& mutex) : workspace_(workspace), mutex_(mutex) {}

  // The Predictor for `model` and `selector`, loading it on first use. NotFound names the
  // closest model, version or alias.
  Result<ServedModel> Get(std::string_view model, const VersionSelector& selector);

 private:
  Result<ServedModel> Resolve(std::string_view model, const VersionSelector& selector);

  Workspace& workspace_;
  std::mutex& mutex_;
  // How long another process's commit can go unseen; in-process commits are seen at once.
  static constexpr std::chrono::milliseconds kOtherProcessesCheckInterval{1};

  int64_t data_version_ = -1;
  uint64_t commits_seen_ = 0;
  std::chrono::steady_clock::time_point last_data_version_check_{};
  // "PRAGMA data_version", prepared once: preparing it on every request cost 7-11% of the
  // server's CPU per single-row prediction (bench/serve).
  std::optional<SqliteStatement> data_version_query_;
  // What a request named, what it resolved to, and when it was last asked for.
  struct Resolution {
    std::string model;
    VersionSelector selector;
    ServedModel served;
    std::chrono::steady_clock::time_point last_used;
  };
  // After a change, resolves again each resolution asked for in the last kKeepUnused, while
  // their predictors are still held: most commits touch no model (a running job writes its
  // log lines four times a second), and a version the change left alone keeps its loaded
  // predictor instead of being loaded and parsed again while requests wait. The others are
  // dropped; a predictor nothing names any more is freed when its last request ends.
  void ResolveAgain(std::chrono::steady_clock::time_point now);
  static constexpr std::chrono::seconds kKeepUnused{60};
  std::map<std::string, Resolution> resolved_;  // "model\nselector" -> its resolution
  // (model, version, created_at) -> predictor; created_at tells a replaced model's version 1
  // from the old version 1. Weak, so a version no resolution names any more is freed when
  // its last request ends.
  std::map<std::string, std::weak_ptr<const Predictor>> predictors_;
};

}  // namespace strata::serve
