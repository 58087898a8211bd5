#include "api/iam/iam_service.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>

#include "common/strings.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"
#include "policy/document.h"
#include "storage/iam_repo.h"

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

Status CheckName(std::string_view value, std::string_view member, size_t max) {
  if (value.empty())
    return Invalid(value, member, "Member must have length greater than or equal to 1");
  if (value.size() > max) {
    return Invalid(value, member,
                   "Member must have length less than or equal to " + std::to_string(max));
  }
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
              TagsOf(r.tags)};
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

Result<int64_t> MaxItems(const ListInput& in) {
  const int64_t n = in.max_items.value_or(kDefaultMaxItems);
  if (n < 1 || n > 1000) {
    return Invalid(std::to_string(n), "maxItems",
                   n < 1 ? "Member must have value greater than or equal to 1"
                         : "Member must have value less than or equal to 1000");
  }
  return n;
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
  return kind == PolicyOwner::kUser ? "user" : "role";
}

storage::IamPolicyOwner RepoOwner(PolicyOwner kind) {
  return kind == PolicyOwner::kUser ? storage::IamPolicyOwner::kUser
                                    : storage::IamPolicyOwner::kRole;
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
                 std::shared_ptr<AccessCheck> access)
    : db_(db),
      root_key_(std::move(root_key)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      access_(std::move(access)) {}

Status Service::Authorize(const Caller& c, std::string_view operation,
                          const std::string& resource) {
  if (!access_) return Status::Ok();
  AccessRequest r;
  r.service = AccessService::kIam;
  r.rule = AccessRule::kIdentityOnly;
  r.action = "iam:" + std::string(operation);
  r.resource = resource;
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

// ---------------------------------------------------------------- users

Result<User> Service::CreateUser(const Caller& c, const CreateUserInput& in) {
  const std::string& account = c.principal->account;
  const std::string path = in.path.value_or("/");
  SEALSTACK_RETURN_IF_ERROR(CheckName(in.name, "userName", 64));
  SEALSTACK_RETURN_IF_ERROR(CheckPath(path, "path"));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(in.tags));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateUser", EntityArn(account, "user", path, in.name)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string suffix, RandomString(*random_, 17, kIdAlphabet));
  storage::IamUserRow row{
      account, in.name, path, "AIDA" + suffix, EpochSeconds(clock_->Now()), TagsJson(in.tags)};
  Status st = db_.WithTransaction(
      [&](storage::Connection& conn) { return IamRepo::InsertUser(conn, row); });
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
  Result<storage::IamUserRow> row = Status::Internal("unset");
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) {
    row = IamRepo::GetUser(conn, account, user);
    return Status::Ok();
  }));
  // Authorized on the ARN of the user asked for (its path is known only when it exists).
  const std::string arn = row.ok() ? UserOfRow(*row).arn : EntityArn(account, "user", "/", user);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetUser", arn));
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow found,
                             OrMissing(std::move(row), NoSuchUser(user)));
  return UserOfRow(found);
}

Result<Page<User>> Service::ListUsers(const Caller& c, const ListInput& in) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckPath(in.path_prefix, "pathPrefix"));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListUsers", "arn:aws:iam::" + account + ":user/"));
  std::vector<storage::IamUserRow> rows;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(rows, IamRepo::ListUsers(conn, account, in.path_prefix, in.marker,
                                                        static_cast<size_t>(max) + 1));
    return Status::Ok();
  }));
  Page<User> page;
  for (const auto& r : rows) {
    if (page.items.size() == static_cast<size_t>(max)) {
      page.truncated = true;
      page.marker = ToLower(page.items.back().name);
      break;
    }
    page.items.push_back(UserOfRow(r));
  }
  return page;
}

Status Service::DeleteUser(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteUser", EntityArn(account, "user", "/", name)));
  return db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row,
                               OrMissing(IamRepo::GetUser(conn, account, name), NoSuchUser(name)));
    SEALSTACK_ASSIGN_OR_RETURN(auto keys, IamRepo::ListAccessKeys(conn, account, row.name));
    if (!keys.empty()) {
      return IamError(ErrorKind::kDeleteConflict,
                      "Cannot delete entity, must delete access keys first.");
    }
    SEALSTACK_ASSIGN_OR_RETURN(
        auto policies,
        IamRepo::ListPolicies(conn, account, storage::IamPolicyOwner::kUser, row.name));
    if (!policies.empty()) {
      return IamError(ErrorKind::kDeleteConflict,
                      "Cannot delete entity, must delete policies first.");
    }
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
  if (in.description && in.description->size() > 1000) {
    return Invalid(*in.description, "description",
                   "Member must have length less than or equal to 1000");
  }
  const int64_t max_session = in.max_session_duration.value_or(kMinSession);
  if (max_session < kMinSession || max_session > kMaxSession) {
    return Invalid(std::to_string(max_session), "maxSessionDuration",
                   max_session < kMinSession
                       ? "Member must have value greater than or equal to 3600"
                       : "Member must have value less than or equal to 43200");
  }
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(in.trust_policy, policy::PolicyKind::kResource));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateRole", EntityArn(account, "role", path, in.name)));
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
  Status st = db_.WithTransaction(
      [&](storage::Connection& conn) { return IamRepo::InsertRole(conn, row); });
  if (st.code() == StatusCode::kAlreadyExists) {
    return IamError(ErrorKind::kEntityAlreadyExists,
                    "Role with name " + in.name + " already exists.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return RoleOfRow(row);
}

Result<Role> Service::FindRole(const std::string& account, const std::string& name) {
  Result<storage::IamRoleRow> row = Status::Internal("unset");
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) {
    row = IamRepo::GetRole(conn, account, name);
    return Status::Ok();
  }));
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow found,
                             OrMissing(std::move(row), NoSuchRole(name)));
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
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckPath(in.path_prefix, "pathPrefix"));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListRoles", "arn:aws:iam::" + account + ":role/"));
  std::vector<storage::IamRoleRow> rows;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(rows, IamRepo::ListRoles(conn, account, in.path_prefix, in.marker,
                                                        static_cast<size_t>(max) + 1));
    return Status::Ok();
  }));
  Page<Role> page;
  for (const auto& r : rows) {
    if (page.items.size() == static_cast<size_t>(max)) {
      page.truncated = true;
      page.marker = ToLower(page.items.back().name);
      break;
    }
    page.items.push_back(RoleOfRow(r));
  }
  return page;
}

Status Service::DeleteRole(const Caller& c, const std::string& name) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "roleName", 64));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteRole", EntityArn(account, "role", "/", name)));
  return db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow row,
                               OrMissing(IamRepo::GetRole(conn, account, name), NoSuchRole(name)));
    SEALSTACK_ASSIGN_OR_RETURN(
        auto policies,
        IamRepo::ListPolicies(conn, account, storage::IamPolicyOwner::kRole, row.name));
    if (!policies.empty()) {
      return IamError(ErrorKind::kDeleteConflict,
                      "Cannot delete entity, must delete policies first.");
    }
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
  return db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow row,
                               OrMissing(IamRepo::GetRole(conn, account, name), NoSuchRole(name)));
    return IamRepo::UpdateTrustPolicy(conn, account, row.name, doc);
  });
}

// ---------------------------------------------------------------- inline policies

namespace {

// The stored name of the user or role that owns inline policies (NoSuchEntity when absent).
Result<std::string> OwnerName(storage::Connection& conn, const std::string& account,
                              PolicyOwner kind, const std::string& owner) {
  if (kind == PolicyOwner::kUser) {
    SEALSTACK_ASSIGN_OR_RETURN(
        storage::IamUserRow row,
        OrMissing(IamRepo::GetUser(conn, account, owner), NoSuchUser(owner)));
    return row.name;
  }
  SEALSTACK_ASSIGN_OR_RETURN(storage::IamRoleRow row,
                             OrMissing(IamRepo::GetRole(conn, account, owner), NoSuchRole(owner)));
  return row.name;
}

std::string PolicyOperation(std::string_view verb, PolicyOwner kind) {
  return std::string(verb) + (kind == PolicyOwner::kUser ? "UserPolicy" : "RolePolicy");
}

}  // namespace

Status Service::PutPolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                          const std::string& name, const std::string& doc) {
  const std::string& account = c.principal->account;
  const char* word = OwnerWord(kind);
  SEALSTACK_RETURN_IF_ERROR(
      CheckName(owner, kind == PolicyOwner::kUser ? "userName" : "roleName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "policyName", 128));
  SEALSTACK_RETURN_IF_ERROR(ValidatePolicy(doc, policy::PolicyKind::kIdentity));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("Put", kind), EntityArn(account, word, "/", owner)));
  return db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(auto existing,
                               IamRepo::ListPolicies(conn, account, RepoOwner(kind), stored));
    // The aggregate size quota of a user's or role's inline policies.
    const size_t quota = kind == PolicyOwner::kUser ? 2048 : 10240;
    size_t total = PolicySize(doc);
    for (const auto& [n, d] : existing) total += n == name ? 0 : PolicySize(d);
    if (total > quota) {
      return IamError(ErrorKind::kLimitExceeded, "Maximum policy size of " + std::to_string(quota) +
                                                     " bytes exceeded for " + word + " " + stored);
    }
    return IamRepo::PutPolicy(conn, account, RepoOwner(kind), stored, name, doc);
  });
}

Result<std::pair<std::string, std::string>> Service::GetPolicy(const Caller& c, PolicyOwner kind,
                                                               const std::string& owner,
                                                               const std::string& name) {
  const std::string& account = c.principal->account;
  const char* word = OwnerWord(kind);
  SEALSTACK_RETURN_IF_ERROR(
      CheckName(owner, kind == PolicyOwner::kUser ? "userName" : "roleName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "policyName", 128));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("Get", kind), EntityArn(account, word, "/", owner)));
  std::pair<std::string, std::string> out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(out.first, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(
        out.second, OrMissing(IamRepo::GetPolicy(conn, account, RepoOwner(kind), out.first, name),
                              IamError(ErrorKind::kNoSuchEntity, std::string("The ") + word +
                                                                     " policy with name " + name +
                                                                     " cannot be found.")));
    return Status::Ok();
  }));
  return out;
}

Status Service::DeletePolicy(const Caller& c, PolicyOwner kind, const std::string& owner,
                             const std::string& name) {
  const std::string& account = c.principal->account;
  const char* word = OwnerWord(kind);
  SEALSTACK_RETURN_IF_ERROR(
      CheckName(owner, kind == PolicyOwner::kUser ? "userName" : "roleName", 128));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "policyName", 128));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("Delete", kind), EntityArn(account, word, "/", owner)));
  return db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(bool deleted,
                               IamRepo::DeletePolicy(conn, account, RepoOwner(kind), stored, name));
    if (!deleted) {
      return IamError(ErrorKind::kNoSuchEntity, std::string("The ") + word + " policy with name " +
                                                    name + " cannot be found.");
    }
    return Status::Ok();
  });
}

Result<Page<std::string>> Service::ListPolicies(const Caller& c, PolicyOwner kind,
                                                const std::string& owner, const ListInput& in) {
  const std::string& account = c.principal->account;
  const char* word = OwnerWord(kind);
  SEALSTACK_RETURN_IF_ERROR(
      CheckName(owner, kind == PolicyOwner::kUser ? "userName" : "roleName", 128));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, PolicyOperation("List", kind) + "s", EntityArn(account, word, "/", owner)));
  std::vector<std::pair<std::string, std::string>> all;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
    SEALSTACK_ASSIGN_OR_RETURN(all, IamRepo::ListPolicies(conn, account, RepoOwner(kind), stored));
    return Status::Ok();
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

// ---------------------------------------------------------------- access keys

Result<AccessKey> Service::CreateAccessKey(const Caller& c,
                                           const std::optional<std::string>& user) {
  const std::string& account = c.principal->account;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, UserOf(c, user));
  SEALSTACK_RETURN_IF_ERROR(CheckName(name, "userName", 128));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateAccessKey", EntityArn(account, "user", "/", name)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string id_suffix, RandomString(*random_, 16, kIdAlphabet));
  SEALSTACK_ASSIGN_OR_RETURN(std::string secret_text, RandomString(*random_, 40, kSecretAlphabet));
  AccessKey key;
  key.access_key_id = "AKIA" + id_suffix;
  key.secret = crypto::SecretBytes(secret_text);
  key.status = "Active";
  key.created = clock_->Now();
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string wrapped,
      crypto::WrapKey(root_key_, kAccessKeyPurpose, key.secret, *random_, key.access_key_id));
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row,
                               OrMissing(IamRepo::GetUser(conn, account, name), NoSuchUser(name)));
    SEALSTACK_ASSIGN_OR_RETURN(auto keys, IamRepo::ListAccessKeys(conn, account, row.name));
    if (keys.size() >= kMaxAccessKeysPerUser) {
      return IamError(ErrorKind::kLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2");
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
  std::vector<AccessKey> out;
  SEALSTACK_RETURN_IF_ERROR(db_.WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row,
                               OrMissing(IamRepo::GetUser(conn, account, name), NoSuchUser(name)));
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
  return db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row,
                               OrMissing(IamRepo::GetUser(conn, account, name), NoSuchUser(name)));
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
  return db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(storage::IamUserRow row,
                               OrMissing(IamRepo::GetUser(conn, account, name), NoSuchUser(name)));
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

Result<SessionCredentials> Service::CreateRoleSession(const Role& role,
                                                      const std::string& session_name,
                                                      SystemTime expires) {
  SessionCredentials out;
  SEALSTACK_ASSIGN_OR_RETURN(std::string id_suffix, RandomString(*random_, 16, kIdAlphabet));
  SEALSTACK_ASSIGN_OR_RETURN(std::string secret_text, RandomString(*random_, 40, kSecretAlphabet));
  SEALSTACK_ASSIGN_OR_RETURN(std::string token_raw, random_->Bytes(96));
  out.access_key_id = "ASIA" + id_suffix;
  out.secret = crypto::SecretBytes(secret_text);
  // The same token shape as Glue run sessions (api/glue/glue_runs.cpp).
  out.session_token = "IQoJb3JpZ2luX2VjE" + crypto::Base64(token_raw);
  out.expires = expires;
  out.assumed_role_arn =
      "arn:aws:sts::" + role.account + ":assumed-role/" + role.name + "/" + session_name;
  out.assumed_role_id = role.id + ":" + session_name;
  SEALSTACK_ASSIGN_OR_RETURN(std::string wrapped_secret,
                             crypto::WrapKey(root_key_, kSessionPurpose, out.secret, *random_,
                                             out.access_key_id + "/secret"));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string wrapped_token,
      crypto::WrapKey(root_key_, kSessionPurpose, crypto::SecretBytes(out.session_token), *random_,
                      out.access_key_id + "/token"));
  const SystemTime now = clock_->Now();
  storage::IamSessionRow row{out.access_key_id, role.account,         role.name,
                             session_name,      wrapped_secret,       wrapped_token,
                             EpochSeconds(now), EpochSeconds(expires)};
  SEALSTACK_RETURN_IF_ERROR(db_.WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(
        IamRepo::DeleteExpiredSessions(conn, EpochSeconds(now - kExpiredSessionsKept)).status());
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
        auto policies,
        IamRepo::ListPolicies(conn, key.account, storage::IamPolicyOwner::kUser, user.name));
    SEALSTACK_ASSIGN_OR_RETURN(
        crypto::SecretBytes secret,
        crypto::UnwrapKey(root_key_, kAccessKeyPurpose, key.wrapped_secret, key.access_key_id));
    auto p = std::make_shared<auth::Principal>();
    p->access_key_id = key.access_key_id;
    p->secret_access_key = std::move(secret);
    p->account = key.account;
    p->arn = EntityArn(key.account, "user", user.path, user.name);
    p->type = auth::PrincipalType::kUser;
    p->name = user.name;
    p->policies = PolicyDocs(policies);
    p->unique_id = user.id;
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
    // A deleted role leaves its sessions without permissions (and without the role's id).
    std::vector<std::pair<std::string, std::string>> policies;
    std::string role_id = "AROA";
    Result<storage::IamRoleRow> role = IamRepo::GetRole(conn, s.account, s.role_name);
    if (role.ok()) {
      role_id = role->id;
      SEALSTACK_ASSIGN_OR_RETURN(
          policies,
          IamRepo::ListPolicies(conn, s.account, storage::IamPolicyOwner::kRole, role->name));
    }
    SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                               crypto::UnwrapKey(root_key_, kSessionPurpose, s.wrapped_secret,
                                                 s.access_key_id + "/secret"));
    SEALSTACK_ASSIGN_OR_RETURN(
        crypto::SecretBytes token,
        crypto::UnwrapKey(root_key_, kSessionPurpose, s.wrapped_token, s.access_key_id + "/token"));
    auto p = std::make_shared<auth::Principal>();
    p->access_key_id = s.access_key_id;
    p->secret_access_key = std::move(secret);
    p->session_token = std::string(token.view());
    p->expires = FromEpoch(s.expires);
    p->account = s.account;
    p->arn = "arn:aws:sts::" + s.account + ":assumed-role/" + s.role_name + "/" + s.session_name;
    p->type = auth::PrincipalType::kAssumedRole;
    p->name = s.role_name;
    p->policies = PolicyDocs(policies);
    p->unique_id = role_id + ":" + s.session_name;
    out = std::move(p);
    return Status::Ok();
  });
  return st.ok() ? out : nullptr;
}

Status Service::Reset() {
  return db_.WithTransaction([](storage::Connection& conn) { return IamRepo::DeleteAll(conn); });
}

Status Service::ResetAccount(const std::string& account) {
  return db_.WithTransaction(
      [&](storage::Connection& conn) { return IamRepo::DeleteAccount(conn, account); });
}

}  // namespace sealstack::api::iam
