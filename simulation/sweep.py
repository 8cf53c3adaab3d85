"""What-if sweeps: the cartesian product of varied parameters, each run replicated, every
metric summarised as a mean with a 95% Student-t confidence interval.

    result = run_sweep(arch, "launch-day", {"fn.memory_mb": [256, 512, 1024]}, replications=8,
                       executor=local_executor())
    result.to_json()   # {"runs": [{"params": ..., "replications": 8, "metrics": {...}}, ...]}

Targets of a variation (the key before `=` on the command line):
- `NODE.FIELD`: any config field of a node (`fn.memory_mb`, `fn.reserved_concurrency`,
  `fn.duration_ms` where a number is a fixed time in ms). Applied as a scenario override,
  exactly as a hand-written what-if scenario, so the engine also rescales the handler time
  of a Lambda whose memory changes.
- `load.ENTRY.PARAM` or `load.INDEX.PARAM`: a parameter of the scenario's load (`load.api.rate_rps`
  for the load entering at node `api`, or `load.0.rate_rps` for the first load of the
  scenario; by entry when only one load enters there).
- `account.FIELD`: an account setting (`account.concurrency_limit`).
A node whose id is `load` or `account` wins over these prefixes.

Common random numbers: replication i of every run uses the same seed (replication 0 the
scenario's own seed, the others derived from it by hashing), so runs are compared under the
same arrivals and draws, and results do not depend on which process or machine ran them.

Execution goes through any `concurrent.futures.Executor` (a spawn-safe local process pool
from `local_executor()`, or `distributed.Client(address).get_executor()`); without one the
replications run one after the other in this process. A task is (design, scenario, seed) ->
flat metric dict, so only a few kilobytes go back and forth.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import hashlib
import itertools
import math
import multiprocessing
import os
import signal
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Sequence

from model.architecture import Architecture, Scenario
from model.catalogue import ACCOUNT_FIELDS, LOAD_PATTERNS, SERVICES, STRICTLY_POSITIVE, Field
from model.errors import StratusError
from model.validation import errors, field_problem, validate

ProgressCallback = Callable[[int, int], None]

# Result fields that describe the run rather than measure it, and bulky parts that are not
# summary metrics: left out of the flattened metrics.
NOT_METRICS = frozenset({"scenario", "seed", "duration_s", "warmup_s", "measured_s", "timeseries",
                         "usage", "assumptions", "histogram"})
POLL_S = 0.2  # how often a waiting sweep checks its cancel callback


class Cancelled(Exception):
    """Raised by run_sweep() when its `cancel` callback asked to stop."""


# --------------------------------------------------------------------------------------
# Statistics: Student's t quantile (no SciPy needed) and the mean's confidence interval


def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t distribution with `df` degrees of freedom (0 < p < 1)."""
    if not 0.0 < p < 1.0 or not df > 0:
        raise ValueError(f"t_quantile needs 0 < p < 1 and df > 0, got p={p}, df={df}")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    return _upper_t_quantile(p, float(df))


@lru_cache(maxsize=512)
def _upper_t_quantile(p: float, df: float) -> float:
    # Bisection on the exact CDF: monotone, always converges, ~60 halvings reach the
    # float resolution; cached, so a sweep computes each df once.
    low, high = 0.0, 1.0
    while t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low <= 1e-12 * max(1.0, high):
            break
    return 0.5 * (low + high)


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t: 1 - I_x(df/2, 1/2) / 2 with x = df / (df + t^2), t >= 0."""
    x = df / (df + t * t)
    tail = 0.5 * _regularized_beta(x, df / 2.0, 0.5)
    return 1.0 - tail if t >= 0 else tail


def _regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) by its continued fraction (modified Lentz; Numerical Recipes 6.4)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x > (a + 1.0) / (a + b + 2.0):  # the fraction converges fast only below this point
        return 1.0 - _regularized_beta(1.0 - x, b, a)
    return math.exp(log_front) * _beta_fraction(x, a, b) / a


def _beta_fraction(x: float, a: float, b: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


@dataclass(frozen=True)
class Estimate:
    """A metric over the replications: mean and the 95% confidence interval of the mean."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def to_json(self) -> dict:
        return {"mean": self.mean, "ci95": [self.low, self.high]}


def estimate(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean and Student-t interval; one value gives the interval [mean, mean]."""
    n = len(values)
    if n == 0:
        raise ValueError("no values to estimate from")
    mean = math.fsum(values) / n
    if n == 1:
        return Estimate(mean, mean, mean, 1)
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * math.sqrt(variance / n)
    return Estimate(mean, mean - half, mean + half, n)


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
# Variations: what a key names, and its values checked against the catalogue


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
        raise StratusError(f"--vary {key}: no node '{head}' in the design (nodes: {known}; "
                           f"or load.ENTRY.PARAM, account.FIELD)")
    spec = SERVICES[node.service]
    fdef = spec.field(rest)
    if fdef is None:
        raise StratusError(f"--vary {key}: {spec.name} node '{head}' has no field '{rest}' "
                           f"(fields: {', '.join(spec.field_map)})")
    return Target(key, "node", head, fdef)


def _account_target(key: str, name: str) -> Target:
    fdef = next((f for f in ACCOUNT_FIELDS if f.name == name), None)
    if fdef is None:
        raise StratusError(f"--vary {key}: no account field '{name}' "
                           f"(fields: {', '.join(f.name for f in ACCOUNT_FIELDS)})")
    return Target(key, "account", "account", fdef)


def _load_target(scenario: Scenario, key: str, rest: str) -> Target:
    which, _, param = rest.partition(".")
    if not param:
        raise StratusError(f"--vary {key}: a load target is load.ENTRY.PARAM or load.INDEX.PARAM")
    if which.isdigit():
        index = int(which)
        if index >= len(scenario.load):
            raise StratusError(f"--vary {key}: scenario '{scenario.name}' has {len(scenario.load)} "
                               f"load(s), numbered from 0")
    else:
        matches = [i for i, load in enumerate(scenario.load) if load.entry == which]
        if not matches:
            entries = ", ".join(sorted({load.entry for load in scenario.load})) or "none"
            raise StratusError(f"--vary {key}: no load of scenario '{scenario.name}' enters at "
                               f"'{which}' (entries: {entries})")
        if len(matches) > 1:
            raise StratusError(f"--vary {key}: {len(matches)} loads enter at '{which}'; name one by "
                               f"its index, load.{matches[0]}.{param}")
        index = matches[0]
    load = scenario.load[index]
    shape = LOAD_PATTERNS.get(load.pattern)
    fdef = next((f for f in shape.fields if f.name == param), None) if shape else None
    if fdef is None:
        takes = ", ".join(f.name for f in shape.fields) if shape else "nothing"
        raise StratusError(f"--vary {key}: the {load.pattern} load at '{load.entry}' has no "
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
        raise StratusError(f"--vary {target.key}: {message}")


def apply_setting(arch: Architecture, scenario: Scenario, key: str, raw: Any) -> Target:
    """One value for one target, as a sweep run gets it: `key` resolved against the design and
    scenario, `raw` typed and checked, then set on `arch` and `scenario`, copies the caller
    owns (the what-if Compare dialog prepares its two variants with this)."""
    target = resolve_target(arch, scenario, key)
    value = coerce_value(target.field, raw)
    check_value(target, value)
    target.apply(arch, scenario, value)
    return target


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
        raise StratusError("a sweep needs at least one varied parameter (--vary TARGET=V1,V2,...)")
    targets, value_lists = [], []
    for key, values in variations.items():
        target = resolve_target(arch, scenario, key)
        typed = [coerce_value(target.field, v) for v in values]
        if not typed:
            raise StratusError(f"--vary {key}: no values")
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
    from simulation.engine import simulate

    try:
        result = simulate(design, scenario, seed=seed, duration_s=duration_s, base_dir=base_dir,
                          free_tier=free_tier)
    except Exception as exc:  # noqa: BLE001 (reported with the run's parameters)
        return {"error": _describe(exc)}
    return {"metrics": flatten_metrics(result.to_json())}


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, StratusError) else f"{type(exc).__name__}: {exc}"


def _ignore_interrupts() -> None:
    """Pool workers leave Ctrl-C to the parent, which cancels the sweep and stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def local_executor(workers: int | None = None) -> cf.ProcessPoolExecutor:
    """A process pool over `workers` cores (all by default), started with forkserver (or
    spawn) rather than fork: safe when the caller has threads (the GUI, a Dask client)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["simulation.engine", "simulation.sweep"])
    return cf.ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=context,
                                  initializer=_ignore_interrupts)


def stop_executor(executor: cf.Executor) -> None:
    """Cancel what has not started and stop a local pool's workers now (Ctrl-C)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())  # no public API in 3.11
    executor.shutdown(wait=False, cancel_futures=True)  # (this forgets the processes: list them first)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


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


def summarise(samples: Sequence[Mapping[str, float]]) -> tuple[tuple[str, Estimate], ...]:
    """Estimates of every metric, from the replications (in replication order) that have it."""
    names = sorted({name for sample in samples for name in sample})
    return tuple((name, estimate([s[name] for s in samples if name in s])) for name in names)


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
    from simulation.engine import Cancelled as EngineCancelled, simulate

    outcomes = {}
    for done, (r, i) in enumerate(tasks, start=1):
        if cancel is not None and cancel():
            raise Cancelled("sweep cancelled")
        run = runs[r]
        try:
            result = simulate(run.design, run.scenario, seed=seeds[i], duration_s=duration_s,
                              base_dir=base_dir, free_tier=free_tier, cancel=cancel)
            outcomes[(r, i)] = {"metrics": flatten_metrics(result.to_json())}
        except EngineCancelled:
            raise Cancelled("sweep cancelled") from None
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
