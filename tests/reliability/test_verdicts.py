"""The verdict itself: no false pass (an expectation unmet, a broker that took nothing, an SLA
that cannot fail) and no false alarm (re-checking a manifest, an unreachable broker, messages
that were never sent). Each test here failed on the code before issue 9 was fixed."""
import json
import os
import subprocess
import time

from conftest import BIN, consume, wait_for_messages_on, external, ok, one_error_line, produce, result, run, start_broker


def check(verified, name):
    return [c for c in verified["checks"] if c["name"] == name][0]


def test_an_expectation_above_the_manifest_is_refused_never_passed(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-3p", 200, work, "above")
    proc, verified = consume(cluster.bootstrap, manifest, work, "above-c", ["--expect-count", "300", "--timeout", "10s"])
    line = one_error_line(proc)
    assert "expect" in line and "300" in line and "200" in line, line
    assert verified is None, "a refused consume writes no result"


def test_an_expectation_below_the_manifest_still_checks_every_message_for_loss(cluster, work):
    """--expect-count lowers the count bar the user stated, never the loss check."""
    _, manifest = produce(cluster.bootstrap, "rel-3p", 200, work, "below")
    proc, verified = consume(cluster.bootstrap, manifest, work, "below-c", ["--expect-count", "150", "--timeout", "20s"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert verified["messages_consumed"] == 200 and verified["missing"] == 0


def test_acks_0_into_a_broker_that_drops_every_write_is_loss_not_retention(work):
    """With acks=0 the broker confirms nothing: the manifest says the offsets are unknown, and a
    consume that finds nothing reports loss, never 'truncated by retention'."""
    broker, _ = start_broker(1, ["rel-acks0:2"])
    try:
        # Every Produce request fails (error 87, INVALID_RECORD): the writes are dropped.
        broker.fault("request-errors", api_key=0, error_code=87, count=100000)
        proc, manifest = produce(broker.bootstrap, "rel-acks0", 100, work, "acks0",
                                 ["-X", "acks=0", "-X", "enable.idempotence=false", "--timeout", "10s"], check=False)
        assert proc.returncode == 0, proc.stderr.decode()
        produced = result(f"{work}/acks0.json")
        assert produced["offsets_known"] is False, produced
        assert "acks=0" in proc.stderr.decode(), "the summary should say the broker confirmed nothing"
        cproc, verified = consume(broker.bootstrap, manifest, work, "acks0-c", ["--timeout", "5s"])
        assert cproc.returncode == 2, cproc.stderr.decode()
        assert verified["truncated_by_retention"] == 0
        assert verified["missing"] == 100 and "loss" in verified["failed_checks"].split(","), verified["failed_checks"]
    finally:
        run("broker", "stop", "--state-dir", broker.state, timeout=60)


def test_acks_0_that_arrived_verifies_by_content_and_count(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-3p", 150, work, "acks0ok", ["-X", "acks=0", "-X", "enable.idempotence=false"])
    assert result(f"{work}/acks0ok.json")["offsets_known"] is False
    proc, verified = consume(cluster.bootstrap, manifest, work, "acks0ok-c", ["--timeout", "30s"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert (verified["messages_consumed"], verified["missing"], verified["truncated_by_retention"]) == (150, 0, 0)


def test_checking_the_same_manifest_twice_passes_twice(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-3p", 200, work, "twice")
    for name in ("twice-1", "twice-2"):
        proc, verified = consume(cluster.bootstrap, manifest, work, name, ["--timeout", "20s"])
        assert proc.returncode == 0, (name, proc.stderr.decode())
        assert verified["messages_consumed"] == 200 and verified["missing"] == 0, name


def test_from_beginning_means_the_beginning_even_for_a_group_that_committed(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-3p", 120, work, "begin")
    group = f"begin-{time.monotonic_ns()}"
    for name in ("begin-1", "begin-2"):
        proc, verified = consume(cluster.bootstrap, manifest, work, name, ["--group-id", group, "--from", "beginning", "--timeout", "20s"])
        assert proc.returncode == 0, (name, proc.stderr.decode())
        assert verified["messages_consumed"] == 120, name


def test_an_unreachable_broker_is_an_error_not_loss(work, tmp_path):
    # A manifest from a real produce, checked against a port nothing listens on.
    broker, _ = start_broker(1, ["rel-gone:4"])
    try:
        _, manifest = produce(broker.bootstrap, "rel-gone", 50, work, "gone")
    finally:
        run("broker", "stop", "--state-dir", broker.state, timeout=60)
    started = time.monotonic()
    proc, verified = consume("127.0.0.1:1", manifest, work, "gone-c", ["--timeout", "4s"])
    line = one_error_line(proc)
    assert "127.0.0.1:1" in line and "lost" not in line and "missing" not in line, line
    assert verified is None
    assert time.monotonic() - started < 4 + 15, "bounded by the timeout plus a margin"
    ext = external("consume", {"bootstrap_servers": "127.0.0.1:1", "manifest": manifest, "timeout": "4s"})
    assert ext.returncode == 1 and ext.stdout == b"", ext.stdout
    assert len(ext.stderr.decode().strip().splitlines()) == 1


def test_a_sasl_mismatch_is_an_error_not_loss(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-3p", 30, work, "sasl")
    proc, verified = consume(cluster.bootstrap, manifest, work, "sasl-c",
                             ["--timeout", "4s", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN"],
                             env={"STREAMCHECK_KAFKA_SASL_USERNAME": "u", "STREAMCHECK_KAFKA_SASL_PASSWORD": "wrong-pass-123"})
    line = one_error_line(proc)
    assert "wrong-pass-123" not in line and "missing" not in line, line
    assert verified is None


def test_messages_never_acknowledged_are_not_expected(work):
    """A produce that failed half way: the manifest keeps what was acknowledged; consume waits
    for those only (not the whole timeout) and never calls the others lost."""
    broker, _ = start_broker(1, ["rel-half:2"])
    try:
        manifest = f"{work}/half.manifest"
        producer = subprocess.Popen([BIN, "produce", "--bootstrap-servers", broker.bootstrap, "--topic", "rel-half",
                                     "--message-count", "400", "--mode", "stream", "--rate", "200", "--timeout", "3s",
                                     "--manifest", manifest, "--result-file", f"{work}/half.json"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_messages_on(broker, "rel-half", work)
        broker.fault("broker-down", broker=1)
        producer.communicate(timeout=60)
        assert producer.returncode == 1
        delivered = result(f"{work}/half.json")["messages_produced"]
        assert 0 < delivered < 400
        broker.fault("broker-up", broker=1)
        started = time.monotonic()
        proc, verified = consume(broker.bootstrap, manifest, work, "half-c", ["--timeout", "60s"])
        assert proc.returncode == 0, (proc.stderr.decode(), verified and verified["failed_checks"])
        assert verified["messages_expected"] == delivered and verified["missing"] == 0
        assert verified["never_acknowledged"] == 400 - delivered
        assert verified["timed_out"] is False and time.monotonic() - started < 45
    finally:
        run("broker", "stop", "--state-dir", broker.state, timeout=60)


def test_a_consumer_started_before_produce_measures_produce_to_consume(cluster, work):
    """The normal Terraform order: consume --background before the manifest exists, produce,
    collect. produce_to_consume is real and the SLA is checked against it."""
    manifest = f"{work}/early.manifest"
    handle = f"{work}/early.handle"
    ok(run("consume", "--bootstrap-servers", cluster.bootstrap, "--topic", "rel-3p", "--manifest", manifest,
           "--timeout", "60s", "--delivery-sla", "30s", "--background", "--handle", handle))
    time.sleep(0.5)
    _, _ = produce(cluster.bootstrap, "rel-3p", 300, work, "early")
    # produce() writes its manifest where the consumer waits for it.
    proc = run("consume", "--collect", "--handle", handle, "--bootstrap-servers", cluster.bootstrap, "--manifest", manifest, "--timeout", "60s", "--result-file", f"{work}/early-c.json")
    verified = result(f"{work}/early-c.json")
    assert proc.returncode == 0, (proc.stderr.decode(), verified.get("failed_checks"))
    assert verified["messages_consumed"] == 300 and verified["missing"] == 0
    assert verified["sla_latency_kind"] == "produce_to_consume"
    assert verified["produce_to_consume_ms_p50"] is not None and verified["produce_to_consume_ms_max"] > 0
    # On the manifest's own CreateTime topic the record timestamp is streamcheck's own: it
    # measures nothing, so it is null with the reason.
    assert verified["latency_ms_p50"] is None and verified["latency_ms_null_reason"], verified


def test_the_sla_fails_when_the_pipeline_is_slower(work):
    """Every broker answer takes 1.2 s (injected latency): a 1 s SLA, measured produce to
    consume, must fail. (Own broker: the latency must not slow other tests.)"""
    broker, _ = start_broker(1, ["rel-slow:2"])
    try:
        manifest = f"{work}/slow.manifest"
        handle = f"{work}/slow.handle"
        ok(run("consume", "--bootstrap-servers", broker.bootstrap, "--topic", "rel-slow", "--manifest", manifest,
               "--timeout", "60s", "--delivery-sla", "1s", "--background", "--handle", handle))
        broker.fault("latency", milliseconds=1200)
        produce(broker.bootstrap, "rel-slow", 50, work, "slow")
        proc = run("consume", "--collect", "--handle", handle, "--bootstrap-servers", broker.bootstrap, "--manifest", manifest,
                   "--timeout", "60s", "--result-file", f"{work}/slow-c.json")
        verified = result(f"{work}/slow-c.json")
        assert proc.returncode == 2, proc.stderr.decode()
        assert verified["failed_checks"] == "latency_sla", verified["failed_checks"]
        assert verified["produce_to_consume_ms_max"] >= 1000 and verified["sla_violations"] > 0
    finally:
        run("broker", "stop", "--state-dir", broker.state, timeout=60)


def test_a_direct_flow_consumed_afterwards_cannot_pass_an_sla_on_nothing(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-3p", 40, work, "nosla")
    proc, verified = consume(cluster.bootstrap, manifest, work, "nosla-c", ["--delivery-sla", "30s", "--timeout", "20s"])
    assert proc.returncode == 2, proc.stderr.decode()
    assert verified["failed_checks"] == "latency_sla"
    assert "start the consumer before produce" in check(verified, "latency_sla")["found"]
    assert verified["produce_to_consume_ms_p50"] is None and verified["latency_ms_p50"] is None


def test_an_expected_failure_passes_only_when_exactly_those_checks_fail(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-3p", 60, work, "expfail")
    # The same run id's messages are all on rel-3p; consuming another topic misses every one.
    proc, verified = consume(cluster.bootstrap, manifest, work, "expfail-c",
                             ["--topic", "rel-groups", "--timeout", "3s", "--expect-failed-checks", "count,loss"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert verified["passed"] is False and verified["failed_checks"] == "count,loss"
    assert verified["as_expected"] is True and verified["expected_failed_checks"] == "count,loss"
    # Expected a failure that did not happen: that is a failure.
    proc, verified = consume(cluster.bootstrap, manifest, work, "expfail-c2",
                             ["--timeout", "20s", "--expect-failed-checks", "integrity"])
    assert proc.returncode == 2, proc.stderr.decode()
    assert verified["as_expected"] is False
    ext = json.loads(ok(external("consume", {"bootstrap_servers": cluster.bootstrap, "manifest": manifest,
                                             "timeout": "20s", "expect_failed_checks": "integrity"})).stdout)
    assert ext["as_expected"] == "false"
