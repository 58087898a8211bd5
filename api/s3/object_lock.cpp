#include "api/s3/object_lock.h"

#include <chrono>

#include "api/common/xml_reader.h"
#include "api/common/xml_writer.h"
#include "api/s3/bucket_service.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_xml.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace sealstack::api::s3 {

namespace {

Status LockArgument(std::string message, std::string name, std::string value = "") {
  std::vector<std::pair<std::string, std::string>> details{{"ArgumentName", std::move(name)}};
  if (!value.empty()) details.emplace_back("ArgumentValue", std::move(value));
  return S3Error(ErrorKind::kInvalidArgument, std::move(message), details);
}

bool IsMode(std::string_view m) {
  return m == "GOVERNANCE" || m == "COMPLIANCE";
}

// A retain-until date in the future, normalised to ISO 8601 UTC with milliseconds.
Result<std::string> FutureDate(std::string_view text, SystemTime now, const char* argument) {
  std::optional<SystemTime> t = ParseIso8601(Trim(text));
  if (!t) {
    return LockArgument("The retain until date must be provided in ISO 8601 format", argument,
                        std::string(text));
  }
  if (*t <= now) {
    return LockArgument("The retain until date must be in the future!", argument,
                        std::string(text));
  }
  return FormatIso8601(*t, /*with_millis=*/true);
}

// The bucket's <DefaultRetention> (Mode, Days or Years), if it has one.
struct DefaultRetention {
  std::string mode;
  int64_t days = 0;
};

std::optional<DefaultRetention> DefaultRetentionOf(const Bucket& b) {
  auto it = b.configs.documents.find("object-lock");
  if (it == b.configs.documents.end()) return std::nullopt;
  auto doc = XmlDocument::Parse("<C>" + it->second + "</C>");
  if (!doc.ok()) return std::nullopt;
  XmlNode retention = doc->root().Child("Rule").Child("DefaultRetention");
  if (!retention.valid()) return std::nullopt;
  DefaultRetention out;
  out.mode = retention.ChildText("Mode").value_or("");
  auto days = retention.ChildInt("Days", 1, 36500 * 100);
  auto years = retention.ChildInt("Years", 1, 100 * 100);
  if (days.ok() && days->has_value()) out.days = **days;
  if (years.ok() && years->has_value()) out.days = **years * 365;
  if (!IsMode(out.mode) || out.days <= 0) return std::nullopt;
  return out;
}

SystemTime UntilOf(const ObjectLock& lock) {
  return ParseIso8601(lock.retain_until).value_or(SystemTime{});
}

}  // namespace

bool ObjectLockEnabled(const Bucket& b) {
  auto it = b.configs.documents.find("object-lock");
  return it != b.configs.documents.end() &&
         it->second.find("<ObjectLockEnabled>Enabled</ObjectLockEnabled>") != std::string::npos;
}

Result<ObjectLock> NewVersionLock(const Bucket& b, const ObjectLockHeaders& h, SystemTime now) {
  ObjectLock lock;
  if (h.any() && !ObjectLockEnabled(b)) {
    return S3Error(ErrorKind::kInvalidRequest, "Bucket is missing Object Lock Configuration");
  }
  if (h.mode.has_value() != h.retain_until.has_value()) {
    return LockArgument(
        "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
        h.mode ? "x-amz-object-lock-retain-until-date" : "x-amz-object-lock-mode");
  }
  if (h.mode) {
    if (!IsMode(*h.mode)) {
      return LockArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", *h.mode);
    }
    lock.mode = *h.mode;
    SEALSTACK_ASSIGN_OR_RETURN(
        lock.retain_until, FutureDate(*h.retain_until, now, "x-amz-object-lock-retain-until-date"));
  } else if (auto d = DefaultRetentionOf(b)) {
    lock.mode = d->mode;
    lock.retain_until = FormatIso8601(now + std::chrono::hours(24) * d->days, true);
  }
  if (h.legal_hold) {
    if (*h.legal_hold != "ON" && *h.legal_hold != "OFF") {
      return LockArgument("Legal Hold must be either of 'ON' or 'OFF'",
                          "x-amz-object-lock-legal-hold", *h.legal_hold);
    }
    lock.legal_hold = *h.legal_hold;
  }
  return lock;
}

Result<ObjectLock> ParseRetentionXml(std::string_view body, SystemTime now) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, XmlDocument::Parse(body));
  if (doc.root().name() != "Retention") return MalformedXml("unexpected root element");
  std::optional<std::string> mode = doc.root().ChildText("Mode");
  std::optional<std::string> until = doc.root().ChildText("RetainUntilDate");
  ObjectLock lock;
  if (!mode && !until) return lock;  // removes the retention
  if (!mode || !until || !IsMode(Trim(*mode))) return MalformedXml("Retention Mode and date");
  lock.mode = std::string(Trim(*mode));
  SEALSTACK_ASSIGN_OR_RETURN(lock.retain_until, FutureDate(*until, now, "RetainUntilDate"));
  return lock;
}

std::string RenderRetentionXml(const ObjectLock& lock) {
  XmlWriter w;
  w.Open("Retention", kS3Xmlns)
      .Element("Mode", lock.mode)
      .Element("RetainUntilDate", lock.retain_until);
  return w.Finish();
}

Result<std::string> ParseLegalHoldXml(std::string_view body) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, XmlDocument::Parse(body));
  if (doc.root().name() != "LegalHold") return MalformedXml("unexpected root element");
  const std::string status(Trim(doc.root().ChildText("Status").value_or("")));
  if (status != "ON" && status != "OFF") return MalformedXml("LegalHold Status");
  return status;
}

std::string RenderLegalHoldXml(const std::string& status) {
  XmlWriter w;
  w.Open("LegalHold", kS3Xmlns).Element("Status", status);
  return w.Finish();
}

LockProtection ProtectionOf(const ObjectLock& lock, SystemTime now) {
  if (lock.legal_hold == "ON") return LockProtection::kCompliance;
  if (!lock.has_retention() || UntilOf(lock) <= now) return LockProtection::kNone;
  return lock.mode == "COMPLIANCE" ? LockProtection::kCompliance : LockProtection::kGovernance;
}

bool WeakensRetention(const ObjectLock& current, const ObjectLock& next, SystemTime now) {
  if (!current.has_retention() || UntilOf(current) <= now) return false;
  if (!next.has_retention()) return true;
  if (current.mode == "COMPLIANCE" && next.mode != "COMPLIANCE") return true;
  return UntilOf(next) < UntilOf(current);
}

Status ProtectedByObjectLock() {
  return S3Error(ErrorKind::kAccessDenied,
                 "Access Denied because object protected by object lock.");
}

}  // namespace sealstack::api::s3
