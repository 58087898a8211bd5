// Object tags (x-amz-tagging, ?tagging): parsing, AWS's limits, and the policy condition keys
// they feed. Bucket tags share the per-tag rules (50 tags there, 10 on an object). Pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace sealstack::api {
class XmlNode;
}  // namespace sealstack::api

namespace sealstack::api::s3 {

// Key/value pairs in the order the request gave them.
using TagSet = std::vector<std::pair<std::string, std::string>>;

inline constexpr size_t kMaxObjectTags = 10;
inline constexpr size_t kMaxBucketTags = 50;

// AWS's per-tag rules with its InvalidTag messages: keys 1-128 and values 0-256 characters
// (UTF-16 units, as S3 counts them), unique keys, no "aws:" prefix. `max_tags` and
// `too_many` are the count limit and its error (BadRequest for objects, InvalidTag for buckets).
Status ValidateTagSet(const TagSet& tags, size_t max_tags, const Status& too_many);
// ValidateTagSet with the object limit: 400 BadRequest "Object tags cannot be greater than 10".
Status ValidateObjectTags(const TagSet& tags);

// The x-amz-tagging header: URL query parameters ("k1=v1&k2"; %XX and '+' decoded). A
// duplicate name or a bad escape is InvalidArgument naming the header; the tags are then
// checked with ValidateObjectTags.
Result<TagSet> ParseTaggingHeader(std::string_view header);

// The tags of a <Tagging> element (its <TagSet><Tag><Key/><Value/></Tag>...), unvalidated;
// MalformedXML when TagSet, a Key or a Value is missing. Bucket and object tagging share it.
Result<TagSet> ReadTagSet(const XmlNode& tagging);

// A <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging> body (PutObjectTagging,
// the POST form's `tagging` field). MalformedXML when it is not one; then ValidateObjectTags.
Result<TagSet> ParseTaggingXml(std::string_view body);
std::string RenderTaggingXml(const TagSet& tags);

// Policy condition keys: s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys for the tags a
// request sets; s3:ExistingObjectTag/<key> for the tags an object has.
std::vector<std::pair<std::string, std::string>> RequestTagConditionKeys(const TagSet& tags);
std::vector<std::pair<std::string, std::string>> ExistingTagConditionKeys(const TagSet& tags);

}  // namespace sealstack::api::s3
