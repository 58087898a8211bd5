// Triggers: the operations (Create/Update/Get/GetTriggers/ListTriggers/BatchGetTriggers/Delete,
// Start/Stop) and their firing. The states are drawn in glue_service.h. Stored document:
// {"Trigger": <as GetTrigger answers it>, "Tags": {...}, "NextFire": epoch seconds (an
// ACTIVATED SCHEDULED trigger, glue_schedule.h)}.
#include "api/glue/glue_cron.h"
#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/glue/glue_schedule.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

namespace {

std::string TriggerArn(const Caller& c, const std::string& name) {
  return GlueArn(c, "trigger/" + name);
}

Status NoTrigger(const std::string& name) {
  return NotFound("Trigger with name " + name + " not found");
}

// {"Name": name}: what CreateTrigger, DeleteTrigger, StartTrigger and StopTrigger answer.
std::string NameAnswer(const std::string& name) {
  Document out(rapidjson::kObjectType);
  json::SetStr(out, "Name", name, out.GetAllocator());
  return json::Dump(out);
}

// What CreateTrigger and UpdateTrigger require of the trigger they leave.
Status CheckTrigger(const Value& trigger) {
  const std::string type = json::Text(trigger, "Type");
  if (type == "SCHEDULED") {
    const std::string schedule = json::Text(trigger, "Schedule");
    if (schedule.empty()) return InvalidInput("Schedule is required for a SCHEDULED trigger.");
    if (auto cron = CronSchedule::Parse(schedule); !cron.ok()) {
      return InvalidInput(cron.status().message());
    }
  }
  if (type == "CONDITIONAL") {
    const Value* p = json::Find(trigger, "Predicate");
    const Value* conditions = p != nullptr ? json::Find(*p, "Conditions") : nullptr;
    if (conditions == nullptr || !conditions->IsArray() || conditions->Empty()) {
      return InvalidInput(
          "Predicate with at least one condition is required for a CONDITIONAL "
          "trigger.");
    }
  }
  return Status::Ok();
}

// True when one of the trigger's Actions starts job `job`.
bool StartsJob(const Value& trigger, const std::string& job) {
  const Value* actions = json::Find(trigger, "Actions");
  if (actions == nullptr || !actions->IsArray()) return false;
  for (const auto& a : actions->GetArray()) {
    if (json::Text(a, "JobName") == job) return true;
  }
  return false;
}

// True when `want` (nullopt: any) are all among the document's Tags.
bool HasTags(const Value& doc, const std::optional<StringPairs>& want) {
  if (!want) return true;
  const Value* tags = json::Find(doc, "Tags");
  for (const auto& [k, v] : *want) {
    if (tags == nullptr || json::Text(*tags, k.c_str()) != v) return false;
  }
  return true;
}

}  // namespace

Status Service::ChangeTrigger(const storage::GlueKey& key, const std::string& name,
                              const std::function<Status(Document&)>& fn) {
  return ChangeDocument(triggers_mu_, key, NoTrigger(name), fn);
}

Result<std::string> Service::CreateTrigger(const Caller& c, const CreateTriggerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateTrigger", TriggerArn(c, in.name)));
  if (in.type == "ON_DEMAND" && in.start_on_creation) {
    return InvalidInput("StartOnCreation is not supported for ON_DEMAND triggers.");
  }
  for (const TriggerAction& action : in.trigger.actions.value_or(std::vector<TriggerAction>())) {
    if (action.job_name) {
      SEALSTACK_RETURN_IF_ERROR(
          LoadJob(Key(c, "job", *action.job_name), *deps_.db, *action.job_name).status());
    }
  }
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value trigger(rapidjson::kObjectType);
  json::SetStr(trigger, "Name", in.name, a);
  json::SetStr(trigger, "Type", in.type, a);
  json::SetStr(trigger, "State", in.start_on_creation ? "ACTIVATED" : "CREATED", a);
  SEALSTACK_ASSIGN_OR_RETURN(Document given, json::Load(in.trigger.json));
  for (auto& m : given.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == "Name" || name == "Type" || name == "Tags" || name == "StartOnCreation") continue;
    json::Set(trigger, std::string(name).c_str(), Value(m.value, a), a);
  }
  SEALSTACK_RETURN_IF_ERROR(CheckTrigger(trigger));
  doc.AddMember("Trigger", trigger, a);
  Value tags(rapidjson::kObjectType);
  for (const auto& [k, v] : in.tags.value_or(StringPairs())) {
    json::Set(tags, k.c_str(), json::StrValue(v, a), a);
  }
  doc.AddMember("Tags", tags, a);
  SetNextFire(doc, deps_.clock->Now());
  const std::string text = json::Dump(doc);
  NoteResponse(NameAnswer(in.name));
  Status st = Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Insert(conn, Key(c, "trigger", in.name), text);
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return GlueError(ErrorKind::kAlreadyExists, "Trigger with name " + in.name +
                                                    " already submitted with different "
                                                    "configuration or exists.");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return NameAnswer(in.name);
}

Result<std::string> Service::UpdateTrigger(const Caller& c, const UpdateTriggerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UpdateTrigger", TriggerArn(c, in.name)));
  for (const TriggerAction& action : in.trigger.actions.value_or(std::vector<TriggerAction>())) {
    if (action.job_name) {
      SEALSTACK_RETURN_IF_ERROR(
          LoadJob(Key(c, "job", *action.job_name), *deps_.db, *action.job_name).status());
    }
  }
  std::string answer;
  SEALSTACK_RETURN_IF_ERROR(
      ChangeTrigger(Key(c, "trigger", in.name), in.name, [&](Document& d) -> Status {
        auto& a = d.GetAllocator();
        Value& trigger = d["Trigger"];
        SEALSTACK_ASSIGN_OR_RETURN(Document given, json::Load(in.trigger.json));
        for (auto& m : given.GetObject()) {
          const std::string_view name(m.name.GetString(), m.name.GetStringLength());
          if (name == "Name") continue;
          json::Set(trigger, std::string(name).c_str(), Value(m.value, a), a);
        }
        SEALSTACK_RETURN_IF_ERROR(CheckTrigger(trigger));
        SetNextFire(d, deps_.clock->Now());
        answer = "{\"Trigger\":" + json::Dump(trigger) + "}";
        return Status::Ok();
      }));
  return answer;
}

Result<std::string> Service::GetTrigger(const Caller& c, const GetTriggerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetTrigger", TriggerArn(c, in.name)));
  SEALSTACK_ASSIGN_OR_RETURN(auto text, RawGet(*deps_.db, Key(c, "trigger", in.name)));
  if (!text) return NoTrigger(in.name);
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
  return "{\"Trigger\":" + json::Dump(d["Trigger"]) + "}";
}

Result<std::string> Service::BatchGetTriggers(const Caller& c, const BatchGetTriggersInput& in) {
  Document found(rapidjson::kArrayType), missing(rapidjson::kArrayType);
  for (const std::string& name : in.names) {
    SEALSTACK_RETURN_IF_ERROR(Authorize(c, "BatchGetTriggers", TriggerArn(c, name)));
    SEALSTACK_ASSIGN_OR_RETURN(auto text, RawGet(*deps_.db, Key(c, "trigger", name)));
    if (!text) {
      missing.PushBack(json::StrValue(name, missing.GetAllocator()), missing.GetAllocator());
      continue;
    }
    SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
    found.PushBack(Value(d["Trigger"], found.GetAllocator()), found.GetAllocator());
  }
  return "{\"Triggers\":" + json::Dump(found) + ",\"TriggersNotFound\":" + json::Dump(missing) +
         "}";
}

// GetTriggers and ListTriggers: the caller's triggers in name order, those starting
// `dependent_job` (when set) and carrying `tags` (when set), a page at a time.
namespace {

struct TriggerFilter {
  std::optional<std::string> dependent_job;
  std::optional<StringPairs> tags;
};

Result<std::string> TriggerPage(const Caller& c, storage::Database& db, const PageRequest& page,
                                const TriggerFilter& filter, bool names_only) {
  const size_t limit = static_cast<size_t>(page.max_results.value_or(100));
  Document list(rapidjson::kArrayType);
  auto& a = list.GetAllocator();
  std::string cursor = page.after, last, next;
  SEALSTACK_RETURN_IF_ERROR(db.WithConnection([&](storage::Connection& conn) -> Status {
    while (next.empty()) {
      SEALSTACK_ASSIGN_OR_RETURN(auto rows,
                                 storage::GlueRepo::List(conn, Key(c, "trigger", ""), cursor, 200));
      if (rows.empty()) break;
      for (const auto& row : rows) {
        cursor = row.name;
        SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(row.doc));
        if (!HasTags(d, filter.tags)) continue;
        if (filter.dependent_job && !StartsJob(d["Trigger"], *filter.dependent_job)) continue;
        if (list.Size() == limit) {
          next = last;
          break;
        }
        if (names_only) {
          list.PushBack(json::StrValue(row.name, a), a);
        } else {
          list.PushBack(Value(d["Trigger"], a), a);
        }
        last = row.name;
      }
    }
    return Status::Ok();
  }));
  std::string out =
      std::string(names_only ? "{\"TriggerNames\":" : "{\"Triggers\":") + json::Dump(list);
  if (!next.empty()) out += ",\"NextToken\":\"" + json::Token(next) + "\"";
  return out + "}";
}

}  // namespace

Result<std::string> Service::GetTriggers(const Caller& c, const GetTriggersInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetTriggers", TriggerArn(c, "*")));
  return TriggerPage(c, *deps_.db, in.page, {in.dependent_job_name, std::nullopt}, false);
}

Result<std::string> Service::ListTriggers(const Caller& c, const ListTriggersInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListTriggers", TriggerArn(c, "*")));
  return TriggerPage(c, *deps_.db, in.page, {in.dependent_job_name, in.tags}, true);
}

Result<std::string> Service::DeleteTrigger(const Caller& c, const DeleteTriggerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteTrigger", TriggerArn(c, in.name)));
  NoteResponse(NameAnswer(in.name));  // the record is written with the first change
  // As on AWS, deleting a trigger that does not exist is not an error.
  {
    MutexLock lock(triggers_mu_);
    SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) {
      return storage::GlueRepo::Delete(conn, Key(c, "trigger", in.name)).status();
    }));
  }
  return NameAnswer(in.name);
}

Result<std::string> Service::StartTrigger(const Caller& c, const StartTriggerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "StartTrigger", TriggerArn(c, in.name)));
  NoteResponse(NameAnswer(in.name));  // the record is written with the first change
  std::string on_demand;
  SEALSTACK_RETURN_IF_ERROR(
      ChangeTrigger(Key(c, "trigger", in.name), in.name, [&](Document& d) -> Status {
        Value& trigger = d["Trigger"];
        if (json::Text(trigger, "Type") == "ON_DEMAND") {
          on_demand = json::Dump(trigger);
          return Status::Ok();
        }
        json::SetStr(trigger, "State", "ACTIVATED", d.GetAllocator());
        SetNextFire(d, deps_.clock->Now());
        return Status::Ok();
      }));
  if (!on_demand.empty()) SEALSTACK_RETURN_IF_ERROR(FireTrigger(Account(c), c.region, on_demand));
  return NameAnswer(in.name);
}

Result<std::string> Service::StopTrigger(const Caller& c, const StopTriggerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "StopTrigger", TriggerArn(c, in.name)));
  NoteResponse(NameAnswer(in.name));  // the record is written with the first change
  SEALSTACK_RETURN_IF_ERROR(
      ChangeTrigger(Key(c, "trigger", in.name), in.name, [&](Document& d) -> Status {
        Value& trigger = d["Trigger"];
        if (json::Text(trigger, "Type") == "ON_DEMAND") {
          return InvalidInput("Trigger " + in.name +
                              " is an ON_DEMAND trigger; it cannot be "
                              "stopped.");
        }
        json::SetStr(trigger, "State", "DEACTIVATED", d.GetAllocator());
        SetNextFire(d, deps_.clock->Now());
        return Status::Ok();
      }));
  return NameAnswer(in.name);
}

Status Service::FireTrigger(const std::string& account, const std::string& region,
                            const std::string& trigger_text) {
  SEALSTACK_ASSIGN_OR_RETURN(Document trigger, json::Load(trigger_text));
  const Value* actions = json::Find(trigger, "Actions");
  if (actions == nullptr || !actions->IsArray()) return Status::Ok();
  Status first = Status::Ok();
  for (const auto& action : actions->GetArray()) {
    Status st = Status::Ok();
    if (const std::string crawler = json::Text(action, "CrawlerName"); !crawler.empty()) {
      st = StartCrawl(account, region, crawler);
    } else {
      RunRequest r;
      r.account = account;
      r.region = region;
      r.job_name = json::Text(action, "JobName");
      r.trigger_name = json::Text(trigger, "Name");
      if (const Value* args = json::Find(action, "Arguments");
          args != nullptr && args->IsObject()) {
        for (const auto& m : args->GetObject()) {
          if (m.value.IsString()) r.arguments[m.name.GetString()] = m.value.GetString();
        }
      }
      if (const Value* t = json::Find(action, "Timeout"); t != nullptr && t->IsInt64()) {
        r.timeout = t->GetInt64();
      }
      r.security_configuration = json::Text(action, "SecurityConfiguration");
      st = StartRun(r).status();
    }
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
}

void Service::FireConditionalTriggers(const std::string& account, const std::string& region,
                                      const std::string& job_name, const std::string& state) {
  std::vector<storage::GlueRow> rows;
  std::map<std::string, std::string> latest;  // job -> the state of its latest run
  latest[job_name] = state;
  Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        rows, storage::GlueRepo::List(conn, {account, region, "trigger", "", ""}, "", 100000));
    return Status::Ok();
  });
  if (!st.ok()) return;
  // The state of the latest run of `job` (AND conditions on other jobs).
  auto latest_state = [&](const std::string& job) -> std::string {
    if (auto it = latest.find(job); it != latest.end()) return it->second;
    std::string found;
    (void)deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
      auto runs =
          storage::GlueRepo::ListBySeq(conn, {account, region, "run", job, ""}, std::nullopt, 1);
      if (runs.ok() && !runs->empty()) {
        if (auto d = json::Load(runs->front().doc); d.ok() && d->HasMember("JobRun")) {
          found = json::Text((*d)["JobRun"], "JobRunState");
        }
      }
      return Status::Ok();
    });
    return latest[job] = found;
  };
  for (const auto& row : rows) {
    auto d = json::Load(row.doc);
    if (!d.ok() || !d->HasMember("Trigger")) continue;
    const Value& trigger = (*d)["Trigger"];
    if (json::Text(trigger, "Type") != "CONDITIONAL" ||
        json::Text(trigger, "State") != "ACTIVATED") {
      continue;
    }
    const Value* p = json::Find(trigger, "Predicate");
    const Value* conditions = p != nullptr ? json::Find(*p, "Conditions") : nullptr;
    if (conditions == nullptr || !conditions->IsArray()) continue;
    bool watches = false, all = true, any = false;
    for (const auto& cond : conditions->GetArray()) {
      const std::string job = json::Text(cond, "JobName");
      const std::string want = json::Text(cond, "State");
      if (job.empty()) {
        all = false;  // crawler conditions are not watched (docs/glue.md)
        continue;
      }
      const bool met = latest_state(job) == want;
      if (job == job_name && want == state) watches = true;
      all = all && met;
      any = any || met;
    }
    const bool fire = watches && (json::Text(*p, "Logical") == "ANY" ? any : all);
    if (fire) (void)FireTrigger(account, region, json::Dump(trigger));
  }
}

}  // namespace sealstack::api::glue
