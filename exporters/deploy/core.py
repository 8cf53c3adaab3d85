"""The deployer's vocabulary: a desired Resource, the Context of one run, a resource Kind.

A Resource is what the design wants (pure data: a kind, a physical name, a JSON config and
references to the resources it needs). A Kind knows how to create, update, look up and
delete one kind of AWS resource with boto3. The Context carries the clients, the account
and the outputs (ARNs, ids, URLs) of resources created or found so far.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore.config import Config
from botocore.exceptions import ClientError

from model.aws.defaults import DESIGN_TAG

MARKER_DESIGN = DESIGN_TAG  # the tag the exported templates put on every resource too
MARKER_MANAGED = "stratus:managed"


@dataclass(frozen=True)
class Resource:
    key: str  # "<kind>:<node or edge>", unique in a design
    kind: str
    name: str  # physical name ("" for resources identified by their parent)
    config: dict  # literal settings; a change here is an update
    refs: dict = field(default_factory=dict)  # role -> key of a resource whose outputs we need
    node: str | None = None
    warning: str = ""
    payload: Any = field(default=None, compare=False, repr=False)  # e.g. the code zip

    @property
    def depends_on(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.refs.values())))

    def config_hash(self) -> str:
        return config_hash({"config": self.config, "refs": self.refs})


def config_hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def marker_tags(design: str) -> dict[str, str]:
    return {MARKER_DESIGN: design, MARKER_MANAGED: "true"}


def is_ours(tags: dict | None, design: str) -> bool:
    tags = tags or {}
    return tags.get(MARKER_DESIGN) == design and tags.get(MARKER_MANAGED) == "true"


class Context:
    """One run against one target: clients, account facts and resource outputs."""

    def __init__(self, session, design: str, region: str, endpoint_url: str | None = None,
                 design_dir: str | None = None) -> None:
        self.session = session
        self.design = design
        self.region = region
        self.endpoint_url = endpoint_url
        self.design_dir = design_dir
        self.outputs: dict[str, dict] = {}
        self._clients: dict[str, Any] = {}
        self._account: str | None = None

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url,
                config=Config(retries={"mode": "standard", "max_attempts": 4}))
        return self._clients[service]

    @property
    def account(self) -> str:
        if self._account is None:
            self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account

    @property
    def tags(self) -> dict[str, str]:
        return marker_tags(self.design)

    def out(self, key: str, name: str = "arn") -> str:
        return self.outputs[key][name]

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


def error_code(exc: Exception) -> str:
    return exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""


def missing(call: Callable, *codes: str, **kwargs) -> bool:
    """True when `call(**kwargs)` fails with one of the not-found `codes`."""
    try:
        call(**kwargs)
    except ClientError as exc:
        if error_code(exc) in codes:
            return True
        raise
    return False


def retry_while(call: Callable, codes: tuple[str, ...], timeout_s: float = 60.0):
    """Call until it stops failing with one of `codes` (IAM propagation and the like)."""
    deadline = time.monotonic() + timeout_s
    delay = 1.0
    while True:
        try:
            return call()
        except ClientError as exc:
            if error_code(exc) not in codes or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 8.0)


class Kind:
    """How to manage one kind of resource. Subclasses override what applies to them."""

    name = ""
    taggable = True  # False: identified by its parent (a permission, a subscription)
    mutable: frozenset[str] = frozenset()  # config fields an update can change in place

    def find(self, ctx: Context, res: Resource) -> dict | None:
        """A live resource bearing `res`'s physical name: {"tags": {...}, ...}, or None."""
        return None

    def create(self, ctx: Context, res: Resource, record: Callable[[dict], None]) -> dict:
        """Create it; call record(outputs) as soon as it exists so a failure can undo it."""
        raise NotImplementedError

    def update(self, ctx: Context, res: Resource, outputs: dict, changed: set[str]) -> dict:
        return outputs

    def delete(self, ctx: Context, outputs: dict) -> None:
        raise NotImplementedError

    def exists(self, ctx: Context, outputs: dict) -> bool:
        raise NotImplementedError

    def live_tags(self, ctx: Context, outputs: dict) -> dict | None:
        """Tags of the live resource (None for kinds that cannot carry tags)."""
        return None


class ParentSettings(Kind):
    """Settings written onto a resource that already exists (an inline policy, a queue's
    policy, a bucket's notification configuration): creating them and updating them are the
    same write, `put`; the outputs name the parent."""

    taggable = False

    def parent(self, ctx: Context, res: Resource) -> dict:
        """The outputs identifying the parent the settings are written to."""
        raise NotImplementedError

    def put(self, ctx: Context, res: Resource, outputs: dict) -> None:
        raise NotImplementedError

    def create(self, ctx: Context, res: Resource, record: Callable[[dict], None]) -> dict:
        outputs = self.parent(ctx, res)
        self.put(ctx, res, outputs)
        record(outputs)
        return outputs

    def update(self, ctx: Context, res: Resource, outputs: dict, changed: set[str]) -> dict:
        self.put(ctx, res, outputs)
        return outputs


def tag_list(tags: dict, key: str = "Key", value: str = "Value") -> list[dict]:
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def tag_dict(items: list[dict], key: str = "Key", value: str = "Value") -> dict:
    return {t[key]: t[value] for t in items}
