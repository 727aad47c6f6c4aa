#!/usr/bin/env bash
# Checks and prepares everything the project needs, one line per item:
#   found | installed | missing (+ the exact remedy)
# Idempotent and fast when warm. Never downloads Terraform providers.
#   tools/bootstrap.sh            check and install what is missing
#   tools/bootstrap.sh --no-venv  skip the Python virtualenv (for JS-only work)
#   tools/bootstrap.sh --no-checkov  skip the policy scanner's venv (the demo and `tools/lake run` never scan)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${LAKE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nfe-lake}"
# Logs live inside the cache; a fresh home has neither ~/.cache nor the cache dir yet.
LOGS="$CACHE/logs"
WITH_VENV=1
WITH_CHECKOV=1
for arg in "$@"; do
  case "$arg" in
    --no-venv) WITH_VENV=0 ;;
    --no-checkov) WITH_CHECKOV=0 ;;
    *) echo "bootstrap: unknown option $arg (accepted: --no-venv, --no-checkov)" >&2; exit 2 ;;
  esac
done

MISSING=0
START=$(date +%s)
if ! mkdir -p "$LOGS" 2>/dev/null; then
  echo "bootstrap: cannot create the cache directory $CACHE; set LAKE_CACHE_DIR to a writable directory" >&2
  exit 1
fi
# shellcheck source=tools/retry.sh
. "$ROOT/tools/retry.sh"
report() { printf 'bootstrap: %-22s %-9s %s\n' "$1" "$2" "$3"; }
missing() { report "$1" missing "$2"; MISSING=$((MISSING + 1)); }
# version_ge A B: true when dotted version A >= B
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# --- python + venv: created in the background, its pip install overlapping npm ci below ---
PY_OK=0
if command -v python3 >/dev/null 2>&1; then
  PY_V="$(python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  if version_ge "$PY_V" 3.11; then report python3 found "$PY_V"; PY_OK=1
  else missing python3 "$PY_V is too old; install CPython >= 3.11 (the locked venv has packages that need it)"; fi
else
  missing python3 "install CPython >= 3.11 (apt-get install python3 python3-venv)"
fi
VENV_PID=""
if [ "$PY_OK" = 1 ] && [ "$WITH_VENV" = 1 ]; then
  VENV_T0=$(date +%s)
  retry "$LOGS/venv.log" "$ROOT/tools/with-venv.sh" true &
  VENV_PID=$!
fi

# --- node + npm -------------------------------------------------------------
NODE_OK=0
if command -v node >/dev/null 2>&1; then
  NODE_V="$(node -p 'process.versions.node')"
  if version_ge "$NODE_V" 20.19.0; then report node found "v$NODE_V"; NODE_OK=1
  else missing node "v$NODE_V is too old; install Node.js >= 20.19 (require(esm) and the AWS SDK need it)"; fi
else
  missing node "install Node.js >= 20.19 (https://nodejs.org) and re-run tools/bootstrap.sh"
fi

if [ "$NODE_OK" = 1 ]; then
  STAMP="$ROOT/node_modules/.nfe-lake-lock.sha256"
  LOCK_SHA="$(sha256sum "$ROOT/package-lock.json" | cut -c1-64)"
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$LOCK_SHA" ]; then
    report "npm dependencies" found "node_modules matches package-lock.json"
  else
    T0=$(date +%s)
    npm_ci() { (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error); }
    if retry "$LOGS/npm-ci.log" npm_ci; then
      echo "$LOCK_SHA" >"$STAMP"
      report "npm dependencies" installed "npm ci in $(( $(date +%s) - T0 ))s"
    else
      missing "npm dependencies" "npm ci failed 3 times; see $LOGS/npm-ci.log (the npm registry must be reachable)"
    fi
  fi
fi

# --- the venv started above, then checkov ---------------------------------------
if [ "$PY_OK" = 1 ] && [ "$WITH_VENV" = 1 ]; then
  if wait "$VENV_PID" \
    && VENV_PY="$("$ROOT/tools/with-venv.sh" python -c 'import sys, pyspark, pytest; print(sys.prefix)' 2>>"$LOGS/venv.log")"; then
    report "python venv" found "$VENV_PY ($(( $(date +%s) - VENV_T0 ))s; pyspark, pytest, ruff, moto)"
  else
    missing "python venv" "creating it failed; see $LOGS/venv.log (PyPI must be reachable)"
  fi
  CHECKOV_SETUP="$ROOT/libs/infra-modules/checkov/setup.sh"
  if [ "$WITH_CHECKOV" = 1 ] && [ -x "$CHECKOV_SETUP" ]; then
    if retry "$LOGS/checkov.log" "$CHECKOV_SETUP" && CHECKOV_BIN="$("$CHECKOV_SETUP" 2>>"$LOGS/checkov.log")"; then report checkov found "$CHECKOV_BIN"
    else missing checkov "installing it failed; see $LOGS/checkov.log"; fi
  fi
fi

# --- java -------------------------------------------------------------------
if command -v java >/dev/null 2>&1; then
  JAVA_V="$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -n1)"
  if version_ge "${JAVA_V:-0}" 17; then report java found "$JAVA_V"
  else missing java "$JAVA_V is too old for Spark; install Java >= 17 (apt-get install openjdk-17-jre-headless)"; fi
else
  missing java "Spark needs Java >= 17: apt-get install openjdk-17-jre-headless"
fi

# --- JDK >= 22 for Trino (the places libs/local-aws/src/trino/jdk.ts looks in) ---
TRINO_JDK=""; TRINO_JDK_V=0
JAVA_ON_PATH="$(command -v java 2>/dev/null || true)"
JDK_HOMES=("${JAVA_HOME:-}")
[ -n "$JAVA_ON_PATH" ] && JDK_HOMES+=("$(dirname "$(dirname "$(readlink -f "$JAVA_ON_PATH")")")")
IFS=: read -ra JDK_DIRS <<<"${LAKE_JDK_SEARCH-/usr/lib/jvm}"
for dir in "${JDK_DIRS[@]}"; do [ -d "$dir" ] && JDK_HOMES+=("$dir"/*); done
for home in "${JDK_HOMES[@]}"; do
  [ -n "$home" ] && [ -x "$home/bin/java" ] || continue
  V="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null)"
  if [ "${V:-0}" -gt "$TRINO_JDK_V" ]; then TRINO_JDK="$home"; TRINO_JDK_V="$V"; fi
done
if [ "$TRINO_JDK_V" -ge 22 ]; then report "jdk >= 22 (trino)" found "$TRINO_JDK (Java $TRINO_JDK_V)"
else missing "jdk >= 22 (trino)" "Trino 476 needs Java >= 22 (newest found: ${TRINO_JDK:-none}); install a JDK 25 (apt-get install temurin-25-jdk from the Adoptium repository) into /usr/lib/jvm or set JAVA_HOME to one"; fi

# --- terraform + provider mirror ----------------------------------------------
FALLBACK="tools/fallback-toolchain.sh builds OpenTofu and hashicorp/aws 5.100.0 from the Go module proxy into $CACHE (needs Go; ~30 min, several GB)"
TF_BIN=""
for candidate in terraform tofu; do
  if command -v "$candidate" >/dev/null 2>&1; then TF_BIN="$candidate"; break; fi
done
[ -z "$TF_BIN" ] && [ -x "$CACHE/bin/tofu" ] && TF_BIN="$CACHE/bin/tofu"
if [ -n "$TF_BIN" ]; then
  TF_V="$("$TF_BIN" version 2>/dev/null | head -n1 | sed -n 's/.* v\([0-9][0-9.]*\).*/\1/p')"
  if version_ge "${TF_V:-0}" 1.5.0; then report terraform found "$TF_BIN $TF_V"
  else missing terraform "$TF_BIN $TF_V is older than 1.5; install Terraform >= 1.5, or: $FALLBACK"; fi
else
  missing terraform "not on PATH; install Terraform >= 1.5, or: $FALLBACK"
fi

if [ "$NODE_OK" = 1 ] && [ -x "$ROOT/node_modules/.bin/tsx" ]; then
  if TF_RC="$(cd "$ROOT" && node_modules/.bin/tsx tools/terraform-config.ts 2>&1)"; then
    report "aws provider 5.100.0" found "mirror + CLI config $TF_RC"
  else
    missing "aws provider 5.100.0" "$TF_RC Fallback: $FALLBACK"
  fi
fi

# --- moto server ------------------------------------------------------------
# local AWS runs the pinned moto of the project venv with our patches (libs/local-aws/python/lake_moto)
if [ -n "${LAKE_MOTO_PYTHON:-}" ]; then
  if MOTO_V="$("$LAKE_MOTO_PYTHON" -c 'import moto; print(moto.__version__)' 2>/dev/null)"; then report moto found "$MOTO_V from LAKE_MOTO_PYTHON=$LAKE_MOTO_PYTHON"
  else missing moto "LAKE_MOTO_PYTHON=$LAKE_MOTO_PYTHON cannot import moto; pip install 'moto[server]==5.2.1' into it, or unset it to use the project venv"; fi
elif [ "$WITH_VENV" = 1 ]; then
  if MOTO_V="$("$ROOT/tools/with-venv.sh" python -c 'import moto; print(moto.__version__)' 2>/dev/null)"; then report moto found "$MOTO_V in the project venv"
  else missing moto "the project venv has no moto; see the python venv line above (jobs/spark/requirements.lock pins moto[server])"; fi
fi

if [ "$MISSING" -gt 0 ]; then
  echo "bootstrap: $MISSING item(s) missing; fix the lines marked 'missing' above ($(( $(date +%s) - START ))s)"
  exit 1
fi
echo "bootstrap: ready ($(( $(date +%s) - START ))s)"
