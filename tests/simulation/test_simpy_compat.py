"""The engine's reliance on SimPy internals: checked, and confined to simulation/simpy_compat.py.

If SimPy changes what the engine relies on, `test_installed_simpy_is_compatible` fails with
a message naming the SimPy version and what changed (importing simulation.simpy_compat
fails the same way, so no simulation runs on a SimPy it would get wrong).
"""

import re
from heapq import heappop
from pathlib import Path

import pytest
import simpy

from simulation.simpy_compat import SIMPY_VERSION, Environment, IncompatibleSimPy, StopSimulation, check_simpy

SIMULATION = Path(__file__).resolve().parents[2] / "simulation"
PRIVATE = re.compile(r"\._(now|queue|eid|ok|value|active_proc)\b|^\s*(import simpy|from simpy)", re.M)


def test_installed_simpy_is_compatible():
    check_simpy()  # raises IncompatibleSimPy("SimPy x.y is not compatible ...: <what changed>")


def test_call_later_runs_callbacks_at_their_time_in_order():
    env = Environment()
    seen = []
    for delay, name in ((0.5, "c"), (0.25, "a"), (0.5, "d"), (0.3, "b")):
        env.call_later(delay, lambda _e, n=name: seen.append((n, env.now)))
    env.stop_at(1.0)
    with pytest.raises(StopSimulation):
        while True:
            env.step()
    assert seen == [("a", 0.25), ("b", 0.3), ("c", 0.5), ("d", 0.5)]
    assert env.now == 1.0 and simpy.Environment.now.fget(env) == 1.0  # SimPy's own clock agrees


class NoEventIds(simpy.Environment):
    """A SimPy that renamed its event id counter."""

    def __init__(self, initial_time=0):
        super().__init__(initial_time)
        self._ids = self.__dict__.pop("_eid")


class ClockElsewhere(simpy.Environment):
    """A SimPy that keeps the time in another attribute (its own `now` disagrees with the
    engine's clock, which step_many sets)."""

    def __init__(self, initial_time=0):
        super().__init__(initial_time)
        self._time = initial_time

    @property
    def now(self):
        return self._time

    def step(self):
        self._time, _, _, event = heappop(self._queue)
        callbacks, event.callbacks = event.callbacks, None
        for callback in callbacks:
            callback(event)


class QueueIsNotAList(simpy.Environment):
    def __init__(self, initial_time=0):
        super().__init__(initial_time)
        self._queue = tuple(self._queue)


@pytest.mark.parametrize("fake, named", [
    (NoEventIds, "has no attribute '_eid'"),
    (QueueIsNotAList, "_queue is a tuple, not a list"),
    (ClockElsewhere, "SimPy's own Environment.now reads"),
])
def test_an_incompatible_simpy_fails_loudly_naming_its_version_and_what_changed(fake, named):
    with pytest.raises(IncompatibleSimPy) as failure:
        check_simpy(fake, version="9.9")
    message = str(failure.value)
    assert message.startswith("SimPy 9.9 is not compatible with Stratus's simulation engine: ")
    assert named in message and "pyproject.toml" in message


def test_the_real_check_names_the_installed_version():
    with pytest.raises(IncompatibleSimPy, match=re.escape(f"SimPy {SIMPY_VERSION} is not compatible")):
        check_simpy(NoEventIds)


def test_only_simpy_compat_touches_simpy():
    offenders = [f"{path.relative_to(SIMULATION.parent)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0).strip()}"
                 for path in sorted(SIMULATION.rglob("*.py")) if path.name != "simpy_compat.py"
                 for text in [path.read_text(encoding="utf-8")] for m in PRIVATE.finditer(text)]
    assert not offenders, "SimPy internals used outside simulation/simpy_compat.py:\n" + "\n".join(offenders)
