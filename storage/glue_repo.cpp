#include "storage/glue_repo.h"

namespace sealstack::storage {

namespace {

std::vector<Param> KeyParams(const GlueKey& k) {
  return {{":a", k.account}, {":r", k.region}, {":k", k.kind}, {":p", k.parent}, {":n", k.name}};
}

}  // namespace

Status GlueRepo::Insert(Connection& c, const GlueKey& key, const std::string& doc, int64_t seq) {
  auto params = KeyParams(key);
  params.emplace_back(":d", Value::Blob(doc));
  params.emplace_back(":s", seq);
  auto r = c.Execute(
      "INSERT INTO glue_entities (account, region, kind, parent, name, doc, seq) "
      "VALUES (:a, :r, :k, :p, :n, :d, :s)",
      params);
  return r.ok() ? Status::Ok() : r.status();
}

Status GlueRepo::Put(Connection& c, const GlueKey& key, const std::string& doc, int64_t seq) {
  auto params = KeyParams(key);
  params.emplace_back(":d", Value::Blob(doc));
  params.emplace_back(":s", seq);
  auto r = c.Execute(
      "INSERT OR REPLACE INTO glue_entities (account, region, kind, parent, name, doc, seq) "
      "VALUES (:a, :r, :k, :p, :n, :d, :s)",
      params);
  return r.ok() ? Status::Ok() : r.status();
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
  auto r = c.Execute(
      "DELETE FROM glue_entities WHERE account = :a AND region = :r AND kind = :k AND parent = :p",
      {{":a", scope.account}, {":r", scope.region}, {":k", scope.kind}, {":p", scope.parent}});
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::vector<GlueRow>> GlueRepo::List(Connection& c, const GlueKey& scope,
                                            const std::string& after, size_t limit) {
  std::vector<GlueRow> out;
  SEALSTACK_RETURN_IF_ERROR(c.Query(
      "SELECT name, doc, seq FROM glue_entities WHERE account = :a AND region = :r AND "
      "kind = :k AND parent = :p AND name > :after ORDER BY name LIMIT :lim",
      {{":a", scope.account},
       {":r", scope.region},
       {":k", scope.kind},
       {":p", scope.parent},
       {":after", after},
       {":lim", static_cast<int64_t>(limit)}},
      [&](const Row& row) {
        out.push_back({row.ColumnString(0), std::string(row.ColumnBlob(1)), row.ColumnInt64(2)});
        return Status::Ok();
      }));
  return out;
}

Result<std::vector<GlueRow>> GlueRepo::ListBySeq(Connection& c, const GlueKey& scope,
                                                 std::optional<int64_t> before, size_t limit) {
  std::vector<GlueRow> out;
  SEALSTACK_RETURN_IF_ERROR(c.Query(
      "SELECT name, doc, seq FROM glue_entities WHERE account = :a AND region = :r AND "
      "kind = :k AND parent = :p AND seq < :before ORDER BY seq DESC LIMIT :lim",
      {{":a", scope.account},
       {":r", scope.region},
       {":k", scope.kind},
       {":p", scope.parent},
       {":before", before.value_or(INT64_MAX)},
       {":lim", static_cast<int64_t>(limit)}},
      [&](const Row& row) {
        out.push_back({row.ColumnString(0), std::string(row.ColumnBlob(1)), row.ColumnInt64(2)});
        return Status::Ok();
      }));
  return out;
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
  return c.Execute("DELETE FROM glue_entities WHERE account = :a", {{":a", account}}).status();
}

}  // namespace sealstack::storage
