#include "api/kms/kms_persist.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/common/json_fields.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"

namespace sealstack::api::kms {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
constexpr std::string_view kMaterialPurpose = "kms-key-material";
constexpr std::string_view kImportPurpose = "kms-import-wrapping-key";

int64_t Micros(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
SystemTime FromMicros(int64_t us) {
  return SystemTime(std::chrono::microseconds(us));
}

void Time(Writer& w, const char* k, SystemTime t) {
  WriteJsonInt64(w, k, Micros(t));
}
void OptTime(Writer& w, const char* k, const std::optional<SystemTime>& t) {
  if (t) Time(w, k, *t);
}

std::optional<SystemTime> GetTime(const rapidjson::Value& v, const char* k) {
  auto it = v.FindMember(k);
  if (it == v.MemberEnd() || !it->value.IsInt64()) return std::nullopt;
  return FromMicros(it->value.GetInt64());
}

Result<rapidjson::Document> ParseDoc(const std::string& doc) {
  rapidjson::Document d;
  d.Parse(doc.c_str(), doc.size());
  if (d.HasParseError() || !d.IsObject()) return Status::IoError("corrupt KMS row document");
  return d;
}

std::string Finish(rapidjson::StringBuffer& buf) {
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

Result<storage::KmsKeyRow> KeyToRow(const Key& key, const crypto::SecretBytes& root_key,
                                    crypto::RandomSource& random) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  WriteJsonString(w, "arn", key.arn);
  WriteJsonString(w, "description", key.description);
  WriteJsonString(w, "spec", Name(key.spec));
  WriteJsonString(w, "usage", Name(key.usage));
  WriteJsonString(w, "origin", Name(key.origin));
  WriteJsonString(w, "manager", Name(key.manager));
  WriteJsonString(w, "state", Name(key.state));
  Time(w, "created", key.created);
  OptTime(w, "deletion_date", key.deletion_date);
  WriteJsonInt64(w, "pending_window_days", key.pending_window_days);
  WriteJsonString(w, "policy", key.policy);
  WriteJsonBool(w, "rotation_enabled", key.rotation_enabled);
  WriteJsonInt64(w, "rotation_period_days", key.rotation_period_days);
  OptTime(w, "next_rotation", key.next_rotation);
  WriteJsonInt64(w, "on_demand_rotations", key.on_demand_rotations);
  WriteJsonStringMap(w, "tags", key.tags);
  WriteJsonString(w, "expiration_model", Name(key.expiration_model));
  OptTime(w, "valid_to", key.valid_to);
  WriteJsonString(w, "imported_material_id", key.imported_material_id);
  if (!key.deleted_materials.empty()) {
    w.Key("deleted_materials");
    w.StartArray();
    for (const auto& d : key.deleted_materials) {
      w.StartObject();
      WriteJsonString(w, "id", d.id);
      WriteJsonInt64(w, "seq", d.seq);
      Time(w, "created", d.created);
      WriteJsonString(w, "rotation_type", d.rotation_type);
      WriteJsonString(w, "description", d.description);
      WriteJsonBool(w, "pending_rotation", d.pending_rotation);
      w.EndObject();
    }
    w.EndArray();
  }
  if (key.import) {
    SEALSTACK_ASSIGN_OR_RETURN(
        std::string wrapped,
        crypto::WrapKey(root_key, kImportPurpose, key.import->wrapping_key, random, key.handle()));
    w.Key("import");
    w.StartObject();
    WriteJsonString(w, "token", key.import->token);
    WriteJsonString(w, "wrapping_key", crypto::Base64(wrapped));
    WriteJsonString(w, "wrapping_algorithm", key.import->wrapping_algorithm);
    Time(w, "valid_to", key.import->valid_to);
    w.EndObject();
  }
  if (key.multi_region) {
    w.Key("multi_region");
    w.StartObject();
    WriteJsonString(w, "primary_region", key.primary_region);
    WriteJsonStringList(w, "replica_regions", key.replica_regions);
    w.EndObject();
  }
  w.EndObject();
  return storage::KmsKeyRow{key.handle(), key.account, key.region,
                            std::chrono::duration<double>(key.created.time_since_epoch()).count(),
                            Finish(buf)};
}

Result<Key> KeyFromRow(const storage::KmsKeyRow& row, const crypto::SecretBytes& root_key) {
  SEALSTACK_ASSIGN_OR_RETURN(rapidjson::Document d, ParseDoc(row.doc));
  Key k;
  k.id = KeyIdOfHandle(row.key_id);
  k.account = row.account;
  k.region = row.region;
  k.arn = ReadJsonString(d, "arn");
  k.description = ReadJsonString(d, "description");
  auto spec = ParseKeySpec(ReadJsonString(d, "spec"));
  auto usage = ParseKeyUsage(ReadJsonString(d, "usage"));
  auto origin = ParseOrigin(ReadJsonString(d, "origin"));
  auto state = ParseKeyState(ReadJsonString(d, "state"));
  if (!spec || !usage || !origin || !state)
    return Status::IoError("corrupt KMS key row " + row.key_id);
  k.spec = *spec;
  k.usage = *usage;
  k.origin = *origin;
  k.state = *state;
  k.manager = ReadJsonString(d, "manager") == "AWS" ? KeyManager::kAws : KeyManager::kCustomer;
  k.created = GetTime(d, "created").value_or(SystemTime());
  k.deletion_date = GetTime(d, "deletion_date");
  k.pending_window_days = static_cast<int>(ReadJsonInt64(d, "pending_window_days"));
  k.policy = ReadJsonString(d, "policy");
  k.rotation_enabled = ReadJsonBool(d, "rotation_enabled");
  k.rotation_period_days = static_cast<int>(ReadJsonInt64(d, "rotation_period_days", 365));
  k.next_rotation = GetTime(d, "next_rotation");
  k.on_demand_rotations = static_cast<int>(ReadJsonInt64(d, "on_demand_rotations"));
  k.tags = ReadJsonStringMap(d, "tags");
  k.expiration_model =
      ParseExpirationModel(ReadJsonString(d, "expiration_model")).value_or(ExpirationModel::kNone);
  k.valid_to = GetTime(d, "valid_to");
  k.imported_material_id = ReadJsonString(d, "imported_material_id");
  auto deleted = d.FindMember("deleted_materials");
  if (deleted != d.MemberEnd() && deleted->value.IsArray()) {
    for (const auto& e : deleted->value.GetArray()) {
      if (!e.IsObject()) continue;
      k.deleted_materials.push_back(
          {ReadJsonString(e, "id"), ReadJsonInt64(e, "seq"),
           GetTime(e, "created").value_or(SystemTime()), ReadJsonString(e, "rotation_type"),
           ReadJsonString(e, "description"), ReadJsonBool(e, "pending_rotation")});
    }
  }
  auto imp = d.FindMember("import");
  if (imp != d.MemberEnd() && imp->value.IsObject()) {
    ImportParameters p;
    p.token = ReadJsonString(imp->value, "token");
    p.wrapping_algorithm = ReadJsonString(imp->value, "wrapping_algorithm");
    p.valid_to = GetTime(imp->value, "valid_to").value_or(SystemTime());
    auto wrapped = crypto::FromBase64(ReadJsonString(imp->value, "wrapping_key"));
    if (!wrapped) return Status::IoError("corrupt import parameters for " + row.key_id);
    SEALSTACK_ASSIGN_OR_RETURN(p.wrapping_key,
                               crypto::UnwrapKey(root_key, kImportPurpose, *wrapped, row.key_id));
    k.import = std::move(p);
  }
  auto mrk = d.FindMember("multi_region");
  if (mrk != d.MemberEnd() && mrk->value.IsObject()) {
    k.multi_region = true;
    k.primary_region = ReadJsonString(mrk->value, "primary_region");
    k.replica_regions = ReadJsonStringList(mrk->value, "replica_regions");
  }
  if (k.handle() != row.key_id) return Status::IoError("corrupt KMS key row " + row.key_id);
  return k;
}

Result<storage::KmsMaterialRow> MaterialToRow(const Key& key, const Material& m,
                                              const crypto::SecretBytes& root_key,
                                              crypto::RandomSource& random) {
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string wrapped,
      crypto::WrapKey(root_key, kMaterialPurpose, m.bytes, random, key.handle() + "/" + m.id));
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Time(w, "created", m.created);
  WriteJsonString(w, "rotation_type", m.rotation_type);
  WriteJsonBool(w, "imported", m.imported);
  if (!m.description.empty()) WriteJsonString(w, "description", m.description);
  if (m.expiration_model != ExpirationModel::kNone) {
    WriteJsonString(w, "expiration_model", Name(m.expiration_model));
  }
  OptTime(w, "valid_to", m.valid_to);
  if (m.pending_rotation) WriteJsonBool(w, "pending_rotation", true);
  w.EndObject();
  return storage::KmsMaterialRow{key.handle(), m.id, m.seq, std::move(wrapped), Finish(buf)};
}

Result<Material> MaterialFromRow(const storage::KmsMaterialRow& row,
                                 const crypto::SecretBytes& root_key) {
  SEALSTACK_ASSIGN_OR_RETURN(rapidjson::Document d, ParseDoc(row.doc));
  Material m;
  m.id = row.material_id;
  m.seq = row.seq;
  m.created = GetTime(d, "created").value_or(SystemTime());
  m.rotation_type = ReadJsonString(d, "rotation_type");
  m.imported = ReadJsonBool(d, "imported");
  m.description = ReadJsonString(d, "description");
  m.expiration_model =
      ParseExpirationModel(ReadJsonString(d, "expiration_model")).value_or(ExpirationModel::kNone);
  m.valid_to = GetTime(d, "valid_to");
  m.pending_rotation = ReadJsonBool(d, "pending_rotation");
  SEALSTACK_ASSIGN_OR_RETURN(m.bytes, crypto::UnwrapKey(root_key, kMaterialPurpose, row.wrapped,
                                                        row.key_id + "/" + row.material_id));
  return m;
}

storage::KmsGrantRow GrantToRow(const Grant& g) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  WriteJsonString(w, "name", g.name);
  WriteJsonString(w, "grantee", g.grantee);
  WriteJsonString(w, "retiring", g.retiring);
  WriteJsonStringList(w, "operations", g.operations);
  if (g.constraints.encryption_context_equals) {
    WriteJsonStringMap(w, "ec_equals", *g.constraints.encryption_context_equals);
  }
  if (g.constraints.encryption_context_subset) {
    WriteJsonStringMap(w, "ec_subset", *g.constraints.encryption_context_subset);
  }
  WriteJsonString(w, "issuing_account", g.issuing_account);
  Time(w, "created", g.created);
  WriteJsonString(w, "token_sha256", g.token);  // Grant::token is already the token's hash
  w.EndObject();
  return {g.id, g.key_id, std::chrono::duration<double>(g.created.time_since_epoch()).count(),
          Finish(buf)};
}

Result<Grant> GrantFromRow(const storage::KmsGrantRow& row) {
  SEALSTACK_ASSIGN_OR_RETURN(rapidjson::Document d, ParseDoc(row.doc));
  Grant g;
  g.id = row.grant_id;
  g.key_id = row.key_id;
  g.name = ReadJsonString(d, "name");
  g.grantee = ReadJsonString(d, "grantee");
  g.retiring = ReadJsonString(d, "retiring");
  g.operations = ReadJsonStringList(d, "operations");
  if (d.HasMember("ec_equals"))
    g.constraints.encryption_context_equals = ReadJsonStringMap(d, "ec_equals");
  if (d.HasMember("ec_subset"))
    g.constraints.encryption_context_subset = ReadJsonStringMap(d, "ec_subset");
  g.issuing_account = ReadJsonString(d, "issuing_account");
  g.created = GetTime(d, "created").value_or(SystemTime());
  g.token = ReadJsonString(d, "token_sha256");
  return g;
}

}  // namespace sealstack::api::kms
