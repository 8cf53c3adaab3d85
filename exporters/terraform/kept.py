"""What a CloudFormation import kept on an API node, written in Terraform: the OpenAPI
operations that integrate services outside the design (importers/cloudformation/openapi.py),
with their authorisers, and the grants the API's role keeps for them.

Their values are CloudFormation's (Fn::Sub, Ref, Fn::GetAtt). `CfnValues` translates the
ones that name a pseudo parameter, a node of the design or the API's own role; a value that
names anything else (a resource kept whole, a template parameter: the Terraform export holds
neither) cannot be written here, and the operation or statement is then left out with a
comment on the API's resource saying so.
"""

from __future__ import annotations

import json
import re
from typing import Any

from model.aws import checkov_skips as skips
from model.aws import integration_grants, openapi_keys, wiring
from model.aws.authorisers import Authorisation, Authoriser, kept_authorisation
from model.aws.routes import Route

from ..serialize import Block, Expr, hcl_value
from .config import ACCOUNT, PARTITION, REGION, Config, quoted

PSEUDO_PARAMETERS = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": PARTITION,
                     "AWS::URLSuffix": "data.aws_partition.current.dns_suffix"}
# A node's CloudFormation attribute -> the wiring attribute it stands for
CFN_ATTRIBUTES = {"Arn": wiring.ARN, "QueueName": wiring.NAME, "QueueUrl": wiring.URL, "StreamArn": wiring.STREAM_ARN,
                  "TopicArn": wiring.ARN, "TopicName": wiring.NAME, "Name": wiring.NAME}
# What a node's Ref gives, by service (a function's name has no wiring attribute here: not translated)
CFN_REFS = {"sqs": wiring.URL, "sns": wiring.ARN, "dynamodb": wiring.NAME, "kinesis": wiring.NAME, "s3": wiring.NAME,
            "step_functions": wiring.ARN, "api_gateway": wiring.ID, "eventbridge": wiring.NAME}
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Untranslatable(Exception):
    """A CloudFormation value naming what the Terraform export does not hold."""


class CfnValues:
    """CloudFormation values of a kept operation as Terraform expressions."""

    def __init__(self, c: Config, api_id: str, credentials_role: str | None) -> None:
        self.c = c
        self.nodes = {(node.extra.get("cfn") or {}).get("logical_id", node_id): node_id
                      for node_id, node in c.arch.nodes.items() if isinstance(node.extra.get("cfn"), dict)}
        self.role = credentials_role  # the source role the API's role stands for
        self.role_arn = f"aws_iam_role.{c.name(api_id, 'role')}.arn"

    def value(self, value: Any, literal_text: bool = False) -> Any:
        """Any value: text with ${...} is a substitution unless `literal_text` (a VTL
        template, whose ${...} is API Gateway's and is escaped for Terraform)."""
        if isinstance(value, dict) and len(value) == 1:
            (key, arg), = value.items()
            if key == "Fn::Sub":
                return quoted(self._sub(arg))
            if key == "Ref":
                return Expr(self._reference(str(arg), None))
            if key == "Fn::GetAtt":
                name, attribute = arg.split(".", 1) if isinstance(arg, str) else (arg[0], arg[1])
                return Expr(self._reference(str(name), str(attribute)))
            if key.startswith("Fn::"):
                raise Untranslatable(key)
        if isinstance(value, dict):
            return {k: self.value(v, literal_text) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, literal_text) for v in value]
        if isinstance(value, str) and "${" in value:
            return quoted(value.replace("${", "$${")) if literal_text else quoted(self._sub(value))
        return value

    def _sub(self, arg: Any) -> str:
        text, variables = (arg[0], arg[1] if len(arg) > 1 else {}) if isinstance(arg, list) else (arg, {})
        if not isinstance(text, str) or not isinstance(variables, dict):
            raise Untranslatable("Fn::Sub")

        def interpolation(match: re.Match) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):  # ${!Literal} is the text ${Literal}
                return "$${" + name[1:] + "}"
            if name in variables:
                return _inner_text(self.value(variables[name]))
            head, _, attribute = name.partition(".")
            return "${" + self._reference(head, attribute or None) + "}"

        return SUB_VARIABLE.sub(interpolation, text)

    def _reference(self, name: str, attribute: str | None) -> str:
        if attribute is None and name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        if name == self.role and attribute in (None, "Arn"):
            return self.role_arn
        node_id = self.nodes.get(name)
        wanted = CFN_ATTRIBUTES.get(attribute) if attribute else CFN_REFS.get(self.c.service(node_id)) \
            if node_id else None
        if node_id is None or wanted is None:
            raise Untranslatable(f"{name}.{attribute}" if attribute else name)
        return str(self.c.attribute(node_id, wanted))


def _inner_text(value: Any) -> str:
    """A translated value inside a string: a quoted string's text, a reference's
    interpolation, plain text escaped."""
    if isinstance(value, Expr):
        return json.loads(value) if value.startswith('"') else "${" + value + "}"
    if isinstance(value, str):
        return value.replace("${", "$${")
    return str(value)


def not_written(c: Config, api_id: str, what: str, why: Untranslatable) -> None:
    """Say on the API's resource what was left out, and why."""
    for block in c.blocks:
        if block.type == "resource" and block.labels == (c.resource_type(api_id), c.name(api_id)):
            block.comments.append(f" {what}: kept from the import but not written here, as it refers to {why}, "
                                  "which this configuration does not hold")
            return


# --------------------------------------------------------------------------------------
# Authorisers


def authorisation(c: Config, values: CfnValues, api_id: str, kept: dict, http: bool) -> dict:
    """The method's (http=False) or route's authorisation arguments; its authoriser (and the
    permission API Gateway needs to call a Lambda authoriser of the design) written once."""
    found = kept_authorisation({k: kept[k] for k in ("security", "security_schemes", "auth") if k in kept}, http)
    out: dict[str, Any] = {("authorization_type" if http else "authorization"): found.type}
    if found.authoriser is not None:
        name = (_http_authoriser if http else _rest_authoriser)(c, values, api_id, found)
        out["authorizer_id"] = Expr(f"{name}.id")
    if found.scopes:
        out["authorization_scopes"] = list(found.scopes)
    if found.api_key_required:
        out["api_key_required"] = True
    return out


REST_AUTHORISER_ARGUMENTS = openapi_keys.terraform_arguments(openapi_keys.REST_AUTHORIZER)
HTTP_AUTHORISER_ARGUMENTS = openapi_keys.terraform_arguments(openapi_keys.HTTP_AUTHORIZER)


def _rest_authoriser(c: Config, values: CfnValues, api_id: str, found: Authorisation) -> str:
    authoriser = found.authoriser
    assert authoriser is not None
    name = c.name(api_id, "authorizer", authoriser.name)
    body = {"name": authoriser.name, "rest_api_id": Expr(f"{c.address(api_id)}.id"), "type": authoriser.type,
            **{arg: values.value(authoriser.settings[k]) for k, arg in REST_AUTHORISER_ARGUMENTS.items()
               if k in authoriser.settings}}
    source = authoriser.identity_source(found.header)
    if source is not None:
        body["identity_source"] = values.value(source)
    address = c.resource("aws_api_gateway_authorizer", name, body)
    _authoriser_permission(c, values, api_id, authoriser, address)
    return address


def _http_authoriser(c: Config, values: CfnValues, api_id: str, found: Authorisation) -> str:
    authoriser = found.authoriser
    assert authoriser is not None
    name = c.name(api_id, "authorizer", authoriser.name)
    body: dict[str, Any] = {"api_id": Expr(f"{c.address(api_id)}.id"), "name": authoriser.name,
                            "authorizer_type": authoriser.type,
                            **{arg: values.value(authoriser.settings[k]) for k, arg in HTTP_AUTHORISER_ARGUMENTS.items()
                               if k in authoriser.settings}}
    if authoriser.identity_sources():
        body["identity_sources"] = [values.value(s, literal_text=True) for s in authoriser.identity_sources()]
    jwt = authoriser.settings.get("jwtConfiguration")
    if isinstance(jwt, dict):
        body["blocks"] = [Block("jwt_configuration", body={k: values.value(jwt[k]) for k in ("audience", "issuer")
                                                           if k in jwt})]
    address = c.resource("aws_apigatewayv2_authorizer", name, body)
    _authoriser_permission(c, values, api_id, authoriser, address)
    return address


def _authoriser_permission(c: Config, values: CfnValues, api_id: str, authoriser: Authoriser, address: str) -> None:
    """API Gateway calls a Lambda authoriser of the design with a permission of its own (the
    CloudFormation source's is a resource kept whole, or SAM's, neither of which Terraform holds)."""
    text = json.dumps(authoriser.settings.get("authorizerUri"))
    functions = [n for source, n in values.nodes.items()
                 if c.service(n) == "lambda" and re.search(rf"\b{re.escape(source)}\b", text)]
    for fn in functions[:1]:
        c.resource("aws_lambda_permission", c.name(fn, "permission", api_id, authoriser.name), {
            "action": "lambda:InvokeFunction", "function_name": c.function_target(fn),
            "principal": "apigateway.amazonaws.com",
            "source_arn": quoted("${" + f"{c.address(api_id)}.execution_arn" + "}/authorizers/${" + address
                                 + ".id}")})


# --------------------------------------------------------------------------------------
# The API role's grants for kept operations


def kept_role_policy(c: Config, api_id: str, grants: dict, values: CfnValues) -> None:
    """A second policy on the API's role, `kept-wiring`: the source's statements for kept
    operations (those Terraform can write) and the grants derived where the source gave
    none, said in a comment."""
    statements, comments = [], []
    for statement in grants.get("statements") or []:
        try:
            statements.append({k: values.value(v) for k, v in statement.items()})
        except Untranslatable as why:
            comments.append(f" a source statement for kept operations ({', '.join(map(str, _actions(statement)))}) "
                            f"is not written: it refers to {why}, which this configuration does not hold")
    for index, entry in enumerate(grants.get("derived") or [], start=1):
        resources = [quoted(integration_grants.arn(r, "${" + PARTITION + "}", "${" + REGION + "}", "${" + ACCOUNT + "}"))
                     if "{" in r else r for r in entry.get("resources") or ["*"]]
        statement: dict[str, Any] = {"Sid": f"Derived{index}", "Effect": "Allow", "Action": list(entry["actions"]),
                                     "Resource": resources[0] if len(resources) == 1 else resources}
        if entry.get("condition"):
            statement["Condition"] = entry["condition"]
        statements.append(statement)
        comments.append(f" derived, the source grants none: {', '.join(entry['actions'])} "
                        f"({'; '.join(entry.get('why') or [])})")
    if not statements:
        return
    role_name = c.name(api_id, "role")
    c.resource("aws_iam_role_policy", c.name(api_id, "role", "kept"), {
        "name": "kept-wiring", "role": Expr(f"aws_iam_role.{role_name}.id"),
        "policy": Expr("jsonencode(" + hcl_value({"Version": "2012-10-17",
                                                  "Statement": integration_grants.with_unique_sids(statements)}, 1)
                       + ")")})
    c.blocks[-1].comments.extend(comments)


def _actions(statement: dict) -> list:
    action = statement.get("Action")
    return action if isinstance(action, list) else [action]


# --------------------------------------------------------------------------------------
# The operations


def kept_operations(c: Config, api_id: str) -> list[dict]:
    """The operations an import kept on this API, as the importer recorded them."""
    cfn = c.arch.nodes[api_id].extra.get("cfn")
    kept = cfn.get("kept_operations") if isinstance(cfn, dict) else None
    return [k for k in kept if isinstance(k, dict) and isinstance(k.get("operation"), dict)] \
        if isinstance(kept, list) else []


def kept_credentials_grants(c: Config, api_id: str) -> tuple[dict, str | None]:
    """(what the API's role must grant for kept operations whose credentials it stands for,
    the source role it stands for), all operations' together."""
    merged: dict[str, list] = {"statements": [], "derived": []}
    role = None
    for kept in kept_operations(c, api_id):
        if kept.get("credentials_role") and isinstance(kept.get("grants"), dict):
            role = str(kept["credentials_role"])
            for key, grants in merged.items():
                grants += [g for g in kept["grants"].get(key) or [] if g not in grants]
    return (merged if any(merged.values()) else {}), role


# x-amazon-apigateway-integration key -> aws_api_gateway_integration / aws_apigatewayv2_integration argument
REST_INTEGRATION_ARGUMENTS = openapi_keys.terraform_arguments(openapi_keys.REST_INTEGRATION)
HTTP_INTEGRATION_ARGUMENTS = openapi_keys.terraform_arguments(openapi_keys.HTTP_INTEGRATION)
UPPER_CASE_ARGUMENTS = tuple(openapi_keys.terraform_argument(name) for name in openapi_keys.UPPER_CASE_VALUES)
# Whose ${...} is API Gateway's own (mapping templates, parameter mappings), not a substitution
LITERAL_ARGUMENTS = ("request_templates", "request_parameters", "response_templates", "response_parameters")


def _integration_arguments(values: CfnValues, integration: dict, arguments: dict[str, str]) -> dict:
    out = {arguments[k]: values.value(v, literal_text=arguments[k] in LITERAL_ARGUMENTS)
           for k, v in integration.items() if k in arguments}
    for name in UPPER_CASE_ARGUMENTS:
        if isinstance(out.get(name), str):
            out[name] = out[name].upper()
    return out


def kept_rest_method(c: Config, api_id: str, kept: dict, route: Route, resource: Expr, name: str) -> list[str]:
    """One kept operation of a REST API: method (with its authorisation), integration, and
    the responses; the addresses the deployment must follow."""
    values = CfnValues(c, api_id, kept.get("credentials_role"))
    operation = kept["operation"]
    integration = operation.get("x-amazon-apigateway-integration") or {}
    api = Expr(f"{c.address(api_id)}.id")
    method = {"rest_api_id": api, "resource_id": resource, "http_method": route.method,
              **authorisation(c, values, api_id, kept, http=False)}
    parameters = {f"method.request.{openapi_keys.PARAMETER_PLACES[p['in']]}.{p['name']}": bool(p.get("required"))
                  for p in operation.get("parameters") or [] if isinstance(p, dict) and p.get("in") in openapi_keys.PARAMETER_PLACES}
    parameters.update({f"method.request.path.{p}": True for p in route.path_params})
    if parameters:
        method["request_parameters"] = parameters
    method_ref = c.resource("aws_api_gateway_method", name, method, skip=_skips(skips.TF_REST_METHOD, method))
    common = {"rest_api_id": api, "resource_id": resource, "http_method": Expr(f"{method_ref}.http_method")}
    integration_ref = c.resource("aws_api_gateway_integration", name, {
        **common, **_integration_arguments(values, integration, REST_INTEGRATION_ARGUMENTS)})
    changed = [method_ref, integration_ref]
    responses = {str(code): None for code in operation.get("responses") or {} if str(code).isdigit()}
    for pattern, response in (integration.get("responses") or {}).items():
        if isinstance(response, dict):
            responses[str(response.get("statusCode", "200"))] = (str(pattern), response)
    for code, answer in responses.items():  # every status an integration response gives has a method response
        method_response = c.resource("aws_api_gateway_method_response", f"{name}_{code}", {**common, "status_code": code})
        if answer is None:
            continue
        pattern, response = answer
        body = {**common, "status_code": Expr(f"{method_response}.status_code"),
                **({"selection_pattern": pattern} if pattern != "default" else {}),
                **{arg: values.value(response[key], literal_text=True) for key, arg in
                   (("responseTemplates", "response_templates"), ("responseParameters", "response_parameters"))
                   if response.get(key)},
                "depends_on": [Expr(integration_ref)]}
        changed.append(c.resource("aws_api_gateway_integration_response", f"{name}_{code}", body))
    return changed


def kept_http_route(c: Config, api_id: str, kept: dict, route: Route, name: str) -> None:
    """One kept operation of an HTTP API: its integration and its route (with its authorisation)."""
    values = CfnValues(c, api_id, kept.get("credentials_role"))
    integration = kept["operation"].get("x-amazon-apigateway-integration") or {}
    api = Expr(f"{c.address(api_id)}.id")
    integration_ref = c.resource("aws_apigatewayv2_integration", name, {
        "api_id": api, **_integration_arguments(values, integration, HTTP_INTEGRATION_ARGUMENTS)})
    body = {"api_id": api, "route_key": route.http_route_key,
            "target": quoted("integrations/${" + integration_ref + ".id}"),
            **authorisation(c, values, api_id, kept, http=True)}
    c.resource("aws_apigatewayv2_route", name, body, skip=_skips(skips.HTTP_ROUTE, body))


def _skips(skip: list, body: dict) -> list:
    """A method's or route's checkov skips; the one for 'no authoriser' only where it has none."""
    if body.get("authorization", body.get("authorization_type")) == "NONE":
        return skip
    return [s for s in skip if s[0] not in skips.NO_AUTHORISER]
