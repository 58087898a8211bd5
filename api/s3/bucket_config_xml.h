// The XML of bucket configurations (bucket_config.h): parsing and validating a Put's body as S3
// does, the canonical form stored for it, and the documents Get and List answer.
//
// Validation answers S3's errors (AWS S3 API reference, and the answers AWS recorded for the
// same requests in LocalStack's and moto's test suites):
// - a body that does not parse, has the wrong root, lacks a required element or has a value
//   outside an enumeration -> 400 MalformedXML;
// - values S3 checks by hand -> 400 InvalidArgument / InvalidRequest / InvalidTag with AWS's
//   message (each one is named beside its check in bucket_config_xml.cpp).
// Checks that need state (versioning for replication and object lock, the logging target
// bucket, the bucket's ACL against its ownership) are the service's.
//
// Pure functions. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/s3/bucket_acl.h"
#include "api/s3/bucket_config.h"
#include "api/s3/cors.h"
#include "common/result.h"

namespace sealstack::api::s3 {

// The validated, canonical configuration of a Put: root's children re-rendered (prefixes and
// whitespace between elements dropped). `id` is the request's ?id= for id-keyed kinds, which the
// document's <Id> must repeat. kAcl bodies go through ParseAccessControlPolicy instead.
Result<BucketConfigDocument> ParseBucketConfig(BucketConfigKind kind, std::string_view body,
                                               std::string_view id);

// <Root xmlns="..."> + inner + </Root>, with the XML declaration.
std::string RenderBucketConfig(const BucketConfigSpec& spec, std::string_view inner);

// The List answer of an id-keyed kind: <ListBucketAnalyticsConfigurationResult> (& co.) with
// each stored configuration under its element, IsTruncated false (S3 pages by 100; SealStack
// returns them all).
std::string RenderBucketConfigList(const BucketConfigSpec& spec,
                                   const std::vector<std::string>& inners);

// The document a kDefaultDocument kind answers when the bucket has none: empty for accelerate,
// logging and notification, <Payer>BucketOwner</Payer> for request payment.
std::string DefaultConfigInner(BucketConfigKind kind);

// <VersioningConfiguration xmlns="..."><Status>..</Status><MfaDelete>..</MfaDelete>
// </VersioningConfiguration>, each element only when set: an empty element for a bucket never
// versioned.
std::string RenderVersioningConfiguration(std::string_view status, std::string_view mfa_delete);

// ---- Facts the service reads back from stored documents (they were validated on Put).
std::vector<CorsRule> CorsRulesOf(std::string_view inner);
std::string ObjectOwnershipOf(std::string_view inner);  // "" when it does not parse
PublicAccessBlock PublicAccessBlockOf(std::string_view inner);
std::string LoggingTargetOf(std::string_view inner);  // "" when logging is off
// Canonical inner of OwnershipControls / PublicAccessBlockConfiguration (new buckets' defaults).
std::string OwnershipControlsInner(std::string_view ownership);
std::string PublicAccessBlockInner(const PublicAccessBlock& pab);

// ---- ACLs
// An AccessControlPolicy body (PutBucketAcl / PutObjectAcl): its grants. The grantee type comes
// from which of ID, URI or EmailAddress it names. MalformedXML when a grant lacks a grantee or a
// known Permission.
Result<std::vector<AclGrant>> ParseAccessControlPolicy(std::string_view body);
// The stored form of grants (<Grant>... without the xsi attributes) and back.
std::string GrantsInner(const std::vector<AclGrant>& grants);
std::vector<AclGrant> GrantsFromInner(std::string_view inner);
// GetBucketAcl / GetObjectAcl: <AccessControlPolicy><Owner><ID/></Owner><AccessControlList>
// <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">
// <ID/></Grantee><Permission/></Grant>...</AccessControlList></AccessControlPolicy>.
std::string RenderAccessControlPolicy(const std::string& owner_id,
                                      const std::vector<AclGrant>& grants);

}  // namespace sealstack::api::s3
