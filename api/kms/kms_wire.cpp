#include "api/kms/kms_wire.h"

#include <functional>
#include <unordered_map>

#include "api/common/json_input.h"
#include "api/common/json_output.h"
#include "api/kms/kms_errors.h"
#include "common/time_format.h"

namespace sealstack::api::kms {

namespace {

using Handler = std::function<Result<std::string>(Service&, const Caller&, JsonInput&)>;

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
const std::vector<std::string_view> kMacAlgorithms = {"HMAC_SHA_224", "HMAC_SHA_256",
                                                      "HMAC_SHA_384", "HMAC_SHA_512"};
const std::vector<std::string_view> kGrantOperations = {"Decrypt",
                                                        "Encrypt",
                                                        "GenerateDataKey",
                                                        "GenerateDataKeyWithoutPlaintext",
                                                        "ReEncryptFrom",
                                                        "ReEncryptTo",
                                                        "Sign",
                                                        "Verify",
                                                        "GetPublicKey",
                                                        "CreateGrant",
                                                        "RetireGrant",
                                                        "DescribeKey",
                                                        "GenerateDataKeyPair",
                                                        "GenerateDataKeyPairWithoutPlaintext",
                                                        "GenerateMac",
                                                        "VerifyMac",
                                                        "DeriveSharedSecret"};
const std::vector<std::string_view> kKeyPairSpecs = {
    "RSA_2048",      "RSA_3072",        "RSA_4096", "ECC_NIST_P256",        "ECC_NIST_P384",
    "ECC_NIST_P521", "ECC_SECG_P256K1", "SM2",      "ECC_NIST_EDWARDS25519"};

constexpr size_t kMaxKeyId = 2048;

std::string KeyIdArg(JsonInput& in, bool required = true) {
  return in.String("KeyId", required, 1, kMaxKeyId).value_or("");
}

EncryptionContext ContextArg(JsonInput& in, std::string_view name = "EncryptionContext") {
  auto m = in.StringMap(name);
  return m ? EncryptionContext(m->begin(), m->end()) : EncryptionContext();
}

std::vector<std::string> GrantTokensArg(JsonInput& in) {
  return in.StringList("GrantTokens", false, 0, 10, 8192).value_or(std::vector<std::string>());
}

ListPage PageArg(JsonInput& in) {
  ListPage p;
  p.limit = static_cast<size_t>(in.Integer("Limit", false, 1, 1000).value_or(100));
  p.marker = in.String("Marker", false, 1, 320).value_or("");
  return p;
}

void WriteList(JsonOutput& out, std::string_view key, const std::vector<std::string>& items) {
  if (items.empty()) return;
  out.BeginArray(key);
  for (const auto& i : items) out.String(i);
  out.EndArray();
}

void WritePageEnd(JsonOutput& out, const std::string& next_marker) {
  if (!next_marker.empty()) out.String("NextMarker", next_marker);
  out.Bool("Truncated", !next_marker.empty());
}

void WriteKeyMetadata(JsonOutput& out, const Key& k) {
  out.BeginObject("KeyMetadata");
  out.String("AWSAccountId", k.account);
  out.String("KeyId", k.id);
  out.String("Arn", k.arn);
  out.Time("CreationDate", k.created);
  out.Bool("Enabled", k.state == KeyState::kEnabled);
  out.String("Description", k.description);
  out.String("KeyUsage", Name(k.usage));
  out.String("KeyState", Name(k.state));
  if (k.deletion_date) out.Time("DeletionDate", *k.deletion_date);
  if (k.valid_to) out.Time("ValidTo", *k.valid_to);
  out.String("Origin", Name(k.origin));
  if (k.origin == Origin::kExternal && k.expiration_model != ExpirationModel::kNone) {
    out.String("ExpirationModel", Name(k.expiration_model));
  }
  out.String("KeyManager", Name(k.manager));
  out.String("CustomerMasterKeySpec", Name(k.spec));
  out.String("KeySpec", Name(k.spec));
  WriteList(out, "EncryptionAlgorithms", EncryptionAlgorithms(k.spec, k.usage));
  WriteList(out, "SigningAlgorithms", SigningAlgorithms(k.spec, k.usage));
  WriteList(out, "MacAlgorithms", MacAlgorithms(k.spec, k.usage));
  WriteList(out, "KeyAgreementAlgorithms", KeyAgreementAlgorithms(k.spec, k.usage));
  out.Bool("MultiRegion", false);
  if (k.state == KeyState::kPendingDeletion) {
    out.Int("PendingDeletionWindowInDays", k.pending_window_days);
  }
  if (const Material* m = k.current(); m != nullptr && IsSymmetric(k.spec)) {
    out.String("CurrentKeyMaterialId", m->id);
  }
  out.EndObject();
}

Status DryRun() {
  return KmsError(ErrorKind::kDryRun,
                  "The request would have succeeded, but the DryRun option is set.");
}

// ---- handlers: each validates its input, then calls the service.

Result<std::string> CreateKey(Service& s, const Caller& c, JsonInput& in) {
  Service::CreateKeyRequest r;
  auto policy = in.String("Policy", false, 1, 131072);
  r.description = in.String("Description", false, 0, 8192).value_or("");
  auto usage = in.Enum("KeyUsage", false, KeyUsageNames());
  auto spec_names = KeySpecNames();
  auto spec = in.Enum("KeySpec", false, spec_names);
  auto cmk_spec = in.Enum("CustomerMasterKeySpec", false, spec_names);
  auto origin =
      in.Enum("Origin", false, {"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"});
  in.String("CustomKeyStoreId", false, 1, 64);
  r.bypass_policy_lockout_check = in.Bool("BypassPolicyLockoutSafetyCheck").value_or(false);
  auto tags = in.Tags("Tags", false);
  auto multi_region = in.Bool("MultiRegion");
  in.String("XksKeyId", false, 1, 128);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  if (spec && cmk_spec) {
    return KmsError(ErrorKind::kValidation,
                    "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                    "CustomerMasterKeySpec is deprecated.");
  }
  std::string spec_name = spec ? *spec : cmk_spec.value_or("SYMMETRIC_DEFAULT");
  auto parsed_spec = ParseKeySpec(spec_name);
  if (!parsed_spec) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "KeySpec " + spec_name + " is not supported in this Region.");
  }
  r.spec = *parsed_spec;
  // KeyUsage defaults to ENCRYPT_DECRYPT whatever the spec (HMAC keys must name theirs).
  r.usage = usage ? *ParseKeyUsage(*usage) : KeyUsage::kEncryptDecrypt;
  auto allowed = AllowedUsages(r.spec);
  if (std::find(allowed.begin(), allowed.end(), r.usage) == allowed.end()) {
    return KmsError(ErrorKind::kValidation, "KeyUsage " + std::string(Name(r.usage)) +
                                                " is not compatible with KeySpec " + spec_name +
                                                ".");
  }
  if (origin && *origin != "AWS_KMS" && *origin != "EXTERNAL") {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "Origin " + *origin + " (custom key stores) is not supported by SealStack.");
  }
  r.origin = origin && *origin == "EXTERNAL" ? Origin::kExternal : Origin::kAwsKms;
  if (multi_region.value_or(false)) {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "Multi-Region keys are not supported by SealStack.");
  }
  if (policy) {
    SEALSTACK_RETURN_IF_ERROR(s.CheckPolicy(*policy));
    r.policy = *policy;
  }
  if (tags) {
    for (const auto& t : *tags) {
      if (t.key.rfind("aws:", 0) == 0) {
        return KmsError(ErrorKind::kTag, "Tags beginning with aws: are reserved");
      }
      r.tags[t.key] = t.value;
    }
  }
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.CreateKey(c, r));
  JsonOutput out;
  WriteKeyMetadata(out, *key);
  return out.Finish();
}

Result<std::string> DescribeKey(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  GrantTokensArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.DescribeKey(c, id));
  JsonOutput out;
  WriteKeyMetadata(out, *key);
  return out.Finish();
}

Result<std::string> ListKeys(Service& s, const Caller& c, JsonInput& in) {
  ListPage page = PageArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string next;
  SEALSTACK_ASSIGN_OR_RETURN(auto keys, s.ListKeys(c, page, &next));
  JsonOutput out;
  out.BeginArray("Keys");
  for (const auto& k : keys)
    out.BeginObject().String("KeyId", k.id).String("KeyArn", k.arn).EndObject();
  out.EndArray();
  WritePageEnd(out, next);
  return out.Finish();
}

Result<std::string> Empty() {
  return JsonOutput().Finish();
}

Result<std::string> UpdateKeyDescription(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto desc = in.String("Description", true, 0, 8192);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.UpdateKeyDescription(c, id, *desc));
  return Empty();
}

Result<std::string> EnableKey(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.EnableKey(c, id));
  return Empty();
}

Result<std::string> DisableKey(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.DisableKey(c, id));
  return Empty();
}

Result<std::string> ScheduleKeyDeletion(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto days = in.Integer("PendingWindowInDays", false, 7, 30);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto key,
                             s.ScheduleKeyDeletion(c, id, static_cast<int>(days.value_or(30))));
  JsonOutput out;
  out.String("KeyId", key->arn);
  out.Time("DeletionDate", *key->deletion_date);
  out.String("KeyState", Name(key->state));
  out.Int("PendingWindowInDays", key->pending_window_days);
  return out.Finish();
}

Result<std::string> CancelKeyDeletion(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.CancelKeyDeletion(c, id));
  JsonOutput out;
  out.String("KeyId", key->arn);
  return out.Finish();
}

Result<std::string> Encrypt(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto plaintext = in.Blob("Plaintext", true, 1, 4096);
  EncryptionContext ctx = ContextArg(in);
  GrantTokensArg(in);
  auto alg = in.Enum("EncryptionAlgorithm", false, kEncryptionAlgorithms);
  bool dry = in.Bool("DryRun").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  crypto::SecretBytes pt(*plaintext);
  SEALSTACK_ASSIGN_OR_RETURN(CryptoResult r, s.Encrypt(c, id, pt, ctx, alg.value_or("")));
  if (dry) return DryRun();
  JsonOutput out;
  out.Blob("CiphertextBlob", r.ciphertext);
  out.String("KeyId", r.key_arn);
  out.String("EncryptionAlgorithm", r.algorithm);
  return out.Finish();
}

Result<std::string> Decrypt(Service& s, const Caller& c, JsonInput& in) {
  bool dry = in.Bool("DryRun").value_or(false);
  auto blob = in.Blob("CiphertextBlob", !dry, 1, 6144);
  EncryptionContext ctx = ContextArg(in);
  GrantTokensArg(in);
  std::string id = in.String("KeyId", false, 1, kMaxKeyId).value_or("");
  auto alg = in.Enum("EncryptionAlgorithm", false, kEncryptionAlgorithms);
  in.StringList("DryRunModifiers", false);
  if (in.Has("Recipient")) {
    SEALSTACK_RETURN_IF_ERROR(in.Finish());
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "Recipient (Nitro Enclaves attestation) is not supported by SealStack.");
  }
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  if (dry && !blob) {
    if (!id.empty()) SEALSTACK_RETURN_IF_ERROR(s.DescribeKey(c, id).status());
    return DryRun();
  }
  SEALSTACK_ASSIGN_OR_RETURN(CryptoResult r, s.Decrypt(c, id, *blob, ctx, alg.value_or("")));
  if (dry) return DryRun();
  JsonOutput out;
  out.String("KeyId", r.key_arn);
  out.Blob("Plaintext", r.plaintext.view());
  out.String("EncryptionAlgorithm", r.algorithm);
  if (!r.material_id.empty()) out.String("KeyMaterialId", r.material_id);
  return out.Finish();
}

Result<std::string> ReEncrypt(Service& s, const Caller& c, JsonInput& in) {
  auto blob = in.Blob("CiphertextBlob", true, 1, 6144);
  EncryptionContext src_ctx = ContextArg(in, "SourceEncryptionContext");
  std::string src_id = in.String("SourceKeyId", false, 1, kMaxKeyId).value_or("");
  std::string dst_id = in.String("DestinationKeyId", true, 1, kMaxKeyId).value_or("");
  EncryptionContext dst_ctx = ContextArg(in, "DestinationEncryptionContext");
  auto src_alg = in.Enum("SourceEncryptionAlgorithm", false, kEncryptionAlgorithms);
  auto dst_alg = in.Enum("DestinationEncryptionAlgorithm", false, kEncryptionAlgorithms);
  GrantTokensArg(in);
  bool dry = in.Bool("DryRun").value_or(false);
  in.StringList("DryRunModifiers", false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto r, s.ReEncrypt(c, *blob, src_ctx, src_id, src_alg.value_or(""),
                                                 dst_id, dst_ctx, dst_alg.value_or("")));
  if (dry) return DryRun();
  JsonOutput out;
  out.Blob("CiphertextBlob", r.destination.ciphertext);
  out.String("SourceKeyId", r.source_key_arn);
  out.String("KeyId", r.destination.key_arn);
  out.String("SourceEncryptionAlgorithm", r.source_algorithm);
  out.String("DestinationEncryptionAlgorithm", r.destination.algorithm);
  if (!r.source_material_id.empty()) out.String("SourceKeyMaterialId", r.source_material_id);
  if (!r.destination.material_id.empty()) {
    out.String("DestinationKeyMaterialId", r.destination.material_id);
  }
  return out.Finish();
}

Result<std::string> GenerateDataKeyCommon(Service& s, const Caller& c, JsonInput& in,
                                          bool with_plaintext) {
  std::string id = KeyIdArg(in);
  EncryptionContext ctx = ContextArg(in);
  auto n = in.Integer("NumberOfBytes", false, 1, 1024);
  auto spec = in.Enum("KeySpec", false, {"AES_256", "AES_128"});
  GrantTokensArg(in);
  bool dry = in.Bool("DryRun").value_or(false);
  if (with_plaintext && in.Has("Recipient")) {
    SEALSTACK_RETURN_IF_ERROR(in.Finish());
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "Recipient (Nitro Enclaves attestation) is not supported by SealStack.");
  }
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  if (n.has_value() == spec.has_value()) {
    return KmsError(ErrorKind::kValidation, "Please specify either number of bytes or key spec.");
  }
  size_t bytes = n ? static_cast<size_t>(*n) : (*spec == "AES_128" ? 16 : 32);
  SEALSTACK_ASSIGN_OR_RETURN(CryptoResult r, s.GenerateDataKey(c, id, bytes, ctx, with_plaintext));
  if (dry) return DryRun();
  JsonOutput out;
  out.Blob("CiphertextBlob", r.ciphertext);
  if (with_plaintext) out.Blob("Plaintext", r.plaintext.view());
  out.String("KeyId", r.key_arn);
  out.String("KeyMaterialId", r.material_id);
  return out.Finish();
}

Result<std::string> GenerateDataKeyPairCommon(Service& s, const Caller& c, JsonInput& in,
                                              bool with_plaintext) {
  EncryptionContext ctx = ContextArg(in);
  std::string id = KeyIdArg(in);
  auto spec = in.Enum("KeyPairSpec", true, kKeyPairSpecs);
  GrantTokensArg(in);
  bool dry = in.Bool("DryRun").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(DataKeyPair r,
                             s.GenerateDataKeyPair(c, id, *spec, ctx, with_plaintext));
  if (dry) return DryRun();
  JsonOutput out;
  out.Blob("PrivateKeyCiphertextBlob", r.private_key_ciphertext);
  if (with_plaintext) out.Blob("PrivateKeyPlaintext", r.private_key_plaintext.view());
  out.Blob("PublicKey", r.public_key);
  out.String("KeyId", r.key_arn);
  out.String("KeyPairSpec", *spec);
  out.String("KeyMaterialId", r.material_id);
  return out.Finish();
}

Result<std::string> GenerateRandom(Service& s, const Caller& c, JsonInput& in) {
  auto n = in.Integer("NumberOfBytes", false, 1, 1024);
  auto store = in.String("CustomKeyStoreId", false, 1, 64);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  if (store) {
    return KmsError(ErrorKind::kNotFound, "Custom key store " + *store + " does not exist.");
  }
  if (!n) {
    return KmsError(ErrorKind::kValidation,
                    "1 validation error detected: Value null at 'numberOfBytes' failed to "
                    "satisfy constraint: Member must not be null");
  }
  SEALSTACK_ASSIGN_OR_RETURN(auto bytes, s.GenerateRandom(c, static_cast<size_t>(*n)));
  JsonOutput out;
  out.Blob("Plaintext", bytes.view());
  return out.Finish();
}

Result<std::string> Sign(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto message = in.Blob("Message", true, 1, 4096);
  auto type = in.Enum("MessageType", false, {"RAW", "DIGEST", "EXTERNAL_MU"});
  GrantTokensArg(in);
  auto alg = in.Enum("SigningAlgorithm", true, kSigningAlgorithms);
  bool dry = in.Bool("DryRun").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string arn;
  SEALSTACK_ASSIGN_OR_RETURN(std::string sig,
                             s.Sign(c, id, *message, type.value_or("RAW"), *alg, &arn));
  if (dry) return DryRun();
  JsonOutput out;
  out.String("KeyId", arn);
  out.Blob("Signature", sig);
  out.String("SigningAlgorithm", *alg);
  return out.Finish();
}

Result<std::string> Verify(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto message = in.Blob("Message", true, 1, 4096);
  auto type = in.Enum("MessageType", false, {"RAW", "DIGEST", "EXTERNAL_MU"});
  auto signature = in.Blob("Signature", true, 1, 6144);
  auto alg = in.Enum("SigningAlgorithm", true, kSigningAlgorithms);
  GrantTokensArg(in);
  bool dry = in.Bool("DryRun").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string arn;
  Status st = s.Verify(c, id, *message, type.value_or("RAW"), *signature, *alg, &arn);
  if (dry && (st.ok() || st.detail() == static_cast<int>(ErrorKind::kInvalidSignature))) {
    return DryRun();
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  JsonOutput out;
  out.String("KeyId", arn);
  out.Bool("SignatureValid", true);
  out.String("SigningAlgorithm", *alg);
  return out.Finish();
}

Result<std::string> GetPublicKey(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  GrantTokensArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string der;
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.GetPublicKey(c, id, &der));
  JsonOutput out;
  out.String("KeyId", key->arn);
  out.Blob("PublicKey", der);
  out.String("CustomerMasterKeySpec", Name(key->spec));
  out.String("KeySpec", Name(key->spec));
  out.String("KeyUsage", Name(key->usage));
  WriteList(out, "EncryptionAlgorithms", EncryptionAlgorithms(key->spec, key->usage));
  WriteList(out, "SigningAlgorithms", SigningAlgorithms(key->spec, key->usage));
  WriteList(out, "KeyAgreementAlgorithms", KeyAgreementAlgorithms(key->spec, key->usage));
  return out.Finish();
}

Result<std::string> GenerateMac(Service& s, const Caller& c, JsonInput& in) {
  auto message = in.Blob("Message", true, 1, 4096);
  std::string id = KeyIdArg(in);
  auto alg = in.Enum("MacAlgorithm", true, kMacAlgorithms);
  GrantTokensArg(in);
  bool dry = in.Bool("DryRun").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string arn;
  SEALSTACK_ASSIGN_OR_RETURN(std::string mac, s.GenerateMac(c, id, *message, *alg, &arn));
  if (dry) return DryRun();
  JsonOutput out;
  out.Blob("Mac", mac);
  out.String("MacAlgorithm", *alg);
  out.String("KeyId", arn);
  return out.Finish();
}

Result<std::string> VerifyMac(Service& s, const Caller& c, JsonInput& in) {
  auto message = in.Blob("Message", true, 1, 4096);
  std::string id = KeyIdArg(in);
  auto alg = in.Enum("MacAlgorithm", true, kMacAlgorithms);
  auto mac = in.Blob("Mac", true, 1, 6144);
  GrantTokensArg(in);
  bool dry = in.Bool("DryRun").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string arn;
  Status st = s.VerifyMac(c, id, *message, *mac, *alg, &arn);
  if (dry && (st.ok() || st.detail() == static_cast<int>(ErrorKind::kInvalidMac))) return DryRun();
  SEALSTACK_RETURN_IF_ERROR(st);
  JsonOutput out;
  out.String("KeyId", arn);
  out.Bool("MacValid", true);
  out.String("MacAlgorithm", *alg);
  return out.Finish();
}

Result<std::string> DeriveSharedSecret(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto alg = in.Enum("KeyAgreementAlgorithm", true, {"ECDH"});
  auto pub = in.Blob("PublicKey", true, 1, 8192);
  GrantTokensArg(in);
  bool dry = in.Bool("DryRun").value_or(false);
  if (in.Has("Recipient")) {
    SEALSTACK_RETURN_IF_ERROR(in.Finish());
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "Recipient (Nitro Enclaves attestation) is not supported by SealStack.");
  }
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string arn;
  SEALSTACK_ASSIGN_OR_RETURN(auto secret, s.DeriveSharedSecret(c, id, *alg, *pub, &arn));
  if (dry) return DryRun();
  JsonOutput out;
  out.String("KeyId", arn);
  out.Blob("SharedSecret", secret.view());
  out.String("KeyAgreementAlgorithm", *alg);
  out.String("KeyOrigin", "AWS_KMS");
  return out.Finish();
}

// ---- aliases

std::string AliasNameArg(JsonInput& in) {
  return in.String("AliasName", true, 1, 256).value_or("");
}

Result<std::string> CreateAlias(Service& s, const Caller& c, JsonInput& in) {
  std::string name = AliasNameArg(in);
  std::string target = in.String("TargetKeyId", true, 1, kMaxKeyId).value_or("");
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.CreateAlias(c, name, target));
  return Empty();
}

Result<std::string> UpdateAlias(Service& s, const Caller& c, JsonInput& in) {
  std::string name = AliasNameArg(in);
  std::string target = in.String("TargetKeyId", true, 1, kMaxKeyId).value_or("");
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.UpdateAlias(c, name, target));
  return Empty();
}

Result<std::string> DeleteAlias(Service& s, const Caller& c, JsonInput& in) {
  std::string name = AliasNameArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.DeleteAlias(c, name));
  return Empty();
}

Result<std::string> ListAliases(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in, false);
  ListPage page = PageArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string next;
  SEALSTACK_ASSIGN_OR_RETURN(auto aliases, s.ListAliases(c, id, page, &next));
  JsonOutput out;
  out.BeginArray("Aliases");
  for (const auto& a : aliases) {
    out.BeginObject()
        .String("AliasName", a.name)
        .String("AliasArn", Service::AliasArnOf(a))
        .String("TargetKeyId", a.key_id)
        .Time("CreationDate", a.created)
        .Time("LastUpdatedDate", a.updated)
        .EndObject();
  }
  out.EndArray();
  WritePageEnd(out, next);
  return out.Finish();
}

// ---- policies

Status PolicyNameArg(JsonInput& in) {
  auto name = in.String("PolicyName", false, 1, 128);
  if (name && *name != "default") {
    return KmsError(ErrorKind::kNotFound, "No such policy exists");
  }
  return Status::Ok();
}

Result<std::string> GetKeyPolicy(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  Status name = PolicyNameArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(name);
  SEALSTACK_ASSIGN_OR_RETURN(std::string policy, s.GetKeyPolicy(c, id));
  JsonOutput out;
  out.String("Policy", policy);
  out.String("PolicyName", "default");
  return out.Finish();
}

Result<std::string> PutKeyPolicy(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  Status name = PolicyNameArg(in);
  auto policy = in.String("Policy", true, 1, 131072);
  bool bypass = in.Bool("BypassPolicyLockoutSafetyCheck").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(name);
  SEALSTACK_RETURN_IF_ERROR(s.PutKeyPolicy(c, id, *policy, bypass));
  return Empty();
}

Result<std::string> ListKeyPolicies(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  PageArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.CheckKeyForPolicyList(c, id));
  JsonOutput out;
  out.BeginArray("PolicyNames").String("default").EndArray();
  out.Bool("Truncated", false);
  return out.Finish();
}

// ---- rotation

Result<std::string> EnableKeyRotation(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto days = in.Integer("RotationPeriodInDays", false, 90, 2560);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.EnableKeyRotation(c, id, static_cast<int>(days.value_or(365))));
  return Empty();
}

Result<std::string> DisableKeyRotation(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.DisableKeyRotation(c, id));
  return Empty();
}

Result<std::string> GetKeyRotationStatus(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.GetKeyRotationStatus(c, id));
  JsonOutput out;
  out.Bool("KeyRotationEnabled", key->rotation_enabled);
  out.String("KeyId", key->arn);
  if (key->rotation_enabled) {
    out.Int("RotationPeriodInDays", key->rotation_period_days);
    if (key->next_rotation) out.Time("NextRotationDate", *key->next_rotation);
  }
  return out.Finish();
}

Result<std::string> RotateKeyOnDemand(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.RotateKeyOnDemand(c, id));
  JsonOutput out;
  out.String("KeyId", key->arn);
  return out.Finish();
}

Result<std::string> ListKeyRotations(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto include = in.Enum("IncludeKeyMaterial", false, {"ALL_KEY_MATERIAL", "ROTATIONS_ONLY"});
  ListPage page = PageArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.GetKeyRotationStatus(c, id, "ListKeyRotations"));
  const bool all = include && *include == "ALL_KEY_MATERIAL";
  std::vector<const Material*> rows;
  for (const auto& m : key->materials) {
    if (all || !m->rotation_type.empty()) rows.push_back(m.get());
  }
  size_t start = 0;
  if (!page.marker.empty()) {
    start = rows.size();
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i]->id == page.marker) start = i;
    }
    if (start == rows.size()) return KmsError(ErrorKind::kInvalidMarker, "Invalid marker");
  }
  JsonOutput out;
  out.BeginArray("Rotations");
  std::string next;
  for (size_t i = start; i < rows.size(); ++i) {
    if (i - start == page.limit) {
      next = rows[i]->id;
      break;
    }
    const Material* m = rows[i];
    out.BeginObject();
    out.String("KeyId", key->arn);
    out.String("KeyMaterialId", m->id);
    out.String("KeyMaterialState", m == key->current() ? "CURRENT" : "NON_CURRENT");
    out.String("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE");
    out.Time("RotationDate", m->created);
    if (!m->rotation_type.empty()) out.String("RotationType", m->rotation_type);
    out.EndObject();
  }
  out.EndArray();
  WritePageEnd(out, next);
  return out.Finish();
}

// ---- tags

Result<std::string> TagResource(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto tags = in.Tags("Tags", true);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::map<std::string, std::string> m;
  for (const auto& t : *tags) {
    if (t.key.empty() || t.key.size() > 128 || t.value.size() > 256) {
      return KmsError(ErrorKind::kTag, "Tag keys must be 1-128 characters and values 0-256.");
    }
    m[t.key] = t.value;
  }
  SEALSTACK_RETURN_IF_ERROR(s.TagResource(c, id, m));
  return Empty();
}

Result<std::string> UntagResource(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto keys = in.StringList("TagKeys", true, 0, 50, 128);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(s.UntagResource(c, id, *keys));
  return Empty();
}

Result<std::string> ListResourceTags(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  ListPage page = PageArg(in);
  page.limit = std::min<size_t>(page.limit, 50);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.ListResourceTags(c, id));
  JsonOutput out;
  out.BeginArray("Tags");
  std::string next;
  size_t n = 0;
  for (const auto& [k, v] : key->tags) {
    if (!page.marker.empty() && k < page.marker) continue;
    if (n++ == page.limit) {
      next = k;
      break;
    }
    out.BeginObject().String("TagKey", k).String("TagValue", v).EndObject();
  }
  out.EndArray();
  WritePageEnd(out, next);
  return out.Finish();
}

// ---- grants

void WriteGrant(JsonOutput& out, const Grant& g, const std::string& key_arn) {
  out.BeginObject();
  out.String("KeyId", key_arn);
  out.String("GrantId", g.id);
  if (!g.name.empty()) out.String("Name", g.name);
  out.Time("CreationDate", g.created);
  out.String("GranteePrincipal", g.grantee);
  if (!g.retiring.empty()) out.String("RetiringPrincipal", g.retiring);
  out.String("IssuingAccount", g.issuing_account);
  out.BeginArray("Operations");
  for (const auto& op : g.operations) out.String(op);
  out.EndArray();
  if (g.constraints.encryption_context_equals || g.constraints.encryption_context_subset) {
    out.BeginObject("Constraints");
    auto map = [&](std::string_view name, const std::map<std::string, std::string>& m) {
      out.BeginObject(name);
      for (const auto& [k, v] : m) out.String(k, v);
      out.EndObject();
    };
    if (g.constraints.encryption_context_equals) {
      map("EncryptionContextEquals", *g.constraints.encryption_context_equals);
    }
    if (g.constraints.encryption_context_subset) {
      map("EncryptionContextSubset", *g.constraints.encryption_context_subset);
    }
    out.EndObject();
  }
  out.EndObject();
}

Result<std::string> CreateGrant(Service& s, const Caller& c, JsonInput& in) {
  Service::CreateGrantRequest r;
  r.key_id = KeyIdArg(in);
  r.grantee = in.String("GranteePrincipal", true, 1, 256).value_or("");
  r.retiring = in.String("RetiringPrincipal", false, 1, 256).value_or("");
  auto ops = in.StringList("Operations", true);
  if (auto cons = in.Object("Constraints")) {
    if (auto eq = cons->StringMap("EncryptionContextEquals")) {
      r.constraints.encryption_context_equals = *eq;
    }
    if (auto sub = cons->StringMap("EncryptionContextSubset")) {
      r.constraints.encryption_context_subset = *sub;
    }
  }
  GrantTokensArg(in);
  r.name = in.String("Name", false, 1, 256).value_or("");
  bool dry = in.Bool("DryRun").value_or(false);
  if (ops) {
    for (const auto& op : *ops) {
      if (std::find(kGrantOperations.begin(), kGrantOperations.end(), op) ==
          kGrantOperations.end()) {
        std::string set;
        for (auto o : kGrantOperations) set += (set.empty() ? "" : ", ") + std::string(o);
        in.AddConstraintError("Operations", "'[" + op + "]'",
                              "Member must satisfy constraint: [Member must satisfy enum value "
                              "set: [" +
                                  set + "]]");
      }
    }
  }
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.operations = *ops;
  SEALSTACK_ASSIGN_OR_RETURN(Grant g, s.CreateGrant(c, r));
  if (dry) return DryRun();
  JsonOutput out;
  out.String("GrantToken", g.token);
  out.String("GrantId", g.id);
  return out.Finish();
}

Result<std::string> ListGrants(Service& s, const Caller& c, JsonInput& in) {
  ListPage page = PageArg(in);
  std::string id = KeyIdArg(in);
  std::string grant_id = in.String("GrantId", false, 1, 128).value_or("");
  std::string grantee = in.String("GranteePrincipal", false, 1, 256).value_or("");
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string next;
  SEALSTACK_ASSIGN_OR_RETURN(auto grants, s.ListGrants(c, id, grant_id, grantee, page, &next));
  JsonOutput out;
  out.BeginArray("Grants");
  for (const auto& g : grants) WriteGrant(out, g, s.KeyArnOf(g.key_id));
  out.EndArray();
  WritePageEnd(out, next);
  return out.Finish();
}

Result<std::string> ListRetirableGrants(Service& s, const Caller& c, JsonInput& in) {
  ListPage page = PageArg(in);
  std::string retiring = in.String("RetiringPrincipal", true, 1, 256).value_or("");
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::string next;
  SEALSTACK_ASSIGN_OR_RETURN(auto grants, s.ListRetirableGrants(c, retiring, page, &next));
  JsonOutput out;
  out.BeginArray("Grants");
  for (const auto& g : grants) WriteGrant(out, g, s.KeyArnOf(g.key_id));
  out.EndArray();
  WritePageEnd(out, next);
  return out.Finish();
}

Result<std::string> RetireGrant(Service& s, const Caller& c, JsonInput& in) {
  std::string token = in.String("GrantToken", false, 1, 8192).value_or("");
  std::string id = KeyIdArg(in, false);
  std::string grant_id = in.String("GrantId", false, 1, 128).value_or("");
  bool dry = in.Bool("DryRun").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  if (token.empty() && (id.empty() || grant_id.empty())) {
    return KmsError(ErrorKind::kValidation,
                    "Either GrantToken or both KeyId and GrantId must be specified.");
  }
  if (dry) return DryRun();
  SEALSTACK_RETURN_IF_ERROR(s.RetireGrant(c, token, id, grant_id));
  return Empty();
}

Result<std::string> RevokeGrant(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  std::string grant_id = in.String("GrantId", true, 1, 128).value_or("");
  bool dry = in.Bool("DryRun").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  if (dry) return DryRun();
  SEALSTACK_RETURN_IF_ERROR(s.RevokeGrant(c, id, grant_id));
  return Empty();
}

// ---- import

Result<std::string> GetParametersForImport(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto alg = in.Enum("WrappingAlgorithm", true,
                     {"RSAES_PKCS1_V1_5", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256",
                      "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE"});
  auto spec = in.Enum("WrappingKeySpec", true, {"RSA_2048", "RSA_3072", "RSA_4096", "SM2"});
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto r, s.GetParametersForImport(c, id, *alg, *spec));
  JsonOutput out;
  out.String("KeyId", r.key_arn);
  out.Blob("ImportToken", r.import_token);
  out.Blob("PublicKey", r.public_key);
  out.Time("ParametersValidTo", r.valid_to);
  return out.Finish();
}

Result<std::string> ImportKeyMaterial(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  auto token = in.Blob("ImportToken", true, 1, 6144);
  auto material = in.Blob("EncryptedKeyMaterial", true, 1, 6144);
  std::optional<SystemTime> valid_to = in.Timestamp("ValidTo");
  auto model =
      in.Enum("ExpirationModel", false, {"KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"});
  in.String("KeyMaterialDescription", false, 0, 256);
  in.String("KeyMaterialId", false, 64, 64);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  ExpirationModel m =
      model ? *ParseExpirationModel(*model)
            : (valid_to ? ExpirationModel::kExpires : ExpirationModel::kDoesNotExpire);
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.ImportKeyMaterial(c, id, *token, *material, valid_to, m));
  JsonOutput out;
  out.String("KeyId", key->arn);
  if (key->current()) out.String("KeyMaterialId", key->current()->id);
  return out.Finish();
}

Result<std::string> DeleteImportedKeyMaterial(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  in.String("KeyMaterialId", false, 64, 64);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.DeleteImportedKeyMaterial(c, id));
  JsonOutput out;
  out.String("KeyId", key->arn);
  return out.Finish();
}

Result<std::string> GetKeyLastUsage(Service& s, const Caller& c, JsonInput& in) {
  std::string id = KeyIdArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  std::optional<Service::LastUsage> usage;
  SEALSTACK_ASSIGN_OR_RETURN(auto key, s.GetKeyLastUsage(c, id, &usage));
  JsonOutput out;
  out.String("KeyId", key->arn);
  if (usage) {
    out.BeginObject("KeyLastUsage");
    out.String("Operation", usage->operation);
    out.Time("Timestamp", usage->when);
    out.EndObject();
  }
  out.Time("TrackingStartDate", std::max(s.tracking_start(), key->created));
  out.Time("KeyCreationDate", key->created);
  return out.Finish();
}

const std::unordered_map<std::string_view, Handler>& Handlers() {
  static const std::unordered_map<std::string_view, Handler> kHandlers = {
      {"CreateKey", CreateKey},
      {"DescribeKey", DescribeKey},
      {"ListKeys", ListKeys},
      {"UpdateKeyDescription", UpdateKeyDescription},
      {"EnableKey", EnableKey},
      {"DisableKey", DisableKey},
      {"ScheduleKeyDeletion", ScheduleKeyDeletion},
      {"CancelKeyDeletion", CancelKeyDeletion},
      {"Encrypt", Encrypt},
      {"Decrypt", Decrypt},
      {"ReEncrypt", ReEncrypt},
      {"GenerateDataKey", [](Service& s, const Caller& c,
                             JsonInput& in) { return GenerateDataKeyCommon(s, c, in, true); }},
      {"GenerateDataKeyWithoutPlaintext",
       [](Service& s, const Caller& c, JsonInput& in) {
         return GenerateDataKeyCommon(s, c, in, false);
       }},
      {"GenerateDataKeyPair",
       [](Service& s, const Caller& c, JsonInput& in) {
         return GenerateDataKeyPairCommon(s, c, in, true);
       }},
      {"GenerateDataKeyPairWithoutPlaintext",
       [](Service& s, const Caller& c, JsonInput& in) {
         return GenerateDataKeyPairCommon(s, c, in, false);
       }},
      {"GenerateRandom", GenerateRandom},
      {"Sign", Sign},
      {"Verify", Verify},
      {"GetPublicKey", GetPublicKey},
      {"GenerateMac", GenerateMac},
      {"VerifyMac", VerifyMac},
      {"DeriveSharedSecret", DeriveSharedSecret},
      {"CreateAlias", CreateAlias},
      {"UpdateAlias", UpdateAlias},
      {"DeleteAlias", DeleteAlias},
      {"ListAliases", ListAliases},
      {"GetKeyPolicy", GetKeyPolicy},
      {"PutKeyPolicy", PutKeyPolicy},
      {"ListKeyPolicies", ListKeyPolicies},
      {"EnableKeyRotation", EnableKeyRotation},
      {"DisableKeyRotation", DisableKeyRotation},
      {"GetKeyRotationStatus", GetKeyRotationStatus},
      {"RotateKeyOnDemand", RotateKeyOnDemand},
      {"ListKeyRotations", ListKeyRotations},
      {"TagResource", TagResource},
      {"UntagResource", UntagResource},
      {"ListResourceTags", ListResourceTags},
      {"CreateGrant", CreateGrant},
      {"ListGrants", ListGrants},
      {"ListRetirableGrants", ListRetirableGrants},
      {"RetireGrant", RetireGrant},
      {"RevokeGrant", RevokeGrant},
      {"GetParametersForImport", GetParametersForImport},
      {"ImportKeyMaterial", ImportKeyMaterial},
      {"DeleteImportedKeyMaterial", DeleteImportedKeyMaterial},
      {"GetKeyLastUsage", GetKeyLastUsage},
  };
  return kHandlers;
}

struct WireCode {
  ErrorKind kind;
  int status;
  const char* code;
};
constexpr WireCode kErrorTable[] = {
    {ErrorKind::kNotFound, 400, "NotFoundException"},
    {ErrorKind::kDisabled, 400, "DisabledException"},
    {ErrorKind::kInvalidState, 400, "KMSInvalidStateException"},
    {ErrorKind::kAlreadyExists, 400, "AlreadyExistsException"},
    {ErrorKind::kInvalidCiphertext, 400, "InvalidCiphertextException"},
    {ErrorKind::kIncorrectKey, 400, "IncorrectKeyException"},
    {ErrorKind::kInvalidKeyUsage, 400, "InvalidKeyUsageException"},
    {ErrorKind::kInvalidAliasName, 400, "InvalidAliasNameException"},
    {ErrorKind::kInvalidArn, 400, "InvalidArnException"},
    {ErrorKind::kInvalidMarker, 400, "InvalidMarkerException"},
    {ErrorKind::kInvalidGrantId, 400, "InvalidGrantIdException"},
    {ErrorKind::kInvalidGrantToken, 400, "InvalidGrantTokenException"},
    {ErrorKind::kInvalidImportToken, 400, "InvalidImportTokenException"},
    {ErrorKind::kExpiredImportToken, 400, "ExpiredImportTokenException"},
    {ErrorKind::kIncorrectKeyMaterial, 400, "IncorrectKeyMaterialException"},
    {ErrorKind::kInvalidSignature, 400, "KMSInvalidSignatureException"},
    {ErrorKind::kInvalidMac, 400, "KMSInvalidMacException"},
    {ErrorKind::kLimitExceeded, 400, "LimitExceededException"},
    {ErrorKind::kMalformedPolicy, 400, "MalformedPolicyDocumentException"},
    {ErrorKind::kTag, 400, "TagException"},
    {ErrorKind::kUnsupportedOperation, 400, "UnsupportedOperationException"},
    {ErrorKind::kDryRun, 412, "DryRunOperationException"},
    {ErrorKind::kAccessDenied, 400, "AccessDeniedException"},
    {ErrorKind::kValidation, 400, "ValidationException"},
    {ErrorKind::kConflict, 409, "ConflictException"},
    {ErrorKind::kNotAuthorized, 400, "NotAuthorizedException"},
    {ErrorKind::kInternal, 500, "KMSInternalException"},
    {ErrorKind::kThrottling, 400, "ThrottlingException"},
    {ErrorKind::kKeyUnavailable, 500, "KeyUnavailableException"},
    {ErrorKind::kDependencyTimeout, 503, "DependencyTimeoutException"},
};

}  // namespace

std::optional<KmsErrorCode> FindKmsErrorCode(std::string_view code) {
  for (const auto& row : kErrorTable) {
    if (code == row.code) return KmsErrorCode{row.kind, row.status};
  }
  return std::nullopt;
}

bool IsKnownOperation(std::string_view operation) {
  return Handlers().count(operation) > 0;
}

WireError KmsStatusToWire(const Status& status) {
  if (status.detail() == kDetailSerialization) {
    return {400, "SerializationException", status.message(), {}, false};
  }
  if (status.detail() == kDetailValidation) {
    return {400, "ValidationException", status.message(), {}, false};
  }
  for (const auto& row : kErrorTable) {
    if (status.detail() == static_cast<int>(row.kind)) {
      // Server faults say nothing about their cause to the client.
      if (row.status >= 500) {
        return {row.status, row.code, "KMS encountered an internal error. Try again.", {}, true};
      }
      return {row.status, row.code, status.message(), {}, false};
    }
  }
  return StatusToWire(status, Protocol::kJson);
}

ApiResponse HandleKmsRequest(Service& service, const Caller& caller, std::string_view operation,
                             std::string_view body, const RequestIds& ids) {
  auto it = Handlers().find(operation);
  if (it == Handlers().end()) {
    return RenderError(
        Protocol::kJson,
        {400,
         "UnknownOperationException",
         "The operation TrentService." + std::string(operation) + " is not supported by SealStack.",
         {},
         false},
        ids);
  }
  auto in = JsonInput::Parse(body);
  Result<std::string> result =
      in.ok() ? it->second(service, caller, *in) : Result<std::string>(in.status());
  if (!result.ok()) return RenderError(Protocol::kJson, KmsStatusToWire(result.status()), ids);
  ApiResponse r;
  r.status = 200;
  r.body = std::move(*result);
  r.SetHeader("Content-Type", "application/x-amz-json-1.1");
  AddRequestIdHeaders(Protocol::kJson, ids, &r);
  return r;
}

}  // namespace sealstack::api::kms
