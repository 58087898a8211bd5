// s3::Service Object Lock operations: Get/PutObjectRetention and Get/PutObjectLegalHold on the
// latest version or a named one. The lock lives in the version's doc (object_doc.h); a change
// rewrites that one row's doc in place. Deletes of locked versions are refused in
// DeleteObjectIn (object_service.cpp).
#include "api/s3/object_common.h"
#include "api/s3/object_lock.h"
#include "api/s3/object_versions.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::s3 {

namespace {

Status NoLockConfiguration() {
  return S3Error(ErrorKind::kNoSuchObjectLockConfiguration,
                 "The specified object does not have a ObjectLock configuration");
}

Status BucketWithoutLock() {
  return S3Error(ErrorKind::kInvalidRequest, "Bucket is missing Object Lock Configuration");
}

std::optional<std::string> LockedVersion(const ReadableObject& o, const ObjectLockInput& in) {
  if (in.version_id) return o.info.version_id;
  return ReportedVersionId(o.bucket, o.info.version_id);
}

// Opens the version `in` names for a lock operation (`action`), on a bucket with Object Lock.
Result<ReadableObject> OpenForLock(const ObjectServices& s, const S3Caller& c,
                                   const ObjectLockInput& in, std::string_view action,
                                   std::string_view method) {
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject o, OpenForRead(s, c, in.bucket, in.key, in.version_id,
                                                           action, SseHeaders{}, method));
  if (!ObjectLockEnabled(o.bucket)) return BucketWithoutLock();
  return o;
}

}  // namespace

Result<ObjectLockOutput> Service::GetObjectRetention(const S3Caller& c, const ObjectLockInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject o,
                             OpenForLock(parts_, c, in, "s3:GetObjectRetention", "GET"));
  if (!o.doc.lock.has_retention()) return NoLockConfiguration();
  return ObjectLockOutput{LockedVersion(o, in), o.doc.lock};
}

Result<ObjectLockOutput> Service::PutObjectRetention(const S3Caller& c, const ObjectLockInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject o,
                             OpenForLock(parts_, c, in, "s3:PutObjectRetention", "PUT"));
  if (WeakensRetention(o.doc.lock, in.lock, parts_.buckets->Now())) {
    ObjectLock retention_only = o.doc.lock;
    retention_only.legal_hold.clear();  // a legal hold does not stop retention changes
    SEALSTACK_RETURN_IF_ERROR(
        CheckLockAllowsChange(parts_, c, o.bucket, o.info, retention_only, in.bypass_governance));
  }
  o.doc.lock.mode = in.lock.mode;
  o.doc.lock.retain_until = in.lock.retain_until;
  SEALSTACK_RETURN_IF_ERROR(RewriteVersionDoc(parts_, o));
  return ObjectLockOutput{LockedVersion(o, in), {}};
}

Result<ObjectLockOutput> Service::GetObjectLegalHold(const S3Caller& c, const ObjectLockInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject o,
                             OpenForLock(parts_, c, in, "s3:GetObjectLegalHold", "GET"));
  if (o.doc.lock.legal_hold.empty()) return NoLockConfiguration();
  return ObjectLockOutput{LockedVersion(o, in), o.doc.lock};
}

Result<ObjectLockOutput> Service::PutObjectLegalHold(const S3Caller& c, const ObjectLockInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject o,
                             OpenForLock(parts_, c, in, "s3:PutObjectLegalHold", "PUT"));
  o.doc.lock.legal_hold = in.lock.legal_hold;
  SEALSTACK_RETURN_IF_ERROR(RewriteVersionDoc(parts_, o));
  return ObjectLockOutput{LockedVersion(o, in), {}};
}

}  // namespace sealstack::api::s3
