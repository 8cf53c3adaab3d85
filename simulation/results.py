"""Immutable, picklable result records and their JSON form (DESIGN.md section 4).

`Result.to_json()` gives the contract's fields plus:
- "timeseries": {"bucket_s", "t_s", "nodes": {id: {"throughput", "concurrency", "backlog",
  "throttled", "cold_starts", "errors", "instances", "max_backlog"}}} over the whole run
  (warm-up included): throughput is completions per second, concurrency / backlog /
  instances are time averages within the bucket, max_backlog the bucket's maximum,
  throttled / cold_starts / errors counts per bucket.
- each entry's "histogram": {"edges_ms", "counts"} (latency of succeeded requests, ~40
  log-spaced bins), "usage" (billing counters per node) and "assumptions".
- "limits": [{"limit", "scope", "first_hit_s", "throttled"}], every AWS limit that refused
  or delayed work in the measured window, earliest first (names: model.quotas.LIMITS).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cost import CostBreakdown, CostLine

LATENCY_KEYS = ("mean", "p50", "p95", "p99", "max")


@dataclass(frozen=True)
class Latency:
    mean: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in LATENCY_KEYS}

    @classmethod
    def from_json(cls, data: dict) -> "Latency":
        return cls(**{k: float(data.get(k, 0.0)) for k in LATENCY_KEYS})


@dataclass(frozen=True)
class NodeStats:
    service: str
    requests: int
    completed: int
    throttled: int
    errors: int
    cold_starts: int
    latency_ms: Latency
    mean_concurrency: float
    max_concurrency: int
    mean_instances: float
    max_backlog: float | None = None  # queues and streams only
    max_iterator_age_ms: float | None = None  # streams only

    def to_json(self) -> dict:
        out = {"service": self.service, "requests": self.requests, "completed": self.completed,
               "throttled": self.throttled, "errors": self.errors, "cold_starts": self.cold_starts,
               "latency_ms": self.latency_ms.to_json(), "mean_concurrency": self.mean_concurrency,
               "max_concurrency": self.max_concurrency, "mean_instances": self.mean_instances}
        if self.max_backlog is not None:
            out["max_backlog"] = self.max_backlog
        if self.max_iterator_age_ms is not None:
            out["max_iterator_age_ms"] = self.max_iterator_age_ms
        return out

    @classmethod
    def from_json(cls, data: dict) -> "NodeStats":
        return cls(data.get("service", ""), data["requests"], data["completed"], data["throttled"],
                   data["errors"], data["cold_starts"], Latency.from_json(data["latency_ms"]),
                   data["mean_concurrency"], data["max_concurrency"], data["mean_instances"],
                   data.get("max_backlog"), data.get("max_iterator_age_ms"))


@dataclass(frozen=True)
class EntryStats:
    requests: int
    succeeded: int
    failed: int
    latency_ms: Latency
    histogram_edges_ms: tuple[float, ...] = ()
    histogram_counts: tuple[int, ...] = ()

    def to_json(self) -> dict:
        return {"requests": self.requests, "succeeded": self.succeeded, "failed": self.failed,
                "latency_ms": self.latency_ms.to_json(),
                "histogram": {"edges_ms": list(self.histogram_edges_ms),
                              "counts": list(self.histogram_counts)}}

    @classmethod
    def from_json(cls, data: dict) -> "EntryStats":
        hist = data.get("histogram", {})
        return cls(data["requests"], data["succeeded"], data["failed"],
                   Latency.from_json(data["latency_ms"]),
                   tuple(hist.get("edges_ms", ())), tuple(hist.get("counts", ())))


@dataclass(frozen=True)
class TimeSeries:
    bucket_s: float
    t_s: tuple[float, ...]
    nodes: dict[str, dict[str, tuple[float, ...]]]

    def to_json(self) -> dict:
        return {"bucket_s": self.bucket_s, "t_s": list(self.t_s),
                "nodes": {n: {k: list(v) for k, v in series.items()} for n, series in self.nodes.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "TimeSeries":
        return cls(data["bucket_s"], tuple(data["t_s"]),
                   {n: {k: tuple(v) for k, v in s.items()} for n, s in data["nodes"].items()})


@dataclass(frozen=True)
class LimitHit:
    """An AWS limit that refused or delayed work: `scope` is "account" or a node id,
    `first_hit_s` the run time it first did, `throttled` how many times (attempts the
    SDK retried included)."""

    limit: str
    scope: str
    first_hit_s: float
    throttled: int

    def to_json(self) -> dict:
        return {"limit": self.limit, "scope": self.scope, "first_hit_s": self.first_hit_s,
                "throttled": self.throttled}

    @classmethod
    def from_json(cls, data: dict) -> "LimitHit":
        return cls(data["limit"], data["scope"], float(data["first_hit_s"]), int(data["throttled"]))


@dataclass(frozen=True)
class Result:
    scenario: str
    seed: int
    duration_s: float
    nodes: dict[str, NodeStats]
    entries: dict[str, EntryStats]
    cost: CostBreakdown | None  # None only in results read back from JSON without one
    usage: dict[str, dict[str, float]]
    timeseries: TimeSeries
    assumptions: tuple[str, ...] = ()
    measured_s: float = 0.0
    warmup_s: float = 0.0
    extra: dict = field(default_factory=dict)
    limits: tuple[LimitHit, ...] = ()

    def to_json(self) -> dict:
        return {
            "scenario": self.scenario, "seed": self.seed, "duration_s": self.duration_s,
            "warmup_s": self.warmup_s, "measured_s": self.measured_s,
            "nodes": {k: v.to_json() for k, v in self.nodes.items()},
            "entries": {k: v.to_json() for k, v in self.entries.items()},
            "cost": _cost_json(self.cost),
            "usage": {k: dict(v) for k, v in self.usage.items()},
            "timeseries": self.timeseries.to_json(),
            "assumptions": list(self.assumptions),
            "limits": [hit.to_json() for hit in self.limits],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Result":
        return cls(
            scenario=data["scenario"], seed=data["seed"], duration_s=data["duration_s"],
            nodes={k: NodeStats.from_json(v) for k, v in data["nodes"].items()},
            entries={k: EntryStats.from_json(v) for k, v in data["entries"].items()},
            cost=_cost_from_json(data.get("cost")),
            usage={k: dict(v) for k, v in data.get("usage", {}).items()},
            timeseries=TimeSeries.from_json(data["timeseries"]),
            assumptions=tuple(data.get("assumptions", ())),
            measured_s=data.get("measured_s", data["duration_s"]),
            warmup_s=data.get("warmup_s", 0.0),
            limits=tuple(LimitHit.from_json(hit) for hit in data.get("limits", ())),
        )


def _cost_json(cost: CostBreakdown | None) -> dict | None:
    return None if cost is None else cost.to_json()


def _cost_from_json(data: dict | None) -> CostBreakdown | None:
    if data is None:
        return None
    lines = tuple(CostLine(**line) if isinstance(line, dict) else line for line in data.get("lines", ()))
    kwargs = {k: data[k] for k in ("free_tier", "prices_as_of") if k in data}
    if "assumptions" in data:
        kwargs["assumptions"] = tuple(data["assumptions"])
    return CostBreakdown(data["monthly_usd"], dict(data["by_node"]), lines, **kwargs)
