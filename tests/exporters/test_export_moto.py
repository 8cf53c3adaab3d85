"""Deploy the CloudFormation and SAM exports of every example into moto's server and find
every node's resource through its own service's API.

moto's CloudFormation silently skips types it does not implement — among those we write:
AWS::ApiGateway::Stage/Account, AWS::ApiGatewayV2::*, AWS::SNS::Subscription,
AWS::SNS::TopicPolicy, AWS::SQS::QueuePolicy, AWS::S3::BucketPolicy,
AWS::Lambda::EventInvokeConfig and AWS::Lambda::Alias — so a CREATE_COMPLETE status proves
little. What is checked instead: each node's logical id has a physical id in the stack,
and that id is listed by lambda.list_functions, dynamodb.list_tables, sqs.list_queues,
sns.list_topics, kinesis.list_streams, s3.list_buckets, stepfunctions.list_state_machines,
apigateway.get_rest_apis or events.list_event_buses. (HTTP APIs are ApiGatewayV2, which
moto's CloudFormation does not create; the examples use REST APIs.)

Stacks are created with ProvisionedConcurrency=disabled: moto creates neither Lambda
versions nor aliases, and the alias path is covered by cfn-lint, checkov and unit tests.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from exporters.cloudformation import build_template
from exporters.cloudformation.template import Template
from model.aws.naming import default_prefix
from model.aws.naming import kebab
from model.architecture import Architecture
from tests.exporters.designs import every_edge_design
from tests.exporters.export_helpers import examples
from tests.moto_sandbox import client, moto_server

# moto warns for each type it skips (listed above); that is expected here.
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Tried to parse AWS::")]

DESIGNS = examples() + [("every_edge_rest", every_edge_design("rest"))]
CODE_BUCKET = "stratus-test-code"

def _all(c, operation: str, key: str, field: str | None = None) -> set:
    """Every item of a listing, page after page (moto pages like AWS: 10 streams, 25 APIs...)."""
    items = [item for page in c.get_paginator(operation).paginate() for item in page.get(key, [])]
    return {item[field] if field else item for item in items}


# service -> (client, how to list the physical ids that service knows)
LISTINGS = {
    "lambda": ("lambda", lambda c: _all(c, "list_functions", "Functions", "FunctionName")),
    "dynamodb": ("dynamodb", lambda c: _all(c, "list_tables", "TableNames")),
    # Queue URLs carry moto's host: compare queue names.
    "sqs": ("sqs", lambda c: {u.rsplit("/", 1)[-1] for u in _all(c, "list_queues", "QueueUrls")}),
    "sns": ("sns", lambda c: _all(c, "list_topics", "Topics", "TopicArn")),
    # moto pages streams by ExclusiveStartStreamName, not the paginator's NextToken: one big page.
    "kinesis": ("kinesis", lambda c: set(c.list_streams(Limit=10_000)["StreamNames"])),
    "s3": ("s3", lambda c: {b["Name"] for b in c.list_buckets()["Buckets"]}),
    "step_functions": ("stepfunctions", lambda c: _all(c, "list_state_machines", "stateMachines", "stateMachineArn")),
    "api_gateway": ("apigateway", lambda c: _all(c, "get_rest_apis", "items", "id")),
    "eventbridge": ("events", lambda c: {b["Name"] for b in c.list_event_buses()["EventBuses"]}),
}


@pytest.fixture(scope="module")
def moto_url():
    with moto_server() as url:
        s3 = client("s3", url)
        s3.create_bucket(Bucket=CODE_BUCKET)
        yield url


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _parameters(url: str, template: dict, stage: str) -> list[dict]:
    """Values for the parameters without a usable default (and uploads of the packages they name).
    Each flavour deploys as its own Stage: bucket, bus and log group names are fixed per stage."""
    values = []
    for name, spec in template.get("Parameters", {}).items():
        if name == "Stage":
            values.append({"ParameterKey": name, "ParameterValue": stage})
        elif name == "CodeBucket":
            values.append({"ParameterKey": name, "ParameterValue": CODE_BUCKET})
        elif name == "ProvisionedConcurrency":
            values.append({"ParameterKey": name, "ParameterValue": "disabled"})
        elif name.endswith("CodeKey"):
            client("s3", url).put_object(Bucket=CODE_BUCKET, Key=spec["Default"], Body=_package())
    return values


def _sam_to_cloudformation(template: dict, parameters: list[dict]) -> dict:
    from samtranslator.translator.transform import transform

    class FixedManagedPolicies:
        """The translator looks managed policy names up in IAM; ours are given as ARNs, so a
        fixed map (a parser input, not the thing under test) is all it needs."""

        def load(self) -> dict[str, str]:
            return {"AWSLambdaBasicExecutionRole":
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}

    values = {p["ParameterKey"]: p["ParameterValue"] for p in parameters}
    values.update({"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws"})
    return transform(template, values, FixedManagedPolicies())


def _deploy_and_check(url: str, stack: str, arch: Architecture, template: dict, sam: bool) -> None:
    stage = "sam" if sam else "cfn"
    parameters = _parameters(url, template, stage)
    body = _sam_to_cloudformation(template, parameters) if sam else template
    cfn = client("cloudformation", url)
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(body), Parameters=parameters,
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    assert status == "CREATE_COMPLETE", status
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId")
                for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
    names = Template(arch)  # the same logical ids the export used
    listings: dict[str, set] = {}
    checked = 0
    for node_id, node in arch.nodes.items():
        if node.service == "eventbridge" and node.effective_config().get("bus_name", "default") == "default":
            continue  # the account's default bus is not created by the template
        if node.service == "api_gateway" and node.effective_config()["api_type"] == "http":
            continue  # ApiGatewayV2: not implemented by moto's CloudFormation (see above)
        logical_id = names.id(node_id)
        assert logical_id in physical, f"{stack}: {node_id} ({logical_id}) was not created"
        if node.service == "eventbridge":
            # moto records no physical id for an EventBus; its name is the template's fixed one.
            physical[logical_id] = f"{default_prefix(arch)}-{stage}-{kebab(node_id)}"
        assert physical[logical_id], f"{stack}: {node_id} ({logical_id}) has no physical id"
        if node.service == "sqs":
            physical[logical_id] = physical[logical_id].rsplit("/", 1)[-1]
        if node.service not in listings:
            service_client, lister = LISTINGS[node.service]
            listings[node.service] = lister(client(service_client, url))
        assert physical[logical_id] in listings[node.service], \
            f"{stack}: {node.service} does not list {node_id} ({physical[logical_id]})"
        checked += 1
    assert checked >= 1


@pytest.mark.parametrize("name,arch", DESIGNS, ids=[n for n, _ in DESIGNS])
def test_cloudformation_export_deploys_into_moto(moto_url, name, arch):
    _deploy_and_check(moto_url, f"cfn-{name.replace('_', '-')}", arch, build_template(arch), sam=False)


@pytest.mark.parametrize("name,arch", DESIGNS, ids=[n for n, _ in DESIGNS])
def test_sam_export_translated_offline_deploys_into_moto(moto_url, name, arch, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the translator builds ARNs for this region
    _deploy_and_check(moto_url, f"sam-{name.replace('_', '-')}", arch, build_template(arch, sam=True), sam=True)
