// The CloudWatch Logs wire edge (awsJson1_1, X-Amz-Target Logs_20140328.<Op>, signing name
// "logs"): read the body into the operation's typed input, call logs::Service, render errors as
// CloudWatch Logs does: {"__type": "...Exception", "message": "..."}, HTTP 400.
#pragma once

#include <string_view>

#include "api/common/errors.h"
#include "api/common/wire.h"
#include "api/logs/logs_service.h"

namespace sealstack::api::logs {

ApiResponse HandleLogsRequest(Service& service, const Caller& caller, std::string_view operation,
                              std::string_view body, const RequestIds& ids);

WireError LogsStatusToWire(const Status& status);

}  // namespace sealstack::api::logs
