// kms::Service's read-only views for the admin plane (kms_service.h): snapshots of every key,
// alias and grant, with no caller, no authorization and no faults. Key material stays inside
// the snapshots' Material objects; the views above api/ never render it.
#include <algorithm>

#include "api/kms/kms_service.h"

namespace sealstack::api::kms {

namespace {

// A copy of every value of an id -> row map: what each view hands out, so the caller reads
// without the service's lock. REQUIRES: the lock guarding `rows` is held.
template <typename Map>
std::vector<typename Map::mapped_type> ValuesOf(const Map& rows) {
  std::vector<typename Map::mapped_type> out;
  out.reserve(rows.size());
  for (const auto& [id, row] : rows) out.push_back(row);
  return out;
}

}  // namespace

std::vector<std::shared_ptr<const Key>> Service::AllKeys() const {
  std::vector<std::shared_ptr<const Key>> out;
  {
    ReaderLock lock(mu_);
    out = ValuesOf(keys_);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->arn < b->arn; });
  return out;
}

std::vector<Alias> Service::AllAliases() const {
  ReaderLock lock(mu_);
  return ValuesOf(aliases_.rows());
}

std::vector<Grant> Service::AllGrants() const {
  ReaderLock lock(mu_);
  return ValuesOf(grants_.rows());
}

}  // namespace sealstack::api::kms
