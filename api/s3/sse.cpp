#include "api/s3/sse.h"

#include <rapidjson/document.h>

#include "api/s3/s3_errors.h"
#include "common/name_table.h"
#include "common/strings.h"
#include "crypto/digest.h"

namespace sealstack::api::s3 {

namespace {

constexpr std::string_view kSse = "x-amz-server-side-encryption";
constexpr std::string_view kInvalidContext =
    "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string "
    "holding JSON which represents a string-string map";

// AWS's message ends at "...encryption type"; SealStack adds how to unblock, in AWS's terms
// (UG "Blocking or unblocking SSE-C for a general purpose bucket") and its own flag.
constexpr std::string_view kSseCUnblockHint =
    ". To allow SSE-C uploads, put a bucket encryption configuration whose rule has "
    "BlockedEncryptionTypes NONE (PutBucketEncryption), or start SealStack with "
    "--sse-c-blocked-by-default false so that new buckets do not block SSE-C.";

// SSE-C has no x-amz-server-side-encryption value: its name is "".
constexpr NameEntry<SseMode> kSseHeaderValues[] = {
    {SseMode::kSseS3, "AES256"},
    {SseMode::kSseKms, "aws:kms"},
    {SseMode::kDsseKms, "aws:kms:dsse"},
};

bool IsKms(SseMode m) {
  return m == SseMode::kSseKms || m == SseMode::kDsseKms;
}

}  // namespace

std::string_view SseHeaderValue(SseMode mode) {
  return NameOf(kSseHeaderValues, mode, "");
}

std::optional<SseMode> ParseSseHeaderValue(std::string_view value) {
  return ValueOf(kSseHeaderValues, value);
}

SseHeaders ExtractSseHeaders(const std::vector<std::pair<std::string, std::string>>& headers,
                             bool copy_source) {
  // Compared in place, case-insensitively: this runs on every object request, and a lower-cased
  // copy of every header name cost more than the rest of the function.
  constexpr std::string_view kCustomer = "x-amz-server-side-encryption-customer-";
  constexpr std::string_view kCopySourceCustomer =
      "x-amz-copy-source-server-side-encryption-customer-";
  const std::string_view customer = copy_source ? kCopySourceCustomer : kCustomer;
  SseHeaders h;
  for (const auto& [name, value] : headers) {
    const std::string_view n = name;
    if (n.size() < kSse.size() || !EqualsIgnoreCase(n.substr(0, 6), "x-amz-")) continue;
    if (!copy_source) {
      if (EqualsIgnoreCase(n, kSse)) h.sse = value;
      if (EqualsIgnoreCase(n, "x-amz-server-side-encryption-aws-kms-key-id")) h.kms_key_id = value;
      if (EqualsIgnoreCase(n, "x-amz-server-side-encryption-context")) h.context = value;
      if (EqualsIgnoreCase(n, "x-amz-server-side-encryption-bucket-key-enabled")) {
        h.bucket_key = value;
      }
    }
    if (n.size() <= customer.size() || !EqualsIgnoreCase(n.substr(0, customer.size()), customer)) {
      continue;
    }
    const std::string_view rest = n.substr(customer.size());
    if (EqualsIgnoreCase(rest, "algorithm")) h.customer_algorithm = value;
    if (EqualsIgnoreCase(rest, "key")) h.customer_key = value;
    if (EqualsIgnoreCase(rest, "key-md5")) h.customer_key_md5 = value;
  }
  return h;
}

Result<std::optional<CustomerKey>> ParseCustomerKey(const SseHeaders& h, CustomerKeyUse use) {
  if (!h.customer_algorithm && !h.customer_key && !h.customer_key_md5) {
    return std::optional<CustomerKey>();
  }
  if (!h.customer_algorithm) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Requests specifying Server Side Encryption with Customer provided keys must "
                   "provide a valid encryption algorithm.",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", "null"}});
  }
  if (*h.customer_algorithm != "AES256") {
    return S3Error(ErrorKind::kInvalidEncryptionAlgorithm,
                   "The Encryption request you specified is not valid. Supported value: AES256.",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", *h.customer_algorithm}});
  }
  if (!h.customer_key) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Requests specifying Server Side Encryption with Customer provided keys must "
                   "provide an appropriate secret key.",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", "null"}});
  }
  if (!h.customer_key_md5 && use == CustomerKeyUse::kWrite) {
    // 400 on AWS for PutObject without the MD5 (s3-compliance suites run against AWS); the text
    // is the one MinIO's api-errors.go (ErrMissingSSECustomerKeyMD5) returns.
    return S3Error(ErrorKind::kInvalidArgument,
                   "Requests specifying Server Side Encryption with Customer provided keys must "
                   "provide the client calculated MD5 of the secret key.",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", "null"}});
  }
  auto key = crypto::FromBase64(*h.customer_key);
  if (!key) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "The secret key was invalid for the specified algorithm.",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", "null"}});
  }
  crypto::SecretBytes secret(*key);
  const std::string md5 = crypto::Base64(crypto::Md5(secret.view()));
  // AWS checks the MD5 before the key length.
  if (h.customer_key_md5 && *h.customer_key_md5 != md5) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "The calculated MD5 hash of the key did not match the hash that was provided.",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", "null"}});
  }
  // A read compares the key with the object's: AWS answers a key of the wrong length there as a
  // wrong key (403), and only an empty one as invalid.
  const bool wrong_length = use == CustomerKeyUse::kRead ? secret.empty() : secret.size() != 32;
  if (wrong_length) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "The secret key was invalid for the specified algorithm.",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", "null"}});
  }
  return std::optional<CustomerKey>(CustomerKey{std::move(secret), md5});
}

Result<std::map<std::string, std::string>> ParseEncryptionContextHeader(std::string_view b64) {
  auto json = crypto::FromBase64(b64);
  rapidjson::Document d;
  if (json) d.Parse(json->data(), json->size());
  if (!json || d.HasParseError() || !d.IsObject()) {
    return S3Error(ErrorKind::kInvalidArgument, std::string(kInvalidContext),
                   {{"ArgumentName", "x-amz-server-side-encryption-context"},
                    {"ArgumentValue", std::string(b64)}});
  }
  std::map<std::string, std::string> out;
  for (const auto& m : d.GetObject()) {
    if (!m.value.IsString()) {
      return S3Error(ErrorKind::kInvalidArgument, std::string(kInvalidContext));
    }
    out[m.name.GetString()] = m.value.GetString();
  }
  return out;
}

Result<WriteEncryption> ResolveWriteEncryption(const SseHeaders& h,
                                               const BucketDefault& bucket_default,
                                               const WritePolicy& policy) {
  WriteEncryption out;
  const bool any_customer = h.customer_algorithm || h.customer_key || h.customer_key_md5;
  // SSE-C together with another method is checked first, as AWS does.
  if (any_customer && h.sse) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Server Side Encryption with Customer provided key is incompatible with the "
                   "encryption method specified",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", *h.sse}});
  }
  if (any_customer) {
    SEALSTACK_ASSIGN_OR_RETURN(out.customer_key, ParseCustomerKey(h, CustomerKeyUse::kWrite));
    if (policy.require_tls_for_sse_c && !policy.secure_transport) {
      return S3Error(ErrorKind::kInvalidRequest,
                     "Requests specifying Server Side Encryption with Customer provided keys "
                     "must be made over a secure connection.");
    }
    if (bucket_default.block_sse_c) {
      return S3Error(ErrorKind::kSseCBlocked,
                     "User: " + policy.principal_arn +
                         " is not authorized to perform: s3:PutObject on resource: \"" +
                         policy.object_arn +
                         "\" because this bucket has blocked upload requests that specify "
                         "Server Side Encryption with Customer provided keys (SSE-C). Please "
                         "specify a different server-side encryption type" +
                         std::string(kSseCUnblockHint));
    }
    out.mode = SseMode::kSseC;
    out.from_request_headers = true;
    return out;
  }
  if (h.sse) {
    auto mode = ParseSseHeaderValue(*h.sse);
    if (!mode) {
      return S3Error(ErrorKind::kInvalidArgument,
                     "The encryption method specified is not supported",
                     {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", *h.sse}});
    }
    out.mode = *mode;
    out.from_request_headers = true;
  } else {
    auto mode = ParseSseHeaderValue(bucket_default.algorithm);
    out.mode = mode.value_or(SseMode::kSseS3);
    if (IsKms(out.mode)) out.kms_key_id = bucket_default.kms_key_id;
  }
  if (h.kms_key_id && !(h.sse && IsKms(out.mode))) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Server Side Encryption with AWS KMS managed key requires HTTP header "
                   "x-amz-server-side-encryption : aws:kms",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", "null"}});
  }
  if (h.kms_key_id) out.kms_key_id = *h.kms_key_id;
  if (h.context) {
    if (!IsKms(out.mode)) {
      return S3Error(ErrorKind::kInvalidArgument,
                     "Server Side Encryption with AWS KMS managed key requires HTTP header "
                     "x-amz-server-side-encryption : aws:kms",
                     {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", "null"}});
    }
    SEALSTACK_ASSIGN_OR_RETURN(out.user_context, ParseEncryptionContextHeader(*h.context));
  }
  // Bucket keys: the request header wins, else the bucket rule; DSSE never uses them.
  if (h.bucket_key) {
    out.bucket_key = EqualsIgnoreCase(*h.bucket_key, "true");
  } else {
    out.bucket_key = bucket_default.bucket_key_enabled && IsKms(out.mode);
  }
  if (out.mode == SseMode::kDsseKms || !IsKms(out.mode)) out.bucket_key = false;
  return out;
}

Status CheckReadHeaders(const SseHeaders& h) {
  if (h.sse) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "x-amz-server-side-encryption header is not supported for this operation.",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", *h.sse}});
  }
  if (h.kms_key_id) {
    return S3Error(ErrorKind::kInvalidArgument,
                   "Server Side Encryption with AWS KMS managed key requires HTTP header "
                   "x-amz-server-side-encryption : aws:kms",
                   {{"ArgumentName", std::string(kSse)}, {"ArgumentValue", "null"}});
  }
  return Status::Ok();
}

}  // namespace sealstack::api::s3
