#include "server/seed.h"

#include <set>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/common/json_fields.h"
#include "api/common/json_input.h"
#include "api/s3/bucket_service.h"
#include "common/identifiers.h"
#include "common/strings.h"
#include "crypto/asymmetric.h"
#include "crypto/digest.h"
#include "policy/document.h"
#include "server/config.h"

namespace sealstack::server {

namespace {

using api::kms::KeySpec;
using api::kms::KeyUsage;

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// Optional string member; absent or null leaves `out` alone.
Status OptString(const rapidjson::Value& obj, const char* key, const std::string& where,
                 std::string* out) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return Status::Ok();
  if (!it->value.IsString()) return InvalidField(where + "." + key, "expected a string");
  *out = it->value.GetString();
  return Status::Ok();
}

// A policy given as a JSON object or as a string holding one.
Status OptPolicy(const rapidjson::Value& obj, const std::string& where,
                 std::optional<std::string>* out) {
  auto it = obj.FindMember("policy");
  if (it == obj.MemberEnd() || it->value.IsNull()) return Status::Ok();
  if (it->value.IsString()) {
    *out = it->value.GetString();
  } else if (it->value.IsObject()) {
    *out = ToJson(it->value);
  } else {
    return InvalidField(where + ".policy", "expected a policy document (object or string)");
  }
  return Status::Ok();
}

// The owner of a seeded key or bucket: "account" (12 digits, default the default account) and
// "region" (default `default_region`).
Status ParseAccountAndRegion(const rapidjson::Value& v, const std::string& where,
                             const std::string& default_region, std::string* account,
                             std::string* region) {
  *account = std::string(auth::kDefaultAccount);
  SEALSTACK_RETURN_IF_ERROR(OptString(v, "account", where, account));
  if (!IsAccountId(*account)) return InvalidField(where + ".account", "expected 12 digits");
  *region = default_region;
  SEALSTACK_RETURN_IF_ERROR(OptString(v, "region", where, region));
  if (!IsRegionName(*region))
    return InvalidField(where + ".region", "expected a region such as us-east-1");
  return Status::Ok();
}

Status ParseKey(const rapidjson::Value& v, const std::string& where,
                const std::string& default_region, api::kms::Service::SeedKeyRequest* k) {
  if (!v.IsObject()) return InvalidField(where, "expected an object");
  SEALSTACK_RETURN_IF_ERROR(
      api::OnlyKnown(v, where,
                     {"id", "account", "region", "spec", "usage", "material", "aliases", "policy",
                      "rotation_period_days", "description", "tags", "enabled"}));
  SEALSTACK_RETURN_IF_ERROR(OptString(v, "id", where, &k->id));
  if (k->id.empty()) return InvalidField(where + ".id", "required");
  if (!api::kms::UuidToBytes(k->id)) {
    return InvalidField(where + ".id",
                        "expected a key id such as 1234abcd-12ab-34cd-56ef-1234567890ab");
  }
  SEALSTACK_RETURN_IF_ERROR(
      ParseAccountAndRegion(v, where, default_region, &k->account, &k->region));

  std::string spec = "SYMMETRIC_DEFAULT";
  SEALSTACK_RETURN_IF_ERROR(OptString(v, "spec", where, &spec));
  auto parsed_spec = api::kms::ParseKeySpec(spec);
  if (!parsed_spec) return InvalidField(where + ".spec", "unknown key spec '" + spec + "'");
  k->spec = *parsed_spec;
  auto allowed = api::kms::AllowedUsages(k->spec);
  std::string usage;
  SEALSTACK_RETURN_IF_ERROR(OptString(v, "usage", where, &usage));
  if (usage.empty()) {
    if (allowed.size() != 1) {
      return InvalidField(where + ".usage",
                          "required for " + spec + " (more than one usage is possible)");
    }
    k->usage = allowed.front();
  } else {
    auto parsed_usage = api::kms::ParseKeyUsage(usage);
    if (!parsed_usage) return InvalidField(where + ".usage", "unknown key usage '" + usage + "'");
    k->usage = *parsed_usage;
  }

  auto mat = v.FindMember("material");
  if (mat == v.MemberEnd() || mat->value.IsNull())
    return InvalidField(where + ".material", "required");
  if (!mat->value.IsString()) return InvalidField(where + ".material", "expected a string");
  std::string_view text(mat->value.GetString(), mat->value.GetStringLength());
  if (api::kms::IsAsymmetric(k->spec)) {
    auto der = crypto::PrivateKeyFromPem(text);
    if (!der.ok()) return InvalidField(where + ".material", "not a PEM private key");
    k->material = std::move(*der);
  } else {
    auto raw = crypto::FromBase64(text);
    if (!raw) return InvalidField(where + ".material", "not valid base64");
    k->material = crypto::SecretBytes(*raw);
    std::fill(raw->begin(), raw->end(), '\0');
  }

  auto aliases = v.FindMember("aliases");
  if (aliases != v.MemberEnd() && !aliases->value.IsNull()) {
    if (!aliases->value.IsArray())
      return InvalidField(where + ".aliases", "expected a list of names");
    for (const auto& a : aliases->value.GetArray()) {
      if (!a.IsString()) {
        return InvalidField(where + ".aliases[" + std::to_string(k->aliases.size()) + "]",
                            "expected a string");
      }
      k->aliases.emplace_back(a.GetString());
    }
  }
  SEALSTACK_RETURN_IF_ERROR(OptPolicy(v, where, &k->policy));
  auto rot = v.FindMember("rotation_period_days");
  if (rot != v.MemberEnd() && !rot->value.IsNull()) {
    if (!rot->value.IsInt())
      return InvalidField(where + ".rotation_period_days", "expected an integer");
    k->rotation_period_days = rot->value.GetInt();
  }
  SEALSTACK_RETURN_IF_ERROR(OptString(v, "description", where, &k->description));
  auto tags = v.FindMember("tags");
  if (tags != v.MemberEnd() && !tags->value.IsNull()) {
    if (tags->value.IsObject()) {
      for (const auto& t : tags->value.GetObject()) {
        if (!t.value.IsString()) {
          return InvalidField(where + ".tags." + t.name.GetString(), "expected a string");
        }
        k->tags[t.name.GetString()] = t.value.GetString();
      }
    } else if (tags->value.IsArray()) {  // AWS's [{"TagKey": ..., "TagValue": ...}]
      size_t i = 0;
      for (const auto& t : tags->value.GetArray()) {
        const std::string tw = where + ".tags[" + std::to_string(i++) + "]";
        if (!t.IsObject()) return InvalidField(tw, "expected {TagKey, TagValue}");
        std::string key, value;
        SEALSTACK_RETURN_IF_ERROR(OptString(t, "TagKey", tw, &key));
        SEALSTACK_RETURN_IF_ERROR(OptString(t, "TagValue", tw, &value));
        if (key.empty()) return InvalidField(tw + ".TagKey", "required");
        k->tags[key] = value;
      }
    } else {
      return InvalidField(where + ".tags", "expected an object of key: value");
    }
  }
  auto enabled = v.FindMember("enabled");
  if (enabled != v.MemberEnd() && !enabled->value.IsNull()) {
    if (!enabled->value.IsBool()) return InvalidField(where + ".enabled", "expected true or false");
    k->enabled = enabled->value.GetBool();
  }
  return Status::Ok();
}

Status ParseBucket(const rapidjson::Value& v, const std::string& where,
                   const std::string& default_region, SeedBucket* b) {
  if (!v.IsObject()) return InvalidField(where, "expected an object");
  SEALSTACK_RETURN_IF_ERROR(
      api::OnlyKnown(v, where, {"name", "account", "region", "encryption", "policy"}));
  SEALSTACK_RETURN_IF_ERROR(OptString(v, "name", where, &b->name));
  if (b->name.empty()) return InvalidField(where + ".name", "required");
  if (!api::s3::IsValidBucketName(b->name)) {
    return InvalidField(where + ".name", "not a valid bucket name: 3-63 of a-z 0-9 . -");
  }
  SEALSTACK_RETURN_IF_ERROR(
      ParseAccountAndRegion(v, where, default_region, &b->account, &b->region));
  auto enc = v.FindMember("encryption");
  if (enc != v.MemberEnd() && !enc->value.IsNull()) {
    const std::string ew = where + ".encryption";
    if (!enc->value.IsObject()) return InvalidField(ew, "expected an object");
    SEALSTACK_RETURN_IF_ERROR(api::OnlyKnown(
        enc->value, ew,
        {"SSEAlgorithm", "KMSMasterKeyID", "BucketKeyEnabled", "BlockedEncryptionTypes"}));
    api::s3::EncryptionConfiguration c;
    SEALSTACK_RETURN_IF_ERROR(OptString(enc->value, "SSEAlgorithm", ew, &c.sse_algorithm));
    if (c.sse_algorithm != "AES256" && c.sse_algorithm != "aws:kms" &&
        c.sse_algorithm != "aws:kms:dsse") {
      return InvalidField(ew + ".SSEAlgorithm", "expected AES256, aws:kms or aws:kms:dsse");
    }
    SEALSTACK_RETURN_IF_ERROR(OptString(enc->value, "KMSMasterKeyID", ew, &c.kms_master_key_id));
    if (!c.kms_master_key_id.empty() && c.sse_algorithm == "AES256") {
      return InvalidField(ew + ".KMSMasterKeyID", "only with SSEAlgorithm aws:kms or aws:kms:dsse");
    }
    auto bk = enc->value.FindMember("BucketKeyEnabled");
    if (bk != enc->value.MemberEnd() && !bk->value.IsNull()) {
      if (!bk->value.IsBool())
        return InvalidField(ew + ".BucketKeyEnabled", "expected true or false");
      c.bucket_key_enabled = bk->value.GetBool();
    }
    auto blocked = enc->value.FindMember("BlockedEncryptionTypes");
    if (blocked != enc->value.MemberEnd() && !blocked->value.IsNull()) {
      if (!blocked->value.IsArray()) {
        return InvalidField(ew + ".BlockedEncryptionTypes", "expected a list of SSE-C or NONE");
      }
      c.blocked_encryption_types.emplace();
      for (const auto& t : blocked->value.GetArray()) {
        if (!t.IsString() || (std::string_view(t.GetString()) != "SSE-C" &&
                              std::string_view(t.GetString()) != "NONE")) {
          return InvalidField(ew + ".BlockedEncryptionTypes", "expected a list of SSE-C or NONE");
        }
        c.blocked_encryption_types->emplace_back(t.GetString());
      }
    }
    b->encryption = std::move(c);
  }
  SEALSTACK_RETURN_IF_ERROR(OptPolicy(v, where, &b->policy));
  return Status::Ok();
}

// Whether PutEncryption(desired) would leave `current` as it is (PutEncryption stores an absent
// BucketKeyEnabled as false and keeps the current blocked types when none are given).
bool SameEncryption(const api::s3::EncryptionConfiguration& current,
                    const api::s3::EncryptionConfiguration& desired) {
  const auto blocked = desired.blocked_encryption_types ? desired.blocked_encryption_types
                                                        : current.blocked_encryption_types;
  return current.sse_algorithm == desired.sse_algorithm &&
         current.kms_master_key_id == desired.kms_master_key_id &&
         current.bucket_key_enabled.value_or(false) == desired.bucket_key_enabled.value_or(false) &&
         current.blocked_encryption_types == blocked;
}

// The account's root, acting for the seed (the admin plane is not an AWS caller).
api::s3::S3Caller SeedCaller(const std::string& account, const std::string& region) {
  auto p = std::make_shared<auth::Principal>();
  p->account = account;
  p->arn = "arn:aws:iam::" + account + ":root";
  p->type = auth::PrincipalType::kRoot;
  api::s3::S3Caller c;
  c.principal = std::move(p);
  c.region = region;
  c.secure_transport = true;
  return c;
}

}  // namespace

Result<SeedDocument> ParseSeedDocument(std::string_view json, const std::string& default_region) {
  rapidjson::Document d;
  SEALSTACK_RETURN_IF_ERROR(ParseJsonObject(json, "seed", &d));
  for (const auto& m : d.GetObject()) {
    std::string_view name = m.name.GetString();
    if (name != "principals" && name != "keys" && name != "buckets" && name != "glue" &&
        name != "$schema" && name != "description") {
      return InvalidField(std::string(name),
                          "unknown section (expected principals, keys, buckets, glue)");
    }
  }
  SeedDocument doc;
  auto list = [&](const char* key) -> Result<const rapidjson::Value*> {
    auto it = d.FindMember(key);
    if (it == d.MemberEnd() || it->value.IsNull()) return nullptr;
    if (!it->value.IsArray()) return InvalidField(key, "expected a list");
    return &it->value;
  };
  SEALSTACK_ASSIGN_OR_RETURN(const rapidjson::Value* principals, list("principals"));
  if (principals) {
    size_t i = 0;
    for (const auto& v : principals->GetArray()) {
      auth::Principal p;
      SEALSTACK_RETURN_IF_ERROR(ParsePrincipalJson(v, i++, &p));
      doc.principals.push_back(std::move(p));
    }
  }
  SEALSTACK_ASSIGN_OR_RETURN(const rapidjson::Value* keys, list("keys"));
  if (keys) {
    std::set<std::string> ids, aliases;
    for (const auto& v : keys->GetArray()) {
      const std::string where = "keys[" + std::to_string(doc.keys.size()) + "]";
      api::kms::Service::SeedKeyRequest k;
      SEALSTACK_RETURN_IF_ERROR(ParseKey(v, where, default_region, &k));
      if (!ids.insert(ToLower(k.id)).second) {
        return InvalidField(where + ".id", "the key " + k.id + " appears twice");
      }
      for (size_t a = 0; a < k.aliases.size(); ++a) {
        if (!aliases.insert(k.account + "/" + k.region + "/" + k.aliases[a]).second) {
          return InvalidField(where + ".aliases[" + std::to_string(a) + "]",
                              k.aliases[a] + " is given to more than one key");
        }
      }
      doc.keys.push_back(std::move(k));
    }
  }
  SEALSTACK_ASSIGN_OR_RETURN(const rapidjson::Value* buckets, list("buckets"));
  if (buckets) {
    std::set<std::string> names;
    for (const auto& v : buckets->GetArray()) {
      const std::string where = "buckets[" + std::to_string(doc.buckets.size()) + "]";
      SeedBucket b;
      SEALSTACK_RETURN_IF_ERROR(ParseBucket(v, where, default_region, &b));
      if (!names.insert(b.name).second) {
        return InvalidField(where + ".name", "the bucket " + b.name + " appears twice");
      }
      doc.buckets.push_back(std::move(b));
    }
  }
  auto glue = d.FindMember("glue");
  if (glue != d.MemberEnd() && !glue->value.IsNull()) {
    if (!glue->value.IsObject()) return InvalidField("glue", "expected an object");
    SEALSTACK_ASSIGN_OR_RETURN(
        doc.glue, api::glue::Service::ParseSeed(glue->value, std::string(auth::kDefaultAccount),
                                                default_region));
  }
  return doc;
}

Result<SeedSummary> ApplySeed(ServerContext& context, const SeedDocument& doc) {
  if (!context.kms || !context.s3_buckets) {
    return Status::Unavailable("seed: the services are not running");
  }
  // 1. Check everything against the current state before changing anything.
  for (size_t i = 0; i < doc.keys.size(); ++i) {
    Status st = context.kms->CheckSeedKey(doc.keys[i]);
    if (!st.ok()) {
      return Status::InvalidArgument("keys[" + std::to_string(i) + "]." + st.message());
    }
  }
  for (size_t i = 0; i < doc.buckets.size(); ++i) {
    const SeedBucket& b = doc.buckets[i];
    const std::string where = "buckets[" + std::to_string(i) + "]";
    if (b.policy) {
      // The policy language here; PutPolicy checks its resources against the bucket on apply.
      if (b.policy->size() > 20 * 1024)
        return InvalidField(where + ".policy", "exceeds 20480 bytes");
      auto parsed = policy::ParsePolicy(*b.policy, policy::PolicyKind::kResource);
      if (!parsed.ok()) return InvalidField(where + ".policy", parsed.status().message());
    }
    auto existing = context.s3_buckets->Load(b.name);
    if (existing.ok()) {
      if (existing->account != b.account) {
        return InvalidField(where + ".name",
                            "the bucket " + b.name + " is owned by another account");
      }
      if (existing->region != b.region) {
        return InvalidField(where + ".region",
                            "the bucket " + b.name + " already exists in " + existing->region);
      }
    }
  }
  if (!doc.glue.empty() && !context.glue) {
    return Status::Unavailable("seed: the Glue service is not running");
  }

  // 2. Apply.
  SeedSummary summary;
  for (const auto& p : doc.principals) {
    SEALSTACK_RETURN_IF_ERROR(context.principals->Put(p));
    ++summary.principals;
  }
  for (size_t i = 0; i < doc.keys.size(); ++i) {
    auto changed = context.kms->SeedKey(doc.keys[i]);
    if (!changed.ok()) {
      return Status(changed.status().code(),
                    "keys[" + std::to_string(i) + "]." + changed.status().message());
    }
    ++summary.keys;
    if (*changed) ++summary.changed;
  }
  for (size_t i = 0; i < doc.buckets.size(); ++i) {
    const SeedBucket& b = doc.buckets[i];
    const std::string where = "buckets[" + std::to_string(i) + "]";
    const api::s3::S3Caller caller = SeedCaller(b.account, b.region);
    bool changed = false;
    auto existing = context.s3_buckets->Load(b.name);
    if (!existing.ok()) {
      Status st = context.s3_buckets->CreateBucket(caller, b.name, b.region);
      if (!st.ok()) return InvalidField(where + ".name", st.message());
      changed = true;
      existing = context.s3_buckets->Load(b.name);
      if (!existing.ok()) return existing.status();
    }
    if (b.encryption && !SameEncryption(existing->encryption, *b.encryption)) {
      Status st = context.s3_buckets->PutEncryption(caller, b.name, *b.encryption);
      if (!st.ok()) return InvalidField(where + ".encryption", st.message());
      changed = true;
    }
    if (b.policy && existing->policy != *b.policy) {
      Status st = context.s3_buckets->PutPolicy(caller, b.name, *b.policy);
      if (!st.ok()) return InvalidField(where + ".policy", st.message());
      changed = true;
    }
    ++summary.buckets;
    if (changed) ++summary.changed;
  }
  if (!doc.glue.empty()) {
    SEALSTACK_ASSIGN_OR_RETURN(size_t glue_changed, context.glue->ApplySeed(doc.glue));
    summary.glue = doc.glue.security_configurations.size() + doc.glue.catalog_encryption.size();
    summary.changed += glue_changed;
  }
  return summary;
}

Result<SeedSummary> SeedFromJson(ServerContext& context, std::string_view json) {
  SEALSTACK_ASSIGN_OR_RETURN(SeedDocument doc, ParseSeedDocument(json, context.config.region));
  return ApplySeed(context, doc);
}

std::string SeedSummaryJson(const SeedSummary& s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  api::WriteJsonUint64(w, "principals", s.principals);
  api::WriteJsonUint64(w, "keys", s.keys);
  api::WriteJsonUint64(w, "buckets", s.buckets);
  api::WriteJsonUint64(w, "glue", s.glue);
  api::WriteJsonUint64(w, "changed", s.changed);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace sealstack::server
