#include "server/router.h"

#include "common/name_table.h"
#include "common/strings.h"

namespace sealstack::server {

namespace {

struct JsonPrefix {
  std::string_view prefix;
  Service service;
};
constexpr JsonPrefix kJsonPrefixes[] = {
    {"TrentService.", Service::kKms},
    {"AWSGlue.", Service::kGlue},
    {"Logs_20140328.", Service::kLogs},
    {"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.", Service::kCloudTrail},
    // The JS SDK v3 (Smithy schema clients) sends the target without the namespace.
    {"CloudTrail_20131101.", Service::kCloudTrail},
};

// The service segment of the SigV4 credential scope, from the header or the query.
std::string_view ScopeService(const auth::HttpRequestHead& head) {
  std::string_view cred;
  if (const std::string* a = head.FindHeader("Authorization")) {
    size_t pos = a->find("Credential=");
    if (pos != std::string::npos) {
      cred = std::string_view(*a).substr(pos + 11);
      cred = cred.substr(0, cred.find_first_of(", "));
    }
  } else {
    std::string_view q = head.RawQuery();
    size_t pos = q.find("X-Amz-Credential=");
    if (pos != std::string_view::npos) {
      cred = q.substr(pos + 17);
      cred = cred.substr(0, cred.find('&'));
    }
  }
  // AKID/DATE/REGION/SERVICE/aws4_request (the query form has %2F for '/').
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= cred.size(); ++i) {
    bool slash = i < cred.size() && cred[i] == '/';
    bool encoded = i + 2 < cred.size() && cred[i] == '%' && cred[i + 1] == '2' &&
                   (cred[i + 2] == 'F' || cred[i + 2] == 'f');
    if (i == cred.size() || slash || encoded) {
      parts.push_back(cred.substr(start, i - start));
      start = i + (encoded ? 3 : 1);
      if (encoded) i += 2;
    }
  }
  return parts.size() == 5 ? parts[3] : std::string_view();
}

bool IsQueryRequest(const auth::HttpRequestHead& head) {
  std::string_view service = ScopeService(head);
  if (service == "sts" || service == "iam") return true;
  if (!service.empty() && service != "s3") return false;
  if (head.RawPath() != "/") return false;
  if (head.method == "POST") {
    const std::string* ct = head.FindHeader("Content-Type");
    return ct != nullptr && StartsWith(ToLower(*ct), "application/x-www-form-urlencoded");
  }
  return head.method == "GET" && (StartsWith(head.RawQuery(), "Action=") ||
                                  head.RawQuery().find("&Action=") != std::string_view::npos);
}

std::string_view HostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {  // [::1]:4566
    size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

// The bucket named by a virtual-hosted Host, or "" for path style.
std::string VirtualHostBucket(std::string_view host, std::string_view base_domain) {
  host = HostWithoutPort(host);
  std::string lower = ToLower(host);
  std::string_view h(lower);
  auto strip = [&](std::string_view suffix) -> std::string_view {
    if (h.size() > suffix.size() + 1 && EndsWith(h, suffix) &&
        h[h.size() - suffix.size() - 1] == '.') {
      return h.substr(0, h.size() - suffix.size() - 1);
    }
    return {};
  };
  std::string base = ToLower(base_domain);
  std::string_view bucket;
  // BUCKET.s3.BASE before BUCKET.BASE, so "s3.localhost" itself stays path style.
  if (std::string s3base = "s3." + base; !(bucket = strip(s3base)).empty()) {
  } else if (h == "s3." + base || h == base) {
    return {};
  } else if (!(bucket = strip(base)).empty()) {
  } else {
    // Real-looking AWS hosts: BUCKET.s3.REGION.amazonaws.com / BUCKET.s3.amazonaws.com.
    size_t pos = h.find(".s3.");
    if (pos != std::string_view::npos && pos > 0 && EndsWith(h, ".amazonaws.com")) {
      bucket = h.substr(0, pos);
    } else if (pos = h.find(".s3-");
               pos != std::string_view::npos && pos > 0 && EndsWith(h, ".amazonaws.com")) {
      bucket = h.substr(0, pos);
    }
  }
  // Use the original spelling (bucket names are lower-case anyway; invalid ones fail later).
  return std::string(host.substr(0, bucket.size()));
}

constexpr NameEntry<Service> kServiceNames[] = {
    {Service::kAdmin, "admin"},
    {Service::kKms, "kms"},
    {Service::kGlue, "glue"},
    {Service::kLogs, "logs"},
    {Service::kCloudTrail, "cloudtrail"},
    {Service::kUnknownJson, "json"},
    {Service::kSts, "sts"},
    {Service::kIam, "iam"},
    {Service::kS3, "s3"},
    {Service::kForeign, "foreign"},
};

// The signing names of the services SealStack answers (the credential scope's service).
constexpr std::string_view kEmulatedScopes[] = {"kms",        "s3",  "glue", "logs",
                                                "cloudtrail", "sts", "iam"};

bool IsEmulatedScope(std::string_view service) {
  for (std::string_view s : kEmulatedScopes) {
    if (s == service) return true;
  }
  return false;
}

// How a service SealStack does not emulate expects its errors: JSON for JSON-protocol targets and
// JSON bodies (REST-JSON: Lambda, ...), the Query protocol's XML for form posts and ?Action=.
api::Protocol ForeignProtocol(const auth::HttpRequestHead& head) {
  if (head.FindHeader("X-Amz-Target") != nullptr) return api::Protocol::kJson;
  const std::string* ct = head.FindHeader("Content-Type");
  const std::string type = ct ? ToLower(*ct) : std::string();
  if (StartsWith(type, "application/x-www-form-urlencoded") ||
      StartsWith(head.RawQuery(), "Action=") ||
      head.RawQuery().find("&Action=") != std::string_view::npos) {
    return api::Protocol::kQuery;
  }
  return api::Protocol::kJson;
}

}  // namespace

std::string_view ServiceName(Service s) {
  return NameOf(kServiceNames, s, "?");
}

Route Classify(const auth::HttpRequestHead& head, std::string_view s3_base_domain) {
  Route route;
  std::string_view path = head.RawPath();
  constexpr std::string_view kAdmin = "/_sealstack/";
  if (StartsWith(path, kAdmin) || path == "/_sealstack") {
    route.protocol = api::Protocol::kAdmin;
    route.service = Service::kAdmin;
    route.admin_path = std::string(path.substr(std::min(path.size(), kAdmin.size())));
    return route;
  }
  if (std::string_view scope = ScopeService(head); !scope.empty() && !IsEmulatedScope(scope)) {
    route.protocol = ForeignProtocol(head);
    route.service = Service::kForeign;
    route.foreign_service = std::string(scope);
    if (const std::string* target = head.FindHeader("X-Amz-Target")) route.operation = *target;
    return route;
  }
  if (const std::string* target = head.FindHeader("X-Amz-Target")) {
    route.protocol = api::Protocol::kJson;
    route.service = Service::kUnknownJson;
    route.operation = *target;
    for (const auto& p : kJsonPrefixes) {
      if (StartsWith(*target, p.prefix)) {
        route.service = p.service;
        route.operation = target->substr(p.prefix.size());
        break;
      }
    }
    return route;
  }
  if (IsQueryRequest(head)) {
    route.protocol = api::Protocol::kQuery;
    route.service = ScopeService(head) == "iam" ? Service::kIam : Service::kSts;
    return route;
  }

  route.protocol = api::Protocol::kS3;
  route.service = Service::kS3;
  const std::string* host = head.FindHeader("Host");
  std::string vbucket = host ? VirtualHostBucket(*host, s3_base_domain) : std::string();
  std::string_view rest = path.empty() ? path : path.substr(1);  // drop the leading '/'
  if (!vbucket.empty()) {
    route.virtual_hosted = true;
    route.bucket = vbucket;
    route.key = std::string(rest);
  } else {
    size_t slash = rest.find('/');
    route.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) route.key = std::string(rest.substr(slash + 1));
  }
  return route;
}

}  // namespace sealstack::server
