"""What-if compare: two variants of one design, simulated alike, and what changed.

A variant is a scenario plus settings written as `TARGET=VALUE, ...`, with the targets
of `sweep --vary` (its parser, checks and messages, from simulation/targets.py):
`NODE.FIELD` (`create_order.memory_mb=1024`), `load.ENTRY.PARAM` or `load.INDEX.PARAM`
(`load.orders_api.rate_rps=80`) and `account.FIELD` (`account.concurrency_limit=500`).
`prepare_variant` applies them to copies of the design and scenario, each resolved,
typed and checked exactly as a sweep run is; the user's design is never touched.

`replicate_variants` simulates each variant several times, replication i of every
variant with the same seed (common random numbers, as `sweep` does: differences come
from the change, not from luck; replication 0 is the scenario's own seed, so one
replication is exactly the Run button's result). `compare_runs` lists what a reader
compares, each figure as its mean over the replications with a 95% confidence interval
(simulation/confidence.py): end-to-end latency, failures, throttling, cold starts,
errors and cost, every one of them better when lower. A difference counts (`Row.better`
is not None) only when the two intervals do not overlap: with one replication there is
no interval, and nothing is called better or worse.

`settable_targets`, `settable_fields` and `suggested_values` list what the dialog's
pickers offer (nodes by name, the scenario's loads, the account; each one's fields; a
few values around the current one), so nobody has to know ids to write a target.

Qt-free: the designer's What-if dialog runs these on its worker thread; scripts and tests
call them directly.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable, Sequence

from model.architecture import Architecture, Scenario
from model.catalogue import ACCOUNT_FIELDS, LOAD_PATTERNS, SERVICES, Field
from model.errors import StratusError

from .confidence import Estimate, estimate
from .engine import simulate
from .health import fmt_count, fmt_ms, fmt_usd
from .sweep import replication_seed
from .targets import apply_setting, resolve_target, split_vary

DEFAULT_REPLICATIONS = 5
SETTABLE_KINDS = ("int", "float", "bool", "choice", "dist")  # a value typed in one word


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
    """Simulate each prepared (design, scenario) once, all with the first scenario's seed;
    returns their Results (one replication of `replicate_variants`)."""
    return [runs[0] for runs in replicate_variants(prepared, 1, duration_s, base_dir, progress, cancel)]


def replicate_variants(prepared: Sequence[tuple[Architecture, Scenario]], replications: int = DEFAULT_REPLICATIONS,
                       duration_s: float | None = None, base_dir: str | None = None,
                       progress: Callable[[float], None] | None = None,
                       cancel: Callable[[], bool] | None = None) -> list[list]:
    """Simulate each prepared (design, scenario) `replications` times, replication i of
    every variant with the same seed (derived from the first scenario's as sweep does);
    `duration_s` None runs each scenario for its own duration. `progress` hears the
    fraction of the whole comparison done. Returns, per variant, its Results."""
    if not prepared:
        return []
    if replications < 1:
        raise StratusError(f"replications must be 1 or more, got {replications}")
    seeds = [replication_seed(prepared[0][1].seed, i) for i in range(replications)]
    total = len(prepared) * replications
    out = []
    for v, (design, scenario) in enumerate(prepared):
        runs = []
        for r, seed in enumerate(seeds):
            done = v * replications + r
            step = None if progress is None else (lambda f, done=done: progress((done + f) / total))
            runs.append(simulate(design, scenario, seed=seed, duration_s=duration_s, base_dir=base_dir,
                                 progress=step, cancel=cancel))
        out.append(runs)
    return out


# --------------------------------------------------------------------------------------
# What changed


_FORMATS = {"ms": fmt_ms, "usd": fmt_usd, "count": fmt_count}
ALWAYS, IF_ANY, IF_DIFFERENT = "always", "if any", "if different"  # when a figure gets a row


@dataclass(frozen=True)
class Row:
    metric: str
    a: float  # mean over A's replications
    b: float
    kind: str  # ms, count, usd
    a_ci: tuple[float, float] | None = None  # 95% interval of the mean (None: one replication)
    b_ci: tuple[float, float] | None = None

    @property
    def delta(self) -> float:
        return self.b - self.a

    def value_text(self, value: float) -> str:
        """A value of this row's metric, written with its unit."""
        return _FORMATS[self.kind](value)

    def interval_text(self, side: str) -> str:
        """'205 ms ± 12 ms' (mean and the half-width of its interval), or the value alone."""
        mean, ci = (self.a, self.a_ci) if side == "a" else (self.b, self.b_ci)
        if ci is None or ci[1] - ci[0] <= 0:
            return self.value_text(mean)
        return f"{self.value_text(mean)} ± {self.value_text((ci[1] - ci[0]) / 2)}"

    def change_text(self) -> str:
        if self.a == self.b:
            return "no change"
        sign = "+" if self.delta > 0 else "−"
        pct = f" ({self.delta / self.a:+.0%})" if self.a else ""
        return f"{sign}{self.value_text(abs(self.delta))}{pct}"

    def significant(self) -> bool | None:
        """Do the two 95% intervals not overlap? None with one replication (no interval)."""
        if self.a_ci is None or self.b_ci is None:
            return None
        return self.a_ci[1] < self.b_ci[0] or self.b_ci[1] < self.a_ci[0]

    def better(self) -> bool | None:
        """Every metric here is better lower; None unless the difference is significant."""
        return self.b < self.a if self.significant() else None


def _figures(result) -> dict[str, tuple[float, str, str]]:
    """Every figure a comparison may show: name -> (value, kind, when it gets a row)."""
    out: dict[str, tuple[float, str, str]] = {}
    for entry, stats in result.entries.items():
        for key in ("p50", "p95", "p99"):
            out[f"{entry}: {key} latency"] = (getattr(stats.latency_ms, key), "ms", ALWAYS)
        out[f"{entry}: failed requests"] = (stats.failed, "count", ALWAYS)
    for name, attr in (("throttled", "throttled"), ("cold starts", "cold_starts"), ("errors", "errors")):
        out[f"all nodes: {name}"] = (sum(getattr(s, attr) for s in result.nodes.values()), "count", ALWAYS)
    for node_id, stats in result.nodes.items():
        out[f"{node_id}: throttled"] = (stats.throttled, "count", IF_ANY)
        if stats.service == "lambda":
            out[f"{node_id}: p99 duration"] = (stats.latency_ms.p99, "ms", IF_DIFFERENT)
    if result.cost is not None:
        out["cost per month"] = (result.cost.monthly_usd, "usd", ALWAYS)
        for node_id, usd in result.cost.by_node.items():
            out[f"{node_id}: cost per month"] = (usd, "usd", IF_DIFFERENT)
    return out


def compare_runs(a_runs: Sequence, b_runs: Sequence) -> list[Row]:
    """Two variants' replications side by side: each figure's mean and 95% interval,
    per entry, totals, per node where it matters (throttled at all, or different)."""
    a_figures, b_figures = [_figures(r) for r in a_runs], [_figures(r) for r in b_runs]
    names = list(dict.fromkeys(name for figures in a_figures + b_figures for name in figures))
    both = [name for name in names if all(name in f for f in a_figures + b_figures)]
    rows = []
    for name in both:
        kind, when = a_figures[0][name][1], a_figures[0][name][2]
        a_values = [float(f[name][0]) for f in a_figures]
        b_values = [float(f[name][0]) for f in b_figures]
        if when == IF_ANY and not any(a_values + b_values):
            continue
        if when == IF_DIFFERENT and a_values == b_values:
            continue
        a_est, b_est = estimate(a_values), estimate(b_values)
        rows.append(Row(name, a_est.mean, b_est.mean, kind, _interval(a_est), _interval(b_est)))
    return rows


def _interval(value: Estimate) -> tuple[float, float] | None:
    return None if value.n < 2 else (value.low, value.high)


def compare_results(a, b) -> list[Row]:
    """The figures of two single Results side by side (no intervals: nothing is called
    better or worse; replicate to tell)."""
    return compare_runs([a], [b])


# --------------------------------------------------------------------------------------
# What can be set: the dialog's pickers


def settable_targets(arch: Architecture, scenario: Scenario) -> list[tuple[str, str]]:
    """(target prefix, label) for every node (by its name), every load of the scenario and
    the account: `create_order` "Create order (Lambda)", `load.orders_api` "Load at
    Orders API (spike)", `account` "Account"."""
    out = []
    for node in arch.nodes.values():
        spec = SERVICES.get(node.service)
        out.append((node.id, f"{node.display_name} ({spec.name if spec else node.service})"))
    for index, load in enumerate(scenario.load):
        which = load.entry if sum(each.entry == load.entry for each in scenario.load) == 1 else str(index)
        entry = arch.nodes[load.entry].display_name if load.entry in arch.nodes else load.entry
        out.append((f"load.{which}", f"Load at {entry} ({load.pattern})"))
    out.append(("account", "Account"))
    return out


def settable_fields(arch: Architecture, scenario: Scenario, prefix: str) -> list[Field]:
    """The fields of a target prefix a value of one word can set (numbers, choices,
    switches, a fixed time for a latency)."""
    if prefix in arch.nodes:  # a node named `load` or `account` wins, as in targets
        fields = list(SERVICES[arch.nodes[prefix].service].fields)
    elif prefix == "account":
        fields = list(ACCOUNT_FIELDS)
    else:
        target = resolve_target(arch, scenario, _first_param(scenario, prefix))
        fields = list(LOAD_PATTERNS[scenario.load[int(target.subject)].pattern].fields)
    return [f for f in fields if f.kind in SETTABLE_KINDS]


def _first_param(scenario: Scenario, prefix: str) -> str:
    """A load target naming the load's first parameter (to find which load a prefix means)."""
    which = prefix.split(".", 1)[1]
    load = scenario.load[int(which)] if which.isdigit() else next(x for x in scenario.load if x.entry == which)
    return f"{prefix}.{LOAD_PATTERNS[load.pattern].fields[0].name}"


def current_value(arch: Architecture, scenario: Scenario, key: str):
    """What a target is set to now (the scenario's override, the load's parameter, the
    account's setting, or the field's default)."""
    target = resolve_target(arch, scenario, key)
    if target.where == "node":
        overrides = scenario.overrides.get(target.subject, {})
        config = arch.nodes[target.subject].effective_config()
        return overrides.get(target.field.name, config.get(target.field.name, target.field.default))
    if target.where == "load":
        return scenario.load[int(target.subject)].params.get(target.field.name, target.field.default)
    return arch.account.get(target.field.name, target.field.default)


def suggested_values(field: Field, current) -> list[str]:
    """A few values to try, as text: the choices, true/false, or half, double and
    four times the current number (within the field's range)."""
    if field.kind == "choice":
        return [c for c in field.choices if c != current] + ([str(current)] if current in field.choices else [])
    if field.kind == "bool":
        return ["false", "true"] if current else ["true", "false"]
    base = current if isinstance(current, (int, float)) and not isinstance(current, bool) else field.default
    if not isinstance(base, (int, float)) or isinstance(base, bool) or base <= 0:
        base = field.min if field.min and field.min > 0 else 10
    out = []
    for factor in (0.5, 2, 4, 0.25):
        value = base * factor
        if field.kind == "int":
            value = round(value)
        if (field.min is not None and value < field.min) or (field.max is not None and value > field.max):
            continue
        text = f"{value:g}"
        if text not in out and value != current:
            out.append(text)
    if field.nullable and current is not None:
        out.append("null")
    return out
