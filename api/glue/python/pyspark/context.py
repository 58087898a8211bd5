"""SparkContext placeholder (see pyspark/__init__.py)."""


class SparkContext:
    _active = None

    def __init__(self, *args, **kwargs):
        SparkContext._active = self

    @classmethod
    def getOrCreate(cls, *args, **kwargs):
        return cls._active or cls()

    def __getattr__(self, name):
        raise NotImplementedError(
            "SealStack runs glueetl scripts without Spark: SparkContext." + name +
            " is not available (use GlueContext and DynamicFrame; see docs/glue.md)")
