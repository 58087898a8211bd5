// libFuzzer target: awsJson1_1 request bodies through JsonInput (api/common/json_input.h), read
// the way the KMS and Glue handlers read them: every accessor kind, nested objects, and
// Finish() (which renders the ValidationException message). Seeds are real KMS/Glue bodies.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/common/json_input.h"

using namespace sealstack::api;

namespace {

void ReadMembers(JsonInput& in, int depth) {
  (void)in.Has("KeyId");
  (void)in.String("KeyId", true, 1, 2048);
  (void)in.String("Description", false, 0, 8192);
  (void)in.Enum("KeySpec", false, {"SYMMETRIC_DEFAULT", "RSA_2048", "ECC_NIST_P256", "HMAC_256"});
  (void)in.Enum("KeyUsage", false, {"ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"});
  (void)in.Blob("Plaintext", false, 1, 4096);
  (void)in.Blob("CiphertextBlob", false, 1, 6144);
  (void)in.Integer("NumberOfBytes", false, 1, 1024);
  (void)in.Integer("PendingWindowInDays", false, 7, 30);
  (void)in.Bool("BypassPolicyLockoutSafetyCheck");
  (void)in.Timestamp("ValidTo");
  (void)in.StringMap("EncryptionContext");
  (void)in.StringList("GrantTokens", false, 0, 10, 8192);
  (void)in.Tags("Tags", false);
  // Glue shapes: nested objects.
  (void)in.String("Name", false, 1, 255);
  (void)in.String("DatabaseName", false, 1, 255);
  (void)in.StringMap("Parameters");
  if (depth < 3) {
    for (std::string_view member :
         {"TableInput", "StorageDescriptor", "Constraints", "DatabaseInput", "SerdeInfo"}) {
      if (auto nested = in.Object(member)) ReadMembers(*nested, depth + 1);
    }
  }
  // The same member through another accessor: type errors must be reported, not crash.
  (void)in.Integer("KeyId", false, 0, 10);
  (void)in.StringMap("Plaintext");
  in.AddConstraintError("KeyId", "x", "Member must satisfy regular expression pattern: .*");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto in = JsonInput::Parse(body);
  if (!in.ok()) return 0;
  ReadMembers(*in, 0);
  (void)in->Finish();
  return 0;
}
