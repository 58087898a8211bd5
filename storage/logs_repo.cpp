#include "storage/logs_repo.h"

namespace sealstack::storage {

namespace {

std::vector<Param> LogsScopeParams(const LogsKey& k) {
  return {{":a", k.account}, {":r", k.region}, {":k", k.kind}, {":p", k.parent}};
}

std::vector<Param> LogsKeyParams(const LogsKey& k) {
  std::vector<Param> params = LogsScopeParams(k);
  params.emplace_back(":n", k.name);
  return params;
}

// A whole row to write: the key's parameters and :d the document.
std::vector<Param> EntityParams(const LogsKey& k, const std::string& doc) {
  std::vector<Param> params = LogsKeyParams(k);
  params.emplace_back(":d", Value::Blob(doc));
  return params;
}

}  // namespace

Status LogsRepo::Insert(Connection& c, const LogsKey& key, const std::string& doc) {
  return c.Run(
      "INSERT INTO logs_entities (account, region, kind, parent, name, doc) "
      "VALUES (:a, :r, :k, :p, :n, :d)",
      EntityParams(key, doc));
}

Status LogsRepo::Put(Connection& c, const LogsKey& key, const std::string& doc) {
  return c.Run(
      "INSERT OR REPLACE INTO logs_entities (account, region, kind, parent, name, doc) "
      "VALUES (:a, :r, :k, :p, :n, :d)",
      EntityParams(key, doc));
}

Result<std::string> LogsRepo::Get(Connection& c, const LogsKey& key) {
  std::string doc;
  SEALSTACK_RETURN_IF_ERROR(c.QueryOne(
      "SELECT doc FROM logs_entities WHERE account = :a AND region = :r AND kind = :k AND "
      "parent = :p AND name = :n",
      LogsKeyParams(key), [&](const Row& row) {
        doc = std::string(row.ColumnBlob(0));
        return Status::Ok();
      }));
  return doc;
}

Result<std::vector<LogsRow>> LogsRepo::List(Connection& c, const LogsKey& scope,
                                            const std::string& after, size_t limit) {
  std::vector<Param> params = LogsScopeParams(scope);
  params.emplace_back(":after", after);
  params.emplace_back(":lim", static_cast<int64_t>(limit));
  std::vector<LogsRow> out;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT parent, name, doc FROM logs_entities WHERE account = :a AND region = :r AND "
      "kind = :k AND parent = :p AND name > :after ORDER BY name LIMIT :lim",
      params, &out, [](const Row& row) {
        return LogsRow{row.ColumnString(0), row.ColumnString(1), std::string(row.ColumnBlob(2))};
      }));
  return out;
}

Status LogsRepo::DeleteGroup(Connection& c, const std::string& account, const std::string& region,
                             const std::string& group) {
  // Params hold views: the prefix must outlive them (a temporary here was a use-after-scope).
  const std::string batch_prefix = group + "\x1f";
  std::vector<Param> params = {
      {":a", account}, {":r", region}, {":g", group}, {":gp", batch_prefix}};
  return c.Run(
      "DELETE FROM logs_entities WHERE account = :a AND region = :r AND ("
      "(kind = 'group' AND name = :g) OR (kind = 'stream' AND parent = :g) OR "
      "(kind = 'batch' AND substr(parent, 1, length(:gp)) = :gp))",
      params);
}

Status LogsRepo::DeleteAll(Connection& c) {
  return c.Exec("DELETE FROM logs_entities");
}

Status LogsRepo::DeleteAccount(Connection& c, const std::string& account) {
  return c.Run("DELETE FROM logs_entities WHERE account = :a", {{":a", account}});
}

}  // namespace sealstack::storage
