"""SAM `Events` of functions and state machines -> edges (API routes on the API named or
on SAM's implicit API, queue/stream event sources, S3 and SNS events, EventBridge rules)
or schedule loads. Also the event-source helpers the service wiring shares: the
event_source edge, the schedule load, the event bus a rule listens on.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from importers.base import as_int, as_list, route_config, rule_rate, strip_tokens
from importers.cloudformation import outside_events
from importers.cloudformation.properties import notification_config, stream_config, throttle_config
from importers.cloudformation.state import TemplateImport
from importers.cloudformation.types import HTTP_METHODS, IMPLICIT_APIS


def wire_event(imp: TemplateImport, key: str, target: str, name: str, event: Any) -> None:
    rtype = imp.types[key]
    if not isinstance(event, dict):
        return
    kind, props = event.get("Type"), event.get("Properties") or {}
    handler = EVENT_HANDLERS.get(kind)
    if handler is None and outside_events.keep_event(imp, key, name, kind):
        return  # written back as the resources SAM makes of it (see outside_events)
    if handler is None:
        imp.b.warn(f"{key}.Events.{name}", rtype, f"event type {kind} is not one Stratus models; not mapped")
        return
    handler(imp, key, target, name, props)


def _api_event(imp: TemplateImport, key, target, name, props, kind=None) -> None:
    kind = kind or ("HttpApi" if "ApiId" in props or _event_kind(imp, key, name) == "HttpApi" else "Api")
    api_ref = props.get("RestApiId") or props.get("ApiId")
    api = imp.b.node_for(api_ref, "api_gateway") if api_ref else _implicit_api(imp, kind)
    if api is None:
        imp.b.warn(f"{key}.Events.{name}", imp.types[key], f"API {strip_tokens(str(api_ref))} is not in the template")
        return
    method = str(props.get("Method", "ANY")).upper()
    route = {"method": method if method in HTTP_METHODS else "ANY", "path": props.get("Path", "/")}
    imp.event_routes.add((api, route["method"], str(route["path"])))
    imp.b.add_edge(api, target, None, route_config(route), f"{kind} event {name}", key, imp.types[key])


def _event_kind(imp: TemplateImport, key: str, name: str) -> str:
    return ((imp.props[key].get("Events") or {}).get(name) or {}).get("Type", "")


def _implicit_api(imp: TemplateImport, kind: str) -> str:
    logical, api_type = IMPLICIT_APIS[kind]
    if logical not in imp.b.node_of:
        stage = "Prod" if api_type == "rest" else "$default"
        config = {"api_type": api_type}
        if api_type == "rest":
            config["stage"] = stage
        globals_api = (imp.template.get("Globals") or {}).get(kind) or {}
        for setting in as_list(globals_api.get("MethodSettings")) + [globals_api.get("DefaultRouteSettings") or {}]:
            config.update(throttle_config(imp.resolver.resolve(setting)))
        imp.b.add_node(logical, f"implicit {kind}", "api_gateway", config, logical,
                       {"cfn": {"logical_id": logical, "implicit": True}})
    return imp.b.node_of[logical]


def _queue_event(imp: TemplateImport, key, target, name, props) -> None:
    source = imp.b.node_for(props.get("Queue"), "sqs")
    config = {"batch_size": as_int(props.get("BatchSize")),
              "max_concurrency": as_int((props.get("ScalingConfig") or {}).get("MaximumConcurrency")),
              "batch_window_s": as_int(props.get("MaximumBatchingWindowInSeconds"))}
    add_source_edge(imp, key, source, target, config, f"SQS event {name}", props.get("Queue"))


def _stream_event(imp: TemplateImport, key, target, name, props) -> None:
    source = imp.b.node_for(props.get("Stream"), ("kinesis", "dynamodb"))
    add_source_edge(imp, key, source, target, stream_config(props), f"stream event {name}", props.get("Stream"))


def add_source_edge(imp: TemplateImport, key, source, target, config, why, ref) -> None:
    if source is None:
        imp.b.warn(key, imp.types.get(key, ""), f"{why}: source {strip_tokens(str(ref))} is not a node; not mapped")
        return
    imp.b.add_edge(source, target, "event_source", config, why, key, imp.types.get(key, ""))


def _s3_event(imp: TemplateImport, key, target, name, props) -> None:
    bucket = imp.b.node_for(props.get("Bucket"), "s3")
    if bucket is None:
        imp.b.warn(key, imp.types[key], f"S3 event {name}: bucket is not in the template")
        return
    imp.b.add_edge(bucket, target, "notification", notification_config(props.get("Events"), props.get("Filter")),
                   f"S3 event {name}", key, imp.types[key])


def _sns_event(imp: TemplateImport, key, target, name, props) -> None:
    topic = imp.b.node_for(props.get("Topic"), "sns")
    if topic is None:
        imp.b.warn(key, imp.types[key], f"SNS event {name}: topic is not in the template")
        return
    if props.get("SqsSubscription"):
        imp.b.note("note", key, imp.types[key], f"SNS event {name} goes through a SAM-made queue; "
                   "modelled as a direct subscription", "warning")
    imp.b.add_edge(topic, target, "subscription", {}, f"SNS event {name}", key, imp.types[key])


def _rule_event(imp: TemplateImport, key, target, name, props) -> None:
    bus = bus_node(imp, props.get("EventBusName"))
    pattern = props.get("Pattern")
    config = {"pattern": json.dumps(pattern, sort_keys=True)} if isinstance(pattern, dict) else {}
    imp.b.add_edge(bus, target, "rule_target", config, f"EventBridge rule event {name}", key, imp.types[key])


def _schedule_event(imp: TemplateImport, key, target, name, props) -> None:
    expression = props.get("Schedule") or props.get("ScheduleExpression") or ""
    add_schedule(imp, key, target, str(expression), f"schedule event {name}")


def add_schedule(imp: TemplateImport, key: str, target: str, expression: str, why: str) -> None:
    """A schedule: a scheduled rule on the default bus (an edge the exporters write again,
    matching no events: fraction 0) and a schedule load at its target."""
    rtype = imp.types.get(key, "")
    bus = imp.b.schedules_node(target)
    if imp.b.add_edge(bus, target, "rule_target", {"schedule": rule_rate(expression), "fraction": 0}, why, key, rtype):
        imp.parts.setdefault(key, [bus, "rule", target])
    every = imp.b.schedule_load(target, expression)
    imp.b.note("note", key, rtype, f"{why} ({expression}) -> a scheduled rule to '{target}' and a schedule load "
               f"every {every:g} s in scenario 'imported schedules'")


def bus_node(imp: TemplateImport, ref: Any) -> str:
    node = imp.b.node_for(ref, "eventbridge") if ref not in (None, "default") else None
    if node:
        return node
    if ref not in (None, "default"):
        imp.b.note("note", "", "", f"event bus {strip_tokens(str(ref))} is not in the template; "
                   "the default bus stands in", "warning")
    if "DefaultEventBus" not in imp.b.node_of:
        imp.b.add_node("DefaultEventBus", "implicit default bus", "eventbridge", {"bus_name": "default"},
                       "DefaultEventBus", {"cfn": {"logical_id": "DefaultEventBus", "implicit": True}})
    return imp.b.node_of["DefaultEventBus"]


# SAM event type -> its reader: (import, logical id, target node, event name, event properties)
EVENT_HANDLERS: dict[str, Callable] = {
    "Api": lambda imp, k, t, n, p: _api_event(imp, k, t, n, p, "Api"),
    "HttpApi": lambda imp, k, t, n, p: _api_event(imp, k, t, n, p, "HttpApi"),
    "SQS": _queue_event, "Kinesis": _stream_event, "DynamoDB": _stream_event,
    "S3": _s3_event, "SNS": _sns_event,
    "EventBridgeRule": _rule_event, "CloudWatchEvent": _rule_event,
    "Schedule": _schedule_event, "ScheduleV2": _schedule_event,
}
