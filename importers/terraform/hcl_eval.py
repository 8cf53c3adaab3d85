"""HCL expressions parsed and evaluated: the `${...}` pieces python-hcl2 leaves in strings,
read against a `Scope` that says what names mean (`modules.Module`: variables, locals,
module outputs, resource references; a template file: the variables templatefile() passes).

The parser computes values as it goes; the values' semantics (what is known, HCL's bool,
number and equality, traversal, the built-in functions) are in `hcl_values`. Only the
functions that read files (`file`, `templatefile`) live here, as they need a scope.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from importers.base import read_text, token
from importers.terraform.hcl_values import (
    ARITHMETIC, COMPARISONS, FUNCTIONS, SPLAT, Unsupported, hcl_bool, hcl_equal, hcl_number, hcl_text,
    known_value, traverse,
)


class Scope:
    """What an expression is evaluated in: the folder file paths are relative to, the names
    bound by `for` expressions, `count` and `for_each` (`frames`, innermost last), and
    `reference(parts)` for every other name (a subclass says what those are)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.frames: list[dict] = []

    def evaluate(self, value: Any) -> Any:
        """A block or argument as python-hcl2 gives it, every string read as a template."""
        if isinstance(value, str):
            return self.template(value)
        if isinstance(value, dict):
            return {self.template(k) if isinstance(k, str) else k: self.evaluate(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.evaluate(v) for v in value]
        return value

    def template(self, text: str) -> Any:
        """A string with `${...}` pieces: one piece alone keeps its value's type, pieces among
        text are joined as text."""
        pieces = split_template(text)
        if len(pieces) == 1 and pieces[0][0] == "expr":
            return self.expression(pieces[0][1])
        out = []
        for kind, piece in pieces:
            out.append(piece.replace("$${", "${") if kind == "text" else hcl_text(self.expression(piece)))
        return "".join(out)

    def expression(self, text: str) -> Any:
        """An expression's value, or an `expr:` token holding its text when it cannot be read."""
        try:
            parser = ExpressionParser(text, self)
            value = parser.parse()
            return value
        except Unsupported:
            return token(f"expr:{text.strip()}")

    def reference(self, parts: list[str]) -> Any:
        raise NotImplementedError


def split_template(text: str) -> list[tuple[str, str]]:
    """A string split into literal text and `${...}` expressions (braces and quotes nested)."""
    pieces, i, start = [], 0, 0
    while i < len(text):
        if text.startswith("$${", i):
            i += 3
            continue
        if text.startswith("${", i):
            if i > start:
                pieces.append(("text", text[start:i]))
            depth, j, quote = 1, i + 2, False
            while j < len(text) and depth:
                ch = text[j]
                if quote:
                    if ch == "\\":
                        j += 1
                    elif ch == '"':
                        quote = False
                elif ch == '"':
                    quote = True
                elif ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                j += 1
            pieces.append(("expr", text[i + 2:j - 1]))
            i = start = j
            continue
        i += 1
    if start < len(text) or not pieces:
        pieces.append(("text", text[start:]))
    return pieces


_TOKEN_RE = re.compile(r'\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*)'
                       r'|(?P<op>=>|==|!=|<=|>=|&&|\|\||[{}\[\]().,=:?<>!+*/%-]))')


class ExpressionParser:
    """Enough HCL expression syntax for real configurations: literals, objects, tuples,
    references with attributes, indexes and splats, function calls, operators (HCL's
    precedence, lowest first: `? :`, `||`, `&&`, `== !=`, `< > <= >=`, `+ -`, `* / %`,
    unary `! -`), conditionals and `for` expressions. Values are computed while parsing;
    anything else (unknown functions, unknown operands) raises Unsupported and the caller
    keeps the text."""

    def __init__(self, text: str, scope: Scope) -> None:
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.scope = scope

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        out, pos = [], 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN_RE.match(text, pos)
            if not match or match.end() == pos:
                raise Unsupported(text)
            kind = match.lastgroup
            out.append((kind, match.group(kind)))
            pos = match.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        return out

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise Unsupported(value)
        self.pos += 1
        return tok

    def parse(self) -> Any:
        value = self.expr()
        if self.peek() is not None:
            raise Unsupported("trailing")
        return value

    # -- operators ---------------------------------------------------------------------

    def expr(self) -> Any:
        condition = self.or_()
        if not self._at("?"):
            return condition
        self.take("?")
        yes = self.expr()
        self.take(":")
        no = self.expr()
        return yes if hcl_bool(condition) else no

    def _at(self, *ops: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] in ops

    def or_(self) -> Any:
        value = self.and_()
        while self._at("||"):
            self.take()
            right = self.and_()
            value = hcl_bool(value) or hcl_bool(right)
        return value

    def and_(self) -> Any:
        value = self.equality()
        while self._at("&&"):
            self.take()
            right = self.equality()
            value = hcl_bool(value) and hcl_bool(right)
        return value

    def equality(self) -> Any:
        value = self.comparison()
        while self._at("==", "!="):
            op = self.take()[1]
            same = hcl_equal(value, self.comparison())
            value = same if op == "==" else not same
        return value

    def comparison(self) -> Any:
        value = self.additive()
        while self._at(*COMPARISONS):
            op = self.take()[1]
            value = COMPARISONS[op](hcl_number(value), hcl_number(self.additive()))
        return value

    def additive(self) -> Any:
        value = self.multiplicative()
        while self._at("+", "-"):
            op = self.take()[1]
            value = ARITHMETIC[op](hcl_number(value), hcl_number(self.multiplicative()))
        return value

    def multiplicative(self) -> Any:
        value = self.unary()
        while self._at("*", "/", "%"):
            op = self.take()[1]
            value = ARITHMETIC[op](hcl_number(value), hcl_number(self.unary()))
        return value

    def unary(self) -> Any:
        if self._at("!"):
            self.take()
            return not hcl_bool(self.unary())
        if self._at("-"):
            self.take()
            return -hcl_number(self.unary())
        return self.value()

    # -- values ------------------------------------------------------------------------

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "str":
            return self.scope.template(json.loads(text.replace("\\$", "$")) if "\\" in text else text[1:-1])
        if text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if text == "{":
            return self.for_expression("}") if self.peek() == ("name", "for") else self.object()
        if text == "[":
            return self.for_expression("]") if self.peek() == ("name", "for") else self.tuple()
        if kind == "name":
            if text in ("true", "false"):
                return text == "true"
            if text == "null":
                return None
            if self.peek() and self.peek()[1] == "(":
                return self.call(text)
            return self.traversal(text)
        raise Unsupported(text)

    def object(self) -> dict:
        out = {}
        while self.peek() and self.peek()[1] != "}":
            kind, key = self.take()
            if kind == "str":
                key = key[1:-1]
            elif key == "(":
                key = hcl_text(self.value())
                self.take(")")
            self.take(self.peek()[1] if self.peek() and self.peek()[1] in ("=", ":") else "=")
            out[key] = self.expr()
            if self.peek() and self.peek()[1] == ",":
                self.take(",")
        self.take("}")
        return out

    def tuple(self) -> list:
        out = []
        while self.peek() and self.peek()[1] != "]":
            out.append(self.expr())
            if self.peek() and self.peek()[1] == ",":
                self.take(",")
        self.take("]")
        return out

    def traversal(self, head: str) -> Any:
        parts = [head]
        while self.peek() and self.peek()[1] in (".", "["):
            if self.take()[1] == ".":
                parts.append(self.take()[1])
            elif self.peek() == ("op", "*"):  # a splat: every instance of a resource
                self.take("*")
                self.take("]")
                parts.append(SPLAT)
            else:
                parts.append(str(self.expr()))
                self.take("]")
        return self.scope.reference(parts)

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() and self.peek()[1] != ")":
            args.append(self.expr())
            if self.peek() and self.peek()[1] == ",":
                self.take(",")
        self.take(")")
        function = _FUNCTIONS.get(name)
        if function is None:
            raise Unsupported(name)
        return function(self.scope, *args)

    # -- for expressions ---------------------------------------------------------------

    def for_expression(self, closing: str) -> Any:
        """`[for v in coll : body if cond]` or `{for k, v in coll : key => value if cond}`;
        the `for` keyword is next. The body is re-parsed once per element."""
        self.take("for")
        names = [self.take()[1]]
        if self._at(","):
            self.take(",")
            names.append(self.take()[1])
        self.take("in")
        collection = known_value(self.expr())
        self.take(":")
        body, arrow, condition = self._for_parts(closing)
        out: Any = {} if closing == "}" else []
        for key, element in _pairs(collection):
            frame = dict(zip(names, (key, element) if len(names) == 2 else (element,)))
            self.scope.frames.append(frame)
            try:
                if condition is not None and not hcl_bool(self._sub(condition).parse()):
                    continue
                if closing == "}":
                    out[_key_text(self._sub(body[:arrow]).parse())] = self._sub(body[arrow + 1:]).parse()
                else:
                    out.append(self._sub(body).parse())
            finally:
                self.scope.frames.pop()
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

    def _sub(self, tokens: list) -> "ExpressionParser":
        sub = self.__class__.__new__(self.__class__)
        sub.tokens, sub.pos, sub.scope = tokens, 0, self.scope
        return sub


def _pairs(collection: Any) -> list[tuple[Any, Any]]:
    if isinstance(collection, dict):
        return list(collection.items())
    if isinstance(collection, list):
        return list(enumerate(collection))
    raise Unsupported("for over a non-collection")


def _key_text(key: Any) -> str:
    key = known_value(key)
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (dict, list)) or key is None:
        raise Unsupported("map key is not a string")
    return str(key)


# -- the functions that read files --------------------------------------------------------------


def _templatefile(scope: Scope, path: Any, variables: Any = None) -> str:
    full = os.path.normpath(os.path.join(scope.folder, str(path)))
    if not os.path.isfile(full):
        raise Unsupported(path)
    own = _TemplateFileScope(scope.folder, dict(variables or {}))
    return hcl_text(own.template(read_text(full, "template file")))


class _TemplateFileScope(Scope):
    """A template file's names: only the variables templatefile() passes it."""

    def __init__(self, folder: str, variables: dict) -> None:
        super().__init__(folder)
        self.variables = variables

    def reference(self, parts: list[str]) -> Any:
        return traverse(self.variables.get(parts[0], token(".".join(parts))), parts[1:])


def _file(scope: Scope, path: Any) -> str:
    full = os.path.normpath(os.path.join(scope.folder, str(path)))
    if not os.path.isfile(full):
        raise Unsupported(path)
    return read_text(full, "file")


_FUNCTIONS = {**FUNCTIONS, "templatefile": _templatefile, "file": _file}
