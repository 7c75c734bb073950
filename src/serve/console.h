// The web console's static files (web/dist, built by `npm run build`): index.html for "/"
// and for page-like paths, hashed assets under /assets/ with long cache headers, and a short
// HTML page saying how to build the console when it is not there. API paths never get here.
#pragma once

#include <string_view>

#include "serve/routes.h"

namespace strata::serve {

// True for paths the console may answer: GET or HEAD of anything outside the API versions
// (/v1, /v2, any /vN).
bool IsConsoleRequest(std::string_view method, std::string_view path);

// The answer to a console request for the (percent-decoded) `path` from `web_root` (empty:
// the console is not built). Refuses paths with "." or ".." segments (400); unknown files
// with an extension get the JSON 404.
HandlerResult ServeConsole(std::string_view web_root, std::string_view path);

}  // namespace strata::serve
