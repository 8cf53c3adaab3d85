"""Records (what AWS answered) -> nodes and edges, for answers moto's server cannot give
(a bucket's EventBridge switch, HTTP API service integrations, email subscriptions) and for
what cannot be mapped, which must be reported by name."""

from __future__ import annotations

from importers.account.inventory import Record
from importers.account.mapping import build, short_names

ACCOUNT, REGION = "123456789012", "us-east-1"


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def function(name: str, **details) -> Record:
    return Record("function", name, arn("lambda", f"function:{name}"), {name},
                  {"FunctionName": name, "Runtime": "python3.12", "MemorySize": 256, "Timeout": 5, "Role": ""},
                  details)


def queue(name: str, **attributes) -> Record:
    url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
    return Record("queue", name, "", {name, url, f"/{ACCOUNT}/{name}"}, {"QueueUrl": url},
                  {"attributes": {"QueueArn": arn("sqs", name), **attributes}})


def bus(name: str = "default") -> Record:
    return Record("event_bus", name, arn("events", f"event-bus/{name}"), {name}, {"Name": name})


def bucket(name: str, notifications: dict) -> Record:
    return Record("bucket", name, f"arn:aws:s3:::{name}", {name}, {"Name": name}, {"notifications": notifications})


def report(b) -> list[str]:
    return [n.format() for n in b.notes]


def test_a_bucket_sending_to_eventbridge_notifies_the_default_bus():
    b = build("t", REGION, [bucket("photos", {"EventBridgeConfiguration": {}}), bus()])
    (edge,) = b.arch.edges
    assert (edge.source, edge.target, b.arch.edge_kind(edge)) == ("photos", "default_event_bus", "notification")
    assert b.arch.nodes["default_event_bus"].config["bus_name"] == "default"


def test_bucket_notifications_keep_their_events_and_filters():
    prefix = {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "in/"}]}}
    notifications = {"QueueConfigurations": [{"Id": "n1", "QueueArn": arn("sqs", "deletions"),
                                              "Events": ["s3:ObjectRemoved:Delete"], "Filter": prefix}]}
    b = build("t", REGION, [bucket("photos", notifications), queue("deletions")])
    (edge,) = b.arch.edges
    assert edge.config == {"events": "object_removed", "prefix": "in/"}


def test_http_api_service_integrations_read_back_through_the_wiring_facts():
    queue_url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/orders"
    api = Record("http_api", "intake", f"arn:aws:apigateway:{REGION}::/apis/a1", {"a1"},
                 {"ApiId": "a1", "Name": "intake"},
                 {"routes": [{"RouteKey": "POST /orders", "Target": "integrations/i1"},
                             {"RouteKey": "POST /events", "Target": "integrations/i2"}],
                  "integrations": [{"IntegrationId": "i1", "IntegrationType": "AWS_PROXY",
                                    "IntegrationSubtype": "SQS-SendMessage",
                                    "RequestParameters": {"QueueUrl": queue_url, "MessageBody": "$request.body"}},
                                   {"IntegrationId": "i2", "IntegrationType": "AWS_PROXY",
                                    "IntegrationSubtype": "EventBridge-PutEvents",
                                    "RequestParameters": {"Detail": "$request.body"}}],
                  "stages": [{"StageName": "$default", "DefaultRouteSettings": {"ThrottlingRateLimit": 50.0,
                                                                                "ThrottlingBurstLimit": 20}}]})
    b = build("t", REGION, [api, queue("orders")])
    (edge,) = b.arch.edges
    assert (edge.target, b.arch.edge_kind(edge), edge.config) == ("orders", "integration",
                                                                 {"method": "POST", "path": "/orders"})
    assert b.arch.nodes["intake"].config["throttle_rate_rps"] == 50.0
    assert any("route POST /events: EventBridge-PutEvents integration" in line for line in report(b))


def test_rest_routes_to_tables_and_http_backends():
    resources = [{"id": "r1", "path": "/items/{id}", "resourceMethods": {
        "GET": {"methodIntegration": {"type": "AWS", "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/GetItem",
                                      "requestTemplates": {"application/json": '{"TableName": "items", "Key": {}}'},
                                      "timeoutInMillis": 5000}},
        "PUT": {"methodIntegration": {"type": "HTTP_PROXY", "uri": "https://legacy.example.com/items"}}}}]
    api = Record("rest_api", "shop", f"arn:aws:apigateway:{REGION}::/restapis/x1", {"x1"}, {"id": "x1", "name": "shop"},
                 {"resources": resources, "stages": []})
    table = Record("table", "items", arn("dynamodb", "table/items"), {"items"}, {}, {"table": {}})
    b = build("t", REGION, [api, table])
    (edge,) = b.arch.edges
    assert edge.config == {"method": "GET", "path": "/items/{id}", "action": "read"}
    assert b.arch.nodes["shop"].config["timeout_ms"] == 5000
    assert any("route PUT /items/{id}: HTTP_PROXY integration with https://legacy.example.com/items" in line
               for line in report(b))


def test_subscriptions_other_than_lambda_and_sqs_are_reported_by_name():
    topic = Record("topic", "alerts", arn("sns", "alerts"), {arn("sns", "alerts")}, {}, {
        "attributes": {}, "subscriptions": [
            {"Protocol": "email", "Endpoint": "ops@example.com", "SubscriptionArn": arn("sns", "alerts:1")},
            {"Protocol": "sqs", "Endpoint": arn("sqs", "inbox"), "SubscriptionArn": arn("sns", "alerts:2"),
             "Attributes": {"RawMessageDelivery": "true"}}]})
    b = build("t", REGION, [topic, queue("inbox")])
    (edge,) = b.arch.edges
    assert edge.config == {"raw_message_delivery": True}
    assert any("email subscription to ops@example.com" in line for line in report(b))


def test_a_rate_schedule_becomes_a_schedule_load():
    rule = Record("rule", "nightly", arn("events", "rule/nightly"), {"nightly"},
                  {"Name": "nightly", "bus": "default", "ScheduleExpression": "rate(5 minutes)"},
                  {"targets": [{"Id": "1", "Arn": arn("lambda", "function:sweeper")}]})
    b = build("t", REGION, [function("sweeper"), rule])
    result = b.finish()
    (scenario,) = result.architecture.scenarios
    assert [(l.entry, l.pattern, l.params) for l in scenario.load] == [("sweeper", "schedule", {"every_s": 300.0})]


def test_grants_on_resources_outside_the_scan_are_named():
    elsewhere = arn("dynamodb", "table/elsewhere")
    policy = {"Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": elsewhere},
                            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn("sqs", "jobs")}]}
    b = build("t", REGION, [function("worker", policies=[policy]), queue("jobs")])
    (edge,) = b.arch.edges
    assert (edge.target, b.arch.edge_kind(edge)) == ("jobs", "send")
    assert any(arn("dynamodb", "table/elsewhere") in line and "did not find" in line for line in report(b))


def test_node_ids_drop_the_words_every_name_shares():
    records = [queue("shop-prod-orders.fifo"), queue("shop-prod-orders-dlq.fifo"), function("shop-prod-worker"), bus()]
    assert sorted(short_names(records).values()) == ["default_event_bus", "orders", "orders_dlq", "worker"]
