// kms::Service: every KMS operation, as the JSON wire layer calls it and as S3 and Glue call it
// in-process on a caller's behalf (Caller::via_service set). Each operation resolves the key,
// checks the key state (key_state.h), authorizes the caller, and only then touches state.
//
// State lives in memory (kms_model.h) and is written through to SQLite in one transaction per
// mutation; the constructor loads it back. Time comes from the injected Clock: deletions,
// rotations and import expiries that fall due are applied by RunDue(), which every operation
// calls first (cheaply, when nothing is due).
//
// The class reads in sections: construction and wiring; the operations by concern (keys,
// cryptography, aliases, key policies, rotation, tags, grants, import, usage tracking), each
// taking the Caller first; lookups for the authorizer and the wire renderers; the clock and the
// admin plane (reset, seeding). Aliases and grants are indexed by key handle (key_indexed_map.h),
// so the aliases and grants one authorization considers are found without a scan.
//
// Types live beside it: the caller and authorization request (kms_caller.h), the audit hook
// (kms_audit_hook.h), the larger inputs and outputs (kms_requests.h).
//
// Keys are held by handle (KeyHandle in kms_model.h): the key id, or "ID/REGION" for
// multi-Region keys, whose primary and replicas share one id (kms_multi_region.cpp).
//
// Thread safety: all methods are safe to call concurrently. Reads take a shared lock only to
// find a key snapshot; mutations are serialised by one mutex.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/common/faults.h"
#include "api/kms/ciphertext_blob.h"
#include "api/kms/key_indexed_map.h"
#include "api/kms/key_state.h"
#include "api/kms/kms_audit_hook.h"
#include "api/kms/kms_caller.h"
#include "api/kms/kms_model.h"
#include "api/kms/kms_requests.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "crypto/random.h"
#include "storage/db.h"

namespace sealstack::api::kms {

class Service {
 public:
  // ---- construction and wiring (server/ installs the policy layer, faults and audit)
  // Loads the persisted state. `db` must have the KMS migrations applied.
  static Result<std::unique_ptr<Service>> Open(storage::Database& db,
                                               const crypto::SecretBytes& root_key,
                                               std::shared_ptr<const Clock> clock,
                                               std::shared_ptr<crypto::RandomSource> random);

  void SetAuthorizer(Authorizer authorizer) { authorizer_ = std::move(authorizer); }
  // Injected faults (service "kms"), checked at the start of every operation, direct or made
  // by S3/Glue on a caller's behalf. A firing fault fails the call with its ErrorKind
  // (kThrottling, kInternal, ...) before anything is resolved or changed. Null = none.
  void SetFaultInjector(std::shared_ptr<FaultInjector> faults) { faults_ = std::move(faults); }
  // Full policy-language validation (policy/), applied on CreateKey and PutKeyPolicy on top of
  // the JSON and size checks here. The message becomes MalformedPolicyDocumentException's.
  using PolicyValidator = std::function<Status(std::string_view policy)>;
  void SetPolicyValidator(PolicyValidator v) { policy_validator_ = std::move(v); }
  // The lockout safety check: OK if the caller could still call PutKeyPolicy under `policy`.
  using LockoutChecker = std::function<Status(const Caller&, const Key&, std::string_view)>;
  void SetLockoutChecker(LockoutChecker c) { lockout_checker_ = std::move(c); }

  using LastUsage = kms::LastUsage;
  // Where GetKeyLastUsage looks (the audit trail, when installed); otherwise this process's
  // in-memory record of uses.
  struct UsageSource {
    std::function<std::optional<LastUsage>(const Key&)> last_usage;
    std::function<SystemTime()> tracking_start;
  };
  void SetUsageSource(UsageSource source) { usage_source_ = std::move(source); }

  // ---- keys
  using CreateKeyRequest = kms::CreateKeyRequest;
  Result<std::shared_ptr<const Key>> CreateKey(const Caller& c, const CreateKeyRequest& r);
  Result<std::shared_ptr<const Key>> DescribeKey(const Caller& c, std::string_view key_id);
  using KeyListEntry = kms::KeyListEntry;
  Result<std::vector<KeyListEntry>> ListKeys(const Caller& c, const ListPage& page,
                                             std::string* next_marker);
  Status UpdateKeyDescription(const Caller& c, std::string_view key_id, std::string description);
  Status EnableKey(const Caller& c, std::string_view key_id);
  Status DisableKey(const Caller& c, std::string_view key_id);
  Result<std::shared_ptr<const Key>> ScheduleKeyDeletion(const Caller& c, std::string_view key_id,
                                                         int pending_window_days);
  Result<std::shared_ptr<const Key>> CancelKeyDeletion(const Caller& c, std::string_view key_id);

  // ---- multi-Region keys (kms_multi_region.cpp)
  using ReplicateKeyRequest = kms::ReplicateKeyRequest;
  // Creates the replica (same key id, key material and shared properties; its own policy,
  // description and tags) and adds it to every key of the set. Returns the replica.
  Result<std::shared_ptr<const Key>> ReplicateKey(const Caller& c, const ReplicateKeyRequest& r);
  // Makes the replica in `primary_region` the primary and the current primary a replica.
  Status UpdatePrimaryRegion(const Caller& c, std::string_view key_id,
                             std::string_view primary_region);

  // ---- cryptography
  Result<CryptoResult> Encrypt(const Caller& c, std::string_view key_id,
                               const crypto::SecretBytes& plaintext,
                               const EncryptionContext& context, std::string_view algorithm);
  // key_id may be empty for symmetric ciphertexts (the blob names its key).
  Result<CryptoResult> Decrypt(const Caller& c, std::string_view key_id,
                               std::string_view ciphertext, const EncryptionContext& context,
                               std::string_view algorithm);
  using ReEncryptResult = kms::ReEncryptResult;
  Result<ReEncryptResult> ReEncrypt(const Caller& c, std::string_view ciphertext,
                                    const EncryptionContext& source_context,
                                    std::string_view source_key_id,
                                    std::string_view source_algorithm,
                                    std::string_view destination_key_id,
                                    const EncryptionContext& destination_context,
                                    std::string_view destination_algorithm);
  // bytes: the data key length (KeySpec AES_256 = 32, AES_128 = 16, or NumberOfBytes).
  Result<CryptoResult> GenerateDataKey(const Caller& c, std::string_view key_id, size_t bytes,
                                       const EncryptionContext& context, bool with_plaintext);
  Result<DataKeyPair> GenerateDataKeyPair(const Caller& c, std::string_view key_id,
                                          std::string_view pair_spec,
                                          const EncryptionContext& context, bool with_plaintext);
  Result<crypto::SecretBytes> GenerateRandom(const Caller& c, size_t bytes);
  Result<std::string> Sign(const Caller& c, std::string_view key_id, std::string_view message,
                           std::string_view message_type, std::string_view algorithm,
                           std::string* key_arn);
  Status Verify(const Caller& c, std::string_view key_id, std::string_view message,
                std::string_view message_type, std::string_view signature,
                std::string_view algorithm, std::string* key_arn);
  Result<std::shared_ptr<const Key>> GetPublicKey(const Caller& c, std::string_view key_id,
                                                  std::string* public_key_der);
  Result<std::string> GenerateMac(const Caller& c, std::string_view key_id,
                                  std::string_view message, std::string_view algorithm,
                                  std::string* key_arn);
  Status VerifyMac(const Caller& c, std::string_view key_id, std::string_view message,
                   std::string_view mac, std::string_view algorithm, std::string* key_arn);
  Result<crypto::SecretBytes> DeriveSharedSecret(const Caller& c, std::string_view key_id,
                                                 std::string_view algorithm,
                                                 std::string_view public_key, std::string* key_arn);

  // ---- aliases
  Status CreateAlias(const Caller& c, std::string_view alias_name, std::string_view target);
  Status UpdateAlias(const Caller& c, std::string_view alias_name, std::string_view target);
  Status DeleteAlias(const Caller& c, std::string_view alias_name);
  Result<std::vector<Alias>> ListAliases(const Caller& c, std::string_view key_id,
                                         const ListPage& page, std::string* next_marker);

  // ---- key policies
  // Syntax and size of a key policy (MalformedPolicyDocumentException / LimitExceeded).
  Status CheckPolicy(std::string_view policy) const;
  Result<std::string> GetKeyPolicy(const Caller& c, std::string_view key_id);
  Status PutKeyPolicy(const Caller& c, std::string_view key_id, std::string policy,
                      bool bypass_lockout_check);
  Status CheckKeyForPolicyList(const Caller& c, std::string_view key_id);

  // ---- rotation
  Status EnableKeyRotation(const Caller& c, std::string_view key_id, int period_days);
  Status DisableKeyRotation(const Caller& c, std::string_view key_id);
  // `operation` names the call for injected faults (ListKeyRotations reads through here too).
  Result<std::shared_ptr<const Key>> GetKeyRotationStatus(
      const Caller& c, std::string_view key_id,
      std::string_view operation = "GetKeyRotationStatus");
  Result<std::shared_ptr<const Key>> RotateKeyOnDemand(const Caller& c, std::string_view key_id);

  // ---- tags
  Status TagResource(const Caller& c, std::string_view key_id,
                     const std::map<std::string, std::string>& tags);
  Status UntagResource(const Caller& c, std::string_view key_id,
                       const std::vector<std::string>& tag_keys);
  Result<std::shared_ptr<const Key>> ListResourceTags(const Caller& c, std::string_view key_id);

  // ---- grants
  using CreateGrantRequest = kms::CreateGrantRequest;
  Result<Grant> CreateGrant(const Caller& c, const CreateGrantRequest& r);
  Result<std::vector<Grant>> ListGrants(const Caller& c, std::string_view key_id,
                                        std::string_view grant_id, std::string_view grantee,
                                        const ListPage& page, std::string* next_marker);
  Result<std::vector<Grant>> ListRetirableGrants(const Caller& c, std::string_view retiring,
                                                 const ListPage& page, std::string* next_marker);
  Status RetireGrant(const Caller& c, std::string_view grant_token, std::string_view key_id,
                     std::string_view grant_id);
  Status RevokeGrant(const Caller& c, std::string_view key_id, std::string_view grant_id);

  // ---- import
  using ImportParametersResult = kms::ImportParametersResult;
  Result<ImportParametersResult> GetParametersForImport(const Caller& c, std::string_view key_id,
                                                        std::string_view wrapping_algorithm,
                                                        std::string_view wrapping_key_spec);
  using ImportOptions = kms::ImportOptions;
  // Both return the key as it is afterwards. `material_id` (when set) receives the id of the
  // material imported.
  Result<std::shared_ptr<const Key>> ImportKeyMaterial(
      const Caller& c, std::string_view key_id, std::string_view import_token,
      std::string_view encrypted_material, std::optional<SystemTime> valid_to,
      ExpirationModel model, const ImportOptions& options = {}, std::string* material_id = nullptr);
  // Deletes imported material `material_id` (nullopt: the current material); `deleted_id`
  // (when set) receives the id of the material deleted.
  Result<std::shared_ptr<const Key>> DeleteImportedKeyMaterial(
      const Caller& c, std::string_view key_id, std::optional<std::string> material_id = {},
      std::string* deleted_id = nullptr);

  // ---- usage tracking (GetKeyLastUsage)
  Result<std::shared_ptr<const Key>> GetKeyLastUsage(const Caller& c, std::string_view key_id,
                                                     std::optional<LastUsage>* usage);
  SystemTime tracking_start() const {
    return usage_source_.tracking_start ? usage_source_.tracking_start() : tracking_start_;
  }

  // ---- for the authorizer and the wire renderers (no authorization, no faults)
  static std::string AliasArnOf(const Alias& alias);
  std::vector<std::string> AliasesOf(const Key& key) const;  // alias names
  std::vector<Grant> GrantsFor(const std::string& key_id) const;
  // The ARN of a key by id, for rendering (no authorization; the id itself if unknown).
  std::string KeyArnOf(const std::string& key_id) const;
  // The key a key ARN names, or null (no authorization: the admin plane's policy simulator).
  std::shared_ptr<const Key> KeyOfArn(std::string_view key_arn) const;
  // The admin plane's read-only views (posture report, console; kms_admin_view.cpp): every
  // key (all accounts and regions, ordered by ARN), every alias and every grant, as snapshots.
  std::vector<std::shared_ptr<const Key>> AllKeys() const EXCLUDES(mu_);
  std::vector<Alias> AllAliases() const EXCLUDES(mu_);
  std::vector<Grant> AllGrants() const EXCLUDES(mu_);

  // ---- the clock and the admin plane (POST /_sealstack/reset, seeding)
  // Applies deletions, automatic rotations and imported-material expiries that fell due.
  void RunDue();

  // Drops all state (admin reset).
  Status Reset();
  // Drops one account's keys (with their materials), aliases and grants on them (admin reset).
  Status ResetAccount(const std::string& account);

  // Seeding: no caller, no authorization, no faults (kms_seed.cpp).
  using SeedKeyRequest = kms::SeedKeyRequest;
  // Checks an entry against itself and the current state, changing nothing: the material fits
  // the spec, usage and policy are valid, aliases are well-formed and not another key's, and a
  // key that already has this id is the same key (account, region, spec, first material).
  // The message names the field ("material: ..."), for the seed loader to prefix.
  Status CheckSeedKey(const SeedKeyRequest& r) const;
  // Creates the key, or brings an existing one to the declared state (description, policy,
  // tags, rotation, enabled, aliases). Idempotent: the key id and material are the request's and
  // the material id is derived from both, so ciphertexts made under a seeded key decrypt on any
  // server seeded with the same entry. Material is wrapped under the root key like any other.
  // Returns whether anything changed.
  Result<bool> SeedKey(const SeedKeyRequest& r);
  // The material id a seeded key's first material gets (64 hex).
  static Result<std::string> SeedMaterialId(const std::string& key_id,
                                            const crypto::SecretBytes& material);

 private:
  Service(storage::Database& db, const crypto::SecretBytes& root_key,
          std::shared_ptr<const Clock> clock, std::shared_ptr<crypto::RandomSource> random);

  struct Resolved {
    std::shared_ptr<const Key> key;
    std::string request_alias;  // the alias named in the request, if any
  };
  // Finds the key a KeyId names (key id, key ARN, and with allow_alias alias name or ARN),
  // creating AWS-managed keys for alias/aws/<service> on first use.
  Result<Resolved> Resolve(const Caller& c, std::string_view key_id, bool allow_alias)
      EXCLUDES(mu_);
  Status Authorize(const Caller& c, std::string_view action, const Key* key,
                   const EncryptionContext* context = nullptr, const ConditionKeys& extra = {});
  // Resolve + state check + authorize, the preamble of most operations.
  Result<std::shared_ptr<const Key>> Prepare(const Caller& c, std::string_view key_id,
                                             bool allow_alias, OperationClass op_class,
                                             std::string_view action,
                                             const EncryptionContext* context = nullptr,
                                             ConditionKeys extra = {});
  // The opening of most operations: the fault check for `op` on `key_id`, then Prepare for the
  // action "kms:<op>".
  Result<std::shared_ptr<const Key>> PrepareOp(const Caller& c, std::string_view op,
                                               std::string_view key_id, bool allow_alias,
                                               OperationClass op_class,
                                               const EncryptionContext* context = nullptr,
                                               ConditionKeys extra = {});
  // GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial (`op`): PrepareOp,
  // then the key must have been created for imported material (Origin EXTERNAL).
  Result<std::shared_ptr<const Key>> PrepareImport(const Caller& c, std::string_view op,
                                                   std::string_view key_id);

  // Sign and Verify (`op`): the fault check, the key prepared with the signing condition keys,
  // and the request's algorithm and message type checked against the key.
  struct SigningKey {
    std::shared_ptr<const Key> key;
    crypto::SigningAlgorithm algorithm{};
    crypto::MessageType message_type{};
  };
  Result<SigningKey> PrepareSigning(const Caller& c, std::string_view op, std::string_view key_id,
                                    std::string_view message_type, std::string_view algorithm);
  // CreateAlias and UpdateAlias (`op`): the fault check, due work, the alias name's checks,
  // and the target key prepared for kms:<op>.
  Result<std::shared_ptr<const Key>> PrepareAliasTarget(const Caller& c, std::string_view op,
                                                        std::string_view alias_name,
                                                        std::string_view target);
  // GenerateMac and VerifyMac (`op`): the same for an HMAC key and its MAC algorithm.
  struct MacKey {
    std::shared_ptr<const Key> key;
    crypto::MacAlgorithm algorithm{};
  };
  Result<MacKey> PrepareMac(const Caller& c, std::string_view op, std::string_view key_id,
                            std::string_view algorithm);

  // EnableKey (enabled) and DisableKey: the same checks, then the state each sets.
  Status SetKeyEnabled(const Caller& c, std::string_view key_id, bool enabled);

  // Mutations: copy, edit, persist, publish. `edit` may fail, leaving nothing changed.
  Status Mutate(const std::string& key_id, const std::function<Status(Key&)>& edit)
      EXCLUDES(write_mu_, mu_);
  // The same for every key of the multi-Region set of the key `handle` names (just that key
  // when it is single-Region), primary first, in one transaction.
  Status MutateSet(const std::string& handle, const std::function<Status(Key&)>& edit)
      EXCLUDES(write_mu_, mu_);
  // The handles of the keys of `key`'s multi-Region set, primary first ({key.handle()} for a
  // single-Region key).
  static std::vector<std::string> SetHandles(const Key& key);
  // Mutate for `handles` with write_mu_ held; `also` runs in the same transaction.
  Status MutateKeysLocked(const std::vector<std::string>& handles,
                          const std::function<Status(Key&)>& edit,
                          const std::function<Status(storage::Connection&)>& also = {})
      REQUIRES(write_mu_) EXCLUDES(mu_);
  Status PersistKey(storage::Connection& conn, const Key& key);
  Status PersistMaterial(storage::Connection& conn, const Key& key, const Material& m);
  Result<std::shared_ptr<const Material>> NewMaterial(const Key& key, std::string rotation_type);
  Result<std::shared_ptr<const Material>> MaterialFromBytes(const Key& key, crypto::SecretBytes b,
                                                            std::string id, std::string rotation,
                                                            bool imported, int64_t seq);
  Status Load() EXCLUDES(mu_);
  // RotateKeyOnDemand of a key with imported material (kms_manage.cpp).
  Result<std::shared_ptr<const Key>> RotateToPendingMaterial(const Caller& c, const Key& key);
  Status CreateAwsManagedKey(const Caller& c, std::string_view alias_name) EXCLUDES(write_mu_, mu_);
  Status RemoveGrant(const std::string& grant_id) EXCLUDES(write_mu_, mu_);
  // Decrypt authorized as `action` (kms:Decrypt, or kms:ReEncryptFrom inside ReEncrypt).
  Result<CryptoResult> DecryptAs(const Caller& c, std::string_view action, std::string_view key_id,
                                 std::string_view ciphertext, const EncryptionContext& context,
                                 std::string_view algorithm, ConditionKeys extra);
  // The cryptography of Encrypt on a key already resolved and authorized.
  Result<CryptoResult> EncryptWithKey(const std::shared_ptr<const Key>& key,
                                      const crypto::SecretBytes& plaintext,
                                      const EncryptionContext& context, std::string_view algorithm,
                                      std::string_view operation);
  std::shared_ptr<const Key> Current(const std::string& key_id) const  // latest snapshot
      EXCLUDES(mu_);
  std::string DefaultPolicy(const std::string& account) const;
  std::string NewUuid();
  void NoteUse(const Key& key, std::string_view operation) EXCLUDES(usage_mu_);
  void UpdateNextDue() EXCLUDES(mu_);
  // The injected-fault check at the top of each operation (kms_seed.cpp). `key_id` is the key
  // as the request named it (id, ARN, alias); for Decrypt without one, the ciphertext's key.
  Status CheckFault(const Caller& c, std::string_view operation, std::string_view key_id = {},
                    std::string_view ciphertext = {});
  std::string FaultResourceArn(const Caller& c, std::string_view key_id,
                               std::string_view ciphertext) const EXCLUDES(mu_);

  storage::Database& db_;
  crypto::SecretBytes root_key_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<crypto::RandomSource> random_;
  Authorizer authorizer_;
  PolicyValidator policy_validator_;
  LockoutChecker lockout_checker_;
  UsageSource usage_source_;
  SystemTime tracking_start_;

  // Lock order: write_mu_ first (a mutation reads under mu_ shared, persists, then publishes
  // under mu_ exclusive, all inside write_mu_); mu_ and usage_mu_ are never held together.
  Mutex write_mu_ ACQUIRED_BEFORE(mu_, usage_mu_);  // serialises mutations and their persistence
  mutable SharedMutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Key>> keys_ GUARDED_BY(mu_);
  KeyIndexedMap<Alias> aliases_ GUARDED_BY(mu_);  // by AliasMapKey()
  KeyIndexedMap<Grant> grants_ GUARDED_BY(mu_);   // by grant id
  Mutex usage_mu_;
  std::unordered_map<std::string, LastUsage> last_usage_ GUARDED_BY(usage_mu_);
  // Tokens of grants this process issued, by hash (a repeated CreateGrant issues a new token
  // for the same grant).
  std::unordered_map<std::string, std::string> extra_grant_tokens_ GUARDED_BY(usage_mu_);
  std::atomic<int64_t> next_due_us_{INT64_MAX};
  std::shared_ptr<FaultInjector> faults_;
};

}  // namespace sealstack::api::kms
