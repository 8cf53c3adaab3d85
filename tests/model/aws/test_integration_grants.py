"""model.aws.integration_grants: what wiring outside the design needs from its role."""

from __future__ import annotations

import pytest

from model.aws.integration_grants import (api_integration_grants, grants_action, needed_actions, task_grants,
                                         with_unique_sids)


@pytest.mark.parametrize("resource,expected", [
    ("arn:aws:states:::ecs:runTask.sync", {"ecs:RunTask", "iam:PassRole", "ecs:StopTask", "ecs:DescribeTasks",
                                           "events:PutTargets", "events:PutRule", "events:DescribeRule"}),
    ("arn:aws:states:::ecs:runTask.waitForTaskToken", {"ecs:RunTask", "iam:PassRole"}),
    ("arn:aws:states:::bedrock:invokeModel", {"bedrock:InvokeModel"}),
    ("arn:aws:states:::glue:startJobRun", {"glue:StartJobRun"}),
    ("arn:${AWS::Partition}:states:::sagemaker:createTransformJob", {"sagemaker:CreateTransformJob"}),
    ("arn:aws:states:::aws-sdk:s3:getObject", {"s3:GetObject"}),
    ("arn:aws:states:::aws-sdk:sfn:startExecution", {"states:StartExecution"}),
    ("arn:aws:states:::http:invoke", {"states:InvokeHTTPEndpoint", "events:RetrieveConnectionCredentials",
                                      "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}),
    ("arn:aws:lambda:us-east-1:123456789012:function:elsewhere", {"lambda:InvokeFunction"}),
    ("arn:aws:states:us-east-1:123456789012:activity:review", set()),
])
def test_a_task_resource_needs_the_documented_actions_or_service_action(resource, expected):
    assert set(needed_actions(task_grants(resource))) == expected


@pytest.mark.parametrize("parameters,expected", [
    ({"ApiEndpoint": "x", "Method": "GET"}, set()),  # NO_AUTH, the default: nothing to sign with
    ({"AuthType": "IAM_ROLE", "Path": "/orders"}, {"execute-api:Invoke"}),
    ({"AuthType": "IAM_ROLE", "Path": "@connections/abc"}, {"execute-api:ManageConnections"}),
    ({"AuthType": "IAM_ROLE", "Path.$": "States.Format('/@connections/{}', $.id)"}, {"execute-api:ManageConnections"}),
])
def test_api_gateway_invoke_needs_depend_on_how_it_signs_and_what_it_calls(parameters, expected):
    assert set(needed_actions(task_grants("arn:aws:states:::apigateway:invoke", parameters))) == expected


def test_ecs_sync_passes_roles_to_ecs_tasks_only_and_names_the_managed_rule():
    grants = task_grants("arn:aws:states:::ecs:runTask.sync")
    pass_role = next(g for g in grants if g.actions == ("iam:PassRole",))
    assert pass_role.condition == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    rule = next(g for g in grants if "events:PutRule" in g.actions)
    assert rule.resources == ("arn:{partition}:events:{region}:{account}:rule/StepFunctionsGetEventsForECSTaskRule",)


@pytest.mark.parametrize("uri,method,subtype,expected", [
    ("arn:aws:apigateway:us-east-1:comprehend:action/DetectSentiment", "POST", "", {"comprehend:DetectSentiment"}),
    ("arn:aws:apigateway:${AWS::Region}:s3:path/my-bucket/{key}", "GET", "", {"s3:GetObject"}),
    ("arn:aws:apigateway:us-east-1:s3:path/my-bucket/{key}", "PUT", "", {"s3:PutObject"}),
    ("arn:aws:apigateway:us-east-1:firehose:path/x", "POST", "", set()),
    ("", "POST", "EventBridge-PutEvents", {"events:PutEvents"}),
    ("", "POST", "SQS-SendMessage", {"sqs:SendMessage"}),
])
def test_an_api_integration_needs_its_service_action(uri, method, subtype, expected):
    assert set(needed_actions(api_integration_grants(uri, method, subtype))) == expected


def test_a_written_action_grants_through_iam_wildcards_but_never_a_bare_star():
    assert grants_action(["bedrock:InvokeModel*"], "bedrock:InvokeModel")
    assert grants_action(["ECS:*"], "ecs:RunTask")
    assert not grants_action(["ecs:Describe*"], "ecs:RunTask")
    assert not grants_action(["*"], "ecs:RunTask")


def test_statements_from_several_policies_get_unique_sids():
    statements = [{"Sid": "Run"}, {"Sid": "Run"}, {"Effect": "Allow"}, {"Sid": "Run2"}]
    assert [s.get("Sid") for s in with_unique_sids(statements)] == ["Run", "Run2", None, "Run22"]
