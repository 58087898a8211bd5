#include "server/pipeline.h"

#include <rapidjson/document.h>

#include <chrono>
#include <cstdio>

#include "api/cloudtrail/cloudtrail_wire.h"
#include "api/common/errors.h"
#include "api/common/request_id.h"
#include "api/glue/glue_wire.h"
#include "api/iam/iam_wire.h"
#include "api/kms/kms_audit.h"
#include "api/kms/kms_wire.h"
#include "api/logs/logs_wire.h"
#include "api/s3/bucket_config_ops.h"
#include "api/s3/object_ops.h"
#include "api/s3/post_object.h"
#include "api/s3/s3_handler.h"
#include "api/s3/s3_operations.h"
#include "api/sts/sts_service.h"
#include "auth/payload_decoder.h"
#include "auth/post_signature.h"
#include "auth/verifier.h"
#include "common/strings.h"
#include "crypto/digest.h"
#include "server/admin.h"
#include "server/body_pump.h"
#include "server/log.h"
#include "server/router.h"

namespace sealstack::server {

namespace {

using api::ApiResponse;
using api::Protocol;
using api::RequestIds;
using api::WireError;

constexpr size_t kS3MaxHeaderBytes = 8192;
constexpr size_t kMaxHeaderBytes = 65536;
// What a browser upload's answer may leave unread of its body and still be read and dropped
// (fields after the file, or a file the upload refused), so a client still sending reads it.
constexpr uint64_t kPostDrainLimit = 8 << 20;

// What the request log line says about a request, filled in as the pipeline learns it.
struct RequestSummary {
  std::string operation = "-";
  std::string principal = "-";
};

// Reads an RPC (JSON / Query) body whole; these are small and bounded by max_rpc_body_bytes,
// so the buffer is part of the fixed per-request budget. nullopt when over the limit or when
// the client failed mid-body.
std::optional<std::string> ReadBoundedBody(Exchange& ex, uint64_t limit, bool* too_large) {
  std::string body;
  *too_large = false;
  if (!ex.has_body) return body;
  bool ok = ex.read_body([&](std::string_view piece) {
    if (body.size() + piece.size() > limit) {
      *too_large = true;
      return false;
    }
    body.append(piece);
    return true;
  });
  if (!ok) return std::nullopt;
  return body;
}

// application/x-www-form-urlencoded: like a query string, but '+' is a space.
void ParseForm(std::string_view form, std::vector<std::pair<std::string, std::string>>* out) {
  for (std::string_view pair : Split(form, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    for (char& c : name) c = c == '+' ? ' ' : c;
    for (char& c : value) c = c == '+' ? ' ' : c;
    std::string dn, dv;
    if (!auth::UriDecode(name, &dn)) dn = name;
    if (!auth::UriDecode(value, &dv)) dv = value;
    out->emplace_back(std::move(dn), std::move(dv));
  }
}

// JSON bodies nest at most this deep. RapidJSON parses and frees values recursively, so a
// body of 50,000 nested arrays (well within the size limit) would exhaust a worker's stack;
// AWS's own services refuse such documents too. A linear scan, strings skipped.
constexpr size_t kMaxJsonDepth = 512;

bool JsonNestingWithin(std::string_view body, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

// The path and the names (not values) of the query parameters: presigned URLs carry
// credentials in their values, which stay out of logs.
std::string LoggableTarget(const auth::HttpRequestHead& head) {
  std::string out(head.RawPath());
  std::string_view q = head.RawQuery();
  if (q.empty()) return out;
  char sep = '?';
  for (std::string_view pair : Split(q, '&')) {
    out += sep;
    out += pair.substr(0, pair.find('='));
    sep = '&';
  }
  return out;
}

class Handler {
 public:
  Handler(ServerContext& context, Exchange& ex, const Route& route, const RequestIds& ids,
          RequestSummary* summary)
      : context_(context), ex_(ex), route_(route), ids_(ids), summary_(summary) {}

  ApiResponse Run() {
    if (ex_.head_problem != HeadProblem::kNone) return HeadProblemError();
    if (auto err = CheckHeaderSection()) return *err;
    if (route_.service == Service::kForeign) return ForeignService();
    switch (route_.protocol) {
      case Protocol::kAdmin: {
        summary_->operation = "admin:" + route_.admin_path;
        bool too_large = false;
        auto body = ReadBoundedBody(ex_, context_.config.max_rpc_body_bytes, &too_large);
        if (!body && too_large) {
          return Error({.http_status = 413,
                        .code = "RequestEntityTooLarge",
                        .message = "the request body could not be read"});
        }
        if (!body) return Error(BodyReadFailure());
        if (!JsonNestingWithin(*body, kMaxJsonDepth)) {
          return Error(
              {.http_status = 400,
               .code = "SerializationException",
               .message = "the JSON document nests deeper than " + std::to_string(kMaxJsonDepth)});
        }
        return HandleAdmin(context_, ex_.head, route_.admin_path, *body, ids_);
      }
      case Protocol::kJson:
        return Json();
      case Protocol::kQuery:
        return Query();
      case Protocol::kS3:
        return S3();
    }
    return Error(api::InternalWireError(route_.protocol));
  }

 private:
  // S3 limits the request header section to 8 KiB; the RPC services get more room, but a
  // bound all the same (the HTTP layer limits each line and the whole head, http_head.h).
  size_t HeaderSectionLimit() const {
    return route_.protocol == Protocol::kS3 ? kS3MaxHeaderBytes : kMaxHeaderBytes;
  }

  std::optional<ApiResponse> CheckHeaderSection() {
    size_t total = 0;
    for (const auto& [name, value] : ex_.head.headers) total += name.size() + value.size() + 4;
    if (total <= HeaderSectionLimit()) return std::nullopt;
    return HeaderSectionTooLarge();
  }

  ApiResponse HeaderSectionTooLarge() {
    return Error({400,
                  "RequestHeaderSectionTooLarge",
                  "Your request header section exceeds the maximum allowed size.",
                  {{"MaxSizeAllowed", std::to_string(HeaderSectionLimit())}},
                  false},
                 route_.protocol == Protocol::kS3 ? ex_.head.RawPath() : "");
  }

  // The HTTP layer refused the head (exchange.h HeadProblem): answered before authentication,
  // since the header lines concerned are gone (a signature over them cannot be checked), and
  // without reading the body. The connection closes after it.
  ApiResponse HeadProblemError() {
    if (ex_.head_problem == HeadProblem::kHeaderSectionTooLarge) return HeaderSectionTooLarge();
    // AWS's front end answers an HTTP message it cannot frame with a bare BadRequest.
    return Error({.http_status = 400,
                  .code = "BadRequest",
                  .message = "An error occurred when parsing the HTTP request."},
                 route_.protocol == Protocol::kS3 ? ex_.head.RawPath() : "");
  }

  // A body read that failed without the consumer stopping it: the client stalled for the read
  // timeout (S3: 400 RequestTimeout; the JSON/Query services: 408 RequestTimeoutException, a
  // code the SDKs retry), or it closed before sending the whole body (IncompleteBody).
  WireError BodyReadFailure() const {
    if (ex_.body_timed_out) {
      if (route_.protocol == Protocol::kS3) {
        return {.http_status = 400,
                .code = "RequestTimeout",
                .message =
                    "Your socket connection to the server was not read from or written to within "
                    "the timeout period. Idle connections will be closed."};
      }
      return {.http_status = 408,
              .code = "RequestTimeoutException",
              .message = "The request body was not received within the timeout period."};
    }
    if (route_.protocol == Protocol::kS3) {
      return {.http_status = 400,
              .code = "IncompleteBody",
              .message =
                  "You did not provide the number of bytes specified by the Content-Length HTTP "
                  "header."};
    }
    return {
        .http_status = 400, .code = "IncompleteBody", .message = "The request body ended early."};
  }

  ApiResponse Error(const WireError& e, std::string_view resource = {}) {
    return api::RenderError(route_.protocol, e, ids_, resource, ex_.head.method == "HEAD");
  }

  // Authenticates; on failure returns the protocol's error response.
  std::optional<ApiResponse> Authenticate(const auth::VerifyOptions& options,
                                          std::shared_ptr<const auth::Principal>* principal,
                                          std::string* region = nullptr,
                                          auth::VerifiedRequest* verified_out = nullptr) {
    auth::VerifyOutcome outcome =
        auth::Verify(ex_.head, *context_.principals, *context_.clock, options);
    if (auto* err = std::get_if<auth::AuthError>(&outcome)) {
      WireError wire = api::AuthErrorToWire(*err, route_.protocol);
      if (err->code == auth::AuthErrorCode::kUnknownAccessKey) {
        // Say how to fix it: this is the most common first-run mistake.
        wire.message +=
            " (SealStack: add this access key to \"principals\" in the --config "
            "file, create it with IAM CreateAccessKey (an Inactive key is refused too), or use "
            "the default test/test)";
      }
      return Error(wire, route_.protocol == Protocol::kS3 ? ex_.head.RawPath() : "");
    }
    const auto& verified = std::get<auth::VerifiedRequest>(outcome);
    *principal = verified.principal;
    if (region != nullptr) *region = verified.region;
    if (context_.iam) {  // GetAccessKeyLastUsed: in memory, written at most once a minute per key
      context_.iam->RecordKeyUse((*principal)->access_key_id, ServiceName(route_.service),
                                 verified.region);
    }
    if (verified_out != nullptr) *verified_out = verified;
    summary_->principal = (*principal)->arn;
    return std::nullopt;
  }

  // Streams an S3 body through its payload decoder (SHA-256, aws-chunked signatures and
  // trailer checksums), so a body that does not match its signature is refused before the
  // operation runs. The decoded bytes go nowhere yet: S3 operations come with the S3 issue.
  std::optional<ApiResponse> VerifyPayload(const auth::VerifiedRequest& verified,
                                           std::string* keep = nullptr, size_t keep_limit = 0) {
    auto created = auth::PayloadDecoder::Create(verified, ex_.head);
    if (auto* err = std::get_if<auth::AuthError>(&created)) {
      return Error(api::AuthErrorToWire(*err, Protocol::kS3), ex_.head.RawPath());
    }
    auto& decoder = std::get<std::unique_ptr<auth::PayloadDecoder>>(created);
    std::optional<auth::AuthError> failure;
    bool too_large = false;
    const auth::PayloadSink sink = [&](std::string_view piece) {
      if (keep == nullptr) return true;  // verified and dropped
      if (keep->size() + piece.size() > keep_limit) {
        too_large = true;
        return false;
      }
      keep->append(piece);
      return true;
    };
    if (ex_.has_body) {
      bool read = ex_.read_body([&](std::string_view piece) {
        failure = decoder->Feed(piece, sink);
        return !failure.has_value() && !too_large;
      });
      if (too_large) {
        return Error({.http_status = 400,
                      .code = "MaxMessageLengthExceeded",
                      .message = "Your request was too big."},
                     ex_.head.RawPath());
      }
      if (!read && !failure) return Error(BodyReadFailure(), ex_.head.RawPath());
    }
    if (!failure) failure = decoder->Finish();
    if (failure) return Error(api::AuthErrorToWire(*failure, Protocol::kS3), ex_.head.RawPath());
    return std::nullopt;
  }

  // PutObject/GetObject/HeadObject/DeleteObject: the body streams through the payload decoder
  // (signature, hash, trailer checksums) straight into the object writer.
  ApiResponse Object(const auth::VerifiedRequest& verified,
                     const std::shared_ptr<const auth::Principal>& principal,
                     const api::s3::S3Request& request) {
    summary_->operation = "s3:";
    summary_->operation += api::s3::S3OperationName(request);
    std::optional<auth::AuthError> payload_error;
    std::optional<WireError> body_failure;  // the body could not be read
    api::s3::PayloadReader payload =
        [&](const std::function<Status(std::string_view)>& sink) -> Status {
      auto created = auth::PayloadDecoder::Create(verified, ex_.head);
      if (auto* err = std::get_if<auth::AuthError>(&created)) {
        payload_error = *err;
        return Status::Unauthenticated("payload");
      }
      auto& decoder = std::get<std::unique_ptr<auth::PayloadDecoder>>(created);
      Status sink_status;
      const auth::PayloadSink to_store = [&](std::string_view piece) {
        sink_status = sink(piece);
        return sink_status.ok();
      };
      if (ex_.has_body) {
        bool read = ex_.read_body([&](std::string_view piece) {
          payload_error = decoder->Feed(piece, to_store);
          return !payload_error && sink_status.ok();
        });
        if (!sink_status.ok()) return sink_status;
        if (payload_error) return Status::Unauthenticated("payload");
        if (!read) {
          body_failure = BodyReadFailure();
          return Status::Unauthenticated("payload");
        }
      }
      payload_error = decoder->Finish();
      return payload_error ? Status::Unauthenticated("payload") : Status::Ok();
    };
    const api::s3::S3Caller caller = S3CallerOf(verified, principal);
    const api::s3::ObjectServices services = S3Services();
    ApiResponse response = api::s3::HandleObject(services, caller, request, payload, ids_);
    if (body_failure) return Error(*body_failure, ex_.head.RawPath());
    if (payload_error) {
      return Error(api::AuthErrorToWire(*payload_error, Protocol::kS3), ex_.head.RawPath());
    }
    return response;
  }

  // The caller as every service sees it (api/common/caller.h); `region` is the credential
  // scope's, "" for the server's.
  api::Caller CallerOf(const std::shared_ptr<const auth::Principal>& principal,
                       const std::string& region) const {
    api::Caller caller;
    caller.principal = principal;
    caller.region = region.empty() ? context_.config.region : region;
    caller.source_ip = ex_.head.remote_addr;
    caller.secure_transport = ex_.head.secure;
    if (const std::string* ua = ex_.head.FindHeader("User-Agent")) caller.user_agent = *ua;
    caller.request_id = ids_.request_id;
    return caller;
  }

  api::s3::S3Caller S3CallerOf(const auth::VerifiedRequest& verified,
                               const std::shared_ptr<const auth::Principal>& principal) const {
    api::s3::S3Caller caller(CallerOf(principal, verified.region));
    const bool query = verified.scheme != auth::AuthScheme::kSigV4Header;
    caller.auth_type = query ? "REST-QUERY-STRING" : "REST-HEADER";
    caller.signature_version =
        verified.scheme == auth::AuthScheme::kSigV2Query ? "AWS" : "AWS4-HMAC-SHA256";
    return caller;
  }

  api::s3::ObjectServices S3Services() const {
    return api::s3::ObjectServices{context_.s3_buckets.get(), context_.s3_objects.get(),
                                   context_.s3_keys.get(),    context_.config.sse_c_require_tls,
                                   context_.faults.get(),     context_.audit.get()};
  }

  // Reads a bounded RPC body and authenticates with its hash.
  std::optional<ApiResponse> ReadAndAuthenticate(std::string* body,
                                                 std::shared_ptr<const auth::Principal>* p,
                                                 std::string* region = nullptr) {
    if (auto err = ReadRpcBody(body)) return *err;
    return AuthenticateRpc(*body, p, region);
  }

  // Reads an RPC body whole (bounded by max_rpc_body_bytes).
  std::optional<ApiResponse> ReadRpcBody(std::string* body) {
    bool too_large = false;
    auto read = ReadBoundedBody(ex_, context_.config.max_rpc_body_bytes, &too_large);
    if (!read) {
      if (too_large) {
        return Error({.http_status = 413,
                      .code = "RequestEntityTooLargeException",
                      .message = "Request body exceeds " +
                                 std::to_string(context_.config.max_rpc_body_bytes) + " bytes"});
      }
      return Error(BodyReadFailure());
    }
    *body = std::move(*read);
    return std::nullopt;
  }

  // SigV4 over an RPC request whose body has been read.
  std::optional<ApiResponse> AuthenticateRpc(const std::string& body,
                                             std::shared_ptr<const auth::Principal>* p,
                                             std::string* region) {
    auth::VerifyOptions options;
    options.s3 = false;
    options.body_sha256_hex = crypto::Hex(crypto::Sha256(body));
    return Authenticate(options, p, region);
  }

  // Whether the request carries no signature at all (no Authorization header, no presigned
  // X-Amz-Credential): only STS AssumeRoleWithWebIdentity may be answered so.
  bool Unsigned() const {
    return ex_.head.FindHeader("Authorization") == nullptr &&
           ex_.head.RawQuery().find("X-Amz-Credential=") == std::string_view::npos;
  }

  ApiResponse Json() {
    summary_->operation = std::string(ServiceName(route_.service)) + ":" + route_.operation;
    std::string body;
    std::shared_ptr<const auth::Principal> principal;
    std::string region;
    if (auto err = ReadAndAuthenticate(&body, &principal, &region)) return *err;
    if (!JsonNestingWithin(body, kMaxJsonDepth)) {
      return Error({.http_status = 400,
                    .code = "SerializationException",
                    .message = "The request body nests deeper than " +
                               std::to_string(kMaxJsonDepth) + " levels."});
    }
    if (route_.service == Service::kKms && context_.kms) {
      const api::kms::Caller caller(CallerOf(principal, region));
      return api::kms::HandleKmsRequestAudited(*context_.kms, context_.audit.get(), caller,
                                               route_.operation, body, ids_);
    }
    if (route_.service == Service::kCloudTrail && context_.audit) {
      return api::cloudtrail::HandleCloudTrailRequest(*context_.audit, *context_.access,
                                                      CallerOf(principal, region), route_.operation,
                                                      body, ids_);
    }
    if (route_.service == Service::kLogs && context_.logs) {
      return api::logs::HandleLogsRequest(*context_.logs, CallerOf(principal, region),
                                          route_.operation, body, ids_);
    }
    if (route_.service == Service::kGlue && context_.glue) {
      const api::glue::Caller caller(CallerOf(principal, region));
      return api::glue::HandleGlueRequest(*context_.glue, caller, route_.operation, body, ids_);
    }
    if (route_.service != Service::kUnknownJson) {
      rapidjson::Document doc;
      doc.Parse(body.empty() ? "{}" : body.c_str(), body.empty() ? 2 : body.size());
      if (doc.HasParseError() || !doc.IsObject()) {
        return Error({.http_status = 400,
                      .code = "SerializationException",
                      .message =
                          "Start of structure or map found where not expected, or the body is not "
                          "a JSON object."});
      }
    }
    // KMS, Glue and CloudTrail operations arrive with their issues.
    const std::string* target = ex_.head.FindHeader("X-Amz-Target");
    return Error({.http_status = 400,
                  .code = "UnknownOperationException",
                  .message = "The operation " + (target ? *target : std::string()) +
                             " is not known to this server."});
  }

  // A request signed for a service SealStack does not emulate: that service's own answer to an
  // operation it does not know (JSON: UnknownOperationException; Query: InvalidAction), naming
  // the services SealStack has, so a misrouted SDK client says what happened. Not authenticated:
  // there is nothing to protect.
  ApiResponse ForeignService() {
    summary_->operation = route_.foreign_service + ":?";
    bool too_large = false;
    auto body = ReadBoundedBody(ex_, context_.config.max_rpc_body_bytes, &too_large);
    std::string operation = route_.operation;
    if (operation.empty() && route_.protocol == Protocol::kQuery) {
      std::vector<std::pair<std::string, std::string>> params;
      ParseForm(ex_.head.RawQuery(), &params);
      if (body) ParseForm(*body, &params);
      for (const auto& [k, v] : params) {
        if (k == "Action") operation = v;
      }
    }
    if (operation.empty()) operation = ex_.head.method + " " + std::string(ex_.head.RawPath());
    const std::string message = "SealStack emulates KMS, S3, Glue, CloudTrail, STS and IAM, not '" +
                                route_.foreign_service + "': " + operation +
                                " is not an operation of this endpoint.";
    if (route_.protocol == Protocol::kQuery) {
      return Error({.http_status = 400, .code = "InvalidAction", .message = message});
    }
    return Error({.http_status = 400, .code = "UnknownOperationException", .message = message});
  }

  ApiResponse Query() {
    std::string body;
    std::shared_ptr<const auth::Principal> principal;
    std::string region;
    if (auto err = ReadRpcBody(&body)) return *err;
    std::vector<std::pair<std::string, std::string>> params;
    ParseForm(ex_.head.RawQuery(), &params);
    ParseForm(body, &params);
    const bool iam = route_.service == Service::kIam;
    std::string action;
    for (const auto& [k, v] : params) {
      if (k == "Action") action = v;
    }
    summary_->operation = (iam ? "iam:" : "sts:") + action;
    if (!iam && action == "AssumeRoleWithWebIdentity" && Unsigned()) {
      // The one unsigned AWS operation SealStack answers: the token authenticates the caller.
      summary_->principal = "web-identity";
      const api::Caller caller = CallerOf(nullptr, "");
      const api::sts::StsDependencies deps{context_.iam.get(), context_.access.get(),
                                           context_.clock.get(), context_.audit.get()};
      return api::sts::HandleStsQuery(deps, caller, params, ids_);
    }
    if (auto err = AuthenticateRpc(body, &principal, &region)) return *err;
    if (iam && context_.iam) {
      return api::iam::HandleIamQuery(*context_.iam, CallerOf(principal, region), params, ids_,
                                      context_.audit.get());
    }
    const api::sts::StsDependencies deps{context_.iam.get(), context_.access.get(),
                                         context_.clock.get(), context_.audit.get()};
    return api::sts::HandleStsQuery(deps, CallerOf(principal, region), params, ids_);
  }

  ApiResponse S3() {
    summary_->operation = "s3";
    if (ex_.head.method == "OPTIONS" && !route_.bucket.empty() && context_.s3_buckets) {
      // A CORS preflight: browsers send it without credentials, and S3 answers it from the
      // bucket's CORS configuration alone.
      summary_->operation = "s3:PreflightRequest";
      return api::s3::HandleCorsPreflight(S3Services(), S3RequestOfRoute(), ids_);
    }
    if (context_.s3_buckets) {
      api::s3::S3Request request = S3RequestOfRoute();
      if (api::s3::IsPostObject(request)) return PostObject(request);
    }
    auth::VerifyOptions options;
    options.s3 = true;
    if (route_.virtual_hosted) options.sigv2_bucket_prefix = "/" + route_.bucket;
    std::shared_ptr<const auth::Principal> principal;
    auth::VerifiedRequest verified;
    if (auto err = Authenticate(options, &principal, nullptr, &verified)) return *err;
    if (route_.key.empty() && context_.s3_buckets) {
      // Service- and bucket-level operations: small configuration bodies, read whole.
      api::s3::S3Request request = S3RequestOfRoute();
      if (auto err = VerifyPayload(verified, &request.body, api::s3::kMaxBucketRequestBody)) {
        return *err;
      }
      const api::s3::S3Caller caller = S3CallerOf(verified, principal);
      summary_->operation += ':';
      summary_->operation += api::s3::S3OperationName(request);
      return api::s3::HandleS3(S3Services(), caller, request, ids_);
    }
    return Object(verified, principal, S3RequestOfRoute());
  }

  // A browser upload (POST Object): unsigned at the HTTP level, authenticated by the signature
  // of the policy in its form (api/s3/post_object.h). The body is pulled through a BodyPump:
  // the form's fields are read before the file part streams into the object store.
  ApiResponse PostObject(const api::s3::S3Request& request) {
    summary_->operation = "s3:PostObject";
    BodyPump pump(ex_.read_body, ex_.has_body);
    const api::s3::ByteSource body = [&pump](char* dst, size_t max) { return pump.Read(dst, max); };
    const api::s3::PostAuthenticator authenticate = [&](const auth::PostSignatureInput& in)
        -> std::variant<api::s3::PostAuthentication, auth::AuthError> {
      auto verified = auth::VerifyPostSignature(in, *context_.principals, *context_.clock);
      if (auto* err = std::get_if<auth::AuthError>(&verified)) return *err;
      api::s3::PostAuthentication out;
      out.verified = std::get<auth::VerifiedPost>(std::move(verified));
      out.caller = api::s3::S3Caller(CallerOf(out.verified.principal, out.verified.region));
      out.caller.auth_type = "POST";
      out.caller.signature_version = in.sigv2 ? "AWS" : std::string(auth::sigv4::kAlgorithm);
      summary_->principal = out.verified.principal->arn;
      return out;
    };
    ApiResponse response =
        api::s3::HandlePostObject(S3Services(), request, body, authenticate, ids_);
    const bool body_failed = pump.failed();
    pump.Drain(kPostDrainLimit);
    pump.Stop();
    if (body_failed) return Error(BodyReadFailure(), ex_.head.RawPath());
    return response;
  }

  // The S3 request the route names: method, bucket, key (decoded; as sent if it does not
  // decode: S3 then answers for that key), query, headers, resource. No body.
  api::s3::S3Request S3RequestOfRoute() const {
    api::s3::S3Request request;
    request.method = ex_.head.method;
    request.bucket = route_.bucket;
    if (!route_.key.empty() && !auth::UriDecode(route_.key, &request.key)) request.key = route_.key;
    request.query = auth::ParseQuery(ex_.head.RawQuery());
    request.headers = &ex_.head.headers;
    request.resource = std::string(ex_.head.RawPath());
    return request;
  }

  ServerContext& context_;
  Exchange& ex_;
  const Route& route_;
  const RequestIds& ids_;
  RequestSummary* summary_;
};

}  // namespace

void RequestPipeline::Handle(Exchange& ex) {
  const auto start = std::chrono::steady_clock::now();
  const Route route = Classify(ex.head, context_.config.s3_base_domain);
  RequestIds ids;
  if (route.protocol == Protocol::kS3) {
    ids = {api::NewS3RequestId(), api::NewS3HostId()};
  } else {
    ids = {api::NewUuidRequestId(), ""};
  }
  RequestSummary summary;
  try {
    ex.response = Handler(context_, ex, route, ids, &summary).Run();
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "request " + ids.request_id + " failed: " + e.what());
    ex.response = api::RenderError(route.protocol, api::InternalWireError(route.protocol), ids, {},
                                   ex.head.method == "HEAD");
  } catch (...) {
    Log(LogLevel::kError, "request " + ids.request_id + " failed: unknown exception");
    ex.response = api::RenderError(route.protocol, api::InternalWireError(route.protocol), ids, {},
                                   ex.head.method == "HEAD");
  }

  if (LogEnabled(LogLevel::kInfo)) {
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    char timing[32];
    std::snprintf(timing, sizeof(timing), "%.2fms", ms);
    std::string line = ex.head.method + " " + LoggableTarget(ex.head) + " " + summary.operation +
                       " " + std::to_string(ex.response.status) + " " + timing +
                       " req=" + ids.request_id + " principal=" + summary.principal;
    // A denied call names the policy statement that decided it (GET /_sealstack/decisions has
    // the whole explanation).
    if (ex.response.status >= 400 && context_.decisions) {
      if (auto denial = context_.decisions->LastDenialOf(ids.request_id)) {
        line += " denied-by=" + DecidingStatement(denial->decision);
      }
    }
    Log(LogLevel::kInfo, line);
  }
}

}  // namespace sealstack::server
