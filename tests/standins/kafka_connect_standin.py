#!/usr/bin/env python3
"""Kafka Connect STAND-IN, for streamcheck's tests only.

No Kafka Connect runtime can be installed on the test machines, so this stand-in answers
Kafka Connect's documented REST API (and a Confluent Cloud Connect API route set) and runs
three connector classes that really move data:

  io.confluent.connect.s3.source.S3SourceConnector   S3 (JSON lines) -> Kafka topic
  io.confluent.connect.jdbc.JdbcSinkConnector        Kafka topic     -> PostgreSQL table
  io.confluent.connect.s3.S3SinkConnector            Kafka topic     -> S3 (JSON lines)

applying the connector's declared Single Message Transforms (connect_transforms.py: InsertField,
ReplaceField, MaskField, TimestampConverter, ValueToKey, on schemaless values) and, in the sinks,
its key/value converters (connect_converters.py: JsonConverter, StringConverter, Confluent's
AvroConverter with a Schema Registry).

It is NOT Kafka Connect: one process, in-memory state, no workers, no status topic, JSON or
(sinks) Avro data only. What it copies from Apache Kafka's source (connect/runtime/.../rest and herders; each
real text is cited next to it below) is the unkind part a client must cope with:
  - status answers lag behind changes: a fresh connector's status is 404 "No status found for
    connector <name>" for a moment; after POST restart?includeTasks/onlyFailed (202, RESTARTING)
    and after PUT config of an existing connector, GET status keeps showing the old state for a
    while (lags set by --restart-lag, --config-lag, --fresh-status-delay or POST /__standin/lags);
  - an unknown connector class is a 500 on validate and PUT config, final;
  - an injected rebalance gives writes the real 409s and GET info/config/tasks the real 500;
  - 404 texts differ per endpoint; unknown routes are "HTTP 404 Not Found", wrong methods
    "HTTP 405 Method Not Allowed"; --connect-version 3.4 / 3.5 hides stop and offsets / offsets
    PATCH+DELETE as those releases did.
Rebalances, 409s, hangs, 429s and task failures happen only when a test asks for them through
the controls under /__standin/ (see Handler.control).

Usage:
  kafka_connect_standin.py [--host 127.0.0.1] [--port 0] [--state-dir DIR]
                           [--bootstrap-servers HOST:PORT | DIR/broker.json] [--background]
                           [--restart-lag S] [--config-lag S] [--fresh-status-delay S]
                           [--startup-delay S] [--connect-version 3.4|3.5|3.6|3.7]
  kafka_connect_standin.py --stop --state-dir DIR
  --port 0 picks a free port; DIR/connect.json then holds {"connect_url", "pid", "bootstrap_servers"}.
  --background returns once serving (for Terraform's local-exec); --stop ends it by its PID.
  Basic auth is required when KAFKA_CONNECT_STANDIN_USERNAME and _PASSWORD are set; the Cloud
  routes (/connect/v1/...) require KAFKA_CONNECT_STANDIN_CLOUD_KEY and _SECRET when set.
"""
import argparse
import datetime
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import connect_transforms  # noqa: E402  (the SMTs, beside this file)
import connect_converters  # noqa: E402  (key/value converters, beside this file)

S3_SOURCE = "io.confluent.connect.s3.source.S3SourceConnector"
JDBC_SINK = "io.confluent.connect.jdbc.JdbcSinkConnector"
S3_SINK = "io.confluent.connect.s3.S3SinkConnector"
STANDIN_VERSION = "3.7.0-standin"
# --connect-version: which REST routes exist. PUT /stop and GET /offsets came in 3.5, PATCH and
# DELETE /offsets in 3.6 (KIP-875; docs/connect.html).
CONNECT_VERSIONS = ("3.4", "3.5", "3.6", "3.7")
# What the "installed" plugins report (GET /connector-plugins, and the PluginDesc list below).
PLUGIN_VERSIONS = {S3_SOURCE: "2.6.0", JDBC_SINK: "10.7.6", S3_SINK: "10.5.13"}
PLUGIN_LOCATIONS = {S3_SOURCE: "file:/usr/share/confluent-hub-components/confluentinc-kafka-connect-s3-source/",
                    JDBC_SINK: "file:/usr/share/confluent-hub-components/confluentinc-kafka-connect-jdbc/",
                    S3_SINK: "file:/usr/share/confluent-hub-components/confluentinc-kafka-connect-s3/"}

# ---- Real texts, copied from Apache Kafka's source (connect/runtime/src/main/java/org/apache/kafka/connect/runtime/...)
# rest/HerderRequestHandler.java: the three 409s a write can get around a rebalance
CONFLICT_NO_LEADER = ("Cannot complete request momentarily due to no known leader URL, "
                      "likely because a rebalance was underway.")
CONFLICT_OPERATION = "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
CONFLICT_STALE_CONFIG = ("Cannot complete request momentarily due to stale configuration "
                         "(typically caused by a concurrent config change)")
CONFLICT_TEXTS = {"no-leader": CONFLICT_NO_LEADER, "conflicting-operation": CONFLICT_OPERATION, "stale-config": CONFLICT_STALE_CONFIG}
# distributed/DistributedHerder.java checkRebalanceNeeded: RebalanceNeededException, a ConnectException,
# so a plain GET (completeRequest, no 409 translation) answers it as 500 (rest/errors/ConnectExceptionMapper.java)
REBALANCE_EXPECTED = "Request cannot be completed because a rebalance is expected"
# Worker.java completeModifyOffsetsCallback, when the connector's alterOffsets returns false (the
# default of SinkConnector/SourceConnector.alterOffsets; Confluent's S3 and JDBC connectors do not override it)
OFFSETS_ALTERED = ("The Connect framework-managed offsets for this connector have been altered successfully. However, if this "
                   "connector manages offsets externally, they will need to be manually altered in the system that the connector uses.")
OFFSETS_RESET = ("The Connect framework-managed offsets for this connector have been reset successfully. However, if this "
                 "connector manages offsets externally, they will need to be manually reset in the system that the connector uses.")
# Confluent Cloud masks password-type configs in GET config (its documented connect/v1 API); the mask is 16 stars.
CLOUD_MASK = "****************"
# Password-type (ConfigDef.Type.PASSWORD) configs of the three connectors, plus Cloud's own secret.
PASSWORD_CONFIGS = {"connection.password", "aws.secret.access.key", "kafka.api.secret"}


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
    "value.converter.schema.registry.url": {}, "key.converter.schema.registry.url": {},
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
        "record.batch.max.size": {"type": "int", "default": "200", "min": 1},
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


def resolve_connector_class(name):
    """Plugins.connectorClass (isolation/Plugins.java): the full class name, or the simple name
    with or without "Connector". Anything else is a ConnectException, which the REST layer answers
    with 500 (rest/errors/ConnectExceptionMapper.java): on validate and on PUT config alike, and
    retrying does not help."""
    if name in CONNECTOR_TYPE:
        return name
    matches = [c for c in CONNECTOR_TYPE if c.rsplit(".", 1)[-1] in (name, name + "Connector")]
    if len(matches) == 1:
        return matches[0]
    # isolation/Plugins.java, and PluginDesc.toString (isolation/PluginDesc.java) for each installed connector
    descs = ", ".join(
        f"PluginDesc{{klass=class {c}, name='{c}', version='{PLUGIN_VERSIONS[c]}', encodedVersion={PLUGIN_VERSIONS[c]}, "
        f"type={CONNECTOR_TYPE[c]}, typeName='{CONNECTOR_TYPE[c]}', location='{PLUGIN_LOCATIONS[c]}'}}"
        for c in sorted(CONNECTOR_TYPE))
    raise ConnectError(500, f"Failed to find any class that implements Connector and which name matches {name}, "
                            f"available connectors are: {descs}")


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

    # Transforms: ConnectorConfig.enrich adds each alias's definitions; their errors count too.
    for key, messages in connect_transforms.validation_errors(config).items():
        for message in messages:
            add(key, message)

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
            log(f"task {self.connector.name}-{self.id} failed: {str(e).splitlines()[0]}")
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


def decode_key(raw):
    """Keys: JSON when they parse, else the UTF-8 string (keys are often plain strings)."""
    if raw is None:
        return None
    try:
        return decode_value(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def load_transforms(config):
    """The connector's SMT chain; a transform's config error fails the task at start, as
    Transformation.configure throwing does in a real worker."""
    try:
        return connect_transforms.chain(config)
    except connect_transforms.ConfigException as e:
        raise TaskFailure(f"org.apache.kafka.common.config.ConfigException: {e}")


def run_transforms(transforms, record):
    """Applies the chain; a failure fails the task with the runtime's wrapper (errors.tolerance=none)."""
    try:
        return connect_transforms.apply_all(transforms, record)
    except connect_transforms.DataException as e:
        raise TaskFailure(f"{connect_transforms.TOLERANCE_EXCEEDED}\nCaused by: {e}")


def json_for_converter(value):
    """JsonConverter (schemas.enable=false) output; a java.util.Date (a Date/Time/Timestamp from
    TimestampConverter) has no schemaless JSON form (connect/json/.../JsonConverter.java)."""
    def refuse(v):
        raise TaskFailure(f"{connect_transforms.TOLERANCE_EXCEEDED}\nCaused by: org.apache.kafka.connect.errors.DataException: "
                          f"Java class class {connect_transforms.java_class(v)} does not have corresponding schema type.")
    return json.dumps(value, separators=(",", ":"), default=refuse)


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
        self.transforms = load_transforms(self.config)
        try:
            self.key_converter = connect_converters.converter_for(self.config, is_key=True)
            self.value_converter = connect_converters.converter_for(self.config, is_key=False)
        except connect_converters.ConverterConfigError as e:
            raise TaskFailure(str(e))

    def converted(self, r):
        """(key, value, value schema) of a Kafka record through the connector's converters. A
        record the converter cannot read fails the task (errors.tolerance=none), as
        WorkerSinkTask.convertAndTransformRecord does through RetryWithToleranceOperator."""
        try:
            if isinstance(self.key_converter, connect_converters.DefaultJson):
                key = decode_key(r.key)  # the stand-in's lenient default: JSON, else the text
            else:
                key = self.key_converter.to_connect(r.topic, r.key)[1]
            schema, value = self.value_converter.to_connect(r.topic, r.value)
        except connect_converters.ConverterError as e:
            raise TaskFailure(f"{connect_transforms.TOLERANCE_EXCEEDED}\nCaused by: {e}")
        return key, value, schema

    def transformed(self, records):
        """Kafka records as SinkRecords through the converters and the connector's transforms
        (connect_transforms.py); each keeps its value's Connect schema (None: schemaless) as
        .value_schema."""
        out = []
        for r in records:
            key, value, schema = self.converted(r)
            record = run_transforms(self.transforms, connect_transforms.Record(r.topic, r.partition, r.offset, r.timestamp, key, value, sink=True))
            record.value_schema = schema
            out.append(record)
        return out

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
    TYPE_NAMES = [(bool, "BOOLEAN"), (int, "BIGINT"), (float, "DOUBLE PRECISION"), (str, "TEXT"), (dict, "JSONB"), (list, "JSONB"),
                  # a Date/Time/Timestamp from TimestampConverter (the real sink would need a schema for it)
                  (datetime.datetime, "TIMESTAMPTZ")]

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
        """record: a transformed SinkRecord (connect_transforms.Record). Returns the row as a dict
        of column -> value; .fields maps columns to their Connect fields when the value had a schema."""
        value = record.value
        if not isinstance(value, dict):
            raise TaskFailure(f"org.apache.kafka.connect.errors.ConnectException: Sink connector '{self.connector.name}' is configured with "
                              f"'delete.enabled=false' and 'pk.mode=none' and therefore requires records with a non-null Struct value "
                              f"and non-null Struct schema, but found record at (topic='{record.topic}',partition={record.partition},offset={record.offset}) with a {type(value).__name__} value")
        schema = getattr(record, "value_schema", None)
        row = {k: connect_converters.jdbc_value(schema.field(k) if schema else None, v) for k, v in value.items()}
        mode = cfg(self.config, "pk.mode")
        if mode == "kafka":
            row.update({"__connect_topic": record.topic, "__connect_partition": record.partition, "__connect_offset": record.offset})
        elif mode == "record_key":
            key = record.key
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

    def ensure_table(self, cur, table, rows, schema=None):
        """Creates or evolves the table. With a value schema (a converter such as AvroConverter
        gave one) the columns come from it, as the real sink's auto.create does: the dialect's type
        per Connect type, NOT NULL for a required field; schemaless columns are typed from values."""
        existing = self.columns_by_table.get(table)
        if existing is None:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s", (table,))
            existing = [r[0] for r in cur.fetchall()]
        fields, required = {}, set()
        for r in rows:
            for k, v in r.items():
                field = schema.field(k) if schema else None
                if field is not None:
                    try:
                        fields[k] = connect_converters.postgres_type(field)
                    except connect_converters.ConverterError as e:
                        raise TaskFailure(str(e))
                    if not field.optional:
                        required.add(k)
                elif k not in fields or fields[k] == "TEXT" and v is not None:
                    fields[k] = self.sql_type(v) if v is not None else fields.get(k, "TEXT")
                elif fields[k] == "BIGINT" and isinstance(v, float):
                    fields[k] = "DOUBLE PRECISION"  # 5 and 6.25 in one batch: a JSON number column
        if not existing:
            if not cfg_bool(self.config, "auto.create"):
                raise TaskFailure(f'org.apache.kafka.connect.errors.ConnectException: Table "{table}" is missing and auto-creation is disabled')
            pk = self.pk_columns()
            cols = [f"{self.quote(k)} {t}{' NOT NULL' if k in pk or k in required else ''}" for k, t in fields.items()]
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
        # Schemaless only (a stand-in simplification: the real sink needs a schema): a column typed
        # BIGINT from the first batch's whole numbers is widened when a later batch (or the other
        # task) brings a fraction, instead of failing the insert with 22P02.
        if schema is None:
            widen = [k for k, t in fields.items() if t == "DOUBLE PRECISION"]
            if widen:
                cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                            "AND table_name = %s AND data_type = 'bigint'", (table,))
                for (column,) in cur.fetchall():
                    if column in widen and column not in self.pk_columns():
                        cur.execute(f"ALTER TABLE {self.quote(table)} ALTER COLUMN {self.quote(column)} TYPE DOUBLE PRECISION")
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
        converted = self.transformed(records[:upto])
        rows = [self.row(r) for r in converted]
        schema = next((r.value_schema for r in converted if getattr(r, "value_schema", None) is not None), None)
        if rows:
            cur = self.db.cursor()
            try:
                # Tasks of one connector share tables: create or evolve them one at a time.
                with DDL_LOCK:
                    self.ensure_table(cur, table, rows, schema)
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
        for record in self.transformed(records):
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
        lines = [json_for_converter(r.value) for r in records]
        topics_dir = cfg(self.config, "topics.dir").strip("/")
        key = f"{topics_dir}/{tp.topic}/partition={tp.partition}/{tp.topic}+{tp.partition}+{records[0].offset:010d}.json"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=("\n".join(lines) + "\n").encode())
        self.task.count_records(len(records))
        self.commit(tp, records[-1].offset + 1)

    def close(self):
        # Unflushed records are not committed: they are read again after a restart.
        super().close()


def s3_folder(key):
    """The source partition of an object: its "folder" (the key up to the last "/", with the "/")."""
    return key.rsplit("/", 1)[0] + "/" if "/" in key else ""


class S3SourceTask:
    """Lists JSON-lines objects under the prefix, produces each line as one record value.

    Source offsets use the layout Confluent's S3 source connector stores in the offsets topic
    (seen in a real _connect-offsets topic: key ["<connector>", {"folder": "topics/t/partition=0/"}],
    value {"lastFileRead": "topics/t/partition=0/t+0+0000000096.avro", "fileOffset": "3", "eof": "true"};
    the connector's source is not public, so the semantics here are the stand-in's reading of it):
    partition {"folder": <key up to the last "/">}, offset {"lastFileRead": <object key>,
    "fileOffset": <records of it already produced, as a string>, "eof": "true"|"false"}.
    Objects of a folder are read in key order; those up to lastFileRead are done (lastFileRead
    itself from fileOffset on unless eof is "true"), so an object added later with a key before
    lastFileRead is not read, and one rewritten after being read is not read again."""

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
        self.batch_size = int(cfg(self.config, "record.batch.max.size"))
        self.transforms = load_transforms(self.config)
        self.producer = KafkaProducer(bootstrap_servers=kafka_bootstrap(task), api_version=(2, 0, 0), acks="all",
                                      linger_ms=5, request_timeout_ms=15000)

    def record_for(self, key, line_number, line):
        """(key bytes, value bytes) for one line, through the connector's transforms if any."""
        record_key = None
        if self.key_field or self.transforms:
            try:
                value = json.loads(line)
            except ValueError:
                value = None
            if self.key_field:
                if not isinstance(value, dict):
                    raise TaskFailure(f"org.apache.kafka.connect.errors.DataException: line {line_number} of s3://{self.bucket}/{key} is not a JSON object")
                record_key = value.get(self.key_field)
            if not self.transforms:
                k = record_key
                return (None if k is None else (k if isinstance(k, str) else json.dumps(k)).encode()), line.encode("utf-8")
            record = run_transforms(self.transforms, connect_transforms.Record(self.topic, None, None, None, record_key, value, sink=False))
            k = record.key
            return (None if k is None else (k if isinstance(k, str) else json_for_converter(k)).encode()), json_for_converter(record.value).encode()
        return None, line.encode("utf-8")

    def poll(self):
        ntasks = len(self.connector.tasks) or 1
        paginator = self.s3.get_paginator("list_objects_v2")
        keys = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix.rstrip("/") + "/" if self.prefix else ""):
            keys.extend(obj["Key"] for obj in page.get("Contents", []))
        for key in sorted(keys):
            if self.task.stop_event.is_set() or self.connector.target_state != "RUNNING":
                return
            folder = s3_folder(key)
            if binascii.crc32(folder.encode()) % ntasks != self.task.id:
                continue
            offset = self.connector.offset_for_source(folder)
            start = 0
            if offset:
                last = offset.get("lastFileRead", "")
                if key < last or key == last and str(offset.get("eof", "false")).lower() == "true":
                    continue
                if key == last:
                    start = int(offset.get("fileOffset") or 0)
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode("utf-8")
            lines = [line for line in body.split("\n") if line.strip()]
            # poll() hands the worker at most record.batch.max.size records at a time; the worker
            # sends them and commits their offset once the producer acknowledged them. Here the
            # commit follows each acknowledged batch (a real worker commits every
            # offset.flush.interval.ms, so it may leave more uncommitted). An injected failure
            # (fail-task after_records) lands mid-batch: the records before it are sent and
            # acknowledged but their offset is never committed, so a restart resumes from the
            # last committed fileOffset and sends them again, the at-least-once tail.
            position = start
            while position < len(lines):
                if self.task.stop_event.is_set() or self.connector.target_state != "RUNNING":
                    return
                batch = lines[position:position + self.batch_size]
                failure = None
                for i, line in enumerate(batch):
                    record_key, value = self.record_for(key, position + i + 1, line)
                    self.producer.send(self.topic, key=record_key, value=value)
                    try:
                        self.task.count_records(1)
                    except TaskFailure as e:
                        failure = e
                        break
                self.producer.flush(timeout=30)
                if failure:
                    raise failure
                position += len(batch)
                self.connector.set_source_offset(folder, {"lastFileRead": key, "fileOffset": str(position),
                                                          "eof": "true" if position >= len(lines) else "false"})
            if not lines or start >= len(lines):
                self.connector.set_source_offset(folder, {"lastFileRead": key, "fileOffset": str(len(lines)), "eof": "true"})
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
        self.connector_class = resolve_connector_class(config["connector.class"])
        self.type = CONNECTOR_TYPE[self.connector_class]
        self.target_state = "RUNNING"
        self.state = "UNASSIGNED"
        self.trace = None
        self.tasks = []
        self.sink_offsets = {}    # (topic, partition) -> next offset
        self.source_offsets = {}  # folder -> {"lastFileRead", "fileOffset", "eof"} (S3SourceTask)
        self.offsets_were_reset = False
        self.lock = threading.RLock()
        # No status record exists until the connector has started (AbstractHerder.connectorStatus
        # reads the status topic): until then GET status is a 404.
        self.status_visible_at = time.time() + worker.fresh_status_delay
        # Bumped by each config change; a delayed start or restart of an older generation is dropped.
        self.generation = 0

    # offsets
    def offset_for(self, topic, partition):
        with self.lock:
            return self.sink_offsets.get((topic, partition))

    def set_offset(self, topic, partition, offset):
        with self.lock:
            self.sink_offsets[(topic, partition)] = offset

    def offset_for_source(self, folder):
        with self.lock:
            return self.source_offsets.get(folder)

    def set_source_offset(self, folder, offset):
        with self.lock:
            self.source_offsets[folder] = offset

    def offsets_json(self):
        with self.lock:
            if self.type == "sink":
                return [{"partition": {"kafka_topic": t, "kafka_partition": p}, "offset": {"kafka_offset": o}}
                        for (t, p), o in sorted(self.sink_offsets.items())]
            return [{"partition": {"folder": f}, "offset": dict(o)} for f, o in sorted(self.source_offsets.items())]

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
                    # Real Connect writes any source partition/offset maps; the stand-in's S3 source
                    # only understands its own layout, so it says so (a stand-in text, not a real one).
                    folder = partition.get("folder")
                    if folder is None:
                        raise ConnectError(400, "The partition for this source connector offset must contain the key 'folder' (kafka-connect-standin)")
                    if offset is None:
                        self.source_offsets.pop(folder, None)
                    else:
                        if not offset.get("lastFileRead"):
                            raise ConnectError(400, "The offset for this source connector must contain the key 'lastFileRead' (kafka-connect-standin)")
                        self.source_offsets[folder] = {"lastFileRead": str(offset["lastFileRead"]),
                                                       "fileOffset": str(offset.get("fileOffset", "0")),
                                                       "eof": str(offset.get("eof", "false")).lower()}

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
        generation = self.generation

        def run():
            time.sleep(self.worker.startup_delay)
            with self.lock:
                if self.target_state == "STOPPED" or self.worker.connectors.get(self.name) is not self or self.generation != generation:
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

    def restart(self, include_tasks, only_failed, lag=0.0):
        """KIP-745 semantics (RestartRequest.java). Returns the status as the 202 shows it: the
        instances to restart marked RESTARTING, traces kept (AbstractHerder.buildRestartPlan).
        The restart itself happens `lag` seconds later (the real one is a request written to the
        config topic and run by a later herder tick): until then GET status shows the old states."""
        with self.lock:
            if time.time() < self.status_visible_at:
                # distributed/DistributedHerder.java restartConnectorAndTasks, when buildRestartPlan finds no status
                raise ConnectError(404, f"Status for connector {self.name} not found")
            restart_connector = not only_failed or self.state == "FAILED"
            targets = [t for t in self.tasks if include_tasks and (not only_failed or t.state == "FAILED")]
            snapshot = self.status()
            if restart_connector:
                snapshot["connector"]["state"] = "RESTARTING"
            for ts in snapshot["tasks"]:
                if any(t.id == ts["id"] for t in targets):
                    ts["state"] = "RESTARTING"
            generation = self.generation

        def run():
            time.sleep(lag)
            with self.lock:
                if self.worker.connectors.get(self.name) is not self or self.generation != generation:
                    return
                if restart_connector:
                    self.state = "RESTARTING"
                for t in targets:
                    t.failed, t.trace = False, None
                    t.state = "RESTARTING"
            for t in targets:
                t.stop()
            time.sleep(self.worker.startup_delay)
            with self.lock:
                if self.generation != generation:
                    return
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
            if time.time() < self.status_visible_at:
                raise ConnectError(404, f"No status found for connector {self.name}")  # AbstractHerder.connectorStatus
            c = {"state": self.state, "worker_id": self.worker.worker_id}
            if self.trace:
                c["trace"] = self.trace
            return {"name": self.name, "connector": c, "tasks": [t.status() for t in self.tasks], "type": self.type}


class Worker:
    def __init__(self, bootstrap, startup_delay, restart_lag=1.5, config_lag=1.5, fresh_status_delay=0.75, connect_version="3.7"):
        self.bootstrap = bootstrap
        self.startup_delay = startup_delay
        # The lags (seconds; POST /__standin/lags changes them): how long GET status keeps the old
        # state after a KIP-745 restart and after a config change, and how long a new connector has
        # no status at all.
        self.restart_lag = restart_lag
        self.config_lag = config_lag
        self.fresh_status_delay = fresh_status_delay
        self.connect_version = connect_version
        self.rebalance_until = 0.0
        self.rebalance_message = None  # None: each endpoint's own real answer; else a CONFLICT_TEXTS key
        self.conflict_message = CONFLICT_OPERATION
        self.connectors = {}
        self.lock = threading.RLock()
        self.worker_id = "127.0.0.1:8083"
        self.conflict_until = 0.0
        self.hang_until = 0.0
        self.rate_limited = 0
        self.rate_limit_retry_after = "1"
        self.cloud_offset_requests = {}  # name -> {"request": ..., "polls": n, "message": ...}

    def get(self, name, not_found="Connector {name} not found"):
        """The connector, or a 404 in the endpoint's own words. Real texts (connect/runtime/...):
        "Connector {name} not found"      DistributedHerder connectorInfo/taskConfigs/deleteConnectorConfig,
                                          AbstractHerder.connectorOffsets (info, config, tasks, DELETE, offsets)
        "No status found for connector {name}"  AbstractHerder.connectorStatus (status)
        "Unknown connector {name}"        AbstractHerder pauseConnector/resumeConnector, DistributedHerder.stopConnector
        "Unknown connector: {name}"       DistributedHerder restartConnector/restartConnectorAndTasks/restartTask"""
        with self.lock:
            c = self.connectors.get(name)
        if c is None:
            raise ConnectError(404, not_found.format(name=name))
        return c

    def check_config(self, name, config):
        if not isinstance(config, dict) or not all(isinstance(v, str) for v in config.values()):
            raise ConnectError(400, "Connector configuration must be a JSON object of strings")
        if config.get("name") not in (None, name):
            raise ConnectError(400, "Connector name configuration (" + str(config.get("name")) + ") doesn't match connector name in the URL (" + name + ")")
        cls = config.get("connector.class")
        if not cls:
            raise ConnectError(400, "Connector config {" + ", ".join(f"{k}={v}" for k, v in config.items()) + "} contains no connector type")
        cls = resolve_connector_class(cls)  # 500 when not installed
        _, errors = validate_config(cls, config)
        if errors:
            raise ConnectError(400, f"Connector configuration is invalid and contains the following {len(errors)} error(s):\n" + "\n".join(errors)
                               + "\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")

    def put_config(self, name, config, allow_replace=True):
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
            if not allow_replace:
                raise ConnectError(409, f"Connector {name} already exists")  # DistributedHerder.doPutConnectorConfig
        # The new config is stored at once (GET config shows it), but the connector and its tasks
        # are restarted with it only config_lag seconds later: meanwhile the old tasks keep running
        # and GET status keeps showing their (old) state, as in a real cluster where the herder
        # picks the change up from the config topic and reconfigures asynchronously.
        with existing.lock:
            existing.generation += 1
            generation = existing.generation
            existing.config = config
            existing.connector_class = resolve_connector_class(config["connector.class"])
            existing.type = CONNECTOR_TYPE[existing.connector_class]

        def apply():
            time.sleep(self.config_lag)
            with existing.lock:
                if existing.generation != generation or self.connectors.get(name) is not existing or existing.target_state == "STOPPED":
                    return
            existing.stop_tasks()
            with existing.lock:
                if existing.generation != generation:
                    return
                existing.state, existing.trace = "UNASSIGNED", None
            existing.start()
        threading.Thread(target=apply, daemon=True).start()
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
        c = self.get(name, "Unknown connector {name}")
        with c.lock:
            c.target_state = "PAUSED"
            if c.state in ("RUNNING", "UNASSIGNED"):
                c.state = "PAUSED"

    def resume(self, name):
        c = self.get(name, "Unknown connector {name}")
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
        c = self.get(name, "Unknown connector {name}")
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
# Routes that came with later releases (docs/connect.html, KIP-875): absent when --connect-version is older.
ROUTE_SINCE = {"stop": "3.5", "get_offsets": "3.5", "alter_offsets": "3.6", "reset_offsets": "3.6"}
# During an injected rebalance (POST /__standin/rebalance), as a real worker answers while one is expected:
# - requests whose herder method calls checkRebalanceNeeded and that go through completeOrForwardRequest
#   get RebalanceNeededException translated to 409 stale-config (rest/HerderRequestHandler.java);
# - writes that must reach the leader, which is unknown mid-rebalance, get 409 no-leader;
# - GETs through completeRequest get the RebalanceNeededException itself: 500 (DistributedHerder
#   connectorInfo/taskConfigs; GET config goes through connectorInfo).
# GET status, GET /connectors, pause and resume never check for a rebalance (AbstractHerder), and
# neither does GET offsets (DistributedHerder.connectorOffsets), so they answer normally.
REBALANCE_409_STALE = {"restart", "task_restart", "alter_offsets", "reset_offsets"}
REBALANCE_409_NO_LEADER = {"create", "put_config", "delete", "stop"}
REBALANCE_500 = {"info", "get_config", "tasks"}
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
                # The blunt control: every /connectors* request, even GET status (a real worker
                # never answers GET status with 409; `rebalance` below is the faithful one).
                return self.send_error_body(409, w.conflict_message, cloud)
            version = tuple(int(x) for x in w.connect_version.split("."))
            routes = [(rm_, p, n) for rm_, p, n in SELF_ROUTES
                      if (cloud or not n.startswith("cloud_"))
                      and (cloud or tuple(int(x) for x in ROUTE_SINCE.get(n, "0").split(".")) <= version)]
            for route_method, pattern, name in routes:
                rm = re.fullmatch(pattern, path)
                if rm and route_method == method:
                    if time.time() < w.rebalance_until and not cloud:
                        self.rebalance_answer(name)
                    args = [urllib.parse.unquote(a) for a in rm.groups()]
                    return getattr(self, "do_" + name)(*args, query=query, cloud=cloud)
            # Jersey's own answers, mapped by ConnectExceptionMapper: a known path with another
            # method is NotAllowedException, an unknown path NotFoundException.
            if any(re.fullmatch(p, path) for _, p, _ in routes):
                return self.send_error_body(405, "HTTP 405 Method Not Allowed", cloud)
            return self.send_error_body(404, "HTTP 404 Not Found", cloud)
        except ConnectError as e:
            self.send_error_body(e.status, e.message, CLOUD_PREFIX.match(urllib.parse.urlsplit(self.path).path) is not None)
        except Exception as e:
            log("internal error: " + traceback.format_exc())
            self.send_error_body(500, f"{type(e).__name__}: {e}", False)

    def rebalance_answer(self, route):
        """Raises what a real worker answers `route` with while a rebalance is expected (see REBALANCE_*)."""
        w = self.worker
        if route in REBALANCE_500:
            raise ConnectError(500, REBALANCE_EXPECTED)
        if route in REBALANCE_409_STALE | REBALANCE_409_NO_LEADER:
            if w.rebalance_message:
                raise ConnectError(409, CONFLICT_TEXTS[w.rebalance_message])
            raise ConnectError(409, CONFLICT_STALE_CONFIG if route in REBALANCE_409_STALE else CONFLICT_NO_LEADER)

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
            # 409 on every /connectors* request; "message": one of CONFLICT_TEXTS' keys (default
            # conflicting-operation, the text this control always gave).
            message = body.get("message", "conflicting-operation")
            if message not in CONFLICT_TEXTS:
                raise ConnectError(400, f"message must be one of {', '.join(CONFLICT_TEXTS)}")
            w.conflict_message = CONFLICT_TEXTS[message]
            w.conflict_until = time.time() + float(body.get("seconds", 5))
            return self.send_json(200, {"ok": True})
        if action == "rebalance":
            # What a real worker answers while a rebalance is expected (REBALANCE_* above); "message"
            # forces one of the three 409 texts on every write instead of each endpoint's own.
            message = body.get("message")
            if message is not None and message not in CONFLICT_TEXTS:
                raise ConnectError(400, f"message must be one of {', '.join(CONFLICT_TEXTS)}")
            w.rebalance_message = message
            w.rebalance_until = time.time() + float(body.get("seconds", 5))
            return self.send_json(200, {"ok": True})
        if action == "lags":
            # Any of {"restart", "config", "fresh_status", "startup"} in seconds (0 for none); answers all.
            names = {"restart": "restart_lag", "config": "config_lag", "fresh_status": "fresh_status_delay", "startup": "startup_delay"}
            unknown = set(body) - set(names)
            if unknown:
                raise ConnectError(400, f"unknown lag(s) {sorted(unknown)}: use {', '.join(names)}")
            for key, attr in names.items():
                if key in body:
                    value = float(body[key])
                    if value < 0:
                        raise ConnectError(400, f"{key} must be >= 0")
                    setattr(w, attr, value)
            return self.send_json(200, {key: getattr(w, attr) for key, attr in names.items()})
        if action == "connect-version":
            version = str(body.get("version", ""))
            if version not in CONNECT_VERSIONS:
                raise ConnectError(400, f"version must be one of {', '.join(CONNECT_VERSIONS)}")
            w.connect_version = version
            return self.send_json(200, {"version": version})
        if action == "hang":
            w.hang_until = time.time() + float(body.get("seconds", 5))
            return self.send_json(200, {"ok": True})
        if action == "rate-limit":
            w.rate_limited = int(body.get("count", 1))
            w.rate_limit_retry_after = str(body.get("retry_after", 1))
            return self.send_json(200, {"ok": True})
        if action == "reset-faults":
            # Ends conflict, rebalance, hang and rate-limit; lags and version stay as set.
            w.conflict_until = w.hang_until = w.rebalance_until = 0.0
            w.rate_limited = 0
            return self.send_json(200, {"ok": True})
        raise ConnectError(404, f"unknown stand-in control '{action}': fail-task, conflict, rebalance, hang, rate-limit, "
                                "lags, connect-version, reset-faults")

    # -- the Kafka Connect REST API (rest/resources/ConnectorsResource.java, ConnectorPluginsResource.java)
    def do_root(self, query, cloud):
        version = STANDIN_VERSION if self.worker.connect_version == "3.7" else self.worker.connect_version + ".0-standin"
        self.send_json(200, {"version": version, "commit": "kafka-connect-standin", "kafka_cluster_id": "standin"})

    def do_list(self, query, cloud):
        with self.worker.lock:
            conns = dict(self.worker.connectors)
        expand = query.get("expand")
        if expand in ("status", "info"):
            out = {}
            for n, c in conns.items():
                try:
                    out[n] = {"status": c.status()} if expand == "status" else {"info": self.worker.info(c)}
                except ConnectError:
                    pass  # ConnectorsResource.listConnectors leaves out a connector whose lookup is a NotFoundException
            return self.send_json(200, out)
        self.send_json(200, sorted(conns))

    def do_create(self, query, cloud):
        body = self.body() or {}
        name, config = (body.get("name") or "").strip(), body.get("config")
        if not name or config is None:
            raise ConnectError(400, "Connector name and config are required")
        _, info = self.worker.put_config(name, config, allow_replace=False)
        self.send_json(201, info, [("Location", f"/connectors/{urllib.parse.quote(name)}")])

    def do_info(self, name, query, cloud):
        self.send_json(200, self.cloud_view(self.worker.info(self.worker.get(name)), cloud))

    def do_delete(self, name, query, cloud):
        self.worker.delete(name)
        self.send_json(204, None)

    def do_get_config(self, name, query, cloud):
        config = dict(self.worker.get(name).config)
        if cloud:
            config = self.cloud_config(config)
        self.send_json(200, config)

    def cloud_config(self, config):
        """Confluent Cloud's GET config (connect/v1 getConnectv1ConnectorConfig): the common Cloud
        configs are always there, and password-type values are masked."""
        out = {"cloud.environment": "prod", "cloud.provider": "aws",
               "kafka.endpoint": "SASL_SSL://pkc-standin.us-east-1.aws.confluent.cloud:9092", "kafka.region": "us-east-1"}
        out.update(config)
        return {k: CLOUD_MASK if k in PASSWORD_CONFIGS and v else v for k, v in out.items()}

    def cloud_view(self, info, cloud):
        if cloud:
            info = dict(info, config=self.cloud_config(info["config"]))
        return info

    def do_put_config(self, name, query, cloud):
        created, info = self.worker.put_config(name, self.body() or {})
        headers = [("Location", f"/connectors/{urllib.parse.quote(name)}")] if created else []
        self.send_json(201 if created else 200, info, headers)

    def do_status(self, name, query, cloud):
        self.send_json(200, self.worker.get(name, "No status found for connector {name}").status())

    def do_tasks(self, name, query, cloud):
        c = self.worker.get(name)
        self.send_json(200, [{"id": {"connector": name, "task": t.id}, "config": dict(c.config, **{"task.class": c.connector_class + "Task"})} for t in c.tasks])

    def do_task_status(self, name, task_id, query, cloud):
        # AbstractHerder.taskStatus: "No status found for task " + ConnectorTaskId ("<connector>-<task>")
        c = self.worker.get(name, "No status found for task {name}-" + str(int(task_id)))
        t = next((t for t in c.tasks if t.id == int(task_id)), None)
        if t is None or time.time() < c.status_visible_at:
            raise ConnectError(404, f"No status found for task {name}-{int(task_id)}")
        self.send_json(200, t.status())

    def do_task_restart(self, name, task_id, query, cloud):
        c = self.worker.get(name, "Unknown connector: {name}")
        t = next((t for t in c.tasks if t.id == int(task_id)), None)
        if t is None:
            raise ConnectError(404, f"Unknown task: {name}-{int(task_id)}")  # DistributedHerder.restartTask
        t.stop()
        t.start()
        self.send_json(204, None)

    def do_restart(self, name, query, cloud):
        c = self.worker.get(name, "Unknown connector: {name}")
        include_tasks = query.get("includeTasks", "false").lower() == "true"
        only_failed = query.get("onlyFailed", "false").lower() == "true"
        if not include_tasks and not only_failed:
            # RestartRequest.forceRestartConnectorOnly: the legacy form restarts the connector
            # before answering (DistributedHerder.restartConnector), 204 with no body.
            if time.time() >= c.status_visible_at:
                c.restart(False, False, lag=0.0)
            return self.send_json(204, None)
        # KIP-745: the restart request is only recorded; the 202 shows the plan (RESTARTING) while
        # GET status shows the old state until the restart really happens, restart_lag later.
        self.send_json(202, c.restart(include_tasks, only_failed, lag=self.worker.restart_lag))

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
        # ConnectorsResource.stopConnector returns void: JAX-RS answers 204 No Content.
        self.send_json(204, None)

    def do_get_offsets(self, name, query, cloud):
        c = self.worker.get(name)
        body = {"offsets": c.offsets_json()}
        if cloud:
            body = {"name": name, "id": "lcc-standin", "offsets": c.offsets_json(),
                    "metadata": {"observed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}
        self.send_json(200, body)

    def require_stopped(self, c):
        if c.target_state != "STOPPED" or c.state != "STOPPED":
            # distributed/DistributedHerder.java modifyConnectorOffsetsChecks
            raise ConnectError(400, "Connectors must be in the STOPPED state before their offsets can be modified. This can be done "
                                    f"for the specified connector by issuing a 'PUT' request to the '/connectors/{c.name}/stop' endpoint")

    def do_alter_offsets(self, name, query, cloud):
        body = self.body() or {}
        if not isinstance(body.get("offsets"), list) or not body["offsets"]:
            # ConnectorsResource.alterConnectorOffsets: checked before the connector is looked up
            raise ConnectError(400, "Partitions / offsets need to be provided for an alter offsets request")
        c = self.worker.get(name)
        self.require_stopped(c)
        c.alter_offsets(body["offsets"])
        self.send_json(200, {"message": OFFSETS_ALTERED})

    def do_reset_offsets(self, name, query, cloud):
        c = self.worker.get(name)
        self.require_stopped(c)
        c.reset_offsets()
        self.send_json(200, {"message": OFFSETS_RESET})

    def do_plugins(self, query, cloud):
        # PluginInfo: {"class", "type", "version"}
        self.send_json(200, [{"class": cls, "type": t, "version": PLUGIN_VERSIONS[cls]} for cls, t in sorted(CONNECTOR_TYPE.items())])

    def do_validate(self, plugin, query, cloud):
        config = self.body() or {}

        def normalized(n):  # ConnectorPluginsResource.normalizedPluginName
            return n[:-len("Connector")] if n.endswith("Connector") and len(n) > len("Connector") else n
        included = config.get("connector.class")
        if included is not None and not normalized(included).endswith(normalized(plugin)):
            raise ConnectError(400, f"Included connector type {included} does not match request type {plugin}")
        if included is None:
            # AbstractHerder.validateConnectorConfig validates the body's connector.class, not the path's
            raise ConnectError(400, "Connector config {" + ", ".join(f"{k}={v}" for k, v in config.items()) + "} contains no connector type")
        info, _ = validate_config(resolve_connector_class(included), config)
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
    parser.add_argument("--restart-lag", type=float, default=1.5,
                        help="seconds GET status keeps the old state after POST restart?includeTasks/onlyFailed (0: none)")
    parser.add_argument("--config-lag", type=float, default=1.5,
                        help="seconds GET status keeps the old state after PUT config of an existing connector (0: none)")
    parser.add_argument("--fresh-status-delay", type=float, default=0.75,
                        help="seconds a new connector's GET status answers 404 'No status found' (0: none)")
    parser.add_argument("--connect-version", choices=CONNECT_VERSIONS, default="3.7",
                        help="REST routes of this Connect release: 3.4 has no stop/offsets, 3.5 no offsets PATCH/DELETE")
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
    worker = Worker(bootstrap, args.startup_delay, args.restart_lag, args.config_lag, args.fresh_status_delay, args.connect_version)
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
