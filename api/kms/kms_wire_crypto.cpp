// The KMS wire rows of the cryptographic operations (kms_wire_ops.h).
#include <algorithm>

#include "api/kms/kms_wire_ops.h"

namespace sealstack::api::kms::wire_ops {

namespace {

const std::vector<std::string_view> kEncryptionAlgorithms = {
    "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"};
const std::vector<std::string_view> kSigningAlgorithms = {"RSASSA_PSS_SHA_256",
                                                          "RSASSA_PSS_SHA_384",
                                                          "RSASSA_PSS_SHA_512",
                                                          "RSASSA_PKCS1_V1_5_SHA_256",
                                                          "RSASSA_PKCS1_V1_5_SHA_384",
                                                          "RSASSA_PKCS1_V1_5_SHA_512",
                                                          "ECDSA_SHA_256",
                                                          "ECDSA_SHA_384",
                                                          "ECDSA_SHA_512",
                                                          "SM2DSA",
                                                          "ML_DSA_SHAKE_256",
                                                          "ED25519_SHA_512",
                                                          "ED25519_PH_SHA_512"};
// In the order AWS lists them in its enum ValidationException (recorded against AWS, 2024-04).
const std::vector<std::string_view> kMacAlgorithms = {"HMAC_SHA_384", "HMAC_SHA_256",
                                                      "HMAC_SHA_224", "HMAC_SHA_512"};
const std::vector<std::string_view> kKeyPairSpecs = {
    "RSA_2048",      "RSA_3072",        "RSA_4096", "ECC_NIST_P256",        "ECC_NIST_P384",
    "ECC_NIST_P521", "ECC_SECG_P256K1", "SM2",      "ECC_NIST_EDWARDS25519"};
const std::vector<std::string_view> kMessageTypes = {"RAW", "DIGEST", "EXTERNAL_MU"};

struct EncryptRequest {
  std::string key_id;
  crypto::SecretBytes plaintext;
  EncryptionContext context;
  std::string algorithm;
  bool dry_run = false;
};
Result<EncryptRequest> ReadEncrypt(JsonInput& in) {
  EncryptRequest r;
  r.key_id = KeyIdArg(in);
  auto plaintext = in.SensitiveBlob("Plaintext", true, 1, 4096);
  r.context = ContextArg(in);
  GrantTokensArg(in);
  r.algorithm = in.Enum("EncryptionAlgorithm", false, kEncryptionAlgorithms).value_or("");
  r.dry_run = DryRunArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.plaintext = crypto::SecretBytes(*plaintext);
  return r;
}
Result<CryptoResult> CallEncrypt(Service& s, const Caller& c, const EncryptRequest& r) {
  return UnlessDryRun(r.dry_run, s.Encrypt(c, r.key_id, r.plaintext, r.context, r.algorithm));
}
void RenderEncrypt(JsonOutput& out, const CryptoResult& r) {
  out.Blob("CiphertextBlob", r.ciphertext);
  out.String("KeyId", r.key_arn);
  out.String("EncryptionAlgorithm", r.algorithm);
}

struct DecryptRequest {
  std::optional<std::string> ciphertext;  // absent only in a DryRun
  EncryptionContext context;
  std::string key_id;
  std::string algorithm;
  bool dry_run = false;
};
Result<DecryptRequest> ReadDecrypt(JsonInput& in) {
  DecryptRequest r;
  r.dry_run = DryRunArg(in);
  r.ciphertext = in.Blob("CiphertextBlob", !r.dry_run, 1, 6144);
  r.context = ContextArg(in);
  GrantTokensArg(in);
  r.key_id = in.String("KeyId", false, 1, kMaxKeyId).value_or("");
  r.algorithm = in.Enum("EncryptionAlgorithm", false, kEncryptionAlgorithms).value_or("");
  in.StringList("DryRunModifiers", false);
  if (in.Has("Recipient")) return RecipientUnsupported(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
Result<CryptoResult> CallDecrypt(Service& s, const Caller& c, const DecryptRequest& r) {
  if (r.dry_run && !r.ciphertext) {
    // A DryRun without a ciphertext checks only that the key exists and may be described.
    if (!r.key_id.empty()) SEALSTACK_RETURN_IF_ERROR(s.DescribeKey(c, r.key_id).status());
    return DryRun();
  }
  return UnlessDryRun(r.dry_run, s.Decrypt(c, r.key_id, *r.ciphertext, r.context, r.algorithm));
}
void RenderDecrypt(JsonOutput& out, const CryptoResult& r) {
  out.String("KeyId", r.key_arn);
  out.Blob("Plaintext", r.plaintext.view());
  out.String("EncryptionAlgorithm", r.algorithm);
  if (!r.material_id.empty()) out.String("KeyMaterialId", r.material_id);
}

struct ReEncryptRequest {
  std::string ciphertext;
  EncryptionContext source_context;
  std::string source_key_id;
  std::string destination_key_id;
  EncryptionContext destination_context;
  std::string source_algorithm;
  std::string destination_algorithm;
  bool dry_run = false;
};
Result<ReEncryptRequest> ReadReEncrypt(JsonInput& in) {
  ReEncryptRequest r;
  auto blob = in.Blob("CiphertextBlob", true, 1, 6144);
  r.source_context = ContextArg(in, "SourceEncryptionContext");
  r.source_key_id = in.String("SourceKeyId", false, 1, kMaxKeyId).value_or("");
  r.destination_key_id = in.String("DestinationKeyId", true, 1, kMaxKeyId).value_or("");
  r.destination_context = ContextArg(in, "DestinationEncryptionContext");
  r.source_algorithm =
      in.Enum("SourceEncryptionAlgorithm", false, kEncryptionAlgorithms).value_or("");
  r.destination_algorithm =
      in.Enum("DestinationEncryptionAlgorithm", false, kEncryptionAlgorithms).value_or("");
  GrantTokensArg(in);
  r.dry_run = DryRunArg(in);
  in.StringList("DryRunModifiers", false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.ciphertext = *blob;
  return r;
}
Result<Service::ReEncryptResult> CallReEncrypt(Service& s, const Caller& c,
                                               const ReEncryptRequest& r) {
  return UnlessDryRun(
      r.dry_run, s.ReEncrypt(c, r.ciphertext, r.source_context, r.source_key_id, r.source_algorithm,
                             r.destination_key_id, r.destination_context, r.destination_algorithm));
}
void RenderReEncrypt(JsonOutput& out, const Service::ReEncryptResult& r) {
  out.Blob("CiphertextBlob", r.destination.ciphertext);
  out.String("SourceKeyId", r.source_key_arn);
  out.String("KeyId", r.destination.key_arn);
  out.String("SourceEncryptionAlgorithm", r.source_algorithm);
  out.String("DestinationEncryptionAlgorithm", r.destination.algorithm);
  if (!r.source_material_id.empty()) out.String("SourceKeyMaterialId", r.source_material_id);
  if (!r.destination.material_id.empty()) {
    out.String("DestinationKeyMaterialId", r.destination.material_id);
  }
}

// GenerateDataKey and GenerateDataKeyWithoutPlaintext (and the key-pair twins below) differ only
// in whether the plaintext is asked for and returned.
struct GenerateDataKeyRequest {
  bool with_plaintext = true;
  std::string key_id;
  EncryptionContext context;
  size_t bytes = 0;
  bool dry_run = false;
};
template <bool kWithPlaintext>
Result<GenerateDataKeyRequest> ReadGenerateDataKey(JsonInput& in) {
  GenerateDataKeyRequest r;
  r.with_plaintext = kWithPlaintext;
  r.key_id = KeyIdArg(in);
  r.context = ContextArg(in);
  auto n = in.Integer("NumberOfBytes", false, 1, 1024);
  auto spec = in.Enum("KeySpec", false, {"AES_256", "AES_128"});
  GrantTokensArg(in);
  r.dry_run = DryRunArg(in);
  if (kWithPlaintext && in.Has("Recipient")) return RecipientUnsupported(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  if (n.has_value() == spec.has_value()) {
    return KmsError(ErrorKind::kValidation, "Please specify either number of bytes or key spec.");
  }
  r.bytes = n ? static_cast<size_t>(*n) : (*spec == "AES_128" ? 16 : 32);
  return r;
}
struct GenerateDataKeyResponse {
  bool with_plaintext;
  CryptoResult result;
};
Result<GenerateDataKeyResponse> CallGenerateDataKey(Service& s, const Caller& c,
                                                    const GenerateDataKeyRequest& r) {
  SEALSTACK_ASSIGN_OR_RETURN(
      CryptoResult result, UnlessDryRun(r.dry_run, s.GenerateDataKey(c, r.key_id, r.bytes,
                                                                     r.context, r.with_plaintext)));
  return GenerateDataKeyResponse{r.with_plaintext, std::move(result)};
}
void RenderGenerateDataKey(JsonOutput& out, const GenerateDataKeyResponse& r) {
  out.Blob("CiphertextBlob", r.result.ciphertext);
  if (r.with_plaintext) out.Blob("Plaintext", r.result.plaintext.view());
  out.String("KeyId", r.result.key_arn);
  out.String("KeyMaterialId", r.result.material_id);
}

struct GenerateDataKeyPairRequest {
  bool with_plaintext = true;
  EncryptionContext context;
  std::string key_id;
  std::string pair_spec;
  bool dry_run = false;
};
template <bool kWithPlaintext>
Result<GenerateDataKeyPairRequest> ReadGenerateDataKeyPair(JsonInput& in) {
  GenerateDataKeyPairRequest r;
  r.with_plaintext = kWithPlaintext;
  r.context = ContextArg(in);
  r.key_id = KeyIdArg(in);
  auto spec = in.Enum("KeyPairSpec", true, kKeyPairSpecs);
  GrantTokensArg(in);
  r.dry_run = DryRunArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.pair_spec = *spec;
  return r;
}
struct GenerateDataKeyPairResponse {
  bool with_plaintext;
  std::string pair_spec;
  DataKeyPair pair;
};
Result<GenerateDataKeyPairResponse> CallGenerateDataKeyPair(Service& s, const Caller& c,
                                                            const GenerateDataKeyPairRequest& r) {
  SEALSTACK_ASSIGN_OR_RETURN(
      DataKeyPair pair,
      UnlessDryRun(r.dry_run,
                   s.GenerateDataKeyPair(c, r.key_id, r.pair_spec, r.context, r.with_plaintext)));
  return GenerateDataKeyPairResponse{r.with_plaintext, r.pair_spec, std::move(pair)};
}
void RenderGenerateDataKeyPair(JsonOutput& out, const GenerateDataKeyPairResponse& r) {
  out.Blob("PrivateKeyCiphertextBlob", r.pair.private_key_ciphertext);
  if (r.with_plaintext) out.Blob("PrivateKeyPlaintext", r.pair.private_key_plaintext.view());
  out.Blob("PublicKey", r.pair.public_key);
  out.String("KeyId", r.pair.key_arn);
  out.String("KeyPairSpec", r.pair_spec);
  out.String("KeyMaterialId", r.pair.material_id);
}

struct GenerateRandomRequest {
  size_t bytes = 0;
};
Result<GenerateRandomRequest> ReadGenerateRandom(JsonInput& in) {
  auto n = in.Integer("NumberOfBytes", false, 1, 1024);
  auto store = in.String("CustomKeyStoreId", false, 1, 64);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  if (store) {
    return KmsError(ErrorKind::kNotFound, "Custom key store " + *store + " does not exist.");
  }
  // Optional in the model, required by the operation: AWS words it itself.
  if (!n) return KmsError(ErrorKind::kValidation, "NumberOfBytes is required.");
  return GenerateRandomRequest{static_cast<size_t>(*n)};
}
Result<crypto::SecretBytes> CallGenerateRandom(Service& s, const Caller& c,
                                               const GenerateRandomRequest& r) {
  return s.GenerateRandom(c, r.bytes);
}
void RenderGenerateRandom(JsonOutput& out, const crypto::SecretBytes& bytes) {
  out.Blob("Plaintext", bytes.view());
}

// Sign and Verify.
struct SignRequest {
  std::string key_id;
  std::string message;
  std::string message_type;
  std::string signature;  // Verify only
  std::string algorithm;
  bool dry_run = false;
};
Result<SignRequest> ReadSign(JsonInput& in) {
  SignRequest r;
  r.key_id = KeyIdArg(in);
  auto message = in.SensitiveBlob("Message", true, 1, 4096);
  r.message_type = in.Enum("MessageType", false, kMessageTypes).value_or("RAW");
  GrantTokensArg(in);
  auto alg = in.Enum("SigningAlgorithm", true, kSigningAlgorithms);
  r.dry_run = DryRunArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.message = *message;
  r.algorithm = *alg;
  return r;
}
Result<SignRequest> ReadVerify(JsonInput& in) {
  SignRequest r;
  r.key_id = KeyIdArg(in);
  auto message = in.SensitiveBlob("Message", true, 1, 4096);
  r.message_type = in.Enum("MessageType", false, kMessageTypes).value_or("RAW");
  auto signature = in.Blob("Signature", true, 1, 6144);
  auto alg = in.Enum("SigningAlgorithm", true, kSigningAlgorithms);
  GrantTokensArg(in);
  r.dry_run = DryRunArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.message = *message;
  r.signature = *signature;
  r.algorithm = *alg;
  return r;
}
// The answer of Sign, Verify, GenerateMac and VerifyMac: the key, the algorithm, and the
// signature or MAC (empty for the verifications, which answer "valid" or fail).
struct SignatureResponse {
  std::string key_arn;
  std::string algorithm;
  std::string signature;
};
Result<SignatureResponse> CallSign(Service& s, const Caller& c, const SignRequest& r) {
  SignatureResponse out{"", r.algorithm, ""};
  SEALSTACK_ASSIGN_OR_RETURN(out.signature,
                             UnlessDryRun(r.dry_run, s.Sign(c, r.key_id, r.message, r.message_type,
                                                            r.algorithm, &out.key_arn)));
  return out;
}
void RenderSign(JsonOutput& out, const SignatureResponse& r) {
  out.String("KeyId", r.key_arn);
  out.Blob("Signature", r.signature);
  out.String("SigningAlgorithm", r.algorithm);
}

// A DryRun verification succeeds (as DryRunOperationException) whether or not the signature or
// MAC is valid; `invalid` is the kind that says it is not.
Result<SignatureResponse> Verified(bool dry_run, Status status, ErrorKind invalid,
                                   SignatureResponse response) {
  if (dry_run && (status.ok() || status.detail() == static_cast<int>(invalid))) return DryRun();
  if (!status.ok()) return status;
  return response;
}
Result<SignatureResponse> CallVerify(Service& s, const Caller& c, const SignRequest& r) {
  SignatureResponse out{"", r.algorithm, ""};
  Status st =
      s.Verify(c, r.key_id, r.message, r.message_type, r.signature, r.algorithm, &out.key_arn);
  return Verified(r.dry_run, st, ErrorKind::kInvalidSignature, std::move(out));
}
void RenderVerify(JsonOutput& out, const SignatureResponse& r) {
  out.String("KeyId", r.key_arn);
  out.Bool("SignatureValid", true);
  out.String("SigningAlgorithm", r.algorithm);
}

struct PublicKeyResponse {
  KeyPtr key;
  std::string der;
};
Result<PublicKeyResponse> CallGetPublicKey(Service& s, const Caller& c, const KeyRequest& r) {
  PublicKeyResponse out;
  SEALSTACK_ASSIGN_OR_RETURN(out.key, s.GetPublicKey(c, r.key_id, &out.der));
  return out;
}
void RenderGetPublicKey(JsonOutput& out, const PublicKeyResponse& r) {
  const Key& key = *r.key;
  out.String("KeyId", key.arn);
  out.Blob("PublicKey", r.der);
  out.String("CustomerMasterKeySpec", Name(key.spec));
  out.String("KeySpec", Name(key.spec));
  out.String("KeyUsage", Name(key.usage));
  WriteList(out, "EncryptionAlgorithms", EncryptionAlgorithms(key.spec, key.usage));
  WriteList(out, "SigningAlgorithms", SigningAlgorithms(key.spec, key.usage));
  WriteList(out, "KeyAgreementAlgorithms", KeyAgreementAlgorithms(key.spec, key.usage));
}

// GenerateMac and VerifyMac.
struct MacRequest {
  std::string message;
  std::string key_id;
  std::string algorithm;
  std::string mac;  // VerifyMac only
  bool dry_run = false;
};
template <bool kVerify>
Result<MacRequest> ReadMac(JsonInput& in) {
  MacRequest r;
  auto message = in.SensitiveBlob("Message", true, 1, 4096);
  r.key_id = KeyIdArg(in);
  auto alg = in.Enum("MacAlgorithm", true, kMacAlgorithms);
  std::optional<std::string> mac;
  if (kVerify) mac = in.Blob("Mac", true, 1, 6144);
  GrantTokensArg(in);
  r.dry_run = DryRunArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.message = *message;
  r.algorithm = *alg;
  if (kVerify) r.mac = *mac;
  return r;
}
Result<SignatureResponse> CallGenerateMac(Service& s, const Caller& c, const MacRequest& r) {
  SignatureResponse out{"", r.algorithm, ""};
  SEALSTACK_ASSIGN_OR_RETURN(
      out.signature,
      UnlessDryRun(r.dry_run, s.GenerateMac(c, r.key_id, r.message, r.algorithm, &out.key_arn)));
  return out;
}
void RenderGenerateMac(JsonOutput& out, const SignatureResponse& r) {
  out.Blob("Mac", r.signature);
  out.String("MacAlgorithm", r.algorithm);
  out.String("KeyId", r.key_arn);
}
Result<SignatureResponse> CallVerifyMac(Service& s, const Caller& c, const MacRequest& r) {
  SignatureResponse out{"", r.algorithm, ""};
  Status st = s.VerifyMac(c, r.key_id, r.message, r.mac, r.algorithm, &out.key_arn);
  return Verified(r.dry_run, st, ErrorKind::kInvalidMac, std::move(out));
}
void RenderVerifyMac(JsonOutput& out, const SignatureResponse& r) {
  out.String("KeyId", r.key_arn);
  out.Bool("MacValid", true);
  out.String("MacAlgorithm", r.algorithm);
}

struct DeriveSharedSecretRequest {
  std::string key_id;
  std::string algorithm;
  std::string public_key;
  bool dry_run = false;
};
Result<DeriveSharedSecretRequest> ReadDeriveSharedSecret(JsonInput& in) {
  DeriveSharedSecretRequest r;
  r.key_id = KeyIdArg(in);
  auto alg = in.Enum("KeyAgreementAlgorithm", true, {"ECDH"});
  auto pub = in.Blob("PublicKey", true, 1, 8192);
  GrantTokensArg(in);
  r.dry_run = DryRunArg(in);
  if (in.Has("Recipient")) return RecipientUnsupported(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.algorithm = *alg;
  r.public_key = *pub;
  return r;
}
struct SharedSecretResponse {
  std::string key_arn;
  std::string algorithm;
  crypto::SecretBytes secret;
};
Result<SharedSecretResponse> CallDeriveSharedSecret(Service& s, const Caller& c,
                                                    const DeriveSharedSecretRequest& r) {
  SharedSecretResponse out;
  out.algorithm = r.algorithm;
  SEALSTACK_ASSIGN_OR_RETURN(
      out.secret, UnlessDryRun(r.dry_run, s.DeriveSharedSecret(c, r.key_id, r.algorithm,
                                                               r.public_key, &out.key_arn)));
  return out;
}
void RenderDeriveSharedSecret(JsonOutput& out, const SharedSecretResponse& r) {
  out.String("KeyId", r.key_arn);
  out.Blob("SharedSecret", r.secret.view());
  out.String("KeyAgreementAlgorithm", r.algorithm);
  out.String("KeyOrigin", "AWS_KMS");
}

}  // namespace

void AddCryptoOperations(OperationTable& table) {
  table.insert({
      // cryptography
      {"Encrypt", Frame(ReadEncrypt, CallEncrypt, RenderEncrypt)},
      {"Decrypt", Frame(ReadDecrypt, CallDecrypt, RenderDecrypt)},
      {"ReEncrypt", Frame(ReadReEncrypt, CallReEncrypt, RenderReEncrypt)},
      {"GenerateDataKey",
       Frame(ReadGenerateDataKey<true>, CallGenerateDataKey, RenderGenerateDataKey)},
      {"GenerateDataKeyWithoutPlaintext",
       Frame(ReadGenerateDataKey<false>, CallGenerateDataKey, RenderGenerateDataKey)},
      {"GenerateDataKeyPair",
       Frame(ReadGenerateDataKeyPair<true>, CallGenerateDataKeyPair, RenderGenerateDataKeyPair)},
      {"GenerateDataKeyPairWithoutPlaintext",
       Frame(ReadGenerateDataKeyPair<false>, CallGenerateDataKeyPair, RenderGenerateDataKeyPair)},
      {"GenerateRandom", Frame(ReadGenerateRandom, CallGenerateRandom, RenderGenerateRandom)},
      {"Sign", Frame(ReadSign, CallSign, RenderSign)},
      {"Verify", Frame(ReadVerify, CallVerify, RenderVerify)},
      {"GetPublicKey", Frame(ReadKeyIdWithGrantTokens, CallGetPublicKey, RenderGetPublicKey)},
      {"GenerateMac", Frame(ReadMac<false>, CallGenerateMac, RenderGenerateMac)},
      {"VerifyMac", Frame(ReadMac<true>, CallVerifyMac, RenderVerifyMac)},
      {"DeriveSharedSecret",
       Frame(ReadDeriveSharedSecret, CallDeriveSharedSecret, RenderDeriveSharedSecret)},
  });
}

}  // namespace sealstack::api::kms::wire_ops
