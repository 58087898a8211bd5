"""SealStack's awsglue: a compatibility layer for glueetl scripts, not Spark.

SealStack writes this package next to a glueetl job's script, so ``import awsglue`` works in
plain Python. It covers the everyday API (getResolvedOptions, GlueContext reading and writing S3
and the Data Catalog, DynamicFrame transforms, Job.init/commit, job bookmarks) over lists of
Python dicts held in memory. Every S3 and Glue call goes through SealStack with the run's
temporary credentials (boto3, AWS_ENDPOINT_URL), so bucket policies, key policies, SSE-KMS and
the job's security configuration apply as they do to any other caller. See docs/glue.md.
"""

from awsglue.dynamicframe import DynamicFrame  # noqa: F401
