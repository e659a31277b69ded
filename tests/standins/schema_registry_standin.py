#!/usr/bin/env python3
"""Schema Registry STAND-IN, for streamcheck's tests only.

No Confluent Schema Registry can be installed on the test machines, so this server answers the
REST calls a Schema Registry client makes with the status codes, error codes, texts and JSON
shapes of the real one, read from its source (confluentinc/schema-registry at the tags named in
FLAVORS; Avro behaviour from apache/avro lang/java at the Avro release each of them ships; the
Karapace flavour from Aiven-Open/karapace). tests/fixtures/registry-golden/README.md lists the
files each text comes from; tests/standins/test_registry_standin_conformance.py checks them.

Routes (Confluent; Karapace has no POST /compatibility/subjects/{s}/versions):
  POST   /subjects/{s}/versions                 register      200, 409 (409|40901), 422 42201
  POST   /subjects/{s}                          look up       200, 404 40401 / 40403, 422 42201
  GET    /subjects                              subject list  (?deleted=true)
  GET    /subjects/{s}/versions                 version list  404 40401
  GET    /subjects/{s}/versions/{v|latest}      a version     404 40401 / 40402, 422 42202
  GET    /subjects/{s}/versions/{v}/schema      its schema text
  DELETE /subjects/{s}[?permanent=true]         soft / hard delete  404 40401/40404/40405, 422 42206
  DELETE /subjects/{s}/versions/{v}[?permanent=true]                404 40402/40406/40407, 422 42206
  GET    /schemas/ids/{id}[?subject=s]          by id         404 40403 "Schema <id> not found"
  GET    /schemas/ids/{id}/versions, GET /schemas/types
  POST   /compatibility/subjects/{s}/versions/{v|latest}[?verbose=true]   against that one version
  POST   /compatibility/subjects/{s}/versions[?verbose=true]              against the subject (level)
  GET|PUT|DELETE /config, GET|PUT|DELETE /config/{s}[?defaultToGlobal=true]
Registration follows the real order: a schema already in the subject returns its id (no check);
else the subject's level (NONE, BACKWARD (default), BACKWARD_TRANSITIVE, FORWARD,
FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE) is checked against the latest or all live versions
with a port of Avro's SchemaCompatibility; the 409 and the verbose messages are Confluent's
(Difference / SchemaValidatorBuilder formats). Schemas are stored and returned in Avro's
canonical form (Schema.toString as AvroSchema.canonicalString does; Karapace: sorted compact
JSON). Ids are global: the same canonical schema, references and schemaType share one id in every
subject. "references" [{"name","subject","version"}] are resolved (they must exist) before
parsing. schemaType PROTOBUF and JSON are stored as given (JSON compacted), not parsed further.

Environment:
  SCHEMA_REGISTRY_STANDIN_FLAVOR          confluent (default: newest, 8.5 line) | confluent-8.0.4 |
                                          confluent-8.0 | confluent-7.5 | confluent-7.4 | karapace
  SCHEMA_REGISTRY_STANDIN_FIRST_ID=N      first schema id (default random in [1000, 99999],
                                          printed as "stand-in: first schema id N" on stderr)
  SCHEMA_REGISTRY_STANDIN_AUTH=user:pw    basic auth, full rights
  SCHEMA_REGISTRY_STANDIN_READONLY_AUTH=user:pw   basic auth, read rights only: GETs and the
                                          lookup pass; register, POST /compatibility (SUBJECT_WRITE
                                          on a real RBAC registry), PUT/DELETE config and deletes are
                                          Confluent 403 40301 "User is denied operation ..."
                                          (Karapace: subject writes 404 40401, global config 403)
  With either set, a request without valid credentials is 401 {"error_code":401,"message":"Unauthorized"}.
Control API (not part of any registry; never faulted, logged or authenticated):
  POST   /__standin/faults  {"status": 503, "error_code": 50003, "message": "...", "count": 1,
                             "match": "regex on 'METHOD /path'", "hang_seconds": 0, "retry_after": s}
         queues a fault: the next `count` (default 1) requests whose "METHOD /path" (no query)
         re.search-matches `match` (default: any) are answered {"error_code","message"} with that
         status, before authentication; error_code defaults to the status, message to the real
         text for that code on that route (50001/50002/50003/50004, 40301, 429 "Too Many
         Requests"); retry_after adds a Retry-After header. With hang_seconds > 0 the request is
         held that long, then answered normally. Faults queue in order; a request takes the first
         one that matches.
  GET    /__standin/faults  the queue;  DELETE /__standin/faults  clears it
  GET    /__standin/requests  [{"method", "path" (with query), "status"}] answered so far, in
         the order they were answered (a held request comes after the ones answered meanwhile)
  DELETE /__standin/requests  clears that log;  GET /__standin/state  flavor, next id, levels
CLI: --port (0 = free), --host, --state-file F (writes {"url","port","pid"}), prints "PORT <n>".

It is NOT a Schema Registry: one process, state in memory, no Kafka store, no leader election,
no contexts, modes, metadata, rule sets, tags or normalization; Protobuf and JSON Schema are not
parsed or checked (only a schemaType mismatch is reported); no DEK/association routes.
"""
import argparse
import base64
import hashlib
import json
import math
import os
import random
import re
import sys
import threading
import time
import uuid
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
LEVELS = ("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE")

# Per flavor, what differs between releases (each item read at the tag named):
#   register: 7.4 answers {"id"} only (RegisterSchemaResponse had only id); 7.5 adds version,
#     schemaType, references, schema; 8.0 adds guid (and ts/deleted when set).
#   avro_type: 7.x drops schemaType "AVRO" from every answer (SchemaTypeConverter); 8.0+ keeps it.
#   extras: 8.0+ Schema/SchemaString entities carry guid, ts and deleted.
#   incompatible_code: Errors.INCOMPATIBLE_SCHEMA_ERROR_CODE, 409 until 8.0.3 / 8.1.1, 40901 from
#     8.0.4, 8.1.2, 8.2.0.
#   avro: the Avro release in confluentinc/common's pom at that tag (1.11.0, 1.11.4, 1.12.1).
#   tail: last verbose message, "{compatibility: 'X'}" up to 7.5, "{validateFields: ...}" from 7.6.
#   invalid: which "Invalid schema ..." message layout (AbstractSchemaRegistry.loadSchema +
#     AvroSchemaProvider + Schema.toString at that tag).
#   validate_new: schema.validate.new.schemas (true from 8.0.4): strict names, defaults checked.
FLAVORS = {
    "confluent": dict(kind="confluent", tag="master 8.5.0-SNAPSHOT (794611bd)", register="8", avro_type=True,
                      extras=True, incompatible_code=40901, avro="1.12", tail="fields", invalid="head",
                      validate_new=True),
    "confluent-8.0.4": dict(kind="confluent", tag="v8.0.4", register="8", avro_type=True, extras=True,
                            incompatible_code=40901, avro="1.12", tail="fields", invalid="8.0.4", validate_new=True),
    "confluent-8.0": dict(kind="confluent", tag="v8.0.0", register="8", avro_type=True, extras=True,
                          incompatible_code=409, avro="1.11", tail="fields", invalid="8.0.0", validate_new=False),
    "confluent-7.5": dict(kind="confluent", tag="v7.5.0", register="7.5", avro_type=False, extras=False,
                          incompatible_code=409, avro="1.11", tail="compat", invalid="7", validate_new=False),
    "confluent-7.4": dict(kind="confluent", tag="v7.4.0", register="id", avro_type=False, extras=False,
                          incompatible_code=409, avro="1.11", tail="compat", invalid="7", validate_new=False),
    "karapace": dict(kind="karapace", tag="Aiven-Open/karapace 6.2.0+ (3bbc1f8d)", register="id", avro_type=False,
                     extras=False, incompatible_code=409, avro="py", tail=None, invalid="karapace",
                     validate_new=False),
}


class RawText(str):
    """An answer sent as is, not as a JSON string (GET .../versions/{v}/schema: "the unescaped schema")."""


class RegistryError(Exception):
    """An answer other than 200: status + JSON body ({"error_code", "message"} unless given)."""

    def __init__(self, status, code, message, body=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.body = body if body is not None else {"error_code": code, "message": message}
        self.headers = headers or {}


# =============================================================================================
# Avro: a port of the parts of apache/avro lang/java the registry's answers depend on:
# Schema.Parser (the messages it throws), Schema.toString (the canonical text) and
# SchemaCompatibility.ReaderWriterCompatibilityChecker (incompatibilities, locations, messages).
# =============================================================================================

PRIMITIVES = ("null", "boolean", "int", "long", "float", "double", "bytes", "string")
NAMED = ("record", "error", "enum", "fixed")
SCHEMA_RESERVED = {"doc", "fields", "items", "name", "namespace", "size", "symbols", "values", "type", "aliases"}
ENUM_RESERVED = SCHEMA_RESERVED | {"default"}
FIELD_RESERVED = {"default", "doc", "name", "order", "type", "aliases"}
TYPE_NAMES = PRIMITIVES + ("record", "enum", "array", "map", "union", "fixed")


class AvroError(Exception):
    """Carries the message Java's Avro would give (SchemaParseException / AvroTypeException)."""


def json_text(v):
    """JSON as Jackson writes a JsonNode: compact, non-ASCII as is, doubles as Java prints them."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return java_double(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(json_text(x) for x in v) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + json_text(x) for k, x in v.items()) + "}"


def java_double(x):
    """Double.toString: 1.0, 0.001, 1.0E7, 1.0E-4."""
    if x != x:
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    sign = "-" if x < 0 else ""
    _, digits, exp = Decimal(repr(abs(x))).normalize().as_tuple()
    ds = "".join(map(str, digits))
    e10 = len(ds) + exp - 1
    if 1e-3 <= abs(x) < 1e7:
        if exp >= 0:
            return sign + ds + "0" * exp + ".0"
        point = len(ds) + exp
        if point > 0:
            return sign + ds[:point] + "." + ds[point:]
        return sign + "0." + "0" * (-point) + ds
    return sign + ds[0] + "." + (ds[1:] or "0") + "E" + str(e10)


class Schema:
    """One Avro schema node. Named schemas are shared objects (identity matters, as in Java)."""

    def __init__(self, type_, **kw):
        self.type = type_
        self.name = kw.get("name")          # simple name
        self.space = kw.get("space")        # namespace or None
        self.doc = kw.get("doc")
        self.aliases = kw.get("aliases", [])   # [(name, space)]
        self.fields = kw.get("fields")
        self.symbols = kw.get("symbols")
        self.enum_default = kw.get("enum_default")
        self.size = kw.get("size")
        self.items = kw.get("items")
        self.values = kw.get("values")
        self.types = kw.get("types")
        self.props = kw.get("props", [])    # [(key, value)] in order
        self.is_error = kw.get("is_error", False)

    @property
    def full(self):
        return self.name if not self.space else self.space + "." + self.name

    @property
    def java_type(self):
        return self.type.upper()

    def alias_fulls(self):
        out = []
        for n, s in self.aliases:
            out.append("." + n if (s is None and self.space is not None) else (n if not s else s + "." + n))
        return out


class Field:
    def __init__(self, name, schema, doc, has_default, default, order, aliases, props, pos):
        self.name, self.schema, self.doc = name, schema, doc
        self.has_default, self.default, self.order = has_default, default, order
        self.aliases, self.props, self.pos = aliases, props, pos


class Unresolved(Schema):
    """Avro 1.12 defers name resolution (ParseContext / SchemaResolver); 1.11 resolves at once."""

    def __init__(self, full):
        super().__init__("record")
        self.wanted = full


def check_name(name, strict):
    """NameValidator.UTF_VALIDATOR / STRICT_VALIDATOR."""
    if name is None:
        raise AvroError("Null name")
    if name == "":
        raise AvroError("Empty name")
    first = name[0]
    ok_first = (first.isalpha() or first == "_") and (first.isascii() or not strict)
    if not ok_first:
        raise AvroError("Illegal initial character: " + name)
    for c in name[1:]:
        if not ((c.isalnum() or c == "_") and (c.isascii() or not strict)):
            raise AvroError("Illegal character in: " + name)
    return name


class AvroParser:
    """Schema.Parser. `version` "1.11" or "1.12" picks the messages and name resolution."""

    def __init__(self, version, validate_defaults=False, strict_names=False):
        self.version = version
        self.validate_defaults = validate_defaults
        self.strict = strict_names
        self.names = {}

    def parse_text(self, text):
        try:
            if self.version == "1.12":
                node = json.loads(text)
            else:  # 1.11 reads one JSON value and ignores what follows
                node, _ = json.JSONDecoder().raw_decode(text.lstrip())
        except json.JSONDecodeError as error:
            if error.msg == "Extra data":
                raise AvroError("dangling content after end of schema: " + text[error.pos:].strip())
            # Jackson's own wording is not reproduced; the exception class is.
            raise AvroError(f"com.fasterxml.jackson.core.JsonParseException: {error.msg} "
                            f"at [line: {error.lineno}, column: {error.colno}]")
        unresolved = []
        schema = self.parse(node, None, unresolved)
        if unresolved:
            schema = self.resolve(schema)
        return schema

    # --- name helpers -------------------------------------------------------------------------
    def lookup(self, name, space):
        if "." in name:
            full = name
        else:
            full = space + "." + name if space else name
        found = self.names.get(full)
        if found is None:
            found = self.names.get(name)
        return found, full

    def define(self, schema):
        if schema.full in self.names and self.names[schema.full] is not schema:
            raise AvroError("Can't redefine: " + schema.full)
        self.names[schema.full] = schema

    def make_name(self, node, space):
        name = node.get("name")
        if not isinstance(name, str):
            raise AvroError("No name in schema: " + json_text(node))
        ns = node.get("namespace")
        ns = ns if isinstance(ns, str) else space
        if "." in name:
            ns, name = name.rsplit(".", 1)
        if ns == "":
            ns = None
        check_name(name, self.strict)
        full = ns + "." + name if ns else name
        if full in PRIMITIVES:
            raise AvroError("Schemas may not be named after primitives: " + full)
        return name, ns

    def parse_aliases(self, node, space):
        aliases = node.get("aliases")
        if aliases is None:
            return []
        if not isinstance(aliases, list):
            raise AvroError("aliases not an array: " + json_text(node))
        out = []
        for a in aliases:
            if not isinstance(a, str):
                raise AvroError("alias not a string: " + json_text(a))
            if "." in a:
                s, n = a.rsplit(".", 1)
                out.append((n, s or None))
            else:
                out.append((a, space))
        return out

    @staticmethod
    def props(node, reserved):
        return [(k, v) for k, v in node.items() if k not in reserved]

    # --- parse --------------------------------------------------------------------------------
    def parse(self, node, space, unresolved):
        if isinstance(node, str):
            if node in PRIMITIVES:
                return Schema(node)
            found, full = self.lookup(node, space)
            if found is not None:
                return found
            if self.version == "1.12":
                ph = Unresolved(full)
                unresolved.append(ph)
                return ph
            raise AvroError("Undefined name: " + json_text(node))
        if isinstance(node, dict):
            t = node.get("type")
            if not isinstance(t, str):
                raise AvroError("No type: " + json_text(node))
            if t in PRIMITIVES:
                return Schema(t, props=self.props(node, SCHEMA_RESERVED))
            if t in ("record", "error"):
                name, ns = self.make_name(node, space)
                doc = node.get("doc") if isinstance(node.get("doc"), str) else None
                rec = Schema("record", name=name, space=ns, doc=doc, is_error=(t == "error"))
                self.define(rec)
                fields_node = node.get("fields")
                if not isinstance(fields_node, list):
                    raise AvroError("Record has no fields: " + json_text(node))
                fields, seen = [], {}
                for pos, f in enumerate(fields_node):
                    fname = f.get("name") if isinstance(f, dict) else None
                    if not isinstance(fname, str):
                        raise AvroError("No field name: " + json_text(f))
                    if "type" not in f:
                        raise AvroError("No field type: " + json_text(f))
                    ftn = f["type"]
                    if self.version != "1.12" and isinstance(ftn, str) and ftn not in PRIMITIVES \
                            and self.lookup(ftn, ns)[0] is None:
                        raise AvroError(json_text(ftn) + " is not a defined name. The type of the \"" + fname
                                        + "\" field must be a defined name or a {\"type\": ...} expression.")
                    fschema = self.parse(ftn, ns, unresolved)
                    check_name(fname, self.strict)
                    order = f.get("order", "ascending")
                    if not isinstance(order, str) or order.upper() not in ("ASCENDING", "DESCENDING", "IGNORE"):
                        raise AvroError("No enum constant org.apache.avro.Schema.Field.Order." + str(order).upper())
                    has_default = "default" in f
                    default = f.get("default")
                    if has_default and fschema.type in ("float", "double") and isinstance(default, str):
                        try:
                            default = float(default)
                        except ValueError:
                            raise AvroError(f"For input string: \"{default}\"")
                    if has_default and self.validate_defaults and not isinstance(fschema, Unresolved) \
                            and not valid_default(fschema, default):
                        raise AvroError("Invalid default for field " + fname + ": " + json_text(default)
                                        + " not a " + canonical(fschema))
                    faliases = [a for a in (f.get("aliases") or []) if isinstance(a, str)]
                    field = Field(fname, fschema, f.get("doc") if isinstance(f.get("doc"), str) else None,
                                  has_default, default, order.upper(), faliases, self.props(f, FIELD_RESERVED), pos)
                    if fname in seen:
                        raise AvroError(f"Duplicate field {fname} in record {rec.full}: {fname} type:{fschema.java_type} "
                                        f"pos:{pos} and {fname} type:{seen[fname].schema.java_type} pos:{seen[fname].pos}.")
                    seen[fname] = field
                    fields.append(field)
                rec.fields = fields
                rec.props = self.props(node, SCHEMA_RESERVED)
                rec.aliases = self.parse_aliases(node, ns)
                return rec
            if t == "enum":
                name, ns = self.make_name(node, space)
                symbols = node.get("symbols")
                if not isinstance(symbols, list):
                    raise AvroError("Enum has no symbols: " + json_text(node))
                seen = set()
                for s in symbols:
                    if isinstance(s, str):
                        check_name(s, self.strict)
                    if s in seen:
                        raise AvroError("Duplicate enum symbol: " + str(s))
                    seen.add(s)
                default = node.get("default")
                if default is not None and default not in symbols:
                    raise AvroError("The Enum Default: " + str(default) + " is not in the enum symbol set: ["
                                    + ", ".join(map(str, symbols)) + "]")
                en = Schema("enum", name=name, space=ns, doc=node.get("doc") if isinstance(node.get("doc"), str) else None,
                            symbols=list(symbols), enum_default=default, props=self.props(node, ENUM_RESERVED),
                            aliases=self.parse_aliases(node, ns))
                self.define(en)
                return en
            if t == "array":
                if "items" not in node:
                    raise AvroError("Array has no items type: " + json_text(node))
                return Schema("array", items=self.parse(node["items"], space, unresolved),
                              props=self.props(node, SCHEMA_RESERVED))
            if t == "map":
                if "values" not in node:
                    raise AvroError("Map has no values type: " + json_text(node))
                return Schema("map", values=self.parse(node["values"], space, unresolved),
                              props=self.props(node, SCHEMA_RESERVED))
            if t == "fixed":
                name, ns = self.make_name(node, space)
                size = node.get("size")
                if not isinstance(size, int) or isinstance(size, bool):
                    raise AvroError("Invalid or no size: " + json_text(node))
                fx = Schema("fixed", name=name, space=ns, doc=node.get("doc") if isinstance(node.get("doc"), str) else None,
                            size=size, props=self.props(node, SCHEMA_RESERVED), aliases=self.parse_aliases(node, ns))
                self.define(fx)
                return fx
            # a named type used as {"type": "Name"}
            found, full = self.lookup(t, space)
            if found is not None:
                return found
            if self.version == "1.12":
                ph = Unresolved(full)
                unresolved.append(ph)
                return ph
            raise AvroError("Type not supported: " + t)
        if isinstance(node, list):
            types, seen = [], set()
            for branch in node:
                b = self.parse(branch, space, unresolved)
                if b.type == "union":
                    raise AvroError("Nested union: " + canonical(Schema("union", types=types + [b])))
                key = b.wanted if isinstance(b, Unresolved) else (b.full if b.type in NAMED else b.type)
                if key in seen:
                    raise AvroError("Duplicate in union:" + key)
                seen.add(key)
                types.append(b)
            return Schema("union", types=types)
        raise AvroError("Schema not yet supported: " + json_text(node))

    def resolve(self, schema):
        """SchemaResolver: replace 1.12 placeholders, or "Undefined schema: <full name>"."""
        done = set()

        def fix(s):
            if isinstance(s, Unresolved):
                target = self.names.get(s.wanted)
                if target is None:
                    raise AvroError("Undefined schema: " + s.wanted)
                return fix(target)
            if id(s) in done:
                return s
            done.add(id(s))
            if s.type == "record":
                for f in s.fields:
                    f.schema = fix(f.schema)
            elif s.type == "array":
                s.items = fix(s.items)
            elif s.type == "map":
                s.values = fix(s.values)
            elif s.type == "union":
                s.types = [fix(b) for b in s.types]
            return s
        return fix(schema)


def valid_default(schema, value):
    """Schema.isValidDefault (1.12)."""
    t = schema.type
    if t in ("string", "bytes", "enum", "fixed"):
        return isinstance(value, str)
    if t == "int":
        return isinstance(value, int) and not isinstance(value, bool) and -2**31 <= value < 2**31
    if t == "long":
        return isinstance(value, int) and not isinstance(value, bool) and -2**63 <= value < 2**63
    if t in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "null":
        return value is None
    if t == "array":
        return isinstance(value, list) and all(valid_default(schema.items, v) for v in value)
    if t == "map":
        return isinstance(value, dict) and all(valid_default(schema.values, v) for v in value.values())
    if t == "union":
        return any(valid_default(b, value) for b in schema.types)
    if t == "record":
        if not isinstance(value, dict):
            return False
        for f in schema.fields:
            v = value[f.name] if f.name in value else (f.default if f.has_default else None)
            if f.name not in value and not f.has_default:
                return False
            if not valid_default(f.schema, v):
                return False
        return True
    return False


def _qualified(name, space, current):
    """Name.getQualified: the short name inside its own namespace, unless it is a type name."""
    if space is not None and space == current and name not in TYPE_NAMES:
        return name
    return name if not space else space + "." + name


def canonical(schema, known_names=None):
    """Schema.toString(referencedSchemas, false): Avro's own compact JSON."""
    out = []
    _to_json(schema, set(known_names or ()), None, out)
    return "".join(out)


def _write_name(s, current, out):
    out.append(',"name":' + json_text(s.name))
    if s.space is not None:
        if s.space != current:
            out.append(',"namespace":' + json_text(s.space))
    elif current is not None:
        out.append(',"namespace":""')


def _props(props, out):
    for k, v in props:
        out.append("," + json_text(k) + ":" + json_text(v))


def _aliases(s, out):
    if s.aliases:
        out.append(',"aliases":[' + ",".join(json_text(_qualified(n, sp, s.space)) for n, sp in s.aliases) + "]")


def _to_json(s, known, current, out):
    t = s.type
    if t in PRIMITIVES:
        if not s.props:
            out.append(json_text(t))
        else:
            out.append('{"type":' + json_text(t))
            _props(s.props, out)
            out.append("}")
        return
    if t in ("record", "enum", "fixed"):
        if s.full in known:
            out.append(json_text(_qualified(s.name, s.space, current)))
            return
        known.add(s.full)
    if t == "record":
        out.append('{"type":' + ('"error"' if s.is_error else '"record"'))
        _write_name(s, current, out)
        if s.doc is not None:
            out.append(',"doc":' + json_text(s.doc))
        out.append(',"fields":[')
        for i, f in enumerate(s.fields):
            out.append(("," if i else "") + '{"name":' + json_text(f.name) + ',"type":')
            _to_json(f.schema, known, s.space, out)
            if f.doc is not None:
                out.append(',"doc":' + json_text(f.doc))
            if f.has_default:
                out.append(',"default":' + json_text(f.default))
            if f.order != "ASCENDING":
                out.append(',"order":' + json_text(f.order.lower()))
            if f.aliases:
                out.append(',"aliases":[' + ",".join(json_text(a) for a in f.aliases) + "]")
            _props(f.props, out)
            out.append("}")
        out.append("]")
        _props(s.props, out)
        _aliases(s, out)
        out.append("}")
    elif t == "enum":
        out.append('{"type":"enum"')
        _write_name(s, current, out)
        if s.doc is not None:
            out.append(',"doc":' + json_text(s.doc))
        out.append(',"symbols":[' + ",".join(json_text(x) for x in s.symbols) + "]")
        if s.enum_default is not None:
            out.append(',"default":' + json_text(s.enum_default))
        _props(s.props, out)
        _aliases(s, out)
        out.append("}")
    elif t == "fixed":
        out.append('{"type":"fixed"')
        _write_name(s, current, out)
        if s.doc is not None:
            out.append(',"doc":' + json_text(s.doc))
        out.append(',"size":' + str(s.size))
        _props(s.props, out)
        _aliases(s, out)
        out.append("}")
    elif t == "array":
        out.append('{"type":"array","items":')
        _to_json(s.items, known, current, out)
        _props(s.props, out)
        out.append("}")
    elif t == "map":
        out.append('{"type":"map","values":')
        _to_json(s.values, known, current, out)
        _props(s.props, out)
        out.append("}")
    elif t == "union":
        out.append("[")
        for i, b in enumerate(s.types):
            if i:
                out.append(",")
            _to_json(b, known, current, out)
        out.append("]")


class Incompatibility:
    def __init__(self, kind, message, location):
        self.kind, self.message, self.location = kind, message, list(location)

    def path(self):
        """Incompatibility.getLocation: a JSON pointer, the root token left out."""
        return "/" + "/".join(c.replace("~", "~0").replace("/", "~1") for c in self.location[1:])


COMPATIBLE, INCOMPATIBLE, RECURSION = "COMPATIBLE", "INCOMPATIBLE", "RECURSION_IN_PROGRESS"


class Result:
    def __init__(self, kind, incompatibilities=()):
        self.kind, self.incompatibilities = kind, list(incompatibilities)

    def merged(self, other):
        kind = other.kind if self.kind == COMPATIBLE else INCOMPATIBLE
        return Result(kind, self.incompatibilities + other.incompatibilities)


OK = Result(COMPATIBLE)


class ReaderWriterChecker:
    """SchemaCompatibility.ReaderWriterCompatibilityChecker (memoized on the schema pair, as Java).

    version "1.11": a writer union against a non-union reader restarts the location (Java 1.11
    called getCompatibility(reader, branch)); "1.12" keeps it (/.../type/0). dialect "java" or
    "py" (the Python port Karapace uses) picks the message texts.
    """

    def __init__(self, version="1.12", dialect="java"):
        self.version, self.dialect = version, dialect
        self.memo = {}

    def tname(self, s):
        return s.java_type if self.dialect == "java" else s.type

    def incompatible(self, kind, message, location):
        return Result(INCOMPATIBLE, [Incompatibility(kind, message, location)])

    def check(self, reader, writer):
        return self._get("", reader, writer, [])

    def _get(self, token, reader, writer, loc):
        loc.append(token)
        key = (id(reader), id(writer))
        result = self.memo.get(key)
        if result is not None:
            if result.kind == RECURSION:
                result = OK
        else:
            self.memo[key] = Result(RECURSION)
            result = self._calc(reader, writer, loc)
            self.memo[key] = result
        loc.pop()
        return result

    def type_mismatch(self, reader, writer, loc):
        return self.incompatible("TYPE_MISMATCH", f"reader type: {self.tname(reader)} not compatible with writer type: "
                                                  f"{self.tname(writer)}", loc)

    def names(self, reader, writer, loc):
        loc.append("name")
        try:
            if reader.name == writer.name or writer.full in reader.alias_fulls():
                return OK
            return self.incompatible("NAME_MISMATCH", "expected: " + writer.full, loc)
        finally:
            loc.pop()

    def _calc(self, reader, writer, loc):
        result = OK
        rt, wt = reader.type, writer.type
        if rt == wt:
            if rt in PRIMITIVES:
                return result
            if rt == "array":
                return result.merged(self._get("items", reader.items, writer.items, loc))
            if rt == "map":
                return result.merged(self._get("values", reader.values, writer.values, loc))
            if rt == "fixed":
                result = result.merged(self.names(reader, writer, loc))
                loc.append("size")
                if reader.size != writer.size:
                    msg = f"expected: {writer.size}, found: {reader.size}"
                    result = result.merged(self.incompatible("FIXED_SIZE_MISMATCH", msg, loc))
                loc.pop()
                return result
            if rt == "enum":
                result = result.merged(self.names(reader, writer, loc))
                loc.append("symbols")
                missing = sorted(set(writer.symbols) - set(reader.symbols))
                if missing and not (reader.enum_default is not None and reader.enum_default in reader.symbols):
                    if self.dialect == "java":
                        msg = "[" + ", ".join(missing) + "]"
                    else:
                        msg = "{" + ", ".join(repr(m) for m in missing) + "}"
                    result = result.merged(self.incompatible("MISSING_ENUM_SYMBOLS", msg, loc))
                loc.pop()
                return result
            if rt == "record":
                result = result.merged(self.names(reader, writer, loc))
                return result.merged(self.fields(reader, writer, loc))
            # union against union: every writer branch must be readable
            for i, branch in enumerate(writer.types):
                loc.append(str(i))
                if self.check(reader, branch).kind == INCOMPATIBLE:
                    tn = branch.java_type if self.dialect == "java" else branch.type.upper()
                    result = result.merged(self.incompatible("MISSING_UNION_BRANCH",
                                                             f"reader union lacking writer type: {tn}", loc))
                loc.pop()
            return result
        if wt == "union":
            for i, branch in enumerate(writer.types):
                if self.version == "1.11":
                    result = result.merged(self.check(reader, branch))
                else:
                    result = result.merged(self._get(str(i), reader, branch, loc))
            return result
        promotable = {"long": ("int",), "float": ("int", "long"), "double": ("int", "long", "float"),
                      "bytes": ("string",), "string": ("bytes",)}
        if rt in promotable:
            return result if wt in promotable[rt] else result.merged(self.type_mismatch(reader, writer, loc))
        if rt == "union":
            for branch in reader.types:
                if self.check(branch, writer).kind == COMPATIBLE:
                    return result
            if self.dialect == "java":
                msg = f"reader union lacking writer type: {writer.java_type}"
            else:
                msg = f"reader union lacking writer type {writer.type}"
            return result.merged(self.incompatible("MISSING_UNION_BRANCH", msg, loc))
        return result.merged(self.type_mismatch(reader, writer, loc))

    def fields(self, reader, writer, loc):
        result = OK
        loc.append("fields")
        by_name = {f.name: f for f in writer.fields}
        for rf in reader.fields:
            loc.append(str(rf.pos))
            matches = [by_name[n] for n in [rf.name] + rf.aliases if n in by_name]
            wf = matches[0] if matches else None
            if wf is None:
                if not rf.has_default:
                    if rf.schema.type == "enum" and rf.schema.enum_default is not None:
                        result = result.merged(self._get("type", rf.schema, writer, loc))
                    else:
                        result = result.merged(self.incompatible("READER_FIELD_MISSING_DEFAULT_VALUE", rf.name, loc))
            else:
                result = result.merged(self._get("type", rf.schema, wf.schema, loc))
            loc.pop()
        loc.pop()
        return result


def difference(incompat):
    """io.confluent.kafka.schemaregistry.avro.Difference.error() (before String.format)."""
    kind, path, info = incompat.kind, incompat.path(), incompat.message
    descriptions = {
        "FIXED_SIZE_MISMATCH": f"The size of FIXED type field at path '{path}' in the %s schema does not match with the %s schema",
        "TYPE_MISMATCH": f"The type (path '{path}') of a field in the %s schema does not match with the %s schema",
        "NAME_MISMATCH": f"The name of the schema has changed (path '{path}')",
        "MISSING_ENUM_SYMBOLS": f"The %s schema is missing enum symbols '{info}' at path '{path}' in the %s schema",
        "MISSING_UNION_BRANCH": f"The %s schema is missing a type inside a union field at path '{path}' in the %s schema",
        "READER_FIELD_MISSING_DEFAULT_VALUE": f"The field '{info}' at path '{path}' in the %s schema has no default value "
                                              "and is missing in the %s schema",
    }
    return "{errorType:'" + kind + "', description:'" + descriptions.get(kind, "") + "', additionalInfo:'" + info + "'}"


def java_format(template, *args):
    """String.format with %s placeholders only; extra arguments are ignored, as Java does."""
    parts = template.split("%s")
    out = parts[0]
    for i, p in enumerate(parts[1:]):
        out += (args[i] if i < len(args) else "%s") + p
    return out


# =============================================================================================
# The registry
# =============================================================================================

class Parsed:
    """A schema as the registry holds it: type, canonical text, references, parsed Avro tree."""

    def __init__(self, schema_type, text, references, avro=None):
        self.schema_type, self.text, self.references, self.avro = schema_type, text, references, avro

    def key(self):
        return (self.schema_type, self.text, json.dumps(self.references, sort_keys=True))


def guid_for(text, references):
    """Schema.getGuid: the MD5 of the schema text and references, as a UUID."""
    md = hashlib.md5(text.encode("utf-8"), usedforsecurity=False)
    for r in references or []:
        md.update(r["name"].encode("utf-8"))
        md.update(r["subject"].encode("utf-8"))
        md.update(int(r["version"]).to_bytes(4, "big", signed=True))
    return str(uuid.UUID(bytes=md.digest()))


def refs_text(references):
    """List<SchemaReference>.toString()."""
    return "[" + ", ".join("{name='%s', subject='%s', version=%s}" % (r.get("name"), r.get("subject"), r.get("version"))
                           for r in references) + "]"


class Version:
    def __init__(self, subject, number, schema_id):
        self.subject, self.number, self.id = subject, number, schema_id
        self.deleted = False
        self.ts = int(time.time() * 1000)


class Registry:
    def __init__(self, flavor_name, first_id):
        if flavor_name not in FLAVORS:
            raise SystemExit(f"SCHEMA_REGISTRY_STANDIN_FLAVOR={flavor_name!r}: not one of {', '.join(FLAVORS)}")
        self.flavor_name = flavor_name
        self.f = FLAVORS[flavor_name]
        self.karapace = self.f["kind"] == "karapace"
        self.lock = threading.Lock()
        self.schemas = {}        # id -> Parsed
        self.ids = {}            # Parsed.key() -> id
        self.subjects = {}       # subject -> [Version] (hard-deleted ones removed)
        self.subject_level = {}  # subject -> level
        self.global_level = None
        self.next_id = first_id
        self.first_id = first_id

    # --- levels -------------------------------------------------------------------------------
    def level_for(self, subject):
        return self.subject_level.get(subject) or self.global_level or "BACKWARD"

    # --- parsing ------------------------------------------------------------------------------
    def avro_version(self):
        return "1.12" if self.f["avro"] in ("1.12", "py") else "1.11"

    def invalid(self, subject, raw, references, schema_type, detail, new):
        """The 42201 a real registry builds for this flavor (see FLAVORS["..."]["invalid"])."""
        layout = self.f["invalid"]
        refs = refs_text(references)
        if layout == "karapace":
            return RegistryError(422, 42201, f"Invalid {schema_type} schema. Error: {detail}")
        if layout == "head":
            ent = (f"{{subject={subject},version=null,id=null,guid={guid_for(raw, references)},schemaType={schema_type},"
                   f"references={refs},metadata=null,ruleSet=null,schema={raw},schemaTags=null,ts=null,deleted=null}}")
            msg = f"Invalid schema of type {schema_type}, details: Invalid schema {ent} with refs {refs} of type {schema_type}, details: {detail}"
        elif layout == "8.0.4":
            msg = f"Invalid schema of type {schema_type}, details: Invalid schema of type {schema_type}, details: {detail}"
        elif layout == "8.0.0":
            ent = (f"{{subject={subject},version=0,id=-1,schemaType={schema_type},references={refs},metadata=null,"
                   f"ruleSet=null,schema={raw},schemaTags=null,ts=null,deleted=null}}")
            msg = f"Invalid schema {ent} with refs {refs} of type {schema_type}, details: {detail}"
        else:
            ent = (f"{{subject={subject},version=0,id=-1,schemaType={schema_type},references={refs},metadata=null,"
                   f"ruleSet=null,schema={raw}}}")
            msg = f"Invalid schema {ent} with refs {refs} of type {schema_type}, details: {detail}"
        return RegistryError(422, 42201, msg)

    def resolve_refs(self, subject, references, raw, schema_type):
        """AbstractSchemaProvider.resolveReferences: [(name, Parsed)] in dependency order."""
        out, seen = [], set()

        def walk(refs):
            for r in refs:
                if not isinstance(r, dict) or not r.get("name") or not r.get("subject") or r.get("version") is None:
                    raise self.invalid(subject, raw, references, schema_type, "Invalid reference: " + refs_text([r if isinstance(r, dict) else {}]), True)
                v = self.find_version(r["subject"], r["version"])
                if v is None:
                    if self.karapace:
                        raise RegistryError(422, 42201, f"Invalid {schema_type} schema. Error: Invalid schema {raw} with refs "
                                                        f"{refs_text(references)} of type {schema_type}")
                    raise self.invalid(subject, raw, references, schema_type,
                                       f"No schema reference found for subject \"{r['subject']}\" and version {r['version']}", True)
                if int(r["version"]) == -1:
                    r["version"] = v.number
                if r["name"] in seen:
                    continue
                seen.add(r["name"])
                target = self.schemas[v.id]
                walk([dict(x) for x in target.references])
                out.append((r["name"], target))
        walk(references)
        return out

    def parse(self, subject, body, new):
        """A request body -> Parsed, or the 42201 this flavor answers."""
        if not isinstance(body, dict):
            raise RegistryError(422, 422, "Unrecognized token: the body is not a JSON object")
        raw = body.get("schema")
        schema_type = body.get("schemaType") or "AVRO"
        references = [dict(r) if isinstance(r, dict) else r for r in (body.get("references") or [])]
        if schema_type not in ("AVRO", "PROTOBUF", "JSON"):
            if self.karapace:
                raise RegistryError(422, 422, f"Invalid schemaType {schema_type}")
            raise RegistryError(422, 42201, f"Invalid schema type {schema_type}")
        if not isinstance(raw, str) or not raw.strip():
            if self.karapace:
                raise RegistryError(422, 422, [{"type": "missing", "loc": ["body", "schema"], "msg": "Field required"}])
            raise RegistryError(422, 42201, "Empty schema")
        resolved = self.resolve_refs(subject, references, raw, schema_type)
        if schema_type != "AVRO":
            text = raw
            if schema_type == "JSON":
                try:
                    node = json.loads(raw)
                except ValueError as error:
                    raise self.invalid(subject, raw, references, schema_type, f"Invalid JSON: {error.msg}", new)
                text = json.dumps(node, sort_keys=True, separators=(",", ":")) if self.karapace else json_text(node)
            return Parsed(schema_type, text, references)
        strict = new and self.f["validate_new"]
        parser = AvroParser(self.avro_version(), validate_defaults=strict, strict_names=strict)
        try:
            known = []
            for _, ref in resolved:
                known.append(parser.parse_text(ref.text).full)
            tree = parser.parse_text(raw)
        except AvroError as error:
            if self.karapace and not new:
                raise RegistryError(422, 42201, f"Error while looking up schema under subject {subject}")
            raise self.invalid(subject, raw, references, schema_type, str(error), new)
        if self.karapace:
            text = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"))
        else:
            text = canonical(tree, [k for k in known if k])
        return Parsed("AVRO", text, references, tree)

    def reparse(self, parsed):
        """The Avro tree of a stored schema (references resolved), for compatibility checks."""
        if parsed.schema_type != "AVRO":
            return None
        parser = AvroParser(self.avro_version())
        for _, ref in self.resolve_refs("", [dict(r) for r in parsed.references], parsed.text, "AVRO"):
            parser.parse_text(ref.text)
        return parser.parse_text(parsed.text)

    # --- subjects -----------------------------------------------------------------------------
    def live(self, subject):
        return [v for v in self.subjects.get(subject, []) if not v.deleted]

    def find_version(self, subject, version, deleted=False):
        versions = [v for v in self.subjects.get(subject, []) if deleted or not v.deleted]
        if not versions:
            return None
        number = int(version)
        if number == -1:
            return versions[-1]
        return next((v for v in versions if v.number == number), None)

    def match(self, subject, parsed):
        for v in reversed(self.live(subject)):
            if self.schemas[v.id].key() == parsed.key():
                return v
        return None

    def assign_id(self, parsed):
        key = parsed.key()
        if key not in self.ids:
            self.ids[key] = self.next_id
            self.schemas[self.next_id] = parsed
            self.next_id += 1
        return self.ids[key]

    # --- compatibility ------------------------------------------------------------------------
    def confluent_messages(self, level, new, previous):
        """CompatibilityChecker + SchemaValidatorBuilder + AbstractSchemaRegistry.isCompatibleWithPrevious.

        previous: [Version] in chronological order, the ones this check is against.
        """
        if level == "NONE" or not previous:
            return []
        transitive = level.endswith("_TRANSITIVE")
        base = level.replace("_TRANSITIVE", "")
        candidates = list(reversed(previous))
        if not transitive:
            candidates = candidates[:1]
        messages = []
        for prev in candidates:
            old = self.schemas[prev.id]
            if old.schema_type != new.schema_type:
                messages = ["Incompatible because of different schema type"]
            else:
                messages = self.strategy(base, new, old, prev.number)
            if messages:
                break
        if messages:
            if self.f["tail"] == "compat":
                messages.append(f"{{compatibility: '{level}'}}")
            else:
                messages.append(f"{{validateFields: 'false', compatibility: '{level}'}}")
        return messages

    def backward(self, reader, writer):
        if reader.schema_type != "AVRO":
            return []  # Protobuf / JSON Schema are not checked by the stand-in
        checker = ReaderWriterChecker(self.avro_version())
        result = checker.check(reader.avro if reader.avro else self.reparse(reader),
                               writer.avro if writer.avro else self.reparse(writer))
        return [difference(i) for i in result.incompatibilities]

    def strategy(self, base, new, old, old_version):
        def fmt(messages, reader, writer, append):
            if not messages:
                return messages
            messages = [java_format(m, reader, writer) for m in messages]
            if append:
                messages.append(f"{{oldSchemaVersion: {old_version}}}")
                text = old.text
                if len(text) <= 10 * 1024:
                    messages.append("{oldSchema: '" + text + "'}")
                else:
                    messages.append("{oldSchema: <truncated> '" + text[:10 * 1024] + "...'}")
            return messages
        if base == "BACKWARD":
            return fmt(self.backward(new, old), "new", "old", True)
        if base == "FORWARD":
            return fmt(self.backward(old, new), "old", "new", True)
        return fmt(self.backward(old, new), "old", "new", False) + fmt(self.backward(new, old), "new", "old", True)

    def karapace_messages(self, level, new, previous):
        """karapace.core.compatibility.schema_compatibility + the Python avro port: a set of texts."""
        if level == "NONE":
            return []
        base = level.replace("_TRANSITIVE", "")
        messages = []
        for prev in previous:
            old = self.schemas[prev.id]
            if old.schema_type != new.schema_type:
                messages.append(f"Comparing different schema types: {old.schema_type} with {new.schema_type}")
                continue
            if new.schema_type != "AVRO":
                continue
            pairs = {"BACKWARD": [(new, old)], "FORWARD": [(old, new)], "FULL": [(new, old), (old, new)]}[base]
            for reader, writer in pairs:
                result = ReaderWriterChecker("1.12", "py").check(self.reparse(reader), self.reparse(writer))
                for i in result.incompatibilities:
                    if i.message not in messages:
                        messages.append(i.message)
        return messages


REGISTRY = None


class Faults:
    """The queue behind POST /__standin/faults, and the request log."""

    def __init__(self):
        self.lock = threading.Lock()
        self.queue = []
        self.log = []

    def take(self, method, path):
        with self.lock:
            for fault in self.queue:
                if fault["match"] is None or re.search(fault["match"], f"{method} {path}"):
                    fault["remaining"] -= 1
                    if fault["remaining"] <= 0:
                        self.queue.remove(fault)
                    return dict(fault)
        return None


FAULTS = Faults()

HTTP_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
                408: "Request Timeout", 409: "Conflict", 422: "Unprocessable Entity", 429: "Too Many Requests",
                500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def classify(method, parts):
    """(route name, subject) of a request, for read-only checks and the default fault texts."""
    n = len(parts)
    if parts[:1] == ["subjects"]:
        if n == 1:
            return "list_subjects", None
        s = parts[1]
        if n == 2:
            return {"POST": "lookup", "DELETE": "delete_subject"}.get(method, "subject"), s
        if n == 3 and parts[2] == "versions":
            return ("register" if method == "POST" else "list_versions"), s
        if n >= 4 and parts[2] == "versions":
            if method == "DELETE":
                return "delete_version", s
            return ("version_schema" if n == 5 else "get_version"), s
    if parts[:2] == ["schemas", "ids"]:
        return "get_schema", None
    if parts[:2] == ["compatibility", "subjects"] and n >= 4:
        return ("compat" if n == 5 else "compat_all"), parts[2]
    if parts[:1] == ["config"]:
        scope = "subject" if n == 2 else "global"
        return {"PUT": "config_put_", "DELETE": "config_delete_"}.get(method, "config_get_") + scope, (parts[1] if n == 2 else None)
    return "other", None


def default_fault_message(code, status, route, subject, parts, karapace):
    """The real text for a fault's error code on that route (see the goldens' README)."""
    s = subject or ""
    if karapace:
        if code == 50003:
            return "Error while forwarding the request to the master."
        if status == 403:
            return None
    if code == 50001:
        return {"register": "Register schema operation failed while writing to the Kafka store",
                "get_version": f"Error while retrieving schema for subject {s} with version {parts[3] if len(parts) > 3 else ''} "
                               "from the schema registry",
                "get_schema": f"Error while retrieving schema with id {parts[2] if len(parts) > 2 else ''} from the schema registry",
                "compat": f"Error while getting compatibility level for subject {s}",
                "compat_all": f"Error while getting compatibility level for subject {s}",
                "config_put_subject": "Failed to update compatibility level",
                "config_put_global": "Failed to update compatibility level",
                "list_subjects": "Error while listing subjects",
                "list_versions": f"Error while validating that subject {s} exists in the registry",
                }.get(route, "Error in the backend data store")
    if code == 50002:
        return {"register": "Register operation timed out", "delete_version": "Delete Schema Version operation timed out",
                "delete_subject": "Delete subject operation timed out"}.get(route, "Operation timed out")
    if code == 50003:
        return {"config_put_subject": "Error while forwarding update config request to the leader",
                "config_put_global": "Error while forwarding update config request to the leader",
                "config_delete_subject": "Error while forwarding delete config request to the leader",
                "config_delete_global": "Error while forwarding delete config request to the leader",
                "delete_version": "Error while forwarding delete schema version request to the leader",
                }.get(route, "Error while forwarding register schema request to the leader")
    if code == 50004:
        return "Leader not known."
    if code == 40301 or status == 403:
        return denied_message(route, subject) or "User is denied operation Read on Subject: " + s
    if status == 429:
        return "Too Many Requests"
    if status == 401:
        return "Unauthorized"
    return f"HTTP {status} {HTTP_REASONS.get(status, 'Error')}"


def denied_message(route, subject):
    """What an RBAC/ACL-enabled Confluent registry says to a user without the write right."""
    if route in ("register", "compat", "compat_all"):
        return f"User is denied operation Write on Subject: {subject}"
    if route in ("delete_subject", "delete_version"):
        return f"User is denied operation Delete on Subject: {subject}"
    if route in ("config_put_subject", "config_delete_subject"):
        return f"User is denied operation WriteCompatibility on Subject: {subject}"
    if route in ("config_put_global", "config_delete_global"):
        return "User is denied operation WriteCompatibility on SchemaRegistryCluster: schema-registry"
    return None


def user_pair(var):
    value = os.environ.get(var)
    return value if value else None


class Handler(BaseHTTPRequestHandler):
    server_version = "SchemaRegistryStandIn/2"

    def log_message(self, fmt, *args):
        sys.stderr.write("stand-in: " + (fmt % args) + "\n")

    # --- plumbing -----------------------------------------------------------------------------
    def answer(self, status, body, headers=None, log=True):
        data = body.encode() if isinstance(body, RawText) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if log:
            with FAULTS.lock:
                FAULTS.log.append({"method": self.command, "path": self.path, "status": status})

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.raw_body = raw

    def json_body(self):
        if not self.raw_body.strip():
            return None
        try:
            return json.loads(self.raw_body)
        except ValueError as error:
            if REGISTRY.karapace:
                raise RegistryError(422, 422, [{"type": "json_invalid", "loc": ["body", error.pos], "msg": "JSON decode error"}])
            raise RegistryError(400, 400, f"Unexpected character: {error.msg} (line {error.lineno}, column {error.colno})")

    def role(self):
        """"full", "readonly" or None (401) from the basic-auth header and the two variables."""
        full, readonly = user_pair("SCHEMA_REGISTRY_STANDIN_AUTH"), user_pair("SCHEMA_REGISTRY_STANDIN_READONLY_AUTH")
        if not full and not readonly:
            return "full"
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                given = base64.b64decode(header[6:].strip()).decode()
            except (ValueError, UnicodeDecodeError):
                given = None
            if full and given == full:
                return "full"
            if readonly and given == readonly:
                return "readonly"
        return None

    def route(self, method):
        self.read_body()
        url = urlparse(self.path)
        path = url.path
        if path.startswith("/__standin/"):
            try:
                status, body = self.control(method, path[len("/__standin/"):].strip("/"))
            except RegistryError as error:
                status, body = error.status, error.body
            self.answer(status, body, log=False)
            return
        parts = [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        route, subject = classify(method, parts)
        fault = FAULTS.take(method, path)
        if fault is not None:
            if fault["hang_seconds"] > 0:
                time.sleep(fault["hang_seconds"])
            else:
                message = fault["message"]
                if message is None:
                    message = default_fault_message(fault["error_code"], fault["status"], route, subject, parts, REGISTRY.karapace)
                body = {"error_code": fault["error_code"], "message": message}
                if REGISTRY.karapace and fault["status"] == 403 and fault["message"] is None:
                    body = {"message": "Forbidden"}
                headers = {"Retry-After": str(fault["retry_after"])} if fault.get("retry_after") is not None else None
                self.answer(fault["status"], body, headers)
                return
        role = self.role()
        if role is None:
            if REGISTRY.karapace:
                self.answer(401, {"message": "Unauthorized"}, {"WWW-Authenticate": 'Basic realm="Karapace Schema Registry"'})
            else:
                self.answer(401, {"error_code": 401, "message": "Unauthorized"})
            return
        try:
            if role == "readonly":
                self.check_readonly(route, subject)
            with REGISTRY.lock:
                status, body = self.dispatch(method, parts, query)
            self.answer(status, body)
        except RegistryError as error:
            self.answer(error.status, error.body, error.headers)

    def check_readonly(self, route, subject):
        if REGISTRY.karapace:
            # karapace/api/routers: Operation.Write on Subject:<s> denied -> subject_not_found;
            # on Config: -> unauthorized() (403 {"message": "Forbidden"}). Compatibility needs Read.
            if route in ("register", "delete_subject", "delete_version", "config_put_subject", "config_delete_subject"):
                raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
            if route in ("config_put_global",):
                raise RegistryError(403, None, "Forbidden", body={"message": "Forbidden"})
            return
        message = denied_message(route, subject)
        if message:
            raise RegistryError(403, 40301, message)

    # --- the control API ----------------------------------------------------------------------
    def control(self, method, what):
        if what == "faults":
            if method == "DELETE":
                with FAULTS.lock:
                    FAULTS.queue.clear()
                return 200, {"faults": []}
            if method == "GET":
                with FAULTS.lock:
                    return 200, {"faults": [dict(f) for f in FAULTS.queue]}
            if method == "POST":
                try:
                    spec = json.loads(self.raw_body or b"{}")
                except ValueError:
                    raise RegistryError(400, 400, "the fault is not JSON")
                if not isinstance(spec, dict):
                    raise RegistryError(400, 400, "the fault must be a JSON object")
                hang = float(spec.get("hang_seconds") or 0)
                status = spec.get("status")
                if hang <= 0 and not isinstance(status, int):
                    raise RegistryError(400, 400, "a fault needs \"status\" (an HTTP status) or \"hang_seconds\" > 0")
                match = spec.get("match")
                if match is not None:
                    try:
                        re.compile(match)
                    except re.error as error:
                        raise RegistryError(400, 400, f"\"match\" is not a regular expression: {error}")
                count = int(spec.get("count", 1))
                fault = {"status": status, "error_code": spec.get("error_code", status), "message": spec.get("message"),
                         "count": count, "remaining": count, "match": match, "hang_seconds": hang,
                         "retry_after": spec.get("retry_after")}
                with FAULTS.lock:
                    FAULTS.queue.append(fault)
                    return 200, {"faults": [dict(f) for f in FAULTS.queue]}
        if what == "requests":
            with FAULTS.lock:
                if method == "DELETE":
                    FAULTS.log.clear()
                    return 200, []
                if method == "GET":
                    return 200, list(FAULTS.log)
        if what == "state" and method == "GET":
            with REGISTRY.lock:
                return 200, {"flavor": REGISTRY.flavor_name, "real": REGISTRY.f["tag"], "first_id": REGISTRY.first_id,
                             "next_id": REGISTRY.next_id, "global_level": REGISTRY.global_level or "BACKWARD",
                             "subject_levels": dict(REGISTRY.subject_level)}
        raise RegistryError(404, 404, f"no control {method} /__standin/{what}")

    # --- the registry API ---------------------------------------------------------------------
    def not_found_route(self, method=None):
        if REGISTRY.karapace:
            raise RegistryError(404, None, "Not Found", body="Not Found")
        raise RegistryError(404, 404, "HTTP 404 Not Found")

    def method_not_allowed(self):
        if REGISTRY.karapace:
            raise RegistryError(405, None, "Method Not Allowed", body="Method Not Allowed")
        raise RegistryError(405, 405, "HTTP 405 Method Not Allowed")

    def dispatch(self, method, parts, query):
        n = len(parts)
        head = parts[0] if parts else ""
        if head == "subjects":
            if n == 1:
                if method != "GET":
                    self.method_not_allowed()
                return 200, self.list_subjects(query)
            subject = parts[1]
            if n == 2:
                if method == "POST":
                    return 200, self.lookup(subject, self.json_body(), query)
                if method == "DELETE":
                    return 200, self.delete_subject(subject, query)
                self.method_not_allowed()
            if parts[2] != "versions":
                self.not_found_route()
            if n == 3:
                if method == "POST":
                    return 200, self.register(subject, self.json_body())
                if method == "GET":
                    return 200, self.list_versions(subject, query)
                self.method_not_allowed()
            if n == 4:
                if method == "GET":
                    return 200, self.get_version(subject, parts[3], query)
                if method == "DELETE":
                    return 200, self.delete_version(subject, parts[3], query)
                self.method_not_allowed()
            if n == 5 and parts[4] == "schema" and method == "GET":
                return 200, RawText(self.get_version(subject, parts[3], query)["schema"])
            self.not_found_route()
        if head == "schemas":
            if n == 2 and parts[1] == "types" and method == "GET":
                return 200, ["JSON", "AVRO", "PROTOBUF"] if REGISTRY.karapace else ["JSON", "PROTOBUF", "AVRO"]
            if n in (3, 4) and parts[1] == "ids":
                if method != "GET":
                    self.method_not_allowed()
                if n == 3:
                    return 200, self.get_schema(parts[2], query)
                if parts[3] == "versions":
                    return 200, self.schema_versions(parts[2])
            self.not_found_route()
        if head == "compatibility" and n >= 4 and parts[1] == "subjects" and parts[3] == "versions":
            if method != "POST":
                self.method_not_allowed()
            if n == 5:
                return self.compatibility(parts[2], parts[4], self.json_body(), query)
            if n == 4 and not REGISTRY.karapace:
                return self.compatibility(parts[2], None, self.json_body(), query)
            self.not_found_route()
        if head == "config" and n in (1, 2):
            subject = parts[1] if n == 2 else None
            if method == "GET":
                return 200, self.get_config(subject, query)
            if method == "PUT":
                return 200, self.put_config(subject, self.json_body())
            if method == "DELETE":
                return 200, self.delete_config(subject)
            self.method_not_allowed()
        self.not_found_route()

    # --- answers ------------------------------------------------------------------------------
    def version_id(self, version):
        """VersionId: "latest" | 1..2^31-1, else 42202."""
        text = str(version)
        if text.strip().lower() == "latest":
            return -1
        try:
            number = int(text.strip())
        except ValueError:
            number = None
        if number is None or (number <= 0 and number != -1) or number >= 2**31:
            raise RegistryError(422, 42202, f"The specified version '{version}' is not a valid version id. "
                                            "Allowed values are between [1, 2^31-1] and the string \"latest\"")
        return number

    def schema_entity(self, v, parsed, with_subject=True):
        """Schema (client/rest/entities/Schema.java) as this flavor serializes it."""
        r, f = REGISTRY, REGISTRY.f
        body = {}
        if with_subject:
            body.update(subject=v.subject, version=v.number)
        body["id"] = v.id
        if f["extras"]:
            body["guid"] = guid_for(parsed.text, parsed.references)
        if parsed.schema_type != "AVRO" or f["avro_type"]:
            body["schemaType"] = parsed.schema_type
        if parsed.references:
            body["references"] = [dict(x) for x in parsed.references]
        body["schema"] = parsed.text
        return body

    def list_subjects(self, query):
        deleted = query.get("deleted") == "true"
        return sorted(s for s, vs in REGISTRY.subjects.items() if vs and (deleted or any(not v.deleted for v in vs)))

    def list_versions(self, subject, query):
        deleted = query.get("deleted") == "true"
        versions = [v.number for v in REGISTRY.subjects.get(subject, []) if deleted or not v.deleted]
        if not versions:
            raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
        return versions

    def get_version(self, subject, version, query):
        r = REGISTRY
        number = self.version_id(version)
        deleted = query.get("deleted") == "true"
        v = r.find_version(subject, number, deleted=deleted)
        if v is None:
            if not [x for x in r.subjects.get(subject, []) if deleted or not x.deleted]:
                raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
            raise RegistryError(404, 40402, f"Version {number if not r.karapace else version} not found.")
        parsed = r.schemas[v.id]
        body = self.schema_entity(v, parsed)
        if r.f["extras"]:
            body["ts"] = v.ts
            body["deleted"] = v.deleted
        return body

    def get_schema(self, sid, query):
        r = REGISTRY
        if not re.fullmatch(r"-?\d+", sid or ""):
            raise RegistryError(404, 404, "HTTP 404 Not Found")
        number = int(sid)
        parsed = r.schemas.get(number)
        holders = [v for vs in r.subjects.values() for v in vs if v.id == number]
        if parsed is None or not holders:
            if r.karapace:
                raise RegistryError(404, 40403, "Schema not found")
            raise RegistryError(404, 40403, f"Schema {number} not found")
        if r.karapace:
            body = {"schema": parsed.text}
            if parsed.schema_type != "AVRO":
                body["schemaType"] = parsed.schema_type
            if parsed.references:
                body["references"] = [dict(x) for x in parsed.references]
            return body
        body = {}
        subject = query.get("subject")
        holder = next((v for v in holders if v.subject == subject), holders[0])
        if subject is not None and r.f["extras"]:
            body.update(subject=holder.subject, version=holder.number)
        if r.f["extras"]:
            body["guid"] = guid_for(parsed.text, parsed.references)
        if parsed.schema_type != "AVRO" or r.f["avro_type"]:
            body["schemaType"] = parsed.schema_type
        body["schema"] = parsed.text
        if parsed.references:
            body["references"] = [dict(x) for x in parsed.references]
        if r.f["extras"]:
            body["ts"] = holder.ts
            body["deleted"] = holder.deleted
        return body

    def schema_versions(self, sid):
        if not re.fullmatch(r"-?\d+", sid or ""):
            raise RegistryError(404, 404, "HTTP 404 Not Found")
        return [{"subject": v.subject, "version": v.number} for vs in REGISTRY.subjects.values() for v in vs
                if v.id == int(sid) and not v.deleted]

    def register(self, subject, body):
        r = REGISTRY
        # KafkaSchemaRegistry.registerOrForward looks the schema up (lenient parse) before
        # register() parses it as a new schema (strict names and defaults from 8.0.4).
        parsed = r.parse(subject, body, new=r.karapace)
        existing = r.match(subject, parsed)
        if existing is not None:
            return self.register_answer(existing, r.schemas[existing.id])
        if r.f["validate_new"]:
            parsed = r.parse(subject, body, new=True)
        live = r.live(subject)
        level = r.level_for(subject)
        if r.karapace:
            previous = live if level.endswith("_TRANSITIVE") else live[-1:]
            messages = r.karapace_messages(level, parsed, previous)
            if messages:
                raise RegistryError(409, 409, f"Incompatible schema, compatibility_mode={level}. "
                                              f"Incompatibilities: {', '.join(messages)[:300]}")
        else:
            messages = r.confluent_messages(level, parsed, live)
            if messages:
                raise RegistryError(409, r.f["incompatible_code"],
                                    f"Schema being registered is incompatible with an earlier schema for subject "
                                    f"\"{subject}\", details: [{', '.join(messages)}]")
        sid = r.assign_id(parsed)
        everything = r.subjects.setdefault(subject, [])
        number = max([v.number for v in everything], default=0) + 1
        v = Version(subject, number, sid)
        everything.append(v)
        return self.register_answer(v, parsed)

    def register_answer(self, v, parsed):
        shape = REGISTRY.f["register"]
        if shape == "id":
            return {"id": v.id}
        body = self.schema_entity(v, parsed, with_subject=False)
        if shape == "7.5":
            body = {"id": v.id, "version": v.number}
            if parsed.schema_type != "AVRO":
                body["schemaType"] = parsed.schema_type
            if parsed.references:
                body["references"] = [dict(x) for x in parsed.references]
            body["schema"] = parsed.text
            return body
        return {"id": v.id, "version": v.number, **{k: x for k, x in body.items() if k not in ("id",)}}

    def lookup(self, subject, body, query):
        r = REGISTRY
        if r.karapace and not r.live(subject):
            raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
        parsed = r.parse(subject, body, new=False)
        v = r.match(subject, parsed)
        if v is None:
            if not r.live(subject):
                raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
            raise RegistryError(404, 40403, "Schema not found")
        if r.karapace:
            answer = {"subject": subject, "version": v.number, "id": v.id, "schema": r.schemas[v.id].text}
            if parsed.schema_type != "AVRO":
                answer["schemaType"] = parsed.schema_type
            return answer
        return self.schema_entity(v, r.schemas[v.id])

    def compatibility(self, subject, version, body, query):
        r = REGISTRY
        verbose = query.get("verbose") == "true"
        level = r.level_for(subject)
        if r.karapace:
            try:
                parsed = r.parse(subject, body, new=True)
            except RegistryError as error:
                if error.code == 42201:
                    kind = body.get("schemaType") or "AVRO" if isinstance(body, dict) else "AVRO"
                    raise RegistryError(422, 42201, f"Invalid {kind} schema")
                raise
            number = self.version_id(version)
            old = r.find_version(subject, number)
            if old is None:
                raise RegistryError(404, 40402, f"Version {number} not found.")
            live = r.live(subject)
            previous = live if level.endswith("_TRANSITIVE") else [old]
            messages = r.karapace_messages(level, parsed, previous)
            return 200, ({"is_compatible": False, "messages": messages} if messages else {"is_compatible": True})
        if version is not None:
            number = self.version_id(version)
            old = r.find_version(subject, number)
            if old is None and number != -1:
                raise RegistryError(404, 40402, f"Version {number} not found.")
            previous = [old] if old is not None else []
        else:
            previous = r.live(subject)
        try:
            parsed = r.parse(subject, body, new=r.f["validate_new"])
            messages = r.confluent_messages(level, parsed, previous)
        except RegistryError as error:
            if not (error.status == 422 and error.code == 42201 and verbose):
                raise
            messages = [error.message]
        answer = {"is_compatible": not messages}
        if verbose:
            answer["messages"] = messages
        return 200, answer

    def get_config(self, subject, query):
        r = REGISTRY
        to_global = query.get("defaultToGlobal") == "true"
        if subject is None:
            return {"compatibilityLevel": r.global_level or "BACKWARD"}
        if r.karapace and subject not in r.subjects and subject not in r.subject_level:
            raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
        level = r.subject_level.get(subject)
        if level is None and to_global:
            level = r.global_level or "BACKWARD"
        if level is None:
            raise RegistryError(404, 40408, f"Subject '{subject}' does not have subject-level compatibility configured")
        return {"compatibilityLevel": level}

    def put_config(self, subject, body):
        r = REGISTRY
        if not isinstance(body, dict):
            raise RegistryError(422, 422, "Unrecognized token: the body is not a JSON object")
        wanted = body.get("compatibility")
        if wanted is None:
            current = r.subject_level.get(subject) if subject else (r.global_level or "BACKWARD")
            return {"compatibility": current} if current else {}
        level = wanted.upper() if isinstance(wanted, str) else None
        if level not in LEVELS or (r.karapace and wanted != level):
            if r.karapace and subject is not None:
                raise RegistryError(422, 42203, "Invalid compatibility level")
            raise RegistryError(422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, "
                                            "backward_transitive, forward_transitive, and full_transitive")
        if subject is None:
            r.global_level = level
        else:
            r.subject_level[subject] = level
        return {"compatibility": level}

    def delete_config(self, subject):
        r = REGISTRY
        if subject is None:
            old = r.global_level or "BACKWARD"
            r.global_level = None
            return {"compatibility": "BACKWARD"} if r.karapace else {"compatibilityLevel": old}
        old = r.subject_level.pop(subject, None)
        if old is None and not r.karapace:
            raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
        return {"compatibility": r.global_level or "BACKWARD"} if r.karapace else {"compatibilityLevel": old}

    def referenced(self, subject, number):
        r = REGISTRY
        for vs in r.subjects.values():
            for v in vs:
                for ref in r.schemas[v.id].references:
                    if ref["subject"] == subject and int(ref["version"]) == number:
                        return True
        return False

    def delete_subject(self, subject, query):
        r = REGISTRY
        permanent = query.get("permanent") == "true"
        versions = r.subjects.get(subject, [])
        if not versions:
            raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
        live = [v for v in versions if not v.deleted]
        for v in versions:
            if self.referenced(subject, v.number):
                raise RegistryError(422, 42206, "One or more references exist to the schema "
                                                f"{{magic=1,keytype=SCHEMA,subject={subject},version={v.number}}}.")
        if permanent:
            if live:
                raise RegistryError(404, 40405, f"Subject '{subject}' was not deleted first before being permanently deleted")
            del r.subjects[subject]
            r.subject_level.pop(subject, None)
            return [v.number for v in versions]
        if not live:
            raise RegistryError(404, 40404, f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently")
        for v in live:
            v.deleted = True
        r.subject_level.pop(subject, None)
        return [v.number for v in live]

    def delete_version(self, subject, version, query):
        r = REGISTRY
        permanent = query.get("permanent") == "true"
        number = self.version_id(version)
        versions = r.subjects.get(subject, [])
        if not versions:
            raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
        v = r.find_version(subject, number, deleted=True) if number != -1 else (r.live(subject) or [None])[-1]
        if v is None:
            raise RegistryError(404, 40402, f"Version {number} not found.")
        if self.referenced(subject, v.number):
            raise RegistryError(422, 42206, "One or more references exist to the schema "
                                            f"{{magic=1,keytype=SCHEMA,subject={subject},version={v.number}}}.")
        if permanent:
            if not v.deleted:
                raise RegistryError(404, 40407, f"Subject '{subject}' Version {v.number} was not deleted first before being "
                                                "permanently deleted")
            versions.remove(v)
            if not versions:
                del r.subjects[subject]
            return v.number
        if v.deleted:
            sep = " " if r.karapace else ""
            raise RegistryError(404, 40406, f"Subject '{subject}' Version {v.number} was soft deleted.{sep}Set permanent=true "
                                            "to delete permanently")
        v.deleted = True
        return v.number

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")

    def do_PATCH(self):
        self.route("PATCH")


def main():
    global REGISTRY
    parser = argparse.ArgumentParser(description="Schema Registry stand-in for streamcheck tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state-file", help="also write {\"url\", \"port\", \"pid\"} as JSON here once listening")
    args = parser.parse_args()
    flavor = os.environ.get("SCHEMA_REGISTRY_STANDIN_FLAVOR") or "confluent"
    first = os.environ.get("SCHEMA_REGISTRY_STANDIN_FIRST_ID")
    first_id = int(first) if first else random.randint(1000, 99999)
    REGISTRY = Registry(flavor, first_id)
    sys.stderr.write(f"stand-in: first schema id {first_id}\n")
    sys.stderr.write(f"stand-in: flavor {flavor} (as {REGISTRY.f['tag']})\n")
    sys.stderr.flush()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.state_file:
        tmp = args.state_file + ".tmp"
        with open(tmp, "w") as out:
            json.dump({"url": f"http://{args.host}:{port}", "port": port, "pid": os.getpid()}, out)
        os.replace(tmp, args.state_file)
    print(f"PORT {port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
