// Crawlers: the operations (Create/Update/Get/GetCrawlers/ListCrawlers/Delete, Start/Stop,
// GetCrawlerMetrics). The state machine is drawn in glue_service.h; a crawl itself runs on its
// own thread (glue_crawl.cpp). Stored document: {"Crawler": <as GetCrawler answers it>, "Tags":
// {...}, "Metrics": {"TablesCreated", "TablesUpdated", "Runtimes": [seconds...]}}.
#include <algorithm>

#include "api/glue/glue_crawl_task.h"
#include "api/glue/glue_cron.h"
#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/glue/glue_schedule.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

namespace {

std::string CrawlerArn(const Caller& c, const std::string& name) {
  return GlueArn(c, "crawler/" + name);
}

Status NoCrawler(const std::string& name) {
  return NotFound("Crawler entry with name " + name + " does not exist");
}

// The request's crawler members over `crawler` (Name and Tags aside); Schedule as Glue answers
// it ({"ScheduleExpression", "State"}).
Status ApplyCrawlerMembers(const CrawlerDefinition& def, Value& crawler,
                           Document::AllocatorType& a) {
  SEALSTACK_ASSIGN_OR_RETURN(Document given, json::Load(def.json));
  for (auto& m : given.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == "Name" || name == "Tags") continue;
    if (name == "Schedule") {
      if (!m.value.IsString() || m.value.GetStringLength() == 0) {
        crawler.RemoveMember("Schedule");
        continue;
      }
      if (auto cron = CronSchedule::Parse(m.value.GetString()); !cron.ok()) {
        return InvalidInput(cron.status().message());
      }
      Value schedule(rapidjson::kObjectType);
      json::SetStr(schedule, "ScheduleExpression", m.value.GetString(), a);
      json::SetStr(schedule, "State", "SCHEDULED", a);
      json::Set(crawler, "Schedule", std::move(schedule), a);
      continue;
    }
    json::Set(crawler, std::string(name).c_str(), Value(m.value, a), a);
  }
  return Status::Ok();
}

// Update, Delete and StartCrawler need a crawler that is not crawling.
Status RequireReady(const Value& crawler, const std::string& name) {
  if (json::Text(crawler, "State") == "READY") return Status::Ok();
  return GlueError(ErrorKind::kCrawlerRunning,
                   "Crawler with name " + name + " has already started");
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

Status Service::ChangeDocument(Mutex& mu, const storage::GlueKey& key, const Status& missing,
                               const std::function<Status(Document&)>& fn) {
  MutexLock lock(mu);
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<std::string> text, RawGet(*deps_.db, key));
  if (!text) return missing;
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
  SEALSTACK_RETURN_IF_ERROR(fn(d));
  const std::string out = json::Dump(d);
  return Mutate([&](storage::Connection& conn) { return storage::GlueRepo::Put(conn, key, out); });
}

Status Service::ChangeCrawler(const storage::GlueKey& key, const std::string& name,
                              const std::function<Status(Document&)>& fn) {
  return ChangeDocument(crawlers_mu_, key, NoCrawler(name), fn);
}

Result<std::string> Service::CreateCrawler(const Caller& c, const CreateCrawlerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "CreateCrawler", CrawlerArn(c, in.name)));
  SEALSTACK_ASSIGN_OR_RETURN(GlueRole role, FindRole(Account(c), in.crawler.role.value_or("")));
  // As on AWS, a crawler's role must trust Glue when the crawler is created.
  if (!GlueMayAssume(role, CrawlerArn(c, in.name), deps_.clock->Now())) {
    return InvalidInput(TrustRefusal(role));
  }
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value crawler(rapidjson::kObjectType);
  json::SetStr(crawler, "Name", in.name, a);
  Value scp(rapidjson::kObjectType);
  json::SetStr(scp, "UpdateBehavior", "UPDATE_IN_DATABASE", a);
  json::SetStr(scp, "DeleteBehavior", "DEPRECATE_IN_DATABASE", a);
  crawler.AddMember("SchemaChangePolicy", scp, a);
  Value recrawl(rapidjson::kObjectType);
  json::SetStr(recrawl, "RecrawlBehavior", "CRAWL_EVERYTHING", a);
  crawler.AddMember("RecrawlPolicy", recrawl, a);
  Value lineage(rapidjson::kObjectType);
  json::SetStr(lineage, "CrawlerLineageSettings", "DISABLE", a);
  crawler.AddMember("LineageConfiguration", lineage, a);
  crawler.AddMember("Classifiers", Value(rapidjson::kArrayType), a);
  SEALSTACK_RETURN_IF_ERROR(ApplyCrawlerMembers(in.crawler, crawler, a));
  json::SetStr(crawler, "State", "READY", a);
  const double now = json::Epoch(deps_.clock->Now());
  json::Set(crawler, "CreationTime", Value(now), a);
  json::Set(crawler, "LastUpdated", Value(now), a);
  json::Set(crawler, "CrawlElapsedTime", Value(0), a);
  json::Set(crawler, "Version", Value(1), a);
  doc.AddMember("Crawler", crawler, a);
  Value tags(rapidjson::kObjectType);
  for (const auto& [k, v] : in.tags.value_or(StringPairs())) {
    json::Set(tags, k.c_str(), json::StrValue(v, a), a);
  }
  doc.AddMember("Tags", tags, a);
  Value metrics(rapidjson::kObjectType);
  metrics.AddMember("TablesCreated", 0, a);
  metrics.AddMember("TablesUpdated", 0, a);
  metrics.AddMember("Runtimes", Value(rapidjson::kArrayType), a);
  doc.AddMember("Metrics", metrics, a);
  SetNextFire(doc, deps_.clock->Now());
  const std::string text = json::Dump(doc);
  Status st = Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Insert(conn, Key(c, "crawler", in.name), text);
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    return GlueError(ErrorKind::kAlreadyExists, Account(c) + ":" + in.name + " already exists");
  }
  SEALSTACK_RETURN_IF_ERROR(st);
  return std::string("{}");
}

Result<std::string> Service::UpdateCrawler(const Caller& c, const UpdateCrawlerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "UpdateCrawler", CrawlerArn(c, in.name)));
  if (in.crawler.role) {
    SEALSTACK_ASSIGN_OR_RETURN(GlueRole role, FindRole(Account(c), *in.crawler.role));
    if (!GlueMayAssume(role, CrawlerArn(c, in.name), deps_.clock->Now())) {
      return InvalidInput(TrustRefusal(role));
    }
  }
  SEALSTACK_RETURN_IF_ERROR(
      ChangeCrawler(Key(c, "crawler", in.name), in.name, [&](Document& d) -> Status {
        Value& crawler = d["Crawler"];
        SEALSTACK_RETURN_IF_ERROR(RequireReady(crawler, in.name));
        auto& a = d.GetAllocator();
        SEALSTACK_RETURN_IF_ERROR(ApplyCrawlerMembers(in.crawler, crawler, a));
        json::Set(crawler, "LastUpdated", Value(json::Epoch(deps_.clock->Now())), a);
        const Value* v = json::Find(crawler, "Version");
        json::Set(crawler, "Version", Value((v != nullptr && v->IsInt64() ? v->GetInt64() : 1) + 1),
                  a);
        SetNextFire(d, deps_.clock->Now());
        return Status::Ok();
      }));
  return std::string("{}");
}

Result<std::string> Service::GetCrawler(const Caller& c, const GetCrawlerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetCrawler", CrawlerArn(c, in.name)));
  SEALSTACK_ASSIGN_OR_RETURN(auto text, RawGet(*deps_.db, Key(c, "crawler", in.name)));
  if (!text) return NoCrawler(in.name);
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
  return "{\"Crawler\":" + json::Dump(d["Crawler"]) + "}";
}

Result<std::string> Service::GetCrawlers(const Caller& c, const GetCrawlersInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetCrawlers", CrawlerArn(c, "*")));
  const size_t limit = static_cast<size_t>(in.page.max_results.value_or(1000));
  std::vector<storage::GlueRow> rows;
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        rows, storage::GlueRepo::List(conn, Key(c, "crawler", ""), in.page.after, limit + 1));
    return Status::Ok();
  }));
  return PageJson("Crawlers", "Crawler", rows, limit,
                  [](const storage::GlueRow& r) { return r.name; });
}

Result<std::string> Service::ListCrawlers(const Caller& c, const ListCrawlersInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ListCrawlers", CrawlerArn(c, "*")));
  return ListTaggedNames(c, *deps_.db, "crawler", "CrawlerNames", in.page, in.tags);
}

Result<std::string> Service::DeleteCrawler(const Caller& c, const DeleteCrawlerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "DeleteCrawler", CrawlerArn(c, in.name)));
  MutexLock lock(crawlers_mu_);
  SEALSTACK_ASSIGN_OR_RETURN(auto text, RawGet(*deps_.db, Key(c, "crawler", in.name)));
  if (!text) return NoCrawler(in.name);
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
  SEALSTACK_RETURN_IF_ERROR(RequireReady(d["Crawler"], in.name));
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Delete(conn, Key(c, "crawler", in.name)).status();
  }));
  return std::string("{}");
}

Result<std::string> Service::StartCrawler(const Caller& c, const StartCrawlerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "StartCrawler", CrawlerArn(c, in.name)));
  SEALSTACK_RETURN_IF_ERROR(StartCrawl(Account(c), c.region, in.name));
  return std::string("{}");
}

Status Service::StartCrawl(const std::string& account, const std::string& region,
                           const std::string& name) {
  auto task = std::make_shared<CrawlTask>();
  task->account = account;
  task->region = region;
  task->name = name;
  task->started = deps_.clock->Now();
  MutexLock runs(runs_mu_);
  if (shutting_down_) return GlueError(ErrorKind::kInternal, "The service is shutting down.");
  SEALSTACK_RETURN_IF_ERROR(
      ChangeCrawler({account, region, "crawler", "", name}, name, [&](Document& d) -> Status {
        Value& crawler = d["Crawler"];
        SEALSTACK_RETURN_IF_ERROR(RequireReady(crawler, name));
        task->crawler = json::Dump(crawler);
        json::SetStr(crawler, "State", "RUNNING", d.GetAllocator());
        return Status::Ok();
      }));
  crawls_[task->Id()] = task;
  JoinEnded(crawl_threads_);
  crawl_threads_.emplace_back(task, std::thread([this, task] { CrawlMain(task); }));
  return Status::Ok();
}

Result<size_t> Service::EndInterruptedCrawls() {
  size_t ended = 0;
  const double now = json::Epoch(deps_.clock->Now());
  MutexLock lock(crawlers_mu_);
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithTransaction([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(auto rows, storage::GlueRepo::ListKind(conn, "crawler"));
    for (const auto& row : rows) {
      auto doc = json::Load(row.doc);
      if (!doc.ok() || !doc->IsObject() || !doc->HasMember("Crawler")) continue;
      Value& crawler = (*doc)["Crawler"];
      const std::string was = json::Text(crawler, "State");
      if (was != "RUNNING" && was != "STOPPING") continue;
      auto& a = doc->GetAllocator();
      Value last(rapidjson::kObjectType);
      json::SetStr(last, "Status", "FAILED", a);
      json::SetStr(last, "ErrorMessage",
                   "The crawler was " + was +
                       " when the SealStack server stopped; it was reset when the server "
                       "restarted.",
                   a);
      json::SetStr(last, "LogGroup", "/aws-glue/crawlers", a);
      json::SetStr(last, "LogStream", row.key.name, a);
      json::Set(last, "StartTime", Value(now), a);
      json::Set(crawler, "LastCrawl", std::move(last), a);
      json::SetStr(crawler, "State", "READY", a);
      SEALSTACK_RETURN_IF_ERROR(storage::GlueRepo::Put(conn, row.key, json::Dump(*doc), row.seq));
      ++ended;
    }
    return Status::Ok();
  }));
  return ended;
}

Result<std::string> Service::StopCrawler(const Caller& c, const StopCrawlerInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "StopCrawler", CrawlerArn(c, in.name)));
  MutexLock runs(runs_mu_);
  SEALSTACK_RETURN_IF_ERROR(
      ChangeCrawler(Key(c, "crawler", in.name), in.name, [&](Document& d) -> Status {
        Value& crawler = d["Crawler"];
        const std::string state = json::Text(crawler, "State");
        if (state == "READY") {
          return GlueError(ErrorKind::kCrawlerNotRunning,
                           "Crawler with name " + in.name + " isn't running.");
        }
        if (state == "STOPPING") {
          return GlueError(ErrorKind::kCrawlerStopping,
                           "Crawler with name " + in.name + " is stopping.");
        }
        json::SetStr(crawler, "State", "STOPPING", d.GetAllocator());
        return Status::Ok();
      }));
  auto it = crawls_.find(Account(c) + "/" + c.region + "/" + in.name);
  if (it != crawls_.end()) it->second->stop = true;
  return std::string("{}");
}

Result<std::string> Service::GetCrawlerMetrics(const Caller& c, const GetCrawlerMetricsInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetCrawlerMetrics", CrawlerArn(c, "*")));
  std::vector<storage::GlueRow> rows;
  const size_t limit = static_cast<size_t>(in.page.max_results.value_or(1000));
  SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
    if (in.names.empty()) {
      SEALSTACK_ASSIGN_OR_RETURN(
          rows, storage::GlueRepo::List(conn, Key(c, "crawler", ""), in.page.after, limit + 1));
      return Status::Ok();
    }
    for (const std::string& name : in.names) {  // unknown names are left out
      auto doc = storage::GlueRepo::Get(conn, Key(c, "crawler", name));
      if (doc.ok()) rows.push_back({name, *doc, 0});
    }
    return Status::Ok();
  }));
  Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  Value list(rapidjson::kArrayType);
  for (size_t i = 0; i < rows.size() && i < limit; ++i) {
    SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(rows[i].doc));
    const Value& m = d["Metrics"];
    std::vector<double> runtimes;
    for (const auto& r : m["Runtimes"].GetArray()) runtimes.push_back(r.GetDouble());
    Value e(rapidjson::kObjectType);
    json::SetStr(e, "CrawlerName", rows[i].name, a);
    e.AddMember("TimeLeftSeconds", 0.0, a);
    e.AddMember("StillEstimating", json::Text(d["Crawler"], "State") != "READY", a);
    e.AddMember("LastRuntimeSeconds", runtimes.empty() ? 0.0 : runtimes.back(), a);
    e.AddMember("MedianRuntimeSeconds", Median(runtimes), a);
    e.AddMember("TablesCreated", m["TablesCreated"].GetInt64(), a);
    e.AddMember("TablesUpdated", m["TablesUpdated"].GetInt64(), a);
    e.AddMember("TablesDeleted", 0, a);
    list.PushBack(e, a);
  }
  out.AddMember("CrawlerMetricsList", list, a);
  if (in.names.empty() && rows.size() > limit) {
    json::SetStr(out, "NextToken", json::Token(rows[limit - 1].name), a);
  }
  return json::Dump(out);
}

}  // namespace sealstack::api::glue
