// The KMS wire edge (awsJson1_1, X-Amz-Target TrentService.<Op>): parse and validate each
// operation's JSON, call kms::Service, render AWS's response shape, and map errors through the
// one KMS error table.
#pragma once

#include <optional>
#include <string_view>

#include "api/common/errors.h"
#include "api/common/json_input.h"
#include "api/common/wire.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_service.h"

namespace sealstack::api::kms {

// True for every operation name this edge implements.
bool IsKnownOperation(std::string_view operation);

ApiResponse HandleKmsRequest(Service& service, const Caller& caller, std::string_view operation,
                             std::string_view body, const RequestIds& ids);
// The same for a body parsed already (JsonInput::Parse's result, failure included), so that a
// caller that needs the document too (the audit record) parses it once.
ApiResponse HandleKmsRequest(Service& service, const Caller& caller, std::string_view operation,
                             Result<JsonInput> parsed, const RequestIds& ids);

// A Status from the service (or from JsonInput) as KMS reports it on the wire: the KMS error
// table's description (kms_errors.h, DescribeKmsError), or the generic JSON mapping for a Status
// the table does not claim.
WireError KmsStatusToWire(const Status& status);

}  // namespace sealstack::api::kms
