// Versioning decisions shared by the s3::Service object operations: which version a write
// creates, which version id a response reports, how a version id is checked, which IAM action a
// versioned request needs, and how S3 answers a read that meets a delete marker. Internal to
// api/s3. The states (bucket doc `versioning`):
//
//   "" (never versioned) --PutBucketVersioning Enabled--> Enabled <--Suspended/Enabled--> Suspended
//
// There is no way back to "": once versioned, a bucket stays versioned, as on AWS.
//   - never versioned: every write replaces the key's null version; DELETE removes it.
//   - Enabled: every write adds a version with a new id; DELETE adds a delete marker.
//   - Suspended: writes replace the null version (others stay); DELETE adds a null marker.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/s3/bucket_service.h"
#include "api/s3/object_store.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::s3 {

// Enabled or Suspended: responses carry x-amz-version-id.
bool IsVersioned(const Bucket& b);

// The version id a new object or delete marker gets: a new id when versioning is Enabled, else
// "" (the null version, which replaces the previous null version).
Result<std::string> VersionIdForWrite(ObjectStore& store, const Bucket& b);

// x-amz-version-id for a version of an object in `b`: nullopt on a bucket never versioned.
std::optional<std::string> ReportedVersionId(const Bucket& b, const std::string& version_id);

// A version id as a request names it: "null" or an id SealStack drew (32 characters of
// [0-9A-Za-z._]); anything else is 400 InvalidArgument "Invalid version id specified"
// (`argument` names the parameter, as S3 does).
Status CheckVersionId(const std::string& version_id, std::string_view argument = "versionId");

// The IAM action of a request that names a version: s3:GetObject -> s3:GetObjectVersion,
// s3:GetObjectAttributes -> s3:GetObjectVersionAttributes, s3:GetObjectAcl ->
// s3:GetObjectVersionAcl, s3:DeleteObject -> s3:DeleteObjectVersion.
std::string VersionedAction(std::string_view action, bool names_version);

// A read of a key whose latest version is a delete marker: 404 NoSuchKey, with the headers
// x-amz-delete-marker: true and x-amz-version-id (S3ErrorHeader details).
Status LatestIsDeleteMarker(const ObjectInfo& marker);
// A read that names a delete marker: 405 MethodNotAllowed (Method, ResourceType DeleteMarker),
// with x-amz-delete-marker, x-amz-version-id and Last-Modified headers.
Status VersionIsDeleteMarker(const ObjectInfo& marker, std::string_view method);
// A version id that names no version of the key: 404 NoSuchVersion (Key, VersionId).
Status NoSuchVersion(const std::string& key, const std::string& version_id);

// The object (version) a read names: the latest, or `version_id`. Delete markers and missing
// versions answer as above; a missing key is NoSuchKey.
Result<ObjectInfo> FindReadableVersion(ObjectStore& store, const std::string& bucket,
                                       const std::string& key,
                                       const std::optional<std::string>& version_id,
                                       std::string_view method);

}  // namespace sealstack::api::s3
