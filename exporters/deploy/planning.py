"""Plan: each resource the design needs, its physical name and what apply will do to it.

create     nothing by that name exists
update     ours (state and tags agree); some config changed in place (fields listed)
replace    ours, but a field that cannot change in place changed (delete, then create)
unchanged  ours and as designed
conflict   something by that name exists that this design's state did not create, or
           that is not tagged as ours: Stratus will not touch it and apply refuses to start
delete     in the state file but no longer in the design
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from model.architecture import Architecture

from .core import Context, Resource, is_ours
from .desired import desired_resources, not_deployed_warnings
from .resources import KINDS
from .state import Record, State

ACTIONS = ("create", "update", "replace", "unchanged", "conflict", "delete")


@dataclass(frozen=True)
class PlannedResource:
    key: str
    kind: str
    name: str
    action: str
    changed: tuple[str, ...] = ()
    reason: str = ""
    resource: Resource | None = field(default=None, compare=False, repr=False)
    record: Record | None = field(default=None, compare=False, repr=False)


@dataclass
class Plan:
    design: str
    items: list[PlannedResource]
    warnings: list[str] = field(default_factory=list)

    def by_action(self, action: str) -> list[PlannedResource]:
        return [i for i in self.items if i.action == action]

    @property
    def conflicts(self) -> list[PlannedResource]:
        return self.by_action("conflict")

    @property
    def changes(self) -> list[PlannedResource]:
        return [i for i in self.items if i.action not in ("unchanged", "conflict")]

    def counts(self) -> dict[str, int]:
        return {a: len(self.by_action(a)) for a in ACTIONS if self.by_action(a)}

    def format(self) -> str:
        width = max((len(i.key) for i in self.items), default=10)
        lines = [f"Plan for '{self.design}':"]
        for item in self.items:
            detail = ", ".join(item.changed) if item.changed else item.reason
            lines.append(f"  {item.action:<9}  {item.key:<{width}}  {item.name or '-'}"
                         + (f"  ({detail})" if detail else ""))
        lines += [f"  warning: {w}" for w in self.warnings]
        summary = ", ".join(f"{n} to {a}" if a not in ("unchanged", "conflict") else f"{n} {a}"
                            for a, n in self.counts().items())
        lines.append(f"Summary: {summary or 'nothing to do'}")
        return "\n".join(lines)


def make_plan(ctx: Context, arch: Architecture, state: State,
              design_dir: str | os.PathLike | None = None) -> Plan:
    resources = desired_resources(arch, design_dir)
    items = [_plan_one(ctx, res, state.records.get(res.key)) for res in resources]
    wanted = {r.key for r in resources}
    for record in reversed(list(state.records.values())):
        if record.key not in wanted:
            items.append(PlannedResource(record.key, record.kind, record.name, "delete",
                                         reason="no longer in the design", record=record))
    warnings = sorted({r.warning for r in resources if r.warning} | set(not_deployed_warnings(arch)))
    return Plan(arch.name, items, warnings)


def _plan_one(ctx: Context, res: Resource, record: Record | None) -> PlannedResource:
    kind = KINDS[res.kind]

    def item(action, changed=(), reason=""):
        return PlannedResource(res.key, res.kind, res.name, action, tuple(changed), reason, res, record)

    if record is None:
        live = kind.find(ctx, res) if res.name else None
        if live is not None:
            owner = "tagged for this design" if is_ours(live.get("tags"), ctx.design) else "not created by Stratus"
            return item("conflict", reason=f"already exists, {owner}, and is not in this design's state file")
        return item("create")
    if not kind.exists(ctx, record.outputs):
        return item("create", reason="recorded in the state file but gone")
    if kind.taggable and not is_ours(kind.live_tags(ctx, record.outputs), ctx.design):
        return item("conflict", reason="recorded in the state file but no longer tagged as ours")
    changed = _changed(record, res)
    if not changed:
        return item("unchanged")
    if set(changed) <= kind.mutable:
        return item("update", changed)
    return item("replace", changed, reason="")


def _changed(record: Record, res: Resource) -> list[str]:
    if record.config_hash == res.config_hash():
        return []
    old, new = record.config, res.config
    fields = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return fields or ["references"]
