#include "api/common/query_audit.h"

#include <cctype>

namespace sealstack::api {

audit::Event QueryEvent(const Caller& caller, std::string_view event_source,
                        const std::string& action, std::string_view region,
                        const std::vector<std::pair<std::string, std::string>>& params,
                        const RequestIds& ids) {
  audit::Event e;
  e.principal = caller.principal;
  e.source_ip = caller.source_ip;
  e.user_agent = caller.user_agent;
  e.event_source = std::string(event_source);
  e.event_name = action;
  e.region = std::string(region);
  e.read_only = action.rfind("Get", 0) == 0 || action.rfind("List", 0) == 0;
  e.request_id = ids.request_id;
  audit::ParamsBuilder b;
  for (const auto& [k, v] : params) {
    if (k == "Action" || k == "Version" || k.empty() || k.find('.') != std::string::npos) continue;
    std::string name = k;
    name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    b.String(name, v);
  }
  e.request_parameters = b.Build();
  return e;
}

std::string XmlElementText(std::string_view xml, std::string_view element) {
  const std::string open = "<" + std::string(element) + ">";
  const size_t a = xml.find(open);
  if (a == std::string_view::npos) return "";
  const size_t start = a + open.size();
  const size_t b = xml.find("</" + std::string(element) + ">", start);
  if (b == std::string_view::npos) return "";
  std::string text(xml.substr(start, b - start));
  // Undo XmlWriter's escaping of the five XML entities.
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}, {"&amp;", '&'}};
  for (const auto& [entity, ch] : kEntities) {
    for (size_t i = text.find(entity); i != std::string::npos; i = text.find(entity, i + 1)) {
      text.replace(i, entity.size(), 1, ch);
    }
  }
  return text;
}

void FinishQueryCall(audit::PendingCall& call, const ApiResponse& out) {
  if (call.written()) return;
  if (out.status >= 400) {
    call.event().error_code = XmlElementText(out.body, "Code");
    call.event().error_message = XmlElementText(out.body, "Message");
    call.event().response_elements.clear();
  }
  call.Finish();
}

}  // namespace sealstack::api
