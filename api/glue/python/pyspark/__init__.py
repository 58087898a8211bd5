"""A placeholder so that the Glue boilerplate (``from pyspark.context import SparkContext``;
``SparkContext()``) runs. SealStack has no Spark: anything beyond creating the context raises."""
