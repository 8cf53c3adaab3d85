"""The engine drives behaviours through a declared protocol and prices declared counters.

- The engine knows no service: it imports no service's behaviour, and per-service rules
  (Lambda's shared concurrency, its memory rescaling) are hooks a behaviour implements.
- Usage counters are declared per service (cost.SERVICE_PRICING): a misspelt counter fails
  at once wherever it is written: counted by a behaviour, read by a price model, or given
  to estimate_cost; it never prices at $0 in silence.
"""

import ast
import glob
import os
from pathlib import Path

import pytest

from model.designfile import load_design
from simulation import cost
from simulation.behaviours import REGISTRY
from simulation.behaviours.lambda_ import LambdaFunction
from simulation.cost import SERVICE_PRICING, PriceModel, estimate_cost, usage_counters
from simulation.engine import Run, simulate

from .designs import design, function

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(glob.glob(str(ROOT / "assets" / "examples" / "*.yaml")))


def test_the_engine_imports_no_service_behaviour_and_names_no_service():
    tree = ast.parse((ROOT / "simulation" / "engine.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert {m for m in imported if m.startswith("behaviours")} == {"behaviours", "behaviours.base"}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    classes = {cls.__name__ for cls in REGISTRY.values()}
    assert not {n for n in names if n in classes or any(s in n.lower() for s in REGISTRY)}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: os.path.basename(p))
def test_the_simulator_counts_exactly_the_declared_counters(path):
    arch = load_design(path)
    scenario = arch.scenarios[0]
    result = simulate(arch, scenario.name, duration_s=scenario.warmup_s + 5, base_dir=os.path.dirname(path))
    for node_id, node in arch.nodes.items():
        assert tuple(result.usage[node_id]) == usage_counters(node.service), node_id


def _fn_behaviour():
    arch = design({"fn": function()}, loads=[("fn", "constant", {"rate_rps": 1})], duration_s=5)
    return Run(arch, arch, arch.scenarios[0], 1, 5.0, None).nodes["fn"]


def test_counting_a_misspelt_counter_fails_at_once():
    fn = _fn_behaviour()
    fn.count("requests")
    assert fn.usage["requests"] == 1.0
    with pytest.raises(KeyError, match="'reqeusts' is not a usage counter of lambda"):
        fn.count("reqeusts")
    with pytest.raises(KeyError, match="reqeusts"):
        fn.usage["reqeusts"] += 1


def test_a_misspelt_counter_written_at_the_end_of_a_run_fails(monkeypatch):
    def close_usage(self, measured_s):
        self.usage["duration_gbs"] = 1.0

    monkeypatch.setattr(LambdaFunction, "close_usage", close_usage)
    arch = design({"fn": function()}, loads=[("fn", "constant", {"rate_rps": 1})], duration_s=5)
    with pytest.raises(ValueError, match="usage of node 'fn': unknown lambda counter\\(s\\) 'duration_gbs'"):
        simulate(arch)


def test_a_misspelt_counter_given_to_the_cost_model_fails():
    arch = design({"fn": function(), "q": ("sqs", {})})
    assert estimate_cost(arch, {"q": {"requests": 1e6}}, 600).monthly_usd > 0
    with pytest.raises(ValueError, match="usage of node 'q': unknown sqs counter\\(s\\) 'request'"):
        estimate_cost(arch, {"q": {"request": 1e6}}, 600)


def test_a_price_model_reading_an_undeclared_counter_fails(monkeypatch):
    def misspelt(node_id, cfg, use, p):
        return cost._sqs(node_id, cfg, use, p) + [cost._Meter(node_id, "x", use("reqests"), "requests",
                                                              p.flat("sns.publishes"))]

    monkeypatch.setitem(SERVICE_PRICING, "sqs", PriceModel(misspelt, ("requests",)))
    arch = design({"q": ("sqs", {})})
    with pytest.raises(ValueError, match="the sqs price model reads 'reqests', which is not one of its usage counters"):
        estimate_cost(arch, {"q": {"requests": 1e6}}, 600)


def test_every_service_declares_its_counters():
    assert set(SERVICE_PRICING) == set(REGISTRY)
    for service, model in SERVICE_PRICING.items():
        assert model.counters and len(set(model.known)) == len(model.known), service
