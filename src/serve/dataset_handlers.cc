// /v1/datasets: the workspace's tables as datasets. An upload is streamed to a temporary file
// next to the workspace and imported by the core's CollectFile (what `strata collect` runs);
// profiles are the core's ProfileTable; downloads go through the core's file writers.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "serve/handlers.h"
#include "serve/request_table.h"
#include "serve/server_context.h"
#include "strata/collect.h"
#include "strata/csv.h"
#include "strata/json_lines.h"
#include "strata/profile.h"
#include "workspace/catalog.h"

namespace strata::serve {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int64_t kDefaultPreviewRows = 50;
constexpr int64_t kMaxPreviewRows = 1000;
constexpr size_t kMaxNameLength = 128;
constexpr size_t kSniffBytes = 4096;
// What the reader's messages call the uploaded file instead of its temporary path.
constexpr std::string_view kUploadName = "upload";

std::atomic<uint64_t> upload_counter{0};

// Dataset names travel in URL paths and in SQL unquoted, so they are identifiers; the
// workspace's reserved prefixes (strata_, sqlite_) are refused as WriteTable refuses them.
Status CheckDatasetName(std::string_view name) {
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  bool ok = !name.empty() && name.size() <= kMaxNameLength && !(name[0] >= '0' && name[0] <= '9') &&
            std::all_of(name.begin(), name.end(), word);
  if (!ok) {
    return InvalidArgument(fmt::format(
        "?name={} is not a valid dataset name: use letters, digits and '_', not starting with a "
        "digit, at most {} characters (e.g. ?name=churn_2024)",
        name, kMaxNameLength));
  }
  return ValidateTableName(name);
}

// True for "true"/"1", false for "false"/"0"/absent; InvalidArgument otherwise.
Result<bool> BoolQuery(const RouteRequest& request, const std::string& name) {
  std::optional<std::string> value = request.Query(name);
  if (!value || *value == "false" || *value == "0") return false;
  if (*value == "true" || *value == "1" || value->empty()) return true;
  return InvalidArgument(fmt::format("?{}={}: expected true or false", name, *value));
}

Result<int64_t> IntQuery(const RouteRequest& request, const std::string& name, int64_t fallback,
                         int64_t max) {
  std::optional<std::string> value = request.Query(name);
  if (!value) return fallback;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (ec != std::errc() || end != value->data() + value->size() || n < 0 || n > max) {
    return InvalidArgument(fmt::format("?{}={}: expected a whole number from 0 to {}", name,
                                       *value, max));
  }
  return n;
}

json ColumnsJson(const Schema& schema) {
  json out = json::array();
  for (const Field& f : schema) out.push_back({{"name", f.name}, {"type", DataTypeName(f.type)}});
  return out;
}

// The upload's temporary file, removed when this goes out of scope, whatever happened.
class TempUpload {
 public:
  ~TempUpload() {
    Close();
    if (!path_.empty()) std::remove(path_.c_str());
  }

  // Creates the file in `dir` (the workspace's directory, so the import reads from the same
  // disk and the space it needs is the workspace's own).
  Status Create(const std::filesystem::path& dir) {
    std::string name =
        fmt::format(".strata-upload-{}-{}.tmp", ::getpid(), upload_counter.fetch_add(1));
    std::string path = (dir / name).string();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return IoError(fmt::format("cannot create the upload's temporary file in '{}': {}",
                                 dir.string(), std::strerror(errno)));
    }
    path_ = path;
    file_ = ::fdopen(fd, "wb");
    if (file_ == nullptr) {
      ::close(fd);
      return IoError(fmt::format("cannot open '{}': {}", path_, std::strerror(errno)));
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);  // receiving comes in small pieces
    return Status::Ok();
  }

  bool Write(const char* data, size_t n) {
    if (std::fwrite(data, 1, n, file_) == n) return true;
    error_ = errno;
    return false;
  }

  // Gives back the disk space of what was written so far (an upload over the limit).
  void Discard() {
    if (file_ != nullptr && ::ftruncate(::fileno(file_), 0) != 0) error_ = errno;
    Close();
  }

  Status Finish() {
    if (file_ != nullptr && std::fclose(file_) != 0 && error_ == 0) error_ = errno;
    file_ = nullptr;
    if (error_ != 0) {
      return IoError(fmt::format("writing the upload to '{}' failed: {} (disk full?)", path_,
                                 std::strerror(error_)));
    }
    return Status::Ok();
  }

  const std::string& path() const { return path_; }

 private:
  void Close() {
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
  }
  std::string path_;
  FILE* file_ = nullptr;
  int error_ = 0;
};

// The reader names the file it read; an upload is called kUploadName, not by its temp path.
Status RenameUpload(const Status& status, const std::string& temp_path) {
  std::string message = status.message();
  for (size_t at = message.find(temp_path); at != std::string::npos;
       at = message.find(temp_path, at + kUploadName.size())) {
    message.replace(at, temp_path.size(), kUploadName);
  }
  return Status(status.code(), message);
}

// Reads and drops the rest of an upload's body before answering `error`: a client sends the
// whole body before it reads the answer, and would otherwise see a reset connection.
HandlerResult RefuseUpload(const RouteRequest& request, HandlerResult error) {
  (*request.reader)([](const char*, size_t) { return true; });
  return error;
}

struct UploadParams {
  std::string name;
  FileFormat format = FileFormat::kAuto;
  bool replace = false;
};

Result<UploadParams> ParseUploadParams(ServerContext& context, const RouteRequest& request) {
  UploadParams p;
  std::optional<std::string> name = request.Query("name");
  if (!name) {
    return InvalidArgument(
        "POST /v1/datasets needs ?name=NAME, the table to create, e.g. "
        "POST /v1/datasets?name=churn with the file's bytes as the body");
  }
  p.name = *name;
  STRATA_RETURN_IF_ERROR(CheckDatasetName(p.name));
  std::string format = request.Query("format").value_or("auto");
  std::optional<FileFormat> parsed = ParseFileFormat(format);
  if (!parsed) {
    return InvalidArgument(
        fmt::format("?format={}: expected auto (the default: JSON Lines when the file starts "
                    "with '{{', else CSV), csv, tsv or jsonl",
                    format));
  }
  p.format = *parsed;
  STRATA_ASSIGN_OR_RETURN(p.replace, BoolQuery(request, "replace"));
  if (!p.replace) {
    std::lock_guard lock(context.workspace_mutex);
    if (context.workspace->HasTable(p.name)) {
      return AlreadyExists(fmt::format(
          "dataset '{}' already exists; add ?replace=true to replace it, or choose another ?name=",
          p.name));
    }
  }
  return p;
}

}  // namespace

HandlerResult HandleUploadDataset(ServerContext& context, const RouteRequest& request) {
  const auto start = Clock::now();
  Result<UploadParams> params = ParseUploadParams(context, request);
  if (!params.ok()) return RefuseUpload(request, params.status());

  std::filesystem::path dir = std::filesystem::path(context.options.workspace_path).parent_path();
  TempUpload temp;
  if (Status s = temp.Create(dir.empty() ? "." : dir); !s.ok()) return RefuseUpload(request, s);
  const size_t limit = context.options.max_upload_bytes;
  size_t bytes = 0;
  bool too_large = false, write_failed = false;
  std::string head;
  bool received = (*request.reader)([&](const char* data, size_t n) {
    bytes += n;
    if (too_large || bytes > limit) {
      // Nothing more is written; the rest is read and dropped (see RefuseUpload).
      if (!too_large) temp.Discard();
      too_large = true;
      return true;
    }
    if (head.size() < kSniffBytes) head.append(data, std::min(n, kSniffBytes - head.size()));
    if (!temp.Write(data, n)) {
      write_failed = true;
      return false;
    }
    return true;
  });
  if (too_large) return PayloadTooLarge("the upload", limit, "--max-upload-mb");
  Status finished = temp.Finish();
  if (write_failed || !finished.ok()) return finished;
  if (!received) return ErrorForHttpStatus(400);
  if (bytes == 0) {
    return InvalidArgument(
        "the request body is empty; send the file's bytes, e.g. curl --data-binary @churn.csv "
        "'http://127.0.0.1:8080/v1/datasets?name=churn'");
  }

  CollectOptions options;
  options.read.format = params->format == FileFormat::kAuto ? SniffFileFormat(head) : params->format;
  options.write.mode = params->replace ? WriteMode::kReplace : WriteMode::kCreate;
  options.write.source = "upload";
  Result<std::unique_ptr<Workspace>> workspace = context.OpenConnection();
  if (!workspace.ok()) return workspace.status();
  Result<CollectResult> collected = CollectFile(**workspace, temp.path(), params->name, options);
  if (!collected.ok()) return RenameUpload(collected.status(), temp.path());
  context.metrics.RecordUpload(bytes);
  return Reply{201,
               {{"name", params->name},
                {"rows", collected->table.num_rows()},
                {"columns", ColumnsJson(collected->table.schema())},
                {"bytes", bytes},
                {"format", std::string(FileFormatName(collected->report.format))},
                {"seconds", std::chrono::duration<double>(Clock::now() - start).count()}}};
}

HandlerResult HandleListDatasets(ServerContext& context, const RouteRequest&) {
  Result<std::vector<TableInfo>> tables = [&] {
    std::lock_guard lock(context.workspace_mutex);
    return context.workspace->ListTables();
  }();
  if (!tables.ok()) return tables.status();
  json out = json::array();
  for (const TableInfo& t : *tables) {
    out.push_back({{"name", t.name}, {"rows", t.rows}, {"columns", t.schema.size()}});
  }
  return Reply{200, {{"datasets", out}}};
}

HandlerResult HandleGetDataset(ServerContext& context, const RouteRequest& request) {
  Result<TableInfo> info = [&] {
    std::lock_guard lock(context.workspace_mutex);
    return context.workspace->DescribeTable(request.param("name"));
  }();
  if (!info.ok()) return info.status();
  return Reply{200, {{"name", info->name}, {"rows", info->rows}, {"columns", ColumnsJson(info->schema)}}};
}

HandlerResult HandlePreviewDataset(ServerContext& context, const RouteRequest& request) {
  Result<int64_t> offset = IntQuery(request, "offset", 0, INT64_MAX);
  if (!offset.ok()) return offset.status();
  Result<int64_t> limit = IntQuery(request, "limit", kDefaultPreviewRows, kMaxPreviewRows);
  if (!limit.ok()) return limit.status();
  std::lock_guard lock(context.workspace_mutex);
  Result<TableInfo> info = context.workspace->DescribeTable(request.param("name"));
  if (!info.ok()) return info.status();
  Result<Table> page = context.workspace->ReadTable(info->name, *limit, *offset);
  if (!page.ok()) return page.status();
  json names = json::array(), types = json::array(), rows = json::array();
  for (const Column& c : page->columns()) {
    names.push_back(c.name());
    types.push_back(DataTypeName(c.type()));
  }
  for (int64_t r = 0; r < page->num_rows(); ++r) {
    json row = json::array();
    for (const Column& c : page->columns()) row.push_back(CellToJson(c, r));
    rows.push_back(std::move(row));
  }
  return Reply{200, {{"columns", names}, {"types", types}, {"rows", rows}, {"offset", *offset},
                     {"total_rows", info->rows}}};
}

HandlerResult HandleProfileDataset(ServerContext& context, const RouteRequest& request) {
  // Its own connection: reading a large table whole must not hold the shared one.
  Result<std::unique_ptr<Workspace>> workspace = context.OpenConnection();
  if (!workspace.ok()) return workspace.status();
  Result<Table> table = (*workspace)->ReadTable(request.param("name"));
  if (!table.ok()) return table.status();
  ProfileOptions options;
  options.target = request.Query("label");
  Result<Profile> profile = ProfileTable(*table, options);
  if (!profile.ok()) {
    // A misspelt ?label= is a bad parameter of an existing dataset, not a missing resource.
    return InvalidArgument(fmt::format("?label={}: {}", options.target.value_or(""),
                                       profile.status().message()));
  }
  return Reply{200, ProfileToJson(*profile)};
}

HandlerResult HandleDownloadDataset(ServerContext& context, const RouteRequest& request) {
  std::string format_name = request.Query("format").value_or("csv");
  std::optional<FileFormat> format = ParseFileFormat(format_name);
  if (!format || *format == FileFormat::kAuto || *format == FileFormat::kTsv) {
    return InvalidArgument(fmt::format("?format={}: expected csv or jsonl", format_name));
  }
  Result<std::unique_ptr<Workspace>> workspace = context.OpenConnection();
  if (!workspace.ok()) return workspace.status();
  Result<TableInfo> info = (*workspace)->DescribeTable(request.param("name"));
  if (!info.ok()) return info.status();
  Result<Table> table = (*workspace)->ReadTable(info->name);
  if (!table.ok()) return table.status();
  const bool jsonl = *format == FileFormat::kJsonLines;
  Reply reply;
  reply.content_type = jsonl ? "application/x-ndjson" : "text/csv";
  reply.headers.emplace_back(
      "Content-Disposition",
      fmt::format("attachment; filename={}.{}", info->name, jsonl ? "jsonl" : "csv"));
  // The table is in memory; each poll formats slices of it until about kStreamChunkBytes, so
  // a slow client holds no request thread and at most one chunk of text.
  struct Download {
    Table rows;
    int64_t next = 0;  // the first row not yet formatted
  };
  auto download = std::make_shared<Download>(Download{std::move(table).value()});
  reply.stream = [download, jsonl](std::string* chunk) {
    constexpr int64_t kSliceRows = 1024;
    const int64_t total = download->rows.num_rows();
    std::ostringstream out;
    do {
      Table slice = download->rows.Slice(download->next, kSliceRows);
      CsvWriteOptions csv;
      csv.header = download->next == 0;
      Status written = jsonl ? WriteJsonLines(slice, out) : WriteCsv(slice, out, csv);
      if (!written.ok()) throw std::runtime_error(written.ToString());
      download->next += slice.num_rows();
    } while (download->next < total && static_cast<size_t>(out.tellp()) < kStreamChunkBytes);
    *chunk = std::move(out).str();
    return download->next < total;
  };
  return reply;
}

HandlerResult HandleDeleteDataset(ServerContext& context, const RouteRequest& request) {
  const std::string& name = request.param("name");
  if (!ValidateTableName(name).ok()) {
    return InvalidArgument(fmt::format(
        "'{}' is not a dataset: tables whose names start with strata_ or sqlite_ are the "
        "workspace's own and cannot be deleted",
        name));
  }
  Status status = [&] {
    std::lock_guard lock(context.workspace_mutex);
    return context.workspace->DropTable(name);
  }();
  if (!status.ok()) return status;
  return Reply{200, {{"deleted", name}}};
}

}  // namespace strata::serve
