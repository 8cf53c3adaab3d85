"""Which AWS limits refused or delayed work during a run, and when they first did.

A behaviour asks once, at set-up, for the recorder of a limit at a scope and keeps its
`hit` method; on the hot path reporting a refusal is one call of a list's `append`, C code
with no Python frame (as in metrics). The engine folds the recorded times into a count
and a first time with the other statistics, and the Result lists every limit that was hit
(DESIGN.md section 4: `limits`).

    refused = sim.limits.recorder("api_gateway_account_rps", "account").hit
    ...
    refused(now)          # this limit refused (or delayed) one piece of work at `now`

Limit names are those of model.quotas.LIMITS; asking for another raises at once, so a
misspelt name fails the first run instead of going unreported. Scope is "account" for a
limit shared by the account and region, else the node id it applies to.
"""

from __future__ import annotations

from model.quotas import LIMITS


class LimitRecorder:
    """One limit at one scope: how often it refused or delayed work, and when it first did."""

    __slots__ = ("limit", "scope", "first", "count", "pending", "hit")

    def __init__(self, limit: str, scope: str) -> None:
        self.limit, self.scope = limit, scope
        self.first: float | None = None
        self.count = 0
        self.pending: list[float] = []
        self.hit = self.pending.append  # record one refusal at a time: the hot path

    def fold(self) -> None:
        pending = self.pending
        if pending:
            if self.first is None:
                self.first = pending[0]  # the clock never goes back: the first is the earliest
            self.count += len(pending)
            pending.clear()

    def restart(self) -> None:
        """End of warm-up: what was recorded before it is forgotten."""
        self.pending.clear()
        self.first, self.count = None, 0


class LimitLog:
    """Every limit recorder of a run, one per (limit, scope)."""

    def __init__(self) -> None:
        self.recorders: dict[tuple[str, str], LimitRecorder] = {}

    def recorder(self, limit: str, scope: str) -> LimitRecorder:
        """The recorder of `limit` at `scope` (shared by every caller asking for the same)."""
        if limit not in LIMITS:
            raise KeyError(f"'{limit}' is not a limit of model.quotas.LIMITS (known: {', '.join(LIMITS)})")
        key = (limit, scope)
        found = self.recorders.get(key)
        if found is None:
            found = self.recorders[key] = LimitRecorder(limit, scope)
        return found

    def fold(self) -> None:
        for recorder in self.recorders.values():
            recorder.fold()

    def restart(self) -> None:
        for recorder in self.recorders.values():
            recorder.restart()

    def hits(self) -> list[tuple[str, str, float, int]]:
        """(limit, scope, first_hit_s, count) of every limit hit, earliest first."""
        self.fold()
        found = [(r.limit, r.scope, r.first, r.count) for r in self.recorders.values() if r.count]
        return sorted(found, key=lambda hit: (hit[2], hit[0], hit[1]))
