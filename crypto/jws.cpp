#include "crypto/jws.h"

#include <openssl/core_names.h>

#include <memory>

#include "crypto/digest.h"
#include "crypto/openssl_handles.h"

namespace sealstack::crypto {

namespace {

using openssl::UniqueBn;

constexpr int kMinRsaBits = 2048;

UniqueBn Bn(std::string_view bytes) {
  return UniqueBn(BN_bin2bn(openssl::Bytes(bytes), static_cast<int>(bytes.size()), nullptr));
}

// A public key from OSSL_PARAMs (`type` "RSA" or "EC"); null when OpenSSL refuses them.
openssl::UniquePkey FromParams(const char* type, OSSL_PARAM* params) {
  openssl::UniquePkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    return nullptr;
  }
  return openssl::UniquePkey(key);
}

Result<bool> VerifySha256(EVP_PKEY* key, std::string_view data, std::string_view der_or_raw) {
  openssl::UniqueMdCtx md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key) <= 0) {
    return Status::Internal("EVP_DigestVerifyInit failed");
  }
  const int rc = EVP_DigestVerify(md.get(), openssl::Bytes(der_or_raw), der_or_raw.size(),
                                  openssl::Bytes(data), data.size());
  return rc == 1;
}

}  // namespace

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string b64(text);
  for (char& c : b64) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (c == '+' || c == '/' || c == '=') {
      return std::nullopt;  // not the URL alphabet, or padded
    }
  }
  if (b64.size() % 4 == 1) return std::nullopt;
  while (b64.size() % 4 != 0) b64 += '=';
  return FromBase64(b64);
}

std::string Base64Url(std::string_view bytes) {
  std::string out = Base64(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

Result<bool> VerifyRs256(std::string_view n, std::string_view e, std::string_view signing_input,
                         std::string_view signature) {
  UniqueBn bn_n = Bn(n), bn_e = Bn(e);
  if (!bn_n || !bn_e) return Status::Internal("BN_bin2bn failed");
  if (BN_num_bits(bn_n.get()) < kMinRsaBits || BN_is_zero(bn_e.get())) {
    return Status::InvalidArgument("the RSA key is shorter than 2048 bits or has no exponent");
  }
  openssl::UniqueParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return Status::Internal("OSSL_PARAM_BLD failed");
  }
  openssl::UniqueParams params(OSSL_PARAM_BLD_to_param(bld.get()));
  openssl::UniquePkey key = params ? FromParams("RSA", params.get()) : nullptr;
  if (!key) return Status::InvalidArgument("not an RSA public key");
  return VerifySha256(key.get(), signing_input, signature);
}

Result<bool> VerifyEs256(std::string_view x, std::string_view y, std::string_view signing_input,
                         std::string_view signature) {
  if (x.size() != 32 || y.size() != 32) {
    return Status::InvalidArgument("a P-256 coordinate is 32 bytes");
  }
  if (signature.size() != 64) return false;  // JWS ES256 signatures are r || s
  std::string point = "\x04";
  point.append(x);
  point.append(y);
  openssl::UniqueParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return Status::Internal("OSSL_PARAM_BLD failed");
  }
  openssl::UniqueParams params(OSSL_PARAM_BLD_to_param(bld.get()));
  openssl::UniquePkey key = params ? FromParams("EC", params.get()) : nullptr;
  if (!key) return Status::InvalidArgument("not a P-256 public key");
  // OpenSSL verifies DER Ecdsa-Sig-Value: re-encode r || s.
  openssl::UniqueEcdsaSig sig(ECDSA_SIG_new());
  UniqueBn r = Bn(signature.substr(0, 32)), s = Bn(signature.substr(32));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return Status::Internal("ECDSA_SIG_set0 failed");
  }
  static_cast<void>(r.release());  // owned by sig now
  static_cast<void>(s.release());
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return Status::Internal("i2d_ECDSA_SIG failed");
  std::string der_sig(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);
  return VerifySha256(key.get(), signing_input, der_sig);
}

}  // namespace sealstack::crypto
