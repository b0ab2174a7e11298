#!/usr/bin/env bash
# The test command: Chromium for the dashboards' browser tests (apt, as root), the JUnit suite, the environment scripts' own tests, and every notebook in
# quick mode (SAELAB_QUICK=1) on a quick demo run, with its figures written to lib/target/notebook-test/,
# not figures/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$SAELAB_ROOT/environment/setup.sh"
ensure_browser
find_jdk
find_jupyter_python || die "Jupyter's runner is missing after set-up; run ./saelab setup and read its message."

say "1/3 JUnit suite (mvn test)"
log="$SAELAB_ROOT/lib/target/junit.log"
mkdir -p "$(dirname "$log")"
status=0
(cd "$SAELAB_ROOT" && mvn_run -ntp test) >"$log" 2>&1 || status=$?
grep -E 'Tests run:|FAIL|<<<|BUILD' "$log" || true
if [ "$status" != 0 ]; then
  grep -vE 'sun\.misc\.Unsafe|terminally deprecated|Please consider reporting' "$log" | tail -40 >&2
  die "the JUnit suite failed (above; the whole Maven log is $log)."
fi
# the test run rebuilt target/classes; keep the runnable jar in step
build_library

say "2/3 environment script tests"
"$PY" -m unittest discover -s "$SAELAB_ROOT/environment/tests" -t "$SAELAB_ROOT/environment" -v 2>&1 | tail -n +1

say "3/3 notebooks in quick mode (on a quick demo run in lib/target/demo-quick)"
export SAELAB_DEMO_WORK="$SAELAB_ROOT/lib/target/demo-quick"
"$JAVA" "${SAELAB_JVM_FLAGS[@]}" -jar "$DIST/saelab.jar" demo --size quick --work "$SAELAB_DEMO_WORK" --no-manifests
export SAELAB_FIGURES="$SAELAB_ROOT/lib/target/notebook-test"
rm -rf "$SAELAB_FIGURES"
"$PY" "$SAELAB_ROOT/environment/run_notebooks.py" --quick --profile demo
"$JAVA" "${SAELAB_JVM_FLAGS[@]}" -jar "$DIST/saelab.jar" figures --check --profile demo
say "section notebooks on the paper-shaped smoke run (lib/target/paper-smoke, kept by the JUnit suite's PaperSmokePlanTest)"
# every section notebook on a paper plan's outputs (the walkthrough is a toy-world story by design)
SAELAB_DEMO_WORK="$SAELAB_ROOT/lib/target/paper-smoke/work" SAELAB_FIGURES="$SAELAB_ROOT/lib/target/notebook-test-paper-smoke" \
  "$PY" "$SAELAB_ROOT/environment/run_notebooks.py" --quick --profile paper \
  --out "$SAELAB_ROOT/lib/target/notebook-test-paper-smoke/notebooks" 01-overview 03-method 04-1-dinov2-vs-clip 04-2-clip-vs-bioclip \
  05-1-semseg-control 05-2-classification-control 05-3-vlm-control
SAELAB_FIGURES="$SAELAB_ROOT/lib/target/notebook-test-paper-smoke" "$JAVA" "${SAELAB_JVM_FLAGS[@]}" -jar "$DIST/saelab.jar" figures --check --profile paper
say "dashboard screenshots of the quick run and of the paper-shaped smoke run (lib/target/dashboards-test)"
"$JAVA" "${SAELAB_JVM_FLAGS[@]}" -jar "$DIST/saelab.jar" serve --work "$SAELAB_DEMO_WORK" --screenshots "$SAELAB_ROOT/lib/target/dashboards-test/quick"
"$JAVA" "${SAELAB_JVM_FLAGS[@]}" -jar "$DIST/saelab.jar" serve --work "$SAELAB_ROOT/lib/target/paper-smoke/work" \
  --screenshots "$SAELAB_ROOT/lib/target/dashboards-test/paper-smoke"
say "all tests passed"
