#!/usr/bin/env bash
# Runs notebooks headless with the saelab kernel (after a quick set-up check).
#   ./saelab notebooks [--quick] [--profile demo|paper] [--repeat N] [NOTEBOOK ...]
# Options are those of environment/run_notebooks.py (--help there).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bash "$SAELAB_ROOT/environment/setup.sh"
find_jdk
find_jupyter_python || die "Jupyter's runner is missing after set-up; run ./saelab setup and read its message."
exec "$PY" "$SAELAB_ROOT/environment/run_notebooks.py" "$@"
