#include "server/http_get.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string_view>

#include "common/strings.h"
#include "common/unique_fd.h"

namespace sealstack::server {

namespace {

struct Endpoint {
  bool tls = false;
  std::string host;
  std::string port;
};

Result<Endpoint> ParseEndpoint(std::string_view url) {
  Endpoint e;
  if (url.rfind("https://", 0) == 0) {
    e.tls = true;
    url.remove_prefix(8);
  } else if (url.rfind("http://", 0) == 0) {
    url.remove_prefix(7);
  } else {
    return Status::InvalidArgument("expected http://HOST:PORT");
  }
  url = url.substr(0, url.find('/'));
  e.port = e.tls ? "443" : "80";
  if (!url.empty() && url.front() == '[') {  // [::1]:port
    const size_t close = url.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("bad IPv6 host");
    e.host.assign(url.substr(1, close - 1));
    url.remove_prefix(close + 1);
    if (!url.empty() && url.front() == ':') e.port.assign(url.substr(1));
  } else {
    const size_t colon = url.rfind(':');
    e.host.assign(url.substr(0, colon));
    if (colon != std::string_view::npos) e.port.assign(url.substr(colon + 1));
  }
  if (e.host.empty()) return Status::InvalidArgument("no host");
  return e;
}

Result<int> Connect(const Endpoint& e, int timeout_s) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(e.host.c_str(), e.port.c_str(), &hints, &found); rc != 0) {
    return Status::Unavailable(std::string("cannot resolve ") + e.host + ": " + gai_strerror(rc));
  }
  int fd = -1;
  int err = 0;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{timeout_s, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      err = errno;
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return Status::Unavailable(std::string("connection failed: ") + std::strerror(err));
  return fd;
}

struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

// Sends `request` and reads until the server closes (the request says Connection: close).
Result<std::string> SendAndReceive(int fd, SSL* ssl, const std::string& request) {
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n =
        ssl != nullptr
            ? SSL_write(ssl, request.data() + sent, static_cast<int>(request.size() - sent))
            : ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return Status::Unavailable("cannot send the request");
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buf[16384];
  for (;;) {
    const ssize_t n =
        ssl != nullptr ? SSL_read(ssl, buf, sizeof(buf)) : ::recv(fd, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && ssl != nullptr &&
                   SSL_get_error(ssl, static_cast<int>(n)) == SSL_ERROR_ZERO_RETURN)) {
      break;
    }
    if (n < 0) return Status::Unavailable("no answer (timed out or reset)");
    answer.append(buf, static_cast<size_t>(n));
    if (answer.size() > (64u << 20)) return Status::Unavailable("answer over 64 MiB");
  }
  return answer;
}

// "HTTP/1.1 200 OK\r\n...\r\n\r\nbody" with Content-Length framing (the server closes after it).
Result<HttpGetResponse> ParseAnswer(const std::string& answer) {
  const size_t head_end = answer.find("\r\n\r\n");
  if (answer.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos || answer.size() < 12) {
    return Status::Unavailable("not an HTTP answer");
  }
  HttpGetResponse r;
  r.status = std::atoi(answer.c_str() + 9);
  r.body = answer.substr(head_end + 4);
  std::string_view head(answer.data(), head_end);
  size_t at = head.find("\r\n");
  while (at != std::string_view::npos) {
    const size_t next = head.find("\r\n", at + 2);
    const std::string_view line = head.substr(
        at + 2, next == std::string_view::npos ? std::string_view::npos : next - at - 2);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        EqualsIgnoreCase(line.substr(0, colon), "Content-Length")) {
      const std::optional<uint64_t> length = ParseUnsignedDecimal(Trim(line.substr(colon + 1)));
      if (!length || r.body.size() < *length) return Status::Unavailable("the answer ended early");
      r.body.resize(static_cast<size_t>(*length));
    }
    at = next;
  }
  return r;
}

}  // namespace

Result<HttpGetResponse> HttpGet(const std::string& endpoint, const std::string& path,
                                int timeout_s) {
  SEALSTACK_ASSIGN_OR_RETURN(Endpoint e, ParseEndpoint(endpoint));
  SEALSTACK_ASSIGN_OR_RETURN(int fd, Connect(e, timeout_s));
  const UniqueFd socket(fd);
  std::unique_ptr<SSL_CTX, SslFree> ctx;
  std::unique_ptr<SSL, SslFree> ssl;
  if (e.tls) {
    ctx.reset(SSL_CTX_new(TLS_client_method()));
    if (ctx == nullptr) return Status::Internal("TLS is not available");
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_default_verify_paths(ctx.get());
    ssl.reset(SSL_new(ctx.get()));
    if (ssl == nullptr || SSL_set_fd(ssl.get(), fd) != 1 ||
        SSL_set_tlsext_host_name(ssl.get(), e.host.c_str()) != 1 ||
        SSL_set1_host(ssl.get(), e.host.c_str()) != 1 || SSL_connect(ssl.get()) != 1) {
      ERR_clear_error();
      return Status::Unavailable("TLS handshake failed (is the certificate trusted?)");
    }
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + e.host + ":" + e.port +
                              "\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
  SEALSTACK_ASSIGN_OR_RETURN(std::string answer, SendAndReceive(fd, ssl.get(), request));
  return ParseAnswer(answer);
}

}  // namespace sealstack::server
