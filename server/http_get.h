// HttpGet: one GET over HTTP/1.1 (http:// or https://, the system's CA store and the host name
// checked), for the `sealstack posture` command. Small and blocking: it reads the whole answer,
// which is a report, not an object.
#pragma once

#include <string>

#include "common/result.h"

namespace sealstack::server {

struct HttpGetResponse {
  int status = 0;
  std::string body;
};

// GETs `path` (with its query) from `endpoint` ("http://host:port"); an error Status says why
// the server could not be reached or answered unreadably.
Result<HttpGetResponse> HttpGet(const std::string& endpoint, const std::string& path,
                                int timeout_s);

}  // namespace sealstack::server
