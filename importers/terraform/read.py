"""Terraform configurations -> a design (`import_terraform(dir_or_file)`).

The .tf files are parsed with python-hcl2; expressions it leaves as `${...}` text are
evaluated by a small evaluator here: variables with their defaults, locals, references
to resources (kept as tokens, see importers.base), module outputs, `jsonencode`,
`templatefile`, `file`, string interpolation, and (importers.terraform.hcl_eval)
operators, conditionals, `for` expressions and splats. `count` and `for_each` make one
resource instance per index or key (`<name>_<i>`, `<name>_<key>`; count = 1 keeps the
plain name); a count of 0 is reported as not created, one that cannot be evaluated is
imported once with a warning. Local modules (`source = "./..."`) are followed with the
variables the call passes; remote ones are reported by name.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from importers.terraform.hcl_eval import (
    COLLECTION_FUNCTIONS, OperatorParsing, Unsupported, count_of, for_each_items, instance_id,
)
from importers.base import (
    GraphBuilder, ImportResult, as_bool, as_int, parse_rate, read_text, strip_tokens, token,
    tokens_in,
)
from model.catalogue import LAMBDA_RUNTIMES
from model.errors import StratusError

NODE_TYPES = {
    "aws_lambda_function": "lambda", "aws_dynamodb_table": "dynamodb", "aws_sqs_queue": "sqs",
    "aws_sns_topic": "sns", "aws_kinesis_stream": "kinesis", "aws_s3_bucket": "s3",
    "aws_cloudwatch_event_bus": "eventbridge", "aws_sfn_state_machine": "step_functions",
    "aws_api_gateway_rest_api": "api_gateway", "aws_apigatewayv2_api": "api_gateway",
}
ABSORBED_TYPES = {
    "aws_lambda_permission": "invoke permission (derived from edges)",
    "aws_lambda_event_source_mapping": "event source mapping (an event_source edge)",
    "aws_lambda_function_event_invoke_config": "asynchronous invoke settings",
    "aws_lambda_provisioned_concurrency_config": "provisioned concurrency of the function",
    "aws_lambda_alias": "function alias",
    "aws_api_gateway_deployment": "API deployment", "aws_api_gateway_stage": "API stage",
    "aws_api_gateway_method": "API method", "aws_api_gateway_resource": "API path",
    "aws_api_gateway_integration": "API integration (an edge)",
    "aws_api_gateway_method_response": "API method response",
    "aws_api_gateway_integration_response": "API integration response",
    "aws_api_gateway_method_settings": "API throttling settings",
    "aws_apigatewayv2_stage": "API stage", "aws_apigatewayv2_deployment": "API deployment",
    "aws_apigatewayv2_integration": "API integration (an edge)", "aws_apigatewayv2_route": "API route",
    "aws_sns_topic_subscription": "subscription (an edge)", "aws_sqs_queue_policy": "queue policy (derived from edges)",
    "aws_sns_topic_policy": "topic policy (derived from edges)",
    "aws_sqs_queue_redrive_policy": "redrive policy (a dead_letter edge)",
    "aws_cloudwatch_event_rule": "rule (rule_target edges)", "aws_cloudwatch_event_target": "rule target (an edge)",
    "aws_s3_bucket_notification": "bucket notifications (edges)",
}
IAM_TYPES = ("aws_iam_role", "aws_iam_policy", "aws_iam_role_policy", "aws_iam_role_policy_attachment")
HTTP_METHODS = ("ANY", "GET", "POST", "PUT", "PATCH", "DELETE")
MAX_MODULE_DEPTH = 10
REPEAT_ARGUMENTS = ("count", "for_each")
SPLAT = "[*]"
MAX_INSTANCES = 100  # a count beyond this is surely not meant as that many nodes on a canvas


def import_terraform(dir_or_file: str | os.PathLike) -> ImportResult:
    path = os.fspath(dir_or_file)
    if not os.path.exists(path):
        raise StratusError(f"{path}: no such file or folder")
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    files = _tf_files(path)
    if not files:
        raise StratusError(f"{path}: no .tf files")
    name = os.path.basename(os.path.abspath(folder))
    builder = GraphBuilder(name, "terraform")
    importer = _Importer(builder)
    importer.load_module(files, folder, prefix="", variables={}, depth=0)
    if not importer.resources:
        raise StratusError(f"{path}: no resource blocks: nothing to import")
    return importer.run(path)


def _tf_files(path: str) -> list[str]:
    if os.path.isfile(path):
        return [path]
    return [os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith(".tf")]


def parse_hcl(path: str) -> dict:
    import hcl2

    text = read_text(path, "Terraform file")
    options = hcl2.SerializationOptions(with_comments=False, preserve_heredocs=False, strip_string_quotes=True)
    try:
        return hcl2.loads(text, serialization_options=options)
    except Exception as exc:  # lark raises many kinds; each carries a line when it knows one
        line = getattr(exc, "line", None)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = f":{line}" if isinstance(line, int) and line > 0 else ""
        raise StratusError(f"{path}{where}: not valid HCL: {first}") from None


class _Resource:
    """One resource instance. `address` is the importer's key (`aws_lambda_function.fn_a` for
    the instance `aws_lambda_function.fn["a"]`, which is `tf_address`); `frame` binds
    count.index or each.key/each.value while its arguments are evaluated."""

    def __init__(self, address: str, tf_type: str, body: dict, module: "_Module",
                 tf_address: str | None = None, frame: dict | None = None) -> None:
        self.address, self.tf_type, self.body, self.module = address, tf_type, body, module
        self.tf_address, self.frame = tf_address or address, frame or {}
        self._values: dict | None = None

    @property
    def values(self) -> dict:
        if self._values is None:
            self.module.scope.append(self.frame)
            try:
                self._values = self.module.evaluate(self.plain_body())
            finally:
                self.module.scope.pop()
        return self._values

    def plain_body(self) -> dict:
        """The body without hcl2's markers and without count/for_each (each instance is its own)."""
        return {k: v for k, v in _strip_meta(self.body).items() if k not in REPEAT_ARGUMENTS}


class _Module:
    def __init__(self, folder: str, prefix: str, variables: dict, importer: "_Importer") -> None:
        self.folder, self.prefix, self.variables, self.importer = folder, prefix, variables, importer
        self.locals_raw: dict = {}
        self.locals: dict = {}
        self.outputs_raw: dict = {}
        self.children: dict[str, _Module] = {}
        self.scope: list[dict] = []  # names bound by for expressions, count.index, each.key/value

    # -- expressions -------------------------------------------------------------------------

    def evaluate(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.template(value)
        if isinstance(value, dict):
            return {self.template(k) if isinstance(k, str) else k: self.evaluate(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.evaluate(v) for v in value]
        return value

    def template(self, text: str) -> Any:
        pieces = _split_template(text)
        if len(pieces) == 1 and pieces[0][0] == "expr":
            return self.expression(pieces[0][1])
        out = []
        for kind, piece in pieces:
            out.append(piece.replace("$${", "${") if kind == "text" else _text(self.expression(piece)))
        return "".join(out)

    def expression(self, text: str) -> Any:
        try:
            parser = _ExprParser(text, self)
            value = parser.parse()
            return value
        except Unsupported:
            return token(f"expr:{text.strip()}")

    def reference(self, parts: list[str]) -> Any:
        head = parts[0]
        for frame in reversed(self.scope):
            if head in frame:
                return _index(frame[head], parts[1:])
        if head == "var" and len(parts) > 1:
            value = self.variables.get(parts[1], token(f"var.{parts[1]}"))
            return _index(value, parts[2:])
        if head == "local" and len(parts) > 1:
            return _index(self.local(parts[1]), parts[2:])
        if head == "path":
            return self.folder
        if head == "module" and len(parts) > 2 and parts[1] in self.children:
            return _index(self.children[parts[1]].output(parts[2]), parts[3:])
        if head in ("each", "count", "self", "terraform"):
            return token(".".join(parts))
        return self.importer.instance_reference(self.prefix, parts)

    def local(self, name: str) -> Any:
        if name not in self.locals:
            self.locals[name] = token(f"local.{name}")  # guards a local that refers to itself
            self.locals[name] = self.evaluate(self.locals_raw.get(name, token(f"local.{name}")))
        return self.locals[name]

    def output(self, name: str) -> Any:
        if name not in self.outputs_raw:
            return token(f"{self.prefix}output.{name}")
        return self.evaluate(self.outputs_raw[name])


class _Importer:
    def __init__(self, builder: GraphBuilder) -> None:
        self.b = builder
        self.resources: dict[str, _Resource] = {}
        self.used_roles: set[str] = set()
        self.providers: list = []
        self.absorbed_as: dict[str, str] = {}  # address -> what it became (for the report)
        self.provisioned: dict[str, list[tuple[str, int]]] = {}  # function node -> (address, count)
        self.api_timeouts: dict[str, tuple[int, _Resource]] = {}  # API node -> (longest timeout, source)
        self.instances: dict[str, dict[str, str]] = {}  # resource address -> {index or key: instance address}

    # -- loading -------------------------------------------------------------------------------

    def load_module(self, files: list[str], folder: str, prefix: str, variables: dict, depth: int) -> _Module:
        module = _Module(folder, prefix, {}, self)
        blocks = [parse_hcl(f) for f in files]
        declared = {}
        for data in blocks:
            for entry in data.get("variable", []):
                for name, spec in entry.items():
                    declared[name] = (spec or {}).get("default", token(f"var.{name}"))
        for data in blocks:
            for entry in data.get("locals", []):
                module.locals_raw.update(_strip_meta(entry))
            for entry in data.get("output", []):
                for name, spec in entry.items():
                    module.outputs_raw[name] = (spec or {}).get("value")
        module.variables = {**{k: module.evaluate(v) for k, v in declared.items()}, **variables}
        for data in blocks:
            self.providers += [_strip_meta(p) for p in data.get("provider", [])]
            for entry in data.get("module", []):
                for name, call in entry.items():
                    self._module_call(module, name, _strip_meta(call or {}), depth)
            for entry in data.get("resource", []):
                for tf_type, named in entry.items():
                    for name, body in named.items():
                        self._add_resource(module, f"{prefix}{tf_type}.{name}", tf_type, body or {})
            for entry in data.get("data", []):
                for tf_type, named in entry.items():
                    for name in named:
                        self.b.note("note", f"{prefix}data.{tf_type}.{name}", tf_type,
                                    "data source (a lookup, not a resource): not imported")
        return module

    def _module_call(self, parent: _Module, name: str, call: dict, depth: int) -> None:
        source = str(call.get("source", ""))
        address = f"{parent.prefix}module.{name}"
        if not source.startswith(("./", "../")):
            self.b.warn(address, "module", f"remote module '{source}' is not followed; its resources are not imported")
            return
        folder = os.path.normpath(os.path.join(parent.folder, source))
        if depth >= MAX_MODULE_DEPTH or not os.path.isdir(folder):
            self.b.warn(address, "module", f"local module {source} not found (or nested too deep)")
            return
        arguments = {k: parent.evaluate(v) for k, v in call.items()
                     if k not in ("source", "version", "providers", "depends_on", *REPEAT_ARGUMENTS)}
        for argument in REPEAT_ARGUMENTS:
            if argument in call:
                self.b.note("note", address, "module", f"{argument} on a module call is not expanded; "
                            "the module is followed once", "warning")
        child = self.load_module(_tf_files(folder), folder, f"{address}.", arguments, depth + 1)
        parent.children[name] = child
        self.b.note("note", address, "module", f"local module {source} followed")

    # -- count and for_each --------------------------------------------------------------------

    def _add_resource(self, module: _Module, address: str, tf_type: str, body: dict) -> None:
        if "for_each" in body:
            instances = self._for_each_instances(module, address, tf_type, body["for_each"])
        elif "count" in body:
            instances = self._count_instances(module, address, tf_type, body["count"])
        else:
            instances = [(address, address, {})]
        for key, tf_address, frame in instances:
            self.resources[key] = _Resource(key, tf_type, body, module, tf_address, frame)

    def _free_address(self, address: str) -> str:
        candidate, n = address, 2
        while candidate in self.resources:
            candidate, n = f"{address}_{n}", n + 1
        return candidate

    def _count_instances(self, module: _Module, address: str, tf_type: str, raw: Any) -> list:
        """count = 0: no instance; 1: one under the plain name (so the design round-trips
        without a count and `x[0]` still resolves); N: `<name>_0` .. `<name>_N-1`."""
        count = count_of(module.evaluate(raw))
        text = _expression_text(raw)
        if count is None or count > MAX_INSTANCES:
            why = "could not be evaluated" if count is None else f"is more than {MAX_INSTANCES}"
            self.b.note("note", address, tf_type, f"count = {text} {why}; imported as one instance", "warning")
            self.instances[address] = {"0": address}
            return [(address, address, {"count": {"index": 0}})]
        if count == 0:
            self.b.note("note", address, tf_type, f"not created: count = {text}" if text == "0"
                        else f"not created: count = 0 ({text})")
            self.instances[address] = {}
            return []
        if count == 1:
            self.instances[address] = {"0": address}
            return [(address, f"{address}[0]", {"count": {"index": 0}})]
        keys = [self._free_address(f"{address}_{i}") for i in range(count)]
        self.instances[address] = {str(i): key for i, key in enumerate(keys)}
        self.b.note("note", address, tf_type, f"count = {count}: {count} instances ({', '.join(keys)})")
        return [(key, f"{address}[{i}]", {"count": {"index": i}}) for i, key in enumerate(keys)]

    def _for_each_instances(self, module: _Module, address: str, tf_type: str, raw: Any) -> list:
        items = for_each_items(module.evaluate(raw))
        text = _expression_text(raw)
        if items is None or len(items) > MAX_INSTANCES:
            why = "could not be evaluated" if items is None else f"has more than {MAX_INSTANCES} keys"
            self.b.note("note", address, tf_type, f"for_each = {text} {why}; imported as one instance", "warning")
            self.instances[address] = {}
            return [(address, address, {})]
        if not items:
            self.b.note("note", address, tf_type, f"not created: for_each = {text} is empty")
            self.instances[address] = {}
            return []
        out = []
        for key, value in items:
            instance = self._free_address(f"{address}_{instance_id(key)}")
            self.resources[instance] = None  # reserve the address for the next key
            out.append((instance, f'{address}["{key}"]', {"each": {"key": key, "value": value}}))
        self.instances[address] = {key: instance for (key, _), (instance, _, _) in zip(items, out)}
        self.b.note("note", address, tf_type, f"for_each over {len(items)} keys: {len(items)} instances "
                    f"({', '.join(i for i, _, _ in out)})")
        return out

    def instance_reference(self, prefix: str, parts: list[str]) -> Any:
        """A reference token to a resource, with instances resolved: `aws_lambda_function.fn["a"].arn`
        -> `aws_lambda_function.fn_a.arn`; a splat `aws_sqs_queue.q[*].arn` -> one token per
        instance (none when count = 0)."""
        address = prefix + ".".join(parts[:2])
        instances = self.instances.get(address)
        if len(parts) > 2 and parts[2] == SPLAT:
            if instances is None and address not in self.resources:
                raise Unsupported("splat of something that is not a resource")
            keys = list(instances.values()) if instances else ([address] if address in self.resources else [])
            return [token(".".join([key, *parts[3:]])) for key in keys]
        if instances is not None and len(parts) > 2 and parts[2] in instances:
            return token(".".join([instances[parts[2]], *parts[3:]]))
        return token(prefix + ".".join(parts))

    # -- driver ----------------------------------------------------------------------------------

    def run(self, path: str) -> ImportResult:
        self.b.arch.extra["imported_from"] = {"format": "terraform", "path": os.path.basename(os.path.abspath(path))}
        if self.providers:
            region = next((p.get("aws", {}).get("region") for p in self.providers if isinstance(p.get("aws"), dict)), None)
            if isinstance(region, str) and re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
                self.b.arch.region = region
        for res in self.resources.values():
            service = NODE_TYPES.get(res.tf_type)
            if service:
                self._add_node(res, service)
        self._link_aliases()
        for res in self.resources.values():
            wire = WIRING.get(res.tf_type)
            if wire:
                wire(self, res)
        self._apply_provisioned()
        self._apply_api_timeouts()
        self._classify_rest()
        return self.b.finish()

    def _add_node(self, res: _Resource, service: str) -> None:
        values = res.values
        config = CONFIG_READERS[service](self, res, values)
        names = [values.get(k) for k in ("function_name", "name", "bucket") if isinstance(values.get(k), str)]
        if isinstance(values.get("bucket_prefix"), str):
            names.append(values["bucket_prefix"] + "*")
        label = res.address.split(".")[-1]
        if res.module.prefix:
            label = f"{res.module.prefix.replace('module.', '').replace('.', '_')}{label}"
        extra = {"terraform": {"address": res.tf_address, "tf_type": res.tf_type, "body": res.plain_body()}}
        self.b.add_node(res.address, res.tf_type, service, config, label, extra, names)

    # -- aliases ------------------------------------------------------------------------------------

    def _link_aliases(self) -> None:
        """An alias stands for its function wherever it is referenced (`aws_lambda_alias.x.arn`
        in an integration invokes the function; a provisioned concurrency config on it is the
        function's)."""
        for res in self.resources.values():
            if res.tf_type != "aws_lambda_alias":
                continue
            fn = self.b.node_for(res.values.get("function_name"), "lambda")
            if fn is None:
                self.b.warn(res.address, res.tf_type, f"alias of {strip_tokens(str(res.values.get('function_name')))}, "
                            "which is not a function of this configuration")
                continue
            self.b.alias(res.address, fn)
            self.absorbed_as[res.address] = f"function alias of '{fn}'"

    def _apply_provisioned(self) -> None:
        for fn, counts in self.provisioned.items():
            total = sum(count for _, count in counts)
            first = self.resources[counts[0][0]]
            config = self.b._checked_config(first.address, first.tf_type, "lambda", {"provisioned_concurrency": total})
            self.b.arch.nodes[fn].config.update(config)
            for address, count in counts:
                self.absorbed_as[address] = f"provisioned concurrency of '{fn}' ({count} -> the node)"
            if len(counts) > 1:
                self.b.note("note", fn, "", f"provisioned concurrency of {len(counts)} configurations "
                            f"({', '.join(a for a, _ in counts)}) added up: {total}")

    def _api_timeout(self, api: str, timeout: Any, res: _Resource) -> None:
        value = as_int(timeout)
        if value is not None and value > self.api_timeouts.get(api, (-1, None))[0]:
            self.api_timeouts[api] = (value, res)

    def _apply_api_timeouts(self) -> None:
        """The API's timeout_ms: the longest integration timeout (each integration sets its own)."""
        for api, (timeout, res) in self.api_timeouts.items():
            self.b.arch.nodes[api].config.update(
                self.b._checked_config(res.address, res.tf_type, "api_gateway", {"timeout_ms": timeout}))

    def attribute(self, value: Any) -> Any:
        """A reference to another resource's own argument (`aws_api_gateway_method.m.http_method`)
        replaced by that argument's value; anything else unchanged."""
        keys = tokens_in(value)
        if not isinstance(value, str) or len(keys) != 1 or value != token(keys[0]):
            return value
        address = _address_of(keys[0])
        rest = keys[0][len(address) + 1:]
        res = self.resources.get(address)
        if res is None or not rest or "." in rest or rest not in res.values:
            return value
        return res.values[rest]

    # -- node config --------------------------------------------------------------------------------

    def _lambda(self, res: _Resource, v: dict) -> dict:
        reserved = as_int(v.get("reserved_concurrent_executions"))
        config = {"runtime": self._runtime(res, v.get("runtime")), "memory_mb": as_int(v.get("memory_size")),
                  "timeout_s": as_int(v.get("timeout")),
                  "reserved_concurrency": reserved if reserved is not None and reserved >= 0 else None,
                  "handler": v.get("handler") if isinstance(v.get("handler"), str) else None}
        archs = v.get("architectures")
        if isinstance(archs, list) and archs:
            config["architecture"] = archs[0]
        return {k: val for k, val in config.items() if val is not None}

    def _runtime(self, res: _Resource, runtime: Any) -> str | None:
        if not isinstance(runtime, str) or runtime in LAMBDA_RUNTIMES:
            return runtime if isinstance(runtime, str) else None
        family = re.match(r"[a-z]+", runtime)
        same = [r for r in LAMBDA_RUNTIMES if family and r.startswith(family.group(0))]
        if not same:
            self.b.note("note", res.address, res.tf_type, f"runtime {runtime} is not in Stratus's catalogue; "
                        "the default is used", "warning")
            return None
        self.b.note("note", res.address, res.tf_type, f"runtime {runtime} is newer than Stratus's catalogue; "
                    f"simulated as {same[0]} (the original is kept in the node's terraform body)")
        return same[0]

    def _table(self, res: _Resource, v: dict) -> dict:
        mode = v.get("billing_mode", "PROVISIONED")
        config = {"billing_mode": "on_demand" if mode == "PAY_PER_REQUEST" else "provisioned",
                  "read_capacity": as_int(v.get("read_capacity")), "write_capacity": as_int(v.get("write_capacity")),
                  "partition_key": v.get("hash_key") if isinstance(v.get("hash_key"), str) else None}
        if as_bool(v.get("stream_enabled")) and isinstance(v.get("stream_view_type"), str):
            config["stream"] = v["stream_view_type"].lower()
        return {k: val for k, val in config.items() if val is not None}

    def _queue(self, res: _Resource, v: dict) -> dict:
        config = {"fifo": as_bool(v.get("fifo_queue")), "visibility_timeout_s": as_int(v.get("visibility_timeout_seconds")),
                  "retention_s": as_int(v.get("message_retention_seconds"))}
        redrive = _json(v.get("redrive_policy"))
        if isinstance(redrive, dict):
            config["max_receive_count"] = as_int(redrive.get("maxReceiveCount"))
        return {k: val for k, val in config.items() if val is not None}

    def _topic(self, res: _Resource, v: dict) -> dict:
        fifo = as_bool(v.get("fifo_topic"))
        return {"fifo": fifo} if fifo is not None else {}

    def _stream(self, res: _Resource, v: dict) -> dict:
        details = _first_block(v.get("stream_mode_details"))
        config = {"capacity_mode": "on_demand" if details.get("stream_mode") == "ON_DEMAND" else "provisioned",
                  "shards": as_int(v.get("shard_count")), "retention_hours": as_int(v.get("retention_period"))}
        return {k: val for k, val in config.items() if val is not None}

    def _bucket(self, res: _Resource, v: dict) -> dict:
        return {}

    def _bus(self, res: _Resource, v: dict) -> dict:
        name = v.get("name")
        return {"bus_name": name} if isinstance(name, str) and not tokens_in(name) else {}

    def _state_machine(self, res: _Resource, v: dict) -> dict:
        return {"workflow_type": "express" if str(v.get("type", "STANDARD")).upper() == "EXPRESS" else "standard"}

    def _api(self, res: _Resource, v: dict) -> dict:
        http = res.tf_type == "aws_apigatewayv2_api"
        if http and v.get("protocol_type") not in ("HTTP", None):
            self.b.note("note", res.address, res.tf_type, f"{v.get('protocol_type')} API simulated as an HTTP API", "warning")
        return {"api_type": "http" if http else "rest"}

    # -- wiring ------------------------------------------------------------------------------------

    def _wire_function(self, res: _Resource) -> None:
        v, fn = res.values, self.b.node_of[res.address]
        for role in tokens_in(v.get("role")):
            self._role_statements(res, fn, _address_of(role))
        target = _first_block(v.get("dead_letter_config")).get("target_arn")
        if target:
            self._on_failure(res, fn, target, "dead-letter queue")
        variables = _first_block(v.get("environment")).get("variables") or {}
        for name, value in (variables.items() if isinstance(variables, dict) else []):
            node = self.b.node_for(value) if isinstance(value, str) else None
            if node is None or node == fn or self.b.has_edge_between(fn, node):
                continue
            service = self.b.arch.nodes[node].service
            self.b.add_edge(fn, node, None, {"action": "read_write"} if service in ("dynamodb", "s3") else {},
                            f"environment variable {name}", res.address, res.tf_type)

    def _role_statements(self, res: _Resource, fn: str, role: str) -> None:
        role_res = self.resources.get(role)
        if role_res is None or role_res.tf_type != "aws_iam_role":
            return
        self.used_roles.add(role)
        documents = [p.get("policy") for p in _as_list(role_res.values.get("inline_policy")) if isinstance(p, dict)]
        for other in self.resources.values():
            if other.tf_type == "aws_iam_role_policy" and role in map(_address_of, tokens_in(other.values.get("role"))):
                documents.append(other.values.get("policy"))
            if other.tf_type == "aws_iam_role_policy_attachment" and \
                    role in map(_address_of, tokens_in(other.values.get("role"))):
                for policy in tokens_in(other.values.get("policy_arn")):
                    policy_res = self.resources.get(_address_of(policy))
                    if policy_res is not None:
                        documents.append(policy_res.values.get("policy"))
        for document in documents:
            parsed = _json(document)
            if isinstance(parsed, dict):
                self.b.edges_from_statements(fn, parsed.get("Statement"), res.address, res.tf_type,
                                             f"policy of role {role}")

    def _on_failure(self, res: _Resource, fn: str, ref: Any, why: str) -> None:
        target = self.b.node_for(ref, ("sqs", "sns"))
        if target is None:
            self.b.warn(res.address, res.tf_type, f"{why} {strip_tokens(str(ref))} is not a queue or topic node")
            return
        self.b.add_edge(fn, target, "on_failure", {}, why, res.address, res.tf_type)

    def _event_invoke_config(self, res: _Resource) -> None:
        v = res.values
        fn = self.b.node_for(v.get("function_name"), "lambda")
        if fn is None:
            self.b.warn(res.address, res.tf_type, f"asynchronous invoke settings of {strip_tokens(str(v.get('function_name')))}, "
                        "which is not a function of this configuration")
            return
        retries = as_int(v.get("maximum_retry_attempts"))
        if retries is not None:
            self.b.arch.nodes[fn].config.update(
                self.b._checked_config(res.address, res.tf_type, "lambda", {"max_retry_attempts": retries}))
        failure = _first_block(_first_block(v.get("destination_config")).get("on_failure")).get("destination")
        if failure:
            self._on_failure(res, fn, failure, "on-failure destination")

    def _provisioned(self, res: _Resource) -> None:
        fn = self.b.node_for(res.values.get("function_name"), "lambda")
        count = as_int(res.values.get("provisioned_concurrent_executions"))
        if fn is None:
            self.b.warn(res.address, res.tf_type, f"provisioned concurrency ({count}) of "
                        f"{strip_tokens(str(res.values.get('function_name')))}, which is not a function of this "
                        "configuration; not attached to any node")
            return
        if count is None:
            self.b.warn(res.address, res.tf_type, f"provisioned_concurrent_executions "
                        f"{strip_tokens(str(res.values.get('provisioned_concurrent_executions')))} is not a number; "
                        f"'{fn}' keeps the default")
            return
        self.provisioned.setdefault(fn, []).append((res.address, count))

    def _wire_queue(self, res: _Resource) -> None:
        redrive = _json(res.values.get("redrive_policy"))
        self._redrive(res, self.b.node_of[res.address], redrive)

    def _redrive(self, res: _Resource, queue: str | None, redrive: Any) -> None:
        if queue is None or not isinstance(redrive, dict) or not redrive.get("deadLetterTargetArn"):
            return
        target = self.b.node_for(redrive["deadLetterTargetArn"], "sqs")
        if target is None:
            self.b.warn(res.address, res.tf_type, "redrive target is not a queue of this configuration")
            return
        count = as_int(redrive.get("maxReceiveCount"))
        if count is not None:
            self.b.arch.nodes[queue].config["max_receive_count"] = count
        self.b.add_edge(queue, target, "dead_letter", {}, "redrive policy", res.address, res.tf_type)

    def _redrive_resource(self, res: _Resource) -> None:
        self._redrive(res, self.b.node_for(res.values.get("queue_url"), "sqs"), _json(res.values.get("redrive_policy")))

    def _subscription(self, res: _Resource) -> None:
        v = res.values
        topic = self.b.node_for(v.get("topic_arn"), "sns")
        target = self.b.node_for(v.get("endpoint"), ("sqs", "lambda"))
        if topic is None or target is None:
            self.b.warn(res.address, res.tf_type, f"{v.get('protocol')} subscription: topic or endpoint is not a node")
            return
        raw = as_bool(v.get("raw_message_delivery")) if self.b.arch.nodes[target].service == "sqs" else None
        self.b.add_edge(topic, target, "subscription", {"raw_message_delivery": raw}, "subscription",
                        res.address, res.tf_type)

    def _event_source_mapping(self, res: _Resource) -> None:
        v = res.values
        source = self.b.node_for(v.get("event_source_arn"), ("sqs", "kinesis", "dynamodb"))
        fn = self.b.node_for(v.get("function_name"), "lambda")
        if source is None or fn is None:
            self.b.warn(res.address, res.tf_type, "event source or function is not a node")
            return
        config = {"batch_size": as_int(v.get("batch_size")),
                  "batch_window_s": as_int(v.get("maximum_batching_window_in_seconds"))}
        if self.b.arch.nodes[source].service == "sqs":
            config["max_concurrency"] = as_int(_first_block(v.get("scaling_config")).get("maximum_concurrency"))
        else:
            config.update({"parallelization_factor": as_int(v.get("parallelization_factor")),
                           "starting_position": v.get("starting_position") if v.get("starting_position") in
                           ("LATEST", "TRIM_HORIZON") else None,
                           "max_retry_attempts": as_int(v.get("maximum_retry_attempts"))})
        self.b.add_edge(source, fn, "event_source", config, "event source mapping", res.address, res.tf_type)

    def _notification(self, res: _Resource) -> None:
        v = res.values
        bucket = self.b.node_for(v.get("bucket"), "s3")
        if bucket is None:
            self.b.warn(res.address, res.tf_type, "bucket is not a node")
            return
        for block, ref_key in (("lambda_function", "lambda_function_arn"), ("queue", "queue_arn"), ("topic", "topic_arn")):
            for entry in _as_list(v.get(block)):
                if not isinstance(entry, dict):
                    continue
                target = self.b.node_for(entry.get(ref_key))
                if target is None:
                    self.b.warn(res.address, res.tf_type, f"notification to {strip_tokens(str(entry.get(ref_key)))} is not a node")
                    continue
                events = [str(e) for e in _as_list(entry.get("events"))]
                kind = "object_created" if events and all("ObjectCreated" in e for e in events) else (
                    "object_removed" if events and all("ObjectRemoved" in e for e in events) else "all")
                config = {"events": kind, "prefix": entry.get("filter_prefix"), "suffix": entry.get("filter_suffix")}
                self.b.add_edge(bucket, target, "notification", config, "notification", res.address, res.tf_type)
        if as_bool(v.get("eventbridge")):
            self.b.add_edge(bucket, self._default_bus(), "notification", {}, "EventBridge notifications",
                            res.address, res.tf_type)

    def _default_bus(self) -> str:
        if "default_bus" not in self.b.node_of:
            self.b.add_node("default_bus", "implicit default bus", "eventbridge", {"bus_name": "default"},
                            "default_bus", {"terraform": {"implicit": True}})
        return self.b.node_of["default_bus"]

    def _event_target(self, res: _Resource) -> None:
        v = res.values
        rule = self.resources.get(_address_of(tokens_in(v.get("rule"))[0])) if tokens_in(v.get("rule")) else None
        rule_values = rule.values if rule else {}
        target = self.b.node_for(v.get("arn"))
        if target is None:
            self.b.warn(res.address, res.tf_type, f"target {strip_tokens(str(v.get('arn')))} is not a node")
            return
        schedule = rule_values.get("schedule_expression")
        if schedule:
            every = parse_rate(str(schedule)) or 3600.0
            self.b.schedules.append((target, every, str(schedule)))
            self.b.note("note", res.address, res.tf_type, f"scheduled rule ({schedule}) -> a schedule load every "
                        f"{every:g} s at '{target}' in scenario 'imported schedules'")
            return
        bus_ref = v.get("event_bus_name") or rule_values.get("event_bus_name")
        bus = self.b.node_for(bus_ref, "eventbridge") if bus_ref not in (None, "default") else None
        pattern = _json(rule_values.get("event_pattern"))
        config = {"pattern": json.dumps(pattern, sort_keys=True)} if isinstance(pattern, dict) else {}
        self.b.add_edge(bus or self._default_bus(), target, "rule_target", config, "rule target",
                        res.address, res.tf_type)

    def _wire_state_machine(self, res: _Resource) -> None:
        v = res.values
        for role in tokens_in(v.get("role_arn")):
            self.used_roles.add(_address_of(role))
        definition = _json(v.get("definition"))
        if not isinstance(definition, dict):
            self.b.warn(res.address, res.tf_type, "definition could not be evaluated (an unsupported function?); "
                        "no task edges")
            return
        self.b.task_edges(self.b.node_of[res.address], definition, res.address, res.tf_type)

    def _v1_integration(self, res: _Resource) -> None:
        v = res.values
        api = self.b.node_for(v.get("rest_api_id"), "api_gateway")
        if api is None:
            return
        route = {"method": self._method_name(res, v.get("http_method", "ANY")), "path": self._path(v.get("resource_id"))}
        self._integrate(res, api, v.get("uri"), v, route)

    def _method_name(self, res: _Resource, method: Any) -> str:
        text = str(self.attribute(method)).upper()
        if text == "*":
            return "ANY"
        if text not in HTTP_METHODS:
            self.b.note("note", res.address, res.tf_type, f"HTTP method {strip_tokens(str(method))} is not one "
                        "Stratus models (or could not be evaluated); the route is imported as ANY", "warning")
            return "ANY"
        return text

    def _path(self, ref: Any) -> str:
        parts, keys, seen = [], tokens_in(ref), set()
        while keys and _address_of(keys[0]) in self.resources and keys[0] not in seen:
            seen.add(keys[0])
            values = self.resources[_address_of(keys[0])].values
            if "path_part" not in values:
                break
            parts.insert(0, str(values["path_part"]))
            keys = tokens_in(values.get("parent_id"))
        return "/" + "/".join(parts)

    def _integrate(self, res: _Resource, api: str, uri: Any, v: dict, route: dict) -> None:
        target = self.b.node_for(uri, ("lambda", "step_functions", "sqs", "kinesis", "dynamodb")) if uri else None
        config = dict(route)
        text = strip_tokens(str(uri or ""))
        match = re.search(r":apigateway:[^:]*:([a-z]+):(action|path)/(.+)$", text)
        if target is None and match:
            service = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "states": "step_functions"}.get(match.group(1))
            evidence = [v.get("request_templates"), v.get("request_parameters")]
            target = next((n for k in tokens_in(evidence) if (n := self.b.node_for(token(k), service))), None)
            if match.group(1) == "dynamodb":
                config["action"] = "read" if match.group(3).lower() in ("getitem", "query", "scan") else "write"
        for role in tokens_in(v.get("credentials") or v.get("credentials_arn")):
            self.used_roles.add(_address_of(role))
        self._api_timeout(api, v.get("timeout_milliseconds"), res)
        if target is None:
            if v.get("type") not in ("MOCK", "HTTP", "HTTP_PROXY"):
                self.b.warn(res.address, res.tf_type, f"integration {text} reaches no node of the design")
            return
        self.b.add_edge(api, target, None, config, f"{route['method']} {route['path']} integration",
                        res.address, res.tf_type)

    def _v2_api(self, res: _Resource) -> None:
        if res.values.get("target"):
            self._integrate(res, self.b.node_of[res.address], res.values["target"], {}, {"method": "ANY", "path": "/"})

    def _v2_integration(self, res: _Resource) -> None:
        v = res.values
        api = self.b.node_for(v.get("api_id"), "api_gateway")
        if api is None:
            return
        route = {"method": "ANY", "path": "/"}
        for other in self.resources.values():
            if other.tf_type == "aws_apigatewayv2_route" and \
                    res.address in map(_address_of, tokens_in(other.values.get("target"))):
                method, _, path = str(other.values.get("route_key", "ANY /")).partition(" ")
                route = {"method": method.upper() if method.upper() in HTTP_METHODS else "ANY", "path": path or "/"}
        subtype = v.get("integration_subtype")
        if subtype:
            service = {"SQS": "sqs", "Kinesis": "kinesis", "StepFunctions": "step_functions"}.get(str(subtype).split("-")[0])
            params = v.get("request_parameters") or {}
            target = next((n for val in params.values() if (n := self.b.node_for(val, service))), None)
            if target is None:
                self.b.warn(res.address, res.tf_type, f"{subtype} integration reaches no node of the design")
                return
            for role in tokens_in(v.get("credentials_arn")):
                self.used_roles.add(_address_of(role))
            self._api_timeout(api, v.get("timeout_milliseconds"), res)
            self.b.add_edge(api, target, None, route, f"{subtype} integration", res.address, res.tf_type)
            return
        self._integrate(res, api, v.get("integration_uri"), v, route)

    def _throttling(self, res: _Resource) -> None:
        v = res.values
        api = self.b.node_for(v.get("rest_api_id") or v.get("api_id"), "api_gateway")
        settings = _first_block(v.get("settings") or v.get("default_route_settings"))
        throttle = {}
        if isinstance(settings.get("throttling_rate_limit"), (int, float)):
            throttle["throttle_rate_rps"] = float(settings["throttling_rate_limit"])
        if as_int(settings.get("throttling_burst_limit")) is not None:
            throttle["throttle_burst"] = as_int(settings["throttling_burst_limit"])
        if api and throttle:
            self.b.arch.nodes[api].config.update(self.b._checked_config(res.address, res.tf_type, "api_gateway", throttle))

    # -- the rest ----------------------------------------------------------------------------------

    def _classify_rest(self) -> None:
        for address, res in self.resources.items():
            if address in self.b.node_of:
                continue
            if address in self.absorbed_as:
                self.b.note("absorbed", address, res.tf_type, self.absorbed_as[address])
            elif res.tf_type in ABSORBED_TYPES:
                self.b.note("absorbed", address, res.tf_type, ABSORBED_TYPES[res.tf_type])
            elif res.tf_type in IAM_TYPES and self._iam_used(res):
                self.b.note("mapped_into_edges", address, res.tf_type, "permissions are derived from the design's edges")
            else:
                self.b.extras.append({"address": address, "tf_type": res.tf_type, "body": res.plain_body()})
                self.b.note("extra", address, res.tf_type, "not one of the nine services; kept under extras")

    def _iam_used(self, res: _Resource) -> bool:
        if res.address in self.used_roles:
            return True
        roles = {_address_of(k) for k in tokens_in(res.values.get("role"))}
        if roles & self.used_roles:
            return True
        if res.tf_type == "aws_iam_policy":  # attached to a used role
            return any(o.tf_type == "aws_iam_role_policy_attachment" and
                       res.address in map(_address_of, tokens_in(o.values.get("policy_arn"))) and
                       {_address_of(k) for k in tokens_in(o.values.get("role"))} & self.used_roles
                       for o in self.resources.values())
        return False


# --------------------------------------------------------------------------------------
# Expression evaluation

def _split_template(text: str) -> list[tuple[str, str]]:
    """A string split into literal text and `${...}` expressions (braces and quotes nested)."""
    pieces, i, start = [], 0, 0
    while i < len(text):
        if text.startswith("$${", i):
            i += 3
            continue
        if text.startswith("${", i):
            if i > start:
                pieces.append(("text", text[start:i]))
            depth, j, quote = 1, i + 2, False
            while j < len(text) and depth:
                ch = text[j]
                if quote:
                    if ch == "\\":
                        j += 1
                    elif ch == '"':
                        quote = False
                elif ch == '"':
                    quote = True
                elif ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                j += 1
            pieces.append(("expr", text[i + 2:j - 1]))
            i = start = j
            continue
        i += 1
    if start < len(text) or not pieces:
        pieces.append(("text", text[start:]))
    return pieces


_TOKEN_RE = re.compile(r'\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"\\]|\\.)*")|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*)'
                       r'|(?P<op>=>|==|!=|<=|>=|&&|\|\||[{}\[\]().,=:?<>!+*/%-]))')


class _ExprParser(OperatorParsing):
    """Enough HCL expression syntax for real configurations: literals, objects, tuples,
    references with attributes and indexes, function calls; operators, conditionals and
    for expressions come from hcl_eval.OperatorParsing. Anything else (splats, unknown
    functions, unknown operands) raises Unsupported and the caller keeps the text."""

    def __init__(self, text: str, module: _Module) -> None:
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.module = module

    def _tokenize(self, text: str) -> list[tuple[str, str]]:
        out, pos = [], 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN_RE.match(text, pos)
            if not match or match.end() == pos:
                raise Unsupported(text)
            kind = match.lastgroup
            out.append((kind, match.group(kind)))
            pos = match.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        return out

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise Unsupported(value)
        self.pos += 1
        return tok

    def parse(self) -> Any:
        value = self.expr()
        if self.peek() is not None:
            raise Unsupported("trailing")
        return value

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "str":
            return self.module.template(json.loads(text.replace("\\$", "$")) if "\\" in text else text[1:-1])
        if text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if text == "{":
            return self.for_expression("}") if self.peek() == ("name", "for") else self.object()
        if text == "[":
            return self.for_expression("]") if self.peek() == ("name", "for") else self.tuple()
        if kind == "name":
            if text in ("true", "false"):
                return text == "true"
            if text == "null":
                return None
            if self.peek() and self.peek()[1] == "(":
                return self.call(text)
            return self.traversal(text)
        raise Unsupported(text)

    def object(self) -> dict:
        out = {}
        while self.peek() and self.peek()[1] != "}":
            kind, key = self.take()
            if kind == "str":
                key = key[1:-1]
            elif key == "(":
                key = _text(self.value())
                self.take(")")
            self.take(self.peek()[1] if self.peek() and self.peek()[1] in ("=", ":") else "=")
            out[key] = self.expr()
            if self.peek() and self.peek()[1] == ",":
                self.take(",")
        self.take("}")
        return out

    def tuple(self) -> list:
        out = []
        while self.peek() and self.peek()[1] != "]":
            out.append(self.expr())
            if self.peek() and self.peek()[1] == ",":
                self.take(",")
        self.take("]")
        return out

    def traversal(self, head: str) -> Any:
        parts = [head]
        while self.peek() and self.peek()[1] in (".", "["):
            if self.take()[1] == ".":
                parts.append(self.take()[1])
            elif self.peek() == ("op", "*"):  # a splat: every instance of a resource
                self.take("*")
                self.take("]")
                parts.append(SPLAT)
            else:
                parts.append(str(self.expr()))
                self.take("]")
        return self.module.reference(parts)

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() and self.peek()[1] != ")":
            args.append(self.expr())
            if self.peek() and self.peek()[1] == ",":
                self.take(",")
        self.take(")")
        function = _FUNCTIONS.get(name)
        if function is None:
            raise Unsupported(name)
        return function(self.module, *args)


def _templatefile(module: _Module, path: Any, variables: Any = None) -> str:
    full = os.path.normpath(os.path.join(module.folder, str(path)))
    if not os.path.isfile(full):
        raise Unsupported(path)
    scope = _Module(module.folder, module.prefix, dict(variables or {}), module.importer)
    scope.reference = lambda parts: _index((variables or {}).get(parts[0], token(".".join(parts))), parts[1:])  # type: ignore[method-assign]
    return _text(scope.template(read_text(full, "template file")))


def _file(module: _Module, path: Any) -> str:
    full = os.path.normpath(os.path.join(module.folder, str(path)))
    if not os.path.isfile(full):
        raise Unsupported(path)
    return read_text(full, "file")


_FUNCTIONS = {
    "jsonencode": lambda m, v: json.dumps(v, sort_keys=False),
    "jsondecode": lambda m, v: _json(v),
    "templatefile": _templatefile,
    "file": _file,
    "tostring": lambda m, v: _text(v),
    "tonumber": lambda m, v: v,
    "lower": lambda m, v: _text(v).lower(),
    "upper": lambda m, v: _text(v).upper(),
    "format": lambda m, f, *a: re.sub(r"%[sdv]", lambda _m, it=iter(a): _text(next(it, "")), _text(f)),
    "merge": lambda m, *d: {k: v for x in d if isinstance(x, dict) for k, v in x.items()},
    "concat": lambda m, *lists: [v for x in lists if isinstance(x, list) for v in x],
    **COLLECTION_FUNCTIONS,
}


# --------------------------------------------------------------------------------------
# Helpers


def _index(value: Any, rest: list[str]) -> Any:
    for i, part in enumerate(rest):
        if part == SPLAT:  # `var.list[*].name`: the rest applied to each element
            if not isinstance(value, list):
                raise Unsupported("splat of a non-list")
            return [_index(v, rest[i + 1:]) for v in value]
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, str) and tokens_in(value):
            return token(f"{strip_tokens(value)}.{part}")
        else:
            return value
    return value


def _expression_text(raw: Any) -> str:
    """An argument as written: `${var.on ? 1 : 0}` -> `var.on ? 1 : 0`."""
    text = _text(raw)
    return text[2:-1] if text.startswith("${") and text.endswith("}") and text.count("${") == 1 else text


def _address_of(key: str) -> str:
    """`aws_iam_role.r.arn` -> `aws_iam_role.r` (and with a module prefix)."""
    parts = key.split(".")
    out = []
    while len(parts) >= 2 and parts[0] == "module":
        out += parts[:2]
        parts = parts[2:]
    return ".".join(out + parts[:2])


def _strip_meta(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_meta(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_strip_meta(v) for v in value]
    return value


def _json(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if value is None:
        return ""
    return str(value)


def _first_block(value: Any) -> dict:
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


CONFIG_READERS = {
    "lambda": _Importer._lambda, "dynamodb": _Importer._table, "sqs": _Importer._queue, "sns": _Importer._topic,
    "kinesis": _Importer._stream, "s3": _Importer._bucket, "eventbridge": _Importer._bus,
    "step_functions": _Importer._state_machine, "api_gateway": _Importer._api,
}
WIRING = {
    "aws_lambda_function": _Importer._wire_function, "aws_sqs_queue": _Importer._wire_queue,
    "aws_sqs_queue_redrive_policy": _Importer._redrive_resource,
    "aws_sns_topic_subscription": _Importer._subscription,
    "aws_lambda_event_source_mapping": _Importer._event_source_mapping,
    "aws_lambda_function_event_invoke_config": _Importer._event_invoke_config,
    "aws_lambda_provisioned_concurrency_config": _Importer._provisioned,
    "aws_s3_bucket_notification": _Importer._notification, "aws_cloudwatch_event_target": _Importer._event_target,
    "aws_sfn_state_machine": _Importer._wire_state_machine, "aws_api_gateway_integration": _Importer._v1_integration,
    "aws_apigatewayv2_api": _Importer._v2_api, "aws_apigatewayv2_integration": _Importer._v2_integration,
    "aws_api_gateway_method_settings": _Importer._throttling, "aws_apigatewayv2_stage": _Importer._throttling,
}
