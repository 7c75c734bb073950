// `strata doctor`: the environment at a glance — versions of every dependency, threads,
// memory, disk, and whether the workspace is usable. The first thing to run when something
// does not work, and what to paste into a bug report.
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <xxhash.h>

#include <CLI/Version.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/cli.h"
#include "cli/output.h"
#include "strata/build_info.h"
#include "strata/workspace.h"

namespace strata::cli {
namespace {

struct Check {
  std::string item;
  std::string value;
  std::string status;  // ok, warn, error
};

// "MemTotal:  24512345 kB" -> bytes; 0 when unknown.
int64_t MeminfoBytes(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  std::string name;
  int64_t kb;
  std::string unit;
  while (in >> name >> kb >> unit) {
    if (name == key + ":") return kb * 1024;
  }
  return 0;
}

// The cgroup v2 memory limit (containers), or 0 when unlimited or unknown.
int64_t CgroupMemoryLimit() {
  std::ifstream in("/sys/fs/cgroup/memory.max");
  std::string v;
  if (!(in >> v) || v == "max") return 0;
  try {
    return std::stoll(v);
  } catch (...) {
    return 0;
  }
}

std::vector<Check> RunChecks(const GlobalOptions& global, bool* failed) {
  std::vector<Check> checks;
  auto add = [&](std::string item, std::string value, std::string status = "ok") {
    if (status == "error") *failed = true;
    checks.push_back({std::move(item), std::move(value), std::move(status)});
  };
  add("strata", fmt::format("{} ({}, {})", STRATA_VERSION, STRATA_BUILD_TYPE, STRATA_CXX_COMPILER));
  add("sqlite", fmt::format("{} (built against {})", sqlite3_libversion(), SQLITE_VERSION));
  add("fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100));
  add("nlohmann-json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR,
                                   NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH));
  add("cli11", CLI11_VERSION);
  add("fast_float", STRATA_FAST_FLOAT_VERSION);
  unsigned xxh = XXH_versionNumber();
  add("xxhash", fmt::format("{}.{}.{}", xxh / 10000, xxh / 100 % 100, xxh % 100));

  unsigned threads = std::thread::hardware_concurrency();
  add("threads", std::to_string(threads), threads == 0 ? "warn" : "ok");
  int64_t total = MeminfoBytes("MemTotal"), avail = MeminfoBytes("MemAvailable");
  std::string mem = fmt::format("{} total, {} available", HumanBytes(static_cast<double>(total)),
                                HumanBytes(static_cast<double>(avail)));
  if (int64_t limit = CgroupMemoryLimit(); limit > 0) {
    mem += fmt::format(", container limit {}", HumanBytes(static_cast<double>(limit)));
  }
  add("memory", mem, avail > 0 && avail < (512LL << 20) ? "warn" : "ok");

  std::string path = global.workspace.empty() ? DefaultWorkspacePath() : global.workspace;
  std::filesystem::path abs = std::filesystem::absolute(path);
  std::filesystem::path dir = abs.parent_path();
  add("workspace", abs.string());
  std::error_code ec;
  bool exists = std::filesystem::exists(abs, ec);
  bool dir_ok = std::filesystem::is_directory(dir, ec);
  bool writable = dir_ok && access(dir.c_str(), W_OK) == 0 &&
                  (!exists || access(abs.c_str(), W_OK) == 0);
  if (!dir_ok) {
    add("workspace writable", fmt::format("no: directory {} does not exist", dir.string()), "error");
  } else {
    add("workspace writable",
        writable ? "yes" : "no: check the permissions of the file and its directory",
        writable ? "ok" : "error");
  }
  struct statvfs fs {};
  if (dir_ok && statvfs(dir.c_str(), &fs) == 0) {
    double free_bytes = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
    add("disk free", HumanBytes(free_bytes), free_bytes < 1e9 ? "warn" : "ok");
  }
  if (!exists) {
    add("workspace state", "not created yet (strata collect or strata quickstart creates it)");
  } else {
    OpenOptions open;
    open.create = false;
    open.read_only = true;
    auto ws = Workspace::Open(abs.string(), open);
    if (!ws.ok()) {
      add("workspace state", ws.status().message(), "error");
    } else {
      auto tables = (*ws)->ListTables();
      add("workspace state",
          fmt::format("schema v{}, {} tables", (*ws)->schema_version(),
                      tables.ok() ? std::to_string(tables->size()) : "?"));
    }
  }
  return checks;
}

Status RunDoctor(const GlobalOptions& global) {
  bool failed = false;
  std::vector<Check> checks = RunChecks(global, &failed);
  if (global.format == OutputFormat::kJson) {
    nlohmann::json out = nlohmann::json::array();
    for (const Check& c : checks) {
      out.push_back({{"item", c.item}, {"value", c.value}, {"status", c.status}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    TextTableBuilder b(
        {{"check", DataType::kString}, {"value", DataType::kString}, {"status", DataType::kString}});
    for (const Check& c : checks) b.AddRow({c.item, c.value, c.status});
    PrintTable(b.Build(), global.format, std::cout, 80);
  }
  if (failed) return FailedPrecondition("strata doctor found problems (status 'error' above)");
  return Status::Ok();
}

}  // namespace

void AddDoctorCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd = app.add_subcommand(
      "doctor", "Report the environment: dependency versions, threads, memory, disk, workspace");
  AddFormatOption(*cmd, ctx);
  cmd->callback([&ctx] { ctx.result = RunDoctor(ctx.global); });
}

}  // namespace strata::cli
