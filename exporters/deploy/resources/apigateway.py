"""API Gateway: a REST API (v1: resources, methods, integrations, deployment, stage) or an
HTTP API (v2: integrations, routes, auto-deployed stage), each managed as one resource.

Routes are data: {"method", "path", "service", "ref", "integration"}, the integration being
model.aws.wiring's facts with ${Var} placeholders, filled here with real outputs. A change
to routes or stage replaces the API (its id changes); throttling and the integrations'
timeout (timeout_ms, capped as the templates cap it) are updated in place.
"""

from __future__ import annotations

from ..core import Kind

_JSON = "application/json"


def _fill(ctx, target: dict, text: dict | None) -> str | None:
    """wiring's text with its ${Var} placeholders replaced by the target's real outputs and
    ${AWS::AccountId} by the account, as the renderers write Fn::Sub or interpolation."""
    if text is None:
        return None
    out = text["text"].replace("${AWS::AccountId}", ctx.account) if "${AWS::AccountId}" in text["text"] \
        else text["text"]
    for var, attribute in text["variables"].items():
        out = out.replace("${" + var + "}", str(target[attribute]))
    return out


def rest_integration(ctx, target: dict, wired: dict) -> dict:
    """put_integration parameters (besides the method) for a route's wiring facts."""
    uri = f"arn:aws:apigateway:{ctx.region}:" + _fill(ctx, target, wired["uri"])
    if wired["proxy"]:
        return {"type": "AWS_PROXY", "uri": uri}
    params = {"type": "AWS", "uri": uri, "passthroughBehavior": "NEVER",
              "requestTemplates": {_JSON: _fill(ctx, target, wired["template"])}}
    if wired["content_type"]:
        params["requestParameters"] = {"integration.request.header.Content-Type": f"'{wired['content_type']}'"}
    return params


def http_integration(target: dict, wired: dict) -> dict:
    """create_integration parameters (besides the API and role) for a route's wiring facts."""
    if wired["subtype"] is None:  # Lambda proxy
        return {"IntegrationType": "AWS_PROXY", "IntegrationUri": target["arn"],
                "PayloadFormatVersion": wired["payload_format"]}
    params = {k: str(target[v["attribute"]]) if isinstance(v, dict) else v for k, v in wired["parameters"].items()}
    return {"IntegrationType": "AWS_PROXY", "IntegrationSubtype": wired["subtype"],
            "PayloadFormatVersion": wired["payload_format"], "RequestParameters": params}


class RestApi(Kind):
    name = "rest_api"
    mutable = frozenset({"throttle", "timeout_ms"})

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
        wired = route["integration"]
        agw.put_method(restApiId=api_id, resourceId=resource_id, httpMethod=route["method"],
                       authorizationType="NONE",
                       requestParameters={f"method.request.path.{p}": True for p in wired["path_params"]})
        if not wired["proxy"]:  # non-proxy: say how the answer maps to the client's
            agw.put_method_response(restApiId=api_id, resourceId=resource_id,
                                    httpMethod=route["method"], statusCode="200")
        RestApi._integration(ctx, agw, api_id, resource_id, route, res)

    @staticmethod
    def _integration(ctx, agw, api_id, resource_id, route, res):
        """Write the route's integration (and, non-proxy, its response): put replaces it whole."""
        wired = route["integration"]
        params = rest_integration(ctx, ctx.outputs[res.refs[route["ref"]]], wired)
        if not wired["proxy"]:
            params["credentials"] = ctx.out(res.refs["role"])
        agw.put_integration(restApiId=api_id, resourceId=resource_id, httpMethod=route["method"],
                            integrationHttpMethod="POST", timeoutInMillis=res.config["timeout_ms"], **params)
        if params["type"] == "AWS":
            agw.put_integration_response(restApiId=api_id, resourceId=resource_id,
                                         httpMethod=route["method"], statusCode="200",
                                         selectionPattern="")

    def update(self, ctx, res, outputs, changed):
        agw = ctx.client("apigateway")
        if "timeout_ms" in changed:
            # Rewritten with put_integration (moto's server has no update_integration for
            # REST APIs), then redeployed: a stage serves its last deployment.
            resources = {r["path"]: r["id"] for r in _paginate(agw, "get_resources", restApiId=outputs["id"])}
            for route in res.config["routes"]:
                self._integration(ctx, agw, outputs["id"], resources["/" + route["path"].strip("/")], route, res)
            agw.create_deployment(restApiId=outputs["id"], stageName=outputs["stage"], description="Stratus")
        if "throttle" in changed:
            self._throttle(agw, outputs, res.config)
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
    mutable = frozenset({"throttle", "timeout_ms"})

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
            params = http_integration(ctx.outputs[res.refs[route["ref"]]], route["integration"])
            if route["integration"]["subtype"] is not None:
                params["CredentialsArn"] = ctx.out(res.refs["role"])
            integration = v2.create_integration(ApiId=api["ApiId"], TimeoutInMillis=cfg["timeout_ms"], **params)
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
        v2 = ctx.client("apigatewayv2")
        if "timeout_ms" in changed:  # every integration of the API is one of its routes'
            for integration in (item for page in v2.get_paginator("get_integrations").paginate(ApiId=outputs["id"])
                                for item in page.get("Items", [])):
                v2.update_integration(ApiId=outputs["id"], IntegrationId=integration["IntegrationId"],
                                      TimeoutInMillis=res.config["timeout_ms"])
        if "throttle" in changed:
            v2.update_stage(ApiId=outputs["id"], StageName=outputs["stage"],
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
