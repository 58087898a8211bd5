// The KMS wire rows of grants, key import and usage tracking (kms_wire_ops.h).
#include <algorithm>

#include "api/kms/kms_wire_ops.h"

namespace sealstack::api::kms::wire_ops {

namespace {

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
// ---- grants

struct CreateGrantRequest {
  Service::CreateGrantRequest grant;
  bool dry_run = false;
};
Result<CreateGrantRequest> ReadCreateGrant(JsonInput& in) {
  CreateGrantRequest request;
  Service::CreateGrantRequest& r = request.grant;
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
  request.dry_run = DryRunArg(in);
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
  return request;
}
Result<Grant> CallCreateGrant(Service& s, const Caller& c, const CreateGrantRequest& r) {
  return UnlessDryRun(r.dry_run, s.CreateGrant(c, r.grant));
}
void RenderCreateGrant(JsonOutput& out, const Grant& g) {
  out.String("GrantToken", g.token);
  out.String("GrantId", g.id);
}

// ListGrants and ListRetirableGrants: grants with their keys' ARNs.
struct GrantListResponse {
  std::vector<std::pair<Grant, std::string>> grants;  // (grant, key ARN)
  std::string next_marker;
};
GrantListResponse GrantList(const Service& s, std::vector<Grant> grants, std::string next) {
  GrantListResponse out;
  for (auto& g : grants) {
    std::string arn = s.KeyArnOf(g.key_id);
    out.grants.emplace_back(std::move(g), std::move(arn));
  }
  out.next_marker = std::move(next);
  return out;
}
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
void RenderGrantList(JsonOutput& out, const GrantListResponse& r) {
  out.BeginArray("Grants");
  for (const auto& [g, arn] : r.grants) WriteGrant(out, g, arn);
  out.EndArray();
  WritePageEnd(out, r.next_marker);
}

struct ListGrantsRequest {
  ListPage page;
  std::string key_id;
  std::string grant_id;
  std::string grantee;
};
Result<ListGrantsRequest> ReadListGrants(JsonInput& in) {
  ListGrantsRequest r;
  r.page = PageArg(in);
  r.key_id = KeyIdArg(in);
  r.grant_id = in.String("GrantId", false, 1, 128).value_or("");
  r.grantee = in.String("GranteePrincipal", false, 1, 256).value_or("");
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
Result<GrantListResponse> CallListGrants(Service& s, const Caller& c, const ListGrantsRequest& r) {
  std::string next;
  SEALSTACK_ASSIGN_OR_RETURN(auto grants,
                             s.ListGrants(c, r.key_id, r.grant_id, r.grantee, r.page, &next));
  return GrantList(s, std::move(grants), std::move(next));
}

struct ListRetirableGrantsRequest {
  ListPage page;
  std::string retiring;
};
Result<ListRetirableGrantsRequest> ReadListRetirableGrants(JsonInput& in) {
  ListRetirableGrantsRequest r;
  r.page = PageArg(in);
  r.retiring = in.String("RetiringPrincipal", true, 1, 256).value_or("");
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
Result<GrantListResponse> CallListRetirableGrants(Service& s, const Caller& c,
                                                  const ListRetirableGrantsRequest& r) {
  std::string next;
  SEALSTACK_ASSIGN_OR_RETURN(auto grants, s.ListRetirableGrants(c, r.retiring, r.page, &next));
  return GrantList(s, std::move(grants), std::move(next));
}

// RetireGrant and RevokeGrant.
struct RemoveGrantRequest {
  std::string token;  // RetireGrant only
  std::string key_id;
  std::string grant_id;
  bool dry_run = false;
};
Result<RemoveGrantRequest> ReadRetireGrant(JsonInput& in) {
  RemoveGrantRequest r;
  r.token = in.String("GrantToken", false, 1, 8192).value_or("");
  r.key_id = KeyIdArg(in, false);
  r.grant_id = in.String("GrantId", false, 1, 128).value_or("");
  r.dry_run = DryRunArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  if (r.token.empty() && (r.key_id.empty() || r.grant_id.empty())) {
    return KmsError(ErrorKind::kValidation,
                    "Either GrantToken or both KeyId and GrantId must be specified.");
  }
  return r;
}
Result<RemoveGrantRequest> ReadRevokeGrant(JsonInput& in) {
  RemoveGrantRequest r;
  r.key_id = KeyIdArg(in);
  r.grant_id = in.String("GrantId", true, 1, 128).value_or("");
  r.dry_run = DryRunArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
// Both answer a DryRun before they look the grant up.
Result<NoContent> CallRetireGrant(Service& s, const Caller& c, const RemoveGrantRequest& r) {
  if (r.dry_run) return DryRun();
  return Done(s.RetireGrant(c, r.token, r.key_id, r.grant_id));
}
Result<NoContent> CallRevokeGrant(Service& s, const Caller& c, const RemoveGrantRequest& r) {
  if (r.dry_run) return DryRun();
  return Done(s.RevokeGrant(c, r.key_id, r.grant_id));
}

// ---- import

struct GetParametersForImportRequest {
  std::string key_id;
  std::string algorithm;
  std::string spec;
};
Result<GetParametersForImportRequest> ReadGetParametersForImport(JsonInput& in) {
  GetParametersForImportRequest r;
  r.key_id = KeyIdArg(in);
  auto alg = in.Enum("WrappingAlgorithm", true,
                     {"RSAES_PKCS1_V1_5", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256",
                      "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE"});
  auto spec = in.Enum("WrappingKeySpec", true, {"RSA_2048", "RSA_3072", "RSA_4096", "SM2"});
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.algorithm = *alg;
  r.spec = *spec;
  return r;
}
void RenderGetParametersForImport(JsonOutput& out, const Service::ImportParametersResult& r) {
  out.String("KeyId", r.key_arn);
  out.Blob("ImportToken", r.import_token);
  out.Blob("PublicKey", r.public_key);
  out.Time("ParametersValidTo", r.valid_to);
}

struct ImportKeyMaterialRequest {
  std::string key_id;
  std::string token;
  std::string material;
  std::optional<SystemTime> valid_to;
  ExpirationModel model = ExpirationModel::kNone;
  Service::ImportOptions options;
};
Result<ImportKeyMaterialRequest> ReadImportKeyMaterial(JsonInput& in) {
  ImportKeyMaterialRequest r;
  r.key_id = KeyIdArg(in);
  auto token = in.Blob("ImportToken", true, 1, 6144);
  auto material = in.Blob("EncryptedKeyMaterial", true, 1, 6144);
  r.valid_to = in.Timestamp("ValidTo");
  auto model =
      in.Enum("ExpirationModel", false, {"KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"});
  auto import_type = in.Enum("ImportType", false, {"NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"});
  r.options.description = in.String("KeyMaterialDescription", false, 0, 256);
  r.options.material_id = in.String("KeyMaterialId", false, 64, 64);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  r.token = *token;
  r.material = *material;
  // "The default is KEY_MATERIAL_EXPIRES" (ImportKeyMaterial, ExpirationModel).
  r.model = model ? *ParseExpirationModel(*model) : ExpirationModel::kExpires;
  if (import_type) r.options.new_key_material = *import_type == "NEW_KEY_MATERIAL";
  if (r.options.material_id && r.options.new_key_material.value_or(false)) {
    return KmsError(ErrorKind::kValidation,
                    "KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.");
  }
  return r;
}
struct ImportKeyMaterialResponse {
  KeyPtr key;
  std::string material_id;
};
Result<ImportKeyMaterialResponse> CallImportKeyMaterial(Service& s, const Caller& c,
                                                        const ImportKeyMaterialRequest& r) {
  ImportKeyMaterialResponse out;
  SEALSTACK_ASSIGN_OR_RETURN(
      out.key, s.ImportKeyMaterial(c, r.key_id, r.token, r.material, r.valid_to, r.model, r.options,
                                   &out.material_id));
  return out;
}
void RenderImportKeyMaterial(JsonOutput& out, const ImportKeyMaterialResponse& r) {
  out.String("KeyId", r.key->arn);
  if (!r.material_id.empty()) out.String("KeyMaterialId", r.material_id);
}

struct DeleteImportedKeyMaterialRequest {
  std::string key_id;
  std::optional<std::string> material_id;
};
Result<DeleteImportedKeyMaterialRequest> ReadDeleteImportedKeyMaterial(JsonInput& in) {
  DeleteImportedKeyMaterialRequest r{KeyIdArg(in), {}};
  r.material_id = in.String("KeyMaterialId", false, 64, 64);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
Result<ImportKeyMaterialResponse> CallDeleteImportedKeyMaterial(
    Service& s, const Caller& c, const DeleteImportedKeyMaterialRequest& r) {
  ImportKeyMaterialResponse out;
  SEALSTACK_ASSIGN_OR_RETURN(
      out.key, s.DeleteImportedKeyMaterial(c, r.key_id, r.material_id, &out.material_id));
  return out;
}

// ---- usage tracking

struct KeyLastUsageResponse {
  KeyPtr key;
  std::optional<Service::LastUsage> usage;
  SystemTime tracking_start;
};
Result<KeyLastUsageResponse> CallGetKeyLastUsage(Service& s, const Caller& c, const KeyRequest& r) {
  KeyLastUsageResponse out;
  SEALSTACK_ASSIGN_OR_RETURN(out.key, s.GetKeyLastUsage(c, r.key_id, &out.usage));
  out.tracking_start = std::max(s.tracking_start(), out.key->created);
  return out;
}
void RenderGetKeyLastUsage(JsonOutput& out, const KeyLastUsageResponse& r) {
  out.String("KeyId", r.key->arn);
  if (r.usage) {
    out.BeginObject("KeyLastUsage");
    out.String("Operation", r.usage->operation);
    out.Time("Timestamp", r.usage->when);
    out.EndObject();
  }
  out.Time("TrackingStartDate", r.tracking_start);
  out.Time("KeyCreationDate", r.key->created);
}

}  // namespace

void AddGrantOperations(OperationTable& table) {
  using Import = GetParametersForImportRequest;
  table.insert({
      // grants
      {"CreateGrant", Frame(ReadCreateGrant, CallCreateGrant, RenderCreateGrant)},
      {"ListGrants", Frame(ReadListGrants, CallListGrants, RenderGrantList)},
      {"ListRetirableGrants",
       Frame(ReadListRetirableGrants, CallListRetirableGrants, RenderGrantList)},
      {"RetireGrant", Frame(ReadRetireGrant, CallRetireGrant, RenderNothing)},
      {"RevokeGrant", Frame(ReadRevokeGrant, CallRevokeGrant, RenderNothing)},
      // import
      {"GetParametersForImport", Frame(ReadGetParametersForImport,
                                       MemberCall<&Service::GetParametersForImport, &Import::key_id,
                                                  &Import::algorithm, &Import::spec>,
                                       RenderGetParametersForImport)},
      {"ImportKeyMaterial",
       Frame(ReadImportKeyMaterial, CallImportKeyMaterial, RenderImportKeyMaterial)},
      {"DeleteImportedKeyMaterial", Frame(ReadDeleteImportedKeyMaterial,
                                          CallDeleteImportedKeyMaterial, RenderImportKeyMaterial)},
      // usage tracking
      {"GetKeyLastUsage", Frame(ReadKeyId, CallGetKeyLastUsage, RenderGetKeyLastUsage)},
  });
}

}  // namespace sealstack::api::kms::wire_ops
