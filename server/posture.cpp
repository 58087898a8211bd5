#include "server/posture.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

#include "api/common/json_fields.h"
#include "api/s3/bucket_rules.h"
#include "common/name_table.h"
#include "common/time_format.h"
#include "server/admin_response.h"
#include "server/console.h"
#include "server/posture_inventory.h"

namespace sealstack::server {

namespace {

namespace kms = api::kms;
namespace s3 = api::s3;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr size_t kExamples = 5;  // names listed with a count

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A JSON value's strings: a string, or the strings of an array.
std::vector<std::string> Strings(const rapidjson::Value& v) {
  std::vector<std::string> out;
  if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  if (v.IsArray()) {
    for (const auto& e : v.GetArray()) {
      if (e.IsString()) out.emplace_back(e.GetString(), e.GetStringLength());
    }
  }
  return out;
}

// The statements of a policy document (Statement: an object or a list).
std::vector<const rapidjson::Value*> Statements(const rapidjson::Document& d) {
  std::vector<const rapidjson::Value*> out;
  if (!d.IsObject()) return out;
  auto st = d.FindMember("Statement");
  if (st == d.MemberEnd()) return out;
  if (st->value.IsObject()) out.push_back(&st->value);
  if (st->value.IsArray()) {
    for (const auto& s : st->value.GetArray()) {
      if (s.IsObject()) out.push_back(&s);
    }
  }
  return out;
}

// Principal "*" / {"AWS": ...}: the AWS principals named.
std::vector<std::string> Principals(const rapidjson::Value& statement) {
  auto p = statement.FindMember("Principal");
  if (p == statement.MemberEnd()) return {};
  if (p->value.IsString()) return Strings(p->value);
  if (p->value.IsObject()) {
    auto aws = p->value.FindMember("AWS");
    if (aws != p->value.MemberEnd()) return Strings(aws->value);
  }
  return {};
}

bool HasCondition(const rapidjson::Value& statement) {
  auto c = statement.FindMember("Condition");
  return c != statement.MemberEnd() && c->value.IsObject() && c->value.MemberCount() > 0;
}

// The condition values of (operator, key) in a statement, case-insensitively, any IfExists.
std::vector<std::string> ConditionValues(const rapidjson::Value& statement, std::string_view op,
                                         std::string_view key) {
  std::vector<std::string> out;
  auto c = statement.FindMember("Condition");
  if (c == statement.MemberEnd() || !c->value.IsObject()) return out;
  for (const auto& o : c->value.GetObject()) {
    std::string name = Lower(o.name.GetString());
    if (name.size() > 8 && name.compare(name.size() - 8, 8, "ifexists") == 0) {
      name.resize(name.size() - 8);
    }
    if (name != Lower(op) || !o.value.IsObject()) continue;
    for (const auto& k : o.value.GetObject()) {
      if (Lower(k.name.GetString()) != Lower(key)) continue;
      if (k.value.IsBool()) out.emplace_back(k.value.GetBool() ? "true" : "false");
      for (auto& s : Strings(k.value)) out.push_back(Lower(s));
    }
  }
  return out;
}

bool ActionMatches(const rapidjson::Value& statement, const std::vector<std::string>& wanted) {
  auto a = statement.FindMember("Action");
  if (a == statement.MemberEnd()) return false;
  for (const auto& action : Strings(a->value)) {
    const std::string l = Lower(action);
    for (const auto& w : wanted) {
      if (l == w) return true;
    }
  }
  return false;
}

bool IsTwelveDigits(std::string_view s) {
  return s.size() == 12 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// The account of a principal ARN or bare account id; "" for "*" or a service.
std::string AccountOfPrincipal(const std::string& p) {
  if (IsTwelveDigits(p)) return p;
  if (p.rfind("arn:", 0) != 0) return "";
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = p.find(':', pos);
    if (pos == std::string::npos) return "";
    ++pos;
  }
  size_t end = p.find(':', pos);
  return end == std::string::npos ? "" : p.substr(pos, end - pos);
}

struct BucketPolicyFacts {
  bool denies_insecure_transport = false;
  bool denies_unencrypted_uploads = false;
};

BucketPolicyFacts AnalyzeBucketPolicy(const std::string& policy) {
  BucketPolicyFacts f;
  if (policy.empty()) return f;
  rapidjson::Document d;
  d.Parse(policy.c_str(), policy.size());
  if (d.HasParseError()) return f;
  for (const auto* s : Statements(d)) {
    if (api::ReadJsonString(*s, "Effect") != "Deny") continue;
    for (const auto& v : ConditionValues(*s, "Bool", "aws:SecureTransport")) {
      if (v == "false") f.denies_insecure_transport = true;
    }
    if (ActionMatches(*s, {"s3:putobject", "s3:*", "*"})) {
      for (const auto& v : ConditionValues(*s, "Null", "s3:x-amz-server-side-encryption")) {
        if (v == "true") f.denies_unencrypted_uploads = true;
      }
      if (!ConditionValues(*s, "StringNotEquals", "s3:x-amz-server-side-encryption").empty()) {
        f.denies_unencrypted_uploads = true;
      }
    }
  }
  return f;
}

// What keeps a key in use: counts by kind, and the first few names.
struct KeyUse {
  std::map<std::string, int64_t> counts;  // "object_versions", "client_side_objects", ...
  std::vector<std::string> examples;
  void Add(const std::string& kind, const std::string& name) {
    ++counts[kind];
    AddExample(name);
  }
  // The scan's form: `name` is built only while examples are wanted.
  template <typename NameFn>
  void AddLazily(const std::string& kind, const NameFn& name) {
    ++counts[kind];
    if (examples.size() < kExamples) AddExample(name());
  }
  bool empty() const { return counts.empty(); }

 private:
  void AddExample(const std::string& name) {
    if (examples.size() < kExamples &&
        std::find(examples.begin(), examples.end(), name) == examples.end()) {
      examples.push_back(name);
    }
  }
};

std::string ObjectName(const s3::ObjectInfo& info) {
  std::string n = "s3://" + info.bucket + "/" + info.key;
  if (info.version_id != s3::kNullVersionId) n += "?versionId=" + info.version_id;
  return n;
}

bool AccountMatches(const std::string& filter, const std::string& account) {
  return filter.empty() || filter == account;
}

bool IsSymmetricCustomerKey(const kms::Key& k) {
  return k.manager == kms::KeyManager::kCustomer && k.spec == kms::KeySpec::kSymmetricDefault;
}

// The Glue state the report and the dependents read, all accounts.
struct GlueState {
  std::vector<api::glue::Service::AdminItem> jobs, secconfs, catalogs, entities, connections, runs;
};

Result<GlueState> LoadGlue(api::glue::Service& glue) {
  GlueState g;
  SEALSTACK_ASSIGN_OR_RETURN(g.jobs, glue.AdminList("job"));
  SEALSTACK_ASSIGN_OR_RETURN(g.secconfs, glue.AdminList("secconf"));
  SEALSTACK_ASSIGN_OR_RETURN(g.catalogs, glue.AdminList("catalog"));
  SEALSTACK_ASSIGN_OR_RETURN(g.connections, glue.AdminList("connection"));
  SEALSTACK_ASSIGN_OR_RETURN(g.runs, glue.AdminList("run"));
  for (const char* kind : {"database", "table", "partition"}) {
    SEALSTACK_ASSIGN_OR_RETURN(auto items, glue.AdminList(kind));
    for (auto& i : items) g.entities.push_back(std::move(i));
  }
  for (const auto& c : g.connections) g.entities.push_back(c);
  return g;
}

std::string GlueArn(const api::glue::Service::AdminItem& i, const std::string& what) {
  return "arn:aws:glue:" + i.region + ":" + i.account + ":" + what;
}

std::string EntityArn(const api::glue::Service::AdminItem& i) {
  if (i.kind == "database") return GlueArn(i, "database/" + i.name);
  if (i.kind == "table") return GlueArn(i, "table/" + i.parent + "/" + i.name);
  if (i.kind == "partition") return GlueArn(i, "table/" + i.parent + "/partition/" + i.name);
  return GlueArn(i, "connection/" + i.name);
}

// The KMS key references of a security configuration: (field, reference, mode).
struct SecconfKeyRef {
  std::string field, ref, mode;
};
std::vector<SecconfKeyRef> SecconfKeyRefs(const rapidjson::Value& ec) {
  std::vector<SecconfKeyRef> out;
  if (!ec.IsObject()) return out;
  if (auto s3e = ec.FindMember("S3Encryption"); s3e != ec.MemberEnd() && s3e->value.IsArray()) {
    for (const auto& e : s3e->value.GetArray()) {
      if (e.IsObject()) {
        out.push_back({"S3Encryption", api::ReadJsonString(e, "KmsKeyArn"),
                       api::ReadJsonString(e, "S3EncryptionMode")});
      }
    }
  }
  if (auto cw = ec.FindMember("CloudWatchEncryption");
      cw != ec.MemberEnd() && cw->value.IsObject()) {
    out.push_back({"CloudWatchEncryption", api::ReadJsonString(cw->value, "KmsKeyArn"),
                   api::ReadJsonString(cw->value, "CloudWatchEncryptionMode")});
  }
  if (auto jb = ec.FindMember("JobBookmarksEncryption");
      jb != ec.MemberEnd() && jb->value.IsObject()) {
    out.push_back({"JobBookmarksEncryption", api::ReadJsonString(jb->value, "KmsKeyArn"),
                   api::ReadJsonString(jb->value, "JobBookmarksEncryptionMode")});
  }
  return out;
}

// The key references of a stored security configuration document; none when the document is
// not one (unparseable, or without EncryptionConfiguration).
std::vector<SecconfKeyRef> SecconfKeyRefsOfDoc(const std::string& doc) {
  rapidjson::Document d;
  d.Parse(doc.c_str(), doc.size());
  if (d.HasParseError() || !d.IsObject()) return {};
  auto ec = d.FindMember("EncryptionConfiguration");
  return ec == d.MemberEnd() ? std::vector<SecconfKeyRef>() : SecconfKeyRefs(ec->value);
}

// The security configuration a stored job document names; "" when it names none (or is not a
// job document).
std::string JobSecurityConfiguration(const std::string& doc) {
  rapidjson::Document d;
  d.Parse(doc.c_str(), doc.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("Job")) return "";
  return api::ReadJsonString(d["Job"], "SecurityConfiguration");
}

// Which keys everything needs: object versions (server-side and client-side layers), catalog
// entries, catalog settings, security configurations and the jobs that use them.
struct UseIndex {
  std::map<std::string, KeyUse> by_key;       // key ARN -> its uses
  std::map<std::string, KeyUse> client_side;  // key ARN -> client-side objects wrapped under it
};

void IndexGlueUses(const GlueState& g, const KeyDirectory& keys, UseIndex* index) {
  std::map<std::string, std::vector<std::string>> secconf_keys;  // acct/region/name -> ARNs
  for (const auto& sc : g.secconfs) {
    std::map<std::string, std::string> fields_by_key;  // key ARN -> "S3Encryption, ..."
    for (const auto& ref : SecconfKeyRefsOfDoc(sc.doc)) {
      if (ref.ref.empty()) continue;
      std::string arn = keys.Resolve(sc.account, sc.region, ref.ref);
      if (arn.empty()) arn = ref.ref;
      std::string& fields = fields_by_key[arn];
      fields += (fields.empty() ? "" : ", ") + ref.field;
    }
    for (const auto& [arn, fields] : fields_by_key) {
      index->by_key[arn].Add("glue_security_configurations",
                             "security configuration " + sc.name + " (" + fields + ")");
      secconf_keys[sc.account + "/" + sc.region + "/" + sc.name].push_back(arn);
    }
  }
  for (const auto& job : g.jobs) {
    const std::string sc = JobSecurityConfiguration(job.doc);
    auto it = secconf_keys.find(job.account + "/" + job.region + "/" + sc);
    if (sc.empty() || it == secconf_keys.end()) continue;
    std::set<std::string> once(it->second.begin(), it->second.end());
    for (const auto& arn : once) index->by_key[arn].Add("glue_jobs", "job " + job.name);
  }
  for (const auto& e : g.entities) {
    if (!e.kms_key_arn.empty()) {
      index->by_key[e.kms_key_arn].Add("catalog_entries", e.kind + " " + EntityArn(e));
    }
  }
  for (const auto& r : g.runs) {
    if (!r.kms_key_arn.empty()) {
      index->by_key[r.kms_key_arn].Add("glue_run_logs",
                                       "log of run " + r.name + " (" + r.parent + ")");
    }
  }
}

void AddFinding(std::vector<Finding>* out, const std::string& filter, Finding f) {
  if (!AccountMatches(filter, f.account)) return;
  out->push_back(std::move(f));
}

// Severities as the report and its ?severity= filter name them (a filter in any case).
constexpr NameEntry<Severity> kSeverityNames[] = {
    {Severity::kCritical, "critical"},
    {Severity::kHigh, "high"},
    {Severity::kMedium, "medium"},
    {Severity::kLow, "low"},
};

// The account of an ARN (its fifth field).
std::string AccountOfArn(const std::string& arn) {
  return AccountOfPrincipal(arn);
}

}  // namespace

std::string_view SeverityName(Severity s) {
  return NameOf(kSeverityNames, s, "low");
}

std::optional<Severity> ParseSeverity(std::string_view s) {
  return ValueOf(kSeverityNames, Lower(s));
}

Result<PostureReport> BuildPostureReport(ServerContext& context, const std::string& account) {
  const auto started = std::chrono::steady_clock::now();
  PostureReport report;
  std::vector<Finding>& out = report.findings;
  const SystemTime now = context.clock->Now();
  KeyDirectory keys(*context.kms);
  UseIndex uses;

  // ---- S3: bucket settings, then one pass over every version.
  SEALSTACK_ASSIGN_OR_RETURN(std::vector<s3::Bucket> buckets, context.s3_buckets->ListAllBuckets());
  std::map<std::string, KeyUse> older_default;  // bucket -> versions written otherwise
  // Each bucket's current default, resolved once: its mode name and (KMS) key ARN.
  struct BucketDefaultFacts {
    std::string mode;
    std::string key_arn;
  };
  std::map<const s3::Bucket*, BucketDefaultFacts> defaults;
  for (const auto& b : buckets) {
    defaults[&b] = {DefaultModeName(b.encryption),
                    b.encryption.kms_master_key_id.empty()
                        ? ""
                        : keys.Resolve(b.account, b.region, b.encryption.kms_master_key_id)};
  }
  // Consecutive versions mostly share a key: remember the last one's entry.
  const std::string* last_arn = nullptr;
  KeyUse* last_use = nullptr;
  int64_t versions = 0;
  SEALSTACK_RETURN_IF_ERROR(
      ScanVersions(*context.s3_objects, buckets, [&](const ScannedVersion& v) {
        ++versions;
        const VersionFacts& doc = *v.facts;
        auto name = [&] { return ObjectName(*v.info); };
        if (!doc.kms_key_arn.empty()) {
          if (last_arn == nullptr || *last_arn != doc.kms_key_arn) {
            auto it = uses.by_key.try_emplace(doc.kms_key_arn).first;
            last_arn = &it->first;
            last_use = &it->second;
          }
          last_use->AddLazily("object_versions", name);
        }
        for (const auto& arn : doc.client_side_keys) {
          uses.by_key[arn].AddLazily("client_side_objects", name);
          uses.client_side[arn].AddLazily("client_side_objects", name);
        }
        const BucketDefaultFacts& want = defaults[v.bucket];
        const std::string_view mode = SseModeName(doc.mode);
        bool differs = mode != want.mode;
        if (!differs && doc.mode != s3::SseMode::kSseS3 && !want.key_arn.empty()) {
          differs = want.key_arn != doc.kms_key_arn;
        }
        if (differs) {
          older_default[v.bucket->name].AddLazily(
              std::string(mode) + " (default " + want.mode + ")", name);
        }
        return true;
      }));
  report.scanned["buckets"] = static_cast<int64_t>(buckets.size());
  report.scanned["object_versions"] = versions;

  for (const auto& b : buckets) {
    const std::string arn = "arn:aws:s3:::" + b.name;
    const auto& e = b.encryption;
    if (e.sse_algorithm == "AES256") {
      AddFinding(&out, account,
                 {"s3-default-encryption-not-kms",
                  Severity::kMedium,
                  arn,
                  b.account,
                  "Default encryption is SSE-S3: objects are not protected by a KMS key you "
                  "control, and no key policy stands between a reader and the data.",
                  "PutBucketEncryption with SSEAlgorithm aws:kms and a customer managed "
                  "KMSMasterKeyID.",
                  {},
                  {}});
    } else if (!e.bucket_key_enabled.value_or(false) && e.sse_algorithm == "aws:kms") {
      AddFinding(&out, account,
                 {"s3-bucket-key-disabled",
                  Severity::kLow,
                  arn,
                  b.account,
                  "S3 Bucket Keys are off: every object write and read calls KMS.",
                  "PutBucketEncryption with BucketKeyEnabled true.",
                  {},
                  {}});
    }
    const auto& blocked = e.blocked_encryption_types;
    if (!blocked || std::find(blocked->begin(), blocked->end(), "SSE-C") == blocked->end()) {
      AddFinding(&out, account,
                 {"s3-sse-c-not-blocked",
                  Severity::kMedium,
                  arn,
                  b.account,
                  "SSE-C writes are allowed: objects can be sealed under keys the account "
                  "never sees and cannot recover.",
                  "PutBucketEncryption with BlockedEncryptionTypes [SSE-C].",
                  {},
                  {}});
    }
    const BucketPolicyFacts pf = AnalyzeBucketPolicy(b.policy);
    if (!pf.denies_insecure_transport) {
      AddFinding(&out, account,
                 {"s3-policy-allows-insecure-transport",
                  Severity::kMedium,
                  arn,
                  b.account,
                  "The bucket policy does not deny requests without TLS "
                  "(aws:SecureTransport false).",
                  "Add a Deny statement on s3:* for Bool aws:SecureTransport \"false\".",
                  {},
                  {}});
    }
    if (!pf.denies_unencrypted_uploads) {
      AddFinding(&out, account,
                 {"s3-policy-allows-unencrypted-uploads",
                  Severity::kLow,
                  arn,
                  b.account,
                  "The bucket policy does not deny PutObject without "
                  "x-amz-server-side-encryption (or with another algorithm).",
                  "Add a Deny on s3:PutObject for StringNotEquals "
                  "s3:x-amz-server-side-encryption \"aws:kms\".",
                  {},
                  {}});
    }
    const s3::PublicAccessBlock pab = s3::PublicAccessBlockOfBucket(b);
    if (!pab.block_public_acls || !pab.ignore_public_acls || !pab.block_public_policy ||
        !pab.restrict_public_buckets) {
      AddFinding(&out, account,
                 {"s3-public-access-block-off",
                  Severity::kHigh,
                  arn,
                  b.account,
                  "Block Public Access is not fully on for the bucket.",
                  "PutPublicAccessBlock with all four settings true.",
                  {},
                  {}});
    }
    if (auto it = older_default.find(b.name); it != older_default.end()) {
      Finding f{"s3-objects-under-older-default",
                Severity::kLow,
                arn,
                b.account,
                "Object versions are protected differently from the bucket's current default "
                "encryption (written under an older default, or with explicit headers).",
                "Copy the objects in place (CopyObject with the new encryption) or "
                "UpdateObjectEncryption.",
                it->second.counts,
                it->second.examples};
      AddFinding(&out, account, std::move(f));
    }
  }

  // ---- Glue.
  GlueState glue;
  if (context.glue) {
    SEALSTACK_ASSIGN_OR_RETURN(glue, LoadGlue(*context.glue));
    IndexGlueUses(glue, keys, &uses);
    std::set<std::string> catalog_scopes;  // acct/region with catalog entries or settings
    for (const auto& e : glue.entities) catalog_scopes.insert(e.account + "/" + e.region);
    std::map<std::string, const api::glue::Service::AdminItem*> settings;
    for (const auto& c : glue.catalogs) {
      catalog_scopes.insert(c.account + "/" + c.region);
      settings[c.account + "/" + c.region] = &c;
    }
    std::map<std::string, int64_t> connections_per_scope;
    for (const auto& c : glue.connections) ++connections_per_scope[c.account + "/" + c.region];
    for (const auto& scope : catalog_scopes) {
      const std::string acct = scope.substr(0, scope.find('/'));
      const std::string region = scope.substr(scope.find('/') + 1);
      const std::string arn = "arn:aws:glue:" + region + ":" + acct + ":catalog";
      std::string mode = "DISABLED";
      bool passwords_encrypted = false;
      if (auto it = settings.find(scope); it != settings.end()) {
        rapidjson::Document d;
        d.Parse(it->second->doc.c_str(), it->second->doc.size());
        if (!d.HasParseError() && d.IsObject()) {
          if (auto ear = d.FindMember("EncryptionAtRest"); ear != d.MemberEnd()) {
            mode = api::ReadJsonString(ear->value, "CatalogEncryptionMode");
            const std::string ref = api::ReadJsonString(ear->value, "SseAwsKmsKeyId");
            if (mode != "DISABLED" && !ref.empty()) {
              std::string karn = keys.Resolve(acct, region, ref);
              uses.by_key[karn.empty() ? ref : karn].Add("catalog_settings", arn);
            }
          }
          if (auto cpe = d.FindMember("ConnectionPasswordEncryption");
              cpe != d.MemberEnd() && cpe->value.IsObject()) {
            auto r = cpe->value.FindMember("ReturnConnectionPasswordEncrypted");
            passwords_encrypted =
                r != cpe->value.MemberEnd() && r->value.IsBool() && r->value.GetBool();
            const std::string ref = api::ReadJsonString(cpe->value, "AwsKmsKeyId");
            if (passwords_encrypted && !ref.empty()) {
              std::string karn = keys.Resolve(acct, region, ref);
              uses.by_key[karn.empty() ? ref : karn].Add("catalog_settings",
                                                         arn + " (connection passwords)");
            }
          }
        }
      }
      if (mode.empty() || mode == "DISABLED") {
        AddFinding(&out, account,
                   {"glue-catalog-not-encrypted",
                    Severity::kMedium,
                    arn,
                    acct,
                    "The Data Catalog is not encrypted at rest.",
                    "PutDataCatalogEncryptionSettings with CatalogEncryptionMode SSE-KMS.",
                    {},
                    {}});
      }
      if (!passwords_encrypted) {
        Finding f{"glue-connection-passwords-not-encrypted",
                  Severity::kMedium,
                  arn,
                  acct,
                  "Connection passwords are not encrypted with a KMS key.",
                  "PutDataCatalogEncryptionSettings with ConnectionPasswordEncryption "
                  "ReturnConnectionPasswordEncrypted true and an AwsKmsKeyId.",
                  {},
                  {}};
        if (auto n = connections_per_scope.find(scope); n != connections_per_scope.end()) {
          f.counts["connections"] = n->second;
        }
        AddFinding(&out, account, std::move(f));
      }
    }
    std::set<std::string> secconf_names;
    for (const auto& sc : glue.secconfs) {
      secconf_names.insert(sc.account + "/" + sc.region + "/" + sc.name);
      const std::string arn = GlueArn(sc, "securityConfiguration/" + sc.name);
      rapidjson::Document d;
      d.Parse(sc.doc.c_str(), sc.doc.size());
      if (d.HasParseError() || !d.IsObject()) continue;
      auto ec = d.FindMember("EncryptionConfiguration");
      bool s3_on = false, bookmarks_on = false;
      if (ec != d.MemberEnd()) {
        for (const auto& ref : SecconfKeyRefs(ec->value)) {
          if (ref.field == "S3Encryption" && !ref.mode.empty() && ref.mode != "DISABLED") {
            s3_on = true;
          }
          if (ref.field == "JobBookmarksEncryption" && !ref.mode.empty() &&
              ref.mode != "DISABLED") {
            bookmarks_on = true;
          }
        }
      }
      if (!s3_on) {
        AddFinding(&out, account,
                   {"glue-security-configuration-s3-disabled",
                    Severity::kHigh,
                    arn,
                    sc.account,
                    "The security configuration leaves S3 encryption DISABLED: job output is "
                    "written with whatever the bucket default is.",
                    "Recreate it with S3Encryption SSE-KMS and a KmsKeyArn.",
                    {},
                    {}});
      }
      if (!bookmarks_on) {
        AddFinding(&out, account,
                   {"glue-job-bookmarks-not-encrypted",
                    Severity::kLow,
                    arn,
                    sc.account,
                    "Job bookmarks are not encrypted (JobBookmarksEncryption DISABLED).",
                    "Recreate it with JobBookmarksEncryptionMode CSE-KMS and a KmsKeyArn.",
                    {},
                    {}});
      }
    }
    for (const auto& job : glue.jobs) {
      const std::string sc = JobSecurityConfiguration(job.doc);
      const std::string arn = GlueArn(job, "job/" + job.name);
      if (sc.empty()) {
        AddFinding(&out, account,
                   {"glue-job-without-security-configuration",
                    Severity::kMedium,
                    arn,
                    job.account,
                    "The job has no security configuration: its S3 output, logs and bookmarks "
                    "are not encrypted by Glue.",
                    "UpdateJob with SecurityConfiguration naming one that uses SSE-KMS.",
                    {},
                    {}});
      } else if (secconf_names.count(job.account + "/" + job.region + "/" + sc) == 0) {
        AddFinding(&out, account,
                   {"glue-job-security-configuration-missing",
                    Severity::kHigh,
                    arn,
                    job.account,
                    "The job names security configuration " + sc +
                        ", which does not exist: "
                        "its runs fail.",
                    "Create the security configuration or UpdateJob to an existing one.",
                    {},
                    {}});
      }
    }
    report.scanned["glue_jobs"] = static_cast<int64_t>(glue.jobs.size());
    report.scanned["glue_security_configurations"] = static_cast<int64_t>(glue.secconfs.size());
    report.scanned["catalog_entries"] = static_cast<int64_t>(glue.entities.size());
  }

  // ---- KMS: each customer key's settings, then whatever still needs an unusable key.
  for (const auto& kp : keys.keys()) {
    const kms::Key& k = *kp;
    if (k.manager != kms::KeyManager::kCustomer) continue;
    auto use = uses.by_key.find(k.arn);
    const bool in_use = use != uses.by_key.end() && !use->second.empty();
    const std::string usable = KeyUsability(&k);
    if (IsSymmetricCustomerKey(k) && k.origin == kms::Origin::kAwsKms && !k.rotation_enabled &&
        !k.is_replica() &&
        (k.state == kms::KeyState::kEnabled || k.state == kms::KeyState::kDisabled)) {
      AddFinding(&out, account,
                 {"kms-rotation-disabled",
                  Severity::kMedium,
                  k.arn,
                  k.account,
                  "Automatic key rotation is off for this customer managed key.",
                  "EnableKeyRotation (RotationPeriodInDays 90 to 2560).",
                  {},
                  {}});
    }
    if (usable != "usable") {
      Severity sev =
          k.state == kms::KeyState::kPendingDeletion ? Severity::kCritical : Severity::kHigh;
      std::string id = k.state == kms::KeyState::kPendingDeletion ? "kms-pending-deletion-in-use"
                       : k.state == kms::KeyState::kDisabled      ? "kms-disabled-in-use"
                                                                  : "kms-key-unusable-in-use";
      if (in_use) {
        std::string reason = "The key is " + usable + " but still protects data: " +
                             std::to_string(use->second.counts.size()) +
                             " kind(s) of resource need it.";
        if (k.deletion_date) {
          reason = "The key is scheduled for deletion on " + FormatIso8601(*k.deletion_date) +
                   " but still protects data: once deleted, it never decrypts again.";
        } else if (k.state == kms::KeyState::kDisabled) {
          reason =
              "The key is disabled but still protects data: every read of it fails "
              "(KMS DisabledException).";
        }
        AddFinding(&out, account,
                   {id, sev, k.arn, k.account, reason,
                    k.state == kms::KeyState::kPendingDeletion
                        ? "CancelKeyDeletion, or re-encrypt the dependents under another key "
                          "first (GET /_sealstack/keys/<key>/dependents)."
                        : "EnableKey, or re-encrypt the dependents under another key.",
                    use->second.counts, use->second.examples});
      } else if (k.state == kms::KeyState::kPendingDeletion) {
        AddFinding(&out, account,
                   {"kms-pending-deletion",
                    Severity::kLow,
                    k.arn,
                    k.account,
                    "The key is scheduled for deletion; nothing SealStack holds needs it.",
                    "Nothing, if intended; CancelKeyDeletion otherwise.",
                    {},
                    {}});
      }
    }
    if (k.valid_to && k.state != kms::KeyState::kPendingDeletion) {
      const auto left = std::chrono::duration_cast<std::chrono::hours>(*k.valid_to - now);
      if (left.count() <= 30 * 24) {
        Finding f{"kms-imported-material-expiring",
                  left.count() <= 7 * 24 ? Severity::kHigh : Severity::kMedium,
                  k.arn,
                  k.account,
                  "Imported key material expires on " + FormatIso8601(*k.valid_to) +
                      "; the key then becomes unusable (PendingImport).",
                  "ImportKeyMaterial again with a later ValidTo, or ExpirationModel "
                  "KEY_MATERIAL_DOES_NOT_EXPIRE.",
                  {},
                  {}};
        f.counts["hours_left"] = left.count();
        if (in_use) {
          for (const auto& [kind, n] : use->second.counts) f.counts[kind] = n;
          f.examples = use->second.examples;
        }
        AddFinding(&out, account, std::move(f));
      }
    }
    // Key policy: kms:* (or *) allowed to everyone, or to another account.
    rapidjson::Document policy;
    policy.Parse(k.policy.c_str(), k.policy.size());
    if (!policy.HasParseError()) {
      bool public_all = false;
      std::set<std::string> others;
      for (const auto* s : Statements(policy)) {
        if (api::ReadJsonString(*s, "Effect") != "Allow" || !ActionMatches(*s, {"kms:*", "*"}))
          continue;
        for (const auto& p : Principals(*s)) {
          if (p == "*" && !HasCondition(*s)) public_all = true;
          const std::string pa = AccountOfPrincipal(p);
          if (!pa.empty() && pa != k.account) others.insert(pa);
        }
      }
      if (public_all) {
        AddFinding(&out, account,
                   {"kms-policy-allows-everyone",
                    Severity::kCritical,
                    k.arn,
                    k.account,
                    "The key policy allows kms:* to Principal \"*\" without a condition.",
                    "PutKeyPolicy naming the principals that need the key, with the actions "
                    "they need.",
                    {},
                    {}});
      }
      if (!others.empty()) {
        Finding f{"kms-policy-allows-other-accounts",
                  Severity::kHigh,
                  k.arn,
                  k.account,
                  "The key policy allows kms:* to other accounts.",
                  "Allow other accounts only the actions they need (kms:Decrypt, ...), with "
                  "conditions such as kms:ViaService.",
                  {},
                  std::vector<std::string>(others.begin(), others.end())};
        f.counts["accounts"] = static_cast<int64_t>(others.size());
        AddFinding(&out, account, std::move(f));
      }
    }
    for (const kms::Grant* g : keys.GrantsOf(k)) {
      if (g->constraints.encryption_context_equals || g->constraints.encryption_context_subset) {
        continue;
      }
      Finding f{"kms-grant-without-constraints",
                Severity::kMedium,
                k.arn,
                k.account,
                "Grant " + g->id.substr(0, 16) + " (" + g->grantee +
                    ") has no encryption context constraints: it covers every ciphertext of "
                    "the key.",
                "RetireGrant/RevokeGrant and CreateGrant with Constraints "
                "EncryptionContextEquals or EncryptionContextSubset.",
                {},
                {g->grantee}};
      f.counts["operations"] = static_cast<int64_t>(g->operations.size());
      AddFinding(&out, account, std::move(f));
    }
  }
  // Uses of key ARNs no key answers to (deleted keys): critical for the data they held.
  for (const auto& [arn, use] : uses.by_key) {
    if (keys.ByArn(arn) != nullptr || arn.rfind("arn:aws:kms:", 0) != 0) continue;
    AddFinding(
        &out, account,
        {"kms-deleted-key-in-use", Severity::kCritical, arn, AccountOfArn(arn),
         "No KMS key answers to this ARN (deleted, or never here), yet data needs it: "
         "it can never be decrypted.",
         "Restore the data from a copy protected by another key.", use.counts, use.examples});
  }
  // Client-side layers: the wrapping key must be usable for the objects to be readable.
  for (const auto& [arn, use] : uses.client_side) {
    const kms::Key* k = keys.ByArn(arn);
    const std::string usable = KeyUsability(k);
    if (usable == "usable") continue;
    AddFinding(&out, account,
               {"s3-client-side-key-unusable",
                k == nullptr || k->state == kms::KeyState::kPendingDeletion ? Severity::kCritical
                                                                            : Severity::kHigh,
                arn, AccountOfArn(arn),
                "Client-side encrypted objects wrap their data key under this KMS key, which is " +
                    usable + ": clients cannot decrypt them.",
                "Make the key usable again (EnableKey / CancelKeyDeletion) or re-encrypt the "
                "objects client-side under another key.",
                use.counts, use.examples});
  }
  report.scanned["keys"] = static_cast<int64_t>(keys.keys().size());
  report.scanned["grants"] = static_cast<int64_t>(keys.grants().size());

  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity) return a.severity < b.severity;
    if (a.id != b.id) return a.id < b.id;
    return a.resource < b.resource;
  });
  report.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string PostureReportJson(const PostureReport& report, const std::string& account,
                              const std::string& generated_at) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  api::WriteJsonString(w, "generated_at", generated_at);
  w.Key("account");
  if (account.empty()) {
    w.Null();
  } else {
    w.String(account.c_str());
  }
  std::map<Severity, int64_t> by_severity;
  for (const auto& f : report.findings) ++by_severity[f.severity];
  w.Key("summary");
  w.StartObject();
  for (Severity s : {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow}) {
    w.Key(SeverityName(s).data());
    w.Int64(by_severity[s]);
  }
  api::WriteJsonInt64(w, "total", static_cast<int64_t>(report.findings.size()));
  w.EndObject();
  api::WriteJsonCounts(w, "scanned", report.scanned);
  w.Key("elapsed_ms");
  w.Double(static_cast<double>(static_cast<int64_t>(report.elapsed_ms * 100)) / 100);
  w.Key("findings");
  w.StartArray();
  for (const auto& f : report.findings) {
    w.StartObject();
    api::WriteJsonString(w, "id", f.id);
    api::WriteJsonString(w, "severity", SeverityName(f.severity));
    api::WriteJsonString(w, "resource", f.resource);
    api::WriteJsonString(w, "account", f.account);
    api::WriteJsonString(w, "reason", f.reason);
    api::WriteJsonString(w, "fix", f.fix);
    api::WriteJsonCounts(w, "counts", f.counts);
    api::WriteJsonStringList(w, "examples", f.examples);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// ---------------------------------------------------------------- dependents

namespace {

constexpr size_t kDefaultDependentsLimit = 1000;

Result<std::string> KeyDependentsJson(ServerContext& context, const kms::Key& key,
                                      const KeyDirectory& keys, size_t limit) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  api::WriteJsonString(w, "key_arn", key.arn);
  api::WriteJsonString(w, "key_state", std::string(kms::Name(key.state)));
  api::WriteJsonStringList(w, "aliases", keys.AliasesOf(key));

  SEALSTACK_ASSIGN_OR_RETURN(std::vector<s3::Bucket> buckets, context.s3_buckets->ListAllBuckets());
  int64_t object_total = 0, client_total = 0;
  w.Key("object_versions");
  w.StartArray();
  SEALSTACK_RETURN_IF_ERROR(
      ScanVersions(*context.s3_objects, buckets, [&](const ScannedVersion& v) {
        const VersionFacts& doc = *v.facts;
        const bool server_side = doc.kms_key_arn == key.arn;
        const bool client_side = std::find(doc.client_side_keys.begin(), doc.client_side_keys.end(),
                                           key.arn) != doc.client_side_keys.end();
        if (!server_side && !client_side) return true;
        if (server_side) ++object_total;
        if (client_side) ++client_total;
        if (static_cast<size_t>(object_total + client_total) > limit) return true;
        w.StartObject();
        api::WriteJsonString(w, "bucket", v.info->bucket);
        api::WriteJsonString(w, "key", v.info->key);
        api::WriteJsonString(w, "version_id", v.info->version_id);
        api::WriteJsonBool(w, "is_latest", v.info->is_latest);
        api::WriteJsonString(w, "mode", std::string(SseModeName(doc.mode)));
        api::WriteJsonBool(w, "bucket_key", doc.bucket_key);
        api::WriteJsonString(w, "layer",
                             server_side && client_side ? "server-side+client-side"
                             : server_side              ? "server-side"
                                                        : "client-side");
        if (client_side) api::WriteJsonString(w, "client_side_format", doc.client_side_format);
        w.EndObject();
        return true;
      }));
  w.EndArray();

  // Glue: catalog entries sealed under the key, security configurations naming it, the jobs
  // that use those, and catalog settings.
  int64_t catalog_total = 0, secconf_total = 0, job_total = 0, settings_total = 0;
  int64_t run_log_total = 0;
  if (context.glue) {
    SEALSTACK_ASSIGN_OR_RETURN(GlueState glue, LoadGlue(*context.glue));
    w.Key("catalog_entries");
    w.StartArray();
    for (const auto& e : glue.entities) {
      if (e.kms_key_arn != key.arn) continue;
      ++catalog_total;
      w.StartObject();
      api::WriteJsonString(w, "kind", e.kind);
      api::WriteJsonString(w, "arn", EntityArn(e));
      api::WriteJsonString(w, "name", e.name);
      w.EndObject();
    }
    w.EndArray();
    std::set<std::string> secconfs;  // acct/region/name
    w.Key("glue_security_configurations");
    w.StartArray();
    for (const auto& sc : glue.secconfs) {
      std::vector<std::string> fields;
      for (const auto& ref : SecconfKeyRefsOfDoc(sc.doc)) {
        if (!ref.ref.empty() && keys.Resolve(sc.account, sc.region, ref.ref) == key.arn) {
          fields.push_back(ref.field);
        }
      }
      if (fields.empty()) continue;
      ++secconf_total;
      secconfs.insert(sc.account + "/" + sc.region + "/" + sc.name);
      w.StartObject();
      api::WriteJsonString(w, "name", sc.name);
      api::WriteJsonString(w, "account", sc.account);
      api::WriteJsonString(w, "region", sc.region);
      api::WriteJsonStringList(w, "fields", fields);
      w.EndObject();
    }
    w.EndArray();
    w.Key("glue_jobs");
    w.StartArray();
    for (const auto& job : glue.jobs) {
      const std::string sc = JobSecurityConfiguration(job.doc);
      if (sc.empty() || secconfs.count(job.account + "/" + job.region + "/" + sc) == 0) continue;
      ++job_total;
      w.StartObject();
      api::WriteJsonString(w, "name", job.name);
      api::WriteJsonString(w, "arn", GlueArn(job, "job/" + job.name));
      api::WriteJsonString(w, "security_configuration", sc);
      w.EndObject();
    }
    w.EndArray();
    w.Key("catalog_settings");
    w.StartArray();
    for (const auto& c : glue.catalogs) {
      rapidjson::Document d;
      d.Parse(c.doc.c_str(), c.doc.size());
      if (d.HasParseError() || !d.IsObject()) continue;
      std::vector<std::string> fields;
      if (auto ear = d.FindMember("EncryptionAtRest"); ear != d.MemberEnd()) {
        const std::string ref = api::ReadJsonString(ear->value, "SseAwsKmsKeyId");
        if (!ref.empty() && keys.Resolve(c.account, c.region, ref) == key.arn) {
          fields.emplace_back("EncryptionAtRest");
        }
      }
      if (auto cpe = d.FindMember("ConnectionPasswordEncryption"); cpe != d.MemberEnd()) {
        const std::string ref = api::ReadJsonString(cpe->value, "AwsKmsKeyId");
        if (!ref.empty() && keys.Resolve(c.account, c.region, ref) == key.arn) {
          fields.emplace_back("ConnectionPasswordEncryption");
        }
      }
      if (fields.empty()) continue;
      ++settings_total;
      w.StartObject();
      api::WriteJsonString(w, "arn", "arn:aws:glue:" + c.region + ":" + c.account + ":catalog");
      api::WriteJsonStringList(w, "fields", fields);
      w.EndObject();
    }
    w.EndArray();
    // Glue output the server keeps itself: run logs sealed under a CloudWatchEncryption key.
    w.Key("glue_run_logs");
    w.StartArray();
    for (const auto& r : glue.runs) {
      if (r.kms_key_arn != key.arn) continue;
      ++run_log_total;
      w.StartObject();
      api::WriteJsonString(w, "run_id", r.name);
      api::WriteJsonString(w, "job_name", r.parent);
      api::WriteJsonString(w, "account", r.account);
      api::WriteJsonString(w, "region", r.region);
      w.EndObject();
    }
    w.EndArray();
  }
  const auto grants = keys.GrantsOf(key);
  w.Key("grants");
  w.StartArray();
  for (const kms::Grant* g : grants) {
    w.StartObject();
    WriteGrantSummary(w, *g);
    api::WriteJsonBool(
        w, "constrained",
        g->constraints.encryption_context_equals || g->constraints.encryption_context_subset);
    w.EndObject();
  }
  w.EndArray();
  w.Key("counts");
  w.StartObject();
  api::WriteJsonInt64(w, "object_versions", object_total);
  api::WriteJsonInt64(w, "client_side_objects", client_total);
  api::WriteJsonInt64(w, "catalog_entries", catalog_total);
  api::WriteJsonInt64(w, "glue_security_configurations", secconf_total);
  api::WriteJsonInt64(w, "glue_jobs", job_total);
  api::WriteJsonInt64(w, "catalog_settings", settings_total);
  api::WriteJsonInt64(w, "glue_run_logs", run_log_total);
  api::WriteJsonInt64(w, "grants", static_cast<int64_t>(grants.size()));
  w.EndObject();
  api::WriteJsonBool(w, "truncated", static_cast<size_t>(object_total + client_total) > limit);
  const int64_t data = object_total + client_total + catalog_total + settings_total + run_log_total;
  api::WriteJsonInt64(w, "total",
                      data + secconf_total + job_total + static_cast<int64_t>(grants.size()));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

api::ApiResponse Posture(ServerContext& context, const auth::HttpRequestHead& head,
                         const api::RequestIds& ids) {
  std::string account;
  for (const auto& [k, v] : auth::ParseQuery(head.RawQuery())) {
    if (k == "account") account = v;
  }
  if (!account.empty() && !IsTwelveDigits(account)) {
    return AdminBadRequest("account: expected 12 digits", ids);
  }
  auto report = BuildPostureReport(context, account);
  if (!report.ok()) {
    return AdminError(500, "InternalError", "posture report failed: " + report.status().message(),
                      ids);
  }
  return AdminJson(PostureReportJson(*report, account, FormatIso8601(context.clock->Now(), true)),
                   ids);
}

api::ApiResponse Dependents(ServerContext& context, const auth::HttpRequestHead& head,
                            std::string_view key_ref, const api::RequestIds& ids) {
  std::string ref;
  if (!auth::UriDecode(key_ref, &ref)) ref = std::string(key_ref);
  size_t limit = kDefaultDependentsLimit;
  for (const auto& [k, v] : auth::ParseQuery(head.RawQuery())) {
    if (k == "limit") {
      try {
        limit = static_cast<size_t>(std::stoul(v));
      } catch (...) {
        return AdminBadRequest("limit: expected a positive integer", ids);
      }
      if (limit == 0) return AdminBadRequest("limit: expected a positive integer", ids);
    }
  }
  KeyDirectory keys(*context.kms);
  const kms::Key* key = keys.ByArn(ref);
  if (key == nullptr && ref.rfind("arn:", 0) != 0) {
    // A bare key id (or alias name): the region's key of the default account, else any key
    // with that id.
    for (const auto& k : keys.keys()) {
      if (k->id == ref) key = k.get();
    }
    if (key == nullptr && ref.rfind("alias/", 0) == 0) {
      for (const auto& k : keys.keys()) {
        const auto aliases = keys.AliasesOf(*k);
        if (std::find(aliases.begin(), aliases.end(), ref) != aliases.end()) key = k.get();
      }
    }
  } else if (key == nullptr) {
    const std::string arn = keys.Resolve("", "", ref);
    key = keys.ByArn(arn);
  }
  if (key == nullptr) return AdminError(404, "NotFoundException", "no key " + ref, ids);
  auto json = KeyDependentsJson(context, *key, keys, limit);
  if (!json.ok()) {
    return AdminError(500, "InternalError", "dependents failed: " + json.status().message(), ids);
  }
  return AdminJson(std::move(*json), ids);
}

}  // namespace

std::optional<api::ApiResponse> HandleViews(ServerContext& context,
                                            const auth::HttpRequestHead& head,
                                            std::string_view admin_path, std::string_view body,
                                            const api::RequestIds& ids) {
  if (admin_path == "posture") {
    if (head.method != "GET") return AdminMethodNotAllowed("posture accepts GET", ids);
    return Posture(context, head, ids);
  }
  constexpr std::string_view kKeys = "keys/";
  constexpr std::string_view kDependents = "/dependents";
  if (admin_path.rfind(kKeys, 0) == 0 && admin_path.size() > kKeys.size() + kDependents.size() &&
      admin_path.substr(admin_path.size() - kDependents.size()) == kDependents) {
    if (head.method != "GET") return AdminMethodNotAllowed("dependents accepts GET", ids);
    return Dependents(
        context, head,
        admin_path.substr(kKeys.size(), admin_path.size() - kKeys.size() - kDependents.size()),
        ids);
  }
  return HandleConsole(context, head, admin_path, body, ids);
}

}  // namespace sealstack::server
