#!/bin/sh
# Run the SealStack client test suite with a given Python interpreter.
#   tests/integration/run_pytest.sh PYTHON [pytest args...]
# e.g. run_pytest.sh /root/.pyenv/shims/python3 -k sts     (boto3 1.43, no pytest of its own)
#      run_pytest.sh /usr/bin/python3                       (Debian boto3 1.26 + pytest 7.2)
# pytest comes from Debian's dist-packages, APPENDED to sys.path so that the interpreter's own
# boto3/botocore win over Debian's. SEALSTACK_BIN selects the server binary.
# Exit code 5 from pytest (no tests collected) is turned into a failure.
set -u
if [ $# -lt 1 ]; then
  echo "usage: $0 PYTHON [pytest args...]" >&2
  exit 2
fi
python=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 2
PYTHONDONTWRITEBYTECODE=1 "$python" -c '
import sys
sys.path.append("/usr/lib/python3/dist-packages")
import boto3, botocore, pytest
print("python %s, boto3 %s, botocore %s, pytest %s" % (sys.version.split()[0], boto3.__version__,
      botocore.__version__, pytest.__version__), flush=True)
sys.exit(pytest.main(sys.argv[1:]))
' -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "run_pytest.sh: pytest collected no tests; treating as failure" >&2
  exit 1
fi
exit "$rc"
