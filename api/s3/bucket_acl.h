// ACLs as S3 keeps them since Object Ownership (2021) and the April 2023 defaults: new buckets
// are BucketOwnerEnforced, ACLs no longer grant anything, and a request that sets an ACL other
// than "the owner has full control" answers 400 AccessControlListNotSupported ("The bucket does
// not allow ACLs"). Reads of ACLs still work and show the owner's FULL_CONTROL grant.
//
// With ACLs enabled (ObjectWriter / BucketOwnerPreferred, or a bucket without ownership
// controls) a bucket ACL is stored and read back; public grants (AllUsers, AuthenticatedUsers)
// are refused while the bucket's PublicAccessBlock has BlockPublicAcls. SealStack never grants
// access from an ACL (policies decide) and stores no object ACLs: an object's ACL reads as the
// owner's full control.
//
// Pure functions. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sealstack::api::s3 {

inline constexpr std::string_view kAllUsersUri = "http://acs.amazonaws.com/groups/global/AllUsers";
inline constexpr std::string_view kAuthenticatedUsersUri =
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
inline constexpr std::string_view kLogDeliveryUri =
    "http://acs.amazonaws.com/groups/s3/LogDelivery";

struct AclGrant {
  std::string type;  // CanonicalUser | Group | AmazonCustomerByEmail
  std::string id;    // CanonicalUser
  std::string uri;   // Group
  std::string email;
  std::string permission;  // FULL_CONTROL | WRITE | WRITE_ACP | READ | READ_ACP

  bool operator==(const AclGrant&) const = default;
};

// What an ACL-bearing request said: the x-amz-acl header, x-amz-grant-* headers, or (PutBucketAcl,
// PutObjectAcl) an AccessControlPolicy body, already parsed into grants.
struct AclRequest {
  std::optional<std::string> canned;
  std::optional<std::vector<AclGrant>> grants;  // from x-amz-grant-* headers or a body

  bool empty() const { return !canned && !grants; }
};

// S3's canonical user id of an account: 64 hex characters, stable per account.
std::string CanonicalId(const std::string& account);

enum class AclLevel { kBucket, kObject };

// The grants a canned ACL stands for, owner `owner_id` (bucket and object owners are the same
// account in SealStack). InvalidArgument for a name S3 does not have at `level`.
Result<std::vector<AclGrant>> ExpandCannedAcl(std::string_view canned, AclLevel level,
                                              const std::string& owner_id);

// The grants of `request` (canned expanded); the owner's FULL_CONTROL when it is empty.
Result<std::vector<AclGrant>> GrantsOf(const AclRequest& request, AclLevel level,
                                       const std::string& owner_id);

// True when every grant is the owner's FULL_CONTROL: the only ACL a BucketOwnerEnforced bucket
// accepts (private, bucket-owner-full-control, or the same grant written out).
bool OnlyOwnerFullControl(const std::vector<AclGrant>& grants, const std::string& owner_id);

// True when a grant names AllUsers or AuthenticatedUsers (what BlockPublicAcls refuses).
bool IsPublicAcl(const std::vector<AclGrant>& grants);

// x-amz-grant-read & co.: "id=\"...\", uri=\"...\", emailAddress=\"...\"" lists, one header
// per permission. InvalidArgument when a value does not parse.
Result<std::vector<AclGrant>> ParseGrantHeader(std::string_view permission, std::string_view value);

}  // namespace sealstack::api::s3
