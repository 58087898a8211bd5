// Jobs, job tags and security configurations.
#include <algorithm>
#include <functional>

#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "common/identifiers.h"
#include "common/strings.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

namespace {

// ^arn:aws[a-z0-9-]*:kms: -- the partition may be aws, aws-cn, aws-us-gov...
bool LooksLikeKmsArn(std::string_view arn) {
  if (!StartsWith(arn, "arn:aws")) return false;
  size_t i = 7;
  while (i < arn.size() &&
         ((arn[i] >= 'a' && arn[i] <= 'z') || (arn[i] >= '0' && arn[i] <= '9') || arn[i] == '-')) {
    ++i;
  }
  return arn.substr(i, 5) == ":kms:";
}

constexpr size_t kMaxPage = 1000;

Status ValidateJobFields(const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(json::Str(in, "Description", false, 0, 2048).status());
  SEALSTACK_RETURN_IF_ERROR(json::Str(in, "LogUri", false).status());
  SEALSTACK_RETURN_IF_ERROR(json::Str(in, "SecurityConfiguration", false, 1, 255).status());
  SEALSTACK_RETURN_IF_ERROR(json::Str(in, "GlueVersion", false, 1, 255).status());
  SEALSTACK_RETURN_IF_ERROR(json::Int(in, "Timeout", 1, INT32_MAX).status());
  SEALSTACK_RETURN_IF_ERROR(json::Int(in, "MaxRetries", 0, INT32_MAX).status());
  SEALSTACK_RETURN_IF_ERROR(json::Int(in, "NumberOfWorkers", 0, INT32_MAX).status());
  SEALSTACK_RETURN_IF_ERROR(json::Enum(in, "JobMode", {"SCRIPT", "VISUAL", "NOTEBOOK"}, false));
  SEALSTACK_RETURN_IF_ERROR(json::Enum(in, "WorkerType",
                                       {"Standard", "G.1X", "G.2X", "G.025X", "G.4X", "G.8X",
                                        "Z.2X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X"},
                                       false));
  SEALSTACK_RETURN_IF_ERROR(json::Enum(in, "ExecutionClass", {"FLEX", "STANDARD"}, false));
  SEALSTACK_RETURN_IF_ERROR(json::StringMap(in, "DefaultArguments"));
  SEALSTACK_RETURN_IF_ERROR(json::StringMap(in, "NonOverridableArguments"));
  SEALSTACK_RETURN_IF_ERROR(json::ObjectOrAbsent(in, "ExecutionProperty"));
  if (const Value* ep = json::Find(in, "ExecutionProperty")) {
    SEALSTACK_RETURN_IF_ERROR(json::Int(*ep, "MaxConcurrentRuns", 1, 1000).status());
  }
  SEALSTACK_RETURN_IF_ERROR(json::ObjectOrAbsent(in, "Command"));
  if (const Value* cmd = json::Find(in, "Command")) {
    SEALSTACK_RETURN_IF_ERROR(json::Str(*cmd, "Name", false).status());
    SEALSTACK_RETURN_IF_ERROR(json::Str(*cmd, "ScriptLocation", false, 0, 400000).status());
    SEALSTACK_RETURN_IF_ERROR(json::Str(*cmd, "PythonVersion", false).status());
  }
  if (const Value* mc = json::Find(in, "MaxCapacity"); mc != nullptr && !mc->IsNumber()) {
    return InvalidInput("Member MaxCapacity must be a number");
  }
  return Status::Ok();
}

// Copies the job members of `in` (CreateJob input or JobUpdate) into `job`, minus Name/Tags.
void CopyJobFields(const Value& in, Value& job, Document::AllocatorType& a) {
  for (const auto& m : in.GetObject()) {
    std::string_view k(m.name.GetString(), m.name.GetStringLength());
    if (k == "Name" || k == "Tags" || k == "JobName" || m.value.IsNull()) continue;
    job.AddMember(Value(m.name, a), Value(m.value, a), a);
  }
  if (!job.HasMember("ExecutionProperty")) {
    Value ep(rapidjson::kObjectType);
    ep.AddMember("MaxConcurrentRuns", 1, a);
    job.AddMember("ExecutionProperty", ep, a);
  }
  if (!job.HasMember("MaxRetries")) job.AddMember("MaxRetries", 0, a);
  if (!job.HasMember("Timeout")) job.AddMember("Timeout", 2880, a);
  if (!job.HasMember("JobMode")) job.AddMember("JobMode", "SCRIPT", a);
  if (!job.HasMember("GlueVersion")) job.AddMember("GlueVersion", "5.1", a);
  if (!job.HasMember("MaxCapacity")) {
    const Value* cmd = json::Find(job, "Command");
    const Value* name = cmd != nullptr ? json::Find(*cmd, "Name") : nullptr;
    bool shell =
        name != nullptr && name->IsString() && std::string_view(name->GetString()) == "pythonshell";
    if (!job.HasMember("WorkerType")) job.AddMember("MaxCapacity", shell ? 0.0625 : 10.0, a);
  }
}

Result<Document> LoadJob(const storage::GlueKey& key, storage::Database& db,
                         const std::string& name) {
  std::string text;
  Status st = db.WithConnection([&](storage::Connection& c) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(text, storage::GlueRepo::Get(c, key));
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) {
    return NotFound("Job with name: " + name + " not found.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return json::Load(text);
}

Status CheckTags(const Value& in, const char* member) {
  SEALSTACK_RETURN_IF_ERROR(json::StringMap(in, member));
  if (const Value* t = json::Find(in, member); t != nullptr && t->MemberCount() > 50) {
    return InvalidInput("1 validation error detected: Value at '" + json::Lower(member) +
                        "' failed to satisfy constraint: Member must have length less than or "
                        "equal to 50");
  }
  return Status::Ok();
}

// "arn:aws:glue:REGION:ACCT:job/NAME" -> NAME, for the caller's account and region.
Result<std::string> JobNameOfArn(const Caller& c, const std::string& arn) {
  const std::string prefix = GlueArn(c, "job/");
  if (arn.rfind(prefix, 0) == 0 && arn.size() > prefix.size()) return arn.substr(prefix.size());
  if (arn.rfind("arn:aws:glue:", 0) != 0) {
    return InvalidInput("Invalid resource ARN: " + arn);
  }
  return NotFound("Resource " + arn + " does not exist");
}

Status CheckKmsArn(const Value& section, const char* mode_member,
                   std::initializer_list<const char*> modes,
                   std::initializer_list<const char*> kms_modes, const char* what) {
  if (!section.IsObject()) return InvalidInput(std::string(what) + " must be a structure");
  SEALSTACK_RETURN_IF_ERROR(json::Enum(section, mode_member, modes, false));
  SEALSTACK_ASSIGN_OR_RETURN(std::string mode, json::Str(section, mode_member, false));
  SEALSTACK_ASSIGN_OR_RETURN(std::string arn, json::Str(section, "KmsKeyArn", false));
  bool kms = false;
  for (const char* m : kms_modes) kms = kms || mode == m;
  if (kms && arn.empty()) {
    return InvalidInput("KmsKeyArn is required when " + std::string(mode_member) + " is " + mode +
                        " in " + what);
  }
  if (!arn.empty() && !LooksLikeKmsArn(arn)) {
    return InvalidInput("Invalid KmsKeyArn '" + arn + "' in " + what +
                        ": expected a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)");
  }
  if (!kms && !arn.empty()) {
    return InvalidInput("KmsKeyArn must not be given when " + std::string(mode_member) + " is " +
                        (mode.empty() ? "not set" : mode) + " in " + what);
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const auth::Principal>> ResolveRole(const auth::PrincipalStore& store,
                                                           const std::string& account,
                                                           const std::string& role) {
  std::string arn = role;
  if (role.rfind("arn:", 0) != 0) arn = "arn:aws:iam::" + account + ":role/" + role;
  auto p = store.FindByArn(arn);
  if (p == nullptr || p->type != auth::PrincipalType::kRole) {
    return InvalidInput("Role " + arn +
                        " is not a role SealStack knows: list it under \"principals\" in the "
                        "--config file (an ARN of the form arn:aws:iam::ACCOUNT:role/NAME)");
  }
  return p;
}

Status ValidateEncryptionConfiguration(const Value& ec) {
  if (!ec.IsObject()) return InvalidInput("EncryptionConfiguration must be a structure");
  if (const Value* s3 = json::Find(ec, "S3Encryption")) {
    if (!s3->IsArray()) return InvalidInput("S3Encryption must be a list");
    if (s3->Size() > 1) {
      return InvalidInput("S3Encryption: only one S3 encryption setting is supported");
    }
    for (const auto& e : s3->GetArray()) {
      SEALSTACK_RETURN_IF_ERROR(CheckKmsArn(
          e, "S3EncryptionMode", {"DISABLED", "SSE-KMS", "SSE-S3"}, {"SSE-KMS"}, "S3Encryption"));
    }
  }
  if (const Value* cw = json::Find(ec, "CloudWatchEncryption")) {
    SEALSTACK_RETURN_IF_ERROR(CheckKmsArn(*cw, "CloudWatchEncryptionMode", {"DISABLED", "SSE-KMS"},
                                          {"SSE-KMS"}, "CloudWatchEncryption"));
  }
  if (const Value* jb = json::Find(ec, "JobBookmarksEncryption")) {
    SEALSTACK_RETURN_IF_ERROR(CheckKmsArn(*jb, "JobBookmarksEncryptionMode",
                                          {"DISABLED", "CSE-KMS"}, {"CSE-KMS"},
                                          "JobBookmarksEncryption"));
  }
  if (const Value* dq = json::Find(ec, "DataQualityEncryption")) {
    SEALSTACK_RETURN_IF_ERROR(CheckKmsArn(*dq, "DataQualityEncryptionMode", {"DISABLED", "SSE-KMS"},
                                          {"SSE-KMS"}, "DataQualityEncryption"));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- jobs

Result<std::string> Service::CreateJob(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "Name", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateJob", GlueArn(c, "job/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(std::string role, json::Str(in, "Role", true, 1, 2048));
  if (json::Find(in, "Command") == nullptr) return json::Missing("Command");
  SEALSTACK_RETURN_IF_ERROR(ValidateJobFields(in));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(in, "Tags"));
  SEALSTACK_RETURN_IF_ERROR(ResolveRole(*deps_.principals, Account(c), role).status());

  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value job(rapidjson::kObjectType);
  json::SetStr(job, "Name", name, a);
  CopyJobFields(in, job, a);
  const double now = json::Epoch(deps_.clock->Now());
  json::Set(job, "CreatedOn", Value(now), a);
  json::Set(job, "LastModifiedOn", Value(now), a);
  doc.AddMember("Job", job, a);
  Value tags(rapidjson::kObjectType);
  if (const Value* t = json::Find(in, "Tags")) tags.CopyFrom(*t, a);
  doc.AddMember("Tags", tags, a);
  const std::string text = json::Dump(doc);
  const std::string response = "{\"Name\":" + json::Dump(json::StrValue(name, a)) + "}";
  NoteResponse(response);
  Status st = Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Insert(conn, Key(c, "job", name), text);
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return GlueError(ErrorKind::kAlreadyExists, "Job with name " + name + " already exists.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return response;
}

Result<std::string> Service::UpdateJob(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "JobName", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UpdateJob", GlueArn(c, "job/" + name)));
  const Value* update = json::Find(in, "JobUpdate");
  if (update == nullptr) return json::Missing("JobUpdate");
  if (!update->IsObject()) return InvalidInput("JobUpdate must be a structure");
  SEALSTACK_RETURN_IF_ERROR(ValidateJobFields(*update));
  SEALSTACK_ASSIGN_OR_RETURN(Document doc, LoadJob(Key(c, "job", name), *deps_.db, name));
  auto& a = doc.GetAllocator();
  Value& old = doc["Job"];
  if (const Value* role = json::Find(*update, "Role")) {
    if (!role->IsString()) return InvalidInput("Member Role must be a string");
    SEALSTACK_RETURN_IF_ERROR(
        ResolveRole(*deps_.principals, Account(c), role->GetString()).status());
  }
  Value job(rapidjson::kObjectType);
  json::SetStr(job, "Name", name, a);
  // Role and Command stay when the update omits them; other omitted fields are reset.
  if (!update->HasMember("Role") && old.HasMember("Role")) {
    job.AddMember("Role", Value(old["Role"], a), a);
  }
  if (!update->HasMember("Command") && old.HasMember("Command")) {
    job.AddMember("Command", Value(old["Command"], a), a);
  }
  CopyJobFields(*update, job, a);
  job.AddMember("CreatedOn", Value(old["CreatedOn"], a), a);
  json::Set(job, "LastModifiedOn", Value(json::Epoch(deps_.clock->Now())), a);
  doc["Job"] = job;
  const std::string text = json::Dump(doc);
  const std::string response = "{\"JobName\":" + json::Dump(json::StrValue(name, a)) + "}";
  NoteResponse(response);
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(storage::GlueRepo::Get(conn, Key(c, "job", name)).status());
    return storage::GlueRepo::Put(conn, Key(c, "job", name), text);
  }));
  return response;
}

Result<std::string> Service::GetJob(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "JobName", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetJob", GlueArn(c, "job/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(Document doc, LoadJob(Key(c, "job", name), *deps_.db, name));
  return "{\"Job\":" + json::Dump(doc["Job"]) + "}";
}

Result<std::string> Service::GetJobs(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetJobs", GlueArn(c, "job/*")));
  SEALSTACK_ASSIGN_OR_RETURN(auto max, json::Int(in, "MaxResults", 1, 1000));
  SEALSTACK_ASSIGN_OR_RETURN(std::string after, json::FromToken(in));
  const size_t limit = static_cast<size_t>(max.value_or(100));
  std::vector<storage::GlueRow> rows;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(rows,
                               storage::GlueRepo::List(conn, Key(c, "job", ""), after, limit + 1));
    return Status::Ok();
  }));
  std::string out = "{\"Jobs\":[";
  for (size_t i = 0; i < rows.size() && i < limit; ++i) {
    SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(rows[i].doc));
    if (i > 0) out += ",";
    out += json::Dump(d["Job"]);
  }
  out += "]";
  if (rows.size() > limit) out += ",\"NextToken\":\"" + json::Token(rows[limit - 1].name) + "\"";
  return out + "}";
}

Result<std::string> Service::ListJobs(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListJobs", GlueArn(c, "job/*")));
  SEALSTACK_ASSIGN_OR_RETURN(auto max, json::Int(in, "MaxResults", 1, 1000));
  SEALSTACK_ASSIGN_OR_RETURN(std::string after, json::FromToken(in));
  SEALSTACK_RETURN_IF_ERROR(CheckTags(in, "Tags"));
  const Value* want = json::Find(in, "Tags");
  const size_t limit = static_cast<size_t>(max.value_or(kMaxPage));
  Document names(rapidjson::kArrayType);
  std::string last, next;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    std::string cursor = after;
    while (next.empty()) {
      SEALSTACK_ASSIGN_OR_RETURN(auto rows,
                                 storage::GlueRepo::List(conn, Key(c, "job", ""), cursor, 200));
      if (rows.empty()) break;
      for (const auto& row : rows) {
        cursor = row.name;
        if (want != nullptr) {
          SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(row.doc));
          bool match = true;
          for (const auto& t : want->GetObject()) {
            const Value* have = json::Find(d["Tags"], t.name.GetString());
            match = match && have != nullptr && *have == t.value;
          }
          if (!match) continue;
        }
        if (names.Size() == limit) {
          next = last;
          break;
        }
        names.PushBack(json::StrValue(row.name, names.GetAllocator()), names.GetAllocator());
        last = row.name;
      }
    }
    return Status::Ok();
  }));
  std::string out = "{\"JobNames\":" + json::Dump(names);
  if (!next.empty()) out += ",\"NextToken\":\"" + json::Token(next) + "\"";
  return out + "}";
}

Result<std::string> Service::BatchGetJobs(const Caller& c, const Value& in) {
  const Value* names = json::Find(in, "JobNames");
  if (names == nullptr) return json::Missing("JobNames");
  if (!names->IsArray()) return InvalidInput("JobNames must be a list");
  Document found(rapidjson::kArrayType), missing(rapidjson::kArrayType);
  auto& a = found.GetAllocator();
  for (const auto& n : names->GetArray()) {
    if (!n.IsString()) return InvalidInput("JobNames must hold strings");
    const std::string name = n.GetString();
    SEALSTACK_RETURN_IF_ERROR(Authorize(c, "BatchGetJobs", GlueArn(c, "job/" + name)));
    auto doc = LoadJob(Key(c, "job", name), *deps_.db, name);
    if (!doc.ok()) {
      if (doc.status().code() != StatusCode::kNotFound) return doc.status();
      missing.PushBack(json::StrValue(name, missing.GetAllocator()), missing.GetAllocator());
      continue;
    }
    found.PushBack(Value((*doc)["Job"], a), a);
  }
  return "{\"Jobs\":" + json::Dump(found) + ",\"JobsNotFound\":" + json::Dump(missing) + "}";
}

Result<std::string> Service::DeleteJob(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "JobName", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteJob", GlueArn(c, "job/" + name)));
  // A missing job is not an error (model doc). Its runs go with it.
  Document d;
  const std::string response =
      "{\"JobName\":" + json::Dump(json::StrValue(name, d.GetAllocator())) + "}";
  NoteResponse(response);
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    SEALSTACK_RETURN_IF_ERROR(storage::GlueRepo::Delete(conn, Key(c, "job", name)).status());
    return storage::GlueRepo::DeleteChildren(conn, Key(c, "run", "", name));
  }));
  return response;
}

// ---------------------------------------------------------------- tags

namespace {

// In a transaction: the stored job `key` (`arn` names it in the not-found message) changed by
// `edit` and written back.
Status EditJob(storage::Connection& conn, const storage::GlueKey& key, const std::string& arn,
               const std::function<Status(Document&)>& edit) {
  auto text = storage::GlueRepo::Get(conn, key);
  if (!text.ok()) {
    return text.status().code() == StatusCode::kNotFound
               ? NotFound("Resource " + arn + " does not exist")
               : text.status();
  }
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
  SEALSTACK_RETURN_IF_ERROR(edit(d));
  return storage::GlueRepo::Put(conn, key, json::Dump(d));
}

}  // namespace

Result<std::string> Service::TagResource(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string arn, json::Str(in, "ResourceArn", true, 1, 10240));
  if (json::Find(in, "TagsToAdd") == nullptr) return json::Missing("TagsToAdd");
  SEALSTACK_RETURN_IF_ERROR(CheckTags(in, "TagsToAdd"));
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, JobNameOfArn(c, arn));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "TagResource", arn));
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) {
    return EditJob(conn, Key(c, "job", name), arn, [&](Document& d) -> Status {
      for (const auto& t : in["TagsToAdd"].GetObject()) {
        json::Set(d["Tags"], t.name.GetString(), Value(t.value, d.GetAllocator()),
                  d.GetAllocator());
      }
      if (d["Tags"].MemberCount() > 50) {
        return InvalidInput("New tags would exceed the maximum of 50 tags for " + arn);
      }
      return Status::Ok();
    });
  }));
  return std::string("{}");
}

Result<std::string> Service::UntagResource(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string arn, json::Str(in, "ResourceArn", true, 1, 10240));
  const Value* remove = json::Find(in, "TagsToRemove");
  if (remove == nullptr) return json::Missing("TagsToRemove");
  if (!remove->IsArray()) return InvalidInput("TagsToRemove must be a list");
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, JobNameOfArn(c, arn));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UntagResource", arn));
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) {
    return EditJob(conn, Key(c, "job", name), arn, [&](Document& d) -> Status {
      for (const auto& k : remove->GetArray()) {
        if (k.IsString()) d["Tags"].RemoveMember(k.GetString());
      }
      return Status::Ok();
    });
  }));
  return std::string("{}");
}

Result<std::string> Service::GetTags(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string arn, json::Str(in, "ResourceArn", true, 1, 10240));
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, JobNameOfArn(c, arn));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetTags", arn));
  auto doc = LoadJob(Key(c, "job", name), *deps_.db, name);
  if (!doc.ok()) {
    return doc.status().code() == StatusCode::kNotFound
               ? NotFound("Resource " + arn + " does not exist")
               : doc.status();
  }
  return "{\"Tags\":" + json::Dump((*doc)["Tags"]) + "}";
}

// ---------------------------------------------------------------- security configurations

Result<std::string> Service::CreateSecurityConfiguration(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "Name", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateSecurityConfiguration", "*"));
  const Value* ec = json::Find(in, "EncryptionConfiguration");
  if (ec == nullptr) return json::Missing("EncryptionConfiguration");
  SEALSTACK_RETURN_IF_ERROR(ValidateEncryptionConfiguration(*ec));
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  const double now = json::Epoch(deps_.clock->Now());
  json::SetStr(doc, "Name", name, a);
  doc.AddMember("CreatedTimeStamp", now, a);
  doc.AddMember("EncryptionConfiguration", Value(*ec, a), a);
  const std::string text = json::Dump(doc);
  Document out(rapidjson::kObjectType);
  json::SetStr(out, "Name", name, out.GetAllocator());
  out.AddMember("CreatedTimestamp", now, out.GetAllocator());
  const std::string response = json::Dump(out);
  NoteResponse(response);
  Status st = Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Insert(conn, Key(c, "secconf", name), text);
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return GlueError(ErrorKind::kAlreadyExists,
                     "Security configuration with name " + name + " already exists.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return response;
}

Result<std::string> Service::GetSecurityConfiguration(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "Name", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetSecurityConfiguration", "*"));
  std::string text;
  Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(text, storage::GlueRepo::Get(conn, Key(c, "secconf", name)));
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) {
    return NotFound("Security configuration " + name + " not found.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return "{\"SecurityConfiguration\":" + text + "}";
}

Result<std::string> Service::GetSecurityConfigurations(const Caller& c, const Value& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetSecurityConfigurations", "*"));
  SEALSTACK_ASSIGN_OR_RETURN(auto max, json::Int(in, "MaxResults", 1, 1000));
  SEALSTACK_ASSIGN_OR_RETURN(std::string after, json::FromToken(in));
  const size_t limit = static_cast<size_t>(max.value_or(100));
  std::vector<storage::GlueRow> rows;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        rows, storage::GlueRepo::List(conn, Key(c, "secconf", ""), after, limit + 1));
    return Status::Ok();
  }));
  std::string out = "{\"SecurityConfigurations\":[";
  for (size_t i = 0; i < rows.size() && i < limit; ++i) {
    if (i > 0) out += ",";
    out += rows[i].doc;
  }
  out += "]";
  if (rows.size() > limit) out += ",\"NextToken\":\"" + json::Token(rows[limit - 1].name) + "\"";
  return out + "}";
}

Result<std::string> Service::DeleteSecurityConfiguration(const Caller& c, const Value& in) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, json::Str(in, "Name", true, 1, 255));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteSecurityConfiguration", "*"));
  bool deleted = false;
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(deleted, storage::GlueRepo::Delete(conn, Key(c, "secconf", name)));
    return Status::Ok();
  }));
  if (!deleted) return NotFound("Security configuration " + name + " not found.");
  return std::string("{}");
}

}  // namespace sealstack::api::glue
