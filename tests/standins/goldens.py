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
