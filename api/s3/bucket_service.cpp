#include "api/s3/bucket_service.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/common/json_fields.h"
#include "api/s3/bucket_config_xml.h"
#include "api/s3/s3_errors.h"
#include "audit/pending_call.h"
#include "common/time_format.h"
#include "storage/s3_repo.h"

namespace sealstack::api::s3 {

namespace {

Status NoSuchBucket(const std::string& name) {
  return S3Error(ErrorKind::kNoSuchBucket, "The specified bucket does not exist",
                 {{"BucketName", name}});
}

using JsonValue = rapidjson::Value;

void SetMember(rapidjson::Document& d, std::string_view name, JsonValue value) {
  auto& a = d.GetAllocator();
  auto it = d.FindMember(rapidjson::StringRef(name.data(), name.size()));
  if (it != d.MemberEnd()) {
    it->value = std::move(value);
  } else {
    d.AddMember(JsonValue(name.data(), static_cast<rapidjson::SizeType>(name.size()), a),
                std::move(value), a);
  }
}

JsonValue JsonString(std::string_view s, rapidjson::Document::AllocatorType& a) {
  return JsonValue(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

JsonValue EncodeEncryption(const EncryptionConfiguration& e, bool configured,
                           rapidjson::Document::AllocatorType& a) {
  JsonValue v(rapidjson::kObjectType);
  v.AddMember("algorithm", JsonString(e.sse_algorithm, a), a);
  v.AddMember("kms_key_id", JsonString(e.kms_master_key_id, a), a);
  if (e.bucket_key_enabled) v.AddMember("bucket_key", *e.bucket_key_enabled, a);
  if (e.blocked_encryption_types) {
    JsonValue types(rapidjson::kArrayType);
    for (const auto& t : *e.blocked_encryption_types) types.PushBack(JsonString(t, a), a);
    v.AddMember("blocked", types, a);
  }
  if (configured) v.AddMember("configured", true, a);
  return v;
}

// The bucket's doc with the members this service owns (encryption, policy, configs) set from
// `b`, and every other member of `previous` kept as it was (a doc written by a newer release
// keeps its fields through a change of ours).
std::string EncodeDoc(const Bucket& b, const std::string& previous) {
  rapidjson::Document d;
  d.Parse(previous.c_str(), previous.size());
  if (d.HasParseError() || !d.IsObject()) d.SetObject();
  auto& a = d.GetAllocator();
  SetMember(d, "encryption", EncodeEncryption(b.encryption, b.encryption_configured, a));
  if (b.policy.empty()) {
    d.RemoveMember("policy");
  } else {
    SetMember(d, "policy", JsonString(b.policy, a));
  }
  JsonValue docs(rapidjson::kObjectType);
  for (const auto& [name, inner] : b.configs.documents) {
    docs.AddMember(JsonString(name, a), JsonString(inner, a), a);
  }
  SetMember(d, "configs", std::move(docs));
  if (!b.versioning.empty()) SetMember(d, "versioning", JsonString(b.versioning, a));
  if (!b.mfa_delete.empty()) SetMember(d, "mfa_delete", JsonString(b.mfa_delete, a));
  JsonValue by_id(rapidjson::kObjectType);
  for (const auto& [name, entries] : b.configs.by_id) {
    if (entries.empty()) continue;
    JsonValue m(rapidjson::kObjectType);
    for (const auto& [id, inner] : entries) m.AddMember(JsonString(id, a), JsonString(inner, a), a);
    by_id.AddMember(JsonString(name, a), m, a);
  }
  SetMember(d, "configs_by_id", std::move(by_id));
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Str(const JsonValue& v) {
  return std::string(v.GetString(), v.GetStringLength());
}

void DecodeDoc(const std::string& doc, Bucket* b) {
  EncryptionConfiguration& e = b->encryption;
  rapidjson::Document d;
  d.Parse(doc.c_str(), doc.size());
  if (d.HasParseError() || !d.IsObject()) return;
  b->policy = ReadJsonString(d, "policy");
  b->versioning = ReadJsonString(d, "versioning");
  b->mfa_delete = ReadJsonString(d, "mfa_delete");
  if (auto c = d.FindMember("configs"); c != d.MemberEnd() && c->value.IsObject()) {
    for (const auto& m : c->value.GetObject()) {
      if (m.value.IsString()) b->configs.documents[Str(m.name)] = Str(m.value);
    }
  }
  if (auto c = d.FindMember("configs_by_id"); c != d.MemberEnd() && c->value.IsObject()) {
    for (const auto& kind : c->value.GetObject()) {
      if (!kind.value.IsObject()) continue;
      auto& entries = b->configs.by_id[Str(kind.name)];
      for (const auto& m : kind.value.GetObject()) {
        if (m.value.IsString()) entries[Str(m.name)] = Str(m.value);
      }
    }
  }
  auto enc = d.FindMember("encryption");
  if (enc == d.MemberEnd() || !enc->value.IsObject()) return;
  const auto& v = enc->value;
  if (auto a = v.FindMember("algorithm"); a != v.MemberEnd() && a->value.IsString()) {
    e.sse_algorithm = a->value.GetString();
  }
  if (auto k = v.FindMember("kms_key_id"); k != v.MemberEnd() && k->value.IsString()) {
    e.kms_master_key_id = k->value.GetString();
  }
  if (auto bk = v.FindMember("bucket_key"); bk != v.MemberEnd() && bk->value.IsBool()) {
    e.bucket_key_enabled = bk->value.GetBool();
  }
  if (auto bl = v.FindMember("blocked"); bl != v.MemberEnd() && bl->value.IsArray()) {
    std::vector<std::string> types;
    for (const auto& t : bl->value.GetArray()) {
      if (t.IsString()) types.emplace_back(t.GetString());
    }
    e.blocked_encryption_types = types;
  }
  b->encryption_configured = ReadJsonBool(v, "configured");
}

Bucket FromRow(const storage::S3BucketRow& row) {
  Bucket b;
  b.name = row.name;
  b.account = row.account;
  b.region = row.region;
  b.created = SystemTime(std::chrono::microseconds(static_cast<int64_t>(row.created_at * 1e6)));
  DecodeDoc(row.doc, &b);
  return b;
}

bool AllDigitsAndDots(std::string_view s) {
  int dots = 0;
  for (char ch : s) {
    if (ch == '.') {
      ++dots;
    } else if (ch < '0' || ch > '9') {
      return false;
    }
  }
  return dots == 3;
}

}  // namespace

bool IsValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  auto alnum = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (char ch : name) {
    if (!alnum(ch) && ch != '.' && ch != '-') return false;
  }
  if (name.find("..") != std::string_view::npos) return false;
  if (AllDigitsAndDots(name)) return false;
  return true;
}

BucketService::BucketService(storage::Database& db, std::shared_ptr<const Clock> clock,
                             BucketOptions options)
    : db_(db), clock_(std::move(clock)), options_(options) {}

EncryptionConfiguration BucketService::InitialEncryption() const {
  EncryptionConfiguration e;
  e.sse_algorithm = "AES256";
  e.bucket_key_enabled = false;
  if (options_.block_sse_c_by_default)
    e.blocked_encryption_types = std::vector<std::string>{"SSE-C"};
  return e;
}

BucketDefault BucketService::DefaultOf(const Bucket& b) {
  BucketDefault d;
  d.algorithm = b.encryption.sse_algorithm;
  d.kms_key_id = b.encryption.kms_master_key_id;
  d.bucket_key_enabled = b.encryption.bucket_key_enabled.value_or(false);
  if (b.encryption.blocked_encryption_types) {
    for (const auto& t : *b.encryption.blocked_encryption_types) {
      if (t == "SSE-C") d.block_sse_c = true;
    }
  }
  return d;
}

Status BucketService::CreateBucket(const S3Caller& c, const std::string& name,
                                   const BucketCreation& creation) {
  if (!IsValidBucketName(name)) {
    return S3Error(ErrorKind::kInvalidBucketName, "The specified bucket is not valid.",
                   {{"BucketName", name}});
  }
  const std::string ownership =
      creation.object_ownership.value_or(std::string(kBucketOwnerEnforced));
  if (ownership != kBucketOwnerEnforced && ownership != kBucketOwnerPreferred &&
      ownership != kObjectWriter) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Invalid x-amz-object-ownership header: " + ownership,
                   {{"ArgumentName", "x-amz-object-ownership"}});
  }
  const std::string owner_id = CanonicalId(c.principal->account);
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<AclGrant> grants,
                             GrantsOf(creation.acl, AclLevel::kBucket, owner_id));
  if (!OnlyOwnerFullControl(grants, owner_id)) {
    if (ownership == kBucketOwnerEnforced) {
      return S3Error(ErrorKind::kInvalidBucketAclWithObjectOwnership,
                     "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced "
                     "setting");
    }
    // New buckets block public ACLs (their PublicAccessBlock below).
    if (IsPublicAcl(grants)) {
      return S3Error(ErrorKind::kInvalidBucketAclWithBlockPublicAccess,
                     "Bucket cannot have public ACLs set with BlockPublicAccess enabled");
    }
  }
  Bucket initial;
  initial.encryption = InitialEncryption();
  initial.configs.documents["ownershipControls"] = OwnershipControlsInner(ownership);
  initial.configs.documents["publicAccessBlock"] =
      PublicAccessBlockInner(PublicAccessBlock{true, true, true, true});
  if (!OnlyOwnerFullControl(grants, owner_id))
    initial.configs.documents["acl"] = GrantsInner(grants);
  if (creation.object_lock_enabled) {
    initial.versioning = "Enabled";
    initial.configs.documents["object-lock"] = "<ObjectLockEnabled>Enabled</ObjectLockEnabled>";
  }
  storage::S3BucketRow row;
  row.name = name;
  row.account = c.principal->account;
  row.region = creation.location_constraint.empty() ? c.region : creation.location_constraint;
  row.created_at = ToEpochSeconds(clock_->Now());
  row.doc = EncodeDoc(initial, "");
  Status st = audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return storage::S3Repo::CreateBucket(conn, row); });
  if (st.code() == StatusCode::kAlreadyExists) {
    auto existing = Load(name);
    if (existing.ok() && existing->account == c.principal->account) {
      return S3Error(ErrorKind::kBucketAlreadyOwnedByYou,
                     "Your previous request to create the named bucket succeeded and you already "
                     "own it.",
                     {{"BucketName", name}});
    }
    return S3Error(ErrorKind::kBucketAlreadyExists,
                   "The requested bucket name is not available. The bucket namespace is shared by "
                   "all users of the system. Please select a different name and try again.",
                   {{"BucketName", name}});
  }
  return st;
}

Result<Bucket> BucketService::Load(const std::string& name) {
  Result<storage::S3BucketRow> row = Status::NotFound("");
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    row = storage::S3Repo::GetBucket(conn, name);
    return Status::Ok();
  }));
  if (!row.ok()) {
    if (row.status().code() == StatusCode::kNotFound) return NoSuchBucket(name);
    return row.status();
  }
  return FromRow(*row);
}

Status BucketService::Authorize(const S3Caller& c, const Bucket& b, const S3Access& access) {
  if (authorizer_) return authorizer_->Authorize(c, b.account, b.policy, access);
  if (b.account != c.principal->account) return S3Error(ErrorKind::kAccessDenied, "Access Denied");
  return Status::Ok();
}

Result<Bucket> BucketService::Access(const S3Caller& c, const std::string& name,
                                     const S3Access& access) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b, Load(name));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, b, access));
  return b;
}

Result<Bucket> BucketService::Access(const S3Caller& c, const std::string& name,
                                     std::string_view action) {
  return Access(c, name, S3Access{std::string(action), BucketArn(name), {}});
}

Status BucketService::UpdateBucket(const std::string& name,
                                   const std::function<Status(Bucket*)>& change) {
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    auto row = storage::S3Repo::GetBucket(conn, name);
    if (!row.ok()) {
      return row.status().code() == StatusCode::kNotFound ? NoSuchBucket(name) : row.status();
    }
    Bucket b = FromRow(*row);
    SEALSTACK_RETURN_IF_ERROR(change(&b));
    return storage::S3Repo::PutBucketDoc(conn, name, EncodeDoc(b, row->doc));
  });
}

Status BucketService::UpdateDoc(const std::string& name,
                                const std::function<void(Bucket*)>& change) {
  return UpdateBucket(name, [&](Bucket* b) {
    change(b);
    return Status::Ok();
  });
}

Result<std::vector<Bucket>> BucketService::ListAllBuckets() {
  std::vector<Bucket> out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(auto rows, storage::S3Repo::ListAllBuckets(conn));
    for (const auto& r : rows) out.push_back(FromRow(r));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Bucket>> BucketService::ListBuckets(const S3Caller& c) {
  std::vector<Bucket> out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(auto rows, storage::S3Repo::ListBuckets(conn, c.principal->account));
    for (const auto& r : rows) out.push_back(FromRow(r));
    return Status::Ok();
  }));
  return out;
}

Status BucketService::DeleteBucket(const S3Caller& c, const std::string& name) {
  SEALSTACK_RETURN_IF_ERROR(Access(c, name, "s3:DeleteBucket").status());
  Status st = audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return storage::S3Repo::DeleteBucket(conn, name); });
  if (st.code() == StatusCode::kFailedPrecondition) {
    return S3Error(ErrorKind::kBucketNotEmpty, "The bucket you tried to delete is not empty",
                   {{"BucketName", name}});
  }
  if (st.code() == StatusCode::kNotFound) return NoSuchBucket(name);
  return st;
}

Status BucketService::PutEncryption(const S3Caller& c, const std::string& name,
                                    const EncryptionConfiguration& config) {
  SEALSTACK_RETURN_IF_ERROR(Access(c, name, "s3:PutEncryptionConfiguration").status());
  return UpdateDoc(name, [&](Bucket* b) {
    EncryptionConfiguration next = config;
    if (!next.bucket_key_enabled) next.bucket_key_enabled = false;
    // A configuration that does not mention blocked types keeps the bucket's current setting.
    if (!next.blocked_encryption_types)
      next.blocked_encryption_types = b->encryption.blocked_encryption_types;
    b->encryption = std::move(next);
    b->encryption_configured = true;
  });
}

Status BucketService::DeleteEncryption(const S3Caller& c, const std::string& name) {
  SEALSTACK_RETURN_IF_ERROR(Access(c, name, "s3:PutEncryptionConfiguration").status());
  return UpdateDoc(name, [&](Bucket* b) {
    EncryptionConfiguration reset;
    reset.bucket_key_enabled = false;
    reset.blocked_encryption_types = b->encryption.blocked_encryption_types;
    b->encryption = std::move(reset);
    b->encryption_configured = false;
  });
}

Status BucketService::PutPolicy(const S3Caller& c, const std::string& name,
                                std::string_view policy) {
  SEALSTACK_RETURN_IF_ERROR(Access(c, name, "s3:PutBucketPolicy").status());
  if (authorizer_) {
    SEALSTACK_RETURN_IF_ERROR(authorizer_->ValidateBucketPolicy(policy, name));
  } else if (policy.empty()) {
    return S3Error(ErrorKind::kMalformedPolicy, "Policies must be valid JSON");
  }
  return UpdateDoc(name, [&](Bucket* b) { b->policy = std::string(policy); });
}

Result<std::string> BucketService::GetPolicy(const S3Caller& c, const std::string& name) {
  SEALSTACK_ASSIGN_OR_RETURN(Bucket b, Access(c, name, "s3:GetBucketPolicy"));
  if (b.policy.empty()) {
    return S3Error(ErrorKind::kNoSuchBucketPolicy, "The bucket policy does not exist",
                   {{"BucketName", name}});
  }
  return b.policy;
}

Status BucketService::DeletePolicy(const S3Caller& c, const std::string& name) {
  SEALSTACK_RETURN_IF_ERROR(Access(c, name, "s3:DeleteBucketPolicy").status());
  return UpdateDoc(name, [](Bucket* b) { b->policy.clear(); });
}

}  // namespace sealstack::api::s3
