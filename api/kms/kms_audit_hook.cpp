#include "api/kms/kms_audit_hook.h"

namespace sealstack::api::kms {

namespace {

// The hook of the call running on this thread, and whether it ran: one KMS call is one thread's
// work from the wire (or S3/Glue) down to the commit.
thread_local const AuditTransactionHook* t_audit_hook = nullptr;
thread_local bool t_audit_hook_ran = false;

}  // namespace

ScopedAuditHook::ScopedAuditHook(const AuditTransactionHook* hook)
    : previous_hook_(t_audit_hook), previous_ran_(t_audit_hook_ran) {
  t_audit_hook = hook;
  t_audit_hook_ran = false;
}

ScopedAuditHook::~ScopedAuditHook() {
  t_audit_hook = previous_hook_;
  t_audit_hook_ran = previous_ran_;
}

bool ScopedAuditHook::ran() const {
  return t_audit_hook_ran;
}

// Runs the calling thread's audit hook (once per call) inside the caller's transaction.
Status RunAuditHook(storage::Connection& conn, const std::string& key_arn) {
  if (t_audit_hook == nullptr || t_audit_hook_ran) return Status::Ok();
  SEALSTACK_RETURN_IF_ERROR((*t_audit_hook)(conn, key_arn));
  t_audit_hook_ran = true;
  return Status::Ok();
}

}  // namespace sealstack::api::kms
