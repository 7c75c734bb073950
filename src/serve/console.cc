#include "serve/console.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "serve/http_error.h"
#include "strata/server.h"

namespace strata {

namespace fs = std::filesystem;

namespace {

bool HasIndex(const fs::path& dir) {
  std::error_code ec;
  return !dir.empty() && fs::is_regular_file(dir / "index.html", ec);
}

// The directory holding the running binary, from /proc/self/exe; empty when unknown.
fs::path BinaryDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::string FindWebRoot(std::string_view flag) {
  if (!flag.empty()) return std::string(flag);
  if (const char* env = std::getenv("STRATA_WEB_ROOT"); env != nullptr && *env != '\0') {
    return env;
  }
  fs::path bin = BinaryDir();
  std::vector<fs::path> candidates;
  if (!bin.empty()) {
    candidates.push_back(bin / "web");                              // beside the binary
    candidates.push_back(bin.parent_path() / "share/strata/web");   // an install prefix
  }
#ifdef STRATA_WEB_DIST
  candidates.push_back(STRATA_WEB_DIST);  // the source tree's build (web/dist)
#endif
  for (const fs::path& dir : candidates) {
    if (HasIndex(dir)) return dir.string();
  }
  return "";
}

namespace serve {
namespace {

std::string_view ContentType(std::string_view extension) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},        {".map", "application/json"},
      {".svg", "image/svg+xml"},            {".png", "image/png"},
      {".ico", "image/x-icon"},             {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"}};
  for (const auto& [ext, type] : kTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

bool ReadFile(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = std::move(text).str();
  return static_cast<bool>(in) || in.eof();
}

constexpr std::string_view kNotBuilt = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strata: console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>The Strata console is not built</h1>
<p>The API works (see <a href="/openapi.json">/openapi.json</a>), but the web console's files
were not found. Build them with <code>scripts/build</code> (which runs
<code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>), or point the server at a
built copy with <code>strata serve --web-root DIR</code> or <code>STRATA_WEB_ROOT=DIR</code>.</p>
</body></html>
)";

}  // namespace

bool IsConsoleRequest(std::string_view method, std::string_view path) {
  if (method != "GET" && method != "HEAD") return false;
  // API versions (/v1, /v2, and any /vN to come) keep their JSON 404s.
  std::string_view first = path.substr(path.starts_with('/') ? 1 : 0);
  first = first.substr(0, first.find('/'));
  bool api = first.size() >= 2 && first[0] == 'v' &&
             std::all_of(first.begin() + 1, first.end(), [](char c) { return c >= '0' && c <= '9'; });
  return !api;
}

HandlerResult ServeConsole(std::string_view web_root, std::string_view path) {
  // The server has decoded the path ("%2e%2e" is ".." here): refuse any dot segment, so that
  // nothing outside web_root can be named.
  fs::path relative;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view segment = path.substr(i, j - i);
    if (segment == "." || segment == ".." || segment.find('\\') != std::string_view::npos ||
        segment.find('\0') != std::string_view::npos) {
      return HttpError{400, "INVALID_ARGUMENT",
                       fmt::format("the path {} has a '.' or '..' segment; console paths "
                                   "cannot leave the console's directory",
                                   path)};
    }
    if (!segment.empty()) relative /= std::string(segment);
    i = j + 1;
  }
  std::string last = relative.empty() ? "" : relative.filename().string();
  bool page = last.find('.') == std::string::npos;  // "/", "/models", "/jobs/x": the app
  if (web_root.empty()) {
    if (!page) return HttpError{404, "NOT_FOUND", fmt::format("no file {}: the console is not built", path)};
    Reply reply;
    reply.status = 404;
    reply.text = kNotBuilt;
    reply.content_type = "text/html; charset=utf-8";
    return reply;
  }
  fs::path file = fs::path(web_root) / relative;
  std::error_code ec;
  if (relative.empty() || !fs::is_regular_file(file, ec)) {
    if (!page) {
      return HttpError{404, "NOT_FOUND",
                       fmt::format("no route or console file GET {}; GET /openapi.json lists "
                                   "the routes",
                                   path)};
    }
    file = fs::path(web_root) / "index.html";
  }
  Reply reply;
  if (!ReadFile(file, &reply.text)) {
    return HttpError{500, "IO_ERROR", fmt::format("cannot read the console file {}", file.string())};
  }
  // Vite puts a content hash in every asset's name, so assets may be cached for good;
  // index.html names the current ones and must be revalidated.
  bool hashed = relative.begin() != relative.end() && *relative.begin() == "assets";
  reply.headers.emplace_back("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply.content_type = ContentType(file.extension().string());
  return reply;
}

}  // namespace serve
}  // namespace strata
