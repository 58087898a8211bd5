// filebench: raw file I/O of the data directory's file system, a physical limit for the
// data-dir S3 figures.
//
// Usage: filebench DIR [--mb N] [--chunk BYTES] [--syncs K]
// In DIR (a fresh directory; the files are removed after):
//   write       N MiB (default 256) in CHUNK-byte write()s (default 64 KiB) into a new file:
//               MB/s into the page cache (no sync)
//   fsync       then one fsync() of that file: its seconds, and N MiB / (write + fsync) = what the
//               disk sustains
//   read cold   the file's pages dropped with posix_fadvise(POSIX_FADV_DONTNEED) after the fsync
//               (clean pages are evicted; no root or /proc/sys/vm/drop_caches needed), then read
//               back in CHUNK-byte read()s: MB/s from the disk. "read_cold_resident_pct" is how much
//               of the file was still in the page cache after the fadvise (mincore), 0 if it worked.
//   read warm   read back again (now in the page cache): MB/s from memory
//   4k fsync    K times (default 100) pwrite() of 4 KiB at the end of a new file + fsync():
//               median, p90 and max latency in µs (the cost of one durable small commit)
// MB = 10^6 bytes. Prints one JSON object.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static uint64_t read_all(const char* path, char* buf, size_t chunk) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open for read");
  uint64_t got = 0;
  for (;;) {
    ssize_t r = read(fd, buf, chunk);
    if (r < 0) die("read");
    if (r == 0) break;
    got += (uint64_t)r;
  }
  close(fd);
  return got;
}

// Percentage of the file's pages resident in the page cache.
static double resident_pct(const char* path, uint64_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  void* m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (m == MAP_FAILED) return -1;
  long page = sysconf(_SC_PAGESIZE);
  size_t pages = (size + (uint64_t)page - 1) / (uint64_t)page;
  unsigned char* vec = malloc(pages);
  double pct = -1;
  if (vec && mincore(m, size, vec) == 0) {
    size_t in = 0;
    for (size_t i = 0; i < pages; i++) in += vec[i] & 1;
    pct = 100.0 * (double)in / (double)pages;
  }
  free(vec);
  munmap(m, size);
  return pct;
}

int main(int argc, char** argv) {
  const char* dir = NULL;
  long mb = 256, chunk = 64 << 10;
  int syncs = 100;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--mb") && i + 1 < argc) mb = atol(argv[++i]);
    else if (!strcmp(argv[i], "--chunk") && i + 1 < argc) chunk = atol(argv[++i]);
    else if (!strcmp(argv[i], "--syncs") && i + 1 < argc) syncs = atoi(argv[++i]);
    else if (!dir && argv[i][0] != '-') dir = argv[i];
    else {
      fprintf(stderr, "usage: filebench DIR [--mb N] [--chunk BYTES] [--syncs K]\n");
      return 2;
    }
  }
  if (!dir || mb < 1 || chunk < 4096 || syncs < 1) {
    fprintf(stderr, "usage: filebench DIR [--mb N] [--chunk BYTES] [--syncs K]\n");
    return 2;
  }
  char path[4096], spath[4096];
  snprintf(path, sizeof path, "%s/filebench.dat", dir);
  snprintf(spath, sizeof spath, "%s/filebench.sync", dir);
  uint64_t total = (uint64_t)mb << 20;
  char* buf = aligned_alloc(4096, (size_t)chunk);
  if (!buf) die("alloc");
  for (long i = 0; i < chunk; i++) buf[i] = (char)(i * 131 + 7);  // not zeros: no sparse tricks

  // write, then fsync
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) die("open for write");
  double t0 = now_s();
  for (uint64_t left = total; left > 0;) {
    size_t n = left < (uint64_t)chunk ? (size_t)left : (size_t)chunk;
    ssize_t w = write(fd, buf, n);
    if (w < 0) die("write");
    left -= (uint64_t)w;
  }
  double t1 = now_s();
  if (fsync(fd) != 0) die("fsync");
  double t2 = now_s();
  close(fd);

  // read cold (pages dropped), then warm
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open");
  int adv = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  close(fd);
  double cold_resident = resident_pct(path, total);
  double t3 = now_s();
  uint64_t got = read_all(path, buf, (size_t)chunk);
  double t4 = now_s();
  uint64_t got2 = read_all(path, buf, (size_t)chunk);
  double t5 = now_s();
  if (got != total || got2 != total) {
    fprintf(stderr, "filebench: read %llu / %llu bytes, expected %llu\n", (unsigned long long)got,
            (unsigned long long)got2, (unsigned long long)total);
    return 1;
  }
  unlink(path);

  // 4 KiB append + fsync latency
  double* lat = malloc(sizeof(double) * (size_t)syncs);
  fd = open(spath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) die("open sync file");
  for (int i = 0; i < syncs; i++) {
    double a = now_s();
    if (pwrite(fd, buf, 4096, (off_t)i * 4096) != 4096) die("pwrite");
    if (fsync(fd) != 0) die("fsync");
    lat[i] = (now_s() - a) * 1e6;
  }
  close(fd);
  unlink(spath);
  qsort(lat, (size_t)syncs, sizeof lat[0], cmp_double);

  printf("{\"file_bytes\": %llu, \"file_chunk\": %ld, \"file_write_mb_s\": %.0f, "
         "\"file_fsync_s\": %.3f, \"file_write_fsync_mb_s\": %.0f, \"file_read_cold_mb_s\": %.0f, "
         "\"file_read_cold_resident_pct\": %.1f, \"file_fadvise_rc\": %d, \"file_read_warm_mb_s\": %.0f, "
         "\"fsync4k_n\": %d, \"fsync4k_median_us\": %.0f, \"fsync4k_p90_us\": %.0f, "
         "\"fsync4k_max_us\": %.0f}\n",
         (unsigned long long)total, chunk, (double)total / (t1 - t0) / 1e6, t2 - t1,
         (double)total / (t2 - t0) / 1e6, (double)total / (t4 - t3) / 1e6, cold_resident, adv,
         (double)total / (t5 - t4) / 1e6, syncs, lat[syncs / 2], lat[(syncs * 9) / 10],
         lat[syncs - 1]);
  free(lat);
  free(buf);
  return 0;
}
