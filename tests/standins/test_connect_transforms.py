"""The stand-in's Single Message Transforms (connect_transforms.py) against the semantics of
Apache Kafka's connect/transforms (schemaless paths), and their validation through the stand-in's
config checks. Expected values follow the real classes: InsertField.java, ReplaceField.java,
MaskField.java, TimestampConverter.java, ValueToKey.java, util/Requirements.java."""
import datetime
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import connect_transforms as ct  # noqa: E402

P = "org.apache.kafka.connect.transforms."


def sink_record(value, key=None):
    return ct.Record("orders", 1, 42, 1700000000123, key, value, sink=True)


def run(config, record):
    return ct.apply_all(ct.chain(config), record)


def test_insert_field_value_static_topic_partition_offset_timestamp():
    r = run({"transforms": "ins", "transforms.ins.type": P + "InsertField$Value", "transforms.ins.static.field": "src",
             "transforms.ins.static.value": "s3", "transforms.ins.topic.field": "t!", "transforms.ins.partition.field": "p?",
             "transforms.ins.offset.field": "o", "transforms.ins.timestamp.field": "ts"}, sink_record({"id": 1}))
    assert r.value == {"id": 1, "src": "s3", "t": "orders", "p": 1, "o": 42, "ts": 1700000000123}


def test_insert_field_key_variant_and_tombstone():
    r = run({"transforms": "k", "transforms.k.type": P + "InsertField$Key", "transforms.k.static.field": "x",
             "transforms.k.static.value": "y"}, sink_record({"id": 1}, key={"k": 1}))
    assert r.key == {"k": 1, "x": "y"} and r.value == {"id": 1}
    tomb = run({"transforms": "i", "transforms.i.type": P + "InsertField$Value", "transforms.i.topic.field": "t"}, sink_record(None))
    assert tomb.value is None


def test_insert_field_errors():
    with pytest.raises(ct.ConfigException, match="No field insertion configured"):
        ct.chain({"transforms": "i", "transforms.i.type": P + "InsertField$Value"})
    with pytest.raises(ct.DataException, match=r"Only Map objects supported in absence of schema for \[field insertion\], found: java.lang.String"):
        run({"transforms": "i", "transforms.i.type": P + "InsertField$Value", "transforms.i.topic.field": "t"}, sink_record("text"))
    source = ct.Record("orders", None, None, None, None, {"a": 1}, sink=False)
    with pytest.raises(ct.DataException, match=r"Only SinkRecord supported for \[field insertion\]"):
        run({"transforms": "i", "transforms.i.type": P + "InsertField$Value", "transforms.i.offset.field": "o"}, source)


def test_replace_field_renames_exclude_include_and_old_names():
    base = {"transforms": "r", "transforms.r.type": P + "ReplaceField$Value"}
    v = {"a": 1, "b": 2, "c": 3}
    assert run(dict(base, **{"transforms.r.renames": "a:x, b:y"}), sink_record(dict(v))).value == {"x": 1, "y": 2, "c": 3}
    assert run(dict(base, **{"transforms.r.exclude": "b"}), sink_record(dict(v))).value == {"a": 1, "c": 3}
    assert run(dict(base, **{"transforms.r.include": "a,b", "transforms.r.exclude": "b"}), sink_record(dict(v))).value == {"a": 1}
    assert run(dict(base, **{"transforms.r.blacklist": "a"}), sink_record(dict(v))).value == {"b": 2, "c": 3}
    assert run(dict(base, **{"transforms.r.whitelist": "c"}), sink_record(dict(v))).value == {"c": 3}
    # the new name wins over the old one (ConfigUtils.translateDeprecatedConfigs)
    assert run(dict(base, **{"transforms.r.exclude": "a", "transforms.r.blacklist": "c"}), sink_record(dict(v))).value == {"b": 2, "c": 3}
    with pytest.raises(ct.ConfigException, match=r"Invalid value \[a\] for configuration renames: Invalid rename mapping: a"):
        ct.chain(dict(base, **{"transforms.r.renames": "a"}))


def test_mask_field_defaults_and_replacement():
    base = {"transforms": "m", "transforms.m.type": P + "MaskField$Value", "transforms.m.fields": "i,f,s,b,l,o,n,absent"}
    r = run(base, sink_record({"i": 7, "f": 1.5, "s": "secret", "b": True, "l": [1], "o": {"a": 1}, "n": None, "keep": "k"}))
    assert r.value == {"i": 0, "f": 0.0, "s": "", "b": False, "l": [], "o": {}, "n": None, "absent": None, "keep": "k"}
    rep = dict(base, **{"transforms.m.fields": "i,f,s", "transforms.m.replacement": "9"})
    assert run(rep, sink_record({"i": 7, "f": 1.5, "s": "x"})).value == {"i": 9, "f": 9.0, "s": "9"}
    with pytest.raises(ct.DataException, match="Cannot mask value of type class java.lang.Boolean with custom replacement."):
        run(dict(rep, **{"transforms.m.fields": "b"}), sink_record({"b": True}))
    with pytest.raises(ct.DataException, match=r"\[mask fields\], found: null"):
        run(base, sink_record(None))  # MaskField has no tombstone check


def test_timestamp_converter():
    base = {"transforms": "t", "transforms.t.type": P + "TimestampConverter$Value", "transforms.t.field": "ts"}
    to_string = dict(base, **{"transforms.t.target.type": "string", "transforms.t.format": "yyyy-MM-dd'T'HH:mm:ss.SSSX"})
    assert run(to_string, sink_record({"ts": 1700000000123})).value == {"ts": "2023-11-14T22:13:20.123Z"}
    to_unix = dict(base, **{"transforms.t.target.type": "unix", "transforms.t.format": "yyyy-MM-dd HH:mm:ss"})
    assert run(to_unix, sink_record({"ts": "2023-11-14 22:13:20"})).value == {"ts": 1700000000000}
    seconds = dict(to_unix, **{"transforms.t.unix.precision": "seconds"})
    assert run(seconds, sink_record({"ts": "2023-11-14 22:13:20"})).value == {"ts": 1700000000}
    to_date = dict(base, **{"transforms.t.target.type": "Date"})
    assert run(to_date, sink_record({"ts": 1700000000123})).value["ts"] == datetime.datetime(2023, 11, 14, tzinfo=datetime.timezone.utc)
    with pytest.raises(ct.ConfigException, match="requires format option"):
        ct.chain(dict(base, **{"transforms.t.target.type": "string"}))
    with pytest.raises(ct.DataException, match=r"Could not parse timestamp: value \(nope\) does not match pattern \(yyyy-MM-dd HH:mm:ss\)"):
        run(to_unix, sink_record({"ts": "nope"}))
    with pytest.raises(ct.DataException, match="TimestampConverter does not support class java.lang.Boolean objects as timestamps"):
        run(to_unix, sink_record({"ts": True}))


def test_value_to_key_and_chain_order():
    config = {"transforms": "vk,r", "transforms.vk.type": P + "ValueToKey", "transforms.vk.fields": "id,missing",
              "transforms.r.type": P + "ReplaceField$Key", "transforms.r.renames": "id:order_id"}
    r = run(config, sink_record({"id": 5, "v": "x"}, key="old"))
    assert r.key == {"order_id": 5, "missing": None} and r.value == {"id": 5, "v": "x"}


def test_validation_errors_as_connect_reports_them():
    errors = ct.validation_errors({"transforms": "a,b,c,d", "transforms.b.type": "com.example.Nope",
                                   "transforms.c.type": P + "MaskField$Value", "transforms.d.type": P + "Flatten$Value"})
    assert errors["transforms.a.type"] == ['Missing required configuration "transforms.a.type" which has no default value.']
    assert errors["transforms.b.type"] == ["Invalid value com.example.Nope for configuration transforms.b.type: Class com.example.Nope could not be found."]
    assert errors["transforms.c.type"] == ['Missing required configuration "transforms.c.fields" which has no default value.']
    assert "does not implement this transform" in errors["transforms.d.type"][0]


def test_standin_validate_counts_transform_errors():
    import kafka_connect_standin as standin
    info, errors = standin.validate_config(standin.S3_SINK, {"connector.class": standin.S3_SINK, "topics": "t", "s3.bucket.name": "b",
                                                             "flush.size": "1", "transforms": "m", "transforms.m.type": P + "MaskField$Value"})
    assert info["error_count"] == 1 and errors == ['Missing required configuration "transforms.m.fields" which has no default value.']
