"""An API edge with several routes exports one method (REST) or route (HTTP) per route,
sharing the edge's integration; CloudFormation, SAM and Terraform alike."""

from __future__ import annotations

import hcl2
import pytest

from exporters.cloudformation import template_text
from exporters.terraform import config_files
from model.architecture import Architecture, Edge, Node
from model.validation import errors, validate
from tests.exporters.export_helpers import cfn_errors


def _design(api_type: str) -> Architecture:
    arch = Architecture("Routes")
    arch.add_node(Node("api", "api_gateway", {"api_type": api_type}))
    arch.add_node(Node("items", "lambda", {}))
    arch.add_node(Node("jobs", "sqs", {}))
    arch.add_edge(Edge("api", "items", {"routes": ["GET /items", "POST /items", "GET /items/{id}"]}))
    arch.add_edge(Edge("api", "jobs", {"method": "POST", "path": "/jobs"}))  # the older form
    return arch


@pytest.mark.parametrize("api_type", ["rest", "http"])
def test_every_route_of_an_edge_is_exported(api_type):
    arch = _design(api_type)
    assert not errors(validate(arch))
    for sam in (False, True):
        text = template_text(arch, sam=sam)
        assert not cfn_errors(text)
        if api_type == "rest":
            assert text.count("Type: AWS::ApiGateway::Method") == 4
        else:
            assert text.count("Type: AWS::ApiGatewayV2::Route") == 4
            assert text.count("Type: AWS::ApiGatewayV2::Integration") == 2  # one per target
    main = hcl2.loads(config_files(arch)["main.tf"])
    types = [t for block in main["resource"] for t in block]
    if api_type == "rest":
        assert types.count('"aws_api_gateway_method"') + types.count("aws_api_gateway_method") == 4
    else:
        assert types.count('"aws_apigatewayv2_route"') + types.count("aws_apigatewayv2_route") == 4
        assert types.count('"aws_apigatewayv2_integration"') + types.count("aws_apigatewayv2_integration") == 2
