"""plan / apply / destroy: the Python API the CLI and the GUI drive.

apply works through the plan in dependency order and writes the state file after every
resource. When a step fails it deletes, in reverse order, exactly what this apply created
(never what an earlier apply created, never what Stratus did not create), and reports the
step and the reason. Updates made before the failure stay; the state file records them.

Both take `cancel`, asked between resources (never in the middle of one). When it says
yes they stop there and roll nothing back: the state file already records every resource
made so far, so running apply again resumes and destroy removes what was made.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from botocore.exceptions import BotoCoreError, ClientError

from model.architecture import Architecture
from model.errors import StratusError

from .core import Context, Resource, is_ours
from .events import Event, Message, ResourceEvent, StepFailed, StepFinished, StepStarted, ignore
from .planning import Plan, PlannedResource, make_plan
from .resources import KINDS
from .state import Record, State

Progress = Callable[[Event], None]
Cancel = Callable[[], bool]
GONE_TIMEOUT_S = 120.0


@dataclass
class ApplyResult:
    ok: bool
    plan: Plan
    done: list[str] = field(default_factory=list)  # "create function:x", ... in order
    failed_step: str = ""
    error: str = ""
    rolled_back: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False  # stopped between resources on request; ok is False, error says so


@dataclass
class DestroyResult:
    ok: bool
    deleted: list[str] = field(default_factory=list)
    already_gone: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # not tagged as ours: left alone
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False  # stopped between resources on request; ok is False, error says so
    error: str = ""  # why it stopped early (cancelled); per-resource failures are in errors


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'Error')}: {err.get('Message', str(exc))} ({exc.operation_name})"
    return f"{type(exc).__name__}: {exc}"


def _context(session, arch_name: str, region: str, endpoint_url, design_dir) -> Context:
    return Context(session, arch_name, region, endpoint_url, str(design_dir) if design_dir else None)


def _check_target(state: State, ctx: Context) -> None:
    """A state file describes one account/region/endpoint; refuse to mix them up."""
    if not state.records or not state.target:
        return
    here = {"account": ctx.account, "region": ctx.region, "endpoint_url": ctx.endpoint_url}
    if any(state.target.get(k) != v for k, v in here.items()):
        raise StratusError(f"{state.path} records resources in {_where(state.target)}, "
                           f"but this run targets {_where(here)}")


def _where(target: dict) -> str:
    place = target.get("endpoint_url") or "AWS"
    return f"account {target.get('account')} {target.get('region')} at {place}"


def plan(arch: Architecture, session, *, state_path: str | os.PathLike | None = None,
         endpoint_url: str | None = None, design_dir: str | os.PathLike | None = None) -> Plan:
    """What apply would do, looking at the target and the state file; changes nothing."""
    ctx = _context(session, arch.name, arch.region, endpoint_url, design_dir)
    state = State.load(state_path, arch.name) if state_path else State(Path(os.devnull), arch.name)
    _check_target(state, ctx)
    try:
        return make_plan(ctx, arch, state, design_dir)
    except (ClientError, BotoCoreError) as exc:
        raise StratusError(f"could not read the target: {describe_error(exc)}") from exc


def _never() -> bool:
    return False


def apply(arch: Architecture, session, state_path: str | os.PathLike, progress: Progress = ignore, *,
          endpoint_url: str | None = None, design_dir: str | os.PathLike | None = None,
          cancel: Cancel | None = None) -> ApplyResult:
    started = time.monotonic()
    ctx = _context(session, arch.name, arch.region, endpoint_url, design_dir)
    state = State.load(state_path, arch.name)
    _check_target(state, ctx)
    the_plan = make_plan(ctx, arch, state, design_dir)
    result = ApplyResult(True, the_plan)
    if the_plan.conflicts:
        names = "; ".join(f"{c.key} ({c.name}): {c.reason}" for c in the_plan.conflicts)
        result.ok, result.error = False, f"refusing to apply, nothing was changed: {names}"
        progress(Message(result.error))
        return result
    state.target = {"account": ctx.account, "region": ctx.region, "endpoint_url": ctx.endpoint_url}
    for item in the_plan.by_action("unchanged"):
        ctx.outputs[item.key] = item.record.outputs
    created: list[str] = []
    steps = [i for i in the_plan.items if i.action not in ("unchanged", "conflict")]
    cancel = cancel or _never
    for number, item in enumerate(steps, 1):
        if cancel():
            result.ok, result.cancelled = False, True
            result.error = (f"cancelled after {number - 1} of {len(steps)} steps: run deploy again to finish, "
                            "or destroy to remove what was created")
            progress(Message(result.error))
            break
        label = f"{item.action} {item.key}"
        progress(StepStarted(f"{label} {item.name}".strip(), number, len(steps), item.action, item.key))
        try:
            physical = _do(ctx, state, item, created)
        except Exception as exc:  # noqa: BLE001 - any failure must roll back what we made
            result.ok, result.failed_step, result.error = False, label, describe_error(exc)
            progress(StepFailed(f"{label} failed: {result.error}", number, len(steps), item.action,
                                item.key, result.error))
            result.rolled_back = _rollback(ctx, state, created, progress)
            result.seconds = time.monotonic() - started
            return result
        result.done.append(label)
        progress(StepFinished(f"{label} done", number, len(steps), item.action, item.key, physical))
    state.reorder([i.key for i in the_plan.items])
    result.seconds = time.monotonic() - started
    return result


def _do(ctx: Context, state: State, item: PlannedResource, created: list[str]) -> str:
    kind = KINDS[item.kind]
    if item.action in ("delete", "replace"):
        kind.delete(ctx, item.record.outputs)
        _wait_gone(ctx, item.kind, item.record.outputs)
        state.drop(item.key)
        if item.action == "delete":
            return ""
    res = item.resource
    if item.action == "update":
        outputs = kind.update(ctx, res, item.record.outputs, set(item.changed))
        state.put(_record(ctx, res, outputs))
        ctx.outputs[res.key] = outputs
        return _physical(outputs)

    def record(outputs: dict) -> None:  # called by the kind as soon as the resource exists
        state.put(_record(ctx, res, outputs))
        if res.key not in created:
            created.append(res.key)

    outputs = kind.create(ctx, res, record)
    record(outputs)
    ctx.outputs[res.key] = outputs
    return _physical(outputs)


def _record(ctx: Context, res: Resource, outputs: dict) -> Record:
    tags = ctx.tags if KINDS[res.kind].taggable else {}
    return Record(res.key, res.kind, res.name, res.node, dict(outputs), tags,
                  res.config, res.config_hash())


def _physical(outputs: dict) -> str:
    return outputs.get("arn") or outputs.get("url") or outputs.get("uuid") or outputs.get("name", "")


def _rollback(ctx: Context, state: State, created: list[str], progress: Progress) -> list[str]:
    """Delete what this apply created, newest first. Trusts state alone: we just made them."""
    undone = []
    for key in reversed(created):
        record = state.records.get(key)
        if record is None:
            continue
        try:
            KINDS[record.kind].delete(ctx, record.outputs)
            _wait_gone(ctx, record.kind, record.outputs)
        except Exception as exc:  # noqa: BLE001 - keep going: leave the rest tidy, report this one
            if KINDS[record.kind].exists(ctx, record.outputs):
                progress(ResourceEvent(f"rollback of {key} failed: {describe_error(exc)}; "
                                       "it stays in the state file", "rollback", key))
                continue
        state.drop(key)
        undone.append(key)
        progress(ResourceEvent(f"rolled back {key}", "rollback", key))
    return undone


def _wait_gone(ctx: Context, kind: str, outputs: dict, timeout_s: float = GONE_TIMEOUT_S) -> None:
    deadline, delay = time.monotonic() + timeout_s, 0.2
    while KINDS[kind].exists(ctx, outputs):
        if time.monotonic() > deadline:
            raise StratusError(f"{kind} {_physical(outputs)} still exists {timeout_s:.0f} s after deletion")
        time.sleep(delay)
        delay = min(delay * 2, 5.0)


def destroy(arch_or_state: Architecture | str | os.PathLike, session, state_path: str | os.PathLike | None = None,
            progress: Progress = ignore, *, endpoint_url: str | None = None,
            cancel: Cancel | None = None) -> DestroyResult:
    """Delete exactly what the state file lists, newest dependency first, checking each is gone.

    Anything no longer tagged as this design's is left alone and reported. The state file
    is removed once everything in it is gone.
    """
    started = time.monotonic()
    if isinstance(arch_or_state, Architecture):
        if state_path is None:
            raise StratusError("destroy needs the state file's path")
        state = State.load(state_path, arch_or_state.name)
        region = state.target.get("region") or arch_or_state.region
    else:
        state = State.load(state_path or arch_or_state)
        region = state.target.get("region", "us-east-1")
    result = DestroyResult(True)
    if not state.records:
        progress(Message(f"nothing to destroy: {state.path} lists no resources"))
        return result
    ctx = _context(session, state.design, region, endpoint_url, None)
    _check_target(state, ctx)
    records = list(reversed(list(state.records.values())))
    cancel = cancel or _never
    for number, record in enumerate(records, 1):
        if cancel():
            result.cancelled = True
            result.error = (f"cancelled after {number - 1} of {len(records)} steps: run destroy again "
                            f"to remove the rest ({state.path} lists what remains)")
            progress(Message(result.error))
            break
        _destroy_one(ctx, state, record, number, len(records), result, progress)
    result.ok = not (result.refused or result.errors or result.cancelled)
    result.seconds = time.monotonic() - started
    return result


def _destroy_one(ctx, state, record: Record, number: int, total: int, result: DestroyResult,
                 progress: Progress) -> None:
    kind = KINDS[record.kind]
    progress(StepStarted(f"delete {record.key} {record.name}".strip(), number, total, "delete", record.key))
    try:
        if not kind.exists(ctx, record.outputs):
            state.drop(record.key)
            result.already_gone.append(record.key)
            progress(StepFinished(f"{record.key} was already gone", number, total, "delete", record.key))
            return
        if kind.taggable and not is_ours(kind.live_tags(ctx, record.outputs), state.design):
            result.refused.append(record.key)
            progress(StepFailed(f"{record.key} is no longer tagged as ours: left alone", number, total,
                                "delete", record.key, "not tagged as ours"))
            return
        kind.delete(ctx, record.outputs)
        _wait_gone(ctx, record.kind, record.outputs)
    except Exception as exc:  # noqa: BLE001 - report and carry on with the rest
        error = describe_error(exc)
        result.errors.append(f"{record.key}: {error}")
        progress(StepFailed(f"delete {record.key} failed: {error}", number, total, "delete", record.key, error))
        return
    state.drop(record.key)
    result.deleted.append(record.key)
    progress(StepFinished(f"deleted {record.key}", number, total, "delete", record.key, _physical(record.outputs)))
