// The audit side of the AWS Query protocol services (IAM, STS): the CloudTrail event of one call
// from its form parameters, and the error code / message of a rendered Query error.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/common/caller.h"
#include "api/common/errors.h"
#include "api/common/wire.h"
#include "audit/event.h"
#include "audit/pending_call.h"

namespace sealstack::api {

// Who (the caller), what (event_source, action, region; readOnly for Get*/List*), and
// requestParameters: the scalar form members (not Action/Version, not list members such as
// Tags.member.1.Key) in lower camel case. Query requests of IAM and STS carry no secrets.
audit::Event QueryEvent(const Caller& caller, std::string_view event_source,
                        const std::string& action, std::string_view region,
                        const std::vector<std::pair<std::string, std::string>>& params,
                        const RequestIds& ids);

// The text of the first <element> of an XML document, XML entities undone ("" when absent):
// the Code and Message of a rendered Query error.
std::string XmlElementText(std::string_view xml, std::string_view element);

// Ends the audited call `call` that was answered with `out`: unless its own transaction already
// wrote the event, an error answer's Code and Message are recorded (with no responseElements)
// and the event is queued.
void FinishQueryCall(audit::PendingCall& call, const ApiResponse& out);

}  // namespace sealstack::api
