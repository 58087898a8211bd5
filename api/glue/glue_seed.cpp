// The seed document's "glue" section (docs/seed.schema.json, docs/admin-api.md):
//
//   "glue": {
//     "security_configurations": [{"account"?, "region"?, "Name", "EncryptionConfiguration"}],
//     "catalog_encryption": [{"account"?, "region"?, "DataCatalogEncryptionSettings"}]
//   }
//
// Entries are validated by the readers of CreateSecurityConfiguration and
// PutDataCatalogEncryptionSettings requests (glue_wire_readers.h; the catalog's service role is
// resolved when it is used, so a role seeded in the same document may be named). Applying is
// declarative and idempotent.
#include <rapidjson/document.h>

#include <set>

#include "api/common/json_input.h"
#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/glue/glue_wire_readers.h"
#include "common/identifiers.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

namespace {

// account / region of an entry, defaulted and checked.
Status Place(const Value& v, const std::string& where, const std::string& default_account,
             const std::string& default_region, std::string* account, std::string* region) {
  *account = default_account;
  *region = default_region;
  for (auto [key, out] : {std::pair{"account", account}, std::pair{"region", region}}) {
    auto it = v.FindMember(key);
    if (it == v.MemberEnd() || it->value.IsNull()) continue;
    if (!it->value.IsString()) return InvalidField(where + "." + key, "expected a string");
    *out = it->value.GetString();
  }
  if (!IsAccountId(*account)) return InvalidField(where + ".account", "expected 12 digits");
  if (!IsRegionName(*region)) {
    return InvalidField(where + ".region", "expected a region such as us-east-1");
  }
  return Status::Ok();
}

const Value* List(const Value& glue, const char* key, Status* error) {
  auto it = glue.FindMember(key);
  if (it == glue.MemberEnd() || it->value.IsNull()) return nullptr;
  if (!it->value.IsArray()) {
    *error = InvalidField(std::string("glue.") + key, "expected a list");
    return nullptr;
  }
  return &it->value;
}

bool SameJson(const std::string& a, const std::string& b) {
  Document da, db;
  da.Parse(a.c_str());
  db.Parse(b.c_str());
  return !da.HasParseError() && !db.HasParseError() && da == db;
}

}  // namespace

Result<Service::SeedRequest> Service::ParseSeed(const Value& glue,
                                                const std::string& default_account,
                                                const std::string& default_region) {
  SeedRequest out;
  if (!glue.IsObject()) return InvalidField("glue", "expected an object");
  SEALSTACK_RETURN_IF_ERROR(
      OnlyKnown(glue, "glue", {"security_configurations", "catalog_encryption"}));
  Status error;
  if (const Value* list = List(glue, "security_configurations", &error)) {
    std::set<std::string> seen;
    for (const auto& v : list->GetArray()) {
      const std::string where = "glue.security_configurations[" +
                                std::to_string(out.security_configurations.size()) + "]";
      if (!v.IsObject()) return InvalidField(where, "expected an object");
      SEALSTACK_RETURN_IF_ERROR(
          OnlyKnown(v, where, {"account", "region", "Name", "EncryptionConfiguration"}));
      SeedSecurityConfiguration sc;
      SEALSTACK_RETURN_IF_ERROR(
          Place(v, where, default_account, default_region, &sc.account, &sc.region));
      JsonInput entry = JsonInput::Of(v, GlueInputStyle());
      sc.name = entry.String("Name", true, 1, 255).value_or("");
      Status valid = GlueInputStatus(entry);
      if (!valid.ok()) return InvalidField(where + ".Name", valid.message());
      if (entry.Kind("EncryptionConfiguration") == JsonKind::kNull) {
        return InvalidField(where + ".EncryptionConfiguration", "required");
      }
      JsonInput ec = entry.Get("EncryptionConfiguration").WithOwnErrors();
      auto read = ReadEncryptionConfiguration(ec);
      valid = GlueInputStatus(ec);
      if (!valid.ok()) return InvalidField(where + ".EncryptionConfiguration", valid.message());
      sc.encryption_configuration = read->json;
      if (!seen.insert(sc.account + "/" + sc.region + "/" + sc.name).second) {
        return InvalidField(where + ".Name",
                            "the security configuration " + sc.name + " appears twice");
      }
      out.security_configurations.push_back(std::move(sc));
    }
  }
  SEALSTACK_RETURN_IF_ERROR(error);
  if (const Value* list = List(glue, "catalog_encryption", &error)) {
    std::set<std::string> seen;
    for (const auto& v : list->GetArray()) {
      const std::string where =
          "glue.catalog_encryption[" + std::to_string(out.catalog_encryption.size()) + "]";
      if (!v.IsObject()) return InvalidField(where, "expected an object");
      SEALSTACK_RETURN_IF_ERROR(
          OnlyKnown(v, where, {"account", "region", "DataCatalogEncryptionSettings"}));
      SeedCatalogEncryption ce;
      SEALSTACK_RETURN_IF_ERROR(
          Place(v, where, default_account, default_region, &ce.account, &ce.region));
      JsonInput entry = JsonInput::Of(v, GlueInputStyle());
      JsonInput s = entry.Get("DataCatalogEncryptionSettings");
      if (s.kind() == JsonKind::kNull) {
        return InvalidField(where + ".DataCatalogEncryptionSettings", "required");
      }
      if (s.kind() != JsonKind::kObject) {
        return InvalidField(where + ".DataCatalogEncryptionSettings", "expected an object");
      }
      auto settings = ReadDataCatalogEncryptionSettings(s);
      Status valid = GlueInputStatus(s);
      if (!valid.ok())
        return InvalidField(where + ".DataCatalogEncryptionSettings", valid.message());
      auto doc = CatalogSettingsDoc(ce.account, *settings, nullptr);
      if (!doc.ok())
        return InvalidField(where + ".DataCatalogEncryptionSettings", doc.status().message());
      ce.settings = *doc;  // as stored
      if (!seen.insert(ce.account + "/" + ce.region).second) {
        return InvalidField(where,
                            "the catalog of " + ce.account + " in " + ce.region + " appears twice");
      }
      out.catalog_encryption.push_back(std::move(ce));
    }
  }
  SEALSTACK_RETURN_IF_ERROR(error);
  return out;
}

Result<size_t> Service::ApplySeed(const SeedRequest& seed) {
  const double now = json::Epoch(deps_.clock->Now());
  size_t changed = 0;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithTransaction([&](storage::Connection& conn) -> Status {
    changed = 0;
    for (const auto& sc : seed.security_configurations) {
      const storage::GlueKey key{sc.account, sc.region, "secconf", "", sc.name};
      auto stored = storage::GlueRepo::Get(conn, key);
      if (stored.ok()) {
        auto doc = json::Load(*stored);
        const Value* ec = doc.ok() ? json::Find(*doc, "EncryptionConfiguration") : nullptr;
        if (ec != nullptr && SameJson(json::Dump(*ec), sc.encryption_configuration)) continue;
      } else if (stored.status().code() != StatusCode::kNotFound) {
        return stored.status();
      }
      Document doc(rapidjson::kObjectType);
      auto& a = doc.GetAllocator();
      Document ec;
      ec.Parse(sc.encryption_configuration.c_str());
      json::SetStr(doc, "Name", sc.name, a);
      doc.AddMember("CreatedTimeStamp", now, a);
      doc.AddMember("EncryptionConfiguration", Value(ec, a), a);
      SEALSTACK_RETURN_IF_ERROR(storage::GlueRepo::Put(conn, key, json::Dump(doc)));
      ++changed;
    }
    for (size_t i = 0; i < seed.catalog_encryption.size(); ++i) {
      const SeedCatalogEncryption& ce = seed.catalog_encryption[i];
      const storage::GlueKey key{ce.account, ce.region, "catalog", "", ""};
      auto stored = storage::GlueRepo::Get(conn, key);
      if (stored.ok() && SameJson(*stored, ce.settings)) continue;
      if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
      SEALSTACK_RETURN_IF_ERROR(storage::GlueRepo::Put(conn, key, ce.settings));
      ++changed;
    }
    return Status::Ok();
  }));
  return changed;
}

}  // namespace sealstack::api::glue
