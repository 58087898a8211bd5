// The role a Glue job or crawler names, and the role session Glue works in.
//
//   job/crawler Role ──► FindGlueRole: an IAM role (iam::Service::FindRole) first, else a role
//                        of the config file / seed (auth::PrincipalStore)
//                    ──► GlueMayAssume: the IAM role's trust policy lets the service principal
//                        glue.amazonaws.com sts:AssumeRole (configured roles have no trust
//                        policy: Glue may assume them)
//                    ──► AssumeGlueRole: an IAM role's session from
//                        iam::Service::CreateRoleSession, authenticated through the
//                        PrincipalDirectory like any role session (the role's policies as they
//                        are at each request), with only Glue's own state (the security
//                        configuration's S3 encryption) added by the PrincipalStore; a
//                        configured role's session minted here and put into the store
//                    ──► EndGlueSession: the key authenticates no more (the run is over)
//
// Thread safety: stateless functions over thread-safe services.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "api/iam/iam_service.h"
#include "auth/principals.h"
#include "common/clock.h"
#include "common/result.h"
#include "crypto/random.h"

namespace sealstack::api::glue {

struct GlueRole {
  std::string arn;  // arn:aws:iam::ACCT:role/[PATH/]NAME
  std::string account;
  std::string name;
  std::optional<iam::Role> iam;                       // set for an IAM role
  std::shared_ptr<const auth::Principal> configured;  // set for a configured role
};

// `role` is a role name in `account` or a role ARN. InvalidInputException when neither IAM nor
// the configuration has it. `iam` may be null (no IAM: configured roles only).
Result<GlueRole> FindGlueRole(iam::Service* iam, const auth::PrincipalStore& store,
                              const std::string& account, const std::string& role);

// Whether glue.amazonaws.com may assume `role` (sts:AssumeRole by its trust policy, with
// aws:SourceAccount and aws:SourceArn = `source_arn`, the job or crawler). `now` is the server
// clock (aws:CurrentTime).
bool GlueMayAssume(const GlueRole& role, const std::string& source_arn, SystemTime now);

// AWS's refusal: "Service is unable to assume role ARN. Please verify role's TrustPolicy".
std::string TrustRefusal(const GlueRole& role);

struct GlueSessionRequest {
  std::string session_name;  // at most 64 characters
  SystemTime expires;
  std::optional<auth::Principal::ObjectEncryption> object_encryption;
};

// The role's session, registered for authentication; the principal as requests see it.
Result<std::shared_ptr<const auth::Principal>> AssumeGlueRole(iam::Service* iam,
                                                              auth::PrincipalStore& store,
                                                              crypto::RandomSource& random,
                                                              const GlueRole& role,
                                                              const GlueSessionRequest& request);

// The session of AssumeGlueRole, as requests see it now (its role's current policies); null
// once it has ended.
std::shared_ptr<const auth::Principal> CurrentSession(const auth::PrincipalStore& store,
                                                      const auth::Principal& session);

void EndGlueSession(auth::PrincipalStore& store, const auth::Principal& session);

}  // namespace sealstack::api::glue
