// The KMS wire rows of the key lifecycle (kms_wire_ops.h).
#include <algorithm>

#include "api/kms/kms_wire_ops.h"

namespace sealstack::api::kms::wire_ops {

namespace {

// KeyMetadata as the member `name`. `creating`: as ReplicateKey answers for the replica it has
// just made (KeyState Creating, not enabled, no current material yet), as AWS does.
void WriteKeyMetadata(JsonOutput& out, const char* name, const Key& k, bool creating = false) {
  out.BeginObject(name);
  out.String("AWSAccountId", k.account);
  out.String("KeyId", k.id);
  out.String("Arn", k.arn);
  out.Time("CreationDate", k.created);
  out.Bool("Enabled", !creating && k.state == KeyState::kEnabled);
  out.String("Description", k.description);
  out.String("KeyUsage", Name(k.usage));
  out.String("KeyState", creating ? "Creating" : Name(k.state));
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
  out.Bool("MultiRegion", k.multi_region);
  if (k.multi_region) {
    out.BeginObject("MultiRegionConfiguration");
    out.String("MultiRegionKeyType", k.is_replica() ? "REPLICA" : "PRIMARY");
    out.BeginObject("PrimaryKey")
        .String("Arn", KeyArn(k.primary_region, k.account, k.id))
        .String("Region", k.primary_region)
        .EndObject();
    out.BeginArray("ReplicaKeys");
    for (const auto& r : k.replica_regions) {
      out.BeginObject().String("Arn", KeyArn(r, k.account, k.id)).String("Region", r).EndObject();
    }
    out.EndArray();
    out.EndObject();
  }
  if (k.state == KeyState::kPendingDeletion || k.state == KeyState::kPendingReplicaDeletion) {
    out.Int("PendingDeletionWindowInDays", k.pending_window_days);
  }
  if (creating) {
    // No current material while the replica is being created.
  } else if (IsSymmetric(k.spec) && k.origin == Origin::kExternal &&
             !k.imported_material_id.empty()) {
    // Imported material: the current one, also while it is deleted (recorded: DescribeKey
    // after DeleteImportedKeyMaterial still names it).
    out.String("CurrentKeyMaterialId", k.imported_material_id);
  } else if (const Material* m = k.current(); m != nullptr && IsSymmetric(k.spec)) {
    out.String("CurrentKeyMaterialId", m->id);
  } else if (IsSymmetric(k.spec) && !k.imported_material_id.empty()) {
    // Deleted imported material stays the key's current material until it is re-imported
    // (recorded: DescribeKey after DeleteImportedKeyMaterial still names it).
    out.String("CurrentKeyMaterialId", k.imported_material_id);
  }
  out.EndObject();
}

void RenderKeyMetadata(JsonOutput& out, const KeyPtr& key) {
  WriteKeyMetadata(out, "KeyMetadata", *key);
}

// RegionType: ^([a-z]+-){2,3}\d+$, 1 to 32 characters.
bool IsRegionType(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  size_t pos = 0;
  int words = 0;
  while (true) {
    size_t start = pos;
    while (pos < s.size() && s[pos] >= 'a' && s[pos] <= 'z') ++pos;
    if (pos == start || pos >= s.size() || s[pos] != '-') break;
    ++pos;
    ++words;
    start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos > start && pos == s.size()) return words >= 2 && words <= 3;
    pos = start;
  }
  return false;
}

std::optional<std::string> RegionArg(JsonInput& in, std::string_view member) {
  auto region = in.String(member, true, 1, 32);
  if (region && !IsRegionType(*region)) {
    in.AddConstraintError(member, "'" + *region + "'",
                          "Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$");
  }
  return region;
}

struct ReplicateKeyRequest : Service::ReplicateKeyRequest {
  std::vector<Tag> tag_list;
};
Result<ReplicateKeyRequest> ReadReplicateKey(JsonInput& in) {
  ReplicateKeyRequest r;
  r.key_id = KeyIdArg(in);
  auto region = RegionArg(in, "ReplicaRegion");
  r.policy = in.String("Policy", false, 1, 131072);
  r.bypass_policy_lockout_check = in.Bool("BypassPolicyLockoutSafetyCheck").value_or(false);
  r.description = in.String("Description", false, 0, 8192).value_or("");
  auto tags = TagsArg(in, false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.replica_region = *region;
  if (tags) r.tag_list = std::move(*tags);
  return r;
}
Result<KeyPtr> CallReplicateKey(Service& s, const Caller& c, const ReplicateKeyRequest& r) {
  if (r.policy) SEALSTACK_RETURN_IF_ERROR(s.CheckPolicy(*r.policy));
  SEALSTACK_RETURN_IF_ERROR(CheckTagList(r.tag_list));
  Service::ReplicateKeyRequest request = r;
  for (const auto& t : r.tag_list) request.tags[t.key] = t.value;
  return s.ReplicateKey(c, request);
}
void RenderReplicateKey(JsonOutput& out, const KeyPtr& key) {
  WriteKeyMetadata(out, "ReplicaKeyMetadata", *key, /*creating=*/true);
  out.String("ReplicaPolicy", key->policy);
  if (key->tags.empty()) return;  // recorded: no ReplicaTags member for a replica without tags
  out.BeginArray("ReplicaTags");
  for (const auto& [k, v] : key->tags) {
    out.BeginObject().String("TagKey", k).String("TagValue", v).EndObject();
  }
  out.EndArray();
}

struct UpdatePrimaryRegionRequest {
  std::string key_id;
  std::string primary_region;
};
Result<UpdatePrimaryRegionRequest> ReadUpdatePrimaryRegion(JsonInput& in) {
  UpdatePrimaryRegionRequest r;
  r.key_id = KeyIdArg(in);
  auto region = RegionArg(in, "PrimaryRegion");
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.primary_region = *region;
  return r;
}

// The service's request, and the tags as sent (duplicates included) until they are checked.
struct CreateKeyRequest : Service::CreateKeyRequest {
  std::vector<Tag> tag_list;
};

Result<CreateKeyRequest> ReadCreateKey(JsonInput& in) {
  CreateKeyRequest r;
  r.policy = in.String("Policy", false, 1, 131072);
  r.description = in.String("Description", false, 0, 8192).value_or("");
  auto usage = in.Enum("KeyUsage", false, KeyUsageNames());
  auto spec_names = KeySpecNames();
  auto spec = in.Enum("KeySpec", false, spec_names);
  auto cmk_spec = in.Enum("CustomerMasterKeySpec", false, spec_names);
  auto origin =
      in.Enum("Origin", false, {"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"});
  in.String("CustomKeyStoreId", false, 1, 64);
  r.bypass_policy_lockout_check = in.Bool("BypassPolicyLockoutSafetyCheck").value_or(false);
  auto tags = TagsArg(in, false);
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
  // KeyUsage defaults to ENCRYPT_DECRYPT whatever the spec; a spec that cannot encrypt must
  // name its usage.
  r.usage = usage ? *ParseKeyUsage(*usage) : KeyUsage::kEncryptDecrypt;
  auto allowed = AllowedUsages(r.spec);
  if (std::find(allowed.begin(), allowed.end(), r.usage) == allowed.end() && !usage) {
    return KmsError(ErrorKind::kValidation,
                    "You must specify a KeyUsage value for all KMS keys except for symmetric "
                    "encryption keys.");
  }
  if (std::find(allowed.begin(), allowed.end(), r.usage) == allowed.end()) {
    return KmsError(ErrorKind::kValidation, "KeyUsage " + std::string(Name(r.usage)) +
                                                " is not compatible with KeySpec " + spec_name);
  }
  if (origin && *origin != "AWS_KMS" && *origin != "EXTERNAL") {
    return KmsError(ErrorKind::kUnsupportedOperation,
                    "Origin " + *origin + " (custom key stores) is not supported by SealStack.");
  }
  r.origin = origin && *origin == "EXTERNAL" ? Origin::kExternal : Origin::kAwsKms;
  r.multi_region = multi_region.value_or(false);
  // Tags are checked after the policy (CallCreateKey), so they are kept as sent here.
  if (tags) r.tag_list = std::move(*tags);
  return r;
}

Result<KeyPtr> CallCreateKey(Service& s, const Caller& c, const CreateKeyRequest& r) {
  if (r.policy) SEALSTACK_RETURN_IF_ERROR(s.CheckPolicy(*r.policy));
  SEALSTACK_RETURN_IF_ERROR(CheckTagList(r.tag_list));
  Service::CreateKeyRequest request = r;  // the service's part
  for (const auto& t : r.tag_list) request.tags[t.key] = t.value;
  return s.CreateKey(c, request);
}

struct ListKeysRequest {
  ListPage page;
};
Result<ListKeysRequest> ReadListKeys(JsonInput& in) {
  ListKeysRequest r{PageArg(in)};
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
struct ListKeysResponse {
  std::vector<Service::KeyListEntry> keys;
  std::string next_marker;
};
Result<ListKeysResponse> CallListKeys(Service& s, const Caller& c, const ListKeysRequest& r) {
  ListKeysResponse out;
  SEALSTACK_ASSIGN_OR_RETURN(out.keys, s.ListKeys(c, r.page, &out.next_marker));
  return out;
}
void RenderListKeys(JsonOutput& out, const ListKeysResponse& r) {
  out.BeginArray("Keys");
  for (const auto& k : r.keys) {
    out.BeginObject().String("KeyId", k.id).String("KeyArn", k.arn).EndObject();
  }
  out.EndArray();
  WritePageEnd(out, r.next_marker);
}

struct UpdateKeyDescriptionRequest {
  std::string key_id;
  std::string description;
};
Result<UpdateKeyDescriptionRequest> ReadUpdateKeyDescription(JsonInput& in) {
  UpdateKeyDescriptionRequest r;
  r.key_id = KeyIdArg(in);
  auto desc = in.String("Description", true, 0, 8192);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.description = *desc;
  return r;
}

struct ScheduleKeyDeletionRequest {
  std::string key_id;
  int pending_window_days;
};
Result<ScheduleKeyDeletionRequest> ReadScheduleKeyDeletion(JsonInput& in) {
  ScheduleKeyDeletionRequest r;
  r.key_id = KeyIdArg(in);
  auto days = in.Integer("PendingWindowInDays", false, 7, 30);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.pending_window_days = static_cast<int>(days.value_or(30));
  return r;
}
void RenderScheduleKeyDeletion(JsonOutput& out, const KeyPtr& key) {
  out.String("KeyId", key->arn);
  // A primary with replicas (PendingReplicaDeletion) has no deletion date yet.
  if (key->deletion_date) out.Time("DeletionDate", *key->deletion_date);
  out.String("KeyState", Name(key->state));
  out.Int("PendingWindowInDays", key->pending_window_days);
}

}  // namespace

void AddKeyOperations(OperationTable& table) {
  using S = Service;
  using Describe = UpdateKeyDescriptionRequest;
  using Schedule = ScheduleKeyDeletionRequest;
  using Primary = UpdatePrimaryRegionRequest;
  table.insert({
      {"CreateKey", Frame(ReadCreateKey, CallCreateKey, RenderKeyMetadata)},
      {"DescribeKey", Frame(ReadKeyIdWithGrantTokens, KeyCall<&S::DescribeKey>, RenderKeyMetadata)},
      {"ListKeys", Frame(ReadListKeys, CallListKeys, RenderListKeys)},
      {"UpdateKeyDescription",
       Frame(ReadUpdateKeyDescription,
             MemberCall<&S::UpdateKeyDescription, &Describe::key_id, &Describe::description>,
             RenderNothing)},
      {"EnableKey", Frame(ReadKeyId, KeyCall<&S::EnableKey>, RenderNothing)},
      {"DisableKey", Frame(ReadKeyId, KeyCall<&S::DisableKey>, RenderNothing)},
      {"ScheduleKeyDeletion",
       Frame(ReadScheduleKeyDeletion,
             MemberCall<&S::ScheduleKeyDeletion, &Schedule::key_id, &Schedule::pending_window_days>,
             RenderScheduleKeyDeletion)},
      {"CancelKeyDeletion", Frame(ReadKeyId, KeyCall<&S::CancelKeyDeletion>, RenderKeyArn)},
      {"ReplicateKey", Frame(ReadReplicateKey, CallReplicateKey, RenderReplicateKey)},
      {"UpdatePrimaryRegion",
       Frame(ReadUpdatePrimaryRegion,
             MemberCall<&S::UpdatePrimaryRegion, &Primary::key_id, &Primary::primary_region>,
             RenderNothing)},
  });
}

}  // namespace sealstack::api::kms::wire_ops
