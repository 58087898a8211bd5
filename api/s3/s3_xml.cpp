#include "api/s3/s3_xml.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "api/common/xml_reader.h"
#include "api/common/xml_writer.h"
#include "api/s3/etag.h"
#include "api/s3/s3_errors.h"
#include "common/time_format.h"

namespace sealstack::api::s3 {

namespace {

std::string Iso(SystemTime t) {
  return FormatIso8601(t, /*with_millis=*/true);
}
const char* Bool(bool b) {
  return b ? "true" : "false";
}

// Adds <name>text</name> only when text is non-empty.
void Optional(XmlWriter& w, std::string_view name, std::string_view text) {
  if (!text.empty()) w.Element(name, text);
}

void RenderOwner(XmlWriter& w, std::string_view element, const Owner& o) {
  w.Open(element);
  w.Element("ID", o.id);
  Optional(w, "DisplayName", o.display_name);
  w.Close();
}

// Each checksum element S3 writes and reads, with the Checksums member that carries it, in the
// order AWS writes them: one table for rendering, parsing and Checksums::empty().
struct ChecksumElement {
  const char* name;
  std::string Checksums::*member;
};
constexpr ChecksumElement kChecksumElements[] = {
    {"ChecksumCRC32", &Checksums::crc32},
    {"ChecksumCRC32C", &Checksums::crc32c},
    {"ChecksumCRC64NVME", &Checksums::crc64nvme},
    {"ChecksumSHA1", &Checksums::sha1},
    {"ChecksumSHA256", &Checksums::sha256},
    {"ChecksumSHA512", &Checksums::sha512},
    {"ChecksumMD5", &Checksums::md5},
    {"ChecksumXXHASH64", &Checksums::xxhash64},
    {"ChecksumXXHASH3", &Checksums::xxhash3},
    {"ChecksumXXHASH128", &Checksums::xxhash128},
};

void RenderChecksums(XmlWriter& w, const Checksums& c) {
  for (const ChecksumElement& e : kChecksumElements) Optional(w, e.name, c.*e.member);
}

Checksums ParseChecksums(const XmlNode& n) {
  Checksums c;
  for (const ChecksumElement& e : kChecksumElements) c.*e.member = n.ChildText(e.name).value_or("");
  return c;
}

// Text of a field subject to encoding-type=url.
std::string MaybeEncoded(std::string_view s, bool url) {
  return url ? S3UrlEncode(s) : std::string(s);
}

void RenderContents(XmlWriter& w, const ObjectEntry& o, bool url) {
  w.Open("Contents");
  w.Element("Key", MaybeEncoded(o.key, url));
  w.Element("LastModified", Iso(o.last_modified));
  w.Element("ETag", Quoted(o.etag));
  for (const std::string& a : o.checksum_algorithms) w.Element("ChecksumAlgorithm", a);
  Optional(w, "ChecksumType", o.checksum_type);
  w.Element("Size", std::to_string(o.size));
  w.Element("StorageClass", o.storage_class);
  if (o.owner) RenderOwner(w, "Owner", *o.owner);
  w.Close();
}

void RenderCommonPrefixes(XmlWriter& w, const std::vector<std::string>& prefixes, bool url) {
  for (const std::string& p : prefixes) {
    w.Open("CommonPrefixes");
    w.Element("Prefix", MaybeEncoded(p, url));
    w.Close();
  }
}

// A listing's root element with its Name and Prefix.
void OpenListing(XmlWriter& w, std::string_view root, const ListingPage& r) {
  w.Open(root, kS3Xmlns);
  w.Element("Name", r.name);
  w.Element("Prefix", MaybeEncoded(r.prefix, r.encoding_type_url));
}

// MaxKeys, Delimiter, EncodingType and IsTruncated, in the order every listing has them.
void RenderListingLimits(XmlWriter& w, const ListingPage& r) {
  w.Element("MaxKeys", std::to_string(r.max_keys));
  if (!r.delimiter.empty()) w.Element("Delimiter", MaybeEncoded(r.delimiter, r.encoding_type_url));
  if (r.encoding_type_url) w.Element("EncodingType", "url");
  w.Element("IsTruncated", Bool(r.is_truncated));
}

void RenderPartListPage(XmlWriter& w, const PartListPage& p) {
  w.Element("PartNumberMarker", std::to_string(p.part_number_marker));
  w.Element("NextPartNumberMarker", std::to_string(p.next_part_number_marker));
  w.Element("MaxParts", std::to_string(p.max_parts));
  w.Element("IsTruncated", Bool(p.is_truncated));
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// Parses `body` and checks the root element's local name.
Result<XmlDocument> ParseRooted(std::string_view body, std::string_view root_name) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, XmlDocument::Parse(body));
  if (doc.root().name() != root_name) {
    std::string message = "root element is ";  // (not "..." + string: GCC 12 -Wrestrict)
    message += doc.root().name();
    message += ", expected ";
    message += root_name;
    return MalformedXml(message);
  }
  return doc;
}

std::string StripQuotes(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

}  // namespace

std::string S3UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '*' || c == '/') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

bool Checksums::empty() const {
  return std::all_of(std::begin(kChecksumElements), std::end(kChecksumElements),
                     [this](const ChecksumElement& e) { return (this->*e.member).empty(); });
}

// ---- Buckets ----

std::string RenderListBuckets(const ListBucketsResult& r) {
  XmlWriter w;
  w.Open("ListAllMyBucketsResult", kS3Xmlns);
  RenderOwner(w, "Owner", r.owner);
  w.Open("Buckets");
  for (const BucketEntry& b : r.buckets) {
    w.Open("Bucket");
    w.Element("Name", b.name);
    w.Element("CreationDate", Iso(b.creation_date));
    Optional(w, "BucketRegion", b.region);
    w.Close();
  }
  w.Close();
  Optional(w, "ContinuationToken", r.continuation_token);
  Optional(w, "Prefix", r.prefix);
  return w.Finish();
}

std::string RenderLocationConstraint(std::string_view region) {
  if (region.empty() || region == "us-east-1") {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"";
    out += kS3Xmlns;
    out += "\"/>";
    return out;
  }
  XmlWriter w;
  w.Open("LocationConstraint", kS3Xmlns);
  std::string out = w.Finish();
  // XmlWriter has no mixed content; splice the escaped region text before the end tag.
  std::string text;
  AppendXmlEscaped(&text, region);
  out.insert(out.size() - std::string_view("</LocationConstraint>").size(), text);
  return out;
}

Result<CreateBucketConfiguration> ParseCreateBucketConfiguration(std::string_view body) {
  CreateBucketConfiguration config;
  if (IsBlank(body)) return config;
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, ParseRooted(body, "CreateBucketConfiguration"));
  config.location_constraint = doc.root().ChildText("LocationConstraint").value_or("");
  return config;
}

// ---- Objects ----

std::string RenderListObjectsV2(const ListObjectsV2Result& r) {
  const bool url = r.encoding_type_url;
  XmlWriter w;
  OpenListing(w, "ListBucketResult", r);
  if (!r.start_after.empty()) w.Element("StartAfter", MaybeEncoded(r.start_after, url));
  Optional(w, "ContinuationToken", r.continuation_token);
  Optional(w, "NextContinuationToken", r.next_continuation_token);
  w.Element("KeyCount", std::to_string(r.contents.size() + r.common_prefixes.size()));
  RenderListingLimits(w, r);
  for (const ObjectEntry& o : r.contents) RenderContents(w, o, url);
  RenderCommonPrefixes(w, r.common_prefixes, url);
  return w.Finish();
}

std::string RenderListObjectsV1(const ListObjectsV1Result& r) {
  const bool url = r.encoding_type_url;
  XmlWriter w;
  OpenListing(w, "ListBucketResult", r);
  w.Element("Marker", MaybeEncoded(r.marker, url));
  if (!r.next_marker.empty()) w.Element("NextMarker", MaybeEncoded(r.next_marker, url));
  RenderListingLimits(w, r);
  for (const ObjectEntry& o : r.contents) RenderContents(w, o, url);
  RenderCommonPrefixes(w, r.common_prefixes, url);
  return w.Finish();
}

// ---- Bucket encryption ----

std::string RenderEncryptionConfiguration(const EncryptionConfiguration& c) {
  XmlWriter w;
  w.Open("ServerSideEncryptionConfiguration", kS3Xmlns);
  w.Open("Rule");
  w.Open("ApplyServerSideEncryptionByDefault");
  w.Element("SSEAlgorithm", c.sse_algorithm);
  Optional(w, "KMSMasterKeyID", c.kms_master_key_id);
  w.Close();
  if (c.bucket_key_enabled) w.Element("BucketKeyEnabled", Bool(*c.bucket_key_enabled));
  if (c.blocked_encryption_types) {
    w.Open("BlockedEncryptionTypes");
    for (const std::string& t : *c.blocked_encryption_types) w.Element("EncryptionType", t);
    w.Close();
  }
  return w.Finish();
}

Result<EncryptionConfiguration> ParseEncryptionConfiguration(std::string_view body) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc,
                             ParseRooted(body, "ServerSideEncryptionConfiguration"));
  XmlNode root = doc.root();
  if (root.CountChildren("Rule") != 1) return MalformedXml("expected exactly one Rule");
  XmlNode rule = root.Child("Rule");
  XmlNode by_default = rule.Child("ApplyServerSideEncryptionByDefault");
  if (!by_default.valid()) return MalformedXml("Rule lacks ApplyServerSideEncryptionByDefault");
  std::optional<std::string> algorithm = by_default.ChildText("SSEAlgorithm");
  if (!algorithm) return MalformedXml("ApplyServerSideEncryptionByDefault lacks SSEAlgorithm");
  if (*algorithm != "AES256" && *algorithm != "aws:kms" && *algorithm != "aws:kms:dsse") {
    return MalformedXml("unsupported SSEAlgorithm " + *algorithm);
  }

  EncryptionConfiguration config;
  config.sse_algorithm = *algorithm;
  config.kms_master_key_id = by_default.ChildText("KMSMasterKeyID").value_or("");
  SEALSTACK_ASSIGN_OR_RETURN(config.bucket_key_enabled, rule.ChildBool("BucketKeyEnabled"));
  XmlNode blocked = rule.Child("BlockedEncryptionTypes");
  if (blocked.valid()) {
    std::vector<std::string> types;
    for (const XmlNode& t : blocked.Children("EncryptionType")) {
      std::string v = t.Text();
      if (v != "SSE-C" && v != "NONE") return MalformedXml("unsupported EncryptionType " + v);
      types.push_back(std::move(v));
    }
    config.blocked_encryption_types = std::move(types);
  }

  // Only a non-empty key id is refused with AES256 (the case AWS is known to answer).
  if (!config.kms_master_key_id.empty() && config.sse_algorithm == "AES256") {
    return S3Error(ErrorKind::kInvalidArgument,
                   "a KMSMasterKeyID is not applicable if the default sse algorithm is not "
                   "aws:kms or aws:kms:dsse",
                   {{"ArgumentName", "ApplyServerSideEncryptionByDefault"}});
  }
  return config;
}

// ---- ListObjectVersions / PutBucketVersioning ----

std::string RenderListVersionsResult(const ListVersionsResult& r) {
  const bool url = r.encoding_type_url;
  XmlWriter w;
  OpenListing(w, "ListVersionsResult", r);
  w.Element("KeyMarker", MaybeEncoded(r.key_marker, url));
  w.Element("VersionIdMarker", r.version_id_marker);
  if (!r.next_key_marker.empty()) w.Element("NextKeyMarker", MaybeEncoded(r.next_key_marker, url));
  Optional(w, "NextVersionIdMarker", r.next_version_id_marker);
  RenderListingLimits(w, r);
  for (const VersionEntry& e : r.entries) {
    w.Open(e.delete_marker ? "DeleteMarker" : "Version");
    w.Element("Key", MaybeEncoded(e.key, url));
    w.Element("VersionId", e.version_id);
    w.Element("IsLatest", Bool(e.is_latest));
    w.Element("LastModified", Iso(e.last_modified));
    if (!e.delete_marker) {
      w.Element("ETag", Quoted(e.etag));
      Optional(w, "ChecksumAlgorithm", e.checksum_algorithm);
      Optional(w, "ChecksumType", e.checksum_type);
      w.Element("Size", std::to_string(e.size));
      w.Element("StorageClass", "STANDARD");
    }
    RenderOwner(w, "Owner", e.owner);
    w.Close();
  }
  RenderCommonPrefixes(w, r.common_prefixes, url);
  return w.Finish();
}

Result<VersioningConfiguration> ParseVersioningConfiguration(std::string_view body) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, ParseRooted(body, "VersioningConfiguration"));
  XmlNode root = doc.root();
  VersioningConfiguration config;
  config.status = root.ChildText("Status").value_or("");
  if (!config.status.empty() && config.status != "Enabled" && config.status != "Suspended") {
    return MalformedXml("Status must be Enabled or Suspended");
  }
  // The model names the element MfaDelete; accept the member name too.
  config.mfa_delete =
      root.ChildText("MfaDelete").value_or(root.ChildText("MFADelete").value_or(""));
  if (!config.mfa_delete.empty() && config.mfa_delete != "Enabled" &&
      config.mfa_delete != "Disabled") {
    return MalformedXml("MfaDelete must be Enabled or Disabled");
  }
  return config;
}

// ---- DeleteObjects ----

Result<DeleteRequest> ParseDeleteRequest(std::string_view body) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, ParseRooted(body, "Delete"));
  XmlNode root = doc.root();
  std::vector<XmlNode> objects = root.Children("Object");
  if (objects.empty()) return MalformedXml("Delete lists no Object");
  if (objects.size() > kMaxDeleteObjects) return MalformedXml("more than 1000 objects");

  DeleteRequest request;
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<bool> quiet, root.ChildBool("Quiet"));
  request.quiet = quiet.value_or(false);
  request.objects.reserve(objects.size());
  for (const XmlNode& o : objects) {
    std::optional<std::string> key = o.ChildText("Key");
    if (!key) return MalformedXml("Object lacks Key");
    request.objects.push_back({std::move(*key), o.ChildText("VersionId").value_or("")});
  }
  return request;
}

std::string RenderDeleteResult(const DeleteResult& r) {
  XmlWriter w;
  w.Open("DeleteResult", kS3Xmlns);
  for (const DeletedEntry& d : r.deleted) {
    w.Open("Deleted");
    w.Element("Key", d.key);
    Optional(w, "VersionId", d.version_id);
    if (d.delete_marker) w.Element("DeleteMarker", "true");
    Optional(w, "DeleteMarkerVersionId", d.delete_marker_version_id);
    w.Close();
  }
  for (const DeleteErrorEntry& e : r.errors) {
    w.Open("Error");
    w.Element("Key", e.key);
    Optional(w, "VersionId", e.version_id);
    w.Element("Code", e.code);
    w.Element("Message", e.message);
    w.Close();
  }
  return w.Finish();
}

// ---- Multipart ----

std::string RenderInitiateMultipartUpload(const InitiateMultipartUploadResult& r) {
  XmlWriter w;
  w.Open("InitiateMultipartUploadResult", kS3Xmlns);
  w.Element("Bucket", r.bucket);
  w.Element("Key", r.key);
  w.Element("UploadId", r.upload_id);
  return w.Finish();
}

Result<CompleteMultipartUploadRequest> ParseCompleteMultipartUpload(std::string_view body) {
  SEALSTACK_ASSIGN_OR_RETURN(XmlDocument doc, ParseRooted(body, "CompleteMultipartUpload"));
  std::vector<XmlNode> parts = doc.root().Children("Part");
  if (parts.empty()) return MalformedXml("CompleteMultipartUpload lists no Part");

  CompleteMultipartUploadRequest request;
  request.parts.reserve(parts.size());
  for (const XmlNode& p : parts) {
    SEALSTACK_ASSIGN_OR_RETURN(std::optional<int64_t> number,
                               p.ChildInt("PartNumber", std::numeric_limits<int32_t>::min(),
                                          std::numeric_limits<int32_t>::max()));
    if (!number) return MalformedXml("Part lacks PartNumber");
    std::optional<std::string> etag = p.ChildText("ETag");
    if (!etag) return MalformedXml("Part lacks ETag");
    CompletedPart part;
    part.part_number = static_cast<int32_t>(*number);
    part.etag = StripQuotes(*etag);
    part.checksums = ParseChecksums(p);
    request.parts.push_back(std::move(part));
  }
  for (size_t i = 1; i < request.parts.size(); ++i) {
    if (request.parts[i].part_number <= request.parts[i - 1].part_number) {
      return Status(StatusCode::kInvalidArgument, kDetailInvalidPartOrder,
                    std::string(kInvalidPartOrderMessage));
    }
  }
  return request;
}

std::string RenderCompleteMultipartUpload(const CompleteMultipartUploadResult& r) {
  XmlWriter w;
  w.Open("CompleteMultipartUploadResult", kS3Xmlns);
  w.Element("Location", r.location);
  w.Element("Bucket", r.bucket);
  w.Element("Key", r.key);
  w.Element("ETag", Quoted(r.etag));
  RenderChecksums(w, r.checksums);
  Optional(w, "ChecksumType", r.checksum_type);
  return w.Finish();
}

namespace {

// The two copy results differ in their root and in ChecksumType, which only CopyObject has.
std::string RenderCopyResult(const char* root, const CopyResult& r, bool with_checksum_type) {
  XmlWriter w;
  w.Open(root, kS3Xmlns);
  w.Element("LastModified", Iso(r.last_modified));
  w.Element("ETag", Quoted(r.etag));
  if (with_checksum_type) Optional(w, "ChecksumType", r.checksum_type);
  RenderChecksums(w, r.checksums);
  return w.Finish();
}

}  // namespace

std::string RenderCopyObjectResult(const CopyResult& r) {
  return RenderCopyResult("CopyObjectResult", r, /*with_checksum_type=*/true);
}

std::string RenderCopyPartResult(const CopyResult& r) {
  return RenderCopyResult("CopyPartResult", r, /*with_checksum_type=*/false);
}

std::string RenderListParts(const ListPartsResult& r) {
  XmlWriter w;
  w.Open("ListPartsResult", kS3Xmlns);
  w.Element("Bucket", r.bucket);
  w.Element("Key", r.key);
  w.Element("UploadId", r.upload_id);
  RenderOwner(w, "Initiator", r.initiator);
  RenderOwner(w, "Owner", r.owner);
  w.Element("StorageClass", r.storage_class);
  RenderPartListPage(w, r);
  for (const PartEntry& p : r.parts) {
    w.Open("Part");
    w.Element("PartNumber", std::to_string(p.part_number));
    w.Element("LastModified", Iso(p.last_modified));
    w.Element("ETag", Quoted(p.etag));
    w.Element("Size", std::to_string(p.size));
    RenderChecksums(w, p.checksums);
    w.Close();
  }
  Optional(w, "ChecksumAlgorithm", r.checksum_algorithm);
  Optional(w, "ChecksumType", r.checksum_type);
  return w.Finish();
}

std::string RenderListMultipartUploads(const ListMultipartUploadsResult& r) {
  const bool url = r.encoding_type_url;
  XmlWriter w;
  w.Open("ListMultipartUploadsResult", kS3Xmlns);
  w.Element("Bucket", r.bucket);
  w.Element("KeyMarker", MaybeEncoded(r.key_marker, url));
  w.Element("UploadIdMarker", r.upload_id_marker);
  w.Element("NextKeyMarker", MaybeEncoded(r.next_key_marker, url));
  w.Element("NextUploadIdMarker", r.next_upload_id_marker);
  if (!r.delimiter.empty()) w.Element("Delimiter", MaybeEncoded(r.delimiter, url));
  if (!r.prefix.empty()) w.Element("Prefix", MaybeEncoded(r.prefix, url));
  if (url) w.Element("EncodingType", "url");
  w.Element("MaxUploads", std::to_string(r.max_uploads));
  w.Element("IsTruncated", Bool(r.is_truncated));
  for (const UploadEntry& u : r.uploads) {
    w.Open("Upload");
    w.Element("Key", MaybeEncoded(u.key, url));
    w.Element("UploadId", u.upload_id);
    RenderOwner(w, "Initiator", u.initiator);
    RenderOwner(w, "Owner", u.owner);
    w.Element("StorageClass", u.storage_class);
    w.Element("Initiated", Iso(u.initiated));
    Optional(w, "ChecksumAlgorithm", u.checksum_algorithm);
    Optional(w, "ChecksumType", u.checksum_type);
    w.Close();
  }
  RenderCommonPrefixes(w, r.common_prefixes, url);
  return w.Finish();
}

// ---- GetObjectAttributes ----

std::string RenderGetObjectAttributes(const GetObjectAttributesResult& r) {
  XmlWriter w;
  w.Open("GetObjectAttributesResponse", kS3Xmlns);
  if (r.etag) w.Element("ETag", *r.etag);
  if (r.checksum) {
    w.Open("Checksum");
    RenderChecksums(w, r.checksum->checksums);
    Optional(w, "ChecksumType", r.checksum->checksum_type);
    w.Close();
  }
  if (r.object_parts) {
    const ObjectPartsAttribute& op = *r.object_parts;
    w.Open("ObjectParts");
    w.Element("PartsCount", std::to_string(op.parts_count));
    if (op.list_parts) {
      RenderPartListPage(w, op);
      for (const ObjectPartEntry& p : op.parts) {
        w.Open("Part");
        w.Element("PartNumber", std::to_string(p.part_number));
        w.Element("Size", std::to_string(p.size));
        RenderChecksums(w, p.checksums);
        w.Close();
      }
    }
    w.Close();
  }
  if (r.storage_class) w.Element("StorageClass", *r.storage_class);
  if (r.object_size) w.Element("ObjectSize", std::to_string(*r.object_size));
  return w.Finish();
}

}  // namespace sealstack::api::s3
