// The KMS wire rows of aliases, key policies, rotation and tags (kms_wire_ops.h).
#include <algorithm>

#include "api/kms/kms_wire_ops.h"

namespace sealstack::api::kms::wire_ops {

namespace {

// ---- aliases

struct AliasRequest {
  std::string name;
  std::string target;  // CreateAlias, UpdateAlias
};
template <bool kWithTarget>
Result<AliasRequest> ReadAlias(JsonInput& in) {
  AliasRequest r;
  r.name = in.String("AliasName", true, 1, 256).value_or("");
  if (kWithTarget) r.target = in.String("TargetKeyId", true, 1, kMaxKeyId).value_or("");
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}

struct ListAliasesRequest {
  std::string key_id;
  ListPage page;
};
Result<ListAliasesRequest> ReadListAliases(JsonInput& in) {
  ListAliasesRequest r;
  r.key_id = KeyIdArg(in, false);
  r.page = PageArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
struct ListAliasesResponse {
  std::vector<Alias> aliases;
  std::string next_marker;
};
Result<ListAliasesResponse> CallListAliases(Service& s, const Caller& c,
                                            const ListAliasesRequest& r) {
  ListAliasesResponse out;
  SEALSTACK_ASSIGN_OR_RETURN(out.aliases, s.ListAliases(c, r.key_id, r.page, &out.next_marker));
  return out;
}
void RenderListAliases(JsonOutput& out, const ListAliasesResponse& r) {
  out.BeginArray("Aliases");
  for (const auto& a : r.aliases) {
    out.BeginObject()
        .String("AliasName", a.name)
        .String("AliasArn", Service::AliasArnOf(a))
        .String("TargetKeyId", KeyIdOfHandle(a.key_id))
        .Time("CreationDate", a.created)
        .Time("LastUpdatedDate", a.updated)
        .EndObject();
  }
  out.EndArray();
  WritePageEnd(out, r.next_marker);
}

// ---- key policies

// A key has one policy, "default"; naming another is NotFoundException, reported after the
// request's own validation errors.
Status PolicyNameArg(JsonInput& in) {
  auto name = in.String("PolicyName", false, 1, 128);
  if (name && *name != "default") {
    return KmsError(ErrorKind::kNotFound, "No such policy exists");
  }
  return Status::Ok();
}

Result<KeyRequest> ReadGetKeyPolicy(JsonInput& in) {
  KeyRequest r{KeyIdArg(in)};
  Status name = PolicyNameArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(name);
  return r;
}
void RenderGetKeyPolicy(JsonOutput& out, const std::string& policy) {
  out.String("Policy", policy);
  out.String("PolicyName", "default");
}

struct PutKeyPolicyRequest {
  std::string key_id;
  std::string policy;
  bool bypass_lockout_check = false;
};
Result<PutKeyPolicyRequest> ReadPutKeyPolicy(JsonInput& in) {
  PutKeyPolicyRequest r;
  r.key_id = KeyIdArg(in);
  Status name = PolicyNameArg(in);
  auto policy = in.String("Policy", true, 1, 131072);
  r.bypass_lockout_check = in.Bool("BypassPolicyLockoutSafetyCheck").value_or(false);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(name);
  r.policy = *policy;
  return r;
}

Result<KeyRequest> ReadListKeyPolicies(JsonInput& in) {
  KeyRequest r{KeyIdArg(in)};
  PageArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
void RenderListKeyPolicies(JsonOutput& out, const NoContent&) {
  out.BeginArray("PolicyNames").String("default").EndArray();
  out.Bool("Truncated", false);
}

// ---- rotation

struct EnableKeyRotationRequest {
  std::string key_id;
  int period_days;
};
Result<EnableKeyRotationRequest> ReadEnableKeyRotation(JsonInput& in) {
  EnableKeyRotationRequest r;
  r.key_id = KeyIdArg(in);
  auto days = in.Integer("RotationPeriodInDays", false, 90, 2560);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.period_days = static_cast<int>(days.value_or(365));
  return r;
}

void RenderGetKeyRotationStatus(JsonOutput& out, const KeyPtr& key) {
  out.Bool("KeyRotationEnabled", key->rotation_enabled);
  out.String("KeyId", key->arn);
  if (key->rotation_enabled) {
    out.Int("RotationPeriodInDays", key->rotation_period_days);
    if (key->next_rotation) out.Time("NextRotationDate", *key->next_rotation);
  }
}

struct ListKeyRotationsRequest {
  std::string key_id;
  bool all_key_material = false;
  ListPage page;
};
Result<ListKeyRotationsRequest> ReadListKeyRotations(JsonInput& in) {
  ListKeyRotationsRequest r;
  r.key_id = KeyIdArg(in);
  auto include = in.Enum("IncludeKeyMaterial", false, {"ALL_KEY_MATERIAL", "ROTATIONS_ONLY"});
  r.page = PageArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.all_key_material = include && *include == "ALL_KEY_MATERIAL";
  return r;
}
struct ListKeyRotationsResponse {
  KeyPtr key;
  std::vector<const Material*> rows;               // the page; owned by `key` or `deleted`
  std::vector<std::shared_ptr<Material>> deleted;  // deleted imported materials, as rows
  std::string next_marker;
};
Result<ListKeyRotationsResponse> CallListKeyRotations(Service& s, const Caller& c,
                                                      const ListKeyRotationsRequest& r) {
  ListKeyRotationsResponse out;
  SEALSTACK_ASSIGN_OR_RETURN(out.key, s.GetKeyRotationStatus(c, r.key_id, "ListKeyRotations"));
  std::vector<const Material*> rows;
  for (const auto& m : out.key->materials) {
    if (r.all_key_material || !m->rotation_type.empty()) rows.push_back(m.get());
  }
  // Deleted imported material is listed too (ImportState PENDING_IMPORT), in its place.
  for (const auto& d : out.key->deleted_materials) {
    if (!r.all_key_material && d.rotation_type.empty()) continue;
    auto m = std::make_shared<Material>();
    m->id = d.id;
    m->seq = d.seq;
    m->created = d.created;
    m->rotation_type = d.rotation_type;
    m->description = d.description;
    m->pending_rotation = d.pending_rotation;
    m->imported = true;
    out.deleted.push_back(m);
    rows.push_back(m.get());
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Material* a, const Material* b) { return a->seq < b->seq; });
  size_t start = 0;
  if (!r.page.marker.empty()) {
    start = rows.size();
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i]->id == r.page.marker) start = i;
    }
    if (start == rows.size()) return KmsError(ErrorKind::kInvalidMarker, "Invalid marker");
  }
  for (size_t i = start; i < rows.size(); ++i) {
    if (i - start == r.page.limit) {
      out.next_marker = rows[i]->id;
      break;
    }
    out.rows.push_back(rows[i]);
  }
  return out;
}
// Imported materials: the key's current one is imported_material_id (even while deleted).
bool IsCurrent(const Key& key, const Material& m) {
  if (key.origin == Origin::kExternal) return m.id == key.imported_material_id;
  return &m == key.current();
}
void RenderListKeyRotations(JsonOutput& out, const ListKeyRotationsResponse& r) {
  out.BeginArray("Rotations");
  for (const Material* m : r.rows) {
    out.BeginObject();
    out.String("KeyId", r.key->arn);
    out.String("KeyMaterialId", m->id);
    if (!m->description.empty()) out.String("KeyMaterialDescription", m->description);
    const bool deleted = m->imported && m->bytes.empty();
    if (m->imported) out.String("ImportState", deleted ? "PENDING_IMPORT" : "IMPORTED");
    out.String("KeyMaterialState", m->pending_rotation     ? "PENDING_ROTATION"
                                   : IsCurrent(*r.key, *m) ? "CURRENT"
                                                           : "NON_CURRENT");
    out.String("ExpirationModel", m->imported && m->expiration_model != ExpirationModel::kNone
                                      ? Name(m->expiration_model)
                                      : "KEY_MATERIAL_DOES_NOT_EXPIRE");
    if (m->valid_to) out.Time("ValidTo", *m->valid_to);
    if (!m->pending_rotation) out.Time("RotationDate", m->created);
    if (!m->rotation_type.empty()) out.String("RotationType", m->rotation_type);
    out.EndObject();
  }
  out.EndArray();
  WritePageEnd(out, r.next_marker);
}

// ---- tags

struct TagResourceRequest {
  std::string key_id;
  std::map<std::string, std::string> tags;
};
Result<TagResourceRequest> ReadTagResource(JsonInput& in) {
  TagResourceRequest r;
  r.key_id = KeyIdArg(in);
  auto tags = TagsArg(in, true);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  SEALSTACK_RETURN_IF_ERROR(CheckTagList(*tags));
  for (const auto& t : *tags) r.tags[t.key] = t.value;
  return r;
}

struct UntagResourceRequest {
  std::string key_id;
  std::vector<std::string> tag_keys;
};
Result<UntagResourceRequest> ReadUntagResource(JsonInput& in) {
  UntagResourceRequest r;
  r.key_id = KeyIdArg(in);
  auto keys = in.StringList("TagKeys", true, 0, 50, 128);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.tag_keys = *keys;
  return r;
}

struct ListResourceTagsRequest {
  std::string key_id;
  ListPage page;
};
Result<ListResourceTagsRequest> ReadListResourceTags(JsonInput& in) {
  ListResourceTagsRequest r;
  r.key_id = KeyIdArg(in);
  r.page = PageArg(in);
  r.page.limit = std::min<size_t>(r.page.limit, 50);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
struct ListResourceTagsResponse {
  KeyPtr key;
  ListPage page;
};
Result<ListResourceTagsResponse> CallListResourceTags(Service& s, const Caller& c,
                                                      const ListResourceTagsRequest& r) {
  SEALSTACK_ASSIGN_OR_RETURN(KeyPtr key, s.ListResourceTags(c, r.key_id));
  return ListResourceTagsResponse{std::move(key), r.page};
}
void RenderListResourceTags(JsonOutput& out, const ListResourceTagsResponse& r) {
  out.BeginArray("Tags");
  std::string next;
  size_t n = 0;
  for (const auto& [k, v] : r.key->tags) {
    if (!r.page.marker.empty() && k < r.page.marker) continue;
    if (n++ == r.page.limit) {
      next = k;
      break;
    }
    out.BeginObject().String("TagKey", k).String("TagValue", v).EndObject();
  }
  out.EndArray();
  WritePageEnd(out, next);
}

}  // namespace

void AddManageOperations(OperationTable& table) {
  using S = Service;
  using A = AliasRequest;
  using Policy = PutKeyPolicyRequest;
  using Rotation = EnableKeyRotationRequest;
  table.insert({
      // aliases
      {"CreateAlias",
       Frame(ReadAlias<true>, MemberCall<&S::CreateAlias, &A::name, &A::target>, RenderNothing)},
      {"UpdateAlias",
       Frame(ReadAlias<true>, MemberCall<&S::UpdateAlias, &A::name, &A::target>, RenderNothing)},
      {"DeleteAlias",
       Frame(ReadAlias<false>, MemberCall<&S::DeleteAlias, &A::name>, RenderNothing)},
      {"ListAliases", Frame(ReadListAliases, CallListAliases, RenderListAliases)},
      // key policies
      {"GetKeyPolicy", Frame(ReadGetKeyPolicy, KeyCall<&S::GetKeyPolicy>, RenderGetKeyPolicy)},
      {"PutKeyPolicy", Frame(ReadPutKeyPolicy,
                             MemberCall<&S::PutKeyPolicy, &Policy::key_id, &Policy::policy,
                                        &Policy::bypass_lockout_check>,
                             RenderNothing)},
      {"ListKeyPolicies",
       Frame(ReadListKeyPolicies, KeyCall<&S::CheckKeyForPolicyList>, RenderListKeyPolicies)},
      // rotation
      {"EnableKeyRotation",
       Frame(ReadEnableKeyRotation,
             MemberCall<&S::EnableKeyRotation, &Rotation::key_id, &Rotation::period_days>,
             RenderNothing)},
      {"DisableKeyRotation", Frame(ReadKeyId, KeyCall<&S::DisableKeyRotation>, RenderNothing)},
      // GetKeyRotationStatus has a defaulted third parameter, which a member pointer cannot omit.
      {"GetKeyRotationStatus", Frame(
                                   ReadKeyId,
                                   [](S& s, const Caller& c, const KeyRequest& r) {
                                     return s.GetKeyRotationStatus(c, r.key_id);
                                   },
                                   RenderGetKeyRotationStatus)},
      {"RotateKeyOnDemand", Frame(ReadKeyId, KeyCall<&S::RotateKeyOnDemand>, RenderKeyArn)},
      {"ListKeyRotations",
       Frame(ReadListKeyRotations, CallListKeyRotations, RenderListKeyRotations)},
      // tags
      {"TagResource",
       Frame(ReadTagResource,
             MemberCall<&S::TagResource, &TagResourceRequest::key_id, &TagResourceRequest::tags>,
             RenderNothing)},
      {"UntagResource", Frame(ReadUntagResource,
                              MemberCall<&S::UntagResource, &UntagResourceRequest::key_id,
                                         &UntagResourceRequest::tag_keys>,
                              RenderNothing)},
      {"ListResourceTags",
       Frame(ReadListResourceTags, CallListResourceTags, RenderListResourceTags)},
  });
}

}  // namespace sealstack::api::kms::wire_ops
