#include "server/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/kms/kms_audit.h"
#include "api/kms/kms_authorizer.h"
#include "crypto/root_key.h"
#include "crypto/tls_cert.h"
#include "server/log.h"
#include "server/seed.h"

namespace sealstack::server {

namespace {
// Authorization decisions GET /_sealstack/decisions can show (the newest; about 1 KiB each).
constexpr size_t kDecisionsKept = 1000;
}  // namespace

namespace {

Status MakeDirectories(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create data directory '" + dir + "': " + ec.message());
  return Status::Ok();
}

Status WriteFile(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Status::IoError("cannot write '" + tmp + "': " + std::strerror(errno));
  ::chmod(tmp.c_str(), mode);
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  ok = (std::fflush(f) == 0) && ok;
  ok = (::fsync(::fileno(f)) == 0) && ok;
  std::fclose(f);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IoError("cannot write '" + path + "'");
  }
  return Status::Ok();
}

// The certificate and key for HTTPS: the configured files, or a self-signed pair generated
// once into <dir>/tls/ and reused on later starts.
Result<std::pair<std::string, std::string>> TlsFiles(const Config& config, const std::string& dir) {
  if (!config.tls_cert.empty()) return std::make_pair(config.tls_cert, config.tls_key);
  const std::string tls_dir = dir + "/tls";
  const std::string cert = tls_dir + "/cert.pem", key = tls_dir + "/key.pem";
  if (std::filesystem::exists(cert) && std::filesystem::exists(key)) {
    return std::make_pair(cert, key);
  }
  SEALSTACK_RETURN_IF_ERROR(MakeDirectories(tls_dir));
  std::vector<std::string> hosts = {"localhost", "*.localhost", "127.0.0.1", "::1"};
  if (config.host != "127.0.0.1" && config.host != "0.0.0.0" && config.host != "::") {
    hosts.push_back(config.host);
  }
  SEALSTACK_ASSIGN_OR_RETURN(crypto::PemPair pem,
                             crypto::GenerateSelfSignedCertificate(hosts, 3650));
  SEALSTACK_RETURN_IF_ERROR(WriteFile(key, pem.private_key_pem, 0600));
  SEALSTACK_RETURN_IF_ERROR(WriteFile(cert, pem.certificate_pem, 0644));
  Log(LogLevel::kInfo, "generated a self-signed TLS certificate: " + cert);
  return std::make_pair(cert, key);
}

std::string AdvertisedHost(const std::string& host) {
  if (host == "0.0.0.0" || host.empty()) return "127.0.0.1";
  if (host == "::") return "[::1]";
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Create(Config config) {
  std::unique_ptr<Server> server(new Server());
  ServerContext& ctx = server->context_;
  ctx.config = std::move(config);
  ctx.started = std::chrono::steady_clock::now();
  ctx.clock = std::make_shared<OffsetClock>();
  ctx.random = std::make_shared<crypto::SystemRandom>();
  SEALSTACK_RETURN_IF_ERROR(server->OpenStorage());
  SEALSTACK_RETURN_IF_ERROR(server->BuildKms());
  SEALSTACK_RETURN_IF_ERROR(server->BuildS3());
  server->BuildGlue();
  SEALSTACK_RETURN_IF_ERROR(server->SeedFromFile());
  SEALSTACK_RETURN_IF_ERROR(server->BindListeners());
  return server;
}

Status Server::OpenStorage() {
  ServerContext& ctx = context_;
  ctx.principals = std::make_shared<auth::PrincipalStore>();
  for (auto& p : ctx.config.principals) SEALSTACK_RETURN_IF_ERROR(ctx.principals->Put(p));

  storage::DatabaseOptions db_options;
  if (ctx.config.in_memory) {
    db_options.in_memory = true;
  } else {
    SEALSTACK_RETURN_IF_ERROR(MakeDirectories(ctx.config.data_dir));
    db_options.path = ctx.config.data_dir + "/sealstack.db";
  }
  if (!ctx.config.root_key_b64.empty()) {
    SEALSTACK_ASSIGN_OR_RETURN(ctx.root_key, crypto::RootKeyFromBase64(ctx.config.root_key_b64));
  } else if (ctx.config.in_memory) {
    SEALSTACK_ASSIGN_OR_RETURN(ctx.root_key, crypto::EphemeralRootKey(*ctx.random));
  } else {
    SEALSTACK_ASSIGN_OR_RETURN(ctx.root_key,
                               crypto::LoadOrCreateRootKeyFile(ctx.config.data_dir, *ctx.random));
  }
  SEALSTACK_ASSIGN_OR_RETURN(ctx.db, storage::Database::Open(db_options));

  audit::RecorderOptions audit_options;
  audit_options.retention_days = ctx.config.audit_retention_days;
  // In memory the trail takes RAM: a smaller default bound (an explicit flag wins).
  const int audit_mib =
      ctx.config.audit_max_mib > 0 ? ctx.config.audit_max_mib : (ctx.config.in_memory ? 32 : 256);
  audit_options.max_bytes = int64_t{audit_mib} * 1024 * 1024;
  SEALSTACK_ASSIGN_OR_RETURN(
      ctx.audit, audit::Recorder::Open(*ctx.db, ctx.clock, ctx.root_key, audit_options));
  return Status::Ok();
}

Status Server::BuildKms() {
  ServerContext& ctx = context_;
  SEALSTACK_ASSIGN_OR_RETURN(ctx.kms,
                             api::kms::Service::Open(*ctx.db, ctx.root_key, ctx.clock, ctx.random));
  {
    // GetKeyLastUsage answers from the audit trail, so it survives restarts.
    audit::Recorder* recorder = ctx.audit.get();
    api::kms::Service::UsageSource usage;
    usage.last_usage = [recorder](const api::kms::Key& key) {
      std::optional<api::kms::Service::LastUsage> out;
      auto last =
          recorder->LastUseOf(key.arn, audit::kKmsEventSource, api::kms::KeyUsageOperations());
      if (last.ok() && *last)
        out = api::kms::Service::LastUsage{(*last)->event_name, (*last)->time, ""};
      return out;
    };
    usage.tracking_start = [recorder] { return recorder->TrackingStart(); };
    ctx.kms->SetUsageSource(std::move(usage));
  }
  // The one authorization check and the fault injector, which S3 and Glue share with KMS.
  const api::PolicyMode mode = ctx.config.policy_mode == "off"     ? api::PolicyMode::kOff
                               : ctx.config.policy_mode == "audit" ? api::PolicyMode::kAudit
                                                                   : api::PolicyMode::kEnforce;
  ctx.access = std::make_shared<api::AccessCheck>(
      mode, ctx.clock, [](const std::string& line) { Log(LogLevel::kWarn, line); });
  ctx.decisions = std::make_shared<DecisionLog>(kDecisionsKept);
  ctx.access->SetObserver([log = ctx.decisions, clock = ctx.clock](api::AccessDecision&& d) {
    log->Add(clock->Now(), std::move(d));
  });
  ctx.faults = std::make_shared<api::FaultInjector>(ctx.random);
  ctx.kms->SetFaultInjector(ctx.faults);
  api::kms::KmsAuthorizer::Install(*ctx.kms,
                                   std::make_shared<api::kms::KmsAuthorizer>(*ctx.kms, ctx.access));
  // IAM: its access keys and role sessions authenticate after the configured principals.
  ctx.iam = std::make_shared<api::iam::Service>(*ctx.db, ctx.root_key, ctx.clock, ctx.random,
                                                ctx.access, ctx.principals);
  ctx.principals->SetDirectory(ctx.iam);
  return Status::Ok();
}

Status Server::BuildS3() {
  ServerContext& ctx = context_;
  ctx.s3_buckets = std::make_unique<api::s3::BucketService>(
      *ctx.db, ctx.clock, api::s3::BucketOptions{ctx.config.sse_c_blocked_by_default});
  ctx.s3_buckets->SetAuthorizer(std::make_shared<api::s3::S3Authorizer>(ctx.access));
  api::s3::ObjectStoreOptions object_options;
  if (!ctx.config.in_memory) {
    // Bodies as files next to the database (storage/body_files.h says why).
    SEALSTACK_ASSIGN_OR_RETURN(object_options.body_files,
                               storage::BodyFiles::Open(ctx.config.data_dir + "/bodies"));
  }
  ctx.s3_objects =
      std::make_unique<api::s3::ObjectStore>(*ctx.db, *ctx.random, *ctx.clock, object_options);
  ctx.s3_keys =
      std::make_unique<api::s3::DataKeyService>(*ctx.kms, ctx.root_key, ctx.random, ctx.clock);
  ctx.s3_keys->SetAuditRecorder(ctx.audit.get());
  // Uploads a crash interrupted leave segments nobody owns: remove them before serving.
  auto swept = ctx.s3_objects->SweepOrphans();
  if (!swept.ok()) Log(LogLevel::kWarn, "orphan sweep failed: " + swept.status().ToString());
  return Status::Ok();
}

void Server::BuildGlue() {
  ServerContext& ctx = context_;
  api::logs::Dependencies logs_deps;
  logs_deps.db = ctx.db.get();
  logs_deps.kms = ctx.kms.get();
  logs_deps.clock = ctx.clock;
  logs_deps.random = ctx.random;
  logs_deps.audit = ctx.audit.get();
  logs_deps.access = ctx.access;
  ctx.logs = std::make_unique<api::logs::Service>(std::move(logs_deps));
  api::glue::Dependencies deps;
  deps.logs = ctx.logs.get();
  deps.db = ctx.db.get();
  deps.kms = ctx.kms.get();
  deps.buckets = ctx.s3_buckets.get();
  deps.objects = ctx.s3_objects.get();
  deps.data_keys = ctx.s3_keys.get();
  deps.principals = ctx.principals;
  deps.clock = ctx.clock;
  deps.random = ctx.random;
  deps.root_key = ctx.root_key;
  deps.audit = ctx.audit.get();
  deps.access = ctx.access;
  deps.iam = ctx.iam.get();
  api::glue::Options glue_options;
  glue_options.execute =
      ctx.config.glue_execute.value_or(api::glue::PythonAvailable(glue_options.python));
  ctx.glue = std::make_unique<api::glue::Service>(std::move(deps), glue_options);
}

Status Server::SeedFromFile() {
  const std::string& file = context_.config.seed_file;
  if (file.empty()) return Status::Ok();
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::InvalidArgument("--seed " + file + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  auto seeded = SeedFromJson(context_, text.str());
  if (!seeded.ok()) {
    return Status::InvalidArgument("--seed " + file + ": " + seeded.status().message());
  }
  Log(LogLevel::kInfo, "seeded from " + file + ": " + SeedSummaryJson(*seeded));
  return Status::Ok();
}

Status Server::BindListeners() {
  const Config& config = context_.config;
  pipeline_ = std::make_unique<RequestPipeline>(context_);
  RequestPipeline* pipeline = pipeline_.get();
  auto handler = [pipeline](Exchange& ex) { pipeline->Handle(ex); };

  ListenerOptions http;
  http.host = config.host;
  http.port = config.port;
  http.threads = config.threads;
  http.keep_alive_timeout_s = config.keep_alive_timeout_s;
  http.read_timeout_s = config.read_timeout_s;
  SEALSTACK_ASSIGN_OR_RETURN(http_, HttpListener::Bind(http, handler));
  context_.glue->SetEndpoint("http://" + AdvertisedHost(config.host) + ":" +
                             std::to_string(http_->port()));
  if (!config.https_port) return Status::Ok();

  std::string dir = config.data_dir;
  if (config.in_memory && config.tls_cert.empty()) {
    char tmpl[] = "/tmp/sealstack-tls-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return Status::IoError("cannot create a temp dir for TLS");
    tls_temp_dir_ = dir = tmpl;
  }
  SEALSTACK_ASSIGN_OR_RETURN(auto files, TlsFiles(config, dir));
  ListenerOptions https = http;
  https.port = *config.https_port;
  https.tls = true;
  https.tls_cert_path = files.first;
  https.tls_key_path = files.second;
  SEALSTACK_ASSIGN_OR_RETURN(https_, HttpListener::Bind(https, handler));
  return Status::Ok();
}

Server::~Server() {
  Stop();
  if (!tls_temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(tls_temp_dir_, ec);
  }
}

int Server::http_port() const {
  return http_ ? http_->port() : 0;
}
int Server::https_port() const {
  return https_ ? https_->port() : 0;
}

std::string Server::ReadyLine() const {
  const std::string host = AdvertisedHost(context_.config.host);
  std::string line = "Ready. endpoint=http://" + host + ":" + std::to_string(http_port());
  if (https_) line += " https_endpoint=https://" + host + ":" + std::to_string(https_port());
  return line;
}

void Server::Start() {
  http_->Start();
  if (https_) https_->Start();
}

void Server::Stop() {
  // 1. No new connections. 2. Requests already running finish (bounded by the read timeout,
  // which also bounds how long a stalled body can hold one). 3. Idle keep-alive connections
  // end by themselves within 50 ms of the stop (server/http_connection.cpp), instead of waiting
  // out their timeout. 4. Workers joined, database closed.
  if (http_) http_->StopAccepting();
  if (https_) https_->StopAccepting();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(context_.config.read_timeout_s);
  while (RequestsInFlight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (http_) http_->Stop();
  if (https_) https_->Stop();
  context_.glue.reset();  // stops job runs (their children) before what they use goes
  context_.s3_keys.reset();
  context_.s3_objects.reset();
  context_.s3_buckets.reset();
  context_.kms.reset();
  context_.audit.reset();  // writes what is still queued
  if (context_.db) {
    Status st = context_.db->Checkpoint();
    if (!st.ok()) Log(LogLevel::kWarn, "checkpoint at shutdown failed: " + st.ToString());
    context_.db.reset();
  }
}

}  // namespace sealstack::server
