"""What real templates do that broke a round trip (issue 15), each on a small fixture
written for it: the import goes on, the design validates, and nothing is lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from importers import import_template
from importers.terraform.modules import heredocs_normalised
from model.validation import errors, validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "templates"


def _edges(arch) -> Counter:
    return Counter((e.source, e.target, arch.edge_kind(e)) for e in arch.edges)


def _problems(arch) -> list[str]:
    return [p.format() for p in errors(validate(arch))]


# -- cause 9: heredocs python-hcl2 cannot read as written ----------------------------------


def test_heredoc_end_marker_with_trailing_blanks_and_indented_heredoc_are_read():
    arch = import_template(FIXTURES / "tf_heredoc_trailing_space").architecture
    # the role policy (an indented heredoc closed by "POLICY  \t") is read: its grant is the edge
    assert _edges(arch) == Counter({("worker", "jobs", "send")})
    assert not _problems(arch)


def test_heredocs_are_normalised_as_terraform_reads_them():
    text = 'a = <<-EOT\n    {"x": 1}\n      y\n    EOT  \nb = <<EOF\nkeep  \nEOF\t\nc = "<<not a heredoc"\n'
    assert heredocs_normalised(text) == 'a = <<EOT\n{"x": 1}\n  y\nEOT\nb = <<EOF\nkeep  \nEOF\nc = "<<not a heredoc"\n'
    assert heredocs_normalised("a = <<EOT\nnever closed\n") == "a = <<EOT\nnever closed\n"


# -- cause 4: values unknown offline, references that go round ---------------------------


def test_select_and_find_in_map_over_unknown_values_are_kept_as_references():
    result = import_template(FIXTURES / "real" / "unknown_values.yaml")
    arch = result.architecture
    assert set(arch.nodes) == {"Reminders", "Scheduler"}
    assert _edges(arch)[("Reminders", "Scheduler", "event_source")] == 1
    # the stream label (index 3 of the stream ARN) still names the table it came from
    assert arch.find_edge("Scheduler", "Reminders", "data_access") is not None
    said = [n.message for n in result.report if n.logical_id == "Scheduler" and "offline" in n.message]
    assert any(m.startswith("Fn::Select 3 of") and "a reference to Reminders.StreamArn" in m for m in said)
    assert any(m.startswith("Fn::FindInMap Sizes/Environment/Memory") and "an unknown value" in m for m in said)
    assert "memory_mb" not in arch.nodes["Scheduler"].config  # unknown: the catalogue default stands
    assert not _problems(arch)


def test_split_never_cuts_a_reference_and_select_in_range_still_computes():
    from importers.cloudformation.intrinsics import Resolver

    template = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Parameters": {"Ids": {"Type": "CommaDelimitedList"}}}
    resolver = Resolver(template, "t")
    assert resolver.resolve({"Fn::Split": [":", {"Fn::Sub": "arn:${Q.Arn}:x"}]}) == ["arn", "⟦Q.Arn⟧", "x"]
    assert resolver.resolve({"Fn::Select": [1, {"Fn::Split": [":", {"Fn::Sub": "arn:${Q.Arn}:x"}]}]}) == "⟦Q.Arn⟧"
    assert resolver.resolve({"Fn::Select": [1, {"Ref": "Ids"}]}) == "⟦unknown:Fn::Select⟧"  # no default: one item
    assert len(resolver.unknowns) == 1


def test_self_reference_and_a_cycle_sam_splits_are_noted_and_the_import_goes_on():
    result = import_template(FIXTURES / "real" / "self_reference.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({("Api", "Handler", "invoke")})
    assert [e["logical_id"] for e in arch.extra["extras"]] == ["Graph"]
    warnings = [n.message for n in result.report if n.severity == "warning"]
    assert "Api refers to itself in its properties; the reference is kept as written" in warnings
    assert any("circular reference between resources: Handler -> Graph -> Handler" in m for m in warnings)
    assert not _problems(arch)


# -- cause 7: loops real templates deploy ---------------------------------------------------


def test_loops_are_closed_with_a_stated_share_and_the_design_validates():
    from importers.loops import LOOP_SHARE

    result = import_template(FIXTURES / "real" / "loops.yaml")
    arch = result.architecture
    closing = {(e.source, e.target): e.config.get("calls") for e in arch.edges if "calls" in e.config}
    # the call back to the trigger, the redrive into the source queue, the self-invocation
    assert closing == {("Worker", "Work"): LOOP_SHARE, ("Redriver", "Work"): LOOP_SHARE,
                       ("Poller", "Poller"): LOOP_SHARE}
    said = [n for n in result.report if "closes the loop" in n.message]
    assert {n.logical_id for n in said} == {"Worker", "Redriver", "Poller"}
    assert all(n.severity == "warning" and f"calls {LOOP_SHARE}" in n.message for n in said)
    problems = validate(arch)
    assert not errors(problems)
    assert any("repeats with some probability" in p.message for p in problems)


def test_an_imported_self_invoking_function_exports_without_a_circular_reference():
    arch = import_template(FIXTURES / "real" / "loops.yaml").architecture
    for sam in (False, True):
        resources = _export(arch, sam)["Resources"]  # cfn-lint: no E3004 circular dependency
        assert resources["Poller"]["Properties"]["FunctionName"] == {"Fn::Sub": "${NamePrefix}-${Stage}-poller"}
        assert "FunctionName" not in resources["Worker"]["Properties"]  # not on a loop of references


def test_an_imported_loop_is_simulated_with_geometric_amplification():
    from model.architecture import Load, Scenario
    from simulation.engine import simulate

    arch = import_template(FIXTURES / "real" / "loops.yaml").architecture
    arch.add_scenario(Scenario("loop", duration_s=200, seed=3, load=[Load("Poller", "constant", {"rate_rps": 10})]))
    invocations = simulate(arch, "loop").nodes["Poller"].requests
    assert 2000 / (1 - 0.1) * 0.95 < invocations < 2000 / (1 - 0.1) * 1.05  # 1 + p + p^2 + ... per request


# -- the way back out: export what was imported, lint it --------------------------------


def _export(arch, sam: bool = False) -> dict:
    import yaml

    from exporters.cloudformation import template_text
    from importers.cloudformation.intrinsics import SafeCfnLoader

    text = template_text(arch, sam=sam)
    assert not _lint_errors(text), _lint_errors(text)
    return yaml.load(text, Loader=SafeCfnLoader)  # noqa: S506 - a SafeLoader subclass


def _lint_errors(text: str) -> list[str]:
    from cfnlint.api import ManualArgs, lint

    return [f"{m.rule.id} {m.message}" for m in lint(text, config=ManualArgs(regions=["us-east-1"]))
            if m.rule.id.startswith("E")]


# -- cause 1: the source's Parameters, Conditions and Mappings --------------------------------


def test_parameters_conditions_and_mappings_that_kept_resources_use_are_exported():
    result = import_template(FIXTURES / "real" / "parameters_conditions.yaml")
    arch = result.architecture
    assert not _problems(arch)
    for sam in (False, True):
        template = _export(arch, sam)
        params = template["Parameters"]
        assert params["VpcId"] == {"Type": "AWS::EC2::VPC::Id", "Description": "The VPC the workers run in"}
        assert params["Subnets"] == {"Type": "List<AWS::EC2::Subnet::Id>"}
        assert params["Env"] == {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]}
        assert "AlarmTopicArn" in params and "Unused" not in params
        assert set(template["Conditions"]) >= {"IsProd", "HasAlarmTopic", "Alarmed"}
        assert template["Mappings"] == {"Retention": {"dev": {"Days": 7}, "prod": {"Days": 30}}}
        resources = template["Resources"]
        assert resources["WorkerSecurityGroup"]["Properties"]["VpcId"] == {"Ref": "VpcId"}  # not a literal
        assert resources["Endpoint"]["Properties"]["SubnetIds"] == {"Ref": "Subnets"}
        # a resource whose condition is false with the defaults is kept, with its condition
        assert resources["Backlog"]["Condition"] == "Alarmed"
        assert resources["Backlog"]["Properties"]["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["Jobs", "QueueName"]}


# -- cause 2: SAM types kept under extras ----------------------------------------------------


def test_sam_extras_keep_the_serverless_transform_in_the_cloudformation_export():
    arch = import_template(FIXTURES / "real" / "sam_extras.yaml").architecture
    assert {e["type"] for e in arch.extra["extras"]} == {"AWS::Serverless::LayerVersion", "AWS::Serverless::Application"}
    template = _export(arch)
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert template["Resources"]["Shared"]["Type"] == "AWS::Serverless::LayerVersion"


# -- cause 3: references to what was absorbed, logical ids, outside targets ----------------------


def test_kept_resources_point_at_what_the_export_writes_for_absorbed_and_sam_generated_ones():
    result = import_template(FIXTURES / "real" / "absorbed_references.yaml")
    arch = result.architecture
    assert arch.extra["imported_from"]["parts"]["ordersApi.Stage"] == ["ordersApi", "stage"]
    kept = {e["logical_id"]: e for e in arch.extra["extras"]}
    assert set(kept) == {"Plan", "Key", "PlanKey", "Audit", "Nightly", "BalancerPermission", "Firewall", "UrlParameter",
                         "HandlerUrl", "HandlerUrlPublicPermissions"}
    assert kept["HandlerUrl"]["properties"] == {"TargetFunctionArn": {"Ref": "Handler"}, "AuthType": "NONE"}
    assert [t["Id"] for t in kept["Nightly"]["properties"]["Targets"]] == ["audit"]  # the other one is an edge
    assert _edges(arch)[("DefaultEventBus", "Handler", "rule_target")] == 1
    template = _export(arch)
    resources = template["Resources"]
    assert resources["ordersApi"]["Type"] == "AWS::ApiGateway::RestApi"  # the imported logical id, not OrdersApi
    stage = next(k for k, r in resources.items() if r["Type"] == "AWS::ApiGateway::Stage")
    assert resources["Plan"]["Properties"]["ApiStages"] == [{"ApiId": {"Ref": "ordersApi"}, "Stage": {"Ref": stage}}]
    assert resources["Plan"]["DependsOn"] == [stage] and resources["Key"]["DependsOn"] == [stage]
    assert resources["BalancerPermission"]["Properties"]["Principal"] == "elasticloadbalancing.amazonaws.com"
    assert resources["Nightly"]["Properties"]["Targets"] == [{"Id": "audit", "Arn": {"Fn::GetAtt": ["Audit", "Arn"]}}]
    assert resources["Firewall"]["Properties"]["ResourceArn"] == {
        "Fn::Sub": "arn:aws:apigateway:${AWS::Region}::/restapis/${ordersApi}/stages/${" + stage + "}"}
    assert resources["UrlParameter"]["Properties"]["Value"] == {"Fn::GetAtt": ["HandlerUrl", "FunctionUrl"]}
    assert resources["HandlerUrl"]["Type"] == "AWS::Lambda::Url"


# -- cause 6: generated and kept resources merge ------------------------------------------------


def test_a_functions_log_group_and_a_second_bucket_policy_merge_with_what_the_exporter_writes():
    result = import_template(FIXTURES / "real" / "generated_and_kept.yaml")
    arch = result.architecture
    assert [e["logical_id"] for e in arch.extra["extras"]] == ["UploadsPolicy"]
    assert any(n.logical_id == "ResizerLogGroup" and n.category == "absorbed" for n in result.report)
    template = _export(arch)
    resources = template["Resources"]
    policies = [r for r in resources.values() if r["Type"] == "AWS::S3::BucketPolicy"]
    assert len(policies) == 1  # one bucket, one policy
    sids = [s.get("Sid") or s["Principal"]["Service"] for s in policies[0]["Properties"]["PolicyDocument"]["Statement"]]
    assert sids == ["DenyInsecureTransport", "logging.s3.amazonaws.com"]
    groups = [r for r in resources.values() if r["Type"] == "AWS::Logs::LogGroup"]
    function_group = resources["Resizer"]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert resources[function_group]["Properties"]["RetentionInDays"] == 7
    assert len(groups) == 1


# -- cause 8: WebSocket APIs ----------------------------------------------------------------------


def test_a_websocket_api_is_kept_whole_and_its_functions_are_nodes():
    result = import_template(FIXTURES / "real" / "websocket.yaml")
    arch = result.architecture
    assert {n.id: n.service for n in arch.nodes.values()} == {"Connect": "lambda", "Default": "lambda"}
    assert {e["logical_id"] for e in arch.extra["extras"]} == {
        "Chat", "ConnectIntegration", "DefaultIntegration", "ConnectRoute", "DisconnectRoute", "DefaultRoute",
        "Deployment", "Stage", "ConnectPermission", "DefaultPermission"}
    assert not _problems(arch)
    template = _export(arch)
    resources = template["Resources"]
    assert resources["Chat"]["Properties"]["ProtocolType"] == "WEBSOCKET"
    # a kept resource named like one of the exporter's parameters is renamed, its references with it
    assert "Stage" in template.get("Parameters", {}) or "Stage" not in resources
    renamed = next(k for k, r in resources.items() if r["Type"] == "AWS::ApiGatewayV2::Stage")
    assert resources[renamed]["Properties"]["DeploymentId"] == {"Ref": "Deployment"}


# -- causes 8 and 10 in Terraform: kept whole, and said where they cannot go ---------------------


def test_terraform_websocket_api_and_outside_rule_targets_are_kept_and_the_cloudformation_export_says_so():
    import hcl2

    from exporters.terraform import config_files

    result = import_template(FIXTURES / "real" / "tf_kept")
    arch = result.architecture
    assert {n.id for n in arch.nodes.values()} == {"handler", "default_bus"}
    assert _edges(arch) == Counter({("default_bus", "handler", "rule_target")})
    kept = [e["address"] for e in arch.extra["extras"]]
    assert kept == ["aws_cloudwatch_log_group.audit", "aws_cloudwatch_event_rule.orders",
                    "aws_cloudwatch_event_target.to_audit", "aws_apigatewayv2_api.chat",
                    "aws_apigatewayv2_integration.chat", "aws_apigatewayv2_route.default", "aws_lambda_permission.chat"]
    assert not result.notes("unmapped")
    main = hcl2.loads(config_files(arch)["main.tf"])
    written = {f"{t}.{n}".replace('"', "") for block in main["resource"] for t, named in block.items() for n in named}
    assert set(kept) <= written
    template = _export(arch)
    said = template["Metadata"]["Stratus"]["NotWritten"]
    assert [line.split(" ")[0] for line in said] == kept


# -- cause 5: schedules --------------------------------------------------------------------------


def _schedules(arch) -> set:
    return {(e.source, e.target, e.config["schedule"]) for e in arch.edges if e.config.get("schedule")}


def test_schedules_become_scheduled_rules_that_export_again_and_keep_their_load(tmp_path):
    from exporters.cloudformation import template_text
    from exporters.terraform import config_files

    arch = import_template(FIXTURES / "real" / "schedules.yaml").architecture
    assert _schedules(arch) == {("Schedules", "Report", "rate(1 hour)"), ("Schedules_2", "Report", "cron(0 2 * * ? *)"),
                                ("Schedules", "Cleanup", "rate(15 minutes)")}
    assert all(e.config["fraction"] == 0 for e in arch.edges if e.config.get("schedule"))  # no bus events
    assert sorted(ld.params["every_s"] for ld in arch.scenarios[0].load) == [900, 3600, 3600]
    assert not _problems(arch)
    template = _export(arch)
    rules = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
    assert sorted(r["ScheduleExpression"] for r in rules) == ["cron(0 2 * * ? *)", "rate(1 hour)", "rate(15 minutes)"]
    assert not any("EventPattern" in r for r in rules)
    assert config_files(arch)["main.tf"].count("schedule_expression") == 3
    # and back: the exported template imports to the same schedules
    (tmp_path / "template.yaml").write_text(template_text(arch))
    again = import_template(tmp_path / "template.yaml").architecture
    assert {(t, s) for _, t, s in _schedules(again)} == {(t, s) for _, t, s in _schedules(arch)}


def test_a_schedule_must_be_an_expression_on_the_default_bus():
    from model.architecture import Architecture, Edge, Node

    arch = Architecture("s")
    arch.add_node(Node("orders_bus", "eventbridge", {"bus_name": "orders"}))
    arch.add_node(Node("fn", "lambda", {}))
    arch.add_edge(Edge("orders_bus", "fn", {"schedule": "every 5 minutes", "fraction": 0}))
    messages = [p.message for p in errors(validate(arch))]
    assert any("is not a schedule expression: write rate(5 minutes)" in m for m in messages)
    assert any("runs on the default event bus only" in m for m in messages)



# -- a state machine whose tasks call what the design does not model -------------------------


def test_a_definition_calling_outside_the_design_is_kept_as_written_while_its_task_edges_stand():
    from model.architecture import Edge, Node

    result = import_template(FIXTURES / "real" / "outside_tasks.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({("Flow", "Worker", "task")})
    assert not result.notes("unmapped")
    assert any("ecs:runTask.sync" in n.message and "kept as written" in n.message for n in result.notes("note"))
    assert not _problems(arch)
    machine = _export(arch)["Resources"]["Flow"]["Properties"]
    assert "DefinitionString" not in machine
    assert machine["Definition"]["States"]["RunTask"]["Resource"] == "arn:aws:states:::ecs:runTask.sync"
    assert machine["DefinitionSubstitutions"]["WorkerArn"] == {"Fn::GetAtt": ["Worker", "Arn"]}
    # once the design's tasks change, the definition is written from its task edges again
    arch.add_node(Node("Second", "lambda", {}))
    arch.add_edge(Edge("Flow", "Second", {"order": 2}))
    machine = _export(arch)["Resources"]["Flow"]["Properties"]
    assert "Definition" not in machine and "ecs:runTask" not in str(machine["DefinitionString"])


# -- SAM events from sources the design does not model ------------------------------------------


def test_events_from_sources_outside_the_design_are_kept_as_the_resources_sam_makes():
    result = import_template(FIXTURES / "real" / "outside_events.yaml")
    arch = result.architecture
    assert set(arch.nodes) == {"Consumer"} and not arch.edges
    assert not result.notes("unmapped")
    assert {e["logical_id"]: e["type"] for e in arch.extra["extras"]} == {
        "ConsumerOrders": "AWS::Lambda::EventSourceMapping", "ConsumerOrdersPolicy": "AWS::IAM::Policy",
        "ConsumerThings": "AWS::IoT::TopicRule", "ConsumerThingsPermission": "AWS::Lambda::Permission"}
    assert not _problems(arch)
    resources = _export(arch)["Resources"]
    mapping = resources["ConsumerOrders"]["Properties"]
    assert mapping["EventSourceArn"] == {"Ref": "BrokerArn"} and mapping["Queues"] == ["orders"]
    assert mapping["FunctionName"] == {"Ref": "Consumer"} and "SecretsManagerKmsKeyId" not in mapping
    # the poller's grants go on the role the exporter writes for the function
    roles = resources["ConsumerOrdersPolicy"]["Properties"]["Roles"]
    assert [resources[r["Ref"]]["Type"] for r in roles] == ["AWS::IAM::Role"]
    assert "mq:DescribeBroker" in resources["ConsumerOrdersPolicy"]["Properties"]["PolicyDocument"]["Statement"][0][
        "Action"]
    rule = resources["ConsumerThings"]["Properties"]["TopicRulePayload"]
    assert rule["Actions"] == [{"Lambda": {"FunctionArn": {"Fn::GetAtt": ["Consumer", "Arn"]}}}]
    assert resources["ConsumerThingsPermission"]["Properties"]["Principal"] == "iot.amazonaws.com"


# -- OpenAPI operations that integrate services outside the design ------------------------------


def test_openapi_operations_outside_the_design_are_kept_on_the_api_and_written_beside_its_routes():
    result = import_template(FIXTURES / "real" / "outside_operations.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({("Files", "Reader", "invoke")})
    assert not result.notes("unmapped")
    assert [(o["method"], o["path"]) for o in arch.nodes["Files"].extra["cfn"]["kept_operations"]] == [
        ("GET", "/files/{key}")]
    assert not _problems(arch)
    resources = _export(arch)["Resources"]
    methods = {(r["Properties"]["HttpMethod"], r["Properties"]["Integration"]["Type"]): r["Properties"]
               for r in resources.values() if r["Type"] == "AWS::ApiGateway::Method"}
    assert set(methods) == {("GET", "AWS_PROXY"), ("GET", "AWS")}
    s3 = methods[("GET", "AWS")]
    assert s3["Integration"]["Uri"] == {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:s3:path/my-bucket/{key}"}
    assert s3["Integration"]["PassthroughBehavior"] == "WHEN_NO_MATCH"
    assert s3["Integration"]["Credentials"] == {"Fn::GetAtt": ["S3Reader", "Arn"]} and "S3Reader" in resources
    assert s3["RequestParameters"] == {"method.request.path.key": True}
    deployment = next(r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Deployment")
    assert len(deployment["DependsOn"]) == 2  # the kept method is deployed with the API
    routes = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"]
    assert [r["RouteKey"] for r in routes] == ["POST /"]
    integration = next(r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Integration")
    assert integration["IntegrationSubtype"] == "EventBridge-PutEvents"
    assert integration["IntegrationType"] == "AWS_PROXY"


# -- SAM policy templates on resources outside the design ---------------------------------------


def test_policy_templates_on_resources_outside_the_design_are_kept_as_grants_on_the_exported_role():
    result = import_template(FIXTURES / "real" / "outside_grants.yaml")
    arch = result.architecture
    assert set(arch.nodes) == {"Reporter"} and not arch.edges
    assert not result.notes("unmapped")
    assert not _problems(arch)
    template = _export(arch)
    policies = {k: r["Properties"] for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::Policy"}
    assert sorted(policies) == ["ReporterEventBridgePutEventsPolicy2", "ReporterS3ReadPolicy1"]
    for policy in policies.values():
        assert [template["Resources"][r["Ref"]]["Type"] for r in policy["Roles"]] == ["AWS::IAM::Role"]
    read = policies["ReporterS3ReadPolicy1"]["PolicyDocument"]["Statement"]
    assert {a for s in read for a in s["Action"]} >= {"s3:GetObject", "s3:ListBucket"}
    assert read[0]["Resource"]["Fn::Sub"][1] == {"Name": {"Ref": "DataBucket"}}
    assert template["Parameters"]["DataBucket"]["Default"] == "shared-data"  # the source's parameter, kept
    put = policies["ReporterEventBridgePutEventsPolicy2"]["PolicyDocument"]["Statement"]
    assert put == [{"Effect": "Allow", "Action": ["events:PutEvents"], "Resource": {"Fn::Sub": [
        "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${Name}", {"Name": "default"}]}}]


def test_a_method_integrating_a_service_outside_the_design_is_kept_and_deployed_with_its_api():
    result = import_template(FIXTURES / "real" / "outside_methods.yaml")
    arch = result.architecture
    assert set(arch.nodes) == {"Api"} and not arch.edges
    assert not result.notes("unmapped")
    assert {"RootMethodGet", "ApiRole"} <= {e["logical_id"] for e in arch.extra["extras"]}
    assert not _problems(arch)
    resources = _export(arch)["Resources"]  # cfn-lint clean: no second GET / beside the kept one
    methods = [k for k, r in resources.items() if r["Type"] == "AWS::ApiGateway::Method"]
    assert methods == ["RootMethodGet"]  # and no mock health check of the exporter's
    deployment = next(r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Deployment")
    assert deployment["DependsOn"] == ["RootMethodGet"]
