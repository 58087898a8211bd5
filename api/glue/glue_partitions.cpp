// Catalog partitions: Create/BatchCreate/Get/GetPartitions (with Expression, see
// partition_expression.h), BatchGetPartition, UpdatePartition, DeletePartition and
// BatchDeletePartition. Documents are sealed and opened as every catalog entity is
// (glue_catalog.cpp: PutEntity, OpenCatalogDoc), so an SSE-KMS catalog applies to each.
#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/glue/glue_wire.h"
#include "api/glue/partition_expression.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

namespace {

constexpr const char* kNoPartition = "Cannot find partition.";

// A partition's name in the store: its values joined by U+001F.
std::string PartitionName(const std::vector<std::string>& values) {
  std::string name;
  for (const std::string& v : values) {
    if (!name.empty()) name += '\x1f';
    name += v;
  }
  return name;
}

std::vector<std::string> ValuesOf(const Value& partition) {
  std::vector<std::string> out;
  const Value* values = json::Find(partition, "Values");
  if (values == nullptr || !values->IsArray()) return out;
  for (const auto& v : values->GetArray()) out.emplace_back(v.IsString() ? v.GetString() : "");
  return out;
}

Value StringList(const std::vector<std::string>& values, Document::AllocatorType& a) {
  Value out(rapidjson::kArrayType);
  for (const std::string& v : values) out.PushBack(json::StrValue(v, a), a);
  return out;
}

// {"PartitionValues":[...],"ErrorDetail":{"ErrorCode":...,"ErrorMessage":...}}
Value PartitionError(const std::vector<std::string>& values, const Status& failed,
                     Document::AllocatorType& a) {
  Value e(rapidjson::kObjectType), detail(rapidjson::kObjectType);
  e.AddMember("PartitionValues", StringList(values, a), a);
  json::SetStr(detail, "ErrorCode", ErrorKindName(KindOf(failed)), a);
  json::SetStr(detail, "ErrorMessage", failed.message(), a);
  e.AddMember("ErrorDetail", detail, a);
  return e;
}

}  // namespace

Result<std::string> Service::CreatePartition(const Caller& c, const CreatePartitionInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string table = Lowered(in.table_name);
  const std::string pname = PartitionName(in.partition_input.values);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "CreatePartition", "table/" + db + "/" + table));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "table", table, db), "Table " + table + " not found."));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(in.partition_input.json));
  auto& a = d.GetAllocator();
  json::SetStr(d, "DatabaseName", db, a);
  json::SetStr(d, "TableName", table, a);
  json::Set(d, "CreationTime", Value(json::Epoch(deps_.clock->Now())), a);
  json::SetStr(d, "CatalogId", Account(c), a);
  SEALSTACK_RETURN_IF_ERROR(PutEntity(c, "partition", db + "/" + table, pname, json::Dump(d), true,
                                      "Partition already exists."));
  return std::string("{}");
}

Result<std::string> Service::BatchCreatePartition(const Caller& c,
                                                  const BatchCreatePartitionInput& in) {
  SEALSTACK_RETURN_IF_ERROR(CheckCatalogId(c, in.catalog_id));
  Document errors(rapidjson::kArrayType);
  auto& a = errors.GetAllocator();
  for (const PartitionEntry& entry : in.partition_input_list) {
    // Each entry as its own CreatePartition (in the batch's catalog, database and table).
    Status failed = entry.error;
    if (failed.ok()) {
      CreatePartitionInput one;
      one.database_name = in.database_name;
      one.table_name = in.table_name;
      one.partition_input = entry.partition;
      Result<std::string> r = CreatePartition(c, one);
      if (r.ok()) continue;
      failed = r.status();
    }
    if (failed.code() == StatusCode::kAccessDenied) return failed;
    Value e(rapidjson::kObjectType), detail(rapidjson::kObjectType);
    if (entry.values_json) {
      SEALSTACK_ASSIGN_OR_RETURN(Document values, json::LoadAny(*entry.values_json));
      e.AddMember("PartitionValues", Value(values, a), a);
    }
    json::SetStr(
        detail, "ErrorCode",
        ErrorKindName(static_cast<ErrorKind>(
            failed.detail() != 0 ? failed.detail() : static_cast<int>(ErrorKind::kInternal))),
        a);
    json::SetStr(detail, "ErrorMessage", failed.message(), a);
    e.AddMember("ErrorDetail", detail, a);
    errors.PushBack(e, a);
  }
  return "{\"Errors\":" + json::Dump(errors) + "}";
}

Result<std::string> Service::GetPartition(const Caller& c, const GetPartitionInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string table = Lowered(in.table_name);
  const std::string pname = PartitionName(in.partition_values);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "GetPartition", "table/" + db + "/" + table));
  SEALSTACK_ASSIGN_OR_RETURN(
      std::string plain, OpenEntity(c, Key(c, "partition", pname, db + "/" + table), kNoPartition));
  return "{\"Partition\":" + plain + "}";
}

Result<std::string> Service::GetPartitions(const Caller& c, const GetPartitionsInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string table = Lowered(in.table_name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "GetPartitions", "table/" + db + "/" + table));
  const size_t limit = static_cast<size_t>(in.page.max_results.value_or(1000));
  const std::string expression = in.expression.value_or("");
  if (expression.find_first_not_of(" \t\r\n") == std::string::npos) {
    SEALSTACK_RETURN_IF_ERROR(
        RequireEntity(Key(c, "table", table, db), "Table " + table + " not found."));
    SEALSTACK_ASSIGN_OR_RETURN(
        EntityPage page,
        ListEntities(c, Key(c, "partition", "", db + "/" + table), in.page.after, limit));
    return RenderPage("Partitions", page.docs, page.next_token);
  }
  // The filter is typed by the table's partition keys.
  SEALSTACK_ASSIGN_OR_RETURN(std::string table_doc, OpenEntity(c, Key(c, "table", table, db),
                                                               "Table " + table + " not found."));
  SEALSTACK_ASSIGN_OR_RETURN(Document t, json::Load(table_doc));
  std::vector<PartitionKeyColumn> keys;
  if (const Value* pk = json::Find(t, "PartitionKeys"); pk != nullptr && pk->IsArray()) {
    for (const auto& k : pk->GetArray())
      keys.push_back({json::Text(k, "Name"), json::Text(k, "Type")});
  }
  auto filter = PartitionExpression::Parse(expression, keys);
  if (!filter.ok()) return InvalidInput(filter.status().message());
  // Matching partitions, in name order, until one more than the page holds.
  std::vector<std::string> docs;
  std::string after = in.page.after, last_listed;
  bool more = false;
  constexpr size_t kChunk = 500;
  for (;;) {
    std::vector<storage::GlueRow> rows;
    SEALSTACK_RETURN_IF_ERROR(deps_.db->WithConnection([&](storage::Connection& conn) -> Status {
      SEALSTACK_ASSIGN_OR_RETURN(
          rows,
          storage::GlueRepo::List(conn, Key(c, "partition", "", db + "/" + table), after, kChunk));
      return Status::Ok();
    }));
    for (const auto& row : rows) {
      SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenCatalogDoc(c, row.doc));
      SEALSTACK_ASSIGN_OR_RETURN(Document p, json::Load(plain));
      if (!filter->Matches(ValuesOf(p))) continue;
      if (docs.size() == limit) {
        more = true;
        break;
      }
      docs.push_back(std::move(plain));
      last_listed = row.name;
    }
    if (more || rows.size() < kChunk) break;
    after = rows.back().name;
  }
  return RenderPage("Partitions", docs, more ? json::Token(last_listed) : std::string());
}

Result<std::string> Service::BatchGetPartition(const Caller& c, const BatchGetPartitionInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string table = Lowered(in.table_name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "BatchGetPartition", "table/" + db + "/" + table));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "table", table, db), "Table " + table + " not found."));
  // Partitions that do not exist are left out (as on AWS); UnprocessedKeys stays empty: nothing
  // here is throttled.
  std::vector<std::string> docs;
  for (const auto& values : in.partitions) {
    SEALSTACK_ASSIGN_OR_RETURN(
        auto raw, RawGet(*deps_.db, Key(c, "partition", PartitionName(values), db + "/" + table)));
    if (!raw) continue;
    SEALSTACK_ASSIGN_OR_RETURN(std::string plain, OpenCatalogDoc(c, *raw));
    docs.push_back(std::move(plain));
  }
  std::string out = RenderPage("Partitions", docs, "");
  out.pop_back();
  return out + ",\"UnprocessedKeys\":[]}";
}

Result<std::string> Service::UpdatePartition(const Caller& c, const UpdatePartitionInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string table = Lowered(in.table_name);
  const std::string parent = db + "/" + table;
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "UpdatePartition", "table/" + parent));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "table", table, db), "Table " + table + " not found."));
  const std::string old_name = PartitionName(in.partition_value_list);
  SEALSTACK_ASSIGN_OR_RETURN(std::string plain,
                             OpenEntity(c, Key(c, "partition", old_name, parent), kNoPartition));
  SEALSTACK_ASSIGN_OR_RETURN(Document old, json::Load(plain));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(in.partition_input.json));
  auto& a = d.GetAllocator();
  if (!d.HasMember("Values")) json::Set(d, "Values", Value(old["Values"], a), a);
  const std::string new_name = PartitionName(ValuesOf(d));
  json::SetStr(d, "DatabaseName", db, a);
  json::SetStr(d, "TableName", table, a);
  if (const Value* created = json::Find(old, "CreationTime")) {
    json::Set(d, "CreationTime", Value(*created, a), a);
  }
  json::SetStr(d, "CatalogId", Account(c), a);
  if (new_name == old_name) {
    SEALSTACK_RETURN_IF_ERROR(
        PutEntity(c, "partition", parent, new_name, json::Dump(d), false, ""));
    return std::string("{}");
  }
  // New values: the partition moves to its new name, which must be free.
  SEALSTACK_RETURN_IF_ERROR(PutEntity(c, "partition", parent, new_name, json::Dump(d), true,
                                      "Partition already exists."));
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    return storage::GlueRepo::Delete(conn, Key(c, "partition", old_name, parent)).status();
  }));
  return std::string("{}");
}

Result<std::string> Service::DeletePartition(const Caller& c, const DeletePartitionInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string table = Lowered(in.table_name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "DeletePartition", "table/" + db + "/" + table));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "table", table, db), "Table " + table + " not found."));
  bool deleted = false;
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    SEALSTACK_ASSIGN_OR_RETURN(
        deleted,
        storage::GlueRepo::Delete(
            conn, Key(c, "partition", PartitionName(in.partition_values), db + "/" + table)));
    return Status::Ok();
  }));
  if (!deleted) return NotFound(kNoPartition);
  return std::string("{}");
}

Result<std::string> Service::BatchDeletePartition(const Caller& c,
                                                  const BatchDeletePartitionInput& in) {
  const std::string db = Lowered(in.database_name);
  const std::string table = Lowered(in.table_name);
  SEALSTACK_RETURN_IF_ERROR(
      AuthorizeCatalog(c, in.catalog_id, "BatchDeletePartition", "table/" + db + "/" + table));
  SEALSTACK_RETURN_IF_ERROR(
      RequireEntity(Key(c, "table", table, db), "Table " + table + " not found."));
  Document errors(rapidjson::kArrayType);
  auto& a = errors.GetAllocator();
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) -> Status {
    for (const auto& values : in.partitions) {
      SEALSTACK_ASSIGN_OR_RETURN(
          bool deleted, storage::GlueRepo::Delete(
                            conn, Key(c, "partition", PartitionName(values), db + "/" + table)));
      if (!deleted) errors.PushBack(PartitionError(values, NotFound(kNoPartition), a), a);
    }
    return Status::Ok();
  }));
  return "{\"Errors\":" + json::Dump(errors) + "}";
}

}  // namespace sealstack::api::glue
