// Asymmetric keys for KMS: RSA, NIST/SECG elliptic curves and Ed25519. OpenSSL EVP underneath.
//
// The cryptography behind CreateKey (asymmetric key specs), GetPublicKey, Sign, Verify,
// Encrypt/Decrypt with RSA keys, GenerateDataKeyPair* and DeriveSharedSecret. Enum names mirror
// the AWS names; Name() / ParseX() convert to and from the exact AWS strings.
//
// Key formats (the ones KMS uses on the wire):
//   private key: DER PKCS#8 PrivateKeyInfo, held in SecretBytes. This is what gets wrapped and
//                stored, and what GenerateDataKeyPair returns as PrivateKeyPlaintext.
//   public key:  DER X.509 SubjectPublicKeyInfo (GetPublicKey, data key pair PublicKey).
//
// Algorithms (which one is valid for which key spec: SigningAlgorithmsFor /
// EncryptionAlgorithmsFor / SupportsKeyAgreement; docs/protocol-notes.md):
//   RSASSA_PSS_SHA_*         RSASSA-PSS, MGF1 with the same hash, salt length = hash length.
//   RSASSA_PKCS1_V1_5_SHA_*  RSASSA-PKCS1-v1_5. RSA signatures are raw (modulus-length) bytes.
//   ECDSA_SHA_*              ECDSA; the signature is DER-encoded Ecdsa-Sig-Value (r, s).
//   ED25519_SHA_512          pure Ed25519 (RFC 8032); MessageType RAW only.
//   ED25519_PH_SHA_512       Ed25519ph over a SHA-512 digest; MessageType DIGEST only.
//                            NOT SUPPORTED by OpenSSL 3.0: Sign/Verify return Unimplemented.
//   RSAES_OAEP_SHA_1/256     RSAES-OAEP, MGF1 with the same hash, empty label.
//   ECDH                     raw shared secret (the x-coordinate), NIST P-256/384/521 only.
//
// MessageType RAW hashes the message with the algorithm's hash first; DIGEST takes the message
// as the already-computed hash (it must be exactly that hash's length) and signs it as is.
// Message size limits (KMS: 1..4096 bytes) are the caller's to enforce.
//
// Errors: bad key bytes, a key spec we do not support, an algorithm that does not fit the key,
// a digest of the wrong length, an over-long plaintext, a peer key on another curve ->
// InvalidArgument; an RSA ciphertext that does not decrypt -> Integrity; OpenSSL failures ->
// Internal. A signature that does not verify is not an error: Verify returns false.
//
// Thread safety: the free functions are reentrant. PrivateKey and PublicKey are immutable once
// built and cheap to copy (copies share the parsed key); any number of threads may call their
// const methods on the same object at once.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "crypto/secret_bytes.h"

namespace sealstack::crypto {

// KMS KeySpec / KeyPairSpec values for asymmetric keys.
enum class AsymmetricKeySpec {
  kRsa2048,              // "RSA_2048"
  kRsa3072,              // "RSA_3072"
  kRsa4096,              // "RSA_4096"
  kEccNistP256,          // "ECC_NIST_P256" (secp256r1, prime256v1)
  kEccNistP384,          // "ECC_NIST_P384" (secp384r1)
  kEccNistP521,          // "ECC_NIST_P521" (secp521r1)
  kEccSecgP256k1,        // "ECC_SECG_P256K1" (secp256k1)
  kEccNistEdwards25519,  // "ECC_NIST_EDWARDS25519" (Ed25519)
};

enum class SigningAlgorithm {
  kRsassaPssSha256,       // "RSASSA_PSS_SHA_256"
  kRsassaPssSha384,       // "RSASSA_PSS_SHA_384"
  kRsassaPssSha512,       // "RSASSA_PSS_SHA_512"
  kRsassaPkcs1V15Sha256,  // "RSASSA_PKCS1_V1_5_SHA_256"
  kRsassaPkcs1V15Sha384,  // "RSASSA_PKCS1_V1_5_SHA_384"
  kRsassaPkcs1V15Sha512,  // "RSASSA_PKCS1_V1_5_SHA_512"
  kEcdsaSha256,           // "ECDSA_SHA_256"
  kEcdsaSha384,           // "ECDSA_SHA_384"
  kEcdsaSha512,           // "ECDSA_SHA_512"
  kEd25519Sha512,         // "ED25519_SHA_512"
  kEd25519PhSha512,       // "ED25519_PH_SHA_512"
};

enum class MessageType {
  kRaw,     // "RAW"
  kDigest,  // "DIGEST"
};

enum class EncryptionAlgorithm {
  kRsaesOaepSha1,    // "RSAES_OAEP_SHA_1"
  kRsaesOaepSha256,  // "RSAES_OAEP_SHA_256"
};

std::string_view Name(AsymmetricKeySpec spec);
std::string_view Name(SigningAlgorithm alg);
std::string_view Name(MessageType type);
std::string_view Name(EncryptionAlgorithm alg);

// Exact (case-sensitive) AWS names; nullopt for anything else.
std::optional<AsymmetricKeySpec> ParseAsymmetricKeySpec(std::string_view name);
std::optional<SigningAlgorithm> ParseSigningAlgorithm(std::string_view name);
std::optional<MessageType> ParseMessageType(std::string_view name);
std::optional<EncryptionAlgorithm> ParseEncryptionAlgorithm(std::string_view name);

bool IsRsa(AsymmetricKeySpec spec);
// Bytes of the RSA modulus (256, 384 or 512): the length of RSA signatures and ciphertexts.
// 0 for non-RSA specs.
size_t RsaModulusSize(AsymmetricKeySpec spec);

// The algorithms KMS allows for a key spec, in the order KMS lists them in KeyMetadata.
// EncryptionAlgorithmsFor is empty for non-RSA specs.
std::vector<SigningAlgorithm> SigningAlgorithmsFor(AsymmetricKeySpec spec);
std::vector<EncryptionAlgorithm> EncryptionAlgorithmsFor(AsymmetricKeySpec spec);
// True for the specs that KMS allows with KeyUsage KEY_AGREEMENT (ECDH): NIST P-256/384/521.
bool SupportsKeyAgreement(AsymmetricKeySpec spec);

// Length in bytes of the hash behind `alg` (32, 48 or 64): the required message length for
// MessageType DIGEST.
size_t DigestSize(SigningAlgorithm alg);

// The largest plaintext Encrypt accepts: modulus bytes - 2 * hash bytes - 2, i.e.
// RSA_2048: 214 (OAEP-SHA1) / 190 (OAEP-SHA256); RSA_3072: 342 / 318; RSA_4096: 470 / 446.
// 0 for non-RSA specs.
size_t MaxPlaintextSize(AsymmetricKeySpec spec, EncryptionAlgorithm alg);

// A fresh key pair, as the DER PKCS#8 private key. RSA keys use e = 65537. Randomness comes
// from OpenSSL's CSPRNG (it is not injectable). RSA_4096 takes around a second.
Result<SecretBytes> GenerateKeyPair(AsymmetricKeySpec spec);

// The DER SubjectPublicKeyInfo of a DER PKCS#8 private key.
Result<std::string> PublicKeyDer(const SecretBytes& private_pkcs8);

// The key spec of a DER PKCS#8 private key; InvalidArgument if it is not one of ours (e.g.
// RSA_1024, DSA, an EC key on another curve or with explicit curve parameters).
Result<AsymmetricKeySpec> DetectKeySpec(const SecretBytes& private_pkcs8);

// Parses a private key given as PEM ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY") or as
// DER (PKCS#8, or traditional PKCS#1 / SEC1) and returns it as DER PKCS#8. Encrypted keys are
// not supported. InvalidArgument if the key does not parse or its spec is not supported.
Result<SecretBytes> PrivateKeyFromPem(std::string_view pem_or_der);

class PublicKey;

// A parsed private key (with its public half), ready for repeated use. Parse once and cache.
class PrivateKey {
 public:
  // REQUIRES: pkcs8 is a DER PKCS#8 private key of a supported spec (InvalidArgument otherwise;
  // trailing bytes after the DER structure are rejected too).
  static Result<PrivateKey> FromPkcs8(const SecretBytes& pkcs8);

  AsymmetricKeySpec spec() const;
  // The DER SubjectPublicKeyInfo; computed once when the key is parsed.
  const std::string& PublicKeyDer() const;
  const PublicKey& public_key() const;

  // Signs `message` (see MessageType above). REQUIRES: `alg` is in SigningAlgorithmsFor(spec()),
  // and for DIGEST, message.size() == DigestSize(alg); ED25519_SHA_512 only with RAW,
  // ED25519_PH_SHA_512 only with DIGEST. Otherwise InvalidArgument.
  Result<std::string> Sign(SigningAlgorithm alg, MessageType type, std::string_view message) const;

  // The same as public_key().Verify(...).
  Result<bool> Verify(SigningAlgorithm alg, MessageType type, std::string_view message,
                      std::string_view signature) const;

  // RSAES-OAEP decryption. REQUIRES: an RSA key. A ciphertext that does not decrypt under this
  // key and algorithm (wrong key, wrong algorithm, tampered, wrong length) -> Integrity.
  Result<SecretBytes> Decrypt(EncryptionAlgorithm alg, std::string_view ciphertext) const;

  // ECDH with a peer public key (DER SubjectPublicKeyInfo) on the same curve; returns the raw
  // shared secret (the x-coordinate of the shared point, field-size bytes).
  // REQUIRES: SupportsKeyAgreement(spec()). A peer key that does not parse, is not EC, is on
  // another curve or is not a valid point -> InvalidArgument.
  Result<SecretBytes> DeriveSharedSecret(std::string_view peer_public_spki_der) const;

 private:
  struct Impl;
  explicit PrivateKey(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// A parsed public key (from a DER SubjectPublicKeyInfo).
class PublicKey {
 public:
  // REQUIRES: spki is a DER SubjectPublicKeyInfo of a supported spec (InvalidArgument
  // otherwise; trailing bytes are rejected).
  static Result<PublicKey> FromDer(std::string_view spki_der);

  AsymmetricKeySpec spec() const;
  const std::string& der() const;

  // True if `signature` is a valid signature of `message` under this key. Any malformed or
  // mismatching signature gives false, not an error. REQUIRES: as PrivateKey::Sign
  // (InvalidArgument otherwise).
  Result<bool> Verify(SigningAlgorithm alg, MessageType type, std::string_view message,
                      std::string_view signature) const;

  // RSAES-OAEP encryption (randomised). REQUIRES: an RSA key and
  // plaintext.size() <= MaxPlaintextSize(spec(), alg); InvalidArgument otherwise.
  Result<std::string> Encrypt(EncryptionAlgorithm alg, std::string_view plaintext) const;

 private:
  friend class PrivateKey;
  struct Impl;
  explicit PublicKey(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace sealstack::crypto
