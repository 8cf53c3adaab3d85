"""Small designs built in code for the engine's tests."""

from __future__ import annotations

import math

from model.architecture import Architecture, Edge, Load, Node, Scenario


def design(nodes: dict[str, tuple[str, dict]], edges=(), loads=(), duration_s=100.0, seed=1,
           warmup_s=0.0, account_limit=1000, overrides=None) -> Architecture:
    """nodes: id -> (service, config); edges: (src, dst, config) or (src, dst, config, kind);
    loads: (entry, pattern, params)."""
    arch = Architecture("test")
    arch.account["concurrency_limit"] = account_limit
    for node_id, (service, config) in nodes.items():
        arch.add_node(Node(node_id, service, dict(config)))
    for src, dst, config, *kind in edges:
        arch.add_edge(Edge(src, dst, dict(config), kind=kind[0] if kind else None))
    arch.add_scenario(Scenario("s", duration_s, seed, [Load(e, p, dict(params)) for e, p, params in loads],
                               overrides or {}, warmup_s))
    return arch


def function(**config) -> tuple[str, dict]:
    base = {"duration_ms": {"dist": "exponential", "mean": 100}, "cold_start_ms": 0, "timeout_s": 30}
    base.update(config)
    return ("lambda", base)


def erlang_b(c: int, a: float) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    b = erlang_b(c, a)
    rho = a / c
    return b / (1 - rho + rho * b)


def t_975(dof: int) -> float:
    """Student's t quantile (two-sided 95%) for small degrees of freedom."""
    table = {4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201,
             12: 2.179, 14: 2.145, 19: 2.093}
    return table.get(dof, 2.0)


def confidence_interval(values: list[float]) -> tuple[float, float]:
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, t_975(n - 1) * math.sqrt(var / n)
