#include "server/posture_inventory.h"

#include <rapidjson/document.h>

#include <algorithm>

namespace sealstack::server {

namespace kms = api::kms;
namespace s3 = api::s3;

KeyDirectory::KeyDirectory(const kms::Service& service)
    : keys_(service.AllKeys()), aliases_(service.AllAliases()), grants_(service.AllGrants()) {
  for (const auto& k : keys_) {
    by_arn_[k->arn] = k.get();
    by_handle_[k->handle()] = k.get();
  }
}

const kms::Key* KeyDirectory::ByArn(const std::string& arn) const {
  auto it = by_arn_.find(arn);
  return it == by_arn_.end() ? nullptr : it->second;
}

std::string KeyDirectory::Resolve(const std::string& account, const std::string& region,
                                  const std::string& ref) const {
  if (ref.empty()) return "";
  std::string acct = account, reg = region, name = ref;
  if (ref.rfind("arn:", 0) == 0) {
    // arn:aws:kms:REGION:ACCOUNT:key/ID | alias/NAME
    std::vector<std::string> parts;
    size_t start = 0;
    for (int i = 0; i < 5; ++i) {
      size_t colon = ref.find(':', start);
      if (colon == std::string::npos) return ref;
      parts.push_back(ref.substr(start, colon - start));
      start = colon + 1;
    }
    reg = parts[3];
    acct = parts[4];
    name = ref.substr(start);
    if (name.rfind("key/", 0) == 0) return ref;
  }
  if (name.rfind("alias/", 0) == 0) {
    for (const auto& a : aliases_) {
      if (a.account == acct && a.region == reg && a.name == name) {
        auto it = by_handle_.find(a.key_id);
        return it == by_handle_.end() ? "" : it->second->arn;
      }
    }
    return "";
  }
  return kms::KeyArn(reg, acct, name);
}

std::vector<std::string> KeyDirectory::AliasesOf(const kms::Key& key) const {
  std::vector<std::string> out;
  for (const auto& a : aliases_) {
    if (a.key_id == key.handle()) out.push_back(a.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<const kms::Grant*> KeyDirectory::GrantsOf(const kms::Key& key) const {
  std::vector<const kms::Grant*> out;
  for (const auto& g : grants_) {
    if (g.key_id == key.handle()) out.push_back(&g);
  }
  return out;
}

void WriteGrantSummary(api::JsonFieldWriter& w, const kms::Grant& grant) {
  api::WriteJsonString(w, "grant_id", grant.id);
  api::WriteJsonString(w, "name", grant.name);
  api::WriteJsonString(w, "grantee", grant.grantee);
  api::WriteJsonString(w, "retiring", grant.retiring);
  api::WriteJsonStringList(w, "operations", grant.operations);
}

std::string KeyUsability(const kms::Key* key) {
  if (key == nullptr) return "NotFound";
  if (!key->damaged.empty()) return "Damaged";
  if (key->state == kms::KeyState::kEnabled) return "usable";
  return std::string(kms::Name(key->state));
}

namespace {

std::string_view StrMember(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsString()
             ? std::string_view(it->value.GetString(), it->value.GetStringLength())
             : std::string_view();
}

// The doc's sse.mode / kms_key_arn / bucket_key and client_side (docs/formats/object-metadata.md),
// without copying the rest. False for a doc that is not one.
// Parses `text` in place (the page's copy, discarded after the scan).
bool ReadVersionFacts(rapidjson::Document& d, std::string& text, VersionFacts* out) {
  d.ParseInsitu(text.data());
  if (d.HasParseError() || !d.IsObject()) return false;
  auto sse = d.FindMember("sse");
  if (sse == d.MemberEnd() || !sse->value.IsObject()) return false;
  const std::string_view mode = StrMember(sse->value, "mode");
  out->mode = mode == "SSE-C" ? s3::SseMode::kSseC
                              : s3::ParseSseHeaderValue(mode).value_or(s3::SseMode::kSseS3);
  out->kms_key_arn = std::string(StrMember(sse->value, "kms_key_arn"));
  auto bk = sse->value.FindMember("bucket_key");
  out->bucket_key = bk != sse->value.MemberEnd() && bk->value.IsBool() && bk->value.GetBool();
  out->client_side_format.clear();
  out->client_side_keys.clear();
  auto cs = d.FindMember("client_side");
  if (cs != d.MemberEnd() && cs->value.IsObject()) {
    out->client_side_format = std::string(StrMember(cs->value, "format"));
    auto keys = cs->value.FindMember("kms_keys");
    if (keys != cs->value.MemberEnd() && keys->value.IsArray()) {
      for (const auto& k : keys->value.GetArray()) {
        if (k.IsString()) out->client_side_keys.emplace_back(k.GetString(), k.GetStringLength());
      }
    }
  }
  return true;
}

}  // namespace

Status ScanVersions(s3::ObjectStore& store, const std::vector<s3::Bucket>& buckets,
                    const std::function<bool(const ScannedVersion&)>& visit, size_t page_size) {
  VersionFacts facts;
  for (const auto& bucket : buckets) {
    storage::S3ListVersionsOptions options;
    options.limit = page_size;
    for (;;) {
      SEALSTACK_ASSIGN_OR_RETURN(s3::VersionPage page, store.ListVersions(bucket.name, options));
      rapidjson::Document d;  // per page: its allocator keeps what each parse used
      for (auto& info : page.versions) {
        if (info.delete_marker) continue;
        // A corrupt doc protects nothing the views can name.
        if (!ReadVersionFacts(d, info.doc, &facts)) continue;
        if (!visit(ScannedVersion{&bucket, &info, &facts})) return Status::Ok();
      }
      if (!page.truncated || page.versions.empty()) break;
      options.key_marker = page.versions.back().key;
      options.after_seq = page.versions.back().seq;
    }
  }
  return Status::Ok();
}

std::string_view SseModeName(s3::SseMode mode) {
  switch (mode) {
    case s3::SseMode::kSseS3:
      return "SSE-S3";
    case s3::SseMode::kSseKms:
      return "SSE-KMS";
    case s3::SseMode::kDsseKms:
      return "DSSE-KMS";
    case s3::SseMode::kSseC:
      return "SSE-C";
  }
  return "SSE-S3";
}

std::string DefaultModeName(const s3::EncryptionConfiguration& e) {
  if (e.sse_algorithm == "aws:kms") return "SSE-KMS";
  if (e.sse_algorithm == "aws:kms:dsse") return "DSSE-KMS";
  return "SSE-S3";
}

}  // namespace sealstack::server
