#include "api/s3/client_side.h"

#include <rapidjson/document.h>

#include <cstdint>

#include "api/kms/ciphertext_blob.h"
#include "api/s3/data_keys.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

// The ESDK's algorithm suites by id (message format v1 takes the first nine, v2 the last two).
struct EsdkSuite {
  uint16_t id;
  const char* name;
};
constexpr EsdkSuite kEsdkSuites[] = {
    {0x0014, "AES_128_GCM_IV12_TAG16"},
    {0x0046, "AES_192_GCM_IV12_TAG16"},
    {0x0078, "AES_256_GCM_IV12_TAG16"},
    {0x0114, "AES_128_GCM_IV12_TAG16_HKDF_SHA256"},
    {0x0146, "AES_192_GCM_IV12_TAG16_HKDF_SHA256"},
    {0x0178, "AES_256_GCM_IV12_TAG16_HKDF_SHA256"},
    {0x0214, "AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256"},
    {0x0346, "AES_192_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384"},
    {0x0378, "AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384"},
    {0x0478, "AES_256_GCM_HKDF_SHA512_COMMIT_KEY"},
    {0x0578, "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"},
};

// A bounds-checked big-endian reader over the header bytes.
class HeaderCursor {
 public:
  explicit HeaderCursor(std::string_view b) : b_(b) {}
  bool U8(uint8_t* v) {
    if (pos_ + 1 > b_.size()) return false;
    *v = static_cast<uint8_t>(b_[pos_++]);
    return true;
  }
  bool U16(uint16_t* v) {
    if (pos_ + 2 > b_.size()) return false;
    *v = static_cast<uint16_t>((static_cast<uint8_t>(b_[pos_]) << 8) |
                               static_cast<uint8_t>(b_[pos_ + 1]));
    pos_ += 2;
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (pos_ + n > b_.size()) return false;
    *out = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // A u16-length-prefixed field.
  bool Field(std::string_view* out) {
    uint16_t n = 0;
    return U16(&n) && Bytes(n, out);
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

bool Printable(std::string_view s) {
  for (unsigned char ch : s) {
    if (ch < 0x20 || ch == 0x7f) return false;
  }
  return true;
}

}  // namespace

void ClientSidePrefix::Feed(std::string_view piece) {
  if (done_ || piece.empty()) return;
  // Only an ESDK message (version byte 1 or 2) is worth keeping bytes for.
  if (prefix_.empty() && piece[0] != '\x01' && piece[0] != '\x02') {
    done_ = true;
    return;
  }
  const size_t room = kClientSidePrefixBytes - prefix_.size();
  prefix_.append(piece.substr(0, room));
  if (prefix_.size() >= kClientSidePrefixBytes) done_ = true;
}

std::optional<ClientSideLayer> ParseEsdkHeader(std::string_view prefix) {
  HeaderCursor in(prefix);
  uint8_t version = 0;
  if (!in.U8(&version) || (version != 1 && version != 2)) return std::nullopt;
  if (version == 1) {
    uint8_t type = 0;
    if (!in.U8(&type) || type != 0x80) return std::nullopt;
  }
  uint16_t suite_id = 0;
  if (!in.U16(&suite_id)) return std::nullopt;
  const char* suite = nullptr;
  for (const auto& s : kEsdkSuites) {
    if (s.id == suite_id) suite = s.name;
  }
  const bool committing = suite_id == 0x0478 || suite_id == 0x0578;
  if (suite == nullptr || committing != (version == 2)) return std::nullopt;
  std::string_view message_id;
  if (!in.Bytes(version == 1 ? 16 : 32, &message_id)) return std::nullopt;

  ClientSideLayer layer;
  layer.format = "aws-encryption-sdk";
  layer.algorithm = suite;
  layer.message_version = version;
  uint16_t aad_length = 0;
  if (!in.U16(&aad_length)) return std::nullopt;
  if (aad_length > 0) {
    const size_t aad_end = in.pos() + aad_length;
    uint16_t pairs = 0;
    if (!in.U16(&pairs)) return std::nullopt;
    for (uint16_t i = 0; i < pairs; ++i) {
      std::string_view k, v;
      if (!in.Field(&k) || !in.Field(&v)) return std::nullopt;
      layer.context.emplace(std::string(k), std::string(v));
    }
    if (in.pos() != aad_end) return std::nullopt;
  }
  uint16_t edks = 0;
  if (!in.U16(&edks) || edks == 0) return std::nullopt;
  for (uint16_t i = 0; i < edks; ++i) {
    std::string_view provider, info, edk;
    if (!in.Field(&provider) || !in.Field(&info) || !in.Field(&edk)) return std::nullopt;
    if (!Printable(provider)) return std::nullopt;
    if (provider == "aws-kms" || provider == "aws-kms-hierarchy" || provider == "aws-kms-rsa") {
      if (!Printable(info)) return std::nullopt;
      layer.kms_keys.emplace_back(info);
    } else {
      layer.other_providers.emplace_back(provider);
    }
  }
  uint8_t content_type = 0;
  if (!in.U8(&content_type) || (content_type != 1 && content_type != 2)) return std::nullopt;
  return layer;
}

namespace {

struct S3ecFields {
  std::string key_v1, key_v2, key_v3, wrap_alg, cek_alg, matdesc;
};

S3ecFields ReadS3ecFields(const std::vector<std::pair<std::string, std::string>>& user_metadata) {
  S3ecFields f;
  constexpr std::string_view kPrefix = "x-amz-meta-";
  for (const auto& [name, value] : user_metadata) {
    if (name.rfind(kPrefix, 0) != 0) continue;
    const std::string_view n = std::string_view(name).substr(kPrefix.size());
    if (n == "x-amz-key") f.key_v1 = value;
    if (n == "x-amz-key-v2") f.key_v2 = value;
    if (n == "x-amz-3") f.key_v3 = value;
    if (n == "x-amz-wrap-alg" || n == "x-amz-w") f.wrap_alg = value;
    if (n == "x-amz-cek-alg" || n == "x-amz-c") f.cek_alg = value;
    if (n == "x-amz-matdesc" || n == "x-amz-t" || (n == "x-amz-m" && f.matdesc.empty())) {
      f.matdesc = value;
    }
  }
  return f;
}

std::optional<ClientSideLayer> S3ecLayer(const S3ecFields& f, std::string* wrapped_key_b64) {
  ClientSideLayer layer;
  if (!f.key_v3.empty()) {
    layer.format = "s3-encryption-client-v3";
    *wrapped_key_b64 = f.key_v3;
  } else if (!f.key_v2.empty()) {
    layer.format = "s3-encryption-client-v2";
    *wrapped_key_b64 = f.key_v2;
  } else if (!f.key_v1.empty()) {
    layer.format = "s3-encryption-client-v1";
    *wrapped_key_b64 = f.key_v1;
  } else {
    return std::nullopt;
  }
  layer.algorithm =
      f.cek_alg.empty() && layer.format.back() == '1' ? "AES/CBC/PKCS5Padding" : f.cek_alg;
  // Format v3 names its algorithms by number: wrapping 12 = kms+context, content 115 = AES-GCM
  // with key commitment.
  layer.wrap_algorithm = f.wrap_alg == "12" ? "kms+context" : f.wrap_alg;
  if (layer.algorithm == "115") layer.algorithm = "AES/GCM/NoPadding (key commitment)";
  if (!f.matdesc.empty()) {
    rapidjson::Document d;
    d.Parse(f.matdesc.c_str(), f.matdesc.size());
    if (!d.HasParseError() && d.IsObject()) {
      for (const auto& m : d.GetObject()) {
        if (m.value.IsString()) {
          layer.context.emplace(std::string(m.name.GetString(), m.name.GetStringLength()),
                                std::string(m.value.GetString(), m.value.GetStringLength()));
        }
      }
    }
  }
  // v1 with a KMS key wraps with "kms" implicitly when the matdesc names kms_cmk_id.
  if (layer.wrap_algorithm.empty() && layer.context.count("kms_cmk_id") > 0) {
    layer.wrap_algorithm = "kms";
  }
  return layer;
}

std::string DecodeWrappedKey(const std::string& b64) {
  return crypto::FromBase64(b64).value_or("");
}

}  // namespace

std::optional<ClientSideLayer> DetectS3EncryptionClient(
    const std::vector<std::pair<std::string, std::string>>& user_metadata,
    const KeyOfBlob& key_of_blob) {
  std::string wrapped_b64;
  auto layer = S3ecLayer(ReadS3ecFields(user_metadata), &wrapped_b64);
  if (!layer) return layer;
  if (layer->wrap_algorithm == "kms+context" || layer->wrap_algorithm == "kms") {
    std::string arn = key_of_blob ? key_of_blob(DecodeWrappedKey(wrapped_b64)) : "";
    if (arn.empty()) {
      auto it = layer->context.find("kms_cmk_id");
      if (it != layer->context.end()) arn = it->second;
    }
    if (!arn.empty()) layer->kms_keys.push_back(arn);
  } else if (!layer->wrap_algorithm.empty()) {
    layer->other_providers.push_back(layer->wrap_algorithm);
  }
  return layer;
}

ClientSideLayer DetectClientSide(
    const std::vector<std::pair<std::string, std::string>>& user_metadata,
    std::string_view body_prefix, const KeyOfBlob& key_of_blob) {
  if (auto s3ec = DetectS3EncryptionClient(user_metadata, key_of_blob)) return *s3ec;
  if (auto esdk = ParseEsdkHeader(body_prefix)) return *esdk;
  return {};
}

// DataKeyService's resolver (data_keys.h), here beside its one user.
std::string DataKeyService::KeyArnOfBlob(std::string_view blob) const {
  auto header = kms::ParseBlobHeader(blob);
  if (!header) return "";
  std::string arn = kms_.KeyArnOf(header->key_id);
  return arn.rfind("arn:", 0) == 0 ? arn : "";
}

}  // namespace sealstack::api::s3
