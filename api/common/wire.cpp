#include "api/common/wire.h"

#include "common/strings.h"

namespace sealstack::api {

const std::string* ApiResponse::FindHeader(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

}  // namespace sealstack::api
