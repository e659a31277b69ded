#!/usr/bin/env bash
# The GitLab CI pipeline, offline:
# - .gitlab-ci.yml and the local templates validate against GitLab's schema (check-jsonschema
#   --builtin-schema vendor.gitlab-ci), and a broken copy does not;
# - the file has what the pipeline promises (stages, matrix jobs, JUnit reports, retry, caches,
#   cleanup/notification when: always, rules for merge requests, changes and web runs);
# - the CI scripts on their own: credential check, security gate (and the scanners PyPI has,
#   semgrep, checkov and detect-secrets, run on the project and on a copy with planted flaws), sharding, produce-test-data,
#   cleanup (twice), the staging flow against an embedded broker standing in for the cluster;
# - the jobs run natively with bitrab on a variant generated from the real file (GitLab's
#   templates cannot be fetched offline), e2e stage included, notifying a Slack webhook
#   stand-in and aiosmtpd.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
source scripts/lib/services.sh
services_init

BIN=${STREAMCHECK_BIN:-$ROOT/.build/release/streamcheck}
[ -x "$BIN" ] || { echo "70-pipeline: no streamcheck binary at $BIN (run swift build -c release)" >&2; exit 1; }
export STREAMCHECK_BIN=$BIN PATH="$(dirname "$BIN"):$PATH"
for tool in check-jsonschema bitrab kcat terraform; do
  command -v "$tool" >/dev/null || { echo "70-pipeline: $tool is missing: run bash scripts/setup.sh" >&2; exit 1; }
done
RESULTS=$ROOT/test-results/pipeline
mkdir -p "$RESULTS"
W=$SERVICES_DIR/pipeline
mkdir -p "$W"
# The CI scripts read these from a job's environment; the suite starts from a clean slate.
unset RUN_ID_PREFIX E2E_BROKER KAFKA_BOOTSTRAP_SERVERS KAFKA_SECURITY_PROTOCOL STREAMCHECK_REPORT_DIR \
  STREAMCHECK_SLACK_WEBHOOK_URL NOTIFY_EMAIL_TO CI_JOB_NAME MESSAGE_COUNT

passed=0
failed=0
ok() { echo "  ok   $1"; passed=$((passed + 1)); }
no() { echo "  FAIL $1" >&2; failed=$((failed + 1)); }
expect_rc() { if [ "$3" = "$2" ]; then ok "$1 (exit $3)"; else no "$1: exit $3, wanted $2"; fi; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else no "$name"; fi; }
# copy_project DIR: the project as GitLab would check it out (tracked files and new ones, none of
# the build output).
copy_project() { git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar -C "$1" -xf -; }

echo "schema"
check-jsonschema --builtin-schema vendor.gitlab-ci .gitlab-ci.yml >"$W/schema.log" 2>&1
expect_rc ".gitlab-ci.yml validates against GitLab's schema" 0 $?
for f in pipeline/templates/*.yml pipeline/environments/*.yml; do
  check-jsonschema --builtin-schema vendor.gitlab-ci "$f" >>"$W/schema.log" 2>&1
  expect_rc "$f validates against GitLab's schema" 0 $?
done
sed 's/^  when: always$/  when: sometimes/' .gitlab-ci.yml >"$W/broken.yml"
check-jsonschema --builtin-schema vendor.gitlab-ci "$W/broken.yml" >"$W/broken.log" 2>&1
expect_rc "a copy with 'when: sometimes' is rejected by the schema" 1 $?

echo "structure"
python3 - <<'EOF' >"$W/structure.out" 2>&1
import glob, yaml
doc = yaml.safe_load(open(".gitlab-ci.yml"))
local = {}
for inc in doc["include"]:
    if "local" in inc:
        local.update(yaml.safe_load(open(inc["local"])))
every = {**local, **doc}

def resolved(name):
    """A job with its extends chain merged (enough for the keys checked here)."""
    job = every[name]
    parents = job.get("extends", [])
    parents = [parents] if isinstance(parents, str) else parents
    merged = {}
    for p in parents:
        merged.update(resolved(p))
    merged.update(job)
    return merged

def test(name, condition):
    print(("ok   " if condition else "FAIL ") + name)

stages = ["image", "validate", "security-scan", "unit-tests", "integration-tests", "e2e-tests", "release", "cleanup", "notification"]
test("stages are image .. notification in order", doc["stages"] == stages)
jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and not k.startswith(".") and k not in ("variables", "workflow", "default")}
used = {resolved(j).get("stage") for j in jobs}
test("every stage has a job", all(s in used for s in stages))
templates = [i.get("template") for i in doc["include"]]
test("includes GitLab's SAST, SAST-IaC and Secret-Detection templates, the variants that run in merge-request pipelines",
     {"Jobs/SAST.latest.gitlab-ci.yml", "Jobs/Secret-Detection.latest.gitlab-ci.yml", "Jobs/SAST-IaC.latest.gitlab-ci.yml"} <= set(templates)
     and doc["variables"]["AST_ENABLE_MR_PIPELINES"] == "true")
test("the IaC scan gates too", doc["kics-iac-sast"]["allow_failure"] is False and "gl-sast-iac-report.json" in " ".join(doc["security-findings"]["script"])
     and any(n.get("job") == "kics-iac-sast" for n in doc["security-findings"]["needs"]))
import hashlib, subprocess
tag = subprocess.run(["scripts/ci-image-tag.sh"], capture_output=True, text=True).stdout.strip()
test("every job runs in the CI image built from ci/Dockerfile, tagged by what goes into it (scripts/ci-image-tag.sh)",
     doc["default"]["image"] == "$STREAMCHECK_CI_IMAGE" and doc["variables"]["STREAMCHECK_CI_IMAGE"] == "$CI_REGISTRY_IMAGE/ci:$CI_IMAGE_TAG"
     and doc["variables"]["CI_IMAGE_TAG"] == tag and "buildah bud -f ci/Dockerfile" in " ".join(doc["ci-image"]["script"]))
test("registry logins read the job token from stdin, never a flag",
     all("--password-stdin" in line for j in ("ci-image", "streamcheck-image") for line in doc[j]["script"] if "buildah login" in line)
     and "-p " not in " ".join(doc["ci-image"]["script"] + doc["streamcheck-image"]["script"]))
test("jobs that start at once wait for the CI image", all("ci-image" in doc[j]["needs"] for j in ("credentials", "swift-build", "unit-tests")))
test("terraform-validate runs in hashicorp/terraform with its entrypoint cleared",
     doc["terraform-validate"]["image"]["name"].startswith("hashicorp/terraform:") and doc["terraform-validate"]["image"]["entrypoint"] == [""])
test("credentials and cleanup name the environment their variables are scoped to",
     all(doc[j]["environment"]["name"] == "$E2E_ENVIRONMENT" for j in ("credentials", "cleanup")))
test("cleanup is not interruptible; e2e jobs tear down in after_script",
     doc["cleanup"]["interruptible"] is False
     and all("cleanup-test-resources.sh" in " ".join(resolved(j).get("after_script", [])) for j in ("e2e:dev", "e2e:staging")))
rb = resolved("rollback")
test("a manual rollback job: never by itself, may fail without failing the pipeline, not cancellable, in the environment's scope",
     rb.get("when") == "manual" and rb.get("allow_failure") is True and rb.get("interruptible") is False
     and rb["environment"]["name"] == "$E2E_ENVIRONMENT" and "rollback-connectors.sh" in " ".join(rb["script"])
     and all(any(n.get("job") == j and n.get("optional") for n in rb["needs"]) for j in ("e2e:dev", "e2e:staging")))
test("the e2e jobs keep the connector configs they replaced, for rollback",
     all("connectors-previous/" in resolved(j)["artifacts"]["paths"] for j in ("e2e:dev", "e2e:staging"))
     and doc["variables"]["CONNECTOR_PREVIOUS_DIR"] == "$CI_PROJECT_DIR/connectors-previous")
test("includes the local job templates", {"pipeline/templates/test-job.yml", "pipeline/templates/notification.yml"} <= {i.get("local") for i in doc["include"]})
test("SAST and secret detection may not fail silently", doc["semgrep-sast"]["allow_failure"] is False and doc["secret_detection"]["allow_failure"] is False and doc["security-findings"]["allow_failure"] is False)
test("security-findings gates on the report files", "check-security-reports.sh" in " ".join(doc["security-findings"]["script"]))
validate = " ".join(" ".join(resolved(j).get("script", [])) for j in jobs if resolved(j).get("stage") == "validate")
test("validate: fmt -check -recursive, validate per module, warnings as errors",
     "terraform fmt -check -recursive" in validate and "validate" in validate and "terraform-modules/*/" in validate
     and "scripts/package.sh" in validate and "${SWIFT_BUILD_FLAGS:-}" in open("scripts/package.sh").read()
     and "-warnings-as-errors" in doc["variables"]["SWIFT_BUILD_FLAGS"])
si = resolved("streamcheck-image")
test("streamcheck's image: built from ci/runtime.Dockerfile with the swift-build job's package, pushed only from the default branch and tags, after the tests",
     "buildah bud -f ci/runtime.Dockerfile" in " ".join(si["script"]) and "dist/" in resolved("swift-build")["artifacts"]["paths"]
     and any(n.get("job") == "swift-build" and n.get("artifacts") for n in si["needs"] if isinstance(n, dict))
     and {"unit-tests", "integration"} <= {n.get("job") if isinstance(n, dict) else n for n in si["needs"]}
     and [r["if"] for r in si["rules"]] == ["$CI_COMMIT_TAG", "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"])
for name in ("integration", "e2e:dev", "e2e:staging"):
    job = resolved(name)
    test(f"{name}: parallel matrix", isinstance(job.get("parallel"), dict) and job["parallel"].get("matrix"))
    test(f"{name}: needs, JUnit report, expire_in, report and log paths",
         "needs" in job and job["artifacts"]["reports"]["junit"] and job["artifacts"]["expire_in"]
         and "logs/" in job["artifacts"]["paths"] and job["artifacts"]["when"] == "always")
test("e2e jobs do not wait for the integration jobs", all("integration" not in str(resolved(j)["needs"]) for j in ("e2e:dev", "e2e:staging")))
test("retry on runner system failures, interruptible", "runner_system_failure" in doc["default"]["retry"]["when"] and doc["default"]["interruptible"] is True)
test("caches: Swift .build and the Terraform plugin cache", ".build/" in local[".swift-cache"]["cache"][0]["paths"]
     and ".terraform.d/plugin-cache/" in local[".terraform-cache"]["cache"][0]["paths"]
     and doc["variables"]["TF_PLUGIN_CACHE_DIR"].endswith(".terraform.d/plugin-cache"))
test("cleanup and notify run always", doc["cleanup"]["when"] == "always" and doc["notify"]["when"] == "always")
test("notify uses streamcheck report + notify", "send-notifications.sh" in " ".join(resolved("notify")["script"]))
rules = [r.get("if", "") for r in doc["workflow"]["rules"]]
test("runs for merge requests, from the web and for changes", any("merge_request_event" in r for r in rules)
     and any('"web"' in r for r in rules) and any("changes" in r for r in doc["workflow"]["rules"]))
v = doc["variables"]
test("web-run variables: environment (options), suite, message count, all described",
     v["E2E_ENVIRONMENT"]["options"] == ["dev", "staging"] and all("description" in v[k] for k in ("E2E_ENVIRONMENT", "E2E_SUITE", "MESSAGE_COUNT")))
test("environment files define .environment-dev and .environment-staging",
     ".environment-dev" in local and ".environment-staging" in local and resolved("e2e:staging").get("resource_group"))
EOF
while read -r line; do
  case "$line" in "ok   "*) ok "${line#ok   }" ;; "FAIL "*) no "${line#FAIL }" ;; *) no "structure check crashed: $line" ;; esac
done <"$W/structure.out"

echo "scripts"
source scripts/lib/ci.sh
check "shards split suites round-robin, each exactly once" bash -c '
source scripts/lib/ci.sh
a=$(ci_shard 1/3 s1 s2 s3 s4 s5 | paste -sd,); b=$(ci_shard 2/3 s1 s2 s3 s4 s5 | paste -sd,); c=$(ci_shard 3/3 s1 s2 s3 s4 s5 | paste -sd,)
[ "$a" = s1,s4 ] && [ "$b" = s2,s5 ] && [ "$c" = s3 ]'
(ci_shard 4/3 a b) >/dev/null 2>&1
expect_rc "a shard beyond N is refused" 1 $?

# setup.sh fails loudly, naming the tool, instead of printing "ready" without it.
mkdir -p "$W/no-python"
for tool in bash dpkg-query grep dirname mktemp rm cat swift; do ln -sf "$(command -v "$tool")" "$W/no-python/$tool"; done
env PATH="$W/no-python" bash scripts/setup.sh >"$W/setup.out" 2>&1
expect_rc "setup.sh without python3 fails" 1 $?
check "setup.sh names the missing tool in one line" test "$(cat "$W/setup.out")" = "setup: python3 not found on PATH; it is needed to build and test streamcheck"

# Security gate.
# A key shaped like an AWS access key id, built at run time: no tracked file holds a literal
# that Secret Detection's rules flag.
FAKE_KEY="AKIA$(printf 'VERYSECRET%s' VALUE1)"
cat >"$W/sast-findings.json" <<JSON
{"version":"15.0.0","vulnerabilities":[{"id":"1","name":"Use of weak hash","severity":"Medium","location":{"file":"scripts/bench","start_line":7}},
 {"id":"2","name":"AWS key","severity":"Critical","raw_source_code_extract":"$FAKE_KEY","location":{"file":"config.env","start_line":3}}],"scan":{"scanner":{"name":"semgrep"}}}
JSON
echo '{"version":"15.0.0","vulnerabilities":[],"scan":{"scanner":{"name":"gitleaks"}}}' >"$W/clean.json"
scripts/check-security-reports.sh "$W/sast-findings.json" "$W/clean.json" >"$W/gate.out" 2>&1
expect_rc "security gate fails on findings" 2 $?
check "security gate names each finding and its place" grep -q 'Critical: AWS key at config.env:3' "$W/gate.out"
check "security gate never prints the secret" bash -c "! grep -q '$FAKE_KEY' '$W/gate.out'"
mkdir -p "$W/reports"
cp "$W/clean.json" "$W/reports/gl-sast-report.json"
scripts/check-security-reports.sh "$W/reports/gl-sast-report.json" "$W/reports/gl-secret-detection-report.json" >"$W/gate.out" 2>&1
expect_rc "security gate fails when a report is missing (nothing was scanned)" 3 $?
check "the missing report is named" grep -q 'gl-secret-detection-report.json not found: its analyzer did not run' "$W/gate.out"
SECRET_DETECTION_DISABLED=true scripts/check-security-reports.sh "$W/reports/gl-sast-report.json" "$W/reports/gl-secret-detection-report.json" >"$W/gate.out" 2>&1
expect_rc "a report of an analyzer excluded on purpose may be missing" 0 $?
SAST_EXCLUDED_ANALYZERS="semgrep,kics" scripts/check-security-reports.sh "$W/reports/gl-sast-iac-report.json" "$W/reports/gl-sast-report.json" >"$W/gate.out" 2>&1
expect_rc "SAST_EXCLUDED_ANALYZERS excuses the IaC report" 0 $?
SAST_EXCLUDED_ANALYZERS="semgrep" scripts/check-security-reports.sh "$W/reports/gl-sast-iac-report.json" >"$W/gate.out" 2>&1
expect_rc "excluding semgrep does not excuse a missing IaC report" 3 $?
echo 'not json' >"$W/bad.json"
scripts/check-security-reports.sh "$W/bad.json" >"$W/gate.out" 2>&1
expect_rc "security gate refuses an unreadable report" 1 $?

echo "the scanners PyPI has (semgrep, checkov, detect-secrets), on this project, through the gate"
# In a venv of their own (ci/scanners.txt), kept between local runs while that list is unchanged.
SCAN_VENV=${STREAMCHECK_SCANNER_VENV:-$ROOT/.build-scanners/venv}
if [ ! -x "$SCAN_VENV/bin/semgrep" ] || ! cmp -s ci/scanners.txt "$SCAN_VENV/scanners.txt"; then
  rm -rf "$SCAN_VENV"
  { python3 -m venv "$SCAN_VENV" && "$SCAN_VENV/bin/pip" install -q -r ci/scanners.txt && cp ci/scanners.txt "$SCAN_VENV/scanners.txt"; } >"$W/scanners-install.log" 2>&1
fi
check "the scanners are installed from ci/scanners.txt" test -x "$SCAN_VENV/bin/semgrep" -a -x "$SCAN_VENV/bin/checkov" -a -x "$SCAN_VENV/bin/detect-secrets"
SCAN_REPORTS=(gl-sast-report.json gl-secret-detection-report.json gl-sast-iac-report.json)
PATH="$SCAN_VENV/bin:$PATH" scripts/run-local-scanners.sh "$W/scan" >"$W/scan.out" 2>&1
expect_rc "semgrep, checkov and detect-secrets scan the project into GitLab's report format" 0 $?
(cd "$W/scan" && "$ROOT/scripts/check-security-reports.sh" "${SCAN_REPORTS[@]}") >"$W/gate.out" 2>&1
expect_rc "the project passes the security gate on their reports" 0 $?
check "the gate read all three reports" grep -q '0 finding(s) in 3 report(s)' "$W/gate.out"
# One planted flaw per scanner, in a copy of the project: each must be found and fail the gate.
PLANT=$W/planted
rm -rf "$PLANT" && mkdir -p "$PLANT"
copy_project "$PLANT"
git -C "$PLANT" init -q
printf 'import yaml\nconfig = yaml.load(open("settings.yml"))\n' >"$PLANT/scripts/lib/planted.py"
mkdir -p "$PLANT/terraform-modules/planted"
printf 'resource "aws_s3_bucket" "open" {\n  bucket = "planted"\n  acl    = "public-read-write"\n}\n' >"$PLANT/terraform-modules/planted/main.tf"
printf 'AWS_ACCESS_KEY_ID=%s\n' "$FAKE_KEY" >"$PLANT/scripts/planted.env"
PATH="$SCAN_VENV/bin:$PATH" scripts/run-local-scanners.sh "$W/scan-planted" "$PLANT" >"$W/scan-planted.out" 2>&1
expect_rc "the scanners run on the planted copy" 0 $?
(cd "$W/scan-planted" && "$ROOT/scripts/check-security-reports.sh" "${SCAN_REPORTS[@]}") >"$W/gate.out" 2>&1
expect_rc "the gate fails on the planted flaws" 2 $?
check "semgrep found the unsafe yaml.load" grep -q 'scripts/lib/planted.py:2 (Semgrep' "$W/gate.out"
check "checkov found the public bucket" grep -q 'planted/main.tf:1 (Checkov' "$W/gate.out"
check "detect-secrets found the AWS key, and the gate did not print it" bash -c "grep -q 'AWS Access Key at scripts/planted.env:1 (detect-secrets)' '$W/gate.out' && ! grep -rq '$FAKE_KEY' '$W/gate.out' '$W/scan-planted'/gl-*.json"

# Credentials: names only, never values.
env -u KAFKA_BOOTSTRAP_SERVERS scripts/check-credentials.sh --env staging >"$W/cred.out" 2>&1
expect_rc "staging without its variables: fails early" 3 $?
check "the message names every missing variable" bash -c "grep -q 'KAFKA_BOOTSTRAP_SERVERS is not set' '$W/cred.out' && grep -q 'STREAMCHECK_KAFKA_SASL_USERNAME is not set' '$W/cred.out' && grep -q 'STREAMCHECK_KAFKA_SASL_PASSWORD is not set' '$W/cred.out'"
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 STREAMCHECK_KAFKA_SASL_USERNAME=svc-user STREAMCHECK_KAFKA_SASL_PASSWORD=$'pw-Secret-42\n' \
  STREAMCHECK_SLACK_WEBHOOK_URL='hooks.slack.com/services/x' NOTIFY_EMAIL_TO='team-at-example' \
  scripts/check-credentials.sh --env staging >"$W/cred.out" 2>&1
expect_rc "malformed variables: fails" 3 $?
check "malformed: password line break, webhook not a URL, e-mail without from/url" bash -c "
grep -q 'STREAMCHECK_KAFKA_SASL_PASSWORD contains a line break' '$W/cred.out' && grep -q 'STREAMCHECK_SLACK_WEBHOOK_URL is not a https:// or http:// URL' '$W/cred.out' &&
grep -q 'NOTIFY_EMAIL_FROM is not set' '$W/cred.out' && grep -q 'NOTIFY_EMAIL_TO holds a malformed e-mail address' '$W/cred.out'"
check "values never printed" bash -c "! grep -qE 'pw-Secret-42|svc-user|hooks.slack.com|team-at-example' '$W/cred.out'"
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 STREAMCHECK_KAFKA_SASL_USERNAME=svc-user STREAMCHECK_KAFKA_SASL_PASSWORD=short \
  scripts/check-credentials.sh --env staging >"$W/cred.out" 2>&1
check "a secret GitLab cannot mask is reported" grep -q 'STREAMCHECK_KAFKA_SASL_PASSWORD is shorter than 8 characters' "$W/cred.out"
# A secret given as a file (NAME_FILE), as rotation wants it: accepted, checked, never printed.
printf 'pw-From-A-File-7\n' >"$W/sasl-password"
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 STREAMCHECK_KAFKA_SASL_USERNAME=svc-user STREAMCHECK_KAFKA_SASL_PASSWORD_FILE="$W/sasl-password" \
  scripts/check-credentials.sh --env staging --no-connect >"$W/cred.out" 2>&1
expect_rc "a password from STREAMCHECK_KAFKA_SASL_PASSWORD_FILE is accepted" 0 $?
check "its value is never printed" bash -c "! grep -q 'pw-From-A-File-7' '$W/cred.out'"
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 STREAMCHECK_KAFKA_SASL_USERNAME=svc-user STREAMCHECK_KAFKA_SASL_PASSWORD_FILE="$W/no-such-file" \
  scripts/check-credentials.sh --env staging --no-connect >"$W/cred.out" 2>&1
expect_rc "an unreadable _FILE fails" 3 $?
check "the unreadable _FILE is named" grep -q "STREAMCHECK_KAFKA_SASL_PASSWORD_FILE names $W/no-such-file, which cannot be read" "$W/cred.out"
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 STREAMCHECK_KAFKA_SASL_USERNAME=svc-user STREAMCHECK_KAFKA_SASL_PASSWORD=pw-Secret-42 STREAMCHECK_KAFKA_SASL_PASSWORD_FILE="$W/sasl-password" \
  scripts/check-credentials.sh --env staging --no-connect >"$W/cred.out" 2>&1
check "a secret given both ways is refused" grep -q 'both STREAMCHECK_KAFKA_SASL_PASSWORD and STREAMCHECK_KAFKA_SASL_PASSWORD_FILE are set' "$W/cred.out"
"$BIN" broker start --state-dir "$W/stand-in-cluster" --result-file "$W/stand-in-cluster.json" >/dev/null 2>&1
BOOT=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['bootstrap_servers'])" "$W/stand-in-cluster.json")
PORT=$(free_port)
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$PORT KAFKA_SECURITY_PROTOCOL=PLAINTEXT timeout 60 scripts/check-credentials.sh --env staging >"$W/cred.out" 2>&1
expect_rc "a cluster nobody answers for: unreachable" 4 $?
KAFKA_BOOTSTRAP_SERVERS=$BOOT KAFKA_SECURITY_PROTOCOL=PLAINTEXT scripts/check-credentials.sh --env staging >"$W/cred.out" 2>&1
expect_rc "the stand-in cluster answers: ready" 0 $?
# A cluster that answers and refuses the login (tests/standins/kafka_sasl_standin.py, a stand-in
# speaking Kafka's ApiVersions, SaslHandshake and SaslAuthenticate, refusing every login as Kafka
# refuses a wrong, revoked or expired one): rejected (6), told apart from unreachable (4).
SASL_PORT=$(free_port)
start_background sasl python3 tests/standins/kafka_sasl_standin.py "$SASL_PORT"
wait_for_port "$SASL_PORT" 20
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$SASL_PORT KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT STREAMCHECK_KAFKA_SASL_USERNAME=svc-user \
  STREAMCHECK_KAFKA_SASL_PASSWORD=revoked-Secret-42 timeout 60 scripts/check-credentials.sh --env staging >"$W/cred.out" 2>&1
expect_rc "a cluster that refuses the credentials: rejected, not unreachable" 6 $?
check "the refusal is named and the secret is not printed" bash -c "grep -q 'answered and refused the credentials' '$W/cred.out' && ! grep -q 'revoked-Secret-42' '$W/cred.out'"
scripts/check-credentials.sh --env dev >"$W/cred.out" 2>&1
expect_rc "dev needs no credentials" 0 $?
scripts/check-credentials.sh --env prod >"$W/cred.out" 2>&1
expect_rc "an unknown environment is refused" 1 $?
check "the refusal lists the environments" grep -q 'use one of dev,staging' "$W/cred.out"

# produce-test-data.sh, the seed's example.
env -u TOPIC_NAME scripts/produce-test-data.sh >"$W/ptd.out" 2>&1
expect_rc "produce-test-data without TOPIC_NAME" 1 $?
check "names TOPIC_NAME" grep -q 'TOPIC_NAME is not set' "$W/ptd.out"
TOPIC_NAME=ptd-orders MESSAGE_COUNT=25 DATA_FORMAT=json KAFKA_BOOTSTRAP_SERVERS=$BOOT OUTPUT_DIR=$W/ptd RUN_ID=ptd-1 \
  scripts/produce-test-data.sh >"$W/ptd.json" 2>"$W/ptd.err"
expect_rc "produce-test-data produces" 0 $?
check "result JSON on stdout: 25 acknowledged, manifest written" python3 -c "
import json, os; r = json.load(open('$W/ptd.json')); assert r['messages_produced'] == 25 and r['messages_failed'] == 0, r
assert os.path.getsize('$W/ptd/ptd-1.manifest') > 25 * 32"
DATA_FORMAT=xml TOPIC_NAME=t KAFKA_BOOTSTRAP_SERVERS=$BOOT scripts/produce-test-data.sh >"$W/ptd.out" 2>&1
expect_rc "an unknown DATA_FORMAT is refused" 1 $?

# The staging flow, against the embedded broker standing in for the staging cluster.
KAFKA_BOOTSTRAP_SERVERS=$BOOT KAFKA_SECURITY_PROTOCOL=PLAINTEXT CI_JOB_NAME=pipeline-staging-flow RUN_ID_PREFIX=sc-flowtest \
  E2E_WORK_DIR=$W/work scripts/run-e2e-tests.sh --env=staging --suite=produce-verify --message-count=40 >"$W/staging.out" 2>&1
expect_rc "staging flow produce-verify against the stand-in cluster" 0 $?
check "its JUnit (from the run records) has no failure" python3 -c "
import xml.etree.ElementTree as ET; r = ET.parse('test-results/e2e/pipeline-staging-flow/produce-verify.xml').getroot()
cases = r.findall('.//testcase'); assert len(cases) >= 5 and not r.findall('.//failure') and not r.findall('.//error'), len(cases)"
scripts/run-e2e-tests.sh --env=staging --suite=nope >"$W/staging.out" 2>&1
expect_rc "an unknown suite is refused" 1 $?
check "the refusal lists the suites found" grep -q 'there are: consumer-group produce-verify' "$W/staging.out"

# Cleanup: brokers found by run-id prefix in state dirs, then files; twice is fine.
mkdir -p "$W/work/sc-cleantest-basic-flow/tftest/.work"
"$BIN" broker start --state-dir "$W/work/sc-cleantest-basic-flow/tftest/.work/broker" --result-file "$W/clean-broker.json" >/dev/null 2>&1
CLEAN_PID=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['pid'])" "$W/clean-broker.json")
mkdir -p "$W/work/sc-other-run"
scripts/cleanup-test-resources.sh --run-id-prefix sc-cleantest --work-dir "$W/work" >"$W/cleanup.out" 2>&1
expect_rc "cleanup by run-id prefix" 0 $?
check "the run's embedded broker is stopped" bash -c "for i in \$(seq 50); do kill -0 $CLEAN_PID 2>/dev/null || exit 0; sleep 0.1; done; exit 1"
check "the run's files are gone, another run's are kept" bash -c "[ ! -e '$W/work/sc-cleantest-basic-flow' ] && [ -d '$W/work/sc-other-run' ]"
scripts/cleanup-test-resources.sh --run-id-prefix sc-cleantest --work-dir "$W/work" >"$W/cleanup.out" 2>&1
expect_rc "cleanup again: nothing left, still fine" 0 $?
scripts/cleanup-test-resources.sh --run-id-prefix sc --work-dir "$W/work" >"$W/cleanup.out" 2>&1
expect_rc "a prefix that would match other runs is refused" 1 $?
# Connectors by run-id prefix, on the Kafka Connect stand-in (tests only).
mkdir -p "$W/connect"
start_background connect python3 tests/standins/kafka_connect_standin.py --state-dir "$W/connect" --bootstrap-servers "$BOOT"
for _ in $(seq 100); do [ -s "$W/connect/connect.json" ] && break; sleep 0.1; done
CONNECT_URL=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['connect_url'])" "$W/connect/connect.json")
for name in sc-cleantest-sink other-run-sink; do
  curl -sf -X POST -H 'Content-Type: application/json' "$CONNECT_URL/connectors" -d "{\"name\":\"$name\",\"config\":{
    \"connector.class\":\"io.confluent.connect.s3.S3SinkConnector\",\"topics\":\"x\",\"s3.bucket.name\":\"bkt\",\"flush.size\":\"10\"}}" >/dev/null
done
KAFKA_CONNECT_URL=$CONNECT_URL scripts/cleanup-test-resources.sh --run-id-prefix sc-cleantest --work-dir "$W/work" >"$W/cleanup.out" 2>&1
expect_rc "cleanup deletes the run's connectors" 0 $?
check "only the run's connector is gone" test "$(curl -sf "$CONNECT_URL/connectors")" = '["other-run-sink"]'
KAFKA_CONNECT_URL=$CONNECT_URL scripts/cleanup-test-resources.sh --run-id-prefix sc-cleantest --work-dir "$W/work" >"$W/cleanup.out" 2>&1
expect_rc "connector cleanup again: still fine" 0 $?
"$BIN" broker stop --state-dir "$W/stand-in-cluster" >/dev/null 2>&1

echo "the pipeline's jobs, each inside the image it names (built here from ci/Dockerfile)"
# The project, where every job runs and leaves its artifacts for the next.
PROJ=$W/project
IMAGES=$W/images
rm -rf "$PROJ" && mkdir -p "$PROJ"
copy_project "$PROJ"
(cd "$PROJ" && PIPELINE_ID="offline-$$" python3 scripts/lib/offline_pipeline.py .gitlab-ci.yml .gitlab-ci.offline.yml \
  E2E_ENVIRONMENT=dev E2E_SUITE=basic-flow MESSAGE_COUNT=50 SWIFT_BUILD_FLAGS= UNIT_TEST_FILTER=TerraformIOTests \
  INTEGRATION_DIR=tests/fixtures/pipeline/test.d STREAMCHECK_CI_IMAGE=localhost/streamcheck-ci:proof) >"$W/dropped.txt" 2>"$W/offline.err"
expect_rc "offline variant generated from .gitlab-ci.yml" 0 $?
check "only the image job (built here) and the jobs that adjust GitLab's templates are dropped" \
  test "$(cat "$W/dropped.txt")" = "kics-iac-sast sast secret_detection security-findings semgrep-sast"
check "the variant has no remote include" bash -c "! grep -q 'template:' '$PROJ/.gitlab-ci.offline.yml'"
source scripts/lib/ci_images.sh
trap 'ci_images_remove "$IMAGES"; services_stop' EXIT
ci_images_build "$IMAGES" "$RESULTS/images.log"
expect_rc "images built: swift:6.3-bookworm and hashicorp/terraform:1.11 stand-ins, then ci/Dockerfile unchanged" 0 $?
HOOK_PORT=$(free_port)
start_background webhook python3 tests/standins/webhook_receiver.py "$HOOK_PORT" "$W/hook"
wait_for_port "$HOOK_PORT" 20
start_smtp
# What the project's CI/CD variables would hold, handed to the jobs as GitLab would.
export STREAMCHECK_SLACK_WEBHOOK_URL="http://127.0.0.1:$HOOK_PORT/services/T000/B000/pipeline-token-0042"
export NOTIFY_EMAIL_TO=team@example.com NOTIFY_EMAIL_FROM=ci@example.com NOTIFY_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" NOTIFY_SMTP_STARTTLS=false
# A connector change for the manual rollback job to undo (played below): v1, then v2 with the
# config it replaced kept where the e2e jobs keep theirs (connectors-previous/, their artifact).
RB_SINK=(--connect-url "$CONNECT_URL" --name proof-rollback-sink --config connector.class=io.confluent.connect.s3.S3SinkConnector --config topics=x --config flush.size=10)
"$BIN" connector apply "${RB_SINK[@]}" --config s3.bucket.name=v1-bucket >"$W/rb-apply.out" 2>&1 &&
  "$BIN" connector apply "${RB_SINK[@]}" --config s3.bucket.name=v2-bucket --save-previous "$PROJ/connectors-previous/proof-rollback-sink.previous.json" >>"$W/rb-apply.out" 2>&1
expect_rc "a connector changed from v1 to v2, its v1 config kept for the rollback job" 0 $?
export KAFKA_CONNECT_URL=$CONNECT_URL
# The runner's volumes: this machine's mirror of github.com's Swift packages (see ci_images.sh).
RUNNER=(python3 scripts/lib/image_pipeline.py "$PROJ/.gitlab-ci.offline.yml" --project "$PROJ" --buildah "$CI_IMAGES_BUILDAH"
  --image localhost/streamcheck-ci:proof=localhost/streamcheck-ci:proof --image hashicorp/terraform:1.11=docker.io/hashicorp/terraform:1.11
  --mount /opt/swift-packages:/opt/swift-packages:ro
  --play rollback --pass-env KAFKA_CONNECT_URL --pass-env STREAMCHECK_SLACK_WEBHOOK_URL --pass-env NOTIFY_EMAIL_TO --pass-env NOTIFY_EMAIL_FROM --pass-env NOTIFY_SMTP_URL --pass-env NOTIFY_SMTP_STARTTLS)
: >"$RESULTS/jobs.log"
timeout 1800 "${RUNNER[@]}" --log "$RESULTS/jobs.log" >"$W/runner.out" 2>&1
expect_rc "every job passes inside its image" 0 $?
for job in credentials terraform-validate swift-build unit-tests "integration: \[SUITE_SHARD=1/2\]" "integration: \[SUITE_SHARD=2/2\]" \
  "e2e:dev: \[E2E_SHARD=1/2\]" "e2e:dev: \[E2E_SHARD=2/2\]" cleanup rollback notify; do
  check "job ran and passed: ${job//\\/}" grep -qE "\[pass\] $job \(" "$RESULTS/jobs.log"
done
check "the rollback job, played, put the connector's v1 config back from inside the CI image" bash -c "
grep -q 'connector proof-rollback-sink rolled back to its config of' '$RESULTS/jobs.log' &&
curl -sf '$CONNECT_URL/connectors/proof-rollback-sink/config' | grep -q '\"s3.bucket.name\": \"v1-bucket\"'"
check "terraform-validate ran in hashicorp/terraform, the others in the CI image" bash -c "
grep -q '^\[run\]  terraform-validate in hashicorp/terraform:1.11' '$RESULTS/jobs.log' && grep -q '^\[run\]  swift-build in localhost/streamcheck-ci:proof' '$RESULTS/jobs.log'"
check "e2e:staging was left out by its rule (environment dev)" grep -q '^\[skip\] e2e:staging: \[E2E_SHARD=1/2\] (rules)' "$RESULTS/jobs.log"
cd "$PROJ"
check "the e2e job's terraform test JUnit: basic-flow ran, nothing failed" python3 -c "
import glob, xml.etree.ElementTree as ET
files = glob.glob('test-results/e2e/*/terraform-basic-flow.xml'); assert len(files) == 1, files
r = ET.parse(files[0]).getroot(); cases = r.findall('.//testcase')
assert len(cases) == 17 and not r.findall('.//failure') and not r.findall('.//error'), len(cases)"
check "integration shards: both fixture suites ran once, the suite's own JUnit collected" bash -c "
[ \$(cat test-results/integration/*/suites.xml | grep -c '<testcase') = 2 ] && ls test-results/integration/*/fixture-pipeline.xml >/dev/null"
check "unit test JUnit written" bash -c "grep -q '<testcase' test-results/unit/*.xml"
check "the pipeline report exists (HTML, JUnit, JSON, Markdown)" bash -c "
test -s report/pipeline/index.html && test -s report/pipeline/junit.xml && test -s report/pipeline/summary.json && test -s report/pipeline/summary.md"
check "the report counts the e2e run and it passed" python3 -c "
import json; s = json.load(open('report/pipeline/summary.json')); assert s['passed'] and s['totals']['tests'] >= 20, s['totals']"
check "Slack stand-in received the pipeline's message" python3 -c "
import glob, json; files = sorted(glob.glob('$W/hook/*.json')); assert len(files) == 1, files
m = json.load(open(files[0])); assert 'passed' in json.dumps(m).lower(), m"
check "the e-mail arrived at aiosmtpd" bash -c "grep -lq 'Subject: .*streamcheck' '$SMTP_MAILDIR'/new/*"
check "the webhook token is in no job log" bash -c "! grep -rq 'pipeline-token-0042' '$RESULTS/jobs.log' logs report"
check "no embedded broker of the run is left" bash -c "! find .e2e-work -name broker.json 2>/dev/null | grep -q offline-$$"

echo "streamcheck's own image (ci/runtime.Dockerfile), from the package the swift-build job made"
check "swift-build packed the release with its checksum" bash -c "cd '$PROJ/dist' && sha256sum --quiet -c streamcheck-*-linux-*.tar.gz.sha256"
(cd "$PROJ" && $CI_IMAGES_BUILDAH bud -q --isolation chroot --pull-never -f ci/runtime.Dockerfile -t localhost/streamcheck:proof .) >>"$RESULTS/images.log" 2>&1
expect_rc "ci/runtime.Dockerfile builds on debian:bookworm-slim from dist/, unchanged" 0 $?
# What a project using the image does: Terraform runs the modules, which run streamcheck from PATH.
rt=$($CI_IMAGES_BUILDAH from --pull-never localhost/streamcheck:proof 2>>"$RESULTS/images.log")
timeout 900 $CI_IMAGES_BUILDAH run --isolation chroot --volume "$PROJ:$PROJ" --workingdir "$PROJ/examples/basic-flow" \
  --env TF_CLI_CONFIG_FILE="$PROJ/tftest/terraform.rc" --env TF_IN_AUTOMATION=1 "$rt" -- sh -c '
set -e
streamcheck version
terraform version | head -n 1
if command -v swift || command -v python3; then echo "the image carries a Swift or Python it does not need"; exit 1; fi
rm -rf .terraform .streamcheck terraform.tfstate*
terraform init -input=false -no-color >/dev/null
terraform apply -auto-approve -input=false -no-color >/dev/null
terraform output -raw passed; echo
terraform output -json summary; echo
terraform destroy -auto-approve -input=false -no-color >/dev/null' >"$W/runtime.out" 2>&1
expect_rc "in streamcheck's image (no Swift, no Python): examples/basic-flow applied and destroyed, streamcheck from PATH" 0 $?
check "the example's flow passed there" grep -qx true "$W/runtime.out"
$CI_IMAGES_BUILDAH rm "$rt" >/dev/null 2>&1
cd "$ROOT"

# A tool missing from the image fails the job that needs it, by name: kcat taken out of a
# container of the CI image, the credentials job's before_script (scripts/setup.sh) stops.
ctr=$($CI_IMAGES_BUILDAH from --pull-never localhost/streamcheck-ci:proof)
$CI_IMAGES_BUILDAH run --isolation chroot "$ctr" -- sh -c 'rm -f "$(command -v kcat)"' >/dev/null 2>&1
$CI_IMAGES_BUILDAH run --isolation chroot --volume "$PROJ:$PROJ" --workingdir "$PROJ" "$ctr" -- bash scripts/setup.sh >"$W/missing-tool.out" 2>&1
expect_rc "without kcat in the image, setup.sh fails the job" 1 $?
check "and names kcat" grep -q 'setup: kcat not found on PATH' "$W/missing-tool.out"
$CI_IMAGES_BUILDAH rm "$ctr" >/dev/null 2>&1

echo "70-pipeline: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
