// `sealstack posture`: the posture report of a running SealStack, for a terminal or a CI gate
// (docs/posture.md).
//
//   sealstack posture --endpoint URL [--json] [--fail-on critical|high|medium|low] [--account A]
//
// Prints the findings as a table (or the report's JSON with --json). Exit status: 1 when a
// finding at or above --fail-on exists, 0 otherwise (always 0 without --fail-on); 2 on a usage
// error, a connection failure or an error answer.
#pragma once

#include <cstdio>

namespace sealstack::server {

// argv[0] is "posture".
int RunPostureCommand(int argc, const char* const* argv, std::FILE* out, std::FILE* err);

}  // namespace sealstack::server
