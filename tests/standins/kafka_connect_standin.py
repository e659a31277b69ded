#!/usr/bin/env python3
"""Kafka Connect STAND-IN, for streamcheck's tests only.

No Kafka Connect runtime can be installed on the test machines, so this stand-in answers
Kafka Connect's documented REST API (and a Confluent Cloud Connect API route set) and runs
three connector classes that really move data:

  io.confluent.connect.s3.source.S3SourceConnector   S3 (JSON lines) -> Kafka topic
  io.confluent.connect.jdbc.JdbcSinkConnector        Kafka topic     -> PostgreSQL table
  io.confluent.connect.s3.S3SinkConnector            Kafka topic     -> S3 (JSON lines)

It is NOT Kafka Connect: one process, in-memory state, no workers or rebalances (409s are
injected on request), schemaless JSON only. Fault controls for tests live under /__standin/.

Usage:
  kafka_connect_standin.py [--host 127.0.0.1] [--port 0] [--state-dir DIR]
                           [--bootstrap-servers HOST:PORT | DIR/broker.json] [--background]
  kafka_connect_standin.py --stop --state-dir DIR
  --port 0 picks a free port; DIR/connect.json then holds {"connect_url", "pid", "bootstrap_servers"}.
  --background returns once serving (for Terraform's local-exec); --stop ends it by its PID.
  Basic auth is required when KAFKA_CONNECT_STANDIN_USERNAME and _PASSWORD are set; the Cloud
  routes (/connect/v1/...) require KAFKA_CONNECT_STANDIN_CLOUD_KEY and _SECRET when set.
"""
import argparse
import base64
import binascii
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

S3_SOURCE = "io.confluent.connect.s3.source.S3SourceConnector"
JDBC_SINK = "io.confluent.connect.jdbc.JdbcSinkConnector"
S3_SINK = "io.confluent.connect.s3.S3SinkConnector"
STANDIN_VERSION = "3.7.0-standin"


def log(message):
    print(f"kafka-connect-standin: {message}", file=sys.stderr, flush=True)


class ConnectError(Exception):
    """An answer with Connect's error body: {"error_code": status, "message": ...}."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------------------------------------
# Config definitions and validation (ConfigInfos as PUT /connector-plugins/{class}/config/validate answers)

COMMON_DEFS = {
    "connector.class": {"required": True},
    "tasks.max": {"type": "int", "default": "1", "min": 1},
    "key.converter": {}, "value.converter": {}, "value.converter.schemas.enable": {"type": "bool", "default": "false"},
    "bootstrap.servers": {},  # stand-in only: where this connector's Kafka is (default: --bootstrap-servers)
}
CLASS_DEFS = {
    S3_SOURCE: {
        "s3.bucket.name": {"required": True},
        "store.url": {}, "s3.region": {"default": "us-east-1"},
        "aws.access.key.id": {}, "aws.secret.access.key": {},
        "topics.dir": {"default": "topics"}, "s3.prefix": {},
        "kafka.topic": {}, "topic.regex.list": {},
        "record.key.field": {},
        "s3.poll.interval.ms": {"type": "int", "default": "500", "min": 10},
        "format.class": {"default": "io.confluent.connect.s3.format.json.JsonFormat"},
        "mode": {"default": "GENERIC"},
    },
    JDBC_SINK: {
        "topics": {}, "topics.regex": {},
        "connection.url": {"required": True}, "connection.user": {}, "connection.password": {},
        "table.name.format": {"default": "${topic}"}, "table.name": {},
        "insert.mode": {"default": "insert", "choices": ["insert", "upsert", "update"]},
        "pk.mode": {"default": "none", "choices": ["none", "kafka", "record_key", "record_value"]},
        "pk.fields": {"default": ""},
        "auto.create": {"type": "bool", "default": "false"},
        "auto.evolve": {"type": "bool", "default": "false"},
        "batch.size": {"type": "int", "default": "3000", "min": 1},
    },
    S3_SINK: {
        "topics": {}, "topics.regex": {},
        "s3.bucket.name": {"required": True},
        "store.url": {}, "s3.region": {"default": "us-east-1"},
        "aws.access.key.id": {}, "aws.secret.access.key": {},
        "topics.dir": {"default": "topics"},
        "flush.size": {"type": "int", "required": True, "min": 1},
        "rotate.schedule.interval.ms": {"type": "int", "default": "-1"},
        "format.class": {"default": "io.confluent.connect.s3.format.json.JsonFormat"},
        "storage.class": {"default": "io.confluent.connect.s3.storage.S3Storage"},
    },
}
CONNECTOR_TYPE = {S3_SOURCE: "source", JDBC_SINK: "sink", S3_SINK: "sink"}


def validate_config(connector_class, config):
    """Returns (ConfigInfos dict, list of error strings)."""
    defs = dict(COMMON_DEFS)
    defs.update(CLASS_DEFS.get(connector_class, {}))
    errors_by_key = {}

    def add(key, message):
        errors_by_key.setdefault(key, []).append(message)

    for key, d in defs.items():
        value = config.get(key)
        if value is None or value == "":
            if d.get("required"):
                add(key, f'Missing required configuration "{key}" which has no default value.')
            continue
        if d.get("type") == "int":
            try:
                number = int(value)
                if "min" in d and number < d["min"]:
                    add(key, f'Invalid value {value} for configuration {key}: Value must be at least {d["min"]}')
            except ValueError:
                add(key, f"Invalid value {value} for configuration {key}: Not a number of type INT")
        if d.get("type") == "bool" and str(value).lower() not in ("true", "false"):
            add(key, f"Invalid value {value} for configuration {key}: Expected value to be either true or false")
        if "choices" in d and value not in d["choices"]:
            add(key, f'Invalid value {value} for configuration {key}: String must be one of: {", ".join(d["choices"])}')
    if CONNECTOR_TYPE.get(connector_class) == "sink":
        if not config.get("topics") and not config.get("topics.regex"):
            add("topics", 'Must configure one of topics or topics.regex')
        if config.get("topics") and config.get("topics.regex"):
            add("topics", "topics and topics.regex are mutually exclusive options, but both are set.")
    if connector_class == S3_SOURCE and not config.get("kafka.topic") and not config.get("topic.regex.list"):
        add("kafka.topic", 'Missing required configuration "kafka.topic" (or "topic.regex.list" as topic:regex) which has no default value.')
    if connector_class == JDBC_SINK:
        url = config.get("connection.url", "")
        if url and not url.startswith("jdbc:postgresql://"):
            add("connection.url", f"Invalid value {url} for configuration connection.url: the stand-in only speaks jdbc:postgresql://")
        if config.get("pk.mode") in ("record_value", "record_key") and config.get("insert.mode") == "upsert" and not config.get("pk.fields"):
            if config.get("pk.mode") == "record_value":
                add("pk.fields", "pk.fields must name the key field(s) for pk.mode=record_value with insert.mode=upsert")

    keys = list(dict.fromkeys(list(defs.keys()) + list(config.keys())))
    configs = []
    for key in keys:
        errs = errors_by_key.get(key, [])
        configs.append({
            "definition": {"name": key, "type": defs.get(key, {}).get("type", "string").upper(), "required": bool(defs.get(key, {}).get("required")),
                           "default_value": defs.get(key, {}).get("default"), "importance": "MEDIUM", "documentation": "", "group": None,
                           "width": "NONE", "display_name": key, "dependents": [], "order": -1},
            "value": {"name": key, "value": config.get(key), "recommended_values": [], "errors": errs, "visible": True},
        })
    flat = [e for k in keys for e in errors_by_key.get(k, [])]
    info = {"name": connector_class, "error_count": len(flat), "groups": ["Common", connector_class.rsplit(".", 1)[-1]], "configs": configs}
    return info, flat


def cfg(config, key, default=None):
    value = config.get(key)
    if value is None or value == "":
        d = COMMON_DEFS.get(key) or next((defs[key] for defs in CLASS_DEFS.values() if key in defs), {})
        return d.get("default", default) if default is None else default
    return value


def cfg_bool(config, key):
    return str(cfg(config, key, None) or "false").lower() == "true"


# ---------------------------------------------------------------------------------------------
# Tasks: each runs in its own thread; a failure sets FAILED with a trace, as Connect does.

class TaskFailure(Exception):
    pass


class Task:
    def __init__(self, connector, task_id):
        self.connector = connector
        self.id = task_id
        self._state = "UNASSIGNED"
        self.failed = False
        self.trace = None
        self.stop_event = threading.Event()
        self.thread = None
        # Fault injection: fail after this many more records (None: don't).
        self.fail_after_records = None
        self.fail_trace = None

    # A failure sticks until the task is started again, whatever its thread does meanwhile.
    @property
    def state(self):
        return "FAILED" if self.failed else self._state

    @state.setter
    def state(self, value):
        self._state = value

    def status(self):
        s = {"id": self.id, "state": self.state, "worker_id": self.connector.worker.worker_id}
        if self.trace:
            s["trace"] = self.trace
        return s

    def start(self):
        self.stop_event.clear()
        self.failed = False
        self.state = "UNASSIGNED"
        self.trace = None
        self.thread = threading.Thread(target=self._run, name=f"{self.connector.name}-{self.id}", daemon=True)
        self.thread.start()

    def stop(self, wait=5.0):
        self.stop_event.set()
        if self.thread and self.thread is not threading.current_thread():
            self.thread.join(wait)

    def fail(self, trace):
        self.failed = True
        self.trace = trace
        self.stop_event.set()

    def count_records(self, n):
        """Called after n records were handled; raises when an injected failure is due."""
        if self.fail_after_records is None:
            return
        self.fail_after_records -= n
        if self.fail_after_records <= 0:
            self.fail_after_records = None
            raise TaskFailure(self.fail_trace or "org.apache.kafka.connect.errors.ConnectException: injected failure (kafka-connect-standin)")

    def _run(self):
        worker = None
        try:
            worker = TASK_CLASSES[self.connector.connector_class](self)
            while not self.stop_event.is_set():
                if self.connector.target_state == "PAUSED":
                    self.state = "PAUSED"
                    worker.idle()
                    self.stop_event.wait(0.1)
                    continue
                self.state = "RUNNING"
                worker.poll()
        except TaskFailure as e:
            self.fail(str(e))
            log(f"task {self.connector.name}-{self.id} failed (injected)")
        except Exception as e:  # any real error fails the task with a trace, as Connect does
            self.fail(f"org.apache.kafka.connect.errors.ConnectException: {type(e).__name__}: {e}\n" + traceback.format_exc())
            log(f"task {self.connector.name}-{self.id} failed: {e}")
        finally:
            if worker:
                try:
                    worker.close()
                except Exception:
                    pass


def kafka_bootstrap(task):
    bootstrap = task.connector.config.get("bootstrap.servers") or task.connector.worker.bootstrap
    if not bootstrap:
        raise TaskFailure("org.apache.kafka.common.config.ConfigException: no Kafka: set bootstrap.servers in the connector config or start the stand-in with --bootstrap-servers")
    return bootstrap


def s3_client(config):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "s3", endpoint_url=config.get("store.url") or os.environ.get("STREAMCHECK_S3_ENDPOINT") or None,
        region_name=cfg(config, "s3.region"),
        aws_access_key_id=config.get("aws.access.key.id") or os.environ.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=config.get("aws.secret.access.key") or os.environ.get("AWS_SECRET_ACCESS_KEY"),
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}, connect_timeout=5, read_timeout=10))


def decode_value(raw):
    """Schemaless JSON, or the JsonConverter envelope {"schema": ..., "payload": ...}."""
    if raw is None:
        return None
    value = json.loads(raw.decode("utf-8"))
    if isinstance(value, dict) and set(value.keys()) == {"schema", "payload"}:
        return value["payload"]
    return value


class SinkTaskBase:
    """Consumes the connector's topics with consumer group connect-<name>. Offsets are kept by
    the stand-in per partition (what GET /offsets shows) and mirrored into the group."""

    def __init__(self, task):
        from kafka import KafkaConsumer
        self.task = task
        self.connector = task.connector
        self.config = task.connector.config
        self.group = f"connect-{self.connector.name}"
        self.consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap(task), group_id=self.group, enable_auto_commit=False,
                                      api_version=(2, 0, 0), consumer_timeout_ms=1000, request_timeout_ms=15000,
                                      session_timeout_ms=10000, max_poll_records=500)
        self.assigned = []
        self.last_discovery = 0

    def topics(self):
        if self.config.get("topics"):
            return [t.strip() for t in self.config["topics"].split(",") if t.strip()]
        pattern = re.compile(self.config.get("topics.regex", "$^"))
        return sorted(t for t in self.consumer.topics() if pattern.fullmatch(t))

    def discover(self):
        from kafka import TopicPartition
        if time.time() - self.last_discovery < 2 and self.assigned:
            return
        self.last_discovery = time.time()
        ntasks = len(self.connector.tasks) or 1
        wanted = []
        for topic in self.topics():
            partitions = self.consumer.partitions_for_topic(topic) or set()
            for p in sorted(partitions):
                if p % ntasks == self.task.id:
                    wanted.append(TopicPartition(topic, p))
        if wanted != self.assigned:
            self.consumer.assign(wanted)
            for tp in wanted:
                offset = self.connector.offset_for(tp.topic, tp.partition)
                if offset is None and not self.connector.offsets_were_reset:
                    committed = self.consumer.committed(tp)
                    offset = committed
                if offset is None:
                    self.consumer.seek_to_beginning(tp)
                else:
                    self.consumer.seek(tp, offset)
            self.assigned = wanted

    def poll(self):
        self.discover()
        if not self.assigned:
            self.task.stop_event.wait(0.2)
            return
        batches = self.consumer.poll(timeout_ms=300, max_records=int(cfg(self.config, "batch.size", "500") or 500))
        for tp, records in sorted(batches.items(), key=lambda kv: (kv[0].topic, kv[0].partition)):
            if self.task.stop_event.is_set() or self.connector.target_state != "RUNNING":
                # Not delivered: seek back so a resume or restart sees them again.
                self.consumer.seek(tp, records[0].offset)
                continue
            self.deliver(tp, records)
        self.flush_due()

    def commit(self, tp, next_offset):
        from kafka.structs import OffsetAndMetadata
        self.connector.set_offset(tp.topic, tp.partition, next_offset)
        try:
            self.consumer.commit({tp: OffsetAndMetadata(next_offset, None)})
        except Exception as e:  # the stand-in's own record is authoritative
            log(f"{self.connector.name}: group commit failed: {e}")

    def flush_due(self):
        pass

    def idle(self):
        pass

    def close(self):
        self.consumer.close(autocommit=False)


DDL_LOCK = threading.Lock()


class JdbcSinkTask(SinkTaskBase):
    TYPE_NAMES = [(bool, "BOOLEAN"), (int, "BIGINT"), (float, "DOUBLE PRECISION"), (str, "TEXT"), (dict, "JSONB"), (list, "JSONB")]

    def __init__(self, task):
        super().__init__(task)
        import pg8000.dbapi
        url = self.config["connection.url"]
        parsed = urllib.parse.urlparse(url[len("jdbc:"):])
        query = dict(urllib.parse.parse_qsl(parsed.query))
        user = self.config.get("connection.user") or query.get("user") or "postgres"
        password = self.config.get("connection.password") or query.get("password")
        self.db = pg8000.dbapi.connect(user=user, password=password, host=parsed.hostname or "127.0.0.1",
                                       port=parsed.port or 5432, database=(parsed.path or "/postgres").lstrip("/") or "postgres", timeout=15)
        self.columns_by_table = {}

    @staticmethod
    def quote(name):
        return '"' + name.replace('"', '""') + '"'

    def sql_type(self, value):
        for python_type, name in self.TYPE_NAMES:
            if isinstance(value, python_type):
                return name
        return "TEXT"

    def table_name(self, topic):
        fmt = self.config.get("table.name") or cfg(self.config, "table.name.format")
        return fmt.replace("${topic}", topic)

    def key_fields(self):
        return [f.strip() for f in cfg(self.config, "pk.fields").split(",") if f.strip()]

    def row(self, record):
        value = decode_value(record.value)
        if not isinstance(value, dict):
            raise TaskFailure(f"org.apache.kafka.connect.errors.ConnectException: Sink connector '{self.connector.name}' is configured with "
                              f"'delete.enabled=false' and 'pk.mode=none' and therefore requires records with a non-null Struct value "
                              f"and non-null Struct schema, but found record at (topic='{record.topic}',partition={record.partition},offset={record.offset}) with a {type(value).__name__} value")
        row = dict(value)
        mode = cfg(self.config, "pk.mode")
        if mode == "kafka":
            row.update({"__connect_topic": record.topic, "__connect_partition": record.partition, "__connect_offset": record.offset})
        elif mode == "record_key":
            key = decode_value(record.key)
            fields = self.key_fields() or ["__connect_key"]
            if isinstance(key, dict):
                for f in fields:
                    row[f] = key.get(f)
            else:
                row[fields[0]] = key
        return row

    def pk_columns(self):
        mode = cfg(self.config, "pk.mode")
        if mode == "kafka":
            return ["__connect_topic", "__connect_partition", "__connect_offset"]
        if mode in ("record_value", "record_key"):
            return self.key_fields() or (["__connect_key"] if mode == "record_key" else [])
        return []

    def ensure_table(self, cur, table, rows):
        existing = self.columns_by_table.get(table)
        if existing is None:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s", (table,))
            existing = [r[0] for r in cur.fetchall()]
        fields = {}
        for r in rows:
            for k, v in r.items():
                if k not in fields or fields[k] == "TEXT" and v is not None:
                    fields[k] = self.sql_type(v) if v is not None else fields.get(k, "TEXT")
        if not existing:
            if not cfg_bool(self.config, "auto.create"):
                raise TaskFailure(f'org.apache.kafka.connect.errors.ConnectException: Table "{table}" is missing and auto-creation is disabled')
            pk = self.pk_columns()
            cols = [f"{self.quote(k)} {t}{' NOT NULL' if k in pk else ''}" for k, t in fields.items()]
            if pk:
                cols.append("PRIMARY KEY (" + ", ".join(self.quote(k) for k in pk) + ")")
            cur.execute(f"CREATE TABLE IF NOT EXISTS {self.quote(table)} ({', '.join(cols)})")
            existing = list(fields.keys())
        missing = [k for k in fields if k not in existing]
        if missing:
            if not cfg_bool(self.config, "auto.evolve"):
                raise TaskFailure(f'org.apache.kafka.connect.errors.ConnectException: Table "{table}" is missing fields {missing} and auto-evolution is disabled')
            for k in missing:
                cur.execute(f"ALTER TABLE {self.quote(table)} ADD COLUMN {self.quote(k)} {fields[k]}")
                existing.append(k)
        self.columns_by_table[table] = existing

    def write(self, cur, table, rows):
        pk = self.pk_columns()
        mode = cfg(self.config, "insert.mode")
        for r in rows:
            cols = list(r.keys())
            values = [json.dumps(v) if isinstance(v, (dict, list)) else v for v in r.values()]
            placeholders = ", ".join("%s::jsonb" if isinstance(v, (dict, list)) else "%s" for v in r.values())
            if mode == "update" and pk:
                updates = [c for c in cols if c not in pk]
                if not updates:
                    continue
                by_col = dict(zip(cols, values))
                casts = {c: "::jsonb" if isinstance(r[c], (dict, list)) else "" for c in cols}
                sql = (f"UPDATE {self.quote(table)} SET " + ", ".join(f"{self.quote(c)} = %s{casts[c]}" for c in updates)
                       + " WHERE " + " AND ".join(f"{self.quote(c)} = %s" for c in pk))
                cur.execute(sql, [by_col[c] for c in updates] + [by_col[c] for c in pk])
                continue
            sql = f"INSERT INTO {self.quote(table)} ({', '.join(self.quote(c) for c in cols)}) VALUES ({placeholders})"
            if mode == "upsert" and pk:
                updates = [c for c in cols if c not in pk]
                sql += f" ON CONFLICT ({', '.join(self.quote(c) for c in pk)}) DO " + (
                    "UPDATE SET " + ", ".join(f"{self.quote(c)} = EXCLUDED.{self.quote(c)}" for c in updates) if updates else "NOTHING")
            cur.execute(sql, values)

    def deliver(self, tp, records):
        table = self.table_name(tp.topic)
        # An injected failure lands mid-batch: the rows before it are written and committed in
        # Postgres, but the Kafka offsets are not, so a restart delivers them again. That is
        # the JDBC sink's at-least-once guarantee (upsert on a key makes it idempotent).
        failure = None
        upto = len(records)
        if self.task.fail_after_records is not None and self.task.fail_after_records <= len(records):
            upto = max(self.task.fail_after_records, 0)
            failure = TaskFailure(self.task.fail_trace or "org.apache.kafka.connect.errors.ConnectException: injected failure (kafka-connect-standin)")
            self.task.fail_after_records = None
        rows = [self.row(r) for r in records[:upto]]
        if rows:
            cur = self.db.cursor()
            try:
                # Tasks of one connector share tables: create or evolve them one at a time.
                with DDL_LOCK:
                    self.ensure_table(cur, table, rows)
                    self.db.commit()
                self.write(cur, table, rows)
                self.db.commit()
            except TaskFailure:
                self.db.rollback()
                raise
            except Exception:
                self.db.rollback()
                self.columns_by_table.pop(table, None)
                raise
        if failure:
            raise failure
        if self.task.fail_after_records is not None:
            self.task.fail_after_records -= len(records)
        self.commit(tp, records[-1].offset + 1)

    def close(self):
        super().close()
        try:
            self.db.close()
        except Exception:
            pass


class S3SinkTask(SinkTaskBase):
    """Writes JSON lines per partition, one object per flush.size records, keyed as Confluent's
    S3 sink does: <topics.dir>/<topic>/partition=<p>/<topic>+<p>+<start offset 10 digits>.json"""

    def __init__(self, task):
        super().__init__(task)
        self.s3 = s3_client(self.config)
        self.bucket = self.config["s3.bucket.name"]
        self.buffers = {}  # tp -> (first buffered at, [records])

    def deliver(self, tp, records):
        flush_size = int(cfg(self.config, "flush.size"))
        started, buffered = self.buffers.get(tp, (time.time(), []))
        for record in records:
            buffered.append(record)
            if len(buffered) >= flush_size:
                self.write_object(tp, buffered)
                buffered = []
                started = time.time()
        self.buffers[tp] = (started, buffered)

    def flush_due(self):
        interval = int(cfg(self.config, "rotate.schedule.interval.ms"))
        if interval <= 0:
            return
        for tp, (started, buffered) in list(self.buffers.items()):
            if buffered and (time.time() - started) * 1000 >= interval:
                self.write_object(tp, buffered)
                self.buffers[tp] = (time.time(), [])

    def write_object(self, tp, records):
        lines = []
        for r in records:
            value = decode_value(r.value)
            lines.append(json.dumps(value, separators=(",", ":")))
        topics_dir = cfg(self.config, "topics.dir").strip("/")
        key = f"{topics_dir}/{tp.topic}/partition={tp.partition}/{tp.topic}+{tp.partition}+{records[0].offset:010d}.json"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=("\n".join(lines) + "\n").encode())
        self.task.count_records(len(records))
        self.commit(tp, records[-1].offset + 1)

    def close(self):
        # Unflushed records are not committed: they are read again after a restart.
        super().close()


class S3SourceTask:
    """Lists JSON-lines objects under the prefix, produces each line as one record value.
    Source offsets: partition {"s3.object.key": key}, offset {"line": lines already produced}."""

    def __init__(self, task):
        from kafka import KafkaProducer
        self.task = task
        self.connector = task.connector
        self.config = task.connector.config
        self.s3 = s3_client(self.config)
        self.bucket = self.config["s3.bucket.name"]
        self.prefix = self.config.get("s3.prefix") or cfg(self.config, "topics.dir")
        topic = self.config.get("kafka.topic") or self.config.get("topic.regex.list", "").split(":", 1)[0]
        self.topic = topic.strip()
        self.key_field = self.config.get("record.key.field")
        self.interval = int(cfg(self.config, "s3.poll.interval.ms")) / 1000.0
        self.producer = KafkaProducer(bootstrap_servers=kafka_bootstrap(task), api_version=(2, 0, 0), acks="all",
                                      linger_ms=5, request_timeout_ms=15000)
        self.sizes = {}  # key -> (etag, lines) of objects fully produced

    def poll(self):
        ntasks = len(self.connector.tasks) or 1
        paginator = self.s3.get_paginator("list_objects_v2")
        keys = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix.rstrip("/") + "/" if self.prefix else ""):
            for obj in page.get("Contents", []):
                keys.append((obj["Key"], obj["ETag"]))
        for key, etag in sorted(keys):
            if self.task.stop_event.is_set() or self.connector.target_state != "RUNNING":
                return
            if binascii.crc32(key.encode()) % ntasks != self.task.id:
                continue
            done = self.connector.offset_for_source(key)
            if self.sizes.get(key, (None, -1)) == (etag, done):
                continue
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode("utf-8")
            lines = [line for line in body.split("\n") if line.strip()]
            pending = lines[done:]
            for i, line in enumerate(pending):
                record_key = None
                if self.key_field:
                    try:
                        k = json.loads(line).get(self.key_field)
                        record_key = (k if isinstance(k, str) else json.dumps(k)).encode()
                    except (ValueError, AttributeError):
                        raise TaskFailure(f"org.apache.kafka.connect.errors.DataException: line {done + i + 1} of s3://{self.bucket}/{key} is not a JSON object")
                self.producer.send(self.topic, key=record_key, value=line.encode("utf-8"))
            if pending:
                self.producer.flush(timeout=30)
                self.connector.set_source_offset(key, len(lines))
                self.task.count_records(len(pending))
            self.sizes[key] = (etag, len(lines))
        self.task.stop_event.wait(self.interval)

    def idle(self):
        pass

    def close(self):
        self.producer.close(timeout=5)


TASK_CLASSES = {S3_SOURCE: S3SourceTask, JDBC_SINK: JdbcSinkTask, S3_SINK: S3SinkTask}


# ---------------------------------------------------------------------------------------------
# Connectors and the worker (herder)

class Connector:
    def __init__(self, worker, name, config):
        self.worker = worker
        self.name = name
        self.config = config
        self.connector_class = config["connector.class"]
        self.type = CONNECTOR_TYPE[self.connector_class]
        self.target_state = "RUNNING"
        self.state = "UNASSIGNED"
        self.trace = None
        self.tasks = []
        self.sink_offsets = {}    # (topic, partition) -> next offset
        self.source_offsets = {}  # object key -> lines produced
        self.offsets_were_reset = False
        self.lock = threading.RLock()

    # offsets
    def offset_for(self, topic, partition):
        with self.lock:
            return self.sink_offsets.get((topic, partition))

    def set_offset(self, topic, partition, offset):
        with self.lock:
            self.sink_offsets[(topic, partition)] = offset

    def offset_for_source(self, key):
        with self.lock:
            return self.source_offsets.get(key, 0)

    def set_source_offset(self, key, lines):
        with self.lock:
            self.source_offsets[key] = lines

    def offsets_json(self):
        with self.lock:
            if self.type == "sink":
                return [{"partition": {"kafka_topic": t, "kafka_partition": p}, "offset": {"kafka_offset": o}}
                        for (t, p), o in sorted(self.sink_offsets.items())]
            return [{"partition": {"s3.object.key": k}, "offset": {"line": n}} for k, n in sorted(self.source_offsets.items())]

    def alter_offsets(self, entries):
        with self.lock:
            for entry in entries:
                partition, offset = entry.get("partition") or {}, entry.get("offset")
                if self.type == "sink":
                    if "kafka_topic" not in partition or "kafka_partition" not in partition:
                        raise ConnectError(400, "The partition for a sink connector offset must contain the keys 'kafka_topic' and 'kafka_partition'")
                    tp = (partition["kafka_topic"], int(partition["kafka_partition"]))
                    if offset is None:
                        self.sink_offsets.pop(tp, None)
                    else:
                        if "kafka_offset" not in offset:
                            raise ConnectError(400, "The offset for a sink connector should either be null or contain the key 'kafka_offset'")
                        self.sink_offsets[tp] = int(offset["kafka_offset"])
                else:
                    key = partition.get("s3.object.key")
                    if key is None:
                        raise ConnectError(400, "The partition for this source connector offset must contain the key 's3.object.key'")
                    if offset is None:
                        self.source_offsets.pop(key, None)
                    else:
                        self.source_offsets[key] = int(offset.get("line", 0))

    def reset_offsets(self):
        with self.lock:
            self.sink_offsets.clear()
            self.source_offsets.clear()
            # The group's committed offsets are forgotten too (as Connect deletes them).
            self.offsets_were_reset = True

    # lifecycle
    def task_count(self):
        return int(self.config.get("tasks.max", "1"))

    def start(self):
        """Connector startup is asynchronous: UNASSIGNED for a moment, then RUNNING with tasks."""
        def run():
            time.sleep(self.worker.startup_delay)
            with self.lock:
                if self.target_state == "STOPPED" or self.name not in self.worker.connectors:
                    return
                self.state = "RUNNING" if self.target_state == "RUNNING" else self.target_state
                self.trace = None
                self.tasks = [Task(self, i) for i in range(self.task_count())]
                for t in self.tasks:
                    t.start()
        threading.Thread(target=run, daemon=True).start()

    def stop_tasks(self):
        with self.lock:
            tasks, self.tasks = self.tasks, []
        for t in tasks:
            t.stop()

    def restart(self, include_tasks, only_failed):
        """KIP-745 semantics. Returns the instances restarted (None: connector only, legacy 204)."""
        with self.lock:
            restart_connector = not only_failed or self.state == "FAILED"
            targets = [t for t in self.tasks if include_tasks and (not only_failed or t.state == "FAILED")]
            if restart_connector:
                self.state = "RESTARTING"
            for t in targets:
                t.failed, t.trace = False, None
                t.state = "RESTARTING"
            snapshot = self.status()

        def run():
            for t in targets:
                t.stop()
            time.sleep(self.worker.startup_delay)
            with self.lock:
                if restart_connector:
                    self.state = {"RUNNING": "RUNNING", "PAUSED": "PAUSED", "STOPPED": "STOPPED"}[self.target_state]
                    self.trace = None
                    if not self.tasks and self.target_state != "STOPPED":
                        # A connector that failed had no tasks left; restarting it starts them.
                        self.tasks = [Task(self, i) for i in range(self.task_count())]
                        targets.extend(self.tasks)
                for t in targets:
                    if self.target_state != "STOPPED" and t in self.tasks:
                        t.start()
        threading.Thread(target=run, daemon=True).start()
        return snapshot

    def status(self):
        with self.lock:
            c = {"state": self.state, "worker_id": self.worker.worker_id}
            if self.trace:
                c["trace"] = self.trace
            return {"name": self.name, "connector": c, "tasks": [t.status() for t in self.tasks], "type": self.type}


class Worker:
    def __init__(self, bootstrap, startup_delay):
        self.bootstrap = bootstrap
        self.startup_delay = startup_delay
        self.connectors = {}
        self.lock = threading.RLock()
        self.worker_id = "127.0.0.1:8083"
        self.conflict_until = 0.0
        self.hang_until = 0.0
        self.rate_limited = 0
        self.rate_limit_retry_after = "1"
        self.cloud_offset_requests = {}  # name -> {"request": ..., "polls": n, "message": ...}

    def get(self, name):
        with self.lock:
            c = self.connectors.get(name)
        if c is None:
            raise ConnectError(404, f"Connector {name} not found")
        return c

    def check_config(self, name, config):
        if not isinstance(config, dict) or not all(isinstance(v, str) for v in config.values()):
            raise ConnectError(400, "Connector configuration must be a JSON object of strings")
        if config.get("name") not in (None, name):
            raise ConnectError(400, "Connector name configuration (" + str(config.get("name")) + ") doesn't match connector name in the URL (" + name + ")")
        cls = config.get("connector.class")
        if not cls:
            raise ConnectError(400, "Connector config {" + ", ".join(f"{k}={v}" for k, v in config.items()) + "} contains no connector type")
        if cls not in CONNECTOR_TYPE:
            raise ConnectError(400, f"Failed to find any class that implements Connector and which name matches {cls}, available connectors are: "
                                    + ", ".join(sorted(CONNECTOR_TYPE)))
        _, errors = validate_config(cls, config)
        if errors:
            raise ConnectError(400, f"Connector configuration is invalid and contains the following {len(errors)} error(s):\n" + "\n".join(errors)
                               + "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")

    def put_config(self, name, config):
        """Returns (created, info)."""
        config = dict(config)
        self.check_config(name, config)
        config["name"] = name
        with self.lock:
            existing = self.connectors.get(name)
            if existing is None:
                c = Connector(self, name, config)
                self.connectors[name] = c
                c.start()
                return True, self.info(c)
        # A config change restarts the connector and its tasks, keeping offsets and target state.
        existing.stop_tasks()
        with existing.lock:
            existing.config = config
            existing.connector_class = config["connector.class"]
            existing.type = CONNECTOR_TYPE[existing.connector_class]
            if existing.target_state != "STOPPED":
                existing.state = "UNASSIGNED"
        if existing.target_state != "STOPPED":
            existing.start()
        return False, self.info(existing)

    def info(self, c):
        return {"name": c.name, "config": c.config, "tasks": [{"connector": c.name, "task": t.id} for t in c.tasks], "type": c.type}

    def delete(self, name):
        c = self.get(name)
        with self.lock:
            self.connectors.pop(name, None)
        c.target_state = "STOPPED"
        threading.Thread(target=c.stop_tasks, daemon=True).start()

    def pause(self, name):
        c = self.get(name)
        with c.lock:
            c.target_state = "PAUSED"
            if c.state in ("RUNNING", "UNASSIGNED"):
                c.state = "PAUSED"

    def resume(self, name):
        c = self.get(name)
        with c.lock:
            was_stopped = c.target_state == "STOPPED"
            c.target_state = "RUNNING"
            if was_stopped:
                c.state = "UNASSIGNED"
            elif c.state == "PAUSED":
                c.state = "RUNNING"
        if was_stopped:
            c.start()

    def stop(self, name):
        c = self.get(name)
        with c.lock:
            c.target_state = "STOPPED"
        c.stop_tasks()
        with c.lock:
            c.state = "STOPPED"
            c.trace = None

    def shutdown(self):
        for c in list(self.connectors.values()):
            c.stop_tasks()


# ---------------------------------------------------------------------------------------------
# HTTP

SELF_ROUTES = [
    ("GET", r"/", "root"),
    ("GET", r"/connectors", "list"),
    ("POST", r"/connectors", "create"),
    ("GET", r"/connectors/([^/]+)", "info"),
    ("DELETE", r"/connectors/([^/]+)", "delete"),
    ("GET", r"/connectors/([^/]+)/config", "get_config"),
    ("PUT", r"/connectors/([^/]+)/config", "put_config"),
    ("GET", r"/connectors/([^/]+)/status", "status"),
    ("GET", r"/connectors/([^/]+)/tasks", "tasks"),
    ("GET", r"/connectors/([^/]+)/tasks/(\d+)/status", "task_status"),
    ("POST", r"/connectors/([^/]+)/tasks/(\d+)/restart", "task_restart"),
    ("POST", r"/connectors/([^/]+)/restart", "restart"),
    ("PUT", r"/connectors/([^/]+)/pause", "pause"),
    ("PUT", r"/connectors/([^/]+)/resume", "resume"),
    ("PUT", r"/connectors/([^/]+)/stop", "stop"),
    ("GET", r"/connectors/([^/]+)/offsets", "get_offsets"),
    ("PATCH", r"/connectors/([^/]+)/offsets", "alter_offsets"),
    ("DELETE", r"/connectors/([^/]+)/offsets", "reset_offsets"),
    ("GET", r"/connector-plugins", "plugins"),
    ("PUT", r"/connector-plugins/([^/]+)/config/validate", "validate"),
    # Confluent Cloud-only shapes (under the cloud prefix)
    ("POST", r"/connectors/([^/]+)/offsets/request", "cloud_offsets_request"),
    ("GET", r"/connectors/([^/]+)/offsets/request/status", "cloud_offsets_status"),
]
CLOUD_PREFIX = re.compile(r"^/connect/v1/environments/([^/]+)/clusters/([^/]+)(/.*)$")


class Handler(BaseHTTPRequestHandler):
    server_version = "kafka-connect-standin/" + STANDIN_VERSION
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if os.environ.get("KAFKA_CONNECT_STANDIN_ACCESS_LOG"):
            log(fmt % args)

    @property
    def worker(self):
        return self.server.worker

    def send_json(self, status, body, headers=()):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def send_error_body(self, status, message, cloud, headers=()):
        if cloud:
            self.send_json(status, {"error": {"code": status, "message": message}}, headers)
        else:
            self.send_json(status, {"error_code": status, "message": message}, headers)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError as e:
            raise ConnectError(400, f"Unrecognized request body: {e}")

    def authorised(self, cloud):
        if cloud:
            user, password = os.environ.get("KAFKA_CONNECT_STANDIN_CLOUD_KEY"), os.environ.get("KAFKA_CONNECT_STANDIN_CLOUD_SECRET")
        else:
            user, password = os.environ.get("KAFKA_CONNECT_STANDIN_USERNAME"), os.environ.get("KAFKA_CONNECT_STANDIN_PASSWORD")
        if not user:
            return True
        expected = "Basic " + base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        return self.headers.get("Authorization") == expected

    def handle_any(self, method):
        try:
            parsed = urllib.parse.urlsplit(self.path)
            path, query = parsed.path, dict(urllib.parse.parse_qsl(parsed.query))
            if path.startswith("/__standin/"):
                return self.control(method, path[len("/__standin/"):])
            w = self.worker
            if time.time() < w.hang_until:
                # Not answering: hold the request until the hang is over, then drop it.
                time.sleep(max(0.0, w.hang_until - time.time()))
                self.close_connection = True
                return
            cloud = False
            m = CLOUD_PREFIX.match(path)
            if m:
                cloud, path = True, m.group(3)
            if not self.authorised(cloud):
                return self.send_error_body(401, "Unauthorized" if not cloud else "Invalid API Key", cloud,
                                            [("WWW-Authenticate", 'Basic realm="kafka-connect-standin"')])
            if w.rate_limited > 0:
                w.rate_limited -= 1
                return self.send_error_body(429, "Too Many Requests", cloud,
                                            [("Retry-After", w.rate_limit_retry_after)] if not cloud else [("X-RateLimit-Reset", w.rate_limit_retry_after)])
            if time.time() < w.conflict_until and path.startswith("/connectors"):
                return self.send_error_body(409, "Cannot complete request because of a conflicting operation (e.g. worker rebalance)", cloud)
            for route_method, pattern, name in SELF_ROUTES:
                rm = re.fullmatch(pattern, path)
                if rm and route_method == method:
                    if name.startswith("cloud_") and not cloud:
                        continue
                    args = [urllib.parse.unquote(a) for a in rm.groups()]
                    return getattr(self, "do_" + name)(*args, query=query, cloud=cloud)
            if any(re.fullmatch(p, path) for _, p, _ in SELF_ROUTES):
                return self.send_error_body(405, "HTTP 405 Method Not Allowed", cloud)
            return self.send_error_body(404, "HTTP 404 Not Found", cloud)
        except ConnectError as e:
            self.send_error_body(e.status, e.message, CLOUD_PREFIX.match(urllib.parse.urlsplit(self.path).path) is not None)
        except Exception as e:
            log("internal error: " + traceback.format_exc())
            self.send_error_body(500, f"{type(e).__name__}: {e}", False)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_DELETE(self):
        self.handle_any("DELETE")

    # -- control endpoints for tests
    def control(self, method, action):
        body = self.body() or {}
        w = self.worker
        if action == "fail-task":
            c = w.get(body["connector"])
            trace = body.get("trace") or "org.apache.kafka.connect.errors.ConnectException: injected failure (kafka-connect-standin)"
            task_id = body.get("task")
            if task_id is None:
                with c.lock:
                    c.state, c.trace = "FAILED", trace
                c.stop_tasks()
            else:
                task = next((t for t in c.tasks if t.id == int(task_id)), None)
                if task is None:
                    raise ConnectError(404, f"Task {c.name}-{task_id} not found")
                if body.get("after_records") is not None:
                    task.fail_trace = trace
                    task.fail_after_records = int(body["after_records"])
                else:
                    task.fail(trace)
            return self.send_json(200, {"ok": True})
        if action == "conflict":
            w.conflict_until = time.time() + float(body.get("seconds", 5))
            return self.send_json(200, {"ok": True})
        if action == "hang":
            w.hang_until = time.time() + float(body.get("seconds", 5))
            return self.send_json(200, {"ok": True})
        if action == "rate-limit":
            w.rate_limited = int(body.get("count", 1))
            w.rate_limit_retry_after = str(body.get("retry_after", 1))
            return self.send_json(200, {"ok": True})
        if action == "reset-faults":
            w.conflict_until = w.hang_until = 0.0
            w.rate_limited = 0
            return self.send_json(200, {"ok": True})
        raise ConnectError(404, f"unknown stand-in control '{action}': fail-task, conflict, hang, rate-limit, reset-faults")

    # -- the Kafka Connect REST API
    def do_root(self, query, cloud):
        self.send_json(200, {"version": STANDIN_VERSION, "commit": "kafka-connect-standin", "kafka_cluster_id": "standin"})

    def do_list(self, query, cloud):
        with self.worker.lock:
            conns = dict(self.worker.connectors)
        expand = query.get("expand")
        if expand == "status":
            return self.send_json(200, {n: {"status": c.status()} for n, c in conns.items()})
        if expand == "info":
            return self.send_json(200, {n: {"info": self.worker.info(c)} for n, c in conns.items()})
        self.send_json(200, sorted(conns))

    def do_create(self, query, cloud):
        body = self.body() or {}
        name, config = body.get("name"), body.get("config")
        if not name or config is None:
            raise ConnectError(400, "Connector name and config are required")
        if name in self.worker.connectors:
            raise ConnectError(409, f"Connector {name} already exists")
        _, info = self.worker.put_config(name, config)
        self.send_json(201, info, [("Location", f"/connectors/{urllib.parse.quote(name)}")])

    def do_info(self, name, query, cloud):
        self.send_json(200, self.worker.info(self.worker.get(name)))

    def do_delete(self, name, query, cloud):
        self.worker.delete(name)
        self.send_json(204, None)

    def do_get_config(self, name, query, cloud):
        self.send_json(200, self.worker.get(name).config)

    def do_put_config(self, name, query, cloud):
        created, info = self.worker.put_config(name, self.body() or {})
        self.send_json(201 if created else 200, info)

    def do_status(self, name, query, cloud):
        self.send_json(200, self.worker.get(name).status())

    def do_tasks(self, name, query, cloud):
        c = self.worker.get(name)
        self.send_json(200, [{"id": {"connector": name, "task": t.id}, "config": dict(c.config, **{"task.class": c.connector_class + "Task"})} for t in c.tasks])

    def do_task_status(self, name, task_id, query, cloud):
        c = self.worker.get(name)
        t = next((t for t in c.tasks if t.id == int(task_id)), None)
        if t is None:
            raise ConnectError(404, f"No status found for task {name}-{task_id}")
        self.send_json(200, t.status())

    def do_task_restart(self, name, task_id, query, cloud):
        c = self.worker.get(name)
        t = next((t for t in c.tasks if t.id == int(task_id)), None)
        if t is None:
            raise ConnectError(404, f"Task {name}-{task_id} not found")
        t.stop()
        t.start()
        self.send_json(204, None)

    def do_restart(self, name, query, cloud):
        c = self.worker.get(name)
        include_tasks = query.get("includeTasks", "false").lower() == "true"
        only_failed = query.get("onlyFailed", "false").lower() == "true"
        snapshot = c.restart(include_tasks, only_failed)
        if not include_tasks and not only_failed:
            return self.send_json(204, None)  # the legacy form: connector only, no body
        self.send_json(202, snapshot)

    def do_pause(self, name, query, cloud):
        self.worker.pause(name)
        self.send_json(202, None)

    def do_resume(self, name, query, cloud):
        self.worker.resume(name)
        self.send_json(202, None)

    def do_stop(self, name, query, cloud):
        if cloud:
            raise ConnectError(404, "HTTP 404 Not Found")
        self.worker.stop(name)
        self.send_json(202, None)

    def do_get_offsets(self, name, query, cloud):
        c = self.worker.get(name)
        body = {"offsets": c.offsets_json()}
        if cloud:
            body = {"name": name, "id": "lcc-standin", "offsets": c.offsets_json(),
                    "metadata": {"observed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}
        self.send_json(200, body)

    def require_stopped(self, c):
        if c.target_state != "STOPPED" or c.state != "STOPPED":
            raise ConnectError(400, "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the "
                                    f"specified connector by issuing a 'PUT' request to the '/connectors/{c.name}/stop' endpoint")

    def do_alter_offsets(self, name, query, cloud):
        c = self.worker.get(name)
        self.require_stopped(c)
        body = self.body() or {}
        if not isinstance(body.get("offsets"), list) or not body["offsets"]:
            raise ConnectError(400, "The offsets to be altered must be non-empty")
        c.alter_offsets(body["offsets"])
        self.send_json(200, {"message": "The offsets for this connector have been altered successfully"})

    def do_reset_offsets(self, name, query, cloud):
        c = self.worker.get(name)
        self.require_stopped(c)
        c.reset_offsets()
        self.send_json(200, {"message": "The offsets for this connector have been reset successfully"})

    def do_plugins(self, query, cloud):
        self.send_json(200, [{"class": cls, "type": t, "version": STANDIN_VERSION} for cls, t in sorted(CONNECTOR_TYPE.items())])

    def do_validate(self, plugin, query, cloud):
        config = self.body() or {}
        if plugin not in CONNECTOR_TYPE and plugin.rsplit(".", 1)[-1] not in [c.rsplit(".", 1)[-1] for c in CONNECTOR_TYPE]:
            raise ConnectError(400, f"Failed to find any class that implements Connector and which name matches {plugin}, available connectors are: "
                                    + ", ".join(sorted(CONNECTOR_TYPE)))
        if config.get("connector.class") and config["connector.class"] != plugin:
            raise ConnectError(400, f"Included connector type {config['connector.class']} does not match request type {plugin}")
        info, _ = validate_config(plugin, config)
        self.send_json(200, info)

    # -- Confluent Cloud: asynchronous offsets requests
    def do_cloud_offsets_request(self, name, query, cloud):
        c = self.worker.get(name)
        body = self.body() or {}
        kind = body.get("type")
        if kind not in ("PATCH", "DELETE"):
            raise ConnectError(400, "type must be PATCH or DELETE")
        # Cloud stops the connector, applies the change and restores the state; it answers
        # PENDING on the first status poll and APPLIED after.
        previous = c.offsets_json()
        target = c.target_state
        self.worker.stop(name)
        if kind == "DELETE":
            c.reset_offsets()
            message = "The Connect framework-managed offsets for this connector have been reset successfully."
        else:
            c.alter_offsets(body.get("offsets") or [])
            message = "The Connect framework-managed offsets for this connector have been altered successfully."
        if target == "RUNNING":
            self.worker.resume(name)
        elif target == "PAUSED":
            self.worker.resume(name)
            self.worker.pause(name)
        self.worker.cloud_offset_requests[name] = {"request": {"id": "lcc-standin", "name": name, "offsets": body.get("offsets") or [], "type": kind,
                                                               "requested_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
                                                   "polls": 0, "message": message, "previous": previous}
        self.send_json(202, self.worker.cloud_offset_requests[name]["request"])

    def do_cloud_offsets_status(self, name, query, cloud):
        self.worker.get(name)
        req = self.worker.cloud_offset_requests.get(name)
        if req is None:
            raise ConnectError(404, f"No offsets request found for connector {name}")
        req["polls"] += 1
        phase = "PENDING" if req["polls"] == 1 else "APPLIED"
        body = {"request": req["request"], "status": {"phase": phase, "message": req["message"] if phase == "APPLIED" else ""},
                "previous_offsets": req["previous"]}
        if phase == "APPLIED":
            body["applied_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.send_json(200, body)


def start_in_background(args):
    """--background: start a detached stand-in (its own session, output to DIR/connect.log) and
    return once DIR/connect.json says it serves, so Terraform's local-exec can start it."""
    import subprocess
    state = os.path.join(args.state_dir, "connect.json")
    if os.path.exists(state):
        os.remove(state)
    os.makedirs(args.state_dir, exist_ok=True)
    argv = [a for a in sys.argv[1:] if a != "--background"]
    with open(os.path.join(args.state_dir, "connect.log"), "ab") as out:
        child = subprocess.Popen([sys.executable, os.path.abspath(__file__)] + argv, stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=out, start_new_session=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        if os.path.exists(state):
            with open(state) as f:
                print(f.read())
            return 0
        if child.poll() is not None:
            sys.exit(f"kafka-connect-standin: did not start (exit {child.returncode}); see {args.state_dir}/connect.log")
        time.sleep(0.1)
    child.terminate()
    sys.exit(f"kafka-connect-standin: not serving after 20s; see {args.state_dir}/connect.log")


def stop_background(args):
    """--stop: SIGTERM the stand-in recorded in DIR/connect.json and wait (bounded) until it exits."""
    state = os.path.join(args.state_dir, "connect.json")
    if not os.path.exists(state):
        return 0
    with open(state) as f:
        pid = json.load(f)["pid"]
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    os.remove(state)
    return 0


def main():
    parser = argparse.ArgumentParser(description="Kafka Connect stand-in (tests only): Kafka Connect's REST API with connectors that move data.")
    parser.add_argument("--background", action="store_true", help="start detached and return once serving (needs --state-dir)")
    parser.add_argument("--stop", action="store_true", help="stop the stand-in recorded in --state-dir")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-dir", help="write connect.json {connect_url, pid} here once listening")
    parser.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_CONNECT_STANDIN_BOOTSTRAP", ""),
                        help="Kafka for connectors that do not set bootstrap.servers; or a broker.json path")
    parser.add_argument("--startup-delay", type=float, default=0.3, help="seconds a connector stays UNASSIGNED after create/restart")
    args = parser.parse_args()
    if (args.background or args.stop) and not args.state_dir:
        parser.error("--background and --stop need --state-dir")
    if args.stop:
        return stop_background(args)
    if args.background:
        return start_in_background(args)

    bootstrap = args.bootstrap_servers
    if bootstrap.endswith(".json") and os.path.exists(bootstrap):
        with open(bootstrap) as f:
            bootstrap = json.load(f)["bootstrap_servers"]
    worker = Worker(bootstrap, args.startup_delay)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.worker = worker
    port = server.server_address[1]
    worker.worker_id = f"{args.host}:{port}"
    url = f"http://{args.host}:{port}"
    if args.state_dir:
        os.makedirs(args.state_dir, exist_ok=True)
        tmp = os.path.join(args.state_dir, "connect.json.tmp")
        with open(tmp, "w") as f:
            json.dump({"connect_url": url, "pid": os.getpid(), "bootstrap_servers": bootstrap}, f)
        os.replace(tmp, os.path.join(args.state_dir, "connect.json"))
    log(f"listening on {url} (Kafka: {bootstrap or 'none; set bootstrap.servers per connector'})")

    def shutdown(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        worker.shutdown()
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
