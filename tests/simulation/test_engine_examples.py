"""Every example design simulates every scenario without error (shortened runs), and its
counts describe one set of requests: those that arrived in the measured window."""

import json

import pytest

from model.designfile import load_design
from simulation import engine
from simulation.engine import simulate
from tests.conftest import example_paths

from .designs import design, function

CASES = [(path, scenario.name) for path in example_paths() for scenario in load_design(path).scenarios]


@pytest.mark.parametrize("path,scenario", CASES, ids=[f"{p.stem}:{s}" for p, s in CASES])
def test_example_scenario_runs(path, scenario):
    arch = load_design(path)
    warmup = arch.scenario(scenario).warmup_s
    result = simulate(arch, scenario, duration_s=warmup + 30, base_dir=str(path.parent))
    data = json.loads(json.dumps(result.to_json(), sort_keys=True))
    assert data["nodes"].keys() == arch.nodes.keys()
    assert sum(e["requests"] for e in data["entries"].values()) > 0
    assert data["cost"] is None or data["cost"]["monthly_usd"] >= 0
    assert_one_outcome_per_request(result)


def assert_one_outcome_per_request(result):
    """Nothing that arrived during warm-up is counted when it ends after it: outcomes never
    outnumber the requests of the window (the difference is what was in flight at the end)."""
    for name, entry in result.entries.items():
        assert entry.succeeded + entry.failed <= entry.requests, name
    for name, node in result.nodes.items():
        assert node.completed + node.errors + node.throttled <= node.requests, name
        assert min(node.completed, node.errors, node.throttled) >= 0, name


def test_results_do_not_depend_on_when_statistics_are_folded(monkeypatch):
    """The engine folds its statistics every so many events; folding after every event
    must give the same numbers. f calls g while g also has its own load, so g's
    invocations end and start at the same instants: a fold inside such an instant would
    count a level one high (changes at one instant apply decreases first)."""
    fixed = lambda ms: {"dist": "fixed", "value": ms}  # noqa: E731
    arch = design({"f": function(duration_ms=fixed(500)), "g": function(duration_ms=fixed(250))},
                  edges=[("f", "g", {"mode": "sync"})],
                  loads=[("f", "constant", {"rate_rps": 4}), ("g", "constant", {"rate_rps": 4})],
                  duration_s=50)
    usual = simulate(arch).to_json()
    monkeypatch.setattr(engine, "CHECK_EVERY_EVENTS", 1)
    monkeypatch.setattr(engine, "FOLD_EVERY_CHECKS", 1)
    assert _close(simulate(arch).to_json(), usual)
    assert usual["nodes"]["g"]["max_concurrency"] == 2


def _close(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9)
    return a == b
