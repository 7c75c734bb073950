// The web console's static files (web/dist, built by `npm run build`): index.html for "/"
// and for page-like paths, hashed assets under /assets/ with long cache headers, and a short
// HTML page saying how to build the console when it is not there. API paths never get here.
#pragma once

#include <string_view>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace strata::serve {

// True for paths the console may answer: GET or HEAD of anything outside /v1 and /v2.
bool IsConsoleRequest(std::string_view method, std::string_view path);

// Answers a console request from `web_root` (empty: the console is not built). Refuses
// paths with "." or ".." segments (400); unknown files with an extension get the JSON 404.
void ServeConsole(std::string_view web_root, const httplib::Request& req, httplib::Response& res);

}  // namespace strata::serve
