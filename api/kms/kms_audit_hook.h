// The per-call audit hook: how a KMS call's audit record (kms_audit.h) commits in the same
// transaction as the state change it records. kms::Service runs it; kms_audit.cpp installs it.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "storage/db.h"

namespace sealstack::api::kms {

// Audit hook (api/kms/kms_audit.h installs it around one call): while a ScopedAuditHook is alive
// on the calling thread, the first transaction a mutation commits for that call runs the hook
// inside it, so the call's audit record commits together with its effect. `key_arn` names the
// key the transaction changes ("" when it changes no key). Time-driven work (RunDue) and
// AWS-managed key creation never run it.
using AuditTransactionHook =
    std::function<Status(storage::Connection& conn, const std::string& key_arn)>;
class ScopedAuditHook {
 public:
  explicit ScopedAuditHook(const AuditTransactionHook* hook);
  ~ScopedAuditHook();
  ScopedAuditHook(const ScopedAuditHook&) = delete;
  ScopedAuditHook& operator=(const ScopedAuditHook&) = delete;
  bool ran() const;  // the hook ran in a transaction that committed or is committing

 private:
  const AuditTransactionHook* previous_hook_;
  bool previous_ran_;
};
// Runs the calling thread's hook, once per call, inside the caller's transaction (kms::Service
// internals call it in every transaction that records a caller's mutation).
Status RunAuditHook(storage::Connection& conn, const std::string& key_arn);

}  // namespace sealstack::api::kms
