// Conversions between the KMS model and its storage rows (JSON documents). Key material and
// import wrapping keys are wrapped under the root key here, bound to their key and material
// ids, so a row copied onto another key does not unwrap.
#pragma once

#include "api/kms/kms_model.h"
#include "common/result.h"
#include "crypto/random.h"
#include "storage/kms_repo.h"

namespace sealstack::api::kms {

Result<storage::KmsKeyRow> KeyToRow(const Key& key, const crypto::SecretBytes& root_key,
                                    crypto::RandomSource& random);
// The key without its materials (added by the caller from the material rows).
Result<Key> KeyFromRow(const storage::KmsKeyRow& row, const crypto::SecretBytes& root_key);

Result<storage::KmsMaterialRow> MaterialToRow(const Key& key, const Material& m,
                                              const crypto::SecretBytes& root_key,
                                              crypto::RandomSource& random);
// Unwrapped bytes plus metadata; the caller parses asymmetric keys.
Result<Material> MaterialFromRow(const storage::KmsMaterialRow& row,
                                 const crypto::SecretBytes& root_key);

storage::KmsGrantRow GrantToRow(const Grant& g);
Result<Grant> GrantFromRow(const storage::KmsGrantRow& row);

}  // namespace sealstack::api::kms
