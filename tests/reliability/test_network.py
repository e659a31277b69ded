"""Network faults: an nftables rule drops the embedded broker's loopback traffic (as root).
Waits stay bounded, errors are clear, and everything recovers once the rule is gone. Only
127.0.0.1 traffic to the broker's own ports is touched, in a table of our own."""
import os
import shutil
import subprocess
import time

import pytest

from conftest import consume, produce, result, run, start_broker

TABLE = f"streamcheck_test_{os.getpid()}"


def nft(*args, check=True):
    return subprocess.run(["nft", *args], capture_output=True, timeout=30, check=check)


def nft_usable():
    if os.geteuid() != 0:
        return "not root: nftables rules need root"
    if shutil.which("nft") is None:
        return "nft is not installed (apt-get install nftables)"
    probe = nft("list", "tables", check=False)
    if probe.returncode != 0:
        return f"nft cannot list tables here: {probe.stderr.decode().strip()}"
    return None


reason = nft_usable()
pytestmark = pytest.mark.skipif(reason is not None, reason=reason or "")


@pytest.fixture
def dropper():
    """Adds and removes drop rules for loopback ports; the table is always deleted."""
    nft("add", "table", "inet", TABLE)
    nft("add", "chain", "inet", TABLE, "out", "{ type filter hook output priority 0 ; }")

    def drop(ports):
        for port in ports:
            nft("add", "rule", "inet", TABLE, "out", "ip", "daddr", "127.0.0.1", "tcp", "dport", str(port), "drop")

    def clear():
        nft("flush", "chain", "inet", TABLE, "out")

    yield drop, clear
    nft("delete", "table", "inet", TABLE, check=False)


def test_dropped_broker_traffic_bounded_failure_then_recovery(work, dropper):
    drop, clear = dropper
    broker, _ = start_broker(1, ["net-orders:2"])
    try:
        drop(broker.ports)
        # Produce while every packet to the broker is dropped: fails within its timeout.
        proc, manifest = produce(broker.bootstrap, "net-orders", 50, work, "dropped", ["--timeout", "4s"], check=False, timeout=90)
        assert proc.returncode == 1, proc.stderr.decode()
        lines = proc.stderr.decode().strip().splitlines()
        assert len(lines) == 1, lines
        assert "cannot read metadata" in lines[0] or "were not acknowledged" in lines[0], lines[0]
        if os.path.exists(f"{work}/dropped.json"):
            assert result(f"{work}/dropped.json")["messages_produced"] == 0

        # Lag and consume are bounded as well.
        lag = run("lag", "--bootstrap-servers", broker.bootstrap, "--group-id", "net", "--topic", "net-orders",
                  "--timeout", "3s", timeout=90)
        assert lag.returncode == 1 and "cannot read the lag of group 'net'" in lag.stderr.decode()

        # Rule removed: the same operations succeed.
        clear()
        _, manifest = produce(broker.bootstrap, "net-orders", 50, work, "after", ["--timeout", "30s"], timeout=90)
        proc, verified = consume(broker.bootstrap, manifest, work, "after-verify", ["--timeout", "30s"], timeout=90)
        assert proc.returncode == 0, proc.stderr.decode()
        assert verified["messages_consumed"] == 50 and verified["missing"] == 0
    finally:
        clear()
        run("broker", "stop", "--state-dir", broker.state, timeout=60)


def test_drop_during_a_streaming_produce_recovers_without_loss_or_duplicates(work, dropper):
    drop, clear = dropper
    broker, _ = start_broker(1, ["net-stream:2"])
    try:
        import subprocess as sp
        from conftest import BIN
        manifest = f"{work}/stream.manifest"
        producer = sp.Popen([BIN, "produce", "--bootstrap-servers", broker.bootstrap, "--topic", "net-stream",
                             "--message-count", "300", "--mode", "stream", "--rate", "150", "--timeout", "60s",
                             "--manifest", manifest, "--result-file", f"{work}/stream.json"], stderr=sp.PIPE)
        time.sleep(0.7)
        drop(broker.ports)
        time.sleep(1.5)
        clear()
        _, err = producer.communicate(timeout=120)
        assert producer.returncode == 0, err.decode()
        proc, verified = consume(broker.bootstrap, manifest, work, "stream-verify", ["--timeout", "30s"], timeout=90)
        assert proc.returncode == 0, proc.stderr.decode()
        assert (verified["messages_consumed"], verified["missing"], verified["duplicates"], verified["out_of_order"]) == (300, 0, 0, 0)
    finally:
        clear()
        run("broker", "stop", "--state-dir", broker.state, timeout=60)
