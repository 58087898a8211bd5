// The answers of the AWS Query protocol services (IAM, STS) that are the same for each: the 200
// document every operation answers with, and the error of an action the service does not know.
//
//   <ACTIONResponse xmlns="XMLNS">
//     <ACTIONResult> ...what the operation writes... </ACTIONResult>   (left out: no result)
//     <ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata>
//   </ACTIONResponse>
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/common/errors.h"
#include "api/common/wire.h"
#include "api/common/xml_writer.h"

namespace sealstack::api {

// 200 text/xml with the request id headers. `result` null: an operation that answers nothing.
ApiResponse QueryResponse(std::string_view xmlns, std::string_view action, const RequestIds& ids,
                          const std::function<void(XmlWriter&)>& result);

// 400 InvalidAction "Could not find operation ACTION for version VERSION" (no Version:
// NO_VERSION_SPECIFIED), as AWS answers an unknown action or version.
ApiResponse InvalidActionError(std::string_view action, const std::optional<std::string>& version,
                               const RequestIds& ids);

}  // namespace sealstack::api
