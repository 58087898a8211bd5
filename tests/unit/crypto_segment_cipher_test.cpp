#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "crypto/segment_cipher.h"

namespace sealstack::crypto {
namespace {

const SecretBytes kDataKey = SecretBytes(std::string(32, 'd'));

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  return s;
}

SegmentOptions Small(std::string object_id = "") {
  SegmentOptions options;
  options.segment_size = 16;
  options.object_id = std::move(object_id);
  return options;
}

struct Sealed {
  std::string header;
  std::vector<std::string> segments;
  std::string Joined() const {
    std::string s = header;
    for (const auto& seg : segments) s += seg;
    return s;
  }
};

// Seals `plaintext` feeding the writer `chunk` bytes at a time.
Sealed SealInChunks(const SecretBytes& key, std::string_view plaintext,
                    const SegmentOptions& options, RandomSource& random, size_t chunk) {
  Sealed out;
  bool saw_last = false;
  auto writer = SegmentWriter::Create(key, options, random,
                                      [&](uint64_t index, std::string_view sealed, bool is_last) {
                                        REQUIRE(index == out.segments.size());
                                        REQUIRE_FALSE(saw_last);
                                        saw_last = is_last;
                                        out.segments.emplace_back(sealed);
                                        return Status::Ok();
                                      });
  REQUIRE(writer.ok());
  out.header = writer->header();
  for (size_t i = 0; i < plaintext.size(); i += chunk) {
    REQUIRE(writer->Write(plaintext.substr(i, chunk)).ok());
  }
  REQUIRE(writer->Finish().ok());
  REQUIRE(saw_last);
  CHECK(writer->plaintext_size() == plaintext.size());
  CHECK(writer->segments_emitted() == out.segments.size());
  return out;
}

// Golden: pins every byte of the format. The expected bytes come from an independent Python
// implementation of docs/formats/segment-format.md (HKDF + AES-GCM from pyca/cryptography). If
// this fails, the on-disk format changed: bump the version byte instead of "fixing" the test.
TEST_CASE("segment format golden bytes", "[crypto][segment]") {
  std::string key_bytes;
  for (int i = 0; i < 32; ++i) key_bytes.push_back(static_cast<char>(i));
  const SecretBytes key(key_bytes);
  struct Case {
    std::string plaintext;
    const char* sealed_hex;
  };
  const Case cases[] = {
      {"The quick brown fox jumps over the lazy dog",
       "534c53470100000010105d91d50707d330a9b65eef5a3c3f9740"
       "531b56dd84a420fb8514b06ed5d65680bf434d41d2af11ac12527c8a8ecda2d4"
       "bb8fc84227e3acdb2ada6a167da5791318d694d1c4fb483bc1308516885a7832"
       "e4f6d448b8804bfa555cc72fe4cf1855191d67805ac3fff9499fbc"},
      {"", "534c53470100000010105d91d50707d330a9b65eef5a3c3f9740c8e0f9cbd927568562ddebba4ad1e421"},
  };
  for (const Case& c : cases) {
    INFO("plaintext size " << c.plaintext.size());
    SeededRandom random(uint64_t{2024});  // object id 5d91d507...
    auto sealed = SealObject(key, c.plaintext, Small(), random);
    REQUIRE(sealed.ok());
    CHECK(Hex(*sealed) == c.sealed_hex);
    CHECK(OpenSealedObject(key, *sealed).value() == c.plaintext);
  }
}

TEST_CASE("segment cipher round trips any size fed in any chunking", "[crypto][segment]") {
  SeededRandom random(uint64_t{1});
  for (size_t size : {0, 1, 15, 16, 17, 31, 32, 33, 48, 100}) {
    for (size_t chunk : {1, 7, 16, 17, 1000}) {
      INFO("size " << size << " chunk " << chunk);
      const std::string plaintext = Pattern(size);
      Sealed sealed = SealInChunks(kDataKey, plaintext, Small(), random, chunk);
      SegmentLayout layout(16, sealed.header.size(), size);
      REQUIRE(sealed.segments.size() == layout.segment_count());
      for (uint64_t i = 0; i < layout.segment_count(); ++i) {
        CHECK(sealed.segments[i].size() == layout.SealedLength(i));
      }
      const std::string joined = sealed.Joined();
      CHECK(joined.size() == layout.sealed_size());
      CHECK(OpenSealedObject(kDataKey, joined).value() == plaintext);
    }
  }
}

TEST_CASE("segment cipher round trips a large object with the default segment size",
          "[crypto][segment]") {
  SeededRandom random(uint64_t{2});
  const std::string plaintext = Pattern(3 * kDefaultSegmentSize + 12345);
  Sealed sealed = SealInChunks(kDataKey, plaintext, SegmentOptions{}, random, 10000);
  CHECK(sealed.segments.size() == 4);
  CHECK(sealed.header.size() == 10 + kDefaultObjectIdSize);
  CHECK(OpenSealedObject(kDataKey, sealed.Joined()).value() == plaintext);
}

TEST_CASE("SegmentWriter holds at most one segment and seals a full one only when more comes",
          "[crypto][segment]") {
  SeededRandom random(uint64_t{3});
  size_t emitted = 0;
  auto writer =
      SegmentWriter::Create(kDataKey, Small(), random, [&](uint64_t, std::string_view, bool) {
        ++emitted;
        return Status::Ok();
      });
  REQUIRE(writer.ok());
  REQUIRE(writer->Write(Pattern(16)).ok());
  CHECK(emitted == 0);  // might still be the last segment
  REQUIRE(writer->Write("x").ok());
  CHECK(emitted == 1);
  REQUIRE(writer->Write(Pattern(40)).ok());  // 1 + 40 = 41 buffered/passed: two more full
  CHECK(emitted == 3);
  REQUIRE(writer->Finish().ok());
  CHECK(emitted == 4);
  CHECK(writer->Write("y").code() == StatusCode::kFailedPrecondition);
  CHECK(writer->Finish().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("SegmentWriter's first sink error sticks", "[crypto][segment]") {
  SeededRandom random(uint64_t{4});
  int calls = 0;
  auto writer =
      SegmentWriter::Create(kDataKey, Small(), random, [&](uint64_t, std::string_view, bool) {
        ++calls;
        return Status::IoError("disk full");
      });
  REQUIRE(writer.ok());
  CHECK(writer->Write(Pattern(40)).code() == StatusCode::kIoError);
  CHECK(writer->Write("more").code() == StatusCode::kIoError);
  CHECK(writer->Finish().code() == StatusCode::kIoError);
  CHECK(calls == 1);
}

TEST_CASE("SegmentLayout counts segments and maps byte ranges", "[crypto][segment]") {
  struct CountCase {
    uint64_t size, segments;
  };
  for (const CountCase& c : {CountCase{0, 1}, CountCase{1, 1}, CountCase{16, 1}, CountCase{17, 2},
                             CountCase{32, 2}, CountCase{33, 3}}) {
    INFO("size " << c.size);
    SegmentLayout layout(16, 26, c.size);
    CHECK(layout.segment_count() == c.segments);
    CHECK(layout.sealed_size() == 26 + c.size + 16 * c.segments);
  }

  SegmentLayout layout(16, 26, 40);  // segments: [0,16) [16,32) [32,40)
  struct RangeCase {
    uint64_t offset, length;
    uint64_t first, last, sealed_offset, sealed_length, skip;
  };
  const RangeCase ranges[] = {
      {0, 1, 0, 0, 26, 32, 0},   {0, 16, 0, 0, 26, 32, 0},  {15, 2, 0, 1, 26, 64, 15},
      {16, 16, 1, 1, 58, 32, 0}, {20, 20, 1, 2, 58, 56, 4}, {39, 1, 2, 2, 90, 24, 7},
      {0, 40, 0, 2, 26, 88, 0},
  };
  for (const RangeCase& r : ranges) {
    INFO("range " << r.offset << "+" << r.length);
    auto span = layout.MapRange(r.offset, r.length);
    REQUIRE(span.ok());
    CHECK(span->first_segment == r.first);
    CHECK(span->last_segment == r.last);
    CHECK(span->sealed_offset == r.sealed_offset);
    CHECK(span->sealed_length == r.sealed_length);
    CHECK(span->skip == r.skip);
    CHECK(span->length == r.length);
  }
  for (auto [offset, length] :
       {std::pair<uint64_t, uint64_t>{0, 0}, {0, 41}, {40, 1}, {41, 0}, {39, 2}, {1, UINT64_MAX}}) {
    INFO("bad range " << offset << "+" << length);
    CHECK(layout.MapRange(offset, length).status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(SegmentLayout(16, 26, 0).MapRange(0, 1).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Range reads decrypt only the touched segments and return exact bytes",
          "[crypto][segment]") {
  SeededRandom random(uint64_t{5});
  const std::string plaintext = Pattern(50);
  const std::string sealed = SealObject(kDataKey, plaintext, Small(), random).value();
  auto reader = SegmentReader::Create(kDataKey, sealed.substr(0, 40));  // a prefix suffices
  REQUIRE(reader.ok());
  const SegmentLayout layout = reader->Layout(plaintext.size());
  for (uint64_t offset = 0; offset < plaintext.size(); ++offset) {
    for (uint64_t length = 1; offset + length <= plaintext.size(); ++length) {
      auto span = layout.MapRange(offset, length);
      REQUIRE(span.ok());
      auto got =
          reader->OpenSpan(layout, *span, sealed.substr(span->sealed_offset, span->sealed_length));
      REQUIRE(got.ok());
      REQUIRE(*got == plaintext.substr(offset, length));
    }
  }
  // Metadata claiming a shorter object makes a range's "last" segment disagree: detected.
  const SegmentLayout wrong = reader->Layout(40);
  auto span = wrong.MapRange(32, 8);
  REQUIRE(span.ok());
  CHECK(reader->OpenSpan(wrong, *span, sealed.substr(span->sealed_offset, span->sealed_length))
            .status()
            .code() == StatusCode::kIntegrity);
}

TEST_CASE("OpenSegment checks index, last flag and size", "[crypto][segment]") {
  SeededRandom random(uint64_t{6});
  Sealed sealed = SealInChunks(kDataKey, Pattern(40), Small(), random, 40);
  auto reader = SegmentReader::Create(kDataKey, sealed.header);
  REQUIRE(reader.ok());
  CHECK(reader->OpenSegment(1, sealed.segments[1], false).value() == Pattern(40).substr(16, 16));
  struct Case {
    const char* name;
    uint64_t index;
    std::string sealed;
    bool is_last;
  };
  const Case cases[] = {
      {"wrong index", 0, sealed.segments[1], false},
      {"middle segment claimed last", 1, sealed.segments[1], true},
      {"last segment claimed not last", 2, sealed.segments[2], false},
      {"last segment at wrong index", 1, sealed.segments[2], true},
      {"short non-last segment", 1, sealed.segments[1].substr(1), false},
      {"oversized last segment", 2, sealed.segments[2] + std::string(30, 'x'), true},
      {"shorter than a tag", 2, sealed.segments[2].substr(0, 15), true},
      {"empty last segment after data", 2, std::string(16, '\0'), true},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(reader->OpenSegment(c.index, c.sealed, c.is_last).status().code() ==
          StatusCode::kIntegrity);
  }
}

TEST_CASE("segment cipher detects reordering, truncation, splicing and appending",
          "[crypto][segment]") {
  SeededRandom random(uint64_t{7});
  // Two objects under the SAME data key (the hardest case for splicing), same segment size.
  const Sealed a = SealInChunks(kDataKey, Pattern(40), Small(), random, 40);
  const Sealed b = SealInChunks(kDataKey, Pattern(40), Small(), random, 40);
  const std::string whole = a.Joined();
  REQUIRE(OpenSealedObject(kDataKey, whole).ok());

  auto flip = [&](size_t i) {
    std::string s = whole;
    s[i] ^= 0x01;
    return s;
  };
  const size_t h = a.header.size();
  const std::string& s0 = a.segments[0];
  const std::string& s1 = a.segments[1];
  const std::string& s2 = a.segments[2];
  struct Case {
    const char* name;
    std::string sealed;
    SecretBytes key = kDataKey;
  };
  const Case cases[] = {
      {"bit flip in segment ciphertext", flip(h + 32 + 3)},
      {"bit flip in segment tag", flip(h + 32 + 31)},
      {"bit flip in header magic", flip(0)},
      {"bit flip in header version", flip(4)},
      {"bit flip in header segment size", flip(8)},
      {"bit flip in header object id", flip(12)},
      {"segments 0 and 1 swapped", a.header + s1 + s0 + s2},
      {"segment 1 duplicated over 0", a.header + s1 + s1 + s2},
      {"last segment dropped", a.header + s0 + s1},
      {"first segment dropped", a.header + s1 + s2},
      {"last byte dropped", whole.substr(0, whole.size() - 1)},
      {"truncated mid-segment", whole.substr(0, h + 40)},
      {"truncated to header", a.header},
      {"truncated inside header", a.header.substr(0, 12)},
      {"empty", ""},
      {"last segment appended again", whole + s2},
      {"segment of another object appended", whole + b.segments[0]},
      {"byte appended", whole + "x"},
      {"segment spliced from another object", a.header + s0 + b.segments[1] + s2},
      {"last segment spliced from another object", a.header + s0 + s1 + b.segments[2]},
      {"header of another object", b.header + s0 + s1 + s2},
      {"wrong data key", whole, SecretBytes(std::string(32, 'D'))},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    auto opened = OpenSealedObject(c.key, c.sealed);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == StatusCode::kIntegrity);
  }

  // An empty object is one empty last segment, so cutting it to nothing is detected too.
  const Sealed empty = SealInChunks(kDataKey, "", Small(), random, 1);
  REQUIRE(empty.segments.size() == 1);
  CHECK(OpenSealedObject(kDataKey, empty.Joined()).value().empty());
  CHECK(OpenSealedObject(kDataKey, empty.header).status().code() == StatusCode::kIntegrity);
}

TEST_CASE("caller-provided object ids are stored and bound", "[crypto][segment]") {
  SeededRandom random(uint64_t{8});
  const std::string id = "upload-0123456789abcdef/part-00001";
  const std::string sealed = SealObject(kDataKey, Pattern(20), Small(id), random).value();
  auto reader = SegmentReader::Create(kDataKey, sealed);
  REQUIRE(reader.ok());
  CHECK(reader->object_id() == id);
  CHECK(reader->segment_size() == 16);
  CHECK(OpenSealedObject(kDataKey, sealed).value() == Pattern(20));
  // Same key, same plaintext, different id: different ciphertext (different derived key).
  const std::string other = SealObject(kDataKey, Pattern(20), Small(id + "x"), random).value();
  CHECK(other.substr(other.size() - 20) != sealed.substr(sealed.size() - 20));
}

TEST_CASE("segment cipher rejects bad parameters", "[crypto][segment]") {
  SeededRandom random(uint64_t{9});
  auto sink = [](uint64_t, std::string_view, bool) { return Status::Ok(); };
  struct Case {
    const char* name;
    SecretBytes key;
    SegmentOptions options;
  };
  SegmentOptions tiny_segments, huge_segments;
  tiny_segments.segment_size = 15;
  huge_segments.segment_size = kMaxSegmentSize + 1;
  const Case cases[] = {
      {"short key", SecretBytes(16), SegmentOptions{}},
      {"segment size below minimum", kDataKey, tiny_segments},
      {"segment size above maximum", kDataKey, huge_segments},
      {"object id too short", kDataKey, Small(std::string(15, 'i'))},
      {"object id too long", kDataKey, Small(std::string(256, 'i'))},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(SegmentWriter::Create(c.key, c.options, random, sink).status().code() ==
          StatusCode::kInvalidArgument);
  }
  CHECK(SegmentWriter::Create(kDataKey, Small(), random, nullptr).status().code() ==
        StatusCode::kInvalidArgument);
  const std::string sealed = SealObject(kDataKey, "x", Small(), random).value();
  CHECK(SegmentReader::Create(SecretBytes(31), sealed).status().code() ==
        StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sealstack::crypto
