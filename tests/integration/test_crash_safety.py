"""Crash safety: concurrent writers, SIGKILL at random moments, restart on the same data dir.

Writers (one thread each, boto3): PutObject in SSE-S3, SSE-KMS and SSE-C; a multipart upload
(SSE-KMS, a 5 MiB part and a small one); KMS CreateKey + Encrypt; Glue CreateTable; new versions
of one key in a versioned bucket, with tags, some retagged in place (PutObjectTagging rewrites a
version's metadata row). The server
runs on a --data-dir whose root.key file it creates on the first start and reads on every
restart. Each cycle: start, write, SIGKILL at a seeded random moment, then

  - on a copy of the database (database + WAL, as the killed process left them):
    PRAGMA integrity_check is "ok" and no segment row is without an owner (a pending body,
    an object extent or a multipart part: storage/migrations/0003_s3.sql);
  - restart: after the start-up sweep there is no pending body and no unowned segment;
  - every acknowledged write (the client got its 200) is there and reads back byte-identical
    with its SSE mode (objects), decrypts (KMS ciphertexts, under a key that still exists) or
    reads back (Glue tables); every object the listing shows reads back whole and is exactly
    what some writer sent for that key (every key is written once, so nothing else can be
    there, half-written or otherwise).

Short form: 20 cycles (ctest label `crash`, part of the default run). Long form:
SEALSTACK_CRASH_CYCLES=200 (bench/). SEALSTACK_CRASH_SEED=N replays a run; the seed is printed.
"""

import base64
import os
import random
import shutil
import sqlite3
import threading

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import conftest
from aws_helpers import REGION
from s3_helpers import clean_env_for_module

CYCLES = int(os.environ.get("SEALSTACK_CRASH_CYCLES", "20"))
SEED = int(os.environ.get("SEALSTACK_CRASH_SEED", str(random.SystemRandom().randrange(1 << 30))))
# Objects, ciphertexts, tables read back again at the end (everything in the long form).
FINAL_SAMPLE = 150 if CYCLES <= 20 else 1 << 30
MIB = 1 << 20
BUCKET_S3 = "crash-sse-s3"
BUCKET_KMS = "crash-sse-kms"
BUCKET_C = "crash-sse-c"
BUCKET_MPU = "crash-mpu"
BUCKET_VER = "crash-versions"
DATABASE = "crashdb"
SSE_C_KEY = bytes(range(7, 39))


_SESSION = []


def _client(service, endpoint):
    """Clients come from one boto3 session (its loader caches the service models, so a client
    per restart is cheap); they are created in the main thread and are thread-safe."""
    if not _SESSION:
        _SESSION.append(boto3.session.Session(aws_access_key_id="test",
                                              aws_secret_access_key="test", region_name=REGION))
    # No retries: a retried request could be acknowledged for an attempt we do not see.
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=15,
                    max_pool_connections=8)
    return _SESSION[0].client(service, endpoint_url=endpoint, config=config)


def _body(rng, tag):
    """A deterministic body of random size (0 .. ~200 KiB, crossing segment boundaries)."""
    # Up to 256 KiB a body stays segment rows, beyond it is a body file: both kinds get killed.
    size = rng.choice([0, 1, 17, 4096, 65535, 65536, 65537, rng.randrange(1, 200_000),
                       rng.randrange(262_144, 1_500_000)])
    seed = tag.encode()
    out = bytearray()
    block = seed
    while len(out) < size:
        block = base64.b64encode(block)[:64] + seed
        out += block
    return bytes(out[:size])


def _orphan_segments(conn):
    return conn.execute(
        "SELECT count(*) FROM s3_object_segments WHERE object_id NOT IN ("
        "SELECT object_id FROM s3_pending_bodies UNION ALL "
        "SELECT object_id FROM s3_object_extents UNION ALL "
        "SELECT object_id FROM s3_multipart_parts)").fetchone()[0]


def _orphan_files(conn, data_dir):
    """Body files (storage/body_files.h) whose id no pending body, extent or part owns."""
    owned = {r[0] for r in conn.execute(
        "SELECT object_id FROM s3_pending_bodies UNION ALL "
        "SELECT object_id FROM s3_object_extents UNION ALL "
        "SELECT object_id FROM s3_multipart_parts")}
    files = {int(p.name[:-4]) for p in (data_dir / "bodies").glob("*/*.seg")}
    return len(files - owned)


def _missing_files(conn, data_dir):
    """Committed extents and parts whose body is neither a file nor segment rows (small bodies
    stay rows, storage/body_files.h)."""
    missing = 0
    for (oid, rows) in conn.execute(
            "SELECT b.object_id, (SELECT count(*) FROM s3_object_segments s "
            "WHERE s.object_id = b.object_id) FROM (SELECT object_id FROM s3_object_extents "
            "UNION ALL SELECT object_id FROM s3_multipart_parts) b").fetchall():
        if rows == 0 and not (data_dir / "bodies" / f"{oid % 256:02x}" / f"{oid}.seg").exists():
            missing += 1
    return missing


class State:
    """What the writers attempted and what the server acknowledged (shared, under a lock)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempted = {}     # (bucket, key) -> (body, mode)
        self.acked = {}         # (bucket, key) -> (body, mode)
        self.kms_acked = []     # (key_id, ciphertext, plaintext)
        self.keys_acked = set()
        self.tables_attempted = set()
        self.tables_acked = {}  # name -> location
        self.version_sizes = {}     # key -> sizes of every body attempted as a new version
        self.versions_acked = {}    # (key, version id) -> body
        self.version_tags = {}      # (key, version id) -> tag sets it may have (last acked first)
        self.errors = []        # answers a live server should not give


class Crash:
    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.data_dir = tmp_path / "data"
        self.data_dir.mkdir()
        self.server = None
        self.starts = 0

    def start(self):
        self.server = conftest._start(
            self.tmp_path, f"crash{self.starts}", None,
            ["--data-dir", str(self.data_dir), "--sse-c-blocked-by-default", "false"])
        self.starts += 1
        return self.server

    def kill(self):
        proc = self.server.proc
        assert proc.poll() is None, (f"server died on its own (code {proc.returncode}):\n"
                                     f"{self.server.stderr_text()[-5000:]}")
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        self.server.stopped = True

    def stop(self):
        if self.server is not None and not self.server.stopped:
            conftest._stop(self.server)


@pytest.fixture
def crash(tmp_path):
    mp = pytest.MonkeyPatch()
    clean_env_for_module(mp)
    c = Crash(tmp_path)
    try:
        yield c
    finally:
        try:
            if c.server is not None and not c.server.stopped:
                c.kill() if c.server.proc.poll() is None else None
        finally:
            mp.undo()


# ---------------------------------------------------------------- writers

def _record_error(state, killed, what, exc):
    """Connection errors after the kill are expected; anything else is a finding."""
    if isinstance(exc, ClientError) and killed.is_set() and \
            not exc.response.get("Error", {}).get("Code"):
        # A response cut by the kill: CompleteMultipartUpload sends 200 and its head before
        # the result; botocore 1.26 reports the truncated body as a ClientError without code.
        return
    if isinstance(exc, ClientError):
        state.errors.append(f"{what}: {exc.response.get('Error')} "
                            f"HTTP {exc.response.get('ResponseMetadata', {}).get('HTTPStatusCode')}")
    elif not killed.is_set():
        state.errors.append(f"{what}: {type(exc).__name__}: {exc}")


def _put_writer(state, killed, s3, rng, cycle, bucket, mode, kms_key):
    n = 0
    while not killed.is_set():
        key = f"c{cycle:03d}/{mode}/{n:04d}"
        body = _body(rng, f"{cycle}-{mode}-{n}")
        n += 1
        kwargs = {}
        if mode == "sse-s3":
            kwargs = dict(ServerSideEncryption="AES256")
        elif mode == "sse-kms":
            kwargs = dict(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key)
        elif mode == "sse-c":
            kwargs = dict(SSECustomerAlgorithm="AES256", SSECustomerKey=SSE_C_KEY)
        with state.lock:
            state.attempted[(bucket, key)] = (body, mode)
        try:
            s3.put_object(Bucket=bucket, Key=key, Body=body, **kwargs)
        except (ClientError, BotoCoreError) as e:
            _record_error(state, killed, f"PutObject {bucket}/{key}", e)
            return
        with state.lock:
            state.acked[(bucket, key)] = (body, mode)


def _mpu_writer(state, killed, s3, rng, cycle, kms_key):
    n = 0
    while not killed.is_set():
        key = f"c{cycle:03d}/mpu/{n:03d}"
        unit = f"{cycle}-mpu-{n}-{rng.random()}|".encode()
        part1 = (unit * (5 * MIB // len(unit) + 1))[:5 * MIB]
        part2 = _body(rng, f"{cycle}-mpu-{n}-b")
        body = part1 + part2
        n += 1
        with state.lock:
            state.attempted[(BUCKET_MPU, key)] = (body, "sse-kms")
        try:
            up = s3.create_multipart_upload(Bucket=BUCKET_MPU, Key=key,
                                            ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key)
            parts = []
            for i, data in enumerate((part1, part2), start=1):
                r = s3.upload_part(Bucket=BUCKET_MPU, Key=key, UploadId=up["UploadId"],
                                   PartNumber=i, Body=data)
                parts.append({"PartNumber": i, "ETag": r["ETag"]})
            s3.complete_multipart_upload(Bucket=BUCKET_MPU, Key=key, UploadId=up["UploadId"],
                                         MultipartUpload={"Parts": parts})
        except (ClientError, BotoCoreError) as e:
            _record_error(state, killed, f"multipart {key}", e)
            return
        with state.lock:
            state.acked[(BUCKET_MPU, key)] = (body, "sse-kms")


def _version_writer(state, killed, s3, rng, cycle):
    key = f"c{cycle:03d}/versioned"
    n = 0
    while not killed.is_set():
        body = _body(rng, f"{cycle}-ver-{n}")
        tags = {"n": str(n)}
        with state.lock:
            state.version_sizes.setdefault(key, set()).add(len(body))
        try:
            vid = s3.put_object(Bucket=BUCKET_VER, Key=key, Body=body, Tagging=f"n={n}")["VersionId"]
        except (ClientError, BotoCoreError) as e:
            _record_error(state, killed, f"PutObject {BUCKET_VER}/{key}", e)
            return
        with state.lock:
            state.versions_acked[(key, vid)] = body
            state.version_tags[(key, vid)] = [tags]
        if n % 2 == 1:
            retagged = {"n": str(n), "retagged": "yes"}
            with state.lock:  # attempted: the version may have either set after a kill
                state.version_tags[(key, vid)].append(retagged)
            try:
                s3.put_object_tagging(Bucket=BUCKET_VER, Key=key, VersionId=vid, Tagging={
                    "TagSet": [{"Key": k, "Value": v} for k, v in retagged.items()]})
            except (ClientError, BotoCoreError) as e:
                _record_error(state, killed, f"PutObjectTagging {key} {vid}", e)
                return
            with state.lock:
                state.version_tags[(key, vid)] = [retagged]
        n += 1


def _kms_writer(state, killed, kms, rng, cycle):
    n = 0
    while not killed.is_set():
        try:
            key_id = kms.create_key(Description=f"crash {cycle} {n}")["KeyMetadata"]["KeyId"]
        except (ClientError, BotoCoreError) as e:
            _record_error(state, killed, "CreateKey", e)
            return
        with state.lock:
            state.keys_acked.add(key_id)
        for i in range(3):
            plaintext = _body(rng, f"{cycle}-kms-{n}-{i}")[:4096] or b"x"
            try:
                ct = kms.encrypt(KeyId=key_id, Plaintext=plaintext)["CiphertextBlob"]
            except (ClientError, BotoCoreError) as e:
                _record_error(state, killed, f"Encrypt {key_id}", e)
                return
            with state.lock:
                state.kms_acked.append((key_id, ct, plaintext))
        n += 1


def _glue_writer(state, killed, glue, cycle):
    n = 0
    while not killed.is_set():
        name = f"t_{cycle:03d}_{n:04d}"
        location = f"s3://{BUCKET_S3}/tables/{name}/"
        n += 1
        with state.lock:
            state.tables_attempted.add(name)
        try:
            glue.create_table(DatabaseName=DATABASE, TableInput={
                "Name": name, "StorageDescriptor": {
                    "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "v", "Type": "string"}],
                    "Location": location}})
        except (ClientError, BotoCoreError) as e:
            _record_error(state, killed, f"CreateTable {name}", e)
            return
        with state.lock:
            state.tables_acked[name] = location


# ---------------------------------------------------------------- checks

def _check_db_copy(crash, cycle):
    """integrity_check and ownership of segments on a copy of what the killed process left."""
    copy_dir = crash.tmp_path / "dbcopy"
    shutil.rmtree(copy_dir, ignore_errors=True)
    copy_dir.mkdir()
    for suffix in ("", "-wal"):
        src = crash.data_dir / f"sealstack.db{suffix}"
        if src.exists():
            shutil.copyfile(src, copy_dir / f"sealstack.db{suffix}")
    conn = sqlite3.connect(str(copy_dir / "sealstack.db"))
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        assert rows == [("ok",)], f"cycle {cycle} (seed {SEED}): integrity_check {rows}"
        assert _orphan_segments(conn) == 0, f"cycle {cycle}: unowned segments before restart"
    finally:
        conn.close()


def _check_after_sweep(crash, cycle):
    conn = sqlite3.connect(f"file:{crash.data_dir / 'sealstack.db'}?mode=ro", uri=True)
    try:
        pending = conn.execute("SELECT count(*) FROM s3_pending_bodies").fetchone()[0]
        orphans = _orphan_segments(conn)
        orphan_files = _orphan_files(conn, crash.data_dir)
        missing = _missing_files(conn, crash.data_dir)
    finally:
        conn.close()
    assert (pending, orphans, orphan_files, missing) == (0, 0, 0, 0), \
        f"cycle {cycle} (seed {SEED}): after the start-up sweep {pending} pending bodies, " \
        f"{orphans} unowned segments, {orphan_files} unowned body files, " \
        f"{missing} extents or parts without their body file"


def _get(s3, bucket, key, mode):
    kwargs = {}
    if mode == "sse-c":
        kwargs = dict(SSECustomerAlgorithm="AES256", SSECustomerKey=SSE_C_KEY)
    r = s3.get_object(Bucket=bucket, Key=key, **kwargs)
    return r, r["Body"].read()


def _check_object(s3, bucket, key, body, mode, kms_arn, cycle):
    where = f"cycle {cycle} (seed {SEED}) {bucket}/{key}"
    try:
        r, got = _get(s3, bucket, key, mode)
    except ClientError as e:
        raise AssertionError(f"{where}: GET failed: {e.response.get('Error')}") from None
    except BotoCoreError as e:
        raise AssertionError(f"{where}: GET failed: {type(e).__name__}: {e}") from None
    assert len(got) == len(body) and got == body, f"{where}: body differs ({len(got)} vs {len(body)})"
    if mode == "sse-s3":
        assert r.get("ServerSideEncryption") == "AES256", f"{where}: {r.get('ServerSideEncryption')}"
    elif mode == "sse-kms":
        assert r.get("ServerSideEncryption") == "aws:kms", f"{where}: {r.get('ServerSideEncryption')}"
        assert r.get("SSEKMSKeyId") == kms_arn, f"{where}: {r.get('SSEKMSKeyId')}"
    else:
        assert r.get("SSECustomerAlgorithm") == "AES256", where
        assert "ServerSideEncryption" not in r, where


def _list_all(s3, bucket):
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            out[o["Key"]] = o["Size"]
    return out


def _verify_versions(s3, state, cycle, full):
    """Every acknowledged version is listed with its size and reads back (this cycle's, or a
    sample at the end) byte-identical with one of the tag sets it may have; every listed version
    is something a writer sent for that key."""
    listed = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=BUCKET_VER):
        for v in page.get("Versions", []):
            listed[(v["Key"], v["VersionId"])] = v["Size"]
    for (key, vid), size in listed.items():
        assert size in state.version_sizes.get(key, ()), \
            f"cycle {cycle} (seed {SEED}): unknown version {key} {vid} of size {size}"
    acked = sorted(state.versions_acked)
    if full is None:
        check = [k for k in acked if k[0].startswith(f"c{cycle:03d}/")]
    else:
        check = acked if len(acked) <= FINAL_SAMPLE else full.sample(acked, FINAL_SAMPLE)
    for (key, vid) in acked:
        assert listed.get((key, vid)) == len(state.versions_acked[(key, vid)]), \
            f"cycle {cycle} (seed {SEED}): acknowledged version {key} {vid} listed as " \
            f"{listed.get((key, vid))}"
    for (key, vid) in check:
        where = f"cycle {cycle} (seed {SEED}) {BUCKET_VER}/{key} {vid}"
        got = s3.get_object(Bucket=BUCKET_VER, Key=key, VersionId=vid)["Body"].read()
        assert got == state.versions_acked[(key, vid)], f"{where}: body differs"
        tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(
            Bucket=BUCKET_VER, Key=key, VersionId=vid)["TagSet"]}
        assert tags in state.version_tags[(key, vid)], f"{where}: tags {tags}"


def _verify(s3, kms, glue, state, kms_arn, cycle, new_keys, new_kms, new_tables, full=None):
    """Per cycle (full=None): list everything, read back what this cycle wrote. At the end
    (full=a Random): read back a seeded sample of everything written in all cycles (all of it
    in the long form), which checks that later crashes did not damage earlier writes."""
    if full is not None:
        def pick(items, n=FINAL_SAMPLE):
            items = sorted(items, key=repr)
            return set(map(repr, items if len(items) <= n else full.sample(items, n)))
        new_keys = pick(state.attempted)
        new_keys = {k for k in state.attempted if repr(k) in new_keys}
        new_kms = [state.kms_acked[i] for i in sorted(
            full.sample(range(len(state.kms_acked)), min(FINAL_SAMPLE, len(state.kms_acked))))]
        new_tables = set(full.sample(sorted(state.tables_acked),
                                     min(FINAL_SAMPLE, len(state.tables_acked))))
    buckets = (BUCKET_S3, BUCKET_KMS, BUCKET_C, BUCKET_MPU)
    listed = {b: _list_all(s3, b) for b in buckets}
    # Every acknowledged object is listed with its size.
    for (bucket, key), (body, _mode) in state.acked.items():
        assert listed[bucket].get(key) == len(body), \
            f"cycle {cycle} (seed {SEED}): acknowledged {bucket}/{key} listed as " \
            f"{listed[bucket].get(key)} (expected size {len(body)})"
    # Every listed object is something a writer sent for that key; read back the new ones
    # (and, at the end, all of them).
    for bucket in buckets:
        for key, size in listed[bucket].items():
            assert (bucket, key) in state.attempted, f"cycle {cycle}: unknown object {bucket}/{key}"
            body, mode = state.attempted[(bucket, key)]
            assert size == len(body), f"cycle {cycle}: {bucket}/{key} listed size {size}"
            if (bucket, key) in new_keys:
                _check_object(s3, bucket, key, body, mode, kms_arn, cycle)
    for key_id, ct, plaintext in new_kms:
        try:
            r = kms.decrypt(CiphertextBlob=ct)
        except ClientError as e:
            raise AssertionError(f"cycle {cycle} (seed {SEED}): Decrypt under acknowledged key "
                                 f"{key_id}: {e.response.get('Error')}") from None
        assert r["Plaintext"] == plaintext and r["KeyId"].endswith(key_id), \
            f"cycle {cycle}: Decrypt returned other data"
    if full is not None:
        for key_id in full.sample(sorted(state.keys_acked), min(FINAL_SAMPLE, len(state.keys_acked))):
            assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    tables = {}
    for page in glue.get_paginator("get_tables").paginate(DatabaseName=DATABASE):
        for t in page["TableList"]:
            tables[t["Name"]] = t
    for name, location in state.tables_acked.items():
        assert name in tables, f"cycle {cycle} (seed {SEED}): acknowledged table {name} missing"
        if name in new_tables:
            t = glue.get_table(DatabaseName=DATABASE, Name=name)["Table"]
            sd = t["StorageDescriptor"]
            assert sd["Location"] == location and [c["Name"] for c in sd["Columns"]] == ["id", "v"]
    for name in tables:
        assert name in state.tables_attempted, f"cycle {cycle}: unknown table {name}"
    _verify_versions(s3, state, cycle, full)


# ---------------------------------------------------------------- the test

def test_sigkill_at_random_moments_loses_no_acknowledged_write(crash):
    print(f"\ncrash safety: seed {SEED}, {CYCLES} cycles "
          f"(replay with SEALSTACK_CRASH_SEED={SEED} SEALSTACK_CRASH_CYCLES={CYCLES})", flush=True)
    rng = random.Random(SEED)
    server = crash.start()
    s3 = _client("s3", server.endpoint)
    kms = _client("kms", server.endpoint)
    glue = _client("glue", server.endpoint)
    for b in (BUCKET_S3, BUCKET_KMS, BUCKET_C, BUCKET_MPU, BUCKET_VER):
        s3.create_bucket(Bucket=b)
    s3.put_bucket_versioning(Bucket=BUCKET_VER, VersioningConfiguration={"Status": "Enabled"})
    kms_arn = kms.create_key(Description="crash sse-kms")["KeyMetadata"]["Arn"]
    glue.create_database(DatabaseInput={"Name": DATABASE})
    state = State()

    for cycle in range(CYCLES):
        killed = threading.Event()
        before_keys = set(state.attempted)
        before_kms = len(state.kms_acked)
        before_tables = set(state.tables_attempted)
        workers = [
            threading.Thread(target=_put_writer, args=(state, killed, s3,
                             random.Random(rng.random()), cycle, BUCKET_S3, "sse-s3", None)),
            threading.Thread(target=_put_writer, args=(state, killed, s3,
                             random.Random(rng.random()), cycle, BUCKET_KMS, "sse-kms", kms_arn)),
            threading.Thread(target=_put_writer, args=(state, killed, s3,
                             random.Random(rng.random()), cycle, BUCKET_C, "sse-c", None)),
            threading.Thread(target=_mpu_writer, args=(state, killed, s3,
                             random.Random(rng.random()), cycle, kms_arn)),
            threading.Thread(target=_kms_writer, args=(state, killed, kms,
                             random.Random(rng.random()), cycle)),
            threading.Thread(target=_glue_writer, args=(state, killed, glue, cycle)),
            threading.Thread(target=_version_writer, args=(state, killed, s3,
                             random.Random(rng.random()), cycle)),
        ]
        for w in workers:
            w.start()
        # The kill moment: a seeded random point while the writers run (not a race cover).
        killed.wait(rng.uniform(0.05, 0.5))
        killed.set()
        crash.kill()
        for w in workers:
            w.join(timeout=30)
            assert not w.is_alive(), f"cycle {cycle}: a writer hangs after the kill"
        assert not state.errors, f"cycle {cycle} (seed {SEED}): errors from a live server: " \
                                 f"{state.errors[:10]}"
        _check_db_copy(crash, cycle)

        server = crash.start()
        _check_after_sweep(crash, cycle)
        s3 = _client("s3", server.endpoint)
        kms = _client("kms", server.endpoint)
        glue = _client("glue", server.endpoint)
        new_keys = set(state.attempted) - before_keys
        _verify(s3, kms, glue, state, kms_arn, cycle, new_keys, state.kms_acked[before_kms:],
                state.tables_attempted - before_tables)

    _verify(s3, kms, glue, state, kms_arn, CYCLES, set(), [], set(), full=random.Random(SEED))
    # Every writer got writes acknowledged over the run (else its checks would prove nothing).
    assert state.versions_acked and state.tables_acked and state.kms_acked, \
        (len(state.versions_acked), len(state.tables_acked), len(state.kms_acked))
    acked_objects = len(state.acked)
    print(f"crash safety: {CYCLES} kills, {acked_objects} acknowledged objects "
          f"({sum(1 for k in state.acked if k[0] == BUCKET_MPU)} multipart), "
          f"{len(state.kms_acked)} ciphertexts under {len(state.keys_acked)} keys, "
          f"{len(state.tables_acked)} tables", flush=True)
    assert acked_objects >= CYCLES, "too few acknowledged writes for the test to mean anything"
    crash.stop()
    conn = sqlite3.connect(str(crash.data_dir / "sealstack.db"))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert _orphan_segments(conn) == 0
        assert _missing_files(conn, crash.data_dir) == 0
    finally:
        conn.close()
