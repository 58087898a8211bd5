#include "server/http_server.h"

#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <type_traits>
#include <vector>

#include "api/common/errors.h"
#include "api/common/request_id.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "server/http_connection.h"
#include "server/thread_pool.h"

namespace sealstack::server {

namespace {

// Gives access to the listening socket, to raise cpp-httplib's fixed listen backlog of 5:
// with dozens of clients connecting at once a backlog of 5 drops SYNs and costs clients a
// 1-second retransmit. And serves each accepted connection through HttpConnection
// (http_connection.h), which reads and vets request heads before cpp-httplib parses them:
// cpp-httplib's own per-connection loop answers unparsable Ranges, over-long header lines and
// odd Content-Lengths by itself, in non-AWS ways, and cannot tell a stalled body from a short
// one. Only the transport is replaced; parsing, routing and responses stay cpp-httplib's
// (Server::process_request, per request).
template <class Base>
class TunedServer : public Base {
 public:
  using Base::Base;
  int listening_socket() const { return this->svr_sock_; }

 private:
  bool process_and_close_socket(socket_t sock) override {
    SSL* ssl = nullptr;
    if constexpr (std::is_base_of_v<httplib::SSLServer, Base>) {
      ssl = SSL_new(this->ssl_context());
      if (ssl == nullptr) {
        ::close(sock);
        return false;
      }
    }
    HttpConnection connection(
        sock, ssl,
        {this->keep_alive_timeout_sec_, this->read_timeout_sec_, this->write_timeout_sec_});
    return ServeConnection(connection, this->svr_sock_, [&](bool close, bool& closed) {
      return this->process_request(connection, close, closed,
                                   [ssl](httplib::Request& req) { req.ssl = ssl; });
    });
  }
};

std::atomic<int> g_in_flight{0};

// Counts a handler as in flight for its lifetime.
class InFlight {
 public:
  InFlight() { ++g_in_flight; }
  ~InFlight() { --g_in_flight; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
};

constexpr int kListenBacklog = 1024;
constexpr uint64_t kMaxDrainBytes = 64ull << 20;

// cpp-httplib's content reader interprets two headers that SealStack must not let it act on; it
// decides by them when it is called, so they are renamed first (the handler has the head
// already, MakeHead). The Request is the library's own, non-const object; only the handler's
// view of it is const.
//   - Content-Type multipart/form-data: the reader parses the form itself (and, asked with one
//     receiver, calls a multipart receiver that is not there); SealStack reads form bodies raw
//     (api/s3/form_data.h).
//   - Content-Encoding gzip, deflate or br: the reader inflates the body. S3 stores what was sent
//     (a pre-compressed object's Content-Encoding is metadata for its readers), and SigV4 signed
//     the compressed bytes: an inflated body failed with XAmzContentSHA256Mismatch.
void HideFromLibraryReader(const httplib::Request& req) {
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast)
  auto& headers = const_cast<httplib::Request&>(req).headers;
  auto [first, last] = headers.equal_range("Content-Type");
  for (auto it = first; it != last; ++it) {
    // The library's test is this exact, case-sensitive prefix.
    if (it->second.rfind("multipart/form-data", 0) == 0) {
      it->second = "application/x-sealstack-form-data" + it->second.substr(19);
    }
  }
  auto [enc_first, enc_last] = headers.equal_range("Content-Encoding");
  std::vector<std::string> encodings;
  for (auto it = enc_first; it != enc_last; ++it) encodings.push_back(it->second);
  headers.erase(enc_first, enc_last);
  for (auto& value : encodings) {
    headers.emplace("X-Sealstack-Library-Hidden-Content-Encoding", std::move(value));
  }
}

auth::HttpRequestHead MakeHead(const httplib::Request& req, bool tls) {
  auth::HttpRequestHead head;
  head.method = req.method;
  head.target = req.target;
  head.headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) head.headers.emplace_back(name, value);
  // Headers the connection kept from cpp-httplib (Range), as the client sent them.
  if (const HttpConnection* connection = CurrentConnection()) {
    for (const auto& header : connection->withheld_headers()) head.headers.push_back(header);
  }
  head.secure = tls;
  head.remote_addr = req.remote_addr;
  return head;
}

// The next request on this connection cannot be found (its framing is lost or not trusted).
// cpp-httplib writes "Connection: close" itself when the request asked for it or the connection
// was already closing (a head problem): one header, not two.
void CloseConnectionAfter(const httplib::Request& req, httplib::Response& res) {
  bool announced = req.get_header_value("Connection") == "close";
  if (HttpConnection* connection = CurrentConnection()) {
    announced = announced || connection->close_after_response();
    connection->CloseAfterResponse();
  }
  if (!announced) res.set_header("Connection", "close");
}

// Fills in what the connection layer learnt about the request.
void NoteConnection(Exchange& ex) {
  if (const HttpConnection* connection = CurrentConnection()) {
    ex.head_problem = connection->head_problem();
  }
}

// cpp-httplib gzips a response body when the client accepts gzip and the type looks like text
// (S3's XML, the JSON protocols' bodies, error documents). AWS answers uncompressed, and a client
// that sends Accept-Encoding without expecting it to be used (Go's transport adds it by itself)
// must get AWS's bytes, so the library never sees the client's Accept-Encoding.
void HideAcceptEncoding(const httplib::Request& req) {
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast)
  auto& headers = const_cast<httplib::Request&>(req).headers;
  auto [first, last] = headers.equal_range("Accept-Encoding");
  headers.erase(first, last);
}

// AWS stamps every response with its Date (RFC 7231), the wall clock's, which SDKs read to
// correct a skewed local clock. Formatted once a second per thread.
const std::string& HttpDateNow() {
  thread_local std::chrono::system_clock::time_point second{};
  thread_local std::string text;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (text.empty() || now != second) {
    second = now;
    text = FormatHttpDate(now);
  }
  return text;
}

void WriteResponse(Exchange& ex, const httplib::Request& req, httplib::Response& res) {
  HideAcceptEncoding(req);
  api::ApiResponse& r = ex.response;
  res.status = r.status;
  res.set_header("Date", HttpDateNow());
  std::string content_type;
  for (auto& [name, value] : r.headers) {
    if (EqualsIgnoreCase(name, "Content-Type")) {
      content_type = value;
      continue;
    }
    res.set_header(name, value);
  }
  // A body the handler did not read (an early error) is still on the socket. Drain a bounded
  // amount so the connection can carry the next request; beyond that, or when the body was
  // read only in part, or the head had a problem, the connection closes after this response.
  if (ex.head_problem != HeadProblem::kNone) {
    CloseConnectionAfter(req, res);
  } else if (ex.has_body && !ex.body_consumed) {
    if (!ex.body_read_started) {
      uint64_t drained = 0;
      ex.read_body([&drained](std::string_view piece) {
        drained += piece.size();
        return drained <= kMaxDrainBytes;
      });
    }
    if (!ex.body_consumed) CloseConnectionAfter(req, res);
  }
  // cpp-httplib treats a content provider of length 0 as one of unknown length: no
  // Content-Length, and it calls the provider until DataSink::done(), which ours never calls,
  // so a GET of an empty object spun a server thread forever and the client never got its
  // (empty) body. An empty stream is an empty body.
  if (r.stream && r.stream_length == 0) r.stream = nullptr;
  if (r.stream) {
    api::BodyProducer producer = std::move(r.stream);
    res.set_content_provider(static_cast<size_t>(r.stream_length), content_type,
                             [producer = std::move(producer)](size_t /*offset*/, size_t /*length*/,
                                                              httplib::DataSink& sink) {
                               return producer([&sink](std::string_view piece) {
                                 return sink.write(piece.data(), piece.size());
                               });
                             });
    return;
  }
  if (!content_type.empty()) res.set_header("Content-Type", content_type);
  res.body = std::move(r.body);
}

// Errors cpp-httplib answers by itself (unparseable request line, header or URI too long, a
// failed body read) get an S3-shaped XML body, since anything that is not JSON or Query is S3.
void RenderLibraryError(const httplib::Request& req, httplib::Response& res) {
  if (!res.body.empty() || res.has_header("x-amz-request-id") ||
      res.has_header("x-amzn-RequestId")) {
    return;  // one of ours
  }
  api::WireError e;
  e.http_status = res.status;
  switch (res.status) {
    case 413:
      e.code = "EntityTooLarge";
      e.message = "Your proposed upload exceeds the maximum allowed object size.";
      break;
    case 414:
      e.code = "RequestURITooLong";
      e.message = "The request URI is too long.";
      break;
    default:
      e.code = "BadRequest";
      e.message = "The request could not be parsed.";
      break;
  }
  api::RequestIds ids{api::NewS3RequestId(), api::NewS3HostId()};
  api::ApiResponse r = api::RenderError(api::Protocol::kS3, e, ids, {}, req.method == "HEAD");
  HideAcceptEncoding(req);
  res.set_header("Date", HttpDateNow());
  for (auto& [name, value] : r.headers) res.set_header(name, value);
  CloseConnectionAfter(req, res);
  res.body = std::move(r.body);
}

}  // namespace

struct HttpListener::Impl {
  std::unique_ptr<httplib::Server> server;
  int socket = -1;
  std::atomic<bool> finished{false};
};

Result<std::unique_ptr<HttpListener>> HttpListener::Bind(const ListenerOptions& options,
                                                         ExchangeHandler handler) {
  std::unique_ptr<HttpListener> listener(new HttpListener());
  listener->impl_ = std::make_unique<Impl>();
  httplib::Server* svr = nullptr;
  std::function<int()> socket_of;
  if (options.tls) {
    auto* s = new TunedServer<httplib::SSLServer>(options.tls_cert_path.c_str(),
                                                  options.tls_key_path.c_str());
    listener->impl_->server.reset(s);
    if (!s->is_valid()) {
      return Status::InvalidArgument("cannot load TLS certificate '" + options.tls_cert_path +
                                     "' / key '" + options.tls_key_path + "'");
    }
    socket_of = [s] { return s->listening_socket(); };
    svr = s;
  } else {
    auto* s = new TunedServer<httplib::Server>();
    listener->impl_->server.reset(s);
    socket_of = [s] { return s->listening_socket(); };
    svr = s;
  }

  const size_t max_threads = static_cast<size_t>(options.threads);
  svr->new_task_queue = [max_threads] {
    return new ElasticThreadPool(std::min<size_t>(4, max_threads), max_threads,
                                 std::chrono::seconds(30));
  };
  // Clients pool connections and send thousands of requests on each: no per-connection cap.
  svr->set_keep_alive_max_count(static_cast<size_t>(-1) / 2);
  svr->set_keep_alive_timeout(options.keep_alive_timeout_s);
  svr->set_read_timeout(options.read_timeout_s, 0);
  svr->set_write_timeout(options.read_timeout_s, 0);
  svr->set_tcp_nodelay(true);
  // Bodies are streamed through content readers and bounded where they are consumed.
  svr->set_payload_max_length(static_cast<size_t>(-1));

  const bool tls = options.tls;
  auto shared = std::make_shared<ExchangeHandler>(std::move(handler));
  auto with_reader = [shared, tls](const httplib::Request& req, httplib::Response& res,
                                   const httplib::ContentReader& reader) {
    InFlight counted;
    Exchange ex;
    ex.head = MakeHead(req, tls);
    ex.has_body = true;
    NoteConnection(ex);
    ex.read_body = [&reader, &ex, &req](const RawBodyReceiver& receive) {
      // cpp-httplib's reader starts over from the socket on each call: once only.
      if (ex.body_read_started) return false;
      ex.body_read_started = true;
      HideFromLibraryReader(req);
      bool ok = reader([&receive](const char* data, size_t len) {
        return receive(std::string_view(data, len));
      });
      if (ok) ex.body_consumed = true;
      const HttpConnection* connection = CurrentConnection();
      if (!ok && connection != nullptr && connection->timed_out()) ex.body_timed_out = true;
      return ok;
    };
    (*shared)(ex);
    WriteResponse(ex, req, res);
  };
  auto without_reader = [shared, tls](const httplib::Request& req, httplib::Response& res) {
    InFlight counted;
    Exchange ex;
    ex.head = MakeHead(req, tls);
    ex.has_body = !req.body.empty();
    NoteConnection(ex);
    ex.body_consumed = true;  // cpp-httplib read any body already
    ex.read_body = [&req](const RawBodyReceiver& receive) {
      return req.body.empty() || receive(req.body);
    };
    (*shared)(ex);
    WriteResponse(ex, req, res);
  };
  const std::string any = ".*";
  svr->Get(any, without_reader);  // also serves HEAD
  svr->Options(any, without_reader);
  svr->Post(any, without_reader).Post(any, with_reader);
  svr->Put(any, without_reader).Put(any, with_reader);
  svr->Patch(any, without_reader).Patch(any, with_reader);
  svr->Delete(any, without_reader).Delete(any, with_reader);
  svr->set_error_handler(RenderLibraryError);
  svr->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, const std::exception_ptr&) {
        api::RequestIds ids{api::NewS3RequestId(), api::NewS3HostId()};
        api::ApiResponse r =
            api::RenderError(api::Protocol::kS3, api::InternalWireError(api::Protocol::kS3), ids,
                             {}, req.method == "HEAD");
        res.status = 500;
        for (auto& [name, value] : r.headers) res.set_header(name, value);
        res.body = std::move(r.body);
      });

  int port = options.port;
  if (port == 0) {
    port = svr->bind_to_any_port(options.host);
    if (port < 0) return Status::IoError("cannot bind " + options.host + ":0");
  } else if (!svr->bind_to_port(options.host, port)) {
    return Status::IoError("cannot bind " + options.host + ":" + std::to_string(port) +
                           " (in use? try --port 0)");
  }
  listener->impl_->socket = socket_of();
  ::listen(listener->impl_->socket, kListenBacklog);
  listener->port_ = port;
  return listener;
}

void HttpListener::Start() {
  httplib::Server* svr = impl_->server.get();
  Impl* impl = impl_.get();
  thread_ = std::thread([svr, impl] {
    svr->listen_after_bind();
    impl->finished = true;
  });
}

void HttpListener::StopAccepting() {
  if (!impl_ || !impl_->server) return;
  if (thread_.joinable()) {
    // cpp-httplib's stop() is a no-op until the accept loop runs: wait for it to start (or end).
    while (!impl_->server->is_running() && !impl_->finished) std::this_thread::yield();
  }
  impl_->server->stop();
}

void HttpListener::Stop() {
  StopAccepting();
  if (thread_.joinable()) thread_.join();
}

int RequestsInFlight() {
  return g_in_flight.load();
}

HttpListener::~HttpListener() {
  Stop();
}

}  // namespace sealstack::server
