"""The external data source protocol and the CLI, driven through the real binary."""
import json
import os
import tempfile

import pytest

from conftest import cli, external, flat


def one_error_line(proc):
    assert proc.returncode != 0
    assert proc.stdout == b"", "nothing may reach stdout on error"
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("stdin,expected", [
    (b'{"state_dir": 5}', "query key 'state_dir' must be a string, got a number"),
    (b'{"state_dir": "x", "bogus": "1"}', "unknown query key 'bogus'"),
    (b'{"state_dir": ', "not valid JSON"),
    (b'["x"]', "must be one JSON object of strings"),
    (b'{}', "missing required query key 'state_dir'"),
    (b'{"state_dir": "/tmp/x", "brokers": "99"}', "invalid value '99' for 'brokers': expected an integer from 1 to 9"),
])
def test_bad_queries_get_one_clear_line(stdin, expected):
    line = one_error_line(external("broker start", None, raw_stdin=stdin))
    assert expected in line, line


def test_oversized_stdin_is_refused():
    line = one_error_line(external("broker start", None, raw_stdin=b" " * (1 << 20 + 1) + b"{}"))
    assert "limit" in line


def test_unknown_operation():
    line = one_error_line(external("teleport", {}))
    assert "unknown operation 'teleport'" in line


def test_secret_properties_are_refused_with_the_variable_to_use(broker):
    bootstrap, _ = broker
    proc = external("produce", {"bootstrap_servers": bootstrap, "topic": "cli-orders",
                                "kafka_config": json.dumps({"sasl.password": "hunter2-canary"})})
    line = one_error_line(proc)
    assert "STREAMCHECK_KAFKA_SASL_PASSWORD" in line
    assert "hunter2-canary" not in proc.stderr.decode()
    proc = cli("produce", "--bootstrap-servers", bootstrap, "--topic", "cli-orders", "-X", "ssl.key.password=canary-2")
    line = one_error_line(proc)
    assert "STREAMCHECK_KAFKA_SSL_KEY_PASSWORD" in line and "canary-2" not in line


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_broker_start_twice_reports_the_running_broker(broker):
    bootstrap, state = broker
    again = flat(external("broker start", {"state_dir": state}))
    assert again["already_running"] == "true"
    assert again["bootstrap_servers"] == bootstrap


def test_broker_stop_is_safe_twice():
    state = tempfile.mkdtemp(prefix="sc-cli-stop-")
    started = flat(external("broker start", {"state_dir": state}))
    pid = int(started["pid"])
    assert flat(external("broker stop", {"state_dir": state}))["stopped"] == "true"
    assert not alive(pid), "the broker process is gone"
    assert not os.path.exists(state), "stop cleans the state dir"
    assert flat(external("broker stop", {"state_dir": state}))["stopped"] == "false"


def test_produce_and_consume_through_the_external_protocol(broker, tmp_path):
    bootstrap, _ = broker
    manifest = str(tmp_path / "run.manifest")
    handle = str(tmp_path / "run.handle")
    # The consumer starts first (the manifest is not written yet), so the SLA is judged on the
    # real produce -> consume latency.
    started = flat(external("consume", {"bootstrap_servers": bootstrap, "topic": "cli-orders", "manifest": manifest,
                                        "background": "true", "handle": handle, "timeout": "60s", "delivery_sla": "30s"}))
    assert int(started["pid"]) > 0
    produced = flat(external("produce", {"bootstrap_servers": bootstrap, "topic": "cli-orders",
                                         "message_count": "500", "manifest": manifest, "run_id": "cli-run-1"}))
    assert produced["messages_produced"] == "500"
    assert produced["messages_failed"] == "0"
    assert produced["run_id"] == "cli-run-1"
    details = json.loads(produced["details_json"])
    assert sum(details["partition_counts"].values()) == 500

    verified = flat(external("consume", {"bootstrap_servers": bootstrap, "manifest": manifest, "collect": "true",
                                         "handle": handle, "timeout": "60s"}))
    assert verified["passed"] == "true", verified["failed_checks"]
    assert verified["messages_consumed"] == "500"
    assert verified["sla_latency_kind"] == "produce_to_consume" and verified["produce_to_consume_ms_p99"] != ""
    checks = {c["name"]: c["passed"] for c in json.loads(verified["details_json"])["checks"]}
    assert checks == {"count": True, "integrity": True, "ordering": True, "duplicates": True, "loss": True, "latency_sla": True}

    # Consumed afterwards, the same SLA has nothing honest to judge: it fails, saying why.
    late = flat(external("consume", {"bootstrap_servers": bootstrap, "manifest": manifest, "timeout": "30s", "delivery_sla": "30s"}))
    assert late["passed"] == "false" and late["failed_checks"] == "latency_sla"
    assert late["latency_ms_p99"] == "" and late["produce_to_consume_ms_p99"] == ""


def test_a_failed_verification_is_a_result_not_an_error(broker, tmp_path):
    bootstrap, _ = broker
    manifest = str(tmp_path / "other.manifest")
    flat(external("produce", {"bootstrap_servers": bootstrap, "topic": "cli-other", "message_count": "20",
                              "manifest": manifest, "run_id": "cli-run-2"}))
    flat(external("produce", {"bootstrap_servers": bootstrap, "topic": "cli-foreign", "message_count": "30",
                              "manifest": str(tmp_path / "foreign.manifest"), "run_id": "cli-run-foreign"}))
    # Expect the run on a topic that holds only another run: everything is missing.
    out = flat(external("consume", {"bootstrap_servers": bootstrap, "manifest": manifest, "topic": "cli-foreign",
                                    "timeout": "10s", "group_id": "cli-wrong-topic"}))
    assert out["passed"] == "false"
    assert out["failed_checks"] == "count,loss"
    assert out["missing"] == "20"
    assert out["foreign"] == "30", "the other run's messages are counted as foreign, not errors"


def test_cli_exit_codes_and_result_file(broker, tmp_path):
    bootstrap, _ = broker
    manifest = str(tmp_path / "c.manifest")
    result = tmp_path / "produce.json"
    proc = cli("produce", "--bootstrap-servers", bootstrap, "--topic", "cli-other", "--message-count", "10",
               "--manifest", manifest, "--result-file", str(result))
    assert proc.returncode == 0 and proc.stdout == b""
    typed = json.loads(result.read_text())
    assert typed["messages_produced"] == 10 and isinstance(typed["partition_counts"], dict)
    verify = tmp_path / "verify.json"
    proc = cli("consume", "--bootstrap-servers", bootstrap, "--manifest", manifest, "--topic", "cli-orders",
               "--timeout", "2s", "--group-id", "cli-exit", "--result-file", str(verify))
    assert proc.returncode == 2, "a failed verification exits 2"
    assert json.loads(verify.read_text())["passed"] is False


def test_background_consume_measures_produce_to_consume(broker, tmp_path):
    bootstrap, _ = broker
    manifest = str(tmp_path / "bg.manifest")
    handle = str(tmp_path / "bg.handle")
    # The manifest must exist before the background consumer starts: produce 1 message first
    # under the same run, then the real run's manifest replaces it.
    flat(external("produce", {"bootstrap_servers": bootstrap, "topic": "cli-bg", "message_count": "1",
                              "manifest": manifest, "run_id": "cli-bg-warmup"}))
    started = flat(external("consume", {"bootstrap_servers": bootstrap, "manifest": manifest, "background": "true",
                                        "handle": handle, "timeout": "40s", "group_id": "cli-bg"}))
    assert os.path.exists(handle) and int(started["pid"]) > 0
    collected = flat(external("consume", {"bootstrap_servers": bootstrap, "manifest": manifest, "collect": "true",
                                          "handle": handle, "timeout": "60s"}))
    assert collected["passed"] == "true", collected
    assert collected["produce_to_consume_ms_p99"] == "", "the consumer started after produce: no honest produce-to-consume figure"


def test_bad_manifest_is_one_clear_line(broker, tmp_path):
    bootstrap, _ = broker
    bad = tmp_path / "bad.manifest"
    bad.write_bytes(b'{"streamcheck_manifest":1}\n')
    line = one_error_line(external("consume", {"bootstrap_servers": bootstrap, "manifest": str(bad)}))
    assert "is not a streamcheck manifest" in line
    line = one_error_line(external("consume", {"bootstrap_servers": bootstrap, "manifest": str(tmp_path / "none")}))
    assert "cannot read manifest" in line


def test_unreachable_broker_fails_in_bounded_time(tmp_path):
    proc = external("produce", {"bootstrap_servers": "127.0.0.1:1", "topic": "t", "message_count": "3",
                                "timeout": "3s", "manifest": str(tmp_path / "m")}, timeout=60)
    line = one_error_line(proc)
    assert "3 of 3 messages" in line and "not acknowledged" in line
