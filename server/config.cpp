#include "server/config.h"

#include "common/name_table.h"
#include "common/time_format.h"
#include "policy/document.h"
#include "server/argument_cursor.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

namespace sealstack::server {

namespace {

constexpr NameEntry<LogLevel> kLogLevelNames[] = {
    {LogLevel::kDebug, "debug"}, {LogLevel::kInfo, "info"}, {LogLevel::kWarn, "warn"},
    {LogLevel::kError, "error"}, {LogLevel::kOff, "off"},
};

// One row per setting: the flag, its environment variable, its JSON key, and how to apply a
// textual value. Flags, environment and file all go through the same Apply.
struct Setting {
  const char* flag;        // "--port"
  const char* env;         // "SEALSTACK_PORT"
  const char* json;        // "port"
  const char* value_name;  // "N" ("" for boolean switches)
  const char* help;
  std::function<Status(const std::string&, Config*)> apply;
};

Status ParseInt(const std::string& name, const std::string& s, long long lo, long long hi,
                long long* out) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) {
    return Status::InvalidArgument(name + ": expected an integer in [" + std::to_string(lo) + ", " +
                                   std::to_string(hi) + "], got '" + s + "'");
  }
  *out = v;
  return Status::Ok();
}

Status ParseBool(const std::string& name, const std::string& s, bool* out) {
  if (s == "1" || s == "true" || s == "yes" || s == "on" || s.empty()) {
    *out = true;
  } else if (s == "0" || s == "false" || s == "no" || s == "off") {
    *out = false;
  } else {
    return Status::InvalidArgument(name + ": expected true or false, got '" + s + "'");
  }
  return Status::Ok();
}

template <typename T>
std::function<Status(const std::string&, Config*)> IntSetting(const char* name, T Config::*field,
                                                              long long lo, long long hi) {
  return [=](const std::string& v, Config* c) {
    long long n = 0;
    SEALSTACK_RETURN_IF_ERROR(ParseInt(name, v, lo, hi, &n));
    c->*field = static_cast<T>(n);
    return Status::Ok();
  };
}

std::function<Status(const std::string&, Config*)> StringSetting(std::string Config::*field) {
  return [=](const std::string& v, Config* c) {
    c->*field = v;
    return Status::Ok();
  };
}

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"--host", "SEALSTACK_HOST", "host", "ADDR", "address to listen on (default 127.0.0.1)",
       StringSetting(&Config::host)},
      {"--port", "SEALSTACK_PORT", "port", "N", "HTTP port; 0 picks a free one (default 4566)",
       IntSetting("port", &Config::port, 0, 65535)},
      {"--https-port", "SEALSTACK_HTTPS_PORT", "https_port", "N",
       "also serve HTTPS on this port; 0 picks a free one (default: no HTTPS)",
       [](const std::string& v, Config* c) {
         long long n = 0;
         SEALSTACK_RETURN_IF_ERROR(ParseInt("https_port", v, 0, 65535, &n));
         c->https_port = static_cast<int>(n);
         return Status::Ok();
       }},
      {"--tls-cert", "SEALSTACK_TLS_CERT", "tls_cert", "FILE",
       "PEM certificate for HTTPS (default: self-signed, generated into the data dir)",
       StringSetting(&Config::tls_cert)},
      {"--tls-key", "SEALSTACK_TLS_KEY", "tls_key", "FILE", "PEM private key for --tls-cert",
       StringSetting(&Config::tls_key)},
      {"--data-dir", "SEALSTACK_DATA_DIR", "data_dir", "DIR",
       "where the database and root key live (default ./.sealstack)",
       StringSetting(&Config::data_dir)},
      {"--in-memory", "SEALSTACK_IN_MEMORY", "in_memory", "",
       "keep all state in memory (test fixtures); nothing is written to disk",
       [](const std::string& v, Config* c) { return ParseBool("in_memory", v, &c->in_memory); }},
      {"--seed", "SEALSTACK_SEED", "seed", "FILE",
       "apply this seed document (docs/seed.schema.json) at start; idempotent",
       StringSetting(&Config::seed_file)},
      {"--region", "SEALSTACK_REGION", "region", "NAME",
       "region used in ARNs this server creates (default us-east-1)",
       StringSetting(&Config::region)},
      {"--s3-base-domain", "SEALSTACK_S3_BASE_DOMAIN", "s3_base_domain", "DOMAIN",
       "host suffix for virtual-hosted S3 requests, BUCKET.DOMAIN (default localhost)",
       StringSetting(&Config::s3_base_domain)},
      {"--threads", "SEALSTACK_THREADS", "threads", "N",
       "most HTTP worker threads; each open connection holds one, started on demand and "
       "ended after 30 s idle; connections beyond it wait (default 1024)",
       IntSetting("threads", &Config::threads, 1, 4096)},
      {"--keep-alive-timeout", "SEALSTACK_KEEP_ALIVE_TIMEOUT", "keep_alive_timeout", "SECONDS",
       "close idle keep-alive connections after this (default 20)",
       IntSetting("keep_alive_timeout", &Config::keep_alive_timeout_s, 1, 3600)},
      {"--read-timeout", "SEALSTACK_READ_TIMEOUT", "read_timeout", "SECONDS",
       "drop a request whose headers or body stall this long (default 30)",
       IntSetting("read_timeout", &Config::read_timeout_s, 1, 3600)},
      {"--max-rpc-body", "SEALSTACK_MAX_RPC_BODY", "max_rpc_body", "BYTES",
       "largest KMS/Glue/CloudTrail/STS request body (default 8388608)",
       IntSetting("max_rpc_body", &Config::max_rpc_body_bytes, 1024, 1ll << 30)},
      {"--policy-mode", "SEALSTACK_POLICY_MODE", "policy_mode", "MODE",
       "enforce (default): key policies, identity policies and grants decide every call; "
       "audit: allow, but log what would have been denied; off: allow everything",
       [](const std::string& v, Config* c) {
         if (v != "enforce" && v != "audit" && v != "off") {
           return Status::InvalidArgument("policy_mode: expected enforce|audit|off, got '" + v +
                                          "'");
         }
         c->policy_mode = v;
         return Status::Ok();
       }},
      {"--sse-c-blocked-by-default", "SEALSTACK_SSE_C_BLOCKED_BY_DEFAULT",
       "sse_c_blocked_by_default", "BOOL",
       "new buckets block SSE-C uploads until their encryption configuration unblocks them, "
       "as on AWS since April 2026 (default true)",
       [](const std::string& v, Config* c) {
         return ParseBool("sse_c_blocked_by_default", v, &c->sse_c_blocked_by_default);
       }},
      {"--sse-c-require-tls", "SEALSTACK_SSE_C_REQUIRE_TLS", "sse_c_require_tls", "BOOL",
       "refuse SSE-C requests over plain HTTP as AWS does (default false: a local emulator "
       "usually runs plain HTTP)",
       [](const std::string& v, Config* c) {
         return ParseBool("sse_c_require_tls", v, &c->sse_c_require_tls);
       }},
      {"--glue-execute", "SEALSTACK_GLUE_EXECUTE", "glue_execute", "BOOL",
       "run Glue job scripts (pythonshell, plain-Python glueetl) as python3 child processes with "
       "the run's role credentials (default true when python3 is on PATH)",
       [](const std::string& v, Config* c) {
         bool b = false;
         SEALSTACK_RETURN_IF_ERROR(ParseBool("glue_execute", v, &b));
         c->glue_execute = b;
         return Status::Ok();
       }},
      {"--audit-retention-days", "SEALSTACK_AUDIT_RETENTION_DAYS", "audit_retention_days", "N",
       "keep audit events (CloudTrail LookupEvents, GET /_sealstack/audit) this many days "
       "(default 90)",
       IntSetting("audit_retention_days", &Config::audit_retention_days, 1, 36500)},
      {"--audit-max-mib", "SEALSTACK_AUDIT_MAX_MIB", "audit_max_mib", "N",
       "and at most this many MiB of them, dropping the oldest first (default 256 with a data "
       "directory, 32 with --in-memory, where they take RAM)",
       IntSetting("audit_max_mib", &Config::audit_max_mib, 1, 1 << 20)},
      {"--log-level", "SEALSTACK_LOG_LEVEL", "log_level", "LEVEL",
       "debug, info (one line per request), warn, error or off (default info)",
       [](const std::string& v, Config* c) {
         if (auto level = ValueOf(kLogLevelNames, v)) {
           c->log_level = *level;
           return Status::Ok();
         }
         return Status::InvalidArgument("log_level: expected debug|info|warn|error|off, got '" + v +
                                        "'");
       }},
  };
  return kSettings;
}

Status ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read config file '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return Status::Ok();
}

std::string JsonScalarToString(const rapidjson::Value& v) {
  if (v.IsString()) return v.GetString();
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  return "<not a scalar>";
}

}  // namespace

Status ParseJsonObject(std::string_view json, std::string_view what, rapidjson::Document* doc) {
  doc->Parse(json.data(), json.size());
  if (doc->HasParseError()) {
    return Status::InvalidArgument(std::string(what) + ": invalid JSON at offset " +
                                   std::to_string(doc->GetErrorOffset()) + ": " +
                                   rapidjson::GetParseError_En(doc->GetParseError()));
  }
  if (!doc->IsObject())
    return Status::InvalidArgument(std::string(what) + ": expected a JSON object");
  return Status::Ok();
}

Status ParsePrincipalJson(const rapidjson::Value& v, size_t index, auth::Principal* p) {
  const std::string where = "principals[" + std::to_string(index) + "]";
  if (!v.IsObject()) return Status::InvalidArgument(where + ": expected an object");
  auto str = [&](const char* key, std::string* out) -> Status {
    auto it = v.FindMember(key);
    if (it == v.MemberEnd()) return Status::Ok();
    if (!it->value.IsString()) {
      return Status::InvalidArgument(where + "." + key + ": expected a string");
    }
    *out = it->value.GetString();
    return Status::Ok();
  };
  std::string secret;
  SEALSTACK_RETURN_IF_ERROR(str("access_key_id", &p->access_key_id));
  SEALSTACK_RETURN_IF_ERROR(str("secret_access_key", &secret));
  SEALSTACK_RETURN_IF_ERROR(str("session_token", &p->session_token));
  SEALSTACK_RETURN_IF_ERROR(str("arn", &p->arn));
  std::string expires;
  SEALSTACK_RETURN_IF_ERROR(str("expires", &expires));
  if (!expires.empty()) {
    p->expires = ParseIso8601(expires);
    if (!p->expires) {
      return Status::InvalidArgument(where +
                                     ".expires: expected an ISO-8601 UTC time such as "
                                     "2030-01-01T00:00:00Z");
    }
  }
  p->secret_access_key = crypto::SecretBytes(secret);
  if (p->arn.empty()) return Status::InvalidArgument(where + ".arn: required");
  auto parsed = auth::ParsePrincipalArn(p->arn);
  if (!parsed.ok()) {
    return Status::InvalidArgument(where + ".arn: " + parsed.status().message());
  }
  p->account = parsed->account;
  p->type = parsed->type;
  p->name = parsed->name;
  if (!p->access_key_id.empty() && secret.empty()) {
    return Status::InvalidArgument(where + ".secret_access_key: required with access_key_id");
  }
  auto pol = v.FindMember("policies");
  if (pol != v.MemberEnd()) {
    if (!pol->value.IsArray()) {
      return Status::InvalidArgument(where + ".policies: expected a list of policy documents");
    }
    for (const auto& doc : pol->value.GetArray()) {
      if (doc.IsString()) {
        p->policies.emplace_back(doc.GetString());
      } else if (doc.IsObject()) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        doc.Accept(w);
        p->policies.emplace_back(buf.GetString(), buf.GetSize());
      } else {
        return Status::InvalidArgument(where + ".policies: each policy must be an object");
      }
      auto identity = policy::ParsePolicy(p->policies.back(), policy::PolicyKind::kIdentity);
      if (!identity.ok()) {
        return Status::InvalidArgument(where + ".policies[" +
                                       std::to_string(p->policies.size() - 1) +
                                       "]: " + identity.status().message());
      }
    }
  }
  return Status::Ok();
}

namespace {

const Setting* FindFlag(std::string_view flag) {
  for (const auto& s : Settings()) {
    if (flag == s.flag) return &s;
  }
  return nullptr;
}

}  // namespace

Status ApplyConfigJson(const std::string& json, Config* config) {
  rapidjson::Document doc;
  SEALSTACK_RETURN_IF_ERROR(ParseJsonObject(json, "config", &doc));
  for (const auto& m : doc.GetObject()) {
    const std::string key = m.name.GetString();
    if (key == "principals") {
      if (!m.value.IsArray()) return Status::InvalidArgument("config.principals: expected a list");
      size_t i = 0;
      for (const auto& v : m.value.GetArray()) {
        auth::Principal p;
        SEALSTACK_RETURN_IF_ERROR(ParsePrincipalJson(v, i++, &p));
        config->principals.push_back(std::move(p));
      }
      continue;
    }
    const Setting* setting = nullptr;
    for (const auto& s : Settings()) {
      if (key == s.json) setting = &s;
    }
    if (setting == nullptr) return Status::InvalidArgument("config: unknown key '" + key + "'");
    if (m.value.IsObject() || m.value.IsArray() || m.value.IsNull()) {
      return Status::InvalidArgument("config." + key + ": expected a scalar");
    }
    SEALSTACK_RETURN_IF_ERROR(setting->apply(JsonScalarToString(m.value), config));
  }
  return Status::Ok();
}

Result<ParsedCommandLine> ParseCommandLine(int argc, const char* const* argv,
                                           const std::map<std::string, std::string>* env) {
  ParsedCommandLine out;
  auto getenv_fn = [&](const char* name) -> std::optional<std::string> {
    if (env != nullptr) {
      auto it = env->find(name);
      if (it == env->end()) return std::nullopt;
      return it->second;
    }
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };

  // First pass: collect flags (so --config can be applied before them).
  std::vector<std::pair<const Setting*, std::string>> flags;
  std::optional<std::string> config_path = getenv_fn("SEALSTACK_CONFIG");
  ArgumentCursor args(argc, argv);
  while (args.Next()) {
    const std::string& arg = args.arg();
    const std::optional<std::string>& inline_value = args.inline_value();
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    if (arg == "--version") {
      out.version = true;
      continue;
    }
    auto take_value = [&](const std::string& name) -> Result<std::string> {
      std::optional<std::string> v = args.Value();
      if (!v) return Status::InvalidArgument(name + " needs a value");
      return std::move(*v);
    };
    if (arg == "--config") {
      SEALSTACK_ASSIGN_OR_RETURN(config_path, take_value(arg));
      continue;
    }
    const Setting* s = FindFlag(arg);
    if (s == nullptr) {
      return Status::InvalidArgument("unknown option '" + arg + "' (see --help)");
    }
    if (s->value_name[0] == '\0') {  // boolean switch
      flags.emplace_back(s, inline_value.value_or("true"));
    } else {
      SEALSTACK_ASSIGN_OR_RETURN(std::string v, take_value(arg));
      flags.emplace_back(s, v);
    }
  }

  // Lowest precedence first: file, then environment, then flags.
  if (config_path) {
    std::string json;
    SEALSTACK_RETURN_IF_ERROR(ReadFile(*config_path, &json));
    Status st = ApplyConfigJson(json, &out.config);
    if (!st.ok()) return Status::InvalidArgument(*config_path + ": " + st.message());
  }
  for (const auto& s : Settings()) {
    if (auto v = getenv_fn(s.env)) {
      Status st = s.apply(*v, &out.config);
      if (!st.ok()) return Status::InvalidArgument(std::string(s.env) + ": " + st.message());
    }
  }
  if (auto v = getenv_fn("SEALSTACK_ROOT_KEY")) out.config.root_key_b64 = *v;
  for (const auto& [s, v] : flags) {
    Status st = s->apply(v, &out.config);
    if (!st.ok()) return Status::InvalidArgument(std::string(s->flag) + ": " + st.message());
  }
  if (out.config.tls_cert.empty() != out.config.tls_key.empty()) {
    return Status::InvalidArgument("--tls-cert and --tls-key go together");
  }
  return out;
}

namespace {

// One option of the help: "  LEFT   description wrapped to the width, aligned on its column".
struct HelpRow {
  std::string left;
  std::string help;
  std::string env;  // "" = none
};

// Appends `text` word-wrapped to `width` columns, every line starting at column `indent` (the
// first line's indent is already written).
void AppendWrapped(std::string* out, std::string_view text, size_t indent, size_t width) {
  size_t column = indent;
  bool line_empty = true;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (!line_empty && column + 1 + word.size() > width) {
      *out += "\n" + std::string(indent, ' ');
      column = indent;
      line_empty = true;
    }
    if (!line_empty) {
      *out += ' ';
      ++column;
    }
    *out += word;
    column += word.size();
    line_empty = false;
  }
  *out += '\n';
}

}  // namespace

std::string HelpText() {
  constexpr size_t kWidth = 100;
  std::vector<HelpRow> rows;
  rows.push_back({"--config FILE",
                  "JSON file with any setting below by its key (port, data_dir, ...) and "
                  "\"principals\": [{access_key_id, secret_access_key, arn, session_token?, "
                  "policies?}]",
                  "SEALSTACK_CONFIG"});
  for (const auto& s : Settings()) {
    std::string left = s.flag;
    if (s.value_name[0] != '\0') left += std::string(" ") + s.value_name;
    rows.push_back({left, s.help, s.env});
  }
  rows.push_back({"--help", "print this help", ""});
  rows.push_back({"--version", "print the version", ""});
  size_t left_width = 0;
  for (const auto& r : rows) left_width = std::max(left_width, r.left.size());
  const size_t indent = 2 + left_width + 2;

  std::string out =
      "sealstack: a local AWS KMS, S3 and Glue emulator for testing encryption behaviour.\n\n"
      "Usage: sealstack [options]\n"
      "       sealstack posture --endpoint URL [--json] [--fail-on SEVERITY] [--account A]\n"
      "         (the encryption posture report of a running server; docs/posture.md)\n\n"
      "Settings resolve as: flag > environment variable > --config file > default.\n\n";
  for (const auto& r : rows) {
    out += "  " + r.left + std::string(indent - 2 - r.left.size(), ' ');
    AppendWrapped(&out, r.help, indent, kWidth);
    if (!r.env.empty()) out += std::string(indent, ' ') + "env " + r.env + "\n";
  }
  out +=
      "\nEnvironment only:\n  SEALSTACK_ROOT_KEY" + std::string(indent > 20 ? indent - 20 : 1, ' ');
  AppendWrapped(&out,
                "base64 of the 32-byte root key that wraps all key material; default: "
                "<data-dir>/root.key, created 0600 on first start",
                indent, kWidth);
  out +=
      "\nWhen ready, prints one line on stdout: Ready. endpoint=http://HOST:PORT\n"
      "(and https_endpoint=https://HOST:PORT with HTTPS). Logs go to stderr.\n"
      "Default credentials: access key 'test', secret 'test' (arn:aws:iam::000000000000:root).\n"
      "SIGTERM or SIGINT: stop accepting, finish in-flight requests, close the database.\n";
  return out;
}

}  // namespace sealstack::server
