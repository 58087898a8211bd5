#include "storage/iam_repo.h"

#include "common/strings.h"

namespace sealstack::storage {

namespace {

constexpr std::string_view kIamUserColumns = "account, name, path, id, created, tags, boundary";
constexpr std::string_view kIamRoleColumns =
    "account, name, path, id, created, trust_policy, description, max_session, tags, boundary";
constexpr std::string_view kIamGroupColumns = "account, name, path, id, created";
constexpr std::string_view kIamManagedColumns =
    "account, name, path, id, arn, description, default_version, next_version, versions, "
    "created, updated";
constexpr std::string_view kIamKeyColumns =
    "access_key_id, account, user_name, status, created, wrapped_secret";

std::optional<std::string> OptionalString(const Row& r, int i) {
  if (r.ColumnIsNull(i)) return std::nullopt;
  return r.ColumnString(i);
}

IamUserRow ReadIamUser(const Row& r) {
  return IamUserRow{r.ColumnString(0), r.ColumnString(1), r.ColumnString(2),   r.ColumnString(3),
                    r.ColumnInt64(4),  r.ColumnString(5), OptionalString(r, 6)};
}

IamGroupRow ReadIamGroup(const Row& r) {
  return IamGroupRow{r.ColumnString(0), r.ColumnString(1), r.ColumnString(2), r.ColumnString(3),
                     r.ColumnInt64(4)};
}

IamManagedPolicyRow ReadIamManaged(const Row& r) {
  IamManagedPolicyRow row;
  row.account = r.ColumnString(0);
  row.name = r.ColumnString(1);
  row.path = r.ColumnString(2);
  row.id = r.ColumnString(3);
  row.arn = r.ColumnString(4);
  row.description = OptionalString(r, 5);
  row.default_version = r.ColumnString(6);
  row.next_version = r.ColumnInt64(7);
  row.versions = r.ColumnString(8);
  row.created = r.ColumnInt64(9);
  row.updated = r.ColumnInt64(10);
  return row;
}

IamRoleRow ReadIamRole(const Row& r) {
  IamRoleRow row;
  row.account = r.ColumnString(0);
  row.name = r.ColumnString(1);
  row.path = r.ColumnString(2);
  row.id = r.ColumnString(3);
  row.created = r.ColumnInt64(4);
  row.trust_policy = r.ColumnString(5);
  if (!r.ColumnIsNull(6)) row.description = r.ColumnString(6);
  row.max_session = r.ColumnInt64(7);
  row.tags = r.ColumnString(8);
  row.boundary = OptionalString(r, 9);
  return row;
}

IamAccessKeyRow ReadIamKey(const Row& r) {
  return IamAccessKeyRow{r.ColumnString(0), r.ColumnString(1), r.ColumnString(2),
                         r.ColumnString(3), r.ColumnInt64(4),  std::string(r.ColumnBlob(5))};
}

IamSessionRow ReadIamSession(const Row& r) {
  return IamSessionRow{r.ColumnString(0),
                       r.ColumnString(1),
                       r.ColumnString(2),
                       r.ColumnString(3),
                       std::string(r.ColumnBlob(4)),
                       std::string(r.ColumnBlob(5)),
                       r.ColumnInt64(6),
                       r.ColumnInt64(7),
                       r.ColumnString(8)};
}

std::string IamSql(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string s(a);
  s.append(b);
  s.append(c);
  return s;
}

// read(row) of the one row `sql` returns (kNotFound when there is none).
template <typename T>
Result<T> QueryRow(Connection& c, std::string_view sql, const Params& params,
                   T (*read)(const Row&)) {
  T out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne(sql, params, [&](const Row& r) {
    out = read(r);
    return Status::Ok();
  }));
  return out;
}

std::string FirstColumn(const Row& r) {
  return r.ColumnString(0);
}

// Whether `sql` (an UPDATE or DELETE) changed any row.
Result<bool> Changed(Connection& c, std::string_view sql, const Params& params) {
  SEALSTACK_ASSIGN_OR_RETURN(int64_t n, c.Execute(sql, params));
  return n > 0;
}

// Changed, with NotFound(`what`) when no row was.
Status ChangedOrNotFound(Connection& c, std::string_view sql, const Params& params,
                         const std::string& what) {
  SEALSTACK_ASSIGN_OR_RETURN(bool changed, Changed(c, sql, params));
  return changed ? Status::Ok() : Status::NotFound(what);
}

// The table of a user or (any other kind) a role: where boundaries and tags are kept.
std::string_view EntityTable(IamPolicyOwner kind) {
  return kind == IamPolicyOwner::kUser ? "iam_users" : "iam_roles";
}

// One row of `table` by (account, lower-cased name); `columns` in the order `read` reads them.
template <typename T>
Result<T> GetByName(Connection& c, std::string_view table, std::string_view columns,
                    T (*read)(const Row&), const std::string& account, const std::string& name) {
  const std::string lname = ToLower(name);
  const std::string where = IamSql(" FROM ", table, " WHERE account = :a AND lname = :l");
  return QueryRow(c, IamSql("SELECT ", columns, where), {{":a", account}, {":l", lname}}, read);
}

// The rows of `table` whose path starts with path_prefix and whose lower-cased name is > after,
// ordered by it, at most `limit`.
template <typename T>
Result<std::vector<T>> ListByPath(Connection& c, std::string_view table, std::string_view columns,
                                  T (*read)(const Row&), const std::string& account,
                                  const std::string& path_prefix, const std::string& after,
                                  size_t limit) {
  std::vector<T> out;
  const std::string where =
      IamSql(" FROM ", table,
             " WHERE account = :a AND lname > :after AND substr(path, 1, length(:pp)) = :pp "
             "ORDER BY lname LIMIT :lim");
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(IamSql("SELECT ", columns, where),
                                          {{":a", account},
                                           {":after", after},
                                           {":pp", path_prefix},
                                           {":lim", static_cast<int64_t>(limit)}},
                                          &out, read));
  return out;
}

Result<bool> DeleteByName(Connection& c, std::string_view table, const std::string& account,
                          const std::string& name) {
  const std::string lname = ToLower(name);
  return Changed(c, IamSql("DELETE FROM ", table, " WHERE account = :a AND lname = :l"),
                 {{":a", account}, {":l", lname}});
}

}  // namespace

const char* IamPolicyOwnerName(IamPolicyOwner kind) {
  static constexpr const char* kNames[] = {"user", "role", "group"};  // in IamPolicyOwner's order
  return kNames[static_cast<size_t>(kind)];
}

Status IamRepo::InsertUser(Connection& c, const IamUserRow& u) {
  const std::string lname = ToLower(u.name);
  return c.Run(
      "INSERT INTO iam_users (account, lname, name, path, id, created, tags, boundary) "
      "VALUES (:a, :l, :n, :p, :i, :c, :t, :b)",
      {{":b", u.boundary},
       {":a", u.account},
       {":l", lname},
       {":n", u.name},
       {":p", u.path},
       {":i", u.id},
       {":c", u.created},
       {":t", u.tags}});
}

Result<IamUserRow> IamRepo::GetUser(Connection& c, const std::string& account,
                                    const std::string& name) {
  return GetByName(c, "iam_users", kIamUserColumns, ReadIamUser, account, name);
}

Result<std::vector<IamUserRow>> IamRepo::ListUsers(Connection& c, const std::string& account,
                                                   const std::string& path_prefix,
                                                   const std::string& after, size_t limit) {
  return ListByPath(c, "iam_users", kIamUserColumns, ReadIamUser, account, path_prefix, after,
                    limit);
}

Result<bool> IamRepo::DeleteUser(Connection& c, const std::string& account,
                                 const std::string& name) {
  return DeleteByName(c, "iam_users", account, name);
}

Status IamRepo::InsertRole(Connection& c, const IamRoleRow& r) {
  const std::string lname = ToLower(r.name);
  return c.Run(
      "INSERT INTO iam_roles (account, lname, name, path, id, created, trust_policy, description, "
      "max_session, tags, boundary) VALUES (:a, :l, :n, :p, :i, :c, :tp, :d, :m, :t, :b)",
      {{":b", r.boundary},
       {":a", r.account},
       {":l", lname},
       {":n", r.name},
       {":p", r.path},
       {":i", r.id},
       {":c", r.created},
       {":tp", r.trust_policy},
       {":d", r.description},
       {":m", r.max_session},
       {":t", r.tags}});
}

Result<IamRoleRow> IamRepo::GetRole(Connection& c, const std::string& account,
                                    const std::string& name) {
  return GetByName(c, "iam_roles", kIamRoleColumns, ReadIamRole, account, name);
}

Result<std::vector<IamRoleRow>> IamRepo::ListRoles(Connection& c, const std::string& account,
                                                   const std::string& path_prefix,
                                                   const std::string& after, size_t limit) {
  return ListByPath(c, "iam_roles", kIamRoleColumns, ReadIamRole, account, path_prefix, after,
                    limit);
}

Result<bool> IamRepo::DeleteRole(Connection& c, const std::string& account,
                                 const std::string& name) {
  return DeleteByName(c, "iam_roles", account, name);
}

Status IamRepo::UpdateTrustPolicy(Connection& c, const std::string& account,
                                  const std::string& name, const std::string& doc) {
  const std::string lname = ToLower(name);
  return ChangedOrNotFound(
      c, "UPDATE iam_roles SET trust_policy = :d WHERE account = :a AND lname = :l",
      {{":a", account}, {":l", lname}, {":d", doc}}, "role " + name);
}

Status IamRepo::PutPolicy(Connection& c, const std::string& account, IamPolicyOwner kind,
                          const std::string& owner, const std::string& name,
                          const std::string& doc) {
  return c.Run(
      "INSERT OR REPLACE INTO iam_inline_policies (account, kind, owner, name, doc) "
      "VALUES (:a, :k, :o, :n, :d)",
      {{":a", account},
       {":k", IamPolicyOwnerName(kind)},
       {":o", owner},
       {":n", name},
       {":d", doc}});
}

Result<std::string> IamRepo::GetPolicy(Connection& c, const std::string& account,
                                       IamPolicyOwner kind, const std::string& owner,
                                       const std::string& name) {
  return QueryRow(
      c,
      "SELECT doc FROM iam_inline_policies WHERE account = :a AND kind = :k AND owner = :o AND "
      "name = :n",
      {{":a", account}, {":k", IamPolicyOwnerName(kind)}, {":o", owner}, {":n", name}},
      FirstColumn);
}

Result<bool> IamRepo::DeletePolicy(Connection& c, const std::string& account, IamPolicyOwner kind,
                                   const std::string& owner, const std::string& name) {
  return Changed(c,
                 "DELETE FROM iam_inline_policies WHERE account = :a AND kind = :k AND "
                 "owner = :o AND name = :n",
                 {{":a", account}, {":k", IamPolicyOwnerName(kind)}, {":o", owner}, {":n", name}});
}

Result<std::vector<std::pair<std::string, std::string>>> IamRepo::ListPolicies(
    Connection& c, const std::string& account, IamPolicyOwner kind, const std::string& owner) {
  std::vector<std::pair<std::string, std::string>> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT name, doc FROM iam_inline_policies WHERE account = :a AND kind = :k AND owner = :o "
      "ORDER BY name",
      {{":a", account}, {":k", IamPolicyOwnerName(kind)}, {":o", owner}}, &out,
      [](const Row& r) { return std::make_pair(r.ColumnString(0), r.ColumnString(1)); }));
  return out;
}

Status IamRepo::InsertAccessKey(Connection& c, const IamAccessKeyRow& k) {
  return c.Run(
      "INSERT INTO iam_access_keys (access_key_id, account, user_name, status, created, "
      "wrapped_secret) VALUES (:k, :a, :u, :s, :c, :w)",
      {{":k", k.access_key_id},
       {":a", k.account},
       {":u", k.user_name},
       {":s", k.status},
       {":c", k.created},
       {":w", Value::Blob(k.wrapped_secret)}});
}

Result<IamAccessKeyRow> IamRepo::GetAccessKey(Connection& c, const std::string& access_key_id) {
  return QueryRow(
      c, IamSql("SELECT ", kIamKeyColumns, " FROM iam_access_keys WHERE access_key_id = :k"),
      {{":k", access_key_id}}, ReadIamKey);
}

Result<std::vector<IamAccessKeyRow>> IamRepo::ListAccessKeys(Connection& c,
                                                             const std::string& account,
                                                             const std::string& user_name) {
  std::vector<IamAccessKeyRow> out;
  SEALSTACK_RETURN_IF_ERROR(
      c.QueryAppend(IamSql("SELECT ", kIamKeyColumns,
                           " FROM iam_access_keys WHERE account = :a AND user_name = :u "
                           "ORDER BY created, access_key_id"),
                    {{":a", account}, {":u", user_name}}, &out, ReadIamKey));
  return out;
}

Result<bool> IamRepo::UpdateAccessKeyStatus(Connection& c, const std::string& account,
                                            const std::string& user_name,
                                            const std::string& access_key_id,
                                            const std::string& status) {
  return Changed(c,
                 "UPDATE iam_access_keys SET status = :s WHERE access_key_id = :k AND "
                 "account = :a AND user_name = :u",
                 {{":s", status}, {":k", access_key_id}, {":a", account}, {":u", user_name}});
}

Result<bool> IamRepo::DeleteAccessKey(Connection& c, const std::string& account,
                                      const std::string& user_name,
                                      const std::string& access_key_id) {
  return Changed(c,
                 "DELETE FROM iam_access_keys WHERE access_key_id = :k AND "
                 "account = :a AND user_name = :u",
                 {{":k", access_key_id}, {":a", account}, {":u", user_name}});
}

Status IamRepo::InsertSession(Connection& c, const IamSessionRow& s) {
  return c.Run(
      "INSERT INTO iam_sessions (access_key_id, account, role_name, session_name, wrapped_secret, "
      "wrapped_token, issued, expires, context) VALUES (:k, :a, :r, :s, :ws, :wt, :i, :e, :x)",
      {{":x", s.context},
       {":k", s.access_key_id},
       {":a", s.account},
       {":r", s.role_name},
       {":s", s.session_name},
       {":ws", Value::Blob(s.wrapped_secret)},
       {":wt", Value::Blob(s.wrapped_token)},
       {":i", s.issued},
       {":e", s.expires}});
}

Result<IamSessionRow> IamRepo::GetSession(Connection& c, const std::string& access_key_id) {
  return QueryRow(
      c,
      "SELECT access_key_id, account, role_name, session_name, wrapped_secret, wrapped_token, "
      "issued, expires, context FROM iam_sessions WHERE access_key_id = :k",
      {{":k", access_key_id}}, ReadIamSession);
}

Result<int64_t> IamRepo::DeleteExpiredSessions(Connection& c, int64_t now) {
  return c.Execute("DELETE FROM iam_sessions WHERE expires < :n", {{":n", now}});
}

Status IamRepo::InsertGroup(Connection& c, const IamGroupRow& g) {
  return c.Run(
      "INSERT INTO iam_groups (account, lname, name, path, id, created) "
      "VALUES (:a, :l, :n, :p, :i, :c)",
      {{":a", g.account},
       {":l", ToLower(g.name)},
       {":n", g.name},
       {":p", g.path},
       {":i", g.id},
       {":c", g.created}});
}

Result<IamGroupRow> IamRepo::GetGroup(Connection& c, const std::string& account,
                                      const std::string& name) {
  return GetByName(c, "iam_groups", kIamGroupColumns, ReadIamGroup, account, name);
}

Result<std::vector<IamGroupRow>> IamRepo::ListGroups(Connection& c, const std::string& account,
                                                     const std::string& path_prefix,
                                                     const std::string& after, size_t limit) {
  return ListByPath(c, "iam_groups", kIamGroupColumns, ReadIamGroup, account, path_prefix, after,
                    limit);
}

Result<bool> IamRepo::DeleteGroup(Connection& c, const std::string& account,
                                  const std::string& name) {
  return DeleteByName(c, "iam_groups", account, name);
}

Status IamRepo::AddMember(Connection& c, const std::string& account, const std::string& group,
                          const std::string& user) {
  return c.Run(
      "INSERT OR IGNORE INTO iam_group_members (account, group_name, user_name) "
      "VALUES (:a, :g, :u)",
      {{":a", account}, {":g", group}, {":u", user}});
}

Result<bool> IamRepo::RemoveMember(Connection& c, const std::string& account,
                                   const std::string& group, const std::string& user) {
  return Changed(c,
                 "DELETE FROM iam_group_members WHERE account = :a AND group_name = :g "
                 "AND user_name = :u",
                 {{":a", account}, {":g", group}, {":u", user}});
}

Result<std::vector<std::string>> IamRepo::ListMembers(Connection& c, const std::string& account,
                                                      const std::string& group) {
  std::vector<std::string> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT user_name FROM iam_group_members WHERE account = :a AND group_name = :g "
      "ORDER BY lower(user_name)",
      {{":a", account}, {":g", group}}, &out, [](const Row& r) { return r.ColumnString(0); }));
  return out;
}

Result<std::vector<std::string>> IamRepo::ListGroupsOfUser(Connection& c,
                                                           const std::string& account,
                                                           const std::string& user) {
  std::vector<std::string> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT group_name FROM iam_group_members WHERE account = :a AND user_name = :u "
      "ORDER BY lower(group_name)",
      {{":a", account}, {":u", user}}, &out, [](const Row& r) { return r.ColumnString(0); }));
  return out;
}

Status IamRepo::InsertManagedPolicy(Connection& c, const IamManagedPolicyRow& p) {
  return c.Run(
      "INSERT INTO iam_managed_policies (account, lname, name, path, id, arn, description, "
      "default_version, next_version, versions, created, updated) "
      "VALUES (:a, :l, :n, :p, :i, :arn, :d, :dv, :nv, :v, :c, :u)",
      {{":a", p.account},
       {":l", ToLower(p.name)},
       {":n", p.name},
       {":p", p.path},
       {":i", p.id},
       {":arn", p.arn},
       {":d", p.description},
       {":dv", p.default_version},
       {":nv", p.next_version},
       {":v", p.versions},
       {":c", p.created},
       {":u", p.updated}});
}

Result<IamManagedPolicyRow> IamRepo::GetManagedPolicy(Connection& c, const std::string& arn) {
  return QueryRow(
      c, IamSql("SELECT ", kIamManagedColumns, " FROM iam_managed_policies WHERE arn = :arn"),
      {{":arn", arn}}, ReadIamManaged);
}

Result<std::vector<IamManagedPolicyRow>> IamRepo::ListManagedPolicies(
    Connection& c, const std::string& account, const std::string& path_prefix,
    const std::string& after, size_t limit) {
  return ListByPath(c, "iam_managed_policies", kIamManagedColumns, ReadIamManaged, account,
                    path_prefix, after, limit);
}

Status IamRepo::UpdateManagedPolicy(Connection& c, const IamManagedPolicyRow& p) {
  return ChangedOrNotFound(c,
                           "UPDATE iam_managed_policies SET versions = :v, default_version = :dv, "
                           "next_version = :nv, updated = :u WHERE arn = :arn",
                           {{":v", p.versions},
                            {":dv", p.default_version},
                            {":nv", p.next_version},
                            {":u", p.updated},
                            {":arn", p.arn}},
                           "policy " + p.arn);
}

Result<bool> IamRepo::DeleteManagedPolicy(Connection& c, const std::string& arn) {
  return Changed(c, "DELETE FROM iam_managed_policies WHERE arn = :arn", {{":arn", arn}});
}

Status IamRepo::Attach(Connection& c, const std::string& account, IamPolicyOwner kind,
                       const std::string& owner, const std::string& policy_arn) {
  return c.Run(
      "INSERT OR IGNORE INTO iam_attachments (account, kind, owner, policy_arn) "
      "VALUES (:a, :k, :o, :p)",
      {{":a", account}, {":k", IamPolicyOwnerName(kind)}, {":o", owner}, {":p", policy_arn}});
}

Result<bool> IamRepo::Detach(Connection& c, const std::string& account, IamPolicyOwner kind,
                             const std::string& owner, const std::string& policy_arn) {
  return Changed(
      c,
      "DELETE FROM iam_attachments WHERE account = :a AND kind = :k AND owner = :o AND "
      "policy_arn = :p",
      {{":a", account}, {":k", IamPolicyOwnerName(kind)}, {":o", owner}, {":p", policy_arn}});
}

Result<std::vector<std::string>> IamRepo::ListAttached(Connection& c, const std::string& account,
                                                       IamPolicyOwner kind,
                                                       const std::string& owner) {
  std::vector<std::string> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT policy_arn FROM iam_attachments WHERE account = :a AND kind = :k AND owner = :o "
      "ORDER BY policy_arn",
      {{":a", account}, {":k", IamPolicyOwnerName(kind)}, {":o", owner}}, &out,
      [](const Row& r) { return r.ColumnString(0); }));
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> IamRepo::ListAttachments(
    Connection& c, const std::string& policy_arn) {
  std::vector<std::pair<std::string, std::string>> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT kind, owner FROM iam_attachments WHERE policy_arn = :p ORDER BY kind, lower(owner)",
      {{":p", policy_arn}}, &out,
      [](const Row& r) { return std::make_pair(r.ColumnString(0), r.ColumnString(1)); }));
  return out;
}

Result<int64_t> IamRepo::CountBoundaryUses(Connection& c, const std::string& policy_arn) {
  return c.QueryInt64(
      "SELECT (SELECT count(*) FROM iam_users WHERE boundary = :p) + "
      "(SELECT count(*) FROM iam_roles WHERE boundary = :p)",
      {{":p", policy_arn}});
}

Result<bool> IamRepo::SetBoundary(Connection& c, const std::string& account, IamPolicyOwner kind,
                                  const std::string& name,
                                  const std::optional<std::string>& policy_arn) {
  const std::string sql =
      IamSql("UPDATE ", EntityTable(kind), " SET boundary = :b WHERE account = :a AND lname = :l");
  return Changed(c, sql, {{":b", policy_arn}, {":a", account}, {":l", ToLower(name)}});
}

Status IamRepo::SetTags(Connection& c, const std::string& account, IamPolicyOwner kind,
                        const std::string& name, const std::string& tags) {
  const std::string sql =
      IamSql("UPDATE ", EntityTable(kind), " SET tags = :t WHERE account = :a AND lname = :l");
  return ChangedOrNotFound(c, sql, {{":t", tags}, {":a", account}, {":l", ToLower(name)}},
                           "entity " + name);
}

// ---------------------------------------------------------------- OIDC providers

namespace {

constexpr std::string_view kIamOidcColumns = "account, url, client_ids, thumbprints, tags, created";
constexpr std::string_view kIamProfileColumns = "account, name, path, id, created, tags, role";

IamOidcProviderRow ReadIamOidc(const Row& r) {
  return IamOidcProviderRow{r.ColumnString(0), r.ColumnString(1), r.ColumnString(2),
                            r.ColumnString(3), r.ColumnString(4), r.ColumnInt64(5)};
}

IamInstanceProfileRow ReadIamProfile(const Row& r) {
  return IamInstanceProfileRow{r.ColumnString(0),   r.ColumnString(1), r.ColumnString(2),
                               r.ColumnString(3),   r.ColumnInt64(4),  r.ColumnString(5),
                               OptionalString(r, 6)};
}

}  // namespace

Status IamRepo::InsertOidcProvider(Connection& c, const IamOidcProviderRow& p) {
  return c.Run(
      "INSERT INTO iam_oidc_providers (account, url, client_ids, thumbprints, tags, created) "
      "VALUES (:a, :u, :ci, :th, :t, :c)",
      {{":a", p.account},
       {":u", p.url},
       {":ci", p.client_ids},
       {":th", p.thumbprints},
       {":t", p.tags},
       {":c", p.created}});
}

Result<IamOidcProviderRow> IamRepo::GetOidcProvider(Connection& c, const std::string& account,
                                                    const std::string& url) {
  return QueryRow(c,
                  IamSql("SELECT ", kIamOidcColumns,
                         " FROM iam_oidc_providers WHERE account = :a AND url = :u"),
                  {{":a", account}, {":u", url}}, ReadIamOidc);
}

Result<std::vector<IamOidcProviderRow>> IamRepo::ListOidcProviders(Connection& c,
                                                                   const std::string& account) {
  std::vector<IamOidcProviderRow> out;
  SEALSTACK_RETURN_IF_ERROR(
      c.QueryAppend(IamSql("SELECT ", kIamOidcColumns,
                           " FROM iam_oidc_providers WHERE account = :a ORDER BY url"),
                    {{":a", account}}, &out, ReadIamOidc));
  return out;
}

Status IamRepo::UpdateOidcProvider(Connection& c, const IamOidcProviderRow& p) {
  return ChangedOrNotFound(c,
                           "UPDATE iam_oidc_providers SET client_ids = :ci, thumbprints = :th, "
                           "tags = :t WHERE account = :a AND url = :u",
                           {{":ci", p.client_ids},
                            {":th", p.thumbprints},
                            {":t", p.tags},
                            {":a", p.account},
                            {":u", p.url}},
                           "oidc provider " + p.url);
}

Result<bool> IamRepo::DeleteOidcProvider(Connection& c, const std::string& account,
                                         const std::string& url) {
  return Changed(c, "DELETE FROM iam_oidc_providers WHERE account = :a AND url = :u",
                 {{":a", account}, {":u", url}});
}

Status IamRepo::PutJwks(Connection& c, const std::string& url, const std::string& jwks,
                        int64_t now) {
  return c.Run(
      "INSERT INTO iam_oidc_jwks (url, jwks, updated) VALUES (:u, :j, :t) "
      "ON CONFLICT (url) DO UPDATE SET jwks = excluded.jwks, updated = excluded.updated",
      {{":u", url}, {":j", jwks}, {":t", now}});
}

Result<std::string> IamRepo::GetJwks(Connection& c, const std::string& url) {
  return QueryRow(c, "SELECT jwks FROM iam_oidc_jwks WHERE url = :u", {{":u", url}}, FirstColumn);
}

// ---------------------------------------------------------------- instance profiles

Status IamRepo::InsertInstanceProfile(Connection& c, const IamInstanceProfileRow& p) {
  const std::string lname = ToLower(p.name);
  return c.Run(
      "INSERT INTO iam_instance_profiles (account, lname, name, path, id, created, tags, role) "
      "VALUES (:a, :l, :n, :p, :i, :c, :t, :r)",
      {{":a", p.account},
       {":l", lname},
       {":n", p.name},
       {":p", p.path},
       {":i", p.id},
       {":c", p.created},
       {":t", p.tags},
       {":r", p.role}});
}

Result<IamInstanceProfileRow> IamRepo::GetInstanceProfile(Connection& c, const std::string& account,
                                                          const std::string& name) {
  return GetByName(c, "iam_instance_profiles", kIamProfileColumns, ReadIamProfile, account, name);
}

Result<std::vector<IamInstanceProfileRow>> IamRepo::ListInstanceProfiles(
    Connection& c, const std::string& account, const std::string& path_prefix,
    const std::string& after, size_t limit) {
  return ListByPath(c, "iam_instance_profiles", kIamProfileColumns, ReadIamProfile, account,
                    path_prefix, after, limit);
}

Result<std::vector<IamInstanceProfileRow>> IamRepo::ListInstanceProfilesOfRole(
    Connection& c, const std::string& account, const std::string& role) {
  std::vector<IamInstanceProfileRow> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      IamSql("SELECT ", kIamProfileColumns,
             " FROM iam_instance_profiles WHERE account = :a AND role = :r ORDER BY lname"),
      {{":a", account}, {":r", role}}, &out, ReadIamProfile));
  return out;
}

Status IamRepo::UpdateInstanceProfile(Connection& c, const IamInstanceProfileRow& p) {
  const std::string lname = ToLower(p.name);
  return ChangedOrNotFound(
      c,
      "UPDATE iam_instance_profiles SET role = :r, tags = :t WHERE account = :a AND "
      "lname = :l",
      {{":r", p.role}, {":t", p.tags}, {":a", p.account}, {":l", lname}},
      "instance profile " + p.name);
}

Result<bool> IamRepo::DeleteInstanceProfile(Connection& c, const std::string& account,
                                            const std::string& name) {
  return DeleteByName(c, "iam_instance_profiles", account, name);
}

// ---------------------------------------------------------------- last use, updates

Status IamRepo::SetKeyLastUsed(Connection& c, const std::string& access_key_id,
                               const IamKeyLastUsed& used) {
  return c.Run(
      "UPDATE iam_access_keys SET last_used = :w, last_service = :s, last_region = :r "
      "WHERE access_key_id = :k",
      {{":w", used.when}, {":s", used.service}, {":r", used.region}, {":k", access_key_id}});
}

Result<std::optional<IamKeyLastUsed>> IamRepo::GetKeyLastUsed(Connection& c,
                                                              const std::string& access_key_id) {
  std::optional<IamKeyLastUsed> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne(
      "SELECT last_used, last_service, last_region FROM iam_access_keys WHERE access_key_id = :k",
      {{":k", access_key_id}}, [&](const Row& r) {
        if (!r.ColumnIsNull(0)) {
          out = IamKeyLastUsed{r.ColumnInt64(0), r.ColumnIsNull(1) ? "" : r.ColumnString(1),
                               r.ColumnIsNull(2) ? "" : r.ColumnString(2)};
        }
        return Status::Ok();
      }));
  return out;
}

Status IamRepo::RenameUser(Connection& c, const std::string& account, const std::string& name,
                           const std::string& new_name, const std::string& new_path) {
  const std::string lname = ToLower(name);
  const std::string new_lname = ToLower(new_name);
  SEALSTACK_RETURN_IF_ERROR(c.Run(
      "UPDATE iam_users SET lname = :nl, name = :n, path = :p WHERE account = :a AND lname = :l",
      {{":nl", new_lname}, {":n", new_name}, {":p", new_path}, {":a", account}, {":l", lname}}));
  if (new_name == name) return Status::Ok();
  // What names the user by its stored name follows it.
  for (const char* sql :
       {"UPDATE iam_inline_policies SET owner = :n WHERE account = :a AND kind = 'user' AND "
        "owner = :o",
        "UPDATE iam_attachments SET owner = :n WHERE account = :a AND kind = 'user' AND "
        "owner = :o",
        "UPDATE iam_access_keys SET user_name = :n WHERE account = :a AND user_name = :o",
        "UPDATE iam_group_members SET user_name = :n WHERE account = :a AND user_name = :o"}) {
    SEALSTACK_RETURN_IF_ERROR(c.Run(sql, {{":n", new_name}, {":a", account}, {":o", name}}));
  }
  return Status::Ok();
}

Status IamRepo::UpdateRoleSettings(Connection& c, const std::string& account,
                                   const std::string& name,
                                   const std::optional<std::string>& description,
                                   int64_t max_session) {
  const std::string lname = ToLower(name);
  return ChangedOrNotFound(
      c,
      "UPDATE iam_roles SET description = :d, max_session = :m WHERE "
      "account = :a AND lname = :l",
      {{":d", description}, {":m", max_session}, {":a", account}, {":l", lname}}, "role " + name);
}

Status IamRepo::DeleteAll(Connection& c) {
  for (const char* sql :
       {"DELETE FROM iam_users", "DELETE FROM iam_roles", "DELETE FROM iam_inline_policies",
        "DELETE FROM iam_access_keys", "DELETE FROM iam_sessions", "DELETE FROM iam_groups",
        "DELETE FROM iam_group_members", "DELETE FROM iam_managed_policies",
        "DELETE FROM iam_attachments", "DELETE FROM iam_oidc_providers",
        "DELETE FROM iam_oidc_jwks", "DELETE FROM iam_instance_profiles"}) {
    SEALSTACK_RETURN_IF_ERROR(c.Run(sql));
  }
  return Status::Ok();
}

Status IamRepo::DeleteAccount(Connection& c, const std::string& account) {
  for (const char* sql :
       {"DELETE FROM iam_users WHERE account = :a", "DELETE FROM iam_roles WHERE account = :a",
        "DELETE FROM iam_inline_policies WHERE account = :a",
        "DELETE FROM iam_access_keys WHERE account = :a",
        "DELETE FROM iam_sessions WHERE account = :a", "DELETE FROM iam_groups WHERE account = :a",
        "DELETE FROM iam_group_members WHERE account = :a",
        "DELETE FROM iam_managed_policies WHERE account = :a",
        "DELETE FROM iam_attachments WHERE account = :a",
        "DELETE FROM iam_oidc_providers WHERE account = :a",
        "DELETE FROM iam_instance_profiles WHERE account = :a"}) {
    SEALSTACK_RETURN_IF_ERROR(c.Run(sql, {{":a", account}}));
  }
  return Status::Ok();
}

}  // namespace sealstack::storage
