"""Run SealStack from Python tests: a pytest plugin and a plain context manager.

    # conftest.py
    pytest_plugins = ["sealstack_fixture"]      # clients/python on sys.path (or copy the file)

    def test_roundtrip(sealstack):              # a fresh, in-memory server for this test
        key = sealstack.kms.create_key()["KeyMetadata"]["KeyId"]
        blob = sealstack.kms.encrypt(KeyId=key, Plaintext=b"hi")["CiphertextBlob"]
        assert sealstack.kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hi"

Without pytest:

    with start_sealstack() as ss:
        ss.s3.create_bucket(Bucket="b")

The server is the local `sealstack` binary: `SEALSTACK_BIN`, else `sealstack` on PATH, else
`../../build/server/sealstack` relative to this file (a build of this repository). It runs as
`sealstack --host 127.0.0.1 --port 0 --in-memory [args...]`; the handle is returned once the
server printed `Ready. endpoint=http://127.0.0.1:PORT` on stdout, and `stop()` sends SIGTERM
and requires exit code 0.

Fixtures (all take their settings from the `sealstack` marker, e.g.
`@pytest.mark.sealstack(args=["--policy-mode", "audit"], seed={...})`):
  sealstack          a server of its own per test (starting one takes milliseconds)
  sealstack_session  one server for the whole session; call `reset()` yourself between tests
  sealstack_factory  `sealstack_factory(args=..., seed=..., config=...)`, stopped at teardown

The admin calls (`docs/admin-api.md`) are thin: each is one HTTP request and returns the JSON
answer. An admin endpoint this server build does not have raises `AdminEndpointMissing` (a
subclass of `SealStackAdminError`), so a test can skip on it instead of passing silently.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Iterable, Optional

__all__ = [
    "SealStack", "SealStackError", "SealStackAdminError", "AdminEndpointMissing",
    "find_binary", "start_sealstack", "DEFAULT_ACCESS_KEY", "DEFAULT_SECRET_KEY",
    "DEFAULT_REGION",
]

DEFAULT_ACCESS_KEY = "test"
DEFAULT_SECRET_KEY = "test"
DEFAULT_REGION = "us-east-1"
READY_TIMEOUT_S = float(os.environ.get("SEALSTACK_READY_TIMEOUT", "15"))
STOP_TIMEOUT_S = float(os.environ.get("SEALSTACK_STOP_TIMEOUT", "10"))
_READY_RE = re.compile(r"^Ready\. endpoint=(http://[^\s]+?:(\d+))(?: https_endpoint=(\S+))?$")


class SealStackError(RuntimeError):
    """The server could not be started, or did not stop cleanly."""


class SealStackAdminError(RuntimeError):
    """An admin API call answered with an error: `status`, `code` ("error"), `message`."""

    def __init__(self, method: str, path: str, status: int, code: str, message: str):
        super().__init__(f"{method} {path}: HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class AdminEndpointMissing(SealStackAdminError):
    """This server build has no such admin endpoint (404 NotFound "no admin endpoint ...")."""


def find_binary(binary: Optional[str | os.PathLike] = None) -> Path:
    """The sealstack binary: `binary`, else $SEALSTACK_BIN, else PATH, else the repository build."""
    candidates = []
    if binary:
        candidates.append(("argument", Path(binary)))
    elif os.environ.get("SEALSTACK_BIN"):
        candidates.append(("SEALSTACK_BIN", Path(os.environ["SEALSTACK_BIN"])))
    else:
        on_path = shutil.which("sealstack")
        if on_path:
            candidates.append(("PATH", Path(on_path)))
        candidates.append(("repository build",
                           Path(__file__).resolve().parents[2] / "build" / "server" / "sealstack"))
    for _, path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    tried = ", ".join(f"{where}: {path}" for where, path in candidates)
    raise SealStackError(f"no executable sealstack binary ({tried}); set SEALSTACK_BIN or put "
                         f"sealstack on PATH")


# ------------------------------------------------------------------------------ the handle

class SealStack:
    """A running SealStack: endpoint, region, credentials, boto3 clients, admin calls."""

    def __init__(self, proc: subprocess.Popen, endpoint: str, *, region: str,
                 access_key: str, secret_key: str, stderr_path: Path, args: list,
                 https_endpoint: Optional[str] = None, owns_tmpdir: Optional[str] = None):
        self.proc = proc
        self.endpoint = endpoint
        self.https_endpoint = https_endpoint
        self.port = int(urllib.parse.urlsplit(endpoint).port)
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key
        self.stderr_path = stderr_path
        self.args = args
        self._tmpdir = owns_tmpdir
        self._clients: dict = {}
        self._seed: Optional[dict] = None
        self.stopped = False
        # Admin calls go straight to the server, never through an HTTP(S)_PROXY.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # --- AWS clients ------------------------------------------------------------------------
    @property
    def credentials(self) -> dict:
        """Keyword arguments for boto3: aws_access_key_id, aws_secret_access_key, region_name."""
        return {"aws_access_key_id": self.access_key,
                "aws_secret_access_key": self.secret_key,
                "region_name": self.region}

    def client(self, service: str, *, access_key: Optional[str] = None,
               secret_key: Optional[str] = None, **config_kwargs):
        """A new boto3 client for `service` against this server (S3 path-style), with the
        default credentials unless others are given; `config_kwargs` go to botocore Config
        (e.g. `retries={"total_max_attempts": 1}`)."""
        import boto3
        from botocore.config import Config
        if service == "s3":
            config_kwargs.setdefault("s3", {"addressing_style": "path"})
        config_kwargs.setdefault("retries", {"max_attempts": 3, "mode": "standard"})
        session = boto3.session.Session(
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            region_name=self.region)
        return session.client(service, endpoint_url=self.endpoint,
                              config=Config(**config_kwargs))

    def _cached(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.client(service)
        return self._clients[service]

    s3 = property(lambda self: self._cached("s3"), doc="boto3 S3 client (path-style)")
    kms = property(lambda self: self._cached("kms"), doc="boto3 KMS client")
    sts = property(lambda self: self._cached("sts"), doc="boto3 STS client")
    glue = property(lambda self: self._cached("glue"), doc="boto3 Glue client")

    @property
    def env(self) -> dict:
        """Environment variables that point AWS SDKs and the AWS CLI at this server."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key, "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region}

    # --- admin API (docs/admin-api.md) --------------------------------------------------------
    def admin(self, method: str, path: str, body: Any = None, *, timeout: float = 30) -> Any:
        """One admin call: `path` below /_sealstack/ (e.g. "clock"); returns the decoded JSON
        (a list of objects for JSON-lines answers). Raises SealStackAdminError on 4xx/5xx."""
        path = "/_sealstack/" + path.lstrip("/")
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers={"Accept": "application/json"})
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                status, text = resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode("utf-8", "replace")
        if status >= 400:
            code, message = "", text[:500]
            with contextlib.suppress(ValueError, AttributeError):
                doc = json.loads(text)
                code, message = doc.get("error", ""), doc.get("message", message)
            cls = SealStackAdminError
            if status == 404 and code == "NotFound" and message.startswith("no admin endpoint"):
                cls = AdminEndpointMissing
            raise cls(method, path, status, code, message)
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:  # JSON lines (GET /_sealstack/audit)
            return [json.loads(line) for line in text.splitlines() if line.strip()]

    def health(self) -> dict:
        return self.admin("GET", "health")

    def reset(self, account: Optional[str] = None, *, reseed: bool = True,
              keep_clock: bool = False) -> None:
        """Drop all state (keys, buckets, objects, ...) and return the clock to real time (an
        account's reset leaves the clock; `keep_clock=True` keeps it on a whole reset). A seed
        document given at start is applied again unless `reseed=False`."""
        body: dict = {} if account is None else {"account": account}
        if keep_clock:
            body["keep_clock"] = True
        self.admin("POST", "reset", body)
        if reseed and self._seed is not None:
            self.seed(self._seed)

    def clock(self) -> dict:
        """`{"now": ISO-8601, "offset_seconds": N}`."""
        return self.admin("GET", "clock")

    def advance_clock(self, seconds: float) -> dict:
        """Move the server clock forward (what falls due happens: deletions, rotations). Clients
        keep signing with the real time: the server accepts it (docs/admin-api.md)."""
        return self.admin("POST", "clock", {"advance_seconds": seconds})

    def set_clock(self, when: str | datetime.datetime) -> dict:
        if isinstance(when, datetime.datetime):
            if when.tzinfo is None:
                when = when.replace(tzinfo=datetime.timezone.utc)
            when = when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.admin("POST", "clock", {"set": when})

    def add_fault(self, service: str, operation: str, error: Optional[str] = None, *,
                  count: Optional[int] = None, probability: Optional[float] = None,
                  latency_ms: Optional[int] = None, resource: Optional[str] = None) -> str:
        """Inject a fault; returns its id. Unset fields are not sent (server defaults)."""
        body = {"service": service, "operation": operation, "error": error, "count": count,
                "probability": probability, "latency_ms": latency_ms, "resource": resource}
        doc = self.admin("POST", "faults", {k: v for k, v in body.items() if v is not None})
        return doc["id"]

    def faults(self) -> Any:
        return self.admin("GET", "faults")

    def clear_faults(self) -> None:
        self.admin("DELETE", "faults")

    def delete_fault(self, fault_id: str) -> None:
        self.admin("DELETE", "faults/" + urllib.parse.quote(fault_id, safe=""))

    def seed(self, doc: dict) -> Any:
        """Apply a seed document (principals, keys, buckets, glue); idempotent on the server."""
        return self.admin("POST", "seed", doc)

    def audit(self) -> list:
        """The audit events (GET /_sealstack/audit, JSON lines) as a list of dicts."""
        doc = self.admin("GET", "audit")
        if doc is None:
            return []
        return doc if isinstance(doc, list) else [doc]

    def decisions(self, **filters) -> list:
        """The latest authorization decisions, explained, newest first (GET
        /_sealstack/decisions; filters: principal, action, resource, result, since, limit)."""
        query = urllib.parse.urlencode({k: v for k, v in filters.items() if v is not None})
        return self.admin("GET", "decisions" + ("?" + query if query else ""))["decisions"]

    def explain_last_denial(self, principal: Optional[str] = None) -> Optional[dict]:
        """The newest denial (of `principal`, if given), explained; None when there is none."""
        found = self.decisions(result="deny", principal=principal, limit=1)
        return found[0] if found else None

    def simulate(self, principal: str, action: str, resource: str = "*",
                 context: Optional[dict] = None) -> dict:
        """What the policies would decide, explained, without making the call."""
        body = {"principal": principal, "action": action, "resource": resource}
        if context:
            body["context"] = context
        return self.admin("POST", "simulate", body)

    def object_info(self, bucket: str, key: str) -> dict:
        """How an object is protected at rest (mode, KMS key, encryption context, ...)."""
        return self.admin("GET", "s3/" + urllib.parse.quote(bucket, safe="") + "/"
                          + urllib.parse.quote(key, safe="/"))

    # --- lifetime ---------------------------------------------------------------------------
    def stderr_text(self) -> str:
        try:
            return Path(self.stderr_path).read_text(errors="replace")
        except OSError as e:
            return f"<cannot read {self.stderr_path}: {e}>"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT_S) -> None:
        """Send `sig` (SIGTERM) and require exit code 0 within `timeout` seconds."""
        if self.stopped:
            return
        self.stopped = True
        for c in self._clients.values():
            with contextlib.suppress(Exception):
                c.close()
        self._clients.clear()
        try:
            if self.proc.poll() is not None:
                raise SealStackError(f"sealstack exited on its own with code "
                                     f"{self.proc.returncode}\n{_tail(self.stderr_text())}")
            self.proc.send_signal(sig)
            try:
                code = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
                raise SealStackError(f"sealstack did not exit within {timeout}s of "
                                     f"{signal.Signals(sig).name}\n{_tail(self.stderr_text())}")
            if code != 0:
                raise SealStackError(f"sealstack exited with code {code} after "
                                     f"{signal.Signals(sig).name}\n{_tail(self.stderr_text())}")
        finally:
            if self.proc.stdout:
                self.proc.stdout.close()
            if self._tmpdir:
                shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self) -> "SealStack":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SealStack {self.endpoint} pid={self.proc.pid}>"


def _tail(text: str, limit: int = 8000) -> str:
    return "--- sealstack stderr ---\n" + (text if len(text) <= limit else "...\n" + text[-limit:])


def start_sealstack(*, binary: Optional[str | os.PathLike] = None, args: Iterable[str] = (),
                    seed: Optional[dict] = None, config: Optional[dict] = None,
                    host: str = "127.0.0.1", region: str = DEFAULT_REGION,
                    access_key: str = DEFAULT_ACCESS_KEY, secret_key: str = DEFAULT_SECRET_KEY,
                    workdir: Optional[str | os.PathLike] = None,
                    env: Optional[dict] = None,
                    ready_timeout: float = READY_TIMEOUT_S) -> SealStack:
    """Start `sealstack --host HOST --port 0 --in-memory --region REGION [--config F] [args]`
    and wait for its Ready line. `seed` is POSTed to /_sealstack/seed once it is ready (and
    again after each `reset()`); `config` is written to a file for `--config`. `args` with
    `--data-dir` replace `--in-memory`. The server's stderr goes to a file in `workdir`
    (default: a temporary directory removed at stop). `env` is the server's environment
    (default: this process's, minus SEALSTACK_* settings other than SEALSTACK_ROOT_KEY)."""
    path = find_binary(binary)
    owns = None
    if workdir is None:
        workdir = owns = tempfile.mkdtemp(prefix="sealstack-")
    workdir = Path(workdir)
    argv = [str(path), "--host", host, "--port", "0", "--in-memory", "--region", region]
    if config is not None:
        cfg = workdir / "sealstack-config.json"
        cfg.write_text(json.dumps(config, indent=2))
        argv += ["--config", str(cfg)]
    argv += [str(a) for a in args]
    if "--data-dir" in argv or any(a.startswith("--data-dir=") for a in argv):
        argv.remove("--in-memory")
    if env is None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("SEALSTACK_") or k == "SEALSTACK_ROOT_KEY"}
    stderr_path = workdir / f"sealstack-{os.getpid()}-{time.monotonic_ns()}.stderr.log"
    with open(stderr_path, "wb") as stderr_file:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=stderr_file, env=env)

    def fail(msg: str):
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)
        proc.stdout.close()
        text = stderr_path.read_text(errors="replace") if stderr_path.exists() else ""
        if owns:
            shutil.rmtree(owns, ignore_errors=True)
        raise SealStackError(f"{msg}\ncommand: {' '.join(argv)}\nexit code: {proc.returncode}\n"
                             f"{_tail(text)}")

    deadline = time.monotonic() + ready_timeout
    buf = b""
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while b"\n" not in buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                fail(f"no Ready line on stdout within {ready_timeout}s (got {buf!r})")
            if not sel.select(timeout=remaining):
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                fail(f"sealstack closed stdout before the Ready line (got {buf!r})")
            buf += chunk
    line = buf.partition(b"\n")[0].decode("utf-8", "replace").rstrip("\r")
    m = _READY_RE.match(line)
    if not m or int(m.group(2)) == 0:
        fail(f"first stdout line is not 'Ready. endpoint=http://HOST:PORT': {line!r}")
    endpoint = m.group(1).replace("://0.0.0.0:", "://127.0.0.1:")
    server = SealStack(proc, endpoint, region=region, access_key=access_key,
                       secret_key=secret_key, stderr_path=stderr_path, args=argv,
                       https_endpoint=m.group(3), owns_tmpdir=owns)
    if seed is not None:
        try:
            server.seed(seed)
        except BaseException:
            with contextlib.suppress(SealStackError):
                server.stop()
            raise
        server._seed = seed
    return server


# ------------------------------------------------------------------------------ pytest plugin

try:
    import pytest
except ImportError:  # the module also works without pytest
    pytest = None

if pytest is not None:

    def pytest_configure(config):
        config.addinivalue_line(
            "markers", "sealstack(args=None, seed=None, config=None, binary=None, region=None):"
                       " settings for the sealstack fixture")

    def _marker_kwargs(request) -> dict:
        marker = request.node.get_closest_marker("sealstack")
        kwargs = dict(marker.kwargs) if marker else {}
        unknown = set(kwargs) - {"args", "seed", "config", "binary", "region", "access_key",
                                 "secret_key", "env", "ready_timeout"}
        if unknown:
            pytest.fail(f"unknown sealstack marker arguments: {sorted(unknown)}", pytrace=False)
        if kwargs.get("region") is None:
            kwargs.pop("region", None)
        return kwargs

    def _start_or_fail(**kwargs) -> SealStack:
        try:
            return start_sealstack(**kwargs)
        except SealStackError as e:
            pytest.fail(str(e), pytrace=False)

    def _stop_all(servers) -> None:
        errors = []
        for server in servers:
            try:
                server.stop()
            except SealStackError as e:
                errors.append(str(e))
        if errors:
            pytest.fail("\n\n".join(errors), pytrace=False)

    @pytest.fixture
    def sealstack_factory(request, tmp_path):
        """`sealstack_factory(**start_sealstack kwargs)` -> SealStack; all stopped at teardown
        (exit code 0 after SIGTERM required)."""
        servers = []
        request.node._sealstack_servers = servers

        def start(**kwargs) -> SealStack:
            kwargs.setdefault("workdir", tmp_path)
            server = _start_or_fail(**kwargs)
            servers.append(server)
            return server

        yield start
        _stop_all(servers)

    @pytest.fixture
    def sealstack(request, sealstack_factory) -> SealStack:
        """A server of its own for this test, configured by the `sealstack` marker."""
        return sealstack_factory(**_marker_kwargs(request))

    @pytest.fixture(scope="session")
    def sealstack_session(request, tmp_path_factory):
        """One server for the session (no marker; call `reset()` between tests)."""
        server = _start_or_fail(workdir=tmp_path_factory.mktemp("sealstack"))
        yield server
        _stop_all([server])

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        report = outcome.get_result()
        if report.failed:
            for i, server in enumerate(getattr(item, "_sealstack_servers", [])):
                report.sections.append((f"sealstack[{i}] stderr ({report.when})",
                                        _tail(server.stderr_text(), 20000)))
