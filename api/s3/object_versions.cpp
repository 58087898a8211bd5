#include "api/s3/object_versions.h"

#include <algorithm>

#include "api/s3/s3_errors.h"
#include "common/time_format.h"

namespace sealstack::api::s3 {

bool IsVersioned(const Bucket& b) {
  return !b.versioning.empty();
}

Result<std::string> VersionIdForWrite(ObjectStore& store, const Bucket& b) {
  if (b.versioning == "Enabled") return store.NewVersionId();
  return std::string();
}

std::optional<std::string> ReportedVersionId(const Bucket& b, const std::string& version_id) {
  if (!IsVersioned(b)) return std::nullopt;
  return version_id;
}

Status CheckVersionId(const std::string& version_id, std::string_view argument) {
  auto drawn = [](char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
           ch == '.' || ch == '_';
  };
  if (version_id == kNullVersionId ||
      (version_id.size() == 32 && std::all_of(version_id.begin(), version_id.end(), drawn))) {
    return Status::Ok();
  }
  return S3Error(ErrorKind::kInvalidArgument, "Invalid version id specified",
                 {{"ArgumentName", std::string(argument)}, {"ArgumentValue", version_id}});
}

std::string VersionedAction(std::string_view action, bool names_version) {
  if (!names_version) return std::string(action);
  if (action == "s3:GetObject") return "s3:GetObjectVersion";
  if (action == "s3:GetObjectAttributes") return "s3:GetObjectVersionAttributes";
  if (action == "s3:GetObjectAcl") return "s3:GetObjectVersionAcl";
  if (action == "s3:DeleteObject") return "s3:DeleteObjectVersion";
  if (action == "s3:GetObjectTagging") return "s3:GetObjectVersionTagging";
  if (action == "s3:PutObjectTagging") return "s3:PutObjectVersionTagging";
  if (action == "s3:DeleteObjectTagging") return "s3:DeleteObjectVersionTagging";
  return std::string(action);
}

Status LatestIsDeleteMarker(const ObjectInfo& marker) {
  return S3Error(ErrorKind::kNoSuchKey, "The specified key does not exist.",
                 {{"Key", marker.key},
                  {S3ErrorHeader("x-amz-delete-marker"), "true"},
                  {S3ErrorHeader("x-amz-version-id"), marker.version_id}});
}

Status VersionIsDeleteMarker(const ObjectInfo& marker, std::string_view method) {
  return S3Error(ErrorKind::kMethodNotAllowed,
                 "The specified method is not allowed against this resource.",
                 {{"Method", std::string(method)},
                  {"ResourceType", "DeleteMarker"},
                  {S3ErrorHeader("x-amz-delete-marker"), "true"},
                  {S3ErrorHeader("x-amz-version-id"), marker.version_id},
                  {S3ErrorHeader("Last-Modified"), FormatHttpDate(marker.created_at)}});
}

Status NoSuchVersion(const std::string& key, const std::string& version_id) {
  return S3Error(ErrorKind::kNoSuchVersion, "The specified version does not exist.",
                 {{"Key", key}, {"VersionId", version_id}});
}

Result<ObjectInfo> FindReadableVersion(ObjectStore& store, const std::string& bucket,
                                       const std::string& key,
                                       const std::optional<std::string>& version_id,
                                       std::string_view method) {
  if (version_id) SEALSTACK_RETURN_IF_ERROR(CheckVersionId(*version_id));
  auto info = version_id ? store.Head(bucket, key, *version_id) : store.Head(bucket, key);
  if (!info.ok()) {
    if (info.status().code() != StatusCode::kNotFound) return info.status();
    if (version_id) return NoSuchVersion(key, *version_id);
    return S3Error(ErrorKind::kNoSuchKey, "The specified key does not exist.", {{"Key", key}});
  }
  if (info->delete_marker) {
    return version_id ? VersionIsDeleteMarker(*info, method) : LatestIsDeleteMarker(*info);
  }
  return std::move(*info);
}

}  // namespace sealstack::api::s3
