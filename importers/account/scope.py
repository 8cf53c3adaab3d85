"""What part of the region a scan keeps: everything, one CloudFormation stack, or the
resources carrying one tag.

- A stack: `ListStackResources` (nested stacks followed) names the physical ids; a record
  is kept when one of its identifiers is among them. The stack's other resources are
  reported by name: supporting ones (roles, permissions, mappings, subscriptions, API
  methods and stages...) as read into the nodes and edges, the rest as not scanned.
- A tag: the Resource Groups Tagging API's `GetResources` names the ARNs. An endpoint whose
  tagging API fails, or knows nothing of a kind of resource (moto's server does not index
  every service), is asked resource by resource with each service's own tag call.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from model.errors import StratusError

from .aws import AccountReader
from .inventory import KINDS, Record, read_tags
from .shared import DEFAULT_BUS, ImportNote

# Stack resources that are part of a node or an edge rather than a node of their own.
SUPPORTING_TYPES = frozenset({
    "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping", "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::Version",
    "AWS::Lambda::Alias", "AWS::SNS::Subscription", "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy",
    "AWS::S3::BucketPolicy", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method", "AWS::ApiGateway::Account",
    "AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Deployment", "AWS::Events::Rule", "AWS::Logs::LogGroup",
    "AWS::CloudFormation::Stack",
})


@dataclass(frozen=True)
class Scope:
    stack: str | None = None
    tag: tuple[str, str] | None = None

    @classmethod
    def parse(cls, stack: str | None = None, tag: str | None = None) -> "Scope":
        """From the command line's --stack NAME / --tag KEY=VALUE (at most one)."""
        if stack and tag:
            raise StratusError("scan one stack or one tag, not both")
        if tag is not None:
            key, sep, value = tag.partition("=")
            if not sep or not key.strip():
                raise StratusError(f"a tag to scan for is KEY=VALUE, got {tag!r}")
            return cls(tag=(key.strip(), value.strip()))
        if stack is not None and not stack.strip():
            raise StratusError("give the name of the stack to scan")
        return cls(stack=stack.strip() if stack else None)

    def describe(self, region: str) -> str:
        if self.stack:
            return f"stack {self.stack} in {region}"
        if self.tag:
            return f"resources tagged {self.tag[0]}={self.tag[1]} in {region}"
        return f"region {region}"

    def design_name(self, region: str) -> str:
        if self.stack:
            return self.stack
        if self.tag:
            return self.tag[1] or self.tag[0]
        return f"Scan of {region}"


def select(r: AccountReader, records: list[Record], scope: Scope) -> tuple[list[Record], list[ImportNote]]:
    """(records in scope, notes about the scope's other resources)."""
    if scope.stack:
        return _in_stack(r, records, scope.stack)
    if scope.tag:
        return _tagged(r, records, scope.tag), []
    # The account's default bus is there in every region: kept only when something uses it.
    return [rec for rec in records if not (rec.kind == "event_bus" and rec.name == DEFAULT_BUS)], []


def _in_stack(r: AccountReader, records: list[Record], stack: str) -> tuple[list[Record], list[ImportNote]]:
    resources = [res for res in _stack_resources(r, stack, set()) if res.get("ResourceType")]
    r.advance(f"listed {len(resources)} resources of stack {stack}")
    logical_of = {}
    for res in resources:
        for pid in _identifiers(res.get("PhysicalResourceId") or ""):
            logical_of[pid] = res["LogicalResourceId"]
    kept = []
    for rec in records:
        found = next((logical_of[i] for i in rec.ids if i in logical_of), None)
        if found:
            rec.logical_id = found
            kept.append(rec)
    known = {rec.logical_id for rec in kept}
    notes = []
    for res in resources:
        rtype, logical, pid = res["ResourceType"], res["LogicalResourceId"], res.get("PhysicalResourceId")
        if logical in known:
            continue
        if rtype in SUPPORTING_TYPES:
            notes.append(ImportNote("info", logical, rtype, "read into the nodes and edges it supports", "absorbed"))
        elif any(kind.cfn_type == rtype for kind in KINDS.values()):
            notes.append(ImportNote("warning", logical, rtype, f"{pid or 'no physical id'} was not found in "
                                                                f"{r.region}; left out", "unmapped"))
        else:
            notes.append(ImportNote("info", logical, rtype, "not one of the nine services; not scanned"))
    return kept, notes


def _identifiers(physical_id: str) -> set[str]:
    """A physical id, and the path of one that is a URL (queues: see inventory._queues)."""
    if physical_id.startswith(("http://", "https://")):
        return {physical_id, urllib.parse.urlparse(physical_id).path}
    return {physical_id} if physical_id else set()


def _stack_resources(r: AccountReader, stack: str, seen: set[str]) -> list[dict]:
    seen.add(stack)
    resources = r.paginate("cloudformation", "list_stack_resources", "StackResourceSummaries", stack,
                           required=True, StackName=stack)
    out = list(resources)
    for res in resources:
        nested = res.get("PhysicalResourceId")
        if res["ResourceType"] == "AWS::CloudFormation::Stack" and nested and nested not in seen:
            out += _stack_resources(r, nested, seen)
    return out


def _tagged(r: AccountReader, records: list[Record], tag: tuple[str, str]) -> list[Record]:
    key, value = tag
    found = r.paginate("resourcegroupstaggingapi", "get_resources", "ResourceTagMappingList",
                       f"tag {key}={value}", "tags are read service by service instead",
                       TagFilters=[{"Key": key, "Values": [value]}])
    r.advance("asked the tagging API")
    arns = {item["ResourceARN"] for item in found or []}
    kept = [rec for rec in records if rec.ids & arns or rec.arn in arns]
    known_kinds = {rec.kind for rec in kept}
    # Kinds the tagging API returned nothing of: ask their own services.
    unknown = [rec for rec in records if rec.kind not in known_kinds]
    read_tags(r, unknown)
    kept += [rec for rec in unknown if (rec.tags or {}).get(key) == value]
    return kept
