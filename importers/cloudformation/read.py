"""CloudFormation and SAM templates -> a design (`import_cloudformation(path)`).

The template is prepared first (`prepare`, `state`: resources checked, SAM Globals
merged, conditions evaluated, intrinsics resolved). Then three passes over the resources:
(1) a node for every resource of the nine services (`nodes`), (2) the wiring between them:
SAM Events (`events`), IAM policies, SAM policy templates and connectors (`permissions`),
event source mappings, subscriptions, notifications, rules, state machine tasks and
environment references (`wiring`), API integrations (`api`) and OpenAPI definitions
(`openapi`), (3) every other resource classified (`nodes`): absorbed into a node or edge,
IAM mapped into edges, or kept under `extras` for the exporters to emit again. The report
says which, by logical id. The resource-type tables are in `types`.
"""

from __future__ import annotations

import os
from typing import Callable

from importers.base import ImportResult, read_text
from importers.cloudformation import api, nodes, openapi, permissions, scaling, supporting, wiring
from importers.cloudformation.intrinsics import load_template
from importers.cloudformation.prepare import source_extra
from importers.cloudformation.state import TemplateImport
from importers.cloudformation.types import NODE_TYPES
from model.errors import StratusError


def import_cloudformation(path: str | os.PathLike) -> ImportResult:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise StratusError(f"{path}: no such file")
    template = load_template(read_text(path, "template"), path)
    return _run(TemplateImport(template, path))


def _run(imp: TemplateImport) -> ImportResult:
    imp.b.arch.extra["imported_from"] = source_extra(imp.template, imp.path)
    imp.resolve_properties()
    imp.websocket = supporting.websocket_keys(imp)
    for key, props in imp.props.items():
        service = NODE_TYPES.get(imp.types[key])
        if service and key not in imp.websocket:
            nodes.add_node(imp, key, service, props)
    nodes.link_aliases(imp)
    for key, props in imp.props.items():
        wire = WIRING.get(imp.types[key]) if key not in imp.websocket else None
        if wire:
            wire(imp, key, props)
        if isinstance(imp.raw[key].get("Connectors"), dict):
            permissions.wire_connectors_attribute(imp, key, imp.raw[key]["Connectors"])
    openapi.wire_openapi(imp)
    api.apply_throttling(imp)
    api.apply_api_timeouts(imp)
    scaling.absorb_table_scaling(imp)
    nodes.classify_rest(imp)
    imp.note_unknowns()
    _note_undefined_references(imp)
    return imp.b.finish()


def _note_undefined_references(imp: TemplateImport) -> None:
    for name in sorted(imp.resolver.unresolved):
        if not name.startswith(("Serverless", "AWS::")) and name not in imp.b.alias_of and name not in imp.parts:
            imp.b.note("note", name, "", "is referenced but not defined in the template "
                       "(a SAM-generated or outside resource)", "warning")


# Resource type -> the pass that reads the edges it makes: (import, logical id, resolved properties)
WIRING: dict[str, Callable[[TemplateImport, str, dict], None]] = {
    "AWS::Serverless::Function": wiring.wire_function, "AWS::Lambda::Function": wiring.wire_function,
    "AWS::SQS::Queue": wiring.wire_queue, "AWS::SNS::Topic": wiring.wire_topic,
    "AWS::SNS::Subscription": wiring.wire_subscription, "AWS::S3::Bucket": wiring.wire_bucket,
    "AWS::Lambda::EventSourceMapping": wiring.wire_event_source_mapping, "AWS::Events::Rule": wiring.wire_rule,
    "AWS::Serverless::StateMachine": wiring.wire_state_machine,
    "AWS::StepFunctions::StateMachine": wiring.wire_state_machine,
    "AWS::ApiGateway::Method": api.wire_method, "AWS::ApiGatewayV2::Api": api.wire_v2_api,
    "AWS::ApiGatewayV2::Integration": api.wire_v2_integration,
    "AWS::Lambda::EventInvokeConfig": wiring.wire_event_invoke_config,
    "AWS::Serverless::Connector": permissions.wire_connector,
    "AWS::Scheduler::Schedule": wiring.wire_scheduler_schedule,
}
