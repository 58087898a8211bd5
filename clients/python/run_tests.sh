#!/bin/sh
# Run the fixture's own tests with each given Python interpreter (through the repository's
# tests/integration/run_pytest.sh, which finds Debian's pytest and maps "no tests" to failure).
#   clients/python/run_tests.sh PYTHON [PYTHON...]     e.g. python3 /usr/bin/python3
# SEALSTACK_BIN selects the server binary. Exit code: 0 only if every interpreter passed.
set -u
if [ $# -lt 1 ]; then
  echo "usage: $0 PYTHON [PYTHON...]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
runner=$here/../../tests/integration/run_pytest.sh
rc=0
for python in "$@"; do
  echo "== $python"
  "$runner" "$python" -q "$here/tests" || rc=1
done
exit "$rc"
