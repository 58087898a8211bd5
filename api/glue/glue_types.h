// glue::Service's typed inputs: one struct per operation, read and validated once at the wire
// edge (glue_wire_readers.cpp, through api/common/json_input). The service checks only what needs
// state: whether a job, table or role exists, the caller's catalog, authorization.
//
// Glue's large pass-through documents (a job's members, TableInput, PartitionInput,
// ConnectionInput, DatabaseInput, an EncryptionConfiguration, ...) travel as `json`: the member's
// compact JSON text as the request gave it (member order kept), after the reader checked the parts
// Glue constrains. The service stores them as they are.
//
// Optional members are std::optional; an absent member and a JSON null are the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/common/json_input.h"
#include "common/status.h"

namespace sealstack::api::glue {

// MaxResults and NextToken of a Get*/List* call.
struct PageRequest {
  std::optional<int64_t> max_results;
  std::string after;  // the decoded NextToken; "" = from the start
};

// ---------------------------------------------------------------- jobs

struct JobCommand {
  std::optional<std::string> name;  // "glueetl", "pythonshell", ...
  std::optional<std::string> script_location;
  std::optional<std::string> python_version;
};

// The job members of CreateJob's request or of UpdateJob's JobUpdate.
struct JobDefinition {
  std::optional<std::string> role;  // CreateJob: required
  std::optional<JobCommand> command;
  std::optional<std::string> description, log_uri, security_configuration, glue_version;
  std::optional<int64_t> timeout, max_retries, number_of_workers;
  std::optional<int64_t> max_concurrent_runs;  // ExecutionProperty.MaxConcurrentRuns
  std::optional<std::string> job_mode, worker_type, execution_class;
  std::optional<StringPairs> default_arguments, non_overridable_arguments;
  std::optional<double> max_capacity;
  // Every member as given (nulls and members Glue does not constrain included): what is stored.
  std::string json;
};

struct CreateJobInput {
  std::string name;
  JobDefinition job;  // role and command present
  std::optional<StringPairs> tags;
};
struct UpdateJobInput {
  std::string job_name;
  JobDefinition job_update;
};
struct GetJobInput {
  std::string job_name;
};
struct GetJobsInput {
  PageRequest page;
};
struct ListJobsInput {
  PageRequest page;
  std::optional<StringPairs> tags;  // only jobs with all of these tags
};
struct BatchGetJobsInput {
  std::vector<std::string> job_names;
};
struct DeleteJobInput {
  std::string job_name;
};
struct TagResourceInput {
  std::string resource_arn;
  StringPairs tags_to_add;
};
struct UntagResourceInput {
  std::string resource_arn;
  std::vector<std::string> tags_to_remove;  // the list's strings (other entries are ignored)
};
struct GetTagsInput {
  std::string resource_arn;
};

// ---------------------------------------------------------------- security configurations

// One of EncryptionConfiguration's sections (an S3Encryption entry, CloudWatchEncryption, ...).
struct EncryptionSetting {
  std::optional<std::string> mode;  // S3EncryptionMode, CloudWatchEncryptionMode, ...
  std::optional<std::string> kms_key_arn;
};
struct EncryptionConfiguration {
  std::vector<EncryptionSetting> s3_encryption;  // at most one
  std::optional<EncryptionSetting> cloudwatch_encryption, job_bookmarks_encryption,
      data_quality_encryption;
  std::string json;  // as given
};

struct CreateSecurityConfigurationInput {
  std::string name;
  EncryptionConfiguration encryption_configuration;
};
struct GetSecurityConfigurationInput {
  std::string name;
};
struct GetSecurityConfigurationsInput {
  PageRequest page;
};
struct DeleteSecurityConfigurationInput {
  std::string name;
};

// ---------------------------------------------------------------- job runs

struct StartJobRunInput {
  std::string job_name;
  std::optional<StringPairs> arguments;
  std::optional<int64_t> timeout;
  std::optional<std::string> security_configuration;
};
struct GetJobRunInput {
  std::string job_name;
  std::string run_id;
};
struct GetJobRunsInput {
  std::string job_name;
  PageRequest page;
};
struct BatchStopJobRunInput {
  std::string job_name;
  std::vector<std::string> job_run_ids;  // 1 to 25
};

// ---------------------------------------------------------------- catalog

struct EncryptionAtRest {
  std::string catalog_encryption_mode;  // DISABLED, SSE-KMS, SSE-KMS-WITH-SERVICE-ROLE
  std::optional<std::string> sse_aws_kms_key_id;
  std::optional<std::string> catalog_encryption_service_role;
  std::string json;  // as given
};
struct ConnectionPasswordEncryption {
  bool return_connection_password_encrypted = false;
  std::optional<std::string> aws_kms_key_id;
  std::string json;  // as given
};
struct DataCatalogEncryptionSettings {
  std::optional<EncryptionAtRest> encryption_at_rest;
  std::optional<ConnectionPasswordEncryption> connection_password_encryption;
};

struct PutDataCatalogEncryptionSettingsInput {
  std::optional<std::string> catalog_id;
  DataCatalogEncryptionSettings settings;
};
struct GetDataCatalogEncryptionSettingsInput {
  std::optional<std::string> catalog_id;
};

// Catalog names are stored lower-cased; the inputs hold them as the request gave them.
struct DatabaseInput {
  std::string name;
  std::string json;  // as given
};
struct CreateDatabaseInput {
  std::optional<std::string> catalog_id;
  DatabaseInput database_input;
};
struct GetDatabaseInput {
  std::optional<std::string> catalog_id;
  std::string name;
};
struct GetDatabasesInput {
  std::optional<std::string> catalog_id;
  PageRequest page;
};
struct UpdateDatabaseInput {
  std::optional<std::string> catalog_id;
  std::string name;
  std::string database_input_json;  // DatabaseInput as given (not checked further)
};
struct DeleteDatabaseInput {
  std::optional<std::string> catalog_id;
  std::string name;
};

struct TableInput {
  std::string name;
  std::string json;  // as given
};
struct CreateTableInput {
  std::optional<std::string> catalog_id;
  std::string database_name;
  TableInput table_input;
};
struct UpdateTableInput : CreateTableInput {};
struct GetTableInput {
  std::optional<std::string> catalog_id;
  std::string database_name;
  std::string name;
};
struct DeleteTableInput : GetTableInput {};
struct GetTablesInput {
  std::optional<std::string> catalog_id;
  std::string database_name;
  PageRequest page;
};

struct PartitionInput {
  std::vector<std::string> values;
  std::string json;  // as given
};
struct CreatePartitionInput {
  std::optional<std::string> catalog_id;
  std::string database_name;
  std::string table_name;
  PartitionInput partition_input;
};
// One entry of PartitionInputList: a partition, or why it is not one (entries fail one by one).
struct PartitionEntry {
  Status error;  // OK when `partition` was read
  PartitionInput partition;
  std::optional<std::string> values_json;  // the entry's Values as given, for its error
};
struct BatchCreatePartitionInput {
  std::optional<std::string> catalog_id;
  std::string database_name;
  std::string table_name;
  std::vector<PartitionEntry> partition_input_list;  // at most 100
};
struct GetPartitionInput {
  std::optional<std::string> catalog_id;
  std::string database_name;
  std::string table_name;
  std::vector<std::string> partition_values;
};
struct DeletePartitionInput : GetPartitionInput {};
struct GetPartitionsInput {
  std::optional<std::string> catalog_id;
  std::string database_name;
  std::string table_name;
  std::optional<std::string> expression;  // partition_expression.h; checked by the service
  PageRequest page;
};
struct UpdatePartitionInput {
  std::optional<std::string> catalog_id;
  std::string database_name;
  std::string table_name;
  std::vector<std::string> partition_value_list;  // the partition updated
  PartitionInput partition_input;                 // values: the partition's new values (may be
                                                  // empty: unchanged)
};
// BatchGetPartition (PartitionsToGet, at most 1000) and BatchDeletePartition
// (PartitionsToDelete, at most 25): each entry's Values.
struct BatchPartitionsInput {
  std::optional<std::string> catalog_id;
  std::string database_name;
  std::string table_name;
  std::vector<std::vector<std::string>> partitions;
};
struct BatchGetPartitionInput : BatchPartitionsInput {};
struct BatchDeletePartitionInput : BatchPartitionsInput {};

struct ConnectionInput {
  std::string name;
  std::string connection_type;
  std::optional<StringPairs> connection_properties;
  std::string json;  // as given
};
struct CreateConnectionInput {
  std::optional<std::string> catalog_id;
  ConnectionInput connection_input;
};
struct GetConnectionInput {
  std::optional<std::string> catalog_id;
  std::string name;
  bool hide_password = false;
};
struct GetConnectionsInput {
  std::optional<std::string> catalog_id;
  PageRequest page;
  bool hide_password = false;
};
struct DeleteConnectionInput {
  std::optional<std::string> catalog_id;
  std::string connection_name;
};

// ---------------------------------------------------------------- crawlers

// The crawler members of CreateCrawler or UpdateCrawler (Name aside).
struct CrawlerDefinition {
  std::optional<std::string> role;  // CreateCrawler: required
  std::optional<std::vector<std::string>>
      s3_paths;  // Targets.S3Targets[].Path; nullopt: no Targets
  std::optional<std::string> database_name, table_prefix, schedule, security_configuration;
  std::string json;  // every member as given (Targets and all): what is stored
};
struct CreateCrawlerInput {
  std::string name;
  CrawlerDefinition crawler;
  std::optional<StringPairs> tags;
};
struct UpdateCrawlerInput {
  std::string name;
  CrawlerDefinition crawler;
};
// GetCrawler, DeleteCrawler, StartCrawler, StopCrawler: the crawler's Name.
struct CrawlerNameInput {
  std::string name;
};
struct GetCrawlerInput : CrawlerNameInput {};
struct DeleteCrawlerInput : CrawlerNameInput {};
struct StartCrawlerInput : CrawlerNameInput {};
struct StopCrawlerInput : CrawlerNameInput {};
struct GetCrawlersInput {
  PageRequest page;
};
struct ListCrawlersInput {
  PageRequest page;
  std::optional<StringPairs> tags;
};
struct GetCrawlerMetricsInput {
  std::vector<std::string> names;  // CrawlerNameList; empty: every crawler
  PageRequest page;
};

// ---------------------------------------------------------------- triggers

// One of a trigger's Actions: a job to start (with its run's Arguments, Timeout and
// SecurityConfiguration) or a crawler to start.
struct TriggerAction {
  std::optional<std::string> job_name, crawler_name, security_configuration;
  std::optional<StringPairs> arguments;
  std::optional<int64_t> timeout;
};
// One of a Predicate's Conditions: a job's run (JobName, State) or a crawl (CrawlerName,
// CrawlState) reaching a state.
struct TriggerCondition {
  std::string job_name, state, crawler_name, crawl_state;
};
struct TriggerPredicate {
  std::string logical = "AND";  // AND or ANY
  std::vector<TriggerCondition> conditions;
};
// The trigger members of CreateTrigger or UpdateTrigger's TriggerUpdate (Name aside).
struct TriggerDefinition {
  std::optional<std::string> schedule;
  std::optional<TriggerPredicate> predicate;
  std::optional<std::vector<TriggerAction>> actions;  // CreateTrigger: required
  std::string json;                                   // every member as given: what is stored
};
struct CreateTriggerInput {
  std::string name;
  std::string type;  // SCHEDULED, CONDITIONAL, ON_DEMAND, EVENT
  bool start_on_creation = false;
  TriggerDefinition trigger;
  std::optional<StringPairs> tags;
};
struct UpdateTriggerInput {
  std::string name;
  TriggerDefinition trigger;  // TriggerUpdate
};
// GetTrigger, DeleteTrigger, StartTrigger, StopTrigger: the trigger's Name.
struct TriggerNameInput {
  std::string name;
};
struct GetTriggerInput : TriggerNameInput {};
struct DeleteTriggerInput : TriggerNameInput {};
struct StartTriggerInput : TriggerNameInput {};
struct StopTriggerInput : TriggerNameInput {};
struct GetTriggersInput {
  PageRequest page;
  std::optional<std::string> dependent_job_name;
};
struct ListTriggersInput {
  PageRequest page;
  std::optional<std::string> dependent_job_name;
  std::optional<StringPairs> tags;
};
struct BatchGetTriggersInput {
  std::vector<std::string> names;
};

struct GetJobBookmarkInput {
  std::string job_name;
  std::optional<std::string> run_id;
};
struct ResetJobBookmarkInput {
  std::string job_name;
  std::optional<std::string> run_id;
};

// Any operation's input; the operation is named beside it (several share a struct).
using Input = std::variant<
    CreateJobInput, UpdateJobInput, GetJobInput, GetJobsInput, ListJobsInput, BatchGetJobsInput,
    DeleteJobInput, TagResourceInput, UntagResourceInput, GetTagsInput,
    CreateSecurityConfigurationInput, GetSecurityConfigurationInput, GetSecurityConfigurationsInput,
    DeleteSecurityConfigurationInput, StartJobRunInput, GetJobRunInput, GetJobRunsInput,
    BatchStopJobRunInput, PutDataCatalogEncryptionSettingsInput,
    GetDataCatalogEncryptionSettingsInput, CreateDatabaseInput, GetDatabaseInput, GetDatabasesInput,
    UpdateDatabaseInput, DeleteDatabaseInput, CreateTableInput, GetTableInput, GetTablesInput,
    UpdateTableInput, DeleteTableInput, CreatePartitionInput, BatchCreatePartitionInput,
    GetPartitionInput, GetPartitionsInput, UpdatePartitionInput, DeletePartitionInput,
    BatchGetPartitionInput, BatchDeletePartitionInput, CreateCrawlerInput, UpdateCrawlerInput,
    GetCrawlerInput, DeleteCrawlerInput, StartCrawlerInput, StopCrawlerInput, GetCrawlersInput,
    ListCrawlersInput, GetCrawlerMetricsInput, CreateConnectionInput, GetConnectionInput,
    GetConnectionsInput, DeleteConnectionInput, GetJobBookmarkInput, ResetJobBookmarkInput,
    CreateTriggerInput, UpdateTriggerInput, GetTriggerInput, DeleteTriggerInput, StartTriggerInput,
    StopTriggerInput, GetTriggersInput, ListTriggersInput, BatchGetTriggersInput>;

}  // namespace sealstack::api::glue
