"""IAM roles (trust policy only) and their inline least-privilege policy (from model.aws.iam)."""

from __future__ import annotations

import json

from ..core import Kind, ParentSettings, missing, tag_dict, tag_list

POLICY_NAME = "stratus-least-privilege"


class Role(Kind):
    name = "role"

    def find(self, ctx, res):
        iam = ctx.client("iam")
        if missing(iam.get_role, "NoSuchEntity", RoleName=res.name):
            return None
        return {"tags": self.live_tags(ctx, {"name": res.name})}

    def create(self, ctx, res, record):
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": res.config["principal"]},
            "Action": "sts:AssumeRole"}]}
        role = ctx.client("iam").create_role(
            RoleName=res.name, AssumeRolePolicyDocument=json.dumps(trust),
            Description=f"Stratus: execution role of {res.node}", Tags=tag_list(ctx.tags))["Role"]
        outputs = {"arn": role["Arn"], "name": res.name}
        record(outputs)
        return outputs

    def delete(self, ctx, outputs):
        iam = ctx.client("iam")
        for policy in iam.list_role_policies(RoleName=outputs["name"])["PolicyNames"]:
            iam.delete_role_policy(RoleName=outputs["name"], PolicyName=policy)
        iam.delete_role(RoleName=outputs["name"])

    def exists(self, ctx, outputs):
        return not missing(ctx.client("iam").get_role, "NoSuchEntity", RoleName=outputs["name"])

    def live_tags(self, ctx, outputs):
        return tag_dict(ctx.client("iam").list_role_tags(RoleName=outputs["name"])["Tags"])


class RolePolicy(ParentSettings):
    """The role's inline policy; `config["statements"]` holds the design's statements with
    node ids, rendered into the real ARNs of what was created (refs) at create time."""

    name = "role_policy"
    mutable = frozenset({"statements"})

    def parent(self, ctx, res):
        return {"role": ctx.out(res.refs["role"], "name"), "policy": POLICY_NAME}

    def put(self, ctx, res, outputs):
        document = {"Version": "2012-10-17",
                    "Statement": [self._render(ctx, res, s) for s in res.config["statements"]]}
        ctx.client("iam").put_role_policy(RoleName=outputs["role"], PolicyName=outputs["policy"],
                                          PolicyDocument=json.dumps(document, sort_keys=True))

    @staticmethod
    def _render(ctx, res, stmt: dict) -> dict:
        if stmt["scope"] == "any":
            resource = "*"
        elif stmt["scope"] == "own_logs":
            resource = ctx.arn("logs", f"log-group:{res.config['log_group']}") + stmt["suffix"]
        else:
            resource = node_arn(ctx, res.refs, stmt["node"]) + stmt["suffix"]
        out = {"Effect": "Allow", "Action": list(stmt["actions"]), "Resource": resource}
        if stmt["sid"]:
            out["Sid"] = stmt["sid"]
        return out

    def delete(self, ctx, outputs):
        ctx.client("iam").delete_role_policy(RoleName=outputs["role"], PolicyName=outputs["policy"])

    def exists(self, ctx, outputs):
        return not missing(ctx.client("iam").get_role_policy, "NoSuchEntity",
                           RoleName=outputs["role"], PolicyName=outputs["policy"])


def node_arn(ctx, refs: dict, node_id: str) -> str:
    """The ARN of a node's main resource; nodes Stratus does not create (the account's
    default event bus) have a fixed ARN."""
    key = refs.get(f"node:{node_id}")
    if key:
        return ctx.out(key)
    return ctx.arn("events", "event-bus/default")
