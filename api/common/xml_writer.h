// XmlWriter: builds the small XML documents S3, STS and error bodies need, escaping text.
//
// Not a general XML library: elements and text only, no attributes except on the root
// (xmlns). Not thread-safe; one writer per response.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sealstack::api {

class XmlWriter {
 public:
  XmlWriter();  // starts with the <?xml ...?> declaration
  // <name xmlns="ns"> ... ; xmlns omitted when empty.
  XmlWriter& Open(std::string_view name, std::string_view xmlns = {});
  XmlWriter& Close();  // closes the innermost open element
  XmlWriter& Element(std::string_view name, std::string_view text);  // <name>text</name>
  std::string Finish();                                              // closes everything still open

 private:
  std::string out_;
  std::vector<std::string> open_;
};

void AppendXmlEscaped(std::string* out, std::string_view text);

}  // namespace sealstack::api
