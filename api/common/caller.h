// api::Caller: who is calling and how, as every service sees it. The wire edge (server/pipeline)
// builds one from the authenticated request; each service's caller struct (kms::Caller,
// s3::S3Caller, glue::Caller) derives from it and adds only its own fields, so a service calling
// another passes the same facts on by construction (kms::Caller(s3_caller)).
//
// The access check (api/common/access.h) reads these fields for the global aws:* condition keys.
#pragma once

#include <memory>
#include <string>

#include "auth/principals.h"

namespace sealstack::api {

struct Caller {
  std::shared_ptr<const auth::Principal> principal;
  std::string region;     // the request's region (the credential scope's); aws:RequestedRegion
  std::string source_ip;  // aws:SourceIp; "" for in-process callers
  bool secure_transport = false;  // aws:SecureTransport: the request arrived over TLS
  std::string user_agent;         // aws:UserAgent and the audit record; "" when absent
  std::string request_id;         // the request's id, for audit records; "" when not known
};

}  // namespace sealstack::api
