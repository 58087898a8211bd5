#include "storage/kms_repo.h"

namespace sealstack::storage {

Status KmsRepo::PutKey(Connection& c, const KmsKeyRow& row) {
  return c
      .Execute(
          "INSERT INTO kms_keys (key_id, account, region, created_at, doc) "
          "VALUES (:id, :account, :region, :created, :doc) "
          "ON CONFLICT (key_id) DO UPDATE SET doc = excluded.doc",
          {{"id", row.key_id},
           {"account", row.account},
           {"region", row.region},
           {"created", row.created_at},
           {"doc", row.doc}})
      .status();
}

Status KmsRepo::DeleteKey(Connection& c, const std::string& key_id) {
  SEALSTACK_RETURN_IF_ERROR(
      c.Execute("DELETE FROM kms_aliases WHERE key_id = :id", {{"id", key_id}}).status());
  return c.Execute("DELETE FROM kms_keys WHERE key_id = :id", {{"id", key_id}}).status();
}

Status KmsRepo::PutMaterial(Connection& c, const KmsMaterialRow& row) {
  return c
      .Execute(
          "INSERT INTO kms_key_materials (key_id, material_id, seq, wrapped, doc) "
          "VALUES (:id, :mid, :seq, :wrapped, :doc) "
          "ON CONFLICT (key_id, material_id) DO UPDATE SET wrapped = excluded.wrapped, "
          "doc = excluded.doc",
          {{"id", row.key_id},
           {"mid", row.material_id},
           {"seq", row.seq},
           {"wrapped", Value::Blob(row.wrapped)},
           {"doc", row.doc}})
      .status();
}

Status KmsRepo::DeleteMaterial(Connection& c, const std::string& key_id,
                               const std::string& material_id) {
  return c
      .Execute("DELETE FROM kms_key_materials WHERE key_id = :id AND material_id = :mid",
               {{"id", key_id}, {"mid", material_id}})
      .status();
}

Status KmsRepo::PutAlias(Connection& c, const KmsAliasRow& row) {
  return c
      .Execute(
          "INSERT INTO kms_aliases (account, region, alias_name, key_id, created_at, updated_at) "
          "VALUES (:account, :region, :name, :id, :created, :updated) "
          "ON CONFLICT (account, region, alias_name) DO UPDATE SET key_id = excluded.key_id, "
          "updated_at = excluded.updated_at",
          {{"account", row.account},
           {"region", row.region},
           {"name", row.alias_name},
           {"id", row.key_id},
           {"created", row.created_at},
           {"updated", row.updated_at}})
      .status();
}

Status KmsRepo::DeleteAlias(Connection& c, const std::string& account, const std::string& region,
                            const std::string& alias_name) {
  return c
      .Execute(
          "DELETE FROM kms_aliases WHERE account = :account AND region = :region AND "
          "alias_name = :name",
          {{"account", account}, {"region", region}, {"name", alias_name}})
      .status();
}

Status KmsRepo::PutGrant(Connection& c, const KmsGrantRow& row) {
  return c
      .Execute(
          "INSERT INTO kms_grants (grant_id, key_id, created_at, doc) "
          "VALUES (:gid, :id, :created, :doc) "
          "ON CONFLICT (grant_id) DO UPDATE SET doc = excluded.doc",
          {{"gid", row.grant_id},
           {"id", row.key_id},
           {"created", row.created_at},
           {"doc", row.doc}})
      .status();
}

Status KmsRepo::DeleteGrant(Connection& c, const std::string& grant_id) {
  return c.Execute("DELETE FROM kms_grants WHERE grant_id = :gid", {{"gid", grant_id}}).status();
}

Status KmsRepo::DeleteAll(Connection& c) {
  return c.Exec(
      "DELETE FROM kms_grants; DELETE FROM kms_aliases; DELETE FROM kms_key_materials; "
      "DELETE FROM kms_keys;");
}

Result<KmsRepo::Snapshot> KmsRepo::LoadAll(Connection& c) {
  Snapshot s;
  SEALSTACK_RETURN_IF_ERROR(c.Query(
      "SELECT key_id, account, region, created_at, doc FROM kms_keys ORDER BY created_at, key_id",
      {}, [&](const Row& r) {
        s.keys.push_back({r.ColumnString(0), r.ColumnString(1), r.ColumnString(2),
                          r.ColumnDouble(3), r.ColumnString(4)});
        return Status::Ok();
      }));
  SEALSTACK_RETURN_IF_ERROR(
      c.Query("SELECT key_id, material_id, seq, wrapped, doc FROM kms_key_materials "
              "ORDER BY key_id, seq",
              {}, [&](const Row& r) {
                s.materials.push_back({r.ColumnString(0), r.ColumnString(1), r.ColumnInt64(2),
                                       std::string(r.ColumnBlob(3)), r.ColumnString(4)});
                return Status::Ok();
              }));
  SEALSTACK_RETURN_IF_ERROR(
      c.Query("SELECT account, region, alias_name, key_id, created_at, updated_at FROM kms_aliases "
              "ORDER BY alias_name",
              {}, [&](const Row& r) {
                s.aliases.push_back({r.ColumnString(0), r.ColumnString(1), r.ColumnString(2),
                                     r.ColumnString(3), r.ColumnDouble(4), r.ColumnDouble(5)});
                return Status::Ok();
              }));
  SEALSTACK_RETURN_IF_ERROR(c.Query(
      "SELECT grant_id, key_id, created_at, doc FROM kms_grants ORDER BY created_at, grant_id", {},
      [&](const Row& r) {
        s.grants.push_back(
            {r.ColumnString(0), r.ColumnString(1), r.ColumnDouble(2), r.ColumnString(3)});
        return Status::Ok();
      }));
  return s;
}

}  // namespace sealstack::storage
