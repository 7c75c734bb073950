// API tokens for `strata serve`: bearer secrets with a scope, stored in the workspace as
// SHA-256 hashes only, so a copied workspace does not leak them. The secret is shown once,
// when it is created.
//
//   STRATA_ASSIGN_OR_RETURN(strata::NewApiToken t,
//                           strata::CreateApiToken(*ws, strata::TokenScope::kRead, "dashboard"));
//   std::cout << t.secret;  // "strata_1a2b3c4d_..." sent as "Authorization: Bearer <secret>"
//   STRATA_ASSIGN_OR_RETURN(strata::ApiTokenInfo who, strata::VerifyApiToken(*ws, t.secret));
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/status.h"
#include "strata/workspace.h"

namespace strata {

// kRead: predictions and every GET. kAdmin: also changes (aliases, jobs, uploads).
enum class TokenScope { kRead, kAdmin };

std::string_view TokenScopeName(TokenScope scope);  // "read", "admin"
// InvalidArgument names the valid scopes.
Result<TokenScope> ParseTokenScope(std::string_view name);

struct ApiTokenInfo {
  std::string id;    // public, 8 hex digits; also inside the secret
  std::string name;  // free text, for people
  TokenScope scope = TokenScope::kRead;
  std::string created_at;
  std::optional<std::string> revoked_at;
};

struct NewApiToken {
  ApiTokenInfo info;
  std::string secret;  // "strata_<id>_<64 hex digits>"; only its hash is stored
};

// Creates a token from 32 random bytes (OpenSSL's RAND_bytes).
Result<NewApiToken> CreateApiToken(Workspace& workspace, TokenScope scope, std::string_view name);
// Every token, revoked ones included, oldest first.
Result<std::vector<ApiTokenInfo>> ListApiTokens(Workspace& workspace);
// Revokes the token with this id (or, when unambiguous, this name); NotFound otherwise.
Status RevokeApiToken(Workspace& workspace, std::string_view id_or_name);
// The token a secret belongs to; NotFound for an unknown or revoked secret.
Result<ApiTokenInfo> VerifyApiToken(Workspace& workspace, std::string_view secret);

// Lower-case hex SHA-256 of `text`.
std::string Sha256Hex(std::string_view text);

}  // namespace strata
