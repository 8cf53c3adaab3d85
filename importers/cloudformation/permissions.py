"""What a function may do, read as edges: its SAM `Policies` (inline statements, SAM policy
templates), the policies of its execution role, and SAM connectors (`AWS::Serverless::Connector`
resources and the `Connectors` attribute). Roles used this way are recorded, so that the
classification marks them as mapped into edges rather than kept as extras.
"""

from __future__ import annotations

import copy
from typing import Any

from importers.base import as_list, strip_tokens, token, tokens_in
from importers.cloudformation.state import TemplateImport
from importers.cloudformation.types import EVIDENCE_POLICIES, POLICY_TEMPLATE_ARNS, POLICY_TEMPLATES
from model.aws import iam, integration_grants


def function_policies(imp: TemplateImport, key: str, fn: str, props: dict) -> None:
    rtype = imp.types[key]
    for policy in as_list(props.get("Policies")):
        if isinstance(policy, str):
            continue  # a managed policy name or ARN: grants nothing we can tie to a node
        if not isinstance(policy, dict):
            continue
        if "Statement" in policy:
            imp.b.edges_from_statements(fn, policy["Statement"], key, rtype, "inline policy")
            continue
        for template_name, params in policy.items():
            _policy_template(imp, key, fn, template_name, params or {})
    for role_key in tokens_in(props.get("Role")):
        _role_statements(imp, key, fn, role_key.split(".")[0])


def _policy_template(imp: TemplateImport, key: str, fn: str, name: str, params: Any) -> None:
    rtype = imp.types[key]
    if name in EVIDENCE_POLICIES:
        return
    spec = POLICY_TEMPLATES.get(name)
    if spec is None:
        imp.b.note("note", key, rtype, f"policy template {name} grants access to nothing Stratus models")
        return
    param, service, kind, action = spec
    value = params.get(param) if isinstance(params, dict) else None
    target = imp.b.node_for(value, service)
    if target is None and value is not None:  # a resource outside the design: the grant is kept (below)
        imp.outside_grants.append((key, name))
        imp.b.note("note", key, rtype, f"policy template {name}: {param} {strip_tokens(str(value))} is not a node; "
                   "its grant is kept as a policy on the function's role")
        return
    if target is None:
        imp.b.warn(key, rtype, f"policy template {name}: {param} {strip_tokens(str(value))} is not a node")
        return
    imp.b.add_edge(fn, target, kind, {"action": action} if action else {}, f"policy template {name}", key, rtype)


def _role_statements(imp: TemplateImport, key: str, fn: str, role: str) -> None:
    if imp.types.get(role) != "AWS::IAM::Role" or role not in imp.props:
        return
    imp.use_roles(token(role), fn)
    for policy in imp.props[role].get("Policies") or []:
        if isinstance(policy, dict):
            document = policy.get("PolicyDocument") or {}
            imp.b.edges_from_statements(fn, document.get("Statement"), key, imp.types[key],
                                        f"policy of role {role}")
    for other, props in imp.props.items():
        if imp.types[other] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and \
                token(role) in as_list(props.get("Roles")):
            imp.b.edges_from_statements(fn, (props.get("PolicyDocument") or {}).get("Statement"),
                                        key, imp.types[key], f"policy {other}")


def wire_connector(imp: TemplateImport, key: str, props: dict) -> None:
    source = imp.b.node_for(token((props.get("Source") or {}).get("Id", ""))) \
        or imp.b.node_for((props.get("Source") or {}).get("Arn"))
    for destination in as_list(props.get("Destination")):
        _connect(imp, key, source, destination, props.get("Permissions"))


def wire_connectors_attribute(imp: TemplateImport, key: str, connectors: dict) -> None:
    source = imp.b.node_of.get(key)
    for name, connector in connectors.items():
        props = imp.resolver.resolve((connector or {}).get("Properties") or {})
        for destination in as_list(props.get("Destination")):
            _connect(imp, f"{key}.Connectors.{name}", source, destination, props.get("Permissions"))


def _connect(imp: TemplateImport, key: str, source: str | None, destination: Any, permissions: Any) -> None:
    rtype = "AWS::Serverless::Connector"
    target = None
    if isinstance(destination, dict):
        target = imp.b.node_for(token(destination["Id"])) if destination.get("Id") else \
            imp.b.node_for(destination.get("Arn"))
    if source is None or target is None:
        imp.b.warn(key, rtype, "connector source or destination is not a node of the design")
        return
    perms = {str(p).lower() for p in as_list(permissions)}
    src_service, dst_service = (imp.b.arch.nodes[n].service for n in (source, target))
    config: dict[str, Any] = {}
    if dst_service in ("dynamodb", "s3"):
        config["action"] = "read_write" if perms >= {"read", "write"} else ("write" if "write" in perms else "read")
    elif "write" not in perms:
        imp.b.note("note", key, rtype, "read-only connector: no event flows, no edge")
        return
    imp.b.add_edge(source, target, None, config, "connector", key, rtype)


def outside_grants(imp: TemplateImport) -> list[tuple[dict, str]]:
    """(extra, why): each policy template on a resource outside the design, as the policy
    SAM would make of it (the template's actions on the resource it names, its parameter
    as written), on the function's role as the exporter writes it."""
    kept = []
    for index, (key, name) in enumerate(imp.outside_grants, start=1):
        param, service, kind, action = POLICY_TEMPLATES[name]
        written = next((p[name] for p in as_list((imp.raw[key].get("Properties") or {}).get("Policies"))
                        if isinstance(p, dict) and isinstance(p.get(name), dict)), {})
        arn = {"Fn::Sub": [POLICY_TEMPLATE_ARNS[service], {"Name": written.get(param)}]}
        statements = [{"Effect": "Allow", "Action": list(actions),
                       "Resource": {"Fn::Sub": [POLICY_TEMPLATE_ARNS[service] + suffix, {"Name": written.get(param)}]}
                       if suffix else arn}
                      for actions, suffix in iam.ACTIONS[(kind, service, action)]]
        if f"{key}Role" not in imp.types:  # else that role, kept or absorbed, is the one
            imp.parts.setdefault(f"{key}Role", [imp.b.node_of[key], "role"])
        policy = {"PolicyName": f"{key}{name}", "Roles": [{"Ref": f"{key}Role"}],
                  "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}
        logical_id = f"{key}{name}{index}"
        if logical_id not in imp.types:
            kept.append(({"logical_id": logical_id, "type": "AWS::IAM::Policy", "properties": policy},
                         f"policy template {name} of '{key}' on a resource outside the design, kept as its grant"))
    return kept


# --------------------------------------------------------------------------------------
# Grants for wiring kept as written (a definition's tasks, an API's operations)


def kept_wiring_grants(imp: TemplateImport, roles: list[str], sam_policies: Any,
                       needs: list[tuple[str, tuple[integration_grants.Grant, ...]]]) -> dict:
    """What the roles of wiring kept as written must go on granting, read from the source:
    {"statements": the source's Allow statements (as written) that name an action the
    wiring needs, "derived": [{actions, resources, condition, why}] for the needed actions
    no such statement grants (from model/aws/integration_grants)}. `needs`: (why, grants)
    per call; `roles`: the source roles' logical ids; `sam_policies`: SAM's `Policies`."""
    written = _source_statements(imp, roles, sam_policies)
    kept: list[dict] = []
    derived: dict[tuple, dict] = {}
    for why, grants in needs:
        for grant in grants:
            missing = []
            for action in grant.actions:
                granting = [s for s in written if integration_grants.grants_action(as_list(s.get("Action")), action)]
                kept += [s for s in granting if not any(s is k for k in kept)]
                if not granting:
                    missing.append(action)
            if missing:
                key = (tuple(missing), grant.resources, repr(sorted(grant.condition.items())))
                entry = derived.setdefault(key, {"actions": missing, "resources": list(grant.resources),
                                                 "condition": copy.deepcopy(dict(grant.condition)), "why": []})
                if why not in entry["why"]:
                    entry["why"].append(why)
    return {"statements": copy.deepcopy(kept), "derived": list(derived.values())}


def _source_statements(imp: TemplateImport, roles: list[str], sam_policies: Any) -> list[dict]:
    """The Allow statements, as written, of the roles' inline policies, of the policies
    attached to them, and of SAM `Policies` given as statements."""
    documents = []
    for role in roles:
        for policy in as_list((imp.raw[role].get("Properties") or {}).get("Policies")):
            if isinstance(policy, dict):
                documents.append(policy.get("PolicyDocument"))
        for other, props in imp.props.items():
            if imp.types[other] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and \
                    token(role) in as_list(props.get("Roles")):
                documents.append((imp.raw[other].get("Properties") or {}).get("PolicyDocument"))
    documents += [p for p in as_list(sam_policies) if isinstance(p, dict) and "Statement" in p]
    return [s for d in documents if isinstance(d, dict) for s in as_list(d.get("Statement"))
            if isinstance(s, dict) and s.get("Effect", "Allow") == "Allow" and "Action" in s]


def source_roles(imp: TemplateImport, value: Any) -> list[str]:
    """The template's IAM roles a Role/Credentials value refers to."""
    roles = [key.split(".")[0] for key in tokens_in(value)]
    return [r for r in dict.fromkeys(roles) if imp.types.get(r) == "AWS::IAM::Role"]
