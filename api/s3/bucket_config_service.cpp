// s3::Service bucket configurations, ACLs and CORS: each one access check with the
// configuration's IAM action (bucket_config.h), the checks that need the bucket's state, and one
// read-modify-write of the bucket's doc.
#include "api/s3/bucket_config_xml.h"
#include "api/s3/bucket_rules.h"
#include "api/s3/object_versions.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::s3 {

namespace {

Status NotConfigured(const BucketConfigSpec& spec, const std::string& bucket) {
  if (spec.keyed_by_id) return S3Error(spec.absent_error, std::string(spec.absent_message));
  return S3Error(spec.absent_error, std::string(spec.absent_message), {{"BucketName", bucket}});
}

// Checks of a Put against the bucket as it is inside the update's transaction.
Status CheckAgainstBucket(const Bucket& b, const BucketConfigDocument& doc) {
  switch (doc.kind) {
    case BucketConfigKind::kReplication:
      if (b.versioning != "Enabled") {
        return S3Error(ErrorKind::kInvalidRequest,
                       "Versioning must be 'Enabled' on the bucket to apply a replication "
                       "configuration");
      }
      break;
    case BucketConfigKind::kObjectLock:
      if (b.versioning != "Enabled") {
        return S3Error(ErrorKind::kInvalidBucketState,
                       "Versioning must be 'Enabled' on the bucket to apply a Object Lock "
                       "configuration",
                       {{"BucketName", b.name}});
      }
      break;
    case BucketConfigKind::kOwnershipControls:
      if (ObjectOwnershipOf(doc.inner) == kBucketOwnerEnforced) {
        auto acl = b.configs.documents.find("acl");
        if (acl != b.configs.documents.end() &&
            !OnlyOwnerFullControl(GrantsFromInner(acl->second), CanonicalId(b.account))) {
          return S3Error(ErrorKind::kInvalidBucketAclWithObjectOwnership,
                         "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced "
                         "setting");
        }
      }
      break;
    default:
      break;
  }
  return Status::Ok();
}

const char kCorsNotAllowed[] =
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
    "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are "
    "not whitelisted by the resource's CORS spec.";

}  // namespace

Result<std::string> Service::GetBucketConfig(const S3Caller& c, const std::string& bucket,
                                             BucketConfigKind kind, const std::string& id) {
  const BucketConfigSpec& spec = SpecOf(kind);
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b, parts_.buckets->Access(c, bucket, spec.get_action));
  const std::string sub(spec.sub_resource);
  if (spec.keyed_by_id) {
    auto entries = b.configs.by_id.find(sub);
    if (entries == b.configs.by_id.end()) return NotConfigured(spec, bucket);
    auto it = entries->second.find(id);
    if (it == entries->second.end()) return NotConfigured(spec, bucket);
    return it->second;
  }
  auto it = b.configs.documents.find(sub);
  if (it != b.configs.documents.end()) return it->second;
  if (spec.when_absent == WhenAbsent::kDefaultDocument) return DefaultConfigInner(kind);
  return NotConfigured(spec, bucket);
}

Status Service::PutBucketConfig(const S3Caller& c, const std::string& bucket,
                                const BucketConfigDocument& in) {
  const BucketConfigSpec& spec = SpecOf(in.kind);
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b, parts_.buckets->Access(c, bucket, spec.put_action));
  BucketConfigDocument doc = in;
  switch (doc.kind) {
    case BucketConfigKind::kAccelerate:
      if (bucket.find('.') != std::string::npos) {
        return S3Error(ErrorKind::kInvalidRequest,
                       "S3 Transfer Acceleration is not supported for buckets with periods (.) in "
                       "their names");
      }
      break;
    case BucketConfigKind::kLogging:
      if (std::string target = LoggingTargetOf(doc.inner); !target.empty()) {
        auto t = parts_.buckets->Load(target);
        if (!t.ok()) {
          return S3Error(ErrorKind::kInvalidTargetBucketForLogging,
                         "The target bucket for logging does not exist",
                         {{"TargetBucket", target}});
        }
        if (t->account != b.account) {
          return S3Error(ErrorKind::kInvalidTargetBucketForLogging,
                         "The owner for the bucket to be logged and the target bucket must be the "
                         "same.",
                         {{"TargetBucket", target}});
        }
      }
      break;
    case BucketConfigKind::kPublicAccessBlock:
      // Settings left out are false, and a Get names all four, as on S3.
      doc.inner = PublicAccessBlockInner(PublicAccessBlockOf(doc.inner));
      break;
    default:
      break;
  }
  const std::string sub(spec.sub_resource);
  return parts_.buckets->UpdateBucket(bucket, [&](Bucket* current) -> Status {
    SEALSTACK_RETURN_IF_ERROR(CheckAgainstBucket(*current, doc));
    if (spec.keyed_by_id) {
      current->configs.by_id[sub][doc.id] = doc.inner;
    } else if (doc.inner.empty() && spec.when_absent == WhenAbsent::kDefaultDocument) {
      // An empty BucketLoggingStatus / NotificationConfiguration turns the feature off.
      current->configs.documents.erase(sub);
    } else {
      current->configs.documents[sub] = doc.inner;
    }
    return Status::Ok();
  });
}

Status Service::DeleteBucketConfig(const S3Caller& c, const std::string& bucket,
                                   BucketConfigKind kind, const std::string& id) {
  const BucketConfigSpec& spec = SpecOf(kind);
  std::string_view action = spec.delete_action.empty() ? spec.put_action : spec.delete_action;
  SEALSTACK_RETURN_IF_ERROR(parts_.buckets->Access(c, bucket, action).status());
  const std::string sub(spec.sub_resource);
  return parts_.buckets->UpdateBucket(bucket, [&](Bucket* b) -> Status {
    if (spec.keyed_by_id) {
      auto& entries = b->configs.by_id[sub];
      if (entries.erase(id) == 0) return NotConfigured(spec, bucket);
      return Status::Ok();
    }
    b->configs.documents.erase(sub);
    return Status::Ok();
  });
}

Result<std::vector<std::string>> Service::ListBucketConfigs(const S3Caller& c,
                                                            const std::string& bucket,
                                                            BucketConfigKind kind) {
  const BucketConfigSpec& spec = SpecOf(kind);
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b, parts_.buckets->Access(c, bucket, spec.get_action));
  std::vector<std::string> out;
  auto entries = b.configs.by_id.find(std::string(spec.sub_resource));
  if (entries != b.configs.by_id.end()) {
    for (const auto& [id, inner] : entries->second) out.push_back(inner);
  }
  return out;
}

Result<Service::VersioningState> Service::GetBucketVersioning(const S3Caller& c,
                                                              const std::string& bucket) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b, parts_.buckets->Access(c, bucket, "s3:GetBucketVersioning"));
  return VersioningState{b.versioning, b.mfa_delete};
}

Status Service::PutBucketVersioning(const S3Caller& c, const std::string& bucket,
                                    const VersioningState& state) {
  SEALSTACK_RETURN_IF_ERROR(parts_.buckets->Access(c, bucket, "s3:PutBucketVersioning").status());
  return parts_.buckets->UpdateBucket(bucket, [&](Bucket* b) -> Status {
    // Object Lock needs versioning on for good (AWS: 409 InvalidBucketState).
    if (state.status == "Suspended" && b->configs.documents.count("object-lock") != 0) {
      return S3Error(ErrorKind::kInvalidBucketState,
                     "An Object Lock configuration is present on this bucket, so the versioning "
                     "state cannot be changed.");
    }
    if (!state.status.empty()) b->versioning = state.status;
    if (!state.mfa_delete.empty()) b->mfa_delete = state.mfa_delete;
    return Status::Ok();
  });
}

Result<Service::AclView> Service::GetBucketAcl(const S3Caller& c, const std::string& bucket) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b, parts_.buckets->Access(c, bucket, "s3:GetBucketAcl"));
  AclView view;
  view.owner_id = CanonicalId(b.account);
  auto stored = b.configs.documents.find("acl");
  if (!AclsDisabled(b) && stored != b.configs.documents.end()) {
    view.grants = GrantsFromInner(stored->second);
  } else {
    view.grants = {AclGrant{"CanonicalUser", view.owner_id, "", "", "FULL_CONTROL"}};
  }
  return view;
}

Status Service::PutBucketAcl(const S3Caller& c, const std::string& bucket, const AclRequest& acl) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b, parts_.buckets->Access(c, bucket, "s3:PutBucketAcl"));
  const std::string owner = CanonicalId(b.account);
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<AclGrant> grants, GrantsOf(acl, AclLevel::kBucket, owner));
  SEALSTACK_RETURN_IF_ERROR(CheckAclWrite(b, grants));
  return parts_.buckets->UpdateBucket(bucket, [&](Bucket* current) -> Status {
    SEALSTACK_RETURN_IF_ERROR(CheckAclWrite(*current, grants));
    if (OnlyOwnerFullControl(grants, owner)) {
      current->configs.documents.erase("acl");
    } else {
      current->configs.documents["acl"] = GrantsInner(grants);
    }
    return Status::Ok();
  });
}

Result<Service::AclView> Service::GetObjectAcl(const S3Caller& c, const std::string& bucket,
                                               const std::string& key) {
  SEALSTACK_ASSIGN_OR_RETURN(
      Bucket b,
      parts_.buckets->Access(c, bucket, S3Access{"s3:GetObjectAcl", ObjectArn(bucket, key), {}}));
  SEALSTACK_RETURN_IF_ERROR(
      FindReadableVersion(*parts_.store, bucket, key, std::nullopt, "GET").status());
  AclView view;
  view.owner_id = CanonicalId(b.account);
  view.grants = {AclGrant{"CanonicalUser", view.owner_id, "", "", "FULL_CONTROL"}};
  return view;
}

Status Service::PutObjectAcl(const S3Caller& c, const std::string& bucket, const std::string& key,
                             const AclRequest& acl) {
  SEALSTACK_ASSIGN_OR_RETURN(
      Bucket b,
      parts_.buckets->Access(c, bucket, S3Access{"s3:PutObjectAcl", ObjectArn(bucket, key), {}}));
  SEALSTACK_RETURN_IF_ERROR(
      FindReadableVersion(*parts_.store, bucket, key, std::nullopt, "GET").status());
  const std::string owner = CanonicalId(b.account);
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<AclGrant> grants, GrantsOf(acl, AclLevel::kObject, owner));
  SEALSTACK_RETURN_IF_ERROR(CheckAclWrite(b, grants));
  if (!OnlyOwnerFullControl(grants, owner)) {
    return S3Error(ErrorKind::kNotImplemented,
                   "SealStack does not store object ACLs; an object's ACL is its owner's full "
                   "control (docs/s3.md).");
  }
  return Status::Ok();
}

Result<HeaderList> Service::CorsPreflight(const std::string& bucket,
                                          const std::optional<std::string>& origin,
                                          const std::optional<std::string>& method,
                                          const std::vector<std::string>& request_headers,
                                          std::string_view resource_type) {
  if (!origin) {
    return S3Error(ErrorKind::kBadRequest,
                   "Insufficient information. Origin request header needed.");
  }
  const std::string shown_method = method.value_or("OPTIONS");
  auto forbidden = [&](const char* message, std::string_view type) {
    return S3Error(ErrorKind::kCorsForbidden, message,
                   {{"Method", shown_method}, {"ResourceType", std::string(type)}});
  };
  auto b = parts_.buckets->Load(bucket);
  if (!b.ok()) {
    if (b.status().code() == StatusCode::kNotFound) {
      return forbidden("CORSResponse: Bucket not found", "BUCKET");
    }
    return b.status();
  }
  auto cors = b->configs.documents.find("cors");
  if (cors == b->configs.documents.end()) {
    return forbidden("CORSResponse: CORS is not enabled for this bucket.", resource_type);
  }
  if (!method) {
    return S3Error(ErrorKind::kBadRequest, "Invalid Access-Control-Request-Method: null");
  }
  std::vector<CorsRule> rules = CorsRulesOf(cors->second);
  const CorsRule* rule = MatchCorsRule(rules, *origin, *method, request_headers);
  if (rule == nullptr) return forbidden(kCorsNotAllowed, resource_type);
  return CorsResponseHeaders(*rule, *origin, request_headers);
}

HeaderList Service::CorsHeadersFor(const std::string& bucket, const std::string& origin,
                                   const std::string& method) {
  auto b = parts_.buckets->Load(bucket);
  if (!b.ok()) return {};
  auto cors = b->configs.documents.find("cors");
  if (cors == b->configs.documents.end()) return {};
  std::vector<CorsRule> rules = CorsRulesOf(cors->second);
  const CorsRule* rule = MatchCorsRule(rules, origin, method, {});
  if (rule == nullptr) return {};
  return CorsResponseHeaders(*rule, origin, {});
}

}  // namespace sealstack::api::s3
