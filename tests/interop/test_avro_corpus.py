"""The Avro corpus: every schema in tests/fixtures/avro-corpus/*.avsc is pushed through
streamcheck and checked by an independent implementation (fastavro 1.x, kafka-python 2.0.2).
Run by scripts/test.d/32-avro-corpus.sh; one embedded broker and one Schema Registry
stand-in serve the whole module. Each case in CASES says what its schema is about.

For each schema (plain Avro binary; a subset also in Confluent framing through the registry
stand-in), the test proves, in this order:

 1. produce  `streamcheck produce` takes the schema (generated data, --message-count 30
             --seed N; or a data file the test writes, for values the generator never makes:
             large, unicode, U+0000, extreme numbers, empty collections, defaults) and
             exits 0 having produced every message. Schemas the generator cannot fill
             (refuse-*) must be refused instead: exit 1, one stderr line, no manifest.
 2. decode   fastavro decodes every message with the writer schema (in Confluent mode the
             one the registry returns for the id in the framing, which must be the id the
             produce result names), with logical types and without, each to its last byte;
             every logical value is one its type allows (a decimal within its precision, a
             uuid, a time within the day: Avro's encoding cannot see these, and fastavro
             rounds or refuses them); the decoded content has the digest streamcheck put in
             its streamcheck.digest header (canonical JSON + FNV-1a 64, re-implemented in
             avro_interop.py); seqs 0..N-1 each arrive once with the produce's run id. With
             a data file, the decoded record also equals the line as fastavro writes it
             (defaults filled per the spec): a cut map key, a lost U+0000 or a changed number
             is seen here even though the digest header agrees with the bytes sent.
 3. self     `streamcheck consume` verifies its own topic (exit 0, every check passed).
 4. copy     fastavro re-encodes every message (from its own logical-type values) into a
             second topic, keeping partition, key, order and streamcheck's headers;
             `consume --topic COPY` must pass every check: integrity is judged on content,
             not bytes. decimal-nonminimal writes every decimal one sign byte longer (-128
             as ff80, same value); union-branch-switch writes string -> bytes, int -> long.
 5. changed  a third topic holds the copy with ONE value changed (still valid under the
             schema); consume (expecting the N-1 others) must exit 2 with `integrity` failed
             on that seq (corrupted == 1) and `loss` missing only that seq (the changed
             message is not the one expected), schema_compliance passed.
 6. reader   where a reader schema applies (NAME.reader.avsc, or the writer itself for the
             map<array>/map<map> family), fastavro first proves every message resolves
             from writer to reader; then `consume --schema-file READER` must pass
             schema_compliance (exit 0).

What it cannot see: a value fastavro and streamcheck both get wrong the same way (two
implementations agreeing is evidence, not proof); a union branch switch with the same JSON
value (the digest is on the bare JSON value; union-branch-switch only records what happens,
in the JUnit suite property branch_switch_outcome.plain, and accepts a pass or a
schema_compliance failure); byte-level differences in a copy that decodes to the same
content (by design); anything the data never contains (each case asserts, in `exercised`,
that the feature it is about occurred for its seed). The binary is $STREAMCHECK_BIN
(default .build/release/streamcheck), copied once at the start so that a rebuild during
the run cannot mix two versions.
"""
import copy
import errno
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

import fastavro
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "avro-corpus"
sys.path.insert(0, str(HERE))
from avro_interop import canonical, fnv1a64, registry_get, strip_logical, to_convention  # noqa: E402

COUNT = 30
CONSUME_TIMEOUT = "30s"


# ---------------------------------------------------------------------------------------
# Data files for values the generator never makes (JSON convention of docs/avro.md:
# bytes and fixed are strings of code points 0-255, unions bare).

def _dec(unscaled):
    """Minimal big-endian two's complement, as a code-point string."""
    n = max(1, (unscaled.bit_length() + 8) // 8)
    raw = unscaled.to_bytes(n, "big", signed=True)
    while len(raw) > 1 and ((raw[0] == 0 and raw[1] < 0x80) or (raw[0] == 0xFF and raw[1] >= 0x80)):
        raw = raw[1:]
    return raw.decode("latin-1")


def _utf8_as_bytes(text):
    return text.encode("utf-8").decode("latin-1")


def data_large():
    blob = "".join(chr(i % 256) for i in range(65536))
    return [
        {"id": 1, "text": "a" * 200_000, "blob": blob, "words": [], "index": {}},
        {"id": 2, "text": "é漢😀" * 33_000, "blob": "", "words": [f"word{i}" for i in range(2000)],
         "index": {f"key{i:05d}": i * 1_000_003 for i in range(2000)}},
        {"id": 3, "text": "", "blob": "\u00ff" * 100_000, "words": ["x" * 50_000, "y"], "index": {"k" * 1000: 1}},
    ]


def data_unicode():
    return [
        {"id": 1, "text": "héllo wörld — ünïcödé", "maybe": "日本語のテキスト",
         "words": ["Ελληνικά", "Русский", "עברית", "العربية"], "by_key": {"ключ": "значение", "鍵": "値"}},
        {"id": 2, "text": "emoji 😀🎉👩‍👩‍👧‍👦 flags 🇫🇷", "maybe": None,
         "words": ["\U0001F600", "\U0010FFFF", "\uFFFD"], "by_key": {"🔑": "🔒", "": "empty key"}},
        {"id": 3, "text": "combining e\u0301 vs \u00e9; zero width \u200b\u200d; BOM \ufeff; \u2028 \u2029",
         "maybe": "quotes \" backslash \\ slash /", "words": ["tab\tnew\nline\rcr", "\u0001\u001f\u007f", ""],
         "by_key": {"a\"b": "c\\d", "new\nline": "x"}},
        {"id": 4, "text": "", "maybe": "", "words": [], "by_key": {}},
        {"id": 5, "text": "Ω≈ç√∫˜µ≤≥÷ åß∂ƒ©˙∆˚¬…æ", "maybe": "\u0080\u00ff\u0100",
         "words": ["ß", "ẞ", "ﬁ"], "by_key": {"Straße": "strasse", "STRASSE": "upper"}},
    ]


def data_nul_values():
    return [
        {"id": 1, "text": "a\u0000b", "raw": "".join(chr(i) for i in range(256)), "fx": "\u0000\u0000\u0000\u0000",
         "words": ["\u0000", "x\u0000"]},
        {"id": 2, "text": "\u0000", "raw": "\u0000", "fx": "\u0000\u0001\u00fe\u00ff", "words": []},
        {"id": 3, "text": "no nul", "raw": "", "fx": "abcd", "words": ["plain"]},
    ]


def data_extremes():
    return [
        {"id": 1, "i": 2147483647, "l": 9223372036854775807, "f": 3.4028234663852886e38, "d": 1.7976931348623157e308,
         "ints": [2147483647, -2147483648, 0], "longs": {"max": 9223372036854775807, "min": -9223372036854775808},
         "maybe_d": 5e-324},
        {"id": 2, "i": -2147483648, "l": -9223372036854775808, "f": -3.4028234663852886e38, "d": -1.7976931348623157e308,
         "ints": [], "longs": {}, "maybe_d": -5e-324},
        {"id": 3, "i": 0, "l": 0, "f": 1.401298464324817e-45, "d": 2.2250738585072014e-308,
         "ints": [-1, 1], "longs": {"neg": -1}, "maybe_d": None},
        {"id": 4, "i": -1, "l": 9007199254740993, "f": 1.1754943508222875e-38, "d": 1e16,
         "ints": [1], "longs": {"p53": 9007199254740993}, "maybe_d": 123456789.125},
        {"id": 5, "i": 1, "l": -9007199254740993, "f": -0.0, "d": -0.0, "ints": [], "longs": {}, "maybe_d": 0.1},
    ]


def data_empty():
    return [
        {"id": 1, "arr": [], "map": {}, "nested_arr": [], "nested_map": {}, "recs": [], "maybe_arr": []},
        {"id": 2, "arr": [], "map": {}, "nested_arr": [[], [], []], "nested_map": {"a": {}, "b": {}},
         "recs": [{"list": [], "dict": {}}], "maybe_arr": None},
        {"id": 3, "arr": [1], "map": {"k": "v"}, "nested_arr": [[1, 2], []], "nested_map": {"x": {"y": 1}, "e": {}},
         "recs": [{"list": ["a"], "dict": {"n": 1}}, {"list": [], "dict": {}}], "maybe_arr": [5]},
        {"id": 4, "arr": [], "map": {}, "nested_arr": [[]], "nested_map": {"": {}}, "recs": [], "maybe_arr": None},
    ]


def data_defaults():
    return [
        {"id": 1},
        {"id": 2, "s": "given", "arr": [], "b": ""},
        {"id": 3, "rec": {"a": 9}, "u_long": None, "m": {}, "e": "LOW"},
        {"id": 4, "n": None, "flag": False, "i": 1, "l": 2, "f": 0.25, "d": 0.5, "s": "s", "b": "\u0000",
         "e": "LOW", "fx": "zz", "arr": [7], "m": {"a": "b"}, "rec": {"a": 1, "z": "y"}, "u_null": "x",
         "u_long": 5, "ts": 0},
    ]


def data_nul_key():
    return [
        {"id": 1, "m": {"a\u0000b": 1, "plain": 2}},
        {"id": 2, "m": {"\u0000": 3}},
        {"id": 3, "m": {"ok": 4}},
    ]


def data_nul_default():
    return [{"id": 1}, {"id": 2, "sep": "x"}, {"id": 3, "label": "given"}, {"id": 4, "sep": "\u0000\u0000", "label": ""}]


def data_decimal_forms():
    values = [-128, 127, -129, 128, -32768, 32767, 0, -1, 1, -8388608]
    return [{"id": i, "amount": _dec(v), "maybe": None if i % 2 else _dec(-128)} for i, v in enumerate(values)]


def data_branch_switch():
    return [{"id": i, "sb": f"text {i}", "il": i * 7} for i in range(5)]


def data_string_bytes():
    return [
        {"id": 1, "s": "héllo", "b": _utf8_as_bytes("wörld"), "strings": ["a", "ü"], "blobs": {"k": _utf8_as_bytes("€")}},
        {"id": 2, "s": "", "b": "", "strings": [], "blobs": {}},
        {"id": 3, "s": "plain", "b": "ascii", "strings": ["日本"], "blobs": {"e": _utf8_as_bytes("😀"), "f": "x"}},
    ]


# ---------------------------------------------------------------------------------------
# What each case is about, and proof that its data exercised it (on fastavro's plain values).

def _walk(value):
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def _depth(node, key):
    d = 0
    while isinstance(node, dict) and node.get(key):
        node = node[key]
        d += 1
    return d


def _map_tree_depth(node):
    kids = node.get("kids") or {}
    return 1 + max((_map_tree_depth(k) for k in kids.values()), default=0)


def _array_tree_depth(node):
    return 1 + max((_array_tree_depth(k) for k in node["children"]), default=0)


CASES = {
    # name: options. registry: also in Confluent framing. data: a data file instead of generated
    # records. reader: "self" (the writer file again) or NAME.reader.avsc when present.
    # reader_changes: the reader's view of some message differs (the resolution did something).
    # copy: a special copy. refuse: produce must refuse. exercised: what the data must contain.
    "nested-records": {"registry": True},
    "arrays-of-records": {"exercised": lambda rs: any(r["lines"] and any(l["tags"] for l in r["lines"]) for r in rs)},
    "maps-of-records": {"exercised": lambda rs: any(r["by_region"] for r in rs)},
    "enum-default": {},
    "fixed": {},
    "fixed-zero": {"exercised": lambda rs: any(r["more"] for r in rs)},
    "bytes": {},
    "union-null": {"exercised": lambda rs: {r["rec"] is None for r in rs} == {True, False}},
    "union-multi": {"registry": True,
                    "exercised": lambda rs: len({type(r["v"]).__name__ for r in rs}) >= 6},
    "logical-decimal-bytes": {},
    "logical-decimal-fixed": {"registry": True},
    "decimal-fixed-by-reference": {"exercised": lambda rs: any(r["list"] or r["by_key"] for r in rs)},
    "logical-uuid": {},
    "logical-date-time": {},
    "logical-timestamps": {},
    "logical-all": {"registry": True},
    "defaults": {"registry": True, "data": data_defaults},
    "aliases": {},
    "namespaces": {"registry": True},
    "fullname-references": {"registry": True},
    "recursive-union": {"registry": True, "exercised": lambda rs: max(_depth(r, "next") for r in rs) >= 2},
    "recursive-array": {"exercised": lambda rs: max(_array_tree_depth(r) for r in rs) >= 3},
    "large-strings": {"data": data_large},
    "unicode": {"registry": True, "data": data_unicode},
    "nul-in-values": {"data": data_nul_values},
    "extreme-numbers": {"registry": True, "data": data_extremes},
    "empty-collections": {"data": data_empty},
    # Known bad behaviours (issue text): each asserts the correct behaviour.
    "map-of-arrays": {"registry": True, "reader": "self",
                      "exercised": lambda rs: any(any(v for v in r["tags"].values()) for r in rs)},
    "map-of-maps": {"reader": "self", "exercised": lambda rs: any(any(v for v in r["grid"].values()) for r in rs)},
    "map-of-record-array": {"reader": "self",
                            "exercised": lambda rs: any(any(g["members"] for g in r["groups"].values()) for r in rs)},
    "map-of-record-map": {"reader": "self",
                          "exercised": lambda rs: any(any(g["attrs"] for g in r["groups"].values()) for r in rs)},
    "tree-through-map": {"registry": True, "reader": "self", "exercised": lambda rs: max(_map_tree_depth(r) for r in rs) >= 3},
    "map-key-nul": {"data": data_nul_key, "nul_key": True},
    "string-default-nul": {"data": data_nul_default},
    "array-of-empty-records": {"exercised": lambda rs: any(r["marks"] for r in rs)},
    "decimal-nonminimal": {"registry": True, "data": data_decimal_forms, "copy": "nonminimal-decimal"},
    "reader-enum-default": {"registry": True, "reader_changes": True,
                            "exercised": lambda rs: any(r["color"] == "PURPLE" or "PURPLE" in r["palette"] for r in rs)},
    "reader-aliases": {"registry": True, "reader_changes": True},
    "reader-string-bytes": {"data": data_string_bytes, "reader_changes": True},
    "reader-promotions": {},
    "union-branch-switch": {"data": data_branch_switch, "copy": "branch-switch"},
    "refuse-empty-enum": {"refuse": True},
    "refuse-no-finite-value": {"refuse": True},
}

SCHEMAS = sorted(p.name[: -len(".avsc")] for p in CORPUS.glob("*.avsc") if not p.name.endswith(".reader.avsc"))
PARAMS = [(n, "plain") for n in SCHEMAS] + [(n, "registry") for n in SCHEMAS if CASES.get(n, {}).get("registry")]


def test_every_corpus_schema_has_a_case():
    """A schema added to the corpus without an entry here would run with no thought about it."""
    assert sorted(CASES) == SCHEMAS
    for name in SCHEMAS:
        if (CORPUS / f"{name}.reader.avsc").exists() or CASES[name].get("reader"):
            assert not CASES[name].get("refuse")


def topic_of(name, mode, suffix=""):
    return f"corpus.{name}.{mode}{suffix}"


def seed_of(name):
    return zlib.crc32(name.encode()) % 100_000 + 1


# ---------------------------------------------------------------------------------------
# Schemas as fastavro parses them, and the JSON convention <-> fastavro values.

class Schema:
    def __init__(self, raw):
        self.raw = raw
        self.named_full, self.named_plain = {}, {}
        self.full = fastavro.parse_schema(copy.deepcopy(raw), named_schemas=self.named_full)
        self.plain = fastavro.parse_schema(strip_logical(copy.deepcopy(raw)), named_schemas=self.named_plain)


PRIMS = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def resolve(schema, named):
    while isinstance(schema, str) and schema not in PRIMS:
        schema = named[schema]
    if isinstance(schema, dict) and schema.get("type") in PRIMS:
        return schema["type"], schema
    if isinstance(schema, str):
        return schema, {"type": schema}
    if isinstance(schema, list):
        return "union", schema
    return schema["type"], schema


def branch_name(schema, named):
    kind, s = resolve(schema, named)
    return s["name"] if kind in ("record", "error", "enum", "fixed") else kind


def fits_json(value, schema, named):
    """streamcheck's input rule (docs/avro.md): does a JSON-convention value fit this type?"""
    kind, s = resolve(schema, named)
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("int", "long"):
        bound = 2**31 if kind == "int" else 2**63
        return isinstance(value, int) and not isinstance(value, bool) and -bound <= value < bound
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind in ("bytes", "fixed"):
        ok = isinstance(value, str) and all(ord(c) < 256 for c in value)
        return ok and (kind == "bytes" or len(value) == s["size"])
    if kind == "enum":
        return isinstance(value, str) and value in s["symbols"]
    if kind == "array":
        return isinstance(value, list) and all(fits_json(v, s["items"], named) for v in value)
    if kind == "map":
        return isinstance(value, dict) and all(fits_json(v, s["values"], named) for v in value.values())
    if kind == "union":
        return any(fits_json(value, b, named) for b in s)
    if kind in ("record", "error"):
        if not isinstance(value, dict):
            return False
        fields = {f["name"]: f for f in s["fields"]}
        return set(value) <= set(fields) and all(
            fits_json(value[n], f["type"], named) if n in value else "default" in f for n, f in fields.items())
    raise AssertionError(f"unknown type {kind}")


def from_json(value, schema, named):
    """JSON convention -> fastavro's values; unions in tuple notation on the first branch the
    value fits (streamcheck's rule), record fields missing take their default (the spec's
    JSON encoding of defaults: a union's default is for its first branch)."""
    kind, s = resolve(schema, named)
    if kind == "union":
        for b in s:
            if fits_json(value, b, named):
                return (branch_name(b, named), from_json(value, b, named))
        raise AssertionError(f"{value!r} fits no branch of {s}")
    if kind in ("bytes", "fixed"):
        return value.encode("latin-1")
    if kind in ("float", "double"):
        return float(value)
    if kind == "array":
        return [from_json(v, s["items"], named) for v in value]
    if kind == "map":
        return {k: from_json(v, s["values"], named) for k, v in value.items()}
    if kind in ("record", "error"):
        out = {}
        for f in s["fields"]:
            if f["name"] in value:
                out[f["name"]] = from_json(value[f["name"]], f["type"], named)
            else:
                ftype = f["type"][0] if isinstance(f["type"], list) else f["type"]
                out[f["name"]] = from_json(f["default"], ftype, named)
        return out
    return value


def fits_py(value, schema, named):
    """fastavro's writer picks the first union branch its value validates against; this
    mirrors that for plain values, to keep a changed value in its branch."""
    kind, s = resolve(schema, named)
    if kind in ("int", "long"):
        bound = 2**31 if kind == "int" else 2**63
        return isinstance(value, int) and not isinstance(value, bool) and -bound <= value < bound
    if kind in ("bytes", "fixed"):
        return isinstance(value, (bytes, bytearray)) and (kind == "bytes" or len(value) == s["size"])
    if kind in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list) and all(fits_py(v, s["items"], named) for v in value)
    if kind == "map":
        return isinstance(value, dict) and all(fits_py(v, s["values"], named) for v in value.values())
    if kind in ("record", "error"):
        return isinstance(value, dict) and all(fits_py(value.get(f["name"]), f["type"], named) for f in s["fields"])
    if kind == "union":
        return any(fits_py(value, b, named) for b in s)
    if kind == "string":
        return isinstance(value, str)
    return fits_json(value, schema, named)


def branch_index(value, union, named):
    return next((i for i, b in enumerate(union) if fits_py(value, b, named)), None)


def mutate(value, schema, named):
    """(changed, new value): one value changed so that it stays valid under the schema (and in
    its union branch). Leaves first; a collection with no changeable leaf loses its last item."""
    kind, s = resolve(schema, named)
    if kind == "union":
        i = branch_index(value, s, named)
        if i is None:
            return False, value
        changed, new = mutate(value, s[i], named)
        return (True, new) if changed and branch_index(new, s, named) == i else (False, value)
    if kind == "boolean":
        return True, not value
    if kind in ("int", "long"):
        return True, value - 1 if value > 0 else value + 1
    if kind in ("float", "double"):
        return True, -value if value != 0 else 1.0
    if kind == "string":
        if s.get("logicalType") == "uuid" and value:
            return True, value[:-1] + ("1" if value[-1] == "0" else "0")
        return True, value + "x"
    if kind == "bytes":
        return True, (value[:-1] + bytes([value[-1] ^ 1])) if value else b"\x01"
    if kind == "fixed":
        return (True, value[:-1] + bytes([value[-1] ^ 1])) if value else (False, value)
    if kind == "enum":
        syms = s["symbols"]
        return (True, syms[(syms.index(value) + 1) % len(syms)]) if len(syms) > 1 else (False, value)
    if kind == "array":
        for i, item in enumerate(value):
            changed, new = mutate(item, s["items"], named)
            if changed:
                return True, value[:i] + [new] + value[i + 1:]
        return (True, value[:-1]) if value else (False, value)
    if kind == "map":
        for k in value:
            changed, new = mutate(value[k], s["values"], named)
            if changed:
                return True, {**value, k: new}
        return (True, dict(list(value.items())[:-1])) if value else (False, value)
    if kind in ("record", "error"):
        for f in s["fields"]:
            changed, new = mutate(value[f["name"]], f["type"], named)
            if changed:
                return True, {**value, f["name"]: new}
        return False, value
    return False, value


def widen_decimals(value, schema, named):
    """The same decimals in a longer valid form: one more sign byte (unscaled -128: 80 -> ff80)."""
    kind, s = resolve(schema, named)
    if kind == "bytes" and s.get("logicalType") == "decimal":
        return (b"\xff" if value and value[0] >= 0x80 else b"\x00") + value
    if kind == "union":
        i = branch_index(value, s, named)
        return (branch_name(s[i], named), widen_decimals(value, s[i], named))
    if kind in ("record", "error"):
        return {f["name"]: widen_decimals(value[f["name"]], f["type"], named) for f in s["fields"]}
    if kind == "array":
        return [widen_decimals(v, s["items"], named) for v in value]
    if kind == "map":
        return {k: widen_decimals(v, s["values"], named) for k, v in value.items()}
    return value


def switch_branches(value, schema, named):
    """Same JSON value, other union branch: string -> bytes, int -> long (tuple notation)."""
    kind, s = resolve(schema, named)
    if kind == "union":
        names = [branch_name(b, named) for b in s]
        if isinstance(value, str) and "bytes" in names:
            return ("bytes", value.encode("utf-8"))
        if isinstance(value, int) and not isinstance(value, bool) and "long" in names:
            return ("long", value)
        return value
    if kind in ("record", "error"):
        return {f["name"]: switch_branches(value[f["name"]], f["type"], named) for f in s["fields"]}
    return value


def logical_problems(value, schema, named, path="$"):
    """Values a logical type does not allow (the Avro specification's rules): a decimal whose
    unscaled value has more digits than its precision, a uuid that is not one, a time of day
    outside the day. Avro's encoding alone cannot see these; fastavro would round or refuse."""
    kind, s = resolve(schema, named)
    logical = s.get("logicalType") if isinstance(s, dict) else None
    if kind == "union":
        i = branch_index(value, s, named)
        return [] if i is None else logical_problems(value, s[i], named, path)
    if kind in ("record", "error"):
        return [p for f in s["fields"] for p in logical_problems(value[f["name"]], f["type"], named, f"{path}.{f['name']}")]
    if kind == "array":
        return [p for i, v in enumerate(value) for p in logical_problems(v, s["items"], named, f"{path}[{i}]")]
    if kind == "map":
        return [p for k, v in value.items() for p in logical_problems(v, s["values"], named, f"{path}[{k!r}]")]
    if logical == "decimal" and kind in ("bytes", "fixed"):
        unscaled = int.from_bytes(value, "big", signed=True)
        if len(str(abs(unscaled))) > s["precision"]:
            return [f"{path}: decimal unscaled value {unscaled} has {len(str(abs(unscaled)))} digits, precision {s['precision']}"]
    if logical == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            return [f"{path}: {value!r} is not a uuid"]
    limits = {"time-millis": 86_400_000, "time-micros": 86_400_000_000}
    if logical in limits and not 0 <= value < limits[logical]:
        return [f"{path}: {logical} {value} is outside the day"]
    return []


def encode(schema, value):
    out = BytesIO()
    fastavro.schemaless_writer(out, schema, value)
    return out.getvalue()


def decode_all(payload, writer, reader=None):
    buf = BytesIO(payload)
    value = fastavro.schemaless_reader(buf, writer, reader) if reader is not None else fastavro.schemaless_reader(buf, writer)
    left = len(payload) - buf.tell()
    if left:
        raise ValueError(f"{left} bytes left after the value")
    return value


def digest(value):
    return "%016x" % fnv1a64(canonical(to_convention(value)).encode("utf-8"))


# ---------------------------------------------------------------------------------------
# The environment: one broker, one registry stand-in, every produce run up front in parallel
# (a first produce to a topic waits about 1 s on the embedded broker; in parallel that is paid once).

def snapshot_binary(dest):
    src = Path(os.environ.get("STREAMCHECK_BIN") or ROOT / ".build" / "release" / "streamcheck")
    deadline, last = time.time() + 180, None
    while time.time() < deadline:
        try:
            before = src.stat()
            if time.time() - before.st_mtime > 2:
                shutil.copyfile(src, dest)
                os.chmod(dest, 0o755)
                if src.stat().st_mtime == before.st_mtime:
                    r = subprocess.run([str(dest), "version"], capture_output=True, text=True, timeout=30)
                    if r.returncode == 0:
                        return str(dest)
                    last = r.stderr
        except OSError as e:  # missing while relinked, or text file busy
            if e.errno not in (errno.ENOENT, errno.ETXTBSY):
                raise
            last = e
        time.sleep(1)
    pytest.fail(f"no usable streamcheck binary at {src}: {last}")


class Produced:
    def __init__(self, name, mode, rc, stderr, result_file, manifest, data):
        self.name, self.mode, self.rc, self.stderr = name, mode, rc, stderr
        self.manifest, self.data = manifest, data
        self.result = json.loads(result_file.read_text()) if result_file.exists() else None


class Env:
    pass


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = Env()
    e.dir = tmp_path_factory.mktemp("avro-corpus")
    e.bin = snapshot_binary(e.dir / "streamcheck")
    # Topics are created on first use (4 partitions); the copies keep each message's partition.
    r = subprocess.run([e.bin, "broker", "start", "--state-dir", str(e.dir / "broker"), "--timeout", "60s"],
                       capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    e.bootstrap = json.loads((e.dir / "broker" / "broker.json").read_text())["bootstrap_servers"]
    registry_out = e.dir / "registry.out"
    with open(registry_out, "w") as out, open(e.dir / "registry.log", "w") as log:
        e.registry_proc = subprocess.Popen([sys.executable, str(ROOT / "tests/standins/schema_registry_standin.py")],
                                           stdout=out, stderr=log, cwd=ROOT)
    try:
        for _ in range(100):
            port = [l.split()[1] for l in registry_out.read_text().splitlines() if l.startswith("PORT ")]
            if port:
                break
            time.sleep(0.1)
        assert port, "the registry stand-in printed no PORT line: " + (e.dir / "registry.log").read_text()
        e.registry = f"http://127.0.0.1:{port[0]}"
        with ThreadPoolExecutor(max_workers=8) as pool:
            e.produced = dict(zip(PARAMS, pool.map(lambda p: produce(e, *p), PARAMS)))
        e.kafka_consumer = KafkaConsumer(bootstrap_servers=e.bootstrap, group_id=None, enable_auto_commit=False,
                                         auto_offset_reset="earliest", max_partition_fetch_bytes=4 * 1024 * 1024)
        e.kafka_producer = KafkaProducer(bootstrap_servers=e.bootstrap, acks="all", linger_ms=0,
                                         max_request_size=4 * 1024 * 1024)
        yield e
        e.kafka_producer.close(timeout=10)
        e.kafka_consumer.close()
    finally:
        subprocess.run([e.bin, "broker", "stop", "--state-dir", str(e.dir / "broker")], capture_output=True, timeout=60)
        e.registry_proc.terminate()
        e.registry_proc.wait(timeout=10)


def produce(e, name, mode):
    case = CASES.get(name, {})
    tag = f"{name}.{mode}"
    manifest, result = e.dir / f"{tag}.manifest", e.dir / f"{tag}.produce.json"
    args = [e.bin, "produce", "--bootstrap-servers", e.bootstrap, "--topic", topic_of(name, mode),
            "--data-format", "avro", "--schema-file", str(CORPUS / f"{name}.avsc"),
            "--manifest", str(manifest), "--result-file", str(result), "--timeout", "60s"]
    data = None
    if case.get("data"):
        data = case["data"]()
        path = e.dir / f"{tag}.jsonl"
        # Alternate raw UTF-8 and \u escapes (incl. surrogate pairs) so both reach the parser.
        path.write_text("".join(json.dumps(line, ensure_ascii=i % 2 == 1) + "\n" for i, line in enumerate(data)),
                        encoding="utf-8")
        args += ["--data-file", str(path)]
    else:
        args += ["--message-count", str(COUNT), "--seed", str(seed_of(name))]
    if mode == "registry":
        args += ["--schema-registry-url", e.registry]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    (e.dir / f"{tag}.produce.err").write_text(r.stderr)
    return Produced(name, mode, r.returncode, r.stderr, result, manifest, data)


def read_topic(e, topic, expected, timeout=30):
    c = e.kafka_consumer
    parts = c.partitions_for_topic(topic)
    if not parts:
        c.topics()  # refreshes the metadata: the topic was created after the last look
        parts = c.partitions_for_topic(topic)
    assert parts, f"topic {topic} unknown to kafka-python"
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    end = c.end_offsets(tps)
    out = []
    deadline = time.time() + timeout
    while any(c.position(tp) < end[tp] for tp in tps) and time.time() < deadline:
        for batch in c.poll(timeout_ms=500).values():
            out.extend(batch)
    assert len(out) == expected, f"{topic}: kafka-python read {len(out)} messages, expected {expected}"
    return sorted(out, key=lambda m: (m.partition, m.offset))


def run_consumes(e, jobs):
    """jobs: tag -> (manifest, extra args). Runs them at once; tag -> (rc, stderr, result)."""
    procs = {}
    for tag, (manifest, extra) in jobs.items():
        result = e.dir / f"{tag}.consume.json"
        args = [e.bin, "consume", "--bootstrap-servers", e.bootstrap, "--manifest", str(manifest),
                "--timeout", CONSUME_TIMEOUT, "--group-id", f"corpus-{tag}", "--result-file", str(result)] + extra
        procs[tag] = (subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), result)
    out = {}
    for tag, (p, result) in procs.items():
        _, err = p.communicate(timeout=120)
        out[tag] = (p.returncode, err.strip(), json.loads(result.read_text()) if result.exists() else None)
    return out


def summary(rc, err, result):
    if rc < 0:
        return f"CRASHED (signal {-rc}): {err[-300:]}"
    if result is None:
        return f"exit {rc}, no result file: {err[-300:]}"
    failed = [f"{c['name']}: {c['found']}" for c in result.get("checks", []) if not c["passed"]]
    return f"exit {rc}; failed_checks={result.get('failed_checks')!r}; " + " | ".join(failed)[:600] + (
        f"; stderr: {err[-200:]}" if err and rc != 0 else "")


def check_of(result, name):
    return next((c for c in (result or {}).get("checks", []) if c["name"] == name), None)


def assert_refused(p):
    lines = p.stderr.strip().splitlines()
    assert p.rc == 1 and len(lines) == 1 and lines[0].startswith("streamcheck: error:"), (
        f"expected a one-line refusal (exit 1), got exit {p.rc}: {p.stderr.strip()[-500:]}")
    assert not p.manifest.exists(), "a refused produce wrote a manifest"


# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,mode", PARAMS, ids=[f"{n}-{m}" for n, m in PARAMS])
def test_corpus(env, name, mode, record_testsuite_property):
    case = CASES.get(name, {})
    p = env.produced[(name, mode)]
    if case.get("refuse"):
        assert_refused(p)
        return
    if case.get("nul_key") and p.rc == 1:
        record_testsuite_property(f"nul_key_outcome.{mode}", "refused: " + p.stderr.strip())
        assert_refused(p)
        return
    assert p.rc == 0, f"produce exit {p.rc}: {p.stderr.strip()[-500:]}"
    expected = len(p.data) if p.data is not None else COUNT
    assert p.result["messages_produced"] == expected and p.result["messages_failed"] == 0, p.result

    # 2. fastavro decodes every message.
    writer_raw = json.loads((CORPUS / f"{name}.avsc").read_text())
    schema_id = None
    if mode == "registry":
        schema_id = p.result.get("schema_id")
        assert isinstance(schema_id, int), p.result
        writer_raw = json.loads(registry_get(env.registry, f"/schemas/ids/{schema_id}")["schema"])
    writer = Schema(writer_raw)
    reader = None
    reader_path = CORPUS / f"{name}.reader.avsc"
    if case.get("reader") == "self":
        reader_path = CORPUS / f"{name}.avsc"
    if reader_path.exists():
        reader = Schema(json.loads(reader_path.read_text()))
    messages = read_topic(env, topic_of(name, mode), expected)
    problems = []
    seqs, decoded = set(), {}
    for m in messages:
        headers = dict(m.headers or [])
        seq = int(headers["streamcheck.seq"])
        assert headers["streamcheck.run_id"].decode() == p.result["run_id"]
        seqs.add(seq)
        payload = m.value
        if mode == "registry":
            assert payload[0] == 0 and struct.unpack(">I", payload[1:5])[0] == schema_id, payload[:5]
            payload = payload[5:]
        try:
            full = decode_all(payload, writer.full)
            plain = decode_all(payload, writer.plain)
        except Exception as ex:  # noqa: BLE001 - any failure to decode is the finding
            problems.append(f"seq {seq}: fastavro cannot decode it: {ex!r}")
            continue
        decoded[seq] = (m, payload, full, plain)
        problems += [f"seq {seq}: {x}" for x in logical_problems(plain, writer.full, writer.named_full)][:3]
        if digest(plain) != headers["streamcheck.digest"].decode():
            problems.append(f"seq {seq}: content digest {digest(plain)} != header {headers['streamcheck.digest'].decode()}: "
                            f"{canonical(to_convention(plain))[:200]}")
        if p.data is not None:
            want = to_convention(decode_all(encode(writer.plain, from_json(p.data[seq], writer.plain, writer.named_plain)),
                                            writer.plain))
            if to_convention(plain) != want:
                problems.append(f"seq {seq}: decoded {canonical(to_convention(plain))[:300]} but the data file line is "
                                f"{canonical(want)[:300]}")
        if reader is not None:
            try:
                decode_all(payload, writer.plain, reader.plain)
            except Exception as ex:  # noqa: BLE001
                problems.append(f"seq {seq}: fastavro cannot resolve it to the reader schema: {ex!r}")
    assert seqs == set(range(expected)), f"seqs seen: {sorted(seqs)}"
    assert not problems, "\n".join(problems[:8])
    ordered = [decoded[s] for s in sorted(decoded)]
    if case.get("exercised"):
        assert case["exercised"]([d[3] for d in ordered]), "the data does not exercise what this case is about"
    if case.get("reader_changes"):
        assert any(decode_all(pl, writer.plain, reader.plain) != plain for _, pl, _, plain in ordered), \
            "no message reads differently through the reader schema"

    # 4./5. The copies, by fastavro: every message re-encoded; in the bad copy one value changed.
    frame = (lambda b: b"\x00" + struct.pack(">I", schema_id) + b) if mode == "registry" else (lambda b: b)
    good, same_bytes = {}, 0
    for seq, (m, payload, full, plain) in decoded.items():
        if case.get("copy") == "nonminimal-decimal":
            good[seq] = encode(writer.plain, widen_decimals(plain, writer.full, writer.named_full))
        elif case.get("copy") == "branch-switch":
            good[seq] = encode(writer.plain, switch_branches(plain, writer.plain, writer.named_plain))
        else:
            good[seq] = encode(writer.full, full)
        same_bytes += good[seq] == payload
        assert to_convention(decode_all(good[seq], writer.full)) == to_convention(full), f"seq {seq}: the copy's value differs"
    if case.get("copy") == "nonminimal-decimal":
        wide = [s for s, (_, _, _, plain) in decoded.items() if plain["amount"] == b"\x80"]
        assert wide and b"\x04\xff\x80" in good[wide[0]], "the copy does not hold -128 as ff80"
    if case.get("copy") and same_bytes == expected:
        pytest.fail("the special copy is byte-identical to the original: it tests nothing")
    bad = dict(good)
    changed_seq = None
    for seq, (_, _, _, plain) in sorted(decoded.items()):
        changed, new = mutate(plain, writer.full, writer.named_full)
        if changed and canonical(to_convention(new)) != canonical(to_convention(plain)):
            bad[seq], changed_seq = encode(writer.plain, new), seq
            break
    assert changed_seq is not None, "no value of any message can be changed"
    for suffix, payloads in ((".good", good), (".bad", bad)):
        for seq, (m, _, _, _) in sorted(decoded.items(), key=lambda kv: (kv[1][0].partition, kv[1][0].offset)):
            env.kafka_producer.send(topic_of(name, mode, suffix), value=frame(payloads[seq]), key=m.key,
                                    headers=list(m.headers), partition=m.partition)
    env.kafka_producer.flush(timeout=30)

    # 3., 4., 5., 6.: streamcheck verifies.
    tag = f"{name}.{mode}"
    jobs = {f"{tag}.self": (p.manifest, []),
            f"{tag}.good": (p.manifest, ["--topic", topic_of(name, mode, ".good")]),
            # The changed message is not the one expected, so its seq stays missing: expecting the
            # others lets the read end at the partitions' ends instead of waiting for the timeout.
            f"{tag}.bad": (p.manifest, ["--topic", topic_of(name, mode, ".bad"), "--expect-count", str(expected - 1)])}
    if reader is not None:
        jobs[f"{tag}.reader"] = (p.manifest, ["--schema-file", str(reader_path)])
    out = run_consumes(env, jobs)

    def passes(step, what):
        rc, err, result = out[f"{tag}.{step}"]
        ok = rc == 0 and result and result["passed"] and all(c["passed"] for c in result["checks"]) \
            and check_of(result, "schema_compliance") is not None and result["messages_consumed"] == expected
        if not ok:
            problems.append(f"{what}: {summary(rc, err, result)}")

    passes("self", "streamcheck consume of its own topic")
    if case.get("copy") == "branch-switch":
        rc, err, result = out[f"{tag}.good"]
        outcome = summary(rc, err, result)
        record_testsuite_property(f"branch_switch_outcome.{mode}", outcome)
        print(f"union branch switch (string->bytes, int->long) in the copy: {outcome}")
        if not (rc == 0 or (rc == 2 and result and result["failed_checks"] == "schema_compliance")):
            problems.append(f"branch switch: neither a pass nor a schema_compliance failure: {outcome}")
    else:
        passes("good", f"consume of the fastavro copy ({same_bytes}/{expected} byte-identical)")
    rc, err, result = out[f"{tag}.bad"]
    sc, integrity = check_of(result, "schema_compliance"), check_of(result, "integrity")
    if not (rc == 2 and result and result["failed_checks"] == "integrity,loss" and result["corrupted"] == 1
            and f"seq {changed_seq} " in integrity["found"] and result["missing_sample"] == [changed_seq]
            and sc and sc["passed"]):
        problems.append(f"copy with seq {changed_seq} changed: expected exit 2, integrity failed on that seq (and loss "
                        f"missing only it), schema_compliance passed; got {summary(rc, err, result)}; "
                        f"corrupted={result and result.get('corrupted')}")
    if reader is not None:
        rc, err, result = out[f"{tag}.reader"]
        sc = check_of(result, "schema_compliance")
        if not (rc == 0 and sc and sc["passed"] and reader_path.name in sc["expected"] and result["schema_violations"] == 0):
            problems.append(f"consume --schema-file {reader_path.name}: {summary(rc, err, result)}")
    assert not problems, "\n".join(problems)
