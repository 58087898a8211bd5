#include "storage/iam_repo.h"

#include "common/strings.h"

namespace sealstack::storage {

namespace {

constexpr std::string_view kIamUserColumns = "account, name, path, id, created, tags";
constexpr std::string_view kIamRoleColumns =
    "account, name, path, id, created, trust_policy, description, max_session, tags";
constexpr std::string_view kIamKeyColumns =
    "access_key_id, account, user_name, status, created, wrapped_secret";

IamUserRow ReadIamUser(const Row& r) {
  return IamUserRow{r.ColumnString(0), r.ColumnString(1), r.ColumnString(2),
                    r.ColumnString(3), r.ColumnInt64(4),  r.ColumnString(5)};
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
  return row;
}

IamAccessKeyRow ReadIamKey(const Row& r) {
  return IamAccessKeyRow{r.ColumnString(0), r.ColumnString(1), r.ColumnString(2),
                         r.ColumnString(3), r.ColumnInt64(4),  std::string(r.ColumnBlob(5))};
}

const char* IamKindName(IamPolicyOwner kind) {
  return kind == IamPolicyOwner::kUser ? "user" : "role";
}

std::string IamSql(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string s(a);
  s.append(b);
  s.append(c);
  return s;
}

}  // namespace

Status IamRepo::InsertUser(Connection& c, const IamUserRow& u) {
  const std::string lname = ToLower(u.name);
  return c.Run(
      "INSERT INTO iam_users (account, lname, name, path, id, created, tags) "
      "VALUES (:a, :l, :n, :p, :i, :c, :t)",
      {{":a", u.account},
       {":l", lname},
       {":n", u.name},
       {":p", u.path},
       {":i", u.id},
       {":c", u.created},
       {":t", u.tags}});
}

Result<IamUserRow> IamRepo::GetUser(Connection& c, const std::string& account,
                                    const std::string& name) {
  IamUserRow out;
  const std::string lname = ToLower(name);
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne(
      IamSql("SELECT ", kIamUserColumns, " FROM iam_users WHERE account = :a AND lname = :l"),
      {{":a", account}, {":l", lname}}, [&](const Row& r) {
        out = ReadIamUser(r);
        return Status::Ok();
      }));
  return out;
}

Result<std::vector<IamUserRow>> IamRepo::ListUsers(Connection& c, const std::string& account,
                                                   const std::string& path_prefix,
                                                   const std::string& after, size_t limit) {
  std::vector<IamUserRow> out;
  SEALSTACK_RETURN_IF_ERROR(
      c.QueryAppend(IamSql("SELECT ", kIamUserColumns,
                           " FROM iam_users WHERE account = :a AND lname > :after AND "
                           "substr(path, 1, length(:pp)) = :pp ORDER BY lname LIMIT :lim"),
                    {{":a", account},
                     {":after", after},
                     {":pp", path_prefix},
                     {":lim", static_cast<int64_t>(limit)}},
                    &out, ReadIamUser));
  return out;
}

Result<bool> IamRepo::DeleteUser(Connection& c, const std::string& account,
                                 const std::string& name) {
  const std::string lname = ToLower(name);
  SEALSTACK_ASSIGN_OR_RETURN(int64_t n,
                             c.Execute("DELETE FROM iam_users WHERE account = :a AND lname = :l",
                                       {{":a", account}, {":l", lname}}));
  return n > 0;
}

Status IamRepo::InsertRole(Connection& c, const IamRoleRow& r) {
  const std::string lname = ToLower(r.name);
  return c.Run(
      "INSERT INTO iam_roles (account, lname, name, path, id, created, trust_policy, description, "
      "max_session, tags) VALUES (:a, :l, :n, :p, :i, :c, :tp, :d, :m, :t)",
      {{":a", r.account},
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
  IamRoleRow out;
  const std::string lname = ToLower(name);
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne(
      IamSql("SELECT ", kIamRoleColumns, " FROM iam_roles WHERE account = :a AND lname = :l"),
      {{":a", account}, {":l", lname}}, [&](const Row& r) {
        out = ReadIamRole(r);
        return Status::Ok();
      }));
  return out;
}

Result<std::vector<IamRoleRow>> IamRepo::ListRoles(Connection& c, const std::string& account,
                                                   const std::string& path_prefix,
                                                   const std::string& after, size_t limit) {
  std::vector<IamRoleRow> out;
  SEALSTACK_RETURN_IF_ERROR(
      c.QueryAppend(IamSql("SELECT ", kIamRoleColumns,
                           " FROM iam_roles WHERE account = :a AND lname > :after AND "
                           "substr(path, 1, length(:pp)) = :pp ORDER BY lname LIMIT :lim"),
                    {{":a", account},
                     {":after", after},
                     {":pp", path_prefix},
                     {":lim", static_cast<int64_t>(limit)}},
                    &out, ReadIamRole));
  return out;
}

Result<bool> IamRepo::DeleteRole(Connection& c, const std::string& account,
                                 const std::string& name) {
  const std::string lname = ToLower(name);
  SEALSTACK_ASSIGN_OR_RETURN(int64_t n,
                             c.Execute("DELETE FROM iam_roles WHERE account = :a AND lname = :l",
                                       {{":a", account}, {":l", lname}}));
  return n > 0;
}

Status IamRepo::UpdateTrustPolicy(Connection& c, const std::string& account,
                                  const std::string& name, const std::string& doc) {
  const std::string lname = ToLower(name);
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t n,
      c.Execute("UPDATE iam_roles SET trust_policy = :d WHERE account = :a AND lname = :l",
                {{":a", account}, {":l", lname}, {":d", doc}}));
  return n > 0 ? Status::Ok() : Status::NotFound("role " + name);
}

Status IamRepo::PutPolicy(Connection& c, const std::string& account, IamPolicyOwner kind,
                          const std::string& owner, const std::string& name,
                          const std::string& doc) {
  return c.Run(
      "INSERT OR REPLACE INTO iam_inline_policies (account, kind, owner, name, doc) "
      "VALUES (:a, :k, :o, :n, :d)",
      {{":a", account}, {":k", IamKindName(kind)}, {":o", owner}, {":n", name}, {":d", doc}});
}

Result<std::string> IamRepo::GetPolicy(Connection& c, const std::string& account,
                                       IamPolicyOwner kind, const std::string& owner,
                                       const std::string& name) {
  std::string doc;
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne(
      "SELECT doc FROM iam_inline_policies WHERE account = :a AND kind = :k AND owner = :o AND "
      "name = :n",
      {{":a", account}, {":k", IamKindName(kind)}, {":o", owner}, {":n", name}}, [&](const Row& r) {
        doc = r.ColumnString(0);
        return Status::Ok();
      }));
  return doc;
}

Result<bool> IamRepo::DeletePolicy(Connection& c, const std::string& account, IamPolicyOwner kind,
                                   const std::string& owner, const std::string& name) {
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t n,
      c.Execute("DELETE FROM iam_inline_policies WHERE account = :a AND kind = :k AND "
                "owner = :o AND name = :n",
                {{":a", account}, {":k", IamKindName(kind)}, {":o", owner}, {":n", name}}));
  return n > 0;
}

Result<std::vector<std::pair<std::string, std::string>>> IamRepo::ListPolicies(
    Connection& c, const std::string& account, IamPolicyOwner kind, const std::string& owner) {
  std::vector<std::pair<std::string, std::string>> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT name, doc FROM iam_inline_policies WHERE account = :a AND kind = :k AND owner = :o "
      "ORDER BY name",
      {{":a", account}, {":k", IamKindName(kind)}, {":o", owner}}, &out,
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
  IamAccessKeyRow out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne(
      IamSql("SELECT ", kIamKeyColumns, " FROM iam_access_keys WHERE access_key_id = :k"),
      {{":k", access_key_id}}, [&](const Row& r) {
        out = ReadIamKey(r);
        return Status::Ok();
      }));
  return out;
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
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t n,
      c.Execute("UPDATE iam_access_keys SET status = :s WHERE access_key_id = :k AND "
                "account = :a AND user_name = :u",
                {{":s", status}, {":k", access_key_id}, {":a", account}, {":u", user_name}}));
  return n > 0;
}

Result<bool> IamRepo::DeleteAccessKey(Connection& c, const std::string& account,
                                      const std::string& user_name,
                                      const std::string& access_key_id) {
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t n, c.Execute("DELETE FROM iam_access_keys WHERE access_key_id = :k AND "
                           "account = :a AND user_name = :u",
                           {{":k", access_key_id}, {":a", account}, {":u", user_name}}));
  return n > 0;
}

Status IamRepo::InsertSession(Connection& c, const IamSessionRow& s) {
  return c.Run(
      "INSERT INTO iam_sessions (access_key_id, account, role_name, session_name, wrapped_secret, "
      "wrapped_token, issued, expires) VALUES (:k, :a, :r, :s, :ws, :wt, :i, :e)",
      {{":k", s.access_key_id},
       {":a", s.account},
       {":r", s.role_name},
       {":s", s.session_name},
       {":ws", Value::Blob(s.wrapped_secret)},
       {":wt", Value::Blob(s.wrapped_token)},
       {":i", s.issued},
       {":e", s.expires}});
}

Result<IamSessionRow> IamRepo::GetSession(Connection& c, const std::string& access_key_id) {
  IamSessionRow out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne(
      "SELECT access_key_id, account, role_name, session_name, wrapped_secret, wrapped_token, "
      "issued, expires FROM iam_sessions WHERE access_key_id = :k",
      {{":k", access_key_id}}, [&](const Row& r) {
        out = IamSessionRow{r.ColumnString(0),
                            r.ColumnString(1),
                            r.ColumnString(2),
                            r.ColumnString(3),
                            std::string(r.ColumnBlob(4)),
                            std::string(r.ColumnBlob(5)),
                            r.ColumnInt64(6),
                            r.ColumnInt64(7)};
        return Status::Ok();
      }));
  return out;
}

Result<int64_t> IamRepo::DeleteExpiredSessions(Connection& c, int64_t now) {
  return c.Execute("DELETE FROM iam_sessions WHERE expires < :n", {{":n", now}});
}

Status IamRepo::DeleteAll(Connection& c) {
  for (const char* sql :
       {"DELETE FROM iam_users", "DELETE FROM iam_roles", "DELETE FROM iam_inline_policies",
        "DELETE FROM iam_access_keys", "DELETE FROM iam_sessions"}) {
    SEALSTACK_RETURN_IF_ERROR(c.Run(sql));
  }
  return Status::Ok();
}

Status IamRepo::DeleteAccount(Connection& c, const std::string& account) {
  for (const char* sql :
       {"DELETE FROM iam_users WHERE account = :a", "DELETE FROM iam_roles WHERE account = :a",
        "DELETE FROM iam_inline_policies WHERE account = :a",
        "DELETE FROM iam_access_keys WHERE account = :a",
        "DELETE FROM iam_sessions WHERE account = :a"}) {
    SEALSTACK_RETURN_IF_ERROR(c.Run(sql, {{":a", account}}));
  }
  return Status::Ok();
}

}  // namespace sealstack::storage
