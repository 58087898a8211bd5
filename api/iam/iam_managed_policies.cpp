// Customer managed policies and their versions (CreatePolicy, ..., SetDefaultPolicyVersion), the
// AWS managed policies SealStack knows, and the documents of attached and boundary policies.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "api/iam/iam_internal.h"
#include "audit/pending_call.h"
#include "common/strings.h"
#include "policy/document.h"

namespace sealstack::api::iam {

namespace {

constexpr size_t kMaxPolicyVersions = 5;
constexpr size_t kMaxAttachedPerEntity = 10;
constexpr size_t kMaxManagedPolicySize = 6144;

struct VersionEntry {
  std::string id;
  std::string doc;
  int64_t created = 0;
};

std::vector<VersionEntry> VersionsOf(const std::string& json) {
  std::vector<VersionEntry> out;
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError() || !d.IsArray()) return out;
  for (const auto& v : d.GetArray()) {
    if (!v.IsObject() || !v.HasMember("VersionId") || !v.HasMember("Document") ||
        !v.HasMember("CreateDate") || !v["VersionId"].IsString() || !v["Document"].IsString() ||
        !v["CreateDate"].IsInt64()) {
      continue;
    }
    out.push_back(
        {v["VersionId"].GetString(), v["Document"].GetString(), v["CreateDate"].GetInt64()});
  }
  return out;
}

std::string VersionsJson(const std::vector<VersionEntry>& versions) {
  return JsonArray(versions, [](JsonWriter& w, const VersionEntry& v) {
    w.StartObject();
    w.Key("VersionId");
    WriteJsonString(w, v.id);
    w.Key("Document");
    WriteJsonString(w, v.doc);
    w.Key("CreateDate");
    w.Int64(v.created);
    w.EndObject();
  });
}

std::optional<std::string> DefaultDocument(const storage::IamManagedPolicyRow& row) {
  for (const VersionEntry& v : VersionsOf(row.versions)) {
    if (v.id == row.default_version) return v.doc;
  }
  return std::nullopt;
}

// The AWS managed policies SealStack knows (as rows of the "aws" account).
std::optional<storage::IamManagedPolicyRow> BuiltinPolicy(const std::string& arn) {
  static constexpr struct {
    std::string_view name;
    std::string_view id;
    std::string_view doc;
  } kBuiltins[] = {
      {"AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
  };
  for (const auto& b : kBuiltins) {
    if (arn != "arn:aws:iam::aws:policy/" + std::string(b.name)) continue;
    storage::IamManagedPolicyRow row;
    row.account = "aws";
    row.name = std::string(b.name);
    row.path = "/";
    row.id = std::string(b.id);
    row.arn = arn;
    row.default_version = "v1";
    row.versions = VersionsJson({{"v1", std::string(b.doc), 1423785600}});  // 2015-02-06
    row.created = 1423785600;
    row.updated = 1423785600;
    return row;
  }
  return std::nullopt;
}

}  // namespace

Status NoSuchPolicy(const std::string& arn) {
  return IamError(ErrorKind::kNoSuchEntity,
                  "Policy " + arn + " does not exist or is not attachable.");
}

// The policy row of `arn` (a customer policy or a built-in AWS managed one).
Result<storage::IamManagedPolicyRow> FindManaged(storage::Connection& conn,
                                                 const std::string& arn) {
  if (auto builtin = BuiltinPolicy(arn)) return *builtin;
  return OrMissing(IamRepo::GetManagedPolicy(conn, arn), NoSuchPolicy(arn));
}

namespace {

// A customer managed policy of `account` (NoSuchEntity for any other).
Result<storage::IamManagedPolicyRow> OwnPolicyRow(storage::Connection& conn,
                                                  const std::string& account,
                                                  const std::string& arn) {
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row,
                             OrMissing(IamRepo::GetManagedPolicy(conn, arn), NoSuchPolicy(arn)));
  if (row.account != account) return NoSuchPolicy(arn);
  return row;
}

}  // namespace

// The documents of the managed policies attached to one entity (defaults only; gone: skipped).
Result<std::vector<std::string>> AttachedDocuments(storage::Connection& conn,
                                                   const std::string& account,
                                                   storage::IamPolicyOwner kind,
                                                   const std::string& owner) {
  std::vector<std::string> out;
  SEALSTACK_ASSIGN_OR_RETURN(auto arns, IamRepo::ListAttached(conn, account, kind, owner));
  for (const std::string& arn : arns) {
    Result<storage::IamManagedPolicyRow> row = FindManaged(conn, arn);
    if (!row.ok()) continue;
    if (auto doc = DefaultDocument(*row)) out.push_back(std::move(*doc));
  }
  return out;
}

// The boundary document of an entity whose boundary is `arn` (none: none). A boundary policy
// that is gone allows nothing (an empty document), as a deleted policy cannot be read.
std::optional<std::string> BoundaryDocument(storage::Connection& conn,
                                            const std::optional<std::string>& arn) {
  if (!arn) return std::nullopt;
  Result<storage::IamManagedPolicyRow> row = FindManaged(conn, *arn);
  if (!row.ok()) return std::string(R"({"Version":"2012-10-17","Statement":[]})");
  return DefaultDocument(*row).value_or(R"({"Version":"2012-10-17","Statement":[]})");
}

Status CheckBoundaryPolicy(storage::Connection& conn, const std::string& account,
                           const std::string& arn) {
  Result<storage::IamManagedPolicyRow> row = FindManaged(conn, arn);
  if (!row.ok() || (row->account != account && row->account != "aws")) {
    return IamError(ErrorKind::kNoSuchEntity,
                    "Scope ARN: " + arn + " does not exist or is not attachable.");
  }
  return Status::Ok();
}

namespace {

Result<ManagedPolicy> PolicyOfRow(storage::Connection& conn,
                                  const storage::IamManagedPolicyRow& r) {
  ManagedPolicy p;
  p.name = r.name;
  p.id = r.id;
  p.arn = r.arn;
  p.path = r.path;
  p.default_version = r.default_version;
  p.description = r.description;
  p.created = FromEpoch(r.created);
  p.updated = FromEpoch(r.updated);
  SEALSTACK_ASSIGN_OR_RETURN(auto attachments, IamRepo::ListAttachments(conn, r.arn));
  p.attachment_count = static_cast<int64_t>(attachments.size());
  SEALSTACK_ASSIGN_OR_RETURN(p.boundary_usage_count, IamRepo::CountBoundaryUses(conn, r.arn));
  return p;
}

std::string NextVersionId(int64_t n) {
  return "v" + std::to_string(n);
}

}  // namespace

Result<ManagedPolicy> Service::CreateManagedPolicy(const Caller& c, const CreatePolicyInput& in) {
  const std::string& account = c.principal->account;
  const std::string path = in.path.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckNewEntity(in.name, "policyName", 128, path, in.tags));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(in.document, policy::PolicyKind::kIdentity));
  if (PolicySize(in.document) > kMaxManagedPolicySize) {
    return IamError(ErrorKind::kLimitExceeded, "Cannot exceed quota for PolicySize: 6144");
  }
  const std::string arn = EntityArn(account, "policy", path, in.name);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreatePolicy", arn));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  const int64_t now = EpochSeconds(clock_->Now());
  storage::IamManagedPolicyRow row;
  row.account = account;
  row.name = in.name;
  row.path = path;
  row.id = "ANPA" + suffix;
  row.arn = arn;
  row.description = in.description;
  row.default_version = "v1";
  row.next_version = 2;
  row.versions = VersionsJson({{"v1", in.document, now}});
  row.created = now;
  row.updated = now;
  Result<ManagedPolicy> out = Status::Internal("unset");
  const auto insert = [&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(IamRepo::InsertManagedPolicy(conn, row));
    out = PolicyOfRow(conn, row);
    return out.status();
  };
  const Status st = audit::PendingCall::InTransaction(db_, insert);
  SEALSTACK_RETURN_IF_ERROR(OrAlreadyExists(
      st, "A policy called " + in.name + " already exists. Duplicate names are not allowed."));
  out->tags = in.tags;
  return out;
}

Result<ManagedPolicy> Service::GetManagedPolicy(const Caller& c, const std::string& arn) {
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetPolicy", arn));
  return ReadFrom(db_, [&](storage::Connection& conn) -> Result<ManagedPolicy> {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row, FindManaged(conn, arn));
    return PolicyOfRow(conn, row);
  });
}

Result<Page<ManagedPolicy>> Service::ListManagedPolicies(const Caller& c, const ListInput& in,
                                                         const std::string& scope,
                                                         bool only_attached) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckPath(in.path_prefix, "pathPrefix"));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  if (scope != "All" && scope != "Local" && scope != "AWS") {
    return Invalid(scope, "scope", "Member must satisfy enum value set: [All, AWS, Local]");
  }
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListPolicies", "arn:aws:iam::" + account + ":policy/"));
  std::vector<ManagedPolicy> all;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    std::vector<storage::IamManagedPolicyRow> rows;
    if (scope != "Local") {
      if (auto b = BuiltinPolicy("arn:aws:iam::aws:policy/AdministratorAccess")) {
        if (StartsWith(b->path, in.path_prefix)) rows.push_back(*b);
      }
    }
    if (scope != "AWS") {
      SEALSTACK_ASSIGN_OR_RETURN(auto local,
                                 IamRepo::ListManagedPolicies(conn, account, in.path_prefix, "",
                                                              static_cast<size_t>(-1) >> 1));
      rows.insert(rows.end(), local.begin(), local.end());
    }
    for (const auto& r : rows) {
      SEALSTACK_ASSIGN_OR_RETURN(ManagedPolicy p, PolicyOfRow(conn, r));
      if (only_attached && p.attachment_count == 0) continue;
      all.push_back(std::move(p));
    }
    return Status::Ok();
  }));
  std::stable_sort(all.begin(), all.end(), [](const ManagedPolicy& a, const ManagedPolicy& b) {
    return ToLower(a.name) < ToLower(b.name);
  });
  return PageOf(std::move(all), in, max);
}

Status Service::DeleteManagedPolicy(const Caller& c, const std::string& arn) {
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeletePolicy", arn));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row,
                               OwnPolicyRow(conn, c.principal->account, arn));
    SEALSTACK_ASSIGN_OR_RETURN(auto attachments, IamRepo::ListAttachments(conn, arn));
    if (!attachments.empty()) {
      return IamError(ErrorKind::kDeleteConflict, "Cannot delete a policy attached to entities.");
    }
    if (VersionsOf(row.versions).size() > 1) {
      return IamError(ErrorKind::kDeleteConflict,
                      "This policy has more than one version. Before you delete a policy, you "
                      "must delete the policy's versions. The default version is deleted with "
                      "the policy.");
    }
    SEALSTACK_ASSIGN_OR_RETURN(int64_t uses, IamRepo::CountBoundaryUses(conn, arn));
    if (uses > 0) {
      return IamError(ErrorKind::kDeleteConflict,
                      "Cannot delete a policy attached to entities as permissions boundary.");
    }
    return IamRepo::DeleteManagedPolicy(conn, arn).status();
  });
}

Status Service::ChangeOwnPolicy(
    const Caller& c, const std::string& arn, std::string_view operation,
    const std::function<Status(storage::IamManagedPolicyRow& row)>& change) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, operation, arn));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row,
                               OwnPolicyRow(conn, c.principal->account, arn));
    SEALSTACK_RETURN_IF_ERROR(change(row));
    return IamRepo::UpdateManagedPolicy(conn, row);
  });
}

Result<PolicyVersion> Service::CreatePolicyVersion(const Caller& c, const std::string& arn,
                                                   const std::string& document,
                                                   bool set_as_default) {
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(document, policy::PolicyKind::kIdentity));
  if (PolicySize(document) > kMaxManagedPolicySize) {
    return IamError(ErrorKind::kLimitExceeded, "Cannot exceed quota for PolicySize: 6144");
  }
  PolicyVersion out;
  const auto change = [&](storage::IamManagedPolicyRow& row) -> Status {
    std::vector<VersionEntry> versions = VersionsOf(row.versions);
    if (versions.size() >= kMaxPolicyVersions) {
      return IamError(ErrorKind::kLimitExceeded,
                      "A managed policy can have up to 5 versions. Before you create a new "
                      "version, you must delete an existing version.");
    }
    const int64_t now = EpochSeconds(clock_->Now());
    const std::string id = NextVersionId(row.next_version);
    versions.push_back({id, document, now});
    row.versions = VersionsJson(versions);
    row.next_version += 1;
    if (set_as_default) row.default_version = id;
    row.updated = now;
    out = PolicyVersion{id, document, set_as_default, FromEpoch(now)};
    return Status::Ok();
  };
  SEALSTACK_RETURN_IF_ERROR(ChangeOwnPolicy(c, arn, "CreatePolicyVersion", change));
  return out;
}

Result<PolicyVersion> Service::GetPolicyVersion(const Caller& c, const std::string& arn,
                                                const std::string& version_id) {
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetPolicyVersion", arn));
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<PolicyVersion> versions, ListPolicyVersionsOf(arn));
  for (PolicyVersion& v : versions) {
    if (v.version_id == version_id) return std::move(v);
  }
  return IamError(ErrorKind::kNoSuchEntity, "Policy " + arn + " version " + version_id +
                                                " does not exist or is not attachable.");
}

Result<std::vector<PolicyVersion>> Service::ListPolicyVersions(const Caller& c,
                                                               const std::string& arn) {
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListPolicyVersions", arn));
  return ListPolicyVersionsOf(arn);
}

Result<std::vector<PolicyVersion>> Service::ListPolicyVersionsOf(const std::string& arn) {
  std::vector<PolicyVersion> out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row, FindManaged(conn, arn));
    for (const VersionEntry& v : VersionsOf(row.versions)) {
      out.push_back({v.id, v.doc, v.id == row.default_version, FromEpoch(v.created)});
    }
    return Status::Ok();
  }));
  // Newest first, as IAM lists them.
  std::reverse(out.begin(), out.end());
  return out;
}

Status Service::DeletePolicyVersion(const Caller& c, const std::string& arn,
                                    const std::string& version_id) {
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  const auto change = [&](storage::IamManagedPolicyRow& row) -> Status {
    std::vector<VersionEntry> versions = VersionsOf(row.versions);
    auto it = std::find_if(versions.begin(), versions.end(),
                           [&](const VersionEntry& v) { return v.id == version_id; });
    if (it == versions.end()) {
      return IamError(ErrorKind::kNoSuchEntity, "Policy " + arn + " version " + version_id +
                                                    " does not exist or is not deletable.");
    }
    if (version_id == row.default_version) {
      return IamError(ErrorKind::kDeleteConflict, "Cannot delete the default version of a policy.");
    }
    versions.erase(it);
    row.versions = VersionsJson(versions);
    row.updated = EpochSeconds(clock_->Now());
    return Status::Ok();
  };
  return ChangeOwnPolicy(c, arn, "DeletePolicyVersion", change);
}

Status Service::SetDefaultPolicyVersion(const Caller& c, const std::string& arn,
                                        const std::string& version_id) {
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  const auto change = [&](storage::IamManagedPolicyRow& row) -> Status {
    const std::vector<VersionEntry> versions = VersionsOf(row.versions);
    if (std::none_of(versions.begin(), versions.end(),
                     [&](const VersionEntry& v) { return v.id == version_id; })) {
      return IamError(ErrorKind::kNoSuchEntity, "Policy " + arn + " version " + version_id +
                                                    " does not exist or is not attachable.");
    }
    row.default_version = version_id;
    row.updated = EpochSeconds(clock_->Now());
    return Status::Ok();
  };
  return ChangeOwnPolicy(c, arn, "SetDefaultPolicyVersion", change);
}

Result<std::string> Service::ManagedPolicyDocument(const std::string& arn) {
  std::optional<std::string> doc;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    Result<storage::IamManagedPolicyRow> row = FindManaged(conn, arn);
    if (row.ok()) doc = DefaultDocument(*row);
    return Status::Ok();
  }));
  if (!doc) return Status::NotFound("policy " + arn);
  return *doc;
}

}  // namespace sealstack::api::iam
