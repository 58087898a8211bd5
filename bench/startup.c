// startup: spawn a server N times and time, with CLOCK_MONOTONIC,
//   - start -> the ready line on its stdout/stderr (e.g. "Ready. endpoint=http://127.0.0.1:PORT"),
//   - start -> the first HTTP 2xx on a health path (tight loop of connect attempts),
// and optionally VmRSS/VmHWM/Threads from /proc/PID/status some time after the ready line.
//
// One line per start on stdout, tab separated:
//   iter  ready_us  health_us  vmrss_kb  vmhwm_kb  threads  exit_us  rssanon_kb  rssfile_kb  pss_kb
// (ready_us is -1 when no ready pattern is given; memory columns are -1 without --rss-after-ms;
// exit_us is SIGTERM -> reaped.)
//
// Usage:
//   startup -n N [--ready PATTERN] [--port N] [--health PATH] [--interval-us N]
//           [--rss-after-ms N] [--stderr] [--timeout-ms N] -- COMMAND ARGS...
// Any argument equal to {DIR} is replaced by a fresh temporary directory per start (removed
// afterwards). Without --port the port is parsed from "127.0.0.1:PORT" in the ready line, so
// the health poll can only begin after the ready line (the server picks its port).
// With --port the health poll starts right after spawn, concurrently with reading output.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char* msg) {
  fprintf(stderr, "startup: %s: %s\n", msg, strerror(errno));
  exit(1);
}

// One blocking attempt: connect, send GET, read the status line. 1 = 2xx, 0 = not yet.
// (2xx rather than 200: moto's cheapest endpoint, GET /moto-api/config, answers 201.)
static int health_once(int port, const char* path) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr*)&a, sizeof a) != 0) {
    close(fd);
    return 0;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char req[512];
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n", path,
                   port);
  if (write(fd, req, (size_t)n) != n) {
    close(fd);
    return 0;
  }
  struct timeval tv = {5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[64];
  size_t got = 0;
  while (got < 12) {
    ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  buf[got] = 0;
  return got >= 12 && strncmp(buf, "HTTP/1.", 7) == 0 && buf[9] == '2';
}

struct mem {
  long rss, hwm, threads, anon, file, pss;
};

static void read_status(pid_t pid, struct mem* m) {
  char path[64], line[256];
  m->rss = m->hwm = m->threads = m->anon = m->file = m->pss = -1;
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE* f = fopen(path, "r");
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "VmRSS:", 6)) m->rss = atol(line + 6);
    else if (!strncmp(line, "VmHWM:", 6)) m->hwm = atol(line + 6);
    else if (!strncmp(line, "RssAnon:", 8)) m->anon = atol(line + 8);
    else if (!strncmp(line, "RssFile:", 8)) m->file = atol(line + 8);
    else if (!strncmp(line, "Threads:", 8)) m->threads = atol(line + 8);
  }
  fclose(f);
  // Pss: shared library pages divided among the processes that map them.
  snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
  f = fopen(path, "r");
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "Pss:", 4)) m->pss = atol(line + 4);
  }
  fclose(f);
}

static void rm_rf(const char* dir) {
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "startup: cannot remove %s\n", dir);
}

int main(int argc, char** argv) {
  int n = 20, fixed_port = 0, rss_after_ms = -1, merge_stderr = 0;
  long interval_us = 0, timeout_ms = 30000;
  const char* ready = NULL;
  const char* health = "/_sealstack/health";
  int i = 1;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--")) { i++; break; }
    if (i + 1 >= argc && strcmp(argv[i], "--stderr")) { fprintf(stderr, "startup: bad args\n"); return 2; }
    if (!strcmp(argv[i], "-n")) n = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--ready")) ready = argv[++i];
    else if (!strcmp(argv[i], "--port")) fixed_port = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--health")) health = argv[++i];
    else if (!strcmp(argv[i], "--interval-us")) interval_us = atol(argv[++i]);
    else if (!strcmp(argv[i], "--rss-after-ms")) rss_after_ms = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--timeout-ms")) timeout_ms = atol(argv[++i]);
    else if (!strcmp(argv[i], "--stderr")) merge_stderr = 1;
    else { fprintf(stderr, "startup: unknown option %s\n", argv[i]); return 2; }
  }
  if (i >= argc) { fprintf(stderr, "startup: no command\n"); return 2; }
  int cmd_argc = argc - i;
  char** cmd = calloc((size_t)cmd_argc + 1, sizeof *cmd);
  signal(SIGPIPE, SIG_IGN);
  printf("iter\tready_us\thealth_us\tvmrss_kb\tvmhwm_kb\tthreads\texit_us\trssanon_kb\trssfile_kb\tpss_kb\n");
  fflush(stdout);

  for (int it = 0; it < n; it++) {
    char dir[64] = "";
    for (int k = 0; k < cmd_argc; k++) {
      cmd[k] = argv[i + k];
      if (!strcmp(cmd[k], "{DIR}")) {
        if (!dir[0]) {
          strcpy(dir, "/tmp/sealstack-bench-XXXXXX");
          if (!mkdtemp(dir)) die("mkdtemp");
          // The server creates the data dir itself: start from a dir that does not exist.
          strcat(dir, "/data");
        }
        cmd[k] = dir;
      }
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) die("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    if (merge_stderr) posix_spawn_file_actions_adddup2(&fa, p[1], 2);
    else posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int64_t t0 = now_ns();
    if (posix_spawn(&pid, cmd[0], &fa, NULL, cmd, environ) != 0) die("posix_spawn");
    close(p[1]);
    posix_spawn_file_actions_destroy(&fa);
    fcntl(p[0], F_SETFL, O_NONBLOCK);

    static char out[8192];
    size_t outlen = 0;
    out[0] = 0;
    int64_t t_ready = -1, t_health = -1;
    int port = fixed_port, eof = 0;
    int64_t deadline = t0 + timeout_ms * 1000000LL;
    while (t_health < 0 || (ready && t_ready < 0 && !eof)) {
      // Drain whatever output there is (non-blocking); look for the ready pattern.
      if (!eof) {
        for (;;) {
          if (outlen >= sizeof out - 1) outlen = 0;  // only the start matters
          ssize_t r = read(p[0], out + outlen, sizeof out - 1 - outlen);
          if (r > 0) {
            outlen += (size_t)r;
            out[outlen] = 0;
            continue;
          }
          if (r == 0) eof = 1;
          break;
        }
        if (ready && t_ready < 0 && strstr(out, ready)) {
          t_ready = now_ns();
          if (!port) {
            char* e = strstr(out, "127.0.0.1:");
            if (e) port = atoi(e + 10);
          }
        }
      }
      if (port && t_health < 0) {
        if (health_once(port, health)) t_health = now_ns();
      } else if (!port && !eof) {
        // Waiting for the ready line to learn the port: block on the pipe.
        struct pollfd pf = {p[0], POLLIN, 0};
        poll(&pf, 1, 100);
      }
      if (eof && (t_health < 0 || (ready && t_ready < 0)) && waitpid(pid, NULL, WNOHANG) == pid) {
        fprintf(stderr, "startup: server exited early; output:\n%s\n", out);
        return 1;
      }
      if (now_ns() > deadline) {
        fprintf(stderr, "startup: timeout; output so far:\n%s\n", out);
        kill(pid, SIGKILL);
        return 1;
      }
      if (interval_us > 0 && t_health < 0) usleep((useconds_t)interval_us);
    }
    struct mem m = {-1, -1, -1, -1, -1, -1};
    if (rss_after_ms >= 0) {
      int64_t ref = t_ready >= 0 ? t_ready : t_health;
      int64_t wait_ns = ref + rss_after_ms * 1000000LL - now_ns();
      if (wait_ns > 0) {
        struct timespec ts = {wait_ns / 1000000000LL, wait_ns % 1000000000LL};
        nanosleep(&ts, NULL);
      }
      read_status(pid, &m);
    }
    int64_t t_kill = now_ns();
    kill(pid, SIGTERM);
    // Keep draining output so the server never blocks on a full pipe while exiting.
    int status = 0;
    for (;;) {
      pid_t w = waitpid(pid, &status, WNOHANG);
      if (w == pid) break;
      char sink[4096];
      if (read(p[0], sink, sizeof sink) <= 0) usleep(200);
      if (now_ns() - t_kill > 10000000000LL) { kill(pid, SIGKILL); }
    }
    int64_t t_exit = now_ns();
    close(p[0]);
    if (dir[0]) {
      dir[strlen(dir) - 5] = 0;  // strip "/data"
      rm_rf(dir);
    }
    printf("%d\t%lld\t%lld\t%ld\t%ld\t%ld\t%lld\t%ld\t%ld\t%ld\n", it,
           t_ready >= 0 ? (long long)((t_ready - t0) / 1000) : -1LL,
           (long long)((t_health - t0) / 1000), m.rss, m.hwm, m.threads,
           (long long)((t_exit - t_kill) / 1000), m.anon, m.file, m.pss);
    fflush(stdout);
  }
  return 0;
}
