"""CTest kms:conformance: the AWS-recorded KMS conformance suite (LocalStack's KMS tests with the
answers they recorded against real AWS, kept outside this repository in
../shared/conformance/kms) against a fresh `sealstack --port 0 --in-memory`.

Passes when every valid test of the suite passes except those listed in
kms_conformance_open.txt (work not done yet, each with its reason), and fails when any other test
fails (a regression) or when a listed test passes (the list must shrink with the work). Exit 77
(CTest: skipped) with a message when the suite is not there, as in a user's clone.

    python3 kms_conformance.py            (SEALSTACK_BIN selects the server binary)
"""

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
SUITE = pathlib.Path(os.environ.get("SEALSTACK_KMS_CONFORMANCE",
                                    REPO.parent / "shared" / "conformance" / "kms"))
OPEN_LIST = HERE / "kms_conformance_open.txt"
SKIPPED = 77


def listed(path):
    """Node ids of a "<node id>  # reason" file (comments and blank lines ignored)."""
    ids = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            ids.add(line)
    return ids


def start_server():
    binary = os.environ.get("SEALSTACK_BIN", str(REPO / "build" / "server" / "sealstack"))
    proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0", "--in-memory"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        match = re.match(r"^Ready\. endpoint=(http://127\.0\.0\.1:\d+)", line)
        if match:
            return proc, match.group(1)
    proc.wait()
    sys.exit(f"kms:conformance: the server exited ({proc.returncode}) before its Ready line")


def main():
    run_sh = SUITE / "run.sh"
    if not run_sh.is_file():
        print(f"kms:conformance: skipped: the suite is not present ({run_sh})")
        return SKIPPED
    proc, endpoint = start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="kms-conformance-") as out:
            run = subprocess.run([str(run_sh), endpoint], env={**os.environ, "CONFORMANCE_OUT": out},
                                 capture_output=True, text=True, timeout=1200)
            summary = run.stdout.strip().splitlines()[-1:] or ["(no output)"]
            print("kms:conformance:", summary[0])
            if run.returncode == 2:
                print(run.stdout[-4000:], run.stderr[-4000:], sep="\n")
                return 1
            results = json.loads((pathlib.Path(out) / "results.json").read_text())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    known_bad = listed(SUITE / "known-bad.txt")
    expected_open = listed(OPEN_LIST)
    failing = {node for node, r in results["tests"].items()
               if r["outcome"] in ("failed", "error") and node not in known_bad}
    regressions = sorted(failing - expected_open)
    fixed = sorted(expected_open - failing)
    for node in regressions:
        print("FAILED (differs from AWS's recorded answer):", node)
    for node in fixed:
        print(f"PASSES now, remove it from {OPEN_LIST.name}:", node)
    if regressions or fixed:
        print(f"see the diffs: rerun {run_sh} against a server and read its pytest.log")
        return 1
    print(f"kms:conformance: ok; {len(expected_open)} test(s) still open ({OPEN_LIST.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
