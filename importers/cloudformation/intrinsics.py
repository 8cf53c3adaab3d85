"""Reading CloudFormation text and resolving its intrinsic functions.

`load_template(text, source)` parses JSON or YAML with a SafeLoader subclass that knows
CloudFormation's short-form tags (`!Ref`, `!GetAtt`, `!Sub`...) and turns them into the
long form (`{"Ref": ...}`), so the rest of the importer sees one shape. Dates stay text
(`2010-09-09` is a version, not a date).

`Resolver` evaluates intrinsics the way CloudFormation would with the parameters'
defaults: Ref/GetAtt of a resource become reference tokens (see importers.base),
Ref of a parameter its default, pseudo parameters plausible values, and Sub, Join, If,
Select, Split, FindInMap, Equals/And/Or/Not are computed.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from importers.base import TOKEN_RE, strip_tokens, token, tokens_in
from model.errors import StratusError

MAX_YAML_NODES = 500_000  # with aliases expanded: a real template has a few thousand


class SafeCfnLoader(yaml.SafeLoader):
    """Safe YAML with CloudFormation's tags; never constructs Python objects."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._constructed = 0

    def construct_object(self, node, deep=False):
        self._constructed += 1
        if self._constructed > MAX_YAML_NODES:
            raise yaml.constructor.ConstructorError(
                None, None, f"more than {MAX_YAML_NODES} YAML nodes (alias expansion?)", node.start_mark)
        return super().construct_object(node, deep)


_SHORT_FORMS = {
    "Ref": "Ref", "Condition": "Condition", "GetAtt": "Fn::GetAtt", "Sub": "Fn::Sub",
    "Join": "Fn::Join", "If": "Fn::If", "Select": "Fn::Select", "Split": "Fn::Split",
    "FindInMap": "Fn::FindInMap", "ImportValue": "Fn::ImportValue", "Equals": "Fn::Equals",
    "And": "Fn::And", "Or": "Fn::Or", "Not": "Fn::Not", "Base64": "Fn::Base64",
    "GetAZs": "Fn::GetAZs", "Cidr": "Fn::Cidr", "Length": "Fn::Length",
    "ToJsonString": "Fn::ToJsonString", "Transform": "Fn::Transform",
}


def _construct_short_form(long_name: str):
    def construct(loader: SafeCfnLoader, node: yaml.Node) -> dict:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if long_name == "Fn::GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {long_name: value}
    return construct


for _short, _long in _SHORT_FORMS.items():
    SafeCfnLoader.add_constructor(f"!{_short}", _construct_short_form(_long))


def load_data(text: str, source: str) -> Any:
    """JSON or YAML (CloudFormation short forms allowed, safe loader) as plain data;
    StratusError naming the source and line when it does not parse."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise StratusError(f"{source}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from None
    try:
        return yaml.load(text, Loader=SafeCfnLoader)  # noqa: S506 - SafeCfnLoader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise StratusError(f"{source}{line}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise StratusError(f"{source}: not valid YAML: {exc}") from None


def load_template(text: str, source: str) -> dict:
    """The template as plain data; StratusError naming the line when it does not parse."""
    data = load_data(text, source)
    if not isinstance(data, dict):
        raise StratusError(f"{source}: a template must be a mapping with a Resources section")
    return data


# --------------------------------------------------------------------------------------
# Resolution

NO_VALUE = object()  # AWS::NoValue: the property is removed

PSEUDO_PARAMETERS = {
    "AWS::AccountId": "123456789012", "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "stack", "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/id",
    "AWS::NotificationARNs": [],
}

_SUB_VAR = re.compile(r"\$\{(!?)([^}]*)\}")


class Resolver:
    def __init__(self, template: dict, source: str, region: str = "us-east-1") -> None:
        self.source = source
        self.region = region
        self.resources = template.get("Resources") or {}
        self.mappings = template.get("Mappings") or {}
        self.conditions_raw = template.get("Conditions") or {}
        self.parameters = self._parameter_defaults(template.get("Parameters") or {})
        self.conditions: dict[str, bool] = {}
        self._evaluating: list[str] = []
        self.unresolved: set[str] = set()  # references to nothing the template defines
        self.unknowns: list[str] = []  # values that cannot be computed offline, said how they were kept

    def _parameter_defaults(self, params: dict) -> dict[str, Any]:
        values = {}
        for name, spec in params.items():
            spec = spec if isinstance(spec, dict) else {}
            default = spec.get("Default", name)  # no default: the parameter's own name stands in
            if str(spec.get("Type", "")).startswith(("List<", "CommaDelimitedList")) and isinstance(default, str):
                default = [part.strip() for part in default.split(",")]
            values[name] = default
        return values

    # -- conditions ------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        if name in self.conditions:
            return self.conditions[name]
        if name not in self.conditions_raw:
            raise StratusError(f"{self.source}: condition '{name}' is used but not defined in Conditions")
        if name in self._evaluating:
            chain = " -> ".join(self._evaluating[self._evaluating.index(name):] + [name])
            raise StratusError(f"{self.source}: circular condition chain: {chain}")
        self._evaluating.append(name)
        try:
            value = bool(self.resolve(self.conditions_raw[name]))
        finally:
            self._evaluating.pop()
        self.conditions[name] = value
        return value

    # -- values ------------------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                (key, arg), = value.items()
                handler = _FUNCTIONS.get(key)
                if handler is not None:
                    return handler(self, arg)
            out = {}
            for k, v in value.items():
                resolved = self.resolve(v)
                if resolved is not NO_VALUE:
                    out[k] = resolved
            return out
        if isinstance(value, list):
            return [r for r in (self.resolve(v) for v in value) if r is not NO_VALUE]
        return value

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return self.resolve(name)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name == "AWS::Region":
            return self.region
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name in self.parameters:
            return self.resolve(self.parameters[name])
        if name not in self.resources:
            self.unresolved.add(name)
        return token(name)

    def get_att(self, arg: Any) -> str:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        arg = self.resolve(arg)
        if not isinstance(arg, list) or len(arg) != 2:
            raise StratusError(f"{self.source}: Fn::GetAtt needs [resource, attribute], got {arg!r}")
        resource, attribute = (strip_tokens(str(a)) for a in arg)
        if resource not in self.resources:
            self.unresolved.add(resource)
        return token(f"{resource}.{attribute}")

    def sub(self, arg: Any) -> str:
        if isinstance(arg, list) and len(arg) == 2:
            text, variables = arg
            variables = self.resolve(variables) if isinstance(variables, dict) else {}
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            raise StratusError(f"{self.source}: Fn::Sub needs a string, got {text!r}")

        def replace(match: re.Match) -> str:
            if match.group(1) == "!":
                return "${" + match.group(2) + "}"
            name = match.group(2).strip()
            if name in variables:
                return _text(variables[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                return self.get_att(name)
            return _text(self.ref(name))

        return _SUB_VAR.sub(replace, text)

    def join(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise StratusError(f"{self.source}: Fn::Join needs [delimiter, [values]], got {arg!r}")
        delimiter, parts = self.resolve(arg[0]), self.resolve(arg[1])
        if not isinstance(parts, list):
            return _text(parts)
        return str(delimiter).join(_text(p) for p in parts)

    def if_(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            raise StratusError(f"{self.source}: Fn::If needs [condition, then, else], got {arg!r}")
        return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])

    def select(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            raise StratusError(f"{self.source}: Fn::Select needs [index, list], got {arg!r}")
        index, items = self.resolve(arg[0]), self.resolve(arg[1])
        try:
            return items[int(index)]
        except (ValueError, TypeError, IndexError, KeyError):
            shown = json.dumps(items, ensure_ascii=False) if isinstance(items, (list, dict)) else _text(items)
            return self.unknown(f"Fn::Select {_text(index)} of {strip_tokens(shown)}", items)

    def split(self, arg: Any) -> Any:
        """Fn::Split; a reference token is never cut (its value is not known offline)."""
        if not isinstance(arg, list) or len(arg) != 2:
            raise StratusError(f"{self.source}: Fn::Split needs [delimiter, text], got {arg!r}")
        delimiter, text = str(self.resolve(arg[0])), _text(self.resolve(arg[1]))
        if not delimiter:
            return [text]
        kept = TOKEN_RE.findall(text)
        placeholder = "\x00"
        masked = TOKEN_RE.sub(placeholder, text)
        parts = masked.split(delimiter)
        restore = iter(kept)
        return [re.sub(placeholder, lambda _m: token(next(restore)), part) for part in parts]

    def find_in_map(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) < 3:
            raise StratusError(f"{self.source}: Fn::FindInMap needs [map, key, key], got {arg!r}")
        values = [self.resolve(a) for a in arg]
        name, first, second = (_text(v) for v in values[:3])
        try:
            return self.resolve(self.mappings[name][first][second])
        except (KeyError, TypeError):
            if len(values) > 3 and isinstance(values[3], dict) and "DefaultValue" in values[3]:
                return values[3]["DefaultValue"]
            return self.unknown(f"Fn::FindInMap {strip_tokens(name)}/{strip_tokens(first)}/{strip_tokens(second)} "
                                "(not in Mappings with the parameters' defaults)", values[:3])

    def unknown(self, what: str, inputs: Any) -> str:
        """A value that cannot be computed offline (an index into an ARN, a mapping key that
        is a parameter without a default...): the reference tokens it was computed from, so
        that whatever it names is still found, or an unknown token; noted for the report."""
        found = tokens_in(inputs)
        value = "".join(token(key) for key in found) if found else token(f"unknown:{what.split()[0]}")
        self.unknowns.append(f"{what} cannot be evaluated offline; kept as "
                             f"{'a reference to ' + ', '.join(found) if found else 'an unknown value'}")
        return value

    def equals(self, arg: Any) -> bool:
        a, b = (self.resolve(x) for x in arg)
        return _text(a) == _text(b)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return "" if value is NO_VALUE else str(value)


_FUNCTIONS = {
    "Ref": Resolver.ref,
    "Fn::GetAtt": Resolver.get_att,
    "Fn::Sub": Resolver.sub,
    "Fn::Join": Resolver.join,
    "Fn::If": Resolver.if_,
    "Fn::Select": Resolver.select,
    "Fn::Split": Resolver.split,
    "Fn::FindInMap": Resolver.find_in_map,
    "Fn::ImportValue": lambda r, a: token(f"import:{_text(r.resolve(a))}"),
    "Fn::Equals": Resolver.equals,
    "Fn::And": lambda r, a: all(bool(r.resolve(x)) for x in a),
    "Fn::Or": lambda r, a: any(bool(r.resolve(x)) for x in a),
    "Fn::Not": lambda r, a: not bool(r.resolve(a[0] if isinstance(a, list) else a)),
    "Condition": lambda r, a: r.condition(a),
    "Fn::Base64": lambda r, a: r.resolve(a),
    "Fn::GetAZs": lambda r, a: [f"{r.region}a", f"{r.region}b", f"{r.region}c"],
    "Fn::ToJsonString": lambda r, a: json.dumps(r.resolve(a), sort_keys=True),
    "Fn::Length": lambda r, a: len(r.resolve(a)) if isinstance(r.resolve(a), list) else 0,
}


def references(value: Any) -> set[str]:
    """Logical ids a raw (unresolved) value refers to: Ref, GetAtt, Sub variables, DependsOn
    excluded (the caller adds it). Used to find circular references."""
    found: set[str] = set()
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                first = arg.split(".", 1)[0] if isinstance(arg, str) else (arg[0] if arg else None)
                if isinstance(first, str):
                    found.add(first)
            elif key == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) and arg else arg
                if isinstance(text, str):
                    local = set(arg[1]) if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict) else set()
                    for bang, name in _SUB_VAR.findall(text):
                        if not bang and name.split(".")[0] not in local:
                            found.add(name.split(".")[0])
        for v in value.values():
            found |= references(v)
    elif isinstance(value, list):
        for v in value:
            found |= references(v)
    return found
