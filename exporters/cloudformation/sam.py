"""SAM flavour: the CloudFormation template with functions as AWS::Serverless::Function.

Everything else stays plain CloudFormation (SAM accepts it alongside). What SAM adds:
CodeUri / InlineCode for code, AutoPublishAlias `live` (a Version and an Alias with the
logical id `<Fn>Aliaslive`, the same id the CloudFormation flavour uses) for provisioned
concurrency, switched by the ProvisionedConcurrency parameter, Tracing, DeadLetterQueue,
and tags as a map.
"""

from __future__ import annotations

from typing import Any

from model.aws.defaults import ALIAS_NAME, provisioned

from .template import PROVISIONED_CONDITION, Template

SAM_FUNCTION = "AWS::Serverless::Function"
# CloudFormation property -> how the SAM function spells it (None: same name).
_RENAMED = {"TracingConfig": None, "Code": None, "DeadLetterConfig": None, "Tags": None}


def to_sam(t: Template) -> None:
    for node_id, node in t.arch.nodes.items():
        if node.service == "lambda":
            _function(t, node_id)


def _function(t: Template, node_id: str) -> None:
    resource = t.resources[t.id(node_id)]
    cfn = resource["Properties"]
    cfg = t.config(node_id)
    props: dict[str, Any] = {k: v for k, v in cfn.items() if k not in _RENAMED}
    props["Tracing"] = "Active"
    props["Tags"] = {tag["Key"]: tag["Value"] for tag in cfn.get("Tags", [])}
    props.update(_code(t, node_id, cfg, cfn["Code"]))
    if "DeadLetterConfig" in cfn:
        props["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": cfn["DeadLetterConfig"]["TargetArn"]}
    if provisioned(cfg):
        props["AutoPublishAlias"] = ALIAS_NAME
        props["ProvisionedConcurrencyConfig"] = {"Fn::If": [
            PROVISIONED_CONDITION,
            {"ProvisionedConcurrentExecutions": int(cfg["provisioned_concurrency"])},
            {"Ref": "AWS::NoValue"}]}
    resource["Type"] = SAM_FUNCTION
    resource["Properties"] = props


def _code(t: Template, node_id: str, cfg: dict, cfn_code: dict) -> dict:
    if cfg.get("code") is not None:
        t.parameters.pop(t.id(node_id, "CodeKey"), None)
        if not any(k.endswith("CodeKey") for k in t.parameters):
            t.parameters.pop("CodeBucket", None)
        return {"CodeUri": t.code_path(str(cfg["code"]))}
    if "ZipFile" in cfn_code:
        return {"InlineCode": cfn_code["ZipFile"]}
    return {"CodeUri": {"Bucket": cfn_code["S3Bucket"], "Key": cfn_code["S3Key"]}}
