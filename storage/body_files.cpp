#include "storage/body_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <vector>

namespace sealstack::storage {

namespace {

constexpr int kFanOut = 256;
constexpr char kSuffix[] = ".seg";

Status ErrnoStatus(const std::string& what, int err) {
  return Status::IoError(what + ": " + std::strerror(err));
}

std::string FanOutName(int64_t object_id) {
  char name[3];
  std::snprintf(name, sizeof(name), "%02x", static_cast<unsigned>(object_id % kFanOut));
  return name;
}

Status MakeDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return Status::Ok();
  return ErrnoStatus("mkdir " + path, errno);
}

// "<digits>.seg" -> id; anything else -> -1.
int64_t IdFromName(const char* name) {
  const size_t n = std::strlen(name);
  const size_t suffix = sizeof(kSuffix) - 1;
  if (n <= suffix || n > suffix + 18 || std::strcmp(name + n - suffix, kSuffix) != 0) return -1;
  int64_t id = 0;
  for (size_t i = 0; i < n - suffix; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    id = id * 10 + (name[i] - '0');
  }
  return id;
}

}  // namespace

// ---- Writer ----

Status BodyFiles::Writer::Append(std::span<const std::string> pieces) {
  if (fd_.get() < 0) return Status::FailedPrecondition("body file is closed");
  std::vector<iovec> iov;
  iov.reserve(pieces.size());
  for (const std::string& piece : pieces) {
    if (!piece.empty()) iov.push_back({const_cast<char*>(piece.data()), piece.size()});
  }
  size_t next = 0;
  while (next < iov.size()) {
    const int count = static_cast<int>(std::min<size_t>(iov.size() - next, IOV_MAX));
    const ssize_t n = ::writev(fd_.get(), iov.data() + next, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("writing a body file", errno);
    }
    // Skip what was written: whole pieces, then the written part of the next one.
    size_t written = static_cast<size_t>(n);
    while (next < iov.size() && written >= iov[next].iov_len) written -= iov[next++].iov_len;
    if (written > 0) {
      iov[next].iov_base = static_cast<char*>(iov[next].iov_base) + written;
      iov[next].iov_len -= written;
    }
  }
  return Status::Ok();
}

Status BodyFiles::Writer::Close() {
  const int fd = fd_.Release();
  if (fd < 0) return Status::Ok();
  if (::close(fd) != 0 && errno != EINTR) return ErrnoStatus("closing a body file", errno);
  return Status::Ok();
}

// ---- Reader ----

Status BodyFiles::Reader::ReadAt(uint64_t offset, size_t length, std::string* out) const {
  out->resize(length);
  size_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(fd_.get(), out->data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("reading a body file", errno);
    }
    if (n == 0) {
      return Status::Integrity("body file ends at " + std::to_string(offset + done) +
                               " bytes; expected at least " + std::to_string(offset + length));
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// ---- BodyFiles ----

Result<std::unique_ptr<BodyFiles>> BodyFiles::Open(const std::string& dir) {
  SEALSTACK_RETURN_IF_ERROR(MakeDirectory(dir));
  for (int i = 0; i < kFanOut; ++i) {
    SEALSTACK_RETURN_IF_ERROR(MakeDirectory(dir + "/" + FanOutName(i)));
  }
  return std::unique_ptr<BodyFiles>(new BodyFiles(dir));
}

std::string BodyFiles::PathOf(int64_t object_id) const {
  return dir_ + "/" + FanOutName(object_id) + "/" + std::to_string(object_id) + kSuffix;
}

Result<BodyFiles::Writer> BodyFiles::Create(int64_t object_id) const {
  const std::string path = PathOf(object_id);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists("body file exists: " + path);
    return ErrnoStatus("creating " + path, errno);
  }
  return Writer(fd);
}

Result<BodyFiles::Reader> BodyFiles::OpenForRead(int64_t object_id) const {
  const std::string path = PathOf(object_id);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no body file " + path);
    return ErrnoStatus("opening " + path, errno);
  }
  return Reader(fd);
}

Status BodyFiles::Remove(int64_t object_id) const {
  const std::string path = PathOf(object_id);
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return Status::Ok();
  return ErrnoStatus("removing " + path, errno);
}

Status BodyFiles::ForEach(const std::function<Status(int64_t object_id)>& fn) const {
  for (int i = 0; i < kFanOut; ++i) {
    const std::string sub = dir_ + "/" + FanOutName(i);
    DIR* d = ::opendir(sub.c_str());
    if (d == nullptr) {
      if (errno == ENOENT) continue;
      return ErrnoStatus("listing " + sub, errno);
    }
    // Collect first: fn may remove files, which must not disturb readdir.
    std::vector<int64_t> ids;
    while (const dirent* entry = ::readdir(d)) {
      const int64_t id = IdFromName(entry->d_name);
      if (id >= 0) ids.push_back(id);
    }
    ::closedir(d);
    for (int64_t id : ids) SEALSTACK_RETURN_IF_ERROR(fn(id));
  }
  return Status::Ok();
}

}  // namespace sealstack::storage
