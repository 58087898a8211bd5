// Writes the generated part of the seed corpora: inputs that need the fixed keys of
// fuzz_fixtures.h to be valid (sealed objects, KMS blobs, signed aws-chunked bodies), plus
// near-valid variants (one byte flipped, truncated, bad framing). Run once after changing a
// format or a fixture; the output is checked in:
//   build-fuzz/fuzz/fuzz_seedgen fuzz
// (scripts/fuzz does not run it; the files are deterministic, so rerunning changes nothing.)
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "api/kms/ciphertext_blob.h"
#include "auth/sigv4.h"
#include "crypto/checksum.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "crypto/segment_cipher.h"
#include "fuzz/fuzz_fixtures.h"

using namespace sealstack;

namespace {

std::string g_root;

void Write(const std::string& target, const std::string& name, std::string_view bytes) {
  const std::string path = g_root + "/" + target + "/corpus/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "cannot write " << path << "\n";
    std::exit(1);
  }
}

std::string Flip(std::string s, size_t at) {
  s[at % s.size()] ^= 0x01;
  return s;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

void Segments() {
  crypto::SeededRandom random("fuzz-segment");
  const crypto::SecretBytes key = fuzz::SegmentDataKey();
  struct Case {
    const char* name;
    size_t size;
    uint32_t segment_size;
    size_t id_size;
  };
  for (const Case& c :
       {Case{"empty", 0, 16, 16}, Case{"one_byte", 1, 16, 16}, Case{"three_segments", 40, 16, 16},
        Case{"exact_segments", 64, 16, 20},
        Case{"default_size", 300, crypto::kDefaultSegmentSize, 16}, Case{"long_id", 50, 32, 255}}) {
    crypto::SegmentOptions options;
    options.segment_size = c.segment_size;
    options.object_id = std::string(c.id_size, 'i');
    auto sealed = crypto::SealObject(key, Pattern(c.size), options, random);
    if (!sealed.ok()) std::exit(2);
    Write("segment_reader", std::string(c.name), *sealed);
    if (std::string_view(c.name) == "three_segments") {
      Write("segment_reader", "three_segments_flipped_tag", Flip(*sealed, sealed->size() - 1));
      Write("segment_reader", "three_segments_truncated", sealed->substr(0, sealed->size() - 17));
      Write("segment_reader", "three_segments_bad_version", Flip(*sealed, 4));
    }
  }
}

void Blobs() {
  crypto::SeededRandom random("fuzz-blob");
  const crypto::SecretBytes material = fuzz::BlobMaterial();
  api::kms::BlobHeader header{"1234abcd-12ab-34cd-56ef-1234567890ab",
                              crypto::Hex(crypto::Sha256("material"))};
  for (size_t n : {1, 32, 4096}) {
    auto blob = api::kms::SealBlob(material, header, fuzz::BlobContext(), Pattern(n), random);
    if (!blob.ok()) std::exit(3);
    Write("ciphertext_blob", "blob_" + std::to_string(n), *blob);
    if (n == 32) {
      Write("ciphertext_blob", "blob_32_flipped_key_id", Flip(*blob, 3));
      Write("ciphertext_blob", "blob_32_flipped_tag", Flip(*blob, blob->size() - 1));
      Write("ciphertext_blob", "blob_32_version_2", Flip(*blob, 0) /* 0x01 -> 0x00 */);
      Write("ciphertext_blob", "blob_32_header_only", blob->substr(0, api::kms::kBlobHeaderSize));
    }
  }
  auto no_context = api::kms::SealBlob(material, header, {}, Pattern(16), random);
  if (!no_context.ok()) std::exit(3);
  Write("ciphertext_blob", "blob_no_context", *no_context);
  Write("ciphertext_blob", "uuid", "1234ABCD-12ab-34cd-56ef-1234567890ab");
}

// aws-chunked bodies signed with the fixed context of fuzz_fixtures.h.
class ChunkSigner {
 public:
  ChunkSigner()
      : key_(auth::sigv4::DeriveSigningKey(fuzz::kChunkSecret, fuzz::kChunkDate, fuzz::kChunkRegion,
                                           fuzz::kChunkService)),
        scope_(auth::sigv4::Credential{"test", std::string(fuzz::kChunkDate),
                                       std::string(fuzz::kChunkRegion),
                                       std::string(fuzz::kChunkService)}
                   .Scope()),
        previous_(fuzz::kChunkSeedSignature) {}

  std::string Chunk(std::string_view data) {
    const std::string sts = auth::sigv4::ChunkStringToSign(fuzz::kChunkAmzDate, scope_, previous_,
                                                           crypto::Hex(crypto::Sha256(data)));
    previous_ = auth::sigv4::Sign(key_, sts);
    char size[32];
    std::snprintf(size, sizeof size, "%zx", data.size());
    std::string out = std::string(size) + ";chunk-signature=" + previous_ + "\r\n";
    out += data;
    if (!data.empty()) out += "\r\n";
    return out;
  }

  std::string TrailerSignature(const std::vector<std::pair<std::string, std::string>>& trailers) {
    const std::string sts = auth::sigv4::TrailerStringToSign(
        fuzz::kChunkAmzDate, scope_, previous_, auth::sigv4::CanonicalTrailers(trailers));
    return auth::sigv4::Sign(key_, sts);
  }

 private:
  crypto::SecretBytes key_;
  std::string scope_;
  std::string previous_;
};

std::string Crc32Base64(std::string_view data) {
  crypto::Checksum c(crypto::ChecksumAlgorithm::kCrc32);
  c.Update(data);
  return c.DigestBase64();
}

void Chunked() {
  // Config byte: mode | trailer << 2 | feed << 4 (see aws_chunked_fuzz.cpp).
  auto input = [](uint8_t config, size_t length, const std::string& body) {
    return std::string(1, static_cast<char>(config)) + std::to_string(length) + "\n" + body;
  };
  const std::string big = Pattern(8192), tail = Pattern(100);
  {
    ChunkSigner s;
    std::string body = s.Chunk(big) + s.Chunk(tail) + s.Chunk("") + "\r\n";
    Write("aws_chunked", "signed_two_chunks", input(0x00, big.size() + tail.size(), body));
    Write("aws_chunked", "signed_two_chunks_fed_by_8", input(0x40, big.size() + tail.size(), body));
    Write("aws_chunked", "signed_bad_signature",
          input(0x00, big.size() + tail.size(), Flip(body, 20)));
  }
  {
    ChunkSigner s;
    std::string body = s.Chunk(tail) + s.Chunk("") + "\r\n";
    Write("aws_chunked", "signed_one_chunk_fed_by_1", input(0x10, tail.size(), body));
    Write("aws_chunked", "signed_one_chunk_no_final_crlf",
          input(0x00, tail.size(), body.substr(0, body.size() - 2)));
  }
  {
    ChunkSigner s;
    std::string body = s.Chunk(tail) + s.Chunk("");
    const std::vector<std::pair<std::string, std::string>> trailers = {
        {"x-amz-checksum-crc32", Crc32Base64(tail)}};
    body += "x-amz-checksum-crc32:" + trailers[0].second + "\r\n";
    body += "x-amz-trailer-signature:" + s.TrailerSignature(trailers) + "\r\n\r\n";
    Write("aws_chunked", "signed_trailer_crc32", input(0x01 | 1 << 2, tail.size(), body));
    Write("aws_chunked", "signed_trailer_crc32_fed_by_64",
          input(0x01 | 1 << 2 | 7 << 4, tail.size(), body));
  }
  {
    std::string body =
        "64\r\n" + tail + "\r\n0\r\nx-amz-checksum-crc32:" + Crc32Base64(tail) + "\r\n\r\n";
    Write("aws_chunked", "unsigned_trailer_crc32", input(0x02 | 1 << 2, tail.size(), body));
    Write("aws_chunked", "unsigned_trailer_crc32_bad_checksum",
          input(0x02 | 1 << 2, tail.size(), Flip(body, body.size() - 6)));
    Write("aws_chunked", "unsigned_trailer_short", input(0x02 | 1 << 2, tail.size() + 1, body));
    std::string two = "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n";
    Write("aws_chunked", "unsigned_no_trailer", input(0x02, 8, two));
    Write("aws_chunked", "unsigned_bad_size_line", input(0x02, 8, "zz\r\nhello\r\n0\r\n\r\n"));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seedgen <repo>/fuzz\n";
    return 1;
  }
  g_root = argv[1];
  Segments();
  Blobs();
  Chunked();
  return 0;
}
