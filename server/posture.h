// The encryption posture report and a key's blast radius (docs/posture.md):
//
//   GET /_sealstack/posture[?account=ACCT]          findings, in the spirit of AWS Config's
//                                                   managed rules and Security Hub's controls
//   GET /_sealstack/keys/<key id|ARN>/dependents    every object version, catalog entry, Glue
//                                                   job / security configuration and grant
//                                                   that needs the key
//
// Both read through the typed services (posture_inventory.h) and render no key material.
// Thread safety: plain functions over a ServerContext whose members are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common/errors.h"
#include "auth/http_request.h"
#include "common/result.h"
#include "server/context.h"

namespace sealstack::server {

enum class Severity { kCritical = 0, kHigh = 1, kMedium = 2, kLow = 3 };
std::string_view SeverityName(Severity s);  // "critical", "high", "medium", "low"
std::optional<Severity> ParseSeverity(std::string_view s);

struct Finding {
  std::string id;  // rule id: "kms-pending-deletion-in-use", "s3-sse-c-allowed", ...
  Severity severity = Severity::kLow;
  std::string resource;  // ARN
  std::string account;
  std::string reason;  // one line
  std::string fix;     // one line
  // Optional facts: counts ({"object_versions": 3}) and the first few names.
  std::map<std::string, int64_t> counts;
  std::vector<std::string> examples;
};

struct PostureReport {
  std::vector<Finding> findings;           // most severe first, then by id and resource
  std::map<std::string, int64_t> scanned;  // "buckets", "object_versions", "keys", ...
  double elapsed_ms = 0;
};

// The report for every account, or for `account` ("" = all).
Result<PostureReport> BuildPostureReport(ServerContext& context, const std::string& account);
std::string PostureReportJson(const PostureReport& report, const std::string& account,
                              const std::string& generated_at);

// The admin routes of this file and the console's (console.h): posture, keys/..., buckets/...,
// glue, console/... nullopt when `admin_path` is none of them.
std::optional<api::ApiResponse> HandleViews(ServerContext& context,
                                            const auth::HttpRequestHead& head,
                                            std::string_view admin_path, std::string_view body,
                                            const api::RequestIds& ids);

}  // namespace sealstack::server
