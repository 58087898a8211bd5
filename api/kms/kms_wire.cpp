// The KMS wire edge: the operation table (kms_wire_ops.h and its row files), the members and
// renderers the operations share, and the mapping of KMS errors to the wire.
#include "api/kms/kms_wire.h"

#include <set>

#include "api/kms/kms_wire_ops.h"

namespace sealstack::api::kms {

namespace wire_ops {

Result<NoContent> Done(Status status) {
  if (!status.ok()) return status;
  return NoContent{};
}

Status DryRun() {
  return KmsError(ErrorKind::kDryRun,
                  "The request would have succeeded, but the DryRun option is set.");
}

Status RecipientUnsupported(JsonInput& in) {
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return KmsError(ErrorKind::kUnsupportedOperation,
                  "Recipient (Nitro Enclaves attestation) is not supported by SealStack.");
}

std::string KeyIdArg(JsonInput& in, bool required) {
  return in.String("KeyId", required, 1, kMaxKeyId).value_or("");
}

EncryptionContext ContextArg(JsonInput& in, std::string_view name) {
  auto m = in.StringMap(name);
  return m ? EncryptionContext(m->begin(), m->end()) : EncryptionContext();
}

std::vector<std::string> GrantTokensArg(JsonInput& in) {
  return in.StringList("GrantTokens", false, 0, 10, 8192).value_or(std::vector<std::string>());
}

bool DryRunArg(JsonInput& in) {
  return in.Bool("DryRun").value_or(false);
}

std::optional<std::vector<Tag>> TagsArg(JsonInput& in, bool required) {
  auto tags = in.Tags("Tags", required);
  if (!tags) return tags;
  // TagKeyType is 1..128 characters, TagValueType 0..256 (service model); AWS echoes the whole
  // value.
  for (size_t i = 0; i < tags->size(); ++i) {
    const Tag& t = (*tags)[i];
    const std::string entry = "tags." + std::to_string(i + 1) + ".member.";
    if (t.key.empty()) {
      in.AddConstraintError(entry + "tagKey", "''",
                            "Member must have length greater than or equal to 1");
    } else if (t.key.size() > 128) {
      in.AddConstraintError(entry + "tagKey", "'" + t.key + "'",
                            "Member must have length less than or equal to 128");
    }
    if (t.value.size() > 256) {
      in.AddConstraintError(entry + "tagValue", "'" + t.value + "'",
                            "Member must have length less than or equal to 256");
    }
  }
  return tags;
}

Status CheckTagList(const std::vector<Tag>& tags) {
  if (tags.size() > kMaxTagsPerKey) return KmsError(ErrorKind::kTag, "Too many tags");
  std::set<std::string_view> seen;
  for (const auto& t : tags) {
    if (!seen.insert(t.key).second) return KmsError(ErrorKind::kTag, "Duplicate tag keys");
  }
  for (const auto& t : tags) {
    if (IsReservedTagKey(t.key)) {
      return KmsError(ErrorKind::kTag, "Tags beginning with aws: are reserved");
    }
  }
  return Status::Ok();
}

ListPage PageArg(JsonInput& in) {
  ListPage p;
  p.limit = static_cast<size_t>(in.Integer("Limit", false, 1, 1000).value_or(100));
  p.marker = in.String("Marker", false, 1, 320).value_or("");
  return p;
}

Result<KeyRequest> ReadKeyId(JsonInput& in) {
  KeyRequest r{KeyIdArg(in)};
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
}
Result<KeyRequest> ReadKeyIdWithGrantTokens(JsonInput& in) {
  KeyRequest r{KeyIdArg(in)};
  GrantTokensArg(in);
  SEALSTACK_RETURN_IF_ERROR(in.Finish());
  return r;
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

void RenderKeyArn(JsonOutput& out, const KeyPtr& key) {
  out.String("KeyId", key->arn);
}

}  // namespace wire_ops

namespace {

const wire_ops::OperationTable& Operations() {
  static const wire_ops::OperationTable kTable = [] {
    wire_ops::OperationTable table;
    wire_ops::AddKeyOperations(table);
    wire_ops::AddCryptoOperations(table);
    wire_ops::AddManageOperations(table);
    wire_ops::AddGrantOperations(table);
    return table;
  }();
  return kTable;
}

}  // namespace

bool IsKnownOperation(std::string_view operation) {
  return Operations().count(operation) > 0;
}

WireError KmsStatusToWire(const Status& status) {
  auto d = DescribeKmsError(status);
  if (!d) return StatusToWire(status, Protocol::kJson);
  WireError wire;
  wire.http_status = d->http_status;
  wire.code = std::string(d->code);
  wire.message = std::move(d->message);
  wire.server_fault = d->server_fault;
  return wire;
}

namespace {
ApiResponse UnknownOperation(std::string_view operation, const RequestIds& ids) {
  return RenderError(Protocol::kJson,
                     {.http_status = 400,
                      .code = "UnknownOperationException",
                      .message = "The operation TrentService." + std::string(operation) +
                                 " is not supported by SealStack."},
                     ids);
}
}  // namespace

ApiResponse HandleKmsRequest(Service& service, const Caller& caller, std::string_view operation,
                             std::string_view body, const RequestIds& ids) {
  if (!IsKnownOperation(operation)) return UnknownOperation(operation, ids);
  return HandleKmsRequest(service, caller, operation, JsonInput::Parse(body), ids);
}

ApiResponse HandleKmsRequest(Service& service, const Caller& caller, std::string_view operation,
                             Result<JsonInput> in, const RequestIds& ids) {
  auto it = Operations().find(operation);
  if (it == Operations().end()) return UnknownOperation(operation, ids);
  Result<std::string> result =
      in.ok() ? it->second(service, caller, *in) : Result<std::string>(in.status());
  if (!result.ok()) return RenderError(Protocol::kJson, KmsStatusToWire(result.status()), ids);
  return JsonResponse(std::move(*result), ids);
}

}  // namespace sealstack::api::kms
