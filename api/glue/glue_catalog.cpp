// The Data Catalog: encryption settings, databases, tables, partitions, connections.
//
// Stored documents (storage/glue_repo.h) are, by the catalog's EncryptionAtRest at write time:
//   DISABLED  plain JSON (connections: "GLOC1:" + AES-256-GCM under a root-derived key)
//   SSE-KMS   "GKMS1:" + {"key","blob","nonce","ct"}: a fresh data key from GenerateDataKey as
//             the caller (or the service role) with kms:ViaService glue.<region>.amazonaws.com and
//             context {"glue_catalog_id": account}; reads Decrypt the blob the same way.
#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/glue/glue_kms_failure.h"
#include "api/glue/glue_wire.h"
#include "crypto/aead.h"
#include "crypto/hkdf.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

struct Service::CatalogSettings {
  std::string mode = "DISABLED";
  std::string key;
  std::string service_role;
  bool return_password_encrypted = false;
  std::string password_key;
  std::string text;  // as stored
};

namespace {

constexpr std::string_view kKmsPrefix = "GKMS1:";
constexpr std::string_view kLocalPrefix = "GLOC1:";

Status EncryptionError(const Status& kms_status) {
  KmsFailure w = DescribeKmsFailure(kms_status);
  return GlueError(ErrorKind::kGlueEncryption,
                   w.message + " (Service: AWSKMS; Error Code: " + w.code + ")");
}

}  // namespace

Status CheckCatalogId(const Caller& c, const std::optional<std::string>& id) {
  if (id && *id != Account(c)) {
    return GlueError(ErrorKind::kAccessDenied,
                     "User: " + c.principal->arn + " is not authorized to access catalog " + *id);
  }
  return Status::Ok();
}

Status Service::AuthorizeCatalog(const Caller& c, const std::optional<std::string>& catalog_id,
                                 const std::string& operation, const std::string& resource) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, catalog_id));
  return Authorize(c, operation, GlueArn(c, resource));
}

Result<Service::CatalogSettings> Service::LoadCatalogSettings(const std::string& account,
                                                              const std::string& region) {
  CatalogSettings s;
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<std::string> text,
                             RawGet(*deps_.db, {account, region, "catalog", "", ""}));
  if (!text) return s;
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
  s.text = *text;
  if (const Value* ear = json::Find(d, "EncryptionAtRest")) {
    s.mode = json::Text(*ear, "CatalogEncryptionMode");
    s.key = json::Text(*ear, "SseAwsKmsKeyId");
    s.service_role = json::Text(*ear, "CatalogEncryptionServiceRole");
  }
  if (const Value* cpe = json::Find(d, "ConnectionPasswordEncryption")) {
    const Value* r = json::Find(*cpe, "ReturnConnectionPasswordEncrypted");
    s.return_password_encrypted = r != nullptr && r->IsBool() && r->GetBool();
    s.password_key = json::Text(*cpe, "AwsKmsKeyId");
  }
  return s;
}

Result<kms::Caller> Service::CatalogKmsCaller(const Caller& c, const CatalogSettings& s) {
  kms::Caller kc;
  kc.principal = c.principal;
  kc.region = c.region;
  kc.source_ip = c.source_ip;
  kc.via_service = "glue." + c.region + ".amazonaws.com";
  if (s.mode == "SSE-KMS-WITH-SERVICE-ROLE") {
    auto role = ResolveRole(*deps_.principals, Account(c), s.service_role);
    if (!role.ok()) {
      return GlueError(ErrorKind::kGlueEncryption,
                       "The catalog encryption service role " + s.service_role +
                           " is not available: " + role.status().message());
    }
    kc.principal = *role;
  }
  return kc;
}

Result<std::string> Service::SealLocal(const std::string& plain) {
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes k,
                             crypto::HkdfSha256(deps_.root_key, "", "sealstack-glue-catalog", 32));
  SEALSTACK_ASSIGN_OR_RETURN(std::string nonce, deps_.random->Bytes(12));
  SEALSTACK_ASSIGN_OR_RETURN(std::string ct, crypto::AesGcmSeal(k, nonce, "glue", plain));
  return std::string(kLocalPrefix) + crypto::Base64(nonce + ct);
}

Result<std::string> Service::OpenLocal(const std::string& sealed) {
  auto raw = crypto::FromBase64(std::string_view(sealed).substr(kLocalPrefix.size()));
  if (!raw || raw->size() < 12) return GlueError(ErrorKind::kInternal, "corrupt catalog entry");
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes k,
                             crypto::HkdfSha256(deps_.root_key, "", "sealstack-glue-catalog", 32));
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                             crypto::AesGcmOpen(k, raw->substr(0, 12), "glue", raw->substr(12)));
  return plain.Reveal();
}

Result<std::string> Service::SealCatalogDoc(const Caller& c, const CatalogSettings& s,
                                            const std::string& plain) {
  if (s.mode != "SSE-KMS" && s.mode != "SSE-KMS-WITH-SERVICE-ROLE") return plain;
  SEALSTACK_ASSIGN_OR_RETURN(kms::Caller kc, CatalogKmsCaller(c, s));
  const std::string key = s.key.empty() ? "alias/aws/glue" : s.key;
  auto dk =
      Kms().GenerateDataKey(kc, key, 32, {{"glue_catalog_id", Account(c)}}, true, c.request_id);
  if (!dk.ok()) return EncryptionError(dk.status());
  SEALSTACK_ASSIGN_OR_RETURN(std::string nonce, deps_.random->Bytes(12));
  SEALSTACK_ASSIGN_OR_RETURN(std::string ct, crypto::AesGcmSeal(dk->plaintext, nonce, "", plain));
  Document env(rapidjson::kObjectType);
  auto& a = env.GetAllocator();
  json::SetStr(env, "key", dk->key_arn, a);
  json::SetStr(env, "blob", crypto::Base64(dk->ciphertext), a);
  json::SetStr(env, "nonce", crypto::Base64(nonce), a);
  json::SetStr(env, "ct", crypto::Base64(ct), a);
  return std::string(kKmsPrefix) + json::Dump(env);
}

Result<std::string> Service::OpenCatalogDoc(const Caller& c, const std::string& stored) {
  if (stored.rfind(kLocalPrefix, 0) == 0) return OpenLocal(stored);
  if (stored.rfind(kKmsPrefix, 0) != 0) return stored;
  SEALSTACK_ASSIGN_OR_RETURN(Document env, json::Load(stored.substr(kKmsPrefix.size())));
  SEALSTACK_ASSIGN_OR_RETURN(CatalogSettings s, LoadCatalogSettings(Account(c), c.region));
  SEALSTACK_ASSIGN_OR_RETURN(kms::Caller kc, CatalogKmsCaller(c, s));
  auto blob = crypto::FromBase64(json::Text(env, "blob"));
  auto nonce = crypto::FromBase64(json::Text(env, "nonce"));
  auto ct = crypto::FromBase64(json::Text(env, "ct"));
  if (!blob || !nonce || !ct) return GlueError(ErrorKind::kInternal, "corrupt catalog entry");
  auto dk = Kms().Decrypt(kc, json::Text(env, "key"), *blob, {{"glue_catalog_id", Account(c)}},
                          c.request_id);
  if (!dk.ok()) return EncryptionError(dk.status());
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                             crypto::AesGcmOpen(dk->plaintext, *nonce, "", *ct));
  return plain.Reveal();
}

// ---------------------------------------------------------------- encryption settings

Result<std::string> Service::PutDataCatalogEncryptionSettings(
    const Caller& c, const PutDataCatalogEncryptionSettingsInput& in) {
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "PutDataCatalogEncryptionSettings", "catalog"));
  SEALSTACK_ASSIGN_OR_RETURN(const std::string text,
                             CatalogSettingsDoc(Account(c), in.settings, deps_.principals.get()));
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Put(conn, Key(c, "catalog", ""), text);
  }));
  return std::string("{}");
}

Result<std::string> Service::CatalogSettingsDoc(const std::string& account,
                                                const DataCatalogEncryptionSettings& s,
                                                const auth::PrincipalStore* roles) {
  if (s.encryption_at_rest && roles != nullptr &&
      s.encryption_at_rest->catalog_encryption_mode == "SSE-KMS-WITH-SERVICE-ROLE") {
    SEALSTACK_RETURN_IF_ERROR(
        ResolveRole(*roles, account,
                    s.encryption_at_rest->catalog_encryption_service_role.value_or(""))
            .status());
  }
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  if (s.encryption_at_rest) {
    SEALSTACK_ASSIGN_OR_RETURN(Document ear, json::Load(s.encryption_at_rest->json));
    d.AddMember("EncryptionAtRest", Value(ear, a), a);
  } else {
    Value disabled(rapidjson::kObjectType);
    disabled.AddMember("CatalogEncryptionMode", "DISABLED", a);
    d.AddMember("EncryptionAtRest", disabled, a);
  }
  if (s.connection_password_encryption) {
    SEALSTACK_ASSIGN_OR_RETURN(Document cpe, json::Load(s.connection_password_encryption->json));
    d.AddMember("ConnectionPasswordEncryption", Value(cpe, a), a);
  } else {
    Value off(rapidjson::kObjectType);
    off.AddMember("ReturnConnectionPasswordEncrypted", false, a);
    d.AddMember("ConnectionPasswordEncryption", off, a);
  }
  return json::Dump(d);
}

Result<std::string> Service::GetDataCatalogEncryptionSettings(
    const Caller& c, const GetDataCatalogEncryptionSettingsInput& in) {
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "GetDataCatalogEncryptionSettings", "catalog"));
  SEALSTACK_ASSIGN_OR_RETURN(CatalogSettings s, LoadCatalogSettings(Account(c), c.region));
  if (s.text.empty()) {
    return std::string(
        "{\"DataCatalogEncryptionSettings\":{\"EncryptionAtRest\":{\"CatalogEncryptionMode\":"
        "\"DISABLED\"},\"ConnectionPasswordEncryption\":{\"ReturnConnectionPasswordEncrypted\":"
        "false}}}");
  }
  return "{\"DataCatalogEncryptionSettings\":" + s.text + "}";
}

// ---------------------------------------------------------------- generic entity helpers

Status Service::PutEntity(const Caller& c, const std::string& kind, const std::string& parent,
                          const std::string& name, const std::string& plain, bool insert_only,
                          const std::string& exists_message) {
  SEALSTACK_ASSIGN_OR_RETURN(CatalogSettings settings, LoadCatalogSettings(Account(c), c.region));
  SEALSTACK_ASSIGN_OR_RETURN(std::string stored, SealCatalogDoc(c, settings, plain));
  if (kind == "connection" && stored == plain) {
    SEALSTACK_ASSIGN_OR_RETURN(stored, SealLocal(plain));
  }
  Status st = Mutate([&](storage::Connection& conn) {
    storage::GlueKey k = Key(c, kind, name, parent);
    return insert_only ? storage::GlueRepo::Insert(conn, k, stored)
                       : storage::GlueRepo::Put(conn, k, stored);
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return GlueError(ErrorKind::kAlreadyExists, exists_message);
  }
  return st;
}

std::string Lowered(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

Result<std::optional<std::string>> RawGet(storage::Database& db, const storage::GlueKey& k) {
  std::optional<std::string> out;
  Status st = db.WithConnection([&](storage::Connection& conn) -> Status {
    auto r = storage::GlueRepo::Get(conn, k);
    if (r.ok()) out = *r;
    return r.ok() || r.status().code() == StatusCode::kNotFound ? Status::Ok() : r.status();
  });
  SEALSTACK_RETURN_IF_ERROR(st);
  return out;
}

namespace {

// Drops a connection's password (HidePassword).
void HidePassword(Document& connection) {
  if (!connection.HasMember("ConnectionProperties")) return;
  connection["ConnectionProperties"].RemoveMember("PASSWORD");
  connection["ConnectionProperties"].RemoveMember("ENCRYPTED_PASSWORD");
}

}  // namespace

std::string RenderPage(const char* member, const std::vector<std::string>& docs,
                       const std::string& next_token) {
  std::string out = "{\"";
  out += member;
  out += "\":[";
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i > 0) out += ",";
    out += docs[i];
  }
  out += "]";
  if (!next_token.empty()) out += ",\"NextToken\":\"" + next_token + "\"";
  return out + "}";
}

Result<std::string> Service::OpenEntity(const Caller& c, const storage::GlueKey& key,
                                        const std::string& not_found) {
  SEALSTACK_ASSIGN_OR_RETURN(auto raw, RawGet(*deps_.db, key));
  if (!raw) return NotFound(not_found);
  return OpenCatalogDoc(c, *raw);
}

Status Service::RequireEntity(const storage::GlueKey& key, const std::string& not_found) {
  SEALSTACK_ASSIGN_OR_RETURN(auto raw, RawGet(*deps_.db, key));
  if (!raw) return NotFound(not_found);
  return Status::Ok();
}

Result<Service::EntityPage> Service::ListEntities(const Caller& c, const storage::GlueKey& prefix,
                                                  const std::string& after, size_t limit) {
  std::vector<storage::GlueRow> rows;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(rows, storage::GlueRepo::List(conn, prefix, after, limit + 1));
    return Status::Ok();
  }));
  EntityPage page;
  for (size_t i = 0; i < rows.size() && i < limit; ++i) {
    SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenCatalogDoc(c, rows[i].doc));
    page.docs.push_back(std::move(plain));
  }
  if (rows.size() > limit) page.next_token = json::Token(rows[limit - 1].name);
  return page;
}

// ---------------------------------------------------------------- databases

Result<std::string> Service::CreateDatabase(const Caller& c, const CreateDatabaseInput& in) {
  const std::string name = Lowered(in.database_input.name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "CreateDatabase", "database/" + name));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(in.database_input.json));
  auto& a = d.GetAllocator();
  json::SetStr(d, "Name", name, a);
  json::Set(d, "CreateTime", Value(json::Epoch(deps_.clock->Now())), a);
  json::SetStr(d, "CatalogId", Account(c), a);
  SEALSTACK_RETURN_IF_ERROR(PutEntity(c, "database", std::string(), name, json::Dump(d), true,
                                      "Database already exists."));
  return std::string("{}");
}

Result<std::string> Service::GetDatabase(const Caller& c, const GetDatabaseInput& in) {
  const std::string name = Lowered(in.name);
  SEALSTACK_RETURN_IF_ERROR(AuthorizeCatalog(c, in.catalog_id, "GetDatabase", "database/" + name));
  SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenEntity(c, Key(c, "database", name),
                                                           "Database " + name + " not found."));
  return "{\"Database\":" + plain + "}";
}

Result<std::string> Service::GetDatabases(const Caller& c, const GetDatabasesInput& in) {
  SEALSTACK_RETURN_IF_ERROR(AuthorizeCatalog(c, in.catalog_id, "GetDatabases", "database/*"));
  const std::string& after = in.page.after;
  const size_t limit = static_cast<size_t>(in.page.max_results.value_or(100));
  SEALSTACK_ASSIGN_OR_RETURN(EntityPage page,
                             ListEntities(c, Key(c, "database", ""), after, limit));
  return RenderPage("DatabaseList", page.docs, page.next_token);
}

Result<std::string> Service::UpdateDatabase(const Caller& c, const UpdateDatabaseInput& in) {
  const std::string name = Lowered(in.name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "UpdateDatabase", "database/" + name));
  SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenEntity(c, Key(c, "database", name),
                                                           "Database " + name + " not found."));
  SEALSTACK_ASSIGN_OR_RETURN(Document old, json::Load(plain));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(in.database_input_json));
  auto& a = d.GetAllocator();
  json::SetStr(d, "Name", name, a);
  json::Set(d, "CreateTime", Value(old["CreateTime"], a), a);
  json::SetStr(d, "CatalogId", Account(c), a);
  SEALSTACK_RETURN_IF_ERROR(
      PutEntity(c, "database", std::string(), name, json::Dump(d), false, ""));
  return std::string("{}");
}

Result<std::string> Service::DeleteDatabase(const Caller& c, const DeleteDatabaseInput& in) {
  const std::string name = Lowered(in.name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "DeleteDatabase", "database/" + name));
  bool deleted = false;
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(deleted, storage::GlueRepo::Delete(conn, Key(c, "database", name)));
    if (!deleted) return Status::Ok();
    SEALSTACK_ASSIGN_OR_RETURN(
        auto tables, storage::GlueRepo::List(conn, Key(c, "table", "", name), "", 1u << 30));
    for (const auto& t : tables) {
      SEALSTACK_RETURN_IF_ERROR(
          storage::GlueRepo::DeleteChildren(conn, Key(c, "partition", "", name + "/" + t.name)));
    }
    return storage::GlueRepo::DeleteChildren(conn, Key(c, "table", "", name));
  }));
  if (!deleted) return NotFound("Database " + name + " not found.");
  return std::string("{}");
}

// ---------------------------------------------------------------- tables

Result<std::string> Service::CreateTable(const Caller& c, const CreateTableInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string name = Lowered(in.table_input.name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "CreateTable", "table/" + db + "/" + name));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "database", db), "Database " + db + " not found."));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(in.table_input.json));
  auto& a = d.GetAllocator();
  const double now = json::Epoch(deps_.clock->Now());
  json::SetStr(d, "Name", name, a);
  json::SetStr(d, "DatabaseName", db, a);
  json::Set(d, "CreateTime", Value(now), a);
  json::Set(d, "UpdateTime", Value(now), a);
  json::SetStr(d, "CreatedBy", c.principal->arn, a);
  json::Set(d, "IsRegisteredWithLakeFormation", Value(false), a);
  json::SetStr(d, "CatalogId", Account(c), a);
  json::SetStr(d, "VersionId", "0", a);
  SEALSTACK_RETURN_IF_ERROR(
      PutEntity(c, "table", db, name, json::Dump(d), true, "Table already exists."));
  return std::string("{}");
}

Result<std::string> Service::GetTable(const Caller& c, const GetTableInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string name = Lowered(in.name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "GetTable", "table/" + db + "/" + name));
  SEALSTACK_ASSIGN_OR_RETURN(auto raw, RawGet(*deps_.db, Key(c, "table", name, db)));
  if (!raw) {
    SEALSTACK_ASSIGN_OR_RETURN(auto dbraw, RawGet(*deps_.db, Key(c, "database", db)));
    if (!dbraw) return NotFound("Database " + db + " not found.");
    return NotFound("Table " + name + " not found.");
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenCatalogDoc(c, *raw));
  return "{\"Table\":" + plain + "}";
}

Result<std::string> Service::GetTables(const Caller& c, const GetTablesInput& in) {
  const std::string db = Lowered(in.database_name);
  SEALSTACK_RETURN_IF_ERROR(AuthorizeCatalog(c, in.catalog_id, "GetTables", "table/" + db + "/*"));
  const std::string& after = in.page.after;
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "database", db), "Database " + db + " not found."));
  const size_t limit = static_cast<size_t>(in.page.max_results.value_or(100));
  SEALSTACK_ASSIGN_OR_RETURN(EntityPage page,
                             ListEntities(c, Key(c, "table", "", db), after, limit));
  return RenderPage("TableList", page.docs, page.next_token);
}

Result<std::string> Service::UpdateTable(const Caller& c, const UpdateTableInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string name = Lowered(in.table_input.name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "UpdateTable", "table/" + db + "/" + name));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string plain, OpenEntity(c, Key(c, "table", name, db), "Table " + name + " not found."));
  SEALSTACK_ASSIGN_OR_RETURN(Document old, json::Load(plain));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(in.table_input.json));
  auto& a = d.GetAllocator();
  json::SetStr(d, "Name", name, a);
  json::SetStr(d, "DatabaseName", db, a);
  json::Set(d, "CreateTime", Value(old["CreateTime"], a), a);
  json::Set(d, "UpdateTime", Value(json::Epoch(deps_.clock->Now())), a);
  json::Set(d, "CreatedBy", Value(old["CreatedBy"], a), a);
  json::Set(d, "IsRegisteredWithLakeFormation", Value(false), a);
  json::SetStr(d, "CatalogId", Account(c), a);
  const std::string version = std::to_string(
      std::stoll(json::Text(old, "VersionId").empty() ? std::string("0")
                                                      : std::string(old["VersionId"].GetString())) +
      1);
  json::SetStr(d, "VersionId", version, a);
  SEALSTACK_RETURN_IF_ERROR(PutEntity(c, "table", db, name, json::Dump(d), false, ""));
  return std::string("{}");
}

Result<std::string> Service::DeleteTable(const Caller& c, const DeleteTableInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string name = Lowered(in.name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "DeleteTable", "table/" + db + "/" + name));
  bool deleted = false;
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(deleted, storage::GlueRepo::Delete(conn, Key(c, "table", name, db)));
    return storage::GlueRepo::DeleteChildren(conn, Key(c, "partition", "", db + "/" + name));
  }));
  if (!deleted) return NotFound("Table " + name + " not found.");
  return std::string("{}");
}

// ---------------------------------------------------------------- connections

Result<std::string> Service::CreateConnection(const Caller& c, const CreateConnectionInput& in) {
  const std::string& name = in.connection_input.name;
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "CreateConnection", "connection/" + name));
  SEALSTACK_ASSIGN_OR_RETURN(CatalogSettings s, LoadCatalogSettings(Account(c), c.region));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(in.connection_input.json));
  auto& a = d.GetAllocator();
  const double now = json::Epoch(deps_.clock->Now());
  json::Set(d, "CreationTime", Value(now), a);
  json::Set(d, "LastUpdatedTime", Value(now), a);
  if (!d.HasMember("ConnectionProperties")) {
    d.AddMember("ConnectionProperties", Value(rapidjson::kObjectType), a);
  }
  Value& props = d["ConnectionProperties"];
  if (s.return_password_encrypted && props.HasMember("PASSWORD")) {
    // The password becomes a KMS ciphertext under the configured key (as the caller, via Glue).
    kms::Caller kc;
    kc.principal = c.principal;
    kc.region = c.region;
    kc.via_service = "glue." + c.region + ".amazonaws.com";
    auto enc = Kms().Encrypt(kc, s.password_key,
                             crypto::SecretBytes(std::string(props["PASSWORD"].GetString())), {},
                             c.request_id);
    if (!enc.ok()) return EncryptionError(enc.status());
    props.RemoveMember("PASSWORD");
    json::SetStr(props, "ENCRYPTED_PASSWORD", crypto::Base64(enc->ciphertext), a);
  }
  SEALSTACK_RETURN_IF_ERROR(PutEntity(c, "connection", std::string(), name, json::Dump(d), true,
                                      "Connection already exists."));
  return std::string("{}");
}

Result<std::string> Service::GetConnection(const Caller& c, const GetConnectionInput& in) {
  const std::string& name = in.name;
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "GetConnection", "connection/" + name));
  const bool hide_password = in.hide_password;
  SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenEntity(c, Key(c, "connection", name),
                                                           "Connection " + name + " not found."));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(plain));
  if (hide_password) HidePassword(d);
  return "{\"Connection\":" + json::Dump(d) + "}";
}

Result<std::string> Service::GetConnections(const Caller& c, const GetConnectionsInput& in) {
  SEALSTACK_RETURN_IF_ERROR(AuthorizeCatalog(c, in.catalog_id, "GetConnections", "connection/*"));
  const std::string& after = in.page.after;
  const bool hide_password = in.hide_password;
  const size_t limit = static_cast<size_t>(in.page.max_results.value_or(100));
  SEALSTACK_ASSIGN_OR_RETURN(EntityPage page,
                             ListEntities(c, Key(c, "connection", ""), after, limit));
  if (hide_password) {
    for (auto& doc : page.docs) {
      SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(doc));
      HidePassword(d);
      doc = json::Dump(d);
    }
  }
  return RenderPage("ConnectionList", page.docs, page.next_token);
}

Result<std::string> Service::DeleteConnection(const Caller& c, const DeleteConnectionInput& in) {
  const std::string& name = in.connection_name;
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "DeleteConnection", "connection/" + name));
  bool deleted = false;
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(deleted,
                               storage::GlueRepo::Delete(conn, Key(c, "connection", name)));
    return Status::Ok();
  }));
  if (!deleted) return NotFound("Connection " + name + " not found.");
  return std::string("{}");
}

}  // namespace sealstack::api::glue
