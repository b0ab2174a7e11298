# Shared functions of the saelab scripts. Source it; it sets SAELAB_ROOT and LOCAL and defines
# find_jdk, find_jupyter_python, build_library and say/die. Every failure ends in one sentence that
# says what is missing and how to get it.

SAELAB_ROOT=${SAELAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
LOCAL="$SAELAB_ROOT/environment/.local"       # project-owned installs (ignored by git)
DIST="$SAELAB_ROOT/lib/target/dist"           # the runnable artifact: saelab.jar + deps/
SAELAB_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dai.djl.offline=true -Djava.awt.headless=true)
export SAELAB_HOME="$SAELAB_ROOT"

# The browser of the dashboards' tests and screenshots: Debian's Chromium binary and its matching driver.
CHROMIUM=${SAELAB_CHROMIUM:-/usr/lib/chromium/chromium}
CHROMEDRIVER=${SAELAB_CHROMEDRIVER:-/usr/bin/chromedriver}
export SAELAB_CHROMIUM="$CHROMIUM" SAELAB_CHROMEDRIVER="$CHROMEDRIVER"

say() { printf 'saelab: %s\n' "$*" >&2; }
die() { printf 'saelab: %s\n' "$*" >&2; exit 2; }

# Prints the feature version (e.g. 25) of the JDK in $1, or nothing when it is not a JDK.
jdk_feature_version() {
  local home=$1 v=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
  fi
  printf '%s' "$v"
}

# Sets JAVA_HOME and JAVA to a JDK >= 25: JAVA_HOME first, then the usual install folders
# (SAELAB_JDK_DIRS, a space-separated list of globs, replaces those folders).
find_jdk() {
  local candidates=() c v dirs
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  dirs=${SAELAB_JDK_DIRS:-"/usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* $HOME/.sdkman/candidates/java/* $HOME/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home"}
  for c in $dirs; do
    [ -d "$c" ] && candidates+=("$c")
  done
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in "${candidates[@]}"; do
    v=$(jdk_feature_version "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$c"
      JAVA="$c/bin/java"
      return 0
    fi
  done
  die "no JDK 25 or newer found (looked at JAVA_HOME and /usr/lib/jvm, /opt, ~/.sdkman, ~/.jdks). Install one, e.g. 'apt-get install temurin-25-jdk' from https://adoptium.net or 'sdk install java 25-tem', then set JAVA_HOME to it."
}

# Maven with the chosen JDK, quiet about JDK 25's warnings on Maven's own old libraries.
# SAELAB_MVN_ARGS adds arguments to every call (e.g. "-s my-settings.xml" for a mirror).
mvn_run() {
  [ -n "${JAVA:-}" ] || find_jdk
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is not installed. Install it with 'apt-get install maven' or from https://maven.apache.org/download.cgi."
  # shellcheck disable=SC2086 # SAELAB_MVN_ARGS is a list of words on purpose
  MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" mvn -B ${SAELAB_MVN_ARGS:-} "$@"
}

# Newest modification time (seconds) of the library's sources and build files.
sources_mtime() {
  find "$SAELAB_ROOT/pom.xml" "$SAELAB_ROOT/lib/pom.xml" "$SAELAB_ROOT/lib/src/main" -type f -printf '%T@\n' 2>/dev/null \
    | sort -n | tail -1 | cut -d. -f1
}

# Builds lib/target/dist when it is missing or older than the sources. Quiet when up to date.
build_library() {
  local jar="$DIST/saelab.jar" log
  if [ -f "$jar" ] && [ "$(stat -c %Y "$jar")" -ge "$(sources_mtime)" ]; then
    return 0
  fi
  say "building the library (lib/target/dist) ..."
  log=$(mktemp)
  if ! (cd "$SAELAB_ROOT" && mvn_run -q package -DskipTests) >"$log" 2>&1; then
    if grep -qE 'Could not (transfer|resolve)|UnknownHost|Connection refused|Network is unreachable|offline mode|Non-resolvable|Failed to read artifact descriptor' "$log"; then
      grep -E '^\[ERROR\]' "$log" | head -3 >&2
      rm -f "$log"
      die "the build could not download its dependencies from Maven Central (https://repo.maven.apache.org/maven2). Connect to the network once (or configure a Maven mirror in ~/.m2/settings.xml) and run again; later runs work offline."
    fi
    grep -vE 'sun\.misc\.Unsafe|terminally deprecated|Please consider reporting' "$log" | head -40 >&2
    rm -f "$log"
    die "the library did not build (Maven output above)."
  fi
  rm -f "$log"
  touch "$jar"
}

# Sets PY to a Python that has Jupyter's headless runner (nbclient, nbformat, jupyter_client).
find_jupyter_python() {
  local c
  for c in "${SAELAB_PYTHON:-}" /usr/bin/python3 "$LOCAL/venv/bin/python" "$(command -v python3 2>/dev/null)"; do
    [ -n "$c" ] && [ -x "$c" ] || continue
    if "$c" -c 'import nbclient, nbformat, jupyter_client' >/dev/null 2>&1; then
      PY="$c"
      return 0
    fi
  done
  return 1
}

# Installs Debian's Chromium and chromedriver when missing (as root, through apt), for the dashboards' browser tests.
ensure_browser() {
  [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Chromium and chromedriver from Debian for the dashboards' browser tests (about 400 MB) ..."
    if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null 2>&1 \
           || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null 2>&1; }; }; then
      die "could not install Chromium with apt-get (no network to the Debian mirror?). Install it by hand: 'apt-get install chromium chromium-driver', or set SAELAB_CHROMIUM and SAELAB_CHROMEDRIVER to a Chromium and its matching chromedriver."
    fi
  fi
  [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ] \
    || die "the dashboards' browser tests need Chromium ($CHROMIUM) and chromedriver ($CHROMEDRIVER); install them as root with 'apt-get install chromium chromium-driver', or set SAELAB_CHROMIUM and SAELAB_CHROMEDRIVER."
}
