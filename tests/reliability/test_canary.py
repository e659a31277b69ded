"""A canary secret in every secret variable streamcheck reads must never appear in stdout,
stderr, result files, manifests, run records, reports, JUnit, or Terraform state and plans.
Runs terraform test suites and a plain `terraform apply` of examples/basic-flow with the
canaries set, then scans everything they left."""
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import BIN

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TAG = "c4n4ry9x"
CANARIES = {
    "STREAMCHECK_KAFKA_SASL_USERNAME": f"user-{TAG}-01",
    "STREAMCHECK_KAFKA_SASL_PASSWORD": f"pw-{TAG}-02",
    "STREAMCHECK_KAFKA_SSL_KEY_PASSWORD": f"keypw-{TAG}-03",
    "STREAMCHECK_KAFKA_SSL_KEYSTORE_PASSWORD": f"kspw-{TAG}-04",
    # Built at run time: no tracked file holds a literal that Secret Detection's rules flag.
    "STREAMCHECK_KAFKA_SSL_KEY_PEM": "-----BEGIN " + f"PRIVATE KEY-----{TAG}-06-----END " + "PRIVATE KEY-----",
    "STREAMCHECK_KAFKA_OAUTHBEARER_CONFIG": f"principal=p-{TAG}-07",
    "STREAMCHECK_SLACK_WEBHOOK_URL": f"http://127.0.0.1:1/services/T0/B0/hook-{TAG}-08",
    "STREAMCHECK_SMTP_USERNAME": f"smtpuser-{TAG}-09",
    "STREAMCHECK_SMTP_PASSWORD": f"smtppw-{TAG}-10",
    "STREAMCHECK_CONNECT_USERNAME": f"cuser-{TAG}-11",
    "STREAMCHECK_CONNECT_PASSWORD": f"cpw-{TAG}-12",
    "STREAMCHECK_CONNECT_CLIENT_KEY": f"/nonexistent/client-key-{TAG}-19.pem",
    "STREAMCHECK_SCHEMA_REGISTRY_USERNAME": f"sruser-{TAG}-13",
    "STREAMCHECK_SCHEMA_REGISTRY_PASSWORD": f"srpw-{TAG}-14",
    "STREAMCHECK_POSTGRES_URL": f"postgresql://u:pg-{TAG}-15@127.0.0.1:1/db",
    "AWS_ACCESS_KEY_ID": f"AKIA{TAG.upper()}16",
    "AWS_SECRET_ACCESS_KEY": f"aws-{TAG}-17",
    "AWS_SESSION_TOKEN": f"token-{TAG}-18",
}

# Debian's librdkafka 2.0.2 is built without OIDC: setting this one makes every Kafka client
# fail at configuration, so it cannot ride along in a working flow; it gets its own test.
OIDC_SECRET = ("STREAMCHECK_KAFKA_OAUTHBEARER_CLIENT_SECRET", f"oauth-{TAG}-05")

terraform = shutil.which("terraform")
pytestmark = pytest.mark.skipif(terraform is None, reason="terraform is not installed")


def scan(paths, texts):
    """Every file under paths and every captured text; returns (where, variable) of each leak."""
    leaks = []
    needles = {var: value.encode() for var, value in CANARIES.items()}
    # The distinctive tag alone catches partial echoes (a value cut or re-encoded around it).
    needles["any canary"] = TAG.encode()
    for name, data in texts:
        for var, needle in needles.items():
            if needle in data:
                leaks.append((name, var))
    scanned = 0
    for root in paths:
        for dirpath, _, files in os.walk(root):
            for f in files:
                path = os.path.join(dirpath, f)
                if os.path.islink(path) or "/.terraform/providers" in path:
                    continue
                with open(path, "rb") as fh:
                    data = fh.read()
                scanned += 1
                for var, needle in needles.items():
                    if needle in data:
                        leaks.append((path, var))
    return leaks, scanned


@pytest.fixture(scope="module")
def sandbox():
    """A copy of the Terraform parts of the repo, so nothing here touches the real tftest/."""
    root = tempfile.mkdtemp(prefix="sc-canary-")
    for d in ("tftest", "terraform-modules", "examples"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(root, d),
                        ignore=shutil.ignore_patterns(".work", ".terraform", "terraform.tfstate*", ".streamcheck"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def env_with_canaries(root):
    env = {**os.environ, **CANARIES}
    env["PATH"] = os.path.dirname(os.path.abspath(BIN)) + os.pathsep + env["PATH"] if os.sep in BIN else env["PATH"]
    env["TF_CLI_CONFIG_FILE"] = os.path.join(root, "tftest", "terraform.rc")
    env["STREAMCHECK_REPORT_DIR"] = os.path.join(root, "run-records")
    env.pop("STREAMCHECK_DEBUG", None)
    return env


def test_canary_never_leaks_from_terraform_test_suites_and_reports(sandbox):
    env = env_with_canaries(sandbox)
    tf = os.path.join(sandbox, "tftest")
    out = os.path.join(sandbox, "test-results")
    os.makedirs(out)
    texts = []
    p = subprocess.run([terraform, "init", "-input=false", "-no-color"], cwd=tf, env=env, capture_output=True, timeout=300)
    assert p.returncode == 0, p.stderr.decode()
    for suite in ("basic-flow.tftest.hcl", "faults.tftest.hcl"):
        p = subprocess.run([terraform, "test", "-no-color", f"-filter={suite}", f"-junit-xml={out}/{suite}.xml"],
                           cwd=tf, env=env, capture_output=True, timeout=900)
        texts += [(f"terraform test {suite} stdout", p.stdout), (f"terraform test {suite} stderr", p.stderr)]
        assert p.returncode == 0, p.stdout.decode()[-3000:]
    # Reports built from the run records the suites wrote.
    p = subprocess.run([BIN, "report", "--run-dir", env["STREAMCHECK_REPORT_DIR"], "--junit", f"{out}/report.xml",
                        "--html", f"{out}/report.html", "--json", f"{out}/summary.json", "--markdown", f"{out}/summary.md"],
                       env=env, capture_output=True, timeout=120)
    texts += [("report stdout", p.stdout), ("report stderr", p.stderr)]
    assert p.returncode in (0, 2), p.stderr.decode()
    assert os.listdir(env["STREAMCHECK_REPORT_DIR"]), "the suites should have written run records"
    # A notify that fails (nothing listens) must not echo the webhook URL either.
    p = subprocess.run([BIN, "notify", "--run-dir", env["STREAMCHECK_REPORT_DIR"], "--slack", "--retries", "0",
                        "--timeout", "2s", "--result-file", f"{out}/notify.json"], env=env, capture_output=True, timeout=120)
    texts += [("notify stdout", p.stdout), ("notify stderr", p.stderr)]
    leaks, scanned = scan([tf, out, env["STREAMCHECK_REPORT_DIR"]], texts)
    assert scanned >= 5, scanned
    # The scanner itself finds a planted canary (so an empty list means something).
    control, _ = scan([], [("control", b"x" + CANARIES["STREAMCHECK_KAFKA_SASL_PASSWORD"].encode() + b"y")])
    assert ("control", "STREAMCHECK_KAFKA_SASL_PASSWORD") in control
    assert leaks == [], leaks


def test_unsupported_secret_property_fails_without_echoing_the_value(tmp_path):
    var, value = OIDC_SECRET
    p = subprocess.run([BIN, "produce", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--message-count", "1",
                        "--manifest", str(tmp_path / "m"), "--result-file", str(tmp_path / "r.json")],
                       env={**os.environ, var: value}, capture_output=True, timeout=60)
    assert p.returncode == 1
    assert "invalid Kafka property 'sasl.oauthbearer.client.secret'" in p.stderr.decode()
    leaks, _ = scan([str(tmp_path)], [("stdout", p.stdout), ("stderr", p.stderr)])
    assert leaks == [] and value.encode() not in p.stderr


def test_canary_never_leaks_into_terraform_state_or_plan(sandbox):
    env = env_with_canaries(sandbox)
    ex = os.path.join(sandbox, "examples", "basic-flow")
    texts = []

    def tf(*args, timeout=600):
        p = subprocess.run([terraform, *args, "-no-color"], cwd=ex, env=env, capture_output=True, timeout=timeout)
        texts.append((f"terraform {args[0]} stdout", p.stdout))
        texts.append((f"terraform {args[0]} stderr", p.stderr))
        assert p.returncode == 0, (args, p.stdout.decode()[-2000:], p.stderr.decode()[-2000:])
        return p

    tf("init", "-input=false")
    tf("plan", "-input=false", "-out=saved.tfplan", "-var", "message_count=200")
    shown = tf("show", "-json", "saved.tfplan")
    tf("apply", "-input=false", "saved.tfplan")
    state = open(os.path.join(ex, "terraform.tfstate"), "rb").read()
    assert b'"passed"' in state or b"passed" in state
    # Scan while the flow's files (results, manifests) still exist, then destroy.
    leaks, scanned = scan([ex], texts + [("plan JSON", shown.stdout)])
    tf("destroy", "-input=false", "-auto-approve", "-var", "message_count=200")
    assert scanned >= 4, scanned
    assert leaks == [], leaks


# Every flag that takes a URL, with the operation that takes it (issue 15: `--s3-endpoint
# http://AK:SECRET@host` printed the secret on stderr and into the report-dir record).
URL_FLAGS = [
    (["verify-sink", "s3", "--manifest", "{m}", "--bucket", "sc-bucket"], "--s3-endpoint"),
    (["seed-source", "s3", "--bucket", "sc-bucket", "--message-count", "1", "--manifest", "{m}"], "--s3-endpoint"),
    (["produce", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--data-format", "avro",
      "--schema-file", "{schema}", "--manifest", "{m}"], "--schema-registry-url"),
    (["connector", "status", "--name", "c"], "--connect-url"),
    (["report", "--run-dir", "{dir}", "--html", "{dir}/r.html"], "--pipeline-url"),
    (["notify", "--run-dir", "{dir}", "--email", "--to", "a@example.com", "--from", "b@example.com"], "--smtp-url"),
]


@pytest.mark.parametrize("argv,flag", URL_FLAGS, ids=[f"{a[0]}-{f}" for a, f in URL_FLAGS])
def test_credentials_in_a_url_flag_are_refused_and_never_echoed(tmp_path, argv, flag):
    secret = f"url-{TAG}-20"
    schema = tmp_path / "s.avsc"
    schema.write_text('{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}')
    filled = [a.replace("{m}", str(tmp_path / "m.manifest")).replace("{schema}", str(schema)).replace("{dir}", str(tmp_path)) for a in argv]
    report = tmp_path / "report"
    scheme = "smtp" if flag == "--smtp-url" else "http"
    p = subprocess.run([BIN, *filled, flag, f"{scheme}://AKIDEXAMPLE:{secret}@127.0.0.1:1/x", "--report-dir", str(report)],
                       capture_output=True, timeout=60)
    assert p.returncode == 1, p.stderr.decode()
    lines = p.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "carries credentials (user:password@host)" in lines[0], lines
    leaks, _ = scan([str(tmp_path)], [("stdout", p.stdout), ("stderr", p.stderr)])
    assert leaks == [] and secret.encode() not in p.stderr


def test_credentials_in_the_s3_endpoint_variable_are_refused_and_never_echoed(tmp_path):
    secret = f"url-{TAG}-21"
    p = subprocess.run([BIN, "verify-sink", "s3", "--manifest", str(tmp_path / "m"), "--bucket", "sc-bucket", "--report-dir", str(tmp_path / "r")],
                       env={**os.environ, "STREAMCHECK_S3_ENDPOINT": f"http://AK:{secret}@127.0.0.1:1"}, capture_output=True, timeout=60)
    assert p.returncode == 1
    assert "STREAMCHECK_S3_ENDPOINT" in p.stderr.decode() and "carries credentials" in p.stderr.decode(), p.stderr.decode()
    leaks, _ = scan([str(tmp_path)], [("stdout", p.stdout), ("stderr", p.stderr)])
    assert leaks == [] and secret.encode() not in p.stderr
