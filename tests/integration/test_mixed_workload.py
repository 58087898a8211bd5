"""Mixed workload: 64 client threads for 10 s (SEALSTACK_MIXED_SECONDS=60 for the long form).

Each thread owns its S3 keys (a prefix of its own), so the expected final state is known: it
is what a sequential replay of each thread's operations gives. Every thread, with a seeded
random.Random (the seed is printed; SEALSTACK_MIXED_SEED replays the choice of operations),
mixes KMS Encrypt/Decrypt, GenerateDataKey (+ Decrypt of its blob), and S3 PUT (SSE-S3,
SSE-KMS, SSE-C) / GET / DELETE / ListObjectsV2 of small objects, and checks every answer
against its own model as it goes. Asserted: no error at all (no 5xx, no SlowDown, no
SQLITE_BUSY surfacing as 500/503), every read equal to the model, and at the end every key's
content, SSE mode and every prefix listing equal to the replay's.
"""

import hashlib
import os
import random
import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from aws_helpers import REGION

THREADS = 64
SECONDS = float(os.environ.get("SEALSTACK_MIXED_SECONDS", "10"))
SEED = int(os.environ.get("SEALSTACK_MIXED_SEED", str(random.SystemRandom().randrange(1 << 30))))
BUCKET = "mixed-workload"
KEYS_PER_THREAD = 6
SSE_C_KEY = bytes(range(90, 122))
MODES = ("sse-s3", "sse-kms", "sse-c")


@pytest.fixture
def server(start_sealstack):
    return start_sealstack(extra_args=["--sse-c-blocked-by-default", "false"])


def _clients(endpoint):
    # Shared by all threads (botocore clients are thread-safe), one connection per thread.
    # No retries: a retried 5xx or SlowDown would hide the error this test is looking for.
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                     region_name=REGION)
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=30,
                    max_pool_connections=THREADS)
    return (session.client("s3", endpoint_url=endpoint, config=config),
            session.client("kms", endpoint_url=endpoint, config=config))


def _sse(mode, kms_key):
    if mode == "sse-s3":
        return dict(ServerSideEncryption="AES256")
    if mode == "sse-kms":
        return dict(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key)
    return dict(SSECustomerAlgorithm="AES256", SSECustomerKey=SSE_C_KEY)


def _read_kw(mode):
    return dict(SSECustomerAlgorithm="AES256", SSECustomerKey=SSE_C_KEY) if mode == "sse-c" else {}


class Worker:
    def __init__(self, idx, s3, kms, kms_keys, rng, deadline):
        self.idx = idx
        self.s3, self.kms = s3, kms
        self.kms_keys = kms_keys
        self.rng = rng
        self.deadline = deadline
        self.prefix = f"t{idx:02d}/"
        self.model = {}  # key -> (body, mode): the sequential replay of this thread's writes
        self.ops = 0
        self.errors = []
        self.version = 0

    def key(self):
        return f"{self.prefix}k{self.rng.randrange(KEYS_PER_THREAD)}"

    def body(self):
        self.version += 1
        size = self.rng.choice([0, 1, 100, 4096, 20000, 70000])
        unit = hashlib.sha256(f"{self.idx}-{self.version}".encode()).digest()
        return (unit * (size // 32 + 1))[:size]

    def fail(self, what):
        self.errors.append(f"thread {self.idx} op {self.ops}: {what}")

    def step(self):
        op = self.rng.choice(["encrypt", "gdk", "put", "put", "get", "get", "delete", "list"])
        if op == "encrypt":
            key = self.rng.choice(self.kms_keys)
            pt = self.rng.randbytes(self.rng.randrange(1, 4097)) if hasattr(self.rng, "randbytes") \
                else bytes(self.rng.getrandbits(8) for _ in range(64))
            ct = self.kms.encrypt(KeyId=key, Plaintext=pt)["CiphertextBlob"]
            if self.kms.decrypt(CiphertextBlob=ct)["Plaintext"] != pt:
                self.fail("Decrypt returned other bytes")
        elif op == "gdk":
            key = self.rng.choice(self.kms_keys)
            r = self.kms.generate_data_key(KeyId=key, KeySpec="AES_256")
            if self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"])["Plaintext"] != r["Plaintext"]:
                self.fail("GenerateDataKey blob decrypts to another key")
        elif op == "put":
            key, body = self.key(), self.body()
            mode = self.rng.choice(MODES)
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=body,
                               **_sse(mode, self.rng.choice(self.kms_keys)))
            self.model[key] = (body, mode)
        elif op == "get":
            key = self.key()
            if key in self.model:
                body, mode = self.model[key]
                got = self.s3.get_object(Bucket=BUCKET, Key=key, **_read_kw(mode))["Body"].read()
                if got != body:
                    self.fail(f"GET {key}: {len(got)} bytes, expected {len(body)}")
            else:
                try:
                    self.s3.get_object(Bucket=BUCKET, Key=key)
                    self.fail(f"GET {key}: deleted object is there")
                except ClientError as e:
                    if e.response["Error"]["Code"] != "NoSuchKey":
                        raise
        elif op == "delete":
            key = self.key()
            self.s3.delete_object(Bucket=BUCKET, Key=key)
            self.model.pop(key, None)
        else:
            listed = self.list()
            expected = {k: len(v[0]) for k, v in self.model.items()}
            if listed != expected:
                self.fail(f"List {self.prefix}: {sorted(listed)} != {sorted(expected)}")
        self.ops += 1

    def list(self):
        r = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=self.prefix)
        return {o["Key"]: o["Size"] for o in r.get("Contents", [])}

    def run(self):
        while time.monotonic() < self.deadline and len(self.errors) < 5:
            try:
                self.step()
            except (ClientError, BotoCoreError) as e:
                if isinstance(e, ClientError):
                    meta = e.response.get("ResponseMetadata", {})
                    self.fail(f"{e.response.get('Error')} HTTP {meta.get('HTTPStatusCode')}")
                else:
                    self.fail(f"{type(e).__name__}: {e}")
            except Exception as e:  # noqa: BLE001 - reported, not swallowed
                self.fail(f"{type(e).__name__}: {e}")


def test_64_clients_mixed_workload_matches_sequential_replay(server):
    print(f"\nmixed workload: seed {SEED}, {THREADS} threads, {SECONDS}s", flush=True)
    s3, kms = _clients(server.endpoint)
    s3.create_bucket(Bucket=BUCKET)
    kms_keys = [kms.create_key(Description=f"mixed {i}")["KeyMetadata"]["Arn"] for i in range(4)]
    master = random.Random(SEED)
    deadline = time.monotonic() + SECONDS
    workers = [Worker(i, s3, kms, kms_keys, random.Random(master.random()), deadline)
               for i in range(THREADS)]
    threads = [threading.Thread(target=w.run) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 120)
        assert not t.is_alive(), "a client thread hangs"
    errors = [e for w in workers for e in w.errors]
    total = sum(w.ops for w in workers)
    print(f"mixed workload: {total} operations, {len(errors)} errors", flush=True)
    assert not errors, f"seed {SEED}: {len(errors)} errors, first: {errors[:10]}"
    assert total >= THREADS * 5, f"only {total} operations completed"

    # Final state == sequential replay of each thread's writes.
    for w in workers:
        assert w.list() == {k: len(v[0]) for k, v in w.model.items()}, f"thread {w.idx} listing"
        for key, (body, mode) in w.model.items():
            r = s3.get_object(Bucket=BUCKET, Key=key, **_read_kw(mode))
            assert r["Body"].read() == body, f"{key}: final content differs"
            if mode == "sse-c":
                assert r.get("SSECustomerAlgorithm") == "AES256", key
            else:
                assert r.get("ServerSideEncryption") == \
                    ("AES256" if mode == "sse-s3" else "aws:kms"), key
    everything = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for o in page.get("Contents", []):
            everything[o["Key"]] = o["Size"]
    assert everything == {k: len(v[0]) for w in workers for k, v in w.model.items()}
