#include "api/kms/key_state.h"

#include <string>

#include "api/kms/kms_errors.h"

namespace sealstack::api::kms {

namespace {

Status Disabled(std::string_view arn) {
  return KmsError(ErrorKind::kDisabled, std::string(arn) + " is disabled.");
}
Status PendingDeletion(std::string_view arn) {
  return KmsError(ErrorKind::kInvalidState, std::string(arn) + " is pending deletion.");
}
Status PendingImport(std::string_view arn) {
  return KmsError(ErrorKind::kInvalidState, std::string(arn) + " is pending import.");
}

}  // namespace

Status CheckKeyState(OperationClass op, KeyState state, std::string_view key_arn) {
  switch (op) {
    case OperationClass::kAnyState:
      return Status::Ok();
    case OperationClass::kCryptographic:
      switch (state) {
        case KeyState::kEnabled:
          return Status::Ok();
        case KeyState::kDisabled:
          return Disabled(key_arn);
        case KeyState::kPendingDeletion:
          return PendingDeletion(key_arn);
        case KeyState::kPendingImport:
          return PendingImport(key_arn);
      }
      break;
    case OperationClass::kEnableDisable:
      switch (state) {
        case KeyState::kEnabled:
        case KeyState::kDisabled:
          return Status::Ok();
        case KeyState::kPendingDeletion:
          return PendingDeletion(key_arn);
        case KeyState::kPendingImport:
          return PendingImport(key_arn);
      }
      break;
    case OperationClass::kScheduleDeletion:
      if (state == KeyState::kPendingDeletion) return PendingDeletion(key_arn);
      return Status::Ok();
    case OperationClass::kCancelDeletion:
      if (state == KeyState::kPendingDeletion) return Status::Ok();
      return KmsError(ErrorKind::kInvalidState, std::string(key_arn) + " is not pending deletion.");
    case OperationClass::kRotation:
      switch (state) {
        case KeyState::kEnabled:
          return Status::Ok();
        case KeyState::kDisabled:
          return Disabled(key_arn);
        case KeyState::kPendingDeletion:
          return PendingDeletion(key_arn);
        case KeyState::kPendingImport:
          return PendingImport(key_arn);
      }
      break;
    case OperationClass::kManage:
      if (state == KeyState::kPendingDeletion) return PendingDeletion(key_arn);
      return Status::Ok();
  }
  return Status::Ok();
}

}  // namespace sealstack::api::kms
