#include "storage/audit_repo.h"

namespace sealstack::storage {

namespace {

// The WHERE term of one lookup attribute (each variant is one cached statement).
const char* AttributeTerm(AuditFilter::Attribute a) {
  using A = AuditFilter::Attribute;
  switch (a) {
    case A::kNone:
      return "";
    case A::kEventId:
      return " AND e.event_id = :v";
    case A::kEventName:
      return " AND e.event_name = :v";
    case A::kReadOnly:
      return " AND e.read_only = :v";
    case A::kUsername:
      return " AND e.username = :v";
    case A::kEventSource:
      return " AND e.event_source = :v";
    case A::kAccessKeyId:
      return " AND e.access_key_id = :v";
    case A::kResourceType:
      return " AND EXISTS (SELECT 1 FROM audit_resources r WHERE r.seq = e.seq AND "
             "r.resource_type = :v)";
    case A::kResourceName:
      return " AND EXISTS (SELECT 1 FROM audit_resources r WHERE r.seq = e.seq AND "
             "r.resource_name = :v)";
  }
  return "";
}

}  // namespace

Status AuditRepo::Insert(Connection& c, AuditEventRow* row) {
  SEALSTACK_RETURN_IF_ERROR(
      c.Run("INSERT INTO audit_events (event_id, event_time_us, account, event_source, "
            "event_name, read_only, username, access_key_id, error_code, size, json) "
            "VALUES (:id, :t, :account, :source, :name, :ro, :user, :akid, :err, :size, "
            ":json)",
            {{"id", row->event_id},
             {"t", row->event_time_us},
             {"account", row->account},
             {"source", row->event_source},
             {"name", row->event_name},
             {"ro", static_cast<int64_t>(row->read_only ? 1 : 0)},
             {"user", row->username},
             {"akid", row->access_key_id},
             {"err", row->error_code},
             {"size", static_cast<int64_t>(row->json.size())},
             {"json", row->json}}));
  row->seq = c.LastInsertRowId();
  for (const auto& r : row->resources) {
    SEALSTACK_RETURN_IF_ERROR(
        c.Run("INSERT INTO audit_resources (seq, resource_type, resource_name) "
              "VALUES (:seq, :type, :name)",
              {{"seq", row->seq}, {"type", r.type}, {"name", r.name}}));
  }
  return Status::Ok();
}

Result<std::vector<AuditEventRow>> AuditRepo::Query(Connection& c, const AuditFilter& f) {
  std::string sql =
      "SELECT e.seq, e.event_id, e.event_time_us, e.account, e.event_source, e.event_name, "
      "e.read_only, e.username, e.access_key_id, e.error_code, e.json FROM audit_events e "
      "WHERE e.account = :account AND e.event_time_us >= :start AND e.event_time_us <= :end "
      "AND (e.event_time_us < :bt OR (e.event_time_us = :bt AND e.seq < :bs))";
  sql += AttributeTerm(f.attribute);
  sql += " ORDER BY e.event_time_us DESC, e.seq DESC LIMIT :limit";
  const int64_t bt = f.before ? f.before->first : INT64_MAX;
  const int64_t bs = f.before ? f.before->second : INT64_MAX;
  std::vector<Param> params = {
      {"account", f.account}, {"start", f.start_us}, {"end", f.end_us}, {"bt", bt}, {"bs", bs},
      {"limit", f.limit}};
  const int64_t ro = f.value == "true" ? 1 : 0;
  if (f.attribute == AuditFilter::Attribute::kReadOnly) {
    params.emplace_back("v", ro);
  } else if (f.attribute != AuditFilter::Attribute::kNone) {
    params.emplace_back("v", f.value);
  }
  std::vector<AuditEventRow> out;
  SEALSTACK_RETURN_IF_ERROR(c.Query(sql, params, [&](const Row& r) -> Status {
    AuditEventRow e;
    e.seq = r.ColumnInt64(0);
    e.event_id = r.ColumnString(1);
    e.event_time_us = r.ColumnInt64(2);
    e.account = r.ColumnString(3);
    e.event_source = r.ColumnString(4);
    e.event_name = r.ColumnString(5);
    e.read_only = r.ColumnInt64(6) != 0;
    e.username = r.ColumnString(7);
    e.access_key_id = r.ColumnString(8);
    e.error_code = r.ColumnString(9);
    e.json = r.ColumnString(10);
    out.push_back(std::move(e));
    return Status::Ok();
  }));
  for (auto& e : out) {
    SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
        "SELECT resource_type, resource_name FROM audit_resources WHERE seq = :seq ORDER BY rowid",
        {{"seq", e.seq}}, &e.resources, [](const Row& r) {
          return AuditResourceRow{r.ColumnString(0), r.ColumnString(1)};
        }));
  }
  return out;
}

Result<std::optional<AuditEventRow>> AuditRepo::LastSuccessful(
    Connection& c, const std::string& resource_name, const std::string& event_source,
    const std::vector<std::string>& names) {
  std::optional<AuditEventRow> found;
  if (names.empty()) return found;
  std::string sql =
      "SELECT e.seq, e.event_id, e.event_time_us, e.event_name FROM audit_resources r "
      "JOIN audit_events e ON e.seq = r.seq WHERE r.resource_name = :name AND "
      "e.event_source = :source AND e.error_code = '' AND e.event_name IN (";
  std::vector<std::string> holders;
  for (size_t i = 0; i < names.size(); ++i) holders.push_back(":n" + std::to_string(i));
  std::vector<Param> params = {{"name", resource_name}, {"source", event_source}};
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += holders[i];
    params.emplace_back(holders[i], names[i]);
  }
  sql += ") ORDER BY r.seq DESC LIMIT 1";
  SEALSTACK_RETURN_IF_ERROR(c.Query(sql, params, [&](const Row& r) -> Status {
    AuditEventRow e;
    e.seq = r.ColumnInt64(0);
    e.event_id = r.ColumnString(1);
    e.event_time_us = r.ColumnInt64(2);
    e.event_name = r.ColumnString(3);
    found = std::move(e);
    return Status::Ok();
  }));
  return found;
}

Result<int64_t> AuditRepo::ForEachJson(
    Connection& c, const std::string& account, int64_t after, int64_t upto, int64_t limit,
    const std::function<void(std::string_view event_id, std::string_view json)>& fn) {
  int64_t last = after;
  SEALSTACK_RETURN_IF_ERROR(c.Query(
      "SELECT seq, event_id, json FROM audit_events WHERE seq > :after AND seq <= :upto AND "
      "(:account = '' OR account = :account) ORDER BY seq LIMIT :limit",
      {{"after", after},
       {"upto", upto > 0 ? upto : INT64_MAX},
       {"account", account},
       {"limit", limit}},
      [&](const Row& r) -> Status {
        last = r.ColumnInt64(0);
        fn(r.ColumnText(1), r.ColumnText(2));
        return Status::Ok();
      }));
  return last;
}

Result<std::vector<AuditEventRow>> AuditRepo::PlainRecords(Connection& c, int64_t limit) {
  std::vector<AuditEventRow> rows;
  SEALSTACK_RETURN_IF_ERROR(
      c.Query("SELECT seq, event_id, json FROM audit_events WHERE substr(json, 1, 1) = '{' "
              "ORDER BY seq LIMIT :limit",
              {{"limit", limit}}, [&](const Row& r) -> Status {
                AuditEventRow row;
                row.seq = r.ColumnInt64(0);
                row.event_id = r.ColumnString(1);
                row.json = r.ColumnString(2);
                rows.push_back(std::move(row));
                return Status::Ok();
              }));
  return rows;
}

Status AuditRepo::ReplaceJson(Connection& c, int64_t seq, const std::string& json) {
  return c.Run("UPDATE audit_events SET json = :json, size = :size WHERE seq = :seq",
               {{"json", json}, {"size", static_cast<int64_t>(json.size())}, {"seq", seq}});
}

Result<int64_t> AuditRepo::TotalSize(Connection& c) {
  return c.QueryInt64("SELECT COALESCE(SUM(size), 0) FROM audit_events");
}

Result<int64_t> AuditRepo::DeleteBefore(Connection& c, int64_t time_us) {
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t bytes,
      c.QueryInt64("SELECT COALESCE(SUM(size), 0) FROM audit_events WHERE event_time_us < :t",
                   {{"t", time_us}}));
  if (bytes == 0) return int64_t{0};
  SEALSTACK_RETURN_IF_ERROR(
      c.Run("DELETE FROM audit_events WHERE event_time_us < :t", {{"t", time_us}}));
  return bytes;
}

Result<int64_t> AuditRepo::DeleteOldest(Connection& c, int64_t bytes) {
  // Walks the oldest rows in pages of seq order until they add up to `bytes`: only the rows that
  // go are read (a running SUM over the whole table cost a scan of every stored event per trim,
  // about a tenth of the CPU of a sustained KMS load once the trail was full).
  constexpr int64_t kPage = 512;
  int64_t freed = 0, upto = -1;
  bool more = true;
  while (freed < bytes && more) {
    int64_t rows = 0;
    SEALSTACK_RETURN_IF_ERROR(
        c.Query("SELECT seq, size FROM audit_events WHERE seq > :after ORDER BY seq LIMIT :page",
                {{"after", upto}, {"page", kPage}}, [&](const Row& r) -> Status {
                  ++rows;
                  if (freed >= bytes) return Status::Ok();
                  upto = r.ColumnInt64(0);
                  freed += r.ColumnInt64(1);
                  return Status::Ok();
                }));
    more = rows == kPage;
  }
  if (upto >= 0) {
    SEALSTACK_RETURN_IF_ERROR(c.Run("DELETE FROM audit_events WHERE seq <= :s", {{"s", upto}}));
  }
  return freed;
}

Status AuditRepo::DeleteAll(Connection& c, const std::string& account) {
  if (account.empty()) {
    SEALSTACK_RETURN_IF_ERROR(c.Run("DELETE FROM audit_resources"));
    return c.Run("DELETE FROM audit_events");
  }
  return c.Run("DELETE FROM audit_events WHERE account = :a", {{"a", account}});
}

Result<std::optional<std::string>> AuditRepo::GetMeta(Connection& c, const std::string& name) {
  std::optional<std::string> value;
  SEALSTACK_RETURN_IF_ERROR(
      c.Query("SELECT value FROM audit_meta WHERE name = :n", {{"n", name}}, [&](const Row& r) {
        value = r.ColumnString(0);
        return Status::Ok();
      }));
  return value;
}

Status AuditRepo::PutMeta(Connection& c, const std::string& name, const std::string& value) {
  return c.Run(
      "INSERT INTO audit_meta (name, value) VALUES (:n, :v) ON CONFLICT (name) DO "
      "UPDATE SET value = excluded.value",
      {{"n", name}, {"v", value}});
}

}  // namespace sealstack::storage
