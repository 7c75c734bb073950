#include "data/value_parser.h"

#include <fast_float/fast_float.h>

#include <charconv>
#include <cmath>

namespace strata {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[pos...] into *out.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Parses "YYYY-MM-DD" at the start of s; returns days and sets *consumed.
bool ParseDatePrefix(std::string_view s, int64_t* days, size_t* consumed) {
  int y, m, d;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &m) ||
      s[7] != '-' || !Digits(s, 8, 2, &d)) {
    return false;
  }
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  *consumed = 10;
  return true;
}

}  // namespace

bool ParseBoolValue(std::string_view text, bool* out) {
  text = TrimSpaces(text);
  auto eq = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      char c = text[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != word[i]) return false;
    }
    return true;
  };
  if (eq("true")) {
    *out = true;
    return true;
  }
  if (eq("false")) {
    *out = false;
    return true;
  }
  return false;
}

bool ParseInt64Value(std::string_view text, int64_t* out) {
  text = TrimSpaces(text);
  if (text.empty()) return false;
  size_t start = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (start == text.size()) return false;
  // A leading zero followed by more digits would be lost ("007" -> 7): not an integer.
  if (text[start] == '0' && text.size() > start + 1) return false;
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, *out);
  return ec == std::errc() && ptr == last;
}

bool ParseFloat64Value(std::string_view text, double* out) {
  text = TrimSpaces(text);
  if (text.empty()) return false;
  size_t start = (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (start == text.size()) return false;
  // "007.5" would lose its zeros; "0.5" and "0e1" are fine.
  if (text[start] == '0' && text.size() > start + 1 && IsDigit(text[start + 1])) return false;
  // fast_float rejects a leading '+'; skip it ourselves.
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);
  const char* last = text.data() + text.size();
  if (first < last && *first == '+') return false;  // "++1"
  auto answer = fast_float::from_chars(first, last, *out);
  if (answer.ec != std::errc() || answer.ptr != last) return false;
  // fast_float accepts "nan"; NaN is a null token, never a number, in Strata.
  return !std::isnan(*out);
}

bool ParseDateValue(std::string_view text, int64_t* days) {
  text = TrimSpaces(text);
  size_t consumed = 0;
  return text.size() == 10 && ParseDatePrefix(text, days, &consumed);
}

bool ParseTimestampValue(std::string_view text, int64_t* micros) {
  text = TrimSpaces(text);
  int64_t days;
  size_t pos = 0;
  if (!ParseDatePrefix(text, &days, &pos)) return false;
  if (pos == text.size()) {  // a plain date is midnight UTC, so DATE widens to TIMESTAMP
    *micros = days * 86400 * 1000000;
    return true;
  }
  if (text[pos] != 'T' && text[pos] != ' ' && text[pos] != 't') return false;
  ++pos;
  int hh, mm, ss = 0;
  if (!Digits(text, pos, 2, &hh) || pos + 2 >= text.size() || text[pos + 2] != ':' ||
      !Digits(text, pos + 3, 2, &mm)) {
    return false;
  }
  pos += 5;
  int64_t frac_micros = 0;
  if (pos < text.size() && text[pos] == ':') {
    if (!Digits(text, pos + 1, 2, &ss)) return false;
    pos += 3;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      size_t digits = 0;
      int64_t scale = 100000;
      while (pos < text.size() && IsDigit(text[pos])) {
        // Digits past microseconds are dropped (TIMESTAMP has microsecond precision).
        if (digits < 6) frac_micros += (text[pos] - '0') * scale;
        scale /= 10;
        ++digits;
        ++pos;
      }
      if (digits == 0) return false;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return false;  // 60: leap second, folded into the next
  int64_t offset_minutes = 0;
  if (pos < text.size()) {
    char c = text[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      int oh, om = 0;
      if (!Digits(text, pos + 1, 2, &oh)) return false;
      pos += 3;
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (pos < text.size()) {
        if (!Digits(text, pos, 2, &om)) return false;
        pos += 2;
      }
      if (oh > 23 || om > 59) return false;
      offset_minutes = (c == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
      return false;
    }
  }
  if (pos != text.size()) return false;
  int64_t seconds = days * 86400 + hh * 3600 + mm * 60 + ss - offset_minutes * 60;
  *micros = seconds * 1000000 + frac_micros;
  return true;
}

bool FitsType(std::string_view text, DataType type) {
  bool b;
  int64_t i;
  double d;
  switch (type) {
    case DataType::kBool: return ParseBoolValue(text, &b);
    case DataType::kInt64: return ParseInt64Value(text, &i);
    case DataType::kFloat64: return ParseFloat64Value(text, &d);
    case DataType::kDate: return ParseDateValue(text, &i);
    case DataType::kTimestamp: return ParseTimestampValue(text, &i);
    case DataType::kString: return true;
  }
  return true;
}

DataType InferValueType(std::string_view text) {
  std::string_view t = TrimSpaces(text);
  if (t.empty()) return DataType::kString;
  char c = t[0];
  if (IsDigit(c) || c == '-' || c == '+' || c == '.' || c == 'i' || c == 'I') {
    if (FitsType(t, DataType::kInt64)) return DataType::kInt64;
    // An integer too long for INT64 would lose digits as FLOAT64: keep it as text.
    // (Only a sign followed by digits: "2024-03-01" is made of digits and '-' too.)
    size_t digits_from = (c == '-' || c == '+') ? 1 : 0;
    if (t.size() > digits_from &&
        t.find_first_not_of("0123456789", digits_from) == std::string_view::npos) {
      return DataType::kString;
    }
    if (FitsType(t, DataType::kFloat64)) return DataType::kFloat64;
    if (FitsType(t, DataType::kDate)) return DataType::kDate;
    if (FitsType(t, DataType::kTimestamp)) return DataType::kTimestamp;
    return DataType::kString;
  }
  if (FitsType(t, DataType::kBool)) return DataType::kBool;
  return DataType::kString;
}

DataType MergeValueType(std::optional<DataType> current, std::string_view text) {
  if (current && FitsType(text, *current)) return *current;
  DataType t = InferValueType(text);
  return current ? WidenType(*current, t) : t;
}

}  // namespace strata
