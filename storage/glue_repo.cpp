#include "storage/glue_repo.h"

namespace sealstack::storage {

namespace {

// The parameters naming a scope (:a :r :k :p), and an entity in it (:n).
std::vector<Param> ScopeParams(const GlueKey& k) {
  return {{":a", k.account}, {":r", k.region}, {":k", k.kind}, {":p", k.parent}};
}

std::vector<Param> KeyParams(const GlueKey& k) {
  std::vector<Param> params = ScopeParams(k);
  params.emplace_back(":n", k.name);
  return params;
}

// A whole row to write: the key's parameters, :d the document and :s the sequence number.
std::vector<Param> EntityParams(const GlueKey& k, const std::string& doc, int64_t seq) {
  std::vector<Param> params = KeyParams(k);
  params.emplace_back(":d", Value::Blob(doc));
  params.emplace_back(":s", seq);
  return params;
}

// A listing of one scope ("SELECT name, doc, seq ..."), with its paging parameters added.
Result<std::vector<GlueRow>> ListScope(Connection& c, std::string_view sql, const GlueKey& scope,
                                       Param bound, size_t limit) {
  std::vector<Param> params = ScopeParams(scope);
  params.push_back(bound);
  params.emplace_back(":lim", static_cast<int64_t>(limit));
  std::vector<GlueRow> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(sql, params, &out, [](const Row& row) {
    return GlueRow{row.ColumnString(0), std::string(row.ColumnBlob(1)), row.ColumnInt64(2)};
  }));
  return out;
}

}  // namespace

Status GlueRepo::Insert(Connection& c, const GlueKey& key, const std::string& doc, int64_t seq) {
  return c.Run(
      "INSERT INTO glue_entities (account, region, kind, parent, name, doc, seq) "
      "VALUES (:a, :r, :k, :p, :n, :d, :s)",
      EntityParams(key, doc, seq));
}

Status GlueRepo::Put(Connection& c, const GlueKey& key, const std::string& doc, int64_t seq) {
  return c.Run(
      "INSERT OR REPLACE INTO glue_entities (account, region, kind, parent, name, doc, seq) "
      "VALUES (:a, :r, :k, :p, :n, :d, :s)",
      EntityParams(key, doc, seq));
}

Result<std::string> GlueRepo::Get(Connection& c, const GlueKey& key) {
  std::string doc;
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne(
      "SELECT doc FROM glue_entities WHERE account = :a AND region = :r AND kind = :k AND "
      "parent = :p AND name = :n",
      KeyParams(key), [&](const Row& row) {
        doc = std::string(row.ColumnBlob(0));
        return Status::Ok();
      }));
  return doc;
}

Result<bool> GlueRepo::Delete(Connection& c, const GlueKey& key) {
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t n,
      c.Execute("DELETE FROM glue_entities WHERE account = :a AND region = :r AND kind = :k AND "
                "parent = :p AND name = :n",
                KeyParams(key)));
  return n > 0;
}

Status GlueRepo::DeleteChildren(Connection& c, const GlueKey& scope) {
  return c.Run(
      "DELETE FROM glue_entities WHERE account = :a AND region = :r AND kind = :k AND parent = :p",
      ScopeParams(scope));
}

Result<std::vector<GlueRow>> GlueRepo::List(Connection& c, const GlueKey& scope,
                                            const std::string& after, size_t limit) {
  return ListScope(c,
                   "SELECT name, doc, seq FROM glue_entities WHERE account = :a AND region = :r "
                   "AND kind = :k AND parent = :p AND name > :after ORDER BY name LIMIT :lim",
                   scope, {":after", after}, limit);
}

Result<std::vector<GlueRow>> GlueRepo::ListBySeq(Connection& c, const GlueKey& scope,
                                                 std::optional<int64_t> before, size_t limit) {
  return ListScope(c,
                   "SELECT name, doc, seq FROM glue_entities WHERE account = :a AND region = :r "
                   "AND kind = :k AND parent = :p AND seq < :before ORDER BY seq DESC LIMIT :lim",
                   scope, {":before", before.value_or(INT64_MAX)}, limit);
}

Result<std::string> GlueRepo::FindAny(Connection& c, const std::string& kind,
                                      const std::string& name) {
  std::string doc;
  bool found = false;
  SEALSTACK_RETURN_IF_ERROR(
      c.Query("SELECT doc FROM glue_entities WHERE kind = :k AND name = :n LIMIT 1",
              {{":k", kind}, {":n", name}}, [&](const Row& row) {
                doc = std::string(row.ColumnBlob(0));
                found = true;
                return Status::Ok();
              }));
  if (!found) return Status::NotFound("glue " + kind);
  return doc;
}

Result<std::vector<GlueEntity>> GlueRepo::ListKind(Connection& c, const std::string& kind) {
  std::vector<GlueEntity> out;
  SEALSTACK_RETURN_IF_ERROR(
      c.Query("SELECT account, region, parent, name, doc, seq FROM glue_entities WHERE kind = :k",
              {{":k", kind}}, [&](const Row& row) {
                GlueEntity e;
                e.key = {row.ColumnString(0), row.ColumnString(1), kind, row.ColumnString(2),
                         row.ColumnString(3)};
                e.doc = std::string(row.ColumnBlob(4));
                e.seq = row.ColumnInt64(5);
                out.push_back(std::move(e));
                return Status::Ok();
              }));
  return out;
}

Status GlueRepo::DeleteAll(Connection& c) {
  return c.Exec("DELETE FROM glue_entities");
}

Status GlueRepo::DeleteAccount(Connection& c, const std::string& account) {
  return c.Run("DELETE FROM glue_entities WHERE account = :a", {{":a", account}});
}

}  // namespace sealstack::storage
