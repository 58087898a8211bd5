// libFuzzer target: the segment reader (crypto/segment_cipher.h) on arbitrary sealed bytes under
// a fixed data key: every failure must be a clean Status (Integrity for bad bytes), never a
// crash, and a Range read must return exactly the bytes it asked for. Seeds from
// fuzz/seedgen.cpp are valid sealed objects under that key.
//
// Input: the sealed object; its last 4 bytes also pick a plaintext range (offset, length) for
// the SegmentLayout/OpenSpan path.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "crypto/segment_cipher.h"
#include "fuzz/fuzz_fixtures.h"

using namespace sealstack;
using namespace sealstack::crypto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const SecretBytes kKey = fuzz::SegmentDataKey();
  std::string_view sealed(reinterpret_cast<const char*>(data), size);
  auto whole = OpenSealedObject(kKey, sealed);

  auto reader = SegmentReader::Create(kKey, sealed);
  if (!reader.ok()) {
    if (whole.ok()) abort();
    return 0;
  }
  std::string_view segments = sealed.substr(reader->header_size());
  const uint64_t stride = uint64_t{reader->segment_size()} + kSegmentOverhead;
  // The plaintext size the sealed size implies (as OpenSealedObject works it out).
  const uint64_t count = std::max<uint64_t>(1, (segments.size() + stride - 1) / stride);
  if (segments.size() < count * kSegmentOverhead) return 0;
  const uint64_t plaintext_size = segments.size() - count * kSegmentOverhead;
  if (whole.ok() && whole->size() != plaintext_size) abort();

  (void)reader->OpenSegment(0, segments.substr(0, stride), count == 1);
  (void)reader->OpenSegment(count - 1, segments.substr((count - 1) * stride), true);

  SegmentLayout layout = reader->Layout(plaintext_size);
  if (layout.sealed_size() != size) {
    // No object of this plaintext size seals to this many bytes: nothing can open it.
    if (whole.ok()) abort();
    return 0;
  }
  if (plaintext_size == 0 || size < 4) return 0;
  const uint64_t a = (uint64_t{data[size - 4]} << 8 | data[size - 3]) % plaintext_size;
  const uint64_t b = 1 + (uint64_t{data[size - 2]} << 8 | data[size - 1]) % (plaintext_size - a);
  auto span = layout.MapRange(a, b);
  if (!span.ok()) abort();
  if (span->sealed_offset + span->sealed_length > size) abort();
  auto range =
      reader->OpenSpan(layout, *span, sealed.substr(span->sealed_offset, span->sealed_length));
  if (range.ok()) {
    if (range->size() != b) abort();
    if (whole.ok() && *range != whole->substr(a, b)) abort();
  }
  return 0;
}
