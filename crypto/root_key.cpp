#include "crypto/root_key.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cstdio>
#include <cstring>
#include <optional>

#include "common/unique_fd.h"
#include "crypto/digest.h"

namespace sealstack::crypto {

namespace {

constexpr size_t kEncodedSize = 44;  // base64 of 32 bytes, padded
constexpr size_t kMaxFileSize = 64;  // anything bigger is certainly not a root key file

// A std::string that held key material: wipe it before it goes.
struct WipedString {
  std::string s;
  ~WipedString() {
    if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  }
};

std::string ErrnoText(int err) {
  return std::strerror(err);
}

std::optional<SecretBytes> Decode(std::string_view text) {
  if (text.size() != kEncodedSize) return std::nullopt;
  std::optional<std::string> raw = FromBase64(text);
  if (!raw) return std::nullopt;
  WipedString wiped{std::move(*raw)};
  if (wiped.s.size() != kRootKeySize) return std::nullopt;
  return SecretBytes(wiped.s);
}

Result<SecretBytes> ReadKeyFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    int err = errno;
    if (err == ELOOP) {
      return Status::FailedPrecondition(path +
                                        " is a symbolic link; refusing to use it as the "
                                        "root key");
    }
    return Status::IoError("cannot open " + path + ": " + ErrnoText(err));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Status::IoError("cannot stat " + path);
  if (!S_ISREG(st.st_mode)) {
    return Status::FailedPrecondition(path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::FailedPrecondition(path + " has mode " + mode +
                                      "; the root key must not be accessible to group or "
                                      "others (chmod 600 " +
                                      path + ")");
  }
  WipedString content;
  content.s.resize(kMaxFileSize + 1);
  size_t got = 0;
  while (got < content.s.size()) {
    ssize_t n = ::read(fd.get(), content.s.data() + got, content.s.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("cannot read " + path + ": " + ErrnoText(errno));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  std::string_view text(content.s.data(), got);
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::optional<SecretBytes> key = Decode(text);
  if (!key) {
    return Status::FailedPrecondition(
        path +
        " is not a root key file: expected the base64 of 32 bytes (44 characters, "
        "optionally one trailing newline), found " +
        std::to_string(got) + " bytes");
  }
  return std::move(*key);
}

// Returns AlreadyExists if the file is already there (someone else may have just created it).
Status CreateKeyFile(const std::string& data_dir, const std::string& path, const SecretBytes& key) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    int err = errno;
    if (err == EEXIST) return Status::AlreadyExists(path);
    return Status::IoError("cannot create " + path + ": " + ErrnoText(err));
  }
  WipedString content{Base64(key.view()) + "\n"};
  Status s;
  if (::fchmod(fd.get(), 0600) != 0) s = Status::IoError("cannot chmod " + path);
  size_t done = 0;
  while (s.ok() && done < content.s.size()) {
    ssize_t n = ::write(fd.get(), content.s.data() + done, content.s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      s = Status::IoError("cannot write " + path + ": " + ErrnoText(errno));
    else
      done += static_cast<size_t>(n);
  }
  if (s.ok() && ::fsync(fd.get()) != 0) s = Status::IoError("cannot fsync " + path);
  if (::close(fd.Release()) != 0 && s.ok()) s = Status::IoError("cannot close " + path);
  if (!s.ok()) {
    ::unlink(path.c_str());
    return s;
  }
  // Make the new directory entry durable too; failure here is not fatal to correctness.
  int dir = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

}  // namespace

Result<SecretBytes> RootKeyFromBase64(std::string_view value) {
  std::optional<SecretBytes> key = Decode(value);
  if (!key) {
    return Status::InvalidArgument(
        "SEALSTACK_ROOT_KEY must be the standard base64 (padded) of exactly 32 bytes: "
        "44 characters, got " +
        std::to_string(value.size()));
  }
  return std::move(*key);
}

Result<SecretBytes> LoadOrCreateRootKeyFile(const std::string& data_dir, RandomSource& random) {
  struct stat st;
  if (::stat(data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::IoError("data directory " + data_dir + " does not exist");
  }
  const std::string path = data_dir + "/" + kRootKeyFileName;
  if (::access(path.c_str(), F_OK) == 0 || errno != ENOENT) return ReadKeyFile(path);

  SEALSTACK_ASSIGN_OR_RETURN(SecretBytes key, random.Secret(kRootKeySize));
  Status created = CreateKeyFile(data_dir, path, key);
  if (created.code() == StatusCode::kAlreadyExists) return ReadKeyFile(path);  // lost a race
  SEALSTACK_RETURN_IF_ERROR(created);
  return key;
}

Result<SecretBytes> EphemeralRootKey(RandomSource& random) {
  return random.Secret(kRootKeySize);
}

}  // namespace sealstack::crypto
