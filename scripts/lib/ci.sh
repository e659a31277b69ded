# Sourced by the CI scripts (run-*-tests.sh, cleanup-test-resources.sh, send-notifications.sh,
# check-credentials.sh). Small helpers shared by them; nothing here starts a process that
# outlives the caller.

# Exit codes shared by the CI scripts (docs/ci-cd.md lists them).
readonly EXIT_OK=0
readonly EXIT_USAGE=1          # bad flag or argument
readonly EXIT_TESTS_FAILED=2   # tests ran and something failed
readonly EXIT_CONFIG=3         # a setting or credential variable is missing or malformed
readonly EXIT_UNREACHABLE=4    # the target cannot be reached
readonly EXIT_REJECTED=6       # the target answered and refused the credentials (wrong, revoked or expired)

ci_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

ci_die() { # ci_die CODE MESSAGE...
  local code=$1; shift
  echo "$(basename "$0"): $*" >&2
  exit "$code"
}

# The streamcheck binary: $STREAMCHECK_BIN, else on PATH, else the release build.
ci_streamcheck_bin() {
  local root; root=$(ci_root)
  if [ -n "${STREAMCHECK_BIN:-}" ] && [ -x "$STREAMCHECK_BIN" ]; then echo "$STREAMCHECK_BIN"
  elif command -v streamcheck >/dev/null 2>&1; then command -v streamcheck
  elif [ -x "$root/.build/release/streamcheck" ]; then echo "$root/.build/release/streamcheck"
  else return 1
  fi
}

# A name safe in file names and Kafka topic names: lower case, [a-z0-9-].
ci_slug() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9-' '-' | sed -E 's/-+/-/g; s/^-//; s/-$//'; }

# The id of this pipeline's runs: $RUN_ID_PREFIX (set by .gitlab-ci.yml), else local-<time>-<pid>.
ci_run_id_prefix() {
  if [ -n "${RUN_ID_PREFIX:-}" ] && [ "$RUN_ID_PREFIX" != "sc-" ]; then ci_slug "$RUN_ID_PREFIX"
  else echo "local-$(date +%s)-$$"
  fi
}

# ci_load_environment ENV: exports the variables of the hidden job `.environment-ENV` in
# pipeline/environments/ENV.yml that are not set yet (CI/CD variables win, as in GitLab).
ci_load_environment() {
  local env=$1 root file exports
  root=$(ci_root)
  file="$root/pipeline/environments/$env.yml"
  [[ "$env" =~ ^[a-z0-9-]+$ ]] && [ -f "$file" ] ||
    ci_die "$EXIT_USAGE" "unknown environment '$env': use one of $(cd "$root/pipeline/environments" && ls ./*.yml | sed 's|./||; s|\.yml||' | paste -sd, -)"
  exports=$(python3 - "$file" "$env" <<'PY'
import os, shlex, sys, yaml
path, env = sys.argv[1], sys.argv[2]
doc = yaml.safe_load(open(path)) or {}
job = doc.get(f".environment-{env}")
if not isinstance(job, dict):
    sys.exit(f"{path}: no hidden job .environment-{env}")
for key, value in (job.get("variables") or {}).items():
    if isinstance(value, dict):
        value = value.get("value", "")
    if key not in os.environ:
        print(f"export {key}={shlex.quote(str(value))}")
PY
  ) || ci_die "$EXIT_CONFIG" "cannot read $file"
  eval "$exports"
  export E2E_ENVIRONMENT=$env
}

# ci_shard "I/N" ITEM...: prints the items of shard I (1-based) of N, round-robin in the
# order given, so a new item joins a shard by itself.
ci_shard() {
  local spec=$1 i n k=0 item; shift
  [[ "$spec" =~ ^([0-9]+)/([0-9]+)$ ]] || ci_die "$EXIT_USAGE" "--shard must be I/N (e.g. 1/2), got '$spec'"
  i=${BASH_REMATCH[1]}; n=${BASH_REMATCH[2]}
  { [ "$n" -ge 1 ] && [ "$i" -ge 1 ] && [ "$i" -le "$n" ]; } || ci_die "$EXIT_USAGE" "--shard $spec: I must be from 1 to N"
  for item in "$@"; do
    [ $((k % n + 1)) -eq "$i" ] && echo "$item"
    k=$((k + 1))
  done
  return 0
}

# ci_junit_suites FILE NAME RESULTS: writes a JUnit file with one testcase per line of RESULTS
# ("name<TAB>status<TAB>seconds<TAB>log file"), status pass|fail; the log's tail is the failure text.
ci_junit_suites() {
  python3 - "$@" <<'PY'
import sys
from xml.sax.saxutils import escape, quoteattr
out, suite, results = sys.argv[1], sys.argv[2], sys.argv[3]
cases, failures, total_time = [], 0, 0.0
for line in filter(None, results.splitlines()):
    name, status, seconds, log = line.split("\t")
    total_time += float(seconds)
    body = ""
    if status != "pass":
        failures += 1
        try:
            tail = open(log, errors="replace").read().splitlines()[-60:]
        except OSError:
            tail = [f"(no log at {log})"]
        body = f"<failure message={quoteattr(name + ' failed; log: ' + log)}>{escape(chr(10).join(tail))}</failure>"
    cases.append(f'    <testcase classname={quoteattr(suite)} name={quoteattr(name)} time="{float(seconds):.3f}">{body}</testcase>')
with open(out, "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
    f.write(f'  <testsuite name={quoteattr(suite)} tests="{len(cases)}" failures="{failures}" errors="0" time="{total_time:.3f}">\n')
    f.write("\n".join(cases) + "\n  </testsuite>\n</testsuites>\n")
PY
}
