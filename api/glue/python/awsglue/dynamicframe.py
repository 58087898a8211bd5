"""DynamicFrame: records (dicts) in memory, with Glue's everyday transforms."""

import json


def _get_path(record, path):
    cur = record
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None, False
        cur = cur[part]
    return cur, True


def _set_path(record, path, value):
    parts = path.split(".")
    cur = record
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value


def _del_path(record, path):
    parts = path.split(".")
    cur = record
    for part in parts[:-1]:
        cur = cur.get(part)
        if not isinstance(cur, dict):
            return
    cur.pop(parts[-1], None)


def _type_name(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "long"
    if isinstance(v, float):
        return "double"
    if isinstance(v, dict):
        return "struct"
    if isinstance(v, list):
        return "array"
    if v is None:
        return "null"
    return "string"


_CASTS = {
    "string": lambda v: v if isinstance(v, str) else ("" if v is None else str(v)),
    "int": int, "integer": int, "long": int, "bigint": int, "smallint": int, "tinyint": int,
    "double": float, "float": float, "decimal": float,
    "boolean": lambda v: v if isinstance(v, bool) else str(v).lower() in ("true", "1"),
}


def cast(value, type_name):
    if value is None or value == "":
        return None if type_name != "string" else value
    fn = _CASTS.get(str(type_name).lower())
    if fn is None:
        return value
    try:
        return fn(value)
    except (TypeError, ValueError):
        return None


class DynamicFrame:
    """A list of records. SealStack keeps them in memory: fine for test data, not for big data."""

    def __init__(self, records, glue_ctx=None, name=""):
        self._records = list(records)
        self.glue_ctx = glue_ctx
        self.name = name

    # -- building
    @classmethod
    def fromDF(cls, dataframe, glue_ctx, name):
        raise NotImplementedError("SealStack has no Spark DataFrames; build DynamicFrames with "
                                  "GlueContext.create_dynamic_frame or DynamicFrame(records)")

    def toDF(self):
        raise NotImplementedError("SealStack has no Spark DataFrames; iterate the DynamicFrame "
                                  "or use its transforms (select_fields, map, filter, ...)")

    def _new(self, records, name=""):
        return DynamicFrame(records, self.glue_ctx, name or self.name)

    # -- reading
    def count(self):
        return len(self._records)

    def __iter__(self):
        return iter([dict(r) for r in self._records])

    def __len__(self):
        return len(self._records)

    def collect(self):
        return [dict(r) for r in self._records]

    def schema(self):
        fields = {}
        for r in self._records:
            for k, v in r.items():
                t = _type_name(v)
                if t == "null":
                    fields.setdefault(k, "null")
                elif fields.get(k, "null") in ("null", t):
                    fields[k] = t
                else:
                    fields[k] = "choice"
        return fields

    def printSchema(self):
        print("root")
        for k, t in self.schema().items():
            print("|-- %s: %s" % (k, t))

    def show(self, num_rows=20):
        for r in self._records[:num_rows]:
            print(json.dumps(r, default=str, sort_keys=True))

    # -- transforms
    def select_fields(self, paths, transformation_ctx="", info="", stageThreshold=0,
                      totalThreshold=0):
        out = []
        for r in self._records:
            n = {}
            for p in paths:
                v, ok = _get_path(r, p)
                if ok:
                    _set_path(n, p, v)
            out.append(n)
        return self._new(out)

    def drop_fields(self, paths, transformation_ctx="", info="", stageThreshold=0,
                    totalThreshold=0):
        out = []
        for r in self._records:
            n = json.loads(json.dumps(r, default=str)) if any("." in p for p in paths) else dict(r)
            for p in paths:
                _del_path(n, p)
            out.append(n)
        return self._new(out)

    def rename_field(self, oldName, newName, transformation_ctx="", info="", stageThreshold=0,
                     totalThreshold=0):
        out = []
        for r in self._records:
            n = dict(r)
            v, ok = _get_path(n, oldName)
            if ok:
                _del_path(n, oldName)
                _set_path(n, newName, v)
            out.append(n)
        return self._new(out)

    def filter(self, f, transformation_ctx="", info="", stageThreshold=0, totalThreshold=0):
        return self._new([r for r in self._records if f(dict(r))])

    def map(self, f, transformation_ctx="", info="", stageThreshold=0, totalThreshold=0):
        return self._new([f(dict(r)) for r in self._records])

    def apply_mapping(self, mappings, case_sensitive=False, transformation_ctx="", info="",
                      stageThreshold=0, totalThreshold=0):
        """mappings: (source path, source type, target path, target type) tuples; fields not
        named are dropped, values are cast to the target type."""
        out = []
        for r in self._records:
            n = {}
            for m in mappings:
                src, _, dst, dst_type = (list(m) + [None, None, None, None])[:4]
                if len(m) == 3:
                    src, dst, dst_type = m[0], m[1], m[2]
                v, ok = _get_path(r, src)
                if ok:
                    _set_path(n, dst, cast(v, dst_type))
            out.append(n)
        return self._new(out)

    def resolveChoice(self, specs=None, choice="", **kwargs):
        out = [dict(r) for r in self._records]
        for path, action in specs or []:
            if action.startswith("cast:"):
                t = action[5:]
                for r in out:
                    v, ok = _get_path(r, path)
                    if ok:
                        _set_path(r, path, cast(v, t))
        return self._new(out)

    def repartition(self, num_partitions):
        return self

    def coalesce(self, num_partitions, shuffle=False):
        return self

    def __repr__(self):
        return "DynamicFrame(%d records)" % len(self._records)
