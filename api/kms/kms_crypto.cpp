// kms::Service: the cryptographic operations.
#include "api/kms/key_state.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_service.h"
#include "crypto/hmac_key.h"

namespace sealstack::api::kms {

namespace {

Status WrongUsage(const Key& key, std::string_view op) {
  return KmsError(ErrorKind::kInvalidKeyUsage,
                  key.arn + " key usage is " + std::string(Name(key.usage)) +
                      " which is not valid for " + std::string(op) + ".");
}

Status RequireUsage(const Key& key, KeyUsage usage, std::string_view op) {
  return key.usage == usage ? Status::Ok() : WrongUsage(key, op);
}

Status RequireSymmetric(const Key& key, std::string_view op) {
  SEALSTACK_RETURN_IF_ERROR(RequireUsage(key, KeyUsage::kEncryptDecrypt, op));
  if (!IsSymmetric(key.spec)) {
    return KmsError(ErrorKind::kInvalidKeyUsage,
                    key.arn + " key spec is " + std::string(Name(key.spec)) +
                        " which is not valid for " + std::string(op) + ".");
  }
  return Status::Ok();
}

// An HMAC key computes one MAC algorithm, the one its key spec names.
Result<crypto::MacAlgorithm> CheckMacAlgorithm(const Key& key, std::string_view algorithm) {
  auto alg = crypto::ParseMacAlgorithm(algorithm);
  if (!alg || crypto::MacAlgorithmFor(*AsHmac(key.spec)) != *alg) {
    return KmsError(ErrorKind::kInvalidKeyUsage, "Algorithm " + std::string(algorithm) +
                                                     " is incompatible with key spec " +
                                                     std::string(Name(key.spec)) + ".");
  }
  return *alg;
}

Status InvalidCiphertext() {
  return KmsError(ErrorKind::kInvalidCiphertext, "");
}

ConditionKeys AlgorithmKey(std::string_view algorithm) {
  return {{"kms:EncryptionAlgorithm",
           {algorithm.empty() ? "SYMMETRIC_DEFAULT" : std::string(algorithm)}}};
}

// The algorithm a request names, checked against the key: symmetric keys take only
// SYMMETRIC_DEFAULT (the default); RSA keys need one of their OAEP algorithms.
Result<std::optional<crypto::EncryptionAlgorithm>> CheckEncryptionAlgorithm(
    const Key& key, std::string_view algorithm, std::string_view op) {
  if (IsSymmetric(key.spec)) {
    if (!algorithm.empty() && algorithm != "SYMMETRIC_DEFAULT") {
      return KmsError(ErrorKind::kInvalidKeyUsage, "The encryption algorithm " +
                                                       std::string(algorithm) +
                                                       " is not supported for " + key.arn + ".");
    }
    return std::optional<crypto::EncryptionAlgorithm>();
  }
  auto spec = AsAsymmetric(key.spec);
  auto alg = crypto::ParseEncryptionAlgorithm(algorithm);
  if (!spec || !alg || !crypto::IsRsa(*spec)) {
    return KmsError(ErrorKind::kInvalidKeyUsage,
                    "The encryption algorithm " +
                        std::string(algorithm.empty() ? "SYMMETRIC_DEFAULT" : algorithm) +
                        " is not supported for " + key.arn + " in " + std::string(op) + ".");
  }
  return std::optional<crypto::EncryptionAlgorithm>(*alg);
}

}  // namespace

Result<CryptoResult> Service::Encrypt(const Caller& c, std::string_view key_id,
                                      const crypto::SecretBytes& plaintext,
                                      const EncryptionContext& context,
                                      std::string_view algorithm) {
  SEALSTACK_ASSIGN_OR_RETURN(
      auto key, PrepareOp(c, "Encrypt", key_id, true, OperationClass::kCryptographic, &context,
                          AlgorithmKey(algorithm)));
  return EncryptWithKey(key, plaintext, context, algorithm, "Encrypt");
}

Result<CryptoResult> Service::EncryptWithKey(const std::shared_ptr<const Key>& key,
                                             const crypto::SecretBytes& plaintext,
                                             const EncryptionContext& context,
                                             std::string_view algorithm,
                                             std::string_view operation) {
  SEALSTACK_RETURN_IF_ERROR(RequireUsage(*key, KeyUsage::kEncryptDecrypt, operation));
  SEALSTACK_ASSIGN_OR_RETURN(auto rsa_alg, CheckEncryptionAlgorithm(*key, algorithm, "Encrypt"));
  const Material* m = key->current();
  if (m == nullptr) return KmsError(ErrorKind::kInvalidState, key->arn + " is pending import.");
  CryptoResult out;
  out.key_arn = key->arn;
  // Only symmetric keys name their key material (ReEncrypt DestinationKeyMaterialId).
  if (!rsa_alg) out.material_id = m->id;
  if (rsa_alg) {
    auto spec = *AsAsymmetric(key->spec);
    if (plaintext.size() > crypto::MaxPlaintextSize(spec, *rsa_alg)) {
      return KmsError(ErrorKind::kValidation,
                      "Algorithm " + std::string(crypto::Name(*rsa_alg)) + " and key spec " +
                          std::string(Name(key->spec)) + " cannot encrypt data larger than " +
                          std::to_string(crypto::MaxPlaintextSize(spec, *rsa_alg)) + " bytes.");
    }
    SEALSTACK_ASSIGN_OR_RETURN(out.ciphertext,
                               m->private_key->public_key().Encrypt(*rsa_alg, plaintext.view()));
    out.algorithm = std::string(crypto::Name(*rsa_alg));
  } else {
    SEALSTACK_ASSIGN_OR_RETURN(
        out.ciphertext, SealBlob(m->bytes, {key->id, m->id}, context, plaintext.view(), *random_));
    out.algorithm = "SYMMETRIC_DEFAULT";
  }
  NoteUse(*key, operation);
  return out;
}

Result<CryptoResult> Service::Decrypt(const Caller& c, std::string_view key_id,
                                      std::string_view ciphertext, const EncryptionContext& context,
                                      std::string_view algorithm) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "Decrypt", key_id, ciphertext));
  return DecryptAs(c, "kms:Decrypt", key_id, ciphertext, context, algorithm, {});
}

Result<CryptoResult> Service::DecryptAs(const Caller& c, std::string_view action,
                                        std::string_view key_id, std::string_view ciphertext,
                                        const EncryptionContext& context,
                                        std::string_view algorithm, ConditionKeys extra) {
  ConditionKeys keys = AlgorithmKey(algorithm);
  keys.insert(extra.begin(), extra.end());
  RunDue();
  std::shared_ptr<const Key> key;
  std::optional<BlobHeader> header = ParseBlobHeader(ciphertext);
  if (!key_id.empty()) {
    SEALSTACK_ASSIGN_OR_RETURN(
        key, Prepare(c, key_id, true, OperationClass::kCryptographic, action, &context, keys));
    // A blob of ours names its key: naming another key is IncorrectKeyException whatever
    // that key's usage (RSA ciphertexts are raw, so an RSA encryption key is not asked).
    const bool rsa_encryption = key->usage == KeyUsage::kEncryptDecrypt && !IsSymmetric(key->spec);
    if (!rsa_encryption && header && header->key_id != key->id) {
      return KmsError(ErrorKind::kIncorrectKey,
                      "The key ID in the request does not identify a CMK that can perform this "
                      "operation.");
    }
  } else {
    if (!header) return InvalidCiphertext();
    std::shared_ptr<const Key> found;
    {
      ReaderLock lock(mu_);
      auto it = keys_.find(KeyHandle(header->key_id, c.region));
      if (it != keys_.end()) found = it->second;
    }
    // A key of another region is not there for this caller.
    if (!found || found->region != c.region) {
      return KmsError(ErrorKind::kAccessDenied,
                      "User: " + c.principal->arn +
                          " is not authorized to perform: " + std::string(action) +
                          " on the resource associated "
                          "with this ciphertext because the resource does not exist in this "
                          "Region, no resource-based policies allow access, or a resource-based "
                          "policy explicitly denies access");
    }
    SEALSTACK_ASSIGN_OR_RETURN(
        key, Prepare(c, found->arn, false, OperationClass::kCryptographic, action, &context, keys));
  }
  SEALSTACK_RETURN_IF_ERROR(RequireUsage(*key, KeyUsage::kEncryptDecrypt, "Decrypt"));
  SEALSTACK_ASSIGN_OR_RETURN(auto rsa_alg, CheckEncryptionAlgorithm(*key, algorithm, "Decrypt"));
  CryptoResult out;
  out.key_arn = key->arn;
  if (rsa_alg) {
    const Material* m = key->current();
    if (m == nullptr) return InvalidCiphertext();
    auto pt = m->private_key->Decrypt(*rsa_alg, ciphertext);
    if (!pt.ok()) return InvalidCiphertext();
    out.plaintext = std::move(*pt);
    // No KeyMaterialId / SourceKeyMaterialId for asymmetric keys (present "only when the
    // operation uses a symmetric encryption KMS key", Decrypt and ReEncrypt output).
    out.algorithm = std::string(crypto::Name(*rsa_alg));
  } else {
    if (!header) return InvalidCiphertext();
    const Material* m = key->FindMaterial(header->material_id);
    if (m == nullptr) return InvalidCiphertext();
    auto pt = OpenBlob(m->bytes, ciphertext, context);
    if (!pt.ok()) return InvalidCiphertext();
    out.plaintext = std::move(*pt);
    out.material_id = m->id;
    out.algorithm = "SYMMETRIC_DEFAULT";
  }
  NoteUse(*key, "Decrypt");
  return out;
}

Result<Service::ReEncryptResult> Service::ReEncrypt(const Caller& c, std::string_view ciphertext,
                                                    const EncryptionContext& source_context,
                                                    std::string_view source_key_id,
                                                    std::string_view source_algorithm,
                                                    std::string_view destination_key_id,
                                                    const EncryptionContext& destination_context,
                                                    std::string_view destination_algorithm) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "ReEncrypt", destination_key_id));
  // Authorized as kms:ReEncryptFrom on the source and kms:ReEncryptTo on the destination (not
  // kms:Decrypt / kms:Encrypt), with kms:ReEncryptOnSameKey telling a policy which it is.
  std::optional<BlobHeader> header = ParseBlobHeader(ciphertext);
  SEALSTACK_ASSIGN_OR_RETURN(Resolved target, Resolve(c, destination_key_id, true));
  const bool same_key = header && header->key_id == target.key->id;
  const ConditionKeys same = {{"kms:ReEncryptOnSameKey", {same_key ? "true" : "false"}}};
  ConditionKeys dest_keys = AlgorithmKey(destination_algorithm);
  dest_keys.insert(same.begin(), same.end());
  SEALSTACK_ASSIGN_OR_RETURN(auto dest,
                             Prepare(c, destination_key_id, true, OperationClass::kCryptographic,
                                     "kms:ReEncryptTo", &destination_context, dest_keys));
  SEALSTACK_ASSIGN_OR_RETURN(CryptoResult source,
                             DecryptAs(c, "kms:ReEncryptFrom", source_key_id, ciphertext,
                                       source_context, source_algorithm, same));
  SEALSTACK_ASSIGN_OR_RETURN(CryptoResult destination,
                             EncryptWithKey(dest, source.plaintext, destination_context,
                                            destination_algorithm, "ReEncrypt"));
  ReEncryptResult out;
  out.source_key_arn = source.key_arn;
  out.source_algorithm = source.algorithm;
  out.source_material_id = source.material_id;
  out.destination = std::move(destination);
  return out;
}

Result<CryptoResult> Service::GenerateDataKey(const Caller& c, std::string_view key_id,
                                              size_t bytes, const EncryptionContext& context,
                                              bool with_plaintext) {
  const std::string_view op =
      with_plaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext";
  SEALSTACK_ASSIGN_OR_RETURN(
      auto key, PrepareOp(c, op, key_id, true, OperationClass::kCryptographic, &context));
  SEALSTACK_RETURN_IF_ERROR(RequireSymmetric(*key, op));
  const Material* m = key->current();
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes data_key, random_->Secret(bytes));
  CryptoResult out;
  out.key_arn = key->arn;
  out.material_id = m->id;
  SEALSTACK_ASSIGN_OR_RETURN(
      out.ciphertext, SealBlob(m->bytes, {key->id, m->id}, context, data_key.view(), *random_));
  if (with_plaintext) out.plaintext = std::move(data_key);
  NoteUse(*key, op);
  return out;
}

Result<DataKeyPair> Service::GenerateDataKeyPair(const Caller& c, std::string_view key_id,
                                                 std::string_view pair_spec,
                                                 const EncryptionContext& context,
                                                 bool with_plaintext) {
  const std::string_view op =
      with_plaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext";
  SEALSTACK_ASSIGN_OR_RETURN(
      auto key, PrepareOp(c, op, key_id, true, OperationClass::kCryptographic, &context,
                          {{"kms:DataKeyPairSpec", {std::string(pair_spec)}}}));
  SEALSTACK_RETURN_IF_ERROR(RequireSymmetric(*key, "GenerateDataKeyPair"));
  auto spec = crypto::ParseAsymmetricKeySpec(pair_spec);
  if (!spec) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "KeyPairSpec " + std::string(pair_spec) + " is not supported.");
  }
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes pkcs8, crypto::GenerateKeyPair(*spec));
  DataKeyPair out;
  SEALSTACK_ASSIGN_OR_RETURN(out.public_key, crypto::PublicKeyDer(pkcs8));
  const Material* m = key->current();
  SEALSTACK_ASSIGN_OR_RETURN(out.private_key_ciphertext,
                             SealBlob(m->bytes, {key->id, m->id}, context, pkcs8.view(), *random_));
  out.key_arn = key->arn;
  out.material_id = m->id;
  if (with_plaintext) out.private_key_plaintext = std::move(pkcs8);
  NoteUse(*key, op);
  return out;
}

Result<crypto::SecretBytes> Service::GenerateRandom(const Caller& c, size_t bytes) {
  SEALSTACK_RETURN_IF_ERROR(CheckFault(c, "GenerateRandom"));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "kms:GenerateRandom", nullptr));
  return random_->Secret(bytes);
}

namespace {

// `op` (Sign or Verify) is the operation the key-usage error names.
Result<crypto::SigningAlgorithm> CheckSigning(const Key& key, std::string_view algorithm,
                                              std::string_view message_type,
                                              crypto::MessageType* type, std::string_view op) {
  SEALSTACK_RETURN_IF_ERROR(RequireUsage(key, KeyUsage::kSignVerify, op));
  auto alg = crypto::ParseSigningAlgorithm(algorithm);
  auto spec = AsAsymmetric(key.spec);
  bool allowed = false;
  if (alg && spec) {
    for (auto a : crypto::SigningAlgorithmsFor(*spec)) allowed = allowed || a == *alg;
  }
  if (!allowed) {
    return KmsError(ErrorKind::kInvalidKeyUsage, "Signing algorithm " + std::string(algorithm) +
                                                     " is not supported for " + key.arn + ".");
  }
  *type = message_type == "DIGEST" ? crypto::MessageType::kDigest : crypto::MessageType::kRaw;
  if (*type == crypto::MessageType::kDigest) {
    if (*alg == crypto::SigningAlgorithm::kEd25519Sha512) {
      return KmsError(ErrorKind::kInvalidKeyUsage, "ED25519_SHA_512 requires MessageType RAW.");
    }
  } else if (*alg == crypto::SigningAlgorithm::kEd25519PhSha512) {
    return KmsError(ErrorKind::kInvalidKeyUsage, "ED25519_PH_SHA_512 requires MessageType DIGEST.");
  }
  return *alg;
}

// A failure of the key's signature code: bad input (a digest of the wrong length) is a
// ValidationException; an algorithm OpenSSL lacks (Ed25519ph in OpenSSL 3.0, documented in the
// README) an UnsupportedOperationException.
Status SigningFailure(const Status& status) {
  if (status.code() == StatusCode::kInvalidArgument) {
    return KmsError(ErrorKind::kValidation, status.message());
  }
  if (status.code() == StatusCode::kUnimplemented) {
    return KmsError(ErrorKind::kUnsupportedOperation, status.message());
  }
  return status;
}

}  // namespace

Result<Service::SigningKey> Service::PrepareSigning(const Caller& c, std::string_view op,
                                                    std::string_view key_id,
                                                    std::string_view message_type,
                                                    std::string_view algorithm) {
  SigningKey out;
  SEALSTACK_ASSIGN_OR_RETURN(out.key,
                             PrepareOp(c, op, key_id, true, OperationClass::kCryptographic, nullptr,
                                       {{"kms:SigningAlgorithm", {std::string(algorithm)}},
                                        {"kms:MessageType", {std::string(message_type)}}}));
  SEALSTACK_ASSIGN_OR_RETURN(
      out.algorithm, CheckSigning(*out.key, algorithm, message_type, &out.message_type, op));
  return out;
}

Result<std::string> Service::Sign(const Caller& c, std::string_view key_id,
                                  std::string_view message, std::string_view message_type,
                                  std::string_view algorithm, std::string* key_arn) {
  SEALSTACK_ASSIGN_OR_RETURN(SigningKey s,
                             PrepareSigning(c, "Sign", key_id, message_type, algorithm));
  *key_arn = s.key->arn;
  auto sig = s.key->current()->private_key->Sign(s.algorithm, s.message_type, message);
  if (!sig.ok()) return SigningFailure(sig.status());
  NoteUse(*s.key, "Sign");
  return sig;
}

Status Service::Verify(const Caller& c, std::string_view key_id, std::string_view message,
                       std::string_view message_type, std::string_view signature,
                       std::string_view algorithm, std::string* key_arn) {
  SEALSTACK_ASSIGN_OR_RETURN(SigningKey s,
                             PrepareSigning(c, "Verify", key_id, message_type, algorithm));
  *key_arn = s.key->arn;
  auto valid =
      s.key->current()->private_key->Verify(s.algorithm, s.message_type, message, signature);
  if (!valid.ok()) return SigningFailure(valid.status());
  NoteUse(*s.key, "Verify");
  if (!*valid) return KmsError(ErrorKind::kInvalidSignature, "");
  return Status::Ok();
}

Result<std::shared_ptr<const Key>> Service::GetPublicKey(const Caller& c, std::string_view key_id,
                                                         std::string* public_key_der) {
  SEALSTACK_ASSIGN_OR_RETURN(
      auto key, PrepareOp(c, "GetPublicKey", key_id, true, OperationClass::kCryptographic));
  if (!IsAsymmetric(key->spec)) {
    return KmsError(ErrorKind::kUnsupportedOperation, key->arn + " key spec is " +
                                                          std::string(Name(key->spec)) +
                                                          ", which does not support GetPublicKey.");
  }
  *public_key_der = key->current()->private_key->PublicKeyDer();
  NoteUse(*key, "GetPublicKey");
  return key;
}

Result<Service::MacKey> Service::PrepareMac(const Caller& c, std::string_view op,
                                            std::string_view key_id, std::string_view algorithm) {
  MacKey out;
  SEALSTACK_ASSIGN_OR_RETURN(out.key,
                             PrepareOp(c, op, key_id, true, OperationClass::kCryptographic, nullptr,
                                       {{"kms:MacAlgorithm", {std::string(algorithm)}}}));
  SEALSTACK_RETURN_IF_ERROR(RequireUsage(*out.key, KeyUsage::kGenerateVerifyMac, op));
  SEALSTACK_ASSIGN_OR_RETURN(out.algorithm, CheckMacAlgorithm(*out.key, algorithm));
  return out;
}

Result<std::string> Service::GenerateMac(const Caller& c, std::string_view key_id,
                                         std::string_view message, std::string_view algorithm,
                                         std::string* key_arn) {
  SEALSTACK_ASSIGN_OR_RETURN(MacKey m, PrepareMac(c, "GenerateMac", key_id, algorithm));
  *key_arn = m.key->arn;
  NoteUse(*m.key, "GenerateMac");
  return crypto::Mac(m.algorithm, m.key->current()->bytes, message);
}

Status Service::VerifyMac(const Caller& c, std::string_view key_id, std::string_view message,
                          std::string_view mac, std::string_view algorithm, std::string* key_arn) {
  SEALSTACK_ASSIGN_OR_RETURN(MacKey m, PrepareMac(c, "VerifyMac", key_id, algorithm));
  *key_arn = m.key->arn;
  NoteUse(*m.key, "VerifyMac");
  if (!crypto::VerifyMac(m.algorithm, m.key->current()->bytes, message, mac)) {
    return KmsError(ErrorKind::kInvalidMac, "");
  }
  return Status::Ok();
}

Result<crypto::SecretBytes> Service::DeriveSharedSecret(const Caller& c, std::string_view key_id,
                                                        std::string_view algorithm,
                                                        std::string_view public_key,
                                                        std::string* key_arn) {
  SEALSTACK_ASSIGN_OR_RETURN(
      auto key, PrepareOp(c, "DeriveSharedSecret", key_id, true, OperationClass::kCryptographic));
  SEALSTACK_RETURN_IF_ERROR(RequireUsage(*key, KeyUsage::kKeyAgreement, "DeriveSharedSecret"));
  if (algorithm != "ECDH") {
    return KmsError(ErrorKind::kInvalidKeyUsage, "Key agreement algorithm " +
                                                     std::string(algorithm) +
                                                     " is not supported for " + key->arn + ".");
  }
  *key_arn = key->arn;
  auto secret = key->current()->private_key->DeriveSharedSecret(public_key);
  if (!secret.ok()) {
    // AWS gives no reason (a ValidationException without a message).
    return KmsError(ErrorKind::kValidation, "");
  }
  NoteUse(*key, "DeriveSharedSecret");
  return secret;
}

}  // namespace sealstack::api::kms
