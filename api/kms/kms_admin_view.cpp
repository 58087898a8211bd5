// kms::Service's read-only views for the admin plane (kms_service.h): snapshots of every key,
// alias and grant, with no caller, no authorization and no faults. Key material stays inside
// the snapshots' Material objects; the views above api/ never render it.
#include <algorithm>

#include "api/kms/kms_service.h"

namespace sealstack::api::kms {

std::vector<std::shared_ptr<const Key>> Service::AllKeys() const {
  std::vector<std::shared_ptr<const Key>> out;
  {
    ReaderLock lock(mu_);
    out.reserve(keys_.size());
    for (const auto& [handle, key] : keys_) out.push_back(key);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->arn < b->arn; });
  return out;
}

std::vector<Alias> Service::AllAliases() const {
  std::vector<Alias> out;
  ReaderLock lock(mu_);
  out.reserve(aliases_.rows().size());
  for (const auto& [id, alias] : aliases_.rows()) out.push_back(alias);
  return out;
}

std::vector<Grant> Service::AllGrants() const {
  std::vector<Grant> out;
  ReaderLock lock(mu_);
  out.reserve(grants_.rows().size());
  for (const auto& [id, grant] : grants_.rows()) out.push_back(grant);
  return out;
}

}  // namespace sealstack::api::kms
