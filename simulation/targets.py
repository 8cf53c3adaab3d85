"""What-if targets: what `TARGET=VALUE` names in a design, and setting it.

A target is one of:
- `NODE.FIELD`: any config field of a node (`fn.memory_mb`, `fn.reserved_concurrency`,
  `fn.duration_ms` where a number is a fixed time in ms). Applied as a scenario override,
  exactly as a hand-written what-if scenario, so the engine also rescales the handler time
  of a Lambda whose memory changes.
- `load.ENTRY.PARAM` or `load.INDEX.PARAM`: a parameter of the scenario's load
  (`load.api.rate_rps` for the load entering at node `api`, or `load.0.rate_rps` for the
  first load of the scenario; by entry when only one load enters there).
- `account.FIELD`: an account setting (`account.concurrency_limit`).
A node whose id is `load` or `account` wins over these prefixes.

Values are typed and checked against the catalogue as the design file's are. Sweeps
(simulation/sweep.py) vary targets over lists of values; the what-if Compare dialog sets
one value per target with `apply_setting`. Errors are `TargetError`s whose message starts
with the target; callers add where the target came from (the CLI its option's name).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from model.architecture import Architecture, Scenario
from model.catalogue import ACCOUNT_FIELDS, LOAD_PATTERNS, SERVICES, STRICTLY_POSITIVE, Field
from model.errors import StratusError
from model.validation import field_problem


class TargetError(StratusError):
    """A target the design does not have, or a value it refuses: "TARGET: what is wrong"."""


@dataclass(frozen=True)
class Target:
    """Where a varied parameter goes: a node field, a load parameter or an account field."""

    key: str  # as the user wrote it
    where: str  # "node", "load" or "account"
    subject: str  # node id, load index (as text) or "account"
    field: Field

    def apply(self, arch: Architecture, scenario: Scenario, value: Any) -> None:
        """Set the value on copies the caller owns (never on the user's design)."""
        if self.where == "node":
            scenario.overrides.setdefault(self.subject, {})[self.field.name] = copy.deepcopy(value)
        elif self.where == "load":
            scenario.load[int(self.subject)].params[self.field.name] = value
        else:
            arch.account[self.field.name] = value


def split_vary(text: str) -> tuple[str, list[str]]:
    """`TARGET=V1,V2,...` -> (target, [values]); ValueError describing bad syntax."""
    key, sep, rest = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"'{text}' is not TARGET=V1,V2,... (for example fn.memory_mb=256,512)")
    if "." not in key or any(not part for part in key.split(".")):
        raise ValueError(f"'{key}' should be NODE.FIELD, load.ENTRY.PARAM or account.FIELD")
    values = [v.strip() for v in rest.split(",")]
    if not rest.strip() or any(v == "" for v in values):
        raise ValueError(f"'{text}' needs a comma-separated list of values after '=' with none empty")
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"'{text}' lists {', '.join(repeated)} more than once")
    return key, values


def resolve_target(arch: Architecture, scenario: Scenario, key: str) -> Target:
    head, _, rest = key.partition(".")
    if head not in arch.nodes and head == "account":
        return _account_target(key, rest)
    if head not in arch.nodes and head == "load":
        return _load_target(scenario, key, rest)
    node = arch.nodes.get(head)
    if node is None:
        known = ", ".join(arch.nodes) or "none"
        raise TargetError(f"{key}: no node '{head}' in the design (nodes: {known}; "
                           f"or load.ENTRY.PARAM, account.FIELD)")
    spec = SERVICES[node.service]
    fdef = spec.field(rest)
    if fdef is None:
        raise TargetError(f"{key}: {spec.name} node '{head}' has no field '{rest}' "
                           f"(fields: {', '.join(spec.field_map)})")
    return Target(key, "node", head, fdef)


def _account_target(key: str, name: str) -> Target:
    fdef = next((f for f in ACCOUNT_FIELDS if f.name == name), None)
    if fdef is None:
        raise TargetError(f"{key}: no account field '{name}' "
                           f"(fields: {', '.join(f.name for f in ACCOUNT_FIELDS)})")
    return Target(key, "account", "account", fdef)


def _load_target(scenario: Scenario, key: str, rest: str) -> Target:
    which, _, param = rest.partition(".")
    if not param:
        raise TargetError(f"{key}: a load target is load.ENTRY.PARAM or load.INDEX.PARAM")
    if which.isdigit():
        index = int(which)
        if index >= len(scenario.load):
            raise TargetError(f"{key}: scenario '{scenario.name}' has {len(scenario.load)} "
                               f"load(s), numbered from 0")
    else:
        matches = [i for i, load in enumerate(scenario.load) if load.entry == which]
        if not matches:
            entries = ", ".join(sorted({load.entry for load in scenario.load})) or "none"
            raise TargetError(f"{key}: no load of scenario '{scenario.name}' enters at "
                               f"'{which}' (entries: {entries})")
        if len(matches) > 1:
            raise TargetError(f"{key}: {len(matches)} loads enter at '{which}'; name one by "
                               f"its index, load.{matches[0]}.{param}")
        index = matches[0]
    load = scenario.load[index]
    shape = LOAD_PATTERNS.get(load.pattern)
    fdef = next((f for f in shape.fields if f.name == param), None) if shape else None
    if fdef is None:
        takes = ", ".join(f.name for f in shape.fields) if shape else "nothing"
        raise TargetError(f"{key}: the {load.pattern} load at '{load.entry}' has no "
                           f"parameter '{param}' (it takes {takes})")
    return Target(key, "load", str(index), fdef)


_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
_NULL = ("null", "none", "~")


def coerce_value(fdef: Field, raw: Any) -> Any:
    """A command-line text turned into the field's kind; other values pass through."""
    if not isinstance(raw, str) or fdef.kind in ("choice", "str", "path"):
        return raw
    text = raw.strip()
    if fdef.nullable and text.lower() in _NULL:
        return None
    try:
        if fdef.kind == "int":
            number = float(text)
            return int(number) if number.is_integer() else number  # field_problem names a fraction
        if fdef.kind in ("float", "dist"):  # a bare number is a fixed distribution
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return raw  # field_problem names the text
    if fdef.kind == "bool":
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else raw
    return raw


def check_value(target: Target, value: Any) -> None:
    message = field_problem(target.field, value)
    if message is None and target.where == "load" and isinstance(value, (int, float)) and value <= 0 \
            and target.field.name in STRICTLY_POSITIVE:
        message = f"{target.field.name} must be greater than 0, got {value}"
    if message:
        raise TargetError(f"{target.key}: {message}")


def apply_setting(arch: Architecture, scenario: Scenario, key: str, raw: Any) -> Target:
    """One value for one target, as a sweep run gets it: `key` resolved against the design and
    scenario, `raw` typed and checked, then set on `arch` and `scenario`, copies the caller
    owns (the what-if Compare dialog prepares its two variants with this)."""
    target = resolve_target(arch, scenario, key)
    value = coerce_value(target.field, raw)
    check_value(target, value)
    target.apply(arch, scenario, value)
    return target
