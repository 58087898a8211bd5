#include "api/kms/kms_audit.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <unordered_set>

#include "api/kms/kms_wire.h"
#include "audit/request_json.h"
#include "common/strings.h"

namespace sealstack::api::kms {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Request members CloudTrail never logs: plaintexts, ciphertexts, key material, import tokens,
// messages, signatures, MACs, peer public keys, attestation documents.
bool IsSecretMember(std::string_view name) {
  static const std::unordered_set<std::string_view> kSecret = {
      "Plaintext",   "CiphertextBlob", "EncryptedKeyMaterial",
      "ImportToken", "Message",        "Signature",
      "Mac",         "PublicKey",      "Recipient"};
  return kSecret.count(name) > 0;
}

// Maps whose keys are the caller's own (encryption contexts): copied verbatim.
bool IsVerbatimMap(std::string_view name) {
  return name == "EncryptionContext" || name == "SourceEncryptionContext" ||
         name == "DestinationEncryptionContext" || name == "EncryptionContextEquals" ||
         name == "EncryptionContextSubset";
}

std::string AccountOfArn(std::string_view arn) {
  auto parts = Split(arn, ':');
  return parts.size() > 4 ? std::string(parts[4]) : std::string();
}

audit::Event BaseEvent(const Caller& c, std::string_view operation) {
  audit::Event e;
  e.principal = c.principal;
  e.event_source = std::string(audit::kKmsEventSource);
  e.event_name = std::string(operation);
  e.region = c.region;
  e.read_only = IsReadOnlyOperation(operation);
  if (!c.via_service.empty()) {
    e.invoked_by = InvokedByOf(c.via_service);
  } else {
    e.source_ip = c.source_ip;
    e.user_agent = c.user_agent;
  }
  return e;
}

void AddResources(audit::Event* e, const std::vector<std::string>& arns) {
  for (const auto& arn : arns) {
    bool seen = false;
    for (const auto& r : e->resources) seen = seen || r.arn == arn;
    if (!seen && !arn.empty()) {
      e->resources.push_back({arn, AccountOfArn(arn), std::string(audit::kKmsKeyType)});
    }
  }
}

}  // namespace

bool IsReadOnlyOperation(std::string_view op) {
  // The operations that use a key change nothing; nor does GenerateRandom, nor any Describe*,
  // Get* or List* (GetPublicKey, GetParametersForImport).
  const std::vector<std::string>& uses = KeyUsageOperations();
  return std::find(uses.begin(), uses.end(), op) != uses.end() || op == "GenerateRandom" ||
         StartsWith(op, "Describe") || StartsWith(op, "Get") || StartsWith(op, "List");
}

const std::vector<std::string>& KeyUsageOperations() {
  static const std::vector<std::string> kOps = {"Encrypt",
                                                "Decrypt",
                                                "ReEncrypt",
                                                "GenerateDataKey",
                                                "GenerateDataKeyWithoutPlaintext",
                                                "GenerateDataKeyPair",
                                                "GenerateDataKeyPairWithoutPlaintext",
                                                "Sign",
                                                "Verify",
                                                "GetPublicKey",
                                                "GenerateMac",
                                                "VerifyMac",
                                                "DeriveSharedSecret"};
  return kOps;
}

std::string InvokedByOf(std::string_view via_service) {
  // "s3.us-east-1.amazonaws.com" -> "s3.amazonaws.com"
  size_t dot = via_service.find('.');
  if (dot == std::string_view::npos) return std::string(via_service);
  std::string out(via_service.substr(0, dot));
  out += ".amazonaws.com";
  return out;
}

std::string KmsRequestParameters(std::string_view operation, const rapidjson::Value& d) {
  if (!d.IsObject()) return "";
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  for (const auto& m : d.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (IsSecretMember(name)) continue;
    std::string key = audit::LowerCamel(name);
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    audit::WriteLowerCamel(w, m.value, {.is_verbatim_map = IsVerbatimMap}, IsVerbatimMap(name));
  }
  // CloudTrail always names the algorithm of these, defaulted or not.
  auto add_default = [&](const char* member, const char* camel) {
    if (!d.HasMember(member)) {
      w.Key(camel);
      w.String("SYMMETRIC_DEFAULT");
    }
  };
  if (operation == "Encrypt" || operation == "Decrypt") {
    add_default("EncryptionAlgorithm", "encryptionAlgorithm");
  } else if (operation == "ReEncrypt") {
    add_default("SourceEncryptionAlgorithm", "sourceEncryptionAlgorithm");
    add_default("DestinationEncryptionAlgorithm", "destinationEncryptionAlgorithm");
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

ApiResponse HandleKmsRequestAudited(Service& service, audit::Recorder* recorder,
                                    const Caller& caller, std::string_view operation,
                                    std::string_view body, const RequestIds& ids) {
  if (recorder == nullptr || !IsKnownOperation(operation)) {
    return HandleKmsRequest(service, caller, operation, body, ids);
  }
  std::vector<std::string> arns;
  Caller audited = caller;
  audited.audit_key_arns = &arns;
  audit::Event event = BaseEvent(caller, operation);
  event.request_id = ids.request_id;
  // Parsed once, for the record and the call.
  Result<JsonInput> parsed = JsonInput::Parse(body);
  if (parsed.ok()) event.request_parameters = KmsRequestParameters(operation, parsed->raw());
  // A mutation writes its record in its own transaction, as a success.
  const AuditTransactionHook hook = [&](storage::Connection& conn,
                                        const std::string& key_arn) -> Status {
    audit::Event e = event;
    AddResources(&e, arns);
    AddResources(&e, {key_arn});
    return recorder->RecordIn(conn, std::move(e));
  };
  ApiResponse response;
  bool recorded = false;
  {
    ScopedAuditHook scope(event.read_only ? nullptr : &hook);
    response = HandleKmsRequest(service, audited, operation, std::move(parsed), ids);
    recorded = scope.ran();
  }
  if (recorded) return response;
  AddResources(&event, arns);
  if (response.status >= 300) {
    rapidjson::Document d;
    d.Parse(response.body.data(), response.body.size());
    if (!d.HasParseError() && d.IsObject()) {
      auto type = d.FindMember("__type");
      auto message = d.FindMember("message");
      if (type != d.MemberEnd() && type->value.IsString()) {
        event.error_code = type->value.GetString();
      }
      if (message != d.MemberEnd() && message->value.IsString()) {
        event.error_message = message->value.GetString();
      }
    }
    if (event.error_code.empty()) event.error_code = "InternalFailure";
  }
  recorder->Record(std::move(event));
  return response;
}

void RecordServiceKmsCall(audit::Recorder& recorder, const Caller& caller,
                          std::string_view operation, std::string request_parameters,
                          const std::vector<std::string>& key_arns, const Status& outcome,
                          std::string_view request_id, std::string_view invoked_by) {
  audit::Event e = BaseEvent(caller, operation);
  if (!invoked_by.empty()) e.invoked_by = std::string(invoked_by);
  e.request_parameters = std::move(request_parameters);
  e.request_id = std::string(request_id);
  AddResources(&e, key_arns);
  if (!outcome.ok()) {
    WireError wire = KmsStatusToWire(outcome);
    e.error_code = wire.code;
    e.error_message = wire.message;
  }
  recorder.Record(std::move(e));
}

template <typename Call, typename Params>
Result<CryptoResult> ServiceKmsClient::Recorded(const Caller& caller, std::string_view operation,
                                                std::string_view request_id, Call call,
                                                Params params) const {
  std::vector<std::string> arns;
  Caller c = caller;
  c.audit_key_arns = &arns;
  Result<CryptoResult> r = call(c);
  if (recorder_ != nullptr) {
    RecordServiceKmsCall(*recorder_, c, operation, params(), arns, r.status(), request_id,
                         invoked_by_);
  }
  return r;
}

Result<CryptoResult> ServiceKmsClient::GenerateDataKey(
    const Caller& caller, std::string_view key_id, size_t bytes, const EncryptionContext& context,
    bool with_plaintext, std::string_view request_id, std::string_view logged_key_id) const {
  return Recorded(
      caller, with_plaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext", request_id,
      [&](const Caller& c) {
        return kms_->GenerateDataKey(c, key_id, bytes, context, with_plaintext);
      },
      [&] {
        audit::ParamsBuilder params;
        params.String("keyId", logged_key_id.empty() ? key_id : logged_key_id);
        if (bytes == 32 || bytes == 16) {
          params.String("keySpec", bytes == 32 ? "AES_256" : "AES_128");
        } else {
          params.Int("numberOfBytes", static_cast<int64_t>(bytes));
        }
        params.Map("encryptionContext", {context.begin(), context.end()});
        return params.Build();
      });
}

Result<CryptoResult> ServiceKmsClient::Decrypt(const Caller& caller, std::string_view key_id,
                                               std::string_view ciphertext,
                                               const EncryptionContext& context,
                                               std::string_view request_id) const {
  return Recorded(
      caller, "Decrypt", request_id,
      [&](const Caller& c) { return kms_->Decrypt(c, key_id, ciphertext, context, ""); },
      [&] {
        audit::ParamsBuilder params;
        if (!key_id.empty()) params.String("keyId", key_id);
        params.String("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
            .Map("encryptionContext", {context.begin(), context.end()});
        return params.Build();
      });
}

Result<CryptoResult> ServiceKmsClient::Encrypt(const Caller& caller, std::string_view key_id,
                                               const crypto::SecretBytes& plaintext,
                                               const EncryptionContext& context,
                                               std::string_view request_id) const {
  return Recorded(
      caller, "Encrypt", request_id,
      [&](const Caller& c) {
        return kms_->Encrypt(c, key_id, plaintext, context, "SYMMETRIC_DEFAULT");
      },
      [&] {
        return audit::ParamsBuilder()
            .String("keyId", key_id)
            .String("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
            .Map("encryptionContext", {context.begin(), context.end()})
            .Build();
      });
}

}  // namespace sealstack::api::kms
