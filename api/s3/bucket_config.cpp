#include "api/s3/bucket_config.h"

#include <algorithm>
#include <iterator>

namespace sealstack::api::s3 {

namespace {

using K = BucketConfigKind;
using E = ErrorKind;
constexpr WhenAbsent kNotFound = WhenAbsent::kNotFoundError;
constexpr WhenAbsent kDefault = WhenAbsent::kDefaultDocument;

// Operation names, IAM actions and "not configured" answers as AWS documents them (the S3 API
// reference and the Service Authorization Reference's action list for Amazon S3).
constexpr BucketConfigSpec kSpecs[] = {
    {K::kAccelerate, "accelerate", "AccelerateConfiguration", "GetBucketAccelerateConfiguration",
     "PutBucketAccelerateConfiguration", "", "", "s3:GetAccelerateConfiguration",
     "s3:PutAccelerateConfiguration", "", kDefault, E::kNone, "", false, false},
    {K::kAcl, "acl", "AccessControlPolicy", "GetBucketAcl", "PutBucketAcl", "", "",
     "s3:GetBucketAcl", "s3:PutBucketAcl", "", kDefault, E::kNone, "", false, true},
    {K::kCors, "cors", "CORSConfiguration", "GetBucketCors", "PutBucketCors", "DeleteBucketCors",
     "", "s3:GetBucketCORS", "s3:PutBucketCORS", "s3:PutBucketCORS", kNotFound,
     E::kNoSuchCorsConfiguration, "The CORS configuration does not exist", false, true},
    {K::kLifecycle, "lifecycle", "LifecycleConfiguration", "GetBucketLifecycleConfiguration",
     "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle", "", "s3:GetLifecycleConfiguration",
     "s3:PutLifecycleConfiguration", "s3:PutLifecycleConfiguration", kNotFound,
     E::kNoSuchLifecycleConfiguration, "The lifecycle configuration does not exist", false, true},
    {K::kLogging, "logging", "BucketLoggingStatus", "GetBucketLogging", "PutBucketLogging", "", "",
     "s3:GetBucketLogging", "s3:PutBucketLogging", "", kDefault, E::kNone, "", false, true},
    {K::kNotification, "notification", "NotificationConfiguration",
     "GetBucketNotificationConfiguration", "PutBucketNotificationConfiguration", "", "",
     "s3:GetBucketNotification", "s3:PutBucketNotification", "", kDefault, E::kNone, "", false,
     false},
    {K::kObjectLock, "object-lock", "ObjectLockConfiguration", "GetObjectLockConfiguration",
     "PutObjectLockConfiguration", "", "", "s3:GetBucketObjectLockConfiguration",
     "s3:PutBucketObjectLockConfiguration", "", kNotFound, E::kObjectLockConfigurationNotFound,
     "Object Lock configuration does not exist for this bucket", false, true},
    {K::kOwnershipControls, "ownershipControls", "OwnershipControls", "GetBucketOwnershipControls",
     "PutBucketOwnershipControls", "DeleteBucketOwnershipControls", "",
     "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls",
     "s3:PutBucketOwnershipControls", kNotFound, E::kOwnershipControlsNotFound,
     "The bucket ownership controls were not found", false, true},
    {K::kPublicAccessBlock, "publicAccessBlock", "PublicAccessBlockConfiguration",
     "GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock", "",
     "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock",
     "s3:PutBucketPublicAccessBlock", kNotFound, E::kNoSuchPublicAccessBlockConfiguration,
     "The public access block configuration was not found", false, true},
    {K::kReplication, "replication", "ReplicationConfiguration", "GetBucketReplication",
     "PutBucketReplication", "DeleteBucketReplication", "", "s3:GetReplicationConfiguration",
     "s3:PutReplicationConfiguration", "s3:PutReplicationConfiguration", kNotFound,
     E::kReplicationConfigurationNotFound, "The replication configuration was not found", false,
     true},
    {K::kRequestPayment, "requestPayment", "RequestPaymentConfiguration", "GetBucketRequestPayment",
     "PutBucketRequestPayment", "", "", "s3:GetBucketRequestPayment", "s3:PutBucketRequestPayment",
     "", kDefault, E::kNone, "", false, true},
    {K::kTagging, "tagging", "Tagging", "GetBucketTagging", "PutBucketTagging",
     "DeleteBucketTagging", "", "s3:GetBucketTagging", "s3:PutBucketTagging", "s3:PutBucketTagging",
     kNotFound, E::kNoSuchTagSet, "The TagSet does not exist", false, true},
    {K::kWebsite, "website", "WebsiteConfiguration", "GetBucketWebsite", "PutBucketWebsite",
     "DeleteBucketWebsite", "", "s3:GetBucketWebsite", "s3:PutBucketWebsite",
     "s3:DeleteBucketWebsite", kNotFound, E::kNoSuchWebsiteConfiguration,
     "The specified bucket does not have a website configuration", false, true},
    {K::kAnalytics, "analytics", "AnalyticsConfiguration", "GetBucketAnalyticsConfiguration",
     "PutBucketAnalyticsConfiguration", "DeleteBucketAnalyticsConfiguration",
     "ListBucketAnalyticsConfigurations", "s3:GetAnalyticsConfiguration",
     "s3:PutAnalyticsConfiguration", "s3:PutAnalyticsConfiguration", kNotFound,
     E::kNoSuchConfiguration, "The specified configuration does not exist.", true, false},
    {K::kIntelligentTiering, "intelligent-tiering", "IntelligentTieringConfiguration",
     "GetBucketIntelligentTieringConfiguration", "PutBucketIntelligentTieringConfiguration",
     "DeleteBucketIntelligentTieringConfiguration", "ListBucketIntelligentTieringConfigurations",
     "s3:GetIntelligentTieringConfiguration", "s3:PutIntelligentTieringConfiguration",
     "s3:PutIntelligentTieringConfiguration", kNotFound, E::kNoSuchConfiguration,
     "The specified configuration does not exist.", true, false},
    {K::kInventory, "inventory", "InventoryConfiguration", "GetBucketInventoryConfiguration",
     "PutBucketInventoryConfiguration", "DeleteBucketInventoryConfiguration",
     "ListBucketInventoryConfigurations", "s3:GetInventoryConfiguration",
     "s3:PutInventoryConfiguration", "s3:PutInventoryConfiguration", kNotFound,
     E::kNoSuchConfiguration, "The specified configuration does not exist.", true, false},
    {K::kMetrics, "metrics", "MetricsConfiguration", "GetBucketMetricsConfiguration",
     "PutBucketMetricsConfiguration", "DeleteBucketMetricsConfiguration",
     "ListBucketMetricsConfigurations", "s3:GetMetricsConfiguration", "s3:PutMetricsConfiguration",
     "s3:PutMetricsConfiguration", kNotFound, E::kNoSuchConfiguration,
     "The specified configuration does not exist.", true, false},
};

}  // namespace

const BucketConfigSpec& SpecOf(BucketConfigKind kind) {
  for (const auto& s : kSpecs) {
    if (s.kind == kind) return s;
  }
  return kSpecs[0];  // unreachable: every kind has a row
}

const BucketConfigSpec* SpecForSubResource(std::string_view sub_resource) {
  auto it = std::find_if(std::begin(kSpecs), std::end(kSpecs),
                         [&](const BucketConfigSpec& s) { return s.sub_resource == sub_resource; });
  return it == std::end(kSpecs) ? nullptr : &*it;
}

const BucketConfigSpec* SpecForOperation(std::string_view op) {
  if (op.empty()) return nullptr;
  auto it = std::find_if(std::begin(kSpecs), std::end(kSpecs), [&](const BucketConfigSpec& s) {
    return s.get_op == op || s.put_op == op || s.delete_op == op || s.list_op == op;
  });
  return it == std::end(kSpecs) ? nullptr : &*it;
}

}  // namespace sealstack::api::s3
