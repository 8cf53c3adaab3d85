"""What a role needs for wiring the design does not model but an import kept as written:
a Step Functions task that calls a service outside the nine (ECS, Bedrock, Glue, an HTTP
endpoint...) and an API Gateway integration with such a service.

The exported roles come from the design's edges (iam.py), which say nothing of that
wiring. The importers keep the source's own statements for it; where the source grants
none that can be found, the grants come from here, and the export says which were
derived. One table for the integrations whose needs are not just `<service>:<Action>`
(AWS's "IAM policies for integrated services" pages), a generic rule for the rest.

Resources are ARN patterns with {partition}, {region} and {account} placeholders, filled
in by each format (see `arn`); "*" where AWS documents no narrower resource or the
resource cannot be known from the definition.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping


@dataclass(frozen=True)
class Grant:
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ("*",)
    condition: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


_ECS_TASK_DEFINITIONS = "arn:{partition}:ecs:{region}:{account}:task-definition/*"
# ecs:RunTask hands the task its task role and execution role.
_PASS_TO_ECS = Grant(("iam:PassRole",), ("*",), {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})


def _sync_rule(name: str) -> Grant:
    """A .sync integration waits through an EventBridge rule Step Functions manages."""
    return Grant(("events:PutTargets", "events:PutRule", "events:DescribeRule"),
                 (f"arn:{{partition}}:events:{{region}}:{{account}}:rule/{name}",))


_ECS_RUN = (Grant(("ecs:RunTask",), (_ECS_TASK_DEFINITIONS,)), _PASS_TO_ECS)
_GLUE_JOBS = "arn:{partition}:glue:{region}:{account}:job/*"
_BATCH = ("arn:{partition}:batch:{region}:{account}:job-definition/*",
          "arn:{partition}:batch:{region}:{account}:job-queue/*")
# Bedrock models are foundation models (no account) or inference profiles, which route to
# foundation models in other regions.
_BEDROCK_MODELS = ("arn:{partition}:bedrock:*::foundation-model/*",
                   "arn:{partition}:bedrock:*:{account}:inference-profile/*")

# "<service>:<action>[.<pattern>]" of `arn:aws:states:::<service>:<action>[.<pattern>]` ->
# its grants. An integration not here is `<service>:<Action>` on "*" (`task_grants`); a
# pattern not here (.waitForTaskToken, mostly) needs what the plain call needs.
TASK_GRANTS: Mapping[str, tuple[Grant, ...]] = {
    "ecs:runTask": _ECS_RUN,
    "ecs:runTask.sync": _ECS_RUN + (Grant(("ecs:StopTask", "ecs:DescribeTasks")),
                                    _sync_rule("StepFunctionsGetEventsForECSTaskRule")),
    "bedrock:invokeModel": (Grant(("bedrock:InvokeModel",), _BEDROCK_MODELS),),
    "glue:startJobRun": (Grant(("glue:StartJobRun",), (_GLUE_JOBS,)),),
    "glue:startJobRun.sync": (Grant(("glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"),
                                    (_GLUE_JOBS,)),),
    "batch:submitJob": (Grant(("batch:SubmitJob",), _BATCH),),
    "batch:submitJob.sync": (Grant(("batch:SubmitJob", "batch:DescribeJobs", "batch:TerminateJob"), _BATCH),
                             _sync_rule("StepFunctionsGetEventsForBatchJobsRule")),
    "states:startExecution.sync": (Grant(("states:StartExecution",)),
                                   Grant(("states:DescribeExecution", "states:StopExecution")),
                                   _sync_rule("StepFunctionsGetEventsForStepFunctionsExecutionRule")),
    "states:startExecution.sync:2": (Grant(("states:StartExecution",)),
                                     Grant(("states:DescribeExecution", "states:StopExecution")),
                                     _sync_rule("StepFunctionsGetEventsForStepFunctionsExecutionRule")),
    "lambda:invoke": (Grant(("lambda:InvokeFunction",)),),
    "http:invoke": (Grant(("states:InvokeHTTPEndpoint",)),
                    Grant(("events:RetrieveConnectionCredentials",),
                          ("arn:{partition}:events:{region}:{account}:connection/*",)),
                    Grant(("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
                          ("arn:{partition}:secretsmanager:{region}:{account}:secret:events!connection/*",))),
}

def _api_gateway_invoke(parameters: Mapping[str, Any]) -> tuple[Grant, ...]:
    """apigateway:invoke signs with the role unless AuthType is NO_AUTH (the default); a
    WebSocket API's @connections path (as written, or in the `Path.$` expression that
    builds it) is ManageConnections, any other path Invoke."""
    if str(parameters.get("AuthType", "NO_AUTH")).upper() == "NO_AUTH":
        return ()
    path = parameters.get("Path", parameters.get("Path.$"))
    action = "execute-api:ManageConnections" if "@connections" in str(path) else "execute-api:Invoke"
    return (Grant((action,)),)


# Integrations whose needs depend on the Task state's Parameters: key as in TASK_GRANTS.
PARAMETER_GRANTS: Mapping[str, Callable[[Mapping[str, Any]], tuple[Grant, ...]]] = {
    "apigateway:invoke": _api_gateway_invoke,
}

# A service's name in an integration (the SDK's, API Gateway's) -> its IAM prefix, where
# they differ.
IAM_PREFIXES: Mapping[str, str] = {
    "sfn": "states", "eventbridge": "events", "cloudwatchlogs": "logs", "sesv2": "ses", "email": "ses",
    "monitoring": "cloudwatch", "runtime.sagemaker": "sagemaker", "bedrockruntime": "bedrock",
    "bedrock-runtime": "bedrock", "elasticloadbalancingv2": "elasticloadbalancing", "emr": "elasticmapreduce",
    "emrcontainers": "emr-containers", "emrserverless": "emr-serverless", "mediaconvert": "mediaconvert",
}

# HTTP API integration subtypes name their service the console's way.
SUBTYPE_PREFIXES: Mapping[str, str] = {"EventBridge": "events", "SQS": "sqs", "AppConfig": "appconfig",
                                       "Kinesis": "kinesis", "StepFunctions": "states"}

# A REST API integration through a service's path (`<service>:path/...`): the HTTP method
# -> the action it performs. Services not here (their paths are service-specific) get no
# derived grant; the export says so.
PATH_ACTIONS: Mapping[str, Mapping[str, str]] = {
    "s3": {"GET": "s3:GetObject", "HEAD": "s3:GetObject", "PUT": "s3:PutObject", "POST": "s3:PutObject",
           "DELETE": "s3:DeleteObject"},
}

_TASK_RESOURCE = re.compile(r":states:::(?:aws-sdk:)?([a-z0-9.-]+):([A-Za-z0-9]+)(\.[A-Za-z]+(?::\d+)?)?$")
_FUNCTION_ARN = re.compile(r"^arn:[^:]+:lambda:")
_API_URI = re.compile(r":apigateway:(?:\$\{[^}]*\}|[^:]*):([a-z0-9.-]+):(action|path)/([^/?&]+)")


def _generic(service: str, action: str) -> tuple[Grant, ...]:
    prefix = IAM_PREFIXES.get(service, service)
    return (Grant((f"{prefix}:{action[:1].upper()}{action[1:]}",)),)


def task_grants(resource: str, parameters: Mapping[str, Any] | None = None) -> tuple[Grant, ...]:
    """What a Task state's `Resource` (called with `parameters`) needs from the state
    machine's role; () for an activity (its workers call Step Functions, not the role), a
    call that needs nothing, or what cannot be read."""
    if _FUNCTION_ARN.match(resource):
        return TASK_GRANTS["lambda:invoke"]
    found = _TASK_RESOURCE.search(resource)
    if found is None:
        return ()
    service, action, pattern = found.group(1), found.group(2), found.group(3) or ""
    sdk = ":states:::aws-sdk:" in resource
    if not sdk:
        for key in (f"{service}:{action}{pattern}", f"{service}:{action}"):
            if key in PARAMETER_GRANTS:
                return PARAMETER_GRANTS[key](parameters if isinstance(parameters, Mapping) else {})
            if key in TASK_GRANTS:
                return TASK_GRANTS[key]
    return _generic(service, action)


def api_integration_grants(uri: str, http_method: str = "", subtype: str = "") -> tuple[Grant, ...]:
    """What an API Gateway integration's credentials role needs: a REST `uri`
    (arn:aws:apigateway:<region>:<service>:action/<Action> or :path/...), or an HTTP API
    `subtype` (EventBridge-PutEvents); () when it cannot be told."""
    if subtype:
        service, _, action = subtype.partition("-")
        return (Grant((f"{SUBTYPE_PREFIXES.get(service, service.lower())}:{action}",)),) if action else ()
    found = _API_URI.search(uri)
    if found is None:
        return ()
    service, style, rest = found.groups()
    if style == "action":
        return _generic(service, rest)
    action = PATH_ACTIONS.get(service, {}).get(http_method.upper())
    return (Grant((action,)),) if action else ()


def needed_actions(grants: Iterable[Grant]) -> list[str]:
    seen: dict[str, None] = {}
    for grant in grants:
        seen.update(dict.fromkeys(grant.actions))
    return list(seen)


def grants_action(written: Iterable[str], action: str) -> bool:
    """Does one of a statement's `Action` entries (IAM wildcards allowed, case-insensitive)
    grant `action`? A bare "*" does not count: it is kept by no one (iam.py's rule)."""
    return any(isinstance(w, str) and w.strip() != "*" and fnmatch.fnmatchcase(action.lower(), w.strip().lower())
               for w in written)


def arn(pattern: str, partition: str, region: str, account: str) -> str:
    """A grant's ARN pattern with its placeholders written the format's way."""
    return pattern.replace("{partition}", partition).replace("{region}", region).replace("{account}", account)


def with_unique_sids(statements: list[dict]) -> list[dict]:
    """Statements gathered from several source policies in one policy: IAM wants each Sid
    once, so a repeated one gets a number."""
    seen: set[str] = set()
    out = []
    for statement in statements:
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid in seen:
            n = 2
            while f"{sid}{n}" in seen:
                n += 1
            statement = {**statement, "Sid": f"{sid}{n}"}
        if isinstance(statement.get("Sid"), str):
            seen.add(statement["Sid"])
        out.append(statement)
    return out
