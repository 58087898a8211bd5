// IAM over the AWS Query protocol (Version 2010-05-08, signing name "iam", global): parses the
// form parameters, calls iam::Service, renders the XML botocore's iam model reads, and maps
// iam::ErrorKind to AWS's codes (iam_errors.h).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/common/caller.h"
#include "api/common/errors.h"
#include "api/common/wire.h"
#include "api/iam/iam_service.h"
#include "audit/recorder.h"

namespace sealstack::api::iam {

// With a recorder, every call except none is recorded as a CloudTrail management event
// (eventSource iam.amazonaws.com, awsRegion us-east-1 as IAM is global): a call that changes
// state in the transaction of its change (audit::PendingCall), reads and failures queued.
// requestParameters: the request's scalar members in lower camel case (IAM requests carry no
// secrets); responseElements: null, except CreateAccessKey's key id and status (no secret).
ApiResponse HandleIamQuery(Service& service, const Caller& caller,
                           const std::vector<std::pair<std::string, std::string>>& params,
                           const RequestIds& ids, audit::Recorder* recorder = nullptr);

// AWS returns policy documents URL-encoded (RFC 3986); SDKs decode them.
std::string EncodePolicyDocument(std::string_view doc);

}  // namespace sealstack::api::iam
