"""Every bad input the program handles, with the exact message it gives. docs/bad-inputs.md
holds the same table; a test checks that every row here is documented there."""
import json
import os
import re
import struct

import pytest

from conftest import external, manifest_bytes, one_error_line, run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEAD = "127.0.0.1:1"  # nothing listens on port 1


def manifest(entries, cut=None, **overrides):
    """A manifest with a valid checksum; `cut` drops that many bytes from the end after it."""
    h = {"streamcheck_manifest": 1, "run_id": "other-run", "topic": "rel-bad", "data_format": "json",
         "message_count": 2, "seed": "1", "key_strategy": "sequence", "started_at_ms": 1, "entry_size": 32, "extra": {}}
    h.update(overrides)
    data = manifest_bytes(h, entries)
    return data[:-cut] if cut else data


def entry(partition=0, offset=0):
    return struct.pack("<iqQQI", partition, offset, 0, 0, 0)


def flipped(data, position):
    data = bytearray(data)
    data[position] ^= 0x01
    return bytes(data)


FILES = {
    "bad.json": b"{not json",
    "notmanifest": b"hello\n",
    "noheaderline": b"x",
    "v2.manifest": manifest([], streamcheck_manifest=2),
    "wrongtypes.manifest": manifest([], message_count="two"),
    "truncated.manifest": manifest([entry(), entry()], cut=22),
    "short.manifest": manifest([entry()]),
    "ok.manifest": manifest([entry(0, 0), entry(0, 1)]),
    "escape.manifest": manifest([entry(0, 0), entry(0, 1)], run_id="/../../../escaped/x"),
    "badtopic.manifest": manifest([entry(0, 0), entry(0, 1)], topic="a/b"),
    # A bit flipped in the second entry's offset (1 becomes 0): it still parses.
    "flipped.manifest": flipped(manifest([entry(0, 0), entry(0, 1)]), -32 + 4),
    "no-checksum.manifest": manifest([entry(0, 0), entry(0, 1)]).replace(b',"checksum":"', b',"unchecked":"'),
    "recursive.avsc": b'{"type":"record","name":"X","fields":[{"name":"a","type":"X"}]}',
    "fixed-negative.avsc": b'{"type":"fixed","name":"F","size":-1}',
    "fixed-huge.avsc": b'{"type":"fixed","name":"F","size":99999999999}',
    "dup-fields.avsc": b'{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"string"}]}',
    "bad-default.avsc": b'{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}',
    "null-null.avsc": b'["null","null"]',
}

# (id, what, argv | ("external", operation, raw stdin), expected text in the one stderr line, exit code)
CASES = [
    ("stdin-malformed", "external: stdin is not JSON", ("external", "produce", b'{"topic": '), "not valid JSON", 1),
    ("stdin-not-object", "external: stdin is a JSON array", ("external", "produce", b'["x"]'), "must be one JSON object of strings", 1),
    ("stdin-oversized", "external: stdin over 1 MiB", ("external", "produce", b" " * (1 << 20 + 1) + b"{}"), "limit", 1),
    ("stdin-wrong-type", "external: a number where a string is due", ("external", "produce", b'{"topic": 5}'),
     "query key 'topic' must be a string, got a number", 1),
    ("stdin-unknown-key", "external: an unknown query key", ("external", "produce", b'{"topic": "t", "bootstrap_servers": "x", "bogus": "1"}'),
     "unknown query key 'bogus'", 1),
    ("stdin-missing-key", "external: a required key missing", ("external", "lag", b'{"topic": "t", "bootstrap_servers": "x"}'),
     "missing required query key 'group_id'", 1),
    ("unknown-operation", "external: an operation that does not exist", ("external", "teleport", b"{}"), "unknown operation 'teleport'", 1),
    ("unknown-flag", "CLI: an unknown option", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--bogus", "1"],
     "unknown option '--bogus'; known options:", 1),
    ("wrong-type-integer", "an integer parameter given text", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--message-count", "abc"],
     "invalid value 'abc' for '--message-count': expected an integer from 1 to 10000000", 1),
    ("absurd-count", "a message count beyond 10,000,000", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--message-count", "99999999999"],
     "invalid value '99999999999' for '--message-count': expected an integer from 1 to 10000000", 1),
    ("zero-count", "a message count of 0", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--message-count", "0"],
     "invalid value '0' for '--message-count': expected an integer from 1 to 10000000", 1),
    ("absurd-members", "members out of range", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--members", "1000"],
     "invalid value '1000' for '--members': expected an integer from 1 to 64", 1),
    ("bad-duration", "a duration out of range", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--timeout", "0s"],
     "invalid value '0s' for '--timeout': expected a duration such as 30s, 500ms or 5m, from 500ms to 1h", 1),
    ("bad-choice", "a value outside a choice", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--from", "yesterday"],
     "invalid value 'yesterday' for '--from'", 1),
    ("bad-run-id", "a run id with spaces or symbols", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--run-id", "bad id!"],
     "invalid value for '--run-id': use 1 to 100 letters, digits, '-', '_' or '.'", 1),
    ("bad-key-strategy", "an unknown key strategy", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--key-strategy", "weird"],
     "invalid value 'weird' for '--key-strategy': expected none, sequence, random or field:<name>", 1),
    ("bad-kafka-property", "an unknown librdkafka property", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "-X", "nonsense.prop=1"],
     "invalid Kafka property 'nonsense.prop'", 1),
    ("secret-in-flag", "a secret property in -X / kafka_config", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "-X", "sasl.password=canary-flag"],
     "must not carry the secret property 'sasl.password': set the environment variable STREAMCHECK_KAFKA_SASL_PASSWORD instead", 1),
    ("schema-missing", "a schema file that does not exist", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--schema-file", "/nonexistent/schema.json"],
     "cannot read schema_file /nonexistent/schema.json: no such file or not readable", 1),
    ("schema-not-json", "a schema file that is not JSON", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--schema-file", "{bad.json}"],
     "is not valid JSON", 1),
    ("data-file-missing", "a data file that does not exist", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--data-file", "/nonexistent/data.jsonl"],
     "cannot read data_file /nonexistent/data.jsonl: no such file or not readable", 1),
    ("manifest-missing", "a manifest that does not exist", ["consume", "--bootstrap-servers", DEAD, "--manifest", "/nonexistent/x.manifest"],
     "cannot read manifest /nonexistent/x.manifest: no such file or not readable; pass the path produce wrote with --manifest", 1),
    ("manifest-not-manifest", "a file that is not a manifest", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{notmanifest}"],
     "is not a streamcheck manifest: its header is not JSON", 1),
    ("manifest-no-header", "a manifest without a header line", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{noheaderline}"],
     "is not a streamcheck manifest: no header line", 1),
    ("manifest-version", "a manifest of an unknown version", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{v2.manifest}"],
     "is not a streamcheck manifest: unknown header version; pass the file that produce wrote", 1),
    ("manifest-wrong-types", "a manifest header with wrong types", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{wrongtypes.manifest}"],
     "is not a streamcheck manifest: header fields missing or of the wrong type", 1),
    ("manifest-truncated", "a manifest cut inside an entry", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{truncated.manifest}"],
     "is truncated or damaged: header says 2 messages, file holds 1 and a partial entry; produce it again", 1),
    ("manifest-short", "a manifest with fewer entries than its header says", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{short.manifest}"],
     "is truncated or damaged: header says 2 messages, file holds 1; produce it again", 1),
    ("manifest-flipped-byte", "a manifest with one flipped bit (it would read as other facts)", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{flipped.manifest}"],
     "is damaged: its checksum does not match its content (a byte changed on disk or in transit); produce it again", 1),
    ("manifest-no-checksum", "a manifest without a checksum", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{no-checksum.manifest}"],
     "has no checksum: it was written by an older streamcheck, or by hand; produce it again", 1),
    ("leave-after-one-member", "leave_after with a single member", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--leave-after", "5"],
     "'--leave-after' needs '--members' of 2 or more", 1),
    ("join-after-one-member", "join_after with a single member", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--join-after", "5"],
     "'--join-after' needs '--members' of 2 or more", 1),
    ("background-no-handle", "consume --background without --handle", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--background"],
     "'--background' needs '--handle': the file a later collect reads", 1),
    ("collect-bad-handle", "consume --collect with a handle that is not one", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--collect", "--handle", "{bad.json}"],
     "cannot read consume handle", 1),
    ("fault-no-broker", "broker fault with no broker running", ["broker", "fault", "--state-dir", "/nonexistent/state", "--action", "broker-down"],
     "no embedded broker is running in state dir /nonexistent/state", 1),
    ("fault-missing-args", "broker fault request-errors without api key and code", ["broker", "fault", "--state-dir", "/nonexistent/state", "--action", "request-errors"],
     "action request-errors needs '--api-key' and '--error-code'", 1),
    ("unreachable-produce", "produce to a host where nothing listens", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--message-count", "3", "--timeout", "2s", "--manifest", "{out.manifest}"],
     "3 of 3 messages to 't' were not acknowledged: … (last broker error: 127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused", 1),
    ("unreachable-lag", "lag against a host where nothing listens", ["lag", "--bootstrap-servers", DEAD, "--group-id", "g", "--topic", "t", "--timeout", "2s"],
     "cannot read the lag of group 'g' on topic 't'", 1),
    ("expect-count-above-manifest", "consume --expect-count above what the manifest holds", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--expect-count", "3"],
     "'--expect-count' is 3 but the manifest holds only 2 acknowledged messages: that expectation can never be met", 1),
    ("unreachable-consume", "consume from a host where nothing listens", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--timeout", "2s"],
     "cannot read topic 'rel-bad' from Kafka at 127.0.0.1:1: cannot read metadata for topic 'rel-bad' within … nothing was verified", 1),
    ("background-early-no-topic", "consume --background before the manifest exists, without --topic", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{later.manifest}", "--background", "--handle", "{h.handle}"],
     "no manifest at", 1),
    ("expect-unknown-check", "--expect-failed-checks naming a check no operation has", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--expect-failed-checks", "no_loss"],
     "'--expect-failed-checks' names 'no_loss', which no operation checks", 1),
    ("expect-both", "--expect-failed-checks with --expect-error", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--expect-failed-checks", "loss", "--expect-error", "x"],
     "'--expect-failed-checks' and '--expect-error' contradict each other", 1),
    ("expected-error-missing", "--expect-error on an operation that fails otherwise", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{ok.manifest}", "--timeout", "1s", "--expect-error", "not acknowledged"],
     "(expected an error containing 'not acknowledged')", 1),
    ("topic-newline", "external: a newline in a topic name (it would forge a second stderr line)",
     ("external", "produce", b'{"bootstrap_servers": "127.0.0.1:1", "topic": "t\\nstreamcheck: error: forged"}'),
     "query key 'topic' holds a control character (byte 0x0a at position 2)", 1),
    ("topic-nul", "external: a NUL byte in a topic name", ("external", "produce", b'{"bootstrap_servers": "127.0.0.1:1", "topic": "orders\\u0000evil"}'),
     "query key 'topic' holds a control character (byte 0x00 at position 7)", 1),
    ("manifest-path-nul", "external: a NUL byte in a manifest path", ("external", "consume", b'{"bootstrap_servers": "127.0.0.1:1", "manifest": "a.manifest\\u0000.txt"}'),
     "query key 'manifest' holds a control character (byte 0x00 at position 11)", 1),
    ("topic-invalid-chars", "a topic name Kafka refuses", ["produce", "--bootstrap-servers", DEAD, "--topic", "orders/eu"],
     "invalid value 'orders/eu' for '--topic': expected a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ - (not . or ..)", 1),
    ("topic-too-long", "a topic name over 249 characters", ["produce", "--bootstrap-servers", DEAD, "--topic", "t" * 250],
     "expected a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ - (not . or ..)", 1),
    ("manifest-run-id-escapes", "a manifest whose run_id is a path (it would write outside --report-dir)", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{escape.manifest}"],
     "is not a streamcheck manifest: its run_id is not 1 to 100 letters, digits, '-', '_' or '.'", 1),
    ("manifest-bad-topic", "a manifest whose topic Kafka would refuse", ["consume", "--bootstrap-servers", DEAD, "--manifest", "{badtopic.manifest}"],
     "is not a streamcheck manifest: its topic is not a Kafka topic name", 1),
    ("external-no-operation", "external with no operation", ("external", "", b"{}"), "external: no operation given; operations:", 1),
    ("external-broker-run", "external broker run (it would never return)", ("external", "broker run", b"{}"),
     "external: broker run never returns, and Terraform would wait forever; use external broker start", 1),
    ("lag-timeout-named-as-given", "lag against a dead host names the bound as given", ["lag", "--bootstrap-servers", DEAD, "--group-id", "g", "--topic", "t", "--timeout", "3s"],
     "cannot read metadata for topic 't' within 3s", 1),
    ("bootstrap-twice", "-X bootstrap.servers beside --bootstrap-servers", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "-X", "bootstrap.servers=127.0.0.1:2"],
     "'--kafka-config' sets bootstrap.servers and '--bootstrap-servers' sets the brokers too: give them once", 1),
    ("data-and-schema-file", "JSON produce with both --data-file and --schema-file", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--data-file", "{bad.json}", "--schema-file", "{bad.json}"],
     "'--data-file' and '--schema-file' both say where JSON records come from: give one", 1),
    ("avro-recursive", "an Avro record that contains itself with no way out (crashed Avro C)",
     ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--data-format", "avro", "--schema-file", "{recursive.avsc}"],
     'is not a valid Avro schema: record "X" contains itself in every value, so no value of it can be written', 1),
    ("avro-fixed-negative", "an Avro fixed of size -1 (crashed Avro C)",
     ("external", "produce", b'{"bootstrap_servers": "127.0.0.1:1", "topic": "t", "data_format": "avro", "schema_file": "{fixed-negative.avsc}"}'),
     'fixed "F" has size -1: expected an integer from 0 to 1048576', 1),
    ("avro-fixed-huge", "an Avro fixed of size 99999999999 (crashed Avro C)",
     ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--data-format", "avro", "--schema-file", "{fixed-huge.avsc}"],
     'fixed "F" has size 99999999999: expected an integer from 0 to 1048576', 1),
    ("avro-duplicate-fields", "an Avro record with two fields of one name",
     ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--data-format", "avro", "--schema-file", "{dup-fields.avsc}"],
     'record "R" has two fields named "a"', 1),
    ("avro-bad-default", "an Avro default of the wrong type",
     ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--data-format", "avro", "--schema-file", "{bad-default.avsc}"],
     'field "a" of record "R": the default "x" does not fit its type int', 1),
    ("avro-union-twice", "an Avro union listing a type twice",
     ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--data-format", "avro", "--schema-file", "{null-null.avsc}"],
     'a union lists "null" twice; each type may appear once', 1),
    ("wrong-credentials", "SASL credentials against a cluster without SASL (the embedded broker)", "SASL", "Failed to initialize SASL authentication", 1),
    ("sasl-ssl-closed-port", "SASL_SSL to a closed port", ["produce", "--bootstrap-servers", DEAD, "--topic", "t", "--message-count", "1", "--timeout", "2s",
                                                          "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=PLAIN", "--manifest", "{out.manifest}"],
     "sasl_ssl://127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused", 1),
]

SECRET_ENV = {"STREAMCHECK_KAFKA_SASL_USERNAME": "canary-user", "STREAMCHECK_KAFKA_SASL_PASSWORD": "canary-badinput-pw"}


@pytest.fixture
def files(tmp_path):
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def fill(arg, files):
    return re.sub(r"\{([A-Za-z0-9_.-]+)\}", lambda m: str(files / m.group(1)), arg)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_one_clear_line(case, files, cluster):
    ident, _, how, expected, code = case
    if how == "SASL":
        proc = run("produce", "--bootstrap-servers", cluster.bootstrap, "--topic", "rel-bad", "--message-count", "1",
                   "--timeout", "3s", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN",
                   "--manifest", str(files / "out.manifest"), env=SECRET_ENV, timeout=60)
    elif isinstance(how, tuple):
        proc = external(how[1], raw=fill(how[2].decode(), files).encode(), env=SECRET_ENV, timeout=60)
    else:
        proc = run(*[fill(a, files) for a in how], env=SECRET_ENV, timeout=60)
    line = one_error_line(proc, code)
    # " … " stands for a part that varies (which of two equivalent librdkafka reasons came first).
    position = 0
    for piece in expected.split(" … "):
        found = line.find(piece, position)
        assert found >= 0, (piece, line)
        position = found + len(piece)
    assert line.startswith("streamcheck: error: "), line
    for secret in SECRET_ENV.values():
        assert secret not in proc.stderr.decode()
    assert "canary-flag" not in line


def test_a_failed_operation_leaves_no_half_written_result(files):
    target = files / "never.json"
    proc = run("consume", "--bootstrap-servers", DEAD, "--manifest", str(files / "truncated.manifest"), "--result-file", str(target))
    assert proc.returncode == 1 and not target.exists()


def test_a_manifest_from_another_run_counts_messages_as_foreign(cluster, tmp_path):
    """Messages of run A checked against the manifest of run B (same topic): none of A's
    messages is taken for B's; they are foreign, and B's are missing."""
    from conftest import consume, produce
    _, manifest_a = produce(cluster.bootstrap, "rel-foreign", 50, str(tmp_path), "run-a")
    _, manifest_b = produce(cluster.bootstrap, "rel-foreign-b", 30, str(tmp_path), "run-b")
    proc, r = consume(cluster.bootstrap, manifest_b, str(tmp_path), "cross", ["--topic", "rel-foreign", "--timeout", "10s"])
    assert proc.returncode == 2
    assert (r["messages_consumed"], r["foreign"], r["missing"], r["corrupted"]) == (0, 50, 30, 0)
    assert r["failed_checks"] == "count,loss"


def test_a_manifest_run_id_never_writes_outside_the_report_dir(files, tmp_path):
    report = tmp_path / "report"
    proc = run("consume", "--bootstrap-servers", DEAD, "--manifest", str(files / "escape.manifest"), "--report-dir", str(report))
    assert proc.returncode == 1
    escaped = [p for p in tmp_path.parent.rglob("*") if "escaped" in str(p)]
    assert not escaped, escaped
    for record in report.glob("*.json") if report.exists() else []:
        assert record.parent == report


def test_help_points_the_right_way_and_names_folders_as_folders():
    out = run("consume", "--help").stdout.decode() + run("consume", "--help").stderr.decode()
    assert "Parameters, as listed above." in out and "as listed below" not in out
    block = out[out.index("--report-dir / report_dir"):]
    assert "Allowed: a folder path." in block.split("--", 2)[1], block[:300]


def test_a_full_disk_says_no_space_left_and_leaves_nothing_half_written(cluster, tmp_path):
    """A 64 KiB tmpfs (root only, as CI runs) holds no manifest of 5,000 messages (160 KB)."""
    import subprocess as sp
    full = tmp_path / "full"
    full.mkdir()
    if sp.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(full)], capture_output=True).returncode != 0:
        import pytest as _pytest
        _pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        proc = run("produce", "--bootstrap-servers", cluster.bootstrap, "--topic", "rel-3p", "--message-count", "5000",
                   "--manifest", str(full / "m.manifest"))
        line = one_error_line(proc)
        assert "cannot write manifest" in line and "No space left on device" in line, line
        assert list(full.iterdir()) == [], "nothing half-written"
    finally:
        sp.run(["umount", str(full)], capture_output=True)


def test_every_row_is_documented():
    doc = open(os.path.join(ROOT, "docs", "bad-inputs.md"), encoding="utf-8").read()
    for ident, _, _, expected, _ in CASES:
        assert f"`{ident}`" in doc, ident
        assert expected.replace("|", "\\|") in doc, (ident, expected)


def test_a_stale_broker_json_never_gets_another_process_killed_or_trusted(tmp_path):
    """broker.json outlives a broker killed with SIGKILL (or a runner reboot); its PID may then
    belong to anything. `broker stop` must not signal that process, `broker start` must not
    call it "already running", and `broker fault` must not talk to it."""
    import subprocess as sp
    import time as _time
    state = tmp_path / "state"
    state.mkdir()
    bystander = sp.Popen(["sleep", "120"])
    try:
        stale = {"bootstrap_servers": "127.0.0.1:1", "pid": bystander.pid, "brokers": 1, "topics": [], "token": "0" * 32}
        (state / "broker.json").write_text(json.dumps(stale))
        proc = run("broker", "stop", "--state-dir", str(state))
        assert proc.returncode == 0 and "not this folder's broker" in proc.stderr.decode(), proc.stderr.decode()
        _time.sleep(0.3)
        assert bystander.poll() is None, "broker stop killed a process that was not its broker"

        state.mkdir(exist_ok=True)  # stop cleans the folder away
        (state / "broker.json").write_text(json.dumps(stale))
        line = one_error_line(run("broker", "fault", "--state-dir", str(state), "--action", "broker-down"))
        assert "no embedded broker is running in state dir" in line

        proc = run("broker", "start", "--state-dir", str(state), "--result-file", str(tmp_path / "start.json"))
        started = json.load(open(tmp_path / "start.json"))
        assert proc.returncode == 0 and started["already_running"] is False and started["pid"] != bystander.pid, proc.stderr.decode()
        assert run("broker", "stop", "--state-dir", str(state)).returncode == 0
        assert bystander.poll() is None
    finally:
        bystander.kill()


def topic_message_count(bootstrap, topic):
    """Messages on the topic, read by an independent client (kafka-python)."""
    import kafka
    consumer = kafka.KafkaConsumer(bootstrap_servers=bootstrap, api_version=(2, 5, 0))
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [kafka.TopicPartition(topic, p) for p in partitions]
        return sum(consumer.end_offsets(tps).values()) - sum(consumer.beginning_offsets(tps).values()) if tps else 0
    finally:
        consumer.close()


def test_produce_checks_it_can_keep_the_manifest_before_sending_anything(cluster, files):
    """A manifest path that cannot be written (here: under a regular file) is found out before
    the first message: nothing is sent that no manifest would record."""
    proc = run("produce", "--bootstrap-servers", cluster.bootstrap, "--topic", "rel-nomanifest", "--message-count", "200",
               "--manifest", str(files / "bad.json" / "m.manifest"))
    line = one_error_line(proc)
    assert "cannot write manifest" in line and "nothing was produced" in line, line
    assert topic_message_count(cluster.bootstrap, "rel-nomanifest") == 0


def test_sigterm_during_produce_writes_the_manifest_of_what_was_acknowledged(cluster, tmp_path):
    """A runner cancelling the job sends SIGTERM: produce stops, waits briefly for what is in
    flight, writes the manifest of what the broker acknowledged and says so; consume then
    verifies exactly those messages."""
    import signal
    import subprocess as sp
    import time as _time
    from conftest import BIN, consume
    manifest = tmp_path / "term.manifest"
    proc = sp.Popen([BIN, "produce", "--bootstrap-servers", cluster.bootstrap, "--topic", "rel-term", "--message-count", "100000",
                     "--rate", "2000", "--manifest", str(manifest), "--result-file", str(tmp_path / "term.json")],
                    stdout=sp.PIPE, stderr=sp.PIPE)
    _time.sleep(2.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    lines = [l for l in err.decode().splitlines() if l.startswith("streamcheck: error:")]
    assert proc.returncode == 1 and len(lines) == 1, err.decode()
    assert "interrupted by a termination signal after sending" in lines[0] and "records the" in lines[0], lines[0]
    produced = json.load(open(tmp_path / "term.json"))
    assert produced["interrupted"] is True and 0 < produced["messages_produced"] < 100000, produced
    _, verified = consume(cluster.bootstrap, str(manifest), str(tmp_path), "term-verify", ["--timeout", "30s"])
    assert (verified["messages_consumed"], verified["missing"]) == (produced["messages_produced"], 0), verified


def test_waits_against_a_dead_broker_are_bounded_by_the_timeout_whatever_the_partition_count(tmp_path):
    """consume and lag on 16 partitions whose broker went away: each ends within its --timeout
    plus a fixed margin (the watermarks of all partitions share one bound; they were probed one
    partition at a time, up to the timeout each: 16 x 5 s). A bound, not a speed figure."""
    import time as _time
    from conftest import produce, start_broker
    broker, _ = start_broker(1, ["rel-16p:16"])
    try:
        _, manifest = produce(broker.bootstrap, "rel-16p", 64, str(tmp_path), "p16")
    finally:
        run("broker", "stop", "--state-dir", broker.state, timeout=60)
    for argv in (["consume", "--manifest", manifest], ["lag", "--group-id", "g", "--topic", "rel-16p"]):
        started = _time.monotonic()
        proc = run(*argv, "--bootstrap-servers", broker.bootstrap, "--timeout", "3s", timeout=120)
        elapsed = _time.monotonic() - started
        one_error_line(proc)
        assert elapsed < 3 + 10, (argv[0], elapsed)


@pytest.fixture(scope="module")
def refusing_cluster():
    """A SASL listener that refuses every login as Apache Kafka does (tests/standins/
    kafka_sasl_standin.py, a stand-in: no Kafka broker with SASL runs here)."""
    import socket
    import subprocess
    import sys
    import time
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests/standins/kafka_sasl_standin.py"), str(port)],
                            stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


SASL = ["-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN"]
REFUSED = "the cluster refused the SASL login ("
REASON = "Authentication failed: Invalid username or password"
CHECK = "check STREAMCHECK_KAFKA_SASL_USERNAME and STREAMCHECK_KAFKA_SASL_PASSWORD (or their _FILE forms)"


def test_a_refused_login_stops_produce_with_the_reason(refusing_cluster, files):
    """Wrong, revoked or expired credentials: produce says the login was refused and why (not
    just that nothing was acknowledged), and waits no longer for an answer that cannot change."""
    proc = run("produce", "--bootstrap-servers", refusing_cluster, "--topic", "t", "--message-count", "100",
               "--timeout", "20s", *SASL, "--manifest", str(files / "refused.manifest"), env=SECRET_ENV, timeout=60)
    line = one_error_line(proc)
    assert REFUSED in line and REASON in line and CHECK in line, line
    assert "the manifest records the 0 that were" in line, line
    assert SECRET_ENV["STREAMCHECK_KAFKA_SASL_PASSWORD"] not in proc.stderr.decode()


def test_a_refused_login_stops_consume_with_nothing_verified(refusing_cluster, cluster, files):
    from conftest import produce
    _, manifest = produce(cluster.bootstrap, "rel-refused", 5, str(files), "refused")
    proc = run("consume", "--bootstrap-servers", refusing_cluster, "--topic", "rel-refused", "--manifest", manifest,
               "--timeout", "20s", *SASL, env=SECRET_ENV, timeout=60)
    line = one_error_line(proc)
    assert REFUSED in line and REASON in line and "nothing was verified" in line, line
    assert SECRET_ENV["STREAMCHECK_KAFKA_SASL_PASSWORD"] not in proc.stderr.decode()
