"""Sweeps: t quantiles, intervals that narrow with replications, variations applied to copies,
identical results serially / in a local process pool / on a real Dask LocalCluster, failing
replications reported while the others finish, cancellation and progress."""

from __future__ import annotations

import json
import math

import pytest

from model.designfile import loads_design
from model.errors import StratusError
from simulation.confidence import estimate, t_cdf, t_quantile
from simulation.engine import Cancelled, simulate
from simulation.executors import local_executor
from simulation.sweep import flatten_metrics, plan_runs, replicate, replication_seed, run_sweep
from simulation.targets import TargetError, coerce_value, split_vary

DESIGN = """\
stratus: 1
name: Sweep test
nodes:
  - id: api
    service: api_gateway
    config: {api_type: http}
  - id: fn
    service: lambda
    config: {memory_mb: 256, duration_ms: {dist: lognormal, p50: 40, p99: 160}, idle_timeout_s: 5}
  - id: table
    service: dynamodb
edges:
  - {from: api, to: fn}
  - {from: fn, to: table, action: write}
scenarios:
  - name: base
    duration_s: 20
    seed: 11
    load:
      - {entry: api, pattern: poisson, rate_rps: 40}
"""

TRACE_DESIGN = """\
stratus: 1
name: Trace test
nodes:
  - id: fn
    service: lambda
    config: {memory_mb: 256, duration_ms: 20}
scenarios:
  - name: replay
    duration_s: 10
    seed: 5
    load:
      - {entry: fn, pattern: trace, file: good.csv}
"""


@pytest.fixture
def arch():
    return loads_design(DESIGN)


@pytest.fixture
def trace_design(tmp_path):
    (tmp_path / "good.csv").write_text("time_s\n" + "".join(f"{i * 0.05:.2f}\n" for i in range(150)))
    # Exists (so validation passes) but cannot be read: simulate() raises inside the worker.
    (tmp_path / "bad.csv").write_text("time_s\n0.1\n0.2\nsoon\n")
    (tmp_path / "design.yaml").write_text(TRACE_DESIGN)
    return loads_design(TRACE_DESIGN), str(tmp_path)


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None, silence_logs=40)
    try:
        yield cluster
    finally:
        cluster.close()


# -- statistics --------------------------------------------------------------------------


@pytest.mark.parametrize("df, expected", [(1, 12.706), (2, 4.303), (5, 2.571), (10, 2.228), (30, 2.042)])
def test_t_quantile_matches_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=5e-4)


def test_t_quantile_properties():
    assert t_quantile(0.5, 7) == 0.0
    assert t_quantile(0.025, 4) == pytest.approx(-t_quantile(0.975, 4))
    assert t_quantile(0.975, 10**6) == pytest.approx(1.959964, abs=1e-5)  # the normal limit
    assert t_quantile(0.995, 3) == pytest.approx(5.841, abs=5e-4)
    assert t_cdf(t_quantile(0.9, 6), 6) == pytest.approx(0.9, abs=1e-10)
    assert t_cdf(1.0, 1) == pytest.approx(0.75)  # Cauchy: 1/2 + atan(1)/pi
    with pytest.raises(ValueError):
        t_quantile(1.0, 3)


def test_estimate_by_hand():
    values = [10.0, 12.0, 14.0, 16.0]
    e = estimate(values)
    s = math.sqrt(sum((v - 13.0) ** 2 for v in values) / 3)
    assert e.mean == 13.0 and e.n == 4
    assert e.half_width == pytest.approx(3.182446 * s / 2.0, rel=1e-6)
    one = estimate([7.5])
    assert (one.low, one.mean, one.high) == (7.5, 7.5, 7.5)
    assert estimate([3.0, 3.0, 3.0]).to_json() == {"mean": 3.0, "ci95": [3.0, 3.0]}


def test_intervals_narrow_as_replications_grow(arch):
    few = run_sweep(arch, None, {"fn.memory_mb": [512]}, replications=4).runs[0].metrics
    many = run_sweep(arch, None, {"fn.memory_mb": [512]}, replications=16).runs[0].metrics
    # Expected ratio of half-widths: t(3)/t(15) * sqrt(16/4) ~ 3.0, give or take the spread.
    for name in ("entries.api.requests", "cost.monthly_usd", "entries.api.latency_ms.mean"):
        assert few[name].half_width > 0
        ratio = few[name].half_width / many[name].half_width
        assert 1.5 < ratio < 8, (name, ratio)
        assert many[name].low <= many[name].mean <= many[name].high


# -- variations --------------------------------------------------------------------------


def test_split_vary_syntax():
    assert split_vary("fn.memory_mb=256, 512") == ("fn.memory_mb", ["256", "512"])
    for bad in ("fn.memory_mb", "memory_mb=1", "fn.memory_mb=", "fn.memory_mb=1,,2", "=1", "fn..x=1"):
        with pytest.raises(ValueError):
            split_vary(bad)


def test_values_take_the_field_kind(arch):
    runs = plan_runs(arch, arch.scenarios[0], {"fn.memory_mb": ["1024"], "fn.reserved_concurrency": ["null", "20"],
                                               "fn.duration_ms": ["15"], "api.api_type": ["rest"],
                                               "load.0.rate_rps": ["12.5"], "account.concurrency_limit": ["900"]})
    assert [r.params_dict["fn.reserved_concurrency"] for r in runs] == [None, 20]
    params = runs[1].params_dict
    assert params["fn.memory_mb"] == 1024 and isinstance(params["fn.memory_mb"], int)
    assert params["load.0.rate_rps"] == 12.5 and params["api.api_type"] == "rest"
    scenario, design = runs[1].scenario, runs[1].design
    assert scenario.overrides["fn"] == {"memory_mb": 1024, "reserved_concurrency": 20, "duration_ms": 15}
    assert scenario.overrides["api"] == {"api_type": "rest"}
    assert scenario.load[0].params["rate_rps"] == 12.5 and design.account["concurrency_limit"] == 900
    from model.catalogue import SERVICES

    assert coerce_value(SERVICES["lambda"].field("memory_mb"), "1.5") == 1.5  # refused later by field_problem


@pytest.mark.parametrize("variations, message", [
    ({"nope.memory_mb": [1]}, "no node 'nope'"),
    ({"fn.memroy_mb": [1]}, "no field 'memroy_mb'"),
    ({"fn.memory_mb": ["64"]}, "out of range"),
    ({"fn.memory_mb": ["lots"]}, "whole number"),
    ({"api.api_type": ["soap"]}, "must be one of"),
    ({"load.api.rate_rps": ["0"]}, "greater than 0"),
    ({"load.fn.rate_rps": ["5"]}, "no load"),
    ({"load.2.rate_rps": ["5"]}, "numbered from 0"),
    ({"load.api.mean_rps": ["5"]}, "no parameter 'mean_rps'"),
    ({"account.limit": ["5"]}, "no account field"),
    ({"account.concurrency_limit": ["50"]}, "account.concurrency_limit=50 is not a valid design"),
])
def test_bad_variations_are_named_before_anything_runs(arch, variations, message):
    with pytest.raises(StratusError, match=message) as failure:
        run_sweep(arch, None, variations, replications=1)
    key = next(iter(variations))
    assert str(failure.value).startswith(key) or "is not a valid design" in str(failure.value)
    assert "--" not in str(failure.value)  # the simulation names targets, not command-line options


def test_the_command_line_names_its_option_in_target_errors(tmp_path, capsys):
    from cli import run as cli_run

    path = tmp_path / "design.yaml"
    path.write_text(DESIGN)
    with pytest.raises(TargetError, match=r"^fn.memroy_mb: .*has no field 'memroy_mb'"):
        plan_runs(loads_design(DESIGN), loads_design(DESIGN).scenarios[0], {"fn.memroy_mb": [1]})
    assert cli_run(["sweep", str(path), "--vary", "fn.memroy_mb=1", "--replications", "1"]) == 1
    assert "--vary fn.memroy_mb: " in capsys.readouterr().err


def test_the_callers_design_is_untouched_and_params_take_effect(arch):
    before = arch.copy()
    result = run_sweep(arch, None, {"fn.memory_mb": [128, 2048], "load.api.rate_rps": [10, 50]}, replications=2)
    assert arch == before
    by = {tuple(sorted(r.params.items())): r.metrics for r in result.runs}
    small, big = by[(("fn.memory_mb", 128), ("load.api.rate_rps", 50))], by[(("fn.memory_mb", 2048), ("load.api.rate_rps", 50))]
    # More memory, faster handler (the engine rescales handler time from the design's 256 MB).
    assert big["nodes.fn.latency_ms.p50"].mean < small["nodes.fn.latency_ms.p50"].mean
    slow = by[(("fn.memory_mb", 128), ("load.api.rate_rps", 10))]
    assert small["entries.api.requests"].mean > 3 * slow["entries.api.requests"].mean


def test_first_replication_is_the_scenario_seed_and_common_to_every_run(arch):
    result = run_sweep(arch, None, {"fn.memory_mb": [256, 512]}, replications=3)
    assert all(run.seeds == result.runs[0].seeds for run in result.runs)
    assert result.runs[0].seeds[0] == 11 and len(set(result.runs[0].seeds)) == 3
    assert replication_seed(11, 2) == result.runs[0].seeds[2] < 2**63
    # A one-replication sweep of a run reproduces `simulate` with the same override.
    single = run_sweep(arch, None, {"fn.memory_mb": [512]}, replications=1).runs[0].metrics
    scenario = arch.scenarios[0]
    scenario.overrides = {"fn": {"memory_mb": 512}}
    direct = flatten_metrics(simulate(arch, scenario).to_json())
    assert {k: e.mean for k, e in single.items()} == direct


def test_sweep_runs_record_no_request_journeys(arch, monkeypatch):
    # journeys cost time and nobody looks at a sweep's: serially and in a worker alike
    seen = []
    real = simulate

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        seen.append(result.traces)
        return result

    monkeypatch.setattr("simulation.sweep.simulate", spy)
    run_sweep(arch, None, {"fn.memory_mb": [256]}, replications=2)
    replicate(arch, arch.scenarios[0], 11, None, None, False)
    assert len(seen) == 3 and seen == [(), (), ()]
    assert simulate(arch).traces  # a run of its own has them


def test_flattened_metrics_cover_the_contract_and_skip_series(arch):
    metrics = run_sweep(arch, None, {"fn.memory_mb": [256]}, replications=2).runs[0].metrics
    for name in ("entries.api.latency_ms.p99", "entries.api.failed", "nodes.fn.throttled", "nodes.fn.cold_starts",
                 "nodes.fn.latency_ms.p99", "nodes.fn.max_concurrency", "cost.monthly_usd", "cost.by_node.fn"):
        assert name in metrics, name
    assert not [n for n in metrics if n.split(".")[0] in ("timeseries", "usage", "seed", "duration_s")]
    assert not [n for n in metrics if "histogram" in n]


# -- where it runs -----------------------------------------------------------------------


SAME_SWEEP = {"fn.memory_mb": [256, 1024], "load.api.rate_rps": [30]}


def test_same_results_serially_in_a_pool_and_on_dask(arch, dask_cluster):
    from distributed import Client

    serial = run_sweep(arch, None, SAME_SWEEP, replications=3).to_json()
    with local_executor(2) as pool:
        pooled = run_sweep(arch, None, SAME_SWEEP, replications=3, executor=pool).to_json()
    with Client(dask_cluster) as client:
        on_dask = run_sweep(arch, None, SAME_SWEEP, replications=3, executor=client.get_executor(pure=False)).to_json()
    assert json.dumps(serial, sort_keys=True) == json.dumps(pooled, sort_keys=True) == json.dumps(on_dask, sort_keys=True)
    assert len(serial["runs"]) == 2 and all(r["replications"] == 3 and not r["failures"] for r in serial["runs"])


def test_cli_scheduler_matches_a_serial_sweep(arch, dask_cluster, tmp_path):
    from cli import run as cli_run

    path = tmp_path / "design.yaml"
    path.write_text(DESIGN)
    out = tmp_path / "sweep.json"
    code = cli_run(["sweep", str(path), "--vary", "fn.memory_mb=256,1024", "--vary", "load.api.rate_rps=30",
                    "--replications", "3", "--json", str(out), "--scheduler", dask_cluster.scheduler_address])
    assert code == 0
    expected = run_sweep(arch, None, SAME_SWEEP, replications=3).to_json()
    assert json.loads(out.read_text()) == json.loads(json.dumps(expected))


def test_a_failing_replication_is_reported_while_the_rest_finish(trace_design):
    arch, base_dir = trace_design
    with local_executor(2) as pool:
        result = run_sweep(arch, None, {"load.0.file": ["good.csv", "bad.csv"], "fn.memory_mb": [256, 512]},
                           replications=2, executor=pool, base_dir=base_dir)
    good = [r for r in result.runs if r.params["load.0.file"] == "good.csv"]
    bad = [r for r in result.runs if r.params["load.0.file"] == "bad.csv"]
    assert all(r.replications == 2 and not r.failures and r.metrics["entries.fn.requests"].mean == 150 for r in good)
    assert all(r.replications == 0 and not r.metrics for r in bad)
    assert len(result.failures) == 4
    params, failure = result.failures[0]
    assert params == {"load.0.file": "bad.csv", "fn.memory_mb": 256}
    assert failure.replication == 0 and "bad.csv:4" in failure.error and "soon" in failure.error
    assert result.to_json()["runs"][2]["failures"][1]["replication"] == 1


# -- cancel and progress -----------------------------------------------------------------


def test_progress_counts_replications_and_cancel_stops(arch):
    seen = []
    run_sweep(arch, None, {"fn.memory_mb": [256, 512]}, replications=2, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    calls = []

    def cancel_after_first() -> bool:
        calls.append(1)
        return len(seen) > 4

    with pytest.raises(Cancelled):
        run_sweep(arch, None, {"fn.memory_mb": [256, 512]}, replications=2,
                  progress=lambda d, t: seen.append((d, t)), cancel=cancel_after_first)
    assert len(seen) == 5  # one replication finished, then the sweep stopped
    with local_executor(2) as pool, pytest.raises(Cancelled):
        run_sweep(arch, None, {"fn.memory_mb": [256, 512]}, replications=4, executor=pool, cancel=lambda: True)


def test_a_value_listed_twice_is_refused():
    with pytest.raises(ValueError, match="lists 256 more than once"):
        split_vary("fn.memory_mb=256,512,256")
