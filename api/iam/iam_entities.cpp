// The rows of users, roles and groups as the service's types, their lookups and their
// owners' names; ids, times and tags as they are stored.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "api/iam/iam_internal.h"
#include "common/strings.h"

namespace sealstack::api::iam {

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

std::string TagsJson(const std::vector<Tag>& tags) {
  return JsonArray(tags, [](JsonWriter& w, const Tag& t) {
    w.StartObject();
    w.Key("Key");
    WriteJsonString(w, t.key);
    w.Key("Value");
    WriteJsonString(w, t.value);
    w.EndObject();
  });
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

Status OrAlreadyExists(const Status& st, const std::string& message) {
  if (st.code() == StatusCode::kAlreadyExists) {
    return IamError(ErrorKind::kEntityAlreadyExists, message);
  }
  return st;
}

Status NoSuchUser(const std::string& name) {
  return IamError(ErrorKind::kNoSuchEntity, "The user with name " + name + " cannot be found.");
}

Status NoSuchRole(const std::string& name) {
  return IamError(ErrorKind::kNoSuchEntity, "The role with name " + name + " cannot be found.");
}

Result<storage::IamUserRow> FindUserRow(storage::Connection& conn, const std::string& account,
                                        const std::string& name) {
  return OrMissing(IamRepo::GetUser(conn, account, name), NoSuchUser(name));
}

Result<storage::IamRoleRow> FindRoleRow(storage::Connection& conn, const std::string& account,
                                        const std::string& name) {
  return OrMissing(IamRepo::GetRole(conn, account, name), NoSuchRole(name));
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

namespace {

constexpr size_t kMaxTagsPerEntity = 50;

}  // namespace

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

}  // namespace sealstack::api::iam
