// BodyFiles: the sealed segments of large S3 bodies as plain files, one file per body, when
// SealStack runs on a data directory. (Bodies that fit in one write batch -- 256 KiB by default
// -- and all bodies in memory stay rows of s3_object_segments: a file per small object halved
// the 4 KiB PUT rate.)
//
// Why files: a body is written once, sequentially, and read back in large ranges. Through
// SQLite every byte was written twice (WAL, then the checkpoint into the database file) in 4 KiB
// overflow pages and read back page by page; 1 GiB PUTs ran at the raw blob-insert speed of the
// disk (~145 MB/s here). A file takes one writev per batch of segments and one pread per batch
// on the way out. The rows that say which body belongs to which object stay in SQLite, so
// visibility and atomic replacement are still a single transaction (storage/s3_repo.h).
//
// Layout: <dir>/<xx>/<object_id>.seg, xx = two hex digits of object_id mod 256 (so no directory
// grows past a few thousand entries). The file holds the body's sealed segments back to back,
// segment k at offset k * (segment_size + GCM tag): no header (the segment header lives in the
// extent row) and nothing in clear -- every byte is ciphertext or a GCM tag. Files are 0600.
//
// Lifecycle (api/s3/object_store.cpp drives it): a body's pending row commits, then Create makes
// its file; Append writes segments as the upload streams; the object row commits after Close.
// Whoever frees a body (replace, delete, abort...) records its id in s3_freed_bodies in the same
// transaction; the store removes the file afterwards. A file whose id no row owns is garbage:
// ids are never reused and ownership never comes back, so the start-up sweep may delete it.
//
// Durability: files are not fsync'ed, like the database itself (synchronous=NORMAL): a process
// crash loses nothing acknowledged (the page cache survives it); a power loss may lose recent
// bodies, which then read as integrity errors, never as wrong data.
//
// Thread safety: a BodyFiles object is safe for concurrent use; a Writer or Reader belongs to one
// thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "common/result.h"
#include "common/status.h"
#include "common/unique_fd.h"

namespace sealstack::storage {

class BodyFiles {
 public:
  // A body file being written: append-only, closed by Close or the destructor.
  class Writer {
   public:
    // Appends the pieces in order (one writev where the kernel takes it whole). kIoError on
    // failure (ENOSPC...): the file is then unusable and the body must be discarded.
    Status Append(std::span<const std::string> pieces);
    // Closes the file; kIoError if the kernel reports a late write error.
    Status Close();

   private:
    friend class BodyFiles;
    explicit Writer(int fd) : fd_(fd) {}
    UniqueFd fd_;  // move-only, so Writer and Reader are
  };

  // An open body file for reading; stays readable even if the body is freed meanwhile.
  class Reader {
   public:
    // Reads exactly `length` bytes at `offset` into *out (resized to length). kIntegrity if the
    // file ends before (a truncated body), kIoError on a read error.
    Status ReadAt(uint64_t offset, size_t length, std::string* out) const;

   private:
    friend class BodyFiles;
    explicit Reader(int fd) : fd_(fd) {}
    UniqueFd fd_;  // move-only, so Writer and Reader are
  };

  // Uses (creating if needed, mode 0700) `dir` and its fan-out subdirectories.
  static Result<std::unique_ptr<BodyFiles>> Open(const std::string& dir);

  // A new, empty file for object_id. kAlreadyExists if there is one (ids are never reused, so
  // that is a bug or a foreign file).
  Result<Writer> Create(int64_t object_id) const;
  // kNotFound if object_id has no file.
  Result<Reader> OpenForRead(int64_t object_id) const;
  // Removes object_id's file; OK if there is none.
  Status Remove(int64_t object_id) const;
  // Calls fn with the id of every body file (in no particular order); files whose names are not
  // <id>.seg are skipped. Stops at and returns fn's first error.
  Status ForEach(const std::function<Status(int64_t object_id)>& fn) const;

  std::string PathOf(int64_t object_id) const;
  const std::string& dir() const { return dir_; }

 private:
  explicit BodyFiles(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace sealstack::storage
