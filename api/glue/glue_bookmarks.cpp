// Job bookmarks: GetJobBookmark, ResetJobBookmark, and the run's side (the state handed to the
// script, the state Job.commit leaves). Stored per job as kind "bookmark":
//   {"JobName", "Version", "Run", "Attempt", "RunId", "PreviousRunId",
//    "state": JSON text                                     (no JobBookmarksEncryption), or
//    "key", "blob", "nonce", "sealed"                        (CSE-KMS: a data key from
//    GenerateDataKey as the run's role via glue.<region>.amazonaws.com, context
//    {"aws:glue:job-bookmark": job name}; AES-256-GCM over the state, AAD = the job name)}.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/glue/glue_internal.h"
#include "api/glue/glue_json.h"
#include "api/glue/glue_kms_failure.h"
#include "api/glue/glue_run.h"
#include "crypto/aead.h"
#include "crypto/digest.h"

namespace sealstack::api::glue {

using json::Document;
using json::Value;

namespace {

kms::EncryptionContext BookmarkContext(const std::string& job) {
  return {{"aws:glue:job-bookmark", job}};
}

std::string NoBookmark(const std::string& job) {
  return "Continuation for job " + job + " not found";
}

// How a caller reports a failed KMS Decrypt of a sealed bookmark, given KMS's Status and the
// message KmsFailureMessage words for it.
using DecryptFailure = Status (*)(const Status& kms_status, std::string message);

// The state of a CSE-KMS bookmark document (one without "state"): its data key opened with KMS
// Decrypt as `kc` through Glue, then the state with AES-256-GCM (AAD = the job name). The one
// open path for GetJobBookmark (as the caller) and a run's start (as the run's role).
Result<std::string> OpenSealedState(const kms::ServiceKmsClient& kms, kms::Caller kc,
                                    const Document& d, const std::string& job_name,
                                    const std::string& request_id, DecryptFailure failed) {
  const std::string key = json::Text(d, "key");
  kc.via_service = "glue." + kc.region + ".amazonaws.com";
  auto blob = crypto::FromBase64(json::Text(d, "blob"));
  auto nonce = crypto::FromBase64(json::Text(d, "nonce"));
  auto sealed = crypto::FromBase64(json::Text(d, "sealed"));
  if (!blob || !nonce || !sealed) return GlueError(ErrorKind::kInternal, "corrupt bookmark");
  auto dk = kms.Decrypt(kc, key, *blob, BookmarkContext(job_name), request_id);
  if (!dk.ok()) {
    return failed(dk.status(), KmsFailureMessage(dk.status(), kc.principal->arn, "kms:Decrypt", key,
                                                 "JobBookmarksEncryption"));
  }
  SEALSTACK_ASSIGN_OR_RETURN(crypto::SecretBytes state,
                             crypto::AesGcmOpen(dk->plaintext, *nonce, job_name, *sealed));
  return state.Reveal();
}

// The stored document's JobBookmarkEntry, with `state` as JobBookmark when not null.
std::string BookmarkEntry(const Document& d, const std::string* state) {
  Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  for (const char* k : {"JobName", "Version", "Run", "Attempt", "PreviousRunId", "RunId"}) {
    if (const Value* v = json::Find(d, k)) out.AddMember(Value(k, a), Value(*v, a), a);
  }
  if (state != nullptr) json::SetStr(out, "JobBookmark", *state, a);
  return "{\"JobBookmarkEntry\":" + json::Dump(out) + "}";
}

}  // namespace

std::string Service::BookmarkOption(const Run& run) {
  auto it = run.merged.find("--job-bookmark-option");
  if (it == run.merged.end()) return "job-bookmark-disable";
  return it->second;
}

Result<std::string> Service::GetJobBookmark(const Caller& c, const GetJobBookmarkInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "GetJobBookmark", GlueArn(c, "job/" + in.job_name)));
  SEALSTACK_ASSIGN_OR_RETURN(auto text, RawGet(*deps_.db, Key(c, "bookmark", in.job_name)));
  if (!text) return NotFound(NoBookmark(in.job_name));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
  if (json::Find(d, "state") != nullptr) {
    const std::string state = json::Text(d, "state");
    return BookmarkEntry(d, &state);
  }
  // CSE-KMS: opened for the caller with KMS Decrypt as the caller; a KMS failure is the
  // caller's GlueEncryptionException.
  SEALSTACK_ASSIGN_OR_RETURN(const std::string plain,
                             OpenSealedState(Kms(), kms::Caller(c), d, in.job_name, c.request_id,
                                             [](const Status&, std::string message) {
                                               return GlueError(ErrorKind::kGlueEncryption,
                                                                std::move(message));
                                             }));
  return BookmarkEntry(d, &plain);
}

Result<std::string> Service::ResetJobBookmark(const Caller& c, const ResetJobBookmarkInput& in) {
  SEALSTACK_RETURN_IF_ERROR(Authorize(c, "ResetJobBookmark", GlueArn(c, "job/" + in.job_name)));
  SEALSTACK_ASSIGN_OR_RETURN(auto text, RawGet(*deps_.db, Key(c, "bookmark", in.job_name)));
  if (!text) return NotFound(NoBookmark(in.job_name));
  SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
  SEALSTACK_RETURN_IF_ERROR(Mutate([&](storage::Connection& conn) {
    return storage::GlueRepo::Delete(conn, Key(c, "bookmark", in.job_name)).status();
  }));
  return BookmarkEntry(d, nullptr);
}

Status Service::PrepareBookmark(Run& run, const std::string& path) {
  SEALSTACK_ASSIGN_OR_RETURN(
      auto text, RawGet(*deps_.db, {run.account, run.region, "bookmark", "", run.job_name}));
  std::string state = "{}";
  if (text) {
    SEALSTACK_ASSIGN_OR_RETURN(Document d, json::Load(*text));
    if (json::Find(d, "state") != nullptr) {
      state = json::Text(d, "state");
    } else {
      // As the run's role; a KMS failure keeps KMS's kind (the run fails with it).
      kms::Caller kc;
      kc.principal = run.session;
      kc.region = run.region;
      SEALSTACK_ASSIGN_OR_RETURN(
          state, OpenSealedState(Kms(), kc, d, run.job_name, run.request_id,
                                 [](const Status& kms_status, std::string message) {
                                   return Status(kms_status.code(), kms_status.detail(),
                                                 std::move(message));
                                 }));
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << state;
  if (!out) return GlueError(ErrorKind::kInternal, "Internal error: cannot write the bookmark");
  return Status::Ok();
}

std::string Service::StoreBookmark(Run& run, const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";  // the script did not call Job.commit: the bookmark stays as it was
  std::ostringstream text;
  text << in.rdbuf();
  const std::string state = text.str();
  storage::GlueKey bk{run.account, run.region, "bookmark", "", run.job_name};
  auto prev_text = RawGet(*deps_.db, bk);
  Document prev;
  if (prev_text.ok() && *prev_text) prev.Parse((*prev_text)->c_str());
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  const int64_t version =
      prev.IsObject() && json::Find(prev, "Version") != nullptr ? prev["Version"].GetInt64() : 0;
  json::SetStr(d, "JobName", run.job_name, a);
  d.AddMember("Version", version + 1, a);
  d.AddMember("Run", version + 1, a);
  d.AddMember("Attempt", 0, a);
  if (prev.IsObject() && json::Find(prev, "RunId") != nullptr) {
    json::SetStr(d, "PreviousRunId", json::Text(prev, "RunId"), a);
  }
  json::SetStr(d, "RunId", run.id, a);
  if (key.empty()) {
    json::SetStr(d, "state", state, a);
  } else {
    kms::Caller kc;
    kc.principal = run.session;
    kc.region = run.region;
    kc.via_service = "glue." + run.region + ".amazonaws.com";
    auto dk =
        Kms().GenerateDataKey(kc, key, 32, BookmarkContext(run.job_name), true, run.request_id);
    if (!dk.ok()) {
      return KmsFailureMessage(dk.status(), run.session->arn, "kms:GenerateDataKey", key,
                               "JobBookmarksEncryption");
    }
    auto nonce = deps_.random->Bytes(12);
    if (!nonce.ok()) return "Internal error: " + nonce.status().message();
    auto sealed = crypto::AesGcmSeal(dk->plaintext, *nonce, run.job_name, state);
    if (!sealed.ok()) return "Internal error: " + sealed.status().message();
    json::SetStr(d, "key", dk->key_arn, a);
    json::SetStr(d, "blob", crypto::Base64(dk->ciphertext), a);
    json::SetStr(d, "nonce", crypto::Base64(*nonce), a);
    json::SetStr(d, "sealed", crypto::Base64(*sealed), a);
  }
  Status st = deps_.db->WithTransaction(
      [&](storage::Connection& conn) { return storage::GlueRepo::Put(conn, bk, json::Dump(d)); });
  return st.ok() ? "" : "Internal error: the job bookmark was not stored: " + st.message();
}

}  // namespace sealstack::api::glue
