// audit::Event: one CloudTrail-shaped record of an API call (docs/audit.md), and its rendering as
// the CloudTrail JSON that LookupEvents returns in CloudTrailEvent.
//
// A service fills in an Event for each call it records (KMS: api/kms/kms_audit.h does it from
// the wire request; S3 and Glue for their own management events and for the KMS calls they make
// on a caller's behalf) and hands it to audit::Recorder. The recorder assigns eventID and
// eventTime; everything else is the caller's.
//
// Secrets: requestParameters / responseElements are JSON the caller renders, and the caller
// leaves secrets out (no Plaintext, no key material, no ciphertext blobs, no passwords). Use
// ParamsBuilder for the common shapes.
//
// Thread safety: value types; RenderCloudTrailJson is pure.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principals.h"
#include "common/clock.h"

namespace sealstack::audit {

inline constexpr std::string_view kKmsEventSource = "kms.amazonaws.com";
inline constexpr std::string_view kKmsKeyType = "AWS::KMS::Key";

struct Resource {
  std::string arn;      // "arn:aws:kms:us-east-1:111122223333:key/1234..."
  std::string account;  // the owner's account
  std::string type;     // "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Glue::Job", ...
};

struct Event {
  // ---- who
  std::shared_ptr<const auth::Principal> principal;  // REQUIRES: non-null
  // The service that made the call on the principal's behalf ("s3.amazonaws.com"); "" for a
  // direct call. When set, sourceIPAddress and userAgent default to it, as on AWS.
  std::string invoked_by;
  std::string source_ip;   // "" -> invoked_by
  std::string user_agent;  // "" -> invoked_by
  // ---- what
  std::string event_source;  // "kms.amazonaws.com"
  std::string event_name;    // "Decrypt"
  std::string region;        // awsRegion
  bool read_only = false;
  bool management = true;             // managementEvent; eventCategory "Management" (else "Data")
  std::string request_parameters;     // a JSON object's text; "" renders null
  std::string response_elements;      // JSON text; "" renders null
  std::string additional_event_data;  // a JSON object's text; "" omits the field
  std::string error_code;             // "" when the call succeeded
  std::string error_message;
  std::string request_id;
  std::vector<Resource> resources;
  std::string recipient_account;  // "" -> the principal's account
  // ---- filled in by the Recorder (left as given when already set)
  std::string event_id;  // uuid
  SystemTime time{};
};

// The recipient account of an event (whose trail it lands in).
const std::string& RecipientAccount(const Event& e);
// LookupEvents' Username: the IAM user's name, the role session's name, "root" for the root.
std::string UsernameOf(const auth::Principal& p);
// The userIdentity.principalId SealStack shows (stable per ARN: AIDA.../AROA...:session).
std::string PrincipalIdOf(const auth::Principal& p);

// The CloudTrail record, as one JSON object on one line.
std::string RenderCloudTrailJson(const Event& e);

// Builds a requestParameters object with lower-camel member names in insertion order.
class ParamsBuilder {
 public:
  ParamsBuilder& String(std::string_view name, std::string_view value);
  ParamsBuilder& Bool(std::string_view name, bool value);
  ParamsBuilder& Int(std::string_view name, int64_t value);
  ParamsBuilder& Map(std::string_view name, const std::map<std::string, std::string>& value);
  ParamsBuilder& List(std::string_view name, const std::vector<std::string>& value);
  // A member whose value is already JSON text.
  ParamsBuilder& Raw(std::string_view name, std::string_view json);
  std::string Build() const;  // "{...}"

 private:
  void Name(std::string_view name);
  std::string out_;
};

// Lower-camel as CloudTrail writes request members: a leading run of capitals is lower-cased,
// except the last one when a lower-case letter follows: "KeyId" -> "keyId", "SSEAlgorithm" ->
// "sseAlgorithm", "KMSMasterKeyID" -> "kmsMasterKeyID", "GrantTokens" -> "grantTokens".
std::string LowerCamel(std::string_view name);

}  // namespace sealstack::audit
