#include "storage/s3_repo.h"

#include <string>
#include <utility>

namespace sealstack::storage {

namespace {

// The smallest string greater than every string that starts with `prefix`, or nullopt if there
// is none (the prefix is empty or all 0xFF). Keys compare bytewise (BINARY collation).
std::optional<std::string> PrefixUpperBound(std::string_view prefix) {
  std::string upper(prefix);
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xFF) upper.pop_back();
  if (upper.empty()) return std::nullopt;
  upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  return upper;
}

// The keys that start with `prefix`, as a range the key index serves. Parameters are views, so
// the range must outlive the statement it binds.
struct KeyPrefixRange {
  explicit KeyPrefixRange(std::string_view p) : prefix(p), upper(PrefixUpperBound(p)) {}
  // "key >= :prefix [AND key < :upper] ", with its parameters appended to *params.
  std::string Where(std::vector<Param>* params) const {
    params->emplace_back("prefix", prefix);
    if (!upper) return "key >= :prefix ";
    params->emplace_back("upper", *upper);
    return "key >= :prefix AND key < :upper ";
  }

  std::string_view prefix;
  std::optional<std::string> upper;
};

int64_t ToInt64(uint64_t v) {
  return static_cast<int64_t>(v);
}

Status RequireBucket(Connection& c, std::string_view bucket) {
  Status s = c.QueryOne("SELECT 1 FROM s3_buckets WHERE name = :b", {{"b", bucket}},
                        [](const Row&) { return Status::Ok(); });
  if (s.code() == StatusCode::kNotFound) {
    return Status::NotFound("no such bucket: " + std::string(bucket));
  }
  return s;
}

// Checks that the extents tile [0, size) in order.
Status CheckExtents(const S3ObjectRow& row) {
  if (row.delete_marker) {
    if (!row.extents.empty() || row.size != 0) {
      return Status::InvalidArgument("a delete marker has no body");
    }
    return Status::Ok();
  }
  if (row.extents.empty()) return Status::InvalidArgument("object has no extents");
  uint64_t next = 0;
  for (const S3ExtentRow& e : row.extents) {
    if (e.plain_offset != next) {
      return Status::InvalidArgument("object extents do not tile the object");
    }
    next += e.size;
  }
  if (next != row.size) return Status::InvalidArgument("object extents do not add up to its size");
  return Status::Ok();
}

// Frees the bodies that `ids_sql` (a SELECT of object ids, with `params`) names: their segment
// rows go, and their ids are recorded in s3_freed_bodies so that the object store removes their
// files after the commit (migration 0006). Call it while the rows that own them still exist.
Status FreeBodies(Connection& c, const std::string& ids_sql, const Params& params) {
  // Only bodies without segment rows can have a file (every body has at least one segment).
  SEALSTACK_RETURN_IF_ERROR(
      c.Run("WITH freed(id) AS (" + ids_sql +
                ") INSERT OR IGNORE INTO s3_freed_bodies (object_id) SELECT id FROM freed "
                "WHERE NOT EXISTS (SELECT 1 FROM s3_object_segments s WHERE s.object_id = id)",
            params));
  return c.Run("DELETE FROM s3_object_segments WHERE object_id IN (" + ids_sql + ")", params);
}

// The columns every object read selects, in ObjectFromRow's order.
constexpr char kObjectColumns[] =
    "seq, key, version_id, is_latest, delete_marker, size, etag, segment_size, created_at, "
    "wrapped_key, doc";

// Deletes the version row `seq`, its extents and their segments.
Status DeleteVersionRows(Connection& c, int64_t seq) {
  SEALSTACK_RETURN_IF_ERROR(FreeBodies(
      c, "SELECT object_id FROM s3_object_extents WHERE version_seq = :s", {{"s", seq}}));
  SEALSTACK_RETURN_IF_ERROR(
      c.Run("DELETE FROM s3_object_extents WHERE version_seq = :s", {{"s", seq}}));
  return c.Run("DELETE FROM s3_objects WHERE seq = :s", {{"s", seq}});
}

// The seq of (bucket, key, version_id), nullopt if there is no such version.
Result<std::optional<int64_t>> FindVersion(Connection& c, std::string_view bucket,
                                           std::string_view key, std::string_view version_id) {
  std::optional<int64_t> seq;
  SEALSTACK_RETURN_IF_ERROR(
      c.Query("SELECT seq FROM s3_objects WHERE bucket = :b AND key = :k AND version_id = :v",
              {{"b", bucket}, {"k", key}, {"v", version_id}}, [&](const Row& r) {
                seq = r.ColumnInt64(0);
                return Status::Ok();
              }));
  return seq;
}

// Adds row (and its extents) as the latest version of its key: a version with the same id (the
// null version) is replaced, the previous latest is demoted.
Status InsertLatestVersion(Connection& c, S3ObjectRow& row) {
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<int64_t> same,
                             FindVersion(c, row.bucket, row.key, row.version_id));
  if (same) SEALSTACK_RETURN_IF_ERROR(DeleteVersionRows(c, *same));
  SEALSTACK_RETURN_IF_ERROR(
      c.Run("UPDATE s3_objects SET is_latest = 0 WHERE bucket = :b AND key = :k AND is_latest = 1",
            {{"b", row.bucket}, {"k", row.key}}));
  SEALSTACK_RETURN_IF_ERROR(c.Run(
      "INSERT INTO s3_objects (bucket, key, version_id, is_latest, delete_marker, size, etag, "
      "segment_size, created_at, wrapped_key, doc) VALUES (:b, :k, :v, 1, :dm, :size, :etag, "
      ":seg, :at, :wk, :doc)",
      {{"b", row.bucket},
       {"k", row.key},
       {"v", row.version_id},
       {"dm", row.delete_marker ? 1 : 0},
       {"size", ToInt64(row.size)},
       {"etag", row.etag},
       {"seg", row.segment_size},
       {"at", row.created_at},
       {"wk", Value::Blob(row.wrapped_key)},
       {"doc", row.doc}}));
  row.seq = c.LastInsertRowId();
  row.is_latest = true;
  int64_t idx = 0;
  for (const S3ExtentRow& e : row.extents) {
    SEALSTACK_RETURN_IF_ERROR(
        c.Run("INSERT INTO s3_object_extents (version_seq, idx, object_id, plain_offset, size, "
              "header) VALUES (:s, :i, :id, :off, :size, :h)",
              {{"s", row.seq},
               {"i", idx++},
               {"id", e.object_id},
               {"off", ToInt64(e.plain_offset)},
               {"size", ToInt64(e.size)},
               {"h", Value::Blob(e.header)}}));
  }
  return Status::Ok();
}

// Deletes every part of the upload with its segments, then the upload row.
Status DeleteUploadRows(Connection& c, std::string_view upload_id) {
  SEALSTACK_RETURN_IF_ERROR(FreeBodies(
      c, "SELECT object_id FROM s3_multipart_parts WHERE upload_id = :u", {{"u", upload_id}}));
  SEALSTACK_RETURN_IF_ERROR(
      c.Run("DELETE FROM s3_multipart_parts WHERE upload_id = :u", {{"u", upload_id}}));
  return c.Run("DELETE FROM s3_multipart_uploads WHERE upload_id = :u", {{"u", upload_id}});
}

S3BucketRow BucketFromRow(const Row& r) {
  return {r.ColumnString(0), r.ColumnString(1), r.ColumnString(2), r.ColumnDouble(3),
          r.ColumnString(4)};
}

// Columns: kObjectColumns.
S3ObjectRow ObjectFromRow(std::string_view bucket, const Row& r) {
  S3ObjectRow o;
  o.bucket = std::string(bucket);
  o.seq = r.ColumnInt64(0);
  o.key = r.ColumnString(1);
  o.version_id = r.ColumnString(2);
  o.is_latest = r.ColumnInt64(3) != 0;
  o.delete_marker = r.ColumnInt64(4) != 0;
  o.size = static_cast<uint64_t>(r.ColumnInt64(5));
  o.etag = r.ColumnString(6);
  o.segment_size = static_cast<uint32_t>(r.ColumnInt64(7));
  o.created_at = r.ColumnDouble(8);
  o.wrapped_key = std::string(r.ColumnBlob(9));
  o.doc = r.ColumnString(10);
  return o;
}

// Columns: upload_id, bucket, key, initiated, wrapped_key, doc.
S3UploadRow UploadFromRow(const Row& r) {
  return {r.ColumnString(0),
          r.ColumnString(1),
          r.ColumnString(2),
          r.ColumnDouble(3),
          std::string(r.ColumnBlob(4)),
          r.ColumnString(5)};
}

// Columns: upload_id, part_number, size, etag, checksum, object_id, segment_size, header,
// created_at.
S3PartRow PartFromRow(const Row& r) {
  S3PartRow p;
  p.upload_id = r.ColumnString(0);
  p.part_number = static_cast<int>(r.ColumnInt64(1));
  p.size = static_cast<uint64_t>(r.ColumnInt64(2));
  p.etag = r.ColumnString(3);
  if (!r.ColumnIsNull(4)) p.checksum = r.ColumnString(4);
  p.object_id = r.ColumnInt64(5);
  p.segment_size = static_cast<uint32_t>(r.ColumnInt64(6));
  p.header = std::string(r.ColumnBlob(7));
  p.created_at = r.ColumnDouble(8);
  return p;
}

}  // namespace

// ---- Buckets ----

Status S3Repo::CreateBucket(Connection& c, const S3BucketRow& row) {
  Status s = c.Run(
      "INSERT INTO s3_buckets (name, account, region, created_at, doc) "
      "VALUES (:name, :account, :region, :at, :doc)",
      {{"name", row.name},
       {"account", row.account},
       {"region", row.region},
       {"at", row.created_at},
       {"doc", row.doc}});
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("bucket already exists: " + row.name);
  }
  return s;
}

Status S3Repo::PutBucketDoc(Connection& c, std::string_view name, std::string_view doc) {
  SEALSTACK_ASSIGN_OR_RETURN(int64_t n,
                             c.Execute("UPDATE s3_buckets SET doc = :doc WHERE name = :name",
                                       {{"name", name}, {"doc", doc}}));
  if (n == 0) return Status::NotFound("no such bucket: " + std::string(name));
  return Status::Ok();
}

Result<S3BucketRow> S3Repo::GetBucket(Connection& c, std::string_view name) {
  S3BucketRow row;
  Status s =
      c.QueryOne("SELECT name, account, region, created_at, doc FROM s3_buckets WHERE name = :name",
                 {{"name", name}}, [&](const Row& r) {
                   row = BucketFromRow(r);
                   return Status::Ok();
                 });
  if (s.code() == StatusCode::kNotFound) {
    return Status::NotFound("no such bucket: " + std::string(name));
  }
  if (!s.ok()) return s;
  return row;
}

Result<std::vector<S3BucketRow>> S3Repo::ListBuckets(Connection& c, std::string_view account) {
  std::vector<S3BucketRow> rows;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend(
      "SELECT name, account, region, created_at, doc FROM s3_buckets WHERE account = :a "
      "ORDER BY name",
      {{"a", account}}, &rows, BucketFromRow));
  return rows;
}

Result<std::vector<S3BucketRow>> S3Repo::ListAllBuckets(Connection& c) {
  std::vector<S3BucketRow> rows;
  SEALSTACK_RETURN_IF_ERROR(
      c.QueryAppend("SELECT name, account, region, created_at, doc FROM s3_buckets ORDER BY name",
                    {}, &rows, BucketFromRow));
  return rows;
}

Status S3Repo::PutUploadDoc(Connection& c, std::string_view upload_id, std::string_view doc) {
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t n, c.Execute("UPDATE s3_multipart_uploads SET doc = :d WHERE upload_id = :u",
                           {{"d", doc}, {"u", upload_id}}));
  if (n != 1) return Status::NotFound("no such upload");
  return Status::Ok();
}

Status S3Repo::DeleteBucket(Connection& c, std::string_view name) {
  SEALSTACK_RETURN_IF_ERROR(RequireBucket(c, name));
  SEALSTACK_ASSIGN_OR_RETURN(
      bool has_objects,
      c.Exists("SELECT 1 FROM s3_objects WHERE bucket = :b LIMIT 1", {{"b", name}}));
  if (has_objects) return Status::FailedPrecondition("bucket is not empty: " + std::string(name));
  std::vector<std::string> uploads;
  SEALSTACK_RETURN_IF_ERROR(
      c.QueryAppend("SELECT upload_id FROM s3_multipart_uploads WHERE bucket = :b", {{"b", name}},
                    &uploads, [](const Row& r) { return r.ColumnString(0); }));
  for (const std::string& upload_id : uploads) {
    SEALSTACK_RETURN_IF_ERROR(DeleteUploadRows(c, upload_id));
  }
  return c.Run("DELETE FROM s3_buckets WHERE name = :b", {{"b", name}});
}

// ---- Objects ----

Result<S3ObjectRow> S3Repo::GetObject(Connection& c, std::string_view bucket, std::string_view key,
                                      std::optional<std::string_view> version_id) {
  S3ObjectRow row;
  std::string sql = std::string("SELECT ") + kObjectColumns +
                    " FROM s3_objects WHERE bucket = :b AND key = :k AND ";
  sql += version_id ? "version_id = :v" : "is_latest = 1";
  std::vector<Param> params = {{"b", bucket}, {"k", key}};
  if (version_id) params.emplace_back("v", *version_id);
  Status s = c.QueryOne(sql, params, [&](const Row& r) {
    row = ObjectFromRow(bucket, r);
    return Status::Ok();
  });
  if (s.code() == StatusCode::kNotFound) return Status::NotFound("no such key");
  if (!s.ok()) return s;
  SEALSTACK_RETURN_IF_ERROR(
      c.Query("SELECT object_id, plain_offset, size, header FROM s3_object_extents "
              "WHERE version_seq = :s ORDER BY idx",
              {{"s", row.seq}}, [&](const Row& r) {
                row.extents.push_back({r.ColumnInt64(0), static_cast<uint64_t>(r.ColumnInt64(1)),
                                       static_cast<uint64_t>(r.ColumnInt64(2)),
                                       std::string(r.ColumnBlob(3))});
                return Status::Ok();
              }));
  if (row.extents.empty() && !row.delete_marker) {
    return Status::Integrity("object row has no extents");
  }
  return row;
}

Status S3Repo::UpdateObjectDoc(Connection& c, int64_t seq, std::string_view wrapped_key,
                               std::string_view doc) {
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t n, c.Execute("UPDATE s3_objects SET wrapped_key = :wk, doc = :doc "
                           "WHERE seq = :s AND delete_marker = 0",
                           {{"s", seq}, {"wk", Value::Blob(wrapped_key)}, {"doc", doc}}));
  if (n == 0) return Status::NotFound("no such version");
  return Status::Ok();
}

Result<S3ObjectPage> S3Repo::ListObjects(Connection& c, std::string_view bucket,
                                         const S3ListObjectsOptions& options) {
  if (options.limit == 0) return Status::InvalidArgument("list limit must be positive");
  const KeyPrefixRange range(options.prefix);
  std::vector<Param> params = {
      {"b", bucket}, {"after", options.start_after}, {"n", ToInt64(options.limit) + 1}};
  // Keys whose latest row is a delete marker are skipped; the LIMIT counts only keys shown.
  const std::string sql = std::string("SELECT ") + kObjectColumns +
                          " FROM s3_objects WHERE bucket = :b AND is_latest = 1 AND "
                          "delete_marker = 0 AND key > :after AND " +
                          range.Where(&params) + "ORDER BY key LIMIT :n";
  S3ObjectPage page;
  SEALSTACK_RETURN_IF_ERROR(c.QueryPage(sql, params, options.limit, &page.objects, &page.truncated,
                                        [&](const Row& r) { return ObjectFromRow(bucket, r); }));
  return page;
}

Result<S3VersionPage> S3Repo::ListVersions(Connection& c, std::string_view bucket,
                                           const S3ListVersionsOptions& options) {
  if (options.limit == 0) return Status::InvalidArgument("list limit must be positive");
  const KeyPrefixRange range(options.prefix);
  std::vector<Param> params = {{"b", bucket},
                               {"km", options.key_marker},
                               {"seq", options.after_seq},
                               {"n", ToInt64(options.limit) + 1}};
  const std::string sql = std::string("SELECT ") + kObjectColumns +
                          " FROM s3_objects WHERE bucket = :b AND (key > :km OR (key = :km AND "
                          "seq < :seq)) AND " +
                          range.Where(&params) + "ORDER BY key, seq DESC LIMIT :n";
  S3VersionPage page;
  SEALSTACK_RETURN_IF_ERROR(c.QueryPage(sql, params, options.limit, &page.versions, &page.truncated,
                                        [&](const Row& r) { return ObjectFromRow(bucket, r); }));
  return page;
}

Result<int64_t> S3Repo::VersionSeq(Connection& c, std::string_view bucket, std::string_view key,
                                   std::string_view version_id) {
  SEALSTACK_ASSIGN_OR_RETURN(std::optional<int64_t> seq, FindVersion(c, bucket, key, version_id));
  if (!seq) return Status::NotFound("no such version");
  return *seq;
}

Status S3Repo::CommitObject(Connection& c, S3ObjectRow& row) {
  SEALSTACK_RETURN_IF_ERROR(CheckExtents(row));
  SEALSTACK_RETURN_IF_ERROR(RequireBucket(c, row.bucket));
  for (const S3ExtentRow& e : row.extents) {
    SEALSTACK_ASSIGN_OR_RETURN(
        int64_t n,
        c.Execute("DELETE FROM s3_pending_bodies WHERE object_id = :id", {{"id", e.object_id}}));
    if (n != 1) {
      return Status::FailedPrecondition("object body " + std::to_string(e.object_id) +
                                        " is no longer pending");
    }
  }
  return InsertLatestVersion(c, row);
}

Result<std::optional<S3ObjectRow>> S3Repo::DeleteVersion(Connection& c, std::string_view bucket,
                                                         std::string_view key,
                                                         std::string_view version_id) {
  std::optional<S3ObjectRow> row;
  SEALSTACK_RETURN_IF_ERROR(c.Query(std::string("SELECT ") + kObjectColumns +
                                        " FROM s3_objects WHERE bucket = :b AND key = :k AND "
                                        "version_id = :v",
                                    {{"b", bucket}, {"k", key}, {"v", version_id}},
                                    [&](const Row& r) {
                                      row = ObjectFromRow(bucket, r);
                                      return Status::Ok();
                                    }));
  if (!row) return row;
  SEALSTACK_RETURN_IF_ERROR(DeleteVersionRows(c, row->seq));
  if (row->is_latest) {
    // The newest remaining version takes over (none: the key is gone).
    SEALSTACK_RETURN_IF_ERROR(
        c.Run("UPDATE s3_objects SET is_latest = 1 WHERE seq = (SELECT max(seq) FROM s3_objects "
              "WHERE bucket = :b AND key = :k)",
              {{"b", bucket}, {"k", key}}));
  }
  return row;
}

Result<bool> S3Repo::ObjectOwnsBody(Connection& c, int64_t object_id) {
  return c.Exists("SELECT 1 FROM s3_object_extents WHERE object_id = :id", {{"id", object_id}});
}

// ---- Bodies and segments ----

Result<int64_t> S3Repo::BeginBody(Connection& c, std::string_view bucket, std::string_view key,
                                  std::optional<std::string_view> upload_id,
                                  std::optional<int> part_number, double created_at) {
  SEALSTACK_RETURN_IF_ERROR(
      c.Run("INSERT INTO s3_pending_bodies (bucket, key, upload_id, part_number, created_at) "
            "VALUES (:b, :k, :u, :p, :at)",
            {{"b", bucket},
             {"k", key},
             {"u", upload_id ? Value(*upload_id) : Value()},
             {"p", part_number},
             {"at", created_at}}));
  return c.LastInsertRowId();
}

Status S3Repo::AppendSegments(Connection& c, int64_t object_id, uint64_t first_seq,
                              std::span<const std::string> sealed) {
  Status pending = c.QueryOne("SELECT 1 FROM s3_pending_bodies WHERE object_id = :id",
                              {{"id", object_id}}, [](const Row&) { return Status::Ok(); });
  if (pending.code() == StatusCode::kNotFound) {
    return Status::FailedPrecondition("object body " + std::to_string(object_id) +
                                      " is no longer pending");
  }
  SEALSTACK_RETURN_IF_ERROR(pending);
  uint64_t seq = first_seq;
  for (const std::string& segment : sealed) {
    SEALSTACK_RETURN_IF_ERROR(
        c.Run("INSERT INTO s3_object_segments (object_id, seq, sealed) VALUES (:id, :seq, :s)",
              {{"id", object_id}, {"seq", ToInt64(seq++)}, {"s", Value::Blob(segment)}}));
  }
  return Status::Ok();
}

Status S3Repo::ReadSegments(Connection& c, int64_t object_id, uint64_t first, uint64_t last,
                            const SegmentCallback& on_segment) {
  return c.Query(
      "SELECT seq, sealed FROM s3_object_segments "
      "WHERE object_id = :id AND seq >= :first AND seq <= :last ORDER BY seq",
      {{"id", object_id}, {"first", ToInt64(first)}, {"last", ToInt64(last)}}, [&](const Row& r) {
        return on_segment(static_cast<uint64_t>(r.ColumnInt64(0)), r.ColumnBlob(1));
      });
}

Status S3Repo::DiscardBody(Connection& c, int64_t object_id) {
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t n,
      c.Execute("DELETE FROM s3_pending_bodies WHERE object_id = :id", {{"id", object_id}}));
  if (n == 0) return Status::Ok();  // committed (its segments are in use) or already swept
  return FreeBodies(c, "SELECT :id", {{"id", object_id}});
}

// ---- Multipart uploads ----

Status S3Repo::CreateUpload(Connection& c, const S3UploadRow& row) {
  SEALSTACK_RETURN_IF_ERROR(RequireBucket(c, row.bucket));
  return c.Run(
      "INSERT INTO s3_multipart_uploads (upload_id, bucket, key, initiated, wrapped_key, doc) "
      "VALUES (:u, :b, :k, :at, :wk, :doc)",
      {{"u", row.upload_id},
       {"b", row.bucket},
       {"k", row.key},
       {"at", row.initiated},
       {"wk", Value::Blob(row.wrapped_key)},
       {"doc", row.doc}});
}

Result<S3UploadRow> S3Repo::GetUpload(Connection& c, std::string_view upload_id) {
  S3UploadRow row;
  Status s = c.QueryOne(
      "SELECT upload_id, bucket, key, initiated, wrapped_key, doc FROM s3_multipart_uploads "
      "WHERE upload_id = :u",
      {{"u", upload_id}}, [&](const Row& r) {
        row = UploadFromRow(r);
        return Status::Ok();
      });
  if (s.code() == StatusCode::kNotFound) return Status::NotFound("no such upload");
  if (!s.ok()) return s;
  return row;
}

Result<S3UploadPage> S3Repo::ListUploads(Connection& c, std::string_view bucket,
                                         const S3ListUploadsOptions& options) {
  if (options.limit == 0) return Status::InvalidArgument("list limit must be positive");
  const KeyPrefixRange range(options.prefix);
  std::vector<Param> params = {{"b", bucket},
                               {"km", options.key_marker},
                               {"um", options.upload_id_marker},
                               {"n", ToInt64(options.limit) + 1}};
  const std::string sql =
      "SELECT upload_id, bucket, key, initiated, wrapped_key, doc FROM s3_multipart_uploads "
      "WHERE bucket = :b AND (key > :km OR (key = :km AND upload_id > :um)) AND " +
      range.Where(&params) + "ORDER BY key, upload_id LIMIT :n";
  S3UploadPage page;
  SEALSTACK_RETURN_IF_ERROR(
      c.QueryPage(sql, params, options.limit, &page.uploads, &page.truncated, UploadFromRow));
  return page;
}

Status S3Repo::CommitPart(Connection& c, const S3PartRow& row) {
  SEALSTACK_RETURN_IF_ERROR(GetUpload(c, row.upload_id).status());
  SEALSTACK_ASSIGN_OR_RETURN(
      int64_t n,
      c.Execute("DELETE FROM s3_pending_bodies WHERE object_id = :id", {{"id", row.object_id}}));
  if (n != 1) {
    return Status::FailedPrecondition("part body " + std::to_string(row.object_id) +
                                      " is no longer pending");
  }
  const std::vector<Param> key = {{"u", row.upload_id}, {"p", row.part_number}};
  SEALSTACK_RETURN_IF_ERROR(FreeBodies(c,
                                       "SELECT object_id FROM s3_multipart_parts "
                                       "WHERE upload_id = :u AND part_number = :p",
                                       key));
  SEALSTACK_RETURN_IF_ERROR(
      c.Run("DELETE FROM s3_multipart_parts WHERE upload_id = :u AND part_number = :p", key));
  return c.Run(
      "INSERT INTO s3_multipart_parts (upload_id, part_number, size, etag, checksum, "
      "object_id, segment_size, header, created_at) VALUES (:u, :p, :size, :etag, :sum, "
      ":id, :seg, :h, :at)",
      {{"u", row.upload_id},
       {"p", row.part_number},
       {"size", ToInt64(row.size)},
       {"etag", row.etag},
       {"sum", row.checksum},
       {"id", row.object_id},
       {"seg", row.segment_size},
       {"h", Value::Blob(row.header)},
       {"at", row.created_at}});
}

Result<S3PartPage> S3Repo::ListParts(Connection& c, std::string_view upload_id,
                                     int part_number_marker, size_t limit) {
  if (limit == 0) return Status::InvalidArgument("list limit must be positive");
  S3PartPage page;
  SEALSTACK_RETURN_IF_ERROR(c.QueryPage(
      "SELECT upload_id, part_number, size, etag, checksum, object_id, segment_size, header, "
      "created_at FROM s3_multipart_parts WHERE upload_id = :u AND part_number > :m "
      "ORDER BY part_number LIMIT :n",
      {{"u", upload_id}, {"m", part_number_marker}, {"n", ToInt64(limit) + 1}}, limit, &page.parts,
      &page.truncated, PartFromRow));
  return page;
}

Status S3Repo::CompleteUpload(Connection& c, std::string_view upload_id, S3ObjectRow& object) {
  SEALSTACK_ASSIGN_OR_RETURN(S3UploadRow upload, GetUpload(c, upload_id));
  if (upload.bucket != object.bucket || upload.key != object.key) {
    return Status::InvalidArgument("completed object must have the upload's bucket and key");
  }
  SEALSTACK_RETURN_IF_ERROR(CheckExtents(object));
  SEALSTACK_RETURN_IF_ERROR(RequireBucket(c, object.bucket));
  // Claim the chosen parts: each must belong to this upload. Whatever is left is discarded.
  for (const S3ExtentRow& e : object.extents) {
    SEALSTACK_ASSIGN_OR_RETURN(int64_t n,
                               c.Execute("DELETE FROM s3_multipart_parts WHERE upload_id = :u AND "
                                         "object_id = :id",
                                         {{"u", upload_id}, {"id", e.object_id}}));
    if (n != 1) {
      return Status::InvalidArgument("body " + std::to_string(e.object_id) +
                                     " is not a part of this upload");
    }
  }
  SEALSTACK_RETURN_IF_ERROR(DeleteUploadRows(c, upload_id));
  return InsertLatestVersion(c, object);
}

Status S3Repo::AbortUpload(Connection& c, std::string_view upload_id) {
  SEALSTACK_RETURN_IF_ERROR(GetUpload(c, upload_id).status());
  return DeleteUploadRows(c, upload_id);
}

// ---- Maintenance ----

Result<S3SweepStats> S3Repo::SweepOrphans(Connection& c, double created_before) {
  S3SweepStats stats;
  SEALSTACK_ASSIGN_OR_RETURN(int64_t segments_before, CountSegments(c));
  SEALSTACK_RETURN_IF_ERROR(FreeBodies(
      c, "SELECT object_id FROM s3_pending_bodies WHERE created_at < :t", {{"t", created_before}}));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t segments_after, CountSegments(c));
  const int64_t stale_segments = segments_before - segments_after;
  SEALSTACK_ASSIGN_OR_RETURN(
      stats.pending_bodies,
      c.Execute("DELETE FROM s3_pending_bodies WHERE created_at < :t", {{"t", created_before}}));
  SEALSTACK_ASSIGN_OR_RETURN(int64_t unowned,
                             c.Execute("DELETE FROM s3_object_segments WHERE object_id NOT IN ("
                                       "SELECT object_id FROM s3_pending_bodies UNION ALL "
                                       "SELECT object_id FROM s3_object_extents UNION ALL "
                                       "SELECT object_id FROM s3_multipart_parts)"));
  stats.segments = stale_segments + unowned;
  return stats;
}

Result<int64_t> S3Repo::CountSegments(Connection& c) {
  return c.QueryInt64("SELECT count(*) FROM s3_object_segments");
}

Result<int64_t> S3Repo::CountPendingBodies(Connection& c) {
  return c.QueryInt64("SELECT count(*) FROM s3_pending_bodies");
}

Result<bool> S3Repo::BodyHasOwner(Connection& c, int64_t object_id) {
  return c.Exists(
      "SELECT 1 FROM s3_pending_bodies WHERE object_id = :id UNION ALL "
      "SELECT 1 FROM s3_object_extents WHERE object_id = :id UNION ALL "
      "SELECT 1 FROM s3_multipart_parts WHERE object_id = :id LIMIT 1",
      {{"id", object_id}});
}

Result<std::vector<int64_t>> S3Repo::ListFreedBodies(Connection& c, size_t limit) {
  std::vector<int64_t> ids;
  SEALSTACK_RETURN_IF_ERROR(c.QueryAppend("SELECT object_id FROM s3_freed_bodies LIMIT :n",
                                          {{"n", ToInt64(limit)}}, &ids,
                                          [](const Row& r) { return r.ColumnInt64(0); }));
  return ids;
}

Status S3Repo::ForgetFreedBodies(Connection& c, std::span<const int64_t> ids) {
  for (int64_t id : ids) {
    SEALSTACK_RETURN_IF_ERROR(
        c.Run("DELETE FROM s3_freed_bodies WHERE object_id = :id", {{"id", id}}));
  }
  return Status::Ok();
}

Status S3Repo::DeleteAll(Connection& c) {
  return c.Exec(
      "INSERT OR IGNORE INTO s3_freed_bodies (object_id) SELECT object_id FROM s3_object_extents "
      "UNION SELECT object_id FROM s3_multipart_parts UNION SELECT object_id FROM "
      "s3_pending_bodies; "
      "DELETE FROM s3_multipart_parts; DELETE FROM s3_multipart_uploads; "
      "DELETE FROM s3_object_extents; DELETE FROM s3_objects; DELETE FROM s3_object_segments; "
      "DELETE FROM s3_pending_bodies; DELETE FROM s3_buckets;");
}

Result<int64_t> S3Repo::DeleteAccount(Connection& c, std::string_view account) {
  // Bodies first, while the rows that own them still say whose they are.
  SEALSTACK_RETURN_IF_ERROR(FreeBodies(
      c,
      "SELECT e.object_id FROM s3_object_extents e JOIN s3_objects o ON o.seq = e.version_seq"
      "  JOIN s3_buckets b ON b.name = o.bucket WHERE b.account = :a"
      " UNION SELECT p.object_id FROM s3_multipart_parts p"
      "  JOIN s3_multipart_uploads u ON u.upload_id = p.upload_id"
      "  JOIN s3_buckets b ON b.name = u.bucket WHERE b.account = :a"
      " UNION SELECT pb.object_id FROM s3_pending_bodies pb JOIN s3_buckets b ON b.name = pb.bucket"
      "  WHERE b.account = :a",
      {{"a", account}}));
  static const char* const kStatements[] = {
      "DELETE FROM s3_multipart_parts WHERE upload_id IN (SELECT u.upload_id FROM "
      "s3_multipart_uploads u JOIN s3_buckets b ON b.name = u.bucket WHERE b.account = :a)",
      "DELETE FROM s3_multipart_uploads WHERE bucket IN "
      "(SELECT name FROM s3_buckets WHERE account = :a)",
      "DELETE FROM s3_object_extents WHERE version_seq IN (SELECT o.seq FROM s3_objects o "
      "JOIN s3_buckets b ON b.name = o.bucket WHERE b.account = :a)",
      "DELETE FROM s3_objects WHERE bucket IN (SELECT name FROM s3_buckets WHERE account = :a)",
      "DELETE FROM s3_pending_bodies WHERE bucket IN "
      "(SELECT name FROM s3_buckets WHERE account = :a)",
  };
  for (const char* sql : kStatements) {
    SEALSTACK_RETURN_IF_ERROR(c.Run(sql, {{"a", account}}));
  }
  return c.Execute("DELETE FROM s3_buckets WHERE account = :a", {{"a", account}});
}

}  // namespace sealstack::storage
