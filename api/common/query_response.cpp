#include "api/common/query_response.h"

namespace sealstack::api {

ApiResponse QueryResponse(std::string_view xmlns, std::string_view action, const RequestIds& ids,
                          const std::function<void(XmlWriter&)>& result) {
  const std::string name(action);
  XmlWriter x;
  x.Open(name + "Response", xmlns);
  if (result) {
    x.Open(name + "Result");
    result(x);
    x.Close();
  }
  x.Open("ResponseMetadata").Element("RequestId", ids.request_id).Close();
  ApiResponse out;
  out.status = 200;
  out.body = x.Finish();
  out.SetHeader("Content-Type", "text/xml");
  AddRequestIdHeaders(Protocol::kQuery, ids, &out);
  return out;
}

ApiResponse InvalidActionError(std::string_view action, const std::optional<std::string>& version,
                               const RequestIds& ids) {
  const std::string v = version && !version->empty() ? *version : "NO_VERSION_SPECIFIED";
  return RenderError(
      Protocol::kQuery,
      {.http_status = 400,
       .code = "InvalidAction",
       .message = "Could not find operation " + std::string(action) + " for version " + v},
      ids);
}

}  // namespace sealstack::api
