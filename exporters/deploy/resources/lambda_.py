"""Lambda: functions, event source mappings, permissions and failure destinations."""

from __future__ import annotations

import json

from ..core import Kind, ParentSettings, error_code, missing, retry_while

# IAM is eventually consistent: a role made a second ago may not yet be assumable.
_ROLE_NOT_READY = ("InvalidParameterValueException",)


class Function(Kind):
    name = "function"
    mutable = frozenset({"memory_mb", "timeout_s", "runtime", "handler", "code_sha256",
                         "architecture", "reserved_concurrency", "environment"})

    def find(self, ctx, res):
        lam = ctx.client("lambda")
        try:
            arn = lam.get_function(FunctionName=res.name)["Configuration"]["FunctionArn"]
        except lam.exceptions.ResourceNotFoundException:
            return None
        return {"tags": self.live_tags(ctx, {"arn": arn})}

    def create(self, ctx, res, record):
        lam, cfg = ctx.client("lambda"), res.config
        fn = retry_while(lambda: lam.create_function(
            FunctionName=res.name, Runtime=cfg["runtime"], Role=ctx.out(res.refs["role"]),
            Handler=cfg["handler"], Code={"ZipFile": res.payload}, MemorySize=cfg["memory_mb"],
            Timeout=cfg["timeout_s"], Architectures=[cfg["architecture"]],
            Environment={"Variables": cfg["environment"]}, Tags=ctx.tags,
            Description=f"Stratus: {res.node}"), _ROLE_NOT_READY)
        outputs = {"arn": fn["FunctionArn"], "name": res.name}
        record(outputs)
        lam.get_waiter("function_active_v2").wait(FunctionName=res.name)
        self._concurrency(lam, res)
        return outputs

    def update(self, ctx, res, outputs, changed):
        lam, cfg = ctx.client("lambda"), res.config
        if changed & {"memory_mb", "timeout_s", "runtime", "handler", "environment"}:
            lam.update_function_configuration(
                FunctionName=res.name, MemorySize=cfg["memory_mb"], Timeout=cfg["timeout_s"],
                Runtime=cfg["runtime"], Handler=cfg["handler"],
                Environment={"Variables": cfg["environment"]})
            lam.get_waiter("function_updated_v2").wait(FunctionName=res.name)
        if changed & {"code_sha256", "architecture"}:
            lam.update_function_code(FunctionName=res.name, ZipFile=res.payload,
                                     Architectures=[cfg["architecture"]])
            lam.get_waiter("function_updated_v2").wait(FunctionName=res.name)
        if "reserved_concurrency" in changed:
            self._concurrency(lam, res, clear=True)
        return outputs

    @staticmethod
    def _concurrency(lam, res, clear=False):
        reserved = res.config["reserved_concurrency"]
        if reserved is not None:
            lam.put_function_concurrency(FunctionName=res.name, ReservedConcurrentExecutions=reserved)
        elif clear:
            lam.delete_function_concurrency(FunctionName=res.name)

    def delete(self, ctx, outputs):
        ctx.client("lambda").delete_function(FunctionName=outputs["name"])

    def exists(self, ctx, outputs):
        return not missing(ctx.client("lambda").get_function, "ResourceNotFoundException",
                           FunctionName=outputs["name"])

    def live_tags(self, ctx, outputs):
        return ctx.client("lambda").list_tags(Resource=outputs["arn"])["Tags"]


class EventSourceMapping(Kind):
    """A poller reading a queue or stream; config keys are the API's own parameter names."""

    name = "event_source_mapping"
    taggable = False
    mutable = frozenset({"BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor",
                         "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError",
                         "ScalingConfig"})

    def create(self, ctx, res, record):
        lam = ctx.client("lambda")
        source = ctx.out(res.refs["source"], res.config.get("source_output", "arn"))
        params = {k: v for k, v in res.config.items() if k != "source_output"}
        if "destination" in res.refs:  # a stream's discarded batches
            params["DestinationConfig"] = {"OnFailure": {"Destination": ctx.out(res.refs["destination"])}}
        mapping = retry_while(lambda: lam.create_event_source_mapping(
            EventSourceArn=source, FunctionName=ctx.out(res.refs["function"], "name"), **params),
            _ROLE_NOT_READY)
        outputs = {"uuid": mapping["UUID"], "arn": mapping.get("EventSourceMappingArn", "")}
        record(outputs)
        return outputs

    def update(self, ctx, res, outputs, changed):
        params = {k: res.config[k] for k in changed if k in res.config}
        ctx.client("lambda").update_event_source_mapping(UUID=outputs["uuid"], **params)
        return outputs

    def delete(self, ctx, outputs):
        ctx.client("lambda").delete_event_source_mapping(UUID=outputs["uuid"])

    def exists(self, ctx, outputs):
        lam = ctx.client("lambda")
        try:
            state = lam.get_event_source_mapping(UUID=outputs["uuid"]).get("State", "")
        except lam.exceptions.ResourceNotFoundException:
            return False
        return state != "Deleting"


class Permission(Kind):
    """lambda add_permission for a service principal, limited to one source ARN."""

    name = "permission"
    taggable = False

    def create(self, ctx, res, record):
        source = ctx.out(res.refs["source"], res.config["source_output"]) + res.config["source_suffix"]
        outputs = {"function": ctx.out(res.refs["function"], "name"), "sid": res.config["sid"]}
        ctx.client("lambda").add_permission(
            FunctionName=outputs["function"], StatementId=outputs["sid"],
            Action=res.config["action"], Principal=res.config["principal"], SourceArn=source)
        record(outputs)
        return outputs

    def delete(self, ctx, outputs):
        ctx.client("lambda").remove_permission(FunctionName=outputs["function"],
                                               StatementId=outputs["sid"])

    def exists(self, ctx, outputs):
        lam = ctx.client("lambda")
        try:
            policy = json.loads(lam.get_policy(FunctionName=outputs["function"])["Policy"])
        except lam.exceptions.ResourceNotFoundException:
            return False
        return any(s.get("Sid") == outputs["sid"] for s in policy.get("Statement", []))


class InvokeConfig(ParentSettings):
    """Asynchronous invocation settings: retries and the on-failure destination."""

    name = "invoke_config"
    mutable = frozenset({"retries"})

    def parent(self, ctx, res):
        return {"function": ctx.out(res.refs["function"], "name")}

    def put(self, ctx, res, outputs):
        params = {"FunctionName": outputs["function"], "MaximumRetryAttempts": res.config["retries"]}
        if "destination" in res.refs:
            params["DestinationConfig"] = {"OnFailure": {"Destination": ctx.out(res.refs["destination"])}}
        retry_while(lambda: ctx.client("lambda").put_function_event_invoke_config(**params),
                    _ROLE_NOT_READY)

    def delete(self, ctx, outputs):
        ctx.client("lambda").delete_function_event_invoke_config(FunctionName=outputs["function"])

    def exists(self, ctx, outputs):
        try:
            ctx.client("lambda").get_function_event_invoke_config(FunctionName=outputs["function"])
        except Exception as exc:  # noqa: BLE001 - moto and AWS differ in the error class
            if error_code(exc) in ("ResourceNotFoundException",):
                return False
            raise
        return True
