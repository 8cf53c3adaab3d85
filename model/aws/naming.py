"""Names for generated resources: CFN logical ids, Terraform names, AWS physical names.

Every name comes from a node id (plus a role such as "Role" or "LogGroup"). Two node ids
may map to the same name ("order_queue" and "orderQueue" both give OrderQueue), and a
derived name may clash with another node's ("create_order" + "Role" vs "create_order_role"):
a Namer hands out each name once, node names first, and gives a later claimant the same
base plus a short hash of its own key, so the result is collision-free and deterministic.
"""

from __future__ import annotations

import hashlib
import re
from typing import Callable, Iterable

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


def logical_ids(node_ids: Iterable[str]) -> Namer:
    return Namer(camel, node_ids)


def terraform_names(node_ids: Iterable[str]) -> Namer:
    return Namer(snake, node_ids, joiner="_")
