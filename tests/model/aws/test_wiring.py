"""The wiring table covers every service and edge rule of the catalogue, and each format can
write every attribute the wiring asks of a node: adding a service or an edge rule without
its rows fails here, naming the missing row, rather than deep inside one exporter."""

from __future__ import annotations

import pytest

from model.aws import iam, wiring
from exporters.cloudformation import render as cfn
from exporters.terraform import render as tf
from model.architecture import Architecture, Edge, Node
from model.catalogue import EDGE_RULES, SERVICES


def _attributes_asked(service: str) -> set[str]:
    """Attributes the wiring may ask of a node of `service` (as a source or a target)."""
    asked = {wiring.ARN, wiring.HANDLE[service]}
    if service in wiring.EVENT_SOURCES:
        asked.add(wiring.EVENT_SOURCES[service].source_attribute)
    if service in wiring.HTTP_INTEGRATIONS:
        asked |= {v.name for v in wiring.HTTP_INTEGRATIONS[service]({"fifo": True}).parameters.values()
                  if isinstance(v, wiring.Attribute)}
    return asked


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_service_has_a_handle_and_each_format_writes_its_attributes(service):
    assert service in wiring.HANDLE, f"wiring.HANDLE has no row for {service}"
    for attribute in _attributes_asked(service):
        in_cfn = (service, attribute) in cfn.COMPUTED_ATTRIBUTES or attribute in cfn.ATTRIBUTES.get(service, {})
        assert in_cfn, f"cloudformation.render cannot write {service}.{attribute}"
    assert service in tf.TYPES or service in tf.VARIANT_TYPES, f"terraform.render has no resource type for {service}"


@pytest.mark.parametrize("rule", EDGE_RULES, ids=lambda r: f"{r.source}-{r.kind}-{r.target}")
def test_every_wired_edge_rule_has_its_rows(rule):
    rows = {
        "event_source": (wiring.EVENT_SOURCES, rule.source),
        "subscription": (wiring.SUBSCRIPTIONS, rule.target),
        "integration": (wiring.REST_INTEGRATIONS, rule.target),
    }
    if rule.kind in rows:
        table, key = rows[rule.kind]
        assert key in table, f"no wiring row for {rule.kind} {rule.source} -> {rule.target}"
    if rule.kind == "notification" and rule.target not in wiring.BUCKET_WIDE_NOTIFICATIONS:
        assert rule.target in cfn.S3_NOTIFICATION_KEYS and rule.target in tf.NOTIFICATION_BLOCKS
    granted = (rule.kind, rule.target) in iam.RESOURCE_POLICY_KINDS and rule.source != "lambda"
    if granted:
        assert rule.source in wiring.GRANT_SOURCES, f"no wiring.GRANT_SOURCES row for {rule.source}"


def _design() -> tuple[Architecture, Edge, Edge]:
    arch = Architecture("w", "us-east-1")
    for node_id, service in (("q", "sqs"), ("s", "kinesis"), ("f", "lambda")):
        arch.add_node(Node(node_id, service, {}))
    queue = Edge("q", "f", {"batch_size": 7, "max_concurrency": 4}, kind="event_source")
    stream = Edge("s", "f", {"batch_window_s": 3, "starting_position": "TRIM_HORIZON"}, kind="event_source")
    arch.add_edge(queue)
    arch.add_edge(stream)
    return arch, queue, stream


def test_mapping_parameters_use_api_names_and_terraform_arguments_follow():
    arch, queue, stream = _design()
    assert wiring.mapping_parameters(arch, queue) == {
        "BatchSize": 7, "ScalingConfig": {"MaximumConcurrency": 4},
        "FunctionResponseTypes": ["ReportBatchItemFailures"]}
    assert "FunctionResponseTypes" not in wiring.mapping_parameters(arch, queue, fixed=False)
    params = wiring.mapping_parameters(arch, stream)
    assert params["MaximumBatchingWindowInSeconds"] == 3 and params["BisectBatchOnFunctionError"] is True
    assert params["StartingPosition"] == "TRIM_HORIZON" and "ScalingConfig" not in params
    body = tf.arguments(wiring.mapping_parameters(arch, queue))
    assert body["batch_size"] == 7 and body["function_response_types"] == ["ReportBatchItemFailures"]
    assert [(b.type, b.body) for b in body["blocks"]] == [("scaling_config", {"maximum_concurrency": 4})]
