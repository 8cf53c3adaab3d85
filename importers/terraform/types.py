"""What the Terraform reader knows about resource types, as tables: which types become
nodes of which service, which are absorbed into nodes and edges, which are IAM.

Which types become nodes is read from the catalogue's service records (ServiceSpec.aws.imports).
"""

from __future__ import annotations

from model.catalogue import SERVICES

# Resource type -> service key for the node it becomes: each service's catalogue record
# declares the Terraform types that import as it.
NODE_TYPES = {rtype: key for key, spec in SERVICES.items() for rtype in spec.aws.imports.terraform}
# Supporting resources that are part of a node or an edge.
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
# The route methods a design holds (any other is imported as ANY)
HTTP_METHODS = ("ANY", "GET", "POST", "PUT", "PATCH", "DELETE")
