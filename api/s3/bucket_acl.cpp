#include "api/s3/bucket_acl.h"

#include <algorithm>

#include "api/s3/s3_errors.h"
#include "common/strings.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

AclGrant OwnerGrant(const std::string& id, std::string_view permission) {
  return AclGrant{"CanonicalUser", id, "", "", std::string(permission)};
}

AclGrant GroupGrant(std::string_view uri, std::string_view permission) {
  return AclGrant{"Group", "", std::string(uri), "", std::string(permission)};
}

Status InvalidCannedAcl(std::string_view canned) {
  return S3Error(ErrorKind::kInvalidArgument, "",
                 {{"ArgumentName", "x-amz-acl"}, {"ArgumentValue", std::string(canned)}});
}

// x-amz-grant-full-control for "FULL_CONTROL".
std::string GrantHeaderName(std::string_view permission) {
  std::string out = "x-amz-grant-" + ToLower(permission);
  for (char& c : out) c = c == '_' ? '-' : c;
  return out;
}

}  // namespace

std::string CanonicalId(const std::string& account) {
  return crypto::Hex(crypto::Sha256("sealstack-canonical-user:" + account));
}

Result<std::vector<AclGrant>> ExpandCannedAcl(std::string_view canned, AclLevel level,
                                              const std::string& owner_id) {
  std::vector<AclGrant> out{OwnerGrant(owner_id, "FULL_CONTROL")};
  if (canned == "private") return out;
  if (canned == "public-read") {
    out.push_back(GroupGrant(kAllUsersUri, "READ"));
  } else if (canned == "public-read-write") {
    out.push_back(GroupGrant(kAllUsersUri, "READ"));
    out.push_back(GroupGrant(kAllUsersUri, "WRITE"));
  } else if (canned == "authenticated-read") {
    out.push_back(GroupGrant(kAuthenticatedUsersUri, "READ"));
  } else if (canned == "log-delivery-write" && level == AclLevel::kBucket) {
    out.push_back(GroupGrant(kLogDeliveryUri, "WRITE"));
    out.push_back(GroupGrant(kLogDeliveryUri, "READ_ACP"));
  } else if (canned == "bucket-owner-read" || canned == "bucket-owner-full-control" ||
             canned == "aws-exec-read") {
    // The bucket owner is the object owner here: these add nothing to the owner's grant
    // (aws-exec-read's EC2 read grant aside, which grants nothing SealStack enforces).
    if (canned == "aws-exec-read" && level == AclLevel::kBucket) return InvalidCannedAcl(canned);
  } else {
    return InvalidCannedAcl(canned);
  }
  return out;
}

Result<std::vector<AclGrant>> GrantsOf(const AclRequest& request, AclLevel level,
                                       const std::string& owner_id) {
  if (request.canned) return ExpandCannedAcl(*request.canned, level, owner_id);
  if (request.grants) return *request.grants;
  return std::vector<AclGrant>{OwnerGrant(owner_id, "FULL_CONTROL")};
}

bool OnlyOwnerFullControl(const std::vector<AclGrant>& grants, const std::string& owner_id) {
  return std::all_of(grants.begin(), grants.end(), [&](const AclGrant& g) {
    return g.type == "CanonicalUser" && g.id == owner_id && g.permission == "FULL_CONTROL";
  });
}

bool IsPublicAcl(const std::vector<AclGrant>& grants) {
  return std::any_of(grants.begin(), grants.end(), [](const AclGrant& g) {
    return g.type == "Group" && (g.uri == kAllUsersUri || g.uri == kAuthenticatedUsersUri);
  });
}

Result<std::vector<AclGrant>> ParseGrantHeader(std::string_view permission,
                                               std::string_view value) {
  std::vector<AclGrant> out;
  for (std::string_view item : Split(value, ',')) {
    item = Trim(item);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string_view name = eq == std::string_view::npos ? "" : Trim(item.substr(0, eq));
    std::string_view v = eq == std::string_view::npos ? "" : Trim(item.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    AclGrant g;
    g.permission = std::string(permission);
    if (EqualsIgnoreCase(name, "id")) {
      g.type = "CanonicalUser";
      g.id = std::string(v);
    } else if (EqualsIgnoreCase(name, "uri")) {
      g.type = "Group";
      g.uri = std::string(v);
    } else if (EqualsIgnoreCase(name, "emailAddress")) {
      g.type = "AmazonCustomerByEmail";
      g.email = std::string(v);
    } else {
      return S3Error(
          ErrorKind::kInvalidArgument, "Invalid id",
          {{"ArgumentName", GrantHeaderName(permission)}, {"ArgumentValue", std::string(item)}});
    }
    if (v.empty()) {
      return S3Error(
          ErrorKind::kInvalidArgument, "Invalid id",
          {{"ArgumentName", GrantHeaderName(permission)}, {"ArgumentValue", std::string(item)}});
    }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace sealstack::api::s3
