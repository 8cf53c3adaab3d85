"""Progress events for the GUI and the CLI: small frozen dataclasses, one per happening."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    message: str


@dataclass(frozen=True)
class StepStarted(Event):
    step: int  # 1-based position among the steps that do something
    total: int
    action: str  # create, update, replace, delete, rollback
    resource: str  # resource key, e.g. "function:create_order"


@dataclass(frozen=True)
class StepFinished(Event):
    step: int
    total: int
    action: str
    resource: str
    physical_id: str = ""


@dataclass(frozen=True)
class StepFailed(Event):
    step: int
    total: int
    action: str
    resource: str
    error: str


@dataclass(frozen=True)
class ResourceEvent(Event):
    """Something happened to one resource outside the numbered steps (rollback, skip)."""

    action: str
    resource: str


@dataclass(frozen=True)
class Message(Event):
    pass


def ignore(event: Event) -> None:
    """The default progress callback."""
