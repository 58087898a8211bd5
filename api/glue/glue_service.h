// glue::Service: Glue jobs, security configurations, job runs and the Data Catalog.
//
// Operations take their typed input (glue_types.h), read and validated once at the wire edge
// (glue_wire_readers.h), and return the response's JSON text. Glue's large pass-through documents
// arrive as validated JSON text and are stored as JSON through storage/glue_repo.h. The service
// checks what needs state (the job, the table, the role, the caller's catalog). Errors are Status
// with a glue::ErrorKind detail (glue_errors.h); glue_wire.cpp renders them. Management calls are
// authorized by the caller's identity policies (policy/; the account root may do anything not
// explicitly denied); Glue has no resource policies here. Catalog encryption and job runs call
// kms::Service in-process with kms:ViaService set, so key policies, grants and key state apply.
//
// Job runs (JobRunState; every transition names the function that makes it: the operations
// in glue_runs.cpp, the runner thread's in glue_run_machine.cpp):
//
//   StartJobRun --> STARTING --Validate() fails--------------------------> FAILED
//                      |  \--BatchStopJobRun, then RunMain()-------------> STOPPED
//                      | Validate() ok (role trust + session, security configuration, KMS
//                      |   keys, script object)
//                      v
//                   RUNNING --Execute(): exit 0 (or Options::execute off)-> SUCCEEDED
//                      |  \--Execute(): exit != 0 / killed by signal-----> FAILED
//                      |  \--Supervise(): Timeout passed (injected clock)-> TIMEOUT
//                      |  \--Execute(): the child could not be spawned---> ERROR
//                      | BatchStopJobRun
//                      v
//                   STOPPING --Supervise() ends the child, Execute()-----> STOPPED
//
//   STARTING / RUNNING / STOPPING stored by a server that stopped without ending the run
//                   --EndInterruptedRuns() at the next start-up-----------> FAILED
//
// Every terminal state is stored by Finish(). Children are spawned, polled, signalled and
// reaped only through Dependencies::processes (process_runner.h), so unit tests drive runs
// with a fake runner.
//
// Terminal: STOPPED, SUCCEEDED, FAILED, TIMEOUT, ERROR. A run's temporary credentials (the
// job role's assumed-role session, arn:aws:sts::ACCT:assumed-role/ROLE/<run id>, glue_role.h)
// authenticate from Validate() until the run is terminal; a role whose trust policy does not
// let glue.amazonaws.com assume it fails the run in Validate(). Its output (stdout+stderr, at most
// Options::max_log_bytes) is the run's log, sealed under the CloudWatchEncryption key when set.
//
// Thread safety: all methods are safe to call concurrently. Each executing run has one runner
// thread; the destructor stops all runs (killing their children) and joins the threads.
#pragma once

#include <rapidjson/fwd.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/common/caller.h"
#include "api/glue/glue_role.h"
#include "api/glue/glue_types.h"
#include "api/glue/process_runner.h"
#include "api/kms/kms_audit.h"
#include "api/kms/kms_service.h"
#include "api/logs/logs_service.h"
#include "api/s3/bucket_service.h"
#include "api/s3/data_keys.h"
#include "api/s3/object_store.h"
#include "audit/recorder.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "common/mutex.h"
#include "common/result.h"
#include "crypto/random.h"
#include "crypto/secret_bytes.h"
#include "policy/document.h"
#include "storage/db.h"
#include "storage/glue_repo.h"

namespace sealstack::api {
class AccessCheck;
}  // namespace sealstack::api

namespace sealstack::api::glue {

// request_id is the Glue request's id (audit records; set by HandleGlueRequest).
struct Caller : api::Caller {
  Caller() = default;
  explicit Caller(api::Caller base) : api::Caller(std::move(base)) {}
};

struct Options {
  // Run pythonshell / plain-Python glueetl scripts as child processes (--glue-execute).
  bool execute = true;
  std::string python = "python3";  // resolved through PATH
  // What the scripts' SDKs talk to (AWS_ENDPOINT_URL); set once the listener is bound.
  std::string endpoint_url;
  size_t max_log_bytes = 1 << 20;     // stored log cap; the rest is counted, not kept
  size_t max_script_bytes = 4 << 20;  // a larger script object fails the run
};

struct Dependencies {
  storage::Database* db = nullptr;
  kms::Service* kms = nullptr;
  s3::BucketService* buckets = nullptr;
  s3::ObjectStore* objects = nullptr;
  s3::DataKeyService* data_keys = nullptr;
  std::shared_ptr<auth::PrincipalStore> principals;
  std::shared_ptr<const Clock> clock;
  std::shared_ptr<crypto::RandomSource> random;
  crypto::SecretBytes root_key;
  // The audit trail (glue_audit.h): management calls and the KMS calls Glue makes. Null = none.
  audit::Recorder* audit = nullptr;
  // Spawns the job scripts' interpreters. Null = PosixProcessRunner().
  std::shared_ptr<ProcessRunner> processes;
  // Authorization of management calls (the server's one check). Null = enforce, on `clock`.
  std::shared_ptr<AccessCheck> access;
  // IAM: job and crawler roles are its roles first (the configured roles are the fallback), and
  // their sessions its role sessions (glue_role.h). Null = configured roles only.
  iam::Service* iam = nullptr;
  // CloudWatch Logs: each run's output and error log groups are written there as the run's role
  // (under the CloudWatchEncryption key when set). Null = runs write no CloudWatch logs.
  logs::Service* logs = nullptr;
};

// True when `python` names an executable found through PATH (the --glue-execute default).
bool PythonAvailable(const std::string& python);

class Service {
 public:
  Service(Dependencies deps, Options options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  void SetEndpoint(std::string url);

  // One operation ("CreateJob") on its input, as the wire edge read it (glue_wire_readers.h).
  // A failed `input` (the request was not valid) is recorded and its error returned, as a call
  // the operation refused. request_parameters: the requestParameters of the call's audit record
  // (GlueRequestParameters of the request as received). REQUIRES: `input` holds the operation's
  // input type.
  Result<std::string> Call(const Caller& caller, const std::string& operation,
                           const Result<Input>& input, std::string request_parameters);

  // The admin view of a run's log (docs/admin-api.md). An encrypted log is decrypted as
  // `reader` (kms:Decrypt with ViaService logs.<region>.amazonaws.com); null reader -> denied.
  struct RunLog {
    std::string job_name;
    std::string state;
    bool encrypted = false;
    std::string kms_key_arn;
    std::string text;
    uint64_t dropped_bytes = 0;
  };
  Result<RunLog> ReadRunLog(const std::string& run_id,
                            const std::shared_ptr<const auth::Principal>& reader);

  // Ends every run, drops all Glue state (admin reset).
  Status Reset();
  // Ends one account's runs and drops its Glue state (jobs, runs, security configurations,
  // catalog and its settings, connections) in every region (admin reset with an account).
  Status ResetAccount(const std::string& account);

  // ---- seeding (glue_seed.cpp): the seed document's "glue" section (docs/seed.schema.json).
  struct SeedSecurityConfiguration {
    std::string account, region, name;
    std::string encryption_configuration;  // JSON text, as CreateSecurityConfiguration takes
  };
  struct SeedCatalogEncryption {
    std::string account, region;
    std::string settings;  // the stored form of DataCatalogEncryptionSettings (validated)
  };
  struct SeedRequest {
    std::vector<SeedSecurityConfiguration> security_configurations;
    std::vector<SeedCatalogEncryption> catalog_encryption;
    bool empty() const { return security_configurations.empty() && catalog_encryption.empty(); }
  };
  // Shapes and values of the section on its own; entries without account/region take
  // `default_account` / `default_region`. InvalidArgument naming the entry:
  // "glue.security_configurations[1].EncryptionConfiguration: S3Encryption must be a list".
  static Result<SeedRequest> ParseSeed(const rapidjson::Value& glue,
                                       const std::string& default_account,
                                       const std::string& default_region);
  // Validated entirely by ParseSeed. Creates what is missing and replaces what differs; an entry
  // equal to the stored state changes nothing (seeding twice is a no-op). All entries in one
  // transaction. Returns how many entries changed state. Not audited (the admin plane is not an AWS
  // caller).
  Result<size_t> ApplySeed(const SeedRequest& seed);

  // ---- the admin plane's read-only view (glue_admin_view.cpp): posture report, console.
  // One stored Glue entity of any account and region, without secrets: jobs, security
  // configurations and the catalog encryption settings as stored (the JSON GetJob, ... render
  // from); runs as their JobRun (never the log); catalog entities (database, table, partition,
  // connection) only by name, with the KMS key their document is sealed under.
  struct AdminItem {
    std::string account, region, kind, parent, name;
    std::string doc;  // job, secconf, catalog, run (JobRun); "" for catalog entities
    // Catalog entities sealed under a KMS data key, runs whose log is sealed under a
    // CloudWatchEncryption key: that key's ARN; "" otherwise.
    std::string kms_key_arn;
    // Connections: "encrypted" (ENCRYPTED_PASSWORD), "plain" (PASSWORD), "none", or "unknown"
    // (sealed under KMS: not opened without a caller). Never the password itself.
    std::string password;
  };
  // Every entity of `kind` ("job", "secconf", "catalog", "run", "database", "table",
  // "partition", "connection"), ordered by (account, region, parent, name).
  Result<std::vector<AdminItem>> AdminList(const std::string& kind);

  // Runs stored as STARTING, RUNNING or STOPPING belong to a server that stopped without
  // ending them (a crash, SIGKILL): nothing runs them any more. The constructor ends each as
  // FAILED ("...the server restarted...", CompletedOn set), so GetJobRun(s) tell the truth and
  // MaxConcurrentRuns (counted from live runs) is not held by them. Returns how many it ended.
  Result<size_t> EndInterruptedRuns();
  size_t interrupted_runs_ended() const { return interrupted_runs_ended_; }
  // Crawlers stored as RUNNING or STOPPING by such a server: the constructor sets each READY
  // with a FAILED LastCrawl ("...the server restarted..."). Returns how many it reset.
  Result<size_t> EndInterruptedCrawls();

 private:
  struct Run;

  // The operation `input` holds.
  Result<std::string> Dispatch(const Caller& c, const Input& input);

  // The role a job or crawler names (glue_role.h), IAM's first.
  Result<GlueRole> FindRole(const std::string& account, const std::string& role) const;

  // Authorization of management calls: glue:<Op> on `resource`.
  Status Authorize(const Caller& c, const std::string& operation, const std::string& resource);
  // Authorization of catalog calls: a CatalogId other than the caller's account is denied, then
  // glue:<Op> on the catalog's `resource` ("database/NAME", "table/DB/NAME", "connection/*").
  Status AuthorizeCatalog(const Caller& c, const std::optional<std::string>& catalog_id,
                          const std::string& operation, const std::string& resource);
  // Authorization of the tag calls: glue:<Op> on `arn`, which must name a job of the caller's
  // account and region; returns the job's name.
  Result<std::string> AuthorizeJobArn(const Caller& c, const std::string& operation,
                                      const std::string& arn);
  // A transaction that changes Glue state for the call being served: the call's audit record
  // is written in it (audit::PendingCall). Every operation's writes go through it.
  Status Mutate(const std::function<Status(storage::Connection&)>& fn);
  // kms::Service as Glue calls it for a caller, each call recorded (invokedBy glue.amazonaws.com).
  kms::ServiceKmsClient Kms() const;
  // The responseElements of the call being served when its record is written in a transaction
  // (set before the transaction; "" = null).
  static void NoteResponse(const std::string& json);

  // ---- jobs & security configurations (glue_jobs.cpp)
  Result<std::string> CreateJob(const Caller& c, const CreateJobInput& in);
  Result<std::string> UpdateJob(const Caller& c, const UpdateJobInput& in);
  Result<std::string> GetJob(const Caller& c, const GetJobInput& in);
  Result<std::string> GetJobs(const Caller& c, const GetJobsInput& in);
  Result<std::string> ListJobs(const Caller& c, const ListJobsInput& in);
  Result<std::string> BatchGetJobs(const Caller& c, const BatchGetJobsInput& in);
  Result<std::string> DeleteJob(const Caller& c, const DeleteJobInput& in);
  Result<std::string> TagResource(const Caller& c, const TagResourceInput& in);
  Result<std::string> UntagResource(const Caller& c, const UntagResourceInput& in);
  Result<std::string> GetTags(const Caller& c, const GetTagsInput& in);
  Result<std::string> CreateSecurityConfiguration(const Caller& c,
                                                  const CreateSecurityConfigurationInput& in);
  Result<std::string> GetSecurityConfiguration(const Caller& c,
                                               const GetSecurityConfigurationInput& in);
  Result<std::string> GetSecurityConfigurations(const Caller& c,
                                                const GetSecurityConfigurationsInput& in);
  Result<std::string> DeleteSecurityConfiguration(const Caller& c,
                                                  const DeleteSecurityConfigurationInput& in);

  // ---- job runs (glue_runs.cpp)
  Result<std::string> StartJobRun(const Caller& c, const StartJobRunInput& in);
  Result<std::string> GetJobRun(const Caller& c, const GetJobRunInput& in);
  Result<std::string> GetJobRuns(const Caller& c, const GetJobRunsInput& in);
  Result<std::string> BatchStopJobRun(const Caller& c, const BatchStopJobRunInput& in);
  // A run to start: StartJobRun's (authorized), a trigger's action, or a retry of a failed run.
  struct RunRequest {
    std::string account, region, job_name, request_id;
    std::map<std::string, std::string> arguments;  // the run's Arguments
    std::optional<int64_t> timeout;
    std::string security_configuration;  // "" = the job's
    std::string trigger_name;            // the trigger that started it ("" = none)
    std::string previous_run_id;         // the failed run this one retries
    int64_t attempt = 0;
  };
  // Starts a run of the job (not authorized: the caller did); returns its id.
  Result<std::string> StartRun(const RunRequest& r);
  // Counts the job's live runs against `max_runs`, stores the run as STARTING and starts its
  // runner thread (RunMain), which assumes the run's role (Validate).
  Status Launch(std::shared_ptr<Run> run, int64_t max_runs);
  // On the runner thread once the run's terminal state is stored: a FAILED run with attempts
  // left (MaxRetries) is started again; else the conditional triggers watching the job fire.
  void AfterRun(const Run& run);
  void StopAllRuns();

  // ---- crawlers (glue_crawlers.cpp: the operations; crawl.cpp: a crawl on its thread)
  //
  //   CreateCrawler --> READY --StartCrawler--> RUNNING --Crawl() ends----------> READY
  //                                                |        (LastCrawl SUCCEEDED / FAILED)
  //                                                | StopCrawler
  //                                                v
  //                                             STOPPING --Crawl() sees the stop--> READY
  //                                                         (LastCrawl CANCELLED)
  Result<std::string> CreateCrawler(const Caller& c, const CreateCrawlerInput& in);
  Result<std::string> UpdateCrawler(const Caller& c, const UpdateCrawlerInput& in);
  Result<std::string> GetCrawler(const Caller& c, const GetCrawlerInput& in);
  Result<std::string> GetCrawlers(const Caller& c, const GetCrawlersInput& in);
  Result<std::string> ListCrawlers(const Caller& c, const ListCrawlersInput& in);
  Result<std::string> DeleteCrawler(const Caller& c, const DeleteCrawlerInput& in);
  Result<std::string> StartCrawler(const Caller& c, const StartCrawlerInput& in);
  Result<std::string> StopCrawler(const Caller& c, const StopCrawlerInput& in);
  Result<std::string> GetCrawlerMetrics(const Caller& c, const GetCrawlerMetricsInput& in);
  struct CrawlTask;
  // The stored document of `key`, changed by `fn` under `mu`; `missing` when there is none.
  Status ChangeDocument(Mutex& mu, const storage::GlueKey& key, const Status& missing,
                        const std::function<Status(rapidjson::Document&)>& fn);
  // The crawler's stored document, changed by `fn` under crawlers_mu_ (state transitions).
  Status ChangeCrawler(const storage::GlueKey& key, const std::string& name,
                       const std::function<Status(rapidjson::Document&)>& fn);
  // On the crawl's thread: crawls, then stores the outcome and READY.
  void CrawlMain(std::shared_ptr<CrawlTask> task);
  // The crawl as the crawler's role; "" or the LastCrawl ErrorMessage.
  std::string Crawl(CrawlTask& task);
  // Writes the crawl's start, tables and end to CloudWatch Logs as the crawler's role (stream:
  // the crawler's name): /aws-glue/crawlers, or with the crawler security configuration's
  // CloudWatchEncryption key /aws-glue/crawlers-role/<role>-<configuration>, created under it.
  // Sets task.log_group. A write the role may not make leaves the crawl's outcome alone.
  void WriteCrawlLogs(CrawlTask& task, const rapidjson::Value& crawler,
                      const std::shared_ptr<const auth::Principal>& session,
                      const std::string& role_name, const std::string& error);
  void StopAllCrawls();
  // Starts a crawl of the crawler (not authorized: the caller did).
  Status StartCrawl(const std::string& account, const std::string& region, const std::string& name);

  // ---- triggers (glue_triggers.cpp)
  //
  //   CreateTrigger --> CREATED --StartTrigger--> ACTIVATED --StopTrigger--> DEACTIVATED
  //        \--StartOnCreation (SCHEDULED, CONDITIONAL)--^   ^--StartTrigger--/
  //
  // ON_DEMAND triggers stay CREATED: StartTrigger starts their actions. An ACTIVATED SCHEDULED
  // trigger fires on the server clock (FireDue, the scheduler thread); an ACTIVATED CONDITIONAL
  // one when a watched job's run ends (AfterRun -> FireConditionalTriggers).
  Result<std::string> CreateTrigger(const Caller& c, const CreateTriggerInput& in);
  Result<std::string> UpdateTrigger(const Caller& c, const UpdateTriggerInput& in);
  Result<std::string> GetTrigger(const Caller& c, const GetTriggerInput& in);
  Result<std::string> GetTriggers(const Caller& c, const GetTriggersInput& in);
  Result<std::string> ListTriggers(const Caller& c, const ListTriggersInput& in);
  Result<std::string> BatchGetTriggers(const Caller& c, const BatchGetTriggersInput& in);
  Result<std::string> DeleteTrigger(const Caller& c, const DeleteTriggerInput& in);
  Result<std::string> StartTrigger(const Caller& c, const StartTriggerInput& in);
  Result<std::string> StopTrigger(const Caller& c, const StopTriggerInput& in);
  // The trigger's stored document changed by `fn` under triggers_mu_.
  Status ChangeTrigger(const storage::GlueKey& key, const std::string& name,
                       const std::function<Status(rapidjson::Document&)>& fn);
  // Starts every action of `trigger` (its Trigger object as JSON); the first error, if any.
  Status FireTrigger(const std::string& account, const std::string& region,
                     const std::string& trigger);
  void FireConditionalTriggers(const std::string& account, const std::string& region,
                               const std::string& job_name, const std::string& state);

  // ---- schedules (glue_schedule.cpp): a thread that, every kSchedulerTick of real time,
  // fires the SCHEDULED triggers and crawler schedules whose NextFire the server clock passed.
  void SchedulerMain();
  void FireDue();
  void StopScheduler();

  // ---- job bookmarks (glue_bookmarks.cpp)
  Result<std::string> GetJobBookmark(const Caller& c, const GetJobBookmarkInput& in);
  Result<std::string> ResetJobBookmark(const Caller& c, const ResetJobBookmarkInput& in);
  // --job-bookmark-option of the run: "job-bookmark-enable", "-pause" or "-disable" (default).
  static std::string BookmarkOption(const Run& run);
  // Writes the job's bookmark state (opened as the run's role) to `path` for the script;
  // the Status message names principal, action and key when the role may not decrypt it.
  Status PrepareBookmark(Run& run, const std::string& path);
  // Stores the state the script's Job.commit wrote to `path` (sealed under the
  // JobBookmarksEncryption key as the run's role when CSE-KMS); "" or the run's ErrorMessage.
  std::string StoreBookmark(Run& run, const std::string& path, const std::string& key);

  // ---- the run state machine, on the run's runner thread (glue_run_machine.cpp)
  struct RunEncryption;
  void RunMain(std::shared_ptr<Run> run);
  // On failure the Status message is the run's ErrorMessage. Sets *script_path once the run
  // has a work directory (RunMain removes it).
  Status Validate(Run& run, std::string* script_path);
  RunEncryption ReadRunEncryption(const Run& run);
  // What security configuration `name` ("" = none) of the account and region asks for.
  RunEncryption ReadSecurityConfiguration(const std::string& account, const std::string& region,
                                          const std::string& name);
  // Its CloudWatchEncryption SSE-KMS key ("" when none).
  std::string CloudWatchLogKey(const std::string& account, const std::string& region,
                               const std::string& name);
  void Execute(Run& run, const std::string& script_path);
  ProcessSpec RunProcessSpec(const Run& run, const std::string& script_path) const;
  // Relays the child's output to the run's log until it exits; "STOPPED" or "TIMEOUT" when
  // the run was ended (the child was signalled), else "".
  std::string Supervise(Run& run, Process& child);
  void AppendLog(Run& run, std::string_view output);
  // The stored log document: sealed under `key` when set (see glue_service.h's top comment).
  std::string SealLog(Run& run, const std::string& key, const std::string& log,
                      const std::string& state, std::string* final_error);
  void Finish(Run& run, const std::string& state, const std::string& error_message);
  // Writes the run's output lines to <prefix>/output and its start and end to <prefix>/error
  // (stream: the run id) as the run's role; "" when written, else why not.
  std::string WriteRunLogs(Run& run, const std::string& log_key, const std::string& log,
                           const std::string& state, const std::string& error);
  Status PersistRun(const Run& run);
  std::string RenderRun(const Run& run) const;

  // ---- catalog (glue_catalog.cpp)
  Result<std::string> PutDataCatalogEncryptionSettings(
      const Caller& c, const PutDataCatalogEncryptionSettingsInput& in);
  Result<std::string> GetDataCatalogEncryptionSettings(
      const Caller& c, const GetDataCatalogEncryptionSettingsInput& in);
  Result<std::string> CreateDatabase(const Caller& c, const CreateDatabaseInput& in);
  Result<std::string> GetDatabase(const Caller& c, const GetDatabaseInput& in);
  Result<std::string> GetDatabases(const Caller& c, const GetDatabasesInput& in);
  Result<std::string> UpdateDatabase(const Caller& c, const UpdateDatabaseInput& in);
  Result<std::string> DeleteDatabase(const Caller& c, const DeleteDatabaseInput& in);
  Result<std::string> CreateTable(const Caller& c, const CreateTableInput& in);
  Result<std::string> GetTable(const Caller& c, const GetTableInput& in);
  Result<std::string> GetTables(const Caller& c, const GetTablesInput& in);
  Result<std::string> UpdateTable(const Caller& c, const UpdateTableInput& in);
  Result<std::string> DeleteTable(const Caller& c, const DeleteTableInput& in);
  Result<std::string> CreatePartition(const Caller& c, const CreatePartitionInput& in);
  Result<std::string> BatchCreatePartition(const Caller& c, const BatchCreatePartitionInput& in);
  Result<std::string> GetPartition(const Caller& c, const GetPartitionInput& in);
  Result<std::string> GetPartitions(const Caller& c, const GetPartitionsInput& in);
  Result<std::string> UpdatePartition(const Caller& c, const UpdatePartitionInput& in);
  Result<std::string> DeletePartition(const Caller& c, const DeletePartitionInput& in);
  Result<std::string> BatchGetPartition(const Caller& c, const BatchGetPartitionInput& in);
  Result<std::string> BatchDeletePartition(const Caller& c, const BatchDeletePartitionInput& in);
  Result<std::string> CreateConnection(const Caller& c, const CreateConnectionInput& in);
  Result<std::string> GetConnection(const Caller& c, const GetConnectionInput& in);
  Result<std::string> GetConnections(const Caller& c, const GetConnectionsInput& in);
  Result<std::string> DeleteConnection(const Caller& c, const DeleteConnectionInput& in);

  // Catalog documents: sealed under the catalog's KMS key when EncryptionAtRest is SSE-KMS.
  struct CatalogSettings;
  Result<CatalogSettings> LoadCatalogSettings(const std::string& account,
                                              const std::string& region);
  Result<std::string> SealCatalogDoc(const Caller& c, const CatalogSettings& s,
                                     const std::string& plain);
  Result<std::string> OpenCatalogDoc(const Caller& c, const std::string& stored);
  Result<kms::Caller> CatalogKmsCaller(const Caller& c, const CatalogSettings& s);
  // The document stored for validated DataCatalogEncryptionSettings (absent members defaulted).
  // With `roles`, the service role must be a configured role now.
  static Result<std::string> CatalogSettingsDoc(const std::string& account,
                                                const DataCatalogEncryptionSettings& s,
                                                const auth::PrincipalStore* roles);
  // Connection documents are always sealed under a root-derived key (they may hold passwords).
  Result<std::string> SealLocal(const std::string& plain);
  // Stores a catalog entity, sealed as the catalog's settings say.
  Status PutEntity(const Caller& c, const std::string& kind, const std::string& parent,
                   const std::string& name, const std::string& plain, bool insert_only,
                   const std::string& exists_message);
  Result<std::string> OpenLocal(const std::string& sealed);
  // A stored catalog entity, opened; NotFound(not_found) when there is none.
  Result<std::string> OpenEntity(const Caller& c, const storage::GlueKey& key,
                                 const std::string& not_found);
  // NotFound(not_found) unless the entity is stored.
  Status RequireEntity(const storage::GlueKey& key, const std::string& not_found);
  // Up to `limit` entities of `prefix`'s kind and parent after `after` (name order), opened;
  // next_token is set when more follow.
  struct EntityPage {
    std::vector<std::string> docs;
    std::string next_token;
  };
  Result<EntityPage> ListEntities(const Caller& c, const storage::GlueKey& prefix,
                                  const std::string& after, size_t limit);

  Dependencies deps_;
  Options options_;
  mutable Mutex endpoint_mu_;
  // AWS_ENDPOINT_URL of the runs started from now on: options_.endpoint_url until SetEndpoint.
  std::string endpoint_url_ GUARDED_BY(endpoint_mu_);

  // Held before a run's own locks (Run::persist_mu, Run::mu), never after.
  mutable Mutex runs_mu_;
  CondVar runs_cv_;  // signalled when a runner thread has ended its run (Run::done)
  std::map<std::string, std::shared_ptr<Run>> active_ GUARDED_BY(runs_mu_);  // by run id
  std::vector<std::pair<std::shared_ptr<Run>, std::thread>> threads_ GUARDED_BY(runs_mu_);
  std::atomic<int64_t> run_seq_{0};
  bool shutting_down_ GUARDED_BY(runs_mu_) = false;
  // Crawls in progress (by account/region/name) and their threads.
  std::map<std::string, std::shared_ptr<CrawlTask>> crawls_ GUARDED_BY(runs_mu_);
  std::vector<std::pair<std::shared_ptr<CrawlTask>, std::thread>> crawl_threads_
      GUARDED_BY(runs_mu_);
  // Serializes read-modify-write of crawler documents (state, LastCrawl, metrics).
  mutable Mutex crawlers_mu_;
  // Serializes read-modify-write of trigger documents (state, NextFire).
  mutable Mutex triggers_mu_;
  mutable Mutex scheduler_mu_;
  CondVar scheduler_cv_;
  bool scheduler_stop_ GUARDED_BY(scheduler_mu_) = false;
  std::thread scheduler_;
  size_t interrupted_runs_ended_ = 0;
};

}  // namespace sealstack::api::glue
