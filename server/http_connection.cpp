#include "server/http_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>

#include "common/strings.h"

namespace sealstack::server {

namespace {

// Reads below this size are served from a buffer filled in pieces of kFillBytes; larger ones go
// straight to the socket (one recv per small piece made a 1 GiB PUT spend its time in the kernel).
constexpr size_t kDirectReadBytes = 65536;
constexpr size_t kFillBytes = 65536;
// Body pieces handed to the receiver: large enough that a GiB upload costs few calls, small
// enough to be part of the per-connection buffer budget (one per worker thread).
constexpr size_t kBodyPieceBytes = 256 * 1024;
// A chunk-size line (hex size and extensions) or trailer line longer than this is refused.
constexpr size_t kMaxChunkLineBytes = 4096;
// How often an idle keep-alive connection checks whether the server is stopping.
constexpr int kIdleSliceMs = 50;
// At most this much of a closing client's input is read and discarded (see ~HttpConnection).
constexpr size_t kMaxLingerBytes = 1 << 20;

std::string IpOf(const sockaddr_storage& addr) {
  char host[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), sizeof(addr), host, sizeof(host),
                    nullptr, 0, NI_NUMERICHOST) == 0) {
    return host;
  }
  return {};
}

int Millis(time_t seconds) {
  return static_cast<int>(std::min<time_t>(seconds, 24 * 3600) * 1000);
}

// The hex size of a chunk-size line ("1a;name=value", whitespace before the ';' allowed).
std::optional<uint64_t> ChunkSize(std::string_view line) {
  return ParseUnsignedHex(Trim(line.substr(0, line.find(';'))));
}

}  // namespace

HttpConnection::HttpConnection(int fd, SSL* ssl, Timeouts timeouts)
    : fd_(fd), ssl_(ssl), timeouts_(timeouts) {
  const int flags = ::fcntl(fd_, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  sockaddr_storage addr;
  socklen_t len = sizeof(addr);
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) remote_ip_ = IpOf(addr);
}

HttpConnection::~HttpConnection() {
  if (ssl_ != nullptr) {
    if (!broken_) SSL_shutdown(ssl_);  // close_notify, best effort (non-blocking)
    SSL_free(ssl_);
    ERR_clear_error();
  }
  if (close_after_ && !broken_) {
    // The server ends the connection with request bytes still unread (a refused head, an
    // unread body). Closing a socket with unread input sends a reset, which can destroy the
    // answer before the client reads it: finish sending, then discard the client's input
    // until it closes too, for a bounded time and amount (a "lingering close").
    ::shutdown(fd_, SHUT_WR);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    size_t discarded = 0;
    char sink[kFillBytes];
    while (discarded < kMaxLingerBytes) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0 || Wait(POLLIN, static_cast<int>(left)) <= 0) break;
      const ssize_t n = ::recv(fd_, sink, sizeof(sink), 0);
      if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) break;
      if (n > 0) discarded += static_cast<size_t>(n);
    }
  }
  ::shutdown(fd_, SHUT_RDWR);
  ::close(fd_);
}

int HttpConnection::Wait(short events, int timeout_ms) const {
  pollfd p{fd_, events, 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

bool HttpConnection::Handshake() {
  if (ssl_ == nullptr) return true;
  if (SSL_set_fd(ssl_, fd_) != 1) {
    broken_ = true;
    ERR_clear_error();
    return false;
  }
  for (;;) {
    const int r = SSL_accept(ssl_);
    if (r == 1) return true;
    const int err = SSL_get_error(ssl_, r);
    int ready = -1;
    if (err == SSL_ERROR_WANT_READ) {
      ready = Wait(POLLIN, Millis(timeouts_.read_s));
    } else if (err == SSL_ERROR_WANT_WRITE) {
      ready = Wait(POLLOUT, Millis(timeouts_.write_s));
    }
    if (ready <= 0) {
      broken_ = true;
      ERR_clear_error();
      return false;
    }
  }
}

ssize_t HttpConnection::RawRead(char* ptr, size_t size) {
  if (size == 0) return 0;
  for (;;) {
    int wait_for = POLLIN;
    if (ssl_ != nullptr) {
      size_t got = 0;
      const int r = SSL_read_ex(ssl_, ptr, size, &got);
      if (r == 1) return static_cast<ssize_t>(got);
      const int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_WANT_WRITE) {
        wait_for = POLLOUT;
      } else if (err != SSL_ERROR_WANT_READ) {
        // A clean close_notify, or (OpenSSL 3) the peer closing TCP without one, is an end of
        // stream like a plain FIN; anything else is an error.
        const bool eof = err == SSL_ERROR_ZERO_RETURN ||
                         (err == SSL_ERROR_SSL &&
                          ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) ||
                         (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0);
        ERR_clear_error();
        return eof ? 0 : -1;
      }
    } else {
      const ssize_t n = ::recv(fd_, ptr, size, 0);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    }
    const int ready = Wait(static_cast<short>(wait_for), Millis(timeouts_.read_s));
    if (ready == 0) {
      timed_out_ = true;
      return -1;
    }
    if (ready < 0) return -1;
  }
}

bool HttpConnection::Fill() {
  if (buffered() > 0) return true;
  buf_.resize(kFillBytes);
  pos_ = 0;
  const ssize_t n = RawRead(buf_.data(), buf_.size());
  buf_.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return n > 0;
}

bool HttpConnection::WriteAll(std::string_view data) {
  while (!data.empty()) {
    int wait_for = POLLOUT;
    if (ssl_ != nullptr) {
      size_t done = 0;
      const int r = SSL_write_ex(ssl_, data.data(), data.size(), &done);
      if (r == 1) {
        data.remove_prefix(done);
        continue;
      }
      const int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_WANT_READ) {
        wait_for = POLLIN;
      } else if (err != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        broken_ = true;
        return false;
      }
    } else {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n >= 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        broken_ = true;
        return false;
      }
    }
    if (Wait(static_cast<short>(wait_for), Millis(timeouts_.write_s)) <= 0) {
      broken_ = true;
      return false;
    }
  }
  return true;
}

bool HttpConnection::NextRequest(const std::atomic<int>& listening) {
  request_ = ParsedHead();
  body_started_ = false;
  body_consumed_ = false;
  timed_out_ = false;
  if (close_after_ || broken_) return false;
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  if (buf_.empty() && !(ssl_ != nullptr && SSL_pending(ssl_) > 0)) {
    // Idle between requests: wait for the next one, but not past a server stop.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(timeouts_.keep_alive_s);
    for (;;) {
      if (listening.load() < 0) return false;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) return false;
      const int ready = Wait(POLLIN, static_cast<int>(std::min<long long>(left, kIdleSliceMs)));
      if (ready > 0) break;
      if (ready < 0) return false;
    }
  }
  size_t head_end = std::string::npos;
  size_t scanned = 0;
  for (;;) {
    // The head ends at its blank line: the first "\n\r\n".
    const size_t blank = buf_.find("\n\r\n", scanned);
    if (blank != std::string::npos && blank + 3 <= kMaxHeadBytes) {
      head_end = blank + 3;
      break;
    }
    if (buf_.size() >= kMaxHeadBytes) break;
    scanned = buf_.size() >= 2 ? buf_.size() - 2 : 0;
    char piece[kFillBytes];
    const ssize_t n = RawRead(piece, std::min(sizeof(piece), kMaxHeadBytes - buf_.size()));
    // Closed, failed or stalled before the head ended: there is no request to answer.
    if (n <= 0) return false;
    buf_.append(piece, static_cast<size_t>(n));
  }
  const bool complete = head_end != std::string::npos;
  if (!complete) head_end = kMaxHeadBytes;
  request_ = ParseRequestHead(std::string_view(buf_).substr(0, head_end), complete);
  request_.head.secure = ssl_ != nullptr;
  request_.head.remote_addr = remote_ip_;
  pos_ = head_end;
  if (request_.problem != HeadProblem::kNone || request_.error != HeadError::kNone ||
      !request_.keep_alive) {
    close_after_ = true;
  }
  return true;
}

bool HttpConnection::ReadBody(const RawBodyReceiver& receive) {
  if (body_started_) return false;
  body_started_ = true;
  const bool ok =
      request_.chunked ? ReadChunked(receive) : ReadExactly(request_.content_length, receive);
  body_consumed_ = ok;
  return ok;
}

bool HttpConnection::ReadExactly(uint64_t length, const RawBodyReceiver& receive) {
  thread_local std::string piece;
  while (length > 0) {
    if (buffered() > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(length, buffered()));
      const std::string_view data(buf_.data() + pos_, n);
      pos_ += n;
      length -= n;
      if (!receive(data)) return false;
      continue;
    }
    const size_t want = static_cast<size_t>(std::min<uint64_t>(length, kBodyPieceBytes));
    if (want < kDirectReadBytes) {
      if (!Fill()) return false;
      continue;
    }
    if (piece.size() < kBodyPieceBytes) piece.resize(kBodyPieceBytes);
    const ssize_t n = RawRead(piece.data(), want);
    if (n <= 0) return false;
    length -= static_cast<uint64_t>(n);
    if (!receive(std::string_view(piece.data(), static_cast<size_t>(n)))) return false;
  }
  return true;
}

bool HttpConnection::ReadLine(std::string* line, size_t max) {
  line->clear();
  for (;;) {
    if (!Fill()) return false;
    const std::string_view data(buf_.data() + pos_, buffered());
    const size_t nl = data.find('\n');
    const size_t take = nl == std::string_view::npos ? data.size() : nl + 1;
    if (line->size() + take > max) return false;
    line->append(data.substr(0, take));
    pos_ += take;
    if (nl != std::string_view::npos) break;
  }
  line->pop_back();  // '\n'
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return true;
}

// RFC 9112 7.1: chunk-size [; extensions] CRLF, data CRLF, ..., 0 CRLF, trailer lines, CRLF.
bool HttpConnection::ReadChunked(const RawBodyReceiver& receive) {
  std::string line;
  for (;;) {
    if (!ReadLine(&line, kMaxChunkLineBytes)) return false;
    const std::optional<uint64_t> size = ChunkSize(line);
    if (!size) return false;
    if (*size == 0) break;
    if (!ReadExactly(*size, receive)) return false;
    if (!ReadLine(&line, 2) || !line.empty()) return false;  // the CRLF after the data
  }
  do {  // trailer fields, up to the blank line
    if (!ReadLine(&line, kMaxChunkLineBytes)) return false;
  } while (!line.empty());
  return true;
}

void ServeConnection(HttpConnection& connection, const std::atomic<int>& listening,
                     const std::function<bool(HttpConnection&)>& serve) {
  if (!connection.Handshake()) return;
  while (connection.NextRequest(listening) && serve(connection)) {
  }
}

}  // namespace sealstack::server
