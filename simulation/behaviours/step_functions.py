"""Step Functions state machines: task edges run in `order`, one state transition each.

Rules (Step Functions Developer Guide):
- An execution runs its `task` edges sorted by `order`; each task state costs one state
  transition (`transition_ms` of overhead before the task) and calls its target, waiting
  for it (a Lambda task is a synchronous invocation; a failed or throttled task fails the
  execution: no Retry/Catch is modelled). A task edge's `calls` below 1 is the chance the
  state runs (a Choice around it), above 1 repeats it.
- Express workflows answer their caller when the execution ends (StartSyncExecution);
  Standard workflows answer StartExecution at once and run on. A load entering the state
  machine directly always follows executions to their end (the entry's view).
- Billing usage: executions, state transitions (one per task state run), and for Express
  executions x duration rounded up to 100 ms x memory rounded up to 64 MB (GB-s).
- Account quotas (service-quotas.html, per account and region, token buckets): every
  StartExecution takes a token of the Standard (1,300, refilled at 300/s in us-east-1,
  us-west-2 and eu-west-1; 800 and 150 elsewhere) or the Express bucket (6,000 and
  6,000/s); a refused start is retried by the caller's SDK (base.QuotaCall), API Gateway
  integrations excepted. Standard state transitions share one more bucket (5,000 and
  1,500/s; 800 and 500 elsewhere): a transition without a token waits for one, so the
  execution is delayed, not failed; Express transitions are not limited.
"""

from __future__ import annotations

import math

from .base import ERROR, OK, Behaviour, QuotaCall, TokenBucket, sampler


class Execution:
    __slots__ = ("machine", "ctx", "done", "start", "steps", "index", "epoch")

    def __init__(self, machine: "StateMachine", ctx, done, start: float, steps: list) -> None:
        self.machine, self.ctx, self.done, self.start = machine, ctx, done, start
        self.steps, self.index = steps, 0
        self.epoch = machine.sim.epoch

    def next(self, _event=None) -> None:
        machine = self.machine
        if self.index >= len(self.steps):
            machine.execution_done(self, OK)
            return
        machine.sim.after(machine.transition_wait() + machine.transition_s(), self.run_task)

    def run_task(self, _event) -> None:
        edge = self.steps[self.index]
        self.index += 1
        self.machine.usage["state_transitions"] += 1
        if edge.target.caller_waits:
            edge.target.call(self.ctx, self.task_done, edge)
        else:
            edge.target.call(self.ctx, None, edge)
            self.next()

    def task_done(self, status: int, t_end: float) -> None:
        if status == OK:
            self.next()
        else:
            self.machine.execution_done(self, ERROR)


class StateMachine(Behaviour):
    def setup(self) -> None:
        c = self.config
        self.express = c["workflow_type"] == "express"
        self.caller_waits = self.express
        self.transition_s = sampler(c["transition_ms"], self.rng, 0.001)
        self.memory_gb = math.ceil(float(c["memory_mb"]) / 64.0) * 64.0 / 1024.0
        self.tasks: list = []
        # share_account: the account's StartExecution and state transition buckets
        self.starts: TokenBucket | None = None
        self.start_refused = self.transition_delayed = None
        self.transitions: TokenBucket | None = None  # None: not limited (Express)

    @classmethod
    def share_account(cls, machines, account_setting) -> None:
        def bucket(prefix: str) -> TokenBucket:
            return TokenBucket(float(account_setting(prefix + "_rps")), float(account_setting(prefix + "_burst")))

        first = machines[0]
        standard_starts, express_starts = bucket("step_functions_start"), bucket("step_functions_express_start")
        transitions = bucket("step_functions_transition")
        for machine in machines:
            if machine.express:
                machine.starts = express_starts
                machine.start_refused = first.limit("step_functions_express_start_execution", "account")
            else:
                machine.starts = standard_starts
                machine.start_refused = first.limit("step_functions_start_execution", "account")
                machine.transitions = transitions
                machine.transition_delayed = first.limit("step_functions_state_transitions", "account")

    def transition_wait(self) -> float:
        """Seconds the next state transition waits for the account's transition quota."""
        if self.transitions is None:
            return 0.0
        now = self.env.now
        wait = self.transitions.reserve(now)
        if wait:
            self.transition_delayed(now)
        return wait

    def wired(self) -> None:
        self.tasks = sorted(self.edges("task"), key=lambda e: int(e.config.get("order", 1)))

    def call(self, ctx, done, edge) -> None:
        QuotaCall(self, self.starts, self.start_refused, self.start, ctx, done, edge).try_once()

    def start(self, ctx, done) -> None:
        """StartExecution was admitted: the execution runs."""
        now = self.env.now
        self.usage["executions"] += 1
        self.stats.concurrency.up(now)
        steps = [e for e in self.tasks for _ in range(e.repeats(self.rng))]
        Execution(self, ctx, done, now, steps).next()

    def execution_done(self, execution: Execution, status: int) -> None:
        now = self.env.now
        ms = (now - execution.start) * 1000.0
        self.stats.concurrency.down(now)
        if self.express:
            self.usage["express_gb_s"] += math.ceil(ms / 100.0 - 1e-9) * 0.1 * self.memory_gb
        if execution.epoch != self.sim.epoch:
            pass  # started before the end of warm-up: not recorded
        elif status == OK:
            self.complete(now, ms)
        else:
            self.stats.latency.add(ms)
            self.error(now)
        if execution.done is not None:
            execution.done(status, now)

    def assumptions(self) -> list[str]:
        return ["Step Functions: tasks run in `order`, each one state transition (transition_ms "
                "before it) and a synchronous call; a failed task fails the execution (no "
                "Retry/Catch); Express callers wait for the end, Standard callers only for the "
                "start; Express billed per 100 ms x memory rounded up to 64 MB.",
                "Step Functions quotas: StartExecution is a token bucket per account (Standard: "
                "step_functions_start_burst / _rps, 1,300 and 300/s in us-east-1; Express: 6,000 "
                "and 6,000/s, applied to every Express start); a refused start is retried by the "
                "caller's SDK (3 attempts, then an error), API Gateway integrations answer it at "
                "once. Standard state transitions share a bucket (5,000 and 1,500/s in us-east-1) "
                "and wait for their token in turn (the execution is delayed, not failed)."]
