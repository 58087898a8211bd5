// Bucket configurations beyond encryption and policy: which ones S3 has, what each one's
// operations, IAM actions and "not configured" answer are, and how a bucket keeps them.
//
// Every configuration is an AWS XML document. SealStack validates a Put as S3 does
// (bucket_config_xml.h), then stores the document's canonical form (its root's children, no
// namespace, no declaration) in the bucket's JSON doc; a Get renders it back under its root with
// S3's namespace. One representation, so what a Get answers is exactly what was validated; the
// few facts the service acts on (ownership, public access block, CORS rules, versioning) are
// read back from it through the same parsers.
//
//   configs.documents["cors"]                    = "<CORSRule>...</CORSRule>"
//   configs.by_id["metrics"]["EntireBucket"]     = "<Id>EntireBucket</Id>..."
//
// Why the bucket doc and not a table: the documents are small (AWS caps each well under the
// 2 MiB body limit), always read with their bucket, and their lifetime is the bucket's; a row
// per configuration would add a migration, a join and a cascade for no query that needs it.
//
// Pure declarations and a constant table. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/s3/s3_errors.h"

namespace sealstack::api::s3 {

enum class BucketConfigKind {
  kAccelerate,
  kAcl,
  kCors,
  kLifecycle,
  kLogging,
  kNotification,
  kObjectLock,
  kOwnershipControls,
  kPublicAccessBlock,
  kReplication,
  kRequestPayment,
  kTagging,
  kWebsite,
  // Keyed by ?id= (several per bucket).
  kAnalytics,
  kIntelligentTiering,
  kInventory,
  kMetrics,
};

// What S3 answers for a configuration the bucket does not have.
enum class WhenAbsent {
  kNotFoundError,    // 404 with `absent_error` (NoSuchCORSConfiguration, ...)
  kDefaultDocument,  // 200 with the default document (logging, accelerate, request payment, ...)
};

struct BucketConfigSpec {
  BucketConfigKind kind;
  std::string_view sub_resource;  // "cors"
  std::string_view root;          // document root element, "CORSConfiguration"
  // AWS operation names; "" when S3 has no such operation.
  std::string_view get_op;
  std::string_view put_op;
  std::string_view delete_op;
  std::string_view list_op;  // id-keyed kinds
  // IAM actions (AWS's names: the Delete of most configurations is authorized as the Put).
  std::string_view get_action;
  std::string_view put_action;
  std::string_view delete_action;
  WhenAbsent when_absent;
  ErrorKind absent_error;  // with kNotFoundError
  std::string_view absent_message;
  bool keyed_by_id = false;
  // The model marks the Put checksum-required: without Content-MD5 or x-amz-checksum-* S3
  // answers 400 InvalidRequest.
  bool put_needs_checksum = false;
};

// The spec of `kind`; every kind has one.
const BucketConfigSpec& SpecOf(BucketConfigKind kind);
// The spec whose sub-resource is `sub_resource`, or nullptr.
const BucketConfigSpec* SpecForSubResource(std::string_view sub_resource);
// The spec that has `operation` (as Get, Put, Delete or List), or nullptr.
const BucketConfigSpec* SpecForOperation(std::string_view operation);

// The configurations a bucket has, as stored in its doc.
struct BucketConfigs {
  std::map<std::string, std::string> documents;                     // sub-resource -> inner XML
  std::map<std::string, std::map<std::string, std::string>> by_id;  // sub-resource -> id -> inner
};

// A validated configuration, ready to store: what a Put carries from the wire to the service.
struct BucketConfigDocument {
  BucketConfigKind kind = BucketConfigKind::kCors;
  std::string id;     // id-keyed kinds: the ?id= of the request
  std::string inner;  // canonical children of the root ("" = the empty document)
};

// Object ownership (OwnershipControls): who owns new objects, and whether ACLs count.
inline constexpr std::string_view kBucketOwnerEnforced = "BucketOwnerEnforced";
inline constexpr std::string_view kBucketOwnerPreferred = "BucketOwnerPreferred";
inline constexpr std::string_view kObjectWriter = "ObjectWriter";

// The four PublicAccessBlock switches (absent ones are false, as on S3).
struct PublicAccessBlock {
  bool block_public_acls = false;
  bool ignore_public_acls = false;
  bool block_public_policy = false;
  bool restrict_public_buckets = false;
};

}  // namespace sealstack::api::s3
