"""The design file (DESIGN.md section 3, a CONTRACT): YAML in, YAML out.

Reading is defensive because files come from anywhere: a size cap, a safe loader, a cap
on how far aliases may expand (billion laughs), text-only input, and messages with line
numbers. Writing is atomic (temp file, fsync, rename) with a stable key order, and keys
Stratus does not know are carried through untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import yaml

from .architecture import Architecture, Edge, Group, Load, Node, Note, Scenario
from .catalogue import SERVICES
from .errors import DesignFileError, Problem

FORMAT_VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
# Nodes of the YAML tree counted with every alias expanded: a real design has a few
# thousand; a billion-laughs file has 10**9.
MAX_EXPANDED_YAML_NODES = 2_000_000

# version -> function upgrading a file's data from that version to the next one.
# Format 1 is the first; when format 2 comes, register MIGRATIONS[1] here.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}

NODE_KEYS = ("id", "service", "label", "at", "config")
EDGE_KEYS = ("from", "to", "kind")
SCENARIO_KEYS = ("name", "duration_s", "seed", "warmup_s", "load", "overrides")
TOP_KEYS = ("stratus", "name", "region", "account", "nodes", "edges", "scenarios", "annotations")
ANNOTATION_KEYS = ("notes", "groups")
NOTE_KEYS = ("id", "text", "at", "size")
GROUP_KEYS = ("id", "label", "nodes", "colour")


# --------------------------------------------------------------------------------------
# Reading


def load_design(path: str | os.PathLike) -> Architecture:
    """Read a design file; raise DesignFileError with a clear message if it is not one."""
    name = str(path)
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        raise DesignFileError(name, "no such file") from None
    except OSError as exc:
        raise DesignFileError(name, f"cannot read: {exc.strerror or exc}") from None
    if os.path.isdir(path):
        raise DesignFileError(name, "is a folder, not a design file")
    if size > MAX_FILE_BYTES:
        raise DesignFileError(name, f"file is {size / 1e6:.1f} MB; designs are limited to "
                                    f"{MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DesignFileError(name, f"cannot read: {exc.strerror or exc}") from None
    return loads_design(raw, name)


def loads_design(data: str | bytes, source: str = "<design>") -> Architecture:
    text = _decode(data, source)
    root = _compose(text, source)
    raw = _construct(root, source)
    raw = _migrate(raw, source)
    lines = _source_map(root)
    arch = _build(raw, source, lines)
    arch.source_map = lines
    return arch


def _decode(data: str | bytes, source: str) -> str:
    if isinstance(data, str):
        text = data
    else:
        if b"\x00" in data[:65536]:
            raise DesignFileError(source, "this is a binary file, not a YAML design")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DesignFileError(source, f"not UTF-8 text (bad byte at offset {exc.start}); "
                                          "a design file is YAML text") from None
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise DesignFileError(source, "design text is larger than the limit")
    return text


def _compose(text: str, source: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "syntax error"
        col = f", column {mark.column + 1}" if mark else ""
        raise DesignFileError(source, f"invalid YAML{col}: {what}", line) from None
    except yaml.YAMLError as exc:
        raise DesignFileError(source, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise DesignFileError(source, "YAML is nested too deeply") from None


def _expanded_size(node: yaml.Node, memo: dict[int, int], budget: int) -> int:
    """How many nodes the tree has once every alias is expanded (stops past budget)."""
    key = id(node)
    if key in memo:
        return memo[key]
    total = 1
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    else:
        children = []
    for child in children:
        total += _expanded_size(child, memo, budget)
        if total > budget:
            break
    memo[key] = total
    return total


def _construct(root: yaml.Node | None, source: str) -> dict:
    if root is None:
        raise DesignFileError(source, "file is empty; expected a Stratus design (a mapping "
                                      "starting with 'stratus: 1')")
    try:
        size = _expanded_size(root, {}, MAX_EXPANDED_YAML_NODES)
    except RecursionError:
        raise DesignFileError(source, "YAML is nested too deeply") from None
    if size > MAX_EXPANDED_YAML_NODES:
        raise DesignFileError(source, "YAML aliases expand to more than "
                                      f"{MAX_EXPANDED_YAML_NODES:,} values (an alias bomb?); refused")
    try:
        data = yaml.SafeLoader("").construct_document(root)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DesignFileError(source, f"unsupported YAML: {exc.problem}", line) from None
    except RecursionError:
        raise DesignFileError(source, "YAML is nested too deeply") from None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        raise DesignFileError(source, f"the top level is {kind}; a design is a mapping "
                                      "with 'stratus', 'nodes', 'edges' and 'scenarios'",
                              root.start_mark.line + 1)
    # Aliases share objects; a design's parts are edited independently.
    return _unshare(data)


def _unshare(value: Any) -> Any:
    """A copy in which no two places share a list or mapping (deepcopy keeps sharing)."""
    if isinstance(value, dict):
        return {k: _unshare(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unshare(v) for v in value]
    return value


def _migrate(raw: dict, source: str) -> dict:
    version = raw.get("stratus")
    if version is None:
        raise DesignFileError(source, "not a Stratus design: the 'stratus: 1' format marker is missing")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DesignFileError(source, f"format marker 'stratus: {version}' is not a known version")
    if version > FORMAT_VERSION:
        raise DesignFileError(source, f"written by a newer Stratus (format {version}); this version "
                                      f"reads formats up to {FORMAT_VERSION}. Please upgrade Stratus.")
    while version < FORMAT_VERSION:
        if version not in MIGRATIONS:
            raise DesignFileError(source, f"no migration from format {version}")
        raw = MIGRATIONS[version](raw)
        version += 1
        raw["stratus"] = version
    return raw


def _build(raw: dict, source: str, lines: dict[tuple, int]) -> Architecture:
    """Make an Architecture; items too malformed to keep become `file_problems`."""
    problems: list[Problem] = []
    arch = Architecture(str(raw.get("name", "Untitled")), str(raw.get("region", "us-east-1")))
    account = raw.get("account") or {}
    if isinstance(account, dict):
        arch.account = dict(account)
    else:
        problems.append(Problem("design", "'account' must be a mapping", line=lines.get(("key", "account"))))
    arch.extra = {k: v for k, v in raw.items() if k not in TOP_KEYS}

    for i, item in enumerate(_as_list(raw, "nodes", problems, lines)):
        line = lines.get(("node_index", i))
        node = _build_node(item, i, problems, line)
        if node is None:
            continue
        if node.id in arch.nodes:
            # Keep the first so the rest of the design stays usable.
            first = lines.get(("node", node.id))
            problems.append(Problem(f"node '{node.id}'", f"duplicate id (first used on line {first})",
                                    line=line, target=("node", node.id)))
        else:
            arch.nodes[node.id] = node
    for i, item in enumerate(_as_list(raw, "edges", problems, lines)):
        edge = _build_edge(item, i, problems, lines.get(("edge", i)))
        if edge is not None:
            arch.edges.append(edge)
    for i, item in enumerate(_as_list(raw, "scenarios", problems, lines)):
        scenario = _build_scenario(item, i, problems, lines)
        if scenario is not None:
            arch.scenarios.append(scenario)
    _build_annotations(raw, arch, problems, lines.get(("key", "annotations")))
    arch.file_problems = problems
    return arch


def _build_annotations(raw: dict, arch: Architecture, problems: list[Problem], line: int | None) -> None:
    """Notes and groups (canvas-only). What cannot be read is named as a warning and,
    where it can be, kept as it was for the next save."""
    value = raw.get("annotations")
    if value is None:
        return
    if not isinstance(value, dict):
        problems.append(Problem("annotations", "must be a mapping with 'notes' and 'groups'; kept as it is",
                                "warning", line))
        arch.extra["annotations"] = value
        return
    arch.annotations_extra = {k: v for k, v in value.items() if k not in ANNOTATION_KEYS}
    for kind, build, into in (("notes", _build_note, arch.notes), ("groups", _build_group, arch.groups)):
        items = value.get(kind) or []
        if not isinstance(items, list):
            problems.append(Problem("annotations", f"'{kind}' must be a list; dropped", "warning", line))
            continue
        for i, item in enumerate(items):
            subject = f"annotations.{kind}[{i}]"
            if not isinstance(item, dict):
                problems.append(Problem(subject, "must be a mapping; dropped", "warning", line))
                continue
            annotation = build(item, problems, subject, line)
            taken = {n.id for n in arch.notes} | {g.id for g in arch.groups}
            if not annotation.id or annotation.id in taken:
                fresh = arch.unique_annotation_id(kind[:-1])
                if annotation.id:
                    problems.append(Problem(subject, f"id '{annotation.id}' is used twice; this one is now "
                                                     f"'{fresh}'", "warning", line))
                annotation.id = fresh
            into.append(annotation)


def _pair(item: dict, key: str, default: tuple[float, float], problems: list[Problem], subject: str,
          line: int | None) -> tuple[float, float]:
    value = item.get(key)
    if value is None:
        return default
    if (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        return float(value[0]), float(value[1])
    problems.append(Problem(subject, f"'{key}' must be [x, y]; {list(default)} is used", "warning", line))
    return default


def _build_note(item: dict, problems: list[Problem], subject: str, line: int | None) -> Note:
    return Note(
        id=str(item.get("id") or ""),
        text=str(item.get("text") or ""),
        at=_pair(item, "at", (0.0, 0.0), problems, subject, line),
        size=_pair(item, "size", (220.0, 100.0), problems, subject, line),
        extra={k: v for k, v in item.items() if k not in NOTE_KEYS},
    )


def _build_group(item: dict, problems: list[Problem], subject: str, line: int | None) -> Group:
    members = item.get("nodes") or []
    if not isinstance(members, list):
        problems.append(Problem(subject, "'nodes' must be a list of node ids", "warning", line))
        members = []
    colour = item.get("colour")
    return Group(
        id=str(item.get("id") or ""),
        label=str(item.get("label") or ""),
        nodes=[str(m) for m in members],
        colour=None if colour is None else str(colour),
        extra={k: v for k, v in item.items() if k not in GROUP_KEYS},
    )


def _as_list(raw: dict, key: str, problems: list[Problem], lines: dict) -> list:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem("design", f"'{key}' must be a list, got {type(value).__name__}",
                                line=lines.get(("key", key))))
        return []
    return value


def _build_node(item: Any, i: int, problems: list[Problem], line: int | None) -> Node | None:
    subject = f"nodes[{i}]"
    if not isinstance(item, dict):
        problems.append(Problem(subject, "must be a mapping with 'id' and 'service'", line=line))
        return None
    subject = f"node '{item.get('id')}'"
    config = item.get("config") or {}
    if not isinstance(config, dict):
        problems.append(Problem(subject, "'config' must be a mapping", line=line))
        return None
    at = item.get("at")
    if at is not None:
        if (not isinstance(at, list) or len(at) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in at)):
            problems.append(Problem(subject, "'at' must be [x, y]", line=line))
            return None
        at = (float(at[0]), float(at[1]))
    label = item.get("label")
    return Node(
        id=str(item.get("id", "")),
        service=str(item.get("service", "")),
        config=config,
        label=None if label is None else str(label),
        at=at,
        extra={k: v for k, v in item.items() if k not in NODE_KEYS},
    )


def _build_edge(item: Any, i: int, problems: list[Problem], line: int | None) -> Edge | None:
    if not isinstance(item, dict):
        problems.append(Problem(f"edges[{i}]", "must be a mapping with 'from' and 'to'", line=line))
        return None
    kind = item.get("kind")
    return Edge(
        source=str(item.get("from", "")),
        target=str(item.get("to", "")),
        kind=None if kind is None else str(kind),
        config={k: v for k, v in item.items() if k not in EDGE_KEYS},
    )


def _build_scenario(item: Any, i: int, problems: list[Problem], lines: dict) -> Scenario | None:
    if not isinstance(item, dict):
        problems.append(Problem(f"scenarios[{i}]", "must be a mapping with 'name' and 'load'",
                                line=lines.get(("scenario_index", i))))
        return None
    name = str(item.get("name", f"scenario-{i + 1}"))
    subject, line = f"scenario '{name}'", lines.get(("scenario", item.get("name")))
    loads = []
    raw_loads = item.get("load") or []
    if not isinstance(raw_loads, list):
        problems.append(Problem(subject, "'load' must be a list", line=line, target=("scenario", name)))
        raw_loads = []
    for j, spec in enumerate(raw_loads):
        if not isinstance(spec, dict):
            problems.append(Problem(subject, f"load[{j}] must be a mapping with 'entry' and 'pattern'",
                                    line=lines.get(("load", item.get("name"), j)), target=("scenario", name)))
            continue
        loads.append(Load(str(spec.get("entry", "")), str(spec.get("pattern", "")),
                          {k: v for k, v in spec.items() if k not in ("entry", "pattern")}))
    overrides = item.get("overrides") or {}
    if not isinstance(overrides, dict) or not all(isinstance(v, dict) for v in overrides.values()):
        problems.append(Problem(subject, "'overrides' must map node ids to config mappings",
                                line=line, target=("scenario", name)))
        overrides = {}
    return Scenario(
        name=name,
        duration_s=item.get("duration_s", 600),
        seed=item.get("seed", 1),
        warmup_s=item.get("warmup_s", 0),
        load=loads,
        overrides={str(k): dict(v) for k, v in overrides.items()},
        extra={k: v for k, v in item.items() if k not in SCENARIO_KEYS},
    )


def _source_map(root: yaml.Node) -> dict[tuple, int]:
    """File lines (1-based) of nodes, edges, scenarios and their fields, for messages."""
    lines: dict[tuple, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key_node, value_node in root.value:
        section = getattr(key_node, "value", None)
        lines[("key", section)] = key_node.start_mark.line + 1
        if not isinstance(value_node, yaml.SequenceNode):
            continue
        for index, item in enumerate(value_node.value):
            line = item.start_mark.line + 1
            fields = _scalar_fields(item)
            if section == "nodes":
                ident = fields.get("id", (None, None))[0]
                lines.setdefault(("node", ident), line)
                lines[("node_index", index)] = line
                config = _mapping_child(item, "config")
                for name, (_, field_line) in _scalar_fields(config).items():
                    lines[("node", ident, name)] = field_line
            elif section == "edges":
                lines[("edge", index)] = line
            elif section == "scenarios":
                lines[("scenario_index", index)] = line
                ident = fields.get("name", (None, None))[0]
                lines[("scenario", ident)] = line
                loads = _mapping_child(item, "load")
                if isinstance(loads, yaml.SequenceNode):
                    for j, load in enumerate(loads.value):
                        lines[("load", ident, j)] = load.start_mark.line + 1
    return lines


def _scalar_fields(node: yaml.Node | None) -> dict[str, tuple[Any, int]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    out = {}
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode):
            out[k.value] = (v.value if isinstance(v, yaml.ScalarNode) else None, k.start_mark.line + 1)
    return out


def _mapping_child(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


# --------------------------------------------------------------------------------------
# Writing


class _Flow(dict):
    """A mapping written on one line: `{from: a, to: b}`."""


class _FlowList(list):
    pass


class _Block(str):
    """A string of several lines, written as a literal block (`|`)."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        # Indent list items under their key, as the documented examples do.
        return super().increase_indent(flow, False)


_Dumper.add_representer(_Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(tuple, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_Block, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="|"))


def _ordered(mapping: dict, first: tuple[str, ...] = ()) -> dict:
    """Known keys in their documented order, then the rest as they came."""
    out = {k: mapping[k] for k in first if k in mapping}
    out.update((k, v) for k, v in mapping.items() if k not in out)
    return out


def _config_for_file(service: str, config: dict) -> dict:
    spec = SERVICES.get(service)
    order = tuple(f.name for f in spec.fields) if spec else ()
    out = {}
    for key, value in _ordered(config, order).items():
        out[key] = _Flow(value) if isinstance(value, dict) else value
    return out


def design_to_data(arch: Architecture) -> dict:
    """The design as plain data, in file order."""
    data: dict[str, Any] = {"stratus": FORMAT_VERSION, "name": arch.name, "region": arch.region}
    if arch.account:
        data["account"] = dict(arch.account)
    data["nodes"] = [_node_data(n) for n in arch.nodes.values()]
    data["edges"] = [_edge_data(e) for e in arch.edges]
    data["scenarios"] = [_scenario_data(s) for s in arch.scenarios]
    annotations = _annotations_data(arch)
    if annotations:
        data["annotations"] = annotations
    for key, value in arch.extra.items():
        if not key.startswith("_") and key not in data:
            data[key] = value
    return data


def _node_data(node: Node) -> dict:
    out: dict[str, Any] = {"id": node.id, "service": node.service}
    if node.label is not None:
        out["label"] = node.label
    if node.at is not None:
        out["at"] = _FlowList(_round(v) for v in node.at)
    out["config"] = _config_for_file(node.service, node.config)
    out.update((k, v) for k, v in node.extra.items() if k not in out)
    return out


def _round(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _edge_data(edge: Edge) -> dict:
    out: dict[str, Any] = {"from": edge.source, "to": edge.target}
    if edge.kind is not None:
        out["kind"] = edge.kind
    out.update((k, v) for k, v in edge.config.items() if k not in out)
    return _Flow(out)


def _scenario_data(s: Scenario) -> dict:
    out: dict[str, Any] = {"name": s.name, "duration_s": s.duration_s, "seed": s.seed}
    if s.warmup_s:
        out["warmup_s"] = s.warmup_s
    out["load"] = [_Flow({"entry": ld.entry, "pattern": ld.pattern, **ld.params}) for ld in s.load]
    if s.overrides:
        out["overrides"] = {node: _Flow(cfg) for node, cfg in s.overrides.items()}
    out.update((k, v) for k, v in s.extra.items() if k not in out)
    return out


def _annotations_data(arch: Architecture) -> dict:
    out: dict[str, Any] = {}
    if arch.notes:
        out["notes"] = [_note_data(n) for n in arch.notes]
    if arch.groups:
        out["groups"] = [_group_data(g) for g in arch.groups]
    out.update((k, v) for k, v in arch.annotations_extra.items() if k not in out)
    return out


def _note_data(note: Note) -> dict:
    # A text of several lines (without trailing spaces, which a block cannot hold) is
    # written as a block: readable, and diffs line by line.
    lines = note.text.split("\n")
    block = "\n" in note.text and not any(line != line.rstrip() for line in lines)
    out: dict[str, Any] = {"id": note.id, "text": _Block(note.text) if block else note.text,
                           "at": _FlowList(_round(v) for v in note.at),
                           "size": _FlowList(_round(v) for v in note.size)}
    out.update((k, v) for k, v in note.extra.items() if k not in out)
    return out


def _group_data(group: Group) -> dict:
    out: dict[str, Any] = {"id": group.id, "label": group.label, "nodes": list(group.nodes)}
    if group.colour is not None:
        out["colour"] = group.colour
    out.update((k, v) for k, v in group.extra.items() if k not in out)
    return _Flow(out)


def dump_design(arch: Architecture) -> str:
    return yaml.dump(design_to_data(arch), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=100, default_flow_style=False)


def save_design(arch: Architecture, path: str | os.PathLike) -> None:
    """Write atomically: a crash mid-write leaves the old file, never half a file."""
    atomic_write_text(path, dump_design(arch))


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode a new file would have.
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
