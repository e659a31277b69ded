"""Single Message Transforms for the Kafka Connect STAND-IN (tests only).

The stand-in's connectors apply the transforms a connector config declares
(`transforms=a,b`, `transforms.a.type=...`, `transforms.a.<option>=...`) in order, on schemaless
JSON records, as Apache Kafka's connect/transforms do on schemaless records (no schema: the
"applySchemaless" paths). Sinks apply them after reading a record from Kafka and before writing
it; the S3 source applies them before producing.

Implemented, with their real class names (connect/transforms/src/main/java/org/apache/kafka/
connect/transforms/<Name>.java is the authority for each behaviour and message below):

  InsertField$Value / $Key         topic.field, partition.field, offset.field (sinks only),
                                   timestamp.field, static.field + static.value
  ReplaceField$Value / $Key        exclude, include, renames (and the pre-4.0 names blacklist /
                                   whitelist, used when exclude / include are not set)
  MaskField$Value / $Key           fields, replacement
  TimestampConverter$Value / $Key  field, target.type, format (SimpleDateFormat subset), unix.precision
  ValueToKey                       fields

How JSON maps to Connect's schemaless Java values (JsonConverter with schemas.enable=false):
integer -> Long, other number -> Double, string -> String, true/false -> Boolean,
array -> ArrayList, object -> HashMap, null -> null. Date/Time/Timestamp results are Python
datetimes (java.util.Date).

Not implemented (the stand-in refuses them in validation, saying so): other transforms
(Cast, ExtractField, Flatten, HoistField, RegexRouter, Filter, header transforms...), predicates,
errors.tolerance (any transform error fails the task, as errors.tolerance=none does).
"""
import datetime
import re

PREFIX = "org.apache.kafka.connect.transforms."
# The runtime wraps a failing transform's exception like this when errors.tolerance=none
# (connect/runtime/.../errors/RetryWithToleranceOperator.java).
TOLERANCE_EXCEEDED = "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler"


class DataException(Exception):
    """org.apache.kafka.connect.errors.DataException: a record a transform cannot handle."""

    def __str__(self):
        return "org.apache.kafka.connect.errors.DataException: " + self.args[0]


class ConfigException(Exception):
    """org.apache.kafka.common.config.ConfigException, with ConfigException(name, value, message)'s
    text: "Invalid value <value> for configuration <name>: <message>" (clients/.../ConfigException.java)."""

    def __init__(self, message, name=None, value=None, has_value=False):
        if name is not None:
            message = f"Invalid value {java_str(value)} for configuration {name}" + (f": {message}" if message else "")
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class Record:
    """A ConnectRecord as the transforms see it: SinkRecord (sink=True: has a Kafka offset) or SourceRecord."""

    def __init__(self, topic, partition, offset, timestamp, key, value, sink):
        self.topic, self.partition, self.offset, self.timestamp = topic, partition, offset, timestamp
        self.key, self.value, self.sink = key, value, sink


def java_class(value):
    """The Java class name JsonConverter's schemaless value would have (Requirements.nullSafeClassName)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Long"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, list):
        return "java.util.ArrayList"
    if isinstance(value, dict):
        return "java.util.HashMap"
    if isinstance(value, datetime.datetime):
        return "java.util.Date"
    return type(value).__name__


def java_str(value):
    """How Java prints a config value in a message: lists as [a, b], null as null."""
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return str(value)


def parse_list(text):
    """ConfigDef.Type.LIST: comma-separated, whitespace around items trimmed; "" is the empty list."""
    if text is None:
        return None
    text = text.strip()
    return [] if not text else [item.strip() for item in re.split(r"\s*,\s*", text)]


def require_map(value, purpose):
    # transforms/util/Requirements.java requireMap
    if not isinstance(value, dict):
        raise DataException(f"Only Map objects supported in absence of schema for [{purpose}], found: {java_class(value)}")
    return value


class Transform:
    """Base: subclasses set PURPOSE and implement configure(props) and apply_value(record, value)."""
    KEY = False  # the $Key variant operates on the record key

    def __init__(self, props):
        self.configure(props)

    def operating(self, record):
        return record.key if self.KEY else record.value

    def with_operating(self, record, new):
        if self.KEY:
            record.key = new
        else:
            record.value = new
        return record


class InsertField(Transform):
    PURPOSE = "field insertion"
    OPTIONS = ("topic.field", "partition.field", "offset.field", "timestamp.field", "static.field")

    @staticmethod
    def spec(text):
        # InsertField.InsertionSpec.parse: a trailing "?" (optional, the default) or "!" (required) is dropped
        if text is None:
            return None
        return text[:-1] if text.endswith("?") or text.endswith("!") else text

    def configure(self, props):
        self.fields = {o: self.spec(props.get(o)) for o in self.OPTIONS}
        self.static_value = props.get("static.value")
        if all(v is None for v in self.fields.values()):
            raise ConfigException("No field insertion configured")
        if self.fields["static.field"] is not None and self.static_value is None:
            # The real message prints the InsertionSpec object with Object.toString().
            raise ConfigException("No value specified for static field: org.apache.kafka.connect.transforms.InsertField$InsertionSpec@"
                                  + format(id(self) & 0xffffff, "x"), "static.value", None)

    def apply(self, record):
        value = self.operating(record)
        if value is None:  # tombstones pass untouched
            return record
        updated = dict(require_map(value, self.PURPOSE))
        f = self.fields
        if f["topic.field"] is not None:
            updated[f["topic.field"]] = record.topic
        if f["partition.field"] is not None and record.partition is not None:
            updated[f["partition.field"]] = record.partition
        if f["offset.field"] is not None:
            if not record.sink:  # Requirements.requireSinkRecord
                raise DataException(f"Only SinkRecord supported for [{self.PURPOSE}], found: org.apache.kafka.connect.source.SourceRecord")
            updated[f["offset.field"]] = record.offset
        if f["timestamp.field"] is not None and record.timestamp is not None:
            updated[f["timestamp.field"]] = record.timestamp  # schemaless: epoch milliseconds (a Long)
        if f["static.field"] is not None and self.static_value is not None:
            updated[f["static.field"]] = self.static_value
        return self.with_operating(record, updated)


class ReplaceField(Transform):
    PURPOSE = "field replacement"

    def configure(self, props):
        # ConfigUtils.translateDeprecatedConfigs: the old name is used only when the new one is absent
        # (blacklist/whitelist were removed in Kafka 4.0, KAFKA-17530; this stand-in plays 3.x).
        exclude = props.get("exclude", props.get("blacklist"))
        include = props.get("include", props.get("whitelist"))
        self.exclude = set(parse_list(exclude) or [])
        self.include = set(parse_list(include) or [])
        self.renames = parse_renames(parse_list(props.get("renames")) or [])

    def apply(self, record):
        value = self.operating(record)
        if value is None:
            return record
        updated = {}
        for name, v in require_map(value, self.PURPOSE).items():
            if name not in self.exclude and (not self.include or name in self.include):
                updated[self.renames.get(name, name)] = v
        return self.with_operating(record, updated)


def parse_renames(mappings):
    # ReplaceField.parseRenameMappings
    out = {}
    for mapping in mappings:
        parts = mapping.split(":")
        if len(parts) != 2:
            raise ConfigException("Invalid rename mapping: " + mapping, "renames", mappings)
        out[parts[0]] = parts[1]
    return out


class MaskField(Transform):
    PURPOSE = "mask fields"

    def configure(self, props):
        fields = parse_list(props.get("fields"))
        if fields is None:
            raise ConfigException('Missing required configuration "fields" which has no default value.')
        if not fields:  # NonEmptyListValidator
            raise ConfigException("Empty list", "fields", fields)
        self.fields = fields
        self.replacement = props.get("replacement")
        if self.replacement is not None and self.replacement == "":  # ConfigDef.NonEmptyString
            raise ConfigException("String must be non-empty", "replacement", "")

    def masked(self, value):
        if value is None:
            return None
        if self.replacement is None:
            # MaskField.PRIMITIVE_VALUE_MAPPING: the type's "null" value; lists and maps become empty
            for kind, empty in ((bool, False), (int, 0), (float, 0.0), (str, ""), (list, []), (dict, {})):
                if isinstance(value, kind):
                    return type(empty)(empty) if kind in (list, dict) else empty
            raise DataException(f"Cannot mask value of type: class {java_class(value)}")
        # MaskField.REPLACEMENT_MAPPING_FUNC: numbers and strings only
        if isinstance(value, bool) or isinstance(value, (list, dict)):
            raise DataException(f"Cannot mask value of type class {java_class(value)} with custom replacement.")
        try:
            if isinstance(value, int):
                return int(self.replacement)
            if isinstance(value, float):
                return float(self.replacement)
        except ValueError:
            raise DataException(f"Unable to convert {self.replacement} (class java.lang.String) to number")
        return self.replacement

    def apply(self, record):
        # No null check here in the real transform: a tombstone fails requireMap.
        value = require_map(self.operating(record), self.PURPOSE)
        updated = dict(value)
        for name in self.fields:
            updated[name] = self.masked(value.get(name))  # an absent field is put as null
        return self.with_operating(record, updated)


class ValueToKey(Transform):
    PURPOSE = "copying fields from value to key"

    def configure(self, props):
        fields = parse_list(props.get("fields"))
        if fields is None:
            raise ConfigException('Missing required configuration "fields" which has no default value.')
        if not fields:
            raise ConfigException("Empty list", "fields", fields)
        self.fields = fields

    def apply(self, record):
        value = require_map(record.value, self.PURPOSE)
        record.key = {name: value.get(name) for name in self.fields}
        return record


UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


class SimpleDateFormat:
    """The common subset of java.text.SimpleDateFormat patterns, in UTC (TimestampConverter sets UTC):
    y, M (M, MM, MMM, MMMM), d, H, h, a, m, s, S, E (EEE, EEEE), Z, X/XX/XXX, z, 'quoted' literals."""
    MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    def __init__(self, pattern):
        self.pattern = pattern
        self.tokens = []  # (letter, count) or ("'", literal)
        i = 0
        while i < len(pattern):
            ch = pattern[i]
            if ch == "'":
                end = pattern.find("'", i + 1)
                if end == i + 1:
                    self.tokens.append(("'", "'"))
                    i += 2
                    continue
                if end < 0:
                    raise ValueError("Unterminated quote")
                self.tokens.append(("'", pattern[i + 1:end]))
                i = end + 1
            elif ch.isalpha():
                j = i
                while j < len(pattern) and pattern[j] == ch:
                    j += 1
                if ch not in "yMdHhamsSEZXz":
                    raise ValueError(f"Illegal pattern character '{ch}'")
                self.tokens.append((ch, j - i))
                i = j
            else:
                self.tokens.append(("'", ch))
                i += 1

    def format(self, dt):
        out = []
        for letter, n in self.tokens:
            if letter == "'":
                out.append(n)
            elif letter == "y":
                out.append(f"{dt.year % 100:02d}" if n == 2 else f"{dt.year:0{n}d}")
            elif letter == "M":
                out.append(self.MONTHS[dt.month - 1][:3] if n == 3 else self.MONTHS[dt.month - 1] if n >= 4 else f"{dt.month:0{n}d}")
            elif letter == "d":
                out.append(f"{dt.day:0{n}d}")
            elif letter == "H":
                out.append(f"{dt.hour:0{n}d}")
            elif letter == "h":
                out.append(f"{(dt.hour % 12) or 12:0{n}d}")
            elif letter == "a":
                out.append("AM" if dt.hour < 12 else "PM")
            elif letter == "m":
                out.append(f"{dt.minute:0{n}d}")
            elif letter == "s":
                out.append(f"{dt.second:0{n}d}")
            elif letter == "S":
                out.append(f"{dt.microsecond // 1000:0{n}d}")
            elif letter == "E":
                day = self.DAYS[dt.weekday()]
                out.append(day if n >= 4 else day[:3])
            elif letter == "Z":
                out.append("+0000")
            elif letter == "X":
                out.append("Z")
            elif letter == "z":
                out.append("UTC")
        return "".join(out)

    def parse(self, text):
        regex, names = [], []
        for letter, n in self.tokens:
            if letter == "'":
                regex.append(re.escape(n))
                continue
            names.append(letter)
            if letter == "M" and n >= 3:
                regex.append(r"([A-Za-z]+)")
            elif letter == "E":
                regex.append(r"([A-Za-z]+)")
            elif letter == "a":
                regex.append(r"(AM|PM|am|pm)")
            elif letter in "ZXz":
                regex.append(r"(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})")
            else:
                regex.append(r"(\d{%d,})" % n if n > 1 else r"(\d+)")
        m = re.match("".join(regex), text)
        if not m:
            raise ValueError(text)
        parts = dict(year=1970, month=1, day=1, hour=0, minute=0, second=0, ms=0, pm=None, offset=0)
        for letter, raw in zip(names, m.groups()):
            if letter == "y":
                parts["year"] = int(raw) + (2000 if len(raw) <= 2 else 0)
            elif letter == "M":
                parts["month"] = int(raw) if raw.isdigit() else [x[:3].lower() for x in self.MONTHS].index(raw[:3].lower()) + 1
            elif letter == "d":
                parts["day"] = int(raw)
            elif letter in "Hh":
                parts["hour"] = int(raw)
            elif letter == "m":
                parts["minute"] = int(raw)
            elif letter == "s":
                parts["second"] = int(raw)
            elif letter == "S":
                parts["ms"] = int(raw)
            elif letter == "a":
                parts["pm"] = raw.upper() == "PM"
            elif letter in "ZXz" and raw[0] in "+-":
                digits = raw[1:].replace(":", "")
                minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
                parts["offset"] = minutes if raw[0] == "+" else -minutes
        hour = parts["hour"]
        if parts["pm"] is not None:
            hour = hour % 12 + (12 if parts["pm"] else 0)
        # SimpleDateFormat is lenient by default: out-of-range fields roll over.
        dt = datetime.datetime(parts["year"], 1, 1, tzinfo=UTC)
        dt += datetime.timedelta(days=0)
        month_index = parts["month"] - 1
        dt = dt.replace(year=dt.year + month_index // 12, month=month_index % 12 + 1)
        dt += datetime.timedelta(days=parts["day"] - 1, hours=hour, minutes=parts["minute"] - parts["offset"],
                                 seconds=parts["second"], milliseconds=parts["ms"])
        return dt


class TimestampConverter(Transform):
    PURPOSE = "converting timestamp formats"
    TYPES = ("string", "unix", "Date", "Time", "Timestamp")
    PRECISIONS = ("nanoseconds", "microseconds", "milliseconds", "seconds")
    PER_MILLI = {"seconds": 0.001, "milliseconds": 1, "microseconds": 1000, "nanoseconds": 1000000}

    def configure(self, props):
        self.field = props.get("field", "")
        self.target = props.get("target.type")
        if self.target is None:
            raise ConfigException('Missing required configuration "target.type" which has no default value.')
        if self.target not in self.TYPES:
            raise ConfigException("String must be one of: " + ", ".join(self.TYPES), "target.type", self.target)
        self.precision = props.get("unix.precision", "milliseconds")
        if self.precision not in self.PRECISIONS:
            raise ConfigException("String must be one of: " + ", ".join(self.PRECISIONS), "unix.precision", self.precision)
        pattern = props.get("format", "")
        if self.target == "string" and not pattern.strip():
            raise ConfigException("TimestampConverter requires format option to be specified when using string timestamps")
        self.format = None
        if pattern.strip():
            try:
                self.format = SimpleDateFormat(pattern)
            except ValueError:
                raise ConfigException("TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: " + pattern)

    def to_raw(self, value):
        """Infers the input type as TimestampConverter.inferTimestampType does, returns a UTC datetime."""
        if isinstance(value, datetime.datetime):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            millis = value // self.PER_MILLI[self.precision] if self.precision != "seconds" else value * 1000
            return EPOCH + datetime.timedelta(milliseconds=millis)
        if isinstance(value, str):
            if self.format is None:
                # config.format is null here in the real transform: format.parse throws.
                raise DataException("java.lang.NullPointerException (no format configured to parse a string timestamp)")
            try:
                return self.format.parse(value)
            except ValueError:
                raise DataException(f"Could not parse timestamp: value ({value}) does not match pattern ({self.format.pattern})")
        raise DataException(f"TimestampConverter does not support class {java_class(value)} objects as timestamps")

    def to_type(self, dt):
        if self.target == "string":
            return self.format.format(dt)
        if self.target == "unix":
            millis = (dt - EPOCH) // datetime.timedelta(milliseconds=1)
            return millis // 1000 if self.precision == "seconds" else millis * self.PER_MILLI[self.precision]
        if self.target == "Date":
            return dt.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.target == "Time":
            return EPOCH.replace(hour=dt.hour, minute=dt.minute, second=dt.second, microsecond=dt.microsecond // 1000 * 1000)
        return dt

    def convert(self, value):
        return None if value is None else self.to_type(self.to_raw(value))

    def apply(self, record):
        value = self.operating(record)
        if value is None or not self.field:
            return self.with_operating(record, self.convert(value))
        updated = dict(require_map(value, self.PURPOSE))
        updated[self.field] = self.convert(value.get(self.field))  # an absent field is put as null
        return self.with_operating(record, updated)


def keyed(cls, key):
    return type(cls.__name__ + ("$Key" if key else "$Value"), (cls,), {"KEY": key})


CLASSES = {}
for _cls in (InsertField, ReplaceField, MaskField, TimestampConverter):
    CLASSES[PREFIX + _cls.__name__ + "$Value"] = keyed(_cls, False)
    CLASSES[PREFIX + _cls.__name__ + "$Key"] = keyed(_cls, True)
CLASSES[PREFIX + "ValueToKey"] = ValueToKey
# Every transform class Apache Kafka ships (connect/transforms): known to exist, not implemented here.
KNOWN_UNIMPLEMENTED = ("Cast$Key", "Cast$Value", "DropHeaders", "ExtractField$Key", "ExtractField$Value", "Filter",
                       "Flatten$Key", "Flatten$Value", "HeaderFrom$Key", "HeaderFrom$Value", "HoistField$Key",
                       "HoistField$Value", "InsertHeader", "RegexRouter", "SetSchemaMetadata$Key",
                       "SetSchemaMetadata$Value", "TimestampRouter")


def aliases(config):
    return parse_list(config.get("transforms")) or []


def validation_errors(config):
    """{config key: [messages]} for the transforms a connector config declares, as validate reports them."""
    errors = {}
    seen = set()
    for alias in aliases(config):
        if alias in seen:  # ConnectorConfig.EnrichablePlugin: "Duplicate alias provided."
            errors.setdefault("transforms", []).append(f"Invalid value {config['transforms']} for configuration transforms: Duplicate alias provided.")
            continue
        seen.add(alias)
        key = f"transforms.{alias}.type"
        cls = config.get(key)
        if not cls:
            errors.setdefault(key, []).append(f'Missing required configuration "{key}" which has no default value.')
            continue
        if cls not in CLASSES:
            if cls.startswith(PREFIX) and cls[len(PREFIX):] in KNOWN_UNIMPLEMENTED:
                errors.setdefault(key, []).append(f"Invalid value {cls} for configuration {key}: the Kafka Connect stand-in does not "
                                                  "implement this transform (it has InsertField, ReplaceField, MaskField, TimestampConverter, ValueToKey)")
            else:  # ConfigDef.parseType for Type.CLASS
                errors.setdefault(key, []).append(f"Invalid value {cls} for configuration {key}: Class {cls} could not be found.")
            continue
        if config.get(f"transforms.{alias}.predicate"):
            errors.setdefault(f"transforms.{alias}.predicate", []).append("the Kafka Connect stand-in does not implement predicates")
        try:
            CLASSES[cls](props_for(config, alias))
        except ConfigException as e:
            # Config errors are reported under the prefixed key (ConnectorConfig.enrich prefixes the definitions).
            text = str(e)
            if 'configuration "' in text:
                text = text.replace('configuration "', f'configuration "transforms.{alias}.', 1)
            else:
                text = text.replace("for configuration ", f"for configuration transforms.{alias}.", 1)
            errors.setdefault(key, []).append(text)
    return errors


def props_for(config, alias):
    prefix = f"transforms.{alias}."
    return {k[len(prefix):]: v for k, v in config.items() if k.startswith(prefix) and k != prefix + "type"}


def chain(config):
    """The configured transforms, in order. Raises ConfigException as Transformation.configure does
    (the task then fails at start)."""
    return [CLASSES[config[f"transforms.{alias}.type"]](props_for(config, alias)) for alias in aliases(config)]


def apply_all(transforms, record):
    for t in transforms:
        record = t.apply(record)
    return record
