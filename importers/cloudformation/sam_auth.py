"""SAM's `Auth` of an API (AWS::Serverless::Api / HttpApi) as the OpenAPI security SAM writes
into its document: each of `Authorizers` as a security scheme with its
`x-amazon-apigateway-authorizer`, `DefaultAuthorizer` as the security of every operation
that names none (AWS_IAM as `x-amazon-apigateway-auth`), `ApiKeyRequired` as an API-key
requirement. Read for the operations an import keeps as written (openapi.py), whose
authoriser SAM would otherwise have added. Values stay as written (Fn::GetAtt...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LAMBDA_URI = "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations"
API_KEY_SCHEME = "api_key"
# Identity of a REST request authoriser -> where API Gateway reads each value
REQUEST_IDENTITY = (("Headers", "method.request.header."), ("QueryStrings", "method.request.querystring."),
                    ("StageVariables", "stageVariables."), ("Context", "context."))
HTTP_REQUEST_IDENTITY = (("Headers", "$request.header."), ("QueryStrings", "$request.querystring."),
                         ("StageVariables", "$stageVariables."), ("Context", "$context."))


@dataclass
class SamAuth:
    schemes: dict[str, dict] = field(default_factory=dict)
    default: list | None = None  # the security requirement of operations that give none
    auth: dict | None = None  # x-amazon-apigateway-auth of operations that give none


def authorisation(resource: dict, rtype: str) -> SamAuth:
    """The API resource's (as written) SAM Auth; empty for other types or without one."""
    auth = (resource.get("Properties") or {}).get("Auth")
    if rtype not in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi") or not isinstance(auth, dict):
        return SamAuth()
    http = rtype == "AWS::Serverless::HttpApi"
    out = SamAuth()
    for name, authoriser in (auth.get("Authorizers") or {}).items():
        if isinstance(authoriser, dict):
            scheme = _http_scheme(authoriser) if http else _rest_scheme(authoriser)
            if scheme is not None:
                out.schemes[str(name)] = scheme
    default = auth.get("DefaultAuthorizer")
    requirement: dict[str, list] = {}
    if default == "AWS_IAM":
        out.auth = {"type": "AWS_IAM"}
    elif isinstance(default, str) and default in out.schemes:
        scopes = (auth.get("Authorizers") or {}).get(default, {}).get("AuthorizationScopes")
        requirement[default] = list(scopes) if isinstance(scopes, list) else []
    if auth.get("ApiKeyRequired") is True and not http:
        out.schemes[API_KEY_SCHEME] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
        requirement[API_KEY_SCHEME] = []
    if requirement:
        out.default = [requirement]
    return out


def _rest_scheme(authoriser: dict) -> dict | None:
    identity = authoriser.get("Identity") if isinstance(authoriser.get("Identity"), dict) else {}
    header = identity.get("Header") or "Authorization"
    if "UserPoolArn" in authoriser:
        pools = authoriser["UserPoolArn"]
        settings: dict[str, Any] = {"type": "cognito_user_pools",
                                    "providerARNs": pools if isinstance(pools, list) else [pools],
                                    "identitySource": f"method.request.header.{header}"}
        return {"type": "apiKey", "name": header, "in": "header", "x-amazon-apigateway-authtype": "cognito_user_pools",
                "x-amazon-apigateway-authorizer": settings}
    if "FunctionArn" not in authoriser:
        return None
    request = str(authoriser.get("FunctionPayloadType", "TOKEN")).upper() == "REQUEST"
    settings = {"type": "request" if request else "token",
                "authorizerUri": {"Fn::Sub": [LAMBDA_URI, {"Function": authoriser["FunctionArn"]}]}}
    if request:
        sources = [prefix + str(v) for key, prefix in REQUEST_IDENTITY for v in identity.get(key) or []]
        if sources:
            settings["identitySource"] = ", ".join(sources)
    else:
        settings["identitySource"] = f"method.request.header.{header}"
    for key, setting in (("ReauthorizeEvery", "authorizerResultTtlInSeconds"),
                         ("ValidationExpression", "identityValidationExpression")):
        if key in identity:
            settings[setting] = identity[key]
    if authoriser.get("FunctionInvokeRole"):
        settings["authorizerCredentials"] = authoriser["FunctionInvokeRole"]
    return {"type": "apiKey", "name": header, "in": "header", "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": settings}


def _http_scheme(authoriser: dict) -> dict | None:
    if isinstance(authoriser.get("JwtConfiguration"), dict):
        settings = {"type": "jwt", "jwtConfiguration": authoriser["JwtConfiguration"],
                    "identitySource": authoriser.get("IdentitySource", "$request.header.Authorization")}
        return {"type": "oauth2", "x-amazon-apigateway-authorizer": settings}
    if "FunctionArn" not in authoriser:
        return None
    identity = authoriser.get("Identity") if isinstance(authoriser.get("Identity"), dict) else {}
    settings = {"type": "request", "authorizerUri": {"Fn::Sub": [LAMBDA_URI, {"Function": authoriser["FunctionArn"]}]},
                "authorizerPayloadFormatVersion": authoriser.get("AuthorizerPayloadFormatVersion", "2.0")}
    sources = [prefix + str(v) for key, prefix in HTTP_REQUEST_IDENTITY for v in identity.get(key) or []]
    if sources:
        settings["identitySource"] = ", ".join(sources)
    if "EnableSimpleResponses" in authoriser:
        settings["enableSimpleResponses"] = authoriser["EnableSimpleResponses"]
    if "ReauthorizeEvery" in identity:
        settings["authorizerResultTtlInSeconds"] = identity["ReauthorizeEvery"]
    if authoriser.get("FunctionInvokeRole"):
        settings["authorizerCredentials"] = authoriser["FunctionInvokeRole"]
    return {"type": "apiKey", "name": "Unused", "in": "header", "x-amazon-apigateway-authorizer": settings}
