#include "server/http_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>

#include "server/http_connection.h"
#include "server/thread_pool.h"

namespace sealstack::server {

struct TlsContextFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

namespace {

// Dozens of clients connect at once when a test suite starts; a small backlog drops SYNs and
// costs each of them a 1-second retransmit.
constexpr int kListenBacklog = 1024;

// A TLS server context with the certificate chain and key from PEM files; nullptr when they
// cannot be loaded or do not match.
std::unique_ptr<SSL_CTX, TlsContextFree> LoadTlsContext(const std::string& cert_path,
                                                        const std::string& key_path) {
  std::unique_ptr<SSL_CTX, TlsContextFree> ctx(SSL_CTX_new(TLS_server_method()));
  if (ctx == nullptr) return nullptr;
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), cert_path.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), key_path.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return ctx;
}

// A listening socket on host:port (port 0: any free one), or -1.
int ListenOn(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int yes = 1;
    const int no = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (a->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof(no));
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, kListenBacklog) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
  return -1;
}

}  // namespace

struct HttpListener::Impl {
  ListenerOptions options;
  ExchangeHandler handler;
  std::unique_ptr<SSL_CTX, TlsContextFree> tls;
  int fd = -1;
  // The listening socket while the server accepts, -1 once it stops: connections idle between
  // requests watch it to end promptly (HttpConnection::NextRequest).
  std::atomic<int> listening{-1};
  std::unique_ptr<ElasticThreadPool> pool;

  void Serve(int client) {
    SSL* ssl = nullptr;
    if (tls != nullptr) {
      ssl = SSL_new(tls.get());
      if (ssl == nullptr) {
        ERR_clear_error();
        ::close(client);
        return;
      }
    }
    const time_t read_s = options.read_timeout_s;
    HttpConnection connection(client, ssl, {options.keep_alive_timeout_s, read_s, read_s});
    ServeConnection(connection, listening,
                    [this](HttpConnection& c) { return ServeRequest(c, handler); });
  }

  void AcceptLoop() {
    for (;;) {
      const int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (listening.load() < 0) {
        if (client >= 0) ::close(client);
        break;
      }
      if (client < 0) {
        // Out of descriptors: back off instead of spinning; the client waits in the backlog.
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        continue;
      }
      const int yes = 1;
      ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
      pool->enqueue([this, client] { Serve(client); });
    }
    pool->shutdown();
  }
};

Result<std::unique_ptr<HttpListener>> HttpListener::Bind(const ListenerOptions& options,
                                                         ExchangeHandler handler) {
  std::unique_ptr<HttpListener> listener(new HttpListener());
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  if (options.tls) {
    impl->tls = LoadTlsContext(options.tls_cert_path, options.tls_key_path);
    if (impl->tls == nullptr) {
      return Status::InvalidArgument("cannot load TLS certificate '" + options.tls_cert_path +
                                     "' / key '" + options.tls_key_path + "'");
    }
  }
  impl->fd = ListenOn(options.host, options.port);
  if (impl->fd < 0) {
    if (options.port == 0) return Status::IoError("cannot bind " + options.host + ":0");
    return Status::IoError("cannot bind " + options.host + ":" + std::to_string(options.port) +
                           " (in use? try --port 0)");
  }
  listener->port_ = BoundPort(impl->fd);
  const size_t max_threads = static_cast<size_t>(std::max(1, options.threads));
  // One worker waits from the start; the others start with the connections that need them (a
  // thread costs ~50 us to start, and an idle one its stack and allocator cache).
  impl->pool = std::make_unique<ElasticThreadPool>(1, max_threads, std::chrono::seconds(30));
  listener->impl_ = std::move(impl);
  return listener;
}

void HttpListener::Start() {
  Impl* impl = impl_.get();
  impl->listening = impl->fd;
  thread_ = std::thread([impl] { impl->AcceptLoop(); });
}

void HttpListener::StopAccepting() {
  if (!impl_ || impl_->fd < 0) return;
  // Wakes the accept loop (accept fails on a shut-down socket) and tells idle connections.
  if (impl_->listening.exchange(-1) >= 0) ::shutdown(impl_->fd, SHUT_RDWR);
}

void HttpListener::Stop() {
  StopAccepting();
  if (thread_.joinable()) thread_.join();
  if (impl_ && impl_->fd >= 0) {
    ::close(impl_->fd);
    impl_->fd = -1;
  }
}

HttpListener::~HttpListener() {
  Stop();
}

}  // namespace sealstack::server
