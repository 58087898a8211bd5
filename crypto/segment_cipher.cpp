#include "crypto/segment_cipher.h"

#include <algorithm>
#include <utility>

#include "crypto/hkdf.h"

namespace sealstack::crypto {

namespace {

// header := magic[4] version[1] segment_size[4, BE] object_id_length[1] object_id
constexpr std::string_view kMagic = "SLSG";
constexpr uint8_t kVersion = 1;
constexpr size_t kFixedHeaderSize = 4 + 1 + 4 + 1;
constexpr std::string_view kKeyInfo = "sealstack segment key v1";

void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutU64(char* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (56 - 8 * i));
}

uint32_t GetU32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// nonce := index[8, BE] last[1] 0x00 0x00 0x00
std::string Nonce(uint64_t index, bool is_last) {
  std::string nonce(kGcmNonceSize, '\0');
  PutU64(nonce.data(), index);
  nonce[8] = is_last ? 1 : 0;
  return nonce;
}

// aad := header index[8, BE] last[1]
std::string Aad(const std::string& header, uint64_t index, bool is_last) {
  std::string aad = header;
  aad.resize(header.size() + 9);
  PutU64(aad.data() + header.size(), index);
  aad[header.size() + 8] = is_last ? 1 : 0;
  return aad;
}

Status CheckSegmentSize(uint32_t segment_size) {
  if (segment_size < kMinSegmentSize || segment_size > kMaxSegmentSize) {
    return Status::InvalidArgument("segment size " + std::to_string(segment_size) +
                                   " outside [16, 16 MiB]");
  }
  return Status::Ok();
}

// K_obj := HKDF-SHA256(ikm = data key, salt = object id, info = kKeyInfo, 32 bytes)
Result<AesGcm> SegmentCipher(const SecretBytes& data_key, std::string_view object_id) {
  if (data_key.size() != kAes256KeySize) {
    return Status::InvalidArgument("segment data key must be 32 bytes, got " +
                                   std::to_string(data_key.size()));
  }
  SEALSTACK_ASSIGN_OR_RETURN(SecretBytes key,
                             HkdfSha256(data_key, object_id, kKeyInfo, kAes256KeySize));
  return AesGcm::Create(key);
}

uint64_t CeilDiv(uint64_t a, uint64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

}  // namespace

// ---- SegmentLayout ----

SegmentLayout::SegmentLayout(uint32_t segment_size, size_t header_size, uint64_t plaintext_size)
    : segment_size_(segment_size),
      header_size_(header_size),
      plaintext_size_(plaintext_size),
      segment_count_(plaintext_size == 0 ? 1 : CeilDiv(plaintext_size, segment_size)) {}

uint64_t SegmentLayout::sealed_size() const {
  return header_size_ + plaintext_size_ + segment_count_ * kSegmentOverhead;
}

uint64_t SegmentLayout::PlaintextOffset(uint64_t index) const {
  return index * segment_size_;
}

uint64_t SegmentLayout::PlaintextLength(uint64_t index) const {
  return IsLast(index) ? plaintext_size_ - PlaintextOffset(index) : segment_size_;
}

uint64_t SegmentLayout::SealedOffset(uint64_t index) const {
  return header_size_ + index * (uint64_t{segment_size_} + kSegmentOverhead);
}

uint64_t SegmentLayout::SealedLength(uint64_t index) const {
  return PlaintextLength(index) + kSegmentOverhead;
}

Result<SegmentSpan> SegmentLayout::MapRange(uint64_t offset, uint64_t length) const {
  if (length == 0 || offset > plaintext_size_ || length > plaintext_size_ - offset) {
    return Status::InvalidArgument("range [" + std::to_string(offset) + ", +" +
                                   std::to_string(length) + ") not inside object of " +
                                   std::to_string(plaintext_size_) + " bytes");
  }
  SegmentSpan span;
  span.first_segment = offset / segment_size_;
  span.last_segment = (offset + length - 1) / segment_size_;
  span.sealed_offset = SealedOffset(span.first_segment);
  span.sealed_length =
      SealedOffset(span.last_segment) + SealedLength(span.last_segment) - span.sealed_offset;
  span.skip = offset - PlaintextOffset(span.first_segment);
  span.length = length;
  return span;
}

// ---- SegmentWriter ----

Result<SegmentWriter> SegmentWriter::Create(const SecretBytes& data_key,
                                            const SegmentOptions& options, RandomSource& random,
                                            Sink sink) {
  SEALSTACK_RETURN_IF_ERROR(CheckSegmentSize(options.segment_size));
  if (!sink) return Status::InvalidArgument("segment writer needs a sink");
  std::string object_id = options.object_id;
  if (object_id.empty()) {
    SEALSTACK_ASSIGN_OR_RETURN(object_id, random.Bytes(kDefaultObjectIdSize));
  } else if (object_id.size() < kMinObjectIdSize || object_id.size() > kMaxObjectIdSize) {
    return Status::InvalidArgument("object id must be 16..255 bytes, got " +
                                   std::to_string(object_id.size()));
  }
  SEALSTACK_ASSIGN_OR_RETURN(AesGcm gcm, SegmentCipher(data_key, object_id));

  std::string header;
  header.reserve(kFixedHeaderSize + object_id.size());
  header.append(kMagic);
  header.push_back(static_cast<char>(kVersion));
  PutU32(&header, options.segment_size);
  header.push_back(static_cast<char>(object_id.size()));
  header.append(object_id);
  return SegmentWriter(std::move(gcm), std::move(header), std::move(object_id),
                       options.segment_size, std::move(sink));
}

SegmentWriter::SegmentWriter(AesGcm gcm, std::string header, std::string object_id,
                             uint32_t segment_size, Sink sink)
    : gcm_(std::move(gcm)),
      header_(std::move(header)),
      object_id_(std::move(object_id)),
      segment_size_(segment_size),
      sink_(std::move(sink)) {
  buffer_.reserve(segment_size_);
  sealed_.reserve(segment_size_ + kSegmentOverhead);
}

Status SegmentWriter::Emit(std::string_view plaintext, bool is_last) {
  sealed_.clear();
  Status s = gcm_.SealAppend(Nonce(next_index_, is_last), Aad(header_, next_index_, is_last),
                             plaintext, &sealed_);
  if (s.ok()) s = sink_(next_index_, sealed_, is_last);
  if (!s.ok()) {
    status_ = s;
    return s;
  }
  ++next_index_;
  return Status::Ok();
}

Status SegmentWriter::Write(std::string_view plaintext) {
  if (!status_.ok()) return status_;
  if (finished_) return Status::FailedPrecondition("SegmentWriter::Write after Finish");
  plaintext_size_ += plaintext.size();
  while (!plaintext.empty()) {
    // A full buffer is sealed only once more data shows it is not the last segment.
    if (buffer_.size() == segment_size_) {
      SEALSTACK_RETURN_IF_ERROR(Emit(buffer_, /*is_last=*/false));
      buffer_.clear();
    }
    // Fast path: whole segments straight from the input, without copying.
    if (buffer_.empty() && plaintext.size() > segment_size_) {
      SEALSTACK_RETURN_IF_ERROR(Emit(plaintext.substr(0, segment_size_), /*is_last=*/false));
      plaintext.remove_prefix(segment_size_);
      continue;
    }
    size_t take = std::min<size_t>(segment_size_ - buffer_.size(), plaintext.size());
    buffer_.append(plaintext.substr(0, take));
    plaintext.remove_prefix(take);
  }
  return Status::Ok();
}

Status SegmentWriter::Finish() {
  if (!status_.ok()) return status_;
  if (finished_) return Status::FailedPrecondition("SegmentWriter::Finish called twice");
  finished_ = true;
  SEALSTACK_RETURN_IF_ERROR(Emit(buffer_, /*is_last=*/true));
  buffer_.clear();
  return Status::Ok();
}

// ---- SegmentReader ----

Result<SegmentReader> SegmentReader::Create(const SecretBytes& data_key,
                                            std::string_view sealed_prefix) {
  if (data_key.size() != kAes256KeySize) {
    return Status::InvalidArgument("segment data key must be 32 bytes, got " +
                                   std::to_string(data_key.size()));
  }
  if (sealed_prefix.size() < kFixedHeaderSize) {
    return Status::Integrity("sealed object shorter than a segment header");
  }
  if (sealed_prefix.substr(0, kMagic.size()) != kMagic) {
    return Status::Integrity("not a sealed object (bad segment header magic)");
  }
  if (static_cast<uint8_t>(sealed_prefix[4]) != kVersion) {
    return Status::Integrity("unsupported segment format version " +
                             std::to_string(static_cast<uint8_t>(sealed_prefix[4])));
  }
  uint32_t segment_size = GetU32(sealed_prefix.substr(5, 4));
  if (!CheckSegmentSize(segment_size).ok()) {
    return Status::Integrity("segment header has invalid segment size " +
                             std::to_string(segment_size));
  }
  size_t id_size = static_cast<uint8_t>(sealed_prefix[9]);
  if (id_size < kMinObjectIdSize) return Status::Integrity("segment header object id too short");
  if (sealed_prefix.size() < kFixedHeaderSize + id_size) {
    return Status::Integrity("sealed object shorter than its segment header");
  }
  std::string object_id(sealed_prefix.substr(kFixedHeaderSize, id_size));
  SEALSTACK_ASSIGN_OR_RETURN(AesGcm gcm, SegmentCipher(data_key, object_id));
  return SegmentReader(std::move(gcm),
                       std::string(sealed_prefix.substr(0, kFixedHeaderSize + id_size)),
                       std::move(object_id), segment_size);
}

SegmentReader::SegmentReader(AesGcm gcm, std::string header, std::string object_id,
                             uint32_t segment_size)
    : gcm_(std::move(gcm)),
      header_(std::move(header)),
      object_id_(std::move(object_id)),
      segment_size_(segment_size) {}

SegmentLayout SegmentReader::Layout(uint64_t plaintext_size) const {
  return SegmentLayout(segment_size_, header_.size(), plaintext_size);
}

Status SegmentReader::OpenSegmentAppend(uint64_t index, std::string_view sealed, bool is_last,
                                        std::string* out) {
  const size_t full = size_t{segment_size_} + kSegmentOverhead;
  if (is_last ? (sealed.size() < kSegmentOverhead || sealed.size() > full)
              : sealed.size() != full) {
    return Status::Integrity("segment " + std::to_string(index) + " has wrong size " +
                             std::to_string(sealed.size()));
  }
  if (is_last && index > 0 && sealed.size() == kSegmentOverhead) {
    return Status::Integrity("empty last segment in a non-empty object");
  }
  Status s = gcm_.OpenAppend(Nonce(index, is_last), Aad(header_, index, is_last), sealed, out);
  if (s.code() == StatusCode::kIntegrity) {
    return Status::Integrity("segment " + std::to_string(index) + " failed authentication");
  }
  return s;
}

Result<std::string> SegmentReader::OpenSegment(uint64_t index, std::string_view sealed,
                                               bool is_last) {
  std::string out;
  SEALSTACK_RETURN_IF_ERROR(OpenSegmentAppend(index, sealed, is_last, &out));
  return out;
}

Result<std::string> SegmentReader::OpenSpan(const SegmentLayout& layout, const SegmentSpan& span,
                                            std::string_view sealed_bytes) {
  if (layout.segment_size() != segment_size_ || layout.header_size() != header_.size() ||
      span.last_segment >= layout.segment_count() || span.first_segment > span.last_segment) {
    return Status::InvalidArgument("segment span does not belong to this object's layout");
  }
  if (sealed_bytes.size() != span.sealed_length) {
    return Status::Integrity("sealed range has " + std::to_string(sealed_bytes.size()) +
                             " bytes, expected " + std::to_string(span.sealed_length));
  }
  std::string plaintext;
  for (uint64_t i = span.first_segment; i <= span.last_segment; ++i) {
    std::string_view sealed =
        sealed_bytes.substr(layout.SealedOffset(i) - span.sealed_offset, layout.SealedLength(i));
    SEALSTACK_RETURN_IF_ERROR(OpenSegmentAppend(i, sealed, layout.IsLast(i), &plaintext));
  }
  return plaintext.substr(span.skip, span.length);
}

// ---- Whole objects ----

Result<std::string> SealObject(const SecretBytes& data_key, std::string_view plaintext,
                               const SegmentOptions& options, RandomSource& random) {
  std::string sealed;
  SEALSTACK_ASSIGN_OR_RETURN(
      SegmentWriter writer,
      SegmentWriter::Create(data_key, options, random,
                            [&sealed](uint64_t, std::string_view segment, bool) {
                              sealed.append(segment);
                              return Status::Ok();
                            }));
  sealed = writer.header();
  SEALSTACK_RETURN_IF_ERROR(writer.Write(plaintext));
  SEALSTACK_RETURN_IF_ERROR(writer.Finish());
  return sealed;
}

Result<std::string> OpenSealedObject(const SecretBytes& data_key, std::string_view sealed_object) {
  SEALSTACK_ASSIGN_OR_RETURN(SegmentReader reader, SegmentReader::Create(data_key, sealed_object));
  std::string_view rest = sealed_object.substr(reader.header_size());
  if (rest.empty()) return Status::Integrity("sealed object has no segments");
  const size_t full = size_t{reader.segment_size()} + kSegmentOverhead;
  std::string plaintext;
  for (uint64_t index = 0; !rest.empty(); ++index) {
    size_t n = std::min(rest.size(), full);
    bool is_last = n == rest.size();
    SEALSTACK_RETURN_IF_ERROR(
        reader.OpenSegmentAppend(index, rest.substr(0, n), is_last, &plaintext));
    rest.remove_prefix(n);
  }
  return plaintext;
}

}  // namespace sealstack::crypto
