#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/digest.h"
#include "crypto/random.h"
#include "crypto/root_key.h"
#include "tests/unit/test_util.h"

namespace sealstack::crypto {
namespace {

namespace fs = std::filesystem;

void WriteFile(const std::string& path, std::string_view content, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string kKeyBase64 = Base64(std::string(32, 'k'));

TEST_CASE("RootKeyFromBase64 accepts exactly the padded base64 of 32 bytes", "[crypto][root_key]") {
  auto key = RootKeyFromBase64(kKeyBase64);
  REQUIRE(key.ok());
  CHECK(key->Reveal() == std::string(32, 'k'));

  const std::string bad[] = {
      "",
      Base64(std::string(31, 'k')),
      Base64(std::string(33, 'k')),
      Base64(std::string(16, 'k')),
      kKeyBase64 + "\n",
      " " + kKeyBase64,
      kKeyBase64.substr(0, 43),
      std::string(32, 'k'),  // raw bytes, not base64
      Hex(std::string(32, 'k')),
  };
  for (const std::string& value : bad) {
    INFO("'" << value << "'");
    auto result = RootKeyFromBase64(value);
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == StatusCode::kInvalidArgument);
    // The message names the variable and never echoes the value.
    CHECK(result.status().message().find("SEALSTACK_ROOT_KEY") != std::string::npos);
    if (!value.empty()) CHECK(result.status().message().find(value) == std::string::npos);
  }
}

TEST_CASE("root.key is created 0600 on first start and read back afterwards",
          "[crypto][root_key]") {
  TempDir dir{"sealstack-root-key"};
  SeededRandom random(uint64_t{1});
  auto created = LoadOrCreateRootKeyFile(dir.path(), random);
  REQUIRE(created.ok());
  CHECK(created->size() == kRootKeySize);

  struct stat st;
  REQUIRE(::stat(dir.File("root.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  // File format: base64 of the key and one newline.
  CHECK(ReadFile(dir.File("root.key")) == Base64(created->view()) + "\n");

  SeededRandom other(uint64_t{2});
  auto loaded = LoadOrCreateRootKeyFile(dir.path(), other);
  REQUIRE(loaded.ok());
  CHECK(loaded->Reveal() == created->Reveal());
}

TEST_CASE("a hand-written root.key with or without newline is accepted", "[crypto][root_key]") {
  for (const std::string& content : {kKeyBase64, kKeyBase64 + "\n"}) {
    TempDir dir{"sealstack-root-key"};
    WriteFile(dir.File("root.key"), content, 0600);
    SeededRandom random(uint64_t{1});
    auto key = LoadOrCreateRootKeyFile(dir.path(), random);
    REQUIRE(key.ok());
    CHECK(key->Reveal() == std::string(32, 'k'));
  }
  TempDir dir{"sealstack-root-key"};  // 0400 (read-only for the owner) is fine too
  WriteFile(dir.File("root.key"), kKeyBase64, 0400);
  SeededRandom random(uint64_t{1});
  CHECK(LoadOrCreateRootKeyFile(dir.path(), random).ok());
}

TEST_CASE("root.key readable by group or others is refused", "[crypto][root_key]") {
  for (mode_t mode : {0640, 0604, 0644, 0660, 0606, 0610, 0601, 0777}) {
    INFO("mode " << std::oct << mode);
    TempDir dir{"sealstack-root-key"};
    WriteFile(dir.File("root.key"), kKeyBase64, mode);
    SeededRandom random(uint64_t{1});
    auto key = LoadOrCreateRootKeyFile(dir.path(), random);
    REQUIRE_FALSE(key.ok());
    CHECK(key.status().code() == StatusCode::kFailedPrecondition);
    CHECK(key.status().message().find("chmod 600") != std::string::npos);
    CHECK(ReadFile(dir.File("root.key")) == kKeyBase64);  // left alone
  }
}

TEST_CASE("root.key with the wrong content is refused", "[crypto][root_key]") {
  const std::string bad[] = {
      "",
      std::string(32, 'k'),  // raw bytes: not the documented format
      Base64(std::string(31, 'k')),
      Base64(std::string(33, 'k')),
      kKeyBase64 + "\n\n",
      kKeyBase64 + "\r\n",
      " " + kKeyBase64,
      std::string(1000, 'A'),
  };
  for (const std::string& content : bad) {
    INFO("content size " << content.size());
    TempDir dir{"sealstack-root-key"};
    WriteFile(dir.File("root.key"), content, 0600);
    SeededRandom random(uint64_t{1});
    auto key = LoadOrCreateRootKeyFile(dir.path(), random);
    REQUIRE_FALSE(key.ok());
    CHECK(key.status().code() == StatusCode::kFailedPrecondition);
    CHECK(key.status().message().find("root.key") != std::string::npos);
  }
}

TEST_CASE("root.key that is a symlink or a directory is refused", "[crypto][root_key]") {
  SeededRandom random(uint64_t{1});
  {
    TempDir dir{"sealstack-root-key"};
    WriteFile(dir.path() + "/elsewhere", kKeyBase64, 0600);
    fs::create_symlink(dir.path() + "/elsewhere", dir.File("root.key"));
    CHECK(LoadOrCreateRootKeyFile(dir.path(), random).status().code() ==
          StatusCode::kFailedPrecondition);
  }
  {
    TempDir dir{
        "sealstack-root-key"};  // dangling symlink: must not be followed to create a file elsewhere
    fs::create_symlink(dir.path() + "/target", dir.File("root.key"));
    CHECK_FALSE(LoadOrCreateRootKeyFile(dir.path(), random).ok());
    CHECK_FALSE(fs::exists(dir.path() + "/target"));
  }
  {
    TempDir dir{"sealstack-root-key"};
    fs::create_directory(dir.File("root.key"));
    ::chmod(dir.File("root.key").c_str(), 0700);
    CHECK(LoadOrCreateRootKeyFile(dir.path(), random).status().code() ==
          StatusCode::kFailedPrecondition);
  }
}

TEST_CASE("a missing data directory is an I/O error", "[crypto][root_key]") {
  TempDir dir{"sealstack-root-key"};
  SeededRandom random(uint64_t{1});
  CHECK(LoadOrCreateRootKeyFile(dir.path() + "/missing", random).status().code() ==
        StatusCode::kIoError);
}

TEST_CASE("ephemeral root keys are random and 32 bytes", "[crypto][root_key]") {
  auto a = EphemeralRootKey(SystemRandom::Default());
  auto b = EphemeralRootKey(SystemRandom::Default());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->size() == kRootKeySize);
  CHECK(a->Reveal() != b->Reveal());
}

}  // namespace
}  // namespace sealstack::crypto
