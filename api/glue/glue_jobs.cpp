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

constexpr size_t kMaxPage = 1000;

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

// "arn:aws:glue:REGION:ACCT:job/NAME" -> NAME, for the caller's account and region.
Result<std::string> JobNameOfArn(const Caller& c, const std::string& arn) {
  const std::string prefix = GlueArn(c, "job/");
  if (arn.rfind(prefix, 0) == 0 && arn.size() > prefix.size()) return arn.substr(prefix.size());
  if (arn.rfind("arn:aws:glue:", 0) != 0) {
    return InvalidInput("Invalid resource ARN: " + arn);
  }
  return NotFound("Resource " + arn + " does not exist");
}

}  // namespace

Result<std::string> PageJson(std::string_view list, const char* member,
                             const std::vector<storage::GlueRow>& rows, size_t limit,
                             const std::function<std::string(const storage::GlueRow&)>& next_key) {
  std::string out = "{\"" + std::string(list) + "\":[";
  for (size_t i = 0; i < rows.size() && i < limit; ++i) {
    if (i > 0) out += ",";
    if (member == nullptr) {
      out += rows[i].doc;
      continue;
    }
    SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(rows[i].doc));
    out += json::Dump(d[member]);
  }
  out += "]";
  if (rows.size() > limit) {
    out += ",\"NextToken\":\"" + json::Token(next_key(rows[limit - 1])) + "\"";
  }
  return out + "}";
}

Result<Document> LoadJob(const storage::GlueKey& key, storage::Database& db,
                         const std::string& name) {
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<std::string> text, RawGet(db, key));
  if (!text) return NotFound("Job with name: " + name + " not found.");
  return json::Load(*text);
}

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

Result<GlueRole> Service::FindRole(const std::string& account, const std::string& role) const {
  return FindGlueRole(deps_.iam, *deps_.principals, account, role);
}

namespace {

// A map of strings as a JSON object, entries in the order given.
Value StringObject(const StringPairs& pairs, Document::AllocatorType& a) {
  Value out(rapidjson::kObjectType);
  for (const auto& [k, v] : pairs) out.AddMember(json::StrValue(k, a), json::StrValue(v, a), a);
  return out;
}

}  // namespace

// ---------------------------------------------------------------- jobs

Result<std::string> Service::CreateJob(const Caller& c, const CreateJobInput& in) {
  const std::string& name = in.name;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateJob", GlueArn(c, "job/" + name)));
  SEALSTACK_RETURN_IF_ERROR(FindRole(Account(c), in.job.role.value_or("")).status());
  SEALSTACK_ASSIGN_OR_RETURN(Document given, json::Load(in.job.json));

  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value job(rapidjson::kObjectType);
  json::SetStr(job, "Name", name, a);
  CopyJobFields(given, job, a);
  const double now = json::Epoch(deps_.clock->Now());
  json::Set(job, "CreatedOn", Value(now), a);
  json::Set(job, "LastModifiedOn", Value(now), a);
  doc.AddMember("Job", job, a);
  doc.AddMember("Tags", StringObject(in.tags.value_or(StringPairs()), a), a);
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

Result<std::string> Service::UpdateJob(const Caller& c, const UpdateJobInput& in) {
  const std::string& name = in.job_name;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UpdateJob", GlueArn(c, "job/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(Document doc, LoadJob(Key(c, "job", name), *deps_.db, name));
  auto& a = doc.GetAllocator();
  Value& old = doc["Job"];
  if (in.job_update.role) {
    SEALSTACK_RETURN_IF_ERROR(FindRole(Account(c), *in.job_update.role).status());
  }
  SEALSTACK_ASSIGN_OR_RETURN(Document update, json::Load(in.job_update.json));
  Value job(rapidjson::kObjectType);
  json::SetStr(job, "Name", name, a);
  // Role and Command stay when the update omits them; other omitted fields are reset.
  if (!update.HasMember("Role") && old.HasMember("Role")) {
    job.AddMember("Role", Value(old["Role"], a), a);
  }
  if (!update.HasMember("Command") && old.HasMember("Command")) {
    job.AddMember("Command", Value(old["Command"], a), a);
  }
  CopyJobFields(update, job, a);
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

Result<std::string> Service::GetJob(const Caller& c, const GetJobInput& in) {
  const std::string& name = in.job_name;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetJob", GlueArn(c, "job/" + name)));
  SEALSTACK_ASSIGN_OR_RETURN(Document doc, LoadJob(Key(c, "job", name), *deps_.db, name));
  return "{\"Job\":" + json::Dump(doc["Job"]) + "}";
}

Result<std::string> Service::GetJobs(const Caller& c, const GetJobsInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetJobs", GlueArn(c, "job/*")));
  const std::string& after = in.page.after;
  const size_t limit = static_cast<size_t>(in.page.max_results.value_or(100));
  std::vector<storage::GlueRow> rows;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(rows,
                               storage::GlueRepo::List(conn, Key(c, "job", ""), after, limit + 1));
    return Status::Ok();
  }));
  return PageJson("Jobs", "Job", rows, limit, [](const storage::GlueRow& r) { return r.name; });
}

Result<std::string> ListTaggedNames(const Caller& c, storage::Database& db, const std::string& kind,
                                    const char* member, const PageRequest& page,
                                    const std::optional<StringPairs>& want) {
  const size_t limit = static_cast<size_t>(page.max_results.value_or(kMaxPage));
  Document names(rapidjson::kArrayType);
  std::string last, next;
  SEALSTACK_RETURN_IF_ERROR(db.WithConnection([&](storage::Connection& conn) -> Status {
    std::string cursor = page.after;
    while (next.empty()) {
      SEALSTACK_ASSIGN_OR_RETURN(auto rows,
                                 storage::GlueRepo::List(conn, Key(c, kind, ""), cursor, 200));
      if (rows.empty()) break;
      for (const auto& row : rows) {
        cursor = row.name;
        if (want) {
          SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(row.doc));
          const Value* tags = json::Find(d, "Tags");
          bool match = tags != nullptr && tags->IsObject();
          for (const auto& [k, v] : *want) {
            const Value* have = match ? json::Find(*tags, k.c_str()) : nullptr;
            match = match && have != nullptr && have->IsString() &&
                    std::string_view(have->GetString(), have->GetStringLength()) == v;
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
  std::string out = "{\"" + std::string(member) + "\":" + json::Dump(names);
  if (!next.empty()) out += ",\"NextToken\":\"" + json::Token(next) + "\"";
  return out + "}";
}

Result<std::string> Service::ListJobs(const Caller& c, const ListJobsInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListJobs", GlueArn(c, "job/*")));
  return ListTaggedNames(c, *deps_.db, "job", "JobNames", in.page, in.tags);
}

Result<std::string> Service::BatchGetJobs(const Caller& c, const BatchGetJobsInput& in) {
  Document found(rapidjson::kArrayType), missing(rapidjson::kArrayType);
  auto& a = found.GetAllocator();
  for (const std::string& name : in.job_names) {
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

Result<std::string> Service::DeleteJob(const Caller& c, const DeleteJobInput& in) {
  const std::string& name = in.job_name;
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

Result<std::string> Service::AuthorizeJobArn(const Caller& c, const std::string& operation,
                                             const std::string& arn) {
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, JobNameOfArn(c, arn));
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, operation, arn));
  return name;
}

Result<std::string> Service::TagResource(const Caller& c, const TagResourceInput& in) {
  const std::string& arn = in.resource_arn;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, AuthorizeJobArn(c, "TagResource", arn));
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) {
    return EditJob(conn, Key(c, "job", name), arn, [&](Document& d) -> Status {
      for (const auto& [k, v] : in.tags_to_add) {
        json::Set(d["Tags"], k.c_str(), json::StrValue(v, d.GetAllocator()), d.GetAllocator());
      }
      if (d["Tags"].MemberCount() > 50) {
        return InvalidInput("New tags would exceed the maximum of 50 tags for " + arn);
      }
      return Status::Ok();
    });
  }));
  return std::string("{}");
}

Result<std::string> Service::UntagResource(const Caller& c, const UntagResourceInput& in) {
  const std::string& arn = in.resource_arn;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, AuthorizeJobArn(c, "UntagResource", arn));
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) {
    return EditJob(conn, Key(c, "job", name), arn, [&](Document& d) -> Status {
      for (const std::string& k : in.tags_to_remove) d["Tags"].RemoveMember(k.c_str());
      return Status::Ok();
    });
  }));
  return std::string("{}");
}

Result<std::string> Service::GetTags(const Caller& c, const GetTagsInput& in) {
  const std::string& arn = in.resource_arn;
  SEALSTACK_ASSIGN_OR_RETURN(std::string name, AuthorizeJobArn(c, "GetTags", arn));
  auto doc = LoadJob(Key(c, "job", name), *deps_.db, name);
  if (!doc.ok()) {
    return doc.status().code() == StatusCode::kNotFound
               ? NotFound("Resource " + arn + " does not exist")
               : doc.status();
  }
  return "{\"Tags\":" + json::Dump((*doc)["Tags"]) + "}";
}

// ---------------------------------------------------------------- security configurations

Result<std::string> Service::CreateSecurityConfiguration(
    const Caller& c, const CreateSecurityConfigurationInput& in) {
  const std::string& name = in.name;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateSecurityConfiguration", "*"));
  SEALSTACK_ASSIGN_OR_RETURN(Document ec, json::Load(in.encryption_configuration.json));
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  const double now = json::Epoch(deps_.clock->Now());
  json::SetStr(doc, "Name", name, a);
  doc.AddMember("CreatedTimeStamp", now, a);
  doc.AddMember("EncryptionConfiguration", Value(ec, a), a);
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

Result<std::string> Service::GetSecurityConfiguration(const Caller& c,
                                                      const GetSecurityConfigurationInput& in) {
  const std::string& name = in.name;
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetSecurityConfiguration", "*"));
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<std::string> text,
                             RawGet(*deps_.db, Key(c, "secconf", name)));
  if (!text) return NotFound("Security configuration " + name + " not found.");
  return "{\"SecurityConfiguration\":" + *text + "}";
}

Result<std::string> Service::GetSecurityConfigurations(const Caller& c,
                                                       const GetSecurityConfigurationsInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetSecurityConfigurations", "*"));
  const std::string& after = in.page.after;
  const size_t limit = static_cast<size_t>(in.page.max_results.value_or(100));
  std::vector<storage::GlueRow> rows;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        rows, storage::GlueRepo::List(conn, Key(c, "secconf", ""), after, limit + 1));
    return Status::Ok();
  }));
  return PageJson("SecurityConfigurations", nullptr, rows, limit,
                  [](const storage::GlueRow& r) { return r.name; });
}

Result<std::string> Service::DeleteSecurityConfiguration(
    const Caller& c, const DeleteSecurityConfigurationInput& in) {
  const std::string& name = in.name;
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
