#include "api/common/faults.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "crypto/digest.h"

namespace sealstack::api {

FaultInjector::FaultInjector(std::shared_ptr<crypto::RandomSource> random)
    : random_(std::move(random)) {}

Result<std::string> FaultInjector::Add(FaultSpec spec) {
  if (spec.service != "kms" && spec.service != "s3" && spec.service != "glue") {
    return Status::InvalidArgument("service: expected kms, s3 or glue");
  }
  if (spec.operation.empty()) {
    return Status::InvalidArgument("operation: required (an operation name or *)");
  }
  if (!(spec.probability >= 0.0 && spec.probability <= 1.0)) {
    return Status::InvalidArgument("probability: expected a number from 0 to 1");
  }
  if (spec.latency_ms < 0 || spec.latency_ms > 600000) {
    return Status::InvalidArgument("latency_ms: expected 0..600000");
  }
  if (spec.count && *spec.count < 1) {
    return Status::InvalidArgument("count: expected a positive integer");
  }
  if (spec.error.empty() && spec.latency_ms == 0) {
    return Status::InvalidArgument("error: required unless latency_ms is given");
  }
  auto bytes = random_->Bytes(8);
  if (!bytes.ok()) return bytes.status();
  Fault f;
  f.id = "f-" + crypto::Hex(*bytes);
  if (!spec.error.empty() && spec.message.empty()) {
    spec.message = "SealStack injected fault " + f.id;
  }
  f.remaining = spec.count;
  f.spec = std::move(spec);
  MutexLock lock(mu_);
  faults_.push_back(f);
  active_.store(faults_.size(), std::memory_order_release);
  return f.id;
}

std::vector<Fault> FaultInjector::List() const {
  MutexLock lock(mu_);
  return faults_;
}

bool FaultInjector::Remove(std::string_view id) {
  MutexLock lock(mu_);
  auto it =
      std::find_if(faults_.begin(), faults_.end(), [&](const Fault& f) { return f.id == id; });
  if (it == faults_.end()) return false;
  faults_.erase(it);
  active_.store(faults_.size(), std::memory_order_release);
  return true;
}

void FaultInjector::Clear() {
  MutexLock lock(mu_);
  faults_.clear();
  active_.store(0, std::memory_order_release);
}

bool FaultInjector::Roll(double probability) {
  if (probability >= 1.0) return true;
  if (probability <= 0.0) return false;
  uint8_t b[8];
  if (!random_->Fill(b, sizeof(b)).ok()) return false;
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  // 53 random bits -> [0, 1)
  double u = static_cast<double>(v >> 11) * (1.0 / 9007199254740992.0);
  return u < probability;
}

std::optional<FaultHit> FaultInjector::Check(std::string_view service, std::string_view operation,
                                             std::string_view resource_arn) {
  if (empty()) return std::nullopt;
  MutexLock lock(mu_);
  std::optional<FaultHit> hit;
  for (auto it = faults_.begin(); it != faults_.end();) {
    const FaultSpec& s = it->spec;
    bool matches = s.service == service && (s.operation == "*" || s.operation == operation) &&
                   (s.resource.empty() || s.resource == resource_arn);
    // Once an error is chosen, further error faults are neither rolled nor spent.
    if (matches && !s.error.empty() && hit && !hit->error.empty()) matches = false;
    if (!matches || !Roll(s.probability)) {
      ++it;
      continue;
    }
    if (!hit) hit.emplace();
    hit->latency += std::chrono::milliseconds(s.latency_ms);
    if (!s.error.empty()) {
      hit->id = it->id;
      hit->error = s.error;
      hit->http_status = s.http_status;
      hit->message = s.message;
    }
    ++it->fired;
    if (it->remaining && --*it->remaining <= 0) {
      it = faults_.erase(it);
    } else {
      ++it;
    }
  }
  active_.store(faults_.size(), std::memory_order_release);
  return hit;
}

std::optional<FaultHit> FaultInjector::CheckAndDelay(std::string_view service,
                                                     std::string_view operation,
                                                     std::string_view resource_arn) {
  auto hit = Check(service, operation, resource_arn);
  if (!hit) return std::nullopt;
  if (hit->latency.count() > 0) std::this_thread::sleep_for(hit->latency);
  if (hit->error.empty()) return std::nullopt;
  return hit;
}

}  // namespace sealstack::api
