// sealstack: parse the configuration, start the server, print the Ready line, and wait for
// SIGTERM or SIGINT to shut down cleanly. Everything else lives in server.cpp.
#include <signal.h>

#include <cstdio>
#include <exception>
#include <string_view>

#include "server/config.h"
#include "server/log.h"
#include "server/posture_cli.h"
#include "server/server.h"

namespace {

int Run(int argc, char** argv) {
  using namespace sealstack::server;

  // `sealstack posture ...`: a client of a running server (posture_cli.h), not a server.
  if (argc > 1 && std::string_view(argv[1]) == "posture") {
    return RunPostureCommand(argc - 1, argv + 1, stdout, stderr);
  }
  auto parsed = ParseCommandLine(argc, argv);
  if (!parsed.ok()) {
    std::fprintf(stderr, "sealstack: %s\n", parsed.status().message().c_str());
    return 2;
  }
  if (parsed->help) {
    std::fputs(HelpText().c_str(), stdout);
    return 0;
  }
  if (parsed->version) {
    std::printf("sealstack %s\n", std::string(kVersion).c_str());
    return 0;
  }
  SetLogLevel(parsed->config.log_level);

  // Signals are taken synchronously by this thread (sigwait), so every thread started from
  // here on inherits the blocked mask; a peer closing a socket must not kill the process.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = Server::Create(std::move(parsed->config));
  if (!server.ok()) {
    std::fprintf(stderr, "sealstack: %s\n", server.status().ToString().c_str());
    return 1;
  }
  (*server)->Start();
  std::printf("%s\n", (*server)->ReadyLine().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  Log(LogLevel::kInfo,
      std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", shutting down");
  (*server)->Stop();
  server->reset();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace

// An exception that escapes (std::bad_alloc, a library's std::system_error) ends the process
// with a message and exit code 1 instead of std::terminate's abort and core dump.
int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sealstack: fatal: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "sealstack: fatal: unknown exception\n");
  }
  return 1;
}
