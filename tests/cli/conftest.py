import json
import os
import subprocess
import tempfile

import pytest

BIN = os.environ.get("STREAMCHECK_BIN", "streamcheck")


def external(operation, query, env=None, raw_stdin=None, timeout=120):
    """Runs `streamcheck external <operation>` exactly as hashicorp/external does: exec without
    a shell, the query as one JSON object of strings on stdin, stdout must be a flat JSON
    object of strings."""
    stdin = raw_stdin if raw_stdin is not None else json.dumps(query).encode()
    proc = subprocess.run([BIN, "external", *operation.split()], input=stdin, capture_output=True,
                          timeout=timeout, env={**os.environ, **(env or {})})
    return proc


def flat(proc):
    assert proc.returncode == 0, proc.stderr.decode()
    out = json.loads(proc.stdout)
    assert isinstance(out, dict)
    assert all(isinstance(v, str) for v in out.values()), out
    return out


def cli(*args, env=None, timeout=120):
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def broker():
    state = tempfile.mkdtemp(prefix="sc-cli-broker-")
    out = flat(external("broker start", {"state_dir": state, "topic": "cli-orders:3,cli-other:1"}))
    yield out["bootstrap_servers"], state
    flat(external("broker stop", {"state_dir": state}))
