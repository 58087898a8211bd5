#include "api/common/errors.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/common/error_table.h"
#include "api/common/xml_writer.h"

namespace sealstack::api {

namespace {

using auth::AuthErrorCode;

constexpr std::string_view kJsonSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

WireError Make(int status, std::string code, std::string message) {
  return {.http_status = status, .code = std::move(code), .message = std::move(message)};
}

// How S3 reports each authentication failure. A null message keeps the AuthError's own.
struct S3AuthRow {
  AuthErrorCode kind;
  int http_status;
  const char* code;
  const char* message;
};
constexpr S3AuthRow kS3AuthErrors[] = {
    {AuthErrorCode::kMissingAuthentication, 403, "AccessDenied", "Access Denied"},
    {AuthErrorCode::kMalformedAuthorization, 400, "AuthorizationHeaderMalformed", nullptr},
    {AuthErrorCode::kMalformedQueryAuth, 400, "AuthorizationQueryParametersError", nullptr},
    {AuthErrorCode::kMalformedSigV2QueryAuth, 403, "AccessDenied", nullptr},
    {AuthErrorCode::kPresignExpired, 403, "AccessDenied", nullptr},
    {AuthErrorCode::kPresignNotYetValid, 403, "AccessDenied", nullptr},
    {AuthErrorCode::kUnsupportedAlgorithm, 501, "NotImplemented", nullptr},
    // AWS's answer to SigV2 header auth (docs: "Authenticating Requests: Using the
    // Authorization Header (AWS Signature Version 4)" / specify-signature-version).
    {AuthErrorCode::kSigV2HeaderAuth, 400, "InvalidRequest", nullptr},
    {AuthErrorCode::kUnknownAccessKey, 403, "InvalidAccessKeyId", nullptr},
    {AuthErrorCode::kInvalidSessionToken, 403, "InvalidToken",
     "The provided token is malformed or otherwise invalid."},
    {AuthErrorCode::kExpiredToken, 400, "ExpiredToken", "The provided token has expired."},
    {AuthErrorCode::kSignatureMismatch, 403, "SignatureDoesNotMatch", nullptr},
    {AuthErrorCode::kHeadersNotSigned, 403, "AccessDenied", nullptr},
    {AuthErrorCode::kRequestTimeTooSkewed, 403, "RequestTimeTooSkewed", nullptr},
    {AuthErrorCode::kMissingContentSha256, 400, "InvalidRequest", nullptr},
    {AuthErrorCode::kInvalidContentSha256, 400, "InvalidRequest", nullptr},
    {AuthErrorCode::kContentSha256Mismatch, 400, "XAmzContentSHA256Mismatch", nullptr},
    {AuthErrorCode::kBadTrailerChecksum, 400, "BadDigest", nullptr},
    {AuthErrorCode::kMalformedChunk, 400, "InvalidChunkSizeError", nullptr},
    {AuthErrorCode::kIncompleteBody, 400, "IncompleteBody", nullptr},
    {AuthErrorCode::kChunkTooSmall, 403, "InvalidChunkSizeError", nullptr},
};

WireError S3AuthError(const auth::AuthError& err) {
  WireError e;
  e.details = err.details;
  e.message = err.message;
  if (const S3AuthRow* row = FindRow(kS3AuthErrors, err.code)) {
    e.http_status = row->http_status;
    e.code = row->code;
    if (row->message != nullptr) e.message = row->message;
  }
  return e;
}

// How KMS, Glue and CloudTrail (awsJson1_1) and STS (AWS Query) report each authentication
// failure: the same failures under each protocol's code, 400 for JSON and 403 for Query. A
// failure not listed is an incomplete signature (400 in both). A null message keeps the
// AuthError's own. These never carry S3's diagnostic details.
struct ServiceAuthRow {
  AuthErrorCode kind;
  const char* json_code;
  const char* query_code;
  const char* message;
  const char* query_message = nullptr;  // where STS words it otherwise
};
constexpr ServiceAuthRow kServiceAuthErrors[] = {
    {AuthErrorCode::kMissingAuthentication, "MissingAuthenticationTokenException",
     "MissingAuthenticationToken", "Missing Authentication Token",
     "Request is missing Authentication Token"},
    {AuthErrorCode::kUnknownAccessKey, "UnrecognizedClientException", "InvalidClientTokenId",
     kInvalidToken.data()},
    {AuthErrorCode::kInvalidSessionToken, "UnrecognizedClientException", "InvalidClientTokenId",
     kInvalidToken.data()},
    {AuthErrorCode::kExpiredToken, "ExpiredTokenException", "ExpiredToken",
     "The security token included in the request is expired"},
    {AuthErrorCode::kSignatureMismatch, "InvalidSignatureException", "SignatureDoesNotMatch",
     kJsonSignatureMismatch.data()},
    {AuthErrorCode::kContentSha256Mismatch, "InvalidSignatureException", "SignatureDoesNotMatch",
     kJsonSignatureMismatch.data()},
    {AuthErrorCode::kRequestTimeTooSkewed, "InvalidSignatureException", "SignatureDoesNotMatch",
     nullptr},
};

WireError ServiceAuthError(const auth::AuthError& err, Protocol protocol) {
  const bool query = protocol == Protocol::kQuery;
  const ServiceAuthRow* row = FindRow(kServiceAuthErrors, err.code);
  if (row == nullptr) {
    return Make(400, query ? "IncompleteSignature" : "IncompleteSignatureException", err.message);
  }
  const char* message = query && row->query_message != nullptr ? row->query_message : row->message;
  return Make(query ? 403 : 400, query ? row->query_code : row->json_code,
              message != nullptr ? message : err.message);
}

}  // namespace

WireError AuthErrorToWire(const auth::AuthError& error, Protocol protocol) {
  switch (protocol) {
    case Protocol::kS3:
      return S3AuthError(error);
    case Protocol::kQuery:
    case Protocol::kJson:
    case Protocol::kAdmin:
      return ServiceAuthError(error, protocol);
  }
  return ServiceAuthError(error, protocol);
}

WireError InternalWireError(Protocol protocol) {
  WireError e;
  e.http_status = 500;
  e.server_fault = true;
  switch (protocol) {
    case Protocol::kS3:
      e.code = "InternalError";
      e.message = "We encountered an internal error. Please try again.";
      break;
    case Protocol::kJson:
      e.code = "InternalFailure";
      e.message =
          "The request processing has failed because of an unknown error, exception or "
          "failure.";
      break;
    case Protocol::kQuery:
      e.code = "InternalFailure";
      e.message = "An internal error occurred.";
      break;
    case Protocol::kAdmin:
      e.code = "InternalError";
      e.message = "internal error";
      break;
  }
  return e;
}

WireError StatusToWire(const Status& status, Protocol protocol) {
  const bool s3 = protocol == Protocol::kS3;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return Make(400, s3 ? "InvalidArgument" : "ValidationException", status.message());
    case StatusCode::kAccessDenied:
      return Make(s3 ? 403 : 400, s3 ? "AccessDenied" : "AccessDeniedException", status.message());
    case StatusCode::kUnimplemented:
      return Make(501, "NotImplemented", status.message());
    case StatusCode::kUnavailable: {
      WireError e = Make(503, s3 ? "SlowDown" : "ServiceUnavailableException",
                         s3 ? "Please reduce your request rate." : "Service unavailable.");
      e.server_fault = true;
      return e;
    }
    case StatusCode::kResourceExhausted:
      return Make(400, s3 ? "EntityTooLarge" : "LimitExceededException", status.message());
    default:
      return InternalWireError(protocol);
  }
}

void AddRequestIdHeaders(Protocol protocol, const RequestIds& ids, ApiResponse* response) {
  switch (protocol) {
    case Protocol::kS3:
      response->SetHeader("x-amz-request-id", ids.request_id);
      response->SetHeader("x-amz-id-2", ids.host_id);
      break;
    case Protocol::kJson:
    case Protocol::kQuery:
    case Protocol::kAdmin:
      response->SetHeader("x-amzn-RequestId", ids.request_id);
      break;
  }
}

ApiResponse RenderJsonError(const WireError& error, const RequestIds& ids,
                            std::string_view message_member) {
  ApiResponse r;
  r.status = error.http_status;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("__type");
  w.String(error.code.data(), static_cast<rapidjson::SizeType>(error.code.size()));
  w.Key(message_member.data(), static_cast<rapidjson::SizeType>(message_member.size()));
  w.String(error.message.data(), static_cast<rapidjson::SizeType>(error.message.size()));
  w.EndObject();
  r.body.assign(buf.GetString(), buf.GetSize());
  r.SetHeader("Content-Type", "application/x-amz-json-1.1");
  r.SetHeader("x-amzn-ErrorType", error.code);
  AddRequestIdHeaders(Protocol::kJson, ids, &r);
  return r;
}

ApiResponse JsonResponse(std::string body, const RequestIds& ids) {
  ApiResponse r;
  r.body = std::move(body);
  r.SetHeader("Content-Type", "application/x-amz-json-1.1");
  AddRequestIdHeaders(Protocol::kJson, ids, &r);
  return r;
}

ApiResponse RenderError(Protocol protocol, const WireError& error, const RequestIds& ids,
                        std::string_view resource, bool head_request) {
  ApiResponse r;
  r.status = error.http_status;
  AddRequestIdHeaders(protocol, ids, &r);
  switch (protocol) {
    case Protocol::kJson:
    case Protocol::kAdmin: {
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      w.StartObject();
      w.Key(protocol == Protocol::kJson ? "__type" : "error");
      w.String(error.code.data(), static_cast<rapidjson::SizeType>(error.code.size()));
      // awsJson errors carry a message only when there is one: AWS sends none for, e.g., KMS's
      // InvalidCiphertextException and KMSInvalidSignatureException.
      if (!error.message.empty() || protocol == Protocol::kAdmin) {
        w.Key("message");
        w.String(error.message.data(), static_cast<rapidjson::SizeType>(error.message.size()));
      }
      w.EndObject();
      r.body.assign(buf.GetString(), buf.GetSize());
      if (protocol == Protocol::kJson) {
        r.SetHeader("x-amzn-ErrorType", error.code);
        r.SetHeader("Content-Type", "application/x-amz-json-1.1");
      } else {
        r.SetHeader("Content-Type", "application/json");
      }
      break;
    }
    case Protocol::kQuery: {
      XmlWriter x;
      x.Open("ErrorResponse", "https://sts.amazonaws.com/doc/2011-06-15/");
      x.Open("Error")
          .Element("Type", error.server_fault ? "Receiver" : "Sender")
          .Element("Code", error.code)
          .Element("Message", error.message)
          .Close();
      x.Element("RequestId", ids.request_id);
      r.body = x.Finish();
      r.SetHeader("Content-Type", "text/xml");
      break;
    }
    case Protocol::kS3: {
      if (head_request) break;  // HEAD errors carry no body; clients read the status alone.
      XmlWriter x;
      x.Open("Error").Element("Code", error.code).Element("Message", error.message);
      for (const auto& [name, value] : error.details) x.Element(name, value);
      if (!resource.empty()) x.Element("Resource", resource);
      x.Element("RequestId", ids.request_id).Element("HostId", ids.host_id);
      r.body = x.Finish();
      r.SetHeader("Content-Type", "application/xml");
      break;
    }
  }
  return r;
}

}  // namespace sealstack::api
