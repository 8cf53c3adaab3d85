"""OpenAPI definitions of APIs (SAM DefinitionBody/DefinitionUri, AWS::Include, RestApi Body,
S3 locations) become the same edges as SAM Api events and Method/Integration resources."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from exporters import export
from importers import import_template
from model.validation import errors, validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "templates" / "openapi"


def _edges(arch) -> Counter:
    """(source, target, kind, its routes) of every edge; every route an edge serves is kept."""
    return Counter((e.source, e.target, arch.edge_kind(e), tuple(f"{m} {p}" for m, p in e.routes))
                   for e in arch.edges)


def _report(result, category: str) -> list[str]:
    return [n.format() for n in result.notes(category)]


def test_inline_definition_body_routes_two_functions_and_a_dynamodb_put_item():
    result = import_template(FIXTURES / "sam_inline.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({
        ("OrdersApi", "CreateOrder", "invoke", ("POST /orders",)),
        ("OrdersApi", "GetOrder", "invoke", ("GET /orders/{id}",)),
        ("OrdersApi", "Events", "integration", ("PUT /events",)),
        ("OrdersApi", "Health", "invoke", ("GET /health",)),  # a SAM Api event on the same API
    })
    assert arch.find_edge("OrdersApi", "Events").config["action"] == "write"
    assert arch.nodes["OrdersApi"].config["timeout_ms"] == 12000  # timeoutInMillis of GET /orders/{id}
    # /health has no integration in the document: SAM writes it from Health's event, so no warning
    assert _report(result, "unmapped") == []
    assert _report(result, "note") == ["OrdersApi (AWS::Serverless::Api): DefinitionBody: OPTIONS /orders: mock "
                                       "integration, answered by API Gateway itself; no edge"]
    assert _report(result, "mapped_into_edges") == ["ApiRole (AWS::IAM::Role): permissions are derived from "
                                                    "the design's edges"]
    assert "OrdersApi (AWS::Serverless::Api): OrdersApi -> Events (integration; DefinitionBody: PUT /events " \
           "integration)" in _report(result, "edge")
    assert not errors(validate(arch)), [p.format() for p in validate(arch)]


def test_definition_uri_local_yaml_file_with_plain_substitutions_and_an_sqs_subtype():
    result = import_template(FIXTURES / "sam_uri.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({("Api", "Lister", "invoke", ("GET /items",)),
                                    ("Api", "Jobs", "integration", ("POST /jobs",))})
    assert arch.nodes["Api"].config["api_type"] == "http"
    assert _report(result, "unmapped") == []
    assert result.clean
    assert not errors(validate(arch))


def test_aws_include_of_a_local_file_with_a_ref_and_a_step_functions_action():
    result = import_template(FIXTURES / "sam_include.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({("Api", "Checkout", "invoke", ("ANY /checkout",)),
                                    ("Api", "Flow", "integration", ("POST /flows",))})
    assert _report(result, "unmapped") == []
    assert not errors(validate(arch))


def test_rest_api_body_swagger_sqs_path_join_uri_and_http_proxy_reported():
    result = import_template(FIXTURES / "rest_body.json")
    arch = result.architecture
    assert _edges(arch) == Counter({("Api", "Inbox", "integration", ("POST /messages",)),
                                    ("Api", "Status", "invoke", ("GET /status",))})
    assert _report(result, "unmapped") == []
    assert _report(result, "note") == ["Api (AWS::ApiGateway::RestApi): Body: GET /docs: http_proxy integration, "
                                       "an HTTP backend outside the design (https://docs.example.com/); no edge"]
    assert sorted(_report(result, "mapped_into_edges")) == [
        "ApiRole (AWS::IAM::Role): permissions are derived from the design's edges",
        "FnRole (AWS::IAM::Role): permissions are derived from the design's edges"]
    assert not errors(validate(arch))


def test_definitions_in_s3_are_reported_not_read():
    result = import_template(FIXTURES / "s3_locations.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({("SamApi", "Handler", "invoke", ("GET /things",))})
    assert _report(result, "unmapped") == [
        "SamApi (AWS::Serverless::Api): DefinitionUri s3://my-artifacts/api/openapi.yaml: the OpenAPI definition "
        "is in S3, which cannot be read offline; its routes are not imported",
        "IncludedApi (AWS::Serverless::HttpApi): DefinitionBody: AWS::Include Location "
        "s3://123456789012-specs/http.yaml is in S3, which cannot be read offline; the part it includes is not imported",
        "RestApi (AWS::ApiGateway::RestApi): BodyS3Location s3://my-artifacts/rest/swagger.json: the OpenAPI "
        "definition is in S3, which cannot be read offline; its routes are not imported",
    ]
    assert set(arch.nodes) == {"SamApi", "IncludedApi", "RestApi", "Handler"}


def test_malformed_definitions_are_reported_by_path_and_method():
    result = import_template(FIXTURES / "malformed.yaml")
    arch = result.architecture
    # one edge per API and target, carrying every route to it (HEAD /ok imported as ANY /ok)
    assert _edges(arch) == Counter({("Api", "Fn", "invoke", ("GET /ok", "ANY /ok", "GET /ok-too"))})
    api = "Api (AWS::Serverless::Api): DefinitionBody"
    assert _report(result, "unmapped") == [
        f"{api}: path /list-not-map is not a mapping of operations; no edge",
        f"{api}: GET /text-integration: x-amazon-apigateway-integration is not a mapping; no edge",
        f"{api}: POST /odd-type: integration type 'lambda' is not one API Gateway knows; no edge",
        f"{api}: GET /no-integration: no x-amazon-apigateway-integration; no edge",
        f"{api}: DELETE /no-uri: aws_proxy integration without a uri; no edge",
        "NoPaths (AWS::Serverless::HttpApi): DefinitionBody has a 'paths' that is not a mapping; no routes imported",
        "MissingFile (AWS::Serverless::Api): DefinitionUri definitions/not_there.yaml not found next to the "
        "template; its routes are not imported",
        "BadFile (AWS::Serverless::Api): definitions/broken.yaml:5: not valid YAML: expected ',' or ']', but got "
        "'<stream end>'; its routes are not imported",
    ]
    assert _report(result, "note") == [
        # a service action on nothing the design models: kept on the API as written (issue 15)
        f"{api}: PUT /nowhere: integration arn:aws:apigateway:us-east-1:kinesis:action/PutRecord reaches nothing "
        "the design models: the operation is kept as written",
        f"{api}: HEAD /ok: HTTP method HEAD is not one Stratus models; the route is imported as ANY",
    ]
    assert [(o["method"], o["path"]) for o in arch.nodes["Api"].extra["cfn"]["kept_operations"]] == [("PUT", "/nowhere")]


@pytest.mark.parametrize("fmt", ["sam", "cloudformation"])
def test_openapi_routes_survive_export_and_import_again(fmt, tmp_path):
    first = import_template(FIXTURES / "sam_inline.yaml").architecture
    out = tmp_path / "t.yaml"
    export(first, fmt, str(out))
    again = import_template(out).architecture
    assert len(_routes(first)) == 4
    assert _routes(again) == _routes(first)


def _routes(arch) -> list[tuple]:
    """(target label, kind, method, path) of every API edge: labels survive the exporter's renaming."""
    return sorted((arch.nodes[e.target].label or e.target, arch.edge_kind(e), tuple(e.routes))
                  for e in arch.edges if arch.nodes[e.source].service == "api_gateway")


def test_import_command_reports_a_malformed_definition_without_a_traceback(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "main.py", "import", str(FIXTURES / "malformed.yaml"),
                           "-o", str(tmp_path / "d.yaml")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "DefinitionBody: DELETE /no-uri: aws_proxy integration without a uri" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert (tmp_path / "d.yaml").exists()


def test_v2_api_body_and_direct_integrations_stratus_does_not_model_are_reported():
    result = import_template(FIXTURES / "v2_body.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({("HttpApi", "Fn", "invoke", ("GET /fn",))})  # a bare function ARN as uri
    assert arch.nodes["HttpApi"].config["api_type"] == "http"
    # integrations with what no API edge models are kept on the API as written (issue 15)
    assert not _report(result, "unmapped")
    assert _report(result, "note") == [
        "HttpApi (AWS::ApiGatewayV2::Api): Body: POST /events: integration EventBridge-PutEvents reaches nothing "
        "the design models: the operation is kept as written",
        "RestApi (AWS::ApiGateway::RestApi): Body: POST /alerts: integration "
        "arn:aws:apigateway:${AWS::Region}:sns:action/Publish reaches nothing the design models: the operation is "
        "kept as written",
    ]
    assert [[(o["method"], o["path"]) for o in arch.nodes[api].extra["cfn"]["kept_operations"]]
            for api in ("HttpApi", "RestApi")] == [[("POST", "/events")], [("POST", "/alerts")]]
