// S3 Object Lock on object versions: retention (GOVERNANCE / COMPLIANCE until a date) and legal
// hold, as the S3 user guide's "Locking objects with Object Lock" describes them. The rules only;
// the service applies them on writes (the lock a new version gets), on deletes of a version and
// on the retention / legal-hold operations. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"

namespace sealstack::api::s3 {

struct Bucket;

// The lock of one version, as its object document keeps it.
struct ObjectLock {
  std::string mode;          // "" (no retention) | GOVERNANCE | COMPLIANCE
  std::string retain_until;  // ISO 8601 as the request gave it (normalised to UTC); "" = none
  std::string legal_hold;    // "" (never set) | ON | OFF

  bool has_retention() const { return !mode.empty(); }
};

// The x-amz-object-lock-* headers of a write (PutObject, CopyObject, CreateMultipartUpload), as
// sent.
struct ObjectLockHeaders {
  std::optional<std::string> mode;          // x-amz-object-lock-mode
  std::optional<std::string> retain_until;  // x-amz-object-lock-retain-until-date
  std::optional<std::string> legal_hold;    // x-amz-object-lock-legal-hold
  bool any() const { return mode || retain_until || legal_hold; }
};

// Whether the bucket has Object Lock enabled (an ObjectLockConfiguration with
// ObjectLockEnabled).
bool ObjectLockEnabled(const Bucket& b);

// The lock a new version gets: the request's headers, else the bucket's default retention
// (counted from `now`). Headers on a bucket without Object Lock: 400 InvalidRequest "Bucket is
// missing Object Lock Configuration"; a mode without a date (or the reverse), an unknown mode, a
// date that does not parse or is not in the future, a legal hold other than ON/OFF: 400
// InvalidArgument with AWS's messages.
Result<ObjectLock> NewVersionLock(const Bucket& b, const ObjectLockHeaders& h, SystemTime now);

// A <Retention> body (PutObjectRetention); an empty one removes the retention. MalformedXML or
// InvalidArgument as AWS answers.
Result<ObjectLock> ParseRetentionXml(std::string_view body, SystemTime now);
std::string RenderRetentionXml(const ObjectLock& lock);
// A <LegalHold><Status>ON|OFF</Status></LegalHold> body: "ON" or "OFF"; MalformedXML otherwise.
Result<std::string> ParseLegalHoldXml(std::string_view body);
std::string RenderLegalHoldXml(const std::string& status);

// What protects a version from deletion (or from having its retention shortened) at `now`.
enum class LockProtection {
  kNone,
  kGovernance,  // may be bypassed: x-amz-bypass-governance-retention + s3:BypassGovernanceRetention
  kCompliance,  // a COMPLIANCE retention in force, or a legal hold: nobody
};
LockProtection ProtectionOf(const ObjectLock& lock, SystemTime now);

// Whether replacing the retention `current` by `next` weakens it (removes it, shortens it, or
// turns COMPLIANCE into GOVERNANCE) while `current` is in force at `now`.
bool WeakensRetention(const ObjectLock& current, const ObjectLock& next, SystemTime now);

// 403 AccessDenied "Access Denied because object protected by object lock."
Status ProtectedByObjectLock();

}  // namespace sealstack::api::s3
