"""GlueContext: DynamicFrames from S3 and the Data Catalog, and back."""

import csv
import gzip
import io
import json
import time

from awsglue import _aws, bookmarks
from awsglue.dynamicframe import DynamicFrame, cast

_PARQUET = ("SealStack's awsglue reads and writes csv and json only: Parquet needs a Parquet "
            "library, and none is packaged for the Debian release SealStack is built on")


def _infer(value):
    for fn in (int, float):
        try:
            return fn(value)
        except ValueError:
            pass
    return value


def _parse_csv(text, options):
    sep = options.get("separator", ",")
    quote = options.get("quoteChar", '"')
    rows = list(csv.reader(io.StringIO(text), delimiter=sep,
                           quotechar=quote if quote not in (-1, "-1") else None))
    if not rows:
        return []
    header = bool(options.get("withHeader", False))
    if header:
        names, rows = rows[0], rows[1:]
    else:
        names = ["col%d" % i for i in range(max(len(r) for r in rows))]
    out = []
    for r in rows:
        if not r:
            continue
        out.append({n: r[i] if i < len(r) else "" for i, n in enumerate(names)})
    return out


def _infer_columns(records):
    """Glue's CSV reader types columns: a column whose every non-empty value is an integer is
    long, a number double, else string."""
    if not records:
        return records
    kinds = {}
    for r in records:
        for k, v in r.items():
            if v == "" or not isinstance(v, str):
                continue
            t = _infer(v)
            kind = "long" if isinstance(t, int) else "double" if isinstance(t, float) else "string"
            prev = kinds.get(k, kind)
            kinds[k] = kind if prev == kind else ("double" if {prev, kind} == {"long", "double"}
                                                   else "string")
    for r in records:
        for k, kind in kinds.items():
            if k in r and r[k] != "" and kind != "string":
                r[k] = cast(r[k], kind)
    return records


def _parse_json(text):
    s = text.lstrip()
    if s.startswith("["):
        return [r for r in json.loads(s)]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _objects(paths, exclusions=()):
    """(url, key, etag) of every object under each path (recursively), skipping Spark's
    bookkeeping files (names starting with '_' or '.')."""
    s3 = _aws.client("s3")
    for path in paths:
        bucket, prefix = _aws.split_s3(path)
        token = None
        while True:
            kw = {"Bucket": bucket, "Prefix": prefix}
            if token:
                kw["ContinuationToken"] = token
            page = s3.list_objects_v2(**kw)
            for o in page.get("Contents", []):
                key = o["Key"]
                name = key.rsplit("/", 1)[-1]
                if not name or name.startswith(("_", ".")):
                    continue
                if any(key.endswith(x) for x in exclusions):
                    continue
                yield "s3://%s/%s" % (bucket, key), bucket, key, o.get("ETag", "")
            if not page.get("IsTruncated"):
                break
            token = page.get("NextContinuationToken")


def _read(paths, fmt, options, ctx, partition_keys=()):
    fmt = (fmt or "json").lower()
    if fmt == "parquet":
        raise NotImplementedError(_PARQUET)
    if fmt not in ("csv", "json"):
        raise NotImplementedError("format %r: SealStack's awsglue reads csv and json" % fmt)
    s3 = _aws.client("s3")
    marks = bookmarks.instance()
    records = []
    for url, bucket, key, etag in _objects(paths):
        if marks.seen(ctx, url, etag):
            continue
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        if key.endswith(".gz"):
            body = gzip.decompress(body)
        text = body.decode("utf-8")
        rows = _parse_csv(text, options) if fmt == "csv" else _parse_json(text)
        for segment in key.split("/")[:-1]:
            name, eq, value = segment.partition("=")
            if eq and name in partition_keys:
                for r in rows:
                    r.setdefault(name, value)
        records.extend(rows)
        marks.read(ctx, url, etag)
    if fmt == "csv":
        records = _infer_columns(records)
    return records


def _render(records, fmt, options):
    if fmt == "json":
        return "".join(json.dumps(r, default=str) + "\n" for r in records).encode()
    names = []
    for r in records:
        for k in r:
            if k not in names:
                names.append(k)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=options.get("separator", ","), lineterminator="\n")
    if options.get("writeHeader", True):
        w.writerow(names)
    for r in records:
        w.writerow(["" if r.get(n) is None else r.get(n) for n in names])
    return buf.getvalue().encode()


def _write(frame, path, fmt, options, partition_keys):
    fmt = (fmt or "json").lower()
    if fmt == "parquet":
        raise NotImplementedError(_PARQUET)
    if fmt not in ("csv", "json"):
        raise NotImplementedError("format %r: SealStack's awsglue writes csv and json" % fmt)
    bucket, prefix = _aws.split_s3(path)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    groups = {}
    for r in frame:
        part = tuple((k, r.get(k)) for k in partition_keys)
        row = {k: v for k, v in r.items() if k not in partition_keys}
        groups.setdefault(part, []).append(row)
    s3 = _aws.client("s3")
    stamp = int(time.time() * 1000)
    written = []
    for n, (part, rows) in enumerate(sorted(groups.items(), key=lambda g: str(g[0]))):
        folder = "".join("%s=%s/" % (k, "" if v is None else v) for k, v in part)
        key = "%s%srun-%d-part-r-%05d" % (prefix, folder, stamp, n)
        # No SSE headers: the run's security configuration decides the encryption (server side).
        s3.put_object(Bucket=bucket, Key=key, Body=_render(rows, fmt, options))
        written.append("s3://%s/%s" % (bucket, key))
    return written


def _table(database, table_name, catalog_id=None):
    kw = {"DatabaseName": database, "Name": table_name}
    if catalog_id:
        kw["CatalogId"] = catalog_id
    return _aws.client("glue").get_table(**kw)["Table"]


def _table_format(table):
    sd = table.get("StorageDescriptor", {})
    params = dict(table.get("Parameters", {}))
    fmt = params.get("classification", "").lower()
    serde = sd.get("SerdeInfo", {})
    lib = serde.get("SerializationLibrary", "")
    if not fmt:
        if "json" in lib.lower():
            fmt = "json"
        elif "parquet" in (sd.get("InputFormat", "") + lib).lower():
            fmt = "parquet"
        else:
            fmt = "csv"
    sp = serde.get("Parameters", {})
    options = {"separator": sp.get("field.delim", sp.get("separatorChar", ",")),
               "withHeader": params.get("skip.header.line.count") == "1"}
    return fmt, options


class _Reader:
    def __init__(self, ctx):
        self._ctx = ctx

    def from_options(self, connection_type="s3", connection_options=None, format=None,
                     format_options=None, transformation_ctx="", **kwargs):
        if connection_type != "s3":
            raise NotImplementedError("connection_type %r: SealStack's awsglue reads s3"
                                      % connection_type)
        opts = connection_options or {}
        paths = opts.get("paths") or ([opts["path"]] if "path" in opts else [])
        records = _read(paths, format, format_options or {}, transformation_ctx)
        return DynamicFrame(records, self._ctx, transformation_ctx)

    def from_catalog(self, database=None, table_name=None, redshift_tmp_dir="",
                     transformation_ctx="", push_down_predicate="", additional_options=None,
                     catalog_id=None, name_space=None, **kwargs):
        database = database or name_space
        table = _table(database, table_name, catalog_id)
        fmt, options = _table_format(table)
        sd = table.get("StorageDescriptor", {})
        keys = [k["Name"] for k in table.get("PartitionKeys", [])]
        records = _read([sd["Location"]], fmt, options, transformation_ctx, keys)
        types = {c["Name"]: c.get("Type", "string") for c in sd.get("Columns", [])}
        for k in table.get("PartitionKeys", []):
            types[k["Name"]] = k.get("Type", "string")
        if fmt == "csv" and not options["withHeader"] and sd.get("Columns"):
            names = [c["Name"] for c in sd["Columns"]]
            records = [{names[int(k[3:])] if k.startswith("col") and int(k[3:]) < len(names)
                        else k: v for k, v in r.items()} for r in records]
        records = [{k: cast(v, types[k]) if k in types else v for k, v in r.items()}
                   for r in records]
        return DynamicFrame(records, self._ctx, transformation_ctx)


class _Writer:
    def __init__(self, ctx):
        self._ctx = ctx

    def from_options(self, frame, connection_type="s3", connection_options=None, format=None,
                     format_options=None, transformation_ctx="", **kwargs):
        if connection_type != "s3":
            raise NotImplementedError("connection_type %r: SealStack's awsglue writes s3"
                                      % connection_type)
        opts = connection_options or {}
        _write(frame, opts["path"], format, format_options or {}, opts.get("partitionKeys", []))
        return frame

    def from_catalog(self, frame, database=None, table_name=None, redshift_tmp_dir="",
                     transformation_ctx="", additional_options=None, catalog_id=None,
                     name_space=None, **kwargs):
        database = database or name_space
        table = _table(database, table_name, catalog_id)
        fmt, options = _table_format(table)
        opts = additional_options or {}
        keys = opts.get("partitionKeys") or [k["Name"] for k in table.get("PartitionKeys", [])]
        options = {"separator": options["separator"], "writeHeader": options["withHeader"]}
        _write(frame, table["StorageDescriptor"]["Location"], fmt, options, keys)
        return frame


class GlueContext:
    def __init__(self, spark_context=None, **options):
        self.spark_context = spark_context
        self.create_dynamic_frame = _Reader(self)
        self.write_dynamic_frame = _Writer(self)
        self.create_dynamic_frame_from_options = self.create_dynamic_frame.from_options
        self.create_dynamic_frame_from_catalog = self.create_dynamic_frame.from_catalog
        self.write_dynamic_frame_from_options = self.write_dynamic_frame.from_options
        self.write_dynamic_frame_from_catalog = self.write_dynamic_frame.from_catalog

    @property
    def spark_session(self):
        raise NotImplementedError("SealStack runs glueetl scripts without Spark: there is no "
                                  "spark_session (see docs/glue.md)")

    def get_logger(self):
        return _Logger()

    def purge_s3_path(self, s3_path, options=None, transformation_ctx=""):
        s3 = _aws.client("s3")
        for _, bucket, key, _ in _objects([s3_path]):
            s3.delete_object(Bucket=bucket, Key=key)


class _Logger:
    def info(self, msg):
        print(msg, flush=True)

    warn = warning = error = info
