// FaultInjector: failures and latency injected on purpose (POST /_sealstack/faults), so users
// can test how their code behaves when KMS throttles, S3 slows down or a key is unavailable.
//
// A fault matches a call by service ("kms" | "s3" | "glue"), operation (the AWS operation name,
// or "*") and optionally resource (the key or bucket ARN the call resolves to; "" = any). A
// matching fault fires with its probability (rolled on the injected RandomSource, so tests can
// pin the outcome) and, when it has a count, only that many times; a spent fault is removed.
// A fault fires as its AWS error (code + HTTP status), and/or as added latency.
//
// Services call Check (or CheckAndDelay) once at the start of each operation, before any
// state is touched; the admin plane never goes through it.
//
// Thread safety: all methods are safe to call concurrently; Check is lock-free (one atomic
// load) while no fault is installed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "crypto/random.h"

namespace sealstack::api {

struct FaultSpec {
  std::string service;    // "kms" | "s3" | "glue"
  std::string operation;  // "Encrypt", "PutObject", ... or "*"
  std::string error;      // AWS error code; "" = latency only (the call then proceeds)
  int http_status = 0;    // the HTTP status AWS sends with `error` (set by whoever validated it)
  std::string message;    // the error message; "" = a default naming the fault
  std::optional<int64_t> count;  // fire at most this many times; nullopt = until removed
  double probability = 1.0;      // 0..1, rolled per matching call
  int64_t latency_ms = 0;        // added before the call proceeds or fails
  std::string resource;          // key or bucket ARN; "" = any resource
};

struct Fault {
  std::string id;
  FaultSpec spec;
  std::optional<int64_t> remaining;  // count left; nullopt = unlimited
  int64_t fired = 0;                 // how often it has fired so far
};

struct FaultHit {
  std::string id;     // the fault that produced the error ("" if latency only)
  std::string error;  // "" = latency only
  int http_status = 0;
  std::string message;                   // never empty when error is set
  std::chrono::milliseconds latency{0};  // the sum over every matching fault that fired
};

class FaultInjector {
 public:
  // `random` decides probabilistic faults; a SeededRandom makes them reproducible.
  explicit FaultInjector(std::shared_ptr<crypto::RandomSource> random);

  // Checks only the shape (service, operation and probability ranges, latency >= 0, count >= 1,
  // error or latency present). Which error codes a service accepts is the caller's business.
  // Returns the new fault's id ("f-" + 16 hex).
  Result<std::string> Add(FaultSpec spec);
  std::vector<Fault> List() const;  // in the order they were added
  bool Remove(std::string_view id);
  void Clear();
  bool empty() const { return active_.load(std::memory_order_acquire) == 0; }

  // Evaluates the faults for one call. Every matching fault rolls its probability; those that
  // fire spend one of their count. Latency-only faults add up; the first firing fault that has
  // an error supplies it (later error faults are not rolled or spent). nullopt = nothing fired.
  std::optional<FaultHit> Check(std::string_view service, std::string_view operation,
                                std::string_view resource_arn = {});

  // Check, then sleep for the hit's latency (outside any lock). Returns the hit only if it
  // carries an error, which the caller turns into its service's error response.
  std::optional<FaultHit> CheckAndDelay(std::string_view service, std::string_view operation,
                                        std::string_view resource_arn = {});

 private:
  bool Roll(double probability);

  std::shared_ptr<crypto::RandomSource> random_;
  mutable Mutex mu_;
  std::vector<Fault> faults_ GUARDED_BY(mu_);
  std::atomic<size_t> active_{0};
};

}  // namespace sealstack::api
