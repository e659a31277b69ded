#!/usr/bin/env bash
# streamcheck report and notify, end to end with the real binary:
# - run dirs from tests/fixtures/run-dir (RunRecord's exact shape) plus a record the binary writes;
# - JUnit checked with Python's XML parser, HTML rendered in headless Chromium (numbers on the
#   page must match the JSON summary), Markdown;
# - notify against a Slack webhook stand-in and aiosmtpd, and with both receivers down.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
source scripts/lib/services.sh
services_init

BIN=${STREAMCHECK_BIN:-$ROOT/.build/debug/streamcheck}
[ -x "$BIN" ] || { echo "60-reports: no streamcheck binary at $BIN (run swift build)" >&2; exit 1; }
RESULTS=$ROOT/test-results/reports
mkdir -p "$RESULTS"
W=$SERVICES_DIR/reports
mkdir -p "$W"

passed=0
failed=0
ok() { echo "  ok   $1"; passed=$((passed + 1)); }
no() { echo "  FAIL $1" >&2; failed=$((failed + 1)); }
# expect_rc NAME WANT GOT
expect_rc() { if [ "$3" = "$2" ]; then ok "$1 (exit $3)"; else no "$1: exit $3, wanted $2"; fi; }
# check NAME COMMAND...: passes when the command succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else no "$name"; fi; }

# Run dirs: the fixtures, plus one record written by the real binary (version checks nothing,
# so it adds a passing "completes" case and proves the reader takes what RunRecord writes).
for variant in failing passing; do
  mkdir -p "$W/run-$variant"
  cp tests/fixtures/run-dir/$variant/*.json "$W/run-$variant/"
  STREAMCHECK_REPORT_DIR="$W/run-$variant" "$BIN" version >/dev/null 2>&1
done
check "the binary recorded its own run record" test "$(ls "$W/run-failing" | grep -c -- '-version-')" = 1

echo "report"
"$BIN" report --run-dir "$W/run-failing" --junit "$W/out/junit.xml" --html "$W/out/report.html" \
  --json "$W/out/summary.json" --markdown "$W/out/summary.md" --suite-name 'orders <pipeline>' \
  --merge-junit tests/fixtures/terraform-test.xml --pipeline-url 'https://gitlab.example.com/g/p/-/pipelines/42' \
  2>"$W/report.err"
expect_rc "a failed check and an errored operation give exit 2" 2 $?
check "stderr names the failed check" grep -q "FAILED run sc-b81d02 / consume / loss: expected 0 missing, found 3 missing" "$W/report.err"
for f in junit.xml report.html summary.json summary.md; do check "wrote $f" test -s "$W/out/$f"; done
cp "$W"/out/* "$RESULTS/" 2>/dev/null

python3 - "$W/out/junit.xml" "$W/out/summary.json" <<'EOF' && ok "JUnit parses with Python and agrees with the JSON summary" || no "JUnit structure"
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
summary = json.load(open(sys.argv[2]))
assert root.tag == "testsuites", root.tag
cases = root.findall("./testsuite/testcase")
failures = [c for c in cases if c.find("failure") is not None]
errors = [c for c in cases if c.find("error") is not None]
t = summary["totals"]
assert (len(cases), len(failures), len(errors)) == (t["tests"], t["failures"], t["errors"]), (len(cases), len(failures), len(errors), t)
assert (len(cases), len(failures), len(errors)) == (12, 3, 1), (len(cases), len(failures), len(errors))
for s in root.findall("testsuite"):
    sc = s.findall("testcase")
    assert int(s.get("tests")) == len(sc), s.get("name")
    assert int(s.get("failures")) == sum(c.find("failure") is not None for c in sc), s.get("name")
names = [s.get("name") for s in root.findall("testsuite")]
assert names == ["run sc-b81d02", "tests/main.tftest.hcl"], names
digest = [c for c in cases if c.get("classname") == "consume" and c.get("name") == "integrity"][0]
msg = digest.find("failure").get("message")
assert msg == 'expected all digests match, found 2 mismatched: seq 12 value <b>&"x"</b> differs', msg
err = errors[0]
assert err.get("classname") == "verify-sink" and "did not reach 1000 rows" in err.find("error").get("message")
tf = [c for c in cases if c.get("name") == "bad"][0]
assert 'n must be 1 <for> & "this" test' in tf.find("failure").text
EOF

python3 - "$W/out/summary.json" <<'EOF' && ok "JSON summary carries totals and metrics" || no "JSON summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["passed"] is False and s["status"] == "error", s["status"]
m = s["metrics"]
assert m["produce"][0]["throughput_msgs_per_s"] == 192.31
c = m["consume"][0]
assert (c["latency_ms_p50"], c["latency_ms_p95"], c["latency_ms_p99"], c["latency_ms_max"]) == (6.2, 31.5, 87.4, 212.9)
assert m["lag"][0]["total_lag"] == 3
assert m["connectors"][0]["waited_ms"] == 3217 and m["connectors"][0]["type"] == "sink"
assert [st["operation"] for st in m["steps"]] == ["produce", "connector wait", "consume", "lag", "verify-sink", "version"]
assert s["merged_junit"][0]["failures"] == 1
EOF

check "Markdown: verdict line" grep -q '^### streamcheck: ❌ error — orders &lt;pipeline&gt;$' "$W/out/summary.md"
check "Markdown: failed check row" grep -qF '| run sc-b81d02 | consume | loss | expected 0 missing, found 3 missing (seq 17, 404, 981) |' "$W/out/summary.md"
check "Markdown: pipeline link" grep -qF '[Pipeline](https://gitlab.example.com/g/p/-/pipelines/42)' "$W/out/summary.md"

"$BIN" report --run-dir "$W/run-passing" --json "$W/out-pass/summary.json" --junit "$W/out-pass/junit.xml" 2>/dev/null
expect_rc "an all-green run gives exit 0" 0 $?
check "all-green JUnit has no failures" python3 -c "
import sys, xml.etree.ElementTree as ET
r = ET.parse('$W/out-pass/junit.xml').getroot()
assert r.get('failures') == '0' and r.get('errors') == '0' and int(r.get('tests')) == 11, r.attrib"

echo "report: bad input"
"$BIN" report --run-dir "$W/does-not-exist" --junit "$W/bad/j.xml" 2>"$W/bad.err"
expect_rc "missing run dir" 1 $?
check "missing run dir: one line naming it" test "$(wc -l <"$W/bad.err")" = 1 -a -n "$(grep -F "$W/does-not-exist" "$W/bad.err")"
mkdir -p "$W/empty"
"$BIN" report --run-dir "$W/empty" 2>"$W/bad.err"
expect_rc "empty run dir" 1 $?
check "empty run dir: says so" grep -q "holds no run records" "$W/bad.err"
mkdir -p "$W/corrupt" && cp "$W"/run-failing/*.json "$W/corrupt/" && echo '{"operation": "consume", ' >"$W/corrupt/zz-broken.json"
"$BIN" report --run-dir "$W/corrupt" --junit "$W/corrupt-out/j.xml" 2>"$W/bad.err"
expect_rc "unreadable record" 1 $?
check "unreadable record: named with its path" grep -qF "$W/corrupt/zz-broken.json" "$W/bad.err"
check "unreadable record: nothing half-written" test ! -e "$W/corrupt-out/j.xml"
"$BIN" report --run-dir "$W/run-failing" --merge-junit "$W/nope.xml" 2>"$W/bad.err"
expect_rc "missing --merge-junit file" 1 $?

echo "report: HTML in headless Chromium"
CHROME=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$W/chrome")
timeout 90 "${CHROME[@]}" --dump-dom "file://$W/out/report.html" >"$W/dom.html" 2>"$W/chrome.log"
check "Chromium rendered the report" test -s "$W/dom.html"
python3 - "$W/dom.html" "$W/out/summary.json" <<'EOF' && ok "numbers on the rendered page match the JSON summary" || no "page numbers vs JSON"
import json, sys
from html.parser import HTMLParser
dom = open(sys.argv[1], encoding="utf-8").read()
summary = json.load(open(sys.argv[2]))

class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.found, self.tags, self.text = [], [], set(), {}
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if tag in ("meta", "br", "img", "link", "input"):  # void elements
            return
        self.stack.append((tag, a.get("data-json"), a.get("id"), []))
    def handle_endtag(self, tag):
        while self.stack:
            t, key, ident, buf = self.stack.pop()
            text = "".join(buf)
            if key: self.found.append((key, text))
            if ident: self.text[ident] = text
            if self.stack: self.stack[-1][3].append(text)
            if t == tag: break
    def handle_data(self, data):
        if self.stack: self.stack[-1][3].append(data)

c = Collect(); c.feed(dom)
assert "script" not in c.tags, "a <script> element reached the DOM"
assert "b" not in c.tags, "markup from a run record became an element"
assert c.text.get("verdict") == "ERROR", c.text.get("verdict")
def lookup(path):
    v = summary
    for part in path.split("."):
        v = v[int(part)] if part.isdigit() else v[part]
    return v
required = {"totals.tests", "totals.failures", "totals.errors", "totals.passed", "metrics.consume.0.latency_ms_p99",
            "metrics.produce.0.throughput_msgs_per_s", "metrics.connectors.0.waited_ms", "metrics.lag.0.total_lag"}
seen = set()
for key, text in c.found:
    want = lookup(key)
    assert abs(float(text) - float(want)) < 0.0006, (key, text, want)
    seen.add(key)
assert required <= seen, required - seen
assert "2 mismatched: seq 12 value <b>&\"x\"</b> differs" in dom.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"')
assert dom.count("<svg") >= 3, "flow, histogram and timeline charts"
EOF
timeout 90 "${CHROME[@]}" --window-size=1200,2400 --screenshot="$RESULTS/report.png" "file://$W/out/report.html" >>"$W/chrome.log" 2>&1
check "Chromium screenshot is a PNG" python3 -c "
import sys; d = open('$RESULTS/report.png','rb').read(); assert d[:8] == b'\x89PNG\r\n\x1a\n' and len(d) > 20000, len(d)"

echo "notify: Slack webhook stand-in"
HOOK_PORT=$(free_port)
start_background webhook python3 tests/standins/webhook_receiver.py "$HOOK_PORT" "$W/hook" 1
wait_for_port "$HOOK_PORT" 20
export STREAMCHECK_SLACK_WEBHOOK_URL="http://127.0.0.1:$HOOK_PORT/services/T000/B000/secret-token-123"
"$BIN" notify --run-dir "$W/run-failing" --slack --on failure --pipeline-url https://gitlab.example.com/g/p/-/pipelines/42 \
  --suite-name orders --result-file "$W/notify-slack.json" >"$W/notify.out" 2>"$W/notify.err"
expect_rc "notify keeps the failed run's exit code" 2 $?
check "the stand-in answered 500 once and the retry delivered" python3 -c "
import json; r = json.load(open('$W/notify-slack.json')); n = r['notifications'][0]
assert n['status'] == 'sent' and n['attempts'] == 2, n"
python3 - "$W/hook/002.json" <<'EOF' && ok "Block Kit message has header, counts, failed checks and pipeline link" || no "Slack message content"
import json, sys
m = json.load(open(sys.argv[1]))
blocks = m["blocks"]
assert blocks[0]["type"] == "header" and "streamcheck ERROR: orders" in blocks[0]["text"]["text"], blocks[0]
fields = " ".join(f["text"] for f in blocks[1]["fields"])
assert "*Tests*\n10" in fields and "*Failed*\n2" in fields and "*Errors*\n1" in fields, fields
failed = blocks[2]["text"]["text"]
assert "consume / loss: expected 0 missing, found 3 missing" in failed, failed
assert "&lt;b&gt;&amp;" in failed, "mrkdwn markup escaped"
assert blocks[3]["elements"][0]["url"] == "https://gitlab.example.com/g/p/-/pipelines/42"
EOF
check "the webhook URL is never echoed" bash -c "! grep -rq 'secret-token-123' '$W/notify.out' '$W/notify.err' '$W/notify-slack.json'"
"$BIN" notify --run-dir "$W/run-passing" --slack --on failure 2>"$W/notify.err"
expect_rc "--on failure with a green run: exit 0" 0 $?
check "--on failure with a green run sends nothing" test "$(ls "$W/hook" | grep -c json)" = 1

echo "notify: e-mail to aiosmtpd"
start_smtp
"$BIN" notify --run-dir "$W/run-failing" --email --to ops@example.com,dev@example.com --from streamcheck@example.com \
  --smtp-url "smtp://127.0.0.1:$SMTP_PORT" --subject-prefix '[orders-ci]' --merge-junit tests/fixtures/terraform-test.xml --pipeline-url https://gitlab.example.com/g/p/-/pipelines/42 \
  --result-file "$W/notify-mail.json" 2>"$W/notify.err"
expect_rc "e-mail sent, exit code is the run's" 2 $?
check "e-mail: result says sent" python3 -c "
import json; n = json.load(open('$W/notify-mail.json'))['notifications'][0]
assert n['status'] == 'sent' and n['attempts'] == 1, n"
python3 - "$SMTP_MAILDIR" <<'EOF' && ok "the e-mail arrived with subject, recipients and failed checks" || no "e-mail content"
import mailbox, sys
box = mailbox.Maildir(sys.argv[1], create=False)
msgs = list(box)
assert len(msgs) == 1, len(msgs)
m = msgs[0]
assert m["Subject"].startswith("[orders-ci] streamcheck ERROR: streamcheck (12 tests: 8 passed, 3 failed, 1 errors"), m["Subject"]
assert m["To"] == "<ops@example.com>, <dev@example.com>", m["To"]
assert m["From"] == "<streamcheck@example.com>"
body = m.get_payload(decode=True).decode("utf-8")
assert "consume / loss: expected 0 missing, found 3 missing" in body, body
assert "verify-sink: error: verify-sink: postgres table public.orders did not reach 1000 rows" in body, body
assert "Pipeline: https://gitlab.example.com/g/p/-/pipelines/42" in body
assert "latency ms p50 6.2 p95 31.5 p99 87.4 max 212.9" in body, body
assert "tests/main.tftest.hcl / tests/main.tftest.hcl / bad: 1 of 1 assertions failed" in body, body
EOF
"$BIN" notify --run-dir "$W/run-failing" --email --to ops@example.com --from streamcheck@example.com \
  --smtp-url "smtp://127.0.0.1:$SMTP_PORT" --smtp-starttls --result-file "$W/notify-tls.json" 2>"$W/notify.err"
expect_rc "STARTTLS refused by a plain server: exit code stays the run's" 2 $?
check "STARTTLS refused: reported, not retried" python3 -c "
import json; n = json.load(open('$W/notify-tls.json'))['notifications'][0]
assert n['status'] == 'failed' and n['attempts'] == 1, n"
"$BIN" notify --run-dir "$W/run-failing" --email --to ops@example.com --from streamcheck@example.com \
  --smtp-url "smtp://user:hunter2pass@127.0.0.1:$SMTP_PORT" 2>"$W/notify.err"
expect_rc "credentials in --smtp-url are refused" 1 $?
check "the password in --smtp-url is not echoed" bash -c "! grep -q hunter2pass '$W/notify.err'"
"$BIN" notify --run-dir "$W/run-failing" --email --to 'not an address' --from a@b --smtp-url "smtp://127.0.0.1:$SMTP_PORT" 2>"$W/notify.err"
expect_rc "a bad --to address" 1 $?

echo "notify: receivers down"
DEAD=$(free_port)
export STREAMCHECK_SLACK_WEBHOOK_URL="http://127.0.0.1:$DEAD/services/T000/B000/secret-token-456"
export STREAMCHECK_SMTP_USERNAME=ci STREAMCHECK_SMTP_PASSWORD=pa55-word-secret
"$BIN" notify --run-dir "$W/run-failing" --slack --email --to ops@example.com --from streamcheck@example.com \
  --smtp-url "smtp://127.0.0.1:$DEAD" --retries 1 --timeout 5s --result-file "$W/notify-down.json" >"$W/notify.out" 2>"$W/notify.err"
expect_rc "undeliverable notifications: a failed run still exits 2" 2 $?
check "undeliverable: reported on stderr" test "$(grep -c 'notification NOT delivered' "$W/notify.err")" = 2
check "undeliverable: in the result, after bounded retries" python3 -c "
import json; r = json.load(open('$W/notify-down.json'))
assert r['delivered'] is False
assert [(n['channel'], n['status'], n['attempts']) for n in r['notifications']] == [('slack', 'failed', 2), ('email', 'failed', 2)], r"
check "undeliverable: no secret in any output" bash -c "! grep -rqE 'secret-token-456|pa55-word-secret' '$W/notify.out' '$W/notify.err' '$W/notify-down.json'"
"$BIN" notify --run-dir "$W/run-passing" --slack --retries 0 2>"$W/notify.err"
expect_rc "undeliverable notifications: a green run still exits 0" 0 $?
unset STREAMCHECK_SLACK_WEBHOOK_URL
"$BIN" notify --run-dir "$W/run-passing" --slack --retries 0 2>"$W/notify.err"
expect_rc "no webhook variable: reported, green run still exits 0" 0 $?
check "no webhook variable: says which variable" grep -q 'STREAMCHECK_SLACK_WEBHOOK_URL is not set' "$W/notify.err"

echo "report: a run dir written by real operations, negative tests included"
# The report reads what the operations write, not what a fixture says they write: a green flow with
# stated expected failures (a missing message, a tampered one, a produce into a dead broker) must
# give a report that says passed, and the same flow without the statements must not.
REAL=$W/real
mkdir -p "$REAL/run" "$REAL/unstated"
"$BIN" broker start --state-dir "$REAL/broker" --topic real-orders:2 --topic real-other:1 --result-file "$REAL/broker.json" 2>/dev/null
RBS=$(python3 -c "import json; print(json.load(open('$REAL/broker.json'))['bootstrap_servers'])")
for dir in run unstated; do
  export STREAMCHECK_REPORT_DIR="$REAL/$dir"
  "$BIN" produce --bootstrap-servers "$RBS" --topic real-orders --message-count 50 --manifest "$REAL/$dir.manifest" --run-id "real-$dir" 2>/dev/null
  "$BIN" consume --bootstrap-servers "$RBS" --manifest "$REAL/$dir.manifest" --timeout 20s 2>/dev/null
  expected=(); [ "$dir" = run ] && expected=(--expect-failed-checks count,loss)
  "$BIN" consume --bootstrap-servers "$RBS" --manifest "$REAL/$dir.manifest" --topic real-other --timeout 2s "${expected[@]}" 2>/dev/null
  expected=(); [ "$dir" = run ] && expected=(--expect-error "cannot read topic")
  "$BIN" consume --bootstrap-servers 127.0.0.1:1 --manifest "$REAL/$dir.manifest" --timeout 2s "${expected[@]}" 2>/dev/null
  unset STREAMCHECK_REPORT_DIR
done
"$BIN" broker stop --state-dir "$REAL/broker" >/dev/null 2>&1
"$BIN" report --run-dir "$REAL/run" --json "$REAL/run.json" --junit "$REAL/run.xml" 2>/dev/null
expect_rc "stated negative tests that failed as stated: the report passes" 0 $?
"$BIN" report --run-dir "$REAL/unstated" --json "$REAL/unstated.json" 2>/dev/null
expect_rc "the same negatives unstated: the report fails" 2 $?
check "real records: statuses, case names and check names agree with the result model" python3 - "$REAL/run.json" "$REAL/run.xml" "$REAL/unstated.json" <<'PY'
import json, sys, xml.etree.ElementTree as ET
run, unstated = json.load(open(sys.argv[1])), json.load(open(sys.argv[3]))
assert run["status"] == "passed" and run["totals"]["failures"] == 0 and run["totals"]["errors"] == 0, run["totals"]
names = {c.get("name") for c in ET.parse(sys.argv[2]).getroot().iter("testcase")}
assert {"count fails as expected", "loss fails as expected", "fails as expected", "integrity", "ordering"} <= names, names
assert unstated["status"] == "error" and unstated["totals"]["failures"] == 2 and unstated["totals"]["errors"] == 1, unstated["totals"]
PY

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
