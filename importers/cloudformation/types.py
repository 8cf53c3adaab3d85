"""What the CloudFormation/SAM reader knows about resource types, as tables: which types
become nodes of which service, which are absorbed into nodes and edges, which are IAM,
which SAM policy templates grant what, where an API keeps its OpenAPI document, and the
implicit APIs and Globals sections of SAM.

Which types become nodes is read from the catalogue's service records (ServiceSpec.aws.imports).
"""

from __future__ import annotations

from model.catalogue import SERVICES

# Resource type -> service key for the node it becomes: each service's catalogue record
# declares the CloudFormation/SAM types that import as it.
NODE_TYPES = {rtype: key for key, spec in SERVICES.items() for rtype in spec.aws.imports.cloudformation + spec.aws.imports.sam}
# Properties holding a resource's physical name (matched by policies and ARNs).
NAME_PROPERTIES = ("FunctionName", "TableName", "QueueName", "TopicName", "BucketName", "Name",
                   "StateMachineName")
# Supporting resources that are part of a node or an edge.
ABSORBED_TYPES = {
    "AWS::Lambda::Permission": "invoke permission (derived from edges)",
    "AWS::Lambda::EventSourceMapping": "event source mapping (an event_source edge)",
    "AWS::Lambda::EventInvokeConfig": "asynchronous invoke settings of the function",
    "AWS::Lambda::Version": "function version", "AWS::Lambda::Alias": "function alias",
    "AWS::ApiGateway::Deployment": "API deployment", "AWS::ApiGateway::Stage": "API stage",
    "AWS::ApiGateway::Method": "API method (an integration edge)",
    "AWS::ApiGateway::Resource": "API path", "AWS::ApiGateway::Account": "API account settings",
    "AWS::ApiGatewayV2::Stage": "API stage", "AWS::ApiGatewayV2::Deployment": "API deployment",
    "AWS::ApiGatewayV2::Integration": "API integration (an edge)", "AWS::ApiGatewayV2::Route": "API route",
    "AWS::SNS::Subscription": "subscription (an edge)", "AWS::SQS::QueuePolicy": "queue policy (derived from edges)",
    "AWS::SNS::TopicPolicy": "topic policy (derived from edges)", "AWS::Events::Rule": "rule (rule_target edges)",
    "AWS::Serverless::Connector": "connector (edges)",
}
IAM_TYPES = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")

# SAM policy template -> (parameter naming the resource, service, edge kind, action)
POLICY_TEMPLATES = {
    "DynamoDBCrudPolicy": ("TableName", "dynamodb", "data_access", "read_write"),
    "DynamoDBReadPolicy": ("TableName", "dynamodb", "data_access", "read"),
    "DynamoDBWritePolicy": ("TableName", "dynamodb", "data_access", "write"),
    "DynamoDBReconfigurePolicy": ("TableName", "dynamodb", "data_access", "read"),
    "SQSSendMessagePolicy": ("QueueName", "sqs", "send", None),
    "SNSPublishMessagePolicy": ("TopicName", "sns", "publish", None),
    "SNSCrudPolicy": ("TopicName", "sns", "publish", None),
    "S3ReadPolicy": ("BucketName", "s3", "data_access", "read"),
    "S3WritePolicy": ("BucketName", "s3", "data_access", "write"),
    "S3CrudPolicy": ("BucketName", "s3", "data_access", "read_write"),
    "S3FullAccessPolicy": ("BucketName", "s3", "data_access", "read_write"),
    "KinesisCrudPolicy": ("StreamName", "kinesis", "put_record", None),
    "EventBridgePutEventsPolicy": ("EventBusName", "eventbridge", "put_events", None),
    "StepFunctionsExecutionPolicy": ("StateMachineName", "step_functions", "start_execution", None),
    "LambdaInvokePolicy": ("FunctionName", "lambda", "invoke", None),
}
# The ARN a policy template builds from its parameter (${Name}), by the service it grants on:
# what a template naming a resource outside the design is kept as (see permissions.py).
POLICY_TEMPLATE_ARNS = {
    "dynamodb": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}",
    "sqs": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Name}",
    "sns": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Name}",
    "s3": "arn:${AWS::Partition}:s3:::${Name}",
    "kinesis": "arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${Name}",
    "eventbridge": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${Name}",
    "step_functions": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${Name}",
    "lambda": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Name}",
}
# Policy templates that only let a function be triggered (the event edge says it all).
EVIDENCE_POLICIES = {"SQSPollerPolicy", "KinesisStreamReadPolicy", "DynamoDBStreamReadPolicy"}

# API resource type -> (property with the inline OpenAPI document, property with its location)
OPENAPI_SOURCES = {
    "AWS::Serverless::Api": ("DefinitionBody", "DefinitionUri"),
    "AWS::Serverless::HttpApi": ("DefinitionBody", "DefinitionUri"),
    "AWS::ApiGateway::RestApi": ("Body", "BodyS3Location"),
    "AWS::ApiGatewayV2::Api": ("Body", "BodyS3Location"),
}
# An HTTP API integration subtype's prefix -> the service it reaches
SUBTYPE_SERVICES = {"SQS": "sqs", "Kinesis": "kinesis", "StepFunctions": "step_functions",
                    "EventBridge": "eventbridge"}
# SAM event type -> (logical id, API type) of the API SAM makes when the event names none
IMPLICIT_APIS = {"Api": ("ServerlessRestApi", "rest"), "HttpApi": ("ServerlessHttpApi", "http")}
# SAM resource type -> its section of the template's Globals
GLOBALS_SECTIONS = {"AWS::Serverless::Function": "Function", "AWS::Serverless::Api": "Api",
                    "AWS::Serverless::HttpApi": "HttpApi", "AWS::Serverless::SimpleTable": "SimpleTable",
                    "AWS::Serverless::StateMachine": "StateMachine"}
# The route methods a design holds (any other is imported as ANY)
HTTP_METHODS = ("ANY", "GET", "POST", "PUT", "PATCH", "DELETE")
