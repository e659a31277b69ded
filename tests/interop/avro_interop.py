#!/usr/bin/env python3
"""Avro interop checks between streamcheck and an independent implementation (fastavro),
through Confluent Schema Registry framing and kafka-python 2.0.2. Used by scripts/test.d/30-avro.sh.

  check-consume  consume N messages streamcheck produced, fetch each writer schema by id from
                 the registry, decode with fastavro and compare the content digest with the
                 streamcheck.digest header (the same canonical JSON + FNV-1a 64 as streamcheck)
  produce        write JSON lines as Avro with fastavro, Confluent-framed with an id registered
                 through the registry's REST API, no streamcheck headers (streamcheck then
                 verifies them by content); --garbage N appends N framed values that do not decode
"""
import argparse
import copy
import json
import struct
import sys
import urllib.request
from io import BytesIO

import fastavro
from kafka import KafkaConsumer, KafkaProducer


def strip_logical(schema):
    """The same schema without logical types: fastavro then returns the underlying values,
    which is streamcheck's JSON convention (timestamps as integers, decimals as bytes)."""
    if isinstance(schema, list):
        return [strip_logical(s) for s in schema]
    if isinstance(schema, dict):
        out = {k: strip_logical(v) for k, v in schema.items() if k != "logicalType"}
        return out
    return schema


def to_convention(value):
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, dict):
        return {k: to_convention(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_convention(v) for v in value]
    return value


def canonical(value):
    """streamcheck's ContentDigest.canonicalJSON, written independently."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == int(value) and abs(value) < 9.0e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        out = ['"']
        for ch in value:
            if ch == '"':
                out.append('\\"')
            elif ch == "\\":
                out.append("\\\\")
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\r":
                out.append("\\r")
            elif ch == "\t":
                out.append("\\t")
            elif ord(ch) < 0x20:
                out.append("\\u%04x" % ord(ch))
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    items = sorted(value.items(), key=lambda kv: kv[0].encode("utf-8"))
    return "{" + ",".join(canonical(k) + ":" + canonical(v) for k, v in items) + "}"


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def registry_get(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as answer:
        return json.loads(answer.read())


def registry_post(url, path, body):
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def check_consume(args):
    consumer = KafkaConsumer(args.topic, bootstrap_servers=args.bootstrap, auto_offset_reset="earliest",
                             group_id=None, consumer_timeout_ms=int(args.timeout * 1000))
    schemas = {}
    seen = matched = 0
    problems = []
    for message in consumer:
        seen += 1
        value = message.value
        if len(value) < 5 or value[0] != 0:
            problems.append(f"offset {message.offset}: not Confluent-framed")
            continue
        schema_id = struct.unpack(">I", value[1:5])[0]
        if schema_id not in schemas:
            raw = json.loads(registry_get(args.registry, f"/schemas/ids/{schema_id}")["schema"])
            schemas[schema_id] = (fastavro.parse_schema(copy.deepcopy(raw)), fastavro.parse_schema(strip_logical(raw)))
        full, plain = schemas[schema_id]
        fastavro.schemaless_reader(BytesIO(value[5:]), full)  # logical types must decode too
        record = to_convention(fastavro.schemaless_reader(BytesIO(value[5:]), plain))
        headers = dict(message.headers or [])
        claimed = headers.get("streamcheck.digest", b"").decode()
        actual = "%016x" % fnv1a64(canonical(record).encode("utf-8"))
        if claimed == actual:
            matched += 1
        elif len(problems) < 5:
            problems.append(f"offset {message.offset}: digest {actual} != header {claimed}: {canonical(record)[:200]}")
        if seen >= args.count:
            break
    consumer.close()
    print(json.dumps({"seen": seen, "matched": matched, "schema_ids": sorted(schemas), "problems": problems}))
    return 0 if seen == args.count and matched == args.count else 1


def produce(args):
    raw = json.load(open(args.schema))
    answer = registry_post(args.registry, f"/subjects/{args.subject}/versions", {"schema": json.dumps(raw)})
    schema_id = answer["id"]
    plain = fastavro.parse_schema(strip_logical(raw))
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, acks="all")
    for _ in range(args.garbage):
        # Written first so a consumer meets it before it has all it expects. A negative string
        # length, then junk: no Avro reader accepts it under the registered schema.
        producer.send(args.topic, value=b"\x00" + struct.pack(">I", schema_id) + b"\x01\x02\x7f\xff\xff\xff\x0f", partition=0)
    count = 0
    for line in open(args.data):
        if not line.strip():
            continue
        record = json.loads(line)
        buffer = BytesIO()
        fastavro.schemaless_writer(buffer, plain, to_bytes(record, plain))
        producer.send(args.topic, value=b"\x00" + struct.pack(">I", schema_id) + buffer.getvalue(), partition=0)
        count += 1
    producer.flush(timeout=30)
    producer.close()
    print(json.dumps({"schema_id": schema_id, "produced": count, "garbage": args.garbage}))
    return 0


def to_bytes(value, schema):
    """JSON-convention values to what fastavro writes: code-point strings become bytes where
    the schema says bytes or fixed (found by walking the parsed schema)."""
    if isinstance(schema, dict) and schema.get("type") in ("bytes", "fixed") and isinstance(value, str):
        return value.encode("latin-1")
    if isinstance(schema, list):
        for branch in schema:
            if value is None and branch == "null":
                return None
            if isinstance(branch, dict) and branch.get("type") in ("bytes", "fixed") and isinstance(value, str):
                return value.encode("latin-1")
        for branch in schema:
            if branch != "null" and value is not None:
                return to_bytes(value, branch)
        return value
    if isinstance(schema, dict) and schema.get("type") == "record" and isinstance(value, dict):
        fields = {f["name"]: f for f in schema["fields"]}
        return {k: to_bytes(v, fields[k]["type"]) if k in fields else v for k, v in value.items()}
    if isinstance(schema, dict) and schema.get("type") == "array" and isinstance(value, list):
        return [to_bytes(v, schema["items"]) for v in value]
    if isinstance(schema, dict) and schema.get("type") == "map" and isinstance(value, dict):
        return {k: to_bytes(v, schema["values"]) for k, v in value.items()}
    if schema == "bytes" and isinstance(value, str):
        return value.encode("latin-1")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check-consume")
    c.add_argument("--bootstrap", required=True)
    c.add_argument("--topic", required=True)
    c.add_argument("--registry", required=True)
    c.add_argument("--count", type=int, required=True)
    c.add_argument("--timeout", type=float, default=30)
    p = sub.add_parser("produce")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--registry", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--schema", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--garbage", type=int, default=0)
    args = parser.parse_args()
    return check_consume(args) if args.command == "check-consume" else produce(args)


if __name__ == "__main__":
    sys.exit(main())
