// Internal helpers for writing JSON text and checking UTF-8, shared by the JSON Lines reader
// and writer, the CSV writer (float formatting) and the profile (text lengths).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

// Appends `s` as a JSON string literal, quotes included. Control characters are escaped;
// bytes that are not valid UTF-8 become U+FFFD, so the output is always valid JSON even for
// a STRING column read from a Latin-1 file.
void AppendJsonString(std::string* out, std::string_view s);

// The offset of the first byte of `s` that does not begin a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points past U+10FFFF are ill-formed), or npos.
size_t FindInvalidUtf8(std::string_view s);

// Code points in `s`: the bytes that are not UTF-8 continuation bytes. For valid UTF-8 that
// is the character count users see in an editor (combining marks aside).
int64_t CountCodePoints(std::string_view s);

// Appends the shortest text that reads back as exactly `v` (fmt's "{}"), with ".0" added
// to integral values so that a FLOAT64 column read back stays FLOAT64 instead of INT64.
// Only for finite values; callers decide what non-finite values become.
void AppendShortestFloat(std::string* out, double v);

}  // namespace strata
