// What a bucket's ownership controls and public access block decide for ACL-bearing requests
// (bucket_acl.h has the why). Pure functions of a loaded Bucket. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "api/s3/bucket_acl.h"
#include "api/s3/bucket_config.h"
#include "api/s3/bucket_service.h"

namespace sealstack::api::s3 {

// The bucket's ObjectOwnership, "" when it has no ownership controls (a bucket from before
// they existed: ACLs enabled, ObjectWriter behaviour).
std::string ObjectOwnershipOfBucket(const Bucket& b);
bool AclsDisabled(const Bucket& b);                            // BucketOwnerEnforced
PublicAccessBlock PublicAccessBlockOfBucket(const Bucket& b);  // all false when none

// Whether `grants` may be set on the bucket or one of its objects: with ACLs disabled only the
// owner's full control (else 400 AccessControlListNotSupported "The bucket does not allow
// ACLs"); with BlockPublicAcls no public grant (else 403 AccessDenied).
Status CheckAclWrite(const Bucket& b, const std::vector<AclGrant>& grants);
// The same for a request's ACL headers; OK when it has none.
Status CheckAclRequest(const Bucket& b, const AclRequest& acl, AclLevel level);

}  // namespace sealstack::api::s3
