// Config: every setting of the process, resolved as flags > SEALSTACK_* environment >
// --config JSON file > defaults. `sealstack --help` prints the table this file defines.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "auth/principals.h"
#include "common/result.h"

namespace sealstack::server {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

struct Config {
  std::string host = "127.0.0.1";
  int port = 4566;                // 0 = pick a free port
  std::optional<int> https_port;  // HTTPS listener beside the HTTP one; 0 = free port
  std::string tls_cert;           // PEM; both empty = self-signed, generated into the data dir
  std::string tls_key;
  std::string data_dir = ".sealstack";
  bool in_memory = false;  // nothing written to disk; for test fixtures
  std::string region = "us-east-1";
  std::string s3_base_domain = "localhost";  // virtual-hosted: BUCKET.localhost[:port]
  int threads = 1024;  // most HTTP worker threads, one per open connection, started on demand
  int keep_alive_timeout_s = 20;             // idle keep-alive connection lifetime
  int read_timeout_s = 30;                   // a stalled request body is dropped after this
  uint64_t max_rpc_body_bytes = 8ull << 20;  // JSON / Query request bodies
  LogLevel log_level = LogLevel::kInfo;
  std::string policy_mode = "enforce";   // enforce | audit | off
  bool sse_c_require_tls = false;        // SSE-C over plain HTTP -> InvalidRequest
  bool sse_c_blocked_by_default = true;  // new buckets block SSE-C writes (AWS since 2026-04)
  std::optional<bool> glue_execute;      // run Glue job scripts; default: when python3 is found
  int audit_retention_days = 90;         // audit events older than this are dropped
  int audit_max_mib =
      0;  // ... and the oldest beyond this many MiB of JSON; 0: 256 on disk, 32 in memory
  std::string root_key_b64;                 // SEALSTACK_ROOT_KEY; else <data-dir>/root.key
  std::vector<auth::Principal> principals;  // added to the default test/test
  std::string seed_file;                    // --seed: a seed document applied at start
};

struct ParsedCommandLine {
  Config config;
  bool help = false;
  bool version = false;
};

// Parses argv and the environment (`env` lookups through getenv unless a map is given, for
// tests). Unknown flags, bad numbers and unreadable or invalid config files fail with
// InvalidArgument and a message naming the culprit.
Result<ParsedCommandLine> ParseCommandLine(int argc, const char* const* argv,
                                           const std::map<std::string, std::string>* env = nullptr);

std::string HelpText();

// Parses the JSON config document (the --config file's contents) into `config`.
Status ApplyConfigJson(const std::string& json, Config* config);

// One entry of a `principals` list (config file and seed documents): {access_key_id,
// secret_access_key, arn, session_token?, expires?, policies?}. Errors name
// "principals[<index>].<field>".
Status ParsePrincipalJson(const rapidjson::Value& v, size_t index, auth::Principal* p);

// Parses a config file or seed document into *doc, which must be a JSON object; errors are
// InvalidArgument "<what>: invalid JSON at offset <n>: <reason>" or "<what>: expected a JSON
// object".
Status ParseJsonObject(std::string_view json, std::string_view what, rapidjson::Document* doc);

}  // namespace sealstack::server
