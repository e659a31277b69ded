"""Helpers for the reliability tests: they drive the built binary (as local-exec and the
external data source do) against the embedded broker, one broker per test module."""
import json
import os
import subprocess
import tempfile
import time

import pytest

BIN = os.environ.get("STREAMCHECK_BIN", "streamcheck")


def run(*args, env=None, timeout=180, stdin=None):
    """Runs the binary; returns the CompletedProcess (a test timeout is a bound, never a figure)."""
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout, input=stdin,
                          env={**os.environ, **(env or {})})


def external(operation, query=None, raw=None, env=None, timeout=120):
    stdin = raw if raw is not None else json.dumps(query or {}).encode()
    return subprocess.run([BIN, "external", *operation.split()], input=stdin, capture_output=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def ok(proc):
    assert proc.returncode == 0, (proc.returncode, proc.stderr.decode())
    return proc


def result(path):
    with open(path) as f:
        return json.load(f)


def one_error_line(proc, code=1):
    assert proc.returncode == code, (proc.returncode, proc.stderr.decode())
    assert proc.stdout == b"", "nothing may reach stdout on error"
    lines = proc.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


class Broker:
    def __init__(self, state, bootstrap):
        self.state = state
        self.bootstrap = bootstrap

    def fault(self, action, **kw):
        args = ["broker", "fault", "--state-dir", self.state, "--action", action]
        for k, v in kw.items():
            args += ["--" + k.replace("_", "-"), str(v)]
        return ok(run(*args, timeout=30))

    @property
    def ports(self):
        return [int(hp.rsplit(":", 1)[1]) for hp in self.bootstrap.split(",")]


def manifest_bytes(header, entries):
    """A manifest as streamcheck writes one (Sources/StreamcheckKit/Manifest/Manifest.swift):
    the compact header JSON with a last field "checksum" (FNV-1a 64 over the header bytes
    before that field, continued over the entries as 64-bit little-endian words), a newline,
    then the 32-byte entries. For tests that must build one streamcheck did not produce (data
    from another client, a damaged file)."""
    import struct
    prime, value = 0x100000001B3, 0xCBF29CE484222325
    prefix = json.dumps(header, separators=(",", ":"))[:-1].encode()
    body = b"".join(entries)
    for b in prefix:
        value = ((value ^ b) * prime) & 0xFFFFFFFFFFFFFFFF
    for (word,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8]):
        value = ((value ^ word) * prime) & 0xFFFFFFFFFFFFFFFF
    return prefix + (',"checksum":"%016x"}\n' % value).encode() + body


def start_broker(brokers, topics):
    work = tempfile.mkdtemp(prefix="sc-rel-")
    state = os.path.join(work, "broker")
    args = ["broker", "start", "--state-dir", state, "--brokers", str(brokers), "--result-file", work + "/start.json"]
    for t in topics:
        args += ["--topic", t]
    ok(run(*args, timeout=60))
    return Broker(state, result(work + "/start.json")["bootstrap_servers"]), work


@pytest.fixture(scope="module")
def cluster():
    """A 3-broker embedded cluster for the module; topics are auto-created with 4 partitions."""
    broker, work = start_broker(3, ["rel-3p:3", "rel-errs:3", "rel-groups:4", "rel-lag:4"])
    yield broker
    run("broker", "stop", "--state-dir", broker.state, timeout=60)


@pytest.fixture
def work(tmp_path):
    return str(tmp_path)


def produce(bootstrap, topic, count, work, name="p", extra=(), check=True, timeout=180):
    manifest = f"{work}/{name}.manifest"
    proc = run("produce", "--bootstrap-servers", bootstrap, "--topic", topic, "--message-count", str(count),
               "--manifest", manifest, "--result-file", f"{work}/{name}.json", "--run-id", f"{name}-{os.getpid()}-{time.monotonic_ns()}",
               *extra, timeout=timeout)
    if check:
        ok(proc)
    return proc, manifest


def consume(bootstrap, manifest, work, name="c", extra=(), timeout=180, env=None):
    proc = run("consume", "--bootstrap-servers", bootstrap, "--manifest", manifest,
               "--result-file", f"{work}/{name}.json", *extra, timeout=timeout, env=env)
    return proc, (result(f"{work}/{name}.json") if os.path.exists(f"{work}/{name}.json") else None)


def wait_for_messages_on(broker, topic, work, seconds=30):
    """Waits (bounded) until the broker holds messages on `topic` (its high watermarks), so a
    fault injected next hits a run that is partly through, whatever the machine's load."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        probe = run("lag", "--bootstrap-servers", broker.bootstrap, "--group-id", "probe", "--topic", topic,
                    "--timeout", "2s", "--result-file", f"{work}/probe.json", timeout=30)
        if probe.returncode == 0 and sum(p["high"] for p in result(f"{work}/probe.json")["partitions"]) > 0:
            return
        time.sleep(0.05)
