#include "api/glue/glue_wire_readers.h"

#include <cstdint>
#include <map>
#include <utility>

#include "api/glue/glue_errors.h"
#include "common/strings.h"
#include "crypto/digest.h"

namespace sealstack::api::glue {

namespace {

// ^arn:aws[a-z0-9-]*:kms: -- the partition may be aws, aws-cn, aws-us-gov...
bool IsKmsKeyArnShape(std::string_view arn) {
  if (!StartsWith(arn, "arn:aws")) return false;
  size_t i = 7;
  while (i < arn.size() &&
         ((arn[i] >= 'a' && arn[i] <= 'z') || (arn[i] >= '0' && arn[i] <= '9') || arn[i] == '-')) {
    ++i;
  }
  return arn.substr(i, 5) == ":kms:";
}

void AddMissing(JsonInput& in, std::string_view member) {
  in.AddConstraintError(member, "null", "Member must not be null");
}

// A required member of any type: false (and the error recorded) when absent.
bool Require(JsonInput& in, std::string_view member) {
  if (in.Kind(member) != JsonKind::kNull) return true;
  AddMissing(in, member);
  return false;
}

std::string RequiredString(JsonInput& in, std::string_view member, size_t min, size_t max) {
  return in.String(member, true, min, max).value_or("");
}

// A structure member: the member when it is an object, else nullopt with "Value null at ..."
// (absent) or "<Member> must be a structure" recorded.
std::optional<JsonInput> RequiredStructure(JsonInput& in, std::string_view member) {
  if (!Require(in, member)) return std::nullopt;
  JsonInput v = in.Get(member);
  if (v.kind() == JsonKind::kObject) return v;
  in.AddError(std::string(member) + " must be a structure");
  return std::nullopt;
}

// MaxResults (1..max) and NextToken (hex of the last name returned, opaque to clients).
PageRequest ReadPage(JsonInput& in, int64_t max) {
  PageRequest page;
  page.max_results = in.Integer("MaxResults", false, 1, max);
  const std::string token = in.String("NextToken", false).value_or("");
  if (!token.empty()) {
    auto raw = crypto::FromHex(token);
    if (raw) {
      page.after = *raw;
    } else {
      in.AddError("Invalid pagination token");
    }
  }
  return page;
}

// A map of tags: at most 50.
std::optional<StringPairs> ReadTagMap(JsonInput& in, std::string_view member) {
  auto tags = in.StringEntries(member);
  if (tags && tags->size() > 50) {
    in.AddError("1 validation error detected: Value at '" + LowerCamel(member) +
                "' failed to satisfy constraint: Member must have length less than or equal to 50");
  }
  return tags;
}

std::optional<std::string> ReadCatalogId(JsonInput& in) {
  return in.String("CatalogId", false, 1, 255);
}

// The job members Glue constrains (CreateJob's request, UpdateJob's JobUpdate), Role aside.
JobDefinition ReadJobMembers(JsonInput& in) {
  JobDefinition job;
  job.description = in.String("Description", false, 0, 2048);
  job.log_uri = in.String("LogUri", false);
  job.security_configuration = in.String("SecurityConfiguration", false, 1, 255);
  job.glue_version = in.String("GlueVersion", false, 1, 255);
  job.timeout = in.Integer("Timeout", false, 1, INT32_MAX);
  job.max_retries = in.Integer("MaxRetries", false, 0, INT32_MAX);
  job.number_of_workers = in.Integer("NumberOfWorkers", false, 0, INT32_MAX);
  job.job_mode = in.Enum("JobMode", false, {"SCRIPT", "VISUAL", "NOTEBOOK"});
  job.worker_type = in.Enum("WorkerType", false,
                            {"Standard", "G.1X", "G.2X", "G.025X", "G.4X", "G.8X", "Z.2X", "G.12X",
                             "G.16X", "R.1X", "R.2X", "R.4X", "R.8X"});
  job.execution_class = in.Enum("ExecutionClass", false, {"FLEX", "STANDARD"});
  job.default_arguments = in.StringEntries("DefaultArguments");
  job.non_overridable_arguments = in.StringEntries("NonOverridableArguments");
  if (auto ep = in.Object("ExecutionProperty")) {
    job.max_concurrent_runs = ep->Integer("MaxConcurrentRuns", false, 1, 1000);
  }
  if (auto cmd = in.Object("Command")) {
    JobCommand command;
    command.name = cmd->String("Name", false);
    command.script_location = cmd->String("ScriptLocation", false, 0, 400000);
    command.python_version = cmd->String("PythonVersion", false);
    job.command = std::move(command);
  }
  job.max_capacity = in.Number("MaxCapacity", false);
  job.json = in.Json();
  return job;
}

// A list of strings: `list_error` when it is not a list or holds anything else.
std::vector<std::string> ReadStrings(JsonInput& in, const JsonInput& list,
                                     const std::string& list_error, const std::string& item_error) {
  std::vector<std::string> out;
  auto items = list.Items();
  if (!items) {
    in.AddError(list_error);
    return out;
  }
  for (const JsonInput& item : *items) {
    auto s = item.AsString();
    if (!s) {
      in.AddError(item_error);
      break;
    }
    out.push_back(std::move(*s));
  }
  return out;
}

// One EncryptionConfiguration section: its mode (one of `modes`) and KmsKeyArn, which is given
// exactly when the mode is one of `kms_modes`.
std::optional<EncryptionSetting> ReadEncryptionSetting(JsonInput section, const char* mode_member,
                                                       const std::vector<std::string_view>& modes,
                                                       std::string_view kms_mode,
                                                       const std::string& what) {
  if (section.kind() != JsonKind::kObject) {
    section.AddError(what + " must be a structure");
    return std::nullopt;
  }
  EncryptionSetting out;
  out.mode = section.Enum(mode_member, false, modes);
  out.kms_key_arn = section.String("KmsKeyArn", false);
  const std::string mode = out.mode.value_or("");
  const std::string arn = out.kms_key_arn.value_or("");
  const bool kms = mode == kms_mode;
  if (kms && arn.empty()) {
    section.AddError("KmsKeyArn is required when " + std::string(mode_member) + " is " + mode +
                     " in " + what);
  } else if (!arn.empty() && !IsKmsKeyArnShape(arn)) {
    section.AddError("Invalid KmsKeyArn '" + arn + "' in " + what +
                     ": expected a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)");
  } else if (!kms && !arn.empty()) {
    section.AddError("KmsKeyArn must not be given when " + std::string(mode_member) + " is " +
                     (mode.empty() ? "not set" : mode) + " in " + what);
  }
  return out;
}

// A PartitionInput (CreatePartition's member, an entry of BatchCreatePartition's list).
PartitionInput ReadPartition(JsonInput& in, JsonInput pi, bool values_required = true) {
  PartitionInput out;
  if (pi.kind() == JsonKind::kNull) {
    AddMissing(in, "PartitionInput");
    return out;
  }
  if (pi.kind() != JsonKind::kObject) {
    in.AddError("PartitionInput must be a structure");
    return out;
  }
  if (values_required ? Require(pi, "Values") : pi.Kind("Values") != JsonKind::kNull) {
    out.values = ReadStrings(in, pi.Get("Values"), "Values must be a list of strings",
                             "Values must be a list of strings");
  }
  out.json = pi.Json();
  return out;
}

template <typename T>
Result<Input> Done(const JsonInput& in, T input) {
  SEALSTACK_RETURN_IF_ERROR(GlueInputStatus(in));
  return Input(std::move(input));
}

// Get<Things> (jobs, crawlers, security configurations): a page of up to 1000, and nothing else.
template <typename T>
Result<Input> ReadPageOnly(JsonInput& in) {
  return Done(in, T{ReadPage(in, 1000)});
}

// List<Things> (jobs, crawlers): a page of up to 1000 names, of resources with all of Tags.
template <typename T>
Result<Input> ReadTaggedPage(JsonInput& in) {
  T out;
  out.page = ReadPage(in, 1000);
  out.tags = ReadTagMap(in, "Tags");
  return Done(in, std::move(out));
}

// ---------------------------------------------------------------- jobs

Result<Input> ReadCreateJob(JsonInput& in) {
  CreateJobInput out;
  out.name = RequiredString(in, "Name", 1, 255);
  auto role = in.String("Role", true, 1, 2048);
  Require(in, "Command");
  out.job = ReadJobMembers(in);
  out.job.role = std::move(role);
  out.tags = ReadTagMap(in, "Tags");
  return Done(in, std::move(out));
}

Result<Input> ReadUpdateJob(JsonInput& in) {
  UpdateJobInput out;
  out.job_name = RequiredString(in, "JobName", 1, 255);
  if (auto update = RequiredStructure(in, "JobUpdate")) {
    out.job_update = ReadJobMembers(*update);
    if (update->Kind("Role") != JsonKind::kNull)
      out.job_update.role = update->String("Role", false);
  }
  return Done(in, std::move(out));
}

Result<Input> ReadGetJob(JsonInput& in) {
  return Done(in, GetJobInput{RequiredString(in, "JobName", 1, 255)});
}

Result<Input> ReadBatchGetJobs(JsonInput& in) {
  BatchGetJobsInput out;
  if (Require(in, "JobNames")) {
    out.job_names = ReadStrings(in, in.Get("JobNames"), "JobNames must be a list",
                                "JobNames must hold strings");
  }
  return Done(in, std::move(out));
}

Result<Input> ReadDeleteJob(JsonInput& in) {
  return Done(in, DeleteJobInput{RequiredString(in, "JobName", 1, 255)});
}

Result<Input> ReadTagResource(JsonInput& in) {
  TagResourceInput out;
  out.resource_arn = RequiredString(in, "ResourceArn", 1, 10240);
  if (Require(in, "TagsToAdd"))
    out.tags_to_add = ReadTagMap(in, "TagsToAdd").value_or(StringPairs());
  return Done(in, std::move(out));
}

Result<Input> ReadUntagResource(JsonInput& in) {
  UntagResourceInput out;
  out.resource_arn = RequiredString(in, "ResourceArn", 1, 10240);
  if (Require(in, "TagsToRemove")) {
    if (auto items = in.Get("TagsToRemove").Items()) {
      for (const JsonInput& item : *items) {
        if (auto key = item.AsString()) out.tags_to_remove.push_back(std::move(*key));
      }
    } else {
      in.AddError("TagsToRemove must be a list");
    }
  }
  return Done(in, std::move(out));
}

Result<Input> ReadGetTags(JsonInput& in) {
  return Done(in, GetTagsInput{RequiredString(in, "ResourceArn", 1, 10240)});
}

// ---------------------------------------------------------------- security configurations

Result<Input> ReadCreateSecurityConfiguration(JsonInput& in) {
  CreateSecurityConfigurationInput out;
  out.name = RequiredString(in, "Name", 1, 255);
  if (Require(in, "EncryptionConfiguration")) {
    JsonInput ec = in.Get("EncryptionConfiguration");
    if (auto read = ReadEncryptionConfiguration(ec))
      out.encryption_configuration = std::move(*read);
  }
  return Done(in, std::move(out));
}

Result<Input> ReadGetSecurityConfiguration(JsonInput& in) {
  return Done(in, GetSecurityConfigurationInput{RequiredString(in, "Name", 1, 255)});
}

Result<Input> ReadDeleteSecurityConfiguration(JsonInput& in) {
  return Done(in, DeleteSecurityConfigurationInput{RequiredString(in, "Name", 1, 255)});
}

// ---------------------------------------------------------------- job runs

Result<Input> ReadStartJobRun(JsonInput& in) {
  StartJobRunInput out;
  out.job_name = RequiredString(in, "JobName", 1, 255);
  out.arguments = in.StringEntries("Arguments");
  out.timeout = in.Integer("Timeout", false, 1, INT32_MAX);
  out.security_configuration = in.String("SecurityConfiguration", false);
  return Done(in, std::move(out));
}

Result<Input> ReadGetJobRun(JsonInput& in) {
  GetJobRunInput out;
  out.job_name = RequiredString(in, "JobName", 1, 255);
  out.run_id = RequiredString(in, "RunId", 1, 255);
  return Done(in, std::move(out));
}

Result<Input> ReadGetJobBookmark(JsonInput& in) {
  GetJobBookmarkInput out;
  out.job_name = RequiredString(in, "JobName", 1, 255);
  out.run_id = in.String("RunId", false);
  return Done(in, std::move(out));
}

Result<Input> ReadResetJobBookmark(JsonInput& in) {
  ResetJobBookmarkInput out;
  out.job_name = RequiredString(in, "JobName", 1, 255);
  out.run_id = in.String("RunId", false);
  return Done(in, std::move(out));
}

Result<Input> ReadGetJobRuns(JsonInput& in) {
  GetJobRunsInput out;
  out.job_name = RequiredString(in, "JobName", 1, 255);
  out.page = ReadPage(in, 200);
  return Done(in, std::move(out));
}

Result<Input> ReadBatchStopJobRun(JsonInput& in) {
  BatchStopJobRunInput out;
  out.job_name = RequiredString(in, "JobName", 1, 255);
  if (Require(in, "JobRunIds")) {
    auto items = in.Get("JobRunIds").Items();
    if (!items || items->empty() || items->size() > 25) {
      in.AddError(
          "1 validation error detected: Value at 'jobRunIds' failed to satisfy constraint: Member "
          "must have length between 1 and 25");
    } else {
      for (const JsonInput& item : *items) {
        auto id = item.AsString();
        if (!id) {
          in.AddError("JobRunIds must hold strings");
          break;
        }
        out.job_run_ids.push_back(std::move(*id));
      }
    }
  }
  return Done(in, std::move(out));
}

// ---------------------------------------------------------------- catalog

Result<Input> ReadPutDataCatalogEncryptionSettings(JsonInput& in) {
  PutDataCatalogEncryptionSettingsInput out;
  out.catalog_id = ReadCatalogId(in);
  if (Require(in, "DataCatalogEncryptionSettings")) {
    JsonInput s = in.Get("DataCatalogEncryptionSettings");
    if (auto read = ReadDataCatalogEncryptionSettings(s)) out.settings = std::move(*read);
  }
  return Done(in, std::move(out));
}

Result<Input> ReadGetDataCatalogEncryptionSettings(JsonInput& in) {
  return Done(in, GetDataCatalogEncryptionSettingsInput{ReadCatalogId(in)});
}

Result<Input> ReadCreateDatabase(JsonInput& in) {
  CreateDatabaseInput out;
  out.catalog_id = ReadCatalogId(in);
  if (auto di = RequiredStructure(in, "DatabaseInput")) {
    out.database_input.name = RequiredString(*di, "Name", 1, 255);
    (void)di->String("Description", false, 0, 2048);
    (void)di->StringEntries("Parameters");
    out.database_input.json = di->Json();
  }
  (void)in.StringEntries("Tags");  // checked, not kept (as Glue's own tags are not modelled)
  return Done(in, std::move(out));
}

Result<Input> ReadGetDatabase(JsonInput& in) {
  GetDatabaseInput out;
  out.catalog_id = ReadCatalogId(in);
  out.name = RequiredString(in, "Name", 1, 255);
  return Done(in, std::move(out));
}

Result<Input> ReadGetDatabases(JsonInput& in) {
  GetDatabasesInput out;
  out.catalog_id = ReadCatalogId(in);
  out.page = ReadPage(in, 100);
  return Done(in, std::move(out));
}

Result<Input> ReadUpdateDatabase(JsonInput& in) {
  UpdateDatabaseInput out;
  out.catalog_id = ReadCatalogId(in);
  out.name = RequiredString(in, "Name", 1, 255);
  if (auto di = RequiredStructure(in, "DatabaseInput")) out.database_input_json = di->Json();
  return Done(in, std::move(out));
}

Result<Input> ReadDeleteDatabase(JsonInput& in) {
  DeleteDatabaseInput out;
  out.catalog_id = ReadCatalogId(in);
  out.name = RequiredString(in, "Name", 1, 255);
  return Done(in, std::move(out));
}

// CreateTable and UpdateTable.
CreateTableInput ReadTableRequest(JsonInput& in) {
  CreateTableInput out;
  out.catalog_id = ReadCatalogId(in);
  out.database_name = RequiredString(in, "DatabaseName", 1, 255);
  if (auto ti = RequiredStructure(in, "TableInput")) {
    out.table_input.name = RequiredString(*ti, "Name", 1, 255);
    (void)ti->String("Description", false, 0, 2048);
    (void)ti->StringEntries("Parameters");
    (void)ti->Object("StorageDescriptor");
    out.table_input.json = ti->Json();
  }
  return out;
}

Result<Input> ReadCreateTable(JsonInput& in) {
  CreateTableInput out = ReadTableRequest(in);
  return Done(in, std::move(out));
}

Result<Input> ReadUpdateTable(JsonInput& in) {
  UpdateTableInput out{ReadTableRequest(in)};
  return Done(in, std::move(out));
}

// CatalogId, DatabaseName and the member `name` names (GetTable, DeleteTable, the partitions).
GetTableInput ReadTablePath(JsonInput& in, std::string_view name) {
  GetTableInput out;
  out.catalog_id = ReadCatalogId(in);
  out.database_name = RequiredString(in, "DatabaseName", 1, 255);
  out.name = RequiredString(in, name, 1, 255);
  return out;
}

Result<Input> ReadGetTable(JsonInput& in) {
  GetTableInput out = ReadTablePath(in, "Name");
  return Done(in, std::move(out));
}

Result<Input> ReadDeleteTable(JsonInput& in) {
  DeleteTableInput out{ReadTablePath(in, "Name")};
  return Done(in, std::move(out));
}

Result<Input> ReadGetTables(JsonInput& in) {
  GetTablesInput out;
  out.catalog_id = ReadCatalogId(in);
  out.database_name = RequiredString(in, "DatabaseName", 1, 255);
  out.page = ReadPage(in, 100);
  return Done(in, std::move(out));
}

Result<Input> ReadCreatePartition(JsonInput& in) {
  GetTableInput path = ReadTablePath(in, "TableName");
  CreatePartitionInput out;
  out.catalog_id = std::move(path.catalog_id);
  out.database_name = std::move(path.database_name);
  out.table_name = std::move(path.name);
  out.partition_input = ReadPartition(in, in.Get("PartitionInput"));
  return Done(in, std::move(out));
}

Result<Input> ReadBatchCreatePartition(JsonInput& in) {
  BatchCreatePartitionInput out;
  out.catalog_id = ReadCatalogId(in);
  out.database_name = RequiredString(in, "DatabaseName", 1, 255);
  out.table_name = RequiredString(in, "TableName", 1, 255);
  if (Require(in, "PartitionInputList")) {
    auto items = in.Get("PartitionInputList").Items();
    if (!items || items->size() > 100) {
      in.AddError("PartitionInputList must be a list of at most 100 partitions");
    } else {
      for (const JsonInput& item : *items) {
        // Each entry fails on its own: its error is answered in Errors, not as the request's.
        JsonInput entry = item.WithOwnErrors();
        PartitionEntry e;
        e.partition = ReadPartition(entry, entry);
        e.error = GlueInputStatus(entry);
        if (item.Kind("Values") != JsonKind::kNull) e.values_json = item.Get("Values").Json();
        out.partition_input_list.push_back(std::move(e));
      }
    }
  }
  return Done(in, std::move(out));
}

template <typename T>
T ReadPartitionPath(JsonInput& in) {
  GetTableInput path = ReadTablePath(in, "TableName");
  T out;
  out.catalog_id = std::move(path.catalog_id);
  out.database_name = std::move(path.database_name);
  out.table_name = std::move(path.name);
  return out;
}

template <typename T>
Result<Input> ReadOnePartition(JsonInput& in) {
  auto out = ReadPartitionPath<T>(in);
  if (Require(in, "PartitionValues")) {
    out.partition_values =
        ReadStrings(in, in.Get("PartitionValues"), "Values must be a list of strings",
                    "Values must be a list of strings");
  }
  return Done(in, std::move(out));
}

Result<Input> ReadGetPartition(JsonInput& in) {
  return ReadOnePartition<GetPartitionInput>(in);
}

Result<Input> ReadDeletePartition(JsonInput& in) {
  return ReadOnePartition<DeletePartitionInput>(in);
}

Result<Input> ReadGetPartitions(JsonInput& in) {
  auto out = ReadPartitionPath<GetPartitionsInput>(in);
  out.expression = in.String("Expression", false, 0, 2048);
  out.page = ReadPage(in, 1000);
  return Done(in, std::move(out));
}

Result<Input> ReadUpdatePartition(JsonInput& in) {
  auto out = ReadPartitionPath<UpdatePartitionInput>(in);
  if (Require(in, "PartitionValueList")) {
    out.partition_value_list = ReadStrings(in, in.Get("PartitionValueList"),
                                           "PartitionValueList must be a list of strings",
                                           "PartitionValueList must be a list of strings");
    if (out.partition_value_list.size() > 100) {
      in.AddConstraintError("PartitionValueList", "[...]",
                            "Member must have length less than or equal to 100");
    }
  }
  out.partition_input = ReadPartition(in, in.Get("PartitionInput"), false);
  return Done(in, std::move(out));
}

// PartitionsToGet / PartitionsToDelete: a list of at most `max` {"Values": [...]}.
template <typename T>
Result<Input> ReadPartitionBatch(JsonInput& in, const char* member, size_t max) {
  auto out = ReadPartitionPath<T>(in);
  if (Require(in, member)) {
    auto items = in.Get(member).Items();
    if (!items) {
      in.AddError(std::string(member) + " must be a list");
    } else if (items->size() > max) {
      in.AddConstraintError(member, "[...]",
                            "Member must have length less than or equal to " + std::to_string(max));
    } else {
      for (JsonInput item : *items) {
        if (!Require(item, "Values")) break;
        out.partitions.push_back(ReadStrings(in, item.Get("Values"),
                                             "Values must be a list of strings",
                                             "Values must be a list of strings"));
      }
    }
  }
  return Done(in, std::move(out));
}

Result<Input> ReadBatchGetPartition(JsonInput& in) {
  return ReadPartitionBatch<BatchGetPartitionInput>(in, "PartitionsToGet", 1000);
}

Result<Input> ReadBatchDeletePartition(JsonInput& in) {
  return ReadPartitionBatch<BatchDeletePartitionInput>(in, "PartitionsToDelete", 25);
}

// ---------------------------------------------------------------- crawlers

// A crawler's members; `create`: Role and Targets are required.
CrawlerDefinition ReadCrawlerMembers(JsonInput& in, bool create) {
  CrawlerDefinition out;
  out.role = in.String("Role", create, 1, 2048);
  if (create) Require(in, "Targets");
  if (in.Kind("Targets") != JsonKind::kNull) {
    JsonInput targets = in.Get("Targets");
    if (targets.kind() != JsonKind::kObject) {
      in.AddError("Targets must be a structure");
    } else {
      std::vector<std::string> paths;
      if (targets.Kind("S3Targets") != JsonKind::kNull) {
        auto items = targets.Get("S3Targets").Items();
        if (!items) {
          in.AddError("S3Targets must be a list");
        } else {
          for (JsonInput t : *items) {
            if (auto path = t.String("Path", true, 1, SIZE_MAX)) paths.push_back(std::move(*path));
          }
        }
      }
      out.s3_paths = std::move(paths);
    }
  }
  out.database_name = in.String("DatabaseName", false);
  out.table_prefix = in.String("TablePrefix", false, 0, 128);
  out.schedule = in.String("Schedule", false);
  out.security_configuration = in.String("CrawlerSecurityConfiguration", false, 0, 128);
  out.json = in.Json();
  return out;
}

Result<Input> ReadCreateCrawler(JsonInput& in) {
  CreateCrawlerInput out;
  out.name = RequiredString(in, "Name", 1, 255);
  out.crawler = ReadCrawlerMembers(in, true);
  out.tags = ReadTagMap(in, "Tags");
  return Done(in, std::move(out));
}

Result<Input> ReadUpdateCrawler(JsonInput& in) {
  UpdateCrawlerInput out;
  out.name = RequiredString(in, "Name", 1, 255);
  out.crawler = ReadCrawlerMembers(in, false);
  return Done(in, std::move(out));
}

// A crawler's or trigger's operation that takes only its Name.
template <typename T>
Result<Input> ReadName(JsonInput& in) {
  T out;
  out.name = RequiredString(in, "Name", 1, 255);
  return Done(in, std::move(out));
}

Result<Input> ReadGetCrawlerMetrics(JsonInput& in) {
  GetCrawlerMetricsInput out;
  if (in.Kind("CrawlerNameList") != JsonKind::kNull) {
    out.names = ReadStrings(in, in.Get("CrawlerNameList"), "CrawlerNameList must be a list",
                            "CrawlerNameList must hold strings");
    if (out.names.size() > 100) {
      in.AddConstraintError("CrawlerNameList", "[...]",
                            "Member must have length less than or equal to 100");
    }
  }
  out.page = ReadPage(in, 1000);
  return Done(in, std::move(out));
}

Result<Input> ReadCreateConnection(JsonInput& in) {
  CreateConnectionInput out;
  out.catalog_id = ReadCatalogId(in);
  if (auto ci = RequiredStructure(in, "ConnectionInput")) {
    out.connection_input.name = RequiredString(*ci, "Name", 1, 255);
    out.connection_input.connection_type = RequiredString(*ci, "ConnectionType", 0, SIZE_MAX);
    out.connection_input.connection_properties = ci->StringEntries("ConnectionProperties");
    out.connection_input.json = ci->Json();
  }
  return Done(in, std::move(out));
}

// HidePassword: true only when it is the boolean true (anything else is ignored).
bool ReadHidePassword(JsonInput& in) {
  return in.Kind("HidePassword") == JsonKind::kBool && in.Bool("HidePassword").value_or(false);
}

Result<Input> ReadGetConnection(JsonInput& in) {
  GetConnectionInput out;
  out.catalog_id = ReadCatalogId(in);
  out.name = RequiredString(in, "Name", 1, 255);
  out.hide_password = ReadHidePassword(in);
  return Done(in, std::move(out));
}

Result<Input> ReadGetConnections(JsonInput& in) {
  GetConnectionsInput out;
  out.catalog_id = ReadCatalogId(in);
  out.page = ReadPage(in, 1000);
  out.hide_password = ReadHidePassword(in);
  return Done(in, std::move(out));
}

Result<Input> ReadDeleteConnection(JsonInput& in) {
  DeleteConnectionInput out;
  out.catalog_id = ReadCatalogId(in);
  out.connection_name = RequiredString(in, "ConnectionName", 1, 255);
  return Done(in, std::move(out));
}

// ---------------------------------------------------------------- triggers

std::vector<TriggerAction> ReadTriggerActions(JsonInput& in) {
  std::vector<TriggerAction> out;
  auto items = in.Get("Actions").Items();
  if (!items) {
    in.AddError("Actions must be a list");
    return out;
  }
  for (JsonInput a : *items) {
    if (a.kind() != JsonKind::kObject) {
      in.AddError("Actions must hold structures");
      break;
    }
    TriggerAction action;
    action.job_name = a.String("JobName", false, 1, 255);
    action.arguments = a.StringEntries("Arguments");
    action.timeout = a.Integer("Timeout", false, 1, INT32_MAX);
    action.security_configuration = a.String("SecurityConfiguration", false, 1, 255);
    action.crawler_name = a.String("CrawlerName", false, 1, 255);
    if (!action.job_name && !action.crawler_name) {
      in.AddError("Each action must name a JobName or a CrawlerName");
    }
    out.push_back(std::move(action));
  }
  if (out.empty()) in.AddError("Actions must not be empty");
  return out;
}

std::optional<TriggerPredicate> ReadTriggerPredicate(JsonInput& in) {
  auto p = in.Object("Predicate");
  if (!p) return std::nullopt;
  TriggerPredicate out;
  out.logical = p->Enum("Logical", false, {"AND", "ANY"}).value_or("AND");
  if (p->Kind("Conditions") != JsonKind::kNull) {
    auto items = p->Get("Conditions").Items();
    if (!items) {
      in.AddError("Conditions must be a list");
      return out;
    }
    for (JsonInput c : *items) {
      TriggerCondition cond;
      (void)c.Enum("LogicalOperator", false, {"EQUALS"});
      cond.job_name = c.String("JobName", false, 1, 255).value_or("");
      cond.state = c.Enum("State", false,
                          {"STARTING", "RUNNING", "STOPPING", "STOPPED", "SUCCEEDED", "FAILED",
                           "TIMEOUT", "ERROR", "WAITING", "EXPIRED"})
                       .value_or("");
      cond.crawler_name = c.String("CrawlerName", false, 1, 255).value_or("");
      cond.crawl_state =
          c.Enum("CrawlState", false,
                 {"RUNNING", "CANCELLING", "CANCELLED", "SUCCEEDED", "FAILED", "ERROR"})
              .value_or("");
      out.conditions.push_back(std::move(cond));
    }
  }
  return out;
}

TriggerDefinition ReadTriggerMembers(JsonInput& in, bool create) {
  TriggerDefinition out;
  (void)in.String("Description", false, 0, 2048);
  out.schedule = in.String("Schedule", false);
  if (create) Require(in, "Actions");
  if (in.Kind("Actions") != JsonKind::kNull) out.actions = ReadTriggerActions(in);
  out.predicate = ReadTriggerPredicate(in);
  out.json = in.Json();
  return out;
}

Result<Input> ReadCreateTrigger(JsonInput& in) {
  CreateTriggerInput out;
  out.name = RequiredString(in, "Name", 1, 255);
  (void)in.String("WorkflowName", false, 1, 255);
  out.type = in.Enum("Type", true, {"SCHEDULED", "CONDITIONAL", "ON_DEMAND", "EVENT"}).value_or("");
  out.trigger = ReadTriggerMembers(in, true);
  out.start_on_creation = in.Bool("StartOnCreation").value_or(false);
  out.tags = ReadTagMap(in, "Tags");
  return Done(in, std::move(out));
}

Result<Input> ReadUpdateTrigger(JsonInput& in) {
  UpdateTriggerInput out;
  out.name = RequiredString(in, "Name", 1, 255);
  if (auto update = RequiredStructure(in, "TriggerUpdate")) {
    out.trigger = ReadTriggerMembers(*update, false);
  }
  return Done(in, std::move(out));
}

Result<Input> ReadGetTriggers(JsonInput& in) {
  GetTriggersInput out;
  out.page = ReadPage(in, 200);
  out.dependent_job_name = in.String("DependentJobName", false, 1, 255);
  return Done(in, std::move(out));
}

Result<Input> ReadListTriggers(JsonInput& in) {
  ListTriggersInput out;
  out.page = ReadPage(in, 200);
  out.dependent_job_name = in.String("DependentJobName", false, 1, 255);
  out.tags = ReadTagMap(in, "Tags");
  return Done(in, std::move(out));
}

Result<Input> ReadBatchGetTriggers(JsonInput& in) {
  BatchGetTriggersInput out;
  if (Require(in, "TriggerNames")) {
    out.names = ReadStrings(in, in.Get("TriggerNames"), "TriggerNames must be a list",
                            "TriggerNames must hold strings");
  }
  return Done(in, std::move(out));
}

}  // namespace

JsonInputStyle GlueInputStyle() {
  JsonInputStyle style;
  style.first_error_only = true;
  style.elide_long_values = false;
  style.type_errors_as_validation = true;
  return style;
}

Status GlueInputStatus(const JsonInput& in) {
  Status st = in.Finish();
  return st.ok() ? st : InvalidInput(st.message());
}

std::optional<EncryptionConfiguration> ReadEncryptionConfiguration(JsonInput& ec) {
  if (ec.kind() != JsonKind::kObject) {
    ec.AddError("EncryptionConfiguration must be a structure");
    return std::nullopt;
  }
  EncryptionConfiguration out;
  if (ec.Kind("S3Encryption") != JsonKind::kNull) {
    auto items = ec.Get("S3Encryption").Items();
    if (!items) {
      ec.AddError("S3Encryption must be a list");
    } else if (items->size() > 1) {
      ec.AddError("S3Encryption: only one S3 encryption setting is supported");
    } else {
      for (const JsonInput& e : *items) {
        auto s = ReadEncryptionSetting(e, "S3EncryptionMode", {"DISABLED", "SSE-KMS", "SSE-S3"},
                                       "SSE-KMS", "S3Encryption");
        if (s) out.s3_encryption.push_back(std::move(*s));
      }
    }
  }
  if (ec.Kind("CloudWatchEncryption") != JsonKind::kNull) {
    out.cloudwatch_encryption =
        ReadEncryptionSetting(ec.Get("CloudWatchEncryption"), "CloudWatchEncryptionMode",
                              {"DISABLED", "SSE-KMS"}, "SSE-KMS", "CloudWatchEncryption");
  }
  if (ec.Kind("JobBookmarksEncryption") != JsonKind::kNull) {
    out.job_bookmarks_encryption =
        ReadEncryptionSetting(ec.Get("JobBookmarksEncryption"), "JobBookmarksEncryptionMode",
                              {"DISABLED", "CSE-KMS"}, "CSE-KMS", "JobBookmarksEncryption");
  }
  if (ec.Kind("DataQualityEncryption") != JsonKind::kNull) {
    out.data_quality_encryption =
        ReadEncryptionSetting(ec.Get("DataQualityEncryption"), "DataQualityEncryptionMode",
                              {"DISABLED", "SSE-KMS"}, "SSE-KMS", "DataQualityEncryption");
  }
  out.json = ec.Json();
  return out;
}

std::optional<DataCatalogEncryptionSettings> ReadDataCatalogEncryptionSettings(JsonInput& s) {
  if (s.kind() != JsonKind::kObject) {
    s.AddError("DataCatalogEncryptionSettings must be a structure");
    return std::nullopt;
  }
  DataCatalogEncryptionSettings out;
  if (s.Kind("EncryptionAtRest") != JsonKind::kNull) {
    // A member of anything but an object reads as an object without members.
    JsonInput ear = s.Get("EncryptionAtRest");
    EncryptionAtRest e;
    e.catalog_encryption_mode = ear.Enum("CatalogEncryptionMode", true,
                                         {"DISABLED", "SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE"})
                                    .value_or("");
    e.sse_aws_kms_key_id = ear.String("SseAwsKmsKeyId", false, 1, 255);
    e.catalog_encryption_service_role = ear.String("CatalogEncryptionServiceRole", false);
    const std::string& mode = e.catalog_encryption_mode;
    const bool has_key = !e.sse_aws_kms_key_id.value_or("").empty();
    const bool has_role = !e.catalog_encryption_service_role.value_or("").empty();
    if (mode == "DISABLED" && has_key) {
      s.AddError("SseAwsKmsKeyId must not be given when CatalogEncryptionMode is DISABLED");
    } else if (mode == "SSE-KMS-WITH-SERVICE-ROLE") {
      if (!has_role) {
        s.AddError(
            "CatalogEncryptionServiceRole is required when CatalogEncryptionMode is "
            "SSE-KMS-WITH-SERVICE-ROLE");
      }
    } else if (has_role) {
      s.AddError("CatalogEncryptionServiceRole is only valid with SSE-KMS-WITH-SERVICE-ROLE");
    }
    e.json = ear.Json();
    out.encryption_at_rest = std::move(e);
  }
  if (s.Kind("ConnectionPasswordEncryption") != JsonKind::kNull) {
    JsonInput cpe = s.Get("ConnectionPasswordEncryption");
    ConnectionPasswordEncryption c;
    const JsonKind returned = cpe.Kind("ReturnConnectionPasswordEncrypted");
    if (returned == JsonKind::kNull) {
      AddMissing(cpe, "ReturnConnectionPasswordEncrypted");
    } else if (returned != JsonKind::kBool) {
      cpe.AddError("ReturnConnectionPasswordEncrypted must be a boolean");
    } else {
      c.return_connection_password_encrypted =
          cpe.Bool("ReturnConnectionPasswordEncrypted").value_or(false);
    }
    c.aws_kms_key_id = cpe.String("AwsKmsKeyId", false, 1, 255);
    if (c.return_connection_password_encrypted && c.aws_kms_key_id.value_or("").empty()) {
      cpe.AddError("AwsKmsKeyId is required when ReturnConnectionPasswordEncrypted is true");
    }
    c.json = cpe.Json();
    out.connection_password_encryption = std::move(c);
  }
  return out;
}

InputReader FindInputReader(std::string_view operation) {
  static const std::map<std::string, InputReader, std::less<>> kReaders = {
      {"CreateJob", ReadCreateJob},
      {"UpdateJob", ReadUpdateJob},
      {"GetJob", ReadGetJob},
      {"GetJobs", ReadPageOnly<GetJobsInput>},
      {"ListJobs", ReadTaggedPage<ListJobsInput>},
      {"BatchGetJobs", ReadBatchGetJobs},
      {"DeleteJob", ReadDeleteJob},
      {"TagResource", ReadTagResource},
      {"UntagResource", ReadUntagResource},
      {"GetTags", ReadGetTags},
      {"CreateSecurityConfiguration", ReadCreateSecurityConfiguration},
      {"GetSecurityConfiguration", ReadGetSecurityConfiguration},
      {"GetSecurityConfigurations", ReadPageOnly<GetSecurityConfigurationsInput>},
      {"DeleteSecurityConfiguration", ReadDeleteSecurityConfiguration},
      {"StartJobRun", ReadStartJobRun},
      {"GetJobRun", ReadGetJobRun},
      {"GetJobBookmark", ReadGetJobBookmark},
      {"ResetJobBookmark", ReadResetJobBookmark},
      {"GetJobRuns", ReadGetJobRuns},
      {"BatchStopJobRun", ReadBatchStopJobRun},
      {"PutDataCatalogEncryptionSettings", ReadPutDataCatalogEncryptionSettings},
      {"GetDataCatalogEncryptionSettings", ReadGetDataCatalogEncryptionSettings},
      {"CreateDatabase", ReadCreateDatabase},
      {"GetDatabase", ReadGetDatabase},
      {"GetDatabases", ReadGetDatabases},
      {"UpdateDatabase", ReadUpdateDatabase},
      {"DeleteDatabase", ReadDeleteDatabase},
      {"CreateTable", ReadCreateTable},
      {"GetTable", ReadGetTable},
      {"GetTables", ReadGetTables},
      {"UpdateTable", ReadUpdateTable},
      {"DeleteTable", ReadDeleteTable},
      {"CreatePartition", ReadCreatePartition},
      {"BatchCreatePartition", ReadBatchCreatePartition},
      {"GetPartition", ReadGetPartition},
      {"GetPartitions", ReadGetPartitions},
      {"UpdatePartition", ReadUpdatePartition},
      {"DeletePartition", ReadDeletePartition},
      {"BatchGetPartition", ReadBatchGetPartition},
      {"BatchDeletePartition", ReadBatchDeletePartition},
      {"CreateCrawler", ReadCreateCrawler},
      {"UpdateCrawler", ReadUpdateCrawler},
      {"GetCrawler", ReadName<GetCrawlerInput>},
      {"DeleteCrawler", ReadName<DeleteCrawlerInput>},
      {"StartCrawler", ReadName<StartCrawlerInput>},
      {"StopCrawler", ReadName<StopCrawlerInput>},
      {"GetCrawlers", ReadPageOnly<GetCrawlersInput>},
      {"ListCrawlers", ReadTaggedPage<ListCrawlersInput>},
      {"GetCrawlerMetrics", ReadGetCrawlerMetrics},
      {"CreateConnection", ReadCreateConnection},
      {"GetConnection", ReadGetConnection},
      {"GetConnections", ReadGetConnections},
      {"DeleteConnection", ReadDeleteConnection},
      {"CreateTrigger", ReadCreateTrigger},
      {"UpdateTrigger", ReadUpdateTrigger},
      {"GetTrigger", ReadName<GetTriggerInput>},
      {"DeleteTrigger", ReadName<DeleteTriggerInput>},
      {"StartTrigger", ReadName<StartTriggerInput>},
      {"StopTrigger", ReadName<StopTriggerInput>},
      {"GetTriggers", ReadGetTriggers},
      {"ListTriggers", ReadListTriggers},
      {"BatchGetTriggers", ReadBatchGetTriggers},
  };
  auto it = kReaders.find(operation);
  return it == kReaders.end() ? nullptr : it->second;
}

}  // namespace sealstack::api::glue
