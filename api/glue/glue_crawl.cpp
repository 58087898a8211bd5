// A crawl on its own thread, as the crawler's role (glue_role.h): every S3 target is listed and
// read through the in-process s3::Service as the role's session (bucket policies, SSE-KMS
// Decrypt as the role apply), each object's schema inferred (crawl_schema.h), objects grouped
// into tables (one per folder under the target; key=value folders below it are partitions), and
// the tables and partitions written into the catalog as the role (glue:CreateTable, ... and,
// with an encrypted catalog, GenerateDataKey as the role). The crawl's messages go to CloudWatch
// Logs as the role, under the crawler security configuration's CloudWatchEncryption key.
#include <map>

#include "api/common/request_id.h"
#include "api/glue/crawl_schema.h"
#include "api/glue/glue_crawl_task.h"
#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_service.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

namespace {

constexpr size_t kSampleBytes = 1 << 20;  // what a crawler reads of one object

struct CrawledTable {
  std::string location;  // s3://bucket/prefix/table/
  std::optional<CrawledSchema> schema;
  std::vector<std::string> partition_keys;
  std::vector<std::vector<std::string>> partitions;  // distinct value lists
  bool mixed = false;                                // objects of different formats
};

std::string TableName(std::string_view folder, const std::string& prefix) {
  std::string out = prefix;
  for (char ch : folder) {
    out += std::isalnum(static_cast<unsigned char>(ch)) != 0
               ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch)))
               : '_';
  }
  return out;
}

std::vector<std::string> Split(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t slash = s.find('/');
    out.emplace_back(s.substr(0, slash));
    if (slash == std::string_view::npos) break;
    s.remove_prefix(slash + 1);
  }
  return out;
}

// The TableInput of a crawled table.
std::string TableInputJson(const std::string& name, const CrawledTable& t,
                           const std::string& crawler) {
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  const CrawledSchema& s = *t.schema;
  json::SetStr(d, "Name", name, a);
  Value sd(rapidjson::kObjectType), cols(rapidjson::kArrayType), serde(rapidjson::kObjectType),
      serde_params(rapidjson::kObjectType), params(rapidjson::kObjectType);
  for (const auto& c : s.columns) {
    Value col(rapidjson::kObjectType);
    json::SetStr(col, "Name", c.name, a);
    json::SetStr(col, "Type", c.type, a);
    cols.PushBack(col, a);
  }
  sd.AddMember("Columns", cols, a);
  json::SetStr(sd, "Location", t.location, a);
  json::SetStr(sd, "InputFormat", "org.apache.hadoop.mapred.TextInputFormat", a);
  json::SetStr(sd, "OutputFormat", "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat", a);
  sd.AddMember("Compressed", false, a);
  sd.AddMember("NumberOfBuckets", -1, a);
  if (s.classification == "csv") {
    json::SetStr(serde, "SerializationLibrary",
                 "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", a);
    json::SetStr(serde_params, "field.delim", std::string(1, s.delimiter), a);
    json::SetStr(params, "skip.header.line.count", "1", a);
    json::SetStr(params, "delimiter", std::string(1, s.delimiter), a);
  } else {
    json::SetStr(serde, "SerializationLibrary", "org.openx.data.jsonserde.JsonSerDe", a);
  }
  serde.AddMember("Parameters", serde_params, a);
  sd.AddMember("SerdeInfo", serde, a);
  json::SetStr(params, "classification", s.classification, a);
  json::SetStr(params, "CrawlerSchemaSerializerVersion", "1.0", a);
  json::SetStr(params, "UPDATED_BY_CRAWLER", crawler, a);
  Value sd_params(params, a);
  sd.AddMember("Parameters", sd_params, a);
  d.AddMember("StorageDescriptor", sd, a);
  Value keys(rapidjson::kArrayType);
  for (const auto& k : t.partition_keys) {
    Value key(rapidjson::kObjectType);
    json::SetStr(key, "Name", k, a);
    json::SetStr(key, "Type", "string", a);
    keys.PushBack(key, a);
  }
  d.AddMember("PartitionKeys", keys, a);
  json::SetStr(d, "TableType", "EXTERNAL_TABLE", a);
  d.AddMember("Parameters", params, a);
  return json::Dump(d);
}

std::string PartitionInputJson(const CrawledTable& t, const std::vector<std::string>& values) {
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  Value vs(rapidjson::kArrayType);
  std::string location = t.location;
  for (size_t i = 0; i < values.size(); ++i) {
    vs.PushBack(json::StrValue(values[i], a), a);
    location += t.partition_keys[i] + "=" + values[i] + "/";
  }
  d.AddMember("Values", vs, a);
  Value sd(rapidjson::kObjectType);
  json::SetStr(sd, "Location", location, a);
  d.AddMember("StorageDescriptor", sd, a);
  return json::Dump(d);
}

}  // namespace

void Service::CrawlMain(std::shared_ptr<CrawlTask> task) {
  const std::string error = Crawl(*task);
  const SystemTime end = deps_.clock->Now();
  const double seconds = std::chrono::duration<double>(end - task->started).count();
  const storage::GlueKey key{task->account, task->region, "crawler", "", task->name};
  (void)ChangeCrawler(key, task->name, [&](Document& d) -> Status {
    auto& a = d.GetAllocator();
    Value& crawler = d["Crawler"];
    Value last(rapidjson::kObjectType);
    json::SetStr(last, "Status",
                 task->stop      ? "CANCELLED"
                 : error.empty() ? "SUCCEEDED"
                                 : "FAILED",
                 a);
    if (!error.empty()) json::SetStr(last, "ErrorMessage", error, a);
    json::SetStr(last, "LogGroup", task->log_group, a);
    json::SetStr(last, "LogStream", task->name, a);
    json::SetStr(last, "MessagePrefix", NewUuidRequestId(), a);
    json::Set(last, "StartTime", Value(json::Epoch(task->started)), a);
    json::Set(crawler, "LastCrawl", std::move(last), a);
    json::SetStr(crawler, "State", "READY", a);
    json::Set(crawler, "CrawlElapsedTime", Value(static_cast<int64_t>(seconds * 1000)), a);
    Value& m = d["Metrics"];
    m["TablesCreated"].SetInt64(task->tables_created);
    m["TablesUpdated"].SetInt64(task->tables_updated);
    m["Runtimes"].PushBack(seconds, a);
    return Status::Ok();
  });
  MutexLock lock(runs_mu_);
  crawls_.erase(task->Id());
  task->done = true;
}

std::string Service::Crawl(CrawlTask& task) {
  Document crawler;
  crawler.Parse(task.crawler.c_str());
  const std::string crawler_arn =
      "arn:aws:glue:" + task.region + ":" + task.account + ":crawler/" + task.name;
  auto role = FindRole(task.account, json::Text(crawler, "Role"));
  if (!role.ok()) return role.status().message();
  if (!GlueMayAssume(*role, crawler_arn, deps_.clock->Now())) return TrustRefusal(*role);
  GlueSessionRequest request;
  request.session_name = "AWS-Crawler";
  request.expires = deps_.clock->Now() + std::chrono::hours(1);
  auto session = AssumeGlueRole(deps_.iam, *deps_.principals, *deps_.random, *role, request);
  if (!session.ok()) return session.status().message();
  struct EndSession {
    auth::PrincipalStore& store;
    const auth::Principal& p;
    ~EndSession() { EndGlueSession(store, p); }
  } end{*deps_.principals, **session};

  Caller as_role;
  as_role.principal = *session;
  as_role.region = task.region;
  as_role.request_id = NewUuidRequestId();
  std::string error = [&]() -> std::string {
    const std::string db = json::Text(crawler, "DatabaseName");
    if (db.empty()) return "The crawler has no DatabaseName to write its tables to.";
    {
      GetDatabaseInput in;
      in.name = db;
      auto found = GetDatabase(as_role, in);
      if (!found.ok()) return found.status().message();
    }

    // 1. Every object of every S3 target, read as the role, grouped into tables.
    s3::Service s3(s3::ObjectServices{deps_.buckets, deps_.objects, deps_.data_keys, false});
    s3::S3Caller sc;
    sc.principal = *session;
    sc.region = task.region;
    const std::string prefix = json::Text(crawler, "TablePrefix");
    std::map<std::string, CrawledTable> tables;
    const Value* targets = json::Find(crawler, "Targets");
    const Value* s3_targets = targets != nullptr ? json::Find(*targets, "S3Targets") : nullptr;
    if (s3_targets == nullptr || !s3_targets->IsArray() || s3_targets->Empty()) {
      return "The crawler has no S3 targets (only S3Targets are crawled here).";
    }
    for (const auto& target : s3_targets->GetArray()) {
      const std::string path = json::Text(target, "Path");
      if (path.rfind("s3://", 0) != 0) return "The S3 target " + path + " is not an s3:// path.";
      const size_t slash = path.find('/', 5);
      const std::string bucket = path.substr(5, slash == std::string::npos ? slash : slash - 5);
      std::string root = slash == std::string::npos ? "" : path.substr(slash + 1);
      if (!root.empty() && root.back() != '/') root += '/';
      std::vector<std::pair<std::string, std::vector<std::string>>> objects;  // key, folders
      s3::ListObjectsInput list;
      list.bucket = bucket;
      list.v2 = true;
      list.prefix = root;
      bool target_is_table = false;
      for (;;) {
        auto page = s3.ListObjects(sc, list);
        if (!page.ok()) {
          s3::S3ErrorText e = s3::S3ErrorCodeAndMessage(page.status());
          return "Failed to list s3://" + bucket + "/" + root + " as " + (*session)->arn + ": " +
                 e.code + ": " + e.message;
        }
        for (const auto& o : page->objects) {
          std::vector<std::string> parts = Split(std::string_view(o.key).substr(root.size()));
          if (parts.empty() || parts.back().empty() || o.size == 0) continue;
          const std::string file = parts.back();
          if (file[0] == '_' || file[0] == '.') continue;  // _SUCCESS, .crc, ...
          parts.pop_back();
          if (parts.empty() || parts.front().find('=') != std::string::npos) target_is_table = true;
          objects.emplace_back(o.key, std::move(parts));
        }
        if (!page->truncated) break;
        list.start_after = page->last_item;
      }
      std::string target_folder = root.empty() ? bucket : root.substr(0, root.size() - 1);
      target_folder = target_folder.substr(target_folder.rfind('/') + 1);
      for (auto& [key, folders] : objects) {
        if (task.stop) return "";
        std::string table_folder = target_folder;
        std::string location = "s3://" + bucket + "/" + root;
        if (!target_is_table) {
          table_folder = folders.front();
          location += folders.front() + "/";
          folders.erase(folders.begin());
        }
        s3::GetObjectInput get;
        get.bucket = bucket;
        get.key = key;
        auto object = s3.GetObject(sc, get);
        if (!object.ok()) {
          s3::S3ErrorText e = s3::S3ErrorCodeAndMessage(object.status());
          return "Failed to read s3://" + bucket + "/" + key + " as " + (*session)->arn + ": " +
                 e.code + ": " + e.message;
        }
        std::string body;
        (void)object->WriteTo([&](std::string_view piece) {
          body.append(piece.substr(0, kSampleBytes - std::min(kSampleBytes, body.size())));
          return body.size() < kSampleBytes;
        });
        CrawledTable& t = tables[TableName(table_folder, prefix)];
        t.location = location;
        std::vector<std::string> keys, values;
        for (size_t i = 0; i < folders.size(); ++i) {
          const size_t eq = folders[i].find('=');
          keys.push_back(eq == std::string::npos ? "partition_" + std::to_string(i)
                                                 : folders[i].substr(0, eq));
          values.push_back(eq == std::string::npos ? folders[i] : folders[i].substr(eq + 1));
        }
        if (t.partition_keys.empty()) t.partition_keys = keys;
        if (keys.size() == t.partition_keys.size() &&
            std::find(t.partitions.begin(), t.partitions.end(), values) == t.partitions.end()) {
          if (!values.empty()) t.partitions.push_back(values);
        }
        std::optional<CrawledSchema> schema = InferSchema(body);
        if (!schema) continue;  // not CSV or JSON lines: left out, as a classifier would
        auto merged = t.schema ? MergeSchemas(*t.schema, *schema) : schema;
        if (!merged) t.mixed = true;
        t.schema = merged ? merged : t.schema;
      }
    }

    // 2. The tables and partitions, written as the role.
    for (const auto& [name, t] : tables) {
      if (task.stop) return "";
      if (!t.schema) continue;
      CreateTableInput in;
      in.database_name = db;
      in.table_input.name = name;
      in.table_input.json = TableInputJson(name, t, task.name);
      auto created = CreateTable(as_role, in);
      if (!created.ok() && KindOf(created.status()) == ErrorKind::kAlreadyExists) {
        UpdateTableInput update;
        static_cast<CreateTableInput&>(update) = in;
        created = UpdateTable(as_role, update);
        if (created.ok()) ++task.tables_updated;
      } else if (created.ok()) {
        ++task.tables_created;
      }
      if (!created.ok())
        return "Failed to write table " + db + "." + name + ": " + created.status().message();
      for (const auto& values : t.partitions) {
        CreatePartitionInput p;
        p.database_name = db;
        p.table_name = name;
        p.partition_input.values = values;
        p.partition_input.json = PartitionInputJson(t, values);
        auto made = CreatePartition(as_role, p);
        if (!made.ok() && KindOf(made.status()) != ErrorKind::kAlreadyExists) {
          return "Failed to write a partition of " + db + "." + name + ": " +
                 made.status().message();
        }
      }
    }
    return "";
  }();
  WriteCrawlLogs(task, crawler, *session, role->name, error);
  return error;
}

void Service::WriteCrawlLogs(CrawlTask& task, const Value& crawler,
                             const std::shared_ptr<const auth::Principal>& session,
                             const std::string& role_name, const std::string& error) {
  const std::string secconf = json::Text(crawler, "CrawlerSecurityConfiguration");
  const std::string log_key = CloudWatchLogKey(task.account, task.region, secconf);
  if (!log_key.empty()) task.log_group = "/aws-glue/crawlers-role/" + role_name + "-" + secconf;
  if (deps_.logs == nullptr) return;
  const auto ms = [](SystemTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  };
  const int64_t start = ms(task.started);
  const int64_t end = std::max(start, ms(deps_.clock->Now()));
  const std::string outcome = task.stop ? "CANCELLED" : error.empty() ? "SUCCEEDED" : "FAILED";
  std::vector<logs::LogEvent> events = {
      {start, "SealStack: crawler " + task.name + " started as " + session->arn},
      {end, "SealStack: crawler " + task.name + " created " + std::to_string(task.tables_created) +
                " and updated " + std::to_string(task.tables_updated) + " tables"},
      {end,
       "SealStack: crawler " + task.name + " " + outcome + (error.empty() ? "" : ": " + error)}};
  api::Caller c;
  c.principal = session;
  c.region = task.region;
  c.request_id = NewUuidRequestId();
  (void)deps_.logs->WriteServiceLog(c, task.log_group, log_key, task.name, std::move(events));
}

void Service::StopAllCrawls() {
  std::vector<std::pair<std::shared_ptr<CrawlTask>, std::thread>> threads;
  {
    MutexLock lock(runs_mu_);
    for (auto& [id, task] : crawls_) task->stop = true;
    threads.swap(crawl_threads_);
  }
  for (auto& [task, t] : threads) t.join();
}

}  // namespace sealstack::api::glue
