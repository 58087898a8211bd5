// loopback: TCP throughput over 127.0.0.1 between two trivial C processes, a physical limit for
// the S3 transfers (no HTTP, no crypto, no disk: only the kernel's loopback and two copies).
//
// Usage: loopback [--mb N] [--chunk BYTES] [--reps R]
// A child process listens on 127.0.0.1 (ephemeral port) and accepts one connection per pass:
//   up    the client (parent) writes N MiB in CHUNK-byte write()s (default 256 MiB, 64 KiB); the
//         server reads into a CHUNK-byte buffer and discards; after the client's shutdown(SHUT_WR)
//         and the server's EOF the server sends one byte back, and the client's clock stops on it
//         (so the time covers every byte having been read by the server) -- the PUT direction.
//   down  the server writes N MiB in CHUNK-byte write()s and closes; the client reads into a
//         CHUNK-byte buffer until EOF -- the GET direction.
// Each direction R times (default 3), median MB/s (10^6 bytes/s) printed as one JSON object.
// Socket buffers are the kernel's defaults (autotuning), as the server and curl use them.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static void write_all(int fd, const char* buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0) die("write");
    buf += w;
    n -= (size_t)w;
  }
}

static uint64_t read_to_eof(int fd, char* buf, size_t chunk) {
  uint64_t got = 0;
  for (;;) {
    ssize_t r = read(fd, buf, chunk);
    if (r < 0) die("read");
    if (r == 0) return got;
    got += (uint64_t)r;
  }
}

// Server: for every pass, accept one connection; the first byte from the client says the
// direction ('u' or 'd').
static void serve(int lfd, uint64_t total, size_t chunk, int passes) {
  char* buf = malloc(chunk);
  memset(buf, 0x42, chunk);
  for (int p = 0; p < passes; p++) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) die("accept");
    char dir;
    if (read(fd, &dir, 1) != 1) die("read direction");
    if (dir == 'u') {
      uint64_t got = read_to_eof(fd, buf, chunk);
      char ok = got == total ? 'k' : 'x';
      write_all(fd, &ok, 1);
    } else {
      uint64_t left = total;
      while (left > 0) {
        size_t n = left < chunk ? (size_t)left : chunk;
        write_all(fd, buf, n);
        left -= n;
      }
    }
    close(fd);
  }
  free(buf);
}

static double client(int port, char dir, uint64_t total, size_t chunk, char* buf) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) die("connect");
  double t0 = now_s();
  write_all(fd, &dir, 1);
  if (dir == 'u') {
    uint64_t left = total;
    while (left > 0) {
      size_t n = left < chunk ? (size_t)left : chunk;
      write_all(fd, buf, n);
      left -= n;
    }
    shutdown(fd, SHUT_WR);
    char ok = 0;
    if (read(fd, &ok, 1) != 1 || ok != 'k') {
      fprintf(stderr, "loopback: server did not confirm %llu bytes\n", (unsigned long long)total);
      exit(1);
    }
  } else {
    uint64_t got = read_to_eof(fd, buf, chunk);
    if (got != total) {
      fprintf(stderr, "loopback: read %llu bytes, expected %llu\n", (unsigned long long)got,
              (unsigned long long)total);
      exit(1);
    }
  }
  double t1 = now_s();
  close(fd);
  return (double)total / (t1 - t0) / 1e6;
}

int main(int argc, char** argv) {
  long mb = 256, chunk = 64 << 10;
  int reps = 3;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--mb") && i + 1 < argc) mb = atol(argv[++i]);
    else if (!strcmp(argv[i], "--chunk") && i + 1 < argc) chunk = atol(argv[++i]);
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: loopback [--mb N] [--chunk BYTES] [--reps R]\n");
      return 2;
    }
  }
  if (reps < 1 || reps > 100 || mb < 1 || chunk < 1) return 2;
  uint64_t total = (uint64_t)mb << 20;
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0) die("socket");
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr*)&a, sizeof a) != 0) die("bind");
  if (listen(lfd, 4) != 0) die("listen");
  socklen_t al = sizeof a;
  if (getsockname(lfd, (struct sockaddr*)&a, &al) != 0) die("getsockname");
  int port = ntohs(a.sin_port);
  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    serve(lfd, total, (size_t)chunk, 2 * reps);
    _exit(0);
  }
  close(lfd);
  char* buf = malloc((size_t)chunk);
  memset(buf, 0x61, (size_t)chunk);
  double up[100], down[100];
  for (int r = 0; r < reps; r++) {
    up[r] = client(port, 'u', total, (size_t)chunk, buf);
    down[r] = client(port, 'd', total, (size_t)chunk, buf);
  }
  int st = 0;
  waitpid(child, &st, 0);
  qsort(up, (size_t)reps, sizeof up[0], cmp_double);
  qsort(down, (size_t)reps, sizeof down[0], cmp_double);
  printf("{\"loopback_bytes\": %llu, \"loopback_chunk\": %ld, \"loopback_passes\": %d, "
         "\"loopback_up_mb_s\": %.0f, \"loopback_down_mb_s\": %.0f}\n",
         (unsigned long long)total, chunk, reps, up[reps / 2], down[reps / 2]);
  free(buf);
  return 0;
}
