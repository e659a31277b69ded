"""Helpers shared by the stand-ins' conformance tests (goldens copied from the real services)."""


def substitute(value, subs):
    """The golden body with every <name> placeholder replaced by subs[name], keys included."""
    if isinstance(value, str):
        for k, val in subs.items():
            value = value.replace(f"<{k}>", str(val))
    elif isinstance(value, dict):
        value = {substitute(k, subs): substitute(x, subs) for k, x in value.items()}
    elif isinstance(value, list):
        value = [substitute(x, subs) for x in value]
    return value


def jtype(v):
    """The JSON type name of a decoded JSON value."""
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object", type(None): "null"}[type(v)]


def same_shape(expected, actual, optional=(), maps=(), nullable=(), path="body"):
    """Same keys (`optional` ones may be missing), same JSON types, list items like the first.
    Keys in `nullable` may also be null; keys in `maps` hold an object of strings."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        missing = [k for k in expected if k not in actual and k not in optional]
        extra = [k for k in actual if k not in expected and k not in optional]
        assert not missing and not extra, f"{path}: missing keys {missing}, unexpected keys {extra} in {actual!r}"
        for k, v in expected.items():
            if k not in actual or (k in nullable and actual[k] is None):
                continue
            if k in maps:
                assert isinstance(actual[k], dict) and all(isinstance(x, str) for x in actual[k].values()), f"{path}.{k}: a map of strings"
                continue
            same_shape(v, actual[k], optional, maps, nullable, f"{path}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected an array, got {actual!r}"
        if expected:
            for i, item in enumerate(actual):
                same_shape(expected[0], item, optional, maps, nullable, f"{path}[{i}]")
    else:
        assert jtype(expected) == jtype(actual), f"{path}: expected a {jtype(expected)}, got {actual!r}"
