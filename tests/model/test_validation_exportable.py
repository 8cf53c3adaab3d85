"""The validator refuses what no export could write (found by the property test in
tests/exporters/test_export_property.py): a dead-letter redrive that comes back to its
queue (a circular reference) and a rate a scheduled rule does not take."""

from __future__ import annotations

import pytest

from model.architecture import Architecture, Edge, Node
from model.validation import errors, validate


def _queues(*redrives: tuple[str, str]) -> Architecture:
    arch = Architecture("q", "us-east-1")
    for name in ("a", "b", "c"):
        arch.add_node(Node(name, "sqs", {}))
    for source, target in redrives:
        arch.add_edge(Edge(source, target, {"calls": 0.5}, kind="dead_letter"))
    return arch


@pytest.mark.parametrize("redrives, loop", [
    ((("a", "a"),), "a -> a"),
    ((("a", "b"), ("b", "c"), ("c", "a")), "a -> b -> c -> a"),
])
def test_dead_letter_queues_that_come_back_are_refused(redrives, loop):
    messages = [p.message for p in errors(validate(_queues(*redrives)))]
    assert f"dead-letter queues go round: {loop}; a queue's dead-letter queue must be another queue that does " \
           "not redrive back to it" in messages


def test_a_chain_of_dead_letter_queues_is_fine():
    assert not errors(validate(_queues(("a", "b"), ("b", "c"))))


@pytest.mark.parametrize("schedule, ok", [
    ("rate(1 minute)", True), ("rate(5 minutes)", True), ("cron(0 2 * * ? *)", True),
    ("rate(5 minute)", False), ("rate(1 hours)", False), ("rate(0 minutes)", False), ("cron(0 2 * *)", False),
])
def test_schedules_are_what_an_eventbridge_rule_takes(schedule, ok):
    arch = Architecture("s", "us-east-1")
    arch.add_node(Node("bus", "eventbridge", {}))
    arch.add_node(Node("fn", "lambda", {}))
    arch.add_edge(Edge("bus", "fn", {"schedule": schedule, "fraction": 0}))
    assert (not errors(validate(arch))) is ok
