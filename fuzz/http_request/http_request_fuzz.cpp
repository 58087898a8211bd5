// libFuzzer target: the HTTP/1.1 request reader (server/http_connection.h, server/http_head.h)
// on arbitrary bytes from a client: heads, Content-Length and chunked bodies, several requests
// on one connection.
//
// Input: the bytes a client sends, written into one end of a socketpair that is then shut down
// for writing (the client closed), so every read ends without waiting.
//
// Checked properties: no crash or hang; a body ReadBody accepts delivered exactly
// Content-Length bytes (or, chunked, no more than the input held); a refused head
// (HeadError) or a head problem ends the connection after that request.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/http_connection.h"

using namespace sealstack::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The socket buffer must hold the whole input (the write below does not wait).
  if (size > 64 * 1024) return 0;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();
  const int sndbuf = 1 << 20;
  ::setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  size_t written = 0;
  while (written < size) {
    const ssize_t n = ::send(fds[1], data + written, size - written, MSG_NOSIGNAL);
    if (n <= 0) std::abort();
    written += static_cast<size_t>(n);
  }
  ::shutdown(fds[1], SHUT_WR);

  std::atomic<int> listening{1};
  {
    HttpConnection connection(fds[0], nullptr, {1, 1, 1});
    int requests = 0;
    while (connection.NextRequest(listening)) {
      if (++requests > 10000) std::abort();  // each request consumes input: no loop
      const ParsedHead& request = connection.request();
      const bool refused =
          request.error != HeadError::kNone || request.problem != HeadProblem::kNone;
      const uint64_t length = request.content_length;
      const bool chunked = request.chunked;
      uint64_t delivered = 0;
      const bool ok = connection.ReadBody([&](std::string_view piece) {
        delivered += piece.size();
        return true;
      });
      if (ok && !chunked && delivered != length) std::abort();
      if (delivered > size) std::abort();
      if (refused && !connection.close_after_response()) std::abort();
      if (!ok) break;
      if (connection.close_after_response()) break;
    }
  }  // closes fds[0]
  ::close(fds[1]);
  return 0;
}
