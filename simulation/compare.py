"""What-if compare: two variants of one design, simulated alike, and what changed.

A variant is a scenario plus settings written as `TARGET=VALUE, ...`, with the targets
of `sweep --vary` (its parser, checks and messages, from simulation/targets.py):
`NODE.FIELD` (`create_order.memory_mb=1024`), `load.ENTRY.PARAM` or `load.INDEX.PARAM`
(`load.orders_api.rate_rps=80`) and `account.FIELD` (`account.concurrency_limit=500`).
`prepare_variant` applies them to copies of the design and scenario, each resolved,
typed and checked exactly as a sweep run is; the user's design is never touched.

`run_variants` simulates the variants one after the other with one seed (common random
numbers: differences come from the change, not from luck), and `compare_results` lists
what a reader compares: end-to-end latency, failures, throttling, cold starts, errors
and cost, every one of them better when lower.

Qt-free: the designer's What-if dialog runs these on its worker thread; scripts and tests
call them directly.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable, Sequence

from model.architecture import Architecture, Scenario
from model.catalogue import ACCOUNT_FIELDS, LOAD_PATTERNS, SERVICES
from model.errors import StratusError

from .engine import simulate
from .health import fmt_count, fmt_ms, fmt_usd
from .targets import apply_setting, split_vary


@dataclass(frozen=True)
class Variant:
    scenario: str
    settings: tuple[tuple[str, str], ...]  # (target, value as typed), in the order written
    label: str = ""


# --------------------------------------------------------------------------------------
# Preparing the variants


def parse_overrides(text: str) -> tuple[tuple[str, str], ...]:
    """'fn.memory_mb=1024, load.api.rate_rps=80' -> (("fn.memory_mb", "1024"), ...): the
    syntax only, by sweep's own splitter (`;` separates too); targets and values are
    checked by prepare_variant."""
    settings = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        try:
            key, (value,) = split_vary(part)
        except ValueError as exc:
            raise StratusError(str(exc)) from None
        settings.append((key, value))
    return tuple(settings)


def prepare_variant(arch: Architecture, variant: Variant) -> tuple[Architecture, Scenario]:
    """Copies of the design and of the variant's scenario with every setting applied, each
    resolved, typed and checked exactly as a sweep run is (StratusError names the first bad one)."""
    base = arch.scenario(variant.scenario)
    if base is None:
        raise StratusError(f"no scenario named '{variant.scenario}'")
    design, scenario = arch.copy(), copy.deepcopy(base)
    for key, value in variant.settings:
        apply_setting(design, scenario, key, value)
    return design, scenario


def example_overrides(arch: Architecture) -> str:
    """One valid setting of each kind of target this design offers (a Lambda's memory
    doubled, the first scenario's first load rate doubled, the account's concurrency
    limit halved), as override text to show a user what to type."""
    parts = []
    node = next((n for n in arch.nodes.values() if n.service == "lambda"), None)
    if node is not None:
        memory = SERVICES["lambda"].field("memory_mb")
        doubled = min(node.effective_config().get("memory_mb", memory.default) * 2, memory.max)
        parts.append(f"{node.id}.memory_mb={doubled}")
    # the first scenario's first load: the scenario both sides start on
    loads = arch.scenarios[0].load if arch.scenarios else []
    shape = LOAD_PATTERNS.get(loads[0].pattern) if loads else None
    numbers = [f for f in shape.fields if f.kind in ("int", "float")] if shape is not None else []
    if numbers:
        load, param = loads[0], numbers[0]
        which = load.entry if sum(each.entry == load.entry for each in loads) == 1 else "0"
        parts.append(f"load.{which}.{param.name}={load.params.get(param.name, param.default) * 2:g}")
    limit = next(f for f in ACCOUNT_FIELDS if f.name == "concurrency_limit")
    current = arch.account.get(limit.name, limit.default)
    # half the limit, but no lower than a valid design allows: AWS keeps 100 unreserved
    reserved = sum(n.effective_config().get("reserved_concurrency") or 0
                   for n in arch.nodes.values() if n.service == "lambda")
    parts.append(f"account.{limit.name}={max(reserved + 100, int(current) // 2)}")
    return ", ".join(parts)


# --------------------------------------------------------------------------------------
# Running them


def run_variants(prepared: Sequence[tuple[Architecture, Scenario]], duration_s: float | None = None,
                 base_dir: str | None = None, progress: Callable[[float], None] | None = None,
                 cancel: Callable[[], bool] | None = None) -> list:
    """Simulate each prepared (design, scenario) in turn, all with the first scenario's
    seed; `progress` hears the fraction of the whole comparison done. Returns the Results."""
    if not prepared:
        return []
    seed = prepared[0][1].seed
    count = len(prepared)
    results = []
    for i, (design, scenario) in enumerate(prepared):
        step = None if progress is None else (lambda f, i=i: progress((i + f) / count))
        results.append(simulate(design, scenario, seed=seed, duration_s=duration_s, base_dir=base_dir,
                                progress=step, cancel=cancel))
    return results


# --------------------------------------------------------------------------------------
# What changed


_FORMATS = {"ms": lambda v: f"{fmt_ms(v)} ms", "usd": fmt_usd, "count": fmt_count}


@dataclass(frozen=True)
class Row:
    metric: str
    a: float
    b: float
    kind: str  # ms, count, usd

    @property
    def delta(self) -> float:
        return self.b - self.a

    def value_text(self, value: float) -> str:
        """A value of this row's metric, written with its unit."""
        return _FORMATS[self.kind](value)

    def change_text(self) -> str:
        if self.a == self.b:
            return "no change"
        sign = "+" if self.delta > 0 else "−"
        pct = f" ({self.delta / self.a:+.0%})" if self.a else ""
        return f"{sign}{self.value_text(abs(self.delta))}{pct}"

    def better(self) -> bool | None:
        """Every metric here is better lower."""
        return None if self.a == self.b else self.b < self.a


def compare_results(a, b) -> list[Row]:
    """The figures of two Results side by side: per entry, per node where they differ, totals."""
    rows: list[Row] = []
    for entry in a.entries:
        if entry in b.entries:
            ea, eb = a.entries[entry].latency_ms, b.entries[entry].latency_ms
            for key in ("p50", "p95", "p99"):
                rows.append(Row(f"{entry}: {key} latency", getattr(ea, key), getattr(eb, key), "ms"))
            rows.append(Row(f"{entry}: failed requests", a.entries[entry].failed, b.entries[entry].failed, "count"))
    for name, attr in (("throttled", "throttled"), ("cold starts", "cold_starts"), ("errors", "errors")):
        rows.append(Row(f"all nodes: {name}", sum(getattr(s, attr) for s in a.nodes.values()),
                        sum(getattr(s, attr) for s in b.nodes.values()), "count"))
    for node_id, sa in a.nodes.items():
        sb = b.nodes.get(node_id)
        if sb is None:
            continue
        if sa.throttled or sb.throttled:
            rows.append(Row(f"{node_id}: throttled", sa.throttled, sb.throttled, "count"))
        if sa.latency_ms.p99 != sb.latency_ms.p99 and sa.service == "lambda":
            rows.append(Row(f"{node_id}: p99 duration", sa.latency_ms.p99, sb.latency_ms.p99, "ms"))
    if a.cost is not None and b.cost is not None:
        rows.append(Row("cost per month", a.cost.monthly_usd, b.cost.monthly_usd, "usd"))
        for node_id in a.cost.by_node:
            ca, cb = a.cost.by_node.get(node_id, 0.0), b.cost.by_node.get(node_id, 0.0)
            if ca != cb:
                rows.append(Row(f"{node_id}: cost per month", ca, cb, "usd"))
    return rows
