// Glue calls as audit records (audit/event.h): the CloudTrail shape of Glue management events.
//
// Service::Call records every operation (eventSource glue.amazonaws.com, eventName = the
// operation): a call that changes state writes its record in the transaction of its change
// (audit::PendingCall; the operations' transactions run through Service::Mutate); reads, calls
// that changed nothing and failures (errorCode/errorMessage as the wire reports them) are queued
// after the call. The KMS calls Glue makes for a caller are recorded by kms::ServiceKmsClient
// (api/kms/kms_audit.h), invokedBy glue.amazonaws.com.
//
// Thread safety: stateless functions.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "audit/request_json.h"

namespace sealstack::api::glue {

inline constexpr std::string_view kGlueEventSource = "glue.amazonaws.com";
// What CloudTrail shows in place of a secret request member.
inline constexpr std::string_view kHiddenValue = audit::kHiddenValue;

// Get*, List*, BatchGet*: readOnly events.
bool IsReadOnlyOperation(std::string_view operation);

// requestParameters: the request's members lower-camel (the keys of caller-defined maps such as
// DefaultArguments, Tags, Parameters and ConnectionProperties verbatim), every secret member
// (a name holding PASSWORD, SECRET, TOKEN other than NextToken, AuthorizationCode) replaced by
// kHiddenValue.
std::string GlueRequestParameters(const rapidjson::Value& request);
// responseElements for a response body: the same transform when the body is a small
// (<= 1 KiB), non-empty object; "" (null) otherwise.
std::string GlueResponseElements(std::string_view response_body);

}  // namespace sealstack::api::glue
