"""The one place that touches SimPy's private attributes, and why.

The engine runs on SimPy's event loop (`Environment.step`, `peek`, its heap of scheduled
events), but not through SimPy's public way of scheduling work. A `Timeout` or a process
per request costs several Python frames and objects per event; the engine instead puts a
bare callback on SimPy's event queue (`Environment.call_later`), and its hot paths read the
clock millions of times per run. That is what makes it faster than the same model
written on bare SimPy (benchmarks/bench_simulation.py). It relies on these SimPy internals,
stable from SimPy 3 to 4.1 (simpy/core.py):

- `env._queue`: a heap (list) of `(time, priority, event id, event)` tuples, which `step()`
  pops in that order: by time, then priority (`URGENT` before `NORMAL`), then id (FIFO);
- `env._eid`: the iterator of event ids (an `itertools.count`);
- `env._now`: the clock, which `step()` sets to the time of the event it pops;
- `step()` calls each function in `event.callbacks` with the event, then reads `event._ok`
  (an event whose `_ok` is false crashes the run).

The engine's own entries on the heap are bare callbacks, not SimPy events: `call_later`
pushes `(time, NORMAL, id, callback)` and this module's `step()`/`step_many()` call such a
callback with None, and process SimPy's events (a Timeout, the stop) as SimPy's `step()`
does, line for line. A Wakeup event per call was a fifth of the engine's time per event.

Everything else in the engine uses public names: `env.now`, `env.step()`, `env.peek()`.
`check_simpy()` checks these internals (their presence, types and behaviour) when this
module is imported, so an incompatible SimPy stops at once with a message naming its
version and what changed, rather than simulating wrong; tests/simulation/test_simpy_compat.py
runs the same check. pyproject.toml pins the SimPy versions it was checked with.
"""

from __future__ import annotations

from heapq import heappop, heappush
from itertools import count, repeat
from types import FunctionType, MethodType
from typing import Any, Callable

import simpy

__all__ = ["Environment", "IncompatibleSimPy", "StopSimulation", "Wakeup", "check_simpy"]

SIMPY_VERSION = getattr(simpy, "__version__", "(unknown version)")
PIN_HINT = ("simulation/simpy_compat.py relies on SimPy's internals; install the SimPy version "
            "pinned in pyproject.toml")


class IncompatibleSimPy(ImportError):
    """The installed SimPy's internals differ from what the engine relies on."""


try:
    from simpy.core import EmptySchedule, StopSimulation
    from simpy.events import NORMAL, URGENT, EventPriority
except ImportError as exc:
    raise IncompatibleSimPy(f"SimPy {SIMPY_VERSION} is not compatible with Stratus's simulation "
                            f"engine: {exc} ({PIN_HINT})") from None


class Wakeup:
    """The smallest thing SimPy's event loop can process: callbacks to run at a time.
    (`step()` reads `callbacks` and `_ok`; `_ok` never changes, so it is a class attribute
    and only the callback list is set per event.)"""

    __slots__ = ("callbacks",)
    _ok = True
    _value = None

    def __init__(self, callback: Callable[[Any], None]) -> None:
        self.callbacks = [callback]


# What call_later accepts: the kinds of callable the engine schedules (a bound method or a
# function, lambdas included). step_many tells them from SimPy's events by their class.
PLAIN_CALLBACKS = frozenset({MethodType, FunctionType})


def _stop(_event) -> None:
    raise StopSimulation(None)


def _fast_environment(base: type) -> type:
    """`base` (simpy.Environment) with a clock read as fast as a plain attribute, and
    `call_later`. The clock: SimPy's `now` is a Python property over `_now` (about five
    times slower to read than an attribute); here one slot serves under both names, so
    SimPy's `step()` writes it as `_now` and the engine reads it as `now`."""

    class Environment(base):
        """simpy.Environment, plus `call_later` and `stop_at`; `now` is a plain slot."""

        __slots__ = ("_clock",)

        def call_later(self, delay_s: float, callback: Callable[[Any], None]) -> None:
            """Run callback(None) delay_s seconds from now (no process, no event: the
            callback itself is the heap entry's last item). `callback` is a function or a
            bound method (PLAIN_CALLBACKS)."""
            heappush(self._queue, (self._now + delay_s, NORMAL, next(self._eid), callback))

        def step(self) -> None:
            self.step_many(1)

        def step_many(self, events: int) -> None:
            """What `events` calls of SimPy's step() do, in one Python frame (a step() call
            per event was a twentieth of a run): a bare callback is called; a SimPy event
            is processed as SimPy's step() does, line for line."""
            queue = self._queue
            for _ in repeat(None, events):
                try:
                    self._now, _, _, event = heappop(queue)
                except IndexError:
                    raise EmptySchedule from None
                if event.__class__ in PLAIN_CALLBACKS:
                    event(None)
                    continue
                callbacks, event.callbacks = event.callbacks, None
                try:
                    for callback in callbacks:
                        callback(event)
                except StopSimulation:
                    event.callbacks = callbacks[callbacks.index(callback) + 1:]
                    self.schedule(event, EventPriority(-1))
                    raise
                if not event._ok and not hasattr(event, "_defused"):
                    exc = type(event._value)(*event._value.args)
                    exc.__cause__ = event._value
                    raise exc

        def stop_at(self, t: float) -> None:
            """Make step() raise StopSimulation at time t, before any other event at t
            (what Environment.run(until=t) does)."""
            heappush(self._queue, (t, URGENT, next(self._eid), Wakeup(_stop)))

    Environment.__qualname__ = "Environment"
    clock = Environment.__dict__["_clock"]
    Environment._now = clock
    Environment.now = clock
    return Environment


def check_simpy(base: type = simpy.Environment, version: str = SIMPY_VERSION) -> None:
    """Raise IncompatibleSimPy unless `base` has the internals described above and
    events scheduled through them fire at the right time, in the right order."""
    try:
        _check_attributes(base)
        _check_order(base)
    except IncompatibleSimPy as exc:
        raise IncompatibleSimPy(f"SimPy {version} is not compatible with Stratus's simulation "
                                f"engine: {exc} ({PIN_HINT})") from None


def _check_attributes(base: type) -> None:
    env = base()
    state = vars(env)
    for name, kind, what in (("_now", (int, float), "a number"), ("_queue", list, "a list"),
                             ("_eid", type(count()), "an itertools.count")):
        if name not in state:
            raise IncompatibleSimPy(f"{base.__name__}() has no attribute '{name}'")
        if not isinstance(state[name], kind):
            raise IncompatibleSimPy(f"{base.__name__}().{name} is a {type(state[name]).__name__}, "
                                    f"not {what}")
    if not (isinstance(URGENT, int) and isinstance(NORMAL, int) and URGENT < NORMAL):
        raise IncompatibleSimPy(f"simpy.events.URGENT ({URGENT!r}) does not come before "
                                f"NORMAL ({NORMAL!r})")
    for name in ("step", "peek"):
        if not callable(getattr(base, name, None)):
            raise IncompatibleSimPy(f"{base.__name__} has no method '{name}'")


def _check_order(base: type) -> None:
    """Callbacks run at their time, earliest first, FIFO at one time, interleaved with
    SimPy's own timeouts on the same queue; the stop comes before events at its time; and
    SimPy's own `now` agrees with the engine's clock."""
    env = _fast_environment(base)(10)
    if env.now != 10:
        raise IncompatibleSimPy("Environment(10)._now is not the initial time 10")
    seen: list[tuple[str, float]] = []

    def note(name: str) -> Callable[[Any], None]:
        return lambda _event: seen.append((name, env.now))

    env.call_later(2.0, note("b"))
    env.call_later(1.0, note("a"))
    env.call_later(2.0, note("c"))  # same time as b: after it
    env.timeout(1.5).callbacks.append(note("timeout"))
    env.stop_at(13.0)
    env.call_later(3.0, note("at the stop"))  # t = 13: the stop comes first
    try:
        for _ in range(10):
            env.step()
    except StopSimulation:
        pass
    expected = [("a", 11.0), ("timeout", 11.5), ("b", 12.0), ("c", 12.0)]
    if seen != expected:
        raise IncompatibleSimPy(f"callbacks on the event queue ran as {seen}, expected {expected} "
                                f"(step() no longer pops (time, priority, id, event) from _queue "
                                f"into _now)")
    if env.now != 13.0 or env.peek() != 13.0:
        raise IncompatibleSimPy(f"after the stop at 13.0 the clock reads {env.now} and the next "
                                f"event is at {env.peek()}")
    simpy_now = base.now.fget(env) if isinstance(base.now, property) else env.now
    if simpy_now != env.now:
        raise IncompatibleSimPy(f"SimPy's own Environment.now reads {simpy_now}, the engine's "
                                f"clock {env.now}")


check_simpy()
Environment = _fast_environment(simpy.Environment)
