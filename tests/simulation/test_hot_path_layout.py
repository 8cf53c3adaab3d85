"""The hottest behaviours keep their attributes in CPython's compact layout.

CPython 3.11 stores an object's attributes in a compact "split" dict, read by specialised
fast instructions, only while a class's instances have at most about 30 of them; past
that the dict is an ordinary one and every attribute read on the hot path is slower
(case (b) of benchmarks/bench_simulation.py ran about 5 % slower with one attribute more
on LambdaFunction). A behaviour with much state keeps it in `__slots__` (as LambdaFunction
does) or in a small object held by one attribute.
"""

from __future__ import annotations

import sys

import pytest

from simulation.engine import Run, _design_for

from .designs import design, function

# The most attributes seen to keep the split layout (CPython 3.11, the pinned interpreter).
MOST_ATTRIBUTES = 29


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="a CPython layout detail")
def test_hot_behaviours_stay_within_the_compact_attribute_layout():
    arch = design({"api": ("api_gateway", {}), "fn": function(), "table": ("dynamodb", {}),
                   "queue": ("sqs", {}), "worker": function(reserved_concurrency=5)},
                  edges=[("api", "fn", {}), ("fn", "table", {"action": "write"}), ("fn", "queue", {}),
                         ("queue", "worker", {})],
                  loads=[("api", "constant", {"rate_rps": 1})], duration_s=1)
    scenario = arch.scenarios[0]
    run = Run(_design_for(arch, scenario), arch, scenario, 1, 1.0, None)
    for node_id, behaviour in run.nodes.items():
        assert len(vars(behaviour)) <= MOST_ATTRIBUTES, (
            f"{type(behaviour).__name__} has {len(vars(behaviour))} instance attributes: past "
            f"{MOST_ATTRIBUTES} CPython stops using its fast layout; group some in a small object")
