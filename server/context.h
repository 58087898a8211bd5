// ServerContext: the long-lived objects every request may use, built once in main and shared
// read-only (each member is itself thread-safe).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "api/common/access.h"
#include "api/common/faults.h"
#include "api/glue/glue_service.h"
#include "api/iam/iam_service.h"
#include "api/kms/kms_service.h"
#include "api/logs/logs_service.h"
#include "api/s3/bucket_service.h"
#include "api/s3/data_keys.h"
#include "api/s3/object_store.h"
#include "audit/recorder.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"
#include "server/config.h"
#include "server/decision_log.h"
#include "storage/db.h"

namespace sealstack::server {

struct ServerContext {
  Config config;
  std::shared_ptr<OffsetClock> clock;
  std::shared_ptr<auth::PrincipalStore> principals;
  std::shared_ptr<crypto::RandomSource> random;
  crypto::SecretBytes root_key;  // wraps all key material at rest
  std::unique_ptr<storage::Database> db;
  // The one authorization check (policy cache, --policy-mode) of KMS, S3, Glue and CloudTrail.
  std::shared_ptr<api::AccessCheck> access;
  // Its latest decisions, explained (GET /_sealstack/decisions); never null once built.
  std::shared_ptr<DecisionLog> decisions;
  std::unique_ptr<audit::Recorder> audit;  // the audit trail; destroyed before db
  // IAM users, roles, access keys and STS sessions; also the principal store's directory.
  std::shared_ptr<api::iam::Service> iam;
  std::unique_ptr<api::kms::Service> kms;
  std::unique_ptr<api::s3::BucketService> s3_buckets;
  std::unique_ptr<api::s3::ObjectStore> s3_objects;
  std::unique_ptr<api::s3::DataKeyService> s3_keys;
  std::unique_ptr<api::logs::Service> logs;  // CloudWatch Logs; Glue runs write to it
  std::unique_ptr<api::glue::Service> glue;
  std::shared_ptr<api::FaultInjector> faults;  // POST /_sealstack/faults; never null
  std::chrono::steady_clock::time_point started;
};

inline constexpr std::string_view kVersion = "0.1.0";

}  // namespace sealstack::server
