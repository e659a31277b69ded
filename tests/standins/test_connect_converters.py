"""The Connect stand-in's converters (connect_converters.py): Confluent's AvroConverter (wire
format, schema by id from a registry, AvroData's Avro -> Connect mapping), JsonConverter's real
DataException on bytes that are not JSON, and the JDBC sink's PostgreSQL column types."""
import datetime
import decimal
import io
import json
import os
import struct
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import fastavro
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import connect_converters as cc  # noqa: E402

SCHEMA = {
    "type": "record", "name": "Order", "namespace": "com.example",
    "fields": [
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "qty", "type": "int"},
        {"name": "n", "type": "long"},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]}},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "at_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "tod", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "total", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "ok", "type": "boolean"},
        {"name": "raw", "type": "bytes"},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "attrs", "type": {"type": "map", "values": "string"}},
        {"name": "choice", "type": ["int", "string"]},
    ],
}
RECORD = {
    "id": uuid.UUID("748324f4-80f6-42ee-ae43-81ffed1f5b8d"), "qty": 3, "n": -5, "status": "PAID",
    "at": 1735689600123, "at_us": 1735689600123456, "day": 20282, "tod": 3_723_004,
    "total": decimal.Decimal("-1234.50"), "f": 1.25, "d": 2.5, "ok": True, "raw": b"\x00\x01",
    "note": None, "attrs": {"a": "b"}, "choice": "x",
}


@pytest.fixture(scope="module")
def registry():
    """A registry answering GET /schemas/ids/1 with SCHEMA and 40403 for other ids."""
    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            if self.path == "/schemas/ids/1":
                status, body = 200, {"schema": json.dumps(SCHEMA)}
            else:
                status, body = 404, {"error_code": 40403, "message": f"Schema {self.path.rsplit('/', 1)[-1]} not found"}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def framed(record, schema_id=1):
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(SCHEMA), record)
    return b"\x00" + struct.pack(">I", schema_id) + out.getvalue()


def avro(registry):
    return cc.converter_for({"value.converter": cc.AVRO_CONVERTER, "value.converter.schema.registry.url": registry}, is_key=False)


def test_avro_converter_decodes_confluent_framing_as_avrodata_does(registry):
    schema, value = avro(registry).to_connect("orders", framed(RECORD))
    assert value["id"] == "748324f4-80f6-42ee-ae43-81ffed1f5b8d"  # uuid stays a string
    assert value["status"] == "PAID"  # enum -> STRING
    assert value["at"] == datetime.datetime(2025, 1, 1, 0, 0, 0, 123000, tzinfo=datetime.timezone.utc)  # Timestamp
    assert value["at_us"] == 1735689600123456  # no Connect logical type for micros: the raw long
    assert value["day"] == datetime.date(2025, 7, 13)  # Date
    assert value["tod"] == datetime.time(1, 2, 3, 4000)  # Time
    assert value["total"] == decimal.Decimal("-1234.50")  # Decimal
    assert value["note"] is None and value["raw"] == b"\x00\x01"
    types = {f.name: (f.type, f.logical, f.optional) for f in schema.fields}
    assert types["qty"] == ("INT32", None, False)
    assert types["at"] == ("INT64", "org.apache.kafka.connect.data.Timestamp", False)
    assert types["at_us"] == ("INT64", None, False)
    assert types["day"] == ("INT32", "org.apache.kafka.connect.data.Date", False)
    assert types["total"] == ("BYTES", "org.apache.kafka.connect.data.Decimal", False)
    assert types["note"] == ("STRING", None, True)
    assert types["attrs"][0] == "MAP"
    assert schema.field("choice").schema_name == "io.confluent.connect.avro.Union"
    assert schema.name == "com.example.Order"


def test_postgres_column_types_follow_the_jdbc_dialect(registry):
    schema, _ = avro(registry).to_connect("orders", framed(RECORD))
    got = {f.name: cc.postgres_type(f) for f in schema.fields if f.type not in ("MAP", "STRUCT")}
    assert got == {"id": "TEXT", "qty": "INT", "n": "BIGINT", "status": "TEXT", "at": "TIMESTAMP", "at_us": "BIGINT",
                   "day": "DATE", "tod": "TIME", "total": "DECIMAL", "f": "REAL", "d": "DOUBLE PRECISION", "ok": "BOOLEAN",
                   "raw": "BYTEA", "note": "TEXT"}
    with pytest.raises(cc.ConverterError) as e:
        cc.postgres_type(schema.field("attrs"))
    assert str(e.value) == "org.apache.kafka.connect.errors.ConnectException: None (MAP) type doesn't have a mapping to the SQL database column type"
    with pytest.raises(cc.ConverterError) as e:
        cc.postgres_type(schema.field("choice"))
    assert "io.confluent.connect.avro.Union (STRUCT) type doesn't have a mapping" in str(e.value)


def test_timestamps_bind_as_utc_wall_time():
    field = cc.Field("at", "INT64", False, "org.apache.kafka.connect.data.Timestamp")
    aware = datetime.datetime(2025, 1, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    assert cc.jdbc_value(field, aware) == datetime.datetime(2025, 1, 1, 0, 0)


def test_unknown_magic_byte(registry):
    with pytest.raises(cc.ConverterError) as e:
        avro(registry).to_connect("orders", b'{"id": 1}')
    assert str(e.value) == ("org.apache.kafka.connect.errors.DataException: Failed to deserialize data for topic orders to Avro: \n"
                            "Caused by: org.apache.kafka.common.errors.SerializationException: Unknown magic byte!")


def test_unknown_schema_id(registry):
    with pytest.raises(cc.ConverterError) as e:
        avro(registry).to_connect("orders", framed(RECORD, schema_id=7))
    assert "Error retrieving Avro value schema for id 7" in str(e.value)
    assert "RestClientException: Schema 7 not found; error code: 40403" in str(e.value)


def test_avro_converter_needs_a_registry_url():
    with pytest.raises(cc.ConverterConfigError) as e:
        cc.converter_for({"value.converter": cc.AVRO_CONVERTER}, is_key=False)
    assert 'Missing required configuration "schema.registry.url" which has no default value.' in str(e.value)


def test_json_converter_on_avro_bytes_is_the_real_data_exception(registry):
    for config in ({}, {"value.converter": cc.JSON_CONVERTER, "value.converter.schemas.enable": "false"}):
        with pytest.raises(cc.ConverterError) as e:
            cc.converter_for(config, is_key=False).to_connect("orders", framed(RECORD))
        text = str(e.value)
        assert text.startswith("org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data failed due to serialization error: \n"
                               "Caused by: org.apache.kafka.common.errors.SerializationException: com.fasterxml.jackson.core.JsonParseException: "
                               "Illegal character ((CTRL-CHAR, code 0)): only regular white space (\\r, \\n, \\t) is allowed between tokens")
        assert "; line: 1, column: 2]" in text and "\x00" not in text


def test_json_converter_with_schemas_enable_wants_the_envelope():
    conv = cc.converter_for({"value.converter": cc.JSON_CONVERTER, "value.converter.schemas.enable": "true"}, is_key=False)
    assert conv.to_connect("t", b'{"schema": {"type": "int32"}, "payload": 5}') == (None, 5)
    with pytest.raises(cc.ConverterError) as e:
        conv.to_connect("t", b'{"a": 1}')
    assert 'JsonConverter with schemas.enable requires "schema" and "payload" fields' in str(e.value)


def test_default_and_string_converters():
    assert cc.converter_for({}, is_key=False).to_connect("t", b'{"schema": {}, "payload": {"a": 1}}') == (None, {"a": 1})
    assert cc.converter_for({}, is_key=False).to_connect("t", b'{"a": 1}') == (None, {"a": 1})
    assert cc.converter_for({"key.converter": cc.STRING_CONVERTER}, is_key=True).to_connect("t", b"42") == (None, "42")
    with pytest.raises(cc.ConverterConfigError):
        cc.converter_for({"value.converter": "com.example.Nope"}, is_key=False)
