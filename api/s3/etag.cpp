#include "api/s3/etag.h"

#include "common/strings.h"

namespace sealstack::api::s3 {

std::string Quoted(std::string_view etag) {
  std::string q;  // (not "\"" + string: GCC 12 reports a false -Wrestrict at -O3)
  q.reserve(etag.size() + 2);
  q += '"';
  q += etag;
  q += '"';
  return q;
}

std::string Unquoted(std::string_view etag) {
  etag = Trim(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace sealstack::api::s3
