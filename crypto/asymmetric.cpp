#include "crypto/asymmetric.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <climits>
#include <utility>

#include "common/name_table.h"
#include "crypto/openssl_handles.h"

namespace sealstack::crypto {

namespace {

// ---- OpenSSL plumbing -----------------------------------------------------------------------

using openssl::Bytes;
using openssl::UniqueBio;
using openssl::UniqueMdCtx;
using openssl::UniquePkey;
using openssl::UniquePkeyCtx;

// OpenSSL keeps a per-thread error queue; drain it after every expected failure so that stale
// entries never leak into an unrelated later report.
void ClearOpenSslErrors() {
  ERR_clear_error();
}

// Internal error naming the failed step and OpenSSL's first queued reason.
Status OpenSslFailure(const std::string& what) {
  const unsigned long code = ERR_peek_error();
  std::string message = what + " failed";
  if (code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof(reason));
    message += std::string(": ") + reason;
  }
  ERR_clear_error();
  return Status::Internal(std::move(message));
}

// ---- Names ----------------------------------------------------------------------------------

constexpr std::array<NameEntry<AsymmetricKeySpec>, 8> kKeySpecNames{{
    {AsymmetricKeySpec::kRsa2048, "RSA_2048"},
    {AsymmetricKeySpec::kRsa3072, "RSA_3072"},
    {AsymmetricKeySpec::kRsa4096, "RSA_4096"},
    {AsymmetricKeySpec::kEccNistP256, "ECC_NIST_P256"},
    {AsymmetricKeySpec::kEccNistP384, "ECC_NIST_P384"},
    {AsymmetricKeySpec::kEccNistP521, "ECC_NIST_P521"},
    {AsymmetricKeySpec::kEccSecgP256k1, "ECC_SECG_P256K1"},
    {AsymmetricKeySpec::kEccNistEdwards25519, "ECC_NIST_EDWARDS25519"},
}};

constexpr std::array<NameEntry<SigningAlgorithm>, 11> kSigningNames{{
    {SigningAlgorithm::kRsassaPssSha256, "RSASSA_PSS_SHA_256"},
    {SigningAlgorithm::kRsassaPssSha384, "RSASSA_PSS_SHA_384"},
    {SigningAlgorithm::kRsassaPssSha512, "RSASSA_PSS_SHA_512"},
    {SigningAlgorithm::kRsassaPkcs1V15Sha256, "RSASSA_PKCS1_V1_5_SHA_256"},
    {SigningAlgorithm::kRsassaPkcs1V15Sha384, "RSASSA_PKCS1_V1_5_SHA_384"},
    {SigningAlgorithm::kRsassaPkcs1V15Sha512, "RSASSA_PKCS1_V1_5_SHA_512"},
    {SigningAlgorithm::kEcdsaSha256, "ECDSA_SHA_256"},
    {SigningAlgorithm::kEcdsaSha384, "ECDSA_SHA_384"},
    {SigningAlgorithm::kEcdsaSha512, "ECDSA_SHA_512"},
    {SigningAlgorithm::kEd25519Sha512, "ED25519_SHA_512"},
    {SigningAlgorithm::kEd25519PhSha512, "ED25519_PH_SHA_512"},
}};

constexpr std::array<NameEntry<MessageType>, 2> kMessageTypeNames{{
    {MessageType::kRaw, "RAW"},
    {MessageType::kDigest, "DIGEST"},
}};

constexpr std::array<NameEntry<EncryptionAlgorithm>, 2> kEncryptionNames{{
    {EncryptionAlgorithm::kRsaesOaepSha1, "RSAES_OAEP_SHA_1"},
    {EncryptionAlgorithm::kRsaesOaepSha256, "RSAES_OAEP_SHA_256"},
}};

// ---- Algorithm parameters -------------------------------------------------------------------

enum class SignatureScheme { kPss, kPkcs1, kEcdsa, kEd25519, kEd25519ph };

struct SigningParams {
  SignatureScheme scheme;
  const EVP_MD* md;
};

SigningParams ParamsOf(SigningAlgorithm alg) {
  switch (alg) {
    case SigningAlgorithm::kRsassaPssSha256:
      return {SignatureScheme::kPss, EVP_sha256()};
    case SigningAlgorithm::kRsassaPssSha384:
      return {SignatureScheme::kPss, EVP_sha384()};
    case SigningAlgorithm::kRsassaPssSha512:
      return {SignatureScheme::kPss, EVP_sha512()};
    case SigningAlgorithm::kRsassaPkcs1V15Sha256:
      return {SignatureScheme::kPkcs1, EVP_sha256()};
    case SigningAlgorithm::kRsassaPkcs1V15Sha384:
      return {SignatureScheme::kPkcs1, EVP_sha384()};
    case SigningAlgorithm::kRsassaPkcs1V15Sha512:
      return {SignatureScheme::kPkcs1, EVP_sha512()};
    case SigningAlgorithm::kEcdsaSha256:
      return {SignatureScheme::kEcdsa, EVP_sha256()};
    case SigningAlgorithm::kEcdsaSha384:
      return {SignatureScheme::kEcdsa, EVP_sha384()};
    case SigningAlgorithm::kEcdsaSha512:
      return {SignatureScheme::kEcdsa, EVP_sha512()};
    case SigningAlgorithm::kEd25519Sha512:
      return {SignatureScheme::kEd25519, EVP_sha512()};
    case SigningAlgorithm::kEd25519PhSha512:
      return {SignatureScheme::kEd25519ph, EVP_sha512()};
  }
  return {SignatureScheme::kPss, EVP_sha256()};
}

const EVP_MD* OaepMd(EncryptionAlgorithm alg) {
  return alg == EncryptionAlgorithm::kRsaesOaepSha1 ? EVP_sha1() : EVP_sha256();
}

size_t ModulusBytes(AsymmetricKeySpec spec) {
  switch (spec) {
    case AsymmetricKeySpec::kRsa2048:
      return 256;
    case AsymmetricKeySpec::kRsa3072:
      return 384;
    case AsymmetricKeySpec::kRsa4096:
      return 512;
    default:
      return 0;
  }
}

// Checks that (alg, type, message) is a valid request for a key of `spec`.
Status CheckSigningRequest(AsymmetricKeySpec spec, SigningAlgorithm alg, MessageType type,
                           std::string_view message) {
  bool allowed = false;
  for (SigningAlgorithm a : SigningAlgorithmsFor(spec)) allowed = allowed || a == alg;
  if (!allowed) {
    return Status::InvalidArgument("signing algorithm " + std::string(Name(alg)) +
                                   " is not valid for key spec " + std::string(Name(spec)));
  }
  if (alg == SigningAlgorithm::kEd25519Sha512 && type != MessageType::kRaw) {
    return Status::InvalidArgument("ED25519_SHA_512 requires MessageType RAW");
  }
  if (alg == SigningAlgorithm::kEd25519PhSha512 && type != MessageType::kDigest) {
    return Status::InvalidArgument("ED25519_PH_SHA_512 requires MessageType DIGEST");
  }
  if (type == MessageType::kDigest && message.size() != DigestSize(alg)) {
    return Status::InvalidArgument("digest for " + std::string(Name(alg)) + " must be " +
                                   std::to_string(DigestSize(alg)) + " bytes, got " +
                                   std::to_string(message.size()));
  }
  if (alg == SigningAlgorithm::kEd25519PhSha512) {
    return Status::Unimplemented(
        "ED25519_PH_SHA_512 (Ed25519ph) is not supported: OpenSSL 3.0 provides pure Ed25519 "
        "only");
  }
  return Status::Ok();
}

// ---- Key parsing and encoding ---------------------------------------------------------------

Result<AsymmetricKeySpec> SpecOf(const EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    switch (EVP_PKEY_get_bits(pkey)) {
      case 2048:
        return AsymmetricKeySpec::kRsa2048;
      case 3072:
        return AsymmetricKeySpec::kRsa3072;
      case 4096:
        return AsymmetricKeySpec::kRsa4096;
      default:
        return Status::InvalidArgument("unsupported RSA key size " +
                                       std::to_string(EVP_PKEY_get_bits(pkey)) +
                                       " (KMS supports 2048, 3072 and 4096 bits)");
    }
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char group[80] = {};
    size_t group_len = 0;
    if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &group_len) != 1) {
      ClearOpenSslErrors();
      return Status::InvalidArgument("EC key without a named curve is not supported");
    }
    switch (OBJ_txt2nid(group)) {
      case NID_X9_62_prime256v1:
        return AsymmetricKeySpec::kEccNistP256;
      case NID_secp384r1:
        return AsymmetricKeySpec::kEccNistP384;
      case NID_secp521r1:
        return AsymmetricKeySpec::kEccNistP521;
      case NID_secp256k1:
        return AsymmetricKeySpec::kEccSecgP256k1;
      default:
        return Status::InvalidArgument("unsupported EC curve " + std::string(group));
    }
  }
  if (EVP_PKEY_is_a(pkey, "ED25519")) return AsymmetricKeySpec::kEccNistEdwards25519;
  return Status::InvalidArgument(
      "unsupported key type " +
      std::string(EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "(unknown)"));
}

Result<UniquePkey> ParsePkcs8(std::string_view der) {
  if (der.empty() || der.size() > LONG_MAX) {
    return Status::InvalidArgument("private key is not DER PKCS#8");
  }
  const unsigned char* p = Bytes(der);
  PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  const bool complete = p8 != nullptr && p == Bytes(der) + der.size();
  UniquePkey pkey(complete ? EVP_PKCS82PKEY(p8) : nullptr);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (!pkey) {
    ClearOpenSslErrors();
    return Status::InvalidArgument("private key is not DER PKCS#8");
  }
  return pkey;
}

Result<UniquePkey> ParseSpki(std::string_view der) {
  if (der.empty() || der.size() > LONG_MAX) {
    return Status::InvalidArgument("public key is not a DER SubjectPublicKeyInfo");
  }
  const unsigned char* p = Bytes(der);
  UniquePkey pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey || p != Bytes(der) + der.size()) {
    ClearOpenSslErrors();
    return Status::InvalidArgument("public key is not a DER SubjectPublicKeyInfo");
  }
  return pkey;
}

Result<SecretBytes> EncodePkcs8(const EVP_PKEY* pkey) {
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(pkey);
  if (p8 == nullptr) return OpenSslFailure("EVP_PKEY2PKCS8");
  unsigned char* buf = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &buf);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (len <= 0) return OpenSslFailure("i2d_PKCS8_PRIV_KEY_INFO");
  SecretBytes out(buf, static_cast<size_t>(len));
  OPENSSL_clear_free(buf, static_cast<size_t>(len));
  return out;
}

Result<std::string> EncodeSpki(const EVP_PKEY* pkey) {
  unsigned char* buf = nullptr;
  const int len = i2d_PUBKEY(pkey, &buf);
  if (len <= 0) return OpenSslFailure("i2d_PUBKEY");
  std::string out(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  OPENSSL_free(buf);
  return out;
}

// Never prompt on a terminal for a pass phrase: encrypted keys simply fail to parse.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

Result<std::string> Hash(const EVP_MD* md, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(message.data(), message.size(), out, &len, md, nullptr) != 1) {
    return OpenSslFailure("EVP_Digest");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

// What RSA and ECDSA sign: the message's digest, or the message itself when it is one.
Result<std::string> DigestToSign(const SigningParams& params, MessageType type,
                                 std::string_view message) {
  if (type == MessageType::kDigest) return std::string(message);
  return Hash(params.md, message);
}

// Sets padding, digest and (for PSS) MGF1 digest and salt length on a sign/verify context.
bool ConfigureDigestSignature(EVP_PKEY_CTX* ctx, const SigningParams& params) {
  if (params.scheme == SignatureScheme::kPss) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_signature_md(ctx, params.md) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, params.md) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  if (params.scheme == SignatureScheme::kPkcs1) {
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
           EVP_PKEY_CTX_set_signature_md(ctx, params.md) == 1;
  }
  return EVP_PKEY_CTX_set_signature_md(ctx, params.md) == 1;  // ECDSA
}

bool ConfigureOaep(EVP_PKEY_CTX* ctx, EncryptionAlgorithm alg) {
  return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(ctx, OaepMd(alg)) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, OaepMd(alg)) == 1;
}

Result<std::string> SignWith(EVP_PKEY* pkey, AsymmetricKeySpec spec, SigningAlgorithm alg,
                             MessageType type, std::string_view message) {
  SEALSTACK_RETURN_IF_ERROR(CheckSigningRequest(spec, alg, type, message));
  const SigningParams params = ParamsOf(alg);
  std::string signature;
  size_t len = 0;

  if (params.scheme == SignatureScheme::kEd25519) {
    UniqueMdCtx md_ctx(EVP_MD_CTX_new());
    if (!md_ctx || EVP_DigestSignInit(md_ctx.get(), nullptr, nullptr, nullptr, pkey) != 1 ||
        EVP_DigestSign(md_ctx.get(), nullptr, &len, Bytes(message), message.size()) != 1) {
      return OpenSslFailure("Ed25519 sign init");
    }
    signature.resize(len);
    if (EVP_DigestSign(md_ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                       Bytes(message), message.size()) != 1) {
      return OpenSslFailure("Ed25519 sign");
    }
    signature.resize(len);
    return signature;
  }

  SEALSTACK_ASSIGN_OR_RETURN(std::string digest, DigestToSign(params, type, message));
  UniquePkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 || !ConfigureDigestSignature(ctx.get(), params) ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, Bytes(digest), digest.size()) != 1) {
    return OpenSslFailure("sign init");
  }
  signature.resize(len);
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                    Bytes(digest), digest.size()) != 1) {
    return OpenSslFailure("EVP_PKEY_sign");
  }
  signature.resize(len);
  return signature;
}

Result<bool> VerifyWith(EVP_PKEY* pkey, AsymmetricKeySpec spec, SigningAlgorithm alg,
                        MessageType type, std::string_view message, std::string_view signature) {
  SEALSTACK_RETURN_IF_ERROR(CheckSigningRequest(spec, alg, type, message));
  const SigningParams params = ParamsOf(alg);

  if (params.scheme == SignatureScheme::kEd25519) {
    UniqueMdCtx md_ctx(EVP_MD_CTX_new());
    if (!md_ctx || EVP_DigestVerifyInit(md_ctx.get(), nullptr, nullptr, nullptr, pkey) != 1) {
      return OpenSslFailure("Ed25519 verify init");
    }
    const bool valid = EVP_DigestVerify(md_ctx.get(), Bytes(signature), signature.size(),
                                        Bytes(message), message.size()) == 1;
    ClearOpenSslErrors();
    return valid;
  }

  SEALSTACK_ASSIGN_OR_RETURN(std::string digest, DigestToSign(params, type, message));
  UniquePkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      !ConfigureDigestSignature(ctx.get(), params)) {
    return OpenSslFailure("verify init");
  }
  // 1: valid; 0: invalid; < 0: malformed signature (wrong length, bad DER). Only 1 is valid.
  const bool valid = EVP_PKEY_verify(ctx.get(), Bytes(signature), signature.size(), Bytes(digest),
                                     digest.size()) == 1;
  ClearOpenSslErrors();
  return valid;
}

}  // namespace

// ---- Names and tables -----------------------------------------------------------------------

std::string_view Name(AsymmetricKeySpec spec) {
  return NameOf(kKeySpecNames, spec);
}
std::string_view Name(SigningAlgorithm alg) {
  return NameOf(kSigningNames, alg);
}
std::string_view Name(MessageType type) {
  return NameOf(kMessageTypeNames, type);
}
std::string_view Name(EncryptionAlgorithm alg) {
  return NameOf(kEncryptionNames, alg);
}

std::optional<AsymmetricKeySpec> ParseAsymmetricKeySpec(std::string_view name) {
  return ValueOf(kKeySpecNames, name);
}
std::optional<SigningAlgorithm> ParseSigningAlgorithm(std::string_view name) {
  return ValueOf(kSigningNames, name);
}
std::optional<MessageType> ParseMessageType(std::string_view name) {
  return ValueOf(kMessageTypeNames, name);
}
std::optional<EncryptionAlgorithm> ParseEncryptionAlgorithm(std::string_view name) {
  return ValueOf(kEncryptionNames, name);
}

bool IsRsa(AsymmetricKeySpec spec) {
  return ModulusBytes(spec) != 0;
}

size_t RsaModulusSize(AsymmetricKeySpec spec) {
  return ModulusBytes(spec);
}

std::vector<SigningAlgorithm> SigningAlgorithmsFor(AsymmetricKeySpec spec) {
  switch (spec) {
    case AsymmetricKeySpec::kRsa2048:
    case AsymmetricKeySpec::kRsa3072:
    case AsymmetricKeySpec::kRsa4096:
      return {SigningAlgorithm::kRsassaPssSha256,      SigningAlgorithm::kRsassaPssSha384,
              SigningAlgorithm::kRsassaPssSha512,      SigningAlgorithm::kRsassaPkcs1V15Sha256,
              SigningAlgorithm::kRsassaPkcs1V15Sha384, SigningAlgorithm::kRsassaPkcs1V15Sha512};
    case AsymmetricKeySpec::kEccNistP256:
    case AsymmetricKeySpec::kEccSecgP256k1:
      return {SigningAlgorithm::kEcdsaSha256};
    case AsymmetricKeySpec::kEccNistP384:
      return {SigningAlgorithm::kEcdsaSha384};
    case AsymmetricKeySpec::kEccNistP521:
      return {SigningAlgorithm::kEcdsaSha512};
    case AsymmetricKeySpec::kEccNistEdwards25519:
      return {SigningAlgorithm::kEd25519Sha512, SigningAlgorithm::kEd25519PhSha512};
  }
  return {};
}

std::vector<EncryptionAlgorithm> EncryptionAlgorithmsFor(AsymmetricKeySpec spec) {
  if (!IsRsa(spec)) return {};
  return {EncryptionAlgorithm::kRsaesOaepSha1, EncryptionAlgorithm::kRsaesOaepSha256};
}

bool SupportsKeyAgreement(AsymmetricKeySpec spec) {
  return spec == AsymmetricKeySpec::kEccNistP256 || spec == AsymmetricKeySpec::kEccNistP384 ||
         spec == AsymmetricKeySpec::kEccNistP521;
}

size_t DigestSize(SigningAlgorithm alg) {
  return static_cast<size_t>(EVP_MD_get_size(ParamsOf(alg).md));
}

size_t MaxPlaintextSize(AsymmetricKeySpec spec, EncryptionAlgorithm alg) {
  if (!IsRsa(spec)) return 0;
  const size_t hash = alg == EncryptionAlgorithm::kRsaesOaepSha1 ? 20 : 32;
  return ModulusBytes(spec) - 2 * hash - 2;
}

// ---- Key generation and conversion ----------------------------------------------------------

Result<SecretBytes> GenerateKeyPair(AsymmetricKeySpec spec) {
  EVP_PKEY* raw = nullptr;
  switch (spec) {
    case AsymmetricKeySpec::kRsa2048:
    case AsymmetricKeySpec::kRsa3072:
    case AsymmetricKeySpec::kRsa4096:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", ModulusBytes(spec) * 8);
      break;
    case AsymmetricKeySpec::kEccNistP256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "prime256v1");
      break;
    case AsymmetricKeySpec::kEccNistP384:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp384r1");
      break;
    case AsymmetricKeySpec::kEccNistP521:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp521r1");
      break;
    case AsymmetricKeySpec::kEccSecgP256k1:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1");
      break;
    case AsymmetricKeySpec::kEccNistEdwards25519:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  UniquePkey pkey(raw);
  if (!pkey) return OpenSslFailure("key generation for " + std::string(Name(spec)));
  return EncodePkcs8(pkey.get());
}

Result<std::string> PublicKeyDer(const SecretBytes& private_pkcs8) {
  SEALSTACK_ASSIGN_OR_RETURN(UniquePkey pkey, ParsePkcs8(private_pkcs8.view()));
  SEALSTACK_RETURN_IF_ERROR(SpecOf(pkey.get()).status());
  return EncodeSpki(pkey.get());
}

Result<AsymmetricKeySpec> DetectKeySpec(const SecretBytes& private_pkcs8) {
  SEALSTACK_ASSIGN_OR_RETURN(UniquePkey pkey, ParsePkcs8(private_pkcs8.view()));
  return SpecOf(pkey.get());
}

Result<SecretBytes> PrivateKeyFromPem(std::string_view pem_or_der) {
  UniquePkey pkey;
  if (pem_or_der.find("-----BEGIN") != std::string_view::npos) {
    if (pem_or_der.size() > INT_MAX) return Status::InvalidArgument("PEM input too large");
    UniqueBio bio(BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size())));
    if (!bio) return OpenSslFailure("BIO_new_mem_buf");
    pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  } else if (!pem_or_der.empty() && pem_or_der.size() <= LONG_MAX) {
    // d2i_AutoPrivateKey takes PKCS#8 as well as the traditional per-algorithm formats.
    const unsigned char* p = Bytes(pem_or_der);
    pkey.reset(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pem_or_der.size())));
    if (pkey && p != Bytes(pem_or_der) + pem_or_der.size()) pkey.reset();
  }
  if (!pkey) {
    ClearOpenSslErrors();
    return Status::InvalidArgument(
        "not an unencrypted private key in PEM (PKCS#8, PKCS#1 or SEC1) or DER form");
  }
  SEALSTACK_RETURN_IF_ERROR(SpecOf(pkey.get()).status());
  return EncodePkcs8(pkey.get());
}

// ---- PublicKey ------------------------------------------------------------------------------

struct PublicKey::Impl {
  UniquePkey pkey;
  AsymmetricKeySpec spec;
  std::string der;
};

PublicKey::PublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<PublicKey> PublicKey::FromDer(std::string_view spki_der) {
  SEALSTACK_ASSIGN_OR_RETURN(UniquePkey pkey, ParseSpki(spki_der));
  SEALSTACK_ASSIGN_OR_RETURN(AsymmetricKeySpec spec, SpecOf(pkey.get()));
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  impl->spec = spec;
  impl->der.assign(spki_der);
  return PublicKey(std::move(impl));
}

AsymmetricKeySpec PublicKey::spec() const {
  return impl_->spec;
}

const std::string& PublicKey::der() const {
  return impl_->der;
}

Result<bool> PublicKey::Verify(SigningAlgorithm alg, MessageType type, std::string_view message,
                               std::string_view signature) const {
  return VerifyWith(impl_->pkey.get(), impl_->spec, alg, type, message, signature);
}

Result<std::string> PublicKey::Encrypt(EncryptionAlgorithm alg, std::string_view plaintext) const {
  if (!IsRsa(impl_->spec)) {
    return Status::InvalidArgument("key spec " + std::string(Name(impl_->spec)) +
                                   " does not support encryption");
  }
  const size_t max = MaxPlaintextSize(impl_->spec, alg);
  if (plaintext.size() > max) {
    return Status::InvalidArgument("plaintext of " + std::to_string(plaintext.size()) +
                                   " bytes exceeds the " + std::to_string(max) + "-byte limit of " +
                                   std::string(Name(alg)) + " with " +
                                   std::string(Name(impl_->spec)));
  }
  UniquePkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1 || !ConfigureOaep(ctx.get(), alg) ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, Bytes(plaintext), plaintext.size()) != 1) {
    return OpenSslFailure("RSA-OAEP encrypt init");
  }
  std::string ciphertext(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(ciphertext.data()), &len,
                       Bytes(plaintext), plaintext.size()) != 1) {
    return OpenSslFailure("RSA-OAEP encrypt");
  }
  ciphertext.resize(len);
  return ciphertext;
}

// ---- PrivateKey -----------------------------------------------------------------------------

struct PrivateKey::Impl {
  UniquePkey pkey;
  AsymmetricKeySpec spec;
  PublicKey public_key;
};

PrivateKey::PrivateKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<PrivateKey> PrivateKey::FromPkcs8(const SecretBytes& pkcs8) {
  SEALSTACK_ASSIGN_OR_RETURN(UniquePkey pkey, ParsePkcs8(pkcs8.view()));
  SEALSTACK_ASSIGN_OR_RETURN(AsymmetricKeySpec spec, SpecOf(pkey.get()));
  SEALSTACK_ASSIGN_OR_RETURN(std::string spki, EncodeSpki(pkey.get()));
  SEALSTACK_ASSIGN_OR_RETURN(PublicKey public_key, PublicKey::FromDer(spki));
  return PrivateKey(std::make_shared<const Impl>(Impl{std::move(pkey), spec, public_key}));
}

AsymmetricKeySpec PrivateKey::spec() const {
  return impl_->spec;
}

const std::string& PrivateKey::PublicKeyDer() const {
  return impl_->public_key.der();
}

const PublicKey& PrivateKey::public_key() const {
  return impl_->public_key;
}

Result<std::string> PrivateKey::Sign(SigningAlgorithm alg, MessageType type,
                                     std::string_view message) const {
  return SignWith(impl_->pkey.get(), impl_->spec, alg, type, message);
}

Result<bool> PrivateKey::Verify(SigningAlgorithm alg, MessageType type, std::string_view message,
                                std::string_view signature) const {
  return impl_->public_key.Verify(alg, type, message, signature);
}

Result<SecretBytes> PrivateKey::Decrypt(EncryptionAlgorithm alg,
                                        std::string_view ciphertext) const {
  if (!IsRsa(impl_->spec)) {
    return Status::InvalidArgument("key spec " + std::string(Name(impl_->spec)) +
                                   " does not support decryption");
  }
  // OpenSSL accepts short ciphertexts as if left-padded with zeros; KMS blobs are exact.
  if (ciphertext.size() != ModulusBytes(impl_->spec)) {
    return Status::Integrity("RSA ciphertext has the wrong length");
  }
  UniquePkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1 || !ConfigureOaep(ctx.get(), alg)) {
    return OpenSslFailure("RSA-OAEP decrypt init");
  }
  SecretBytes buffer(ModulusBytes(impl_->spec));
  size_t len = buffer.size();
  if (EVP_PKEY_decrypt(ctx.get(), buffer.data(), &len, Bytes(ciphertext), ciphertext.size()) != 1) {
    ClearOpenSslErrors();
    return Status::Integrity("RSA ciphertext does not decrypt under this key and algorithm");
  }
  return SecretBytes(buffer.data(), len);
}

Result<SecretBytes> PrivateKey::DeriveSharedSecret(std::string_view peer_public_spki_der) const {
  if (!SupportsKeyAgreement(impl_->spec)) {
    return Status::InvalidArgument("key spec " + std::string(Name(impl_->spec)) +
                                   " does not support key agreement");
  }
  SEALSTACK_ASSIGN_OR_RETURN(UniquePkey peer, ParseSpki(peer_public_spki_der));
  Result<AsymmetricKeySpec> peer_spec = SpecOf(peer.get());
  if (!peer_spec.ok() || *peer_spec != impl_->spec) {
    return Status::InvalidArgument("peer public key is not a " + std::string(Name(impl_->spec)) +
                                   " key");
  }
  UniquePkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) return OpenSslFailure("ECDH init");
  if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), /*validate_peer=*/1) != 1) {
    ClearOpenSslErrors();
    return Status::InvalidArgument("peer public key is not a valid point on the curve");
  }
  size_t len = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) return OpenSslFailure("ECDH");
  SecretBytes secret(len);
  if (EVP_PKEY_derive(ctx.get(), secret.data(), &len) != 1) return OpenSslFailure("ECDH");
  if (len != secret.size()) return SecretBytes(secret.data(), len);
  return secret;
}

}  // namespace sealstack::crypto
