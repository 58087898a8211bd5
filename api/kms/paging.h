// Limit/Marker paging as KMS does it: the marker is the id of the first item of the next page
// (opaque to clients); an unknown marker is InvalidMarkerException.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "api/kms/kms_errors.h"
#include "api/kms/kms_service.h"

namespace sealstack::api::kms {

// Returns the page of `items` (already in listing order) that `page` asks for, and sets
// *next_marker to the id of the first item after it ("" when this is the last page).
template <typename T, typename IdOf>
Result<std::vector<T>> Paginate(const std::vector<T>& items, const ListPage& page, IdOf id_of,
                                std::string* next_marker) {
  size_t start = 0;
  if (!page.marker.empty()) {
    auto it = std::find_if(items.begin(), items.end(),
                           [&](const T& item) { return id_of(item) == page.marker; });
    if (it == items.end()) return KmsError(ErrorKind::kInvalidMarker, "Invalid marker");
    start = static_cast<size_t>(it - items.begin());
  }
  std::vector<T> out;
  for (size_t i = start; i < items.size(); ++i) {
    if (out.size() == page.limit) {
      *next_marker = id_of(items[i]);
      break;
    }
    out.push_back(items[i]);
  }
  return out;
}

}  // namespace sealstack::api::kms
