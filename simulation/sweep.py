"""What-if sweeps: the cartesian product of varied targets, each run replicated, every
metric summarised as a mean with a 95% Student-t confidence interval.

    result = run_sweep(arch, "launch-day", {"fn.memory_mb": [256, 512, 1024]}, replications=8,
                       executor=local_executor())
    result.to_json()   # {"runs": [{"params": ..., "replications": 8, "metrics": {...}}, ...]}

The pieces: what a target names and how a value is set (targets.py), the statistics
(confidence.py), where replications run (executors.py), and here the plan, the runs and
their results.

Common random numbers: replication i of every run uses the same seed (replication 0 the
scenario's own seed, the others derived from it by hashing), so runs are compared under the
same arrivals and draws, and results do not depend on which process or machine ran them.

Execution goes through any `concurrent.futures.Executor` (executors.local_executor() or
executors.dask_executor()); without one the replications run one after the other in this
process. A task is (design, scenario, seed) -> flat metric dict, so only a few kilobytes go
back and forth.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import hashlib
import itertools
import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from model.architecture import Architecture, Scenario
from model.errors import StratusError
from model.validation import errors, validate

from .confidence import Estimate, summarise
from .engine import Cancelled, simulate
from .targets import TargetError, check_value, coerce_value, resolve_target

ProgressCallback = Callable[[int, int], None]

# Result fields that describe the run rather than measure it, and bulky parts that are not
# summary metrics: left out of the flattened metrics.
NOT_METRICS = frozenset({"scenario", "seed", "duration_s", "warmup_s", "measured_s", "timeseries",
                         "usage", "assumptions", "histogram"})
POLL_S = 0.2  # how often a waiting sweep checks its cancel callback


# --------------------------------------------------------------------------------------
# Metrics of one result, flattened to "entries.api.latency_ms.p99" -> number


def flatten_metrics(data: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Every finite numeric leaf of a result's JSON, except run descriptors and series."""
    out: dict[str, float] = {}
    for key, value in data.items():
        if key in NOT_METRICS:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_metrics(value, name + "."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            out[name] = float(value)
    return out


# --------------------------------------------------------------------------------------
# The plan: one prepared (design, scenario) per combination of values


@dataclass(frozen=True)
class PlannedRun:
    params: tuple[tuple[str, Any], ...]
    design: Architecture
    scenario: Scenario

    @property
    def params_dict(self) -> dict[str, Any]:
        return dict(self.params)


def plan_runs(arch: Architecture, scenario: Scenario, variations: Mapping[str, Iterable[Any]],
              base_dir: str | None = None) -> list[PlannedRun]:
    """Every combination of the values, each applied to copies and validated."""
    if not variations:
        raise StratusError("a sweep needs at least one target to vary (TARGET=V1,V2,...)")
    targets, value_lists = [], []
    for key, values in variations.items():
        target = resolve_target(arch, scenario, key)
        typed = [coerce_value(target.field, v) for v in values]
        if not typed:
            raise TargetError(f"{key}: no values")
        for value in typed:
            check_value(target, value)
        targets.append(target)
        value_lists.append(typed)
    return [_prepare(arch, scenario, tuple(zip(targets, combo)), base_dir)
            for combo in itertools.product(*value_lists)]


def _prepare(arch: Architecture, scenario: Scenario, settings, base_dir: str | None) -> PlannedRun:
    design, run_scenario = arch.copy(), copy.deepcopy(scenario)
    for target, value in settings:
        target.apply(design, run_scenario, value)
    params = tuple((target.key, value) for target, value in settings)
    _check_run(design, run_scenario, params, base_dir)
    return PlannedRun(params, design, run_scenario)


def _check_run(design: Architecture, scenario: Scenario, params, base_dir: str | None) -> None:
    """Validate the design as the engine will see it: overrides applied, this scenario only."""
    seen = design.copy()
    for node_id, fields in scenario.overrides.items():
        if node_id in seen.nodes:
            seen.nodes[node_id].config.update(copy.deepcopy(fields))
    seen.scenarios = [copy.deepcopy(scenario)]
    bad = errors(validate(seen, base_dir=base_dir))
    if bad:
        where = ", ".join(f"{k}={_show(v)}" for k, v in params)
        listing = "\n".join(f"  - {p.format()}" for p in bad)
        raise StratusError(f"the sweep run {where} is not a valid design:\n{listing}")


def _show(value: Any) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def replication_seed(base_seed: int, index: int) -> int:
    """Replication 0 keeps the scenario's seed (a one-replication sweep matches `simulate`);
    the others hash (seed, index), so they are independent of run, process and machine."""
    if index == 0:
        return int(base_seed)
    digest = hashlib.sha256(f"stratus-replication:{int(base_seed)}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # within the catalogue's seed range


# --------------------------------------------------------------------------------------
# One replication: the unit of work shipped to a process or a Dask worker


def replicate(design: Architecture, scenario: Scenario, seed: int, duration_s: float | None,
              base_dir: str | None, free_tier: bool) -> dict:
    """{"metrics": {...}} or {"error": "..."}: a failing simulation is a value, not an
    exception, so it crosses process and network boundaries like any other result."""
    try:
        result = simulate(design, scenario, seed=seed, duration_s=duration_s, base_dir=base_dir,
                          free_tier=free_tier, traces=0)  # a sweep keeps figures, not journeys
    except Exception as exc:  # noqa: BLE001 (reported with the run's parameters)
        return {"error": _describe(exc)}
    return {"metrics": flatten_metrics(result.to_json())}


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, StratusError) else f"{type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Failure:
    replication: int
    seed: int
    error: str

    def to_json(self) -> dict:
        return {"replication": self.replication, "seed": self.seed, "error": self.error}


@dataclass(frozen=True)
class RunResult:
    params_items: tuple[tuple[str, Any], ...]
    seeds: tuple[int, ...]
    metrics_items: tuple[tuple[str, Estimate], ...]
    failures: tuple[Failure, ...]

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.params_items)

    @property
    def metrics(self) -> dict[str, Estimate]:
        return dict(self.metrics_items)

    @property
    def replications(self) -> int:
        """Replications that succeeded: the n behind every estimate."""
        return len(self.seeds) - len(self.failures)

    def to_json(self) -> dict:
        return {"params": self.params, "replications": self.replications,
                "metrics": {name: e.to_json() for name, e in self.metrics_items},
                "seeds": list(self.seeds), "failures": [f.to_json() for f in self.failures]}


@dataclass(frozen=True)
class SweepResult:
    design: str
    scenario: str
    duration_s: float
    varied: tuple[str, ...]
    runs: tuple[RunResult, ...]

    @property
    def failures(self) -> list[tuple[dict, Failure]]:
        return [(run.params, f) for run in self.runs for f in run.failures]

    def to_json(self) -> dict:
        """DESIGN.md section 6: {"runs": [{"params", "replications", "metrics", ...}]}."""
        return {"runs": [run.to_json() for run in self.runs]}


# --------------------------------------------------------------------------------------
# Running


def run_sweep(arch: Architecture, scenario: str | Scenario | None, variations: Mapping[str, Iterable[Any]],
              replications: int = 4, duration_s: float | None = None, executor: cf.Executor | None = None,
              progress: ProgressCallback | None = None, cancel: Callable[[], bool] | None = None, *,
              base_dir: str | None = None, free_tier: bool = False, seed: int | None = None) -> SweepResult:
    """Run every combination of `variations` `replications` times; see the module docstring.

    `executor=None` runs in this process, one replication after another (cancel then also
    stops the simulation under way). `progress(done, total)` is called as replications
    finish; `cancel()` returning True stops the sweep with `Cancelled` (pending work is
    cancelled; the caller owns the executor and shuts it down)."""
    chosen = scenario if isinstance(scenario, Scenario) else arch.pick_scenario(scenario)
    _check_counts(replications, duration_s, chosen)
    runs = plan_runs(arch, chosen, variations, base_dir)
    seeds = tuple(replication_seed(chosen.seed if seed is None else seed, i) for i in range(replications))
    tasks = [(r, i) for r in range(len(runs)) for i in range(replications)]
    outcomes = (_run_serially if executor is None else _run_on)(
        executor, runs, tasks, seeds, duration_s, base_dir, free_tier, progress, cancel)
    results = tuple(_collect(run, seeds, [outcomes[(r, i)] for i in range(replications)])
                    for r, run in enumerate(runs))
    duration = float(chosen.duration_s if duration_s is None else duration_s)
    return SweepResult(arch.name, chosen.name, duration, tuple(variations), results)


def _check_counts(replications: int, duration_s: float | None, scenario: Scenario) -> None:
    if not isinstance(replications, int) or isinstance(replications, bool) or replications < 1:
        raise StratusError(f"replications must be a whole number of at least 1, not {replications!r}")
    if duration_s is not None and not (isinstance(duration_s, (int, float)) and math.isfinite(duration_s)
                                       and duration_s > 0):
        raise StratusError(f"duration must be a positive number of seconds, not {duration_s!r}")
    duration = scenario.duration_s if duration_s is None else duration_s
    if duration <= (scenario.warmup_s or 0):
        raise StratusError(f"scenario '{scenario.name}' runs {duration:g} s, not longer than its "
                           f"warm-up of {scenario.warmup_s:g} s: nothing would be measured")


def _run_serially(_executor, runs, tasks, seeds, duration_s, base_dir, free_tier, progress, cancel) -> dict:
    outcomes = {}
    for done, (r, i) in enumerate(tasks, start=1):
        if cancel is not None and cancel():
            raise Cancelled("sweep cancelled")
        run = runs[r]
        try:
            result = simulate(run.design, run.scenario, seed=seeds[i], duration_s=duration_s,
                              base_dir=base_dir, free_tier=free_tier, cancel=cancel, traces=0)
            outcomes[(r, i)] = {"metrics": flatten_metrics(result.to_json())}
        except Cancelled:
            raise
        except Exception as exc:  # noqa: BLE001 (reported with the run's parameters)
            outcomes[(r, i)] = {"error": _describe(exc)}
        if progress is not None:
            progress(done, len(tasks))
    return outcomes


def _run_on(executor, runs, tasks, seeds, duration_s, base_dir, free_tier, progress, cancel) -> dict:
    pending = {executor.submit(replicate, runs[r].design, runs[r].scenario, seeds[i], duration_s,
                               base_dir, free_tier): (r, i) for r, i in tasks}
    outcomes: dict = {}
    try:
        while pending:
            if cancel is not None and cancel():
                raise Cancelled("sweep cancelled")
            finished, _ = cf.wait(pending, timeout=POLL_S, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                outcomes[pending.pop(future)] = _outcome(future)
                if progress is not None:
                    progress(len(outcomes), len(tasks))
    except BaseException:  # Cancelled, Ctrl-C: nothing more should start
        for future in pending:
            future.cancel()
        raise
    return outcomes


def _outcome(future: cf.Future) -> dict:
    """The task's own report, or the executor's failure (a worker that died, say)."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001
        return {"error": f"the worker failed: {_describe(exc)}"}


def _collect(run: PlannedRun, seeds: tuple[int, ...], outcomes: list[dict]) -> RunResult:
    failures = tuple(Failure(i, seeds[i], o["error"]) for i, o in enumerate(outcomes) if "error" in o)
    samples = [o["metrics"] for o in outcomes if "metrics" in o]
    return RunResult(run.params, seeds, summarise(samples), failures)


# --------------------------------------------------------------------------------------
# The metrics worth a column or a chart


def key_metrics(result: SweepResult, arch: Architecture | None = None,
                for_table: bool = False) -> list[tuple[str, str]]:
    """(metric name, label): each entry's p99 latency and failures, the monthly cost and, for
    charts, the p99, throttles, cold starts and cost of every node whose field is varied."""
    names = {name for run in result.runs for name, _ in run.metrics_items}
    nodes = arch.nodes if arch is not None else {}

    def label(node_id: str) -> str:
        node = nodes.get(node_id)
        return node.display_name if node is not None else node_id

    entries = sorted({n.split(".")[1] for n in names if n.startswith("entries.")})
    chosen = [(f"entries.{e}.latency_ms.p99", f"{label(e)} p99 (ms)") for e in entries]
    chosen += [(f"entries.{e}.failed", f"{label(e)} failed") for e in entries]
    chosen.append(("cost.monthly_usd", "Cost ($/month)"))
    if not for_table:
        varied_nodes = [k.split(".")[0] for k in result.varied if k.split(".")[0] in nodes]
        for node_id in dict.fromkeys(varied_nodes):
            chosen += [(f"nodes.{node_id}.latency_ms.p99", f"{label(node_id)} p99 (ms)"),
                       (f"nodes.{node_id}.throttled", f"{label(node_id)} throttled"),
                       (f"nodes.{node_id}.cold_starts", f"{label(node_id)} cold starts"),
                       (f"cost.by_node.{node_id}", f"{label(node_id)} cost ($/month)")]
    return [(name, text) for name, text in chosen if name in names]
