// ETags are stored unquoted and sent (headers, XML) and compared (If-Match, ...) quoted.
#pragma once

#include <string>
#include <string_view>

namespace sealstack::api::s3 {

std::string Quoted(std::string_view etag);
// Strips surrounding whitespace and one pair of double quotes, if present.
std::string Unquoted(std::string_view etag);

}  // namespace sealstack::api::s3
