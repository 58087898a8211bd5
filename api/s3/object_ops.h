// S3 object operations on the wire: PutObject, GetObject, HeadObject, DeleteObject, with real
// server-side encryption (sse.h decides the mode, data_keys.h protects the data key,
// object_store.h seals the body in segments). Bodies stream in both directions: nothing holds
// a whole object in memory.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "api/common/errors.h"
#include "api/common/faults.h"
#include "api/s3/bucket_service.h"
#include "api/s3/data_keys.h"
#include "api/s3/object_store.h"
#include "api/s3/s3_handler.h"
#include "audit/recorder.h"

namespace sealstack::api::s3 {

struct ObjectServices {
  BucketService* buckets = nullptr;
  ObjectStore* store = nullptr;
  DataKeyService* keys = nullptr;
  bool require_tls_for_sse_c = false;
  FaultInjector* faults = nullptr;   // injected S3 failures (admin API); null = none
  audit::Recorder* audit = nullptr;  // management events (CreateBucket, PutBucketPolicy, ...)
};

// An injected S3 fault for this request (SlowDown, InternalError, ...), after any injected
// latency; nullopt = go on. Checked once per request, before any state is read.
std::optional<ApiResponse> InjectedS3Fault(const ObjectServices& services, const S3Request& request,
                                           const RequestIds& ids);

// Streams the request's decoded payload (its signature, hash and trailer checksums verified on
// the way) to `sink`. A non-OK result stops the upload; the caller knows the wire error.
using PayloadReader = std::function<Status(const std::function<Status(std::string_view)>& sink)>;

// Object-level requests this edge serves (others answer 501).
bool IsServedObjectOperation(const S3Request& request);

// The admin view of an object's protection (docs/admin-api.md): mode, KMS key ARN, key material
// id, encryption context, bucket key, size, segments — never key material. Plain JSON.
Result<std::string> DescribeObjectProtection(ObjectStore& store, const std::string& bucket,
                                             const std::string& key);

ApiResponse HandleObject(const ObjectServices& services, const S3Caller& caller,
                         const S3Request& request, const PayloadReader& payload,
                         const RequestIds& ids);

}  // namespace sealstack::api::s3
