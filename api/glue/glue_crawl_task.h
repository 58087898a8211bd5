// One crawl as StartCrawler hands it to its thread (internal to api/glue).
#pragma once

#include <atomic>
#include <string>

#include "api/glue/glue_service.h"

namespace sealstack::api::glue {

struct Service::CrawlTask {
  std::string account, region, name;
  std::string crawler;  // the Crawler document when the crawl started (JSON)
  SystemTime started;
  std::atomic<bool> stop{false};  // StopCrawler
  std::atomic<bool> done{false};  // CrawlMain has ended (its thread may be joined)
  int64_t tables_created = 0, tables_updated = 0;
  std::string log_group = "/aws-glue/crawlers";  // where WriteCrawlLogs wrote (LastCrawl)

  std::string Id() const { return account + "/" + region + "/" + name; }
};

}  // namespace sealstack::api::glue
