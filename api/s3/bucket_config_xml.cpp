#include "api/s3/bucket_config_xml.h"

#include <algorithm>
#include <limits>
#include <set>

#include "api/common/xml_reader.h"
#include "api/common/xml_writer.h"
#include "api/s3/object_tags.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_xml.h"

namespace sealstack::api::s3 {

namespace {

constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();

Status InvalidArgument(std::string message, std::string name, std::string value = "") {
  std::vector<std::pair<std::string, std::string>> details{{"ArgumentName", std::move(name)}};
  if (!value.empty()) details.emplace_back("ArgumentValue", std::move(value));
  return S3Error(ErrorKind::kInvalidArgument, std::move(message), details);
}

Status InvalidRequest(std::string message) {
  return S3Error(ErrorKind::kInvalidRequest, std::move(message));
}

Status InvalidTag(std::string message) {
  return S3Error(ErrorKind::kInvalidTag, std::move(message));
}

bool OneOf(std::string_view v, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

// The canonical form of an element's children: each child element re-rendered by local name,
// leaves with their text escaped, whitespace between elements dropped.
void AppendInner(const XmlNode& n, std::string* out) {
  for (const XmlNode& c : n.Children()) {
    *out += '<';
    *out += c.name();
    *out += '>';
    if (c.Children().empty()) {
      AppendXmlEscaped(out, c.Text());
    } else {
      AppendInner(c, out);
    }
    *out += "</";
    *out += c.name();
    *out += '>';
  }
}

std::string InnerOf(const XmlNode& n) {
  std::string out;
  AppendInner(n, &out);
  return out;
}

Result<XmlDocument> ParseRoot(std::string_view body, std::string_view root) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, XmlDocument::Parse(body));
  if (doc.root().name() != root) return MalformedXml("unexpected root element");
  return doc;
}

// A stored inner document, parsed again under its root.
Result<XmlDocument> Reparse(std::string_view root, std::string_view inner) {
  std::string text = "<";
  text += root;
  text += '>';
  text += inner;
  text += "</";
  text += root;
  text += '>';
  return XmlDocument::Parse(text);
}

// Required child with a value from `allowed`.
Status RequireEnum(const XmlNode& n, std::string_view name,
                   std::initializer_list<std::string_view> allowed) {
  std::optional<std::string> v = n.ChildText(name);
  if (!v || !OneOf(*v, allowed)) return MalformedXml(std::string(name) + " missing or invalid");
  return Status::Ok();
}

// ---- CORS: AWS answers InvalidRequest for a method outside GET/PUT/HEAD/POST/DELETE and for a
// second wildcard (messages as AWS recorded them); a rule without a method or origin, or no rule
// at all, is MalformedXML.
Status ValidateCors(const XmlNode& root) {
  std::vector<XmlNode> rules = root.Children("CORSRule");
  if (rules.empty() || rules.size() > 100) return MalformedXml("CORSRule count");
  for (const XmlNode& rule : rules) {
    std::vector<XmlNode> methods = rule.Children("AllowedMethod");
    std::vector<XmlNode> origins = rule.Children("AllowedOrigin");
    if (methods.empty() || origins.empty()) return MalformedXml("CORSRule lacks method/origin");
    for (const XmlNode& m : methods) {
      std::string v = m.Text();
      if (!OneOf(v, {"GET", "PUT", "HEAD", "POST", "DELETE"})) {
        return InvalidRequest(
            "Found unsupported HTTP method in CORS config. Unsupported method is " + v);
      }
    }
    for (const XmlNode& o : origins) {
      std::string v = o.Text();
      if (std::count(v.begin(), v.end(), '*') > 1) {
        return InvalidRequest("AllowedOrigin \"" + v + "\" can not have more than one wildcard.");
      }
    }
    for (const XmlNode& h : rule.Children("AllowedHeader")) {
      std::string v = h.Text();
      if (std::count(v.begin(), v.end(), '*') > 1) {
        return InvalidRequest("AllowedHeader \"" + v + "\" can not have more than one wildcard.");
      }
    }
    SEALSTACK_RETURN_IF_ERROR(rule.ChildInt("MaxAgeSeconds", 0, kMaxInt32).status());
    if (rule.ChildText("ID").value_or("").size() > 255) return MalformedXml("ID too long");
  }
  return Status::Ok();
}

// ---- Bucket tags: the per-tag rules of object tags (object_tags.h), 50 of them.
Status ValidateTagging(const XmlNode& root) {
  SEALSTACK_ASSIGN_OR_RETURN(TagSet tags, ReadTagSet(root));
  return ValidateTagSet(tags, kMaxBucketTags,
                        InvalidTag("Bucket tag count cannot be greater than 50"));
}

// ---- Lifecycle.
Status ValidateLifecycle(const XmlNode& root) {
  std::vector<XmlNode> rules = root.Children("Rule");
  if (rules.empty() || rules.size() > 1000) return MalformedXml("Rule count");
  std::set<std::string> ids;
  for (const XmlNode& rule : rules) {
    std::string id = rule.ChildText("ID").value_or("");
    if (id.size() > 255) {
      return InvalidArgument("ID length should not exceed allowed limit of 255", "ID", id);
    }
    if (!id.empty() && !ids.insert(id).second) {
      return InvalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID",
                             id);
    }
    SEALSTACK_RETURN_IF_ERROR(RequireEnum(rule, "Status", {"Enabled", "Disabled"}));
    const bool has_prefix = rule.Child("Prefix").valid();
    XmlNode filter = rule.Child("Filter");
    if (has_prefix == filter.valid()) return MalformedXml("exactly one of Prefix and Filter");
    if (filter.valid()) {
      size_t predicates = 0;
      for (std::string_view p :
           {"Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan"}) {
        predicates += filter.CountChildren(p);
      }
      if (predicates > 1) return MalformedXml("Filter has more than one predicate");
    }
    bool any_action = false;
    for (std::string_view a : {"Expiration", "Transition", "NoncurrentVersionExpiration",
                               "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload"}) {
      any_action = any_action || rule.Child(a).valid();
    }
    if (!any_action) return InvalidRequest("At least one action needs to be specified in a rule");
    XmlNode expiration = rule.Child("Expiration");
    if (expiration.valid()) {
      size_t forms = expiration.CountChildren("Days") + expiration.CountChildren("Date") +
                     expiration.CountChildren("ExpiredObjectDeleteMarker");
      if (forms != 1) return MalformedXml("Expiration needs one of Days, Date, marker");
      SEALSTACK_ASSIGN_OR_RETURN(std::optional<int64_t> days,
                                 expiration.ChildInt("Days", std::numeric_limits<int64_t>::min(),
                                                     std::numeric_limits<int64_t>::max()));
      if (days && *days <= 0) {
        return InvalidArgument("'Days' for Expiration action must be a positive integer", "Days",
                               std::to_string(*days));
      }
    }
    XmlNode abort = rule.Child("AbortIncompleteMultipartUpload");
    if (abort.valid()) {
      SEALSTACK_ASSIGN_OR_RETURN(
          std::optional<int64_t> days,
          abort.ChildInt("DaysAfterInitiation", std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max()));
      if (!days) return MalformedXml("AbortIncompleteMultipartUpload lacks DaysAfterInitiation");
      if (*days <= 0) {
        return InvalidArgument(
            "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action "
            "must be a positive integer",
            "DaysAfterInitiation", std::to_string(*days));
      }
    }
  }
  return Status::Ok();
}

// ---- Website.
Status ValidateWebsite(const XmlNode& root) {
  XmlNode redirect = root.Child("RedirectAllRequestsTo");
  if (redirect.valid()) {
    if (!redirect.ChildText("HostName"))
      return MalformedXml("RedirectAllRequestsTo lacks HostName");
    if (root.Child("IndexDocument").valid() || root.Child("ErrorDocument").valid() ||
        root.Child("RoutingRules").valid()) {
      return InvalidRequest(
          "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.");
    }
    return Status::Ok();
  }
  XmlNode index = root.Child("IndexDocument");
  if (!index.valid()) {
    return InvalidArgument(
        "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
        "IndexDocument");
  }
  std::string suffix = index.ChildText("Suffix").value_or("");
  if (suffix.empty() || suffix.find('/') != std::string::npos) {
    return InvalidArgument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix);
  }
  XmlNode error = root.Child("ErrorDocument");
  if (error.valid() && error.ChildText("Key").value_or("").empty()) {
    return MalformedXml("ErrorDocument lacks Key");
  }
  return Status::Ok();
}

// ---- Logging: an empty BucketLoggingStatus turns logging off.
Status ValidateLogging(const XmlNode& root) {
  XmlNode enabled = root.Child("LoggingEnabled");
  if (!enabled.valid()) return Status::Ok();
  if (!enabled.ChildText("TargetBucket") || !enabled.ChildText("TargetPrefix")) {
    return MalformedXml("LoggingEnabled lacks TargetBucket or TargetPrefix");
  }
  return Status::Ok();
}

// ---- Notifications: stored, never delivered. Each destination names its ARN and events from
// S3's event types.
bool IsNotificationEvent(std::string_view e) {
  static constexpr std::string_view kEvents[] = {"s3:ReducedRedundancyLostObject",
                                                 "s3:ObjectCreated:*",
                                                 "s3:ObjectCreated:Put",
                                                 "s3:ObjectCreated:Post",
                                                 "s3:ObjectCreated:Copy",
                                                 "s3:ObjectCreated:CompleteMultipartUpload",
                                                 "s3:ObjectRemoved:*",
                                                 "s3:ObjectRemoved:Delete",
                                                 "s3:ObjectRemoved:DeleteMarkerCreated",
                                                 "s3:ObjectRestore:*",
                                                 "s3:ObjectRestore:Post",
                                                 "s3:ObjectRestore:Completed",
                                                 "s3:ObjectRestore:Delete",
                                                 "s3:Replication:*",
                                                 "s3:Replication:OperationFailedReplication",
                                                 "s3:Replication:OperationNotTracked",
                                                 "s3:Replication:OperationMissedThreshold",
                                                 "s3:Replication:OperationReplicatedAfterThreshold",
                                                 "s3:LifecycleExpiration:*",
                                                 "s3:LifecycleExpiration:Delete",
                                                 "s3:LifecycleExpiration:DeleteMarkerCreated",
                                                 "s3:LifecycleTransition",
                                                 "s3:IntelligentTiering",
                                                 "s3:ObjectTagging:*",
                                                 "s3:ObjectTagging:Put",
                                                 "s3:ObjectTagging:Delete",
                                                 "s3:ObjectAcl:Put"};
  return std::find(std::begin(kEvents), std::end(kEvents), e) != std::end(kEvents);
}

Status ValidateNotification(const XmlNode& root) {
  static constexpr std::pair<std::string_view, std::string_view> kDestinations[] = {
      {"TopicConfiguration", "Topic"},
      {"QueueConfiguration", "Queue"},
      {"CloudFunctionConfiguration", "CloudFunction"}};
  for (const auto& [element, arn] : kDestinations) {
    for (const XmlNode& c : root.Children(element)) {
      if (!c.ChildText(arn)) return MalformedXml("destination lacks its ARN");
      std::vector<XmlNode> events = c.Children("Event");
      if (events.empty()) return MalformedXml("destination lacks Event");
      for (const XmlNode& e : events) {
        if (!IsNotificationEvent(e.Text())) {
          return InvalidArgument("The event is not supported for notifications", "Event", e.Text());
        }
      }
    }
  }
  return Status::Ok();
}

// ---- Replication: validated here; the versioning requirement is the service's.
Status ValidateReplication(const XmlNode& root) {
  if (root.ChildText("Role").value_or("").empty()) return MalformedXml("Role missing");
  std::vector<XmlNode> rules = root.Children("Rule");
  if (rules.empty() || rules.size() > 1000) return MalformedXml("Rule count");
  for (const XmlNode& rule : rules) {
    SEALSTACK_RETURN_IF_ERROR(RequireEnum(rule, "Status", {"Enabled", "Disabled"}));
    XmlNode dest = rule.Child("Destination");
    if (!dest.valid() || dest.ChildText("Bucket").value_or("").empty()) {
      return MalformedXml("Rule lacks Destination/Bucket");
    }
    SEALSTACK_RETURN_IF_ERROR(rule.ChildInt("Priority", 0, kMaxInt32).status());
  }
  return Status::Ok();
}

// ---- Object Lock configuration.
Status ValidateObjectLock(const XmlNode& root) {
  std::optional<std::string> enabled = root.ChildText("ObjectLockEnabled");
  if (enabled && *enabled != "Enabled") return MalformedXml("ObjectLockEnabled");
  XmlNode rule = root.Child("Rule");
  if (!rule.valid()) return Status::Ok();
  XmlNode retention = rule.Child("DefaultRetention");
  if (!retention.valid()) return MalformedXml("Rule lacks DefaultRetention");
  SEALSTACK_RETURN_IF_ERROR(RequireEnum(retention, "Mode", {"GOVERNANCE", "COMPLIANCE"}));
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<int64_t> days,
                             retention.ChildInt("Days", std::numeric_limits<int64_t>::min(),
                                                std::numeric_limits<int64_t>::max()));
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<int64_t> years,
                             retention.ChildInt("Years", std::numeric_limits<int64_t>::min(),
                                                std::numeric_limits<int64_t>::max()));
  if (days.has_value() == years.has_value()) return MalformedXml("exactly one of Days and Years");
  if (days.value_or(1) <= 0 || years.value_or(1) <= 0) {
    return InvalidArgument("Default retention period must be a positive integer value",
                           "DefaultRetention");
  }
  return Status::Ok();
}

Status ValidateOwnership(const XmlNode& root) {
  if (root.CountChildren("Rule") != 1) return MalformedXml("exactly one Rule");
  return RequireEnum(root.Child("Rule"), "ObjectOwnership",
                     {kBucketOwnerEnforced, kBucketOwnerPreferred, kObjectWriter});
}

Status ValidatePublicAccessBlock(const XmlNode& root) {
  for (std::string_view name :
       {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}) {
    SEALSTACK_RETURN_IF_ERROR(root.ChildBool(name).status());
  }
  return Status::Ok();
}

// ---- The id-keyed configurations: each carries its Id, which must be the request's ?id=.
Status ValidateInventory(const XmlNode& root) {
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<bool> enabled, root.ChildBool("IsEnabled"));
  if (!enabled) return MalformedXml("IsEnabled missing");
  XmlNode dest = root.Child("Destination").Child("S3BucketDestination");
  if (!dest.valid() || !dest.ChildText("Bucket")) return MalformedXml("Destination");
  SEALSTACK_RETURN_IF_ERROR(RequireEnum(dest, "Format", {"CSV", "ORC", "Parquet"}));
  SEALSTACK_RETURN_IF_ERROR(RequireEnum(root, "IncludedObjectVersions", {"All", "Current"}));
  XmlNode schedule = root.Child("Schedule");
  if (!schedule.valid()) return MalformedXml("Schedule missing");
  return RequireEnum(schedule, "Frequency", {"Daily", "Weekly"});
}

Status ValidateIntelligentTiering(const XmlNode& root) {
  SEALSTACK_RETURN_IF_ERROR(RequireEnum(root, "Status", {"Enabled", "Disabled"}));
  std::vector<XmlNode> tierings = root.Children("Tiering");
  if (tierings.empty()) return MalformedXml("Tiering missing");
  for (const XmlNode& t : tierings) {
    SEALSTACK_ASSIGN_OR_RETURN(std::optional<int64_t> days, t.ChildInt("Days", 0, kMaxInt32));
    if (!days) return MalformedXml("Tiering lacks Days");
    SEALSTACK_RETURN_IF_ERROR(
        RequireEnum(t, "AccessTier", {"ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS"}));
  }
  return Status::Ok();
}

Status ValidateAnalytics(const XmlNode& root) {
  if (!root.Child("StorageClassAnalysis").valid()) {
    return MalformedXml("StorageClassAnalysis missing");
  }
  return Status::Ok();
}

Status ValidateById(const XmlNode& root, std::string_view id) {
  std::optional<std::string> doc_id = root.ChildText("Id");
  if (!doc_id || doc_id->empty()) return MalformedXml("Id missing");
  if (*doc_id != id) {
    return InvalidArgument("Document ID does not match the specified configuration ID.", "id",
                           std::string(id));
  }
  return Status::Ok();
}

Status Validate(BucketConfigKind kind, const XmlNode& root) {
  switch (kind) {
    case BucketConfigKind::kAccelerate:
      return RequireEnum(root, "Status", {"Enabled", "Suspended"});
    case BucketConfigKind::kCors:
      return ValidateCors(root);
    case BucketConfigKind::kLifecycle:
      return ValidateLifecycle(root);
    case BucketConfigKind::kLogging:
      return ValidateLogging(root);
    case BucketConfigKind::kNotification:
      return ValidateNotification(root);
    case BucketConfigKind::kObjectLock:
      return ValidateObjectLock(root);
    case BucketConfigKind::kOwnershipControls:
      return ValidateOwnership(root);
    case BucketConfigKind::kPublicAccessBlock:
      return ValidatePublicAccessBlock(root);
    case BucketConfigKind::kReplication:
      return ValidateReplication(root);
    case BucketConfigKind::kRequestPayment:
      return RequireEnum(root, "Payer", {"Requester", "BucketOwner"});
    case BucketConfigKind::kTagging:
      return ValidateTagging(root);
    case BucketConfigKind::kWebsite:
      return ValidateWebsite(root);
    case BucketConfigKind::kAnalytics:
      return ValidateAnalytics(root);
    case BucketConfigKind::kIntelligentTiering:
      return ValidateIntelligentTiering(root);
    case BucketConfigKind::kInventory:
      return ValidateInventory(root);
    case BucketConfigKind::kMetrics:
    case BucketConfigKind::kAcl:
      return Status::Ok();
  }
  return Status::Ok();
}

std::string_view ListRootOf(BucketConfigKind kind) {
  switch (kind) {
    case BucketConfigKind::kAnalytics:
      return "ListBucketAnalyticsConfigurationResult";
    case BucketConfigKind::kIntelligentTiering:
      return "ListBucketIntelligentTieringConfigurationsOutput";
    case BucketConfigKind::kInventory:
      return "ListInventoryConfigurationsResult";
    default:
      return "ListMetricsConfigurationsResult";
  }
}

}  // namespace

Result<BucketConfigDocument> ParseBucketConfig(BucketConfigKind kind, std::string_view body,
                                               std::string_view id) {
  const BucketConfigSpec& spec = SpecOf(kind);
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, ParseRoot(body, spec.root));
  if (spec.keyed_by_id) SEALSTACK_RETURN_IF_ERROR(ValidateById(doc.root(), id));
  SEALSTACK_RETURN_IF_ERROR(Validate(kind, doc.root()));
  BucketConfigDocument out;
  out.kind = kind;
  out.id = std::string(id);
  out.inner = InnerOf(doc.root());
  return out;
}

std::string RenderBucketConfig(const BucketConfigSpec& spec, std::string_view inner) {
  XmlWriter w;
  w.Open(spec.root, kS3Xmlns);
  w.Raw(inner);
  return w.Finish();
}

std::string RenderBucketConfigList(const BucketConfigSpec& spec,
                                   const std::vector<std::string>& inners) {
  XmlWriter w;
  w.Open(ListRootOf(spec.kind), kS3Xmlns);
  w.Element("IsTruncated", "false");
  for (const std::string& inner : inners) {
    w.Open(spec.root);
    w.Raw(inner);
    w.Close();
  }
  return w.Finish();
}

std::string DefaultConfigInner(BucketConfigKind kind) {
  if (kind == BucketConfigKind::kRequestPayment) return "<Payer>BucketOwner</Payer>";
  return "";
}

std::string RenderVersioningConfiguration(std::string_view status, std::string_view mfa_delete) {
  XmlWriter w;
  w.Open("VersioningConfiguration", kS3Xmlns);
  if (!status.empty()) w.Element("Status", status);
  if (!mfa_delete.empty()) w.Element("MfaDelete", mfa_delete);
  return w.Finish();
}

std::vector<CorsRule> CorsRulesOf(std::string_view inner) {
  std::vector<CorsRule> out;
  auto doc = Reparse("CORSConfiguration", inner);
  if (!doc.ok()) return out;
  for (const XmlNode& r : doc->root().Children("CORSRule")) {
    CorsRule rule;
    rule.id = r.ChildText("ID").value_or("");
    for (const XmlNode& n : r.Children("AllowedMethod")) rule.allowed_methods.push_back(n.Text());
    for (const XmlNode& n : r.Children("AllowedOrigin")) rule.allowed_origins.push_back(n.Text());
    for (const XmlNode& n : r.Children("AllowedHeader")) rule.allowed_headers.push_back(n.Text());
    for (const XmlNode& n : r.Children("ExposeHeader")) rule.expose_headers.push_back(n.Text());
    auto max_age = r.ChildInt("MaxAgeSeconds", 0, kMaxInt32);
    if (max_age.ok()) rule.max_age_seconds = *max_age;
    out.push_back(std::move(rule));
  }
  return out;
}

std::string ObjectOwnershipOf(std::string_view inner) {
  auto doc = Reparse("OwnershipControls", inner);
  if (!doc.ok()) return "";
  return doc->root().Child("Rule").ChildText("ObjectOwnership").value_or("");
}

PublicAccessBlock PublicAccessBlockOf(std::string_view inner) {
  PublicAccessBlock pab;
  auto doc = Reparse("PublicAccessBlockConfiguration", inner);
  if (!doc.ok()) return pab;
  auto flag = [&](std::string_view name) {
    auto v = doc->root().ChildBool(name);
    return v.ok() && v->value_or(false);
  };
  pab.block_public_acls = flag("BlockPublicAcls");
  pab.ignore_public_acls = flag("IgnorePublicAcls");
  pab.block_public_policy = flag("BlockPublicPolicy");
  pab.restrict_public_buckets = flag("RestrictPublicBuckets");
  return pab;
}

std::string LoggingTargetOf(std::string_view inner) {
  auto doc = Reparse("BucketLoggingStatus", inner);
  if (!doc.ok()) return "";
  return doc->root().Child("LoggingEnabled").ChildText("TargetBucket").value_or("");
}

std::string OwnershipControlsInner(std::string_view ownership) {
  std::string out = "<Rule><ObjectOwnership>";
  out += ownership;
  out += "</ObjectOwnership></Rule>";
  return out;
}

std::string PublicAccessBlockInner(const PublicAccessBlock& pab) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  std::string out;
  out += "<BlockPublicAcls>" + std::string(b(pab.block_public_acls)) + "</BlockPublicAcls>";
  out += "<IgnorePublicAcls>" + std::string(b(pab.ignore_public_acls)) + "</IgnorePublicAcls>";
  out += "<BlockPublicPolicy>" + std::string(b(pab.block_public_policy)) + "</BlockPublicPolicy>";
  out += "<RestrictPublicBuckets>" + std::string(b(pab.restrict_public_buckets)) +
         "</RestrictPublicBuckets>";
  return out;
}

namespace {

Result<std::vector<AclGrant>> GrantsOfList(const XmlNode& list) {
  std::vector<AclGrant> out;
  for (const XmlNode& g : list.Children("Grant")) {
    XmlNode grantee = g.Child("Grantee");
    if (!grantee.valid()) return MalformedXml("Grant lacks Grantee");
    AclGrant grant;
    if (auto id = grantee.ChildText("ID")) {
      grant.type = "CanonicalUser";
      grant.id = *id;
    } else if (auto uri = grantee.ChildText("URI")) {
      grant.type = "Group";
      grant.uri = *uri;
    } else if (auto email = grantee.ChildText("EmailAddress")) {
      grant.type = "AmazonCustomerByEmail";
      grant.email = *email;
    } else {
      return MalformedXml("Grantee names nobody");
    }
    grant.permission = g.ChildText("Permission").value_or("");
    if (!OneOf(grant.permission, {"FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"})) {
      return MalformedXml("Permission");
    }
    out.push_back(std::move(grant));
  }
  return out;
}

void RenderGrant(XmlWriter& w, const AclGrant& g, bool with_type) {
  w.Open("Grant");
  if (with_type) {
    w.OpenWithAttributes("Grantee", {{"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"},
                                     {"xsi:type", g.type}});
  } else {
    w.Open("Grantee");
  }
  if (!g.id.empty()) w.Element("ID", g.id);
  if (!g.uri.empty()) w.Element("URI", g.uri);
  if (!g.email.empty()) w.Element("EmailAddress", g.email);
  w.Close();
  w.Element("Permission", g.permission);
  w.Close();
}

}  // namespace

Result<std::vector<AclGrant>> ParseAccessControlPolicy(std::string_view body) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, ParseRoot(body, "AccessControlPolicy"));
  XmlNode list = doc.root().Child("AccessControlList");
  if (!list.valid()) return MalformedXml("AccessControlList missing");
  return GrantsOfList(list);
}

std::string GrantsInner(const std::vector<AclGrant>& grants) {
  XmlWriter w;
  w.Open("L");
  for (const AclGrant& g : grants) RenderGrant(w, g, /*with_type=*/false);
  std::string doc = w.Finish();
  // Strip the declaration and the wrapper: keep the <Grant> elements.
  size_t start = doc.find("<L>") + 3;
  return doc.substr(start, doc.size() - start - 4);
}

std::vector<AclGrant> GrantsFromInner(std::string_view inner) {
  auto doc = Reparse("AccessControlList", inner);
  if (!doc.ok()) return {};
  auto grants = GrantsOfList(doc->root());
  return grants.ok() ? *grants : std::vector<AclGrant>{};
}

std::string RenderAccessControlPolicy(const std::string& owner_id,
                                      const std::vector<AclGrant>& grants) {
  XmlWriter w;
  w.Open("AccessControlPolicy", kS3Xmlns);
  w.Open("Owner");
  w.Element("ID", owner_id);
  w.Close();
  w.Open("AccessControlList");
  for (const AclGrant& g : grants) RenderGrant(w, g, /*with_type=*/true);
  return w.Finish();
}

}  // namespace sealstack::api::s3
