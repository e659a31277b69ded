#!/usr/bin/env python3
"""Schema Registry STAND-IN, for streamcheck's tests only.

No Confluent Schema Registry can be installed on the test machines, so this small server
follows Confluent's REST API for the calls streamcheck makes, with Confluent's error codes:

  POST /subjects/{subject}/versions                         register      (409, 42201)
  POST /subjects/{subject}                                  look up       (40401, 40403)
  GET  /schemas/ids/{id}                                    fetch by id   (40403)
  GET  /subjects/{subject}/versions/{version|latest}        read version  (40401, 40402)
  POST /compatibility/subjects/{subject}/versions/{version} check         (40401, 40402, 42201)
  GET  /subjects                                            list subjects
  PUT  /config/{subject}  {"compatibility": "NONE|BACKWARD"}

Compatibility is BACKWARD by default: a new schema must be able to read data written with the
latest registered one (Avro schema resolution, checked below on fastavro-parsed schemas).
Optional basic auth: set SCHEMA_REGISTRY_STANDIN_AUTH=user:password in its environment.
Prints "PORT <n>" on stdout once listening (use --port to choose it; --state-file writes url/port/pid as JSON).
It is not a Schema Registry: state lives in memory, there is one global compatibility default.
"""
import argparse
import base64
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

import fastavro

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
PROMOTIONS = {("int", "long"), ("int", "float"), ("int", "double"), ("long", "float"), ("long", "double"),
              ("float", "double"), ("string", "bytes"), ("bytes", "string")}


class Incompatible(Exception):
    pass


def collect_named(schema, named):
    """Full name -> definition for every record, enum and fixed in a parsed schema."""
    if isinstance(schema, list):
        for branch in schema:
            collect_named(branch, named)
    elif isinstance(schema, dict):
        t = schema.get("type")
        if t in ("record", "error", "enum", "fixed"):
            named[schema["name"]] = schema
        if t in ("record", "error"):
            for field in schema.get("fields", []):
                collect_named(field["type"], named)
        elif t == "array":
            collect_named(schema["items"], named)
        elif t == "map":
            collect_named(schema["values"], named)
        elif isinstance(t, (dict, list)):
            collect_named(t, named)


def kind(schema, named):
    """(type name, definition) with references and {"type": "long"} wrappers resolved."""
    if isinstance(schema, list):
        return "union", schema
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema, schema
        return kind(named[schema], named)
    t = schema["type"]
    if isinstance(t, (dict, list)) or (isinstance(t, str) and t not in PRIMITIVES and t not in
                                       ("record", "error", "enum", "fixed", "array", "map")):
        return kind(t, named)
    return ("record" if t == "error" else t), schema


def short(name):
    return name.rsplit(".", 1)[-1]


def check_readable(writer, reader, wn, rn, path="$"):
    """Raises Incompatible when data written with `writer` cannot be read with `reader`."""
    wk, w = kind(writer, wn)
    rk, r = kind(reader, rn)
    if wk == "union":
        for branch in w:
            check_readable(branch, reader, wn, rn, path)
        return
    if rk == "union":
        for branch in r:
            try:
                check_readable(writer, branch, wn, rn, path)
                return
            except Incompatible:
                pass
        raise Incompatible(f"{path}: reader union has no branch for writer type {wk}")
    if wk in PRIMITIVES or rk in PRIMITIVES:
        if wk == rk or (wk, rk) in PROMOTIONS:
            return
        raise Incompatible(f"{path}: writer type {wk} cannot be read as {rk}")
    if wk != rk:
        raise Incompatible(f"{path}: writer type {wk} cannot be read as {rk}")
    if wk in ("record", "enum", "fixed") and short(w["name"]) != short(r["name"]):
        raise Incompatible(f"{path}: name {w['name']} does not match {r['name']}")
    if wk == "record":
        writer_fields = {f["name"]: f for f in w["fields"]}
        for field in r["fields"]:
            names = [field["name"]] + list(field.get("aliases", []))
            match = next((writer_fields[n] for n in names if n in writer_fields), None)
            if match is not None:
                check_readable(match["type"], field["type"], wn, rn, f"{path}.{field['name']}")
            elif "default" not in field:
                raise Incompatible(f"{path}.{field['name']}: reader field has no default and the writer does not have it")
    elif wk == "enum":
        missing = [s for s in w["symbols"] if s not in r["symbols"]]
        if missing and "default" not in r:
            raise Incompatible(f"{path}: reader enum lacks symbols {', '.join(missing)}")
    elif wk == "fixed":
        if w["size"] != r["size"]:
            raise Incompatible(f"{path}: fixed size {w['size']} cannot be read as size {r['size']}")
    elif wk == "array":
        check_readable(w["items"], r["items"], wn, rn, f"{path}[]")
    elif wk == "map":
        check_readable(w["values"], r["values"], wn, rn, f"{path}{{}}")


class Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.schemas = []          # id - 1 -> (text, canonical)
        self.subjects = {}         # subject -> [schema id per version]
        self.compatibility = {}    # subject -> level
        self.default_level = "BACKWARD"

    @staticmethod
    def parse(text):
        try:
            raw = json.loads(text)
            parsed = fastavro.parse_schema(raw, _write_hint=False)
        except Exception as error:  # fastavro raises several kinds; all mean "invalid"
            raise RegistryError(422, 42201, f"Invalid schema: {error}")
        named = {}
        collect_named(parsed, named)
        return parsed, named, json.dumps(raw, sort_keys=True, separators=(",", ":"))

    def id_for(self, canonical, text):
        for i, (_, c) in enumerate(self.schemas):
            if c == canonical:
                return i + 1
        self.schemas.append((text, canonical))
        return len(self.schemas)

    def incompatibilities(self, subject, parsed, named, version="latest"):
        level = self.compatibility.get(subject, self.default_level)
        if level == "NONE":
            return []
        versions = self.subjects[subject]
        old_ids = [versions[-1]] if version == "latest" else [versions[int(version) - 1]]
        problems = []
        for old_id in old_ids:
            old_parsed, old_named, _ = self.parse(self.schemas[old_id - 1][0])
            try:
                check_readable(old_parsed, parsed, old_named, named)
            except Incompatible as error:
                problems.append(str(error))
        return problems


class RegistryError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


REGISTRY = Registry()


class Handler(BaseHTTPRequestHandler):
    server_version = "SchemaRegistryStandIn/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("stand-in: " + (fmt % args) + "\n")

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        expected = os.environ.get("SCHEMA_REGISTRY_STANDIN_AUTH")
        if not expected:
            return True
        header = self.headers.get("Authorization", "")
        if header == "Basic " + base64.b64encode(expected.encode()).decode():
            return True
        self.answer(401, {"error_code": 401, "message": "Unauthorized"})
        return False

    def route(self, method):
        if not self.authorized():
            return
        path = urlparse(self.path).path
        parts = [unquote(p) for p in path.strip("/").split("/")]
        try:
            with REGISTRY.lock:
                status, body = self.dispatch(method, parts)
            self.answer(status, body)
        except RegistryError as error:
            self.answer(error.status, {"error_code": error.code, "message": error.message})

    def dispatch(self, method, parts):
        r = REGISTRY
        if method == "GET" and parts == ["subjects"]:
            return 200, sorted(r.subjects)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["schemas", "ids"]:
            sid = int(parts[2]) if parts[2].isdigit() else 0
            if not 1 <= sid <= len(r.schemas):
                raise RegistryError(404, 40403, "Schema not found")
            return 200, {"schema": r.schemas[sid - 1][0]}
        if method == "PUT" and len(parts) == 2 and parts[0] == "config":
            r.compatibility[parts[1]] = self.body().get("compatibility", "BACKWARD")
            return 200, {"compatibility": r.compatibility[parts[1]]}
        if len(parts) >= 2 and parts[0] == "subjects":
            subject = parts[1]
            if method == "POST" and len(parts) == 3 and parts[2] == "versions":
                parsed, named, canonical = r.parse(self.body().get("schema", ""))
                versions = r.subjects.get(subject, [])
                for sid in versions:
                    if r.schemas[sid - 1][1] == canonical:
                        return 200, {"id": sid}
                if versions:
                    problems = r.incompatibilities(subject, parsed, named)
                    if problems:
                        raise RegistryError(409, 409, "Schema being registered is incompatible with an earlier schema; " + "; ".join(problems))
                sid = r.id_for(canonical, self.last_text)
                r.subjects.setdefault(subject, []).append(sid)
                return 200, {"id": sid}
            if method == "POST" and len(parts) == 2:
                if subject not in r.subjects:
                    raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
                _, _, canonical = r.parse(self.body().get("schema", ""))
                for version, sid in enumerate(r.subjects[subject], start=1):
                    if r.schemas[sid - 1][1] == canonical:
                        return 200, {"subject": subject, "version": version, "id": sid, "schema": r.schemas[sid - 1][0]}
                raise RegistryError(404, 40403, "Schema not found")
            if method == "GET" and len(parts) == 4 and parts[2] == "versions":
                return 200, self.version(subject, parts[3])
        if method == "POST" and len(parts) == 5 and parts[:2] == ["compatibility", "subjects"] and parts[3] == "versions":
            subject = parts[2]
            self.version(subject, parts[4])  # raises 40401 / 40402
            parsed, named, _ = r.parse(self.body().get("schema", ""))
            problems = r.incompatibilities(subject, parsed, named, parts[4])
            return 200, {"is_compatible": not problems, "messages": problems}
        raise RegistryError(404, 404, f"No route for {method} /{'/'.join(parts)} in the stand-in")

    def version(self, subject, version):
        versions = REGISTRY.subjects.get(subject)
        if not versions:
            raise RegistryError(404, 40401, f"Subject '{subject}' not found.")
        if version == "latest":
            number = len(versions)
        elif version.isdigit() and 1 <= int(version) <= len(versions):
            number = int(version)
        else:
            raise RegistryError(404, 40402, f"Version {version} not found.")
        sid = versions[number - 1]
        return {"subject": subject, "version": number, "id": sid, "schema": REGISTRY.schemas[sid - 1][0]}

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            parsed = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            raise RegistryError(400, 400, "request body is not JSON")
        self.last_text = parsed.get("schema", "") if isinstance(parsed, dict) else ""
        return parsed if isinstance(parsed, dict) else {}

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")


def main():
    parser = argparse.ArgumentParser(description="Schema Registry stand-in for streamcheck tests")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state-file", help="also write {\"url\", \"port\", \"pid\"} as JSON here once listening")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
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
