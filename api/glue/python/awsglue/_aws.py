"""The run's AWS clients: boto3 with the run's temporary credentials, talking to SealStack."""

import os

_clients = {}


def client(service):
    if service not in _clients:
        import boto3
        from botocore.config import Config

        kwargs = {"region_name": os.environ.get("AWS_REGION") or "us-east-1"}
        endpoint = os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:  # older boto3 (before 1.28) does not read AWS_ENDPOINT_URL itself
            kwargs["endpoint_url"] = endpoint
        if service == "s3":
            kwargs["config"] = Config(s3={"addressing_style": "path"})
        _clients[service] = boto3.client(service, **kwargs)
    return _clients[service]


def split_s3(url):
    if not url.startswith("s3://"):
        raise ValueError("not an s3:// path: " + url)
    bucket, _, key = url[5:].partition("/")
    return bucket, key
