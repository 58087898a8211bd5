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

std::string Lowered(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

Status EncryptionError(const Status& kms_status) {
  KmsFailure w = DescribeKmsFailure(kms_status);
  return GlueError(ErrorKind::kGlueEncryption,
                   w.message + " (Service: AWSKMS; Error Code: " + w.code + ")");
}

Status CheckCatalogId(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string id, json::Str(in, "CatalogId", false, 1, 255));
  if (!id.empty() && id != Account(c)) {
    return GlueError(ErrorKind::kAccessDenied,
                     "User: " + c.principal->arn + " is not authorized to access catalog " + id);
  }
  return Status::Ok();
}

// CheckCatalogId, then DatabaseName and the member `name` names (1-255 characters each), lowered
// as the catalog stores names.
struct CatalogPath {
  std::string db, name;
};
Result<CatalogPath> ReadCatalogPath(const Caller& c, const Value& in, const char* name) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string db, json::Str(in, "DatabaseName", true, 1, 255));
  SEALSTACK_ASSIGN_OR_RETURN(std::string second, json::Str(in, name, true, 1, 255));
  return CatalogPath{Lowered(db), Lowered(second)};
}

}  // namespace

Result<Service::CatalogSettings> Service::LoadCatalogSettings(const std::string& account,
                                                              const std::string& region) {
  CatalogSettings s;
  std::string text;
  Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(text,
                               storage::GlueRepo::Get(conn, {account, region, "catalog", "", ""}));
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) return s;
  SEALSTACK_RETURN_IF_ERROR(st);
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(text));
  s.text = text;
  if (const Value* ear = json::Find(d, "EncryptionAtRest")) {
    s.mode = json::Str(*ear, "CatalogEncryptionMode", false).value();
    s.key = json::Str(*ear, "SseAwsKmsKeyId", false).value();
    s.service_role = json::Str(*ear, "CatalogEncryptionServiceRole", false).value();
  }
  if (const Value* cpe = json::Find(d, "ConnectionPasswordEncryption")) {
    const Value* r = json::Find(*cpe, "ReturnConnectionPasswordEncrypted");
    s.return_password_encrypted = r != nullptr && r->IsBool() && r->GetBool();
    s.password_key = json::Str(*cpe, "AwsKmsKeyId", false).value();
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
  auto blob = crypto::FromBase64(json::Str(env, "blob", false).value());
  auto nonce = crypto::FromBase64(json::Str(env, "nonce", false).value());
  auto ct = crypto::FromBase64(json::Str(env, "ct", false).value());
  if (!blob || !nonce || !ct) return GlueError(ErrorKind::kInternal, "corrupt catalog entry");
  auto dk = Kms().Decrypt(kc, json::Str(env, "key", false).value(), *blob,
                          {{"glue_catalog_id", Account(c)}}, c.request_id);
  if (!dk.ok()) return EncryptionError(dk.status());
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes plain,
                             crypto::AesGcmOpen(dk->plaintext, *nonce, "", *ct));
  return plain.Reveal();
}

// ---------------------------------------------------------------- encryption settings

Result<std::string> Service::PutDataCatalogEncryptionSettings(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "PutDataCatalogEncryptionSettings", GlueArn(c, "catalog")));
  const Value* s = json::Find(in, "DataCatalogEncryptionSettings");
  if (s == nullptr) return json::Missing("DataCatalogEncryptionSettings");
  SEALSTACK_ASSIGN_OR_RETURN(const std::string text,
                             CatalogSettingsDoc(Account(c), *s, deps_.principals.get()));
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Put(conn, Key(c, "catalog", ""), text);
  }));
  return std::string("{}");
}

Result<std::string> Service::CatalogSettingsDoc(const std::string& account, const Value& s,
                                                const auth::PrincipalStore* roles) {
  if (!s.IsObject()) return InvalidInput("DataCatalogEncryptionSettings must be a structure");
  if (const Value* ear = json::Find(s, "EncryptionAtRest")) {
    SEALSTACK_RETURN_IF_ERROR(json::Enum(
        *ear, "CatalogEncryptionMode", {"DISABLED", "SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"}, true));
    SEALSTACK_ASSIGN_OR_RETURN(std::string mode, json::Str(*ear, "CatalogEncryptionMode", true));
    SEALSTACK_ASSIGN_OR_RETURN(std::string key, json::Str(*ear, "SseAwsKmsKeyId", false, 1, 255));
    SEALSTACK_ASSIGN_OR_RETURN(std::string role,
                               json::Str(*ear, "CatalogEncryptionServiceRole", false));
    if (mode == "DISABLED" && !key.empty()) {
      return InvalidInput(
          "SseAwsKmsKeyId must not be given when CatalogEncryptionMode is DISABLED");
    }
    if (mode == "SSE-KMS-WITH-SERVICE-ROLE") {
      if (role.empty()) {
        return InvalidInput(
            "CatalogEncryptionServiceRole is required when CatalogEncryptionMode is "
            "SSE-KMS-WITH-SERVICE-ROLE");
      }
      if (roles != nullptr) {
        SEALSTACK_RETURN_IF_ERROR(ResolveRole(*roles, account, role).status());
      }
    } else if (!role.empty()) {
      return InvalidInput(
          "CatalogEncryptionServiceRole is only valid with SSE-KMS-WITH-SERVICE-ROLE");
    }
  }
  if (const Value* cpe = json::Find(s, "ConnectionPasswordEncryption")) {
    const Value* r = json::Find(*cpe, "ReturnConnectionPasswordEncrypted");
    if (r == nullptr) return json::Missing("ReturnConnectionPasswordEncrypted");
    if (!r->IsBool()) return InvalidInput("ReturnConnectionPasswordEncrypted must be a boolean");
    SEALSTACK_ASSIGN_OR_RETURN(std::string key, json::Str(*cpe, "AwsKmsKeyId", false, 1, 255));
    if (r->GetBool() && key.empty()) {
      return InvalidInput("AwsKmsKeyId is required when ReturnConnectionPasswordEncrypted is true");
    }
  }
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  if (const Value* ear = json::Find(s, "EncryptionAtRest")) {
    d.AddMember("EncryptionAtRest", Value(*ear, a), a);
  } else {
    Value disabled(rapidjson::kObjectType);
    disabled.AddMember("CatalogEncryptionMode", "DISABLED", a);
    d.AddMember("EncryptionAtRest", disabled, a);
  }
  if (const Value* cpe = json::Find(s, "ConnectionPasswordEncryption")) {
    d.AddMember("ConnectionPasswordEncryption", Value(*cpe, a), a);
  } else {
    Value off(rapidjson::kObjectType);
    off.AddMember("ReturnConnectionPasswordEncrypted", false, a);
    d.AddMember("ConnectionPasswordEncryption", off, a);
  }
  return json::Dump(d);
}

Result<std::string> Service::GetDataCatalogEncryptionSettings(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "GetDataCatalogEncryptionSettings", GlueArn(c, "catalog")));
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

namespace {

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

// Drops a connection's password (HidePassword).
void HidePassword(Document& connection) {
  if (!connection.HasMember("ConnectionProperties")) return;
  connection["ConnectionProperties"].RemoveMember("PASSWORD");
  connection["ConnectionProperties"].RemoveMember("ENCRYPTED_PASSWORD");
}

// {"<member>":[doc,...],"NextToken":...} from a page of opened documents.
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

}  // namespace

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

Result<std::string> Service::CreateDatabase(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  const Value* di = json::Find(in, "DatabaseInput");
  if (di == nullptr) return json::Missing("DatabaseInput");
  if (!di->IsObject()) return InvalidInput("DatabaseInput must be a structure");
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(*di, "Name", true, 1, 255));
  name = Lowered(name);
  SEALSTACK_RETURN_IF_ERROR(json::Str(*di, "Description", false, 0, 2048).status());
  SEALSTACK_RETURN_IF_ERROR(json::StringMap(*di, "Parameters"));
  SEALSTACK_RETURN_IF_ERROR(json::StringMap(in, "Tags"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateDatabase", GlueArn(c, "database/" + name)));
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.CopyFrom(*di, a);
  json::SetStr(d, "Name", name, a);
  json::Set(d, "CreateTime", Value(json::Epoch(deps_.clock->Now())), a);
  json::SetStr(d, "CatalogId", Account(c), a);
  SEALSTACK_RETURN_IF_ERROR(PutEntity(c, "database", std::string(), name, json::Dump(d), true,
                                      "Database already exists."));
  return std::string("{}");
}

Result<std::string> Service::GetDatabase(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "Name", true, 1, 255));
  name = Lowered(name);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetDatabase", GlueArn(c, "database/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenEntity(c, Key(c, "database", name),
                                                           "Database " + name + " not found."));
  return "{\"Database\":" + plain + "}";
}

Result<std::string> Service::GetDatabases(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetDatabases", GlueArn(c, "database/*")));
  SEALSTACK_ASSIGN_OR_RETURN(auto max, json::Int(in, "MaxResults", 1, 100));
  SEALSTACK_ASSIGN_OR_RETURN(std::string after, json::FromToken(in));
  const size_t limit = static_cast<size_t>(max.value_or(100));
  SEALSTACK_ASSIGN_OR_RETURN(EntityPage page,
                             ListEntities(c, Key(c, "database", ""), after, limit));
  return RenderPage("DatabaseList", page.docs, page.next_token);
}

Result<std::string> Service::UpdateDatabase(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "Name", true, 1, 255));
  name = Lowered(name);
  const Value* di = json::Find(in, "DatabaseInput");
  if (di == nullptr) return json::Missing("DatabaseInput");
  if (!di->IsObject()) return InvalidInput("DatabaseInput must be a structure");
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UpdateDatabase", GlueArn(c, "database/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenEntity(c, Key(c, "database", name),
                                                           "Database " + name + " not found."));
  SEALSTACK_ASSIGN_OR_RETURN(Document old, json::Load(plain));
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.CopyFrom(*di, a);
  json::SetStr(d, "Name", name, a);
  json::Set(d, "CreateTime", Value(old["CreateTime"], a), a);
  json::SetStr(d, "CatalogId", Account(c), a);
  SEALSTACK_RETURN_IF_ERROR(
      PutEntity(c, "database", std::string(), name, json::Dump(d), false, ""));
  return std::string("{}");
}

Result<std::string> Service::DeleteDatabase(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "Name", true, 1, 255));
  name = Lowered(name);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteDatabase", GlueArn(c, "database/" + name)));
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

namespace {

Status CheckTableInput(const Value* ti) {
  if (ti == nullptr) return json::Missing("TableInput");
  if (!ti->IsObject()) return InvalidInput("TableInput must be a structure");
  SEALSTACK_RETURN_IF_ERROR(json::Str(*ti, "Name", true, 1, 255).status());
  SEALSTACK_RETURN_IF_ERROR(json::Str(*ti, "Description", false, 0, 2048).status());
  SEALSTACK_RETURN_IF_ERROR(json::StringMap(*ti, "Parameters"));
  SEALSTACK_RETURN_IF_ERROR(json::ObjectOrAbsent(*ti, "StorageDescriptor"));
  return Status::Ok();
}

}  // namespace

Result<std::string> Service::CreateTable(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string db, json::Str(in, "DatabaseName", true, 1, 255));
  db = Lowered(db);
  const Value* ti = json::Find(in, "TableInput");
  SEALSTACK_RETURN_IF_ERROR(CheckTableInput(ti));
  const std::string name = Lowered((*ti)["Name"].GetString());
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateTable", GlueArn(c, "table/" + db + "/" + name)));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "database", db), "Database " + db + " not found."));
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.CopyFrom(*ti, a);
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

Result<std::string> Service::GetTable(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(CatalogPath path, ReadCatalogPath(c, in, "Name"));
  const std::string& db = path.db;
  const std::string& name = path.name;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetTable", GlueArn(c, "table/" + db + "/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(auto raw, RawGet(*deps_.db, Key(c, "table", name, db)));
  if (!raw) {
    SEALSTACK_ASSIGN_OR_RETURN(auto dbraw, RawGet(*deps_.db, Key(c, "database", db)));
    if (!dbraw) return NotFound("Database " + db + " not found.");
    return NotFound("Table " + name + " not found.");
  }
  SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenCatalogDoc(c, *raw));
  return "{\"Table\":" + plain + "}";
}

Result<std::string> Service::GetTables(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string db, json::Str(in, "DatabaseName", true, 1, 255));
  db = Lowered(db);
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetTables", GlueArn(c, "table/" + db + "/*")));
  SEALSTACK_ASSIGN_OR_RETURN(auto max, json::Int(in, "MaxResults", 1, 100));
  SEALSTACK_ASSIGN_OR_RETURN(std::string after, json::FromToken(in));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "database", db), "Database " + db + " not found."));
  const size_t limit = static_cast<size_t>(max.value_or(100));
  SEALSTACK_ASSIGN_OR_RETURN(EntityPage page,
                             ListEntities(c, Key(c, "table", "", db), after, limit));
  return RenderPage("TableList", page.docs, page.next_token);
}

Result<std::string> Service::UpdateTable(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string db, json::Str(in, "DatabaseName", true, 1, 255));
  db = Lowered(db);
  const Value* ti = json::Find(in, "TableInput");
  SEALSTACK_RETURN_IF_ERROR(CheckTableInput(ti));
  const std::string name = Lowered((*ti)["Name"].GetString());
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UpdateTable", GlueArn(c, "table/" + db + "/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string plain, OpenEntity(c, Key(c, "table", name, db), "Table " + name + " not found."));
  SEALSTACK_ASSIGN_OR_RETURN(Document old, json::Load(plain));
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.CopyFrom(*ti, a);
  json::SetStr(d, "Name", name, a);
  json::SetStr(d, "DatabaseName", db, a);
  json::Set(d, "CreateTime", Value(old["CreateTime"], a), a);
  json::Set(d, "UpdateTime", Value(json::Epoch(deps_.clock->Now())), a);
  json::Set(d, "CreatedBy", Value(old["CreatedBy"], a), a);
  json::Set(d, "IsRegisteredWithLakeFormation", Value(false), a);
  json::SetStr(d, "CatalogId", Account(c), a);
  const std::string version =
      std::to_string(std::stoll(json::Str(old, "VersionId", false).value().empty()
                                    ? std::string("0")
                                    : std::string(old["VersionId"].GetString())) +
                     1);
  json::SetStr(d, "VersionId", version, a);
  SEALSTACK_RETURN_IF_ERROR(PutEntity(c, "table", db, name, json::Dump(d), false, ""));
  return std::string("{}");
}

Result<std::string> Service::DeleteTable(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(CatalogPath path, ReadCatalogPath(c, in, "Name"));
  const std::string& db = path.db;
  const std::string& name = path.name;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteTable", GlueArn(c, "table/" + db + "/" + name)));
  bool deleted = false;
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(deleted, storage::GlueRepo::Delete(conn, Key(c, "table", name, db)));
    return storage::GlueRepo::DeleteChildren(conn, Key(c, "partition", "", db + "/" + name));
  }));
  if (!deleted) return NotFound("Table " + name + " not found.");
  return std::string("{}");
}

// ---------------------------------------------------------------- partitions

namespace {

Result<std::string> PartitionName(const Value& values) {
  if (!values.IsArray()) return InvalidInput("Values must be a list of strings");
  std::string name;
  for (const auto& v : values.GetArray()) {
    if (!v.IsString()) return InvalidInput("Values must be a list of strings");
    if (!name.empty()) name += '\x1f';
    name += v.GetString();
  }
  return name;
}

}  // namespace

Result<std::string> Service::CreatePartition(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(CatalogPath path, ReadCatalogPath(c, in, "TableName"));
  const std::string& db = path.db;
  const std::string& table = path.name;
  const Value* pi = json::Find(in, "PartitionInput");
  if (pi == nullptr) return json::Missing("PartitionInput");
  if (!pi->IsObject()) return InvalidInput("PartitionInput must be a structure");
  const Value* values = json::Find(*pi, "Values");
  if (values == nullptr) return json::Missing("Values");
  SEALSTACK_ASSIGN_OR_RETURN(std::string pname, PartitionName(*values));
  SEALSTACK_RETURN_IF_ERROR(
      Authorize(c, "CreatePartition", GlueArn(c, "table/" + db + "/" + table)));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "table", table, db), "Table " + table + " not found."));
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.CopyFrom(*pi, a);
  json::SetStr(d, "DatabaseName", db, a);
  json::SetStr(d, "TableName", table, a);
  json::Set(d, "CreationTime", Value(json::Epoch(deps_.clock->Now())), a);
  json::SetStr(d, "CatalogId", Account(c), a);
  SEALSTACK_RETURN_IF_ERROR(PutEntity(c, "partition", db + "/" + table, pname, json::Dump(d), true,
                                      "Partition already exists."));
  return std::string("{}");
}

Result<std::string> Service::BatchCreatePartition(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string db, json::Str(in, "DatabaseName", true, 1, 255));
  SEALSTACK_ASSIGN_OR_RETURN(std::string table, json::Str(in, "TableName", true, 1, 255));
  const Value* list = json::Find(in, "PartitionInputList");
  if (list == nullptr) return json::Missing("PartitionInputList");
  if (!list->IsArray() || list->Size() > 100) {
    return InvalidInput("PartitionInputList must be a list of at most 100 partitions");
  }
  Document errors(rapidjson::kArrayType);
  auto& a = errors.GetAllocator();
  for (const auto& pi : list->GetArray()) {
    Document one(rapidjson::kObjectType);
    auto& oa = one.GetAllocator();
    json::SetStr(one, "DatabaseName", db, oa);
    json::SetStr(one, "TableName", table, oa);
    one.AddMember("PartitionInput", Value(pi, oa), oa);
    auto r = CreatePartition(c, one);
    if (r.ok()) continue;
    if (r.status().code() == StatusCode::kAccessDenied) return r.status();
    Value e(rapidjson::kObjectType), detail(rapidjson::kObjectType);
    if (const Value* v = json::Find(pi, "Values")) e.AddMember("PartitionValues", Value(*v, a), a);
    json::SetStr(detail, "ErrorCode",
                 ErrorKindName(static_cast<ErrorKind>(
                     r.status().detail() != 0 ? r.status().detail()
                                              : static_cast<int>(ErrorKind::kInternal))),
                 a);
    json::SetStr(detail, "ErrorMessage", r.status().message(), a);
    e.AddMember("ErrorDetail", detail, a);
    errors.PushBack(e, a);
  }
  return "{\"Errors\":" + json::Dump(errors) + "}";
}

Result<std::string> Service::GetPartition(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(CatalogPath path, ReadCatalogPath(c, in, "TableName"));
  const std::string& db = path.db;
  const std::string& table = path.name;
  const Value* values = json::Find(in, "PartitionValues");
  if (values == nullptr) return json::Missing("PartitionValues");
  SEALSTACK_ASSIGN_OR_RETURN(std::string pname, PartitionName(*values));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetPartition", GlueArn(c, "table/" + db + "/" + table)));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string plain,
      OpenEntity(c, Key(c, "partition", pname, db + "/" + table), "Cannot find partition."));
  return "{\"Partition\":" + plain + "}";
}

Result<std::string> Service::GetPartitions(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(CatalogPath path, ReadCatalogPath(c, in, "TableName"));
  const std::string& db = path.db;
  const std::string& table = path.name;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetPartitions", GlueArn(c, "table/" + db + "/" + table)));
  SEALSTACK_ASSIGN_OR_RETURN(auto max, json::Int(in, "MaxResults", 1, 1000));
  SEALSTACK_ASSIGN_OR_RETURN(std::string after, json::FromToken(in));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "table", table, db), "Table " + table + " not found."));
  const size_t limit = static_cast<size_t>(max.value_or(1000));
  SEALSTACK_ASSIGN_OR_RETURN(
      EntityPage page, ListEntities(c, Key(c, "partition", "", db + "/" + table), after, limit));
  return RenderPage("Partitions", page.docs, page.next_token);
}

// ---------------------------------------------------------------- connections

Result<std::string> Service::CreateConnection(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  const Value* ci = json::Find(in, "ConnectionInput");
  if (ci == nullptr) return json::Missing("ConnectionInput");
  if (!ci->IsObject()) return InvalidInput("ConnectionInput must be a structure");
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(*ci, "Name", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(json::Str(*ci, "ConnectionType", true).status());
  SEALSTACK_RETURN_IF_ERROR(json::StringMap(*ci, "ConnectionProperties"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateConnection", GlueArn(c, "connection/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(CatalogSettings s, LoadCatalogSettings(Account(c), c.region));
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  d.CopyFrom(*ci, a);
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

Result<std::string> Service::GetConnection(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "Name", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetConnection", GlueArn(c, "connection/" + name)));
  const Value* hide = json::Find(in, "HidePassword");
  const bool hide_password = hide != nullptr && hide->IsBool() && hide->GetBool();
  SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenEntity(c, Key(c, "connection", name),
                                                           "Connection " + name + " not found."));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(plain));
  if (hide_password) HidePassword(d);
  return "{\"Connection\":" + json::Dump(d) + "}";
}

Result<std::string> Service::GetConnections(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetConnections", GlueArn(c, "connection/*")));
  SEALSTACK_ASSIGN_OR_RETURN(auto max, json::Int(in, "MaxResults", 1, 1000));
  SEALSTACK_ASSIGN_OR_RETURN(std::string after, json::FromToken(in));
  const Value* hide = json::Find(in, "HidePassword");
  const bool hide_password = hide != nullptr && hide->IsBool() && hide->GetBool();
  const size_t limit = static_cast<size_t>(max.value_or(100));
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

Result<std::string> Service::DeleteConnection(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in));
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "ConnectionName", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteConnection", GlueArn(c, "connection/" + name)));
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
