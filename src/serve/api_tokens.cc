#include "strata/api_tokens.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "workspace/catalog.h"
#include "workspace/sqlite_db.h"

namespace strata {
namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

Result<std::string> RandomHex(size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
    return Internal("OpenSSL's RAND_bytes could not produce random bytes for a token");
  }
  return Hex(buffer.data(), bytes);
}

constexpr std::string_view kSelect =
    "SELECT id, name, scope, created_at, revoked_at FROM strata_api_tokens ";

ApiTokenInfo ReadInfo(const SqliteStatement& q) {
  ApiTokenInfo info;
  info.id = q.ColumnText(0);
  info.name = q.ColumnText(1);
  info.scope = q.ColumnText(2) == "admin" ? TokenScope::kAdmin : TokenScope::kRead;
  info.created_at = q.ColumnText(3);
  if (!q.ColumnIsNull(4)) info.revoked_at = std::string(q.ColumnText(4));
  return info;
}

}  // namespace

std::string_view TokenScopeName(TokenScope scope) {
  return scope == TokenScope::kAdmin ? "admin" : "read";
}

Result<TokenScope> ParseTokenScope(std::string_view name) {
  if (name == "read") return TokenScope::kRead;
  if (name == "admin") return TokenScope::kAdmin;
  return InvalidArgument(fmt::format("unknown token scope '{}'; use 'read' (predict and read) "
                                     "or 'admin' (also change aliases)", name));
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

Result<NewApiToken> CreateApiToken(Workspace& workspace, TokenScope scope, std::string_view name) {
  NewApiToken token;
  STRATA_ASSIGN_OR_RETURN(token.info.id, RandomHex(4));
  STRATA_ASSIGN_OR_RETURN(std::string secret, RandomHex(32));
  token.secret = "strata_" + token.info.id + "_" + secret;
  token.info.name = name;
  token.info.scope = scope;
  token.info.created_at = NowUtc();
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement insert,
      workspace.db().Prepare("INSERT INTO strata_api_tokens(id, name, scope, hash, created_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5)"));
  STRATA_RETURN_IF_ERROR(insert.BindText(1, token.info.id));
  STRATA_RETURN_IF_ERROR(insert.BindText(2, name));
  STRATA_RETURN_IF_ERROR(insert.BindText(3, TokenScopeName(scope)));
  STRATA_RETURN_IF_ERROR(insert.BindText(4, Sha256Hex(token.secret)));
  STRATA_RETURN_IF_ERROR(insert.BindText(5, token.info.created_at));
  STRATA_RETURN_IF_ERROR(insert.Run());
  return token;
}

Result<std::vector<ApiTokenInfo>> ListApiTokens(Workspace& workspace) {
  STRATA_ASSIGN_OR_RETURN(SqliteStatement q,
                          workspace.db().Prepare(std::string(kSelect) + "ORDER BY rowid"));
  std::vector<ApiTokenInfo> out;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(ReadInfo(q));
  }
  return out;
}

Status RevokeApiToken(Workspace& workspace, std::string_view id_or_name) {
  STRATA_ASSIGN_OR_RETURN(std::vector<ApiTokenInfo> tokens, ListApiTokens(workspace));
  std::vector<std::string> ids;
  for (const ApiTokenInfo& t : tokens) {
    if (!t.revoked_at && (t.id == id_or_name || t.name == id_or_name)) ids.push_back(t.id);
  }
  if (ids.empty()) {
    return NotFound(fmt::format("no active token with id or name '{}'; see `strata tokens list`",
                                id_or_name));
  }
  if (ids.size() > 1) {
    return InvalidArgument(fmt::format("{} tokens are named '{}'; revoke one by id ({})",
                                       ids.size(), id_or_name, fmt::join(ids, ", ")));
  }
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement update,
      workspace.db().Prepare("UPDATE strata_api_tokens SET revoked_at = ?2 WHERE id = ?1"));
  STRATA_RETURN_IF_ERROR(update.BindText(1, ids[0]));
  STRATA_RETURN_IF_ERROR(update.BindText(2, NowUtc()));
  return update.Run();
}

Result<ApiTokenInfo> VerifyApiToken(Workspace& workspace, std::string_view secret) {
  STRATA_ASSIGN_OR_RETURN(
      SqliteStatement q,
      workspace.db().Prepare(std::string(kSelect) + "WHERE hash = ?1 AND revoked_at IS NULL"));
  STRATA_RETURN_IF_ERROR(q.BindText(1, Sha256Hex(secret)));
  STRATA_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NotFound("the bearer token is unknown or revoked");
  return ReadInfo(q);
}

}  // namespace strata
