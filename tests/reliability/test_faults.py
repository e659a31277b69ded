"""Faults injected into the embedded broker (`streamcheck broker fault`), each with its exact
expected outcome."""
import os
import subprocess
import time

from conftest import BIN, consume, wait_for_messages_on, ok, one_error_line, produce, result, run, start_broker


def wait_for_manifest_progress(proc, seconds):
    """Lets a background produce run for a while (it writes its manifest only at the end)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the produce ended before the fault could be injected"


def test_broker_down_during_idempotent_produce_then_back(cluster, work):
    """Broker 1 (leader of some partitions) goes down mid-stream and comes back: every
    message is delivered once, in order per partition."""
    manifest = f"{work}/down.manifest"
    producer = subprocess.Popen([BIN, "produce", "--bootstrap-servers", cluster.bootstrap, "--topic", "rel-3p",
                                 "--message-count", "600", "--mode", "stream", "--rate", "200", "--timeout", "60s",
                                 "--run-id", f"down-{time.monotonic_ns()}", "--manifest", manifest,
                                 "--result-file", f"{work}/down.json"], stderr=subprocess.PIPE)
    wait_for_manifest_progress(producer, 1.0)
    cluster.fault("broker-down", broker=1)
    time.sleep(1.5)
    cluster.fault("broker-up", broker=1)
    _, err = producer.communicate(timeout=120)
    assert producer.returncode == 0, err.decode()
    produced = result(f"{work}/down.json")
    assert produced["messages_produced"] == 600 and produced["messages_failed"] == 0
    proc, verified = consume(cluster.bootstrap, manifest, work, "down-verify", ["--timeout", "60s"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert verified["passed"] and verified["failed_checks"] == ""
    assert (verified["messages_consumed"], verified["missing"], verified["duplicates"], verified["out_of_order"],
            verified["corrupted"]) == (600, 0, 0, 0, 0)


def test_produce_request_errors_are_retried_without_loss_or_duplicates(cluster, work):
    # The next 3 Produce requests fail with NOT_LEADER_OR_FOLLOWER, then 3 with REQUEST_TIMED_OUT.
    cluster.fault("request-errors", api_key=0, error_code=6, count=3)
    cluster.fault("request-errors", api_key=0, error_code=7, count=3)
    # A topic of its own: nothing the outage test did to rel-3p's partitions can reach it.
    # One request in flight per connection: the embedded broker (librdkafka 2.0.2's mock)
    # checks no idempotent sequence numbers for a producer without a transactional id
    # (rdkafka_mock.c, rd_kafka_mock_pid_check), so when a failed request is followed by a
    # successful one already in flight, librdkafka acknowledges the failed one implicitly
    # (rdkafka_request.c, rd_kafka_dr_implicit_ack) and the mock never stored it: a loss a real
    # broker (OUT_OF_ORDER_SEQUENCE) does not allow. Retries are exercised all the same.
    _, manifest = produce(cluster.bootstrap, "rel-errs", 500, work, "errs",
                          ["--mode", "stream", "-X", "max.in.flight.requests.per.connection=1"])
    produced = result(f"{work}/errs.json")
    assert (produced["messages_failed"], produced["acknowledged_without_offset"]) == (0, 0)
    proc, verified = consume(cluster.bootstrap, manifest, work, "errs-verify", ["--timeout", "60s"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert (verified["messages_consumed"], verified["missing"], verified["duplicates"], verified["redelivered"],
            verified["truncated_by_retention"]) == (500, 0, 0, 0, 0)


def test_coordinator_moves_mid_run(cluster, work):
    """The group's coordinator moves twice while a background consume reads a streaming
    produce: nothing is lost, nothing is corrupted, nothing counts as a duplicate."""
    group = f"moving-{time.monotonic_ns()}"
    _, manifest = produce(cluster.bootstrap, "rel-3p", 300, work, "coord")
    handle = f"{work}/coord.handle"
    ok(run("consume", "--bootstrap-servers", cluster.bootstrap, "--manifest", manifest, "--group-id", group,
           "--members", "2", "--timeout", "60s", "--background", "--handle", handle))
    time.sleep(1.0)
    cluster.fault("coordinator", group_id=group, broker=2)
    time.sleep(1.0)
    cluster.fault("coordinator", group_id=group, broker=3)
    proc = run("consume", "--collect", "--handle", handle, "--bootstrap-servers", cluster.bootstrap,
               "--manifest", manifest, "--timeout", "90s", "--result-file", f"{work}/coord-verify.json")
    verified = result(f"{work}/coord-verify.json")
    assert proc.returncode == 0, (proc.stderr.decode(), verified.get("failed_checks"))
    assert (verified["messages_consumed"], verified["missing"], verified["duplicates"], verified["corrupted"]) == (300, 0, 0, 0)


def test_member_leaves_mid_run_redeliveries_are_at_least_once(work):
    """Member 0 leaves after 50 messages while every OffsetCommit fails (error 12,
    OFFSET_METADATA_TOO_LARGE: not retried), so after the rebalance the partitions are read
    again from the start. Those re-reads are at-least-once redeliveries of the same offsets,
    never duplicates or corruption. (Own broker: the queued commit errors must not leak into
    other tests.)"""
    broker, _ = start_broker(1, ["rel-leave:4"])
    try:
        _, manifest = produce(broker.bootstrap, "rel-leave", 1000, work, "leave")
        broker.fault("request-errors", api_key=8, error_code=12, count=1000)
        proc, verified = consume(broker.bootstrap, manifest, work, "leave-verify",
                                 ["--members", "2", "--leave-after", "50", "--timeout", "90s"])
        assert proc.returncode == 0, (proc.stderr.decode(), verified and verified["failed_checks"])
        assert verified["passed"] and verified["failed_checks"] == ""
        assert (verified["messages_consumed"], verified["missing"], verified["duplicates"], verified["corrupted"]) == (1000, 0, 0, 0)
        # At least the 50 member 0 read are read again (the eager rebalance also restarts
        # member 1's own partitions from the uncommitted start).
        assert 50 <= verified["redelivered"] <= 1000, verified["redelivered"]
        duplicates_check = [c for c in verified["checks"] if c["name"] == "duplicates"][0]
        assert duplicates_check["passed"] and "at-least-once redeliveries" in duplicates_check["found"]
    finally:
        run("broker", "stop", "--state-dir", broker.state, timeout=60)


def test_member_leaving_hands_its_partitions_over(cluster, work):
    """One of three members leaves after 40 messages: the others take over its partitions,
    every message arrives, no partition is owned twice at once, and whatever the rebalance
    makes the group read again (the mock cluster rejects commits made during the rebalance)
    is counted as redelivered, never as a duplicate."""
    _, manifest = produce(cluster.bootstrap, "rel-groups", 1000, work, "leave-ok")
    proc, verified = consume(cluster.bootstrap, manifest, work, "leave-ok-verify",
                             ["--members", "3", "--leave-after", "40", "--group-id", f"leave-ok-{time.monotonic_ns()}",
                              "--timeout", "90s"])
    assert proc.returncode == 0, (proc.stderr.decode(), verified and verified["failed_checks"])
    assert (verified["messages_consumed"], verified["missing"], verified["duplicates"], verified["corrupted"]) == (1000, 0, 0, 0)
    assert verified["checks"][-1]["name"] == "exclusive_assignment" and verified["checks"][-1]["passed"]


def test_broker_down_past_the_timeout_fails_in_bounded_time_with_a_partial_result(work):
    """A single broker stays down: produce fails within its timeout with one clear line,
    and its result file and manifest say what was and was not delivered."""
    broker, bwork = start_broker(1, ["rel-down:2"])
    try:
        manifest = f"{work}/stuck.manifest"
        producer = subprocess.Popen([BIN, "produce", "--bootstrap-servers", broker.bootstrap, "--topic", "rel-down",
                                     "--message-count", "400", "--mode", "stream", "--rate", "200", "--timeout", "3s",
                                     "--manifest", manifest, "--result-file", f"{work}/stuck.json"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Take the broker down only once some messages are on it (seen through its high
        # watermarks), so the run is partial whatever the machine's load.
        wait_for_messages_on(broker, "rel-down", work)
        assert producer.poll() is None, "the produce ended before the fault could be injected"
        broker.fault("broker-down", broker=1)
        out, err = producer.communicate(timeout=60)  # bounded: 400 msgs at 200/s + 3s delivery timeout
        assert producer.returncode == 1, err.decode()
        assert out == b""
        lines = err.decode().strip().splitlines()
        assert len(lines) == 1, lines
        partial = result(f"{work}/stuck.json")
        delivered, failed = partial["messages_produced"], partial["messages_failed"]
        assert delivered + failed == 400 and failed > 0 and delivered > 0, partial
        assert lines[0].startswith(f"streamcheck: error: produce: {failed} of 400 messages to 'rel-down' were not acknowledged"), lines[0]
        assert f"the manifest records the {delivered} that were" in lines[0] and "Connection refused" in lines[0]
        # The manifest agrees entry by entry: acknowledged entries have a partition.
        with open(manifest, "rb") as f:
            data = f.read()
        body = data[data.index(b"\n") + 1:]
        assert len(body) == 400 * 32
        acknowledged = sum(1 for i in range(400) if int.from_bytes(body[i * 32:i * 32 + 4], "little", signed=True) >= 0)
        assert acknowledged == delivered

        # A consume against the down broker is an error within its timeout, never "loss".
        proc, verified = consume(broker.bootstrap, manifest, work, "stuck-verify", ["--timeout", "3s"], timeout=60)
        line = one_error_line(proc)
        assert "cannot read topic 'rel-down'" in line and "nothing was verified" in line, line
        assert verified is None

        # Once the broker is back, what was acknowledged is all there.
        broker.fault("broker-up", broker=1)
        proc, verified = consume(broker.bootstrap, manifest, work, "stuck-after", ["--timeout", "20s"], timeout=60)
        assert verified["messages_consumed"] == delivered and verified["duplicates"] == 0 and verified["corrupted"] == 0
    finally:
        run("broker", "stop", "--state-dir", broker.state, timeout=60)
