// DecisionLog: the latest authorization decisions, explained (GET /_sealstack/decisions). Every
// decision the access check makes is added (AccessCheck::SetObserver), with the server time; the
// log keeps the newest `capacity` and forgets the rest (a bounded ring: a long-running server
// does not grow).
//
// Thread safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/common/access.h"
#include "common/clock.h"
#include "common/mutex.h"

namespace sealstack::server {

struct RecordedDecision {
  int64_t seq = 0;  // 1, 2, ... in the order decided
  SystemTime time;  // server time
  api::AccessDecision decision;
};

struct DecisionFilter {
  std::string principal{};  // exact principal ARN; "" = any
  std::string action{};     // exact action, any case ("kms:Decrypt"); "" = any
  std::string resource{};   // exact resource ARN; "" = any
  // "allow", "deny" (either kind), "explicit_deny", "implicit_deny"; "" = any.
  std::string result{};
  std::optional<SystemTime> since{};  // decided at or after
  size_t limit = 100;
};

// "allow", "explicit_deny" or "implicit_deny".
std::string_view ResultName(const api::AccessDecision& d);

class DecisionLog {
 public:
  explicit DecisionLog(size_t capacity) : capacity_(capacity) {}

  void Add(SystemTime time, api::AccessDecision decision) EXCLUDES(mu_);
  // Newest first.
  std::vector<RecordedDecision> Find(const DecisionFilter& filter) const EXCLUDES(mu_);
  // The last denial the request with this id met (the request log line names its statement).
  std::optional<RecordedDecision> LastDenialOf(std::string_view request_id) const EXCLUDES(mu_);
  void Clear() EXCLUDES(mu_);

 private:
  const size_t capacity_;
  mutable Mutex mu_;
  std::deque<RecordedDecision> ring_ GUARDED_BY(mu_);
  int64_t next_seq_ GUARDED_BY(mu_) = 1;
};

// One decision as the admin plane renders it (docs/admin-api.md, "Decisions").
std::string DecisionJson(const RecordedDecision& r);
// The short form the request log line carries: `key policy arn:... statement 1 (Sid "DenyAll")`.
std::string DecidingStatement(const api::AccessDecision& d);

}  // namespace sealstack::server
