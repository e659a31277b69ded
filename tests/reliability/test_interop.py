"""Interop with an independent client: kafka-python 2.0.2 (pure Python) against the embedded
broker. streamcheck verifies what kafka-python produced (given a manifest written here in
streamcheck's format), and kafka-python reads what streamcheck produced, headers included.
This proves the embedded broker serves other clients and that streamcheck does not only
agree with itself."""
import json
import struct
import time

import pytest

from conftest import consume, manifest_bytes, produce

kafka = pytest.importorskip("kafka", reason="kafka-python 2.0.2 is not installed (pip install kafka-python==2.0.2)")


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def canonical(record) -> bytes:
    """streamcheck's canonical JSON for records of strings and integers: keys sorted, compact."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_hash(key):
    if not key:
        return 0
    return fnv1a64(key) or 1


def write_manifest(path, run_id, topic, started_ms, entries):
    header = {"streamcheck_manifest": 1, "run_id": run_id, "topic": topic, "data_format": "json",
              "message_count": len(entries), "seed": "0", "key_strategy": "sequence", "schema_file": None,
              "data_file": None, "schema_registry_url": None, "subject": None, "schema_id": None,
              "started_at_ms": started_ms, "entry_size": 32, "extra": {"written_by": "kafka-python interop test"}}
    with open(path, "wb") as f:
        f.write(manifest_bytes(header, [struct.pack("<iqQQI", *e) for e in entries]))


def python_produce(bootstrap, topic, records, headers_for=None):
    producer = kafka.KafkaProducer(bootstrap_servers=bootstrap, acks="all", retries=5, api_version=(2, 0, 0))
    started_ms = int(time.time() * 1000)
    futures = []
    for seq, record in enumerate(records):
        value = canonical(record)
        key = str(seq).encode()
        headers = headers_for(seq, value) if headers_for else None
        futures.append((key, value, producer.send(topic, key=key, value=value, headers=headers)))
    producer.flush(30)
    entries = []
    for key, value, future in futures:
        md = future.get(timeout=30)
        entries.append((md.partition, md.offset, key_hash(key), fnv1a64(value), 0))
    producer.close(10)
    return started_ms, entries


RECORDS = [{"order_id": f"o-{i:05d}", "amount": i * 7 % 1000, "currency": "EUR", "lines": [i, i + 1]} for i in range(300)]


def test_streamcheck_verifies_what_kafka_python_produced_identified_by_content(cluster, work):
    started, entries = python_produce(cluster.bootstrap, "interop-py", RECORDS)
    manifest = f"{work}/py.manifest"
    write_manifest(manifest, "interop-py", "interop-py", started, entries)
    proc, r = consume(cluster.bootstrap, manifest, work, "py-verify", ["--timeout", "30s"])
    assert proc.returncode == 0, (proc.stderr.decode(), r and r["failed_checks"])
    assert (r["messages_consumed"], r["identified_by_content"], r["missing"], r["duplicates"], r["corrupted"],
            r["out_of_order"], r["foreign"]) == (300, 300, 0, 0, 0, 0, 0)


def test_streamcheck_verifies_kafka_python_messages_with_streamcheck_headers(cluster, work):
    run_id = f"interop-hdr-{time.monotonic_ns()}"

    def headers(seq, value):
        return [("streamcheck.run_id", run_id.encode()), ("streamcheck.seq", str(seq).encode()),
                ("streamcheck.produced_at", str(int(time.time() * 1e6)).encode()),
                ("streamcheck.digest", f"{fnv1a64(value):016x}".encode())]

    started, entries = python_produce(cluster.bootstrap, "interop-hdr", RECORDS, headers)
    manifest = f"{work}/hdr.manifest"
    write_manifest(manifest, run_id, "interop-hdr", started, entries)
    proc, r = consume(cluster.bootstrap, manifest, work, "hdr-verify", ["--timeout", "30s"])
    assert proc.returncode == 0, (proc.stderr.decode(), r and r["failed_checks"])
    assert (r["messages_consumed"], r["identified_by_content"], r["missing"], r["corrupted"]) == (300, 0, 0, 0)

    # The same manifest with one digest changed: streamcheck must call that message corrupted.
    bad = list(entries)
    p, o, k, d, t = bad[17]
    bad[17] = (p, o, k, d ^ 1, t)
    write_manifest(f"{work}/hdr-bad.manifest", run_id, "interop-hdr", started, bad)
    proc, r = consume(cluster.bootstrap, f"{work}/hdr-bad.manifest", work, "hdr-bad", ["--timeout", "10s", "--group-id", "hdr-bad"])
    assert proc.returncode == 2
    assert r["corrupted"] == 1 and "integrity" in r["failed_checks"] and "seq 17" in " ".join(c["found"] for c in r["checks"])


def test_kafka_python_reads_what_streamcheck_produced_headers_included(cluster, work):
    _, manifest = produce(cluster.bootstrap, "interop-sc", 400, work, "sc")
    with open(manifest, "rb") as f:
        header = json.loads(f.readline())
    consumer = kafka.KafkaConsumer("interop-sc", bootstrap_servers=cluster.bootstrap, group_id=f"py-{time.monotonic_ns()}",
                                   auto_offset_reset="earliest", consumer_timeout_ms=5000, api_version=(2, 0, 0))
    seen = {}
    deadline = time.monotonic() + 60
    while len(seen) < 400 and time.monotonic() < deadline:
        for message in consumer:
            h = dict(message.headers)
            assert h["streamcheck.run_id"].decode() == header["run_id"]
            seq = int(h["streamcheck.seq"])
            digest = int(h["streamcheck.digest"], 16)
            assert digest == fnv1a64(message.value), seq  # streamcheck's JSON is canonical
            assert int(h["streamcheck.produced_at"]) > 0
            assert message.key == str(seq).encode()  # key strategy "sequence"
            assert seq not in seen, f"seq {seq} read twice"
            seen[seq] = (message.partition, message.offset)
            if len(seen) == 400:
                break
    consumer.close()
    assert sorted(seen) == list(range(400))
    # Partition and offset agree with the manifest entries.
    with open(manifest, "rb") as f:
        f.readline()
        body = f.read()
    for seq, (partition, offset) in seen.items():
        p, o = struct.unpack_from("<iq", body, seq * 32)
        assert (p, o) == (partition, offset), seq
