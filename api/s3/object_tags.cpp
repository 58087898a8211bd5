#include "api/s3/object_tags.h"

#include <set>

#include "api/common/xml_reader.h"
#include "api/common/xml_writer.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_xml.h"
#include "auth/http_request.h"
#include "common/strings.h"

namespace sealstack::api::s3 {

namespace {

Status InvalidTagError(std::string message) {
  return S3Error(ErrorKind::kInvalidTag, std::move(message));
}

// S3 counts tag lengths in UTF-16 units: a character outside the BMP (a 4-byte UTF-8
// sequence) counts twice. The text is valid UTF-8 (headers and XML are checked before).
size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;  // count lead bytes only
  }
  return n;
}

Status TaggingHeaderInvalid(std::string_view header) {
  return S3Error(ErrorKind::kInvalidArgument,
                 "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
                 "parameters without tag name duplicates.",
                 {{"ArgumentName", "x-amz-tagging"}, {"ArgumentValue", std::string(header)}});
}

bool FormDecode(std::string_view in, std::string* out) {
  std::string plus_as_space(in);
  for (char& c : plus_as_space) {
    if (c == '+') c = ' ';
  }
  return auth::UriDecode(plus_as_space, out);
}

}  // namespace

Status ValidateTagSet(const TagSet& tags, size_t max_tags, const Status& too_many) {
  if (tags.size() > max_tags) return too_many;
  std::set<std::string_view> keys;
  for (const auto& [key, value] : tags) {
    if (key.empty()) return InvalidTagError("The TagKey you have provided is invalid");
    if (Utf16Length(key) > 128) {
      return InvalidTagError("The TagKey you have provided is too long, max 128");
    }
    if (Utf16Length(value) > 256) {
      return InvalidTagError("The TagValue you have provided is too long, max 256");
    }
    if (StartsWith(key, "aws:")) {
      return InvalidTagError("System tags cannot be added/updated by requester");
    }
    if (!keys.insert(key).second) {
      return InvalidTagError("Cannot provide multiple Tags with the same key");
    }
  }
  return Status::Ok();
}

Status ValidateObjectTags(const TagSet& tags) {
  return ValidateTagSet(tags, kMaxObjectTags,
                        S3Error(ErrorKind::kBadRequest, "Object tags cannot be greater than 10"));
}

Result<TagSet> ParseTaggingHeader(std::string_view header) {
  TagSet tags;
  std::set<std::string> names;
  for (std::string_view pair : Split(header, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string key, value;
    if (!FormDecode(pair.substr(0, eq), &key) ||
        (eq != std::string_view::npos && !FormDecode(pair.substr(eq + 1), &value)) ||
        !names.insert(key).second) {
      return TaggingHeaderInvalid(header);
    }
    tags.emplace_back(std::move(key), std::move(value));
  }
  SEALSTACK_RETURN_IF_ERROR(ValidateObjectTags(tags));
  return tags;
}

Result<TagSet> ReadTagSet(const XmlNode& tagging) {
  const XmlNode set = tagging.Child("TagSet");
  if (!set.valid()) return MalformedXml("Tagging lacks TagSet");
  TagSet tags;
  for (const XmlNode& t : set.Children("Tag")) {
    std::optional<std::string> key = t.ChildText("Key");
    std::optional<std::string> value = t.ChildText("Value");
    if (!key || !value) return MalformedXml("Tag lacks Key or Value");
    tags.emplace_back(std::move(*key), std::move(*value));
  }
  return tags;
}

Result<TagSet> ParseTaggingXml(std::string_view body) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, XmlDocument::Parse(body));
  if (doc.root().name() != "Tagging") return MalformedXml("unexpected root element");
  SEALSTACK_ASSIGN_OR_RETURN(TagSet tags, ReadTagSet(doc.root()));
  SEALSTACK_RETURN_IF_ERROR(ValidateObjectTags(tags));
  return tags;
}

std::string RenderTaggingXml(const TagSet& tags) {
  XmlWriter w;
  w.Open("Tagging", kS3Xmlns).Open("TagSet");
  for (const auto& [key, value] : tags) {
    w.Open("Tag").Element("Key", key).Element("Value", value).Close();
  }
  return w.Finish();
}

std::vector<std::pair<std::string, std::string>> RequestTagConditionKeys(const TagSet& tags) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& [key, value] : tags) {
    keys.emplace_back("s3:RequestObjectTag/" + key, value);
    keys.emplace_back("s3:RequestObjectTagKeys", key);
  }
  return keys;
}

std::vector<std::pair<std::string, std::string>> ExistingTagConditionKeys(const TagSet& tags) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& [key, value] : tags) keys.emplace_back("s3:ExistingObjectTag/" + key, value);
  return keys;
}

}  // namespace sealstack::api::s3
