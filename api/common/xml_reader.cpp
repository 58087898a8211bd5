#include "api/common/xml_reader.h"

#include <charconv>
#include <pugixml.hpp>

#include "common/strings.h"

namespace sealstack::api {

namespace {

// Parse everything so that the walk below can see (and refuse) DOCTYPE and processing
// instructions; keep whitespace-only text because keys may consist of blanks. Fragment mode
// makes text outside the root visible as nodes, so CheckTree can refuse it.
constexpr unsigned kParseOptions = pugi::parse_default | pugi::parse_ws_pcdata |
                                   pugi::parse_doctype | pugi::parse_pi | pugi::parse_declaration |
                                   pugi::parse_fragment;

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

// XML white space (space, tab, CR, LF) removed from both ends.
std::string_view TrimXmlSpace(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// Walks every node below the document without recursion, enforcing the limits and refusing
// node kinds we never accept.
Status CheckTree(const pugi::xml_document& doc, const XmlLimits& limits) {
  size_t elements = 0;
  size_t roots = 0;
  for (pugi::xml_node top = doc.first_child(); top; top = top.next_sibling()) {
    switch (top.type()) {
      case pugi::node_element:
        ++roots;
        break;
      case pugi::node_declaration:
        if (top != doc.first_child()) return MalformedXml("XML declaration not at the start");
        break;
      case pugi::node_pcdata:
        if (!TrimXmlSpace(top.value()).empty())
          return MalformedXml("text outside the root element");
        break;
      case pugi::node_doctype:
        return MalformedXml("DOCTYPE is not allowed");
      default:
        return MalformedXml("unexpected node outside the root element");
    }
  }
  if (roots != 1) return MalformedXml("expected exactly one root element");

  pugi::xml_node root = doc.document_element();
  pugi::xml_node node = root;
  size_t depth = 1;
  while (node) {
    switch (node.type()) {
      case pugi::node_element:
        if (++elements > limits.max_elements) return MalformedXml("too many elements");
        if (depth > limits.max_depth) return MalformedXml("elements nested too deeply");
        break;
      case pugi::node_pcdata:
      case pugi::node_cdata:
      case pugi::node_comment:
        break;
      case pugi::node_doctype:
        return MalformedXml("DOCTYPE is not allowed");
      default:
        return MalformedXml("processing instructions are not allowed");
    }
    // Pre-order step: down, else right, else up until a right sibling exists.
    if (node.first_child()) {
      node = node.first_child();
      ++depth;
      continue;
    }
    while (node && node != root && !node.next_sibling()) {
      node = node.parent();
      --depth;
    }
    if (!node || node == root) break;
    node = node.next_sibling();
  }
  return Status::Ok();
}

}  // namespace

Status MalformedXml(std::string message) {
  return Status(StatusCode::kInvalidArgument, kDetailMalformedXml, std::move(message));
}

// ---- XmlNode ----

std::string_view XmlNode::name() const {
  if (node_ == nullptr) return {};
  return LocalName(pugi::xml_node(node_).name());
}

std::string XmlNode::Text() const {
  std::string out;
  if (node_ == nullptr) return out;
  for (pugi::xml_node c = pugi::xml_node(node_).first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

XmlNode XmlNode::Child(std::string_view child_name) const {
  if (node_ == nullptr) return XmlNode();
  for (pugi::xml_node c = pugi::xml_node(node_).first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == child_name) {
      return XmlNode(c.internal_object());
    }
  }
  return XmlNode();
}

std::vector<XmlNode> XmlNode::Children(std::string_view child_name) const {
  std::vector<XmlNode> out;
  if (node_ == nullptr) return out;
  for (pugi::xml_node c = pugi::xml_node(node_).first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == child_name) {
      out.push_back(XmlNode(c.internal_object()));
    }
  }
  return out;
}

std::vector<XmlNode> XmlNode::Children() const {
  std::vector<XmlNode> out;
  if (node_ == nullptr) return out;
  for (pugi::xml_node c = pugi::xml_node(node_).first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) out.push_back(XmlNode(c.internal_object()));
  }
  return out;
}

size_t XmlNode::CountChildren(std::string_view child_name) const {
  size_t n = 0;
  if (node_ == nullptr) return n;
  for (pugi::xml_node c = pugi::xml_node(node_).first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == child_name) ++n;
  }
  return n;
}

std::optional<std::string> XmlNode::ChildText(std::string_view child_name) const {
  XmlNode c = Child(child_name);
  if (!c.valid()) return std::nullopt;
  return c.Text();
}

Result<std::optional<bool>> XmlNode::ChildBool(std::string_view child_name) const {
  std::optional<std::string> text = ChildText(child_name);
  if (!text) return std::optional<bool>();
  std::string_view v = TrimXmlSpace(*text);
  if (EqualsIgnoreCase(v, "true")) return std::optional<bool>(true);
  if (EqualsIgnoreCase(v, "false")) return std::optional<bool>(false);
  return MalformedXml(std::string(child_name) + " is not a boolean");
}

Result<std::optional<int64_t>> XmlNode::ChildInt(std::string_view child_name, int64_t min,
                                                 int64_t max) const {
  std::optional<std::string> text = ChildText(child_name);
  if (!text) return std::optional<int64_t>();
  std::string_view v = TrimXmlSpace(*text);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
    return MalformedXml(std::string(child_name) + " is not an integer");
  }
  if (value < min || value > max) {
    return MalformedXml(std::string(child_name) + " is out of range");
  }
  return std::optional<int64_t>(value);
}

// ---- XmlDocument ----

XmlDocument::XmlDocument() : doc_(std::make_unique<pugi::xml_document>()) {}
XmlDocument::XmlDocument(XmlDocument&&) noexcept = default;
XmlDocument& XmlDocument::operator=(XmlDocument&&) noexcept = default;
XmlDocument::~XmlDocument() = default;

Result<XmlDocument> XmlDocument::Parse(std::string_view body, const XmlLimits& limits) {
  if (!IsValidUtf8(body)) return MalformedXml("body is not valid UTF-8");
  XmlDocument doc;
  pugi::xml_parse_result parsed =
      doc.doc_->load_buffer(body.data(), body.size(), kParseOptions, pugi::encoding_utf8);
  if (!parsed) {
    return MalformedXml(std::string("not well-formed: ") + parsed.description() + " at offset " +
                        std::to_string(parsed.offset));
  }
  SEALSTACK_RETURN_IF_ERROR(CheckTree(*doc.doc_, limits));
  return doc;
}

XmlNode XmlDocument::root() const {
  return XmlNode(doc_->document_element().internal_object());
}

}  // namespace sealstack::api
