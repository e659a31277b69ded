"""Conformance of the Kafka Connect STAND-IN (kafka_connect_standin.py) with real Kafka Connect.

Each check drives the stand-in into a situation and compares its answer with a golden response
copied from Apache Kafka's source or docs (tests/fixtures/connect-golden/*.json; each names its
source file): same status code, same keys and JSON types, same message texts. The stand-in runs
without Kafka (bootstrap 127.0.0.1:1): an S3 sink task stays RUNNING without it (it only needs
Kafka to poll), a JDBC sink task pointed at a closed port FAILS with a trace.

Run: python3 -m pytest -q tests/standins
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from goldens import same_shape, substitute

HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "kafka_connect_standin.py")
GOLDEN = os.path.join(HERE, "..", "fixtures", "connect-golden")
S3_SINK = "io.confluent.connect.s3.S3SinkConnector"
JDBC_SINK = "io.confluent.connect.jdbc.JdbcSinkConnector"


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def connect():
    state = tempfile.mkdtemp(prefix="connect-conformance-")
    proc = subprocess.Popen([sys.executable, STANDIN, "--port", "0", "--state-dir", state, "--bootstrap-servers", "127.0.0.1:1"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(state, "connect.log"), "w"))
    path = os.path.join(state, "connect.json")
    for _ in range(100):
        if os.path.exists(path):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the stand-in did not start: " + open(os.path.join(state, "connect.log")).read())
    with open(path) as f:
        url = json.load(f)["connect_url"]
    yield Client(url)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:  # tasks stuck connecting to the absent Kafka
        proc.kill()
        proc.wait(5)


class Client:
    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None), dict(r.headers)
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, (json.loads(raw) if raw else None), dict(e.headers)

    def control(self, action, body):
        status, answer, _ = self.call("POST", "/__standin/" + action, body)
        assert status == 200, answer
        return answer

    def until(self, path, predicate, seconds=10):
        deadline = time.time() + seconds
        while True:
            status, body, _ = self.call("GET", path)
            if predicate(status, body) or time.time() > deadline:
                return status, body
            time.sleep(0.1)


def s3_sink(**extra):
    return dict({"connector.class": S3_SINK, "topics": "t", "s3.bucket.name": "b", "flush.size": "3",
                 "store.url": f"http://127.0.0.1:{closed_port()}"}, **extra)


def jdbc_sink():
    return {"connector.class": JDBC_SINK, "topics": "t", "connection.url": f"jdbc:postgresql://127.0.0.1:{closed_port()}/x"}


def golden(golden_name, **subs):
    with open(os.path.join(GOLDEN, golden_name + ".json")) as f:
        g = json.load(f)
    assert "_source" in g, f"{golden_name}.json must name its source"

    g["body"] = substitute(g["body"], subs)
    return g


def check(answer, golden_name, **subs):
    status, body = answer[0], answer[1]
    name = golden_name
    g = golden(golden_name, **subs)
    assert status == g["status"], f"{name}: status {status}, golden {g['status']} ({body})"
    if g["body"] is None:
        assert body is None, f"{name}: expected no body, got {body!r}"
        return body
    optional = set(g.get("optional", []))
    same_shape(g["body"], body, optional, maps=set(g.get("maps", [])), nullable=optional)
    for key in g.get("exact", []):
        want = g["body"][key]
        if "prefix" in g.get("_note", "") and key == "message":
            assert body[key].startswith(want), f"{name}: {body[key]!r} should start with {want!r}"
        else:
            assert body[key] == want, f"{name}: {key} {body[key]!r}, golden {want!r}"
    if "prefix" in g.get("_note", ""):
        assert body["message"].startswith(g["body"]["message"]), f"{name}: {body['message']!r}"
    return body


# ---------------------------------------------------------------------------------------------

def test_every_golden_names_its_source():
    names = [n for n in os.listdir(GOLDEN) if n.endswith(".json")]
    assert len(names) >= 20
    for n in names:
        with open(os.path.join(GOLDEN, n)) as f:
            g = json.load(f)
        assert g["_source"].strip() and "status" in g and "body" in g, n


def test_create_put_config_and_fresh_status(connect):
    connect.control("lags", {"fresh_status": 0.75, "config": 0, "restart": 0})
    status, body, headers = connect.call("PUT", "/connectors/conf-new/config", s3_sink())
    check((status, body), "put-config-201", name="conf-new")
    assert headers.get("Location") == "/connectors/conf-new"
    # Fresh: no status yet, but the connector exists.
    check(connect.call("GET", "/connectors/conf-new/status"), "status-404-fresh", name="conf-new")
    assert connect.call("GET", "/connectors/conf-new")[0] == 200
    status, body = connect.until("/connectors/conf-new/status", lambda s, b: s == 200 and b["tasks"] and b["tasks"][0]["state"] == "RUNNING")
    check((status, body), "status-running")
    assert "trace" not in body["connector"] and "trace" not in body["tasks"][0]
    check(connect.call("PUT", "/connectors/conf-new/config", s3_sink()), "put-config-200", name="conf-new")


def test_status_with_trace_restart_202_and_lag(connect):
    connect.control("lags", {"fresh_status": 0, "restart": 1.5})
    connect.call("PUT", "/connectors/conf-failing/config", jdbc_sink())
    status, body = connect.until("/connectors/conf-failing/status", lambda s, b: s == 200 and b["tasks"] and b["tasks"][0]["state"] == "FAILED")
    check((status, body), "status-with-trace", name="conf-failing")
    assert body["tasks"][0]["trace"]
    restarted = check(connect.call("POST", "/connectors/conf-failing/restart?includeTasks=true&onlyFailed=true"), "restart-202", name="conf-failing")
    assert restarted["tasks"][0]["state"] == "RESTARTING" and restarted["connector"]["state"] == "RUNNING"
    # The restart is asynchronous: GET status still shows the old FAILED for the lag.
    _, now, _ = connect.call("GET", "/connectors/conf-failing/status")
    assert now["tasks"][0]["state"] == "FAILED"


def test_config_change_lag_shows_old_state(connect):
    connect.control("lags", {"fresh_status": 0, "config": 1.5})
    connect.call("PUT", "/connectors/conf-lag/config", s3_sink())
    connect.until("/connectors/conf-lag/status", lambda s, b: s == 200 and b["tasks"] and b["tasks"][0]["state"] == "RUNNING")
    # A config whose tasks will fail (a JDBC sink): the old RUNNING shows for the lag...
    status, _, _ = connect.call("PUT", "/connectors/conf-lag/config", jdbc_sink())
    assert status == 200
    assert connect.call("GET", "/connectors/conf-lag/config")[1]["connector.class"] == JDBC_SINK
    assert connect.call("GET", "/connectors/conf-lag/status")[1]["tasks"][0]["state"] == "RUNNING"
    # ...then the new config's outcome.
    _, body = connect.until("/connectors/conf-lag/status", lambda s, b: b["tasks"] and b["tasks"][0]["state"] == "FAILED", seconds=20)
    assert body["tasks"][0]["state"] == "FAILED"


def test_404_texts_per_endpoint(connect):
    check(connect.call("GET", "/connectors/no-such"), "connector-404", name="no-such")
    check(connect.call("GET", "/connectors/no-such/config"), "connector-404", name="no-such")
    check(connect.call("GET", "/connectors/no-such/tasks"), "connector-404", name="no-such")
    check(connect.call("DELETE", "/connectors/no-such"), "connector-404", name="no-such")
    check(connect.call("GET", "/connectors/no-such/offsets"), "connector-404", name="no-such")
    check(connect.call("GET", "/connectors/no-such/status"), "status-404-fresh", name="no-such")
    check(connect.call("PUT", "/connectors/no-such/pause"), "pause-404", name="no-such")
    check(connect.call("PUT", "/connectors/no-such/resume"), "pause-404", name="no-such")
    check(connect.call("PUT", "/connectors/no-such/stop"), "pause-404", name="no-such")
    check(connect.call("POST", "/connectors/no-such/restart"), "restart-404", name="no-such")
    check(connect.call("POST", "/connectors/no-such/restart?includeTasks=true"), "restart-404", name="no-such")
    check(connect.call("GET", "/no-such-route"), "route-404")
    check(connect.call("POST", "/connectors/x/status"), "method-405")


def test_unknown_class_is_500_on_validate_and_put(connect):
    body = check(connect.call("PUT", "/connector-plugins/com.example.Nope/config/validate", {"connector.class": "com.example.Nope"}),
                 "unknown-class-500", **{"class": "com.example.Nope"})
    assert "io.confluent.connect.s3.S3SinkConnector" in body["message"]
    check(connect.call("PUT", "/connectors/conf-bad-class/config", {"connector.class": "com.example.Nope"}),
          "unknown-class-500", **{"class": "com.example.Nope"})
    assert connect.call("GET", "/connectors/conf-bad-class")[0] == 404


def test_validate_shape(connect):
    body = check(connect.call("PUT", f"/connector-plugins/{S3_SINK}/config/validate", s3_sink()), "validate")
    assert body["error_count"] == 0
    bad = connect.call("PUT", f"/connector-plugins/{S3_SINK}/config/validate", {"connector.class": S3_SINK, "topics": "t"})[1]
    assert bad["error_count"] >= 2


def test_rebalance_answers(connect):
    connect.control("lags", {"fresh_status": 0})
    connect.call("PUT", "/connectors/conf-reb/config", s3_sink())
    connect.control("rebalance", {"seconds": 30})
    try:
        for path in ("/connectors/conf-reb", "/connectors/conf-reb/config", "/connectors/conf-reb/tasks"):
            check(connect.call("GET", path), "rebalance-500")
        check(connect.call("PUT", "/connectors/conf-reb/config", s3_sink()), "conflict-409-no-leader")
        check(connect.call("PUT", "/connectors/conf-reb/stop"), "conflict-409-no-leader")
        check(connect.call("POST", "/connectors/conf-reb/restart?includeTasks=true"), "conflict-409-stale-config")
        check(connect.call("DELETE", "/connectors/conf-reb/offsets"), "conflict-409-stale-config")
        assert connect.call("GET", "/connectors/conf-reb/status")[0] == 200  # status never checks for a rebalance
        connect.control("rebalance", {"seconds": 30, "message": "conflicting-operation"})
        check(connect.call("DELETE", "/connectors/conf-reb"), "conflict-409-conflicting-operation")
        connect.control("conflict", {"seconds": 30})
        check(connect.call("GET", "/connectors/conf-reb/status"), "conflict-409-conflicting-operation")
    finally:
        connect.control("reset-faults", {})


def test_stop_and_offsets(connect):
    connect.control("lags", {"fresh_status": 0})
    connect.call("PUT", "/connectors/conf-off/config", s3_sink())
    connect.until("/connectors/conf-off/status", lambda s, b: s == 200 and b["connector"]["state"] == "RUNNING")
    check(connect.call("DELETE", "/connectors/conf-off/offsets"), "offsets-not-stopped-400", name="conf-off")
    check(connect.call("PUT", "/connectors/conf-off/stop"), "stop-204")
    check(connect.call("PATCH", "/connectors/conf-off/offsets", {"offsets": []}), "offsets-patch-empty-400")
    entry = {"partition": {"kafka_topic": "test", "kafka_partition": 0}, "offset": {"kafka_offset": 5}}
    check(connect.call("PATCH", "/connectors/conf-off/offsets", {"offsets": [entry]}), "offsets-patch")
    body = check(connect.call("GET", "/connectors/conf-off/offsets"), "offsets-get-sink")
    assert body["offsets"] == [entry]
    check(connect.call("DELETE", "/connectors/conf-off/offsets"), "offsets-delete")
    assert connect.call("GET", "/connectors/conf-off/offsets")[1] == {"offsets": []}


def test_older_connect_versions(connect):
    try:
        connect.control("connect-version", {"version": "3.4"})
        check(connect.call("PUT", "/connectors/x/stop"), "route-404")
        check(connect.call("GET", "/connectors/x/offsets"), "route-404")
        check(connect.call("DELETE", "/connectors/x/offsets"), "route-404")
        connect.control("connect-version", {"version": "3.5"})
        check(connect.call("PUT", "/connectors/x/stop"), "pause-404", name="x")
        check(connect.call("GET", "/connectors/x/offsets"), "connector-404", name="x")
        check(connect.call("PATCH", "/connectors/x/offsets", {"offsets": []}), "method-405")
        check(connect.call("DELETE", "/connectors/x/offsets"), "method-405")
    finally:
        connect.control("connect-version", {"version": "3.7"})


def test_cloud_config_adds_cloud_keys_and_masks_secrets(connect):
    connect.call("PUT", "/connectors/conf-cloud/config", s3_sink(**{"aws.secret.access.key": "s3cr3t"}))
    status, body, _ = connect.call("GET", "/connect/v1/environments/env-1/clusters/lkc-1/connectors/conf-cloud/config")
    assert status == 200
    for key in ("cloud.environment", "cloud.provider", "kafka.endpoint", "kafka.region"):
        assert body.get(key), key
    assert body["aws.secret.access.key"] == "****************"
    assert connect.call("GET", "/connectors/conf-cloud/config")[1]["aws.secret.access.key"] == "s3cr3t"
