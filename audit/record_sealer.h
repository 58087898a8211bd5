// RecordSealer: the audit trail's records sealed at rest. A CloudTrail record keeps request
// parameters, and those hold what users protect (encryption contexts, object keys, a Glue table's
// description and column comments), so its JSON is stored only sealed: AES-256-GCM under a key
// derived from the root key (HKDF-SHA256, info "sealstack-audit-trail"), a random 96-bit nonce,
// the record's event id as additional data (a sealed body moved to another row does not open).
// Stored form: "sealed1:" + base64(nonce || ciphertext || tag). The lookup columns beside it
// (event name, source, user name, access key id, resource ARNs) stay clear, as LookupEvents
// filters on them (docs/audit.md).
//
// Thread safety: immutable after Create; safe for concurrent use.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/secret_bytes.h"

namespace sealstack::audit {

class RecordSealer {
 public:
  // REQUIRES: root_key.size() == 32.
  static Result<RecordSealer> Create(const crypto::SecretBytes& root_key);

  Result<std::string> Seal(std::string_view event_id, std::string_view json) const;
  // The JSON of a stored record. A record written before sealing existed (plain JSON) is
  // returned as it is; Recorder::Open seals those. kIntegrity when a sealed body does not open.
  Result<std::string> Open(std::string_view event_id, std::string_view stored) const;
  static bool IsSealed(std::string_view stored);

 private:
  explicit RecordSealer(crypto::SecretBytes key) : key_(std::move(key)) {}
  crypto::SecretBytes key_;
};

}  // namespace sealstack::audit
