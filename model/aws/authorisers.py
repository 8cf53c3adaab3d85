"""How an OpenAPI operation kept from an import is authorised, the same in every output: its
`x-amazon-apigateway-auth`, else the first of its security requirements (API Gateway takes
one authoriser per method or route) and the security scheme that names: an authoriser
(`x-amazon-apigateway-authorizer`), IAM (`x-amazon-apigateway-authtype: awsSigv4`) or an
API key. The exporters spell the result in their syntax (exporters/*/api.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

# x-amazon-apigateway-authorizer type -> (the REST Authorizer's type, the method's AuthorizationType)
REST_AUTHORISER_TYPES = {"token": ("TOKEN", "CUSTOM"), "request": ("REQUEST", "CUSTOM"),
                         "cognito_user_pools": ("COGNITO_USER_POOLS", "COGNITO_USER_POOLS")}
# ... -> (the HTTP API Authorizer's type, the route's AuthorizationType)
HTTP_AUTHORISER_TYPES = {"jwt": ("JWT", "JWT"), "request": ("REQUEST", "CUSTOM")}
# x-amazon-apigateway-authtype values that mean IAM (SigV4) authorisation
IAM_AUTH_TYPES = ("awssigv4", "aws_iam")
DEFAULT_HEADER = "Authorization"


@dataclass(frozen=True)
class Authoriser:
    name: str  # the security scheme's
    type: str  # the Authorizer's: TOKEN, REQUEST, COGNITO_USER_POOLS (REST); JWT, REQUEST (HTTP)
    settings: Mapping[str, Any]  # x-amazon-apigateway-authorizer as written

    def identity_source(self, scheme_header: str) -> Any:
        """A REST authoriser's identity source: as written, else (a token or Cognito
        authoriser needs one) the header its scheme names."""
        written = self.settings.get("identitySource")
        if written is not None or self.type == "REQUEST":
            return written
        return f"method.request.header.{scheme_header}"

    def identity_sources(self) -> list[Any]:
        """An HTTP API authoriser's identity sources: "$request.header.A, $request.querystring.b"
        as a list."""
        written = self.settings.get("identitySource")
        if isinstance(written, str):
            return [s.strip() for s in written.split(",") if s.strip()]
        return list(written) if isinstance(written, list) else []


@dataclass(frozen=True)
class Authorisation:
    type: str = "NONE"  # the method's or route's AuthorizationType
    authoriser: Authoriser | None = None
    header: str = DEFAULT_HEADER  # the header an API-key-style scheme names
    scopes: tuple[str, ...] = ()
    api_key_required: bool = False  # REST only


def kept_authorisation(authorisation: Mapping[str, Any], http: bool) -> Authorisation:
    """`authorisation`: {security, security_schemes, auth} as the importer recorded it
    (importers/cloudformation/openapi.py); http: an HTTP API's route, else a REST method."""
    auth = authorisation.get("auth")
    if isinstance(auth, Mapping) and str(auth.get("type", "")).upper() in ("AWS_IAM", "NONE"):
        return Authorisation(str(auth["type"]).upper())
    requirement = next((r for r in authorisation.get("security") or [] if isinstance(r, Mapping) and r), {})
    schemes = authorisation.get("security_schemes") or {}
    found = Authorisation()
    for name, scopes in requirement.items():
        scheme = schemes.get(name) if isinstance(schemes.get(name), Mapping) else {}
        settings = scheme.get("x-amazon-apigateway-authorizer")
        types = (HTTP_AUTHORISER_TYPES if http else REST_AUTHORISER_TYPES).get(
            str(settings.get("type", "")).lower()) if isinstance(settings, Mapping) else None
        if types is not None:
            found = Authorisation(types[1], Authoriser(str(name), types[0], settings), str(scheme.get("name") or
                                  DEFAULT_HEADER), tuple(scopes) if isinstance(scopes, list) else (),
                                  found.api_key_required)
        elif str(scheme.get("x-amazon-apigateway-authtype", "")).lower() in IAM_AUTH_TYPES:
            found = Authorisation("AWS_IAM", api_key_required=found.api_key_required)
        elif scheme.get("type") == "apiKey" and not http and not isinstance(settings, Mapping):
            found = Authorisation(found.type, found.authoriser, found.header, found.scopes, True)
    return found
