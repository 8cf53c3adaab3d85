"""API Gateway: a REST API (v1: resources, methods, integrations, deployment, stage) or an
HTTP API (v2: integrations, routes, auto-deployed stage), each managed as one resource.

Routes are data: {"method", "path", "service", "ref", ...}. A change to routes or stage
replaces the API (its id changes); throttling is updated in place.
"""

from __future__ import annotations

import json

from ..core import Kind

_JSON = "application/json"


def _lambda_uri(ctx, o, route):
    return f"arn:aws:apigateway:{ctx.region}:lambda:path/2015-03-31/functions/{o['arn']}/invocations"


# target service -> REST integration parameters (besides type/uri for Lambda proxy).
REST_INTEGRATIONS = {
    "lambda": lambda ctx, o, r: {"type": "AWS_PROXY", "uri": _lambda_uri(ctx, o, r)},
    "sqs": lambda ctx, o, r: {
        "type": "AWS", "uri": f"arn:aws:apigateway:{ctx.region}:sqs:path/{ctx.account}/{o['name']}",
        "requestParameters": {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
        "requestTemplates": {_JSON: "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
                             + ("&MessageGroupId=api" if r.get("fifo") else "")}},
    "kinesis": lambda ctx, o, r: {
        "type": "AWS", "uri": f"arn:aws:apigateway:{ctx.region}:kinesis:action/PutRecord",
        "requestTemplates": {_JSON: json.dumps({"StreamName": o["name"], "PartitionKey": "$context.requestId",
                                                "Data": "$util.base64Encode($input.body)"})}},
    "step_functions": lambda ctx, o, r: {
        "type": "AWS", "uri": f"arn:aws:apigateway:{ctx.region}:states:action/StartExecution",
        "requestTemplates": {_JSON: json.dumps({"stateMachineArn": o["arn"],
                                                "input": "$util.escapeJavaScript($input.body)"})}},
    "dynamodb": lambda ctx, o, r: {
        "type": "AWS",
        "uri": f"arn:aws:apigateway:{ctx.region}:dynamodb:action/"
               + ("GetItem" if r.get("action", "read") == "read" else "PutItem"),
        "requestTemplates": {_JSON: json.dumps({"TableName": o["name"], (
            "Key" if r.get("action", "read") == "read" else "Item"): {
                r["partition_key"]: {"S": "$context.requestId"}}})}},
}

# target service -> HTTP API integration parameters.
HTTP_INTEGRATIONS = {
    "lambda": lambda ctx, o, r: {"IntegrationType": "AWS_PROXY", "IntegrationUri": o["arn"],
                                 "PayloadFormatVersion": "2.0"},
    "sqs": lambda ctx, o, r: {"IntegrationType": "AWS_PROXY", "IntegrationSubtype": "SQS-SendMessage",
                              "PayloadFormatVersion": "1.0",
                              "RequestParameters": {"QueueUrl": o["url"], "MessageBody": "$request.body",
                                                    **({"MessageGroupId": "api"} if r.get("fifo") else {})}},
    "kinesis": lambda ctx, o, r: {"IntegrationType": "AWS_PROXY", "IntegrationSubtype": "Kinesis-PutRecord",
                                  "PayloadFormatVersion": "1.0",
                                  "RequestParameters": {"StreamName": o["name"], "Data": "$request.body",
                                                        "PartitionKey": "$context.requestId"}},
    "step_functions": lambda ctx, o, r: {"IntegrationType": "AWS_PROXY",
                                         "IntegrationSubtype": "StepFunctions-StartExecution",
                                         "PayloadFormatVersion": "1.0",
                                         "RequestParameters": {"StateMachineArn": o["arn"],
                                                               "Input": "$request.body"}},
}


class RestApi(Kind):
    name = "rest_api"
    mutable = frozenset({"throttle"})

    def find(self, ctx, res):
        for api in _paginate(ctx.client("apigateway"), "get_rest_apis"):
            if api["name"] == res.name:
                return {"tags": api.get("tags", {})}
        return None

    def create(self, ctx, res, record):
        agw, cfg = ctx.client("apigateway"), res.config
        api = agw.create_rest_api(name=res.name, description=f"Stratus: {res.node}", tags=ctx.tags,
                                  endpointConfiguration={"types": ["REGIONAL"]})
        outputs = {"id": api["id"], "name": res.name, "stage": cfg["stage"],
                   "arn": ctx.arn("execute-api", api["id"])}
        record(outputs)
        resources = {r["path"]: r["id"] for r in _paginate(agw, "get_resources", restApiId=api["id"])}
        for route in cfg["routes"]:
            resource_id = self._resource(agw, api["id"], resources, route["path"])
            self._method(ctx, agw, api["id"], resource_id, route, res)
        agw.create_deployment(restApiId=api["id"], stageName=cfg["stage"], description="Stratus")
        self._throttle(agw, outputs, cfg)
        outputs["url"] = f"https://{api['id']}.execute-api.{ctx.region}.amazonaws.com/{cfg['stage']}"
        return outputs

    @staticmethod
    def _resource(agw, api_id, resources, path):
        """The resource id of `path`, creating each missing segment."""
        path = "/" + path.strip("/")
        if path in resources:
            return resources[path]
        parent, _, part = path.rpartition("/")
        parent_id = RestApi._resource(agw, api_id, resources, parent or "/")
        resources[path] = agw.create_resource(restApiId=api_id, parentId=parent_id, pathPart=part)["id"]
        return resources[path]

    @staticmethod
    def _method(ctx, agw, api_id, resource_id, route, res):
        target = ctx.outputs[res.refs[route["ref"]]]
        agw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=route["method"],
                       authorizationType="NONE")
        params = REST_INTEGRATIONS[route["service"]](ctx, target, route)
        if route["service"] != "lambda":
            params["credentials"] = ctx.out(res.refs["role"])
        agw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=route["method"],
                            integrationHttpMethod="POST", **params)
        if params["type"] == "AWS":  # non-proxy: say how the answer maps to the client's
            agw.put_method_response(restApiId=api_id, resourceId=resource_id,
                                    httpMethod=route["method"], statusCode="200")
            agw.put_integration_response(restApiId=api_id, resourceId=resource_id,
                                         httpMethod=route["method"], statusCode="200",
                                         selectionPattern="")

    def update(self, ctx, res, outputs, changed):
        self._throttle(ctx.client("apigateway"), outputs, res.config)
        return outputs

    @staticmethod
    def _throttle(agw, outputs, cfg):
        rate, burst = cfg["throttle"]
        agw.update_stage(restApiId=outputs["id"], stageName=outputs["stage"], patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(rate)},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(burst)}])

    def delete(self, ctx, outputs):
        ctx.client("apigateway").delete_rest_api(restApiId=outputs["id"])

    def exists(self, ctx, outputs):
        agw = ctx.client("apigateway")
        try:
            agw.get_rest_api(restApiId=outputs["id"])
        except agw.exceptions.NotFoundException:
            return False
        return True

    def live_tags(self, ctx, outputs):
        return ctx.client("apigateway").get_rest_api(restApiId=outputs["id"]).get("tags", {})


class HttpApi(Kind):
    name = "http_api"
    mutable = frozenset({"throttle"})

    def find(self, ctx, res):
        for api in ctx.client("apigatewayv2").get_apis().get("Items", []):
            if api["Name"] == res.name:
                return {"tags": api.get("Tags", {})}
        return None

    def create(self, ctx, res, record):
        v2, cfg = ctx.client("apigatewayv2"), res.config
        api = v2.create_api(Name=res.name, ProtocolType="HTTP", Description=f"Stratus: {res.node}",
                            Tags=ctx.tags)
        outputs = {"id": api["ApiId"], "name": res.name, "stage": cfg["stage"],
                   "arn": ctx.arn("execute-api", api["ApiId"]), "url": api.get("ApiEndpoint", "")}
        record(outputs)
        for route in cfg["routes"]:
            params = HTTP_INTEGRATIONS[route["service"]](ctx, ctx.outputs[res.refs[route["ref"]]], route)
            if route["service"] != "lambda":
                params["CredentialsArn"] = ctx.out(res.refs["role"])
            integration = v2.create_integration(ApiId=api["ApiId"], **params)
            v2.create_route(ApiId=api["ApiId"], RouteKey=f"{route['method']} {route['path']}",
                            Target=f"integrations/{integration['IntegrationId']}")
        v2.create_stage(ApiId=api["ApiId"], StageName=cfg["stage"], AutoDeploy=True,
                        DefaultRouteSettings=self._throttle(cfg), Tags=ctx.tags)
        return outputs

    @staticmethod
    def _throttle(cfg):
        rate, burst = cfg["throttle"]
        return {"ThrottlingRateLimit": float(rate), "ThrottlingBurstLimit": int(burst)}

    def update(self, ctx, res, outputs, changed):
        ctx.client("apigatewayv2").update_stage(ApiId=outputs["id"], StageName=outputs["stage"],
                                                DefaultRouteSettings=self._throttle(res.config))
        return outputs

    def delete(self, ctx, outputs):
        ctx.client("apigatewayv2").delete_api(ApiId=outputs["id"])

    def exists(self, ctx, outputs):
        v2 = ctx.client("apigatewayv2")
        try:
            v2.get_api(ApiId=outputs["id"])
        except v2.exceptions.NotFoundException:
            return False
        return True

    def live_tags(self, ctx, outputs):
        return ctx.client("apigatewayv2").get_api(ApiId=outputs["id"]).get("Tags", {})


def _paginate(client, operation, **kwargs):
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get("items", [])
