"""Latency distributions as small objects with `sample(rng)` and `mean`.

A spec in a design file is either a bare number (fixed) or a mapping such as
`{dist: lognormal, p50: 80, p99: 400}`. `parse_distribution` turns a spec into an object;
`distribution_problems` explains what is wrong with a bad one, for the validator.
Every sampler takes the caller's `random.Random`, never global state.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from .catalogue import DISTRIBUTIONS

# z-score of the 99th percentile of a standard normal distribution.
Z99 = 2.3263478740408408


@dataclass(frozen=True)
class Fixed:
    value: float

    def sample(self, rng: random.Random) -> float:
        return self.value

    @property
    def mean(self) -> float:
        return self.value


@dataclass(frozen=True)
class Exponential:
    mean: float

    def sample(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean) if self.mean > 0 else 0.0


@dataclass(frozen=True)
class Normal:
    """Normal truncated at 0 by resampling (values are durations)."""

    mu: float
    stddev: float

    def sample(self, rng: random.Random) -> float:
        if self.stddev == 0:
            return max(self.mu, 0.0)
        for _ in range(100):
            value = rng.gauss(self.mu, self.stddev)
            if value >= 0:
                return value
        return 0.0

    @property
    def mean(self) -> float:
        return self.mu


@dataclass(frozen=True)
class LogNormal:
    """Given by its median and 99th percentile, which is how latencies are quoted."""

    p50: float
    p99: float

    @property
    def mu(self) -> float:
        return math.log(self.p50)

    @property
    def sigma(self) -> float:
        return (math.log(self.p99) - math.log(self.p50)) / Z99

    def sample(self, rng: random.Random) -> float:
        return rng.lognormvariate(self.mu, self.sigma)

    @property
    def mean(self) -> float:
        return math.exp(self.mu + self.sigma**2 / 2)


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class Empirical:
    samples: tuple[float, ...]

    def sample(self, rng: random.Random) -> float:
        return self.samples[rng.randrange(len(self.samples))]

    @property
    def mean(self) -> float:
        return sum(self.samples) / len(self.samples)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def distribution_problems(spec: Any) -> list[str]:
    """What is wrong with a distribution spec, as phrases; [] when it is valid."""
    if _is_number(spec):
        return [] if spec >= 0 else [f"a latency cannot be negative ({spec})"]
    if not isinstance(spec, dict):
        return [f"expected a number or a mapping with 'dist', got {type(spec).__name__}"]
    name = spec.get("dist")
    shape = DISTRIBUTIONS.get(name) if isinstance(name, str) else None
    if shape is None:
        known = ", ".join(DISTRIBUTIONS)
        return [f"unknown distribution {name!r} (known: {known})"]
    problems = []
    for f in shape.fields:
        if f.name not in spec:
            problems.append(f"{name} distribution needs '{f.name}'")
            continue
        value = spec[f.name]
        if f.kind == "list":
            if not isinstance(value, list) or not value or not all(_is_number(v) and v >= 0 for v in value):
                problems.append(f"'{f.name}' must be a non-empty list of non-negative numbers")
        elif not _is_number(value) or value < 0:
            problems.append(f"'{f.name}' must be a non-negative number, got {value!r}")
    extra = set(spec) - {"dist"} - {f.name for f in shape.fields}
    if extra:
        problems.append(f"{name} distribution does not take {', '.join(sorted(extra))}")
    if problems:
        return problems
    if name == "lognormal" and not (0 < spec["p50"] < spec["p99"]):
        problems.append("lognormal needs 0 < p50 < p99")
    if name == "uniform" and spec["low"] > spec["high"]:
        problems.append("uniform needs low <= high")
    return problems


def parse_distribution(spec: Any):
    """A distribution object for a valid spec (validate first; this raises ValueError)."""
    problems = distribution_problems(spec)
    if problems:
        raise ValueError("; ".join(problems))
    if _is_number(spec):
        return Fixed(float(spec))
    name = spec["dist"]
    if name == "fixed":
        return Fixed(float(spec["value"]))
    if name == "exponential":
        return Exponential(float(spec["mean"]))
    if name == "normal":
        return Normal(float(spec["mean"]), float(spec["stddev"]))
    if name == "lognormal":
        return LogNormal(float(spec["p50"]), float(spec["p99"]))
    if name == "uniform":
        return Uniform(float(spec["low"]), float(spec["high"]))
    return Empirical(tuple(float(v) for v in spec["samples"]))
