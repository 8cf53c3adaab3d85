"""checkov findings that do not apply to generated templates, each with the reason why.

The skip is written into the resource itself (CloudFormation Metadata.checkov.skip,
Terraform `#checkov:skip=ID:reason`), so anyone reading the output sees the decision.
Shared by the CloudFormation and Terraform renderers (the check ids are the same).
"""

from __future__ import annotations

from . import iam

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
