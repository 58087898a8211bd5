// XmlWriter: builds the small XML documents S3, STS and error bodies need, escaping text.
//
// Not a general XML library: elements and text only, no attributes except on the root
// (xmlns). Not thread-safe; one writer per response.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sealstack::api {

class XmlWriter {
 public:
  XmlWriter();  // starts with the <?xml ...?> declaration
  // <name xmlns="ns"> ... ; xmlns omitted when empty.
  XmlWriter& Open(std::string_view name, std::string_view xmlns = {});
  // <name a="v" ...> with the attributes in the order given (values escaped); for the few S3
  // shapes that carry attributes (an ACL's <Grantee xmlns:xsi=... xsi:type=...>).
  XmlWriter& OpenWithAttributes(
      std::string_view name,
      std::initializer_list<std::pair<std::string_view, std::string_view>> attributes);
  XmlWriter& Close();  // closes the innermost open element
  XmlWriter& Element(std::string_view name, std::string_view text);  // <name>text</name>
  // Appends `xml` as is. REQUIRES: well-formed, already escaped (a fragment this process
  // rendered and stored, such as a bucket configuration).
  XmlWriter& Raw(std::string_view xml);
  std::string Finish();  // closes everything still open

 private:
  std::string out_;
  std::vector<std::string> open_;
};

void AppendXmlEscaped(std::string* out, std::string_view text);

}  // namespace sealstack::api
