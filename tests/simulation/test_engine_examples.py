"""Every example design simulates every scenario without error (shortened runs), and its
counts describe one set of requests: those that arrived in the measured window."""

import json

import pytest

from model.designfile import load_design
from simulation.engine import simulate
from tests.conftest import example_paths

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
