// Seed documents: one declarative JSON document of principals, KMS keys (fixed ids and
// material), aliases, buckets with default encryption, and Glue security configurations and
// catalog encryption settings.
// POST /_sealstack/seed and --seed FILE both come here. Schema: docs/seed.schema.json.
//
// Applying is idempotent (seeding the same document twice changes nothing) and all-or-nothing
// as far as practical: the whole document is parsed and checked against the current state
// first, so a bad entry fails the request before anything changes. Errors are InvalidArgument
// naming the entry: "keys[2].material: not valid base64".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/kms/kms_service.h"
#include "api/s3/s3_xml.h"
#include "auth/principals.h"
#include "common/result.h"
#include "server/context.h"

namespace sealstack::server {

struct SeedBucket {
  std::string name;
  std::string account;
  std::string region;
  std::optional<api::s3::EncryptionConfiguration> encryption;
  std::optional<std::string> policy;  // bucket policy JSON
};

struct SeedDocument {
  std::vector<auth::Principal> principals;
  std::vector<api::kms::Service::SeedKeyRequest> keys;
  std::vector<SeedBucket> buckets;
  api::glue::Service::SeedRequest glue;  // the "glue" section (api/glue/glue_seed.cpp)
};

// What a seed did: counts of entries in the document, and how many of them changed state.
struct SeedSummary {
  size_t principals = 0;
  size_t keys = 0;
  size_t buckets = 0;
  size_t glue = 0;     // security configurations + catalog encryption settings
  size_t changed = 0;  // keys, buckets and Glue entries created or updated (principals are
                       // always re-put)
};

// Parses and checks the document on its own (shapes, encodings, duplicates). Entries without
// account or region take `default_account` / `default_region`.
Result<SeedDocument> ParseSeedDocument(std::string_view json, const std::string& default_region);

// Checks the document against the current state, then applies it.
Result<SeedSummary> ApplySeed(ServerContext& context, const SeedDocument& doc);

// ParseSeedDocument + ApplySeed.
Result<SeedSummary> SeedFromJson(ServerContext& context, std::string_view json);

std::string SeedSummaryJson(const SeedSummary& s);

}  // namespace sealstack::server
