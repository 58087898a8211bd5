#include "api/s3/object_doc.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>

#include "api/common/json_fields.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Pairs(Writer& w, const char* k, const HeaderList& v) {
  w.Key(k);
  w.StartArray();
  for (const auto& [a, b] : v) {
    w.StartArray();
    w.String(a.c_str(), static_cast<rapidjson::SizeType>(a.size()));
    w.String(b.c_str(), static_cast<rapidjson::SizeType>(b.size()));
    w.EndArray();
  }
  w.EndArray();
}

std::string ModeName(SseMode mode) {
  std::string name(SseHeaderValue(mode));
  return name.empty() ? "SSE-C" : name;
}

ClientSideLayer ReadClientSideLayer(const rapidjson::Value& v) {
  ClientSideLayer c;
  c.format = ReadJsonString(v, "format");
  c.algorithm = ReadJsonString(v, "algorithm");
  c.wrap_algorithm = ReadJsonString(v, "wrap_algorithm");
  c.kms_keys = ReadJsonStringList(v, "kms_keys");
  c.other_providers = ReadJsonStringList(v, "other_providers");
  c.context = ReadJsonStringMap(v, "context");
  if (auto mv = v.FindMember("message_version"); mv != v.MemberEnd() && mv->value.IsInt()) {
    c.message_version = mv->value.GetInt();
  }
  return c;
}

}  // namespace

void WriteClientSideLayer(rapidjson::Writer<rapidjson::StringBuffer>& w, const ClientSideLayer& c) {
  w.StartObject();
  WriteJsonString(w, "format", c.format);
  WriteJsonString(w, "algorithm", c.algorithm);
  WriteJsonString(w, "wrap_algorithm", c.wrap_algorithm);
  WriteJsonStringList(w, "kms_keys", c.kms_keys);
  WriteJsonStringList(w, "other_providers", c.other_providers);
  WriteJsonStringMap(w, "context", c.context);
  if (c.message_version != 0) {
    WriteJsonInt64(w, "message_version", c.message_version);
  }
  w.EndObject();
}

std::string EncodeObjectDoc(const ObjectDoc& d) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  Pairs(w, "headers", d.content_headers);
  Pairs(w, "meta", d.user_metadata);
  w.Key("sse");
  w.StartObject();
  WriteJsonString(w, "mode", ModeName(d.sse.mode));
  WriteJsonString(w, "kms_key_arn", d.sse.kms_key_arn);
  WriteJsonString(w, "kms_material_id", d.sse.kms_material_id);
  WriteJsonString(w, "kms_blob", crypto::Base64(d.sse.kms_blob));
  WriteJsonStringMap(w, "context", d.sse.encryption_context);
  WriteJsonBool(w, "bucket_key", d.sse.bucket_key);
  WriteJsonString(w, "c_salt", crypto::Base64(d.sse.customer_key_salt));
  WriteJsonString(w, "c_hmac", crypto::Base64(d.sse.customer_key_hmac));
  WriteJsonString(w, "c_md5", d.sse.customer_key_md5);
  w.EndObject();
  WriteJsonString(w, "user_context", d.user_context_b64);
  WriteJsonString(w, "checksum_algorithm", d.checksum_algorithm);
  WriteJsonString(w, "checksum_value", d.checksum_value);
  if (!d.checksum_type.empty()) WriteJsonString(w, "checksum_type", d.checksum_type);
  if (!d.part_sizes.empty()) {
    w.Key("part_sizes");
    w.StartArray();
    for (uint64_t size : d.part_sizes) w.Uint64(size);
    w.EndArray();
    WriteJsonStringList(w, "part_checksums", d.part_checksums);
  }
  if (!d.tags.empty()) Pairs(w, "tags", d.tags);
  if (d.lock.has_retention()) {
    WriteJsonString(w, "lock_mode", d.lock.mode);
    WriteJsonString(w, "lock_until", d.lock.retain_until);
  }
  if (!d.lock.legal_hold.empty()) WriteJsonString(w, "legal_hold", d.lock.legal_hold);
  if (!d.client_side.empty()) {
    w.Key("client_side");
    WriteClientSideLayer(w, d.client_side);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<ObjectDoc> DecodeObjectDoc(const std::string& text, const std::string& wrapped_key) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError() || !d.IsObject()) return Status::IoError("corrupt object metadata");
  ObjectDoc out;
  auto pairs = [&](const char* k, HeaderList* out_pairs) {
    auto it = d.FindMember(k);
    if (it == d.MemberEnd() || !it->value.IsArray()) return;
    for (const auto& p : it->value.GetArray()) {
      if (p.IsArray() && p.Size() == 2 && p[0].IsString() && p[1].IsString()) {
        out_pairs->emplace_back(std::string(p[0].GetString(), p[0].GetStringLength()),
                                std::string(p[1].GetString(), p[1].GetStringLength()));
      }
    }
  };
  pairs("headers", &out.content_headers);
  pairs("meta", &out.user_metadata);
  pairs("tags", &out.tags);
  out.lock.mode = ReadJsonString(d, "lock_mode");
  out.lock.retain_until = ReadJsonString(d, "lock_until");
  out.lock.legal_hold = ReadJsonString(d, "legal_hold");
  if (auto cs = d.FindMember("client_side"); cs != d.MemberEnd() && cs->value.IsObject()) {
    out.client_side = ReadClientSideLayer(cs->value);
  }
  auto sse = d.FindMember("sse");
  if (sse == d.MemberEnd() || !sse->value.IsObject()) return Status::IoError("corrupt SSE record");
  const auto& v = sse->value;
  const std::string mode = ReadJsonString(v, "mode");
  out.sse.mode =
      mode == "SSE-C" ? SseMode::kSseC : ParseSseHeaderValue(mode).value_or(SseMode::kSseS3);
  out.sse.wrapped_key = wrapped_key;
  out.sse.kms_key_arn = ReadJsonString(v, "kms_key_arn");
  out.sse.kms_material_id = ReadJsonString(v, "kms_material_id");
  out.sse.kms_blob = crypto::FromBase64(ReadJsonString(v, "kms_blob")).value_or("");
  out.sse.encryption_context = ReadJsonStringMap(v, "context");
  out.sse.bucket_key = ReadJsonBool(v, "bucket_key");
  out.sse.customer_key_salt = crypto::FromBase64(ReadJsonString(v, "c_salt")).value_or("");
  out.sse.customer_key_hmac = crypto::FromBase64(ReadJsonString(v, "c_hmac")).value_or("");
  out.sse.customer_key_md5 = ReadJsonString(v, "c_md5");
  out.user_context_b64 = ReadJsonString(d, "user_context");
  out.checksum_algorithm = ReadJsonString(d, "checksum_algorithm");
  out.checksum_value = ReadJsonString(d, "checksum_value");
  out.checksum_type = ReadJsonString(d, "checksum_type");
  if (auto ps = d.FindMember("part_sizes"); ps != d.MemberEnd() && ps->value.IsArray()) {
    for (const auto& n : ps->value.GetArray()) {
      if (n.IsUint64()) out.part_sizes.push_back(n.GetUint64());
    }
  }
  out.part_checksums = ReadJsonStringList(d, "part_checksums");
  return out;
}

Result<std::string> DescribeObjectProtection(ObjectStore& store, const std::string& bucket,
                                             const std::string& key,
                                             const std::optional<std::string>& version_id) {
  SEALSTACK_ASSIGN_OR_RETURN(
      ObjectInfo info, version_id ? store.Head(bucket, key, *version_id) : store.Head(bucket, key));
  // A delete marker protects nothing: there is no object to describe.
  if (info.delete_marker) return Status::NotFound("the version is a delete marker");
  SEALSTACK_ASSIGN_OR_RETURN(ObjectDoc doc, DecodeObjectDoc(info.doc, info.wrapped_key));
  rapidjson::StringBuffer buf;
  Writer w(buf);
  auto str = [&](const char* k, std::string_view v) { WriteJsonString(w, k, v); };
  const bool kms = doc.sse.mode == SseMode::kSseKms || doc.sse.mode == SseMode::kDsseKms;
  w.StartObject();
  str("bucket", bucket);
  str("key", key);
  str("version_id", info.version_id);
  WriteJsonBool(w, "is_latest", info.is_latest);
  str("mode", doc.sse.mode == SseMode::kSseC     ? "SSE-C"
              : doc.sse.mode == SseMode::kSseS3  ? "SSE-S3"
              : doc.sse.mode == SseMode::kSseKms ? "SSE-KMS"
                                                 : "DSSE-KMS");
  str("algorithm", "AES-256-GCM");
  if (kms) {
    str("kms_key_arn", doc.sse.kms_key_arn);
    str("key_material_id", doc.sse.kms_material_id);
    WriteJsonStringMap(w, "encryption_context", doc.sse.encryption_context);
    WriteJsonBool(w, "bucket_key", doc.sse.bucket_key);
  }
  if (doc.sse.mode == SseMode::kSseC) str("customer_key_md5", doc.sse.customer_key_md5);
  WriteJsonUint64(w, "size", info.size);
  str("etag", info.etag);
  w.Key("segment_size");
  w.Uint(info.segment_size);
  uint64_t segments = 0;
  for (const auto& e : info.extents) {
    segments += info.segment_size == 0
                    ? 1
                    : std::max<uint64_t>(1, (e.size + info.segment_size - 1) / info.segment_size);
  }
  WriteJsonUint64(w, "segment_count", segments);
  str("checksum_algorithm", doc.checksum_algorithm);
  w.Key("client_side");  // the client-side layer recognised at write time, or null
  if (doc.client_side.empty()) {
    w.Null();
  } else {
    WriteClientSideLayer(w, doc.client_side);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace sealstack::api::s3
