"""The Schema Registry client against the registry STAND-IN (tests/standins/schema_registry_standin.py,
made as unkind as Confluent's and Karapace's own answers; no real registry can be installed here),
end to end on the embedded broker. Run by scripts/test.d/32-avro-corpus.sh.

Each test proves one promise of docs/avro.md:
  - a transient 50003 / 429 is retried inside the operation's timeout; the verdict is unchanged;
  - a registry that stays unavailable is an error (exit 1), never a schema_compliance failure;
  - read-only credentials: a refused registration (403) falls back to a lookup, and
    auto_register_schemas=false only looks up;
  - *_TRANSITIVE levels are checked against every version, with readable differences and never
    the whole old schema; 40901 (Confluent 8.0.4+) reads as incompatible, 42201 as invalid;
    Karapace's 404 for a new subject's compatibility check reads as compatible;
  - a writer schema with references decodes; a PROTOBUF schema id is "not an Avro schema";
  - schema ids are whatever the registry hands out (the stand-in starts at a random id).
What it cannot see: a real registry's timing, TLS with a private CA (only the refusal of an
unreadable CA file is checked), Confluent Cloud's rate limiter beyond its documented 429.
"""
import json
import os
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tftest" / "data" / "schemas" / "user-event.avsc"
BIN = os.environ.get("STREAMCHECK_BIN") or str(ROOT / ".build" / "release" / "streamcheck")


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    state = tmp_path_factory.mktemp("registry-broker")
    r = subprocess.run([BIN, "broker", "start", "--state-dir", str(state / "b")], capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    yield json.loads((state / "b" / "broker.json").read_text())["bootstrap_servers"]
    subprocess.run([BIN, "broker", "stop", "--state-dir", str(state / "b")], capture_output=True, timeout=60)


class Registry:
    def __init__(self, directory, env, port=0):
        self.out = directory / "registry.out"
        with open(self.out, "w") as out, open(directory / "registry.log", "w") as log:
            self.proc = subprocess.Popen([sys.executable, str(ROOT / "tests/standins/schema_registry_standin.py"), "--port", str(port)],
                                         stdout=out, stderr=log, env={**os.environ, **env})
        for _ in range(100):
            port = [l.split()[1] for l in self.out.read_text().splitlines() if l.startswith("PORT ")]
            if port:
                break
            time.sleep(0.1)
        assert port, (directory / "registry.log").read_text()
        self.url = f"http://127.0.0.1:{port[0]}"

    def call(self, method, path, body=None, auth=None):
        request = urllib.request.Request(self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
        if auth:
            import base64
            request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)

    def fault(self, **fault):
        self.call("POST", "/__standin/faults", fault)

    def requests(self, pattern):
        return [r for r in self.call("GET", "/__standin/requests") if pattern in f"{r['method']} {r['path']}"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def registry(tmp_path):
    made = []

    def start(port=0, **env):
        directory = tmp_path / f"r{len(made)}"
        directory.mkdir()
        made.append(Registry(directory, env, port))
        return made[-1]
    yield start
    for r in made:
        r.stop()


def run(*args, env=None, timeout=120):
    r = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
    return r.returncode, r.stderr.strip()


def produce(broker, reg, tmp_path, topic, schema=SCHEMA, count=20, extra=(), env=None):
    manifest, result = tmp_path / f"{topic}.manifest", tmp_path / f"{topic}.produce.json"
    rc, err = run("produce", "--bootstrap-servers", broker, "--topic", topic, "--data-format", "avro",
                  "--schema-file", str(schema), "--schema-registry-url", reg.url, "--message-count", str(count),
                  "--manifest", str(manifest), "--result-file", str(result), *extra, env=env)
    return rc, err, manifest, (json.loads(result.read_text()) if result.exists() else None)


def consume(broker, tmp_path, manifest, tag, extra=(), timeout="20s"):
    result = tmp_path / f"{tag}.consume.json"
    rc, err = run("consume", "--bootstrap-servers", broker, "--manifest", str(manifest), "--timeout", timeout,
                  "--result-file", str(result), *extra)
    return rc, err, (json.loads(result.read_text()) if result.exists() else None)


def check(result, name):
    return next(c for c in result["checks"] if c["name"] == name)


def reframe(broker, source, dest, schema_id):
    """Copies every message of `source` to `dest` (same partition, key, headers), its Confluent
    framing pointing at `schema_id` instead: the same bytes, written under another registered id."""
    consumer = KafkaConsumer(bootstrap_servers=broker, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
    consumer.topics()
    parts = [TopicPartition(source, p) for p in sorted(consumer.partitions_for_topic(source))]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    end = consumer.end_offsets(parts)
    messages = []
    deadline = time.time() + 30
    while any(consumer.position(tp) < end[tp] for tp in parts) and time.time() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            messages.extend(batch)
    consumer.close()
    producer = KafkaProducer(bootstrap_servers=broker, acks="all")
    for m in messages:
        value = b"\x00" + struct.pack(">I", schema_id) + m.value[5:]
        producer.send(dest, value=value, key=m.key, headers=list(m.headers), partition=m.partition)
    producer.flush()
    producer.close()
    return len(messages)


def test_ids_are_the_registrys_and_transient_fetch_errors_are_retried(broker, registry, tmp_path):
    reg = registry()
    rc, err, manifest, produced = produce(broker, reg, tmp_path, "retry-fetch")
    assert rc == 0, err
    latest = reg.call("GET", "/subjects/retry-fetch-value/versions/latest")
    assert produced["schema_id"] == latest["id"]
    reg.call("DELETE", "/__standin/requests")
    reg.fault(status=503, error_code=50003, count=2, match="GET /schemas/ids/")
    rc, err, result = consume(broker, tmp_path, manifest, "retry-fetch")
    assert rc == 0, err
    assert check(result, "schema_compliance")["passed"] and result["schema_violations"] == 0
    fetches = reg.requests("GET /schemas/ids/")
    assert [r["status"] for r in fetches] == [503, 503, 200]


def test_a_registry_that_stays_unavailable_is_an_error_not_a_violation(broker, registry, tmp_path):
    reg = registry()
    rc, err, manifest, _ = produce(broker, reg, tmp_path, "stays-down")
    assert rc == 0, err
    reg.fault(status=503, error_code=50003, count=10000, match="GET /schemas/ids/")
    rc, err, result = consume(broker, tmp_path, manifest, "stays-down", timeout="4s")
    assert rc == 1, err
    assert len(err.splitlines()) == 1 and "stayed unavailable" in err and "50003" in err and "nothing was concluded" in err
    assert result is None or check(result, "schema_compliance")["passed"] is not False
    assert len(reg.requests("GET /schemas/ids/")) >= 3


def test_produce_waits_out_a_429(broker, registry, tmp_path):
    reg = registry()
    reg.fault(status=429, error_code=429, count=1, match="POST /subjects/[^/]+/versions", retry_after=1)
    rc, err, _, produced = produce(broker, reg, tmp_path, "rate-limited", count=5)
    assert rc == 0, err
    assert produced["messages_produced"] == 5
    assert [r["status"] for r in reg.requests("/subjects/rate-limited-value/versions")] == [429, 200]


def test_read_only_credentials_look_the_schema_up(broker, registry, tmp_path):
    reg = registry(SCHEMA_REGISTRY_STANDIN_AUTH="writer:w-secret", SCHEMA_REGISTRY_STANDIN_READONLY_AUTH="reader:r-secret")
    writer = {"STREAMCHECK_SCHEMA_REGISTRY_USERNAME": "writer", "STREAMCHECK_SCHEMA_REGISTRY_PASSWORD": "w-secret"}
    reader = {"STREAMCHECK_SCHEMA_REGISTRY_USERNAME": "reader", "STREAMCHECK_SCHEMA_REGISTRY_PASSWORD": "r-secret"}
    rc, err, _, first = produce(broker, reg, tmp_path, "ro", count=3, env=writer)
    assert rc == 0, err
    rc, err, _, again = produce(broker, reg, tmp_path, "ro", count=3, env=reader)
    assert rc == 0, err
    assert again["schema_id"] == first["schema_id"]
    rc, err, _, looked = produce(broker, reg, tmp_path, "ro", count=3, env=reader, extra=("--auto-register-schemas", "false"))
    assert rc == 0, err
    assert looked["schema_id"] == first["schema_id"]
    assert not [r for r in reg.requests("POST /subjects/ro-value/versions") if r["status"] == 200][1:]
    rc, err, manifest, _ = produce(broker, reg, tmp_path, "ro-new", count=3, env=reader)
    assert rc == 1 and len(err.splitlines()) == 1 and "may only read" in err and "r-secret" not in err
    assert not manifest.exists()


V1 = {"type": "record", "name": "T", "fields": [{"name": "a", "type": "int"}]}
V2 = {"type": "record", "name": "T", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": "x"}]}
V3 = {"type": "record", "name": "T", "fields": [{"name": "b", "type": "string"}]}


@pytest.mark.parametrize("flavor", ["confluent", "karapace"])  # Karapace has no all-versions route
def test_transitive_levels_check_every_version(broker, registry, tmp_path, flavor):
    reg = registry(SCHEMA_REGISTRY_STANDIN_FLAVOR=flavor)
    for version in (V1, V2):
        reg.call("POST", "/subjects/trans-value/versions", {"schema": json.dumps(version)})
    v3 = tmp_path / "v3.avsc"
    v3.write_text(json.dumps(V3))
    reg.call("PUT", "/config/trans-value", {"compatibility": "BACKWARD_TRANSITIVE"})
    rc, err, manifest, _ = produce(broker, reg, tmp_path, "trans", schema=v3, count=3, extra=("--check-compatibility", "true"))
    assert rc == 1 and len(err.splitlines()) == 1, err
    assert "every version" in err and "BACKWARD_TRANSITIVE" in err
    # Confluent's verbose messages name the path, resolved to the field; Karapace's name the field.
    assert ("field 'b'" if flavor == "confluent" else ": b") in err
    assert "oldSchema" not in err and '"name":"a"' not in err
    assert not manifest.exists()
    # Under BACKWARD only the latest (V2, which has b) counts: compatible, produced.
    reg.call("PUT", "/config/trans-value", {"compatibility": "BACKWARD"})
    rc, err, _, _ = produce(broker, reg, tmp_path, "trans", schema=v3, count=3, extra=("--check-compatibility", "true"))
    assert rc == 0, err


def test_an_incompatible_registration_is_readable_on_confluent_8_0_4(broker, registry, tmp_path):
    reg = registry(SCHEMA_REGISTRY_STANDIN_FLAVOR="confluent-8.0.4")
    reg.call("POST", "/subjects/strict-value/versions", {"schema": json.dumps(V1)})
    changed = tmp_path / "changed.avsc"
    changed.write_text(json.dumps({"type": "record", "name": "T", "fields": [{"name": "a", "type": "string"}]}))
    rc, err, _, _ = produce(broker, reg, tmp_path, "strict", schema=changed, count=3)
    assert rc == 1 and len(err.splitlines()) == 1, err
    assert "incompatible" in err and "40901" in err and "field 'a'" in err and "oldSchema" not in err


def test_karapace_new_subject_is_compatible(broker, registry, tmp_path):
    reg = registry(SCHEMA_REGISTRY_STANDIN_FLAVOR="karapace")
    rc, err, _, produced = produce(broker, reg, tmp_path, "fresh", count=3, extra=("--check-compatibility", "true"))
    assert rc == 0, err
    assert produced["schema_id"] == reg.call("GET", "/subjects/fresh-value/versions/latest")["id"]


ADDRESS = {"type": "record", "name": "Address", "namespace": "com.acme",
           "fields": [{"name": "zip", "type": "string"}, {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["HOME", "WORK"]}}]}


def test_a_writer_schema_with_references_decodes(broker, registry, tmp_path):
    reg = registry()
    inline = {"type": "record", "name": "Order", "namespace": "com.shop",
              "fields": [{"name": "id", "type": "long"}, {"name": "ship", "type": ADDRESS}, {"name": "bill", "type": ["null", "com.acme.Address"]}]}
    by_reference = dict(inline, fields=[{"name": "id", "type": "long"}, {"name": "ship", "type": "com.acme.Address"},
                                        {"name": "bill", "type": ["null", "com.acme.Address"]}])
    schema = tmp_path / "order.avsc"
    schema.write_text(json.dumps(inline))
    rc, err, manifest, produced = produce(broker, reg, tmp_path, "orders-inline", schema=schema, count=20)
    assert rc == 0, err
    reg.call("POST", "/subjects/address/versions", {"schema": json.dumps(ADDRESS)})
    ref_id = reg.call("POST", "/subjects/orders-ref-value/versions", {
        "schema": json.dumps(by_reference), "references": [{"name": "com.acme.Address", "subject": "address", "version": 1}]})["id"]
    assert ref_id != produced["schema_id"]
    assert reframe(broker, "orders-inline", "orders-ref", ref_id) == 20
    rc, err, result = consume(broker, tmp_path, manifest, "orders-ref", extra=("--topic", "orders-ref"))
    assert rc == 0, err
    assert check(result, "schema_compliance")["passed"] and result["schema_id"] == ref_id


def test_a_protobuf_schema_id_is_not_an_avro_schema(broker, registry, tmp_path):
    reg = registry()
    rc, err, manifest, _ = produce(broker, reg, tmp_path, "avro-src", count=5)
    assert rc == 0, err
    proto_id = reg.call("POST", "/subjects/proto-value/versions", {
        "schemaType": "PROTOBUF", "schema": 'syntax = "proto3"; message M { string a = 1; }'})["id"]
    reframe(broker, "avro-src", "proto-framed", proto_id)
    rc, err, result = consume(broker, tmp_path, manifest, "proto", extra=("--topic", "proto-framed"), timeout="5s")
    assert rc == 2, err
    compliance = check(result, "schema_compliance")
    assert not compliance["passed"] and "PROTOBUF schema in the registry, not an Avro schema" in compliance["found"]


def test_an_unreadable_ca_file_is_one_line(broker, registry, tmp_path):
    reg = registry()
    rc, err, manifest, _ = produce(broker, reg, tmp_path, "ca", count=3,
                                   env={"STREAMCHECK_SCHEMA_REGISTRY_CA_FILE": str(tmp_path / "missing.pem")})
    assert rc == 1 and len(err.splitlines()) == 1 and "STREAMCHECK_SCHEMA_REGISTRY_CA_FILE" in err
    assert not manifest.exists()


def test_a_rotated_password_file_is_picked_up_by_the_next_operation(broker, registry, tmp_path):
    """Credential rotation: the secret lives in a file (STREAMCHECK_SCHEMA_REGISTRY_PASSWORD_FILE);
    the registry switches to a new password; the old one stops working, and rewriting the file
    is all it takes for the next produce to work again. The environment never changes."""
    secret = tmp_path / "registry-password"
    secret.write_text("old-password-1\n")
    env = {"STREAMCHECK_SCHEMA_REGISTRY_USERNAME": "ci", "STREAMCHECK_SCHEMA_REGISTRY_PASSWORD_FILE": str(secret)}
    old = registry(SCHEMA_REGISTRY_STANDIN_AUTH="ci:old-password-1")
    rc, err, _, _ = produce(broker, old, tmp_path, "rotating", count=3, env=env)
    assert rc == 0, err
    port = old.url.rsplit(":", 1)[1]
    old.stop()
    new = registry(port=port, SCHEMA_REGISTRY_STANDIN_AUTH="ci:new-password-2")
    assert new.url == old.url
    rc, err, _, _ = produce(broker, new, tmp_path, "rotating", count=3, env=env)
    assert rc == 1 and "401" in err and "old-password-1" not in err
    secret.write_text("new-password-2\n")
    rc, err, _, produced = produce(broker, new, tmp_path, "rotating", count=3, env=env)
    assert rc == 0, err
    assert produced["messages_produced"] == 3
