"""A property of the exporters: any design that validates exports to CloudFormation, SAM
and Terraform, the CloudFormation and SAM templates pass cfn-lint with no error and the
Terraform files parse (python-hcl2). Designs are drawn from the catalogue: its services,
the choices of their choice and true/false settings, and the edges its rules allow with
their own settings (routes, schedules, loops that end by themselves included)."""

from __future__ import annotations

import hcl2
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from exporters.cloudformation import template_text
from exporters.terraform import config_files
from model.architecture import Architecture, Edge, Node
from model.catalogue import SERVICES, rules_between
from model.validation import errors, validate
from tests.exporters.export_helpers import cfn_errors

# Settings the catalogue's choices do not reach but that change what is exported.
EXTRA_SETTINGS = {"lambda": ({"provisioned_concurrency": 2}, {"reserved_concurrency": 5}),
                  "eventbridge": ({"bus_name": "orders"},)}


@st.composite
def node_config(draw, service: str) -> dict:
    config = {}
    for field in SERVICES[service].fields:
        if field.kind in ("choice", "bool") and draw(st.booleans()):
            config[field.name] = draw(st.sampled_from(field.choices or (True, False)))
    for extra in EXTRA_SETTINGS.get(service, ()):
        if draw(st.booleans()):
            config.update(extra)
    return config


@st.composite
def designs(draw) -> Architecture:
    arch = Architecture("Property")
    services = draw(st.lists(st.sampled_from(sorted(SERVICES)), min_size=2, max_size=6))
    for index, service in enumerate(services):
        arch.add_node(Node(f"{service}_{index}", service, draw(node_config(service))))
    ids = list(arch.nodes)
    pairs = [(s, t, rule) for s in ids for t in ids
             for rule in rules_between(arch.nodes[s].service, arch.nodes[t].service)]
    assume(pairs)
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=8, unique_by=lambda p: (p[0], p[1], p[2].kind)))
    for number, (source, target, rule) in enumerate(chosen):
        config = {}
        for field in rule.fields:
            if field.kind in ("choice", "bool") and field.name != "method" and draw(st.booleans()):
                config[field.name] = draw(st.sampled_from(field.choices or (True, False)))
        if rule.field("routes"):
            config["routes"] = [f"GET /r{number}"] + ([f"POST /r{number}/{{id}}"] if draw(st.booleans()) else [])
        if rule.field("schedule") and draw(st.booleans()):
            config.update(schedule="rate(5 minutes)", fraction=0)
        if draw(st.booleans()):
            config["calls"] = 0.5  # a loop through this edge ends by itself
        arch.add_edge(Edge(source, target, config, kind=rule.kind))
    return arch


# Each example lints two templates (about a second each, several on a busy machine): eight
# keep the test under a minute even with the machine shared (ten took 62 s there). No
# shrinking (it would lint hundreds of templates): a failure prints its design.
@settings(max_examples=8, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(designs())
def test_a_design_that_validates_exports_to_every_format_lint_clean(arch):
    assume(not errors(validate(arch)))
    for sam in (False, True):
        found = cfn_errors(template_text(arch, sam=sam))
        assert not found, (("SAM" if sam else "CloudFormation"), found, _summary(arch))
    for name, text in config_files(arch).items():
        hcl2.loads(text)  # raises on a syntax error


def _summary(arch: Architecture) -> dict:
    return {"nodes": {n.id: n.config for n in arch.nodes.values()},
            "edges": [(e.source, e.target, e.kind, e.config) for e in arch.edges]}
