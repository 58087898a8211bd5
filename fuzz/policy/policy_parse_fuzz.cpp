// libFuzzer target: ParsePolicy on arbitrary bytes, then Evaluate every accepted document
// against a few fixed callers (exercises globs, conditions and variables on hostile input).
//
// Build and run (from the repo root): scripts/fuzz 300 policy
// (builds build-fuzz/fuzz/fuzz_policy with clang++-14 and ASan/UBSan; new inputs go to
// build-fuzz/corpus/policy, the checked-in seeds in fuzz/policy/corpus stay read-only)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/evaluate.h"

using namespace sealstack::policy;

namespace {

RequestContext MakeContext(PrincipalKind kind) {
  RequestContext c;
  c.principal_kind = kind;
  c.principal_account = "111122223333";
  c.resource_account = "111122223333";
  switch (kind) {
    case PrincipalKind::kAccountRoot:
      c.principal_arn = "arn:aws:iam::111122223333:root";
      break;
    case PrincipalKind::kAssumedRole:
      c.principal_arn = "arn:aws:sts::111122223333:assumed-role/App/s";
      c.role_arn = "arn:aws:iam::111122223333:role/App";
      break;
    default:
      c.principal_arn = "arn:aws:iam::111122223333:user/alice";
      break;
  }
  c.action = "kms:GenerateDataKey";
  c.resource = "arn:aws:kms:us-east-1:111122223333:key/k";
  AddPrincipalConditionKeys(&c);
  c.Set("kms:ViaService", "s3.us-east-1.amazonaws.com");
  c.Set("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::b/k");
  c.Add("kms:EncryptionContextKeys", "aws:s3:arn");
  c.Add("kms:EncryptionContextKeys", "x");
  c.Set("aws:SourceIp", "10.1.2.3");
  c.Set("aws:CurrentTime", "2025-01-01T00:00:00Z");
  c.Set("aws:SecureTransport", "true");
  c.Set("s3:max-keys", "10");
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const RequestContext kCallers[] = {MakeContext(PrincipalKind::kAccountRoot),
                                            MakeContext(PrincipalKind::kUser),
                                            MakeContext(PrincipalKind::kAssumedRole)};
  std::string_view json(reinterpret_cast<const char*>(data), size);
  for (PolicyKind kind : {PolicyKind::kResource, PolicyKind::kIdentity}) {
    auto doc = ParsePolicy(json, kind);
    if (!doc.ok()) continue;
    for (const RequestContext& c : kCallers) {
      (void)Evaluate(*doc, c);
      const PolicyDocument* docs[] = {&*doc};
      if (kind == PolicyKind::kResource) (void)DecideKms(*doc, {}, c, false);
      if (kind == PolicyKind::kIdentity) (void)EvaluateSet(docs, c);
    }
  }
  return 0;
}
