// XmlDocument / XmlNode: a small, defensive reader for the XML request bodies S3 accepts
// (CreateBucketConfiguration, ServerSideEncryptionConfiguration, Delete, CompleteMultipartUpload).
//
// Safety rules, applied by XmlDocument::Parse before any caller sees a node:
// - No DOCTYPE, hence no entity declarations: a document carrying one is rejected outright
//   (XXE and "billion laughs" never get as far as expansion; pugixml itself expands only the
//   five predefined entities and numeric character references).
// - No processing instructions other than the optional <?xml ...?> declaration.
// - Element nesting deeper than `max_depth` (root = depth 1) and more than `max_elements`
//   elements in total are rejected.
// - The text must be valid UTF-8 and carry exactly one root element.
// - The body size limit is the caller's (the HTTP layer caps the body before parsing).
//
// Every failure is Status kInvalidArgument with detail kDetailMalformedXml; the message is for
// logs and tests, not for clients (S3 answers MalformedXML with its own fixed wording).
//
// Namespaces: elements are matched by local name; a prefix ("s3:Key") and xmlns attributes are
// ignored, as S3 does not insist on its namespace in requests.
//
// Whitespace-only text is kept (an S3 key may be " "); Text() of a leaf returns it verbatim.
//
// Thread safety: a parsed XmlDocument is immutable; XmlNode values are views into it and must
// not outlive it. Distinct documents may be used from distinct threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pugi {
struct xml_node_struct;
class xml_document;
}  // namespace pugi

namespace sealstack::api {

// Status::detail() for a body that is not well-formed or breaks the expected schema.
// (1 and 2 are the JSON request errors in json_input.h.)
inline constexpr int kDetailMalformedXml = 3;

// A kInvalidArgument Status with detail kDetailMalformedXml.
Status MalformedXml(std::string message);

struct XmlLimits {
  size_t max_depth = 32;          // root element is depth 1
  size_t max_elements = 100'000;  // all elements in the document
};

// A view of one element. Default-constructed nodes are empty (valid() == false).
class XmlNode {
 public:
  XmlNode() = default;

  bool valid() const { return node_ != nullptr; }
  // Local name: "Key" for both <Key> and <s3:Key>.
  std::string_view name() const;
  // Concatenation of the element's own text and CDATA children (not its descendants').
  std::string Text() const;

  // The first child element named `name`; an invalid node when there is none.
  XmlNode Child(std::string_view name) const;
  // All child elements named `name`, in document order.
  std::vector<XmlNode> Children(std::string_view name) const;
  // All child elements, in document order.
  std::vector<XmlNode> Children() const;
  size_t CountChildren(std::string_view name) const;

  // Text of the first child `name`; nullopt when absent.
  std::optional<std::string> ChildText(std::string_view name) const;
  // "true"/"false" (case-insensitive, surrounding whitespace ignored); nullopt when absent,
  // MalformedXml otherwise.
  Result<std::optional<bool>> ChildBool(std::string_view name) const;
  // A decimal integer in [min, max] (surrounding whitespace ignored); nullopt when absent,
  // MalformedXml when not a number or out of range.
  Result<std::optional<int64_t>> ChildInt(std::string_view name, int64_t min, int64_t max) const;

 private:
  friend class XmlDocument;
  explicit XmlNode(pugi::xml_node_struct* node) : node_(node) {}
  pugi::xml_node_struct* node_ = nullptr;
};

class XmlDocument {
 public:
  // REQUIRES: the caller has already bounded body.size().
  static Result<XmlDocument> Parse(std::string_view body, const XmlLimits& limits = {});

  XmlDocument(XmlDocument&&) noexcept;
  XmlDocument& operator=(XmlDocument&&) noexcept;
  ~XmlDocument();

  // The single root element.
  XmlNode root() const;

 private:
  XmlDocument();
  std::unique_ptr<pugi::xml_document> doc_;
};

}  // namespace sealstack::api
