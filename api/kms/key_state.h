// The KMS key-state machine and the table that decides, for each kind of operation, whether a
// key in a given state may be used (AWS's "Key states of AWS KMS keys" reference).
//
//                 CreateKey (Origin AWS_KMS)          CreateKey (Origin EXTERNAL)
//                          |                                   |
//                          v          ImportKeyMaterial        v
//   EnableKey  +------> Enabled <------------------------ PendingImport
//   DisableKey |  +----/  |  ^                              ^   |
//              |  |       |  | (DeleteImportedKeyMaterial --+   |
//              v  v       |  |  or imported material expires)   |
//            Disabled     |  |                                  |
//              |   ^      |  |                                  |
//  ScheduleKey-|   |      | ScheduleKeyDeletion                 | ScheduleKeyDeletion
//  Deletion    |   | CancelKeyDeletion (always back to Disabled)|
//              v   |      v                                     v
//            PendingDeletion <----------------------------------+
//                  |
//                  | clock passes DeletionDate (Service::RunDue)
//                  v
//               (deleted: NotFoundException; material destroyed)
//
// Multi-Region primary keys with replicas: ScheduleKeyDeletion moves them to
// PendingReplicaDeletion (no DeletionDate); when the last replica is deleted (RunDue), the
// primary moves to PendingDeletion and its waiting period begins. CancelKeyDeletion from
// PendingReplicaDeletion goes back to Disabled, as from PendingDeletion.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "api/kms/kms_types.h"
#include "common/status.h"

namespace sealstack::api::kms {

enum class OperationClass {
  kCryptographic,     // Encrypt, Decrypt, GenerateDataKey*, Sign, Verify, GetPublicKey, *Mac,
                      // DeriveSharedSecret, ReEncrypt, CreateGrant
  kEnableDisable,     // EnableKey, DisableKey
  kScheduleDeletion,  // ScheduleKeyDeletion
  kCancelDeletion,    // CancelKeyDeletion
  kRotation,          // Enable/DisableKeyRotation, RotateKeyOnDemand
  kManage,            // CreateAlias/UpdateAlias target, Tag/UntagResource, UpdateKeyDescription,
                      // GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial
  kAnyState,          // DescribeKey, Get/Put/ListKeyPolicies, List*, GetKeyRotationStatus,
                      // DeleteAlias, RetireGrant, RevokeGrant
};

// OK, or DisabledException / KMSInvalidStateException with AWS's message for `key_arn`.
Status CheckKeyState(OperationClass op, KeyState state, std::string_view key_arn);

}  // namespace sealstack::api::kms
