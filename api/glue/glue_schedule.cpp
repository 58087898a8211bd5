// The scheduler thread: crawler schedules and SCHEDULED triggers fired on the server clock
// (glue_schedule.h). It only starts crawls and runs, through the paths StartCrawler and
// StartTrigger use; the state machines stay theirs.
#include "api/glue/glue_schedule.h"

#include <chrono>

#include "api/glue/glue_cron.h"
#include "api/glue/glue_errors.h"
#include "api/glue/glue_internal.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

namespace {

// How often the thread looks at the server clock (real time). A test that advances the clock
// polls GetJobRuns / GetCrawler for the outcome.
constexpr auto kSchedulerTick = std::chrono::milliseconds(100);

}  // namespace

std::string ActiveSchedule(const Value& doc) {
  if (!doc.IsObject()) return "";
  if (const Value* crawler = json::Find(doc, "Crawler"); crawler != nullptr) {
    const Value* s = json::Find(*crawler, "Schedule");
    if (s == nullptr || !s->IsObject() || json::Text(*s, "State") != "SCHEDULED") return "";
    return json::Text(*s, "ScheduleExpression");
  }
  if (const Value* trigger = json::Find(doc, "Trigger"); trigger != nullptr) {
    if (json::Text(*trigger, "Type") != "SCHEDULED" ||
        json::Text(*trigger, "State") != "ACTIVATED") {
      return "";
    }
    return json::Text(*trigger, "Schedule");
  }
  return "";
}

void SetNextFire(Document& doc, SystemTime now) {
  doc.RemoveMember("NextFire");
  const std::string expression = ActiveSchedule(doc);
  if (expression.empty()) return;
  auto cron = CronSchedule::Parse(expression);
  if (!cron.ok()) return;
  if (auto next = cron->NextAfter(now)) {
    json::Set(doc, "NextFire", Value(json::Epoch(*next)), doc.GetAllocator());
  }
}

void Service::SchedulerMain() {
  MutexLock lock(scheduler_mu_);
  while (!scheduler_stop_) {
    scheduler_cv_.WaitUntil(lock, std::chrono::steady_clock::now() + kSchedulerTick);
    if (scheduler_stop_) break;
    lock.Unlock();
    FireDue();
    lock.Lock();
  }
}

void Service::StopScheduler() {
  {
    MutexLock lock(scheduler_mu_);
    scheduler_stop_ = true;
  }
  scheduler_cv_.SignalAll();
  if (scheduler_.joinable()) scheduler_.join();
}

void Service::FireDue() {
  const SystemTime now = deps_.clock->Now();
  for (const char* kind : {"trigger", "crawler"}) {
    std::vector<storage::GlueEntity> rows;
    Status st = deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
      SEALSTACK_ASSIGN_OR_RETURN(rows, storage::GlueRepo::ListKind(conn, kind));
      return Status::Ok();
    });
    if (!st.ok()) continue;
    for (const auto& row : rows) {
      auto doc = json::Load(row.doc);
      if (!doc.ok() || ActiveSchedule(*doc).empty()) continue;
      const Value* next = json::Find(*doc, "NextFire");
      if (next != nullptr && next->IsNumber() && next->GetDouble() > json::Epoch(now)) continue;
      // Due (or never scheduled: a document stored before schedules ran gets its first time).
      bool due = false;
      std::string trigger;
      auto advance = [&](Document& d) -> Status {
        const Value* n = json::Find(d, "NextFire");
        due = n != nullptr && n->IsNumber() && n->GetDouble() <= json::Epoch(now) &&
              !ActiveSchedule(d).empty();
        if (due && d.HasMember("Trigger")) trigger = json::Dump(d["Trigger"]);
        SetNextFire(d, now);
        return Status::Ok();
      };
      const std::string& name = row.key.name;
      if (std::string_view(kind) == "trigger") {
        (void)ChangeTrigger(row.key, name, advance);
        if (due) (void)FireTrigger(row.key.account, row.key.region, trigger);
      } else {
        (void)ChangeCrawler(row.key, name, advance);
        // A crawler still crawling skips this time (CrawlerRunningException), as on AWS.
        if (due) (void)StartCrawl(row.key.account, row.key.region, name);
      }
    }
  }
}

}  // namespace sealstack::api::glue
