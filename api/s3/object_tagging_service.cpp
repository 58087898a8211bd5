// s3::Service object tagging: Get/Put/DeleteObjectTagging on the latest version or a named
// one. Tags live in the version's doc (object_doc.h); a change rewrites that one row's doc in
// place, leaving the body, ETag and Last-Modified alone, as on S3.
#include "api/s3/object_common.h"
#include "api/s3/object_tags.h"
#include "api/s3/object_versions.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::s3 {

namespace {

// The version a tagging request acted on, as its response names it.
std::optional<std::string> TaggedVersion(const ReadableObject& o, const ObjectTaggingInput& in) {
  if (in.version_id) return o.info.version_id;
  return ReportedVersionId(o.bucket, o.info.version_id);
}

}  // namespace

Result<ObjectTaggingOutput> Service::GetObjectTagging(const S3Caller& c,
                                                      const ObjectTaggingInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject o,
                             OpenForRead(parts_, c, in.bucket, in.key, in.version_id,
                                         "s3:GetObjectTagging", SseHeaders{}, "GET"));
  return ObjectTaggingOutput{TaggedVersion(o, in), std::move(o.doc.tags)};
}

Result<ObjectTaggingOutput> Service::PutObjectTagging(const S3Caller& c,
                                                      const ObjectTaggingInput& in) {
  SEALSTACK_RETURN_IF_ERROR(ValidateObjectTags(in.tags));
  SEALSTACK_ASSIGN_OR_RETURN(
      ReadableObject o,
      OpenForRead(parts_, c, in.bucket, in.key, in.version_id, "s3:PutObjectTagging", SseHeaders{},
                  "PUT", RequestTagConditionKeys(in.tags)));
  o.doc.tags = in.tags;
  SEALSTACK_RETURN_IF_ERROR(RewriteVersionDoc(parts_, o));
  return ObjectTaggingOutput{TaggedVersion(o, in), {}};
}

Result<ObjectTaggingOutput> Service::DeleteObjectTagging(const S3Caller& c,
                                                         const ObjectTaggingInput& in) {
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject o,
                             OpenForRead(parts_, c, in.bucket, in.key, in.version_id,
                                         "s3:DeleteObjectTagging", SseHeaders{}, "DELETE"));
  if (!o.doc.tags.empty()) {
    o.doc.tags.clear();
    SEALSTACK_RETURN_IF_ERROR(RewriteVersionDoc(parts_, o));
  }
  return ObjectTaggingOutput{TaggedVersion(o, in), {}};
}

}  // namespace sealstack::api::s3
