// Time stamps in the formats AWS puts on the wire.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace sealstack {

// "20150830T123600Z" (SigV4 X-Amz-Date) <-> time point. nullopt when malformed.
std::optional<SystemTime> ParseAmzDate(std::string_view s);
std::string FormatAmzDate(SystemTime t);
// "2015-08-30T12:36:00Z" / "2015-08-30T12:36:00.123Z" (ISO 8601, UTC).
std::optional<SystemTime> ParseIso8601(std::string_view s);
std::string FormatIso8601(SystemTime t, bool with_millis = false);
// "Sun, 30 Aug 2015 12:36:00 GMT" (HTTP Date header, RFC 7231).
std::optional<SystemTime> ParseHttpDate(std::string_view s);
std::string FormatHttpDate(SystemTime t);
// Seconds since the epoch as AWS JSON 1.1 writes timestamps (fractions allowed).
double ToEpochSeconds(SystemTime t);

}  // namespace sealstack
