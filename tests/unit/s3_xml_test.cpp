#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "api/common/xml_reader.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_xml.h"

using namespace sealstack;
using namespace sealstack::api::s3;

namespace {

constexpr const char* kDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr const char* kNs = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

// 2024-01-01T00:00:00.000Z plus `ms` milliseconds.
SystemTime Jan1(int ms = 0) {
  return SystemTime(std::chrono::seconds(1704067200)) + std::chrono::milliseconds(ms);
}

std::string Doc(const std::string& root, const std::string& inner) {
  return std::string(kDecl) + "<" + root + kNs + ">" + inner + "</" + root + ">";
}

bool IsMalformed(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument && s.detail() == api::kDetailMalformedXml;
}

}  // namespace

// ---- encoding-type=url ----

TEST_CASE("S3UrlEncode follows S3's form encoding", "[s3][xml]") {
  struct Row {
    std::string in;
    std::string out;
  } rows[] = {
      {"", ""},
      {"plain/Key-1_2.txt", "plain/Key-1_2.txt"},
      {"a b", "a+b"},
      {"a+b", "a%2Bb"},
      {"dir/sub dir/", "dir/sub+dir/"},
      {"star*tilde~", "star*tilde%7E"},
      {"100%", "100%25"},
      {"q?x=1&y=2#f", "q%3Fx%3D1%26y%3D2%23f"},
      {"\xC3\xA9t\xC3\xA9", "%C3%A9t%C3%A9"},                // été
      {"\xF0\x9F\x98\x80", "%F0%9F%98%80"},                  // emoji
      {std::string("c\x01\x1f\x7f\n", 5), "c%01%1F%7F%0A"},  // control characters
      {std::string("nul\0x", 5), "nul%00x"},
      {"<&>\"'", "%3C%26%3E%22%27"},
  };
  for (const Row& r : rows) {
    INFO(r.in);
    CHECK(S3UrlEncode(r.in) == r.out);
  }
}

// ---- ListBuckets ----

TEST_CASE("RenderListBuckets golden", "[s3][xml]") {
  ListBucketsResult r;
  r.owner = {"75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", "webfile"};
  r.buckets = {{"alpha", Jan1(), "us-east-1"}, {"beta&co", Jan1(5), ""}};
  CHECK(RenderListBuckets(r) ==
        Doc("ListAllMyBucketsResult",
            "<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>"
            "<DisplayName>webfile</DisplayName></Owner>"
            "<Buckets>"
            "<Bucket><Name>alpha</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate>"
            "<BucketRegion>us-east-1</BucketRegion></Bucket>"
            "<Bucket><Name>beta&amp;co</Name><CreationDate>2024-01-01T00:00:00.005Z"
            "</CreationDate></Bucket>"
            "</Buckets>"));

  ListBucketsResult paged;
  paged.owner = {"id1", ""};
  paged.continuation_token = "tok";
  paged.prefix = "al";
  CHECK(RenderListBuckets(paged) ==
        Doc("ListAllMyBucketsResult",
            "<Owner><ID>id1</ID></Owner><Buckets></Buckets>"
            "<ContinuationToken>tok</ContinuationToken><Prefix>al</Prefix>"));
}

// ---- ListObjects ----

TEST_CASE("RenderListObjectsV2 golden, plain", "[s3][xml]") {
  ListObjectsV2Result r;
  r.name = "bucket";
  r.max_keys = 1000;
  ObjectEntry o;
  o.key = "my-image.jpg";
  o.last_modified = Jan1(123);
  o.etag = "fba9dede5f27731c9771645a39863328";
  o.checksum_algorithms = {"CRC32"};
  o.checksum_type = "FULL_OBJECT";
  o.size = 434234;
  r.contents.push_back(o);
  CHECK(RenderListObjectsV2(r) ==
        Doc("ListBucketResult",
            "<Name>bucket</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>"
            "<IsTruncated>false</IsTruncated>"
            "<Contents><Key>my-image.jpg</Key><LastModified>2024-01-01T00:00:00.123Z"
            "</LastModified><ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>"
            "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>"
            "<Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>"));
}

TEST_CASE("RenderListObjectsV2 golden, paged with delimiter, owner and all options", "[s3][xml]") {
  ListObjectsV2Result r;
  r.name = "b";
  r.prefix = "photos/";
  r.delimiter = "/";
  r.max_keys = 2;
  r.is_truncated = true;
  r.continuation_token = "c1/+=";
  r.next_continuation_token = "c2";
  r.start_after = "photos/a";
  ObjectEntry o;
  o.key = "photos/b.jpg";
  o.last_modified = Jan1();
  o.etag = "abc-2";
  o.size = 0;
  o.owner = Owner{"oid", "me"};
  r.contents.push_back(o);
  r.common_prefixes = {"photos/2024/"};
  CHECK(RenderListObjectsV2(r) ==
        Doc("ListBucketResult",
            "<Name>b</Name><Prefix>photos/</Prefix><StartAfter>photos/a</StartAfter>"
            "<ContinuationToken>c1/+=</ContinuationToken>"
            "<NextContinuationToken>c2</NextContinuationToken><KeyCount>2</KeyCount>"
            "<MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
            "<Contents><Key>photos/b.jpg</Key><LastModified>2024-01-01T00:00:00.000Z"
            "</LastModified><ETag>&quot;abc-2&quot;</ETag><Size>0</Size>"
            "<StorageClass>STANDARD</StorageClass><Owner><ID>oid</ID><DisplayName>me"
            "</DisplayName></Owner></Contents>"
            "<CommonPrefixes><Prefix>photos/2024/</Prefix></CommonPrefixes>"));
}

TEST_CASE("RenderListObjectsV2 applies encoding-type=url to keys, not to tokens", "[s3][xml]") {
  ListObjectsV2Result r;
  r.name = "b";
  r.prefix = "a b/";
  r.delimiter = "/";
  r.start_after = "a b/0+";
  r.continuation_token = "t+ k";
  r.encoding_type_url = true;
  ObjectEntry o;
  o.key = std::string("a b/\x01\xC3\xA9", 7);
  o.last_modified = Jan1();
  o.etag = "e";
  o.size = 1;
  r.contents.push_back(o);
  r.common_prefixes = {"a b/c d/"};
  CHECK(RenderListObjectsV2(r) ==
        Doc("ListBucketResult",
            "<Name>b</Name><Prefix>a+b/</Prefix><StartAfter>a+b/0%2B</StartAfter>"
            "<ContinuationToken>t+ k</ContinuationToken><KeyCount>2</KeyCount>"
            "<MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType>"
            "<IsTruncated>false</IsTruncated>"
            "<Contents><Key>a+b/%01%C3%A9</Key><LastModified>2024-01-01T00:00:00.000Z"
            "</LastModified><ETag>&quot;e&quot;</ETag><Size>1</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents>"
            "<CommonPrefixes><Prefix>a+b/c+d/</Prefix></CommonPrefixes>"));
}

TEST_CASE("RenderListObjectsV1 golden, plain and url-encoded", "[s3][xml]") {
  ListObjectsV1Result r;
  r.name = "quotes";
  r.prefix = "N";
  r.marker = "Ned";
  r.max_keys = 40;
  ObjectEntry o;
  o.key = "Nelson";
  o.last_modified = Jan1();
  o.etag = "828ef3fdfa96f00ad9f27c383fc9ac7f";
  o.size = 5;
  o.owner = Owner{"bcaf1ffd86f461ca5fb16fd081034f", "webfile"};
  r.contents.push_back(o);
  CHECK(RenderListObjectsV1(r) ==
        Doc("ListBucketResult",
            "<Name>quotes</Name><Prefix>N</Prefix><Marker>Ned</Marker><MaxKeys>40</MaxKeys>"
            "<IsTruncated>false</IsTruncated>"
            "<Contents><Key>Nelson</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
            "<ETag>&quot;828ef3fdfa96f00ad9f27c383fc9ac7f&quot;</ETag><Size>5</Size>"
            "<StorageClass>STANDARD</StorageClass><Owner><ID>bcaf1ffd86f461ca5fb16fd081034f"
            "</ID><DisplayName>webfile</DisplayName></Owner></Contents>"));

  ListObjectsV1Result e;
  e.name = "b";
  e.prefix = "x y";
  e.marker = "x y/1";
  e.next_marker = "x y/2+";
  e.delimiter = " ";
  e.is_truncated = true;
  e.encoding_type_url = true;
  e.common_prefixes = {"x y/ "};
  CHECK(RenderListObjectsV1(e) ==
        Doc("ListBucketResult",
            "<Name>b</Name><Prefix>x+y</Prefix><Marker>x+y/1</Marker>"
            "<NextMarker>x+y/2%2B</NextMarker><MaxKeys>1000</MaxKeys><Delimiter>+</Delimiter>"
            "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
            "<CommonPrefixes><Prefix>x+y/+</Prefix></CommonPrefixes>"));
}

// ---- Location ----

TEST_CASE("RenderLocationConstraint golden", "[s3][xml]") {
  CHECK(RenderLocationConstraint("eu-west-1") == Doc("LocationConstraint", "eu-west-1"));
  CHECK(RenderLocationConstraint("us-east-1") ==
        std::string(kDecl) + "<LocationConstraint" + kNs + "/>");
  CHECK(RenderLocationConstraint("") == RenderLocationConstraint("us-east-1"));
}

TEST_CASE("ParseCreateBucketConfiguration", "[s3][xml]") {
  auto empty = ParseCreateBucketConfiguration("");
  REQUIRE(empty.ok());
  CHECK(empty->location_constraint.empty());
  CHECK(ParseCreateBucketConfiguration(" \r\n").ok());

  auto eu = ParseCreateBucketConfiguration(
      "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<LocationConstraint>eu-west-1</LocationConstraint><Unknown>x</Unknown>"
      "</CreateBucketConfiguration>");
  REQUIRE(eu.ok());
  CHECK(eu->location_constraint == "eu-west-1");

  auto none = ParseCreateBucketConfiguration("<CreateBucketConfiguration/>");
  REQUIRE(none.ok());
  CHECK(none->location_constraint.empty());

  CHECK(IsMalformed(ParseCreateBucketConfiguration("<Wrong/>").status()));
  CHECK(IsMalformed(ParseCreateBucketConfiguration("<CreateBucketConfiguration>").status()));
}

// ---- Bucket encryption ----

TEST_CASE("RenderEncryptionConfiguration golden", "[s3][xml]") {
  EncryptionConfiguration def;
  def.bucket_key_enabled = false;
  CHECK(RenderEncryptionConfiguration(def) ==
        Doc("ServerSideEncryptionConfiguration",
            "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
            "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled>"
            "</Rule>"));

  EncryptionConfiguration kms;
  kms.sse_algorithm = "aws:kms";
  kms.kms_master_key_id = "arn:aws:kms:us-east-1:111122223333:key/k1";
  kms.bucket_key_enabled = true;
  kms.blocked_encryption_types = std::vector<std::string>{"SSE-C"};
  CHECK(RenderEncryptionConfiguration(kms) ==
        Doc("ServerSideEncryptionConfiguration",
            "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
            "<KMSMasterKeyID>arn:aws:kms:us-east-1:111122223333:key/k1</KMSMasterKeyID>"
            "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled>"
            "<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType>"
            "</BlockedEncryptionTypes></Rule>"));
}

TEST_CASE("ParseEncryptionConfiguration accepts what boto3 sends and round-trips", "[s3][xml]") {
  // botocore's serialisation of put_bucket_encryption (namespace on the root, pretty-printing
  // absent).
  const std::string body =
      "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms:dsse</SSEAlgorithm>"
      "<KMSMasterKeyID>alias/mine</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>"
      "<BucketKeyEnabled>true</BucketKeyEnabled><BlockedEncryptionTypes>"
      "<EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes></Rule>"
      "</ServerSideEncryptionConfiguration>";
  auto c = ParseEncryptionConfiguration(body);
  REQUIRE(c.ok());
  CHECK(c->sse_algorithm == "aws:kms:dsse");
  CHECK(c->kms_master_key_id == "alias/mine");
  CHECK(c->bucket_key_enabled == true);
  REQUIRE(c->blocked_encryption_types);
  CHECK(*c->blocked_encryption_types == std::vector<std::string>{"SSE-C"});
  CHECK(RenderEncryptionConfiguration(*c) == kDecl + body);

  // Render -> parse -> render is stable for every shape we produce.
  EncryptionConfiguration shapes[4];
  shapes[1].bucket_key_enabled = false;
  shapes[2].sse_algorithm = "aws:kms";
  shapes[3].sse_algorithm = "aws:kms";
  shapes[3].kms_master_key_id = "k";
  shapes[3].blocked_encryption_types = std::vector<std::string>{"NONE"};
  for (const EncryptionConfiguration& s : shapes) {
    std::string xml = RenderEncryptionConfiguration(s);
    auto back = ParseEncryptionConfiguration(xml);
    REQUIRE(back.ok());
    CHECK(RenderEncryptionConfiguration(*back) == xml);
  }

  // Pretty-printed, unknown elements ignored.
  auto pretty = ParseEncryptionConfiguration(
      "<ServerSideEncryptionConfiguration>\n  <Rule>\n    <ApplyServerSideEncryptionByDefault>\n"
      "      <SSEAlgorithm>AES256</SSEAlgorithm>\n    </ApplyServerSideEncryptionByDefault>\n"
      "    <Future>1</Future>\n  </Rule>\n</ServerSideEncryptionConfiguration>\n");
  REQUIRE(pretty.ok());
  CHECK(pretty->sse_algorithm == "AES256");
  CHECK_FALSE(pretty->bucket_key_enabled.has_value());
  CHECK_FALSE(pretty->blocked_encryption_types.has_value());
}

TEST_CASE("ParseEncryptionConfiguration errors", "[s3][xml]") {
  auto wrap = [](const std::string& rules) {
    return "<ServerSideEncryptionConfiguration>" + rules + "</ServerSideEncryptionConfiguration>";
  };
  const std::string aes =
      "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
      "</ApplyServerSideEncryptionByDefault></Rule>";
  const char* malformed[] = {
      "",
      "<Other/>",
      "<ServerSideEncryptionConfiguration/>",  // Rules: []
      "<ServerSideEncryptionConfiguration><Rule/></ServerSideEncryptionConfiguration>",
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault/></Rule>"
      "</ServerSideEncryptionConfiguration>",
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
      "<SSEAlgorithm>aes256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
      "</ServerSideEncryptionConfiguration>",
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
      "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
      "<BucketKeyEnabled>maybe</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>",
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
      "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
      "<BlockedEncryptionTypes><EncryptionType>SSE-KMS</EncryptionType>"
      "</BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>",
  };
  for (const char* body : malformed) {
    INFO(body);
    CHECK(IsMalformed(ParseEncryptionConfiguration(body).status()));
  }
  CHECK(IsMalformed(ParseEncryptionConfiguration(wrap(aes + aes)).status()));  // two rules
  CHECK(ParseEncryptionConfiguration(wrap(aes)).ok());

  auto kms_with_aes = ParseEncryptionConfiguration(
      wrap("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
           "<KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule>"));
  REQUIRE_FALSE(kms_with_aes.ok());
  CHECK(kms_with_aes.status().code() == StatusCode::kInvalidArgument);
  CHECK(kms_with_aes.status().detail() == static_cast<int>(ErrorKind::kInvalidArgument));
  auto [message, details] = SplitS3Error(kms_with_aes.status().message());
  CHECK(message ==
        "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or "
        "aws:kms:dsse");
  REQUIRE(details.size() == 1);
  CHECK(details[0].first == "ArgumentName");
  CHECK(details[0].second == "ApplyServerSideEncryptionByDefault");
}

// ---- DeleteObjects ----

TEST_CASE("ParseDeleteRequest accepts keys, versions and Quiet", "[s3][xml]") {
  auto d = ParseDeleteRequest(
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Object><Key>a&amp;b</Key></Object>"
      "<Object><Key> </Key><VersionId>v2</VersionId><ETag>x</ETag></Object>"
      "<Object><Key></Key></Object>"
      "<Quiet>true</Quiet></Delete>");
  REQUIRE(d.ok());
  CHECK(d->quiet);
  REQUIRE(d->objects.size() == 3);
  CHECK(d->objects[0].key == "a&b");
  CHECK(d->objects[0].version_id.empty());
  CHECK(d->objects[1].key == " ");
  CHECK(d->objects[1].version_id == "v2");
  CHECK(d->objects[2].key.empty());

  auto loud = ParseDeleteRequest("<Delete><Object><Key>k</Key></Object></Delete>");
  REQUIRE(loud.ok());
  CHECK_FALSE(loud->quiet);
}

TEST_CASE("ParseDeleteRequest limits and errors", "[s3][xml]") {
  auto body = [](int n) {
    std::string s = "<Delete>";
    for (int i = 0; i < n; ++i) s += "<Object><Key>k" + std::to_string(i) + "</Key></Object>";
    return s + "</Delete>";
  };
  auto thousand = ParseDeleteRequest(body(1000));
  REQUIRE(thousand.ok());
  CHECK(thousand->objects.size() == 1000);
  CHECK(IsMalformed(ParseDeleteRequest(body(1001)).status()));
  CHECK(IsMalformed(ParseDeleteRequest(body(0)).status()));
  CHECK(IsMalformed(ParseDeleteRequest("").status()));
  CHECK(IsMalformed(ParseDeleteRequest("<Remove><Object><Key>k</Key></Object></Remove>").status()));
  CHECK(IsMalformed(ParseDeleteRequest("<Delete><Object><VersionId>v</VersionId></Object>"
                                       "</Delete>")
                        .status()));
  CHECK(IsMalformed(
      ParseDeleteRequest("<Delete><Object><Key>k</Key></Object><Quiet>1</Quiet></Delete>")
          .status()));
  // XXE through the Delete body.
  CHECK(IsMalformed(ParseDeleteRequest("<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                                       "<Delete><Object><Key>&x;</Key></Object></Delete>")
                        .status()));
  // Deep nesting inside an Object.
  std::string deep = "<Delete><Object><Key>k</Key>";
  for (int i = 0; i < 40; ++i) deep += "<x>";
  for (int i = 0; i < 40; ++i) deep += "</x>";
  deep += "</Object></Delete>";
  CHECK(IsMalformed(ParseDeleteRequest(deep).status()));
}

TEST_CASE("RenderDeleteResult golden", "[s3][xml]") {
  DeleteResult r;
  r.deleted = {{"sample1.txt", "", false, ""}, {"v.txt", "v1", true, "dm1"}};
  r.errors = {{"sample2.txt", "", "AccessDenied", "Access Denied"},
              {"x", "v9", "NoSuchVersion", "The specified version does not exist."}};
  CHECK(RenderDeleteResult(r) ==
        Doc("DeleteResult",
            "<Deleted><Key>sample1.txt</Key></Deleted>"
            "<Deleted><Key>v.txt</Key><VersionId>v1</VersionId><DeleteMarker>true</DeleteMarker>"
            "<DeleteMarkerVersionId>dm1</DeleteMarkerVersionId></Deleted>"
            "<Error><Key>sample2.txt</Key><Code>AccessDenied</Code><Message>Access Denied"
            "</Message></Error>"
            "<Error><Key>x</Key><VersionId>v9</VersionId><Code>NoSuchVersion</Code>"
            "<Message>The specified version does not exist.</Message></Error>"));
  CHECK(RenderDeleteResult({}) == Doc("DeleteResult", ""));
}

// ---- Multipart ----

TEST_CASE("RenderInitiateMultipartUpload golden", "[s3][xml]") {
  CHECK(RenderInitiateMultipartUpload({"example-bucket", "dir/a b.txt", "VXBsb2FkIElE"}) ==
        Doc("InitiateMultipartUploadResult",
            "<Bucket>example-bucket</Bucket><Key>dir/a b.txt</Key>"
            "<UploadId>VXBsb2FkIElE</UploadId>"));
}

TEST_CASE("ParseCompleteMultipartUpload", "[s3][xml]") {
  auto ok = ParseCompleteMultipartUpload(
      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Part><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag><PartNumber>1</PartNumber>"
      "<ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>"
      "<Part><PartNumber> 2 </PartNumber><ETag>&quot;0c78aef83f66abc1fa1e8477f296d394&quot;"
      "</ETag></Part>"
      "<Part><PartNumber>7</PartNumber><ETag>acbd</ETag><Other/></Part>"
      "</CompleteMultipartUpload>");
  REQUIRE(ok.ok());
  REQUIRE(ok->parts.size() == 3);
  CHECK(ok->parts[0].part_number == 1);
  CHECK(ok->parts[0].etag == "a54357aff0632cce46d942af68356b38");
  CHECK(ok->parts[0].checksums.crc32 == "AAAAAA==");
  CHECK(ok->parts[1].part_number == 2);
  CHECK(ok->parts[1].etag == "0c78aef83f66abc1fa1e8477f296d394");
  CHECK(ok->parts[1].checksums.empty());
  CHECK(ok->parts[2].part_number == 7);
  CHECK(ok->parts[2].etag == "acbd");

  auto part = [](const std::string& n) {
    return "<Part><PartNumber>" + n + "</PartNumber><ETag>e</ETag></Part>";
  };
  auto wrap = [](const std::string& parts) {
    return "<CompleteMultipartUpload>" + parts + "</CompleteMultipartUpload>";
  };
  for (const std::string& bad : {wrap(part("2") + part("1")), wrap(part("1") + part("1")),
                                 wrap(part("3") + part("5") + part("4"))}) {
    INFO(bad);
    auto r = ParseCompleteMultipartUpload(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(r.status().detail() == kDetailInvalidPartOrder);
    CHECK(r.status().message() == kInvalidPartOrderMessage);
  }
  for (const std::string& bad :
       {wrap(""), std::string("<CompleteMultipartUpload/>"), std::string(""),
        std::string("<Complete>") + part("1") + "</Complete>", wrap("<Part><ETag>e</ETag></Part>"),
        wrap("<Part><PartNumber>1</PartNumber></Part>"), wrap(part("one")),
        wrap(part("99999999999"))}) {
    INFO(bad);
    CHECK(IsMalformed(ParseCompleteMultipartUpload(bad).status()));
  }
}

TEST_CASE("RenderCompleteMultipartUpload golden", "[s3][xml]") {
  CompleteMultipartUploadResult r;
  r.location = "http://localhost:4566/Example-Bucket/Example%20Object";
  r.bucket = "Example-Bucket";
  r.key = "Example Object";
  r.etag = "3858f62230ac3c915f300c664312c11f-9";
  CHECK(RenderCompleteMultipartUpload(r) ==
        Doc("CompleteMultipartUploadResult",
            "<Location>http://localhost:4566/Example-Bucket/Example%20Object</Location>"
            "<Bucket>Example-Bucket</Bucket><Key>Example Object</Key>"
            "<ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag>"));
  r.checksums.crc32 = "q1w2e3==";
  r.checksums.sha256 = "s256";
  r.checksum_type = "COMPOSITE";
  CHECK(RenderCompleteMultipartUpload(r) ==
        Doc("CompleteMultipartUploadResult",
            "<Location>http://localhost:4566/Example-Bucket/Example%20Object</Location>"
            "<Bucket>Example-Bucket</Bucket><Key>Example Object</Key>"
            "<ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag>"
            "<ChecksumCRC32>q1w2e3==</ChecksumCRC32><ChecksumSHA256>s256</ChecksumSHA256>"
            "<ChecksumType>COMPOSITE</ChecksumType>"));
}

TEST_CASE("RenderCopyObjectResult and RenderCopyPartResult golden", "[s3][xml]") {
  CopyResult r;
  r.last_modified = Jan1(999);
  r.etag = "9b2cf535f27731c974343645a3985328";
  CHECK(RenderCopyObjectResult(r) ==
        Doc("CopyObjectResult",
            "<LastModified>2024-01-01T00:00:00.999Z</LastModified>"
            "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"));
  CHECK(RenderCopyPartResult(r) ==
        Doc("CopyPartResult",
            "<LastModified>2024-01-01T00:00:00.999Z</LastModified>"
            "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"));
  r.checksum_type = "FULL_OBJECT";
  r.checksums.crc32c = "c32c";
  r.checksums.crc64nvme = "c64";
  CHECK(RenderCopyObjectResult(r) ==
        Doc("CopyObjectResult",
            "<LastModified>2024-01-01T00:00:00.999Z</LastModified>"
            "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
            "<ChecksumType>FULL_OBJECT</ChecksumType><ChecksumCRC32C>c32c</ChecksumCRC32C>"
            "<ChecksumCRC64NVME>c64</ChecksumCRC64NVME>"));
  CHECK(RenderCopyPartResult(r) ==
        Doc("CopyPartResult",
            "<LastModified>2024-01-01T00:00:00.999Z</LastModified>"
            "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>"
            "<ChecksumCRC32C>c32c</ChecksumCRC32C><ChecksumCRC64NVME>c64</ChecksumCRC64NVME>"));
}

TEST_CASE("RenderListParts golden", "[s3][xml]") {
  ListPartsResult r;
  r.bucket = "example-bucket";
  r.key = "example-object";
  r.upload_id = "XXBsb2FkIElE";
  r.initiator = {"arn:aws:iam::111122223333:user/some-user", "some-user"};
  r.owner = {"75aa57f0", ""};
  r.part_number_marker = 1;
  r.next_part_number_marker = 3;
  r.max_parts = 2;
  r.is_truncated = true;
  r.parts = {{2, Jan1(), "7778aef83f66abc1fa1e8477f296d394", 10485760, {}},
             {3, Jan1(1), "aaaa", 5, {}}};
  r.parts[1].checksums.sha1 = "s1";
  r.checksum_algorithm = "SHA1";
  r.checksum_type = "COMPOSITE";
  CHECK(RenderListParts(r) ==
        Doc("ListPartsResult",
            "<Bucket>example-bucket</Bucket><Key>example-object</Key>"
            "<UploadId>XXBsb2FkIElE</UploadId>"
            "<Initiator><ID>arn:aws:iam::111122223333:user/some-user</ID>"
            "<DisplayName>some-user</DisplayName></Initiator>"
            "<Owner><ID>75aa57f0</ID></Owner><StorageClass>STANDARD</StorageClass>"
            "<PartNumberMarker>1</PartNumberMarker><NextPartNumberMarker>3"
            "</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>"
            "<Part><PartNumber>2</PartNumber><LastModified>2024-01-01T00:00:00.000Z"
            "</LastModified><ETag>&quot;7778aef83f66abc1fa1e8477f296d394&quot;</ETag>"
            "<Size>10485760</Size></Part>"
            "<Part><PartNumber>3</PartNumber><LastModified>2024-01-01T00:00:00.001Z"
            "</LastModified><ETag>&quot;aaaa&quot;</ETag><Size>5</Size>"
            "<ChecksumSHA1>s1</ChecksumSHA1></Part>"
            "<ChecksumAlgorithm>SHA1</ChecksumAlgorithm><ChecksumType>COMPOSITE</ChecksumType>"));
}

TEST_CASE("RenderListMultipartUploads golden, plain and url-encoded", "[s3][xml]") {
  ListMultipartUploadsResult r;
  r.bucket = "bucket";
  r.next_key_marker = "my-movie.m2ts";
  r.next_upload_id_marker = "YW55IGlk";
  r.max_uploads = 3;
  r.is_truncated = true;
  UploadEntry u;
  u.key = "my-divisor";
  u.upload_id = "XMgbGlr";
  u.initiator = {"arn:aws:iam::111122223333:user/user1", "user1"};
  u.owner = {"75aa57f0", "OwnerDisplayName"};
  u.initiated = Jan1();
  r.uploads.push_back(u);
  CHECK(RenderListMultipartUploads(r) ==
        Doc("ListMultipartUploadsResult",
            "<Bucket>bucket</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
            "<NextKeyMarker>my-movie.m2ts</NextKeyMarker>"
            "<NextUploadIdMarker>YW55IGlk</NextUploadIdMarker><MaxUploads>3</MaxUploads>"
            "<IsTruncated>true</IsTruncated>"
            "<Upload><Key>my-divisor</Key><UploadId>XMgbGlr</UploadId>"
            "<Initiator><ID>arn:aws:iam::111122223333:user/user1</ID><DisplayName>user1"
            "</DisplayName></Initiator><Owner><ID>75aa57f0</ID><DisplayName>OwnerDisplayName"
            "</DisplayName></Owner><StorageClass>STANDARD</StorageClass>"
            "<Initiated>2024-01-01T00:00:00.000Z</Initiated></Upload>"));

  ListMultipartUploadsResult e;
  e.bucket = "b";
  e.key_marker = "k m";
  e.delimiter = "/";
  e.prefix = "photos 2006/";
  e.encoding_type_url = true;
  e.uploads.push_back(u);
  e.uploads[0].key = "photos 2006/a+b";
  e.uploads[0].checksum_algorithm = "CRC32";
  e.uploads[0].checksum_type = "FULL_OBJECT";
  e.common_prefixes = {"photos 2006/Jan/"};
  CHECK(RenderListMultipartUploads(e) ==
        Doc("ListMultipartUploadsResult",
            "<Bucket>b</Bucket><KeyMarker>k+m</KeyMarker><UploadIdMarker></UploadIdMarker>"
            "<NextKeyMarker></NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker>"
            "<Delimiter>/</Delimiter><Prefix>photos+2006/</Prefix>"
            "<EncodingType>url</EncodingType><MaxUploads>1000</MaxUploads>"
            "<IsTruncated>false</IsTruncated>"
            "<Upload><Key>photos+2006/a%2Bb</Key><UploadId>XMgbGlr</UploadId>"
            "<Initiator><ID>arn:aws:iam::111122223333:user/user1</ID><DisplayName>user1"
            "</DisplayName></Initiator><Owner><ID>75aa57f0</ID><DisplayName>OwnerDisplayName"
            "</DisplayName></Owner><StorageClass>STANDARD</StorageClass>"
            "<Initiated>2024-01-01T00:00:00.000Z</Initiated>"
            "<ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>"
            "</Upload><CommonPrefixes><Prefix>photos+2006/Jan/</Prefix></CommonPrefixes>"));
}

// ---- GetObjectAttributes ----

TEST_CASE("RenderGetObjectAttributes golden", "[s3][xml]") {
  GetObjectAttributesResult all;
  all.etag = "d41d8cd98f00b204e9800998ecf8427e-2";
  all.checksum = ChecksumAttribute{};
  all.checksum->checksums.sha256 = "sha";
  all.checksum->checksum_type = "COMPOSITE";
  ObjectPartsAttribute parts;
  parts.parts_count = 2;
  parts.list_parts = true;
  parts.next_part_number_marker = 2;
  parts.max_parts = 1000;
  parts.parts = {{1, 5242880, {}}, {2, 10, {}}};
  parts.parts[0].checksums.sha256 = "p1";
  all.object_parts = parts;
  all.storage_class = "STANDARD";
  all.object_size = 5242890;
  CHECK(RenderGetObjectAttributes(all) ==
        Doc("GetObjectAttributesResponse",
            "<ETag>d41d8cd98f00b204e9800998ecf8427e-2</ETag>"
            "<Checksum><ChecksumSHA256>sha</ChecksumSHA256><ChecksumType>COMPOSITE"
            "</ChecksumType></Checksum>"
            "<ObjectParts><PartsCount>2</PartsCount><PartNumberMarker>0</PartNumberMarker>"
            "<NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>1000</MaxParts>"
            "<IsTruncated>false</IsTruncated>"
            "<Part><PartNumber>1</PartNumber><Size>5242880</Size>"
            "<ChecksumSHA256>p1</ChecksumSHA256></Part>"
            "<Part><PartNumber>2</PartNumber><Size>10</Size></Part></ObjectParts>"
            "<StorageClass>STANDARD</StorageClass><ObjectSize>5242890</ObjectSize>"));

  GetObjectAttributesResult some;
  some.object_size = 0;
  some.object_parts = ObjectPartsAttribute{};
  some.object_parts->parts_count = 3;
  CHECK(RenderGetObjectAttributes(some) ==
        Doc("GetObjectAttributesResponse",
            "<ObjectParts><PartsCount>3</PartsCount></ObjectParts><ObjectSize>0</ObjectSize>"));
}

TEST_CASE("Rendered documents parse back with the safe reader", "[s3][xml]") {
  ListObjectsV2Result r;
  r.name = "b";
  ObjectEntry o;
  o.key = "<&>\"'";
  o.last_modified = Jan1();
  o.etag = "e";
  r.contents.push_back(o);
  auto doc = api::XmlDocument::Parse(RenderListObjectsV2(r));
  REQUIRE(doc.ok());
  CHECK(doc->root().name() == "ListBucketResult");
  CHECK(doc->root().Child("Contents").ChildText("Key") == "<&>\"'");
  CHECK(doc->root().Child("Contents").ChildText("ETag") == "\"e\"");
}
