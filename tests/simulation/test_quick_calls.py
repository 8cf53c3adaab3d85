"""SDK calls answered in advance (Behaviour.quick_call: no event of their own) must give the
same statistics as the same calls made the usual way, warm-up and end of run included."""

from __future__ import annotations

import pytest

from model.architecture import Architecture, Edge, Load, Node, Scenario
from simulation.behaviours.base import Behaviour
from simulation.behaviours.dynamodb import Table
from simulation.behaviours.sqs import Queue
from simulation.engine import simulate


def design() -> Architecture:
    arch = Architecture("quick")
    for node in (Node("api", "api_gateway", {"overhead_ms": 8}),
                 Node("fn", "lambda", {"duration_ms": {"dist": "exponential", "mean": 30}}),
                 Node("table", "dynamodb", {"latency_ms": {"dist": "exponential", "mean": 6}}),
                 Node("capped", "dynamodb", {"billing_mode": "provisioned", "read_capacity": 40,
                                             "write_capacity": 40,
                                             "latency_ms": {"dist": "lognormal", "p50": 5, "p99": 20}}),
                 Node("queue", "sqs", {"latency_ms": 10}),
                 Node("worker", "lambda", {"reserved_concurrency": 5, "duration_ms": 50})):
        arch.add_node(node)
    for edge in (Edge("api", "fn"), Edge("fn", "table", {"action": "write", "calls": 2}),
                 Edge("fn", "capped", {"action": "read"}), Edge("fn", "queue"),
                 Edge("queue", "worker", {"batch_size": 1})):
        arch.add_edge(edge)
    # the provisioned table's burst (300 s x 40) runs out: throttles and retries happen too
    arch.add_scenario(Scenario("load", 60.0, 3, [Load("api", "poisson", {"rate_rps": 250.0})],
                               warmup_s=7.5))
    return arch


@pytest.mark.parametrize("warmup_s", [0.0, 7.5])
def test_quick_calls_record_what_the_usual_calls_record(monkeypatch, warmup_s):
    arch = design()
    arch.scenarios[0].warmup_s = warmup_s
    quick = simulate(arch)
    for cls in (Table, Queue):
        monkeypatch.setattr(cls, "quick_call", Behaviour.quick_call)
    usual = simulate(arch)
    assert quick.nodes["capped"].throttled > 0  # the slow path was taken too
    for node_id in arch.nodes:
        a, b = quick.nodes[node_id], usual.nodes[node_id]
        for field in ("requests", "completed", "throttled", "errors", "cold_starts", "max_concurrency",
                      "max_backlog"):
            assert getattr(a, field) == getattr(b, field), (node_id, field)
        assert a.mean_concurrency == pytest.approx(b.mean_concurrency, rel=1e-12), node_id
        for stat in ("mean", "p50", "p95", "p99", "max"):
            assert getattr(a.latency_ms, stat) == pytest.approx(getattr(b.latency_ms, stat), rel=1e-12)
    assert quick.usage == usual.usage
    assert quick.entries["api"] == usual.entries["api"]
    for node_id, series in usual.timeseries.nodes.items():
        for name, values in series.items():
            assert quick.timeseries.nodes[node_id][name] == pytest.approx(values, rel=1e-9, abs=1e-12), \
                (node_id, name)
