// The job-script read of a run: the object a job's Command.ScriptLocation names, read through
// S3 as the run's role (its identity policies, the bucket policy and the object's KMS key
// policy apply, as on AWS).
#pragma once

#include <memory>
#include <string>

#include "api/s3/bucket_service.h"
#include "api/s3/data_keys.h"
#include "api/s3/object_store.h"
#include "auth/principals.h"
#include "common/status.h"

namespace sealstack::api::glue {

struct ScriptStore {
  s3::BucketService* buckets = nullptr;
  s3::ObjectStore* objects = nullptr;
  s3::DataKeyService* data_keys = nullptr;
};

// Copies the script at `location` ("s3://bucket/key") into the file `path`, read as `reader`
// in `region`. On failure the Status message is the run's ErrorMessage, e.g. "Failed to read
// the job script s3://b/k as arn:...: NoSuchKey: The specified key does not exist."
// (InvalidInput), or "The job script s3://b/k is larger than N bytes." above `max_bytes`.
Status FetchScript(const ScriptStore& store, const std::shared_ptr<const auth::Principal>& reader,
                   const std::string& region, const std::string& location, size_t max_bytes,
                   const std::string& path);

}  // namespace sealstack::api::glue
