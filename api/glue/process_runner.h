// ProcessRunner: the one seam between Glue's job-run state machine and the operating system's
// child processes (as LevelDB's Env is the seam for files and threads). The state machine in
// glue_run_machine.cpp spawns, polls, signals and reaps through it; the server uses
// PosixProcessRunner() (posix_spawn, one process group per child); unit tests drive a fake one
// whose children exit when the test says so.
//
// Thread safety: a ProcessRunner may be called from several runner threads at once. A Process
// is used by one thread (the run's runner thread) only.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace sealstack::api::glue {

struct ProcessSpec {
  std::string program;            // resolved through PATH when it holds no '/'
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> env;   // "NAME=value"; the child's whole environment
  std::string workdir;            // the child's working directory
};

// How a child ended: exit(code) or killed by `signal`.
struct ExitStatus {
  bool exited = false;
  int code = 0;
  int signal = 0;
};

// A spawned child: stdin is /dev/null, stdout and stderr are one pipe read by Poll/Reap, and
// nothing else of the server is inherited.
class Process {
 public:
  virtual ~Process() = default;
  // Waits at most `wait` for output or exit, appending any output to `*output`. Returns true
  // once the child has exited (it is not reaped yet: its process group can still be signalled).
  virtual bool Poll(std::chrono::milliseconds wait, std::string* output) = 0;
  // Asks the child's process group to end (SIGTERM).
  virtual void Terminate() = 0;
  // Ends the child's process group at once (SIGKILL).
  virtual void Kill() = 0;
  // Appends what output is left to `*output`, kills anything the child left in its process
  // group and reaps the child. REQUIRES: called once, last.
  virtual ExitStatus Reap(std::string* output) = 0;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // The child; kUnavailable with strerror's words when the program could not be started,
  // kInternal (message for the run as it stands) when the server could not prepare it.
  virtual Result<std::unique_ptr<Process>> Spawn(const ProcessSpec& spec) = 0;
};

// posix_spawn in a new process group with default signal dispositions (posix_process_runner.cpp).
std::shared_ptr<ProcessRunner> PosixProcessRunner();

}  // namespace sealstack::api::glue
