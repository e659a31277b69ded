"""Consumer groups in depth: several groups and members at once, committed offsets, resume, lag."""
import json
import subprocess
import time

from conftest import BIN, consume, external, ok, produce, result, run


def test_several_groups_with_several_members_each_see_every_message(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-groups", 2000, work, "multi")
    procs = []
    for group, members in [("alpha", 2), ("beta", 3), ("gamma", 1)]:
        g = f"{group}-{time.monotonic_ns()}"
        procs.append((group, members, subprocess.Popen(
            [BIN, "consume", "--bootstrap-servers", cluster.bootstrap, "--manifest", manifest, "--group-id", g,
             "--members", str(members), "--timeout", "90s", "--result-file", f"{work}/{group}.json"],
            stderr=subprocess.PIPE)))
    for group, members, proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, (group, err.decode())
        r = result(f"{work}/{group}.json")
        assert (r["messages_consumed"], r["missing"], r["duplicates"], r["corrupted"]) == (2000, 0, 0, 0), group
        assert r["members"] == members
        if members > 1:
            exclusive = [c for c in r["checks"] if c["name"] == "exclusive_assignment"][0]
            assert exclusive["passed"], (group, exclusive)
            owned = [p for m in r["partition_assignment"] for p in m["partitions"]]
            assert sorted(set(owned)) == [0, 1, 2, 3], (group, r["partition_assignment"])


def test_restarted_consumer_resumes_from_committed_offsets_and_lag_tracks_it(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-lag", 1000, work, "resume")
    group = f"resume-{time.monotonic_ns()}"
    lag_args = ["lag", "--bootstrap-servers", cluster.bootstrap, "--group-id", group, "--topic", "rel-lag"]

    ok(run(*lag_args, "--result-file", f"{work}/lag0.json"))
    lag = result(f"{work}/lag0.json")
    assert lag["total_lag"] == 1000 and lag["caught_up"] is False and lag["committed_partitions"] == 0
    assert all(p["committed"] is None for p in lag["partitions"])

    # First run: read 400 and stop; exactly those are committed.
    # Two members: both must commit what they read before either leaves the group.
    proc, first = consume(cluster.bootstrap, manifest, work, "first", ["--group-id", group, "--max-messages", "400", "--members", "2"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert first["messages_consumed"] == 400 and first["stopped_after"] == 400 and first["missing"] == 0
    assert "loss" not in [c["name"] for c in first["checks"]]

    ok(run(*lag_args, "--result-file", f"{work}/lag1.json"))
    lag = result(f"{work}/lag1.json")
    assert lag["total_lag"] == 600 and lag["caught_up"] is False
    assert sum(p["high"] for p in lag["partitions"]) == 1000
    assert sum((p["committed"] or 0) for p in lag["partitions"]) == 400
    for p in lag["partitions"]:
        assert p["lag"] == p["high"] - (p["committed"] if p["committed"] is not None else p["low"])

    # As an assertion: not caught up yet -> exit 2 on the CLI, passed="false" through external.
    behind = run(*lag_args, "--require-caught-up", "true")
    assert behind.returncode == 2, behind.stderr.decode()
    flat = json.loads(ok(external("lag", {"bootstrap_servers": cluster.bootstrap, "group_id": group, "topic": "rel-lag",
                                           "require_caught_up": "true"})).stdout)
    assert flat["passed"] == "false" and flat["total_lag"] == "600" and flat["failed_checks"] == "caught_up"

    # Restart: resume from the committed offsets; the 400 already read are not expected again.
    proc, second = consume(cluster.bootstrap, manifest, work, "second", ["--group-id", group, "--from", "committed"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert (second["messages_consumed"], second["consumed_before"], second["missing"], second["duplicates"],
            second["redelivered"]) == (600, 400, 0, 0, 0)

    ok(run(*lag_args, "--require-caught-up", "--result-file", f"{work}/lag2.json"))
    lag = result(f"{work}/lag2.json")
    assert lag["total_lag"] == 0 and lag["caught_up"] is True and lag["passed"] is True


def test_resume_without_commits_reads_everything_as_new(cluster, work):
    """A group that never committed has nothing to resume from: every message is expected."""
    _, manifest = produce(cluster.bootstrap, "rel-lag", 200, work, "fresh")
    proc, r = consume(cluster.bootstrap, manifest, work, "fresh-c", ["--group-id", f"fresh-{time.monotonic_ns()}", "--from", "committed"])
    assert proc.returncode == 0, proc.stderr.decode()
    assert (r["messages_consumed"], r["consumed_before"], r["missing"]) == (200, 0, 0)


def test_lag_waits_until_a_background_group_caught_up(cluster, work):
    _, manifest = produce(cluster.bootstrap, "rel-groups", 500, work, "waitlag")
    group = f"waitlag-{time.monotonic_ns()}"
    handle = f"{work}/waitlag.handle"
    ok(run("consume", "--bootstrap-servers", cluster.bootstrap, "--manifest", manifest, "--group-id", group,
           "--timeout", "60s", "--background", "--handle", handle))
    lagging = ok(run("lag", "--bootstrap-servers", cluster.bootstrap, "--group-id", group, "--topic", "rel-groups",
                     "--wait", "60s", "--require-caught-up", "--result-file", f"{work}/waitlag.json"))
    assert result(f"{work}/waitlag.json")["caught_up"] is True, lagging.stderr.decode()
    ok(run("consume", "--collect", "--handle", handle, "--bootstrap-servers", cluster.bootstrap, "--manifest", manifest, "--timeout", "60s"))


def test_lag_of_an_unreachable_cluster_fails_in_bounded_time(work):
    proc = run("lag", "--bootstrap-servers", "127.0.0.1:1", "--group-id", "g", "--topic", "t", "--timeout", "2s", timeout=60)
    assert proc.returncode == 1
    line = proc.stderr.decode().strip()
    assert len(line.splitlines()) == 1 and "cannot read the lag of group 'g' on topic 't'" in line, line



def test_member_joining_mid_run_gets_partitions_and_nothing_is_lost(work):
    """A group of two reads slowly (one small batch per fetch, 50 ms broker latency: about 80 messages a second); a third member
    joins after 100 messages. The group rebalances to include it: it owns partitions, no
    partition is owned twice at once, every message arrives, and re-reads caused by the
    rebalance count as redeliveries only. (Own broker: the latency must not slow other tests.)"""
    from conftest import start_broker
    broker, _ = start_broker(1, ["rel-join:4"])
    try:
        # One message per batch (a fetch returns whole batches, so small fetches need small batches).
        _, manifest = produce(broker.bootstrap, "rel-join", 1500, work, "join", ["--mode", "stream", "--rate", "600"])
        broker.fault("latency", milliseconds=50)
        proc, r = consume(broker.bootstrap, manifest, work, "join-c",
                          ["--members", "3", "--join-after", "100", "--timeout", "90s",
                           "-X", "max.partition.fetch.bytes=1024"])
        assert proc.returncode == 0, (proc.stderr.decode(), r and r["failed_checks"])
        assert (r["messages_consumed"], r["missing"], r["duplicates"], r["corrupted"]) == (1500, 0, 0, 0)
        owned = {m["member"]: m["partitions"] for m in r["partition_assignment"]}
        assert owned[2], f"the late member should have been given partitions: {owned}"
        assert [c for c in r["checks"] if c["name"] == "exclusive_assignment"][0]["passed"]
    finally:
        run("broker", "stop", "--state-dir", broker.state, timeout=60)
