// s3::Service::CopyObject: the source is read (decrypted with its own key: KMS Decrypt as the
// caller, or the copy-source SSE-C key) and streamed straight into a writer that encrypts it
// as the destination's headers, the caller's session or the destination bucket say (sse.h):
// nothing of it is held whole in memory.
#include "api/s3/bucket_rules.h"
#include "api/s3/object_common.h"
#include "api/s3/object_tags.h"
#include "api/s3/object_versions.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::s3 {

namespace {

// A copy onto itself must change something (CopyObject, API Reference): its metadata
// (REPLACE), storage class, website redirect location or encryption. The encryption changes
// when the request names any encryption header (even with the object's current value), when
// the bucket's default encryption was configured, or when the object is not SSE-S3 and would
// become the bucket's SSE-S3 default (LocalStack's CopyObject, checked against AWS captures).
bool NamesEncryption(const SseHeaders& h) {
  return h.sse || h.kms_key_id || h.customer_algorithm || h.customer_key || h.bucket_key;
}

bool CopyInPlaceChangesSomething(const CopyObjectInput& in, const Bucket& bucket,
                                 const ObjectDoc& source) {
  return in.metadata_directive == "REPLACE" || in.sets_storage_class_or_redirect ||
         NamesEncryption(in.sse) || bucket.encryption_configured ||
         source.sse.mode != SseMode::kSseS3;
}

}  // namespace

Result<CopyObjectOutput> Service::CopyObject(const S3Caller& c, const CopyObjectInput& in) {
  const ObjectServices& s = parts_;
  SEALSTACK_RETURN_IF_ERROR(CheckKeyLength(in.key));
  const std::string& tagging = in.tagging_directive;
  if (tagging != "COPY" && tagging != "REPLACE") {
    return S3Error(ErrorKind::kInvalidArgument, "Unknown tagging directive.",
                   {{"ArgumentName", "x-amz-tagging-directive"}, {"ArgumentValue", tagging}});
  }
  const bool replace_tags = tagging == "REPLACE";
  SEALSTACK_ASSIGN_OR_RETURN(
      Bucket dest_bucket,
      AuthorizeNewObject(s, c, in.bucket, in.key, in.sse, replace_tags ? in.tags : TagSet{}));
  SEALSTACK_RETURN_IF_ERROR(CheckAclRequest(dest_bucket, in.acl, AclLevel::kObject));
  SEALSTACK_ASSIGN_OR_RETURN(ReadableObject source,
                             OpenForRead(s, c, in.source_bucket, in.source_key,
                                         in.source_version_id, "s3:GetObject", in.source_sse));
  SEALSTACK_RETURN_IF_ERROR(CheckCopySourceConditions(in.source_conditions, source.info));
  if (!replace_tags && !source.doc.tags.empty()) {
    // Copying tags reads them: s3:GetObject(Version)Tagging on the source, as on AWS; and
    // writes them: s3:PutObjectTagging on the destination.
    SEALSTACK_RETURN_IF_ERROR(s.buckets->Authorize(
        c, source.bucket,
        S3Access{VersionedAction("s3:GetObjectTagging", in.source_version_id.has_value()),
                 ObjectArn(in.source_bucket, in.source_key),
                 ExistingTagConditionKeys(source.doc.tags)}));
    SEALSTACK_RETURN_IF_ERROR(
        s.buckets->Authorize(c, dest_bucket,
                             S3Access{"s3:PutObjectTagging", ObjectArn(in.bucket, in.key),
                                      RequestTagConditionKeys(source.doc.tags)}));
  }

  const std::string& directive = in.metadata_directive;
  if (directive == "REPLACE") SEALSTACK_RETURN_IF_ERROR(CheckUserMetadataSize(in.user_metadata));
  if (directive != "COPY" && directive != "REPLACE") {
    return S3Error(ErrorKind::kInvalidArgument, "Unknown metadata directive.",
                   {{"ArgumentName", "x-amz-metadata-directive"}, {"ArgumentValue", directive}});
  }
  // Copying an older version onto its key restores it: that is a change.
  if (in.source_bucket == in.bucket && in.source_key == in.key && source.info.is_latest &&
      !CopyInPlaceChangesSomething(in, dest_bucket, source.doc)) {
    return S3Error(ErrorKind::kInvalidRequest,
                   "This copy request is illegal because it is trying to copy an object to itself "
                   "without changing the object's metadata, storage class, website redirect "
                   "location or encryption attributes.");
  }
  SEALSTACK_ASSIGN_OR_RETURN(WriteEncryption enc,
                             ResolveObjectEncryption(s, c, dest_bucket, in.sse, in.key));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectLock lock,
                             NewVersionLock(dest_bucket, in.lock, s.buckets->Now()));
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes source_key, OpenObjectKey(s, c, source));

  std::optional<crypto::ChecksumAlgorithm> alg =
      crypto::ChecksumAlgorithmFromName(source.doc.checksum_algorithm);
  if (in.checksum_algorithm) {
    SEALSTACK_ASSIGN_OR_RETURN(alg, ParseChecksumAlgorithm(*in.checksum_algorithm));
  }
  if (!alg) alg = crypto::ChecksumAlgorithm::kCrc64Nvme;

  SEALSTACK_ASSIGN_OR_RETURN(
      DataKey dk, s.keys->NewDataKey(KmsCaller(c), enc, dest_bucket.account, in.bucket, in.key));
  WriteOptions options;
  options.checksum = alg;
  options.md5 = enc.mode == SseMode::kSseS3;
  SEALSTACK_ASSIGN_OR_RETURN(auto writer,
                             s.store->NewObjectWriter(in.bucket, in.key, dk.plaintext, options));
  SEALSTACK_RETURN_IF_ERROR(
      s.store->Read(source.info, source_key, std::nullopt,
                    [&](std::string_view plain) { return writer->Append(plain); }));
  SEALSTACK_ASSIGN_OR_RETURN(BodySummary body, writer->Finish());

  ObjectDoc doc;
  const bool copy = directive == "COPY";
  doc.content_headers = copy ? source.doc.content_headers : in.content_headers;
  doc.user_metadata = copy ? source.doc.user_metadata : in.user_metadata;
  doc.sse = dk.protection;
  doc.user_context_b64 = in.sse.context.value_or("");  // the source's is not copied
  doc.checksum_algorithm = std::string(crypto::ChecksumAlgorithmName(*alg));
  doc.checksum_value = body.checksum.value_or("");
  doc.tags = replace_tags ? in.tags : source.doc.tags;
  doc.lock = lock;
  // The body is copied as it is: an ESDK message stays one; S3EC metadata is what the copy has.
  doc.client_side = DetectClientSide(doc.user_metadata, "", s.keys->BlobKeyResolver());
  if (doc.client_side.empty() && source.doc.client_side.format == "aws-encryption-sdk") {
    doc.client_side = source.doc.client_side;
  }
  ObjectMetadata meta = NewObjectMetadata(doc, body);
  SEALSTACK_ASSIGN_OR_RETURN(meta.version_id, VersionIdForWrite(*s.store, dest_bucket));
  SEALSTACK_ASSIGN_OR_RETURN(ObjectInfo info, writer->Commit(meta));

  CopyObjectOutput out;
  out.last_modified = info.created_at;
  out.etag = info.etag;
  out.version_id = ReportedVersionId(dest_bucket, info.version_id);
  out.source_version_id = ReportedVersionId(source.bucket, source.info.version_id);
  if (in.source_version_id) out.source_version_id = source.info.version_id;
  out.protection = {dk.protection, doc.user_context_b64};
  // CopyObjectResult carries the new object's checksum and ChecksumType whether or not the
  // request named an algorithm (AWS computes CRC64NVME by default; LocalStack's AWS captures
  // show <ChecksumCRC64NVME>/<ChecksumCRC32> and <ChecksumType>FULL_OBJECT</ChecksumType>).
  if (!doc.checksum_value.empty()) out.checksum = ReportedChecksum{*alg, doc.checksum_value};
  return out;
}

}  // namespace sealstack::api::s3
