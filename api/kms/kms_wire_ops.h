// Internal to the KMS wire edge (kms_wire*.cpp): the operation frame and what the operations'
// readers and renderers share.
//
// Every operation is a row (name, handler) built by Frame(reader, call, renderer):
//   reader:   JsonInput& -> Result<Request>     validates the body as AWS does, in AWS's order
//   call:     (Service&, const Caller&, const Request&) -> Result<Response>
//   renderer: (JsonOutput&, const Response&)   writes AWS's response members
// The rows are grouped by concern, one file each: kms_wire_keys.cpp (key lifecycle),
// kms_wire_crypto.cpp (cryptography), kms_wire_manage.cpp (aliases, key policies, rotation,
// tags), kms_wire_grants.cpp (grants, import, usage tracking).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "api/common/json_input.h"
#include "api/common/json_output.h"
#include "api/kms/kms_errors.h"
#include "api/kms/kms_service.h"

namespace sealstack::api::kms::wire_ops {

using Handler = std::function<Result<std::string>(Service&, const Caller&, JsonInput&)>;
using OperationTable = std::unordered_map<std::string_view, Handler>;

// The frame: read, call, render. A failure at any step is the operation's answer.
template <typename Read, typename Call, typename Render>
Handler Frame(Read read, Call call, Render render) {
  return [read, call, render](Service& s, const Caller& c, JsonInput& in) -> Result<std::string> {
    SEALSTACK_ASSIGN_OR_RETURN(auto request, read(in));
    SEALSTACK_ASSIGN_OR_RETURN(auto response, call(s, c, request));
    JsonOutput out;
    render(out, response);
    return out.Finish();
  };
}

// The rows of each group.
void AddKeyOperations(OperationTable& table);
void AddCryptoOperations(OperationTable& table);
void AddManageOperations(OperationTable& table);
void AddGrantOperations(OperationTable& table);

using KeyPtr = std::shared_ptr<const Key>;

// The answer of operations that return nothing: {}.
struct NoContent {};
Result<NoContent> Done(Status status);
inline void RenderNothing(JsonOutput&, const NoContent&) {}

// DryRunOperationException.
Status DryRun();
// A DryRun request fails with DryRunOperationException once the call would have succeeded.
template <typename T>
Result<T> UnlessDryRun(bool dry_run, Result<T> result) {
  if (result.ok() && dry_run) return DryRun();
  return result;
}
// The answer to a request that names a Recipient (after the body's own validation errors).
Status RecipientUnsupported(JsonInput& in);

// ---- members several operations read
inline constexpr size_t kMaxKeyId = 2048;
std::string KeyIdArg(JsonInput& in, bool required = true);
EncryptionContext ContextArg(JsonInput& in, std::string_view name = "EncryptionContext");
std::vector<std::string> GrantTokensArg(JsonInput& in);
bool DryRunArg(JsonInput& in);
ListPage PageArg(JsonInput& in);
// Tags (CreateKey, TagResource): each entry within the model's lengths, reported as AWS does
// ("Value '...' at 'tags.1.member.tagKey' failed to satisfy constraint: ...").
std::optional<std::vector<Tag>> TagsArg(JsonInput& in, bool required);
// KMS's own rules for a request's tags, as TagException: "Too many tags" (more than 50),
// "Duplicate tag keys", "Tags beginning with aws: are reserved" (in any case).
Status CheckTagList(const std::vector<Tag>& tags);

// The request of operations that name only a key.
struct KeyRequest {
  std::string key_id;
};
Result<KeyRequest> ReadKeyId(JsonInput& in);
// The same, for operations that also accept GrantTokens.
Result<KeyRequest> ReadKeyIdWithGrantTokens(JsonInput& in);

// The call of an operation whose Service method takes the caller and then the request's
// members `kMembers`, in order: each row names the method and the members and nothing else.
// A method that answers only a Status answers {} (NoContent) on success.
template <auto kMethod, auto... kMembers>
inline constexpr auto MemberCall = [](Service& s, const Caller& c, const auto& r) {
  auto result = (s.*kMethod)(c, (r.*kMembers)...);
  if constexpr (std::is_same_v<decltype(result), Status>) {
    return Done(std::move(result));
  } else {
    return result;
  }
};
// The same, for operations that name only a key.
template <auto kMethod>
inline constexpr auto KeyCall = MemberCall<kMethod, &KeyRequest::key_id>;

// ---- renderers several operations use
void WriteList(JsonOutput& out, std::string_view key, const std::vector<std::string>& items);
void WritePageEnd(JsonOutput& out, const std::string& next_marker);
// Operations whose answer is the key's ARN alone.
void RenderKeyArn(JsonOutput& out, const KeyPtr& key);

}  // namespace sealstack::api::kms::wire_ops
