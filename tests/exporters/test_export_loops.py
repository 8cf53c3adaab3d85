"""Designs whose resources would refer to each other round a loop export without a
circular reference: the functions and state machines on the loop are named, and referred
to by ARNs built from their names."""

from __future__ import annotations

import pytest
import yaml

from exporters.cloudformation import template_text
from model.architecture import Architecture, Edge, Node
from model.validation import errors, validate
from tests.exporters.export_helpers import cfn_errors


def _design(provisioned: int) -> Architecture:
    arch = Architecture("Loops")
    arch.add_node(Node("starter", "lambda", {"provisioned_concurrency": provisioned}))
    arch.add_node(Node("flow", "step_functions", {}))
    arch.add_node(Node("poller", "lambda", {}))
    arch.add_node(Node("table", "dynamodb", {}))
    arch.add_edge(Edge("starter", "flow", {"calls": 0.5}))  # starts the workflow...
    arch.add_edge(Edge("flow", "starter", {"order": 1}))  # ...whose task calls it back
    arch.add_edge(Edge("poller", "poller", {"calls": 0.1}))  # invokes itself
    arch.add_edge(Edge("poller", "table", {"action": "write"}))
    return arch


@pytest.mark.parametrize("provisioned", [0, 2])
@pytest.mark.parametrize("sam", [False, True])
def test_reference_loops_export_lint_clean(sam, provisioned):
    arch = _design(provisioned)
    assert not errors(validate(arch))
    text = template_text(arch, sam=sam)
    assert not cfn_errors(text)
    resources = _resources(text)
    assert resources["Flow"]["Properties"]["StateMachineName"] == {"Fn::Sub": "${NamePrefix}-${Stage}-flow"}
    assert resources["Poller"]["Properties"]["FunctionName"] == {"Fn::Sub": "${NamePrefix}-${Stage}-poller"}
    assert resources["Starter"]["Properties"]["FunctionName"] == {"Fn::Sub": "${NamePrefix}-${Stage}-starter"}
    starter_policy = str(resources["StarterRole"]["Properties"]["Policies"])
    assert "stateMachine:${NamePrefix}-${Stage}-flow" in starter_policy  # built, not !Ref Flow


def _resources(text: str) -> dict:
    from importers.cloudformation.intrinsics import SafeCfnLoader

    return yaml.load(text, Loader=SafeCfnLoader)["Resources"]  # noqa: S506 - a SafeLoader subclass
