#!/usr/bin/env bash
# saelab set-up, idempotent and quick when nothing changed:
#   1. a JDK >= 25;
#   2. Jupyter's headless runner (nbclient): Debian package when root on Debian, pip otherwise;
#   3. the library built (lib/target/dist: saelab.jar + deps/);
#   4. the Java kernel rapaio-jupyter-kernel from Maven Central, with saelab's start-up fix compiled
#      in front of it (environment/kernel/LoopThread.java);
#   5. a kernelspec 'saelab' in the project's own Jupyter data folder (environment/.local/jupyter),
#      classpath = the library and its dependencies, start-up imports = environment/kernel/init.jshell;
#      IJava/JJava variants when those kernels are installed.
# Options: --register-user  also install the kernelspecs into your own Jupyter (jupyter --data-dir).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

register_user=0
for a in "$@"; do
  case "$a" in
    --register-user) register_user=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$a' of setup; expected --register-user or --help" ;;
  esac
done

# 1. JDK
find_jdk

# 2. Jupyter's headless runner
if ! find_jupyter_python; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Jupyter's headless runner from Debian (jupyter-nbconvert, jupyter-client) ..."
    if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jupyter-nbconvert jupyter-client >/dev/null 2>&1 \
           || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jupyter-nbconvert jupyter-client >/dev/null 2>&1; }; }; then
      die "could not install Jupyter with apt-get (no network to the Debian mirror?). Install it by hand: 'apt-get install jupyter-nbconvert jupyter-client' or 'pip install nbclient nbformat jupyter_client'."
    fi
  elif command -v python3 >/dev/null 2>&1; then
    say "installing Jupyter's headless runner with pip into environment/.local/venv ..."
    if ! { python3 -m venv "$LOCAL/venv" >/dev/null 2>&1 && "$LOCAL/venv/bin/python" -m pip install -q nbclient nbformat jupyter_client >/dev/null 2>&1; }; then
      die "could not install Jupyter with pip (no network to PyPI, or python3-venv missing). Install it by hand: 'pip install nbclient nbformat jupyter_client', or set SAELAB_PYTHON to a Python that has them."
    fi
  else
    die "Python 3 with Jupyter is needed to run notebooks and none was found. Install Python 3, then 'pip install nbclient nbformat jupyter_client' (or on Debian: 'apt-get install jupyter-nbconvert jupyter-client')."
  fi
  find_jupyter_python || die "Jupyter was installed but 'import nbclient' still fails; set SAELAB_PYTHON to a Python that has nbclient, nbformat and jupyter_client."
fi

# 3. The library
build_library

# 4. The Java kernel, from Maven Central through Maven (so proxies and mirrors in ~/.m2/settings.xml apply)
rjk_version=$(sed -n 's:.*<rapaio-kernel.version>\(.*\)</rapaio-kernel.version>.*:\1:p' "$SAELAB_ROOT/pom.xml")
kernel_dir="$LOCAL/kernel"
kernel_jar="$kernel_dir/rapaio-jupyter-kernel-$rjk_version.jar"
if [ ! -s "$kernel_jar" ]; then
  say "fetching rapaio-jupyter-kernel $rjk_version from Maven Central ..."
  mkdir -p "$kernel_dir"
  log=$(mktemp)
  if ! (cd "$SAELAB_ROOT" && mvn_run -q -N dependency:copy -Dartifact="io.github.padreati:rapaio-jupyter-kernel:$rjk_version" \
        -DoutputDirectory="$kernel_dir" -Dmdep.overWriteReleases=true) >"$log" 2>&1; then
    grep -E '^\[ERROR\]' "$log" | head -3 >&2; rm -f "$log"
    die "could not download io.github.padreati:rapaio-jupyter-kernel:$rjk_version from Maven Central; connect to the network once and run again."
  fi
  rm -f "$log"
fi
patch_src="$SAELAB_ROOT/environment/kernel/LoopThread.java"
patch_class="$kernel_dir/patch/org/rapaio/jupyter/kernel/channels/LoopThread.class"
if [ ! -f "$patch_class" ] || [ "$patch_src" -nt "$patch_class" ] || [ "$kernel_jar" -nt "$patch_class" ]; then
  rm -rf "$kernel_dir/patch"
  "$JAVA_HOME/bin/javac" -nowarn -cp "$kernel_jar" -d "$kernel_dir/patch" "$patch_src" \
    || die "could not compile the kernel start-up fix $patch_src against $kernel_jar."
fi

# 5. Kernelspecs (rewritten every time: cheap, and follows any change of the dependency list)
args=(--root "$SAELAB_ROOT" --java "$JAVA" --kernel-jar "$kernel_jar" --patch "$kernel_dir/patch"
      --dist "$DIST" --data-dir "$LOCAL/jupyter")
[ "$register_user" = 1 ] && args+=(--register-user)
"$PY" "$SAELAB_ROOT/environment/kernelspecs.py" "${args[@]}" -- "${SAELAB_JVM_FLAGS[@]}"
