"""HCL values as Terraform's expression language sees them: what is known (a value holding
no reference token), HCL's bool, number, equality and text conversions, JSON decoding,
traversal of attributes, indexes and splats into a value, and the built-in functions
that work on values alone (the ones that read files are in `hcl_eval`).

An operand that is not known (it holds a reference token, e.g. a variable without a
default) makes the whole expression unknown: `Unsupported` is raised and the importer
keeps the expression's text as an `expr:` token, as for any expression it cannot read.
"""

from __future__ import annotations

import json
import re
from typing import Any

from importers.base import strip_tokens, token, tokens_in

SPLAT = "[*]"  # a traversal part: every element (every instance of a resource)


class Unsupported(Exception):
    """An expression the evaluator cannot read (or whose operands are not known)."""


def known(value: Any) -> bool:
    """True when the value holds no reference token (nothing left to know at apply time)."""
    return not tokens_in(value)


def known_value(value: Any) -> Any:
    """The value itself when known; Unsupported otherwise."""
    if not known(value):
        raise Unsupported("unknown operand")
    return value


def hcl_bool(value: Any) -> bool:
    value = known_value(value)
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):  # HCL converts these strings to bool
        return value == "true"
    raise Unsupported(f"not a bool: {value!r}")


def hcl_number(value: Any) -> float | int:
    value = known_value(value)
    if isinstance(value, bool):
        raise Unsupported("bool is not a number")
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value) if "." in str(value) else int(str(value))
    except ValueError:
        raise Unsupported(f"not a number: {value!r}") from None


def hcl_equal(a: Any, b: Any) -> bool:
    a, b = known_value(a), known_value(b)
    if isinstance(a, bool) != isinstance(b, bool):  # HCL: true != 1
        return False
    if isinstance(a, (int, float)) != isinstance(b, (int, float)):  # HCL: "1" != 1
        return False
    return a == b


COMPARISONS = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}
ARITHMETIC = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
              "/": lambda a, b: a / b if b else _fail("division by zero"),
              "%": lambda a, b: a % b if b else _fail("modulo zero")}


def _fail(why: str) -> Any:
    raise Unsupported(why)


def hcl_text(value: Any) -> str:
    """A value as it reads inside a string (bools as true/false, collections as JSON, null as "")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if value is None:
        return ""
    return str(value)


def decoded_json(value: Any) -> Any:
    """A JSON document's value (a collection as itself); None when it is not JSON."""
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def traverse(value: Any, rest: list[str]) -> Any:
    """`rest` (attributes, indexes, splats) applied to a value; into a reference token it
    makes a longer token, and past what a value holds it stops at what it has."""
    for i, part in enumerate(rest):
        if part == SPLAT:  # `var.list[*].name`: the rest applied to each element
            if not isinstance(value, list):
                raise Unsupported("splat of a non-list")
            return [traverse(v, rest[i + 1:]) for v in value]
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, str) and tokens_in(value):
            return token(f"{strip_tokens(value)}.{part}")
        else:
            return value
    return value


# -- collection functions (their inputs must be known) ----------------------------------------


def toset(scope: Any, value: Any) -> list:
    """A set as a list: unique, and sorted when every element is a string (as Terraform orders
    a set of strings, which is the order `for_each` instances come in)."""
    items = known_value(value)
    if not isinstance(items, list):
        raise Unsupported("toset of a non-list")
    unique = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return sorted(unique) if all(isinstance(i, str) for i in unique) else unique


def _length(scope: Any, value: Any) -> int:
    value = known_value(value)
    if not isinstance(value, (list, dict, str)):
        raise Unsupported("length of a non-collection")
    return len(value)


def _lookup(scope: Any, mapping: Any, key: Any, *default: Any) -> Any:
    mapping, key = known_value(mapping), known_value(key)
    if isinstance(mapping, dict) and str(key) in mapping:
        return mapping[str(key)]
    if default:
        return default[0]
    raise Unsupported("lookup of a missing key")


def _contains(scope: Any, items: Any, value: Any) -> bool:
    items = known_value(items)
    if not isinstance(items, list):
        raise Unsupported("contains on a non-list")
    return any(hcl_equal(i, value) for i in items)


def _sorted_keys(scope: Any, mapping: Any) -> list:
    mapping = known_value(mapping)
    if not isinstance(mapping, dict):
        raise Unsupported("keys of a non-map")
    return sorted(mapping)


def _values(scope: Any, mapping: Any) -> list:
    mapping = known_value(mapping)
    if not isinstance(mapping, dict):
        raise Unsupported("values of a non-map")
    return [mapping[k] for k in sorted(mapping)]


def _one(scope: Any, items: Any) -> Any:
    """`one(aws_sqs_queue.dlq[*].arn)`: the only element, or null for none."""
    if not isinstance(items, list) or len(items) > 1:
        raise Unsupported("one of a non-list or of several elements")
    return items[0] if items else None


def _element(scope: Any, items: Any, index: Any) -> Any:
    if not isinstance(items, list) or not items:
        raise Unsupported("element of a non-list")
    return items[int(hcl_number(index)) % len(items)]


COLLECTION_FUNCTIONS = {
    "one": _one, "element": _element,
    "coalesce": lambda m, *a: next((x for x in a if x not in (None, "")), None),
    "toset": toset, "tolist": lambda m, v: list(known_value(v)) if isinstance(v, list) else _fail("tolist"),
    "tomap": lambda m, v: dict(known_value(v)) if isinstance(v, dict) else _fail("tomap"),
    "length": _length, "lookup": _lookup, "contains": _contains, "keys": _sorted_keys, "values": _values,
}


# Function name -> implementation (scope, *arguments); the scope is unused by these.
FUNCTIONS = {
    "jsonencode": lambda m, v: json.dumps(v, sort_keys=False),
    "jsondecode": lambda m, v: decoded_json(v),
    "tostring": lambda m, v: hcl_text(v),
    "tonumber": lambda m, v: v,
    "lower": lambda m, v: hcl_text(v).lower(),
    "upper": lambda m, v: hcl_text(v).upper(),
    "format": lambda m, f, *a: re.sub(r"%[sdv]", lambda _m, it=iter(a): hcl_text(next(it, "")), hcl_text(f)),
    "merge": lambda m, *d: {k: v for x in d if isinstance(x, dict) for k, v in x.items()},
    "concat": lambda m, *lists: [v for x in lists if isinstance(x, list) for v in x],
    **COLLECTION_FUNCTIONS,
}
