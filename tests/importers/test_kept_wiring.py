"""Wiring an import keeps as written (a definition's tasks outside the design, OpenAPI
operations integrating services outside it) is exported with what it needs to run: the
permissions on the exported role, and the operations' authorisers."""

from __future__ import annotations

from pathlib import Path

import yaml

from exporters.cloudformation import template_text
from importers import import_template
from importers.cloudformation.intrinsics import SafeCfnLoader
from model.architecture import Edge, Node
from model.validation import errors, validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "templates" / "real"


def _lint_errors(text: str) -> list[str]:
    from cfnlint.api import ManualArgs, lint

    return [f"{m.rule.id} {m.message}" for m in lint(text, config=ManualArgs(regions=["us-east-1"]))
            if m.rule.id.startswith("E")]


def _export(arch) -> dict:
    text = template_text(arch)
    assert not _lint_errors(text), _lint_errors(text)
    return yaml.load(text, Loader=SafeCfnLoader)  # noqa: S506 - a SafeLoader subclass


def _role_statements(template: dict, role_id: str) -> list[dict]:
    policies = template["Resources"][role_id]["Properties"]["Policies"]
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def _actions(statements: list[dict]) -> set[str]:
    return {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}


# -- a state machine's kept definition: its role grants what its tasks call ----------------------


def test_a_kept_definition_keeps_the_source_grants_for_its_tasks_and_derives_the_missing_ones():
    result = import_template(FIXTURES / "kept_task_grants.yaml")
    arch = result.architecture
    assert not [p.format() for p in errors(validate(arch))]
    template = _export(arch)
    machine = template["Resources"]["Flow"]["Properties"]
    assert "ecs:runTask.sync" in str(machine["DefinitionString"])  # the definition is the source's
    role_id = machine["RoleArn"]["Fn::GetAtt"][0]
    statements = _role_statements(template, role_id)
    by_action = {a: s for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    # the source's own statements, as written (its resource, its condition, its parameter)
    assert by_action["ecs:RunTask"]["Resource"] == {
        "Fn::Sub": "arn:aws:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/report:*"}
    assert by_action["iam:PassRole"]["Resource"] == {"Ref": "TaskRoleArn"}
    assert by_action["iam:PassRole"]["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    assert template["Parameters"]["TaskRoleArn"]["Default"] == "arn:aws:iam::123456789012:role/report-task"
    # what .sync and Bedrock need that the source did not grant: derived, and said so
    assert {"ecs:StopTask", "ecs:DescribeTasks", "events:PutTargets", "events:PutRule", "events:DescribeRule",
            "bedrock:InvokeModel"} <= _actions(statements)
    assert by_action["events:PutRule"]["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:"
                                                                  "${AWS::AccountId}:rule/StepFunctionsGetEventsForECSTaskRule"}
    derived = template["Metadata"]["Stratus"]["DerivedPermissions"][role_id]
    assert any("bedrock:InvokeModel" in line and "'Summarise'" in line for line in derived)
    assert not any(line.startswith(("ecs:RunTask", "iam:PassRole")) for line in derived)  # the source's
    assert "lambda:InvokeFunction" in _actions(statements)  # the design's own task edge still granted
    assert any("bedrock:InvokeModel" in n.message and "derived" in n.message for n in result.report)
    # once the design's tasks change, the definition is written from its edges, without them
    arch.add_node(Node("Second", "lambda", {}))
    arch.add_edge(Edge("Flow", "Second", {"order": 2}))
    template = _export(arch)
    role_id = template["Resources"]["Flow"]["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    assert not {"ecs:RunTask", "bedrock:InvokeModel"} & _actions(_role_statements(template, role_id))
    assert "DerivedPermissions" not in (template.get("Metadata") or {}).get("Stratus", {})


# -- kept OpenAPI operations: their authorisers, and the grants of the role they share ----------


def _by_type(template: dict, rtype: str) -> dict[str, dict]:
    return {k: r["Properties"] for k, r in template["Resources"].items() if r["Type"] == rtype}


def test_kept_rest_operations_keep_their_authorisers():
    arch = import_template(FIXTURES / "kept_operation_auth.yaml").architecture
    assert [(o["method"], o["path"]) for o in arch.nodes["Files"].extra["cfn"]["kept_operations"]] == [
        ("GET", "/files/{key}"), ("POST", "/sentiment")]
    template = _export(arch)
    methods = {(m["HttpMethod"], m["ResourceId"]["Ref"]): m for m in _by_type(template, "AWS::ApiGateway::Method").values()}
    files = next(m for (verb, resource), m in methods.items() if verb == "GET" and "Files" in resource)
    # the document's default security: the Lambda token authoriser its scheme defines
    assert files["AuthorizationType"] == "CUSTOM"
    authorizer = _by_type(template, "AWS::ApiGateway::Authorizer")[files["AuthorizerId"]["Ref"]]
    assert authorizer["Type"] == "TOKEN" and authorizer["RestApiId"] == {"Ref": "Files"}
    assert authorizer["IdentitySource"] == "method.request.header.X-Token"
    assert "${Authoriser.Arn}" in authorizer["AuthorizerUri"]["Fn::Sub"] and "Authoriser" in template["Resources"]
    assert authorizer["AuthorizerResultTtlInSeconds"] == 300
    sentiment = next(m for (verb, _), m in methods.items() if verb == "POST" and m is not files
                     and m["Integration"]["Type"] == "AWS" and "comprehend" in str(m["Integration"]["Uri"]))
    assert sentiment["AuthorizationType"] == "AWS_IAM"  # x-amazon-apigateway-auth
    jobs = next(m for m in methods.values() if "sqs" in str(m["Integration"]["Uri"]))
    assert jobs["AuthorizationType"] == "NONE"  # `security: []`: open, as the source said


def test_kept_http_operations_keep_their_jwt_authoriser_and_scopes():
    template = _export(import_template(FIXTURES / "kept_operation_auth.yaml").architecture)
    route = next(r for r in _by_type(template, "AWS::ApiGatewayV2::Route").values() if r["RouteKey"] == "POST /")
    assert route["AuthorizationType"] == "JWT" and route["AuthorizationScopes"] == ["orders/write"]
    authorizer = _by_type(template, "AWS::ApiGatewayV2::Authorizer")[route["AuthorizerId"]["Ref"]]
    assert authorizer["AuthorizerType"] == "JWT" and authorizer["IdentitySource"] == ["$request.header.Authorization"]
    assert authorizer["JwtConfiguration"] == {
        "Audience": ["orders-client"], "Issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"}


def test_kept_operations_sharing_the_apis_mapped_role_keep_its_grants_on_the_exported_role():
    result = import_template(FIXTURES / "kept_operation_auth.yaml")
    template = _export(result.architecture)
    kept = [m["Integration"] for m in _by_type(template, "AWS::ApiGateway::Method").values()
            if "s3:path" in str(m["Integration"]["Uri"]) or "comprehend" in str(m["Integration"]["Uri"])]
    role_ids = {i["Credentials"]["Fn::GetAtt"][0] for i in kept}
    assert len(role_ids) == 1 and "GatewayRole" not in template["Resources"]  # absorbed into the API's role
    role_id, = role_ids
    assert template["Resources"][role_id]["Type"] == "AWS::IAM::Role"
    statements = _role_statements(template, role_id)
    by_action = {a: s for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert by_action["s3:GetObject"]["Resource"] == "arn:aws:s3:::my-bucket/*"  # the source's statement
    assert by_action["sqs:SendMessage"]["Resource"] == {"Fn::GetAtt": ["Jobs", "Arn"]}  # the design's edge
    assert "comprehend:DetectSentiment" in by_action  # granted by none: derived, and said so
    derived = template["Metadata"]["Stratus"]["DerivedPermissions"][role_id]
    assert [line.split(":")[0:2] for line in derived] == [["comprehend", "DetectSentiment"]]


# -- the same in Terraform --------------------------------------------------------------------


def _terraform(arch) -> dict:
    import hcl2

    from exporters.terraform import config_files

    main = _unquoted(hcl2.loads(config_files(arch)["main.tf"]))
    return {(rtype, name): body for block in main["resource"] for rtype, named in block.items()
            for name, body in named.items()}


def _unquoted(value):
    """python-hcl2 5 keeps a string's quotes (in keys too); older versions do not."""
    if isinstance(value, str):
        return value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value
    if isinstance(value, dict):
        return {_unquoted(k): _unquoted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unquoted(v) for v in value]
    return value


def _by_tf_type(resources: dict, rtype: str) -> dict[str, dict]:
    return {name: body for (t, name), body in resources.items() if t == rtype}


def test_kept_operations_are_written_in_terraform_with_their_authorisers_and_grants():
    resources = _terraform(import_template(FIXTURES / "kept_operation_auth.yaml").architecture)
    methods = _by_tf_type(resources, "aws_api_gateway_method")
    files = next(m for name, m in methods.items() if "files_key" in name)
    assert files["authorization"] == "CUSTOM"
    authorizer_name = files["authorizer_id"].strip("${}").split(".")[1]
    authorizer = _by_tf_type(resources, "aws_api_gateway_authorizer")[authorizer_name]
    assert authorizer["type"] == "TOKEN" and authorizer["identity_source"] == "method.request.header.X-Token"
    assert "aws_lambda_function.authoriser.arn" in authorizer["authorizer_uri"]
    # API Gateway may call the authoriser (the source's permission is a CloudFormation resource)
    permission, = _by_tf_type(resources, "aws_lambda_permission").values()
    assert permission["principal"] == "apigateway.amazonaws.com" and authorizer_name in permission["source_arn"]
    assert next(m for name, m in methods.items() if "sentiment" in name)["authorization"] == "AWS_IAM"
    integrations = _by_tf_type(resources, "aws_api_gateway_integration")
    s3 = next(i for name, i in integrations.items() if "files_key" in name)
    assert s3["uri"] == "arn:aws:apigateway:${data.aws_region.current.name}:s3:path/my-bucket/{key}"
    assert s3["credentials"] == "${aws_iam_role.files_role.arn}"
    deployment, = _by_tf_type(resources, "aws_api_gateway_deployment").values()
    assert any("files_get_files_key" in str(d) for d in deployment["depends_on"])  # deployed with the API
    route = next(r for r in _by_tf_type(resources, "aws_apigatewayv2_route").values() if r["route_key"] == "POST /")
    assert route["authorization_type"] == "JWT" and route["authorization_scopes"] == ["orders/write"]
    jwt = _by_tf_type(resources, "aws_apigatewayv2_authorizer")[route["authorizer_id"].strip("${}").split(".")[1]]
    assert jwt["identity_sources"] == ["$request.header.Authorization"]
    assert jwt["jwt_configuration"][0]["audience"] == ["orders-client"]
    kept_policies = {name: p for name, p in _by_tf_type(resources, "aws_iam_role_policy").items()
                     if p["name"] == "kept-wiring"}
    assert {p["role"] for p in kept_policies.values()} == {"${aws_iam_role.files_role.id}",
                                                           "${aws_iam_role.events_role.id}"}
    files_policy = next(p["policy"] for p in kept_policies.values() if "files_role" in p["role"])
    assert "s3:GetObject" in files_policy and "comprehend:DetectSentiment" in files_policy


def test_a_kept_operation_terraform_cannot_hold_is_left_out_and_said():
    from exporters.terraform import config_files

    arch = import_template(FIXTURES / "outside_operations.yaml").architecture  # credentials: a kept CFN role
    main = config_files(arch)["main.tf"]
    assert "kept from the import but not written here, as it refers to S3Reader.Arn" in main
    resources = _terraform(arch)
    assert not [m for name, m in _by_tf_type(resources, "aws_api_gateway_method").items() if "files_key" in name]


def test_kept_operations_behind_sams_auth_keep_the_authorisers_sam_would_have_added():
    arch = import_template(FIXTURES / "kept_operation_sam_auth.yaml").architecture
    template = _export(arch)
    methods = {m["HttpMethod"]: m for m in _by_type(template, "AWS::ApiGateway::Method").values()}
    authorizers = _by_type(template, "AWS::ApiGateway::Authorizer")
    # DefaultAuthorizer: the Lambda token authoriser, with the permission SAM made for it
    gate = authorizers[methods["GET"]["AuthorizerId"]["Ref"]]
    assert methods["GET"]["AuthorizationType"] == "CUSTOM"
    assert gate["Type"] == "TOKEN" and gate["IdentitySource"] == "method.request.header.X-Gate"
    assert gate["AuthorizerResultTtlInSeconds"] == 60
    assert gate["AuthorizerUri"]["Fn::Sub"][1] == {"Function": {"Fn::GetAtt": ["Gate", "Arn"]}}
    permission, = _by_type(template, "AWS::Lambda::Permission").values()
    assert permission["FunctionName"] == {"Fn::GetAtt": ["Gate", "Arn"]}
    assert permission["SourceArn"]["Fn::Sub"][1]["Authorizer"] == methods["GET"]["AuthorizerId"]
    # an operation's own security: the Cognito authoriser, with its scopes
    assert methods["PUT"]["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert methods["PUT"]["AuthorizationScopes"] == ["files/write"]
    assert authorizers[methods["PUT"]["AuthorizerId"]["Ref"]]["ProviderARNs"] == [
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example"]
    route, = _by_type(template, "AWS::ApiGatewayV2::Route").values()
    assert route["AuthorizationType"] == "JWT"
    assert _by_type(template, "AWS::ApiGatewayV2::Authorizer")[route["AuthorizerId"]["Ref"]]["JwtConfiguration"][
        "Issuer"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"
    resources = _terraform(arch)
    methods = {m["http_method"]: m for m in _by_tf_type(resources, "aws_api_gateway_method").values()}
    assert methods["GET"]["authorization"] == "CUSTOM" and methods["PUT"]["authorization_scopes"] == ["files/write"]
    assert len(_by_tf_type(resources, "aws_lambda_permission")) == 1
    route, = _by_tf_type(resources, "aws_apigatewayv2_route").values()
    assert route["authorization_type"] == "JWT"
