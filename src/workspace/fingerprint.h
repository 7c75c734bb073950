// TableFingerprint: the content hash recorded in the catalog for every table Strata writes,
// and carried into model lineage as "the data this model was trained on".
//
// The hash is XXH3-64 (hex) over a canonical byte form of the schema and of the values as
// SQLite stores them (see value_codec.h), row by row. Hashing stored values rather than the
// in-memory Table means the import (which hashes what it binds) and a later rescan of the
// table (which hashes what it reads, e.g. the old rows before an append) agree byte for byte.
//
//   TableFingerprint fp(table.schema());
//   for (each row) for (each cell) fp.Add(value);
//   std::string hex = fp.HexDigest();  // "9f1c0e2a5b7d3c41"
#pragma once

#include <memory>
#include <string>

#include "strata/data_type.h"
#include "workspace/value_codec.h"

namespace strata {

class TableFingerprint {
 public:
  // Starts a hash over a table with `schema` (names and types are part of the content).
  explicit TableFingerprint(const Schema& schema);
  ~TableFingerprint();
  TableFingerprint(const TableFingerprint&) = delete;
  TableFingerprint& operator=(const TableFingerprint&) = delete;

  // Adds the next cell, in row-major order.
  void Add(const SqlValue& value);
  // The hash of everything added so far, as 16 lower-case hex digits.
  std::string HexDigest();

 private:
  void Flush();
  void Put(const void* bytes, size_t size);

  struct State;
  std::unique_ptr<State> state_;
  // Cells are batched into one XXH3 update per 64 KiB: most cells are 9 bytes, and a call
  // per cell would cost more than the hashing itself.
  std::unique_ptr<char[]> pending_;
  size_t pending_size_ = 0;
};

}  // namespace strata
