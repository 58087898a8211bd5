"""Process contract: Ready line, health, --port 0, clean exit on SIGTERM/SIGINT, also while
clients still hold idle keep-alive connections (every SDK keeps a connection pool, and test
fixtures usually stop the server while those clients are still alive)."""

import signal

import pytest

from aws_helpers import client, connect, health, read_response

PROMPT_EXIT_S = 5.0


def test_health(sealstack):
    resp = health(sealstack)
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers


def test_two_servers_get_distinct_ports(start_sealstack):
    a, b = start_sealstack(), start_sealstack()
    assert a.port != b.port
    health(a)
    health(b)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_exits_cleanly(sealstack, sig):
    health(sealstack)
    sealstack.stop(sig, timeout=PROMPT_EXIT_S)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_with_idle_keepalive_connection(sealstack, sig):
    with connect(sealstack) as sock:
        sock.sendall(f"GET /_sealstack/health HTTP/1.1\r\nHost: {sealstack.host}\r\n\r\n".encode())
        resp = read_response(sock)
        assert resp is not None and resp.status == 200, resp
        # The connection stays open and idle (keep-alive) while the server is asked to stop.
        sealstack.stop(sig, timeout=PROMPT_EXIT_S)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_with_silent_connection(sealstack, sig):
    with connect(sealstack):
        # Accepts are FIFO: once a later connection is served, the silent one was accepted.
        health(sealstack)
        sealstack.stop(sig, timeout=PROMPT_EXIT_S)


def test_sigterm_while_boto3_client_alive(sealstack):
    sts = client("sts", sealstack.endpoint)
    assert sts.get_caller_identity()["Account"] == "000000000000"
    sealstack.stop(signal.SIGTERM, timeout=PROMPT_EXIT_S)
    with pytest.raises(Exception):  # the server is gone: connection refused / reset
        sts.get_caller_identity()



def test_admin_reset_drops_all_kms_state(sealstack):
    import requests
    from aws_helpers import client
    kms = client("kms", sealstack.endpoint)
    key = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/before-reset", TargetKeyId=key)
    blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    resp = requests.post(sealstack.endpoint + "/_sealstack/reset", timeout=10)
    assert resp.status_code == 200 and resp.json() == {}
    assert kms.list_keys()["Keys"] == []
    assert kms.list_aliases()["Aliases"] == []
    from botocore.exceptions import ClientError
    import pytest
    with pytest.raises(ClientError) as e:
        kms.decrypt(CiphertextBlob=blob)
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    wrong = requests.get(sealstack.endpoint + "/_sealstack/reset", timeout=10)
    assert wrong.status_code == 405 and wrong.json()["error"] == "MethodNotAllowed"
