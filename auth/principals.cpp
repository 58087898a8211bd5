#include "auth/principals.h"

#include <algorithm>
#include <map>

#include "common/identifiers.h"
#include "common/name_table.h"
#include "common/strings.h"
#include "crypto/digest.h"

namespace sealstack::auth {

namespace {

// IAM user/role names and STS session names: [\w+=,.@-].
bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

bool IsName(std::string_view s, size_t min_len, size_t max_len) {
  if (s.size() < min_len || s.size() > max_len) return false;
  for (char c : s) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

Status BadArn(std::string_view arn) {
  return Status::InvalidArgument("invalid principal ARN: " + std::string(arn));
}

// "[path/]NAME" after "user/" or "role/": returns NAME, or "" when malformed.
std::string_view NameAfterPath(std::string_view rest) {
  size_t slash = rest.rfind('/');
  std::string_view name = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
  if (slash != std::string_view::npos) {
    for (std::string_view seg : Split(rest.substr(0, slash), '/')) {
      if (!IsName(seg, 1, 512)) return {};
    }
  }
  return IsName(name, 1, 64) ? name : std::string_view();
}

constexpr NameEntry<PrincipalType> kPrincipalTypeNames[] = {
    {PrincipalType::kRoot, "Root"},
    {PrincipalType::kUser, "IAMUser"},
    {PrincipalType::kRole, "Role"},
    {PrincipalType::kAssumedRole, "AssumedRole"},
    {PrincipalType::kWebIdentityUser, "WebIdentityUser"},
};

}  // namespace

std::string_view PrincipalTypeName(PrincipalType t) {
  return NameOf(kPrincipalTypeNames, t, "Unknown");
}

Result<ParsedArn> ParsePrincipalArn(std::string_view arn) {
  // arn:PARTITION:SERVICE::ACCOUNT:RESOURCE
  std::vector<std::string_view> parts = Split(arn, ':');
  if (parts.size() != 6 || parts[0] != "arn" || !StartsWith(parts[1], "aws") || !parts[3].empty() ||
      !IsAccountId(parts[4])) {
    return BadArn(arn);
  }
  ParsedArn out;
  out.account = std::string(parts[4]);
  std::string_view resource = parts[5];
  if (parts[2] == "iam") {
    if (resource == "root") {
      out.type = PrincipalType::kRoot;
      return out;
    }
    if (StartsWith(resource, "user/") || StartsWith(resource, "role/")) {
      std::string_view name = NameAfterPath(resource.substr(5));
      if (name.empty()) return BadArn(arn);
      out.type = StartsWith(resource, "user/") ? PrincipalType::kUser : PrincipalType::kRole;
      out.name = std::string(name);
      return out;
    }
    return BadArn(arn);
  }
  if (parts[2] == "sts" && StartsWith(resource, "assumed-role/")) {
    std::vector<std::string_view> segs = Split(resource.substr(13), '/');
    if (segs.size() != 2 || !IsName(segs[0], 1, 64) || !IsName(segs[1], 2, 64)) {
      return BadArn(arn);
    }
    out.type = PrincipalType::kAssumedRole;
    out.name = std::string(segs[0]);
    out.session_name = std::string(segs[1]);
    return out;
  }
  return BadArn(arn);
}

std::string DerivedUniqueId(std::string_view prefix, std::string_view arn) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const std::string digest = crypto::Sha256(arn);
  std::string out(prefix);
  for (size_t i = 0; i < 17; ++i) out += kAlphabet[static_cast<unsigned char>(digest[i]) % 32];
  return out;
}

PrincipalStore::PrincipalStore() {
  Principal p;
  p.access_key_id = std::string(kDefaultAccessKeyId);
  p.secret_access_key = crypto::SecretBytes(kDefaultSecretAccessKey);
  p.account = std::string(kDefaultAccount);
  p.arn = "arn:aws:iam::" + p.account + ":root";
  p.type = PrincipalType::kRoot;
  Status st = Put(std::move(p));
  (void)st;  // the default principal is well-formed by construction
}

Status PrincipalStore::Put(Principal p) {
  Result<ParsedArn> parsed = ParsePrincipalArn(p.arn);
  if (!parsed.ok()) return parsed.status();
  if (!p.access_key_id.empty() && p.secret_access_key.empty()) {
    return Status::InvalidArgument("access key " + p.access_key_id + " has no secret");
  }
  if (p.access_key_id.empty() && !p.session_token.empty()) {
    return Status::InvalidArgument("a session token needs an access key id");
  }
  // The ARN is authoritative for account, type and (when not given) name.
  p.account = parsed->account;
  p.type = parsed->type;
  if (p.name.empty()) p.name = parsed->name;

  auto shared = std::make_shared<const Principal>(std::move(p));
  WriterLock lock(mu_);
  if (!shared->access_key_id.empty()) {
    auto old = by_key_.find(shared->access_key_id);
    if (old != by_key_.end()) {
      auto arn_it = by_arn_.find(old->second->arn);
      if (arn_it != by_arn_.end() && arn_it->second == old->second) by_arn_.erase(arn_it);
    }
    by_key_[shared->access_key_id] = shared;
  }
  by_arn_[shared->arn] = shared;
  return Status::Ok();
}

Status PrincipalStore::Remove(std::string_view access_key_id) {
  WriterLock lock(mu_);
  auto it = by_key_.find(std::string(access_key_id));
  if (it == by_key_.end()) {
    return Status::NotFound("no principal with access key " + std::string(access_key_id));
  }
  std::shared_ptr<const Principal> removed = it->second;
  by_key_.erase(it);
  auto arn_it = by_arn_.find(removed->arn);
  if (arn_it != by_arn_.end() && arn_it->second == removed) {
    by_arn_.erase(arn_it);
    // Another access key of the same identity (e.g. a user's second key) keeps the ARN findable.
    for (const auto& [key, p] : by_key_) {
      if (p->arn == removed->arn) {
        by_arn_[p->arn] = p;
        break;
      }
    }
  }
  return Status::Ok();
}

std::shared_ptr<const Principal> PrincipalStore::FindByAccessKey(
    std::string_view access_key_id) const {
  std::shared_ptr<const PrincipalDirectory> directory;
  std::optional<SessionExtras> extras;
  {
    ReaderLock lock(mu_);
    const std::string key(access_key_id);
    auto it = by_key_.find(key);
    if (it != by_key_.end()) return it->second;
    directory = directory_;
    auto e = extras_.find(key);
    if (e != extras_.end()) extras = e->second;
  }
  // Asked without the lock: the directory reads its database.
  std::shared_ptr<const Principal> found =
      directory ? directory->FindByAccessKey(access_key_id) : nullptr;
  if (!extras) return found;
  if (found == nullptr) {
    // Expired (or gone): nothing left to add to or to end.
    WriterLock lock(mu_);
    extras_.erase(std::string(access_key_id));
    return nullptr;
  }
  if (extras->ended) return nullptr;
  auto with = std::make_shared<Principal>(*found);
  with->session_object_encryption = extras->object_encryption;
  return with;
}

void PrincipalStore::SetSessionExtras(
    const std::string& access_key_id,
    std::optional<Principal::ObjectEncryption> object_encryption) {
  WriterLock lock(mu_);
  extras_[access_key_id] = SessionExtras{std::move(object_encryption), false};
}

void PrincipalStore::EndSession(const std::string& access_key_id) {
  WriterLock lock(mu_);
  extras_[access_key_id].ended = true;
}

void PrincipalStore::SetDirectory(std::shared_ptr<const PrincipalDirectory> directory) {
  WriterLock lock(mu_);
  directory_ = std::move(directory);
}

std::vector<ConfiguredIdentity> PrincipalStore::ConfiguredIdentities(
    std::string_view account) const {
  auto wanted = [&](const Principal& p) {
    return p.account == account &&
           (p.type == PrincipalType::kUser || p.type == PrincipalType::kRole);
  };
  std::map<std::string, ConfiguredIdentity> by_arn;  // ARN order
  ReaderLock lock(mu_);
  for (const auto& [arn, p] : by_arn_) {
    if (wanted(*p)) by_arn[arn].principal = p;
  }
  for (const auto& [key, p] : by_key_) {
    if (!wanted(*p) || !p->session_token.empty()) continue;
    auto it = by_arn.find(p->arn);
    if (it != by_arn.end()) it->second.access_key_ids.push_back(key);
  }
  std::vector<ConfiguredIdentity> out;
  out.reserve(by_arn.size());
  for (auto& [arn, identity] : by_arn) {
    std::sort(identity.access_key_ids.begin(), identity.access_key_ids.end());
    out.push_back(std::move(identity));
  }
  return out;
}

std::shared_ptr<const Principal> PrincipalStore::FindByArn(std::string_view arn) const {
  ReaderLock lock(mu_);
  auto it = by_arn_.find(std::string(arn));
  return it == by_arn_.end() ? nullptr : it->second;
}

}  // namespace sealstack::auth
