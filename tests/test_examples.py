"""The shipped example designs: valid, round-trippable, and together a tour of the catalogue.

Coverage targets are computed from model.catalogue, so a new service, edge rule, load
pattern or distribution makes this test ask for an example that uses it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from model.architecture import Architecture
from model.catalogue import DISTRIBUTIONS, EDGE_RULES, LOAD_PATTERNS, SERVICES
from model.designfile import dump_design, load_design, loads_design
from model.validation import validate

from .conftest import EXAMPLES_DIR, example_paths

EXPECTED_EXAMPLES = {
    "orders_api.yaml", "image_pipeline.yaml", "order_queue.yaml",
    "sns_fanout.yaml", "clickstream.yaml", "eventbridge_workflow.yaml",
}
PATHS = example_paths()


def _load_all() -> dict[str, Architecture]:
    return {p.name: load_design(p) for p in PATHS}


@pytest.fixture(scope="module")
def designs() -> dict[str, Architecture]:
    return _load_all()


def test_expected_examples_exist():
    assert EXPECTED_EXAMPLES <= {p.name for p in PATHS}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_example_is_valid_without_warnings(path: Path):
    arch = load_design(path)
    problems = validate(arch, base_dir=str(path.parent))
    assert problems == [], "\n".join(p.format(str(path)) for p in problems)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_example_has_several_scenarios(path: Path):
    arch = load_design(path)
    assert len(arch.scenarios) >= 2
    assert len({s.name for s in arch.scenarios}) == len(arch.scenarios)
    for scenario in arch.scenarios:
        assert 60 <= scenario.duration_s <= 900, f"{scenario.name}: keep examples quick to simulate"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_example_round_trips(path: Path):
    original = load_design(path)
    text = dump_design(original)
    again = loads_design(text, str(path))
    assert again == original
    assert dump_design(again) == text


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_node_is_labelled_and_placed(path: Path):
    arch = load_design(path)
    for node in arch.nodes.values():
        assert node.label, f"{node.id} has no label"
        assert node.at is not None, f"{node.id} has no position"
    positions = [n.at for n in arch.nodes.values()]
    assert len(set(positions)) == len(positions), "two nodes share a canvas position"


def test_examples_use_every_service(designs):
    used = {n.service for a in designs.values() for n in a.nodes.values()}
    assert set(SERVICES) - used == set()


def test_examples_use_every_edge_rule(designs):
    """Every (source service, target service, kind) the catalogue allows appears somewhere;
    this also covers every edge kind."""
    used = {(a.nodes[e.source].service, a.nodes[e.target].service, a.edge_kind(e))
            for a in designs.values() for e in a.edges}
    wanted = {(r.source, r.target, r.kind) for r in EDGE_RULES}
    assert wanted - used == set()
    assert {r.kind for r in EDGE_RULES} <= {kind for _, _, kind in used}


def test_examples_use_every_load_pattern(designs):
    used = {ld.pattern for a in designs.values() for s in a.scenarios for ld in s.load}
    assert set(LOAD_PATTERNS) - used == set()


def _distribution_specs(arch: Architecture):
    """Every value of a `dist` field in node configs and scenario overrides."""
    configs = [(n.service, n.config) for n in arch.nodes.values()]
    configs += [(arch.nodes[node_id].service, cfg)
                for s in arch.scenarios for node_id, cfg in s.overrides.items()]
    for service, config in configs:
        spec = SERVICES[service]
        for name, value in config.items():
            if spec.field(name) is not None and spec.field(name).kind == "dist":
                yield value


def test_examples_use_every_distribution(designs):
    specs = [v for a in designs.values() for v in _distribution_specs(a)]
    named = {v["dist"] for v in specs if isinstance(v, dict)}
    assert set(DISTRIBUTIONS) - named == set()
    assert any(isinstance(v, (int, float)) for v in specs), "no bare-number (fixed) latency"


def test_overrides_and_warmup_in_several_designs(designs):
    with_overrides = [n for n, a in designs.items() if any(s.overrides for s in a.scenarios)]
    with_warmup = [n for n, a in designs.items() if any(s.warmup_s > 0 for s in a.scenarios)]
    assert len(with_overrides) >= 2
    assert len(with_warmup) >= 2


def test_trace_files_are_well_formed(designs):
    traces = [ld.params["file"] for a in designs.values() for s in a.scenarios
              for ld in s.load if ld.pattern == "trace"]
    assert traces
    for name in traces:
        with open(EXAMPLES_DIR / name, newline="") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        assert header in (["time_s"], ["second", "count"]), f"{name}: header {header}"
        assert body, f"{name} has no rows"
        values = [[float(cell) for cell in row] for row in body]
        assert all(v >= 0 for row in values for v in row)
        firsts = [row[0] for row in values]
        assert firsts == sorted(firsts), f"{name}: times must not go backwards"
