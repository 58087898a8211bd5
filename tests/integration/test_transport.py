"""HTTPS listener, temporary credentials (session tokens) and request size limits, with
real clients."""

import socket
import ssl

import pytest
import urllib3
from botocore.exceptions import ClientError

from aws_helpers import boto_session, ROOT_ARN, connect, read_response

SESSION_ARN = "arn:aws:sts::111122223333:assumed-role/GlueJobRole/run-1"


def _tls_sts(endpoint, secret="test"):
    """boto3 over HTTPS to the self-signed certificate (verification off, as a test would)."""
    import boto3
    from botocore.config import Config
    session = boto_session(aws_access_key_id="test", aws_secret_access_key=secret,
                                    region_name="us-east-1")
    return session.client("sts", endpoint_url=endpoint, verify=False,
                          config=Config(retries={"total_max_attempts": 1}))


def test_https_listener_serves_signed_requests(start_sealstack):
    server = start_sealstack(extra_args=["--https-port", "0"])
    assert server.https_endpoint is not None
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    sts = _tls_sts(server.https_endpoint)
    assert sts.get_caller_identity()["Arn"] == ROOT_ARN
    # The certificate is generated for localhost / 127.0.0.1 and really is TLS.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    port = int(server.https_endpoint.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            cert = tls.getpeercert(binary_form=True)
            assert cert and len(cert) > 100
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    # Wrong secret over TLS: the same error as over plain HTTP.
    bad = _tls_sts(server.https_endpoint, secret="wrong")
    with pytest.raises(ClientError) as e:
        bad.get_caller_identity()
    assert e.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def _session_config(expires=None):
    p = {"access_key_id": "ASIATEMPCREDS0001", "secret_access_key": "temp-secret",
         "session_token": "session-token-value/with+chars=", "arn": SESSION_ARN}
    if expires:
        p["expires"] = expires
    return {"principals": [p]}


def _session_client(server, token):
    import boto3
    from botocore.config import Config
    session = boto_session(aws_access_key_id="ASIATEMPCREDS0001",
                                    aws_secret_access_key="temp-secret",
                                    aws_session_token=token, region_name="us-east-1")
    return session.client("sts", endpoint_url=server.endpoint,
                          config=Config(retries={"total_max_attempts": 1}))


def test_session_token_is_required_and_checked(start_sealstack):
    server = start_sealstack(config=_session_config())
    ok = _session_client(server, "session-token-value/with+chars=").get_caller_identity()
    assert ok["Arn"] == SESSION_ARN
    assert ok["Account"] == "111122223333"
    assert ok["UserId"].startswith("AROA") and ok["UserId"].endswith(":run-1")
    for token in (None, "some-other-token"):
        with pytest.raises(ClientError) as e:
            _session_client(server, token).get_caller_identity()
        assert e.value.response["Error"]["Code"] == "InvalidClientTokenId", token
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_oversized_header_section_is_refused_with_s3_error(sealstack):
    # 40 headers of 400 bytes: 16 KiB, over S3's 8 KiB limit on the request header section.
    headers = "".join(f"x-pad-{i}: {'a' * 400}\r\n" for i in range(40))
    with connect(sealstack) as sock:
        sock.sendall(f"GET /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
        resp = read_response(sock)
    assert resp.status == 400
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in resp.body
    assert b"<MaxSizeAllowed>8192</MaxSizeAllowed>" in resp.body
    assert "x-amz-request-id" in resp.headers


def test_expired_temporary_credentials(start_sealstack):
    server = start_sealstack(config=_session_config(expires="2020-01-01T00:00:00Z"))
    with pytest.raises(ClientError) as e:
        _session_client(server, "session-token-value/with+chars=").get_caller_identity()
    assert e.value.response["Error"]["Code"] == "ExpiredToken"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
