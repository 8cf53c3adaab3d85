"""What adding a service takes: every per-service table and registry of the code base,
checked for every service in the catalogue.

The catalogue entry (model/catalogue.py, with its `aws` record) is where a service starts.
Each SERVICE_NEEDS row below is one more place the service must be known, with the file to
edit; each EDGE_NEEDS row is one place an edge rule's source or target must be known. A
service that lacks any of them fails here with its whole to-do list, so a new catalogue
entry plus this test tells its author what else to write (README, "Adding a service").
When a table moves, change its row here: the rows are the checklist.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import pytest
import yaml

from exporters.cloudformation import render as cfn_render
from exporters.cloudformation import services as cfn_services
from exporters.cloudformation import template as cfn_template
from exporters.deploy import desired
from exporters.deploy.resources import KINDS as DEPLOY_KINDS
from exporters.deploy.resources import s3 as deploy_s3
from exporters.terraform import render as tf_render
from exporters.terraform import services as tf_services
from importers.cloudformation import nodes as cfn_nodes
from importers.cloudformation import types as cfn_types
from importers.terraform import nodes as tf_nodes
from importers.terraform import types as tf_types
from model.aws import asl, iam, wiring
from model import catalogue
from model.aws.naming import FIFO_SUFFIX, TEMPLATE_PREFIX_ROOM
from model.catalogue import EDGE_RULES, EdgeRule
from simulation import cost
from simulation.behaviours import REGISTRY as BEHAVIOURS
from tests.conftest import ROOT

ICONS = ROOT / "assets" / "icons"
PRICE_FILE = ROOT / "assets" / "pricing" / "us-east-1.yaml"


def _aws(service: str):
    return catalogue.SERVICES[service].aws


# --------------------------------------------------------------------------------------
# Per service


def _attributes_asked(service: str) -> set[str]:
    """Attributes the wiring may ask of a node of `service` (as a source or a target)."""
    asked = {wiring.ARN, _aws(service).handle}
    if service in wiring.EVENT_SOURCES:
        asked.add(wiring.EVENT_SOURCES[service].source_attribute)
    if service in wiring.HTTP_INTEGRATIONS:
        asked |= {v.name for v in wiring.HTTP_INTEGRATIONS[service]({"fifo": True}).parameters.values()
                  if isinstance(v, wiring.Attribute)}
    return asked


def _cloudformation_writes_attributes(service: str) -> bool:
    return all((service, attribute) in cfn_template.COMPUTED_ATTRIBUTES
               or attribute in cfn_template.ATTRIBUTES.get(service, {})
               for attribute in _attributes_asked(service))


def _delivers_by_resource_policy(service: str) -> bool:
    """Does a node of this service send to queues, topics or functions through their
    resource policies (so the policies name its principal and source ARN)?"""
    return service != "lambda" and any(
        r.source == service and (r.kind, r.target) in iam.RESOURCE_POLICY_KINDS for r in EDGE_RULES)


def _runs_as_role(service: str) -> bool:
    return service in iam._BASE or bool(_aws(service).role_edges)


def _writes_own_logs(service: str) -> bool:
    return any(s.scope == iam.OWN_LOGS for s in iam._BASE.get(service, ()))


def _deploy_kinds_known(service: str) -> bool:
    return all(r.kind in DEPLOY_KINDS and r.kind in desired.KIND_RANK for r in _aws(service).resources)


def _record_is_consistent(service: str) -> bool:
    return not record_problems(service)


def record_problems(service: str) -> list[str]:
    """What is wrong with a service's `aws` record (model/catalogue.py)."""
    spec, aws = catalogue.SERVICES[service], _aws(service)
    problems = []
    if aws.variant_field:
        field = spec.field(aws.variant_field)
        if field is None or set(aws.variants) != set(field.choices):
            problems.append(f"variants must give a resource for each choice of its field '{aws.variant_field}'")
        elif aws.main != aws.variants[field.default]:
            problems.append("main must be the resource of the variant field's default")
    for resource in aws.resources:
        if resource.cloudformation not in aws.imports.cloudformation + aws.imports.sam:
            problems.append(f"imports must list its CloudFormation type {resource.cloudformation}")
        if resource.terraform not in aws.imports.terraform:
            problems.append(f"imports must list its Terraform type {resource.terraform}")
        # The longest suffix a template adds: ".fifo", or a bucket's "-<12-digit account id>".
        suffix = max(len(FIFO_SUFFIX) if spec.field("fifo") else 0, 13 if service == "s3" else 0)
        if TEMPLATE_PREFIX_ROOM + resource.template_name_room + suffix > resource.name_limit:
            problems.append(f"template_name_room {resource.template_name_room} overflows name_limit "
                            f"{resource.name_limit} once the prefix ({TEMPLATE_PREFIX_ROOM}) and suffix are added")
    if aws.handle not in (wiring.ARN, wiring.NAME, wiring.URL, wiring.ID):
        problems.append(f"handle '{aws.handle}' is not one of the wiring's attributes")
    return problems


@dataclass(frozen=True)
class Need:
    what: str
    where: str  # "{service}" and "{kinds}" (its deployer resource kinds) are filled in
    present: Callable[[str], bool]
    applies: Callable[[str], bool] = lambda service: True


SERVICE_NEEDS: tuple[Need, ...] = (
    Need("a consistent AWS record", "model/catalogue.py: ServiceSpec(key='{service}', aws=AwsFacts(...))",
         _record_is_consistent),
    Need("an icon", "assets/icons/<ServiceSpec.icon> (our own SVG, in its category colour)",
         lambda s: (ICONS / catalogue.SERVICES[s].icon).is_file()),
    Need("a simulation behaviour", "simulation/behaviours/__init__.py: REGISTRY['{service}']",
         lambda s: s in BEHAVIOURS),
    Need("a CloudFormation renderer", "exporters/cloudformation/render.py: SERVICE_RENDERERS['{service}']",
         lambda s: s in cfn_render.SERVICE_RENDERERS),
    Need("CloudFormation spellings of its attributes",
         "exporters/cloudformation/template.py: ATTRIBUTES['{service}'] (or COMPUTED_ATTRIBUTES)",
         _cloudformation_writes_attributes),
    Need("a Terraform renderer", "exporters/terraform/render.py: SERVICE_RENDERERS['{service}']",
         lambda s: s in tf_render.SERVICE_RENDERERS),
    Need("a live deployer builder", "exporters/deploy/desired.py: NODE_BUILDERS['{service}']",
         lambda s: s in desired.NODE_BUILDERS),
    Need("a live deployer resource kind", "exporters/deploy/resources/: a Kind named {kinds}, listed in KINDS, "
         "and exporters/deploy/desired.py: KIND_RANK", _deploy_kinds_known),
    Need("a service principal (it runs as a role)", "model/catalogue.py: AwsFacts(principal=...)",
         lambda s: bool(_aws(s).principal), _runs_as_role),
    Need("a service principal (resource policies name it)", "model/catalogue.py: AwsFacts(principal=...)",
         lambda s: bool(_aws(s).principal), _delivers_by_resource_policy),
    Need("a grant source (the aws:SourceArn its deliveries carry)", "model/aws/wiring.py: GRANT_SOURCES['{service}']",
         lambda s: s in wiring.GRANT_SOURCES, _delivers_by_resource_policy),
    Need("a log group prefix (its role writes its own logs)", "model/catalogue.py: AwsFacts(log_group_prefix=...)",
         lambda s: bool(_aws(s).log_group_prefix), _writes_own_logs),
    # The importers read these from their own tables today; the records declare them.
    Need("a CloudFormation importer", "importers/cloudformation/nodes.py: CONFIG_READERS['{service}']",
         lambda s: s in cfn_nodes.CONFIG_READERS),
    Need("a Terraform importer", "importers/terraform/nodes.py: CONFIG_READERS['{service}']",
         lambda s: s in tf_nodes.CONFIG_READERS),
)

# Not required: a service without them simulates, exports and deploys, and is reported as
# not priced.
OPTIONAL_NEEDS: tuple[Need, ...] = (
    Need("a price model", "simulation/cost.py: SERVICE_PRICING['{service}'] and its section in "
         "assets/pricing/us-east-1.yaml", lambda s: s in cost.SERVICE_PRICING),
)


# --------------------------------------------------------------------------------------
# Per edge rule the service takes part in


def _role_actions_cover(rule: EdgeRule) -> bool:
    field = rule.field("action")
    actions = field.choices if field is not None else (None,)
    return all((rule.kind, rule.target, action) in iam.ACTIONS for action in actions)


def _on_role(rule: EdgeRule) -> bool:
    """Is the edge's access granted on its source's own role?"""
    return rule.kind != "event_source" and rule.kind in _aws(rule.source).role_edges


def _by_policy_or_nothing(rule: EdgeRule) -> bool:
    """Edges not on a role: a resource policy on the target lets the source deliver (the
    source's principal and grant source are per-service needs), or nothing is needed: a
    queue's redrive is its own setting, S3 turns EventBridge delivery on bucket-wide."""
    return ((rule.kind, rule.target) in iam.RESOURCE_POLICY_KINDS or rule.kind == "dead_letter"
            or (rule.kind == "notification" and rule.target in wiring.BUCKET_WIDE_NOTIFICATIONS))


def _notified(rule: EdgeRule) -> bool:
    return rule.kind == "notification" and rule.target not in wiring.BUCKET_WIDE_NOTIFICATIONS


@dataclass(frozen=True)
class EdgeNeed:
    what: str
    where: str  # "{source}", "{target}" and "{kind}" are filled in
    present: Callable[[EdgeRule], bool]
    applies: Callable[[EdgeRule], bool] = lambda rule: True


EDGE_NEEDS: tuple[EdgeNeed, ...] = (
    EdgeNeed("IAM actions on the source's role",
             "model/aws/iam.py: ACTIONS[('{kind}', '{target}', <each action>)] (or RESOURCE_POLICY_KINDS)",
             lambda r: _role_actions_cover(r) or (r.kind, r.target) in iam.RESOURCE_POLICY_KINDS, _on_role),
    EdgeNeed("a resource policy on the target", "model/aws/iam.py: RESOURCE_POLICY_KINDS[('{kind}', '{target}')]",
             _by_policy_or_nothing, lambda r: r.kind != "event_source" and not _on_role(r)),
    EdgeNeed("the poller's IAM actions", "model/aws/iam.py: POLL_ACTIONS['{source}']",
             lambda r: r.source in iam.POLL_ACTIONS, lambda r: r.kind == "event_source"),
    EdgeNeed("an event source mapping", "model/aws/wiring.py: EVENT_SOURCES['{source}']",
             lambda r: r.source in wiring.EVENT_SOURCES, lambda r: r.kind == "event_source"),
    EdgeNeed("a subscription protocol", "model/aws/wiring.py: SUBSCRIPTIONS['{target}']",
             lambda r: r.target in wiring.SUBSCRIPTIONS, lambda r: r.kind == "subscription"),
    EdgeNeed("a REST API integration", "model/aws/wiring.py: REST_INTEGRATIONS['{target}']",
             lambda r: r.target in wiring.REST_INTEGRATIONS, lambda r: r.kind == "integration"),
    EdgeNeed("a Step Functions task", "model/aws/asl.py: TASKS['{target}']",
             lambda r: r.target in asl.TASKS, lambda r: r.kind == "task"),
    EdgeNeed("S3 notification spellings",
             "exporters/cloudformation/services.py: S3_NOTIFICATION_KEYS['{target}'], "
             "exporters/terraform/services.py: NOTIFICATION_BLOCKS['{target}'] and "
             "exporters/deploy/resources/s3.py: TARGET_LISTS['{target}']",
             lambda r: (r.target in cfn_services.S3_NOTIFICATION_KEYS and r.target in tf_services.NOTIFICATION_BLOCKS
                        and r.target in deploy_s3.TARGET_LISTS), _notified),
)


# --------------------------------------------------------------------------------------


def _fill(text: str, **names: str) -> str:
    for key, value in names.items():
        text = text.replace("{" + key + "}", value)
    return text


def todo(service: str) -> list[str]:
    """Everything `service` still needs, one line each ("" when nothing)."""
    lines = []
    for need in SERVICE_NEEDS:
        if need.applies(service) and not need.present(service):
            kinds = " and ".join(f"'{r.kind}'" for r in _aws(service).resources)
            lines.append(f"{need.what}: {_fill(need.where, service=service, kinds=kinds)}")
    lines += [f"  ({problem})" for problem in record_problems(service)]
    for rule in EDGE_RULES:
        if service not in (rule.source, rule.target):
            continue
        for edge_need in EDGE_NEEDS:
            if edge_need.applies(rule) and not edge_need.present(rule):
                where = _fill(edge_need.where, source=rule.source, target=rule.target, kind=rule.kind)
                lines.append(f"{edge_need.what} ({rule.source} -{rule.kind}-> {rule.target}): {where}")
    return lines


def message(service: str, lines: list[str]) -> str:
    optional = [f"  - {n.what}: {_fill(n.where, service=service)}"
                for n in OPTIONAL_NEEDS if not n.present(service)]
    text = f"service '{service}' still needs:\n" + "\n".join(f"  - {line}" for line in lines)
    if optional:
        text += "\nand may want (optional):\n" + "\n".join(optional)
    return text


@pytest.mark.parametrize("service", sorted(catalogue.SERVICES))
def test_every_service_is_known_everywhere_it_must_be(service):
    lines = todo(service)
    assert not lines, message(service, lines)


@pytest.mark.parametrize("service", sorted(cost.SERVICE_PRICING))
def test_every_priced_service_has_its_prices(service):
    sections = yaml.safe_load(PRICE_FILE.read_text(encoding="utf-8"))
    assert service in sections, f"{PRICE_FILE.name} has no '{service}' section for simulation/cost.py to read"


def test_the_checklist_catches_a_service_nobody_knows(monkeypatch):
    """A catalogue entry with nothing else gets a to-do list naming each table."""
    fake = dataclasses.replace(catalogue.SERVICES["sqs"], key="fake", icon="fake.svg")
    monkeypatch.setattr(catalogue, "SERVICES", {**catalogue.SERVICES, "fake": fake})
    lines = todo("fake")
    text = message("fake", lines)
    for needed in ("assets/icons/", "simulation/behaviours/__init__.py: REGISTRY['fake']",
                   "exporters/cloudformation/render.py: SERVICE_RENDERERS['fake']",
                   "exporters/terraform/render.py: SERVICE_RENDERERS['fake']",
                   "exporters/deploy/desired.py: NODE_BUILDERS['fake']",
                   "importers/cloudformation/nodes.py: CONFIG_READERS['fake']",
                   "simulation/cost.py: SERVICE_PRICING['fake']"):
        assert needed in text, text
    assert todo("sqs") == []  # the same record under its own key needs nothing


def test_each_imported_type_belongs_to_one_service():
    """The importers build their type maps from the records: a resource type two records
    claimed would silently import as whichever came last."""
    claims: dict[str, list[str]] = {}
    for service, spec in catalogue.SERVICES.items():
        imports = spec.aws.imports
        for rtype in imports.cloudformation + imports.sam + imports.terraform:
            claims.setdefault(rtype, []).append(service)
    assert {t: s for t, s in claims.items() if len(s) > 1} == {}


def test_the_importers_read_their_types_from_the_records():
    assert cfn_types.NODE_TYPES["AWS::Serverless::HttpApi"] == "api_gateway"
    assert tf_types.NODE_TYPES["aws_sfn_state_machine"] == "step_functions"
    for service, spec in catalogue.SERVICES.items():
        assert spec.aws.main.cloudformation in cfn_types.NODE_TYPES, service
        assert spec.aws.main.terraform in tf_types.NODE_TYPES, service


def test_the_records_name_the_arn_services_the_importers_know():
    from importers import base as importer_base

    by_arn_service = {spec.aws.arn_service: s for s, spec in catalogue.SERVICES.items()}
    for arn_service, service in importer_base.AWS_SERVICE_OF_ARN.items():
        assert by_arn_service.get(arn_service) == service, arn_service
