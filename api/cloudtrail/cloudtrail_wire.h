// The CloudTrail wire edge (awsJson1_1, X-Amz-Target
// com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>): LookupEvents over the audit
// trail (audit/recorder.h; the record shape and the lookup are described in docs/audit.md).
//
// Authorization: cloudtrail:LookupEvents through the access check (api/common/access.h): the
// caller's identity policies (an account root needs none); each account sees only the events
// recorded for it (recipientAccountId).
//
// Thread safety: stateless; the Recorder is thread-safe.
#pragma once

#include <string_view>

#include "api/common/access.h"
#include "api/common/caller.h"
#include "api/common/errors.h"
#include "api/common/wire.h"
#include "audit/recorder.h"

namespace sealstack::api::cloudtrail {

// REQUIRES: caller.principal != nullptr.
ApiResponse HandleCloudTrailRequest(audit::Recorder& recorder, AccessCheck& access,
                                    const Caller& caller, std::string_view operation,
                                    std::string_view body, const RequestIds& ids);

}  // namespace sealstack::api::cloudtrail
