// S3 domain errors: a Status whose detail() is an s3::ErrorKind; the S3 wire edge turns each
// into its HTTP status, <Code>, message and extra elements. KMS failures met while serving S3
// keep their kms::ErrorKind and are mapped to S3's "KMS.<Exception>" codes at the edge.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace sealstack::api::s3 {

enum class ErrorKind {
  kNone = 0,
  kInvalidArgument = 200,       // 400 InvalidArgument (+ArgumentName/ArgumentValue)
  kInvalidRequest,              // 400 InvalidRequest
  kInvalidEncryptionAlgorithm,  // 400 InvalidEncryptionAlgorithmError
  kSseCustomerKeyMismatch,      // 403 AccessDenied (wrong SSE-C key)
  kSseCBlocked,                 // 403 AccessDenied (bucket blocks SSE-C)
  kAccessDenied,                // 403 AccessDenied (bucket policy / identity policy)
  kNoSuchBucket,                // 404 (+BucketName)
  kNoSuchKey,                   // 404 (+Key)
  kNoSuchUpload,                // 404 (+UploadId)
  kNoSuchBucketPolicy,          // 404
  kBucketAlreadyOwnedByYou,     // 409 (+BucketName)
  kBucketAlreadyExists,         // 409 (+BucketName)
  kBucketNotEmpty,              // 409 (+BucketName)
  kInvalidBucketName,           // 400 (+BucketName)
  kInvalidLocationConstraint,   // 400
  kIllegalLocationConstraint,   // 400 IllegalLocationConstraintException
  kInvalidRange,                // 416 (+RangeRequested, ActualObjectSize)
  kPreconditionFailed,          // 412 (+Condition)
  kNotModified,                 // 304, no body
  kMalformedXml,                // 400 MalformedXML
  kMalformedPolicy,             // 400
  kInvalidPart,                 // 400
  kInvalidPartOrder,            // 400
  kEntityTooSmall,              // 400
  kEntityTooLarge,              // 400
  kBadDigest,                   // 400
  kInvalidDigest,               // 400
  kKeyTooLong,                  // 400 KeyTooLongError
  kMethodNotAllowed,            // 405
  kNotImplemented,              // 501
  kInvalidPartNumber,           // 416 InvalidPartNumber
  kMaxMessageLengthExceeded,    // 400
  kMissingContentLength,        // 411
  kSlowDown,                    // 503 (fault injection)
  kInternalError,               // 500 (fault injection)
  kInvalidUri,                  // 400 InvalidURI (+URI)
  kMetadataTooLarge,            // 400 MetadataTooLarge (+MaxSizeAllowed)
  kUserKeyMustBeSpecified,      // 400 (a DeleteObjects entry without a key)
  // Bucket configurations (bucket_config.h): "not configured" answers, 404 (+BucketName).
  kNoSuchCorsConfiguration,                // 404 NoSuchCORSConfiguration
  kNoSuchLifecycleConfiguration,           // 404
  kNoSuchTagSet,                           // 404
  kNoSuchWebsiteConfiguration,             // 404
  kReplicationConfigurationNotFound,       // 404 ReplicationConfigurationNotFoundError
  kObjectLockConfigurationNotFound,        // 404 ObjectLockConfigurationNotFoundError
  kOwnershipControlsNotFound,              // 404 OwnershipControlsNotFoundError
  kNoSuchPublicAccessBlockConfiguration,   // 404
  kNoSuchConfiguration,                    // 404 (analytics, metrics, inventory, tiering ids)
  kAccessControlListNotSupported,          // 400 (ACLs disabled: BucketOwnerEnforced)
  kInvalidBucketAclWithObjectOwnership,    // 400
  kInvalidBucketAclWithBlockPublicAccess,  // 400 InvalidBucketAclWithBlockPublicAccessError
  kInvalidTag,                             // 400
  kInvalidBucketState,                     // 409
  kInvalidTargetBucketForLogging,          // 400 (+TargetBucket)
  kCorsForbidden,                          // 403 AccessForbidden (+Method, ResourceType)
  kBadRequest,                             // 400 BadRequest (a preflight without Origin)
  kNoSuchVersion,                          // 404 (+Key, VersionId)
  // Browser uploads (POST Object, post_object.h).
  kMalformedPostRequest,                 // 400 MalformedPOSTRequest
  kIncorrectNumberOfFilesInPostRequest,  // 400 (no file part)
  kMaxPostPreDataLengthExceeded,         // 400 MaxPostPreDataLengthExceededError
  kInvalidPolicyDocument,                // 400 (a POST policy that does not parse)
  // Object Lock (object_lock.h).
  kNoSuchObjectLockConfiguration,  // 404 (a version without retention / legal hold)
};

// Extra XML elements, carried in the message after a marker so Status stays one string:
// "<message>\x1fName\x1eValue\x1fName\x1eValue". S3Error() builds it, SplitS3Error() undoes it.
Status S3Error(ErrorKind kind, std::string message,
               const std::vector<std::pair<std::string, std::string>>& details = {});
std::pair<std::string, std::vector<std::pair<std::string, std::string>>> SplitS3Error(
    const std::string& message);

// A detail name that the wire edge sends as a response header instead of an XML element: S3
// answers some errors with headers that say why (a read that meets a delete marker carries
// x-amz-delete-marker and x-amz-version-id). IsS3ErrorHeader() tells them apart and gives the
// header name.
std::string S3ErrorHeader(std::string_view header_name);
std::optional<std::string_view> IsS3ErrorHeader(std::string_view detail_name);

// How S3 reports a Status met while serving S3: an s3::ErrorKind, or a kms::ErrorKind from a KMS
// call S3 made for the caller ("KMS.DisabledException" 400, a KMS denial 403 AccessDenied, KMS
// throttling 503 SlowDown). nullopt for a generic Status, which the wire edge maps itself.
struct S3ErrorDescription {
  int http_status = 500;
  std::string code;     // "NoSuchKey", "AccessDenied", "KMS.DisabledException", ...
  std::string message;  // client-facing, without the extra elements
  std::vector<std::pair<std::string, std::string>> details{};  // extra XML elements, in order
  bool server_fault = false;
};
std::optional<S3ErrorDescription> DescribeS3Error(const Status& status);

// The S3 error code and message of a Status from s3::Service, for callers that report an S3
// failure in their own words (a Glue run: "AccessDenied: Access Denied"). A generic Status gets
// S3's generic answer for its StatusCode.
struct S3ErrorText {
  std::string code;
  std::string message;
};
S3ErrorText S3ErrorCodeAndMessage(const Status& status);

}  // namespace sealstack::api::s3
