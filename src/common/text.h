// ASCII case folding for names and keywords (option names, model types, formats, SQL
// keywords): the one copy every subsystem uses. Bytes outside ASCII are left as they are.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace strata {

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace strata
