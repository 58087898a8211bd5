#include "api/s3/bucket_rules.h"

#include "api/s3/bucket_config_xml.h"
#include "api/s3/s3_errors.h"

namespace sealstack::api::s3 {

std::string ObjectOwnershipOfBucket(const Bucket& b) {
  auto it = b.configs.documents.find("ownershipControls");
  return it == b.configs.documents.end() ? "" : ObjectOwnershipOf(it->second);
}

bool AclsDisabled(const Bucket& b) {
  return ObjectOwnershipOfBucket(b) == kBucketOwnerEnforced;
}

PublicAccessBlock PublicAccessBlockOfBucket(const Bucket& b) {
  auto it = b.configs.documents.find("publicAccessBlock");
  return it == b.configs.documents.end() ? PublicAccessBlock{} : PublicAccessBlockOf(it->second);
}

Status CheckAclWrite(const Bucket& b, const std::vector<AclGrant>& grants) {
  if (AclsDisabled(b) && !OnlyOwnerFullControl(grants, CanonicalId(b.account))) {
    return S3Error(ErrorKind::kAccessControlListNotSupported, "The bucket does not allow ACLs");
  }
  if (PublicAccessBlockOfBucket(b).block_public_acls && IsPublicAcl(grants)) {
    return S3Error(ErrorKind::kAccessDenied, "Access Denied");
  }
  return Status::Ok();
}

Status CheckAclRequest(const Bucket& b, const AclRequest& acl, AclLevel level) {
  if (acl.empty()) return Status::Ok();
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<AclGrant> grants,
                             GrantsOf(acl, level, CanonicalId(b.account)));
  return CheckAclWrite(b, grants);
}

}  // namespace sealstack::api::s3
