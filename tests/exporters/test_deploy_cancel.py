"""Cancelling a deployment against moto's server on 127.0.0.1: apply and destroy stop
between resources, roll nothing back, leave a state file that lists exactly what exists,
and a second run finishes the job."""

from __future__ import annotations

import json

import pytest

from exporters.deploy import apply, destroy, plan, sandbox
from exporters.deploy.events import Message, StepFinished
from model.designfile import load_design
from tests.conftest import EXAMPLES_DIR
from tests.exporters.test_deploy import expected_counts, live_counts
from tests.moto_sandbox import moto_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


class CancelAfter:
    """A progress callback and a cancel callback: says 'stop' once `n` steps have finished."""

    def __init__(self, n: int) -> None:
        self.n, self.finished, self.events = n, [], []

    def progress(self, event) -> None:
        self.events.append(event)
        if isinstance(event, StepFinished):
            self.finished.append(event.resource)

    def __call__(self) -> bool:
        return len(self.finished) >= self.n


def state_keys(path) -> list[str]:
    return [r["key"] for r in json.loads(path.read_text())["resources"]]


def test_cancelled_apply_keeps_what_it_made_and_a_second_apply_finishes(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    state, session = tmp_path / "state.json", sandbox.session(arch.region)
    total = len(plan(arch, session, state_path=state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR).changes)
    cancel = CancelAfter(5)
    first = apply(arch, session, state, cancel.progress, endpoint_url=endpoint, design_dir=EXAMPLES_DIR,
                  cancel=cancel)
    assert first.cancelled and not first.ok and not first.failed_step and not first.rolled_back
    assert len(first.done) == 5 == len(cancel.finished)
    assert sorted(state_keys(state)) == sorted(cancel.finished)  # exactly what was made, nothing more
    message = f"cancelled after 5 of {total} steps: run deploy again to finish, or destroy to remove what was created"
    assert first.error == message and isinstance(cancel.events[-1], Message) and cancel.events[-1].message == message
    # resume: the five are unchanged, the rest are created
    resumed = plan(arch, session, state_path=state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR)
    assert len(resumed.by_action("unchanged")) == 5 and len(resumed.changes) == total - 5
    second = apply(arch, session, state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR)
    assert second.ok and not second.cancelled and len(second.done) == total - 5
    assert live_counts(endpoint, arch) == expected_counts(arch)
    assert not plan(arch, session, state_path=state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR).changes
    gone = destroy(arch, session, state, endpoint_url=endpoint)
    assert gone.ok and len(gone.deleted) == total
    assert live_counts(endpoint, arch) == {k: 0 for k in expected_counts(arch)} and not state.exists()


def test_cancel_before_the_first_step_changes_nothing(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "sns_fanout.yaml")
    state = tmp_path / "state.json"
    result = apply(arch, sandbox.session(arch.region), state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR,
                   cancel=lambda: True)
    assert result.cancelled and not result.done and result.error.startswith("cancelled after 0 of ")
    assert not state.exists() and live_counts(endpoint, arch) == {k: 0 for k in expected_counts(arch)}


def test_cancelled_destroy_stops_part_way_and_a_second_destroy_finishes(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "sns_fanout.yaml")
    state, session = tmp_path / "state.json", sandbox.session(arch.region)
    made = apply(arch, session, state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR)
    assert made.ok
    everything = state_keys(state)
    cancel = CancelAfter(4)
    first = destroy(arch, session, state, cancel.progress, endpoint_url=endpoint, cancel=cancel)
    assert first.cancelled and not first.ok and not first.errors
    assert first.deleted == cancel.finished and len(first.deleted) == 4
    assert first.error.startswith(f"cancelled after 4 of {len(everything)} steps: run destroy again")
    assert cancel.events[-1].message == first.error
    # the state file lists exactly what remains, still in dependency order
    assert state_keys(state) == [k for k in everything if k not in first.deleted]
    assert live_counts(endpoint, arch) != {k: 0 for k in expected_counts(arch)}
    second = destroy(arch, session, state, endpoint_url=endpoint)
    assert second.ok and not second.cancelled and len(second.deleted) == len(everything) - 4
    assert live_counts(endpoint, arch) == {k: 0 for k in expected_counts(arch)} and not state.exists()
