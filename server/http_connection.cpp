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
#include <deque>

#include "common/strings.h"

namespace sealstack::server {

namespace {

thread_local HttpConnection* t_current = nullptr;

// Reads below this size are served from a buffer filled in pieces of kFillBytes (cpp-httplib
// reads heads and chunk-size lines a byte at a time, and bodies 4 KiB at a time: one recv per
// 4 KiB made a 1 GiB PUT spend most of its time in the kernel, ACKing); larger ones go straight
// to the socket.
constexpr size_t kDirectReadBytes = 65536;
constexpr size_t kFillBytes = 65536;
// How often an idle keep-alive connection checks whether the server is stopping.
constexpr int kIdleSliceMs = 50;
// At most this much of a closing client's input is read and discarded (see ~HttpConnection).
constexpr size_t kMaxLingerBytes = 1 << 20;

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 8.6: Content-Length = 1*DIGIT. At most 19 digits, so any value fits in 64 bits.
bool ValidContentLength(std::string_view v) {
  if (v.empty() || v.size() > 19) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void AddressOf(const sockaddr_storage& addr, std::string* ip, int* port) {
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), sizeof(addr), host, sizeof(host),
                    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    *ip = host;
    *port = std::atoi(serv);
  }
}

int Millis(time_t seconds) {
  return static_cast<int>(std::min<time_t>(seconds, 24 * 3600) * 1000);
}

}  // namespace

HeadScan ScanHead(std::string_view head, bool complete) {
  HeadScan out;
  if (!complete) out.problem = HeadProblem::kHeaderSectionTooLarge;
  size_t nl = head.find('\n');
  if (nl == std::string_view::npos) {
    // A request line longer than the whole head bound: cpp-httplib answers its too-long URI.
    out.head.assign(head);
    out.head += "\r\n\r\n";
    return out;
  }
  out.head.assign(head.substr(0, nl + 1));  // the request line, as sent
  std::vector<std::string_view> lines;
  std::deque<std::string> escaped;  // rewritten lines (stable addresses for `lines`)
  std::vector<bool> is_length;
  std::string_view length;  // the first Content-Length value
  bool bad_length = false;
  size_t at = nl + 1;
  while (at < head.size()) {
    nl = head.find('\n', at);
    if (nl == std::string_view::npos) break;  // cut off mid-line (incomplete head): dropped
    std::string_view line = head.substr(at, nl + 1 - at);
    at = nl + 1;
    if (line == "\r\n") break;  // the blank line
    // cpp-httplib skips lines not ending in CRLF: so does the scan.
    const bool crlf = line.size() >= 2 && line[line.size() - 2] == '\r';
    const size_t colon = line.find(':');
    if (!crlf || colon == std::string_view::npos) {
      lines.push_back(line);
      is_length.push_back(false);
      continue;
    }
    if (line.size() > kMaxHeaderLineBytes) {
      if (out.problem == HeadProblem::kNone) out.problem = HeadProblem::kHeaderSectionTooLarge;
      continue;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = TrimOws(line.substr(colon + 1, line.size() - 2 - colon - 1));
    if (EqualsIgnoreCase(name, "Range")) {
      out.withheld.emplace_back(std::string(name), std::string(value));
      continue;
    }
    const bool cl = EqualsIgnoreCase(name, "Content-Length");
    if (cl) {
      if (!ValidContentLength(value) || (!length.empty() && value != length)) {
        bad_length = true;
      } else {
        length = value;
      }
    }
    if (value.find('%') != std::string_view::npos) {
      // cpp-httplib 0.11 percent-decodes every header value it parses (x-amz-tagging,
      // x-amz-copy-source, x-amz-meta-*): escaping each '%' as "%25" makes that decoding give
      // back the bytes as sent, which SigV4 signed and S3 decodes itself where it should.
      std::string& l = escaped.emplace_back(name);
      l += ": ";
      for (char c : value) l += c == '%' ? std::string_view("%25") : std::string_view(&c, 1);
      l += "\r\n";
      if (l.size() > kMaxHeaderLineBytes) {
        if (out.problem == HeadProblem::kNone) out.problem = HeadProblem::kHeaderSectionTooLarge;
        continue;
      }
      line = l;
    }
    lines.push_back(line);
    is_length.push_back(cl);
  }
  if (bad_length && out.problem == HeadProblem::kNone) out.problem = HeadProblem::kBadContentLength;
  for (size_t i = 0; i < lines.size(); ++i) {
    // With a bad length no Content-Length reaches cpp-httplib: the body is never read.
    if (bad_length && is_length[i]) continue;
    out.head.append(lines[i]);
  }
  out.head += "\r\n";
  return out;
}

HttpConnection::HttpConnection(int fd, SSL* ssl, Timeouts timeouts)
    : fd_(fd), ssl_(ssl), timeouts_(timeouts) {
  const int flags = ::fcntl(fd_, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  sockaddr_storage addr;
  socklen_t len = sizeof(addr);
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, &remote_ip_, &remote_port_);
  }
  len = sizeof(addr);
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, &local_ip_, &local_port_);
  }
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

ssize_t HttpConnection::read(char* ptr, size_t size) {
  if (pos_ == buf_.size() && !buf_.empty()) {
    buf_.clear();
    pos_ = 0;
  }
  if (pos_ == buf_.size()) {
    if (size >= kDirectReadBytes) return RawRead(ptr, size);
    buf_.resize(kFillBytes);
    const ssize_t n = RawRead(buf_.data(), buf_.size());
    if (n <= 0) {
      buf_.clear();
      return n;
    }
    buf_.resize(static_cast<size_t>(n));
  }
  const size_t n = std::min(size, buf_.size() - pos_);
  std::memcpy(ptr, buf_.data() + pos_, n);
  pos_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t HttpConnection::write(const char* ptr, size_t size) {
  if (size == 0) return 0;
  for (;;) {
    int wait_for = POLLOUT;
    if (ssl_ != nullptr) {
      size_t done = 0;
      const int r = SSL_write_ex(ssl_, ptr, size, &done);
      if (r == 1) return static_cast<ssize_t>(done);
      const int err = SSL_get_error(ssl_, r);
      if (err == SSL_ERROR_WANT_READ) {
        wait_for = POLLIN;
      } else if (err != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return -1;
      }
    } else {
      const ssize_t n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    }
    if (Wait(static_cast<short>(wait_for), Millis(timeouts_.write_s)) <= 0) return -1;
  }
}

bool HttpConnection::is_readable() const {
  if (pos_ < buf_.size() || (ssl_ != nullptr && SSL_pending(ssl_) > 0)) return true;
  return Wait(POLLIN, Millis(timeouts_.read_s)) > 0;
}

bool HttpConnection::is_writable() const {
  return Wait(POLLOUT, Millis(timeouts_.write_s)) > 0;
}

void HttpConnection::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = remote_ip_;
  port = remote_port_;
}

void HttpConnection::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = local_ip_;
  port = local_port_;
}

bool HttpConnection::NextRequest(const std::atomic<int>& listening) {
  scan_problem_ = HeadProblem::kNone;
  withheld_.clear();
  timed_out_ = false;
  if (close_after_) return false;
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  if (buf_.empty() && !(ssl_ != nullptr && SSL_pending(ssl_) > 0)) {
    // Idle between requests: wait for the next one, but not past a server stop.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(timeouts_.keep_alive_s);
    for (;;) {
      if (listening.load() == INVALID_SOCKET) return false;
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
    // The head ends at its blank line: the first "\n\r\n" (cpp-httplib splits lines at \n).
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
  HeadScan scan = ScanHead(std::string_view(buf_).substr(0, head_end), complete);
  buf_.replace(0, head_end, scan.head);
  scan_problem_ = scan.problem;
  withheld_ = std::move(scan.withheld);
  if (scan_problem_ != HeadProblem::kNone) close_after_ = true;
  return true;
}

HttpConnection* CurrentConnection() {
  return t_current;
}

bool ServeConnection(HttpConnection& connection, const std::atomic<int>& listening,
                     const std::function<bool(bool, bool&)>& process) {
  struct Current {
    explicit Current(HttpConnection* c) { t_current = c; }
    ~Current() { t_current = nullptr; }
    Current(const Current&) = delete;
    Current& operator=(const Current&) = delete;
  } current(&connection);
  if (!connection.Handshake()) return false;
  bool ok = false;
  while (connection.NextRequest(listening)) {
    bool closed = false;
    ok = process(connection.close_after_response(), closed);
    if (!ok) connection.MarkBroken();
    if (!ok || closed || connection.close_after_response()) break;
  }
  return ok;
}

}  // namespace sealstack::server
