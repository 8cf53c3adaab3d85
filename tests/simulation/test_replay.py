"""The replay plan: dots sampled from a result's time series, seeded, bounded, with the
target's throttled share, and the dots in flight at a moment."""

import pytest

from model.architecture import Architecture, Edge, Node
from simulation.replay import Dot, ReplayPlan, plan_replay
from simulation.results import Result, TimeSeries


@pytest.fixture
def arch() -> Architecture:
    arch = Architecture("Replay")
    for node_id, service in (("api", "api_gateway"), ("fn", "lambda"), ("table", "dynamodb")):
        arch.add_node(Node(node_id, service))
    arch.add_edge(Edge("api", "fn"))
    arch.add_edge(Edge("fn", "table", {"action": "write", "calls": 2}))
    return arch


def result(series: dict, buckets: int = 10, seed: int = 1) -> Result:
    return Result("s", seed, float(buckets), {}, {}, None, {},
                  TimeSeries(1.0, tuple(float(t) for t in range(buckets)), series))


def steady(rate: float, throttled: float = 0.0, buckets: int = 10) -> dict:
    return {"throughput": (rate,) * buckets, "throttled": (throttled,) * buckets}


def test_dots_follow_the_rate_along_each_edge_times_its_calls(arch):
    plan = plan_replay(arch, result({"api": steady(20.0), "fn": steady(20.0), "table": steady(40.0)}))
    per_edge = [sum(d.edge == i for d in plan.dots) for i in range(2)]
    assert plan.requests_per_dot == 1.0
    assert per_edge[0] == pytest.approx(200, rel=0.25) and per_edge[1] == pytest.approx(400, rel=0.25)
    assert all(0.0 <= d.t_s < 10.0 for d in plan.dots)
    assert [d.t_s for d in plan.dots] == sorted(d.t_s for d in plan.dots)
    assert not any(d.throttled for d in plan.dots)


def test_the_targets_throttled_share_marks_dots_refused(arch):
    # fn completes 10/s and refuses 30/s: three quarters of what the API sends it is refused
    plan = plan_replay(arch, result({"api": steady(40.0), "fn": steady(10.0, throttled=30.0)}))
    to_fn = [d for d in plan.dots if d.edge == 0]
    assert sum(d.throttled for d in to_fn) / len(to_fn) == pytest.approx(0.75, abs=0.08)


def test_the_plan_is_seeded_by_the_result(arch):
    series = {"api": steady(20.0), "fn": steady(20.0)}
    assert plan_replay(arch, result(series)) == plan_replay(arch, result(series))
    assert plan_replay(arch, result(series)) != plan_replay(arch, result(series, seed=2))


def test_a_busy_run_is_thinned_to_max_dots(arch):
    plan = plan_replay(arch, result({"api": steady(1000.0), "fn": steady(1000.0)}), max_dots=500)
    # 10 s of 1000/s on edge 0 and 2000/s on edge 1: 30,000 requests for 500 dots
    assert plan.requests_per_dot == pytest.approx(60.0)
    assert len(plan.dots) == pytest.approx(500, rel=0.15)


def test_no_traffic_no_dots(arch):
    plan = plan_replay(arch, result({}))
    assert plan.dots == () and plan.duration_s == 10.0


def test_dots_in_flight_are_those_that_left_within_the_travel_time():
    dots = tuple(Dot(t, 0, False) for t in (1.0, 2.0, 2.5, 3.0, 7.0))
    plan = ReplayPlan(dots, 1.0, 10.0)
    assert plan.in_flight(3.0, 1.0, limit=10) == [(dots[1], 1.0), (dots[2], 0.5), (dots[3], 0.0)]
    assert plan.in_flight(3.0, 1.0, limit=2) == [(dots[2], 0.5), (dots[3], 0.0)]  # the latest
    assert plan.in_flight(5.0, 1.0, limit=10) == []
