// Parses a raw HTTP/1.1 request head ("METHOD target HTTP/1.1\r\n" header lines, blank line) as
// the fuzz targets take it: lenient (LF or CRLF, anything goes), never fails. Returns the head and
// sets *body to what follows the blank line.
#pragma once

#include <string>
#include <string_view>

#include "auth/http_request.h"

namespace sealstack::fuzz {

inline std::string_view NextLine(std::string_view* in) {
  size_t nl = in->find('\n');
  std::string_view line = in->substr(0, nl);
  in->remove_prefix(nl == std::string_view::npos ? in->size() : nl + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

inline auth::HttpRequestHead ParseHead(std::string_view in, std::string_view* body) {
  auth::HttpRequestHead head;
  std::string_view request_line = NextLine(&in);
  size_t sp = request_line.find(' ');
  head.method = std::string(request_line.substr(0, sp));
  if (sp != std::string_view::npos) {
    std::string_view rest = request_line.substr(sp + 1);
    head.target = std::string(rest.substr(0, rest.rfind(" HTTP/")));
  }
  while (!in.empty()) {
    std::string_view line = NextLine(&in);
    if (line.empty()) break;
    size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    head.headers.emplace_back(std::string(name), std::string(value));
  }
  if (body != nullptr) *body = in;
  return head;
}

}  // namespace sealstack::fuzz
