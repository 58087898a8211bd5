// s3::Service bucket operations: each one access check (BucketService::Access asks the
// S3Authorizer) and one BucketService call.
#include "api/s3/s3_service.h"

namespace sealstack::api::s3 {

Result<std::vector<Bucket>> Service::ListBuckets(const S3Caller& c,
                                                 const std::optional<std::string>& prefix) {
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<Bucket> buckets, parts_.buckets->ListBuckets(c));
  if (prefix) {
    std::erase_if(buckets, [&](const Bucket& b) { return b.name.rfind(*prefix, 0) != 0; });
  }
  return buckets;
}

Status Service::CreateBucket(const S3Caller& c, const std::string& bucket,
                             const BucketCreation& creation) {
  return parts_.buckets->CreateBucket(c, bucket, creation);
}

Result<Bucket> Service::HeadBucket(const S3Caller& c, const std::string& bucket) {
  return parts_.buckets->Access(c, bucket, "s3:ListBucket");
}

Status Service::DeleteBucket(const S3Caller& c, const std::string& bucket) {
  return parts_.buckets->DeleteBucket(c, bucket);
}

Result<std::string> Service::GetBucketLocation(const S3Caller& c, const std::string& bucket) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b, parts_.buckets->Access(c, bucket, "s3:GetBucketLocation"));
  return b.region;
}

Status Service::CheckBucketExists(const std::string& bucket) {
  return parts_.buckets->Load(bucket).status();
}

Status Service::PutBucketEncryption(const S3Caller& c, const std::string& bucket,
                                    const EncryptionConfiguration& config) {
  return parts_.buckets->PutEncryption(c, bucket, config);
}

Result<EncryptionConfiguration> Service::GetBucketEncryption(const S3Caller& c,
                                                             const std::string& bucket) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b,
                             parts_.buckets->Access(c, bucket, "s3:GetEncryptionConfiguration"));
  return b.encryption;
}

Status Service::DeleteBucketEncryption(const S3Caller& c, const std::string& bucket) {
  return parts_.buckets->DeleteEncryption(c, bucket);
}

Status Service::PutBucketPolicy(const S3Caller& c, const std::string& bucket,
                                std::string_view policy) {
  return parts_.buckets->PutPolicy(c, bucket, policy);
}

Result<std::string> Service::GetBucketPolicy(const S3Caller& c, const std::string& bucket) {
  return parts_.buckets->GetPolicy(c, bucket);
}

Status Service::DeleteBucketPolicy(const S3Caller& c, const std::string& bucket) {
  return parts_.buckets->DeletePolicy(c, bucket);
}

}  // namespace sealstack::api::s3
