// glue::Service::AdminList (glue_service.h): the admin plane's read-only view of stored Glue
// state. It reads rows through GlueRepo and renders no secret: run logs, catalog documents and
// connection passwords stay where they are.
#include <algorithm>
#include <tuple>

#include "api/glue/glue_json.h"
#include "api/glue/glue_service.h"

namespace sealstack::api::glue {

namespace {

// The stored-document prefixes of glue_catalog.cpp (a KMS envelope; the root-derived seal).
constexpr std::string_view kAdminKmsSealed = "GKMS1:";
constexpr std::string_view kAdminLocalSealed = "GLOC1:";

}  // namespace

Result<std::vector<Service::AdminItem>> Service::AdminList(const std::string& kind) {
  std::vector<storage::GlueEntity> rows;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(rows, storage::GlueRepo::ListKind(conn, kind));
    return Status::Ok();
  }));
  const bool catalog_entity =
      kind == "database" || kind == "table" || kind == "partition" || kind == "connection";
  std::vector<AdminItem> out;
  out.reserve(rows.size());
  for (auto& row : rows) {
    AdminItem item{row.key.account, row.key.region, kind, row.key.parent, row.key.name, "", "", ""};
    const std::string& stored = row.doc;
    if (catalog_entity) {
      std::string plain;
      bool readable = false;
      if (stored.rfind(kAdminKmsSealed, 0) == 0) {
        auto env = json::Load(stored.substr(kAdminKmsSealed.size()));
        if (env.ok()) item.kms_key_arn = json::Text(*env, "key");
      } else if (stored.rfind(kAdminLocalSealed, 0) == 0) {
        auto opened = OpenLocal(stored);
        if (opened.ok()) {
          plain = std::move(*opened);
          readable = true;
        }
      } else {
        plain = stored;
        readable = true;
      }
      if (kind == "connection") {
        item.password = "unknown";
        if (readable) {
          auto d = json::Load(plain);
          const json::Value* props = d.ok() ? json::Find(*d, "ConnectionProperties") : nullptr;
          item.password = "none";
          if (props != nullptr && props->IsObject()) {
            if (json::Find(*props, "ENCRYPTED_PASSWORD") != nullptr) {
              item.password = "encrypted";
            } else if (json::Find(*props, "PASSWORD") != nullptr) {
              item.password = "plain";
            }
          }
        }
      }
    } else if (kind == "run") {
      auto d = json::Load(stored);
      const json::Value* run = d.ok() ? json::Find(*d, "JobRun") : nullptr;
      if (run != nullptr) item.doc = json::Dump(*run);
      // A log sealed under a CloudWatchEncryption key needs that key to be read.
      const json::Value* log = d.ok() ? json::Find(*d, "Log") : nullptr;
      const json::Value* encrypted = log != nullptr ? json::Find(*log, "encrypted") : nullptr;
      if (encrypted != nullptr && encrypted->IsBool() && encrypted->GetBool()) {
        item.kms_key_arn = json::Text(*log, "key");
      }
    } else {
      item.doc = stored;
    }
    out.push_back(std::move(item));
  }
  std::sort(out.begin(), out.end(), [](const AdminItem& a, const AdminItem& b) {
    return std::tie(a.account, a.region, a.parent, a.name) <
           std::tie(b.account, b.region, b.parent, b.name);
  });
  return out;
}

}  // namespace sealstack::api::glue
