"""The parts of the Terraform expression evaluator that decide things: operators,
conditionals, `for` expressions, collection functions, and `count` / `for_each`.

An operand that is not known (it holds a reference token, e.g. a variable without a
default) makes the whole expression unknown: `Unsupported` is raised and the importer
keeps the expression's text as an `expr:` token, as for any expression it cannot read.
"""

from __future__ import annotations

import re
from typing import Any

from importers.base import tokens_in


class Unsupported(Exception):
    pass


def known(value: Any) -> bool:
    return not tokens_in(value)


def _need(value: Any) -> Any:
    if not known(value):
        raise Unsupported("unknown operand")
    return value


def _truth(value: Any) -> bool:
    value = _need(value)
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):  # HCL converts these strings to bool
        return value == "true"
    raise Unsupported(f"not a bool: {value!r}")


def _number(value: Any) -> float | int:
    value = _need(value)
    if isinstance(value, bool):
        raise Unsupported("bool is not a number")
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value) if "." in str(value) else int(str(value))
    except ValueError:
        raise Unsupported(f"not a number: {value!r}") from None


def _equal(a: Any, b: Any) -> bool:
    a, b = _need(a), _need(b)
    if isinstance(a, bool) != isinstance(b, bool):  # HCL: true != 1
        return False
    if isinstance(a, (int, float)) != isinstance(b, (int, float)):  # HCL: "1" != 1
        return False
    return a == b


_COMPARE = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}
_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
          "/": lambda a, b: a / b if b else _fail("division by zero"),
          "%": lambda a, b: a % b if b else _fail("modulo zero")}


def _fail(why: str) -> Any:
    raise Unsupported(why)


class OperatorParsing:
    """Mixed into the expression parser (which gives peek/take/value/module/tokens):
    HCL's operator precedence, lowest first: `? :`, `||`, `&&`, `== !=`, `< > <= >=`,
    `+ -`, `* / %`, unary `! -`."""

    def expr(self) -> Any:
        condition = self.or_()
        if not self._at("?"):
            return condition
        self.take("?")
        yes = self.expr()
        self.take(":")
        no = self.expr()
        return yes if _truth(condition) else no

    def _at(self, *ops: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] in ops

    def or_(self) -> Any:
        value = self.and_()
        while self._at("||"):
            self.take()
            right = self.and_()
            value = _truth(value) or _truth(right)
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self._at("&&"):
            self.take()
            right = self.equality()
            value = _truth(value) and _truth(right)
        return value

    def equality(self) -> Any:
        value = self.comparison()
        while self._at("==", "!="):
            op = self.take()[1]
            same = _equal(value, self.comparison())
            value = same if op == "==" else not same
        return value

    def comparison(self) -> Any:
        value = self.additive()
        while self._at(*_COMPARE):
            op = self.take()[1]
            value = _COMPARE[op](_number(value), _number(self.additive()))
        return value

    def additive(self) -> Any:
        value = self.multiplicative()
        while self._at("+", "-"):
            op = self.take()[1]
            value = _ARITH[op](_number(value), _number(self.multiplicative()))
        return value

    def multiplicative(self) -> Any:
        value = self.unary()
        while self._at("*", "/", "%"):
            op = self.take()[1]
            value = _ARITH[op](_number(value), _number(self.unary()))
        return value

    def unary(self) -> Any:
        if self._at("!"):
            self.take()
            return not _truth(self.unary())
        if self._at("-"):
            self.take()
            return -_number(self.unary())
        return self.value()

    # -- for expressions -------------------------------------------------------------------

    def for_expression(self, closing: str) -> Any:
        """`[for v in coll : body if cond]` or `{for k, v in coll : key => value if cond}`;
        the `for` keyword is next. The body is re-parsed once per element."""
        self.take("for")
        names = [self.take()[1]]
        if self._at(","):
            self.take(",")
            names.append(self.take()[1])
        self.take("in")
        collection = _need(self.expr())
        self.take(":")
        body, arrow, condition = self._for_parts(closing)
        out: Any = {} if closing == "}" else []
        for key, element in _pairs(collection):
            frame = dict(zip(names, (key, element) if len(names) == 2 else (element,)))
            self.module.scope.append(frame)
            try:
                if condition is not None and not _truth(self._sub(condition).parse()):
                    continue
                if closing == "}":
                    out[_key_text(self._sub(body[:arrow]).parse())] = self._sub(body[arrow + 1:]).parse()
                else:
                    out.append(self._sub(body).parse())
            finally:
                self.module.scope.pop()
        return out

    def _for_parts(self, closing: str) -> tuple[list, int, list | None]:
        """The body's tokens up to the closing bracket, where `=>` is, and the `if` tokens."""
        start, depth, arrow, if_at = self.pos, 0, -1, None
        while True:
            tok = self.peek()
            if tok is None:
                raise Unsupported("unclosed for expression")
            if depth == 0 and tok[1] == closing:
                break
            if tok[0] == "op" and tok[1] in "([{":
                depth += 1
            elif tok[0] == "op" and tok[1] in ")]}":
                depth -= 1
            elif depth == 0 and tok[1] == "=>" and arrow < 0:
                arrow = self.pos - start
            elif depth == 0 and tok == ("name", "if"):
                if_at = self.pos - start
            self.pos += 1
        tokens = self.tokens[start:self.pos]
        self.take(closing)
        body = tokens[:if_at] if if_at is not None else tokens
        if (closing == "}") != (arrow >= 0) or any(t[1] == "..." for t in tokens):
            raise Unsupported("for expression form")
        return body, arrow, tokens[if_at + 1:] if if_at is not None else None

    def _sub(self, tokens: list) -> "OperatorParsing":
        sub = self.__class__.__new__(self.__class__)
        sub.tokens, sub.pos, sub.module = tokens, 0, self.module
        return sub


def _pairs(collection: Any) -> list[tuple[Any, Any]]:
    if isinstance(collection, dict):
        return list(collection.items())
    if isinstance(collection, list):
        return list(enumerate(collection))
    raise Unsupported("for over a non-collection")


def _key_text(key: Any) -> str:
    key = _need(key)
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (dict, list)) or key is None:
        raise Unsupported("map key is not a string")
    return str(key)


# -- collection functions (their inputs must be known) ----------------------------------------


def _toset(module: Any, value: Any) -> list:
    """A set as a list: unique, and sorted when every element is a string (as Terraform orders
    a set of strings, which is the order `for_each` instances come in)."""
    items = _need(value)
    if not isinstance(items, list):
        raise Unsupported("toset of a non-list")
    unique = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return sorted(unique) if all(isinstance(i, str) for i in unique) else unique


def _length(module: Any, value: Any) -> int:
    value = _need(value)
    if not isinstance(value, (list, dict, str)):
        raise Unsupported("length of a non-collection")
    return len(value)


def _lookup(module: Any, mapping: Any, key: Any, *default: Any) -> Any:
    mapping, key = _need(mapping), _need(key)
    if isinstance(mapping, dict) and str(key) in mapping:
        return mapping[str(key)]
    if default:
        return default[0]
    raise Unsupported("lookup of a missing key")


def _contains(module: Any, items: Any, value: Any) -> bool:
    items = _need(items)
    if not isinstance(items, list):
        raise Unsupported("contains on a non-list")
    return any(_equal(i, value) for i in items)


def _sorted_keys(module: Any, mapping: Any) -> list:
    mapping = _need(mapping)
    if not isinstance(mapping, dict):
        raise Unsupported("keys of a non-map")
    return sorted(mapping)


def _values(module: Any, mapping: Any) -> list:
    mapping = _need(mapping)
    if not isinstance(mapping, dict):
        raise Unsupported("values of a non-map")
    return [mapping[k] for k in sorted(mapping)]


def _one(module: Any, items: Any) -> Any:
    """`one(aws_sqs_queue.dlq[*].arn)`: the only element, or null for none."""
    if not isinstance(items, list) or len(items) > 1:
        raise Unsupported("one of a non-list or of several elements")
    return items[0] if items else None


def _element(module: Any, items: Any, index: Any) -> Any:
    if not isinstance(items, list) or not items:
        raise Unsupported("element of a non-list")
    return items[int(_number(index)) % len(items)]


COLLECTION_FUNCTIONS = {
    "one": _one, "element": _element,
    "coalesce": lambda m, *a: next((x for x in a if x not in (None, "")), None),
    "toset": _toset, "tolist": lambda m, v: list(_need(v)) if isinstance(v, list) else _fail("tolist"),
    "tomap": lambda m, v: dict(_need(v)) if isinstance(v, dict) else _fail("tomap"),
    "length": _length, "lookup": _lookup, "contains": _contains, "keys": _sorted_keys, "values": _values,
}


# -- count and for_each -----------------------------------------------------------------------


def instance_id(key: Any) -> str:
    """A for_each key as part of a node id: `"orders-api"` -> `orders_api`."""
    return re.sub(r"[^A-Za-z0-9_]", "_", str(key)).strip("_") or "key"


def count_of(value: Any) -> int | None:
    """A known, whole, non-negative count; None when it cannot be read."""
    if isinstance(value, bool) or not known(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number >= 0 and number == int(number) else None


def for_each_items(value: Any) -> list[tuple[str, Any]] | None:
    """(each.key, each.value) of a known map or set of strings; None when it cannot be read."""
    if not known(value):
        return None
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [(v, v) for v in _toset(None, value)]
    return None
