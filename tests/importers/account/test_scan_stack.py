"""`scan --stack`: the resources of one CloudFormation stack (the orders_api example's
CloudFormation export, created in moto's server) and nothing else of the region."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from exporters.cloudformation import build_template
from importers.account import Scope, scan_account
from tests.importers.account.helpers import deploy, resource_name, session
from tests.moto_sandbox import REGION, client, moto_server

# moto's CloudFormation warns for each resource type it skips; expected here.
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Tried to parse AWS::")]
STACK, CODE_BUCKET = "orders-stack", "stratus-scan-code"


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """The orders_api example twice: deployed with `deploy` (outside any stack) and as a stack."""
    with moto_server() as url:
        arch = deploy(url, "orders_api", tmp_path_factory.mktemp("deployed"))
        client("s3", url).create_bucket(Bucket=CODE_BUCKET)
        template = build_template(arch)
        parameters = []
        for name, spec in template.get("Parameters", {}).items():
            if name == "Stage":
                parameters.append({"ParameterKey": name, "ParameterValue": "scan"})
            elif name == "CodeBucket":
                parameters.append({"ParameterKey": name, "ParameterValue": CODE_BUCKET})
            elif name == "ProvisionedConcurrency":
                parameters.append({"ParameterKey": name, "ParameterValue": "disabled"})
            elif name.endswith("CodeKey"):
                client("s3", url).put_object(Bucket=CODE_BUCKET, Key=spec["Default"], Body=_package())
        client("cloudformation", url).create_stack(StackName=STACK, TemplateBody=json.dumps(template),
                                                   Parameters=parameters, Capabilities=["CAPABILITY_IAM"])
        yield url, arch, template


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def test_a_stack_scan_keeps_that_stack_only(account):
    url, arch, template = account
    scan = scan_account(session(), REGION, scope=Scope(stack=STACK), endpoint_url=url)
    scanned = scan.architecture
    # One node per resource of the nine services in the template, named by its logical id.
    node_types = {"AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::DynamoDB::Table", "AWS::ApiGateway::RestApi"}
    logical = {key for key, res in template["Resources"].items() if res["Type"] in node_types}
    assert set(scanned.nodes) == logical and len(scanned.nodes) == len(arch.nodes)
    deployed_names = {resource_name(arch, nid) for nid in arch.nodes}
    assert not deployed_names & {n.extra["aws"]["name"] for n in scanned.nodes.values()}
    absorbed = {n.logical_id for n in scan.result.notes("absorbed")}
    assert {"CreateOrderRole", "CreateOrderPermissionOrdersApi"} <= absorbed  # reported by name
    routes = {(e.config["method"], e.config["path"], e.target) for e in scanned.edges
              if scanned.nodes[e.source].service == "api_gateway"}
    assert routes == {("POST", "/orders", "CreateOrder"), ("GET", "/orders", "ListOrders"),
                      ("GET", "/orders/{id}", "GetOrder")}
