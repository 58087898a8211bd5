"""The transform classes scripts call as X.apply(frame=..., ...)."""

from awsglue.dynamicframe import DynamicFrame


class ApplyMapping:
    @staticmethod
    def apply(frame, mappings, case_sensitive=False, transformation_ctx="", **kwargs):
        return frame.apply_mapping(mappings, case_sensitive)


class SelectFields:
    @staticmethod
    def apply(frame, paths, transformation_ctx="", **kwargs):
        return frame.select_fields(paths)


class DropFields:
    @staticmethod
    def apply(frame, paths, transformation_ctx="", **kwargs):
        return frame.drop_fields(paths)


class RenameField:
    @staticmethod
    def apply(frame, old_name, new_name, transformation_ctx="", **kwargs):
        return frame.rename_field(old_name, new_name)


class Filter:
    @staticmethod
    def apply(frame, f, transformation_ctx="", **kwargs):
        return frame.filter(f)


class Map:
    @staticmethod
    def apply(frame, f, transformation_ctx="", **kwargs):
        return frame.map(f)


class ResolveChoice:
    @staticmethod
    def apply(frame, specs=None, choice="", transformation_ctx="", **kwargs):
        return frame.resolveChoice(specs, choice)


class Join:
    @staticmethod
    def apply(frame1, frame2, keys1, keys2, transformation_ctx="", **kwargs):
        index = {}
        for r in frame2:
            index.setdefault(tuple(r.get(k) for k in keys2), []).append(r)
        out = []
        for r in frame1:
            for other in index.get(tuple(r.get(k) for k in keys1), []):
                joined = dict(other)
                joined.update(r)
                out.append(joined)
        return DynamicFrame(out, frame1.glue_ctx)


__all__ = ["ApplyMapping", "SelectFields", "DropFields", "RenameField", "Filter", "Map",
           "ResolveChoice", "Join", "DynamicFrame"]
