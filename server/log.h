// Log: lines on stderr, one write(2) each so concurrent lines never interleave.
//
// Never log secrets: request bodies, Authorization headers, keys and plaintext stay out; the
// request line logs the method, path or target, status, duration, request id and principal.
// Thread-safe.
#pragma once

#include <string_view>

#include "server/config.h"

namespace sealstack::server {

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message);

}  // namespace sealstack::server
