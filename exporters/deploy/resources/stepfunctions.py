"""Step Functions state machines, their definition built from the design's task edges."""

from __future__ import annotations

import json

from ..core import Kind, retry_while, tag_dict, tag_list

TYPES = {"standard": "STANDARD", "express": "EXPRESS"}
_ROLE_NOT_READY = ("AccessDeniedException", "InvalidArn")


class StateMachine(Kind):
    name = "state_machine"
    mutable = frozenset({"definition", "task_outputs"})

    def find(self, ctx, res):
        arn = ctx.arn("states", f"stateMachine:{res.name}")
        if not self.exists(ctx, {"arn": arn}):
            return None
        return {"tags": self.live_tags(ctx, {"arn": arn})}

    def _definition(self, ctx, res) -> str:
        """The design's ASL (built by model.aws.asl) with each target's real ARN/URL/name."""
        text = json.dumps(res.config["definition"], sort_keys=True)
        for target, output in res.config["task_outputs"].items():
            text = text.replace(f"${{stratus:{target}}}", ctx.out(res.refs[f"task_{target}"], output))
        return text

    def create(self, ctx, res, record):
        sfn = ctx.client("stepfunctions")
        arn = retry_while(lambda: sfn.create_state_machine(
            name=res.name, definition=self._definition(ctx, res), roleArn=ctx.out(res.refs["role"]),
            type=TYPES[res.config["workflow_type"]], tags=tag_list(ctx.tags, "key", "value")),
            _ROLE_NOT_READY)["stateMachineArn"]
        outputs = {"arn": arn, "name": res.name}
        record(outputs)
        return outputs

    def update(self, ctx, res, outputs, changed):
        ctx.client("stepfunctions").update_state_machine(
            stateMachineArn=outputs["arn"], definition=self._definition(ctx, res),
            roleArn=ctx.out(res.refs["role"]))
        return outputs

    def delete(self, ctx, outputs):
        ctx.client("stepfunctions").delete_state_machine(stateMachineArn=outputs["arn"])

    def exists(self, ctx, outputs):
        sfn = ctx.client("stepfunctions")
        try:
            status = sfn.describe_state_machine(stateMachineArn=outputs["arn"]).get("status", "ACTIVE")
        except sfn.exceptions.StateMachineDoesNotExist:
            return False
        return status != "DELETING"

    def live_tags(self, ctx, outputs):
        return tag_dict(ctx.client("stepfunctions").list_tags_for_resource(
            resourceArn=outputs["arn"])["tags"], "key", "value")
