#include "api/kms/key_state.h"

#include <string>

#include "api/kms/kms_errors.h"

namespace sealstack::api::kms {

namespace {

// What a key state means for one kind of operation.
enum class Verdict {
  kOk,
  kDisabled,
  kPendingDeletion,
  kPendingImport,
  kNotPendingDeletion,
  kPendingReplicaDeletion,
};

constexpr Verdict kOk = Verdict::kOk;
constexpr Verdict kDis = Verdict::kDisabled;
constexpr Verdict kDel = Verdict::kPendingDeletion;
constexpr Verdict kImp = Verdict::kPendingImport;
constexpr Verdict kNotDel = Verdict::kNotPendingDeletion;
constexpr Verdict kRepDel = Verdict::kPendingReplicaDeletion;

struct KeyStateRow {
  OperationClass op;
  // By KeyState: Enabled, Disabled, PendingDeletion, PendingImport, PendingReplicaDeletion.
  Verdict by_state[5];
};

// AWS's "Key states of AWS KMS keys" table, one row per kind of operation.
constexpr KeyStateRow kKeyStateRows[] = {
    {OperationClass::kCryptographic, {kOk, kDis, kDel, kImp, kRepDel}},
    {OperationClass::kEnableDisable, {kOk, kOk, kDel, kImp, kRepDel}},
    {OperationClass::kScheduleDeletion, {kOk, kOk, kDel, kOk, kRepDel}},
    {OperationClass::kCancelDeletion, {kNotDel, kNotDel, kOk, kNotDel, kOk}},
    {OperationClass::kRotation, {kOk, kDis, kDel, kImp, kRepDel}},
    {OperationClass::kManage, {kOk, kOk, kDel, kOk, kRepDel}},
    {OperationClass::kAnyState, {kOk, kOk, kOk, kOk, kOk}},
};

size_t StateIndex(KeyState state) {
  switch (state) {
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
  return 0;
}

}  // namespace

Status CheckKeyState(OperationClass op, KeyState state, std::string_view key_arn) {
  Verdict verdict = kOk;
  for (const auto& row : kKeyStateRows) {
    if (row.op == op) verdict = row.by_state[StateIndex(state)];
  }
  const std::string arn(key_arn);
  switch (verdict) {
    case Verdict::kOk:
      return Status::Ok();
    case Verdict::kDisabled:
      return KmsError(ErrorKind::kDisabled, arn + " is disabled.");
    case Verdict::kPendingDeletion:
      return KmsError(ErrorKind::kInvalidState, arn + " is pending deletion.");
    case Verdict::kPendingImport:
      return KmsError(ErrorKind::kInvalidState, arn + " is pending import.");
    case Verdict::kNotPendingDeletion:
      return KmsError(ErrorKind::kInvalidState, arn + " is not pending deletion.");
    case Verdict::kPendingReplicaDeletion:
      return KmsError(ErrorKind::kInvalidState, arn + " is pending replica deletion.");
  }
  return Status::Ok();
}

}  // namespace sealstack::api::kms
