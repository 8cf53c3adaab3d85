"""What an import kept, written back into the CloudFormation export so that nothing is
lost: the resources outside the nine services (`extras`: {logical_id, type, properties,
condition, depends_on, deletion_policy, update_replace_policy, metadata}, written by
importers/cloudformation), and the parts of the source template they use: its
Parameters, Conditions and Mappings, and the SAM transform when a kept resource is a SAM
type (with AWS::LanguageExtensions when the source declared it).

Kept and generated resources merge, never collide: the kept resources' logical ids are
reserved before any generated one is named (template.py), a node keeps the logical id
it was imported from, and a kept bucket policy is merged into the one the exporter
writes for that bucket (a bucket has one policy). A kept resource's references are
pointed at what the export holds in place of the source's resources: a node's logical
id, and the exporter's counterpart of an absorbed or SAM-generated resource that the
importer recorded as a node's part (`imported_from.parts`: `MyApiProdStage` -> the
API's stage; `MyFunctionRole` -> the function's role). A DependsOn on something the
export has no counterpart of is pointed at the node it belonged to, or dropped.

Terraform-only extras ({address, tf_type, body}) have no CloudFormation form: the
template's Metadata lists them (`Stratus: {NotWritten: [...]}`) so that the loss is said.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from model.aws import integration_grants
from model.aws.asl import task_edges

from .imported import imported_logical_ids, kept_resources
from .template import FIXED_NAMES, Template

EXTRA_ATTRIBUTES = (("condition", "Condition"), ("depends_on", "DependsOn"), ("deletion_policy", "DeletionPolicy"),
                    ("update_replace_policy", "UpdateReplacePolicy"), ("metadata", "Metadata"))
# A node's part (importers/cloudformation/supporting.py) -> the role words of its logical id here
PART_ROLES = {"stage": ("Stage",), "deployment": ("Deployment",), "role": ("Role",), "log_group": ("LogGroup",),
              "policy": ("Policy",)}
SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
SAM_PREFIX = "AWS::Serverless::"
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"


def render_kept(t: Template) -> None:
    kept = kept_resources(t.arch)
    exact, loose = _renames(t)
    written = []
    for extra in kept:
        if _merged_bucket_policy(t, extra, exact):
            continue
        resource: dict[str, Any] = {"Type": extra["type"]}
        for key, attribute in EXTRA_ATTRIBUTES:
            if extra.get(key) is not None:
                resource[attribute] = copy.deepcopy(extra[key])
        if extra.get("properties"):
            resource["Properties"] = renamed(copy.deepcopy(extra["properties"]), exact)
        t.resources[t.kept_ids[extra["logical_id"]]] = resource
        written.append(resource)
    for resource in written:
        if "DependsOn" in resource:
            depends = _depends_on(t, resource["DependsOn"], exact, loose)
            if depends:
                resource["DependsOn"] = depends
            else:
                del resource["DependsOn"]
    _deployed_with_their_api(t)
    _sections(t, list(t.resources.values()))  # merged statements may use them too
    if any(e["type"].startswith(SAM_PREFIX) for e in kept):
        t.transforms.add(SAM_TRANSFORM)
    source_transforms = (t.arch.extra.get("imported_from") or {}).get("transform")
    if kept and LANGUAGE_EXTENSIONS in (source_transforms if isinstance(source_transforms, list) else [source_transforms]):
        t.transforms.add(LANGUAGE_EXTENSIONS)  # Fn::ToJsonString, Fn::Length... in what was kept
    unwritten = [f"{e.get('address')} ({e.get('tf_type')})" for e in t.arch.extra.get("extras") or []
                 if isinstance(e, dict) and "tf_type" in e]
    if unwritten:
        t.metadata.setdefault("Stratus", {})["NotWritten"] = [
            f"{what}: a Terraform resource kept from the import, with no CloudFormation form here"
            for what in unwritten]


def kept_definition(t: Template, node_id: str) -> dict:
    """The source's definition properties of an imported state machine whose tasks call
    what the design does not model (importers/cloudformation/wiring.py), references
    renamed; {} once its task edges differ from the imported ones (the design then says
    what the workflow does, and the definition is written from its edges)."""
    cfn = t.node(node_id).extra.get("cfn")
    kept = cfn.get("kept_definition") if isinstance(cfn, dict) else None
    if not isinstance(kept, dict) or not isinstance(kept.get("properties"), dict) or \
            kept.get("task_targets") != [e.target for e in task_edges(t.arch, node_id)]:
        return {}
    return renamed(copy.deepcopy(kept["properties"]), source_names(t))


def definition_grants(t: Template, node_id: str) -> dict:
    """What the role of a state machine whose kept definition is written must grant for
    the tasks outside the design (importers/cloudformation/wiring.py); {} otherwise."""
    cfn = t.node(node_id).extra.get("cfn")
    kept = cfn.get("kept_definition") if isinstance(cfn, dict) else None
    grants = kept.get("grants") if isinstance(kept, dict) and kept_definition(t, node_id) else None
    return grants if isinstance(grants, dict) else {}


def add_kept_grants(t: Template, role_id: str, grants: dict) -> None:
    """A second policy on an exported role, `kept-wiring`: the source's statements for
    wiring kept as written (references renamed) and the grants derived where the source
    gave none, which the template's Metadata lists (Stratus.DerivedPermissions)."""
    names = source_names(t)
    statements = [renamed(copy.deepcopy(s), names) for s in grants.get("statements") or [] if isinstance(s, dict)]
    derived = [d for d in grants.get("derived") or [] if isinstance(d, dict) and d.get("actions")]
    for index, entry in enumerate(derived, start=1):
        statements.append(_derived_statement(entry, f"Derived{index}"))
    role = t.resources.get(role_id)
    if not statements or role is None:
        return
    role["Properties"]["Policies"].append({"PolicyName": "kept-wiring", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": integration_grants.with_unique_sids(statements)}})
    if derived:
        t.metadata.setdefault("Stratus", {}).setdefault("DerivedPermissions", {})[role_id] = [
            f"{', '.join(d['actions'])}: {'; '.join(d.get('why') or [])}; the source grants none, so they are "
            "derived from the integration (narrow the resources if you can)" for d in derived]


def _derived_statement(entry: dict, sid: str) -> dict:
    resources = [{"Fn::Sub": integration_grants.arn(r, "${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}")}
                 if "{" in r else r for r in entry.get("resources") or ["*"]]
    statement = {"Sid": sid, "Effect": "Allow", "Action": list(entry["actions"]),
                 "Resource": resources[0] if len(resources) == 1 else resources}
    if entry.get("condition"):
        statement["Condition"] = copy.deepcopy(entry["condition"])
    return statement


def source_names(t: Template) -> dict[str, str]:
    """Source logical id -> what the export writes in its place (see `_renames`)."""
    return _renames(t)[0]


# --------------------------------------------------------------------------------------
# References


def _renames(t: Template) -> tuple[dict[str, str], dict[str, str]]:
    """(exact, loose): source logical id -> logical id here. Exact: the same kind of
    resource (a node, a named part); loose: the node a resource belonged to, for DependsOn."""
    exact = {source: t.id(node_id) for node_id, source in imported_logical_ids(t.arch).items()}
    exact.update({source: kept for source, kept in t.kept_ids.items() if kept != source})
    loose: dict[str, str] = {}
    parts = (t.arch.extra.get("imported_from") or {}).get("parts") or {}
    for source, part in parts.items():
        if not isinstance(part, list) or not part or part[0] not in t.arch.nodes:
            continue
        node_id, what = part[0], (part[1] if len(part) > 1 else "")
        if what == "rule" and len(part) > 2 and part[2] in t.arch.nodes:
            exact[source] = t.rule_id(node_id, part[2])
        elif what in PART_ROLES:
            exact[source] = t.id(node_id, *PART_ROLES[what])
        loose[source] = t.id(node_id)
    return exact, loose


def renamed(value: Any, names: dict[str, str]) -> Any:
    """A raw value with its Ref, GetAtt and Sub references renamed."""
    if isinstance(value, list):
        return [renamed(v, names) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (key, arg), = value.items()
        if key == "Ref" and isinstance(arg, str):
            return {"Ref": names.get(arg, arg)}
        if key == "Fn::GetAtt":
            return {"Fn::GetAtt": _renamed_getatt(arg, names)}
        if key == "Fn::Sub":
            return {"Fn::Sub": _renamed_sub(arg, names)}
    return {k: renamed(v, names) for k, v in value.items()}


def _renamed_getatt(arg: Any, names: dict[str, str]) -> Any:
    if isinstance(arg, str) and "." in arg:
        resource, attribute = arg.split(".", 1)
        return f"{names.get(resource, resource)}.{attribute}"
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        return [names.get(arg[0], arg[0])] + [renamed(a, names) for a in arg[1:]]
    return renamed(arg, names)


def _renamed_sub(arg: Any, names: dict[str, str]) -> Any:
    text, variables = (arg[0], arg[1] if len(arg) > 1 else None) if isinstance(arg, list) and arg else (arg, None)
    if not isinstance(text, str):
        return renamed(arg, names)
    local = set(variables) if isinstance(variables, dict) else set()

    def rename(match: re.Match) -> str:
        name = match.group(1).strip()
        if name in local:
            return match.group(0)
        if name in names:
            return "${" + names[name] + "}"
        head, dot, rest = name.partition(".")
        return "${" + names.get(head, head) + dot + rest + "}" if head in names else match.group(0)

    text = SUB_VARIABLE.sub(rename, text)
    return [text, renamed(variables, names)] if variables is not None else text


def _depends_on(t: Template, depends: Any, exact: dict[str, str], loose: dict[str, str]) -> list[str]:
    out = []
    for name in depends if isinstance(depends, list) else [depends]:
        name = str(name)
        target = exact.get(name) if exact.get(name) in t.resources else (
            name if name in t.resources else loose.get(name) if loose.get(name) in t.resources else None)
        if target and target not in out:
            out.append(target)
    return out


# --------------------------------------------------------------------------------------
# Merged with what the exporter writes


def _merged_bucket_policy(t: Template, extra: dict, names: dict[str, str]) -> bool:
    """A kept bucket policy on a bucket node: its statements join the policy the exporter
    writes for that bucket (a bucket has one policy), under that policy's logical id."""
    if extra["type"] != "AWS::S3::BucketPolicy":
        return False
    properties = renamed(copy.deepcopy(extra.get("properties") or {}), names)
    bucket = properties.get("Bucket")
    node_id = next((n for n in t.arch.nodes if bucket == {"Ref": t.id(n)} and t.node(n).service == "s3"), None)
    generated = t.resources.get(t.id(node_id, *PART_ROLES["policy"])) if node_id else None
    statements = (properties.get("PolicyDocument") or {}).get("Statement")
    if generated is None or not isinstance(statements, (list, dict)):
        return False
    generated["Properties"]["PolicyDocument"]["Statement"] += statements if isinstance(statements, list) else [statements]
    names[extra["logical_id"]] = t.id(node_id, *PART_ROLES["policy"])
    return True


def _deployed_with_their_api(t: Template) -> None:
    """A kept method of a REST API node (an integration the design does not model): the
    API's deployment waits for it, or the stage would be deployed without it."""
    for logical_id, resource in list(t.resources.items()):
        if resource.get("Type") != "AWS::ApiGateway::Method" or logical_id not in t.kept_ids.values():
            continue
        api = (resource.get("Properties") or {}).get("RestApiId")
        node_id = next((n for n in t.arch.nodes if api == {"Ref": t.id(n)} and t.node(n).service == "api_gateway"), None)
        deployment = t.resources.get(t.id(node_id, "Deployment")) if node_id else None
        if deployment is not None:
            deployment["DependsOn"] = sorted(set(deployment.get("DependsOn") or []) | {logical_id})


# --------------------------------------------------------------------------------------
# The source template's sections the kept resources use


def _sections(t: Template, written: list[dict]) -> None:
    """The source's Parameters, Conditions and Mappings that kept resources use, directly
    or through a condition; the exporter's own parameters (NamePrefix, Stage...) win."""
    source = t.arch.extra.get("imported_from") or {}
    parameters, conditions, mappings = (source.get(k) if isinstance(source.get(k), dict) else {}
                                        for k in ("parameters", "conditions", "mappings"))
    refs, used_conditions, used_maps = set(), set(), set()
    _uses(written, refs, used_conditions, used_maps)
    todo = [c for c in used_conditions if c in conditions]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        more: set[str] = set()
        _uses(conditions[name], refs, more, used_maps)
        todo += [c for c in more if c in conditions and c not in seen]
    for name in sorted(refs):
        if name in parameters and name not in t.resources and name not in t.parameters \
                and name not in FIXED_NAMES:
            t.parameters[name] = copy.deepcopy(parameters[name])
    for name in sorted(seen):
        t.conditions.setdefault(name, copy.deepcopy(conditions[name]))
    for name in sorted(used_maps):
        if name in mappings:
            t.mappings.setdefault(name, copy.deepcopy(mappings[name]))


def _uses(value: Any, refs: set, conditions: set, maps: set) -> None:
    """Names a value uses: Ref and Sub names, conditions (Condition attribute, Fn::If,
    Condition), mappings (Fn::FindInMap)."""
    if isinstance(value, list):
        for v in value:
            _uses(v, refs, conditions, maps)
        return
    if not isinstance(value, dict):
        return
    for key, arg in value.items():
        if key == "Ref" and isinstance(arg, str):
            refs.add(arg)
        elif key == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg else arg
            if isinstance(text, str):
                refs.update(m.strip() for m in SUB_VARIABLE.findall(text))
        elif key in ("Condition", "Fn::If") and (isinstance(arg, str) or isinstance(arg, list) and arg):
            name = arg if isinstance(arg, str) else arg[0]
            if isinstance(name, str):
                conditions.add(name)
        elif key == "Fn::FindInMap" and isinstance(arg, list) and arg and isinstance(arg[0], str):
            maps.add(arg[0])
        _uses(arg, refs, conditions, maps)
