"""What the keys of API Gateway's OpenAPI extensions (x-amazon-apigateway-integration,
x-amazon-apigateway-authorizer) are called as resource properties, for the operations an
import kept as written. CloudFormation's names are the tables; Terraform's arguments are
the same names in snake_case (naming.snake), but for the two it spells its own way."""

from __future__ import annotations

from .naming import snake

# x-amazon-apigateway-integration key -> the REST Method's Integration property
REST_INTEGRATION = {"type": "Type", "uri": "Uri", "httpMethod": "IntegrationHttpMethod",
                    "credentials": "Credentials", "requestParameters": "RequestParameters",
                    "requestTemplates": "RequestTemplates", "passthroughBehavior": "PassthroughBehavior",
                    "timeoutInMillis": "TimeoutInMillis", "contentHandling": "ContentHandling",
                    "cacheKeyParameters": "CacheKeyParameters"}
# ... -> the HTTP API's Integration property
HTTP_INTEGRATION = {"type": "IntegrationType", "uri": "IntegrationUri", "httpMethod": "IntegrationMethod",
                    "credentials": "CredentialsArn", "requestParameters": "RequestParameters",
                    "integrationSubtype": "IntegrationSubtype", "payloadFormatVersion": "PayloadFormatVersion",
                    "timeoutInMillis": "TimeoutInMillis", "connectionType": "ConnectionType"}
# Properties whose values AWS wants in capitals (the documents often have them in lower case)
UPPER_CASE_VALUES = ("Type", "IntegrationType", "PassthroughBehavior", "ContentHandling", "ConnectionType")

# x-amazon-apigateway-authorizer key -> the REST Authorizer's property
REST_AUTHORIZER = {"authorizerUri": "AuthorizerUri", "authorizerCredentials": "AuthorizerCredentials",
                   "authorizerResultTtlInSeconds": "AuthorizerResultTtlInSeconds",
                   "identityValidationExpression": "IdentityValidationExpression", "providerARNs": "ProviderARNs"}
# ... -> the HTTP API Authorizer's property
HTTP_AUTHORIZER = {"authorizerUri": "AuthorizerUri", "authorizerCredentials": "AuthorizerCredentialsArn",
                   "authorizerResultTtlInSeconds": "AuthorizerResultTtlInSeconds",
                   "authorizerPayloadFormatVersion": "AuthorizerPayloadFormatVersion",
                   "enableSimpleResponses": "EnableSimpleResponses"}

# An OpenAPI parameter's `in` -> its place in API Gateway's method.request.<place>.<name>
PARAMETER_PLACES = {"path": "path", "query": "querystring", "header": "header"}

_TERRAFORM_SPELLING = {"TimeoutInMillis": "timeout_milliseconds", "ProviderARNs": "provider_arns"}


def terraform_argument(property_name: str) -> str:
    """The Terraform argument for a CloudFormation property of these tables."""
    return _TERRAFORM_SPELLING.get(property_name) or snake(property_name)


def terraform_arguments(keys: dict[str, str]) -> dict[str, str]:
    """One of the tables above with Terraform's argument names."""
    return {key: terraform_argument(name) for key, name in keys.items()}
