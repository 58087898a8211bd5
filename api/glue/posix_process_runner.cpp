// The ProcessRunner of the server: posix_spawn, each child the leader of its own process group
// (so a stop or a timeout ends everything the script started), output read through one pipe.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "api/glue/process_runner.h"

namespace sealstack::api::glue {

namespace {

class PosixProcess : public Process {
 public:
  PosixProcess(pid_t pid, int out_fd)
      : pid_(pid),
        out_fd_(out_fd),
        // The child's exit wakes Poll through a pidfd (no sleep between exit and the end of the
        // run). Without pidfd_open (kernel < 5.3) Poll looks at waitid every 10 ms instead.
        pidfd_(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))) {}

  ~PosixProcess() override {
    if (!reaped_) {
      std::string ignored;
      (void)Reap(&ignored);
    }
  }

  bool Poll(std::chrono::milliseconds wait, std::string* output) override {
    pollfd p[2];
    nfds_t n = 0;
    if (open_) p[n++] = {out_fd_, POLLIN, 0};
    if (pidfd_ >= 0) p[n++] = {pidfd_, POLLIN, 0};
    const int wait_ms = pidfd_ >= 0 ? static_cast<int>(wait.count()) : (open_ ? 10 : 0);
    if (n > 0) {
      if (::poll(p, n, wait_ms) > 0 && open_ && p[0].revents != 0) ReadOnce(output);
    } else {
      ::usleep(10000);
    }
    // Exited? Look without reaping: while the zombie exists, its pid (the process group's id)
    // cannot be reused, so the group can still be signalled safely.
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == pid_;
  }

  void Terminate() override { ::kill(-pid_, SIGTERM); }
  void Kill() override { ::kill(-pid_, SIGKILL); }

  ExitStatus Reap(std::string* output) override {
    reaped_ = true;
    if (pidfd_ >= 0) ::close(pidfd_);
    if (open_) {
      // Drain what is left (bounded by the pipe buffer), then close.
      pollfd p{out_fd_, POLLIN, 0};
      while (open_ && ::poll(&p, 1, 0) > 0) ReadOnce(output);
    }
    ::close(out_fd_);
    ::kill(-pid_, SIGKILL);  // anything the script left behind in its process group
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    ExitStatus out;
    out.exited = WIFEXITED(status);
    out.code = out.exited ? WEXITSTATUS(status) : 0;
    out.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return out;
  }

 private:
  void ReadOnce(std::string* output) {
    char buf[16384];
    ssize_t got = ::read(out_fd_, buf, sizeof(buf));
    if (got > 0) {
      output->append(buf, static_cast<size_t>(got));
    } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
      open_ = false;
    }
  }

  const pid_t pid_;
  const int out_fd_;
  const int pidfd_;
  bool open_ = true;
  bool reaped_ = false;
};

class PosixRunner : public ProcessRunner {
 public:
  Result<std::unique_ptr<Process>> Spawn(const ProcessSpec& spec) override {
    std::vector<std::string> args = spec.argv, env = spec.env;
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      return Status(StatusCode::kInternal, "Internal error: cannot create a pipe");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addchdir_np(&actions, spec.workdir.c_str());
    // Nothing else of the server reaches the script: sockets (the listener, client connections)
    // and files opened without O_CLOEXEC by other threads would otherwise be inherited, keep
    // connections open after the server closed them, and hold the port after a server crash.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    pid_t pid = -1;
    const int rc =
        posix_spawnp(&pid, spec.program.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      return Status(StatusCode::kUnavailable, std::strerror(rc));
    }
    return std::unique_ptr<Process>(std::make_unique<PosixProcess>(pid, fds[0]));
  }
};

}  // namespace

std::shared_ptr<ProcessRunner> PosixProcessRunner() {
  return std::make_shared<PosixRunner>();
}

}  // namespace sealstack::api::glue
