// memcpy: memory copy bandwidth of one core, a physical limit for the S3 paths (a request body
// is copied from the socket into a buffer, encrypted into another, written out).
//
// Usage: memcpy [--ms N] [--reps R]
// Prints one JSON object: per block size the median GB/s (10^9 bytes/s) of R timed passes of
// about N ms each (default 300 ms, 3 passes):
//   64 KiB   the same 64 KiB source copied into the same 64 KiB destination again and again
//            (both stay in L1/L2: the size of the server's receive fills)
//   1 MiB    the same with 1 MiB blocks (L2/L3)
//   64 MiB   1 MiB blocks walking through a 64 MiB source into a 64 MiB destination (DRAM)
// Bytes counted are bytes copied (read once and written once each).
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_clock.h"

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

// One timed pass: copies `block` bytes at a time, walking `span` bytes (span == block: the
// same block every time), for about `ms` milliseconds. Returns GB/s.
static double pass(unsigned char* dst, const unsigned char* src, size_t block, size_t span, int ms) {
  size_t off = 0;
  uint64_t bytes = 0;
  double t0 = now_s(), t1 = t0, until = t0 + ms / 1000.0;
  while (t1 < until) {
    for (int i = 0; i < 64; i++) {
      memcpy(dst + off, src + off, block);
      // The copy must happen: tell the compiler the destination is read.
      __asm__ volatile("" : : "r"(dst) : "memory");
      bytes += block;
      off += block;
      if (off >= span) off = 0;
    }
    t1 = now_s();
  }
  return (double)bytes / (t1 - t0) / 1e9;
}

int main(int argc, char** argv) {
  int ms = 300, reps = 3;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--ms") && i + 1 < argc) ms = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: memcpy [--ms N] [--reps R]\n");
      return 2;
    }
  }
  if (reps < 1 || reps > 100) reps = 3;
  const size_t big = (size_t)64 << 20;
  unsigned char* src = aligned_alloc(4096, big);
  unsigned char* dst = aligned_alloc(4096, big);
  if (!src || !dst) {
    perror("aligned_alloc");
    return 1;
  }
  memset(src, 0x5a, big);  // touch every page before timing
  memset(dst, 0xa5, big);
  struct {
    const char* name;
    size_t block, span;
  } cases[] = {{"64KiB", 64 << 10, 64 << 10}, {"1MiB", 1 << 20, 1 << 20}, {"64MiB", 1 << 20, big}};
  printf("{\"memcpy_ms_per_pass\": %d, \"memcpy_passes\": %d", ms, reps);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    double r[100];
    pass(dst, src, cases[c].block, cases[c].span, ms / 4 + 1);  // warm-up
    for (int i = 0; i < reps; i++) r[i] = pass(dst, src, cases[c].block, cases[c].span, ms);
    qsort(r, (size_t)reps, sizeof r[0], cmp_double);
    printf(", \"memcpy_%s_gb_s\": %.2f", cases[c].name, r[reps / 2]);
  }
  printf("}\n");
  free(src);
  free(dst);
  return 0;
}
