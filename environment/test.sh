#!/usr/bin/env bash
# The test command: the JUnit suite, the environment scripts' own tests, and every notebook in
# quick mode (SAELAB_QUICK=1) with its figures written to lib/target/notebook-test/, not figures/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$SAELAB_ROOT/environment/setup.sh"
find_jupyter_python || die "Jupyter's runner is missing after set-up; run ./saelab setup and read its message."

say "1/3 JUnit suite (mvn test)"
set +e
(cd "$SAELAB_ROOT" && mvn_run -ntp test) 2>&1 | grep -E --line-buffered 'Tests run:|FAIL|ERROR|BUILD|<<<'
status=${PIPESTATUS[0]}
set -e
[ "$status" = 0 ] || die "the JUnit suite failed (see above)."
# the test run rebuilt target/classes; keep the runnable jar in step
build_library

say "2/3 environment script tests"
"$PY" -m unittest discover -s "$SAELAB_ROOT/environment/tests" -t "$SAELAB_ROOT/environment" -v 2>&1 | tail -n +1

say "3/3 notebooks in quick mode"
export SAELAB_FIGURES="$SAELAB_ROOT/lib/target/notebook-test"
rm -rf "$SAELAB_FIGURES"
"$PY" "$SAELAB_ROOT/environment/run_notebooks.py" --quick --profile demo
"$JAVA" "${SAELAB_JVM_FLAGS[@]}" -jar "$DIST/saelab.jar" figures --check --profile demo
say "all tests passed"
