// SigV2 (HmacV1) as pure functions, for S3 presigned URLs with AWSAccessKeyId / Signature /
// Expires (docs/protocol-notes.md; botocore auth.py HmacV1Auth / HmacV1QueryAuth).
//
// Thread safety: all functions are reentrant.
#pragma once

#include <string>
#include <string_view>

#include "auth/http_request.h"

namespace sealstack::auth::sigv2 {

// True for the sub-resources that take part in the canonical resource (botocore QSAOfInterest:
// acl, uploads, uploadId, partNumber, versionId, response-content-type, tagging, delete, ...).
bool IsSubResource(std::string_view name);

// bucket_prefix ("/bucket" for virtual-hosted requests, "" for path style) + the raw path,
// then '?' and the sub-resources of the raw query sorted by name ("name" or "name=decoded").
std::string CanonicalResource(std::string_view bucket_prefix, std::string_view raw_path,
                              std::string_view raw_query);

// METHOD\nContent-MD5\nContent-Type\nExpires\n[x-amz-*:v\n sorted]CanonicalResource.
// Content-MD5, Content-Type and x-amz-* values come from the headers, or from query parameters
// of the same (lower-case) name, as botocore moves them into the presigned URL.
std::string StringToSign(const HttpRequestHead& head, std::string_view expires,
                         std::string_view canonical_resource);

// base64(HMAC-SHA1(secret, string_to_sign)).
std::string Sign(std::string_view secret, std::string_view string_to_sign);

}  // namespace sealstack::auth::sigv2
