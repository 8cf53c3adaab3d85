"""Names for generated resources: CFN logical ids, Terraform names, AWS physical names.

Every name comes from a node id (plus a role such as "Role" or "LogGroup"). Two node ids
may map to the same name ("order_queue" and "orderQueue" both give OrderQueue), and a
derived name may clash with another node's ("create_order" + "Role" vs "create_order_role"):
a Namer hands out each name once, node names first, and gives a later claimant the same
base plus a short hash of its own key, so the result is collision-free and deterministic.

Physical names must fit AWS's limits. Each service's limit, and the room its node's part
of a name takes in an exported template, is in its catalogue record (ServiceSpec.aws);
this module adds the limits of the supporting resources and the two ways names are built:
exported templates name resources "${NamePrefix}-${Stage}-<node>" (the prefix and stage
are template parameters), the live deployer "stratus-<design>-<node>" (deployed_name).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Callable, Iterable, Mapping

from model.architecture import Architecture, Node
from model.catalogue import SERVICES

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def words(text: str) -> list[str]:
    """Split a node id into words: snake_case, camelCase and digits all break."""
    return _WORD.findall(text)


def camel(*parts: str) -> str:
    """CloudFormation logical id style: alphanumeric CamelCase."""
    return "".join(w[:1].upper() + w[1:] for p in parts for w in words(p))


def snake(*parts: str) -> str:
    """Terraform name style: lower snake_case."""
    return "_".join(w.lower() for p in parts for w in words(p))


def kebab(*parts: str) -> str:
    """AWS physical name style: lower-case words joined by hyphens (valid for S3 too)."""
    return "-".join(w.lower() for p in parts for w in words(p))


def short_hash(key: Iterable[str], length: int = 6) -> str:
    return hashlib.sha1("\x1f".join(key).encode()).hexdigest()[:length]


def fit(name: str, limit: int) -> str:
    """Cut a name to `limit` characters, keeping it unique with a hash of the whole name."""
    if len(name) <= limit:
        return name
    digest = short_hash([name], 6)
    return name[: limit - 7].rstrip("-_") + "-" + digest


class Namer:
    """Hands out collision-free names in one style; node ids get first pick."""

    def __init__(self, style: Callable[..., str], node_ids: Iterable[str] = (), joiner: str = "") -> None:
        self._style = style
        self._joiner = joiner
        self._by_key: dict[tuple[str, ...], str] = {}
        self._taken: set[str] = set()
        for node_id in node_ids:
            self.name(node_id)

    def name(self, *key: str) -> str:
        """The name for `key` (a node id, then optional role words), stable per Namer."""
        if key in self._by_key:
            return self._by_key[key]
        base = self._style(*key) or "R"
        candidate = base
        if candidate in self._taken:
            candidate = f"{base}{self._joiner}{short_hash(key)}"
        n = 2
        while candidate in self._taken:  # a hash clash: practically never, still handled
            candidate = f"{base}{self._joiner}{short_hash(key + (str(n),))}"
            n += 1
        self._taken.add(candidate)
        self._by_key[key] = candidate
        return candidate

    def reserve(self, name: str) -> None:
        """Keep a fixed name (a parameter, an extra resource) away from generated ones."""
        self._taken.add(name)

    def claim(self, key: tuple[str, ...], name: str) -> str:
        """Give `key` exactly `name` when it is free (a node keeps the logical id it was
        imported from), else the name the style gives it."""
        if key not in self._by_key and name not in self._taken:
            self._taken.add(name)
            self._by_key[key] = name
        return self.name(*key)


def logical_ids(node_ids: Iterable[str], imported: Mapping[str, str] | None = None) -> Namer:
    """Logical ids for nodes: the one a node was imported from (`imported`: node id ->
    logical id) where it is free, else the node id in CamelCase."""
    namer = Namer(camel)
    for node_id, logical_id in (imported or {}).items():
        namer.claim((node_id,), logical_id)
    for node_id in node_ids:
        namer.name(node_id)
    return namer


def terraform_names(node_ids: Iterable[str]) -> Namer:
    return Namer(snake, node_ids, joiner="_")


# --------------------------------------------------------------------------------------
# Physical names in exported templates: "${NamePrefix}-${Stage}-<node>"

NAME_PREFIX_MAX = 16  # characters of the NamePrefix parameter
STAGE_MAX = 8  # characters of the Stage parameter
# The most "${NamePrefix}-${Stage}-" takes once the parameters are filled in.
TEMPLATE_PREFIX_ROOM = NAME_PREFIX_MAX + STAGE_MAX + 2
# Rooms for names that are not a node's main resource:
LOG_GROUP_NAME_ROOM = 200  # a state machine's log group (log group names allow 512)
DEAD_LETTER_QUEUE_ROOM = 40  # a function's own dead-letter queue, before "-dlq" (queues: 80)
RULE_SOURCE_ROOM = 20  # the bus's part of a rule's name, before "-<target>" (rules: 64)
RULE_NAME_LIMIT = 64
RULE_TARGET_ID_LIMIT = 64  # a rule target's Id
FIFO_SUFFIX = ".fifo"  # FIFO queues' and topics' names must end in it


def template_name_room(node: Node) -> int:
    """Characters the node's part of its main resource's name takes in a template."""
    return SERVICES[node.service].aws.resource(node.effective_config()).template_name_room


def template_name_part(node_id: str, room: int) -> str:
    """The node's part of a physical name in a template: kebab-case, cut to `room`."""
    return fit(kebab(node_id), room)


def fifo_suffix(config: Mapping[str, Any]) -> str:
    return FIFO_SUFFIX if config.get("fifo") else ""


def default_prefix(arch: Architecture) -> str:
    """The NamePrefix parameter's default: the design's name, kebab-case and short."""
    return (kebab(arch.name) or "stratus")[:NAME_PREFIX_MAX].strip("-") or "stratus"


def default_stage(arch: Architecture) -> str:
    """The Stage parameter's default: the first API's stage (letters and digits), else prod."""
    for node in arch.nodes.values():
        if node.service == "api_gateway":
            stage = "".join(c for c in str(node.effective_config().get("stage", "")).lower() if c.isalnum())
            if stage:
                return stage[:STAGE_MAX]
    return "prod"


def tag_value(text: str) -> str:
    """Tag values allow letters, digits, spaces and _.:/=+-@ only (256 characters)."""
    return "".join(c if c.isalnum() or c in " _.:/=+-@" else "-" for c in text)[:256]


# --------------------------------------------------------------------------------------
# Physical names of live deployments: "stratus-<design>-<node>"
#
# "Orders API" + "create_order" -> "stratus-orders-api-create-order". A name longer than the
# service allows is cut and ends in 8 hex digits of a hash of the full name, so two long
# names that share a prefix stay distinct and the same design always gets the same names.

DEPLOYED_PREFIX = "stratus"

# Resource kind -> the longest name AWS accepts: every service's main resources (from the
# catalogue's records) and the supporting resources the deployer names.
NAME_LIMITS: Mapping[str, int] = {
    **{resource.kind: resource.name_limit for spec in SERVICES.values() for resource in spec.aws.resources},
    "role": 64,
    "rule": RULE_NAME_LIMIT,
}


def slug(text: str) -> str:
    """Lower-case letters, digits and single hyphens (valid for every service, S3 included)."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-") or "x"


def deployed_name(design: str, *parts: str, kind: str, suffix: str = "") -> str:
    """stratus-<design>-<parts...>[suffix], at most NAME_LIMITS[kind] characters."""
    base = "-".join([DEPLOYED_PREFIX, slug(design), *(slug(p) for p in parts)])
    limit = NAME_LIMITS[kind] - len(suffix)
    if len(base) > limit:
        digest = hashlib.sha256(base.encode()).hexdigest()[:8]
        base = base[: limit - 9].rstrip("-") + "-" + digest
    return base + suffix
