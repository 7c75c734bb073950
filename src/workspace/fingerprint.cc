#include "workspace/fingerprint.h"

#include <xxhash.h>

#include <cstring>

namespace strata {
namespace {

// Canonical form, version 1 (changing it changes every stored fingerprint):
//   "strata-table-fp1" u64(columns) { u64(len) name u64(len) type-name }*
//   per cell: a tag byte, SQLite's type code (1 integer, 2 real, 3 text, 4 blob, 5 NULL),
//   then integer: 8 bytes little-endian; real: its IEEE bits as u64 (-0.0 as +0.0, since
//   SQLite may store an integral real as the integer 0); text and blob: u64(len) bytes.
constexpr char kMagic[] = "strata-table-fp1";
constexpr size_t kBufferBytes = size_t{64} * 1024;

// Little-endian bytes of `v`, whatever the host's byte order.
void EncodeU64(uint64_t v, char* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

struct TableFingerprint::State {
  XXH3_state_t* xxh = XXH3_createState();
  ~State() { XXH3_freeState(xxh); }
};

TableFingerprint::TableFingerprint(const Schema& schema)
    : state_(std::make_unique<State>()), pending_(new char[kBufferBytes]) {
  XXH3_64bits_reset(state_->xxh);
  Put(kMagic, sizeof kMagic - 1);
  char u64[8];
  EncodeU64(schema.size(), u64);
  Put(u64, 8);
  for (const Field& field : schema) {
    const std::string_view parts[] = {field.name, DataTypeName(field.type)};
    for (std::string_view text : parts) {
      EncodeU64(text.size(), u64);
      Put(u64, 8);
      Put(text.data(), text.size());
    }
  }
}

TableFingerprint::~TableFingerprint() = default;

void TableFingerprint::Put(const void* bytes, size_t size) {
  if (pending_size_ + size > kBufferBytes) {
    Flush();
    if (size > kBufferBytes) {  // a long text value: hash it in place
      XXH3_64bits_update(state_->xxh, bytes, size);
      return;
    }
  }
  std::memcpy(pending_.get() + pending_size_, bytes, size);
  pending_size_ += size;
}

void TableFingerprint::Add(const SqlValue& value) {
  // Tag and fixed-size payload are written in place (no memcpy call per cell).
  constexpr size_t kCellBytes = 9;
  if (pending_size_ + kCellBytes > kBufferBytes) Flush();
  char* out = pending_.get() + pending_size_;
  out[0] = static_cast<char>(value.kind);
  switch (value.kind) {
    case SqliteType::kNull:
      pending_size_ += 1;
      return;
    case SqliteType::kInteger:
      EncodeU64(static_cast<uint64_t>(value.integer), out + 1);
      break;
    case SqliteType::kFloat: {
      double d = value.real == 0.0 ? 0.0 : value.real;
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      EncodeU64(bits, out + 1);
      break;
    }
    case SqliteType::kText:
    case SqliteType::kBlob:
      EncodeU64(value.text.size(), out + 1);
      pending_size_ += kCellBytes;
      Put(value.text.data(), value.text.size());
      return;
  }
  pending_size_ += kCellBytes;
}

void TableFingerprint::Flush() {
  XXH3_64bits_update(state_->xxh, pending_.get(), pending_size_);
  pending_size_ = 0;
}

std::string TableFingerprint::HexDigest() {
  Flush();
  XXH64_hash_t hash = XXH3_64bits_digest(state_->xxh);
  static const char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[hash & 0xf];
    hash >>= 4;
  }
  return out;
}

}  // namespace strata
