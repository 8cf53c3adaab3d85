"""Issue 14, part A: the AWS queue, stream and timeout semantics that decide a load what-if.

Each test works its expected number out by hand, here, from AWS's documented rules
(arithmetic or queueing theory), and states its tolerance and why. Most designs are
deterministic (constant arrivals, fixed handler times, no cold starts): one run is then the
answer, and the tolerance only covers the discreteness of the model (whole pollers, whole
seconds of handler time). Tests with random draws use replications and a 95% confidence
interval, as test_theory does.
"""

import math

import pytest

from simulation.engine import simulate

from .designs import confidence_interval, design, function

SECOND = {"dist": "fixed", "value": 1000}


def series(result, node_id, name):
    return result.timeseries.nodes[node_id][name]


def last_busy_second(result, node_id) -> int:
    """The start of the last 1 s bucket in which the node completed anything."""
    values = series(result, node_id, "throughput")
    return max(i for i, v in enumerate(values) if v > 0)


# -- 1. SQS pollers keep scaling while a backlog drains ------------------------------------
#
# services-sqs-scaling.html: the mapping starts with 5 concurrent batches and, while
# messages are still available, adds up to 300 per minute (5 per second), up to 1,000.
# With batch_size 1 and a 1 s handler each batch in flight is one message per second, so
# concurrency at time t under a standing backlog is L(t) = 5 + 5t and the messages done by
# T are the integral 5T + 2.5T^2.


def burst_trace(tmp_path, per_second: int, seconds: int) -> str:
    rows = "".join(f"{s},{per_second}\n" for s in range(seconds))
    (tmp_path / "burst.csv").write_text("second,count\n" + rows)
    return "burst.csv"


def test_sqs_pollers_keep_scaling_while_a_burst_drains(tmp_path):
    # 2 s of 10,000 msg/s: N = 20,000 messages. 5T + 2.5T^2 = N gives
    # T = (-5 + sqrt(25 + 10 N)) / 5 = 88.4 s.
    n = 20_000
    drain_s = (-5 + math.sqrt(25 + 10 * n)) / 5
    arch = design({"q": ("sqs", {"latency_ms": 0}),
                   "fn": function(duration_ms=SECOND, timeout_s=10)},
                  edges=[("q", "fn", {"batch_size": 1})],
                  loads=[("q", "trace", {"file": burst_trace(tmp_path, 10_000, 2)})],
                  duration_s=300, account_limit=3000)
    result = simulate(arch, base_dir=str(tmp_path))
    assert result.nodes["q"].completed == n
    # Tolerance 2 s: a poller is whole (the limit's integer part, up to 0.2 s late), each
    # new poller's first message ends 1 s after it starts, and the bucket is 1 s wide.
    assert abs(last_busy_second(result, "fn") - drain_s) <= 2.0, (last_busy_second(result, "fn"), drain_s)
    # the pollers ended at about 5 + 5T = 447 concurrent batches (whole pollers: -1)
    assert abs(result.nodes["fn"].max_concurrency - (5 + 5 * drain_s)) <= 10


def overload(duration_s: float):
    """1,000 msg/s into a queue whose 1 s consumer can only keep up at 1,000 pollers."""
    return design({"q": ("sqs", {"latency_ms": 0}),
                   "fn": function(duration_ms=SECOND, timeout_s=10)},
                  edges=[("q", "fn", {"batch_size": 1})],
                  loads=[("q", "constant", {"rate_rps": 1000})],
                  duration_s=duration_s, account_limit=3000)


def check_concurrency_ramp(result, times):
    concurrency = series(result, "fn", "concurrency")
    for t in times:
        # the 1 s bucket starting at t averages L over [t, t + 1): 5 + 5 (t + 0.5), at most
        # the 1,000 batches a mapping runs at once. Tolerance 3: whole pollers (-1) and the
        # bucket's average.
        expected = min(5 + 5 * (t + 0.5), 1000)
        assert abs(concurrency[t] - expected) <= 3, (t, concurrency[t], expected)


def test_sqs_pollers_scale_300_per_minute_under_steady_overload():
    # L(60) = 305, L(120) = 605 (AWS); today's engine read 266 and 461.
    check_concurrency_ramp(simulate(overload(125)), (60, 120))


@pytest.mark.slow
def test_sqs_pollers_stop_at_1000_concurrent_batches():
    # L(180) = 905; L reaches the 1,000 cap at t = 199 s, so L(220) = 1,000 (the issue's
    # 1,105 used the older 1,250 cap; services-sqs-scaling.html now says 1,000).
    check_concurrency_ramp(simulate(overload(225)), (60, 120, 180, 220))


# -- 6. SQS pollers outrun reserved concurrency --------------------------------------------
#
# Event source mappings do not account for reserved concurrency (knowledge-center
# lambda-sqs-scaling): the 5 first pollers receive 5 batches, the function runs 2 and
# throttles 3. A throttled batch is retried by its poller (here after 1, 2, 4 s: at +1, +3,
# +7 s) until its visibility timeout ends, then its messages reappear, with one more
# receive counted (services-sqs-errorhandling.html); the mapping does not scale up while
# it is being throttled.


def reserved_below_pollers(edge: dict):
    # 10 msg/s, batch 1; the function (reserved 2, 1 s, no cold start) does 2 msg/s.
    # visibility 10 s, max_receive_count 1: a message throttled for a whole visibility
    # timeout goes to the dead-letter queue.
    return design({"q": ("sqs", {"latency_ms": 0, "visibility_timeout_s": 10, "max_receive_count": 1}),
                   "dlq": ("sqs", {}),
                   "fn": function(duration_ms=SECOND, timeout_s=5, reserved_concurrency=2)},
                  edges=[("q", "fn", {"batch_size": 1, **edge}), ("q", "dlq", {})],
                  loads=[("q", "constant", {"rate_rps": 10})], duration_s=60)


def test_sqs_batches_throttled_by_reserved_concurrency_reach_the_dead_letter_queue():
    result = simulate(reserved_below_pollers({}))
    fn, q, dlq = result.nodes["fn"], result.nodes["q"], result.nodes["dlq"]
    # Pollers A, B take the messages of t = 0, 0.1 and, as each ends, the next waiting one:
    # they finish at 1.0, 1.1, 2.0, 2.1, ..., 59.0, 59.1 (the run stops at 60): 2 x 59.
    assert fn.completed == 2 * 59 and q.completed == 2 * 59
    # Pollers C, D, E receive at 0.2, 0.3, 0.4 and are throttled (retries at x.2 .. x.4
    # always find A and B running); they let go at 10.2 .. 10.4, the messages go to the
    # DLQ, and they receive again: batches received at 0, 10, .., 50 s (+0.2 .. 0.4):
    # 6 x 3 = 18, each tried 4 times (0, +1, +3, +7 s, all before 60 s) = 72 throttles;
    # those received by 40.4 s gave up by 50.4 s: 5 x 3 = 15 dead-lettered.
    assert fn.throttled == 18 * 4
    assert dlq.requests == 15 and q.errors == 15


def test_max_concurrency_keeps_sqs_within_reserved_concurrency():
    # The fix AWS offers: the edge's max_concurrency = the reserved concurrency.
    result = simulate(reserved_below_pollers({"max_concurrency": 2}))
    fn, q, dlq = result.nodes["fn"], result.nodes["q"], result.nodes["dlq"]
    assert fn.throttled == 0 and dlq.requests == 0 and q.errors == 0
    assert fn.completed == 2 * 59
    # the rest waits: 600 sent, 118 done, 2 in flight -> 480 waiting at the end (+-2:
    # whether the arrival at the last instant counts)
    assert abs(q.max_backlog - (600 - 118 - 2)) <= 2


# -- 3. A Lambda timeout cuts off a synchronous downstream call ----------------------------
#
# lambda timeout_s: the invocation is stopped at its timeout whatever it is doing; the
# caller's environment is freed and the error returned then. The function it was waiting
# for runs on (and is billed): nothing tells it its caller has gone.


def test_a_timeout_cuts_off_a_synchronous_call():
    rate, duration, overhead_ms = 10, 60.0, 5
    arch = design({"api": ("api_gateway", {"overhead_ms": overhead_ms}),
                   "caller": function(duration_ms=0, timeout_s=3),
                   "callee": function(duration_ms={"dist": "fixed", "value": 10_000}, timeout_s=15)},
                  edges=[("api", "caller", {}), ("caller", "callee", {"mode": "sync"})],
                  loads=[("api", "constant", {"rate_rps": rate})], duration_s=duration)
    result = simulate(arch)
    api, caller, callee = result.nodes["api"], result.nodes["caller"], result.nodes["callee"]
    # every request fails at the caller's timeout: 5 ms + 3,000 ms after it reached the API
    assert api.completed == 0 and api.latency_ms.max == pytest.approx(overhead_ms + 3000)
    assert result.entries["api"].failed == api.errors
    # request k arrives at k/10 s and holds the caller over [k/10 + 0.005, k/10 + 3.005],
    # cut at the end of the run: the time average is sum(min(3, 60 - t)) / 60 = 29.26
    # (Little's law: 10/s x 3 s = 30, less the last 3 s); before: 92.6 (held for 10 s).
    starts = [k / rate + overhead_ms / 1000 for k in range(int(rate * duration))]
    expected = sum(min(3.0, duration - t) for t in starts) / duration
    assert caller.mean_concurrency == pytest.approx(expected, abs=0.05)
    # the callee runs its 10 s regardless: those started by 50 s ended, and were billed
    done = sum(1 for t in starts if t + 10 < duration)
    assert callee.completed == done and callee.errors == 0
    assert result.usage["callee"]["duration_gb_s"] == pytest.approx(done * 10 * 128 / 1024)
    # the caller is billed 3 s per cut-off invocation
    assert caller.errors == sum(1 for t in starts if t + 3 < duration)
    assert result.usage["caller"]["duration_gb_s"] == pytest.approx(caller.errors * 3 * 128 / 1024)


# -- 2. FIFO queues: one batch in flight per message group ---------------------------------
#
# services-sqs-scaling.html / FIFO delivery logic: SQS hands out no message of a group
# while an earlier one of it is in flight, so a group is processed one batch at a time,
# in order, and a mapping's concurrency is at most the number of active groups.


def fifo(groups: int, **queue):
    # 10 msg/s, batch 1, a 1 s handler: each group can do 1 msg/s
    return design({"q": ("sqs", {"fifo": True, "message_groups": groups, "latency_ms": 0, **queue}),
                   "fn": function(duration_ms=SECOND, timeout_s=10)},
                  edges=[("q", "fn", {"batch_size": 1})],
                  loads=[("q", "constant", {"rate_rps": 10})], duration_s=60)


def test_fifo_one_group_is_processed_one_batch_at_a_time():
    result = simulate(fifo(1))
    # m0 at t=0 ends at 1.0, then the next at 2.0, ...: completions at 1, 2, ..., 59 (the
    # run stops at 60): 59, at concurrency 1. Before: 585 (a FIFO queue as a standard one).
    assert result.nodes["fn"].completed == 59
    assert result.nodes["fn"].max_concurrency == 1
    # and the others wait their turn: 600 sent - 59 done - 1 in flight = 540 (+-1: the
    # arrival at the last instant)
    assert abs(result.nodes["q"].max_backlog - 540) <= 1


def test_fifo_groups_bound_the_concurrency():
    # 4 groups drawn at random per message (2.5 msg/s each, more than the 1 msg/s a group
    # can do): each group is busy from its first message to the end, 58 or 59 completions
    # (59 if its first message came in the first second), at most 4 at once.
    result = simulate(fifo(4))
    assert 4 * 58 <= result.nodes["fn"].completed <= 4 * 59
    assert result.nodes["fn"].max_concurrency == 4


def test_fifo_failed_batch_blocks_its_group_until_it_is_dead_lettered():
    # One group, handler always fails, visibility 5 s, max_receive_count 2, DLQ: the group's
    # head message is received at 0, back at 5, received again, back at 10 -> DLQ; only
    # then may the next message of the group go: one message dead-lettered per 10 s, and
    # nothing else of the group runs meanwhile (6 in 60 s; the 6th at 60 is not counted).
    arch = design({"q": ("sqs", {"fifo": True, "latency_ms": 0, "visibility_timeout_s": 5,
                                 "max_receive_count": 2}),
                   "dlq": ("sqs", {"fifo": True}),
                   "fn": function(duration_ms=10, timeout_s=5, error_rate=1.0)},
                  edges=[("q", "fn", {"batch_size": 1}), ("q", "dlq", {})],
                  loads=[("q", "constant", {"rate_rps": 10})], duration_s=60)
    result = simulate(arch)
    assert result.nodes["dlq"].requests == 5
    assert result.nodes["fn"].requests == 2 * 6  # two receives per message, 6 heads


def test_fifo_messages_from_an_eventbridge_rule_share_one_group():
    # EventBridge writes one constant MessageGroupId (as exported), so 8 groups on the
    # queue change nothing: as one group, 59 done at concurrency 1 (delivery latency 0).
    arch = design({"bus": ("eventbridge", {"latency_ms": 0}),
                   "q": ("sqs", {"fifo": True, "message_groups": 8, "latency_ms": 0}),
                   "fn": function(duration_ms=SECOND, timeout_s=10)},
                  edges=[("bus", "q", {}), ("q", "fn", {"batch_size": 1})],
                  loads=[("bus", "constant", {"rate_rps": 10})], duration_s=60)
    result = simulate(arch)
    assert result.nodes["fn"].completed == 59 and result.nodes["fn"].max_concurrency == 1


# -- 5. Streams: a failing batch blocks its shard until its records expire -----------------
#
# kinesis-on-failure-destination.html / API_CreateEventSourceMapping: MaximumRetryAttempts
# and MaximumRecordAgeInSeconds default to -1 (retry until the records expire: 24 h here),
# throttles are retried without counting, BisectBatchOnFunctionError splits a failing
# batch in two (not counted as a retry), and each discarded batch goes to the on-failure
# destination (here: the function's on_failure edge). A failed batch is retried 1 s after
# its failure.

FAILING = {"duration_ms": 100, "timeout_s": 3, "error_rate": 1.0}


def failing_stream(edge: dict, rate=1.0, duration_s=300.0, load=None, **fn):
    return design({"ks": ("kinesis", {"shards": 1, "latency_ms": 0}),
                   "fn": function(**{**FAILING, **fn}),
                   "dlq": ("sqs", {})},
                  edges=[("ks", "fn", edge), ("fn", "dlq", {}, "on_failure")],
                  loads=[load or ("ks", "constant", {"rate_rps": rate})], duration_s=duration_s)


def test_stream_retries_a_failing_batch_until_its_records_expire():
    result = simulate(failing_stream({"batch_size": 10}))
    # The first batch (the record of t=0, alone) is tried every 1.1 s (0.1 s handler + 1 s):
    # at 0, 1.1, ..., 1.1 x 272 = 299.2 s: 273 tries, all failing, the shard blocked behind
    # it. Before: skipped after 10 retries, the shard moving on.
    fn, ks = result.nodes["fn"], result.nodes["ks"]
    assert fn.requests == 273 and fn.errors == 273
    # The oldest record never read is t = 1 s: 299 s old at the end.
    assert ks.max_iterator_age_ms == pytest.approx(299_000)
    assert result.nodes["dlq"].requests == 0  # nothing expired in 300 s (24 h retention)


def test_stream_max_record_age_discards_to_the_on_failure_destination():
    result = simulate(failing_stream({"batch_size": 1, "max_record_age_s": 60}))
    # The record of t = k is given up at a failure f where the next try (f + 1) would find
    # it 60 s old: f >= k + 59, and tries are 1.1 s apart, so f is in [k + 59, k + 60.1]
    # (or it is read already 60 s old and dropped at k + 60). By 300 s: k = 0..239 surely,
    # k = 240 perhaps: 240 or 241 destination messages, one per (single-record) batch.
    dlq = result.nodes["dlq"].requests
    assert 240 <= dlq <= 241, dlq
    assert result.nodes["ks"].errors == dlq  # each discarded record's put turned into an error
    assert result.nodes["ks"].max_iterator_age_ms <= 61_000


def test_stream_max_retry_attempts_and_bisect_on_error(tmp_path):
    # 8 records in the first second (trace), gathered in one batch by a 1 s window; the
    # function always fails; no retries.
    (tmp_path / "eight.csv").write_text("second,count\n0,8\n")
    trace = ("ks", "trace", {"file": "eight.csv"})
    edge = {"batch_size": 8, "batch_window_s": 1, "max_retry_attempts": 0}
    whole = simulate(failing_stream(edge, load=trace, duration_s=30), base_dir=str(tmp_path))
    # one try, then the batch of 8 is discarded: one destination message, 8 errors
    assert whole.nodes["fn"].requests == 1 and whole.nodes["dlq"].requests == 1
    assert whole.nodes["ks"].errors == 8
    split = simulate(failing_stream({**edge, "bisect_on_error": True}, load=trace, duration_s=30),
                     base_dir=str(tmp_path))
    # bisecting 8 -> 4+4 -> 2+2+2+2 -> eight single records: 1 + 2 + 4 + 8 = 15 tries,
    # each single record discarded on its own: 8 destination messages
    assert split.nodes["fn"].requests == 2 * 8 - 1 and split.nodes["dlq"].requests == 8
    assert split.nodes["ks"].errors == 8


# -- 7. Smaller ones -------------------------------------------------------------------------


def test_rest_api_integration_timeout_is_the_exported_29_s():
    # The exporters write at most 29 s for a REST API (limits.html); the simulator agrees:
    # a 40 s backend behind timeout_ms 60,000 is a 504 29,000 ms after the API took the
    # request (before: 20 of them succeeded after 40 s, under the 60 s the design asked for).
    arch = design({"api": ("api_gateway", {"overhead_ms": 5, "timeout_ms": 60_000}),
                   "fn": function(duration_ms={"dist": "fixed", "value": 40_000}, timeout_s=60)},
                  edges=[("api", "fn", {})], loads=[("api", "constant", {"rate_rps": 1})], duration_s=60)
    api = simulate(arch).nodes["api"]
    assert api.completed == 0 and api.latency_ms.max == pytest.approx(29_000)


def table_reads(consistency: str | None):
    # 100 GetItem/s of 6 KB items for 100 s: ceil(6 / 4) = 2 units for a strongly
    # consistent read, half that for an eventually consistent one (the default).
    edge = {"action": "read", **({"consistency": consistency} if consistency else {})}
    return design({"fn": function(duration_ms=1), "t": ("dynamodb", {"item_kb": 6, "latency_ms": 1})},
                  edges=[("fn", "t", edge)], loads=[("fn", "constant", {"rate_rps": 100})], duration_s=100)


def test_dynamodb_reads_are_eventually_consistent_by_default_at_half_a_unit():
    reads = 100 * 100 - 1  # the last call may still be in flight at the end (1 ms)
    eventual, strong = simulate(table_reads(None)), simulate(table_reads("strong"))
    assert eventual.usage["t"]["read_units"] == pytest.approx(reads * 1.0, abs=1)
    assert strong.usage["t"]["read_units"] == pytest.approx(reads * 2.0, abs=2)
    # on-demand reads are priced per unit: the eventual bill is half the strong one
    assert eventual.cost.by_node["t"] == pytest.approx(strong.cost.by_node["t"] / 2, rel=1e-3)


def test_dynamodb_eventually_consistent_reads_take_half_the_provisioned_capacity():
    # 150 reads/s of 4 KB against 100 RCU: strong reads need 150 units/s (throttled once
    # the 300 s burst of 30,000 is spent: after 30,000 / 50 = 600 s); eventual ones 75/s.
    def run(consistency):
        arch = design({"fn": function(duration_ms=1),
                       "t": ("dynamodb", {"billing_mode": "provisioned", "read_capacity": 100, "item_kb": 4})},
                      edges=[("fn", "t", {"action": "read", "consistency": consistency})],
                      loads=[("fn", "constant", {"rate_rps": 150})], duration_s=700)
        return simulate(arch).nodes["t"].throttled
    assert run("eventual") == 0 and run("strong") > 0


def test_per_record_ms_makes_a_batch_take_longer_with_its_size():
    # 20 msg/s into a queue, batch_size 10 with a 1 s window: batches of 10, one every
    # 0.5 s. Handler 100 ms + 50 ms per record = 600 ms per batch, so the function's mean
    # concurrency is 2/s x 0.6 s = 1.2 (Little), less the first second's window:
    # 1.2 x (60 - 1) / 60. Before: 100 ms per batch whatever its size.
    arch = design({"q": ("sqs", {"latency_ms": 0}),
                   "fn": function(duration_ms=100, per_record_ms=50)},
                  edges=[("q", "fn", {"batch_size": 10, "batch_window_s": 1})],
                  loads=[("q", "constant", {"rate_rps": 20})], duration_s=60)
    fn = simulate(arch).nodes["fn"]
    assert fn.latency_ms.max == pytest.approx(100 + 50 * 10)
    assert fn.mean_concurrency == pytest.approx(1.2 * 59 / 60, abs=0.02)


def test_function_per_record_ms_applies_to_stream_batches():
    # 800 rec/s on one shard, read again as soon as a batch ends: a batch of n takes
    # 10 + 2n ms, during which 800 x (0.010 + 0.002 n) = 8 + 1.6 n > n records arrive, so
    # batches grow to the batch_size of 100: 10 + 2 x 100 = 210 ms each.
    arch = design({"ks": ("kinesis", {"shards": 1, "latency_ms": 0}),
                   "fn": function(duration_ms=10, per_record_ms=2)},
                  edges=[("ks", "fn", {"batch_size": 100})],
                  loads=[("ks", "constant", {"rate_rps": 800})], duration_s=30)
    assert simulate(arch).nodes["fn"].latency_ms.max == pytest.approx(10 + 2 * 100)


def test_mapping_per_record_ms_overrides_the_function_s():
    # One function fed by two queues whose records cost differently: 10 msg/s each, one
    # message per batch (batch_size 1). The function sets 50 ms per record, the second
    # mapping 500 ms. Invocations from the first take 100 + 50 = 150 ms, from the second
    # 100 + 500 = 600 ms; with 600 of each in 60 s the mean latency is (150 + 600) / 2.
    arch = design({"cheap": ("sqs", {"latency_ms": 0}), "dear": ("sqs", {"latency_ms": 0}),
                   "fn": function(duration_ms=100, per_record_ms=50)},
                  edges=[("cheap", "fn", {"batch_size": 1}),
                         ("dear", "fn", {"batch_size": 1, "per_record_ms": 500})],
                  loads=[("cheap", "constant", {"rate_rps": 10}), ("dear", "constant", {"rate_rps": 10})],
                  duration_s=60)
    fn = simulate(arch).nodes["fn"]
    assert fn.latency_ms.max == pytest.approx(600)
    assert fn.latency_ms.mean == pytest.approx((150 + 600) / 2, rel=0.02)


def sync_invoke_under_throttle(tmp_path, callee_ms: float, second_at: float):
    # two requests (t = 0 and t = second_at) to a caller that invokes, synchronously, a
    # callee with reserved concurrency 1
    (tmp_path / "two.csv").write_text(f"time_s\n0\n{second_at}\n")
    arch = design({"caller": function(duration_ms=0, timeout_s=30),
                   "callee": function(duration_ms={"dist": "fixed", "value": callee_ms},
                                      reserved_concurrency=1, timeout_s=30)},
                  edges=[("caller", "callee", {"mode": "sync"})],
                  loads=[("caller", "trace", {"file": "two.csv"})], duration_s=30)
    return simulate(arch, base_dir=str(tmp_path))


def test_lambda_to_lambda_sync_throttles_are_retried_by_the_sdk(tmp_path):
    # SDK standard retry mode: 3 attempts, backoff random(0, 1) x 2^(n-1) s. The callee is
    # busy for 10 s, so the second request's 3 attempts (by t = 1 + 1 + 2 = 4 s) are all
    # throttled, then it fails. Before: 1 attempt.
    busy = sync_invoke_under_throttle(tmp_path, 10_000, 1.0)
    assert busy.nodes["callee"].throttled == 3 and busy.entries["caller"].failed == 1
    # The callee is free after 0.2 s; the second request comes at 0.1: its retry after
    # U(0, 1) s finds it busy with probability 0.1 and the third attempt after U(0, 2) more
    # fails too with probability P(U1 + 2 U2 < 0.1) = 0.0025: it succeeds (this seed does).
    # Before: it failed on its first throttle.
    free = sync_invoke_under_throttle(tmp_path, 200, 0.1)
    assert free.entries["caller"].succeeded == 2 and 1 <= free.nodes["callee"].throttled <= 2


# -- Against queueing theory, over replications (as test_theory) ---------------------------

REPLICATIONS = 10
SEEDS = range(301, 301 + REPLICATIONS)


def within(values, theory, allowance):
    mean, half = confidence_interval(values)
    assert abs(mean - theory) <= half + allowance, (mean, half, theory)


@pytest.mark.slow
def test_fifo_groups_are_m_m_1_queues():
    # Poisson 8 msg/s over 4 groups (2/s each), exponential 250 ms handler, batch 1: each
    # group is an M/M/1 queue (one batch in flight), rho = 0.5, mean wait in queue
    # Wq = rho / (mu - lambda) = 0.5 / (4 - 2) s = 250 ms. (A standard queue with 5
    # pollers would be M/M/5 at 2 erlangs: Wq ~ 13 ms.) Allowance 5 ms for the finite run.
    arch = design({"q": ("sqs", {"fifo": True, "message_groups": 4, "latency_ms": 0}),
                   "fn": function(duration_ms={"dist": "exponential", "mean": 250})},
                  edges=[("q", "fn", {"batch_size": 1})],
                  loads=[("q", "poisson", {"rate_rps": 8})], duration_s=1000, warmup_s=20)
    waits = [simulate(arch, seed=seed).nodes["q"].latency_ms.mean for seed in SEEDS]
    within(waits, 0.5 / (4 - 2) * 1000, 5.0)


@pytest.mark.slow
def test_timeout_cut_off_concurrency_by_littles_law():
    # Poisson 20/s into a caller (3 s timeout) waiting on a callee of exponential 5 s: the
    # caller is held min(X, 3) s, E[min(X, 3)] = 5 (1 - exp(-3/5)) = 2.256 s, so its mean
    # concurrency is 20 x 2.256 = 45.1 (Little); the callee's 20 x 5 = 100. Allowance 0.3
    # for the empty start (the first 3 s of 600 s: 45 x 1.5 / 600 = 0.11).
    arch = design({"caller": function(duration_ms=0, timeout_s=3),
                   "callee": function(duration_ms={"dist": "exponential", "mean": 5000}, timeout_s=900)},
                  edges=[("caller", "callee", {"mode": "sync"})],
                  loads=[("caller", "poisson", {"rate_rps": 20})], duration_s=600)
    values = [simulate(arch, seed=seed).nodes["caller"].mean_concurrency for seed in SEEDS]
    within(values, 20 * 5 * (1 - math.exp(-3 / 5)), 0.3)
