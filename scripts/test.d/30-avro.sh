#!/usr/bin/env bash
# Avro and Schema Registry end to end, on the embedded broker with the Schema Registry
# STAND-IN (tests/standins/schema_registry_standin.py; no real registry can be installed here):
# produce/consume Avro with and without a registry, interop both ways with fastavro and
# kafka-python 2.0.2, schema compliance (Avro writer/reader schemas, JSON Schema), and every
# bad input: invalid .avsc, data file that does not fit, incompatible schema, registry down,
# registry that never answers, missing credentials.
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/services.sh
services_init
BIN=${STREAMCHECK_BIN:-$PWD/.build/release/streamcheck}
W=$SERVICES_DIR/avro
mkdir -p "$W"
SCHEMA=tftest/data/schemas/user-event.avsc
SAMPLES=tftest/data/samples/user-events.jsonl
passed=0
failed=0
ok() { echo "PASS $1"; passed=$((passed + 1)); }
ko() { echo "FAIL $1" >&2; failed=$((failed + 1)); }
# expect NAME CONDITION...: evaluates the condition, reports it.
expect() { local name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); print(v.get(sys.argv[2]))' "$1" "$2" 2>/dev/null; }
# registry_id URL SUBJECT: the id the registry itself holds for the subject's latest version
# (tests never assume a registry hands out id 1).
registry_id() { python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1] + "/subjects/" + sys.argv[2] + "/versions/latest"))["id"])' "$1" "$2" 2>/dev/null; }
check_passed() { python3 -c 'import json,sys; c=[c for c in json.load(open(sys.argv[1]))["checks"] if c["name"]==sys.argv[2]]; print(c[0]["passed"] if c else "absent")' "$1" "$2" 2>/dev/null; }

# The broker first, so the EXIT trap stops it along with the stand-ins.
"$BIN" broker start --state-dir "$W/broker" >/dev/null 2>"$W/broker.err" || { cat "$W/broker.err" >&2; exit 1; }
trap '"$BIN" broker stop --state-dir "$W/broker" >/dev/null 2>&1; services_stop' EXIT
BOOTSTRAP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bootstrap_servers"])' "$W/broker/broker.json")
K=(--bootstrap-servers "$BOOTSTRAP")

# start_registry_standin NAME [VAR=VALUE...]: starts a stand-in, sets REGISTRY to its URL.
start_registry_standin() {
  local name=$1 i; shift
  env "$@" python3 tests/standins/schema_registry_standin.py >"$W/$name.out" 2>"$W/$name.log" &
  SERVICE_PIDS+=($!)
  for ((i = 0; i < 100; i++)); do grep -q '^PORT ' "$W/$name.out" 2>/dev/null && break; sleep 0.1; done
  REGISTRY="http://127.0.0.1:$(awk '/^PORT/ {print $2}' "$W/$name.out")"
}
start_registry_standin registry
R=$REGISTRY

# 1. 1000 generated Avro messages through the registry, verified by streamcheck.
"$BIN" produce "${K[@]}" --topic events --data-format avro --schema-file "$SCHEMA" --schema-registry-url "$R" \
  --message-count 1000 --seed 7 --manifest "$W/events.manifest" --result-file "$W/p1.json" 2>"$W/p1.err"
expect "produce 1000 avro messages with the registry" test "$(field "$W/p1.json" messages_produced)" = 1000
expect "schema registered under TopicNameStrategy subject" test "$(field "$W/p1.json" subject)" = events-value
expect "schema id in the produce result is the registry's" test "$(field "$W/p1.json" schema_id)" = "$(registry_id "$R" events-value)"
"$BIN" consume "${K[@]}" --manifest "$W/events.manifest" --timeout 30s --result-file "$W/c1.json" 2>"$W/c1.err"
rc=$?
expect "consume verifies 1000 avro messages (exit 0)" test "$rc" = 0
expect "schema_compliance passed" test "$(check_passed "$W/c1.json" schema_compliance)" = True
expect "schema_violations is 0" test "$(field "$W/c1.json" schema_violations)" = 0

# 2. Interop: fastavro decodes what streamcheck produced, through the same framing and registry,
#    and the decoded content has the digest streamcheck put in the header.
if timeout 90 python3 tests/interop/avro_interop.py check-consume --bootstrap "$BOOTSTRAP" --topic events --registry "$R" \
     --count 1000 >"$W/interop1.json" 2>"$W/interop1.err"; then
  ok "fastavro decodes all 1000 messages with matching content digests"
else
  ko "fastavro decodes all 1000 messages with matching content digests: $(cat "$W/interop1.json" "$W/interop1.err" | tail -n 3)"
fi

# 3. Interop the other way: a Python producer (fastavro + kafka-python) writes the sample data
#    in Confluent framing; streamcheck verifies it by content against a manifest of the same data.
"$BIN" produce "${K[@]}" --topic samples-ref --data-format avro --schema-file "$SCHEMA" --data-file "$SAMPLES" \
  --schema-registry-url "$R" --manifest "$W/samples.manifest" --result-file "$W/p3.json" 2>"$W/p3.err"
expect "produce the sample data file as avro" test "$(field "$W/p3.json" messages_produced)" = 5
timeout 90 python3 tests/interop/avro_interop.py produce --bootstrap "$BOOTSTRAP" --topic from-python --registry "$R" \
  --subject samples-ref-value --schema "$SCHEMA" --data "$SAMPLES" >"$W/py.json" 2>"$W/py.err"
"$BIN" consume "${K[@]}" --manifest "$W/samples.manifest" --topic from-python --timeout 20s --result-file "$W/c3.json" 2>"$W/c3.err"
rc=$?
expect "streamcheck verifies messages fastavro wrote (exit 0)" test "$rc" = 0
expect "all 5 identified by content" test "$(field "$W/c3.json" identified_by_content)" = 5

# 4. A message that is not valid under its writer schema fails schema_compliance (exit 2).
timeout 90 python3 tests/interop/avro_interop.py produce --bootstrap "$BOOTSTRAP" --topic with-garbage --registry "$R" \
  --subject samples-ref-value --schema "$SCHEMA" --data "$SAMPLES" --garbage 1 >"$W/py2.json" 2>"$W/py2.err"
"$BIN" consume "${K[@]}" --manifest "$W/samples.manifest" --topic with-garbage --timeout 20s --result-file "$W/c4.json" 2>"$W/c4.err"
rc=$?
expect "an undecodable message fails verification (exit 2)" test "$rc" = 2
expect "schema_compliance failed" test "$(check_passed "$W/c4.json" schema_compliance)" = False
expect "schema_violations is 1" test "$(field "$W/c4.json" schema_violations)" = 1

# 5. Reader schemas: one that drops a field reads the data; one that changes a type cannot.
python3 - "$SCHEMA" "$W" <<'PY'
import json, sys
schema = json.load(open(sys.argv[1]))
drop = dict(schema, fields=[f for f in schema["fields"] if f["name"] != "attributes"])
json.dump(drop, open(sys.argv[2] + "/reader-drop.avsc", "w"))
changed = dict(schema, fields=[dict(f, type="string") if f["name"] == "user_id" else f for f in schema["fields"]])
json.dump(changed, open(sys.argv[2] + "/reader-changed.avsc", "w"))
added = dict(schema, fields=schema["fields"] + [{"name": "channel", "type": "string", "default": "web"}])
json.dump(added, open(sys.argv[2] + "/reader-added.avsc", "w"))
PY
"$BIN" consume "${K[@]}" --manifest "$W/samples.manifest" --group-id reader-added --schema-file "$W/reader-added.avsc" \
  --timeout 20s --result-file "$W/c5b.json" 2>"$W/c5b.err"
expect "a reader schema that adds a field with a default passes schema_compliance" test "$(check_passed "$W/c5b.json" schema_compliance)" = True
"$BIN" consume "${K[@]}" --manifest "$W/samples.manifest" --group-id reader-drop --schema-file "$W/reader-drop.avsc" \
  --timeout 20s --result-file "$W/c5.json" 2>"$W/c5.err"
expect "a reader schema that drops a field passes schema_compliance" test "$(check_passed "$W/c5.json" schema_compliance)" = True
"$BIN" consume "${K[@]}" --manifest "$W/samples.manifest" --group-id reader-changed --schema-file "$W/reader-changed.avsc" \
  --timeout 20s --result-file "$W/c6.json" 2>"$W/c6.err"
rc=$?
expect "a reader schema that changes a type fails schema_compliance (exit 2)" test "$rc" = 2
expect "the violation names the field" grep -q "user_id" "$W/c6.json"

# 6. Plain Avro binary without a registry.
"$BIN" produce "${K[@]}" --topic plain --data-format avro --schema-file "$SCHEMA" --message-count 200 \
  --manifest "$W/plain.manifest" --result-file "$W/p7.json" 2>"$W/p7.err"
"$BIN" consume "${K[@]}" --manifest "$W/plain.manifest" --timeout 20s --result-file "$W/c7.json" 2>"$W/c7.err"
rc=$?
expect "plain avro (no registry) round trip verifies (exit 0)" test "$rc" = 0
expect "no schema id without a registry" test "$(field "$W/c7.json" schema_id)" = None

# 7. Subject name strategies.
"$BIN" produce "${K[@]}" --topic strat --data-format avro --schema-file "$SCHEMA" --schema-registry-url "$R" --message-count 5 \
  --subject-name-strategy RecordNameStrategy --manifest "$W/s1.manifest" --result-file "$W/s1.json" 2>"$W/s1.err"
expect "RecordNameStrategy subject is the record's full name" test "$(field "$W/s1.json" subject)" = com.example.events.UserEvent
"$BIN" produce "${K[@]}" --topic strat --data-format avro --schema-file "$SCHEMA" --schema-registry-url "$R" --message-count 5 \
  --subject-name-strategy TopicRecordNameStrategy --manifest "$W/s2.manifest" --result-file "$W/s2.json" 2>"$W/s2.err"
expect "TopicRecordNameStrategy subject is topic-fullname" test "$(field "$W/s2.json" subject)" = strat-com.example.events.UserEvent

# 8. JSON messages checked against a JSON Schema.
"$BIN" produce "${K[@]}" --topic json-good --data-file "$SAMPLES" --manifest "$W/j1.manifest" 2>"$W/j1p.err"
"$BIN" consume "${K[@]}" --manifest "$W/j1.manifest" --schema-file tftest/data/schemas/user-event.schema.json --timeout 20s \
  --result-file "$W/j1.json" 2>"$W/j1.err"
expect "JSON messages valid under the JSON Schema pass schema_compliance" test "$(check_passed "$W/j1.json" schema_compliance)" = True
"$BIN" produce "${K[@]}" --topic json-bad --data-file tftest/data/samples/user-events-bad.jsonl --manifest "$W/j2.manifest" 2>"$W/j2p.err"
"$BIN" consume "${K[@]}" --manifest "$W/j2.manifest" --schema-file tftest/data/schemas/user-event.schema.json --timeout 20s \
  --result-file "$W/j2.json" 2>"$W/j2.err"
rc=$?
expect "a JSON message violating the JSON Schema fails (exit 2)" test "$rc" = 2
expect "the JSON violation names /event_type" grep -q '/event_type' "$W/j2.json"

# 9. Bad inputs: one clear line, exit 1, nothing produced.
printf '{"type":"record","name":"R","fields":[{"name":"a","type":"strnig"}]}' >"$W/invalid.avsc"
"$BIN" produce "${K[@]}" --topic bad --data-format avro --schema-file "$W/invalid.avsc" --manifest "$W/bad.manifest" 2>"$W/b1.err"
rc=$?
expect "invalid .avsc: exit 1" test "$rc" = 1
expect "invalid .avsc: the message names the problem" grep -q 'strnig' "$W/b1.err"
expect "invalid .avsc: one line" test "$(wc -l <"$W/b1.err")" = 1
expect "invalid .avsc: no manifest written" test ! -e "$W/bad.manifest"

"$BIN" produce "${K[@]}" --topic bad --data-format avro --schema-file "$SCHEMA" --data-file tftest/data/samples/user-events-bad.jsonl \
  --manifest "$W/bad.manifest" 2>"$W/b2.err"
rc=$?
expect "data file that does not fit: exit 1" test "$rc" = 1
expect "data file that does not fit: line and field named" grep -q 'line 2 .*field event_type' "$W/b2.err"

python3 - "$SCHEMA" "$W/incompatible.avsc" <<'PY'
import json, sys
schema = json.load(open(sys.argv[1]))
schema["fields"] = [dict(f, type="string") if f["name"] == "user_id" else f for f in schema["fields"]]
json.dump(schema, open(sys.argv[2], "w"))
PY
"$BIN" produce "${K[@]}" --topic events --data-format avro --schema-file "$W/incompatible.avsc" --schema-registry-url "$R" \
  --check-compatibility --manifest "$W/bad.manifest" 2>"$W/b3.err"
rc=$?
expect "check_compatibility refuses an incompatible schema: exit 1" test "$rc" = 1
expect "check_compatibility names the subject and the field" grep -q 'not compatible.*events-value.*user_id' "$W/b3.err"
"$BIN" produce "${K[@]}" --topic events --data-format avro --schema-file "$W/incompatible.avsc" --schema-registry-url "$R" \
  --manifest "$W/bad.manifest" 2>"$W/b4.err"
rc=$?
expect "registry rejects an incompatible schema (409): exit 1" test "$rc" = 1
expect "409 explained" grep -q 'incompatible.*409' "$W/b4.err"
expect "no manifest after registry refusals" test ! -e "$W/bad.manifest"

closed_port=$(free_port)
timeout 60 "$BIN" produce "${K[@]}" --topic events --data-format avro --schema-file "$SCHEMA" \
  --schema-registry-url "http://127.0.0.1:$closed_port" --timeout 3s --manifest "$W/bad.manifest" 2>"$W/b5.err"
rc=$?
expect "registry down: exit 1" test "$rc" = 1
expect "registry down: retried, then says unavailable" grep -Eq 'stayed unavailable .*\([0-9]+ attempts' "$W/b5.err"

# A registry that accepts connections and never answers: bounded by registry_timeout.
silent_port=$(free_port)
python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); time.sleep(600)' "$silent_port" &
SERVICE_PIDS+=($!)
wait_for_port "$silent_port" 10
timeout 60 "$BIN" produce "${K[@]}" --topic events --data-format avro --schema-file "$SCHEMA" \
  --schema-registry-url "http://127.0.0.1:$silent_port" --registry-timeout 2s --timeout 5s --manifest "$W/bad.manifest" 2>"$W/b6.err"
rc=$?
expect "silent registry: exit 1 (not killed by the 60s guard)" test "$rc" = 1
expect "silent registry: retried, says no answer" grep -Eq 'stayed unavailable .*no answer within [0-9.]+s' "$W/b6.err"

# 10. Basic auth: credentials only from the environment, never echoed.
start_registry_standin registry-auth SCHEMA_REGISTRY_STANDIN_AUTH=ci-user:s3cr3t-pw
RA=$REGISTRY
env -u STREAMCHECK_SCHEMA_REGISTRY_USERNAME "$BIN" produce "${K[@]}" --topic auth --data-format avro --schema-file "$SCHEMA" \
  --schema-registry-url "$RA" --message-count 3 --manifest "$W/bad.manifest" 2>"$W/b7.err"
rc=$?
expect "registry without credentials: exit 1" test "$rc" = 1
expect "401 explained with the variable names" grep -q '401.*STREAMCHECK_SCHEMA_REGISTRY_USERNAME' "$W/b7.err"
STREAMCHECK_SCHEMA_REGISTRY_USERNAME=ci-user STREAMCHECK_SCHEMA_REGISTRY_PASSWORD=s3cr3t-pw \
  "$BIN" produce "${K[@]}" --topic auth --data-format avro --schema-file "$SCHEMA" --schema-registry-url "$RA" \
  --message-count 3 --manifest "$W/auth.manifest" --result-file "$W/a1.json" 2>"$W/a1.err"
expect "registry with credentials from the environment" test "$(field "$W/a1.json" messages_produced)" = 3
STREAMCHECK_SCHEMA_REGISTRY_USERNAME=ci-user STREAMCHECK_SCHEMA_REGISTRY_PASSWORD=s3cr3t-pw \
  "$BIN" consume "${K[@]}" --manifest "$W/auth.manifest" --timeout 20s --result-file "$W/a2.json" 2>"$W/a2.err"
expect "consume fetches schemas with credentials" test "$(check_passed "$W/a2.json" schema_compliance)" = True
expect "the password appears in no output" bash -c "! grep -rq s3cr3t-pw '$W'/*.json '$W'/*.err '$W'/*.manifest"

# 11. The external data source protocol with Avro keys.
printf '{"bootstrap_servers":"%s","topic":"ext","data_format":"avro","schema_file":"%s","schema_registry_url":"%s","message_count":"10","manifest":"%s"}' \
  "$BOOTSTRAP" "$SCHEMA" "$R" "$W/ext.manifest" | "$BIN" external produce >"$W/ext.json" 2>"$W/ext.err"
expect "external produce returns schema_id as a string" test "$(field "$W/ext.json" schema_id)" = "$(registry_id "$R" ext-value)"
expect "external produce returns the subject" test "$(field "$W/ext.json" subject)" = ext-value

# Maps whose values are arrays or maps, read back with a reader schema (Avro C 1.11.1's
# resolved reader crashed on them, even with the reader equal to the writer; issue 16).
cat >"$W/map-of-arrays.avsc" <<'EOF'
{"type":"record","name":"Tree","fields":[{"name":"tags","type":{"type":"map","values":{"type":"array","items":"int"}}},
 {"name":"kids","type":{"type":"map","values":"Tree"}}]}
EOF
"$BIN" produce "${K[@]}" --topic map-of-arrays --data-format avro --schema-file "$W/map-of-arrays.avsc" --message-count 50 \
  --manifest "$W/moa.manifest" --result-file "$W/pmoa.json" 2>"$W/pmoa.err"
"$BIN" consume "${K[@]}" --manifest "$W/moa.manifest" --schema-file "$W/map-of-arrays.avsc" --timeout 20s --result-file "$W/cmoa.json" 2>"$W/cmoa.err"
rc=$?
expect "maps of arrays and maps verify with a reader schema (exit 0, no crash)" test "$rc" = 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
