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
