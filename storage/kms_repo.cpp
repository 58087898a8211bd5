#include "storage/kms_repo.h"

namespace sealstack::storage {

Status KmsRepo::PutKey(Connection& c, const KmsKeyRow& row) {
  return c.Run(
      "INSERT INTO kms_keys (key_id, account, region, created_at, doc) "
      "VALUES (:id, :account, :region, :created, :doc) "
      "ON CONFLICT (key_id) DO UPDATE SET doc = excluded.doc",
      {{"id", row.key_id},
       {"account", row.account},
       {"region", row.region},
       {"created", row.created_at},
       {"doc", row.doc}});
}

Status KmsRepo::DeleteKey(Connection& c, const std::string& key_id) {
  SEALSTACK_RETURN_IF_ERROR(c.Run("DELETE FROM kms_aliases WHERE key_id = :id", {{"id", key_id}}));
  return c.Run("DELETE FROM kms_keys WHERE key_id = :id", {{"id", key_id}});
}

Status KmsRepo::PutMaterial(Connection& c, const KmsMaterialRow& row) {
  return c.Run(
      "INSERT INTO kms_key_materials (key_id, material_id, seq, wrapped, doc) "
      "VALUES (:id, :mid, :seq, :wrapped, :doc) "
      "ON CONFLICT (key_id, material_id) DO UPDATE SET wrapped = excluded.wrapped, "
      "doc = excluded.doc",
      {{"id", row.key_id},
       {"mid", row.material_id},
       {"seq", row.seq},
       {"wrapped", Value::Blob(row.wrapped)},
       {"doc", row.doc}});
}

Status KmsRepo::DeleteMaterial(Connection& c, const std::string& key_id,
                               const std::string& material_id) {
  return c.Run("DELETE FROM kms_key_materials WHERE key_id = :id AND material_id = :mid",
               {{"id", key_id}, {"mid", material_id}});
}

Status KmsRepo::PutAlias(Connection& c, const KmsAliasRow& row) {
  return c.Run(
      "INSERT INTO kms_aliases (account, region, alias_name, key_id, created_at, updated_at) "
      "VALUES (:account, :region, :name, :id, :created, :updated) "
      "ON CONFLICT (account, region, alias_name) DO UPDATE SET key_id = excluded.key_id, "
      "updated_at = excluded.updated_at",
      {{"account", row.account},
       {"region", row.region},
       {"name", row.alias_name},
       {"id", row.key_id},
       {"created", row.created_at},
       {"updated", row.updated_at}});
}

Status KmsRepo::DeleteAlias(Connection& c, const std::string& account, const std::string& region,
                            const std::string& alias_name) {
  return c.Run(
      "DELETE FROM kms_aliases WHERE account = :account AND region = :region AND "
      "alias_name = :name",
      {{"account", account}, {"region", region}, {"name", alias_name}});
}

Status KmsRepo::PutGrant(Connection& c, const KmsGrantRow& row) {
  return c.Run(
      "INSERT INTO kms_grants (grant_id, key_id, created_at, doc) "
      "VALUES (:gid, :id, :created, :doc) "
      "ON CONFLICT (grant_id) DO UPDATE SET doc = excluded.doc",
      {{"gid", row.grant_id}, {"id", row.key_id}, {"created", row.created_at}, {"doc", row.doc}});
}

Status KmsRepo::DeleteGrant(Connection& c, const std::string& grant_id) {
  return c.Run("DELETE FROM kms_grants WHERE grant_id = :gid", {{"gid", grant_id}});
}

Status KmsRepo::DeleteAll(Connection& c) {
  return c.Exec(
      "DELETE FROM kms_grants; DELETE FROM kms_aliases; DELETE FROM kms_key_materials; "
      "DELETE FROM kms_keys;");
}

Result<KmsRepo::Snapshot> KmsRepo::LoadAll(Connection& c) {
  Snapshot s;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT key_id, account, region, created_at, doc FROM kms_keys ORDER BY created_at, key_id",
      {}, &s.keys, [](const Row& r) {
        return KmsKeyRow{r.ColumnString(0), r.ColumnString(1), r.ColumnString(2), r.ColumnDouble(3),
                         r.ColumnString(4)};
      }));
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT key_id, material_id, seq, wrapped, doc FROM kms_key_materials ORDER BY key_id, seq",
      {}, &s.materials, [](const Row& r) {
        return KmsMaterialRow{r.ColumnString(0), r.ColumnString(1), r.ColumnInt64(2),
                              std::string(r.ColumnBlob(3)), r.ColumnString(4)};
      }));
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT account, region, alias_name, key_id, created_at, updated_at FROM kms_aliases "
      "ORDER BY alias_name",
      {}, &s.aliases, [](const Row& r) {
        return KmsAliasRow{r.ColumnString(0), r.ColumnString(1), r.ColumnString(2),
                           r.ColumnString(3), r.ColumnDouble(4), r.ColumnDouble(5)};
      }));
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT grant_id, key_id, created_at, doc FROM kms_grants ORDER BY created_at, grant_id", {},
      &s.grants, [](const Row& r) {
        return KmsGrantRow{r.ColumnString(0), r.ColumnString(1), r.ColumnDouble(2),
                           r.ColumnString(3)};
      }));
  return s;
}

}  // namespace sealstack::storage
