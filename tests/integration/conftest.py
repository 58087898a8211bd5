"""Fixtures for SealStack real-client tests.

Every test gets its own server process: `sealstack --host 127.0.0.1 --port 0 --in-memory
[--config FILE]`. The fixture waits (with a deadline, no sleeps) for the single
`Ready. endpoint=http://127.0.0.1:PORT` line on stdout, yields a handle with the endpoint,
and on teardown sends SIGTERM and requires exit code 0. The server's stderr goes to a file
that is attached to the report of any failing test.
"""

import json
import os
import re
import selectors
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "build" / "server" / "sealstack"

READY_TIMEOUT_S = float(os.environ.get("SEALSTACK_READY_TIMEOUT", "15"))
STOP_TIMEOUT_S = float(os.environ.get("SEALSTACK_STOP_TIMEOUT", "10"))
READY_RE = re.compile(r"^Ready\. endpoint=(http://127\.0\.0\.1:(\d+))"
                      r"(?: https_endpoint=(https://127\.0\.0\.1:(\d+)))?$")

# Anything that could make a client (boto3, AWS CLI) talk to something other than the
# server under test, or pick other credentials/retry settings, is removed for the test run.
_AWS_ENV_TO_CLEAR = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_GLUE",
    "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_CA_BUNDLE", "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_STS_REGIONAL_ENDPOINTS",
    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy",
)


def sealstack_bin() -> Path:
    return Path(os.environ.get("SEALSTACK_BIN") or DEFAULT_BIN)


@pytest.fixture(autouse=True)
def _isolated_aws_env(monkeypatch):
    for name in _AWS_ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")


class SealStack:
    """A running server process."""

    def __init__(self, proc, endpoint, port, stderr_path, https_endpoint=None):
        self.proc = proc
        self.endpoint = endpoint  # "http://127.0.0.1:PORT"
        self.https_endpoint = https_endpoint  # "https://127.0.0.1:PORT" with --https-port
        self.host = "127.0.0.1"
        self.port = port
        self.stderr_path = stderr_path
        self.stopped = False

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT_S):
        """Stop now (instead of at teardown): send `sig`, require exit code 0 within
        `timeout` seconds and nothing more on stdout."""
        _stop(self, sig, timeout)

    def stderr_text(self) -> str:
        try:
            return Path(self.stderr_path).read_text(errors="replace")
        except OSError as e:
            return f"<cannot read {self.stderr_path}: {e}>"


def _stderr_tail(path, limit=20000) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    return text if len(text) <= limit else "...\n" + text[-limit:]


def _start(tmp_path: Path, name: str, config: dict | None,
           extra_args: list | None = None) -> SealStack:
    binary = sealstack_bin()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.fail(f"sealstack binary not found or not executable: {binary} "
                    f"(set SEALSTACK_BIN or build it)", pytrace=False)
    args = [str(binary), "--host", "127.0.0.1", "--port", "0", "--in-memory"]
    if config is not None:
        cfg_path = tmp_path / f"{name}-config.json"
        cfg_path.write_text(json.dumps(config, indent=2))
        args += ["--config", str(cfg_path)]
    args += list(extra_args or [])
    if "--data-dir" in args:  # a file-backed server was asked for
        args.remove("--in-memory")
    stderr_path = tmp_path / f"{name}-stderr.log"
    # SEALSTACK_* variables from the caller's environment would override our defaults
    # (e.g. a data dir); the fixture controls the configuration completely.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEALSTACK_")}
    with open(stderr_path, "wb") as stderr_file:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=stderr_file, env=env)

    def fail(msg):
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        pytest.fail(f"{msg}\ncommand: {' '.join(args)}\nexit code: {proc.returncode}\n"
                    f"--- sealstack stderr ---\n{_stderr_tail(stderr_path)}", pytrace=False)

    # Read stdout byte-wise until the first newline, with a hard deadline.
    deadline = time.monotonic() + READY_TIMEOUT_S
    buf = b""
    fd = proc.stdout.fileno()
    sel = selectors.DefaultSelector()
    sel.register(fd, selectors.EVENT_READ)
    try:
        while b"\n" not in buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                fail(f"no Ready line on stdout within {READY_TIMEOUT_S}s (got {buf!r})")
            if not sel.select(timeout=remaining):
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                proc.wait(timeout=5)
                fail(f"sealstack closed stdout before the Ready line (got {buf!r})")
            buf += chunk
    finally:
        sel.close()
    line, _, rest = buf.partition(b"\n")
    m = READY_RE.match(line.decode("utf-8", "replace").rstrip("\r"))
    if not m:
        fail(f"first stdout line is not 'Ready. endpoint=http://127.0.0.1:PORT': {line!r}")
    if rest:
        fail(f"sealstack printed more than one line on stdout: {buf!r}")
    port = int(m.group(2))
    if not 0 < port < 65536:
        fail(f"Ready line has an invalid port: {line!r}")
    if ("--https-port" in args) != (m.group(3) is not None):
        fail(f"https_endpoint in the Ready line iff --https-port was given: {line!r}")
    return SealStack(proc, m.group(1), port, stderr_path, https_endpoint=m.group(3))


def _stop(server: SealStack, sig=signal.SIGTERM, timeout=STOP_TIMEOUT_S) -> None:
    if server.stopped:
        return
    server.stopped = True
    proc = server.proc
    if proc.poll() is not None:
        pytest.fail(f"sealstack exited on its own during the test with code {proc.returncode}\n"
                    f"--- sealstack stderr ---\n{_stderr_tail(server.stderr_path)}",
                    pytrace=False)
    proc.send_signal(sig)
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
        pytest.fail(f"sealstack did not exit within {timeout}s of {signal.Signals(sig).name}\n"
                    f"--- sealstack stderr ---\n{_stderr_tail(server.stderr_path)}",
                    pytrace=False)
    extra_stdout = proc.stdout.read()
    proc.stdout.close()
    if code != 0:
        pytest.fail(f"sealstack exited with code {code} after {signal.Signals(sig).name} "
                    f"(expected 0)\n"
                    f"--- sealstack stderr ---\n{_stderr_tail(server.stderr_path)}",
                    pytrace=False)
    if extra_stdout:
        pytest.fail(f"sealstack wrote to stdout after the Ready line: {extra_stdout[:2000]!r}",
                    pytrace=False)


@pytest.fixture
def start_sealstack(request, tmp_path):
    """Factory: start_sealstack(config=None, extra_args=None) -> SealStack. All started servers are stopped
    (SIGTERM, exit code 0 required) at teardown."""
    servers = []
    request.node._sealstack_servers = servers

    def start(config: dict | None = None, extra_args: list | None = None) -> SealStack:
        server = _start(tmp_path, f"sealstack{len(servers)}", config, extra_args)
        servers.append(server)
        return server

    yield start
    errors = []
    for server in servers:
        try:
            _stop(server)
        except pytest.fail.Exception as e:  # stop every server, then report
            errors.append(str(e))
    if errors:
        pytest.fail("\n\n".join(errors), pytrace=False)


@pytest.fixture
def sealstack(start_sealstack) -> SealStack:
    """A server with the default configuration (principal test/test = account root)."""
    return start_sealstack()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for i, server in enumerate(getattr(item, "_sealstack_servers", [])):
            report.sections.append((f"sealstack[{i}] stderr ({report.when})",
                                    _stderr_tail(server.stderr_path)))


# ---------------------------------------------------------------- shards
# `--shard I/N` keeps the I-th (1-based) of N slices of the collected tests, so CTest can run one
# suite as N processes on N cores. A slice holds whole modules (tests of a module may share a
# module-scoped server and what earlier tests left in it), dealt largest first to the slice with
# the fewest tests so far: deterministic, and about even.

def pytest_addoption(parser):
    parser.addoption("--shard", default=None, metavar="I/N",
                     help="run only the I-th of N interleaved slices of the collected tests")


def pytest_collection_modifyitems(config, items):
    shard = config.getoption("--shard")
    if not shard:
        return
    match = re.fullmatch(r"(\d+)/(\d+)", shard)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise pytest.UsageError(f"--shard takes I/N with 1 <= I <= N, got {shard!r}")
    index, count = int(match.group(1)) - 1, int(match.group(2))
    modules = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    loads, slice_of = [0] * count, {}
    for name in sorted(modules, key=lambda m: (-len(modules[m]), m)):
        target = min(range(count), key=lambda i: (loads[i], i))
        slice_of[name] = target
        loads[target] += len(modules[name])
    kept = [item for item in items if slice_of[item.nodeid.split("::", 1)[0]] == index]
    dropped = [item for item in items if slice_of[item.nodeid.split("::", 1)[0]] != index]
    config.hook.pytest_deselected(items=dropped)
    items[:] = kept
