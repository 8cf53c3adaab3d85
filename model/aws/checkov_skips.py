"""checkov findings that do not apply to generated templates, each with the reason why.

The skip is written into the resource itself (CloudFormation Metadata.checkov.skip,
Terraform `#checkov:skip=ID:reason`), so anyone reading the output sees the decision.
Shared by the CloudFormation and Terraform renderers (the check ids are the same); the
last section holds the findings checkov raises on Terraform's resources only.
"""

from __future__ import annotations

from . import iam
from .defaults import LOG_RETENTION_DAYS
from .wiring import TopicSettings

Skip = tuple[str, str]

LOG_KMS: Skip = ("CKV_AWS_158", "Log group encrypted with CloudWatch Logs' own key; a customer-managed KMS key is "
                                "an opt-in cost the design does not ask for")
DYNAMODB_CMK: Skip = ("CKV_AWS_119", "Encrypted at rest with the AWS-managed DynamoDB key (SSEEnabled); a "
                                     "customer-managed key is an opt-in cost the design does not ask for")
SNS_SERVICE_PUBLISHER: Skip = ("CKV_AWS_26", "S3/EventBridge publish to this topic and cannot use the AWS-managed "
                                             "aws/sns key; add a customer-managed key to encrypt it")
SQS_MANAGED_SSE: Skip = ("CKV_AWS_27", "Encrypted at rest with SQS-managed SSE (SqsManagedSseEnabled), which checkov "
                                        "does not recognise; the AWS-managed aws/sqs KMS key would block deliveries "
                                        "from S3, SNS and EventBridge")


def topic_skips(settings: TopicSettings) -> list[Skip]:
    return [] if settings.kms_key else [SNS_SERVICE_PUBLISHER]


BUCKET: list[Skip] = [
    ("CKV_AWS_18", "Server access logging needs a separate log bucket the design does not have; CloudTrail data "
                   "events are the alternative"),
]

_VPC: Skip = ("CKV_AWS_117", "The design's functions call only AWS APIs; no VPC resources to reach")
_ENV_KMS: Skip = ("CKV_AWS_173", "Environment variables hold resource names and ARNs only, no secrets; Lambda "
                                 "encrypts them at rest with its AWS-managed key")
_NO_DLQ_SYNC: Skip = ("CKV_AWS_116", "Invoked synchronously or by an event source mapping only: failures return "
                                     "to the caller or follow the mapping's retry policy")
_ON_FAILURE: Skip = ("CKV_AWS_116", "Failed asynchronous invocations go to the design's on_failure destination "
                                    "(EventInvokeConfig)")
_UNRESERVED: Skip = ("CKV_AWS_115", "The design leaves this function unreserved: it shares the account's "
                                    "concurrency pool on purpose")


def function_skips(cfg: dict, env: dict, dlq) -> list[Skip]:
    out = [_VPC]
    if env:
        out.append(_ENV_KMS)
    if dlq is None:
        out.append(_NO_DLQ_SYNC)
    if cfg.get("reserved_concurrency") is None:
        out.append(_UNRESERVED)
    return out


def role_skips(statements: list[iam.Statement]) -> list[Skip]:
    """'*' resources only for actions without resource-level permissions (X-Ray, log delivery)."""
    if any(s.scope == iam.ANY for s in statements):
        return [("CKV_AWS_111", "The only '*' resources are for X-Ray and CloudWatch Logs delivery actions, "
                                "which AWS defines without resource-level permissions"),
                ("CKV_AWS_107", "No credential-exposing action is granted; the '*' resource serves X-Ray/log "
                                "delivery actions only")]
    return []


# --------------------------------------------------------------------------------------
# API Gateway

REST_METHOD: list[Skip] = [
    ("CKV_AWS_59", "The design models no authorizer; add a Cognito, IAM or Lambda authorizer before exposing it"),
    ("CKV_AWS_120", "Responses are per-request writes and reads; caching would serve stale data and is a cost"),
]
REST_STAGE: list[Skip] = [
    ("CKV_AWS_120", "Caching is off on purpose: routes return per-request data"),
    ("CKV2_AWS_29", "A WAF web ACL is an account-level decision (and a cost) outside the design"),
    ("CKV2_AWS_51", "Client certificates authenticate API Gateway to HTTP backends; the backends here are "
                    "Lambda and AWS services"),
    ("CKV2_AWS_4", "Execution logging is at ERROR level; access logs carry every request"),
]
HTTP_ROUTE: list[Skip] = [("CKV_AWS_309", "The design models no authorizer; add a JWT or IAM authorizer before "
                                          "exposing it")]
NO_AUTHORISER = ("CKV_AWS_59", "CKV_AWS_309")  # not skipped where a kept operation has its authoriser


# --------------------------------------------------------------------------------------
# Terraform only (checks checkov runs on Terraform's resources, several of which have
# no CloudFormation counterpart: S3's settings are separate resources there)

TF_FUNCTION: list[Skip] = [
    ("CKV_AWS_272", "Code signing needs a signing profile the design does not have; packages are built from "
                    "the project's own sources")]
TF_LOG_GROUP: list[Skip] = [
    ("CKV_AWS_338", f"Logs are kept {LOG_RETENTION_DAYS} days by design; raise var.log_retention_days where a "
                    "year is required")]
TF_BUCKET: list[Skip] = [
    ("CKV_AWS_145", "Encrypted with SSE-S3 (AES-256); a customer-managed KMS key is an opt-in cost the design "
                    "does not ask for"),
    ("CKV_AWS_144", "Cross-region replication is a disaster-recovery choice (and a cost) outside the design"),
    ("CKV2_AWS_61", "Object lifetime is the application's decision; no lifecycle rule is implied by the design"),
    ("CKV2_AWS_62", "Event notifications are written only where the design has notification edges")]
TF_DYNAMODB_PROVISIONED: list[Skip] = [
    ("CKV2_AWS_16", "Capacity is the design's fixed provisioned throughput; auto scaling would change what was "
                    "simulated")]
TF_STATE_MACHINE: list[Skip] = [
    ("CKV_AWS_285", "Errors are logged without execution data on purpose: inputs and outputs may carry personal "
                    "data")]
TF_REST_METHOD: list[Skip] = REST_METHOD + [
    ("CKV2_AWS_53", "The design carries no request model to validate against; add a request validator with the "
                    "API's models")]
TF_REST_METHOD_SETTINGS: list[Skip] = [("CKV_AWS_225", "Caching is off on purpose: routes return per-request data")]
