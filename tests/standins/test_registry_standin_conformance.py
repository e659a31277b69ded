"""Conformance of the Schema Registry STAND-IN (schema_registry_standin.py) with the real registry.

Each check drives the stand-in into a situation and compares its answer with a golden response
copied or assembled from the real source (tests/fixtures/registry-golden/*.json; each names its
source file and, when it is not the newest Confluent, the flavor it belongs to): same status,
same keys and JSON types, same texts where the golden lists them as exact. Then the stand-in's
own controls: the fault queue, the request log, the read-only user, flavors, references,
transitive checks, and schema ids that neither start at 1 nor depend on the subject.

Run: python3 -m pytest -q tests/standins
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

import pytest
from goldens import same_shape, substitute

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "schema_registry_standin.py")
GOLDEN = os.path.join(HERE, "..", "fixtures", "registry-golden")
USED = set()

T_LONG = '{"type":"record","name":"T","fields":[{"name":"a","type":"long"}]}'
T_STRING = '{"type":"record","name":"T","fields":[{"name":"a","type":"string"}]}'
T_INT = '{"type":"record","name":"T","fields":[{"name":"a","type":"int"}]}'
BAD = '{"type":"record","name":"R","fields":[{"name":"a","type":"strnig"}]}'
ADDRESS = '{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"}]}'
USER = '{"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"home","type":"com.acme.Address"}]}'
ADDRESS_REF = [{"name": "com.acme.Address", "subject": "address-value", "version": 1}]


class StandIn:
    def __init__(self, flavor=None, first_id=None, **env):
        self.dir = tempfile.mkdtemp(prefix="registry-conformance-")
        self.log_path = os.path.join(self.dir, "registry.log")
        environ = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMA_REGISTRY_STANDIN_")}
        if flavor:
            environ["SCHEMA_REGISTRY_STANDIN_FLAVOR"] = flavor
        if first_id is not None:
            environ["SCHEMA_REGISTRY_STANDIN_FIRST_ID"] = str(first_id)
        environ.update(env)
        self.flavor = flavor or "confluent"
        self.proc = subprocess.Popen([sys.executable, STANDIN, "--port", "0", "--state-file", os.path.join(self.dir, "registry.json")],
                                     stdout=subprocess.PIPE, stderr=open(self.log_path, "w"), text=True, env=environ)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            pytest.fail("the stand-in did not start: " + open(self.log_path).read())
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.auth = None
        self.n = 0

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def subject(self, stem="s"):
        self.n += 1
        return f"{stem}-{self.n}-value"

    def call(self, method, path, body=None, auth=..., timeout=30, raw=None):
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
        who = self.auth if auth is ... else auth
        if who:
            headers["Authorization"] = "Basic " + base64.b64encode(who.encode()).decode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                text = r.read()
                return r.status, (json.loads(text) if text else None), dict(r.headers)
        except urllib.error.HTTPError as e:
            text = e.read()
            return e.code, (json.loads(text) if text else None), dict(e.headers)

    def register(self, subject, schema, **extra):
        return self.call("POST", f"/subjects/{subject}/versions", dict({"schema": schema}, **extra))

    def control(self, method, what, body=None):
        status, answer, _ = self.call(method, "/__standin/" + what, body)
        assert status == 200, answer
        return answer


def start(flavor=None, **kw):
    return StandIn(flavor, **kw)


@pytest.fixture(scope="module")
def registry():
    s = start(first_id=4242)
    yield s
    s.close()


@pytest.fixture(scope="module")
def flavors():
    running = {}

    def get(name):
        if name not in running:
            running[name] = start(name, first_id=700)
        return running[name]
    yield get
    for s in running.values():
        s.close()


def guid(text, refs=()):
    md = hashlib.md5(text.encode(), usedforsecurity=False)
    for r in refs:
        md.update(r["name"].encode())
        md.update(r["subject"].encode())
        md.update(int(r["version"]).to_bytes(4, "big", signed=True))
    return str(uuid.UUID(bytes=md.digest()))


def golden(name, **subs):
    with open(os.path.join(GOLDEN, name + ".json")) as f:
        g = json.load(f)
    assert g["_source"].strip(), f"{name}.json must name its source"

    g["body"] = substitute(g["body"], subs)
    return g


def check(answer, name, standin=None, **subs):
    """The answer has the golden's status, shape and exact values; returns the body."""
    USED.add(name)
    status, body = answer[0], answer[1]
    g = golden(name, **subs)
    if standin is not None:
        assert g.get("flavor", "confluent") == standin.flavor, f"{name}.json is for flavor {g.get('flavor', 'confluent')}"
    assert status == g["status"], f"{name}: status {status}, golden {g['status']} ({body})"
    if isinstance(g["body"], dict):
        same_shape(g["body"], body, set(g.get("optional", [])))
        for key in g.get("exact", []):
            assert body[key] == g["body"][key], f"{name}: {key}\n  got    {body[key]!r}\n  golden {g['body'][key]!r}"
    else:
        assert body == g["body"], f"{name}: {body!r}"
    if len(answer) > 2:
        assert answer[2].get("Content-Type") == "application/vnd.schemaregistry.v1+json"
    return body


# ---------------------------------------------------------------------------------------------
# ids

def test_first_id_is_random_printed_and_ids_are_global():
    s = start()
    try:
        assert s.call("GET", "/subjects")[1] == []
        text = open(s.log_path).read()
        first = int(re.search(r"stand-in: first schema id (\d+)", text).group(1))
        assert 1000 <= first <= 99999
        a = s.register("a-value", T_LONG)[1]["id"]
        b = s.register("b-value", json.dumps(json.loads(T_LONG), indent=2))[1]["id"]  # same canonical schema
        assert a == b == first
        c = s.register("a-value", T_STRING.replace('"string"', '["long","null"]'))  # another schema: next id
        assert c[0] == 200 and c[1]["id"] == first + 1
        assert s.register("a-value", T_LONG)[1] == s.register("a-value", T_LONG)[1]  # re-register: same answer
        # The same text as JSON Schema is another schema (schemaType is part of the identity).
        j = s.register("j-value", '{"type":"string"}', schemaType="JSON")[1]["id"]
        v = s.register("v-value", '{"type":"string"}')[1]["id"]
        assert j != v and {j, v} == {first + 2, first + 3}
    finally:
        s.close()


def test_first_id_from_the_environment(registry):
    assert registry.register(registry.subject(), T_LONG)[1]["id"] == 4242


# ---------------------------------------------------------------------------------------------
# 404 / 422 texts

def test_not_found_and_invalid_texts(registry):
    r = registry
    s = r.subject()
    check(r.call("GET", f"/subjects/{s}/versions/1"), "subject-not-found-40401", subject=s)
    check(r.call("GET", f"/subjects/{s}/versions/latest"), "subject-not-found-40401", subject=s)
    check(r.call("GET", f"/subjects/{s}/versions"), "subject-not-found-40401", subject=s)
    check(r.call("POST", f"/subjects/{s}", {"schema": T_LONG}), "subject-not-found-40401", subject=s)
    check(r.call("DELETE", f"/subjects/{s}"), "subject-not-found-40401", subject=s)
    r.register(s, T_LONG)
    check(r.call("GET", f"/subjects/{s}/versions/5"), "version-not-found-40402", version=5)
    check(r.call("POST", f"/subjects/{s}", {"schema": T_STRING}), "lookup-schema-not-found-40403")
    check(r.call("GET", "/schemas/ids/7"), "schema-id-not-found-40403", id=7)
    check(r.call("GET", "/schemas/ids/abc"), "route-404")
    for bad in ("0", "-2", "abc"):
        check(r.call("GET", f"/subjects/{s}/versions/{bad}"), "invalid-version-42202", version=bad)
    check(r.call("GET", f"/config/{s}"), "config-not-configured-40408", subject=s)
    check(r.call("GET", "/no/such/route"), "route-404")
    check(r.call("PUT", f"/subjects/{s}/versions"), "method-405")


def test_invalid_schema_texts(flavors, registry):
    r = registry
    s = r.subject()
    check(r.register(s, BAD), "invalid-schema-42201", subject=s, guid=guid(BAD), schema=BAD)
    check(r.call("POST", f"/compatibility/subjects/{s}/versions/latest?verbose=true", {"schema": BAD}),
          "compat-invalid-schema-verbose", subject=s, guid=guid(BAD), schema=BAD)
    assert r.call("POST", f"/compatibility/subjects/{s}/versions/latest", {"schema": BAD})[0] == 422
    bad_default = '{"type":"record","name":"myrecord","fields":[{"type":"string","default":null,"name":"f"}]}'
    check(r.register(s, bad_default), "invalid-default-42201", subject=s, guid=guid(bad_default), schema=bad_default)
    for name in ("confluent-8.0.4", "confluent-7.4"):
        f = flavors(name)
        sub = f.subject()
        check(f.register(sub, BAD), "invalid-schema-42201-" + name, f, subject=sub, schema=BAD)
    # Without schema.validate.new.schemas (before 8.0.4) a bad default is accepted.
    assert flavors("confluent-8.0").register("bd-value", bad_default)[0] == 200


# ---------------------------------------------------------------------------------------------
# shapes of the successful answers, per flavor

def test_register_fetch_and_lookup_shapes_newest(registry):
    r = registry
    s = r.subject()
    body = check(r.register(s, T_LONG), "register-200", schema=T_LONG)
    assert body["guid"] == guid(T_LONG) and body["version"] == 1
    sid = body["id"]
    by_id = check(r.call("GET", f"/schemas/ids/{sid}"), "schema-by-id", schema=T_LONG)
    assert by_id["schema"] == T_LONG and by_id["guid"] == guid(T_LONG) and by_id["deleted"] is False
    version = check(r.call("GET", f"/subjects/{s}/versions/1"), "subject-version", subject=s, schema=T_LONG)
    assert version["id"] == sid
    found = check(r.call("POST", f"/subjects/{s}", {"schema": json.dumps(json.loads(T_LONG))}), "lookup-200", subject=s, schema=T_LONG)
    assert found["id"] == sid and found["version"] == 1
    assert r.call("GET", f"/subjects/{s}/versions/1/schema")[1] == json.loads(T_LONG)
    assert r.call("GET", f"/subjects/{s}/versions")[1] == [1]
    assert s in r.call("GET", "/subjects")[1]


def test_register_and_fetch_shapes_older_flavors(flavors):
    f74 = flavors("confluent-7.4")
    s = f74.subject()
    sid = check(f74.register(s, T_LONG), "register-200-confluent-7.4", f74)["id"]
    check(f74.call("GET", f"/schemas/ids/{sid}"), "schema-by-id-confluent-7.4", f74, schema=T_LONG)
    check(f74.call("GET", f"/subjects/{s}/versions/1"), "subject-version-confluent-7.4", f74, subject=s, schema=T_LONG)
    proto = 'syntax = "proto3";\nmessage M { string a = 1; }\n'
    pid = f74.register(f74.subject(), proto, schemaType="PROTOBUF")[1]["id"]
    check(f74.call("GET", f"/schemas/ids/{pid}"), "schema-by-id-protobuf-confluent-7.4", f74, schema=proto)
    f75 = flavors("confluent-7.5")
    s = f75.subject()
    check(f75.register(s, T_LONG), "register-200-confluent-7.5", f75, schema=T_LONG)
    # 8.0: schemaType always present, guid/ts/deleted added.
    f80 = flavors("confluent-8.0")
    s = f80.subject()
    sid = f80.register(s, T_LONG)[1]["id"]
    body = f80.call("GET", f"/schemas/ids/{sid}")[1]
    assert body["schemaType"] == "AVRO" and set(body) == {"guid", "schemaType", "schema", "ts", "deleted"}


def test_canonical_schema_text(registry):
    r = registry
    g = golden("canonical-schema")
    registered = g["_note"].split("registered text: ", 1)[1]
    s = r.subject()
    assert r.register(s, registered)[0] == 200
    check(r.call("GET", f"/subjects/{s}/versions/1"), "canonical-schema", subject=s)
    # The lookup matches on the canonical form, so whitespace and key order do not matter.
    assert r.call("POST", f"/subjects/{s}", {"schema": json.dumps(json.loads(registered), indent=4)})[0] == 200


# ---------------------------------------------------------------------------------------------
# compatibility

def test_incompatible_register_per_flavor(registry, flavors):
    s = registry.subject()
    registry.register(s, T_LONG)
    check(registry.register(s, T_STRING), "incompatible-40901", subject=s)
    for name, golden_name in (("confluent-8.0", "incompatible-409-confluent-8.0"),
                              ("confluent-7.4", "incompatible-409-confluent-7.4")):
        f = flavors(name)
        sub = f.subject()
        f.register(sub, T_LONG)
        check(f.register(sub, T_STRING), golden_name, f, subject=sub)
    f = flavors("confluent-8.0.4")
    sub = f.subject()
    f.register(sub, T_LONG)
    assert f.register(sub, T_STRING)[1]["error_code"] == 40901


VERBOSE_CASES = [
    ("compat-verbose-type-mismatch", T_LONG, T_STRING),
    ("compat-verbose-missing-default", T_LONG,
     '{"type":"record","name":"T","fields":[{"name":"a","type":"long"},{"name":"x","type":"string"}]}'),
    ("compat-verbose-missing-union-branch", '{"type":"record","name":"T","fields":[{"name":"a","type":["null","string","int"]}]}',
     '{"type":"record","name":"T","fields":[{"name":"a","type":["null","string"]}]}'),
    ("compat-verbose-missing-enum-symbols",
     '{"type":"record","name":"T","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}}]}',
     '{"type":"record","name":"T","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]}'),
    ("compat-verbose-name-mismatch", T_LONG, '{"type":"record","name":"U","fields":[{"name":"a","type":"long"}]}'),
    ("compat-verbose-fixed-size", '{"type":"record","name":"T","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":8}}]}',
     '{"type":"record","name":"T","fields":[{"name":"f","type":{"type":"fixed","name":"F","size":16}}]}'),
]


@pytest.mark.parametrize("name,old,new", VERBOSE_CASES, ids=[c[0] for c in VERBOSE_CASES])
def test_verbose_messages_per_error_type(registry, name, old, new):
    s = registry.subject()
    assert registry.register(s, old)[0] == 200
    check(registry.call("POST", f"/compatibility/subjects/{s}/versions/latest?verbose=true", {"schema": new}), name)
    check(registry.call("POST", f"/compatibility/subjects/{s}/versions/1?verbose=true", {"schema": new}), name)
    check(registry.call("POST", f"/compatibility/subjects/{s}/versions?verbose=true", {"schema": new}), name)
    check(registry.call("POST", f"/compatibility/subjects/{s}/versions/latest", {"schema": new}), "compat-not-verbose")
    check(registry.call("POST", f"/compatibility/subjects/{s}/versions/latest?verbose=true", {"schema": old}), "compat-verbose-compatible")


def test_compatibility_against_a_new_subject(registry, flavors):
    s = registry.subject()
    check(registry.call("POST", f"/compatibility/subjects/{s}/versions/latest", {"schema": T_LONG}), "compat-new-subject")
    check(registry.call("POST", f"/compatibility/subjects/{s}/versions/1", {"schema": T_LONG}), "version-not-found-40402", version=1)
    check(registry.call("POST", f"/compatibility/subjects/{s}/versions?verbose=true", {"schema": T_LONG}), "compat-verbose-compatible")
    for name in ("confluent-7.4", "confluent-8.0"):
        f = flavors(name)
        assert f.call("POST", f"/compatibility/subjects/{f.subject()}/versions/latest", {"schema": T_LONG})[:2] == (200, {"is_compatible": True})
    k = flavors("karapace")
    check(k.call("POST", f"/compatibility/subjects/{k.subject()}/versions/latest", {"schema": T_LONG}), "karapace-compat-new-subject", k)


def test_transitive_levels(registry):
    """core/src/test/.../rest/RestApiTest.java testIncompatibleSchemaBySubject, FORWARD_TRANSITIVE."""
    r = registry
    s = r.subject()
    f1f2 = '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},{"type":"string","name":"f2"}]}'
    f1 = '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"}]}'
    f1f3 = '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"},{"type":"string","name":"f3"}]}'
    assert r.register(s, f1f2)[0] == 200 and r.register(s, f1)[0] == 200
    check(r.call("PUT", f"/config/{s}", {"compatibility": "FORWARD_TRANSITIVE"}), "config-put-200", level="FORWARD_TRANSITIVE")
    # Against one version (latest) the transitive level still checks only that version...
    assert r.call("POST", f"/compatibility/subjects/{s}/versions/latest", {"schema": f1f3})[1] == {"is_compatible": True}
    # ...against the subject it checks every version, and so does registration.
    assert r.call("POST", f"/compatibility/subjects/{s}/versions", {"schema": f1f3})[1] == {"is_compatible": False}
    answer = r.register(s, f1f3)
    assert answer[0] == 409 and answer[1]["error_code"] == 40901
    assert "{oldSchemaVersion: 1}" in answer[1]["message"] and "compatibility: 'FORWARD_TRANSITIVE'" in answer[1]["message"]
    assert "The field 'f2' at path '/fields/1' in the old schema has no default value and is missing in the new schema" in answer[1]["message"]
    # FORWARD (not transitive) accepts it: only the latest version counts.
    r.call("PUT", f"/config/{s}", {"compatibility": "forward"})
    assert r.register(s, f1f3)[0] == 200
    # BACKWARD_TRANSITIVE: fine against the latest version, not against version 1 (named in the 409).
    s2 = r.subject()
    r.call("PUT", f"/config/{s2}", {"compatibility": "BACKWARD_TRANSITIVE"})
    b_default = '{"type":"record","name":"T","fields":[{"name":"a","type":"long"},{"name":"b","type":"string","default":"x"}]}'
    b_required = '{"type":"record","name":"T","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]}'
    assert r.register(s2, T_LONG)[0] == 200 and r.register(s2, b_default)[0] == 200
    assert r.call("POST", f"/compatibility/subjects/{s2}/versions/latest", {"schema": b_required})[1] == {"is_compatible": True}
    back = r.register(s2, b_required)
    assert back[0] == 409 and "{oldSchemaVersion: 1}" in back[1]["message"]
    assert "The field 'b' at path '/fields/1' in the new schema has no default value" in back[1]["message"]
    # Registering a schema the subject already has returns it, without any check.
    assert r.register(s2, T_LONG)[1]["version"] == 1
    r.call("PUT", f"/config/{s2}", {"compatibility": "BACKWARD"})
    assert r.register(s2, b_required)[1]["version"] == 3


def test_levels_and_config(registry):
    r = registry
    check(r.call("GET", "/config"), "config-get-200", level="BACKWARD")
    s = r.subject()
    for level in ("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"):
        check(r.call("PUT", f"/config/{s}", {"compatibility": level.lower()}), "config-put-200", level=level)
        check(r.call("GET", f"/config/{s}"), "config-get-200", level=level)
    check(r.call("PUT", f"/config/{s}", {"compatibility": "SIDEWAYS"}), "invalid-compatibility-42203")
    check(r.call("PUT", "/config", {"compatibility": "SIDEWAYS"}), "invalid-compatibility-42203")
    other = r.subject()
    check(r.call("GET", f"/config/{other}"), "config-not-configured-40408", subject=other)
    check(r.call("GET", f"/config/{other}?defaultToGlobal=true"), "config-get-200", level="BACKWARD")
    # FULL checks both directions: a new optional field with a default passes, a removed one without does not.
    s3 = r.subject()
    r.call("PUT", f"/config/{s3}", {"compatibility": "FULL"})
    assert r.register(s3, T_LONG)[0] == 200
    with_default = '{"type":"record","name":"T","fields":[{"name":"a","type":"long"},{"name":"b","type":"int","default":0}]}'
    assert r.register(s3, with_default)[0] == 200
    full = r.call("POST", f"/compatibility/subjects/{s3}/versions/latest?verbose=true", {"schema": T_INT})[1]
    assert full["is_compatible"] is False and full["messages"][-1] == "{validateFields: 'false', compatibility: 'FULL'}"
    # NONE accepts anything; the global level applies to subjects without their own.
    check(r.call("PUT", f"/config/{s3}", {"compatibility": "NONE"}), "config-put-200", level="NONE")
    assert r.register(s3, T_STRING)[0] == 200
    check(r.call("DELETE", f"/config/{s3}"), "config-get-200", level="NONE")
    check(r.call("DELETE", f"/config/{s3}"), "subject-not-found-40401", subject=s3)


# ---------------------------------------------------------------------------------------------
# references, schema types, deletes

def test_references(registry):
    r = registry
    assert r.register("address-value", ADDRESS)[0] == 200
    user = r.register("user-value", USER, references=ADDRESS_REF)
    assert user[0] == 200 and user[1]["references"] == ADDRESS_REF
    v = check(r.call("GET", "/subjects/user-value/versions/1"), "subject-version-with-references")
    by_id = r.call("GET", f"/schemas/ids/{v['id']}")[1]
    assert by_id["references"] == ADDRESS_REF and by_id["schema"] == v["schema"]
    assert v["guid"] == guid(v["schema"], ADDRESS_REF)
    found = r.call("POST", "/subjects/user-value", {"schema": USER, "references": ADDRESS_REF})
    assert found[0] == 200 and found[1]["id"] == v["id"] and found[1]["references"] == ADDRESS_REF
    # "version": -1 means the latest and is stored as the number it resolved to.
    again = r.register("user2-value", USER, references=[dict(ADDRESS_REF[0], version=-1)])
    assert again[1]["references"] == ADDRESS_REF and again[1]["id"] == v["id"]
    # Without the reference the type is unknown; with a missing version the reference is.
    s = r.subject()
    assert r.register(s, USER)[1]["message"].endswith("details: Undefined schema: com.acme.Address")
    missing = [dict(ADDRESS_REF[0], version=7)]
    check(r.register(s, USER, references=missing), "missing-reference-42201", subject=s, schema=USER, guid=guid(USER, missing))
    check(r.call("DELETE", "/subjects/address-value"), "reference-exists-42206", subject="address-value", version=1)


def test_schema_types(registry):
    r = registry
    s = r.subject()
    proto = 'syntax = "proto3";\npackage acme;\nmessage M { string a = 1; }\n'
    answer = r.register(s, proto, schemaType="PROTOBUF")[1]
    assert answer["schemaType"] == "PROTOBUF" and answer["schema"] == proto
    by_id = r.call("GET", f"/schemas/ids/{answer['id']}")[1]
    assert by_id["schemaType"] == "PROTOBUF" and by_id["schema"] == proto
    j = r.subject()
    js = r.register(j, '{ "type": "object", "properties": {"a": {"type": "string"}} }', schemaType="JSON")[1]
    assert js["schemaType"] == "JSON" and js["schema"] == '{"type":"object","properties":{"a":{"type":"string"}}}'
    assert r.call("GET", f"/subjects/{j}/versions/1")[1]["schemaType"] == "JSON"
    # Another type in the same subject: SchemaValidatorBuilder's "different schema type".
    mixed = r.call("POST", f"/compatibility/subjects/{s}/versions/latest?verbose=true", {"schema": T_LONG})[1]
    assert mixed == {"is_compatible": False, "messages": ["Incompatible because of different schema type",
                                                         "{validateFields: 'false', compatibility: 'BACKWARD'}"]}
    bad_type = r.register(r.subject(), T_LONG, schemaType="AVROO")
    assert bad_type[:2] == (422, {"error_code": 42201, "message": "Invalid schema type AVROO"})


def test_deletes(registry):
    r = registry
    s = r.subject()
    r.register(s, T_LONG)
    check(r.call("DELETE", f"/subjects/{s}?permanent=true"), "subject-not-soft-deleted-40405", subject=s)
    assert r.call("DELETE", f"/subjects/{s}")[:2] == (200, [1])
    check(r.call("DELETE", f"/subjects/{s}"), "subject-soft-deleted-40404", subject=s)
    check(r.call("GET", f"/subjects/{s}/versions/1"), "subject-not-found-40401", subject=s)
    assert s not in r.call("GET", "/subjects")[1] and s in r.call("GET", "/subjects?deleted=true")[1]
    assert r.call("DELETE", f"/subjects/{s}?permanent=true")[:2] == (200, [1])


# ---------------------------------------------------------------------------------------------
# the control API: faults and the request log

def test_faults_queue_in_order_and_default_texts(registry):
    r = registry
    s = r.subject()
    r.control("DELETE", "faults")
    r.control("POST", "faults", {"status": 503, "error_code": 50003, "count": 2, "match": "^POST /subjects/[^/]+/versions$"})
    r.control("POST", "faults", {"status": 429})
    assert len(r.control("GET", "faults")["faults"]) == 2
    # Not matching the first fault: the GET gets the second one (429)...
    check(r.call("GET", "/subjects"), "fault-429")
    for _ in range(2):
        status, body, _ = r.register(s, T_LONG)
        g = golden("fault-50003")
        assert status == 503 and body == g["body"]
    USED.add("fault-50003")
    assert r.register(s, T_LONG)[0] == 200
    r.control("POST", "faults", {"status": 500, "error_code": 50001})
    check(r.register(s, T_LONG), "fault-50001")
    r.control("POST", "faults", {"status": 500, "error_code": 50002})
    check(r.register(s, T_LONG), "fault-50002")
    r.control("POST", "faults", {"status": 500, "error_code": 50003})
    check(r.call("PUT", "/config", {"compatibility": "BACKWARD"}), "fault-50003-config")
    r.control("POST", "faults", {"status": 502, "error_code": 50003, "message": "upstream says no", "retry_after": 3})
    status, body, headers = r.call("GET", "/subjects")
    assert (status, body, headers.get("Retry-After")) == (502, {"error_code": 50003, "message": "upstream says no"}, "3")
    r.control("POST", "faults", {"status": 503, "count": 5})
    r.control("DELETE", "faults")
    assert r.call("GET", "/subjects")[0] == 200
    assert r.call("POST", "/__standin/faults", {"count": 1})[0] == 400


def test_hang_then_answer_and_request_log(registry):
    r = registry
    r.control("DELETE", "requests")
    r.control("POST", "faults", {"hang_seconds": 1.5, "match": "^GET /subjects$"})
    with pytest.raises(OSError):  # socket.timeout / URLError: the client gave up
        r.call("GET", "/subjects?deleted=true", timeout=0.5)
    started = time.time()
    assert r.call("GET", "/subjects")[0] == 200 and time.time() - started < 1.0  # the fault was used up
    time.sleep(1.2)
    r.control("POST", "faults", {"status": 503, "error_code": 50003, "count": 2})
    r.call("POST", "/subjects/x/versions", {"schema": T_LONG})
    r.call("POST", "/subjects/x/versions", {"schema": T_LONG})
    r.call("POST", "/subjects/x/versions", {"schema": T_LONG})
    log = r.control("GET", "requests")
    # The log is in answer order: the held request was answered (normally) after the next one.
    assert log == [{"method": "GET", "path": "/subjects", "status": 200},
                   {"method": "GET", "path": "/subjects?deleted=true", "status": 200},
                   {"method": "POST", "path": "/subjects/x/versions", "status": 503},
                   {"method": "POST", "path": "/subjects/x/versions", "status": 503},
                   {"method": "POST", "path": "/subjects/x/versions", "status": 200}]
    assert r.control("DELETE", "requests") == [] and r.control("GET", "requests") == []


# ---------------------------------------------------------------------------------------------
# users

def test_read_only_user_confluent():
    s = start(first_id=10, SCHEMA_REGISTRY_STANDIN_AUTH="ci:pw", SCHEMA_REGISTRY_STANDIN_READONLY_AUTH="reader:rpw")
    try:
        check(s.call("GET", "/subjects", auth=None), "unauthorized-401")
        check(s.call("GET", "/subjects", auth="ci:wrong"), "unauthorized-401")
        s.auth = "ci:pw"
        assert s.register("ro-value", T_LONG)[0] == 200
        s.auth = "reader:rpw"
        assert s.call("GET", "/subjects")[1] == ["ro-value"]
        assert s.call("GET", "/schemas/ids/10")[0] == 200
        assert s.call("GET", "/subjects/ro-value/versions/latest")[0] == 200
        assert s.call("POST", "/subjects/ro-value", {"schema": T_LONG})[0] == 200
        assert s.call("GET", "/config")[0] == 200 and s.call("GET", "/config/ro-value?defaultToGlobal=true")[0] == 200
        check(s.register("ro-value", T_STRING), "readonly-denied-40301", subject="ro-value")
        check(s.register("new-value", T_LONG), "readonly-denied-40301", subject="new-value")
        # Compatibility checks need SUBJECT_WRITE on a real RBAC/ACL registry (see the golden's source).
        check(s.call("POST", "/compatibility/subjects/ro-value/versions/latest", {"schema": T_LONG}), "readonly-denied-40301", subject="ro-value")
        denied = s.call("PUT", "/config/ro-value", {"compatibility": "NONE"})
        assert denied[0] == 403 and denied[1]["error_code"] == 40301
        assert s.call("PUT", "/config", {"compatibility": "NONE"})[0] == 403
        assert s.call("DELETE", "/subjects/ro-value")[1] == {"error_code": 40301, "message": "User is denied operation Delete on Subject: ro-value"}
        s.auth = "ci:pw"
        assert s.call("PUT", "/config/ro-value", {"compatibility": "NONE"})[0] == 200
    finally:
        s.close()


def test_read_only_user_karapace():
    k = start("karapace", first_id=1, SCHEMA_REGISTRY_STANDIN_READONLY_AUTH="reader:rpw", SCHEMA_REGISTRY_STANDIN_AUTH="ci:pw")
    try:
        check(k.call("GET", "/subjects", auth=None), "karapace-unauthorized-401", k)
        k.auth = "ci:pw"
        k.register("ro-value", T_LONG)
        k.auth = "reader:rpw"
        check(k.register("ro-value", T_STRING), "karapace-readonly-write-404", k, subject="ro-value")
        check(k.call("PUT", "/config", {"compatibility": "NONE"}), "karapace-readonly-config-403", k)
        assert k.call("POST", "/compatibility/subjects/ro-value/versions/latest", {"schema": T_LONG})[:2] == (200, {"is_compatible": True})
    finally:
        k.close()


# ---------------------------------------------------------------------------------------------
# Karapace

def test_karapace_answers(flavors):
    k = flavors("karapace")
    s = k.subject()
    old = '{"type":"record","name":"T","fields":[{"name":"age","type":"int"}]}'
    check(k.register(s, old), "karapace-register-200", k)
    check(k.call("POST", f"/compatibility/subjects/{s}/versions/latest", {"schema": old.replace('"int"', '"long"')}),
          "karapace-compat-compatible", k)
    check(k.call("POST", f"/compatibility/subjects/{s}/versions/latest", {"schema": old.replace('"int"', '"string"')}),
          "karapace-compat-incompatible", k)
    stored = json.dumps(json.loads(old), sort_keys=True, separators=(",", ":"))
    check(k.call("GET", f"/subjects/{s}/versions/1"), "karapace-subject-version", k, subject=s, schema=stored)
    s2 = k.subject()
    k.register(s2, T_LONG)
    check(k.register(s2, T_STRING), "karapace-incompatible-409", k)
    check(k.call("GET", "/schemas/ids/99999"), "karapace-schema-id-not-found", k)
    k.control("POST", "faults", {"status": 500, "error_code": 50003})
    check(k.register(s2, T_LONG), "karapace-50003", k)
    assert k.call("POST", f"/compatibility/subjects/{s}/versions", {"schema": old})[:2] == (404, "Not Found")


# ---------------------------------------------------------------------------------------------

def test_state_file_and_control_state(registry):
    with open(os.path.join(registry.dir, "registry.json")) as f:
        state = json.load(f)
    assert state["port"] == registry.port and state["url"] == registry.url and state["pid"] == registry.proc.pid
    info = registry.control("GET", "state")
    assert info["flavor"] == "confluent" and info["first_id"] == 4242


def test_every_golden_names_its_source_and_is_used():
    names = sorted(n[:-5] for n in os.listdir(GOLDEN) if n.endswith(".json"))
    assert len(names) >= 40
    for n in names:
        with open(os.path.join(GOLDEN, n + ".json")) as f:
            g = json.load(f)
        assert g["_source"].strip() and "status" in g and "body" in g, n
        assert g.get("flavor", "confluent") in ("confluent", "confluent-8.0.4", "confluent-8.0", "confluent-7.5",
                                                "confluent-7.4", "karapace"), n
    with open(os.path.join(GOLDEN, "README.md")) as f:
        readme = f.read()
    assert [n for n in names if f"`{n}.json`" not in readme] == []
    if len(USED) > 20:  # the whole file ran: every golden is checked somewhere
        assert sorted(set(names) - USED) == []
