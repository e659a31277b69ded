"""Converters for the Kafka Connect STAND-IN (tests only): bytes from Kafka -> Connect data.

A sink task reads each record's key and value through the connector's converters
(`key.converter`, `value.converter`, and their `<prefix>.<option>` settings), as Kafka Connect's
WorkerSinkTask does before the transforms and the connector see the record:

  org.apache.kafka.connect.json.JsonConverter        JSON, schemaless (schemas.enable=false) or the
                                                      {"schema", "payload"} envelope
  org.apache.kafka.connect.storage.StringConverter   UTF-8 text
  io.confluent.connect.avro.AvroConverter            Confluent wire format (magic byte 0, 4-byte
                                                      big-endian schema id, Avro binary); the writer
                                                      schema is fetched by id from
                                                      <prefix>.schema.registry.url (GET /schemas/ids/{id})

A connector that sets no converter gets the stand-in's default: JsonConverter, schemaless, with
the envelope unwrapped when a value has one (a real worker's default comes from its own
key.converter/value.converter settings).

What the AvroConverter gives the connector is what Confluent's AvroData makes of an Avro record:
a Struct with a Connect schema. Here that is (value, ConnectSchema) where ConnectSchema lists each
top-level field with its Connect type; the JDBC sink creates its columns from it (as the real
sink's auto.create does from the record's value schema). Avro -> Connect, as AvroData maps it
(io/confluent/connect/avro/AvroData.java, default AvroDataConfig):

  boolean BOOLEAN, int INT32, long INT64, float FLOAT32, double FLOAT64, string STRING,
  bytes/fixed BYTES, enum STRING, array ARRAY, map MAP, record STRUCT,
  ["null", X] optional X, any other union a STRUCT named io.confluent.connect.avro.Union,
  logical types: decimal (bytes or fixed) -> Decimal, date -> Date, time-millis -> Time,
  timestamp-millis -> Timestamp; uuid stays a STRING; timestamp-micros and time-micros have no
  Connect logical type and stay INT64 (their raw number).

Failures carry the real exception chain (texts from AvroConverter, AbstractKafkaSchemaSerDe,
JsonConverter and Jackson) for the task's trace.
"""
import base64
import datetime
import io
import json
import struct
import urllib.error
import urllib.request

JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter"
STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter"
AVRO_CONVERTER = "io.confluent.connect.avro.AvroConverter"
KNOWN = (JSON_CONVERTER, STRING_CONVERTER, AVRO_CONVERTER)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class ConverterError(Exception):
    """A record the converter cannot read: the text is the Java exception chain
    ("org.apache.kafka.connect.errors.DataException: ...\\nCaused by: ...")."""


class ConverterConfigError(Exception):
    """The converter's configure() threw (a ConfigException): the task fails at start."""


class Field:
    """One field of a Connect Struct schema: type is a Connect Schema.Type name (INT32, STRING,
    STRUCT...), logical the Connect logical type name (org.apache.kafka.connect.data.Timestamp...)
    or None, schema_name what SinkRecordField.schemaName() answers (a record's full name, else None)."""

    def __init__(self, name, type, optional, logical=None, schema_name=None, parameters=None):
        self.name, self.type, self.optional, self.logical = name, type, optional, logical
        self.schema_name = schema_name if schema_name is not None else logical
        self.parameters = parameters or {}

    def __repr__(self):
        return f"Field({self.name!r}, {self.type}, optional={self.optional}, logical={self.logical})"


class ConnectSchema:
    """A Struct schema: its name (the Avro record's full name) and fields in order."""

    def __init__(self, name, fields):
        self.name, self.fields = name, fields

    def field(self, name):
        return next((f for f in self.fields if f.name == name), None)


def converter_for(config, is_key):
    """The converter the connector config declares for keys or values (None: the stand-in default)."""
    prefix = "key.converter" if is_key else "value.converter"
    cls = (config.get(prefix) or "").strip()
    options = {k[len(prefix) + 1:]: v for k, v in config.items() if k.startswith(prefix + ".")}
    if not cls:
        return DefaultJson()
    if cls == JSON_CONVERTER:
        return JsonConverter(str(options.get("schemas.enable", "true")).lower() == "true")
    if cls == STRING_CONVERTER:
        return StringConverter()
    if cls == AVRO_CONVERTER:
        return AvroConverter(options, is_key)
    raise ConverterConfigError(f"org.apache.kafka.common.config.ConfigException: Invalid value {cls} for configuration {prefix}: "
                               f"Class {cls} could not be found.")


def jackson_parse_error(raw, error):
    """Jackson's JsonParseException for bytes that are not JSON, as JsonDeserializer wraps it.
    For Avro bytes (magic byte 0 first) this is the well-known
    "Illegal character ((CTRL-CHAR, code 0)): only regular white space (\\r, \\n, \\t) is allowed
    between tokens". Other positions and characters are approximated from Python's error."""
    text = raw.decode("latin-1")
    # Control characters shown escaped (the stand-in's choice: Jackson prints them raw, which
    # would put NULs into the task's trace).
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[:100])
    first = next((i for i, c in enumerate(text) if c not in " \t\r\n"), 0)
    if text and ord(text[first]) < 32:
        code = ord(text[first])
        problem = f"Illegal character ((CTRL-CHAR, code {code})): only regular white space (\\r, \\n, \\t) is allowed between tokens"
        column = first + 2
    else:
        problem = f"Unexpected character: {error.msg if hasattr(error, 'msg') else error}"
        column = getattr(error, "colno", 1)
    return (f"com.fasterxml.jackson.core.JsonParseException: {problem}\n"
            f' at [Source: (byte[])"{shown}"; line: 1, column: {column}]')


class JsonConverter:
    def __init__(self, schemas_enable):
        self.schemas_enable = schemas_enable

    def to_connect(self, topic, raw):
        if raw is None:
            return None, None
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            # JsonConverter.toConnectData (connect/json/.../JsonConverter.java); JsonDeserializer
            # wraps Jackson's exception in a SerializationException.
            raise ConverterError("org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data failed due to serialization error: \n"
                                 "Caused by: org.apache.kafka.common.errors.SerializationException: " + jackson_parse_error(raw, e))
        if self.schemas_enable:
            if not (isinstance(value, dict) and set(value.keys()) == {"schema", "payload"}):
                raise ConverterError('org.apache.kafka.connect.errors.DataException: JsonConverter with schemas.enable requires "schema" and "payload" fields '
                                     "and may not contain additional fields. If you are trying to deserialize plain JSON data, set "
                                     "schemas.enable=false in your converter configuration.")
            return None, value["payload"]
        return None, value


class DefaultJson(JsonConverter):
    """No converter configured: schemaless JSON, the envelope unwrapped when present."""

    def __init__(self):
        super().__init__(False)

    def to_connect(self, topic, raw):
        schema, value = super().to_connect(topic, raw)
        if isinstance(value, dict) and set(value.keys()) == {"schema", "payload"}:
            return None, value["payload"]
        return schema, value


class StringConverter:
    def to_connect(self, topic, raw):
        return None, None if raw is None else raw.decode("utf-8", "replace")


class AvroConverter:
    """Confluent's AvroConverter: Confluent framing, writer schema by id from the registry."""

    def __init__(self, options, is_key):
        url = options.get("schema.registry.url")
        if not url:
            # AbstractKafkaSchemaSerDeConfig: schema.registry.url has no default (ConfigDef's text).
            raise ConverterConfigError('org.apache.kafka.common.config.ConfigException: Missing required configuration "schema.registry.url" which has no default value.')
        self.urls = [u.strip().rstrip("/") for u in url.split(",") if u.strip()]
        self.auth = options.get("basic.auth.user.info")
        self.is_key = is_key
        self.schemas = {}  # id -> (parsed fastavro schema, ConnectSchema or None)

    def fail(self, topic, cause):
        # AvroConverter.toConnectData: a SerializationException becomes this DataException.
        raise ConverterError(f"org.apache.kafka.connect.errors.DataException: Failed to deserialize data for topic {topic} to Avro: \n"
                             f"Caused by: {cause}")

    def fetch(self, topic, schema_id):
        if schema_id in self.schemas:
            return self.schemas[schema_id]
        import fastavro
        what = "key" if self.is_key else "value"
        last = None
        for base in self.urls:
            request = urllib.request.Request(f"{base}/schemas/ids/{schema_id}", headers={"Accept": "application/vnd.schemaregistry.v1+json"})
            if self.auth:
                request.add_header("Authorization", "Basic " + base64.b64encode(self.auth.encode()).decode())
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    body = json.loads(answer.read())
                break
            except urllib.error.HTTPError as e:
                try:
                    err = json.loads(e.read())
                    last = f"io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException: {err.get('message')}; error code: {err.get('error_code')}"
                except ValueError:
                    last = f"io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException: HTTP {e.code}"
            except (urllib.error.URLError, OSError) as e:
                last = f"java.net.ConnectException: {getattr(e, 'reason', e)}"
        else:
            self.fail(topic, f"org.apache.kafka.common.errors.SerializationException: Error retrieving Avro {what} schema for id {schema_id}\n"
                             f"Caused by: {last}")
        if body.get("schemaType", "AVRO") != "AVRO":
            self.fail(topic, f"org.apache.kafka.common.errors.SerializationException: Error retrieving Avro {what} schema for id {schema_id}")
        writer = json.loads(body["schema"])
        parsed = fastavro.parse_schema(writer)
        entry = (parsed, writer, connect_schema(writer))
        self.schemas[schema_id] = entry
        return entry

    def to_connect(self, topic, raw):
        if raw is None:
            return None, None
        import fastavro
        if len(raw) < 5 or raw[0] != 0:
            # AbstractKafkaSchemaSerDe.getByteBuffer
            self.fail(topic, "org.apache.kafka.common.errors.SerializationException: Unknown magic byte!")
        schema_id = struct.unpack(">I", raw[1:5])[0]
        parsed, writer, cschema = self.fetch(topic, schema_id)
        try:
            value = fastavro.schemaless_reader(io.BytesIO(raw[5:]), parsed)
        except Exception as e:  # EOF, bad union index...: the binary does not fit its writer schema
            self.fail(topic, f"org.apache.kafka.common.errors.SerializationException: Error deserializing Avro message for id {schema_id}\n"
                             f"Caused by: java.io.EOFException: {type(e).__name__}: {e}")
        return cschema, to_connect_value(writer, value)


# ---- Avro -> Connect (AvroData) ---------------------------------------------------------------

def _named(schema, names, namespace=None):
    """Resolves a reference to a named type defined earlier in the schema."""
    if isinstance(schema, str) and schema in names:
        return names[schema]
    if isinstance(schema, str) and namespace and f"{namespace}.{schema}" in names:
        return names[f"{namespace}.{schema}"]
    return schema


def _full_name(schema, namespace=None):
    name = schema.get("name", "")
    if "." in name:
        return name
    ns = schema.get("namespace", namespace)
    return f"{ns}.{name}" if ns else name


def _collect(schema, names, namespace=None):
    if isinstance(schema, list):
        for s in schema:
            _collect(s, names, namespace)
    elif isinstance(schema, dict):
        t = schema.get("type")
        if t in ("record", "error", "enum", "fixed"):
            full = _full_name(schema, namespace)
            names[full] = schema
            names.setdefault(schema["name"], schema)
            namespace = full.rsplit(".", 1)[0] if "." in full else namespace
        if t in ("record", "error"):
            for f in schema.get("fields", []):
                _collect(f["type"], names, namespace)
        elif t == "array":
            _collect(schema["items"], names, namespace)
        elif t == "map":
            _collect(schema["values"], names, namespace)
        elif isinstance(t, (dict, list)):
            _collect(t, names, namespace)


def connect_type(schema, names):
    """(Connect type, logical type, schema name, optional) of an Avro schema, as AvroData maps it."""
    schema = _named(schema, names)
    if isinstance(schema, list):
        branches = [_named(s, names) for s in schema]
        non_null = [s for s in branches if s != "null"]
        if len(non_null) == 1 and len(branches) == 2:
            t, logical, name, _ = connect_type(non_null[0], names)
            return t, logical, name, True
        return "STRUCT", None, "io.confluent.connect.avro.Union", "null" in branches
    if isinstance(schema, str):
        return {"boolean": "BOOLEAN", "int": "INT32", "long": "INT64", "float": "FLOAT32", "double": "FLOAT64",
                "string": "STRING", "bytes": "BYTES", "null": "NULL"}[schema], None, None, False
    t = schema.get("type")
    logical = schema.get("logicalType")
    if isinstance(t, (dict, list)):
        return connect_type(t, names)
    if t in ("record", "error"):
        return "STRUCT", None, _full_name(schema), False
    if t == "enum":
        return "STRING", None, _full_name(schema), False
    if t == "array":
        return "ARRAY", None, None, False
    if t == "map":
        return "MAP", None, None, False
    if logical == "decimal" and t in ("bytes", "fixed"):
        return "BYTES", "org.apache.kafka.connect.data.Decimal", None, False
    if t == "fixed":
        return "BYTES", None, _full_name(schema), False
    if logical == "date" and t == "int":
        return "INT32", "org.apache.kafka.connect.data.Date", None, False
    if logical == "time-millis" and t == "int":
        return "INT32", "org.apache.kafka.connect.data.Time", None, False
    if logical == "timestamp-millis" and t == "long":
        return "INT64", "org.apache.kafka.connect.data.Timestamp", None, False
    base, _, _, _ = connect_type(t, names)
    return base, None, None, False


def connect_schema(writer):
    """The Connect Struct schema of a record writer schema (None for a non-record value)."""
    names = {}
    _collect(writer, names)
    if not (isinstance(writer, dict) and writer.get("type") in ("record", "error")):
        return None
    fields = []
    for f in writer["fields"]:
        t, logical, name, optional = connect_type(f["type"], names)
        params = {}
        ft = _named(f["type"], names)
        if isinstance(ft, list):
            ft = next((_named(s, names) for s in ft if s != "null"), ft)
        if isinstance(ft, dict) and ft.get("logicalType") == "decimal":
            params = {"scale": str(ft.get("scale", 0)), "connect.decimal.precision": str(ft.get("precision", ""))}
        fields.append(Field(f["name"], t, optional, logical, name, params))
    return ConnectSchema(_full_name(writer), fields)


def to_connect_value(writer, value):
    """fastavro's decoded value as the Connect value AvroData gives: logical types as Java would
    hold them (Timestamp -> aware UTC datetime, Date -> date, Time -> time, Decimal -> Decimal),
    uuid as its string, timestamp-micros / time-micros back to their raw number."""
    names = {}
    _collect(writer, names)
    return _convert(writer, value, names)


def _convert(schema, value, names):
    import uuid
    schema = _named(schema, names)
    if value is None:
        return None
    if isinstance(schema, list):
        for branch in schema:
            b = _named(branch, names)
            if b == "null":
                continue
            if _fits(b, value, names):
                return _convert(b, value, names)
        return value
    if isinstance(schema, dict):
        t, logical = schema.get("type"), schema.get("logicalType")
        if isinstance(t, (dict, list)):
            return _convert(t, value, names)
        if t in ("record", "error") and isinstance(value, dict):
            return {f["name"]: _convert(f["type"], value.get(f["name"]), names) for f in schema["fields"]}
        if t == "array":
            return [_convert(schema["items"], v, names) for v in value]
        if t == "map":
            return {k: _convert(schema["values"], v, names) for k, v in value.items()}
        if logical == "timestamp-micros" and isinstance(value, datetime.datetime):
            return (value - EPOCH) // datetime.timedelta(microseconds=1)
        if logical == "time-micros" and isinstance(value, datetime.time):
            return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond
        if logical in ("local-timestamp-millis", "local-timestamp-micros") and isinstance(value, datetime.datetime):
            unit = 1000 if logical.endswith("millis") else 1
            return int((value.replace(tzinfo=datetime.timezone.utc) - EPOCH) / datetime.timedelta(microseconds=unit))
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _fits(schema, value, names):
    """Which union branch fastavro decoded a value from (it returns the plain Python value)."""
    import decimal
    import uuid
    schema = _named(schema, names)
    t = schema.get("type") if isinstance(schema, dict) else schema
    logical = schema.get("logicalType") if isinstance(schema, dict) else None
    if logical == "decimal":
        return isinstance(value, decimal.Decimal)
    if logical in ("timestamp-millis", "timestamp-micros", "local-timestamp-millis", "local-timestamp-micros"):
        return isinstance(value, datetime.datetime)
    if logical == "date":
        return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    if logical in ("time-millis", "time-micros"):
        return isinstance(value, datetime.time)
    if logical == "uuid":
        return isinstance(value, (uuid.UUID, str))
    return {"boolean": lambda v: isinstance(v, bool), "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "long": lambda v: isinstance(v, int) and not isinstance(v, bool), "float": lambda v: isinstance(v, float),
            "double": lambda v: isinstance(v, float), "string": lambda v: isinstance(v, str), "bytes": lambda v: isinstance(v, bytes),
            "fixed": lambda v: isinstance(v, bytes), "enum": lambda v: isinstance(v, str), "array": lambda v: isinstance(v, list),
            "map": lambda v: isinstance(v, dict), "record": lambda v: isinstance(v, dict), "error": lambda v: isinstance(v, dict)
            }.get(t, lambda v: True)(value)


# ---- Connect -> PostgreSQL column types (kafka-connect-jdbc PostgreSqlDatabaseDialect.getSqlType) --

POSTGRES_TYPES = {"INT8": "SMALLINT", "INT16": "SMALLINT", "INT32": "INT", "INT64": "BIGINT", "FLOAT32": "REAL",
                  "FLOAT64": "DOUBLE PRECISION", "BOOLEAN": "BOOLEAN", "STRING": "TEXT", "BYTES": "BYTEA"}
POSTGRES_LOGICAL = {"org.apache.kafka.connect.data.Decimal": "DECIMAL", "org.apache.kafka.connect.data.Date": "DATE",
                    "org.apache.kafka.connect.data.Time": "TIME", "org.apache.kafka.connect.data.Timestamp": "TIMESTAMP"}


def postgres_type(field):
    """The column type the JDBC sink's PostgreSQL dialect creates for a field, or the
    ConnectException GenericDatabaseDialect.getSqlType throws for one it cannot map."""
    if field.logical in POSTGRES_LOGICAL:
        return POSTGRES_LOGICAL[field.logical]
    if field.type in POSTGRES_TYPES:
        return POSTGRES_TYPES[field.type]
    raise ConverterError(f"org.apache.kafka.connect.errors.ConnectException: {field.schema_name} ({field.type}) type doesn't have "
                         "a mapping to the SQL database column type")


def jdbc_value(field, value):
    """A Connect value as the JDBC sink binds it: a Timestamp into a TIMESTAMP column in
    db.timezone (default UTC), so the naive UTC wall time."""
    if field is not None and field.logical == "org.apache.kafka.connect.data.Timestamp" and isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value
