// The KMS key-state table (key_state.h): every OperationClass against every KeyState, with the
// AWS error each forbidden pair produces on the wire and its exact message.
#include <catch2/catch.hpp>

#include <iterator>
#include <set>
#include <string>
#include <utility>

#include "api/kms/key_state.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_wire.h"

using namespace sealstack;
using api::kms::CheckKeyState;
using api::kms::KeyState;
using api::kms::OperationClass;

namespace {

constexpr const char* kArn =
    "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";

// Switches without `default`: -Wswitch (in -Wall) flags a new enumerator that these tables
// forget, so "every kind" stays every kind.
constexpr int Index(OperationClass op) {
  switch (op) {
    case OperationClass::kCryptographic:
      return 0;
    case OperationClass::kEnableDisable:
      return 1;
    case OperationClass::kScheduleDeletion:
      return 2;
    case OperationClass::kCancelDeletion:
      return 3;
    case OperationClass::kRotation:
      return 4;
    case OperationClass::kManage:
      return 5;
    case OperationClass::kAnyState:
      return 6;
  }
  return -1;
}
constexpr int kOperationClasses = 7;

constexpr int Index(KeyState s) {
  switch (s) {
    case KeyState::kEnabled:
      return 0;
    case KeyState::kDisabled:
      return 1;
    case KeyState::kPendingDeletion:
      return 2;
    case KeyState::kPendingImport:
      return 3;
    case KeyState::kPendingReplicaDeletion:
      return 4;
  }
  return -1;
}
constexpr int kKeyStates = 5;

enum class Want {
  kOk,
  kDisabled,
  kPendingDeletion,
  kPendingImport,
  kNotPendingDeletion,
  kPendingReplicaDeletion,
};

struct Expected {
  const char* code;  // "" for OK
  std::string message;
};

Expected ExpectedFor(Want w) {
  const std::string arn = kArn;
  switch (w) {
    case Want::kOk:
      return {"", ""};
    case Want::kDisabled:
      return {"DisabledException", arn + " is disabled."};
    case Want::kPendingDeletion:
      return {"KMSInvalidStateException", arn + " is pending deletion."};
    case Want::kPendingImport:
      return {"KMSInvalidStateException", arn + " is pending import."};
    case Want::kNotPendingDeletion:
      return {"KMSInvalidStateException", arn + " is not pending deletion."};
    case Want::kPendingReplicaDeletion:
      return {"KMSInvalidStateException", arn + " is pending replica deletion."};
  }
  return {"?", "?"};
}

const char* OpName(OperationClass op) {
  static const char* const kNames[] = {"Cryptographic",  "EnableDisable", "ScheduleDeletion",
                                       "CancelDeletion", "Rotation",      "Manage",
                                       "AnyState"};
  return kNames[Index(op)];
}

}  // namespace

TEST_CASE("CheckKeyState walks every operation class in every key state", "[kms][key_state]") {
  using O = OperationClass;
  using S = KeyState;
  struct Row {
    O op;
    S state;
    Want want;
  } rows[] = {
      // Encrypt, Decrypt, GenerateDataKey*, Sign, Verify, *Mac, ReEncrypt, CreateGrant, ...
      {O::kCryptographic, S::kEnabled, Want::kOk},
      {O::kCryptographic, S::kDisabled, Want::kDisabled},
      {O::kCryptographic, S::kPendingDeletion, Want::kPendingDeletion},
      {O::kCryptographic, S::kPendingImport, Want::kPendingImport},
      {O::kCryptographic, S::kPendingReplicaDeletion, Want::kPendingReplicaDeletion},
      // EnableKey, DisableKey
      {O::kEnableDisable, S::kEnabled, Want::kOk},
      {O::kEnableDisable, S::kDisabled, Want::kOk},
      {O::kEnableDisable, S::kPendingDeletion, Want::kPendingDeletion},
      {O::kEnableDisable, S::kPendingImport, Want::kPendingImport},
      {O::kEnableDisable, S::kPendingReplicaDeletion, Want::kPendingReplicaDeletion},
      // ScheduleKeyDeletion
      {O::kScheduleDeletion, S::kEnabled, Want::kOk},
      {O::kScheduleDeletion, S::kDisabled, Want::kOk},
      {O::kScheduleDeletion, S::kPendingDeletion, Want::kPendingDeletion},
      {O::kScheduleDeletion, S::kPendingImport, Want::kOk},
      {O::kScheduleDeletion, S::kPendingReplicaDeletion, Want::kPendingReplicaDeletion},
      // CancelKeyDeletion
      {O::kCancelDeletion, S::kEnabled, Want::kNotPendingDeletion},
      {O::kCancelDeletion, S::kDisabled, Want::kNotPendingDeletion},
      {O::kCancelDeletion, S::kPendingDeletion, Want::kOk},
      {O::kCancelDeletion, S::kPendingImport, Want::kNotPendingDeletion},
      {O::kCancelDeletion, S::kPendingReplicaDeletion, Want::kOk},
      // Enable/DisableKeyRotation, RotateKeyOnDemand
      {O::kRotation, S::kEnabled, Want::kOk},
      {O::kRotation, S::kDisabled, Want::kDisabled},
      {O::kRotation, S::kPendingDeletion, Want::kPendingDeletion},
      {O::kRotation, S::kPendingImport, Want::kPendingImport},
      {O::kRotation, S::kPendingReplicaDeletion, Want::kPendingReplicaDeletion},
      // CreateAlias target, Tag/Untag, UpdateKeyDescription, import operations
      {O::kManage, S::kEnabled, Want::kOk},
      {O::kManage, S::kDisabled, Want::kOk},
      {O::kManage, S::kPendingDeletion, Want::kPendingDeletion},
      {O::kManage, S::kPendingImport, Want::kOk},
      {O::kManage, S::kPendingReplicaDeletion, Want::kPendingReplicaDeletion},
      // DescribeKey, Get/PutKeyPolicy, List*, GetKeyRotationStatus, DeleteAlias, Retire/Revoke
      {O::kAnyState, S::kEnabled, Want::kOk},
      {O::kAnyState, S::kDisabled, Want::kOk},
      {O::kAnyState, S::kPendingDeletion, Want::kOk},
      {O::kAnyState, S::kPendingImport, Want::kOk},
      {O::kAnyState, S::kPendingReplicaDeletion, Want::kOk},
  };

  // The table is the full cross product, each pair exactly once.
  std::set<std::pair<int, int>> seen;
  for (const auto& row : rows) seen.insert({Index(row.op), Index(row.state)});
  REQUIRE(seen.size() == static_cast<size_t>(kOperationClasses * kKeyStates));
  REQUIRE(std::size(rows) == static_cast<size_t>(kOperationClasses * kKeyStates));

  for (const auto& row : rows) {
    INFO(OpName(row.op) << " x " << api::kms::Name(row.state));
    const Expected want = ExpectedFor(row.want);
    Status st = CheckKeyState(row.op, row.state, kArn);
    if (row.want == Want::kOk) {
      CHECK(st.ok());
      continue;
    }
    REQUIRE_FALSE(st.ok());
    CHECK(st.code() == StatusCode::kFailedPrecondition);
    CHECK(st.message() == want.message);
    api::WireError wire = api::kms::KmsStatusToWire(st);
    CHECK(wire.code == want.code);
    CHECK(wire.http_status == 400);
    CHECK(wire.message == want.message);
    CHECK_FALSE(wire.server_fault);
  }
}

TEST_CASE("CheckKeyState names the key it was given in its message", "[kms][key_state]") {
  // The message carries whatever ARN the caller passed: an alias-resolved key still reports
  // its key ARN, never the alias.
  const char* arns[] = {"arn:aws:kms:eu-west-1:111122223333:key/k", "x", ""};
  for (const char* arn : arns) {
    INFO(arn);
    CHECK(CheckKeyState(OperationClass::kCryptographic, KeyState::kDisabled, arn).message() ==
          std::string(arn) + " is disabled.");
    CHECK(CheckKeyState(OperationClass::kCancelDeletion, KeyState::kEnabled, arn).message() ==
          std::string(arn) + " is not pending deletion.");
  }
}
