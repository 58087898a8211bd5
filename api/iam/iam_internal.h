// Shared internals of api/iam's operation files (not part of the public surface): AWS's
// validation of members (iam_checks.cpp), rows as the service's types and their lookups
// (iam_entities.cpp), managed policies' documents (iam_managed_policies.cpp), session contexts
// (iam_sessions.cpp), and the frames every listing uses.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "api/iam/iam_config_entities.h"
#include "api/iam/iam_errors.h"
#include "api/iam/iam_service.h"
#include "common/result.h"
#include "common/strings.h"
#include "crypto/random.h"
#include "policy/document.h"
#include "storage/db.h"
#include "storage/iam_repo.h"

namespace sealstack::api::iam {

using storage::IamRepo;

inline constexpr char kIdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
inline constexpr char kSecretAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// ---------------------------------------------------------------- ids, times (iam_entities.cpp)

// `n` characters of `alphabet`, chosen by `random`.
Result<std::string> RandomString(crypto::RandomSource& random, size_t n, std::string_view alphabet);
int64_t EpochSeconds(SystemTime t);
SystemTime FromEpoch(int64_t s);

// ---------------------------------------------------------------- validation (iam_checks.cpp)

// AWS's validation text for one member ("1 validation error detected: ...").
Status Invalid(std::string_view value, std::string_view member, std::string_view constraint);
// AWS's length constraint of one member.
Status CheckLength(std::string_view value, std::string_view member, size_t min, size_t max);
// AWS's range constraint of one number member.
Status CheckRange(int64_t value, std::string_view member, int64_t min, int64_t max);
// An IAM name ([\w+=,.@-]+) of 1..max characters.
Status CheckName(std::string_view value, std::string_view member, size_t max);
Status CheckPath(std::string_view path, std::string_view member);
// At most 50 tags, keys of 1..128 and values of at most 256 characters.
Status CheckTags(const std::vector<Tag>& tags);
// The members every Create checks: the new entity's name (1..max characters), path and tags.
Status CheckNewEntity(std::string_view name, std::string_view member, size_t max,
                      std::string_view path, const std::vector<Tag>& tags);
// MaxItems (default 100), in 1..1000.
Result<int64_t> MaxItems(const ListInput& in);
// A policy document of `kind`: MalformedPolicyDocument when it does not parse.
Status ValidatePolicy(const std::string& doc, policy::PolicyKind kind);
// The size IAM counts against its quotas: the document without white space.
size_t PolicySize(std::string_view doc);
// A managed policy's ARN (InvalidInput when it is not one).
Status CheckPolicyArn(const std::string& arn, std::string_view member);

// ---------------------------------------------------------------- stored JSON

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void WriteJsonString(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// The JSON array of `items`, each written by write(writer, item).
template <typename T, typename Write>
std::string JsonArray(const std::vector<T>& items, const Write& write) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const T& item : items) write(w, item);
  w.EndArray();
  return buf.GetString();
}

// ---------------------------------------------------------------- rows (iam_entities.cpp)

std::string TagsJson(const std::vector<Tag>& tags);
std::vector<Tag> TagsOf(const std::string& json);
// aws:RequestTag/KEY and aws:TagKeys of a request that sets tags.
std::vector<std::pair<std::string, std::string>> RequestTagKeys(const std::vector<Tag>& tags);
// Current tags with `updates` applied (same key, case-insensitively: replaced); LimitExceeded
// "Cannot exceed quota for TagsPer<QUOTA>: 50" when they are then too many.
Result<std::vector<Tag>> MergeTags(std::vector<Tag> current, const std::vector<Tag>& updates,
                                   std::string_view quota);
// Tags without those whose key is one of `keys` (case-insensitively).
std::vector<Tag> WithoutTags(std::vector<Tag> tags, const std::vector<std::string>& keys);

// arn:aws:iam::ACCOUNT:TYPE PATH NAME.
std::string EntityArn(const std::string& account, std::string_view type, const std::string& path,
                      const std::string& name);
User UserOfRow(const storage::IamUserRow& r);
Role RoleOfRow(const storage::IamRoleRow& r);
Group GroupOfRow(const storage::IamGroupRow& r);
Status NoSuchUser(const std::string& name);
Status NoSuchRole(const std::string& name);
Status NoSuchGroup(const std::string& name);

// A create's insert: AlreadyExists from the repository becomes EntityAlreadyExists `message`;
// other outcomes pass through.
Status OrAlreadyExists(const Status& st, const std::string& message);

// NotFound from the repository becomes `missing`; other failures pass through.
template <typename T>
Result<T> OrMissing(Result<T> r, const Status& missing) {
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) return missing;
  return r;
}

// A stored user, role or group by name (case-insensitively); NoSuchEntity when absent.
Result<storage::IamUserRow> FindUserRow(storage::Connection& conn, const std::string& account,
                                        const std::string& name);
Result<storage::IamRoleRow> FindRoleRow(storage::Connection& conn, const std::string& account,
                                        const std::string& name);
Result<storage::IamGroupRow> FindGroupRow(storage::Connection& conn, const std::string& account,
                                          const std::string& name);

// "user" | "role" | "group".
const char* OwnerWord(PolicyOwner kind);
// The member name AWS's validation messages use for the owner ("userName", ...).
std::string OwnerMember(PolicyOwner kind);
// "User", "Role", "Group" (operation names: PutUserPolicy, AttachGroupPolicy, ...).
std::string OwnerOp(PolicyOwner kind);
// The ARN an operation on an owner's policies, boundary or tags is authorized on.
std::string OwnerArn(const std::string& account, PolicyOwner kind, const std::string& owner);
// The stored name of the user, role or group `owner` (NoSuchEntity when absent).
Result<std::string> OwnerName(storage::Connection& conn, const std::string& account,
                              PolicyOwner kind, const std::string& owner);

// DeleteConflict "Cannot delete entity, must WHAT first." while `still` lists anything.
template <typename List>
Status RefuseWhile(const Result<List>& still, std::string_view what) {
  SEALSTACK_RETURN_IF_ERROR(still.status());
  if (still->empty()) return Status::Ok();
  return IamError(ErrorKind::kDeleteConflict,
                  "Cannot delete entity, must " + std::string(what) + " first.");
}

// The inline and attached policies an entity must lose before it is deleted.
Status RefuseWhilePolicies(storage::Connection& conn, const std::string& account, PolicyOwner kind,
                           const std::string& name);

// ---------------------------------------------------------------- managed policies

// (iam_managed_policies.cpp) NoSuchEntity "Policy ARN does not exist or is not attachable.".
Status NoSuchPolicy(const std::string& arn);
// The policy row of `arn` (a customer policy or a built-in AWS managed one).
Result<storage::IamManagedPolicyRow> FindManaged(storage::Connection& conn, const std::string& arn);
// The documents of the managed policies attached to one entity (defaults only; gone: skipped).
Result<std::vector<std::string>> AttachedDocuments(storage::Connection& conn,
                                                   const std::string& account,
                                                   storage::IamPolicyOwner kind,
                                                   const std::string& owner);
// The boundary document of an entity whose boundary is `arn` (none: none). A boundary policy
// that is gone allows nothing (an empty document), as a deleted policy cannot be read.
std::optional<std::string> BoundaryDocument(storage::Connection& conn,
                                            const std::optional<std::string>& arn);
// A boundary must be a policy of `account` or an AWS managed one (NoSuchEntity otherwise).
Status CheckBoundaryPolicy(storage::Connection& conn, const std::string& account,
                           const std::string& arn);

// (iam_sessions.cpp) iam_sessions.context as it was stored.
SessionContext SessionContextOf(const std::string& json);

// ---------------------------------------------------------------- frames

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

template <typename T, typename Row, typename Of>
Result<Page<T>> Service::ListByPath(const Caller& c, const ListInput& in,
                                    std::string_view operation, std::string_view type,
                                    ListRows<Row> list, const Of& of, std::vector<T> configured) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckPath(in.path_prefix, "pathPrefix"));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, operation, "arn:aws:iam::" + account + ":" + std::string(type) + "/"));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::vector<T> items, ReadFrom(db_, [&](storage::Connection& conn) {
        auto rows = list(conn, account, in.path_prefix, in.marker, static_cast<size_t>(max) + 1);
        if constexpr (std::is_invocable_v<const Of&, storage::Connection&, const Row&>) {
          return AllOf(std::move(rows), [&](const Row& r) { return of(conn, r); });
        } else {
          return AllOf(std::move(rows), of);
        }
      }));
  return PageOf(MergeByName(std::move(items), std::move(configured)), in, max);
}

template <typename T, typename Read>
Result<Page<T>> Service::ListOfOwner(const Caller& c, PolicyOwner kind, const std::string& owner,
                                     size_t name_max, const ListInput& in,
                                     std::string_view operation, const Read& read) {
  const std::string& account = c.principal->account;
  SEALSTACK_RETURN_IF_ERROR(CheckName(owner, OwnerMember(kind), name_max));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t max, MaxItems(in));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, operation, OwnerArn(account, kind, owner)));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::vector<T> items, ReadFrom(db_, [&](storage::Connection& conn) -> Result<std::vector<T>> {
        if (configured_->FindOwner(account, kind, owner)) return std::vector<T>{};  // none
        SEALSTACK_ASSIGN_OR_RETURN(std::string stored, OwnerName(conn, account, kind, owner));
        return read(conn, stored);
      }));
  return PageOf(std::move(items), in, max);
}

}  // namespace sealstack::api::iam
