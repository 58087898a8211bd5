#include "api/iam/iam_service.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>

#include "api/iam/iam_config_entities.h"
#include "audit/pending_call.h"
#include "common/strings.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"
#include "policy/document.h"

namespace sealstack::api::iam {

namespace {

using storage::IamRepo;

constexpr char kIdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr char kSecretAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kMaxAccessKeysPerUser = 2;
constexpr int64_t kMinSession = 3600;
constexpr int64_t kMaxSession = 43200;
constexpr int64_t kDefaultMaxItems = 100;
// Expired sessions are kept this long, so their keys answer ExpiredToken rather than "unknown".
constexpr auto kExpiredSessionsKept = std::chrono::hours(24 * 7);

Result<std::string> RandomString(crypto::RandomSource& random, size_t n,
                                 std::string_view alphabet) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string raw, random.Bytes(n));
  std::string out;
  out.reserve(n);
  for (unsigned char b : raw) out += alphabet[b % alphabet.size()];
  return out;
}

int64_t EpochSeconds(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

SystemTime FromEpoch(int64_t s) {
  return SystemTime(std::chrono::seconds(s));
}

bool IsIamNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

// AWS's validation text for one member ("1 validation error detected: ...").
Status Invalid(std::string_view value, std::string_view member, std::string_view constraint) {
  return IamError(ErrorKind::kValidation,
                  "1 validation error detected: Value '" + std::string(value) + "' at '" +
                      std::string(member) +
                      "' failed to satisfy constraint: " + std::string(constraint));
}

// AWS's length constraint of one member.
Status CheckLength(std::string_view value, std::string_view member, size_t min, size_t max) {
  if (value.size() < min) {
    return Invalid(value, member,
                   "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (value.size() > max) {
    return Invalid(value, member,
                   "Member must have length less than or equal to " + std::to_string(max));
  }
  return Status::Ok();
}

// AWS's range constraint of one number member.
Status CheckRange(int64_t value, std::string_view member, int64_t min, int64_t max) {
  if (value < min) {
    return Invalid(std::to_string(value), member,
                   "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (value > max) {
    return Invalid(std::to_string(value), member,
                   "Member must have value less than or equal to " + std::to_string(max));
  }
  return Status::Ok();
}

Status CheckName(std::string_view value, std::string_view member, size_t max) {
  SEALSTACK_RETURN_IF_ERROR(CheckLength(value, member, 1, max));
  for (char ch : value) {
    if (!IsIamNameChar(ch)) {
      return Invalid(value, member, "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    }
  }
  return Status::Ok();
}

Status CheckPath(std::string_view path, std::string_view member) {
  bool ok = !path.empty() && path.size() <= 512 && path.front() == '/' && path.back() == '/';
  for (char ch : path) ok = ok && ch >= 0x21 && ch <= 0x7e;
  if (!ok) {
    return Invalid(path, member,
                   "Member must satisfy regular expression pattern: "
                   "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  }
  return Status::Ok();
}

Status CheckTags(const std::vector<Tag>& tags) {
  if (tags.size() > 50) {
    return Invalid("[...]", "tags", "Member must have length less than or equal to 50");
  }
  for (const Tag& t : tags) {
    if (t.key.empty() || t.key.size() > 128) {
      return Invalid(t.key, "tags.member.key", "Member must have length less than or equal to 128");
    }
    if (t.value.size() > 256) {
      return Invalid(t.value, "tags.member.value",
                     "Member must have length less than or equal to 256");
    }
  }
  return Status::Ok();
}

std::string TagsJson(const std::vector<Tag>& tags) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const Tag& t : tags) {
    w.StartObject();
    w.Key("Key");
    w.String(t.key.c_str(), static_cast<rapidjson::SizeType>(t.key.size()));
    w.Key("Value");
    w.String(t.value.c_str(), static_cast<rapidjson::SizeType>(t.value.size()));
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

std::vector<Tag> TagsOf(const std::string& json) {
  std::vector<Tag> out;
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError() || !d.IsArray()) return out;
  for (const auto& v : d.GetArray()) {
    if (v.IsObject() && v.HasMember("Key") && v.HasMember("Value") && v["Key"].IsString() &&
        v["Value"].IsString()) {
      out.push_back({v["Key"].GetString(), v["Value"].GetString()});
    }
  }
  return out;
}

// aws:RequestTag/KEY and aws:TagKeys of a request that sets tags.
std::vector<std::pair<std::string, std::string>> RequestTagKeys(const std::vector<Tag>& tags) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const Tag& t : tags) {
    keys.emplace_back("aws:RequestTag/" + t.key, t.value);
    keys.emplace_back("aws:TagKeys", t.key);
  }
  return keys;
}

std::string EntityArn(const std::string& account, std::string_view type, const std::string& path,
                      const std::string& name) {
  return "arn:aws:iam::" + account + ":" + std::string(type) + path + name;
}

User UserOfRow(const storage::IamUserRow& r) {
  return User{r.path,
              r.name,
              r.id,
              EntityArn(r.account, "user", r.path, r.name),
              FromEpoch(r.created),
              TagsOf(r.tags),
              r.boundary};
}

Role RoleOfRow(const storage::IamRoleRow& r) {
  Role role;
  role.account = r.account;
  role.path = r.path;
  role.name = r.name;
  role.id = r.id;
  role.arn = EntityArn(r.account, "role", r.path, r.name);
  role.created = FromEpoch(r.created);
  role.trust_policy = r.trust_policy;
  role.description = r.description;
  role.max_session_duration = r.max_session;
  role.tags = TagsOf(r.tags);
  role.permissions_boundary = r.boundary;
  return role;
}

Status NoSuchUser(const std::string& name) {
  return IamError(ErrorKind::kNoSuchEntity, "The user with name " + name + " cannot be found.");
}

Status NoSuchRole(const std::string& name) {
  return IamError(ErrorKind::kNoSuchEntity, "The role with name " + name + " cannot be found.");
}

// NotFound from the repository becomes `missing`; other failures pass through.
template <typename T>
Result<T> OrMissing(Result<T> r, const Status& missing) {
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) return missing;
  return r;
}

Result<storage::IamUserRow> FindUserRow(storage::Connection& conn, const std::string& account,
                                        const std::string& name) {
  return OrMissing(IamRepo::GetUser(conn, account, name), NoSuchUser(name));
}

Result<storage::IamRoleRow> FindRoleRow(storage::Connection& conn, const std::string& account,
                                        const std::string& name) {
  return OrMissing(IamRepo::GetRole(conn, account, name), NoSuchRole(name));
}

// What `read` returns, read on one connection of `db`.
template <typename Read>
auto ReadFrom(storage::Database& db, const Read& read)
    -> decltype(read(std::declval<storage::Connection&>())) {
  decltype(read(std::declval<storage::Connection&>())) out = Status::Internal("unset");
  SEALSTACK_RETURN_IF_ERROR(db.WithConnection([&](storage::Connection& conn) {
    out = read(conn);
    return Status::Ok();
  }));
  return out;
}

// Each of `rows` made an item by `of`.
template <typename Row, typename Of>
auto AllOf(Result<std::vector<Row>> rows, const Of& of)
    -> Result<std::vector<std::decay_t<decltype(of(std::declval<const Row&>()))>>> {
  SEALSTACK_RETURN_IF_ERROR(rows.status());
  std::vector<std::decay_t<decltype(of(std::declval<const Row&>()))>> out;
  out.reserve(rows->size());
  for (const Row& r : *rows) out.push_back(of(r));
  return out;
}

// DeleteConflict "Cannot delete entity, must WHAT first." while `still` lists anything.
template <typename List>
Status RefuseWhile(const Result<List>& still, std::string_view what) {
  SEALSTACK_RETURN_IF_ERROR(still.status());
  if (still->empty()) return Status::Ok();
  return IamError(ErrorKind::kDeleteConflict,
                  "Cannot delete entity, must " + std::string(what) + " first.");
}

Result<int64_t> MaxItems(const ListInput& in) {
  const int64_t n = in.max_items.value_or(kDefaultMaxItems);
  SEALSTACK_RETURN_IF_ERROR(CheckRange(n, "maxItems", 1, 1000));
  return n;
}

// A role's Description and MaxSessionDuration (CreateRole, UpdateRole).
Status CheckRoleSettings(const std::optional<std::string>& description,
                         std::optional<int64_t> max_session) {
  if (description) SEALSTACK_RETURN_IF_ERROR(CheckLength(*description, "description", 0, 1000));
  if (!max_session) return Status::Ok();
  return CheckRange(*max_session, "maxSessionDuration", kMinSession, kMaxSession);
}

Status ValidatePolicy(const std::string& doc, policy::PolicyKind kind) {
  if (doc.empty()) {
    return Invalid(doc, "policyDocument", "Member must have length greater than or equal to 1");
  }
  auto parsed = policy::ParsePolicy(doc, kind);
  if (!parsed.ok()) return IamError(ErrorKind::kMalformedPolicyDocument, parsed.status().message());
  return Status::Ok();
}

// The size IAM counts against its quotas: the document without white space.
size_t PolicySize(std::string_view doc) {
  size_t n = 0;
  for (char ch : doc) n += (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') ? 0 : 1;
  return n;
}

const char* OwnerWord(PolicyOwner kind) {
  return storage::IamPolicyOwnerName(kind);
}

// The member name AWS's validation messages use for the owner ("userName", ...).
std::string OwnerMember(PolicyOwner kind) {
  return std::string(OwnerWord(kind)) + "Name";
}

// "User", "Role", "Group" (operation names: PutUserPolicy, AttachGroupPolicy, ...).
std::string OwnerOp(PolicyOwner kind) {
  std::string w = OwnerWord(kind);
  w[0] = static_cast<char>(w[0] - 'a' + 'A');
  return w;
}

// The ARN an operation on an owner's policies, boundary or tags is authorized on.
std::string OwnerArn(const std::string& account, PolicyOwner kind, const std::string& owner) {
  return EntityArn(account, OwnerWord(kind), "/", owner);
}

std::vector<std::string> PolicyDocs(
    const std::vector<std::pair<std::string, std::string>>& policies) {
  std::vector<std::string> out;
  out.reserve(policies.size());
  for (const auto& [name, doc] : policies) out.push_back(doc);
  return out;
}

}  // namespace

Service::Service(storage::Database& db, crypto::SecretBytes root_key,
                 std::shared_ptr<const Clock> clock, std::shared_ptr<crypto::RandomSource> random,
                 std::shared_ptr<AccessCheck> access,
                 std::weak_ptr<const auth::PrincipalStore> configured)
    : db_(db),
      configured_(std::make_shared<const ConfiguredEntities>(std::move(configured))),
      root_key_(std::move(root_key)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      access_(std::move(access)) {}

Status Service::Authorize(const Caller& c, std::string_view operation, const std::string& resource,
                          std::vector<std::pair<std::string, std::string>> keys) {
  if (!access_) return Status::Ok();
  AccessRequest r;
  r.service = AccessService::kIam;
  r.rule = AccessRule::kIdentityOnly;
  r.action = "iam:" + std::string(operation);
  r.resource = resource;
  r.keys = std::move(keys);
  AccessDecision d = access_->Check(c, r);
  if (d.denied()) return IamError(ErrorKind::kAccessDenied, d.message);
  return Status::Ok();
}

Result<std::string> Service::UserOf(const Caller& c, const std::optional<std::string>& user) const {
  if (user) return *user;
  if (c.principal->type == auth::PrincipalType::kUser) return c.principal->name;
  return IamError(ErrorKind::kValidation,
                  "Must specify userName when calling with non-User credentials");
}

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
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const VersionEntry& v : versions) {
    w.StartObject();
    w.Key("VersionId");
    w.String(v.id.c_str(), static_cast<rapidjson::SizeType>(v.id.size()));
    w.Key("Document");
    w.String(v.doc.c_str(), static_cast<rapidjson::SizeType>(v.doc.size()));
    w.Key("CreateDate");
    w.Int64(v.created);
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
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

Status NoSuchPolicy(const std::string& arn) {
  return IamError(ErrorKind::kNoSuchEntity,
                  "Policy " + arn + " does not exist or is not attachable.");
}

Status CheckPolicyArn(const std::string& arn, std::string_view member) {
  SEALSTACK_RETURN_IF_ERROR(CheckLength(arn, member, 20, 2048));
  if (!StartsWith(arn, "arn:aws:iam::") || arn.find(":policy/") == std::string::npos) {
    return IamError(ErrorKind::kInvalidInput, "ARN " + arn + " is not valid.");
  }
  return Status::Ok();
}

// The policy row of `arn` (a customer policy or a built-in AWS managed one).
Result<storage::IamManagedPolicyRow> FindManaged(storage::Connection& conn,
                                                 const std::string& arn) {
  if (auto builtin = BuiltinPolicy(arn)) return *builtin;
  return OrMissing(IamRepo::GetManagedPolicy(conn, arn), NoSuchPolicy(arn));
}

// A customer managed policy of `account` (NoSuchEntity for any other).
Result<storage::IamManagedPolicyRow> OwnPolicyRow(storage::Connection& conn,
                                                  const std::string& account,
                                                  const std::string& arn) {
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row,
                             OrMissing(IamRepo::GetManagedPolicy(conn, arn), NoSuchPolicy(arn)));
  if (row.account != account) return NoSuchPolicy(arn);
  return row;
}

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

Group GroupOfRow(const storage::IamGroupRow& r) {
  return Group{r.path, r.name, r.id, EntityArn(r.account, "group", r.path, r.name),
               FromEpoch(r.created)};
}

Status NoSuchGroup(const std::string& name) {
  return IamError(ErrorKind::kNoSuchEntity, "The group with name " + name + " cannot be found.");
}

Result<storage::IamGroupRow> FindGroupRow(storage::Connection& conn, const std::string& account,
                                          const std::string& name) {
  return OrMissing(IamRepo::GetGroup(conn, account, name), NoSuchGroup(name));
}

// The inline and attached policies an entity must lose before it is deleted.
Status RefuseWhilePolicies(storage::Connection& conn, const std::string& account, PolicyOwner kind,
                           const std::string& name) {
  SEALSTACK_RETURN_IF_ERROR(
      RefuseWhile(IamRepo::ListPolicies(conn, account, kind, name), "delete policies"));
  return RefuseWhile(IamRepo::ListAttached(conn, account, kind, name), "detach all policies");
}

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

// Pages a list sorted by name: items after `marker` (lower-cased name), at most `max`.
template <typename T>
Page<T> PageOf(std::vector<T> all, const ListInput& in, int64_t max) {
  Page<T> page;
  for (T& item : all) {
    if (!in.marker.empty() && ToLower(item.name) <= in.marker) continue;
    if (page.items.size() == static_cast<size_t>(max)) {
      page.truncated = true;
      page.marker = ToLower(page.items.back().name);
      break;
    }
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace

// ---------------------------------------------------------------- users

Result<User> Service::CreateUser(const Caller& c, const CreateUserInput& in) {
  const std::string& account = c.principal->account;
  const std::string path = in.path.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckName(in.name, "userName", 64));
  SEALSTACK_RETURN_IF_ERROR(CheckPath(path, "path"));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(in.tags));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateUser", EntityArn(account, "user", path, in.name),
                                      RequestTagKeys(in.tags)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  if (in.permissions_boundary) {
    SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(*in.permissions_boundary, "permissionsBoundary"));
  }
  storage::IamUserRow row{account,
                          in.name,
                          path,
                          "AIDA" + suffix,
                          EpochSeconds(clock_->Now()),
                          TagsJson(in.tags),
                          in.permissions_boundary};
  Status st = audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    if (configured_->FindUser(account, in.name)) return Status::AlreadyExists("configured");
    if (row.boundary) SEALSTACK_RETURN_IF_ERROR(CheckBoundaryPolicy(conn, account, *row.boundary));
    return IamRepo::InsertUser(conn, row);
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return IamError(ErrorKind::kEntityAlreadyExists,
                    "User with name " + in.name + " already exists.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return UserOfRow(row);
}

Result<User> Service::GetUser(const Caller& c, const std::optional<std::string>& name) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string user, UserOf(c, name));
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(user, "userName", 128));
  if (std::optional<User> configured = configured_->FindUser(account, user)) {
    SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetUser", configured->arn));
    return std::move(*configured);
  }
  Result<storage::IamUserRow> row = ReadFrom(
      db_, [&](storage::Connection& conn) { return IamRepo::GetUser(conn, account, user); });
  // Authorized on the ARN of the user asked for (its path is known only when it exists).
  const std::string arn = row.ok() ? UserOfRow(*row).arn : EntityArn(account, "user", "/", user);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetUser", arn));
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow found,
                             OrMissing(std::move(row), NoSuchUser(user)));
  return UserOfRow(found);
}

template <typename T, typename Read>
Result<Page<T>> Service::ListByPath(const Caller& c, const ListInput& in,
                                    std::string_view operation, std::string_view type,
                                    const Read& read, std::vector<T> configured) {
  SEALSTACK_RETURN_IF_ERROR(CheckPath(in.path_prefix, "pathPrefix"));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(Authorize(
      c, operation, "arn:aws:iam::" + c.principal->account + ":" + std::string(type) + "/"));
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<T> items, ReadFrom(db_, [&](storage::Connection& conn) {
                               return read(conn, static_cast<size_t>(max) + 1);
                             }));
  return PageOf(MergeByName(std::move(items), std::move(configured)), in, max);
}

Result<Page<User>> Service::ListUsers(const Caller& c, const ListInput& in) {
  return ListByPath<User>(
      c, in, "ListUsers", "user",
      [&](storage::Connection& conn, size_t limit) {
        return AllOf(
            IamRepo::ListUsers(conn, c.principal->account, in.path_prefix, in.marker, limit),
            UserOfRow);
      },
      configured_->Users(c.principal->account, in.path_prefix));
}

Status Service::DeleteUser(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteUser", EntityArn(account, "user", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
    SEALSTACK_RETURN_IF_ERROR(
        RefuseWhile(IamRepo::ListAccessKeys(conn, account, row.name), "delete access keys"));
    SEALSTACK_RETURN_IF_ERROR(RefuseWhilePolicies(conn, account, PolicyOwner::kUser, row.name));
    SEALSTACK_RETURN_IF_ERROR(RefuseWhile(IamRepo::ListGroupsOfUser(conn, account, row.name),
                                          "remove user from all groups"));
    return IamRepo::DeleteUser(conn, account, row.name).status();
  });
}

// ---------------------------------------------------------------- roles

Result<Role> Service::CreateRole(const Caller& c, const CreateRoleInput& in) {
  const std::string& account = c.principal->account;
  const std::string path = in.path.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckName(in.name, "roleName", 64));
  SEALSTACK_RETURN_IF_ERROR(CheckPath(path, "path"));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(in.tags));
  const int64_t max_session = in.max_session_duration.value_or(kMinSession);
  SEALSTACK_RETURN_IF_ERROR(CheckRoleSettings(in.description, max_session));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(in.trust_policy, policy::PolicyKind::kResource));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateRole", EntityArn(account, "role", path, in.name),
                                      RequestTagKeys(in.tags)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  storage::IamRoleRow row;
  row.account = account;
  row.name = in.name;
  row.path = path;
  row.id = "AROA" + suffix;
  row.created = EpochSeconds(clock_->Now());
  row.trust_policy = in.trust_policy;
  row.description = in.description;
  row.max_session = max_session;
  row.tags = TagsJson(in.tags);
  row.boundary = in.permissions_boundary;
  if (row.boundary) {
    SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(*row.boundary, "permissionsBoundary"));
  }
  Status st = audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    if (configured_->FindRole(account, in.name)) return Status::AlreadyExists("configured");
    if (row.boundary) SEALSTACK_RETURN_IF_ERROR(CheckBoundaryPolicy(conn, account, *row.boundary));
    return IamRepo::InsertRole(conn, row);
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return IamError(ErrorKind::kEntityAlreadyExists,
                    "Role with name " + in.name + " already exists.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return RoleOfRow(row);
}

Result<Role> Service::FindRole(const std::string& account, const std::string& name) {
  if (std::optional<Role> configured = configured_->FindRole(account, name)) {
    return std::move(*configured);
  }
  SEALSTACK_ASSIGN_OR_RETURN(
      storage::IamRoleRow found,
      ReadFrom(db_, [&](storage::Connection& conn) { return FindRoleRow(conn, account, name); }));
  return RoleOfRow(found);
}

Result<Role> Service::GetRole(const Caller& c, const std::string& name) {
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "roleName", 64));
  const std::string& account = c.principal->account;
  Result<Role> role = FindRole(account, name);
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "GetRole", role.ok() ? role->arn : EntityArn(account, "role", "/", name)));
  return role;
}

Result<Page<Role>> Service::ListRoles(const Caller& c, const ListInput& in) {
  return ListByPath<Role>(
      c, in, "ListRoles", "role",
      [&](storage::Connection& conn, size_t limit) {
        return AllOf(
            IamRepo::ListRoles(conn, c.principal->account, in.path_prefix, in.marker, limit),
            RoleOfRow);
      },
      configured_->Roles(c.principal->account, in.path_prefix));
}

Status Service::DeleteRole(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "roleName", 64));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteRole", EntityArn(account, "role", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kRole, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow row, FindRoleRow(conn, account, name));
    SEALSTACK_RETURN_IF_ERROR(RefuseWhilePolicies(conn, account, PolicyOwner::kRole, row.name));
    SEALSTACK_RETURN_IF_ERROR(
        RefuseWhile(IamRepo::ListInstanceProfilesOfRole(conn, account, row.name),
                    "remove roles from instance profile"));
    return IamRepo::DeleteRole(conn, account, row.name).status();
  });
}

Status Service::UpdateAssumeRolePolicy(const Caller& c, const std::string& name,
                                       const std::string& doc) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "roleName", 64));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(doc, policy::PolicyKind::kResource));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "UpdateAssumeRolePolicy", EntityArn(account, "role", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kRole, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow row, FindRoleRow(conn, account, name));
    return IamRepo::UpdateTrustPolicy(conn, account, row.name, doc);
  });
}

// ---------------------------------------------------------------- inline policies

namespace {

// The stored name of the user or role that owns inline policies (NoSuchEntity when absent).
Result<std::string> OwnerName(storage::Connection& conn, const std::string& account,
                              PolicyOwner kind, const std::string& owner) {
  if (kind == PolicyOwner::kUser) {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, owner));
    return row.name;
  }
  if (kind == PolicyOwner::kGroup) {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamGroupRow row, FindGroupRow(conn, account, owner));
    return row.name;
  }
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow row, FindRoleRow(conn, account, owner));
  return row.name;
}

std::string PolicyOperation(std::string_view verb, PolicyOwner kind) {
  return std::string(verb) + OwnerOp(kind) + "Policy";
}

Status NoSuchInlinePolicy(PolicyOwner kind, const std::string& name) {
  return IamError(ErrorKind::kNoSuchEntity, std::string("The ") + OwnerWord(kind) +
                                                " policy with name " + name + " cannot be found.");
}

}  // namespace

Status Service::PutPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                          const std::string& name, const std::string& doc) {
  const std::string& account = c.principal->account;
  const char* word = OwnerWord(kind);
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "policyName", 128));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(doc, policy::PolicyKind::kIdentity));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("Put", kind), OwnerArn(account, kind, owner)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, kind, owner));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(auto existing, IamRepo::ListPolicies(conn, account, kind, stored));
    // The aggregate size quota of a user's or role's inline policies.
    const size_t quota = kind == PolicyOwner::kUser   ? 2048
                         : kind == PolicyOwner::kRole ? 10240
                                                      : 5120;
    size_t total = PolicySize(doc);
    for (const auto& [n, d] : existing) total += n == name ? 0 : PolicySize(d);
    if (total > quota) {
      return IamError(ErrorKind::kLimitExceeded, "Maximum policy size of " + std::to_string(quota) +
                                                     " bytes exceeded for " + word + " " + stored);
    }
    return IamRepo::PutPolicy(conn, account, kind, stored, name, doc);
  });
}

Result<std::pair<std::string, std::string>> Service::GetPolicy(const Caller& c, PolicyOwner kind,
                                                               const std::string& owner,
                                                               const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "policyName", 128));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("Get", kind), OwnerArn(account, kind, owner)));
  using Found = std::pair<std::string, std::string>;
  if (std::optional<ConfiguredOwner> configured = configured_->FindOwner(account, kind, owner)) {
    for (auto& [policy_name, doc] : configured->policies) {
      if (policy_name == name) return Found{configured->name, std::move(doc)};
    }
    return NoSuchInlinePolicy(kind, name);
  }
  return ReadFrom(db_, [&](storage::Connection& conn) -> Result<Found> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(std::string doc,
                               OrMissing(IamRepo::GetPolicy(conn, account, kind, stored, name),
                                         NoSuchInlinePolicy(kind, name)));
    return Found{stored, doc};
  });
}

Status Service::DeletePolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                             const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "policyName", 128));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("Delete", kind), OwnerArn(account, kind, owner)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, kind, owner));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(bool deleted,
                               IamRepo::DeletePolicy(conn, account, kind, stored, name));
    return deleted ? Status::Ok() : NoSuchInlinePolicy(kind, name);
  });
}

Result<Page<std::string>> Service::ListPolicies(const Caller& c, PolicyOwner kind,
                                                const std::string& owner, const ListInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("List", kind) + "s", OwnerArn(account, kind, owner)));
  SEALSTACK_ASSIGN_OR_RETURN(
      auto all, ReadFrom(db_,
                         [&](storage::Connection& conn)
                             -> Result<std::vector<std::pair<std::string, std::string>>> {
                           if (auto configured = configured_->FindOwner(account, kind, owner)) {
                             return std::move(configured->policies);
                           }
                           SEALSTACK_ASSIGN_OR_RETURN(std::string stored,
                                                      OwnerName(conn, account, kind, owner));
                           return IamRepo::ListPolicies(conn, account, kind, stored);
                         }));
  Page<std::string> page;
  for (const auto& [name, doc] : all) {
    if (!in.marker.empty() && name <= in.marker) continue;
    if (page.items.size() == static_cast<size_t>(max)) {
      page.truncated = true;
      page.marker = page.items.back();
      break;
    }
    page.items.push_back(name);
  }
  return page;
}

// ---------------------------------------------------------------- managed policies and groups

Result<Group> Service::CreateGroup(const Caller& c, const std::string& name,
                                   const std::optional<std::string>& path_in) {
  const std::string& account = c.principal->account;
  const std::string path = path_in.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "groupName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckPath(path, "path"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateGroup", EntityArn(account, "group", path, name)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  storage::IamGroupRow row{account, name, path, "AGPA" + suffix, EpochSeconds(clock_->Now())};
  Status st = audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return IamRepo::InsertGroup(conn, row); });
  if (st.code() == StatusCode::kAlreadyExists) {
    return IamError(ErrorKind::kEntityAlreadyExists,
                    "Group with name " + name + " already exists.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return GroupOfRow(row);
}

Result<std::pair<Group, Page<User>>> Service::GetGroup(const Caller& c, const std::string& name,
                                                       const ListInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "groupName", 128));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetGroup", EntityArn(account, "group", "/", name)));
  std::pair<Group, Page<User>> out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamGroupRow g, FindGroupRow(conn, account, name));
    out.first = GroupOfRow(g);
    SEALSTACK_ASSIGN_OR_RETURN(auto members, IamRepo::ListMembers(conn, account, g.name));
    std::vector<User> users;
    for (const std::string& m : members) {
      Result<storage::IamUserRow> u = IamRepo::GetUser(conn, account, m);
      if (u.ok()) users.push_back(UserOfRow(*u));
    }
    out.second = PageOf(std::move(users), in, max);
    return Status::Ok();
  }));
  return out;
}

Result<Page<Group>> Service::ListGroups(const Caller& c, const ListInput& in) {
  return ListByPath<Group>(
      c, in, "ListGroups", "group", [&](storage::Connection& conn, size_t limit) {
        return AllOf(
            IamRepo::ListGroups(conn, c.principal->account, in.path_prefix, in.marker, limit),
            GroupOfRow);
      });
}

Status Service::DeleteGroup(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "groupName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteGroup", EntityArn(account, "group", "/", name)));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamGroupRow g, FindGroupRow(conn, account, name));
    SEALSTACK_RETURN_IF_ERROR(
        RefuseWhile(IamRepo::ListMembers(conn, account, g.name), "remove users from group"));
    SEALSTACK_RETURN_IF_ERROR(RefuseWhilePolicies(conn, account, PolicyOwner::kGroup, g.name));
    return IamRepo::DeleteGroup(conn, account, g.name).status();
  });
}

Status Service::AddUserToGroup(const Caller& c, const std::string& group, const std::string& user) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(group, "groupName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(user, "userName", 64));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "AddUserToGroup", EntityArn(account, "group", "/", group)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, user));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamGroupRow g, FindGroupRow(conn, account, group));
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow u, FindUserRow(conn, account, user));
    return IamRepo::AddMember(conn, account, g.name, u.name);
  });
}

Status Service::RemoveUserFromGroup(const Caller& c, const std::string& group,
                                    const std::string& user) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(group, "groupName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(user, "userName", 64));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "RemoveUserFromGroup", EntityArn(account, "group", "/", group)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, user));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamGroupRow g, FindGroupRow(conn, account, group));
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow u, FindUserRow(conn, account, user));
    SEALSTACK_ASSIGN_OR_RETURN(bool removed, IamRepo::RemoveMember(conn, account, g.name, u.name));
    if (!removed) {
      return IamError(ErrorKind::kNoSuchEntity,
                      "The user with name " + u.name + " cannot be found in group " + g.name + ".");
    }
    return Status::Ok();
  });
}

Result<Page<Group>> Service::ListGroupsForUser(const Caller& c, const std::string& user,
                                               const ListInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(user, "userName", 128));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "ListGroupsForUser", EntityArn(account, "user", "/", user)));
  std::vector<Group> groups;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    if (configured_->FindUser(account, user)) return Status::Ok();  // in no group
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow u, FindUserRow(conn, account, user));
    SEALSTACK_ASSIGN_OR_RETURN(auto names, IamRepo::ListGroupsOfUser(conn, account, u.name));
    for (const std::string& n : names) {
      Result<storage::IamGroupRow> g = IamRepo::GetGroup(conn, account, n);
      if (g.ok()) groups.push_back(GroupOfRow(*g));
    }
    return Status::Ok();
  }));
  return PageOf(std::move(groups), in, max);
}

Result<ManagedPolicy> Service::CreateManagedPolicy(const Caller& c, const CreatePolicyInput& in) {
  const std::string& account = c.principal->account;
  const std::string path = in.path.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckName(in.name, "policyName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckPath(path, "path"));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(in.tags));
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
  Status st = audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(IamRepo::InsertManagedPolicy(conn, row));
    out = PolicyOfRow(conn, row);
    return out.status();
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return IamError(
        ErrorKind::kEntityAlreadyExists,
        "A policy called " + in.name + " already exists. Duplicate names are not allowed.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
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

Result<PolicyVersion> Service::CreatePolicyVersion(const Caller& c, const std::string& arn,
                                                   const std::string& document,
                                                   bool set_as_default) {
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(document, policy::PolicyKind::kIdentity));
  if (PolicySize(document) > kMaxManagedPolicySize) {
    return IamError(ErrorKind::kLimitExceeded, "Cannot exceed quota for PolicySize: 6144");
  }
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreatePolicyVersion", arn));
  PolicyVersion out;
  SEALSTACK_RETURN_IF_ERROR(
      audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
        SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row,
                                   OwnPolicyRow(conn, c.principal->account, arn));
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
        return IamRepo::UpdateManagedPolicy(conn, row);
      }));
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
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeletePolicyVersion", arn));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row,
                               OwnPolicyRow(conn, c.principal->account, arn));
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
    return IamRepo::UpdateManagedPolicy(conn, row);
  });
}

Status Service::SetDefaultPolicyVersion(const Caller& c, const std::string& arn,
                                        const std::string& version_id) {
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "SetDefaultPolicyVersion", arn));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row,
                               OwnPolicyRow(conn, c.principal->account, arn));
    const std::vector<VersionEntry> versions = VersionsOf(row.versions);
    if (std::none_of(versions.begin(), versions.end(),
                     [&](const VersionEntry& v) { return v.id == version_id; })) {
      return IamError(ErrorKind::kNoSuchEntity, "Policy " + arn + " version " + version_id +
                                                    " does not exist or is not attachable.");
    }
    row.default_version = version_id;
    row.updated = EpochSeconds(clock_->Now());
    return IamRepo::UpdateManagedPolicy(conn, row);
  });
}

Status Service::AttachPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                             const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "Attach" + OwnerOp(kind) + "Policy",
                                      EntityArn(account, OwnerWord(kind), "/", owner)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, kind, owner));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamManagedPolicyRow row, FindManaged(conn, arn));
    if (row.account != account && row.account != "aws") return NoSuchPolicy(arn);
    SEALSTACK_ASSIGN_OR_RETURN(auto attached, IamRepo::ListAttached(conn, account, kind, stored));
    if (attached.size() >= kMaxAttachedPerEntity &&
        std::find(attached.begin(), attached.end(), arn) == attached.end()) {
      return IamError(ErrorKind::kLimitExceeded,
                      "Cannot exceed quota for PoliciesPer" + OwnerOp(kind) + ": 10");
    }
    return IamRepo::Attach(conn, account, kind, stored, arn);
  });
}

Status Service::DetachPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                             const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "Detach" + OwnerOp(kind) + "Policy",
                                      EntityArn(account, OwnerWord(kind), "/", owner)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, kind, owner));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(bool detached, IamRepo::Detach(conn, account, kind, stored, arn));
    if (!detached) {
      return IamError(ErrorKind::kNoSuchEntity, "Policy " + arn + " was not found.");
    }
    return Status::Ok();
  });
}

Result<Page<AttachedPolicy>> Service::ListAttachedPolicies(const Caller& c, PolicyOwner kind,
                                                           const std::string& owner,
                                                           const ListInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), 128));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListAttached" + OwnerOp(kind) + "Policies",
                                      EntityArn(account, OwnerWord(kind), "/", owner)));
  std::vector<AttachedPolicy> all;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    if (configured_->FindOwner(account, kind, owner)) return Status::Ok();  // none attached
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(auto arns, IamRepo::ListAttached(conn, account, kind, stored));
    for (const std::string& arn : arns) {
      Result<storage::IamManagedPolicyRow> row = FindManaged(conn, arn);
      if (!row.ok()) continue;
      if (!StartsWith(row->path, in.path_prefix)) continue;
      all.push_back({row->name, arn});
    }
    return Status::Ok();
  }));
  std::stable_sort(all.begin(), all.end(), [](const AttachedPolicy& a, const AttachedPolicy& b) {
    return ToLower(a.name) < ToLower(b.name);
  });
  return PageOf(std::move(all), in, max);
}

Result<PolicyEntities> Service::ListEntitiesForPolicy(const Caller& c, const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "policyArn"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListEntitiesForPolicy", arn));
  PolicyEntities out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(FindManaged(conn, arn).status());
    SEALSTACK_ASSIGN_OR_RETURN(auto attachments, IamRepo::ListAttachments(conn, arn));
    for (const auto& [kind, name] : attachments) {
      if (kind == "user") {
        auto u = IamRepo::GetUser(conn, account, name);
        if (u.ok()) out.users.emplace_back(u->name, u->id);
      } else if (kind == "role") {
        auto r = IamRepo::GetRole(conn, account, name);
        if (r.ok()) out.roles.emplace_back(r->name, r->id);
      } else {
        auto g = IamRepo::GetGroup(conn, account, name);
        if (g.ok()) out.groups.emplace_back(g->name, g->id);
      }
    }
    return Status::Ok();
  }));
  return out;
}

Status Service::PutPermissionsBoundary(const Caller& c, PolicyOwner kind, const std::string& name,
                                       const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckPolicyArn(arn, "permissionsBoundary"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "Put" + OwnerOp(kind) + "PermissionsBoundary",
                                      EntityArn(account, OwnerWord(kind), "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, kind, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, name));
    SEALSTACK_RETURN_IF_ERROR(CheckBoundaryPolicy(conn, account, arn));
    return IamRepo::SetBoundary(conn, account, kind, stored, arn).status();
  });
}

Status Service::DeletePermissionsBoundary(const Caller& c, PolicyOwner kind,
                                          const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "Delete" + OwnerOp(kind) + "PermissionsBoundary",
                                      EntityArn(account, OwnerWord(kind), "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, kind, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, name));
    return IamRepo::SetBoundary(conn, account, kind, stored, std::nullopt).status();
  });
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

namespace {

// iam_sessions.context: {"SessionPolicies": [doc, ...], "HasSessionPolicy": bool}.
std::string SessionContextJson(const SessionContext& ctx) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("SessionPolicies");
  w.StartArray();
  for (const std::string& d : ctx.session_policies) {
    w.String(d.c_str(), static_cast<rapidjson::SizeType>(d.size()));
  }
  w.EndArray();
  w.Key("HasSessionPolicy");
  w.Bool(ctx.has_session_policy);
  w.Key("Tags");
  w.RawValue(TagsJson(ctx.tags).c_str(), TagsJson(ctx.tags).size(), rapidjson::kArrayType);
  w.Key("TransitiveTagKeys");
  w.StartArray();
  for (const std::string& k : ctx.transitive_tag_keys) {
    w.String(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
  }
  w.EndArray();
  w.Key("SourceIdentity");
  w.String(ctx.source_identity.c_str(),
           static_cast<rapidjson::SizeType>(ctx.source_identity.size()));
  w.Key("UserName");
  w.String(ctx.user_name.c_str(), static_cast<rapidjson::SizeType>(ctx.user_name.size()));
  if (!ctx.federated_provider.empty()) {
    w.Key("FederatedProvider");
    w.String(ctx.federated_provider.c_str(),
             static_cast<rapidjson::SizeType>(ctx.federated_provider.size()));
  }
  w.EndObject();
  return buf.GetString();
}

SessionContext SessionContextOf(const std::string& json) {
  SessionContext out;
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError() || !d.IsObject()) return out;
  if (d.HasMember("SessionPolicies") && d["SessionPolicies"].IsArray()) {
    for (const auto& v : d["SessionPolicies"].GetArray()) {
      if (v.IsString()) out.session_policies.emplace_back(v.GetString(), v.GetStringLength());
    }
  }
  if (d.HasMember("HasSessionPolicy") && d["HasSessionPolicy"].IsBool()) {
    out.has_session_policy = d["HasSessionPolicy"].GetBool();
  }
  if (d.HasMember("Tags") && d["Tags"].IsArray()) {
    for (const auto& v : d["Tags"].GetArray()) {
      if (v.IsObject() && v.HasMember("Key") && v.HasMember("Value") && v["Key"].IsString() &&
          v["Value"].IsString()) {
        out.tags.push_back({v["Key"].GetString(), v["Value"].GetString()});
      }
    }
  }
  if (d.HasMember("TransitiveTagKeys") && d["TransitiveTagKeys"].IsArray()) {
    for (const auto& v : d["TransitiveTagKeys"].GetArray()) {
      if (v.IsString()) out.transitive_tag_keys.emplace_back(v.GetString());
    }
  }
  if (d.HasMember("SourceIdentity") && d["SourceIdentity"].IsString()) {
    out.source_identity = d["SourceIdentity"].GetString();
  }
  if (d.HasMember("UserName") && d["UserName"].IsString()) {
    out.user_name = d["UserName"].GetString();
  }
  if (d.HasMember("FederatedProvider") && d["FederatedProvider"].IsString()) {
    out.federated_provider = d["FederatedProvider"].GetString();
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- tags of users and roles

namespace {

constexpr size_t kMaxTagsPerEntity = 50;

// Current tags with `updates` applied (same key, case-insensitively: replaced); LimitExceeded
// "Cannot exceed quota for TagsPer<QUOTA>: 50" when they are then too many.
Result<std::vector<Tag>> MergeTags(std::vector<Tag> current, const std::vector<Tag>& updates,
                                   std::string_view quota) {
  for (const Tag& u : updates) {
    auto it = std::find_if(current.begin(), current.end(),
                           [&](const Tag& t) { return ToLower(t.key) == ToLower(u.key); });
    if (it != current.end()) {
      *it = u;
    } else {
      current.push_back(u);
    }
  }
  if (current.size() > kMaxTagsPerEntity) {
    return IamError(ErrorKind::kLimitExceeded,
                    "Cannot exceed quota for TagsPer" + std::string(quota) + ": 50");
  }
  return current;
}

// Tags without those whose key is one of `keys` (case-insensitively).
std::vector<Tag> WithoutTags(std::vector<Tag> tags, const std::vector<std::string>& keys) {
  std::erase_if(tags, [&](const Tag& t) {
    return std::any_of(keys.begin(), keys.end(),
                       [&](const std::string& k) { return ToLower(k) == ToLower(t.key); });
  });
  return tags;
}

// The stored name and the tags of a user or (any other kind) a role.
struct EntityTags {
  std::string stored;
  std::vector<Tag> tags;
};

Result<EntityTags> TagsOfEntity(storage::Connection& conn, const std::string& account,
                                PolicyOwner kind, const std::string& name) {
  if (kind == PolicyOwner::kUser) {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
    return EntityTags{row.name, TagsOf(row.tags)};
  }
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow row, FindRoleRow(conn, account, name));
  return EntityTags{row.name, TagsOf(row.tags)};
}

}  // namespace

Status Service::TagEntity(const Caller& c, PolicyOwner kind, const std::string& name,
                          const std::vector<Tag>& tags) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(tags));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "Tag" + OwnerOp(kind),
                                      EntityArn(account, OwnerWord(kind), "/", name),
                                      RequestTagKeys(tags)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, kind, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(EntityTags current, TagsOfEntity(conn, account, kind, name));
    SEALSTACK_ASSIGN_OR_RETURN(std::vector<Tag> merged,
                               MergeTags(std::move(current.tags), tags, OwnerOp(kind)));
    return IamRepo::SetTags(conn, account, kind, current.stored, TagsJson(merged));
  });
}

Status Service::UntagEntity(const Caller& c, PolicyOwner kind, const std::string& name,
                            const std::vector<std::string>& keys) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  std::vector<std::pair<std::string, std::string>> tag_keys;
  tag_keys.reserve(keys.size());
  for (const std::string& k : keys) tag_keys.emplace_back("aws:TagKeys", k);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "Untag" + OwnerOp(kind),
                                      EntityArn(account, OwnerWord(kind), "/", name),
                                      std::move(tag_keys)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, kind, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(EntityTags current, TagsOfEntity(conn, account, kind, name));
    return IamRepo::SetTags(conn, account, kind, current.stored,
                            TagsJson(WithoutTags(std::move(current.tags), keys)));
  });
}

Result<std::vector<Tag>> Service::ListEntityTags(const Caller& c, PolicyOwner kind,
                                                 const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, OwnerMember(kind), 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "List" + OwnerOp(kind) + "Tags",
                                      EntityArn(account, OwnerWord(kind), "/", name)));
  if (std::optional<ConfiguredOwner> configured = configured_->FindOwner(account, kind, name)) {
    return std::move(configured->tags);
  }
  SEALSTACK_ASSIGN_OR_RETURN(EntityTags found, ReadFrom(db_, [&](storage::Connection& conn) {
                               return TagsOfEntity(conn, account, kind, name);
                             }));
  return std::move(found.tags);
}

// ---------------------------------------------------------------- access keys

Result<AccessKey> Service::CreateAccessKey(const Caller& c,
                                           const std::optional<std::string>& user) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, UserOf(c, user));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateAccessKey", EntityArn(account, "user", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, name));
  SEALSTACK_ASSIGN_OR_RETURN(std::string id_suffix, RandomString(*random_, 16, kIdAlphabet));
  SEALSTACK_ASSIGN_OR_RETURN(std::string secret_text, RandomString(*random_, 40, kSecretAlphabet));
  AccessKey key;
  key.access_key_id = "AKIA" + id_suffix;
  key.secret = crypto::SecretBytes(secret_text);
  key.status = "Active";
  key.created = clock_->Now();
  if (audit::PendingCall* call = audit::PendingCall::Current()) {
    // CloudTrail's responseElements of CreateAccessKey: the key's id, never its secret.
    call->event().response_elements =
        R"({"accessKey":{"accessKeyId":")" + key.access_key_id + R"(","status":"Active"}})";
  }
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string wrapped,
      crypto::WrapKey(root_key_, kAccessKeyPurpose, key.secret, *random_, key.access_key_id));
  SEALSTACK_RETURN_IF_ERROR(
      audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
        SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
        SEALSTACK_ASSIGN_OR_RETURN(auto keys, IamRepo::ListAccessKeys(conn, account, row.name));
        if (keys.size() >= kMaxAccessKeysPerUser) {
          return IamError(ErrorKind::kLimitExceeded,
                          "Cannot exceed quota for AccessKeysPerUser: 2");
        }
        key.user_name = row.name;
        return IamRepo::InsertAccessKey(conn, {key.access_key_id, account, row.name, key.status,
                                               EpochSeconds(key.created), wrapped});
      }));
  return key;
}

Result<std::vector<AccessKey>> Service::ListAccessKeys(const Caller& c,
                                                       const std::optional<std::string>& user) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, UserOf(c, user));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListAccessKeys", EntityArn(account, "user", "/", name)));
  if (auto configured = configured_->AccessKeys(account, name)) return std::move(*configured);
  std::vector<AccessKey> out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
    SEALSTACK_ASSIGN_OR_RETURN(auto keys, IamRepo::ListAccessKeys(conn, account, row.name));
    for (const auto& k : keys) {
      AccessKey key;
      key.user_name = k.user_name;
      key.access_key_id = k.access_key_id;
      key.status = k.status;
      key.created = FromEpoch(k.created);
      out.push_back(std::move(key));
    }
    return Status::Ok();
  }));
  return out;
}

Status Service::UpdateAccessKey(const Caller& c, const std::optional<std::string>& user,
                                const std::string& access_key_id, const std::string& status) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, UserOf(c, user));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  if (status != "Active" && status != "Inactive") {
    return Invalid(status, "status", "Member must satisfy enum value set: [Active, Inactive]");
  }
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UpdateAccessKey", EntityArn(account, "user", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
    SEALSTACK_ASSIGN_OR_RETURN(bool updated, IamRepo::UpdateAccessKeyStatus(conn, account, row.name,
                                                                            access_key_id, status));
    if (!updated) {
      return IamError(ErrorKind::kNoSuchEntity,
                      "The Access Key with id " + access_key_id + " cannot be found.");
    }
    return Status::Ok();
  });
}

Status Service::DeleteAccessKey(const Caller& c, const std::optional<std::string>& user,
                                const std::string& access_key_id) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, UserOf(c, user));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteAccessKey", EntityArn(account, "user", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
    SEALSTACK_ASSIGN_OR_RETURN(bool deleted,
                               IamRepo::DeleteAccessKey(conn, account, row.name, access_key_id));
    if (!deleted) {
      return IamError(ErrorKind::kNoSuchEntity,
                      "The Access Key with id " + access_key_id + " cannot be found.");
    }
    return Status::Ok();
  });
}

// ---------------------------------------------------------------- role sessions

Result<SessionCredentials> Service::CreateRoleSession(
    const Role& role, const std::string& session_name, SystemTime expires,
    const SessionContext& context,
    const std::function<void(const SessionCredentials&)>& before_store) {
  const std::string arn =
      "arn:aws:sts::" + role.account + ":assumed-role/" + role.name + "/" + session_name;
  const std::string id = role.id + ":" + session_name;
  SEALSTACK_ASSIGN_OR_RETURN(SessionCredentials out,
                             StoreSession(role.account, role.name, session_name, expires, context,
                                          [&](const SessionCredentials& c) {
                                            if (!before_store) return;
                                            SessionCredentials named;
                                            named.access_key_id = c.access_key_id;
                                            named.expires = c.expires;
                                            named.assumed_role_arn = arn;
                                            named.assumed_role_id = id;
                                            before_store(named);
                                          }));
  out.assumed_role_arn = arn;
  out.assumed_role_id = id;
  return out;
}

Result<SessionCredentials> Service::CreateUserSession(const auth::Principal& caller,
                                                      SystemTime expires) {
  SessionContext context;
  if (caller.type == auth::PrincipalType::kUser) {
    // Only IAM users (their identity is read again at each request).
    Result<storage::IamUserRow> row = ReadFrom(db_, [&](storage::Connection& conn) {
      return IamRepo::GetUser(conn, caller.account, caller.name);
    });
    if (!row.ok() || row->id != caller.unique_id) {
      return Status::Unimplemented("GetSessionToken for a user that is not an IAM user");
    }
    context.user_name = row->name;
  } else if (caller.type != auth::PrincipalType::kRoot) {
    return Status::InvalidArgument("not a user");
  }
  return StoreSession(caller.account, "", "", expires, context);
}

Result<SessionCredentials> Service::StoreSession(
    const std::string& account, const std::string& role_name, const std::string& session_name,
    SystemTime expires, const SessionContext& context,
    const std::function<void(const SessionCredentials&)>& before_store) {
  SessionCredentials out;
  SEALSTACK_ASSIGN_OR_RETURN(std::string id_suffix, RandomString(*random_, 16, kIdAlphabet));
  SEALSTACK_ASSIGN_OR_RETURN(std::string secret_text, RandomString(*random_, 40, kSecretAlphabet));
  SEALSTACK_ASSIGN_OR_RETURN(std::string token_raw, random_->Bytes(96));
  out.access_key_id = "ASIA" + id_suffix;
  out.secret = crypto::SecretBytes(secret_text);
  // The same token shape as Glue run sessions (api/glue/glue_runs.cpp).
  out.session_token = "IQoJb3JpZ2luX2VjE" + crypto::Base64(token_raw);
  out.expires = expires;
  SEALSTACK_ASSIGN_OR_RETURN(std::string wrapped_secret,
                             crypto::WrapKey(root_key_, kSessionPurpose, out.secret, *random_,
                                             out.access_key_id + "/secret"));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string wrapped_token,
      crypto::WrapKey(root_key_, kSessionPurpose, crypto::SecretBytes(out.session_token), *random_,
                      out.access_key_id + "/token"));
  if (before_store) before_store(out);
  const SystemTime now = clock_->Now();
  storage::IamSessionRow row{out.access_key_id,
                             account,
                             role_name,
                             session_name,
                             wrapped_secret,
                             wrapped_token,
                             EpochSeconds(now),
                             EpochSeconds(expires),
                             SessionContextJson(context)};
  SEALSTACK_RETURN_IF_ERROR(
      audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
        SEALSTACK_RETURN_IF_ERROR(
            IamRepo::DeleteExpiredSessions(conn, EpochSeconds(now - kExpiredSessionsKept))
                .status());
        return IamRepo::InsertSession(conn, row);
      }));
  return out;
}

// ---------------------------------------------------------------- the verifier's directory

std::shared_ptr<const auth::Principal> Service::FindByAccessKey(
    std::string_view access_key_id) const {
  if (StartsWith(access_key_id, "ASIA")) return SessionPrincipal(access_key_id);
  return UserPrincipal(access_key_id);
}

namespace {

// The identity of an IAM user: ARN, policies (inline, attached, groups'), boundary, tags, id.
Status FillUser(storage::Connection& conn, const storage::IamUserRow& user, auth::Principal* p) {
  const std::string& account = user.account;
  p->account = account;
  p->arn = EntityArn(account, "user", user.path, user.name);
  p->type = auth::PrincipalType::kUser;
  p->name = user.name;
  SEALSTACK_ASSIGN_OR_RETURN(
      auto policies,
      IamRepo::ListPolicies(conn, account, storage::IamPolicyOwner::kUser, user.name));
  p->policies = PolicyDocs(policies);
  SEALSTACK_ASSIGN_OR_RETURN(
      auto attached, AttachedDocuments(conn, account, storage::IamPolicyOwner::kUser, user.name));
  p->policies.insert(p->policies.end(), attached.begin(), attached.end());
  SEALSTACK_ASSIGN_OR_RETURN(auto groups, IamRepo::ListGroupsOfUser(conn, account, user.name));
  for (const std::string& g : groups) {
    SEALSTACK_ASSIGN_OR_RETURN(
        auto inline_docs, IamRepo::ListPolicies(conn, account, storage::IamPolicyOwner::kGroup, g));
    for (auto& [n, doc] : inline_docs) p->policies.push_back(std::move(doc));
    SEALSTACK_ASSIGN_OR_RETURN(
        auto group_attached, AttachedDocuments(conn, account, storage::IamPolicyOwner::kGroup, g));
    p->policies.insert(p->policies.end(), group_attached.begin(), group_attached.end());
  }
  p->permissions_boundary = BoundaryDocument(conn, user.boundary);
  for (const Tag& t : TagsOf(user.tags)) p->tags.emplace_back(t.key, t.value);
  p->unique_id = user.id;
  return Status::Ok();
}

// A session's key id, its secret and token (unwrapped), issue and expiry times.
Status FillSession(const crypto::SecretBytes& root_key, const storage::IamSessionRow& s,
                   auth::Principal* p) {
  SEALSTACK_ASSIGN_OR_RETURN(
      crypto::SecretBytes secret,
      crypto::UnwrapKey(root_key, kSessionPurpose, s.wrapped_secret, s.access_key_id + "/secret"));
  SEALSTACK_ASSIGN_OR_RETURN(
      crypto::SecretBytes token,
      crypto::UnwrapKey(root_key, kSessionPurpose, s.wrapped_token, s.access_key_id + "/token"));
  p->access_key_id = s.access_key_id;
  p->secret_access_key = std::move(secret);
  p->session_token = std::string(token.view());
  p->expires = FromEpoch(s.expires);
  p->issued = FromEpoch(s.issued);
  return Status::Ok();
}

}  // namespace

std::shared_ptr<const auth::Principal> Service::UserPrincipal(
    std::string_view access_key_id) const {
  std::shared_ptr<const auth::Principal> out;
  Status st = db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamAccessKeyRow key,
                               IamRepo::GetAccessKey(conn, std::string(access_key_id)));
    if (key.status != "Active") return Status::NotFound("inactive");
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow user,
                               IamRepo::GetUser(conn, key.account, key.user_name));
    SEALSTACK_ASSIGN_OR_RETURN(
        crypto::SecretBytes secret,
        crypto::UnwrapKey(root_key_, kAccessKeyPurpose, key.wrapped_secret, key.access_key_id));
    auto p = std::make_shared<auth::Principal>();
    p->access_key_id = key.access_key_id;
    p->secret_access_key = std::move(secret);
    SEALSTACK_RETURN_IF_ERROR(FillUser(conn, user, p.get()));
    out = std::move(p);
    return Status::Ok();
  });
  return st.ok() ? out : nullptr;
}

std::shared_ptr<const auth::Principal> Service::SessionPrincipal(
    std::string_view access_key_id) const {
  std::shared_ptr<const auth::Principal> out;
  Status st = db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamSessionRow s,
                               IamRepo::GetSession(conn, std::string(access_key_id)));
    if (s.role_name.empty()) {  // GetSessionToken: the user (or root) itself
      auto p = std::make_shared<auth::Principal>();
      const SessionContext context = SessionContextOf(s.context);
      if (context.user_name.empty()) {
        p->account = s.account;
        p->arn = "arn:aws:iam::" + s.account + ":root";
        p->type = auth::PrincipalType::kRoot;
      } else {
        SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow user,
                                   IamRepo::GetUser(conn, s.account, context.user_name));
        SEALSTACK_RETURN_IF_ERROR(FillUser(conn, user, p.get()));
      }
      SEALSTACK_RETURN_IF_ERROR(FillSession(root_key_, s, p.get()));
      out = std::move(p);
      return Status::Ok();
    }
    // A deleted role leaves its sessions without permissions (and without the role's id).
    std::vector<std::pair<std::string, std::string>> policies;
    std::string role_id = "AROA";
    std::optional<std::string> boundary;
    std::string role_arn;
    std::vector<Tag> role_tags;
    if (std::optional<ConfiguredOwner> configured =
            configured_->FindOwner(s.account, PolicyOwner::kRole, s.role_name)) {
      // A configured role (iam_config_entities.h): its configured policies and tags.
      role_id = configured->id;
      role_tags = std::move(configured->tags);
      role_arn = configured->arn;
      policies = std::move(configured->policies);
    } else if (Result<storage::IamRoleRow> role = IamRepo::GetRole(conn, s.account, s.role_name);
               role.ok()) {
      role_id = role->id;
      role_tags = TagsOf(role->tags);
      role_arn = EntityArn(s.account, "role", role->path, role->name);
      SEALSTACK_ASSIGN_OR_RETURN(
          policies,
          IamRepo::ListPolicies(conn, s.account, storage::IamPolicyOwner::kRole, role->name));
      SEALSTACK_ASSIGN_OR_RETURN(
          auto attached,
          AttachedDocuments(conn, s.account, storage::IamPolicyOwner::kRole, role->name));
      for (auto& doc : attached) policies.emplace_back("", std::move(doc));
      boundary = BoundaryDocument(conn, role->boundary);
    }
    const SessionContext context = SessionContextOf(s.context);
    auto p = std::make_shared<auth::Principal>();
    SEALSTACK_RETURN_IF_ERROR(FillSession(root_key_, s, p.get()));
    p->account = s.account;
    p->arn = "arn:aws:sts::" + s.account + ":assumed-role/" + s.role_name + "/" + s.session_name;
    p->type = auth::PrincipalType::kAssumedRole;
    p->name = s.role_name;
    p->policies = PolicyDocs(policies);
    p->permissions_boundary = std::move(boundary);
    p->session_policies = context.session_policies;
    if (context.has_session_policy && p->session_policies.empty()) {
      // Every PolicyArn of the session is gone: the session may do nothing.
      p->session_policies.emplace_back(R"({"Version":"2012-10-17","Statement":[]})");
    }
    p->role_arn = role_arn;
    p->unique_id = role_id + ":" + s.session_name;
    // Session tags override the role's tags of the same key (tag keys are case-insensitive).
    for (const Tag& t : context.tags) p->tags.emplace_back(t.key, t.value);
    for (const Tag& t : role_tags) {
      const bool overridden = std::any_of(
          context.tags.begin(), context.tags.end(),
          [&](const Tag& session_tag) { return ToLower(session_tag.key) == ToLower(t.key); });
      if (!overridden) p->tags.emplace_back(t.key, t.value);
    }
    p->transitive_tag_keys = context.transitive_tag_keys;
    p->source_identity = context.source_identity;
    p->federated_provider = context.federated_provider;
    out = std::move(p);
    return Status::Ok();
  });
  return st.ok() ? out : nullptr;
}

// ---------------------------------------------------------------- OpenID Connect providers

namespace {

constexpr size_t kMaxClientIds = 100;
constexpr size_t kMaxThumbprints = 5;
constexpr size_t kThumbprintLength = 40;
constexpr std::string_view kHttps = "https://";

std::string StringsJson(const std::vector<std::string>& values) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const std::string& v : values) {
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }
  w.EndArray();
  return buf.GetString();
}

std::vector<std::string> StringsOf(const std::string& json) {
  std::vector<std::string> out;
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (d.HasParseError() || !d.IsArray()) return out;
  for (const auto& v : d.GetArray()) {
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

std::string OidcArn(const std::string& account, const std::string& url) {
  return "arn:aws:iam::" + account + ":oidc-provider/" + url;
}

OidcProvider OidcOfRow(const storage::IamOidcProviderRow& r) {
  return OidcProvider{r.account,
                      r.url,
                      OidcArn(r.account, r.url),
                      StringsOf(r.client_ids),
                      StringsOf(r.thumbprints),
                      TagsOf(r.tags),
                      FromEpoch(r.created)};
}

// An issuer URL as providers and JWKS documents are keyed: without the scheme and a final '/'.
std::string IssuerKey(std::string_view url) {
  if (StartsWith(url, kHttps)) url.remove_prefix(kHttps.size());
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

// The URL part of a provider ARN of `account` (InvalidInput for anything else).
Result<std::string> OidcUrlOfArn(const std::string& account, const std::string& arn) {
  SEALSTACK_RETURN_IF_ERROR(CheckLength(arn, "openIDConnectProviderArn", 20, 2048));
  const std::string prefix = "arn:aws:iam::" + account + ":oidc-provider/";
  if (!StartsWith(arn, prefix) || arn.size() == prefix.size()) {
    return IamError(ErrorKind::kInvalidInput, "ARN " + arn + " is not valid.");
  }
  return arn.substr(prefix.size());
}

Status NoSuchOidcProvider(const std::string& arn) {
  return IamError(ErrorKind::kNoSuchEntity, "OpenIDConnect Provider not found for arn " + arn);
}

Status CheckClientId(const std::string& id) {
  return CheckLength(id, "clientID", 1, 255);
}

Status CheckThumbprints(const std::vector<std::string>& thumbprints) {
  for (const std::string& t : thumbprints) {
    if (t.size() != kThumbprintLength) {
      return Invalid(t, "thumbprintList",
                     "Member must satisfy constraint: [Member must have length less than or equal "
                     "to 40, Member must have length greater than or equal to 40]");
    }
  }
  if (thumbprints.size() > kMaxThumbprints) {
    return IamError(ErrorKind::kInvalidInput, "Thumbprint list must contain fewer than 5 entries.");
  }
  return Status::Ok();
}

}  // namespace

Result<OidcProvider> Service::CreateOidcProvider(const Caller& c,
                                                 const CreateOidcProviderInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckLength(in.url, "url", 1, 255));
  const std::string url = IssuerKey(in.url);
  if (!StartsWith(in.url, kHttps) || url.empty() || url.find_first_of(" ?#") != std::string::npos) {
    return IamError(ErrorKind::kValidation, "Invalid Open ID Connect Provider URL");
  }
  for (const std::string& id : in.client_ids) SEALSTACK_RETURN_IF_ERROR(CheckClientId(id));
  SEALSTACK_RETURN_IF_ERROR(CheckThumbprints(in.thumbprints));
  if (in.client_ids.size() > kMaxClientIds) {
    return IamError(ErrorKind::kLimitExceeded,
                    "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
  }
  SEALSTACK_RETURN_IF_ERROR(CheckTags(in.tags));
  const std::string arn = OidcArn(account, url);
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "CreateOpenIDConnectProvider", arn, RequestTagKeys(in.tags)));
  std::vector<std::string> client_ids;
  for (const std::string& id : in.client_ids) {  // a client id given twice is kept once
    if (std::find(client_ids.begin(), client_ids.end(), id) == client_ids.end()) {
      client_ids.push_back(id);
    }
  }
  storage::IamOidcProviderRow row{account,
                                  url,
                                  StringsJson(client_ids),
                                  StringsJson(in.thumbprints),
                                  TagsJson(in.tags),
                                  EpochSeconds(clock_->Now())};
  Status st = audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return IamRepo::InsertOidcProvider(conn, row); });
  if (st.code() == StatusCode::kAlreadyExists) {
    return IamError(ErrorKind::kEntityAlreadyExists,
                    "Provider with url " + std::string(kHttps) + url + " already exists.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return OidcOfRow(row);
}

Result<OidcProvider> Service::FindOidcProvider(const std::string& account, const std::string& url) {
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamOidcProviderRow row,
                             ReadFrom(db_, [&](storage::Connection& conn) {
                               return IamRepo::GetOidcProvider(conn, account, IssuerKey(url));
                             }));
  return OidcOfRow(row);
}

Result<OidcProvider> Service::GetOidcProvider(const Caller& c, const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string url, OidcUrlOfArn(account, arn));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetOpenIDConnectProvider", arn));
  return OrMissing(FindOidcProvider(account, url), NoSuchOidcProvider(arn));
}

Result<std::vector<OidcProvider>> Service::ListOidcProviders(const Caller& c) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "ListOpenIDConnectProviders", "arn:aws:iam::" + account + ":oidc-provider/*"));
  return ReadFrom(db_, [&](storage::Connection& conn) {
    return AllOf(IamRepo::ListOidcProviders(conn, account), OidcOfRow);
  });
}

Status Service::DeleteOidcProvider(const Caller& c, const std::string& arn) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string url, OidcUrlOfArn(account, arn));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteOpenIDConnectProvider", arn));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(bool deleted, IamRepo::DeleteOidcProvider(conn, account, url));
    return deleted ? Status::Ok() : NoSuchOidcProvider(arn);
  });
}

Status Service::ChangeOidcProvider(const Caller& c, OidcChange change, const std::string& arn,
                                   const std::vector<std::string>& values,
                                   const std::vector<Tag>& tags) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string url, OidcUrlOfArn(account, arn));
  std::string_view operation;
  std::vector<std::pair<std::string, std::string>> keys;
  switch (change) {
    case OidcChange::kAddClientId:
    case OidcChange::kRemoveClientId:
      for (const std::string& id : values) SEALSTACK_RETURN_IF_ERROR(CheckClientId(id));
      operation = change == OidcChange::kAddClientId ? "AddClientIDToOpenIDConnectProvider"
                                                     : "RemoveClientIDFromOpenIDConnectProvider";
      break;
    case OidcChange::kSetThumbprints:
      SEALSTACK_RETURN_IF_ERROR(CheckThumbprints(values));
      operation = "UpdateOpenIDConnectProviderThumbprint";
      break;
    case OidcChange::kTag:
      SEALSTACK_RETURN_IF_ERROR(CheckTags(tags));
      keys = RequestTagKeys(tags);
      operation = "TagOpenIDConnectProvider";
      break;
    case OidcChange::kUntag:
      for (const std::string& k : values) keys.emplace_back("aws:TagKeys", k);
      operation = "UntagOpenIDConnectProvider";
      break;
  }
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, operation, arn, std::move(keys)));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        storage::IamOidcProviderRow row,
        OrMissing(IamRepo::GetOidcProvider(conn, account, url), NoSuchOidcProvider(arn)));
    std::vector<std::string> ids = StringsOf(row.client_ids);
    switch (change) {
      case OidcChange::kAddClientId:
        for (const std::string& id : values) {
          if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
        }
        if (ids.size() > kMaxClientIds) {
          return IamError(ErrorKind::kLimitExceeded,
                          "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
        }
        break;
      case OidcChange::kRemoveClientId:  // removing one that is not there is no error
        for (const std::string& id : values) std::erase(ids, id);
        break;
      case OidcChange::kSetThumbprints:
        row.thumbprints = StringsJson(values);
        break;
      case OidcChange::kTag: {
        SEALSTACK_ASSIGN_OR_RETURN(std::vector<Tag> merged,
                                   MergeTags(TagsOf(row.tags), tags, "OpenIdConnectProvider"));
        row.tags = TagsJson(merged);
        break;
      }
      case OidcChange::kUntag:
        row.tags = TagsJson(WithoutTags(TagsOf(row.tags), values));
        break;
    }
    row.client_ids = StringsJson(ids);
    return IamRepo::UpdateOidcProvider(conn, row);
  });
}

Result<size_t> Service::PutJwks(const std::string& url, const std::string& jwks) {
  rapidjson::Document d;
  d.Parse(jwks.c_str(), jwks.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("keys") || !d["keys"].IsArray()) {
    return Status::InvalidArgument("a JWKS document is a JSON object with a \"keys\" array");
  }
  for (const auto& k : d["keys"].GetArray()) {
    if (!k.IsObject() || !k.HasMember("kty") || !k["kty"].IsString()) {
      return Status::InvalidArgument("each key of a JWKS document is an object with \"kty\"");
    }
  }
  const std::string key = IssuerKey(url);
  if (key.empty()) return Status::InvalidArgument("url: the issuer URL (the tokens' iss)");
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) {
    return IamRepo::PutJwks(conn, key, jwks, EpochSeconds(clock_->Now()));
  }));
  return d["keys"].GetArray().Size();
}

Result<std::string> Service::GetJwks(const std::string& url) {
  return ReadFrom(
      db_, [&](storage::Connection& conn) { return IamRepo::GetJwks(conn, IssuerKey(url)); });
}

// ---------------------------------------------------------------- updates

Status Service::UpdateUser(const Caller& c, const std::string& name,
                           const std::optional<std::string>& new_name,
                           const std::optional<std::string>& new_path) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  if (new_name) SEALSTACK_RETURN_IF_ERROR(CheckName(*new_name, "newUserName", 64));
  if (new_path) SEALSTACK_RETURN_IF_ERROR(CheckPath(*new_path, "newPath"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UpdateUser", EntityArn(account, "user", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kUser, name));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row, FindUserRow(conn, account, name));
    const std::string target = new_name.value_or(row.name);
    if (ToLower(target) != ToLower(row.name) &&
        (IamRepo::GetUser(conn, account, target).ok() || configured_->FindUser(account, target))) {
      return IamError(ErrorKind::kEntityAlreadyExists,
                      "User with name " + target + " already exists.");
    }
    return IamRepo::RenameUser(conn, account, row.name, target, new_path.value_or(row.path));
  });
}

Result<Role> Service::UpdateRole(const Caller& c, const std::string& name,
                                 const std::optional<std::string>& description,
                                 const std::optional<int64_t>& max_session_duration) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "roleName", 64));
  SEALSTACK_RETURN_IF_ERROR(CheckRoleSettings(description, max_session_duration));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, description && !max_session_duration ? "UpdateRoleDescription" : "UpdateRole",
                EntityArn(account, "role", "/", name)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kRole, name));
  storage::IamRoleRow updated;
  SEALSTACK_RETURN_IF_ERROR(
      audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
        SEALSTACK_ASSIGN_OR_RETURN(updated, FindRoleRow(conn, account, name));
        if (description) updated.description = *description;
        if (max_session_duration) updated.max_session = *max_session_duration;
        return IamRepo::UpdateRoleSettings(conn, account, updated.name, updated.description,
                                           updated.max_session);
      }));
  return RoleOfRow(updated);
}

// ---------------------------------------------------------------- instance profiles

namespace {

Status NoSuchProfile(const std::string& name) {
  return IamError(ErrorKind::kNoSuchEntity, "Instance Profile " + name + " cannot be found.");
}

Result<storage::IamInstanceProfileRow> FindProfileRow(storage::Connection& conn,
                                                      const std::string& account,
                                                      const std::string& name) {
  return OrMissing(IamRepo::GetInstanceProfile(conn, account, name), NoSuchProfile(name));
}

InstanceProfile ProfileOfRow(storage::Connection& conn, const storage::IamInstanceProfileRow& row) {
  InstanceProfile p{row.path,
                    row.name,
                    row.id,
                    EntityArn(row.account, "instance-profile", row.path, row.name),
                    FromEpoch(row.created),
                    TagsOf(row.tags),
                    {}};
  if (row.role) {
    Result<storage::IamRoleRow> role = IamRepo::GetRole(conn, row.account, *row.role);
    if (role.ok()) p.roles.push_back(RoleOfRow(*role));
  }
  return p;
}

}  // namespace

Result<InstanceProfile> Service::CreateInstanceProfile(const Caller& c, const std::string& name,
                                                       const std::optional<std::string>& path,
                                                       const std::vector<Tag>& tags) {
  const std::string& account = c.principal->account;
  const std::string p = path.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "instanceProfileName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckPath(p, "path"));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(tags));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateInstanceProfile",
                                      EntityArn(account, "instance-profile", p, name),
                                      RequestTagKeys(tags)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  storage::IamInstanceProfileRow row{
      account, name, p, "AIPA" + suffix, EpochSeconds(clock_->Now()), TagsJson(tags), {}};
  Status st = audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return IamRepo::InsertInstanceProfile(conn, row); });
  if (st.code() == StatusCode::kAlreadyExists) {
    return IamError(ErrorKind::kEntityAlreadyExists,
                    "Instance Profile " + name + " already exists.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return ReadFrom(db_, [&](storage::Connection& conn) -> Result<InstanceProfile> {
    return ProfileOfRow(conn, row);
  });
}

Result<InstanceProfile> Service::GetInstanceProfile(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "instanceProfileName", 128));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "GetInstanceProfile", EntityArn(account, "instance-profile", "/", name)));
  return ReadFrom(db_, [&](storage::Connection& conn) -> Result<InstanceProfile> {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamInstanceProfileRow row,
                               FindProfileRow(conn, account, name));
    return ProfileOfRow(conn, row);
  });
}

Result<Page<InstanceProfile>> Service::ListInstanceProfiles(const Caller& c, const ListInput& in) {
  return ListByPath<InstanceProfile>(
      c, in, "ListInstanceProfiles", "instance-profile",
      [&](storage::Connection& conn, size_t limit) {
        return AllOf(
            IamRepo::ListInstanceProfiles(conn, c.principal->account, in.path_prefix, in.marker,
                                          limit),
            [&](const storage::IamInstanceProfileRow& r) { return ProfileOfRow(conn, r); });
      });
}

Result<Page<InstanceProfile>> Service::ListInstanceProfilesForRole(const Caller& c,
                                                                   const std::string& role,
                                                                   const ListInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(role, "roleName", 64));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "ListInstanceProfilesForRole", EntityArn(account, "role", "/", role)));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::vector<InstanceProfile> items,
      ReadFrom(db_, [&](storage::Connection& conn) -> Result<std::vector<InstanceProfile>> {
        if (configured_->FindRole(account, role)) return std::vector<InstanceProfile>{};  // none
        SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow r, FindRoleRow(conn, account, role));
        return AllOf(
            IamRepo::ListInstanceProfilesOfRole(conn, account, r.name),
            [&](const storage::IamInstanceProfileRow& p) { return ProfileOfRow(conn, p); });
      }));
  return PageOf(std::move(items), in, max);
}

Status Service::DeleteInstanceProfile(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "instanceProfileName", 128));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "DeleteInstanceProfile", EntityArn(account, "instance-profile", "/", name)));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamInstanceProfileRow row,
                               FindProfileRow(conn, account, name));
    if (row.role) {
      return IamError(ErrorKind::kDeleteConflict,
                      "Cannot delete entity, must remove roles from instance profile first.");
    }
    return IamRepo::DeleteInstanceProfile(conn, account, row.name).status();
  });
}

Status Service::SetInstanceProfileRole(const Caller& c, const std::string& profile,
                                       const std::string& role, bool add) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(profile, "instanceProfileName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(role, "roleName", 64));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, add ? "AddRoleToInstanceProfile" : "RemoveRoleFromInstanceProfile",
                EntityArn(account, "instance-profile", "/", profile)));
  SEALSTACK_RETURN_IF_ERROR(configured_->RefuseChange(account, PolicyOwner::kRole, role));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamInstanceProfileRow row,
                               FindProfileRow(conn, account, profile));
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow r, FindRoleRow(conn, account, role));
    if (add) {
      if (row.role) {
        return IamError(ErrorKind::kLimitExceeded,
                        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
      }
      row.role = r.name;
    } else {
      if (row.role != r.name) {
        return IamError(ErrorKind::kNoSuchEntity, "The role with name " + role +
                                                      " cannot be found in instance profile " +
                                                      row.name + ".");
      }
      row.role.reset();
    }
    return IamRepo::UpdateInstanceProfile(conn, row);
  });
}

Status Service::TagInstanceProfile(const Caller& c, const std::string& name,
                                   const std::vector<Tag>& tags,
                                   const std::vector<std::string>& untag_keys) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "instanceProfileName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(tags));
  std::vector<std::pair<std::string, std::string>> keys = RequestTagKeys(tags);
  for (const std::string& k : untag_keys) keys.emplace_back("aws:TagKeys", k);
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, tags.empty() ? "UntagInstanceProfile" : "TagInstanceProfile",
                EntityArn(account, "instance-profile", "/", name), std::move(keys)));
  return audit::PendingCall::InTransaction(db_, [&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamInstanceProfileRow row,
                               FindProfileRow(conn, account, name));
    // Tagging and untagging are separate calls: one of `tags` and `untag_keys` is empty.
    SEALSTACK_ASSIGN_OR_RETURN(
        std::vector<Tag> merged,
        MergeTags(WithoutTags(TagsOf(row.tags), untag_keys), tags, "InstanceProfile"));
    row.tags = TagsJson(merged);
    return IamRepo::UpdateInstanceProfile(conn, row);
  });
}

// ---------------------------------------------------------------- access keys' last use

namespace {

constexpr auto kKeyUseWriteInterval = std::chrono::minutes(1);

}  // namespace

void Service::RecordKeyUse(const std::string& access_key_id, std::string_view service,
                           std::string_view region) {
  if (!StartsWith(access_key_id, "AKIA")) return;  // IAM's long-term keys only
  const SystemTime now = clock_->Now();
  storage::IamKeyLastUsed write;
  {
    MutexLock lock(uses_mu_);
    KeyUse& use = uses_[access_key_id];
    use.when = now;
    use.service = std::string(service);
    use.region = std::string(region);
    if (now - use.written < kKeyUseWriteInterval && now >= use.written) return;
    use.written = now;
    write = {EpochSeconds(now), use.service, use.region};
  }
  // At most once a minute per key: a failed write only loses precision the memory still has.
  static_cast<void>(db_.WithTransaction([&](storage::Connection& conn) {
    return IamRepo::SetKeyLastUsed(conn, access_key_id, write);
  }));
}

Result<AccessKeyLastUsed> Service::GetAccessKeyLastUsed(const Caller& c,
                                                        const std::string& access_key_id) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckLength(access_key_id, "accessKeyId", 16, 128));
  Result<storage::IamAccessKeyRow> key = Status::Internal("unset");
  std::optional<storage::IamKeyLastUsed> stored;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    key = IamRepo::GetAccessKey(conn, access_key_id);
    if (key.ok()) {
      SEALSTACK_ASSIGN_OR_RETURN(stored, IamRepo::GetKeyLastUsed(conn, access_key_id));
    }
    return Status::Ok();
  }));
  if (!key.ok() || key->account != account) {
    SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetAccessKeyLastUsed", "*"));
    return IamError(ErrorKind::kNoSuchEntity,
                    "The Access Key with id " + access_key_id + " cannot be found.");
  }
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "GetAccessKeyLastUsed", EntityArn(account, "user", "/", key->user_name)));
  AccessKeyLastUsed out{key->user_name, std::nullopt, "N/A", "N/A"};
  if (stored) out = {key->user_name, FromEpoch(stored->when), stored->service, stored->region};
  MutexLock lock(uses_mu_);
  auto it = uses_.find(access_key_id);
  if (it != uses_.end() && (!out.when || it->second.when > *out.when)) {
    out.when = it->second.when;
    out.service = it->second.service;
    out.region = it->second.region;
  }
  return out;
}

Status Service::Reset() {
  {
    MutexLock lock(uses_mu_);
    uses_.clear();
  }
  return audit::PendingCall::InTransaction(
      db_, [](storage::Connection& conn) { return IamRepo::DeleteAll(conn); });
}

Status Service::ResetAccount(const std::string& account) {
  return audit::PendingCall::InTransaction(
      db_, [&](storage::Connection& conn) { return IamRepo::DeleteAccount(conn, account); });
}

}  // namespace sealstack::api::iam
