"""Terraform configurations walked: the .tf files of a folder parsed (python-hcl2), local
modules followed with the arguments their call passes (remote ones reported by name), and
every resource block made into its instances: one per `count` index or `for_each` key
(`<name>_<i>`, `<name>_<key>`; count = 1 keeps the plain name); a count of 0 is reported
as not created, one that cannot be evaluated is imported once with a warning.

Each module is the `Scope` its expressions are evaluated in (`hcl_eval`): variables with
their defaults, locals, module outputs, and references to resource instances, kept as
tokens (see importers.base) with instances resolved (`fn["a"]` -> `fn_a`, splats).
"""

from __future__ import annotations

import os
import re
from typing import Any

from importers.base import GraphBuilder, read_text, token
from importers.terraform.hcl_eval import Scope
from importers.terraform.hcl_values import SPLAT, Unsupported, hcl_text, known, toset, traverse
from model.errors import StratusError

MAX_MODULE_DEPTH = 10
REPEAT_ARGUMENTS = ("count", "for_each")
MAX_INSTANCES = 100  # a count beyond this is surely not meant as that many nodes on a canvas


def tf_files(path: str) -> list[str]:
    """The .tf files of a folder, in name order (or the one file named)."""
    if os.path.isfile(path):
        return [path]
    return [os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith(".tf")]


def parse_hcl(path: str) -> dict:
    """A .tf file's blocks; a syntax error as a StratusError naming the file and line."""
    import hcl2  # here, not at the top: python-hcl2 is needed only when a Terraform file is read

    text = heredocs_normalised(read_text(path, "Terraform file"))
    options = hcl2.SerializationOptions(with_comments=False, preserve_heredocs=False, strip_string_quotes=True)
    try:
        return hcl2.loads(text, serialization_options=options)
    except Exception as exc:  # lark raises many kinds; each carries a line when it knows one
        line = getattr(exc, "line", None)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = f":{line}" if isinstance(line, int) and line > 0 else ""
        raise StratusError(f"{path}{where}: not valid HCL: {first}") from None


HEREDOC_START = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?$")


def heredocs_normalised(text: str) -> str:
    """Heredocs rewritten into the plain form python-hcl2 reads as Terraform does: an end
    marker followed by blanks (`POLICY  `, which Terraform accepts and python-hcl2's
    grammar does not) trimmed, and an indented heredoc (`<<-EOT`, whose quotes
    python-hcl2 returns escaped) dedented by its smallest indentation, as Terraform does,
    and written as `<<EOT`."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        opened = HEREDOC_START.search(lines[i])
        end = _heredoc_end(lines, i + 1, opened.group(2)) if opened else None
        if end is None:
            out.append(lines[i])
            i += 1
            continue
        body = lines[i + 1:end]
        if opened.group(1):
            indent = min((len(b) - len(b.lstrip(" \t")) for b in body if b.strip()), default=0)
            body = [b[indent:] for b in body]
        out.append(lines[i][:opened.start()] + "<<" + opened.group(2))
        out += body + [opened.group(2)]
        i = end + 1
    return "\n".join(out)


def _heredoc_end(lines: list[str], start: int, marker: str) -> int | None:
    return next((j for j in range(start, len(lines)) if lines[j].strip() == marker), None)


class Resource:
    """One resource instance. `address` is the importer's key (`aws_lambda_function.fn_a` for
    the instance `aws_lambda_function.fn["a"]`, which is `tf_address`); `frame` binds
    count.index or each.key/each.value while its arguments are evaluated."""

    def __init__(self, address: str, tf_type: str, body: dict, module: Module,
                 tf_address: str | None = None, frame: dict | None = None) -> None:
        self.address, self.tf_type, self.body, self.module = address, tf_type, body, module
        self.tf_address, self.frame = tf_address or address, frame or {}
        self._values: dict | None = None

    @property
    def values(self) -> dict:
        if self._values is None:
            self.module.frames.append(self.frame)
            try:
                self._values = self.module.evaluate(self.plain_body())
            finally:
                self.module.frames.pop()
        return self._values

    def plain_body(self) -> dict:
        """The body without hcl2's markers and without count/for_each (each instance is its own)."""
        return {k: v for k, v in strip_meta(self.body).items() if k not in REPEAT_ARGUMENTS}


class Module(Scope):
    """One Terraform module (the root, or a local module a call leads to) as the scope its
    expressions are evaluated in: its variables (the call's arguments over the declared
    defaults), locals, outputs and child modules; a reference to anything else is a
    resource of the configuration (an instance reference token)."""

    def __init__(self, folder: str, prefix: str, variables: dict, configuration: Configuration) -> None:
        super().__init__(folder)
        self.prefix, self.variables, self.configuration = prefix, variables, configuration
        self.locals_raw: dict = {}
        self.locals: dict = {}
        self.outputs_raw: dict = {}
        self.children: dict[str, Module] = {}

    def reference(self, parts: list[str]) -> Any:
        head = parts[0]
        for frame in reversed(self.frames):
            if head in frame:
                return traverse(frame[head], parts[1:])
        if head == "var" and len(parts) > 1:
            value = self.variables.get(parts[1], token(f"var.{parts[1]}"))
            return traverse(value, parts[2:])
        if head == "local" and len(parts) > 1:
            return traverse(self.local(parts[1]), parts[2:])
        if head == "path":
            return self.folder
        if head == "module" and len(parts) > 2 and parts[1] in self.children:
            return traverse(self.children[parts[1]].output(parts[2]), parts[3:])
        if head in ("each", "count", "self", "terraform"):
            return token(".".join(parts))
        return self.configuration.instance_reference(self.prefix, parts)

    def local(self, name: str) -> Any:
        if name not in self.locals:
            self.locals[name] = token(f"local.{name}")  # guards a local that refers to itself
            self.locals[name] = self.evaluate(self.locals_raw.get(name, token(f"local.{name}")))
        return self.locals[name]

    def output(self, name: str) -> Any:
        if name not in self.outputs_raw:
            return token(f"{self.prefix}output.{name}")
        return self.evaluate(self.outputs_raw[name])


class Configuration:
    """The resource instances of a root module and of the local modules it calls, keyed by
    the importer's address, with what `count` and `for_each` made of each resource."""

    def __init__(self, builder: GraphBuilder) -> None:
        self.b = builder  # for the notes loading makes (modules followed, instances, data sources)
        self.resources: dict[str, Resource] = {}
        self.providers: list = []
        self.instances: dict[str, dict[str, str]] = {}  # resource address -> {index or key: instance address}

    # -- modules ---------------------------------------------------------------------------------

    def load_module(self, files: list[str], folder: str, prefix: str, variables: dict, depth: int) -> Module:
        module = Module(folder, prefix, {}, self)
        blocks = [parse_hcl(f) for f in files]
        declared = {}
        for data in blocks:
            for entry in data.get("variable", []):
                for name, spec in entry.items():
                    declared[name] = (spec or {}).get("default", token(f"var.{name}"))
        for data in blocks:
            for entry in data.get("locals", []):
                module.locals_raw.update(strip_meta(entry))
            for entry in data.get("output", []):
                for name, spec in entry.items():
                    module.outputs_raw[name] = (spec or {}).get("value")
        module.variables = {**{k: module.evaluate(v) for k, v in declared.items()}, **variables}
        for data in blocks:
            self.providers += [strip_meta(p) for p in data.get("provider", [])]
            for entry in data.get("module", []):
                for name, call in entry.items():
                    self._module_call(module, name, strip_meta(call or {}), depth)
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

    def _module_call(self, parent: Module, name: str, call: dict, depth: int) -> None:
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
        child = self.load_module(tf_files(folder), folder, f"{address}.", arguments, depth + 1)
        parent.children[name] = child
        self.b.note("note", address, "module", f"local module {source} followed")

    # -- count and for_each --------------------------------------------------------------------

    def _add_resource(self, module: Module, address: str, tf_type: str, body: dict) -> None:
        if "for_each" in body:
            instances = self._for_each_instances(module, address, tf_type, body["for_each"])
        elif "count" in body:
            instances = self._count_instances(module, address, tf_type, body["count"])
        else:
            instances = [(address, address, {})]
        for key, tf_address, frame in instances:
            self.resources[key] = Resource(key, tf_type, body, module, tf_address, frame)

    def _free_address(self, address: str) -> str:
        candidate, n = address, 2
        while candidate in self.resources:
            candidate, n = f"{address}_{n}", n + 1
        return candidate

    def _count_instances(self, module: Module, address: str, tf_type: str, raw: Any) -> list:
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

    def _for_each_instances(self, module: Module, address: str, tf_type: str, raw: Any) -> list:
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


def instance_id(key: Any) -> str:
    """A for_each key as part of a node id: `"orders-api"` -> `orders_api`."""
    return re.sub(r"[^A-Za-z0-9_]", "_", str(key)).strip("_") or "key"


def count_of(value: Any) -> int | None:
    """A known, whole, non-negative count; None when it cannot be read."""
    if isinstance(value, bool) or not known(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number >= 0 and number == int(number) else None


def for_each_items(value: Any) -> list[tuple[str, Any]] | None:
    """(each.key, each.value) of a known map or set of strings; None when it cannot be read."""
    if not known(value):
        return None
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [(v, v) for v in toset(None, value)]
    return None


def _expression_text(raw: Any) -> str:
    """An argument as written: `${var.on ? 1 : 0}` -> `var.on ? 1 : 0`."""
    text = hcl_text(raw)
    return text[2:-1] if text.startswith("${") and text.endswith("}") and text.count("${") == 1 else text


def strip_meta(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_meta(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [strip_meta(v) for v in value]
    return value


def address_of(key: str) -> str:
    """`aws_iam_role.r.arn` -> `aws_iam_role.r` (and with a module prefix)."""
    parts = key.split(".")
    out = []
    while len(parts) >= 2 and parts[0] == "module":
        out += parts[:2]
        parts = parts[2:]
    return ".".join(out + parts[:2])


def first_block(value: Any) -> dict:
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}
