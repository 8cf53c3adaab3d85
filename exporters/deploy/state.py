"""The state file beside the design: what Stratus created, and nothing else.

`<design>.stratus-state.json`, rewritten atomically after every resource created, updated
or deleted, so a crash loses nothing. It never holds credentials: only the target's
account id, region and endpoint, and each resource's ids, tags and config.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from model.designfile import atomic_write_text
from model.errors import StratusError

VERSION = 1


def state_path_for(design_path: str | os.PathLike) -> Path:
    path = Path(design_path)
    return path.with_name(path.stem + ".stratus-state.json")


@dataclass
class Record:
    key: str
    kind: str
    name: str
    node: str | None
    outputs: dict
    tags: dict
    config: dict
    config_hash: str

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class State:
    path: Path
    design: str
    target: dict = field(default_factory=dict)  # account, region, endpoint_url
    records: dict[str, Record] = field(default_factory=dict)  # in dependency order

    @classmethod
    def load(cls, path: str | os.PathLike, design: str | None = None) -> "State":
        path = Path(path)
        if not path.exists():
            return cls(path, design or "")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            records = {r["key"]: Record(**r) for r in raw["resources"]}
            state = cls(path, raw["design"], raw.get("target", {}), records)
        except (ValueError, KeyError, TypeError) as exc:
            raise StratusError(f"{path}: not a Stratus state file ({exc})") from exc
        if design is not None and state.design != design:
            raise StratusError(f"{path} records design '{state.design}', not '{design}'")
        return state

    def save(self) -> None:
        if not self.records:
            self.path.unlink(missing_ok=True)  # everything is gone: so is the record of it
            return
        data = {"stratus_state": VERSION, "design": self.design, "target": self.target,
                "resources": [r.to_json() for r in self.records.values()]}
        atomic_write_text(self.path, json.dumps(data, indent=1, sort_keys=True) + "\n")

    def put(self, record: Record) -> None:
        self.records[record.key] = record
        self.save()

    def drop(self, key: str) -> None:
        self.records.pop(key, None)
        self.save()

    def reorder(self, keys: list[str]) -> None:
        """Records in `keys` order (the design's dependency order), others after."""
        ordered = {k: self.records[k] for k in keys if k in self.records}
        ordered.update({k: r for k, r in self.records.items() if k not in ordered})
        self.records = ordered
        self.save()
