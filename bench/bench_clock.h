// The helpers the limit probes (memcpy.c, loopback.c, filebench.c) share: a monotonic clock in
// seconds and a fatal error that names the failed call and errno's text.
#ifndef SEALSTACK_BENCH_CLOCK_H
#define SEALSTACK_BENCH_CLOCK_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void die(const char* what) {
  perror(what);
  exit(1);
}

#endif
