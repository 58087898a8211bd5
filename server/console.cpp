#include "server/console.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "api/common/json_fields.h"
#include "api/s3/bucket_rules.h"
#include "common/time_format.h"
#include "server/admin_response.h"
#include "server/console_assets.h"
#include "server/posture_inventory.h"

namespace sealstack::server {

namespace {

namespace kms = api::kms;
namespace s3 = api::s3;
using ConsoleWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void PutTime(ConsoleWriter& w, const char* k, const std::optional<SystemTime>& t) {
  w.Key(k);
  if (t) {
    const std::string s = FormatIso8601(*t);
    w.String(s.c_str());
  } else {
    w.Null();
  }
}

// A stored JSON document embedded as JSON ("" -> null).
void PutRaw(ConsoleWriter& w, const char* k, const std::string& json) {
  w.Key(k);
  rapidjson::Document d;
  d.Parse(json.c_str(), json.size());
  if (json.empty() || d.HasParseError()) {
    if (json.empty()) {
      w.Null();
    } else {
      w.String(json.c_str(), static_cast<rapidjson::SizeType>(json.size()));
    }
    return;
  }
  d.Accept(w);
}

std::string Query(const auth::HttpRequestHead& head, std::string_view name) {
  for (const auto& [k, v] : auth::ParseQuery(head.RawQuery())) {
    if (k == name) return v;
  }
  return "";
}

void KeySummary(ConsoleWriter& w, const kms::Key& k, const KeyDirectory& keys) {
  api::WriteJsonString(w, "arn", k.arn);
  api::WriteJsonString(w, "id", k.id);
  api::WriteJsonString(w, "account", k.account);
  api::WriteJsonString(w, "region", k.region);
  api::WriteJsonString(w, "state", kms::Name(k.state));
  api::WriteJsonString(w, "usable", KeyUsability(&k));
  api::WriteJsonString(w, "spec", kms::Name(k.spec));
  api::WriteJsonString(w, "usage", kms::Name(k.usage));
  api::WriteJsonString(w, "origin", kms::Name(k.origin));
  api::WriteJsonString(w, "manager", kms::Name(k.manager));
  api::WriteJsonString(w, "description", k.description);
  PutTime(w, "created", k.created);
  api::WriteJsonBool(w, "rotation_enabled", k.rotation_enabled);
  api::WriteJsonInt64(w, "rotation_period_days", k.rotation_period_days);
  PutTime(w, "next_rotation", k.next_rotation);
  PutTime(w, "deletion_date", k.deletion_date);
  PutTime(w, "valid_to", k.valid_to);
  api::WriteJsonBool(w, "multi_region", k.multi_region);
  api::WriteJsonStringList(w, "aliases", keys.AliasesOf(k));
}

api::ApiResponse ListKeysView(ServerContext& context, const auth::HttpRequestHead& head,
                              const api::RequestIds& ids) {
  const std::string account = Query(head, "account");
  KeyDirectory keys(*context.kms);
  rapidjson::StringBuffer buf;
  ConsoleWriter w(buf);
  w.StartObject();
  w.Key("keys");
  w.StartArray();
  for (const auto& k : keys.keys()) {
    if (!account.empty() && k->account != account) continue;
    w.StartObject();
    KeySummary(w, *k, keys);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

const kms::Key* FindKey(const KeyDirectory& keys, const std::string& ref) {
  if (const kms::Key* k = keys.ByArn(ref)) return k;
  for (const auto& k : keys.keys()) {
    if (k->id == ref) return k.get();
    const auto aliases = keys.AliasesOf(*k);
    if (std::find(aliases.begin(), aliases.end(), ref) != aliases.end()) return k.get();
  }
  return nullptr;
}

api::ApiResponse KeyView(ServerContext& context, std::string_view raw_ref,
                         const api::RequestIds& ids) {
  std::string ref;
  if (!auth::UriDecode(raw_ref, &ref)) ref = std::string(raw_ref);
  KeyDirectory keys(*context.kms);
  const kms::Key* k = FindKey(keys, ref);
  if (k == nullptr) return AdminError(404, "NotFoundException", "no key " + ref, ids);
  rapidjson::StringBuffer buf;
  ConsoleWriter w(buf);
  w.StartObject();
  KeySummary(w, *k, keys);
  api::WriteJsonString(w, "policy", k->policy);
  w.Key("materials");  // versions of the key material: ids and dates, never the bytes
  w.StartArray();
  for (const auto& m : k->materials) {
    w.StartObject();
    api::WriteJsonString(w, "id", m->id);
    PutTime(w, "created", m->created);
    api::WriteJsonString(w, "rotation_type",
                         m->rotation_type.empty() ? "INITIAL" : m->rotation_type);
    api::WriteJsonBool(w, "imported", m->imported);
    PutTime(w, "valid_to", m->valid_to);
    api::WriteJsonBool(w, "current", k->current() == m.get());
    w.EndObject();
  }
  w.EndArray();
  w.Key("grants");  // never the grant token
  w.StartArray();
  for (const kms::Grant* g : keys.GrantsOf(*k)) {
    w.StartObject();
    WriteGrantSummary(w, *g);
    if (g->constraints.encryption_context_equals) {
      api::WriteJsonStringMap(w, "encryption_context_equals",
                              *g->constraints.encryption_context_equals);
    }
    if (g->constraints.encryption_context_subset) {
      api::WriteJsonStringMap(w, "encryption_context_subset",
                              *g->constraints.encryption_context_subset);
    }
    PutTime(w, "created", g->created);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

void EncryptionJson(ConsoleWriter& w, const s3::EncryptionConfiguration& e) {
  w.Key("default_encryption");
  w.StartObject();
  api::WriteJsonString(w, "sse_algorithm", e.sse_algorithm);
  api::WriteJsonString(w, "mode", DefaultModeName(e));
  api::WriteJsonString(w, "kms_master_key_id", e.kms_master_key_id);
  api::WriteJsonBool(w, "bucket_key_enabled", e.bucket_key_enabled.value_or(false));
  api::WriteJsonStringList(w, "blocked_encryption_types",
                           e.blocked_encryption_types.value_or(std::vector<std::string>()));
  w.EndObject();
}

api::ApiResponse ListBucketsView(ServerContext& context, const auth::HttpRequestHead& head,
                                 const api::RequestIds& ids) {
  const std::string account = Query(head, "account");
  auto buckets = context.s3_buckets->ListAllBuckets();
  if (!buckets.ok()) return AdminError(500, "InternalError", "listing buckets failed", ids);
  rapidjson::StringBuffer buf;
  ConsoleWriter w(buf);
  w.StartObject();
  w.Key("buckets");
  w.StartArray();
  for (const auto& b : *buckets) {
    if (!account.empty() && b.account != account) continue;
    w.StartObject();
    api::WriteJsonString(w, "name", b.name);
    api::WriteJsonString(w, "arn", "arn:aws:s3:::" + b.name);
    api::WriteJsonString(w, "account", b.account);
    api::WriteJsonString(w, "region", b.region);
    PutTime(w, "created", b.created);
    EncryptionJson(w, b.encryption);
    api::WriteJsonString(w, "versioning", b.versioning.empty() ? "Disabled" : b.versioning);
    PutRaw(w, "policy", b.policy);
    const s3::PublicAccessBlock pab = s3::PublicAccessBlockOfBucket(b);
    w.Key("public_access_block");
    w.StartObject();
    api::WriteJsonBool(w, "BlockPublicAcls", pab.block_public_acls);
    api::WriteJsonBool(w, "IgnorePublicAcls", pab.ignore_public_acls);
    api::WriteJsonBool(w, "BlockPublicPolicy", pab.block_public_policy);
    api::WriteJsonBool(w, "RestrictPublicBuckets", pab.restrict_public_buckets);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

constexpr size_t kObjectsPage = 200;

api::ApiResponse ObjectsView(ServerContext& context, const auth::HttpRequestHead& head,
                             const std::string& bucket_name, const api::RequestIds& ids) {
  auto bucket = context.s3_buckets->Load(bucket_name);
  if (!bucket.ok()) return AdminError(404, "NoSuchBucket", "no bucket " + bucket_name, ids);
  storage::S3ListVersionsOptions options;
  options.prefix = Query(head, "prefix");
  options.key_marker = Query(head, "key_marker");
  const std::string seq = Query(head, "after_seq");
  options.after_seq = seq.empty() ? 0 : std::atoll(seq.c_str());
  options.limit = kObjectsPage;
  auto page = context.s3_objects->ListVersions(bucket_name, options);
  if (!page.ok()) return AdminError(500, "InternalError", "listing versions failed", ids);
  rapidjson::StringBuffer buf;
  ConsoleWriter w(buf);
  w.StartObject();
  api::WriteJsonString(w, "bucket", bucket_name);
  api::WriteJsonString(w, "default_mode", DefaultModeName(bucket->encryption));
  w.Key("versions");
  w.StartArray();
  for (const auto& info : page->versions) {
    w.StartObject();
    api::WriteJsonString(w, "key", info.key);
    api::WriteJsonString(w, "version_id", info.version_id);
    api::WriteJsonBool(w, "is_latest", info.is_latest);
    api::WriteJsonBool(w, "delete_marker", info.delete_marker);
    api::WriteJsonUint64(w, "size", info.size);
    PutTime(w, "last_modified", info.created_at);
    auto doc = s3::DecodeObjectDoc(info.doc, info.wrapped_key);
    if (!info.delete_marker && doc.ok()) {
      const bool kms_mode =
          doc->sse.mode == s3::SseMode::kSseKms || doc->sse.mode == s3::SseMode::kDsseKms;
      api::WriteJsonString(w, "mode", SseModeName(doc->sse.mode));
      if (kms_mode) {
        api::WriteJsonString(w, "kms_key_arn", doc->sse.kms_key_arn);
        api::WriteJsonBool(w, "bucket_key", doc->sse.bucket_key);
        api::WriteJsonStringMap(w, "encryption_context", doc->sse.encryption_context);
      }
      if (doc->sse.mode == s3::SseMode::kSseC)
        api::WriteJsonString(w, "customer_key_md5", doc->sse.customer_key_md5);
      w.Key("client_side");
      if (doc->client_side.empty()) {
        w.Null();
      } else {
        s3::WriteClientSideLayer(w, doc->client_side);
      }
    }
    api::WriteJsonString(w, "seq", std::to_string(info.seq));
    w.EndObject();
  }
  w.EndArray();
  api::WriteJsonBool(w, "truncated", page->truncated);
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

api::ApiResponse GlueView(ServerContext& context, const auth::HttpRequestHead& head,
                          const api::RequestIds& ids) {
  if (!context.glue) return AdminJson("{}", ids);
  const std::string account = Query(head, "account");
  rapidjson::StringBuffer buf;
  ConsoleWriter w(buf);
  w.StartObject();
  const std::pair<const char*, const char*> kKinds[] = {{"jobs", "job"},
                                                        {"security_configurations", "secconf"},
                                                        {"runs", "run"},
                                                        {"catalog_settings", "catalog"},
                                                        {"databases", "database"},
                                                        {"tables", "table"},
                                                        {"partitions", "partition"},
                                                        {"connections", "connection"}};
  for (const auto& [name, kind] : kKinds) {
    auto items = context.glue->AdminList(kind);
    if (!items.ok()) return AdminError(500, "InternalError", "listing Glue state failed", ids);
    w.Key(name);
    w.StartArray();
    for (const auto& i : *items) {
      if (!account.empty() && i.account != account) continue;
      w.StartObject();
      api::WriteJsonString(w, "account", i.account);
      api::WriteJsonString(w, "region", i.region);
      api::WriteJsonString(w, "name", i.name);
      if (!i.parent.empty()) api::WriteJsonString(w, "parent", i.parent);
      if (!i.doc.empty()) PutRaw(w, "doc", i.doc);
      if (!i.kms_key_arn.empty()) api::WriteJsonString(w, "kms_key_arn", i.kms_key_arn);
      if (!i.password.empty()) api::WriteJsonString(w, "password", i.password);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return AdminJson(std::string(buf.GetString(), buf.GetSize()), ids);
}

// GET /_sealstack/console/audit?account=&attribute=&value=&limit=: newest first, as LookupEvents
// filters (one attribute), the CloudTrail records themselves.
api::ApiResponse AuditView(ServerContext& context, const auth::HttpRequestHead& head,
                           const api::RequestIds& ids) {
  if (!context.audit) return AdminJson("{\"events\":[]}", ids);
  using A = storage::AuditFilter::Attribute;
  storage::AuditFilter f;
  f.account = Query(head, "account");
  if (f.account.empty()) f.account = "000000000000";
  const std::string attribute = Query(head, "attribute");
  const std::pair<const char*, A> kAttributes[] = {
      {"EventName", A::kEventName},       {"ResourceName", A::kResourceName},
      {"Username", A::kUsername},         {"EventSource", A::kEventSource},
      {"ResourceType", A::kResourceType}, {"AccessKeyId", A::kAccessKeyId},
      {"EventId", A::kEventId},           {"ReadOnly", A::kReadOnly}};
  if (!attribute.empty()) {
    bool known = false;
    for (const auto& [name, a] : kAttributes) {
      if (attribute == name) {
        f.attribute = a;
        known = true;
      }
    }
    if (!known) return AdminBadRequest("attribute: expected a LookupEvents attribute key", ids);
    f.value = Query(head, "value");
  }
  const std::string limit = Query(head, "limit");
  f.limit = limit.empty() ? 100 : std::clamp<int64_t>(std::atoll(limit.c_str()), 1, 1000);
  auto page = context.audit->Lookup(f);
  if (!page.ok()) return AdminError(500, "InternalError", "reading the audit trail failed", ids);
  std::string body = "{\"events\":[";
  for (size_t i = 0; i < page->events.size(); ++i) {
    if (i > 0) body += ',';
    body += page->events[i].json;
  }
  body += "],\"more\":";
  body += page->next ? "true" : "false";
  body += "}";
  return AdminJson(std::move(body), ids);
}

api::ApiResponse Asset(std::string_view path, const api::RequestIds& ids) {
  if (path.empty()) path = "index.html";
  size_t count = 0;
  const ConsoleAsset* assets = ConsoleAssets(&count);
  for (size_t i = 0; i < count; ++i) {
    if (assets[i].path != path) continue;
    api::ApiResponse r;
    r.status = 200;
    r.body = std::string(assets[i].bytes);
    r.SetHeader("Content-Type", std::string(assets[i].content_type));
    r.SetHeader("Cache-Control", "no-cache");
    // Nothing is fetched from anywhere else: scripts, styles and data come from this origin.
    r.SetHeader("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                "frame-ancestors 'none'");
    r.SetHeader("X-Content-Type-Options", "nosniff");
    api::AddRequestIdHeaders(api::Protocol::kAdmin, ids, &r);
    return r;
  }
  return AdminError(404, "NotFound", "no console file " + std::string(path), ids);
}

}  // namespace

std::optional<api::ApiResponse> HandleConsole(ServerContext& context,
                                              const auth::HttpRequestHead& head,
                                              std::string_view admin_path, std::string_view body,
                                              const api::RequestIds& ids) {
  (void)body;
  const bool get = head.method == "GET" || head.method == "HEAD";
  if (admin_path == "console/audit") {
    if (!get) return AdminMethodNotAllowed("console/audit accepts GET", ids);
    return AuditView(context, head, ids);
  }
  if (admin_path == "console" || admin_path.rfind("console/", 0) == 0) {
    if (!get) return AdminMethodNotAllowed("the console accepts GET", ids);
    return Asset(admin_path.size() > 8 ? admin_path.substr(8) : "", ids);
  }
  if (admin_path == "keys") {
    if (!get) return AdminMethodNotAllowed("keys accepts GET", ids);
    return ListKeysView(context, head, ids);
  }
  if (admin_path.rfind("keys/", 0) == 0) {
    if (!get) return AdminMethodNotAllowed("keys accepts GET", ids);
    return KeyView(context, admin_path.substr(5), ids);
  }
  if (admin_path == "buckets") {
    if (!get) return AdminMethodNotAllowed("buckets accepts GET", ids);
    return ListBucketsView(context, head, ids);
  }
  constexpr std::string_view kObjects = "/objects";
  if (admin_path.rfind("buckets/", 0) == 0 && admin_path.size() > 8 + kObjects.size() &&
      admin_path.substr(admin_path.size() - kObjects.size()) == kObjects) {
    if (!get) return AdminMethodNotAllowed("objects accepts GET", ids);
    return ObjectsView(context, head,
                       std::string(admin_path.substr(8, admin_path.size() - 8 - kObjects.size())),
                       ids);
  }
  if (admin_path == "glue") {
    if (!get) return AdminMethodNotAllowed("glue accepts GET", ids);
    return GlueView(context, head, ids);
  }
  return std::nullopt;
}

}  // namespace sealstack::server
