"""`python main.py simulate`: the JSON contract, the report, the table, bad input, the bar.

The command runs as a real subprocess (sys.executable main.py ...). Tests that need the
simulation engine skip only when simulation/engine.py does not exist at all; an engine
that exists but fails is a failure.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.simulate import format_table
from simulation.progress import ProgressBar

ROOT = Path(__file__).resolve().parent.parent
ORDERS_API = ROOT / "assets" / "examples" / "orders_api.yaml"

TINY = """\
stratus: 1
name: Tiny <api> & co
nodes:
  - id: api
    service: api_gateway
    config: {api_type: http}
  - id: fn
    service: lambda
    label: Handler <b>
    config: {memory_mb: 256, duration_ms: {dist: lognormal, p50: 20, p99: 80}}
  - id: table
    service: dynamodb
edges:
  - {from: api, to: fn}
  - {from: fn, to: table, action: write}
scenarios:
  - name: steady
    duration_s: 60
    seed: 5
    load:
      - {entry: api, pattern: poisson, rate_rps: 20}
  - name: other
    duration_s: 30
    seed: 9
    load:
      - {entry: api, pattern: constant, rate_rps: 5}
"""

LOOP = """\
stratus: 1
name: Loop
nodes:
  - {id: worker, service: lambda}
  - {id: jobs, service: sqs}
edges:
  - {from: worker, to: jobs}
  - {from: jobs, to: worker}
scenarios:
  - name: s
    duration_s: 10
    load:
      - {entry: worker, pattern: constant, rate_rps: 1}
"""

BROKEN = """\
stratus: 1
name: Broken
nodes:
  - {id: fn, service: lambda, config: {memory_mb: 1}}
edges:
  - {from: fn, to: ghost}
scenarios:
  - {name: s, duration_s: 10, load: [{entry: fn, pattern: constant, rate_rps: 1}]}
"""

needs_engine = pytest.mark.skipif(importlib.util.find_spec("simulation.engine") is None,
                                  reason="simulation/engine.py is not in the tree yet (being written)")


def stratus(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=240)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


# ---- bad input: exit 1, a message, never a traceback --------------------------------


@pytest.mark.parametrize("extra, message", [
    (["--scenario", "nope"], "no scenario named 'nope' (scenarios: steady, other)"),
    (["--duration", "0"], "--duration must be a positive number of seconds"),
    (["--duration", "-5"], "--duration must be a positive number of seconds"),
    (["--duration", "nan"], "--duration must be a positive number of seconds"),
    (["--seed", "-1"], "--seed must be 0 or more"),
    (["--json", "/nonexistent-dir/out.json"], "cannot write /nonexistent-dir/out.json"),
])
def test_bad_arguments_exit_1_with_a_message(tiny, extra, message):
    done = stratus("simulate", str(tiny), *extra)
    assert done.returncode == 1, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_report_path_that_is_a_directory_is_named(tiny, tmp_path):
    done = stratus("simulate", str(tiny), "--report", str(tmp_path))
    assert done.returncode == 1 and f"cannot write {tmp_path}: it is a directory" in done.stderr


@pytest.mark.parametrize("text, message", [
    (LOOP, "event loop would recurse forever: worker -> jobs -> worker"),
    (BROKEN, "ghost"),
])
def test_invalid_designs_exit_1_naming_the_problem(tmp_path, text, message):
    path = tmp_path / "design.yaml"
    path.write_text(text, encoding="utf-8")
    done = stratus("simulate", str(path))
    assert done.returncode == 1
    assert message in done.stderr and str(path) in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_design_file_exits_1(tmp_path):
    done = stratus("simulate", str(tmp_path / "absent.yaml"))
    assert done.returncode == 1 and "absent.yaml" in done.stderr and "Traceback" not in done.stderr


def test_duration_inside_the_warmup_is_refused():
    done = stratus("simulate", str(ORDERS_API), "--duration", "30")  # normal-day warms up for 60 s
    assert done.returncode == 1 and "warm-up of 60 s" in done.stderr


def test_help_lists_the_contract_options_and_free_tier():
    done = stratus("simulate", "--help")
    assert done.returncode == 0
    for option in ("--scenario", "--duration", "--seed", "--json", "--report", "--free-tier"):
        assert option in done.stdout


# ---- real runs (need the engine) ------------------------------------------------------

LATENCY_KEYS = {"mean", "p50", "p95", "p99", "max"}
NODE_KEYS = {"requests", "completed", "throttled", "errors", "cold_starts", "latency_ms", "mean_concurrency",
             "max_concurrency", "mean_instances"}


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@needs_engine
def test_json_follows_the_contract_and_the_report_is_written(tiny, tmp_path):
    out, report = tmp_path / "out.json", tmp_path / "out.html"
    done = stratus("simulate", str(tiny), "--duration", "20", "--seed", "11", "--json", str(out),
                   "--report", str(report))
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["scenario"] == "steady" and data["seed"] == 11 and data["duration_s"] == 20
    assert set(data["nodes"]) == {"api", "fn", "table"}
    for node in data["nodes"].values():
        assert NODE_KEYS <= set(node)
        assert set(node["latency_ms"]) >= LATENCY_KEYS and all(_number(v) for v in node["latency_ms"].values())
        assert all(_number(node[k]) for k in NODE_KEYS - {"latency_ms"})
    entry = data["entries"]["api"]
    assert {"requests", "succeeded", "failed", "latency_ms"} <= set(entry)
    # requests still in flight when the run ends are neither succeeded nor failed
    assert entry["requests"] > 0 and 0 <= entry["requests"] - entry["succeeded"] - entry["failed"] <= 5
    assert set(data["cost"]["by_node"]) == {"api", "fn", "table"}
    assert data["cost"]["monthly_usd"] == pytest.approx(sum(data["cost"]["by_node"].values()))
    assert data["cost"]["monthly_usd"] > 0
    assert out.read_text(encoding="utf-8") == json.dumps(data, indent=2, sort_keys=True) + "\n"

    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "Tiny &lt;api&gt; &amp; co" in page and "Handler <b>" not in page

    # the table on stdout: aligned, with units in the headers and the monthly total
    assert "p99 (ms)" in done.stdout and "Cost ($/month)" in done.stdout and "Monthly cost: $" in done.stdout
    assert f"Report written to {report}" in done.stdout
    assert data["limits"] == [] and "Limits hit: none" in done.stdout


def test_summary_lists_the_limits_hit_earliest_first():
    from cli.simulate import format_summary
    from model.architecture import Architecture, Node

    arch = Architecture("Limits")
    arch.add_node(Node("fn", "lambda", {}, label="Checkout"))
    data = {"scenario": "s", "seed": 1, "duration_s": 60, "nodes": {}, "entries": {}, "cost": {},
            "limits": [{"limit": "api_gateway_account_rps", "scope": "account", "first_hit_s": 0.8333,
                        "throttled": 25000},
                       {"limit": "lambda_concurrency", "scope": "fn", "first_hit_s": 12.25, "throttled": 7}]}
    text = format_summary(data, arch)
    table = text.split("Limits hit")[1].splitlines()
    assert table[1].split() == ["Limit", "Scope", "First", "hit", "(s)", "Throttled"]
    assert table[3].split() == ["api_gateway_account_rps", "account", "0.8", "25,000"]
    assert table[4].split() == ["lambda_concurrency", "Checkout", "12.2", "7"]


@needs_engine
def test_same_seed_same_json_and_the_free_tier_only_lowers_cost(tiny, tmp_path):
    runs = []
    for name, extra in (("a", []), ("b", []), ("free", ["--free-tier"])):
        out = tmp_path / f"{name}.json"
        done = stratus("simulate", str(tiny), "--scenario", "other", "--json", str(out), *extra)
        assert done.returncode == 0, done.stderr
        runs.append(out.read_text(encoding="utf-8"))
    assert runs[0] == runs[1]
    paid, free = json.loads(runs[0])["cost"]["monthly_usd"], json.loads(runs[2])["cost"]["monthly_usd"]
    assert 0 <= free < paid


@needs_engine
@pytest.mark.slow
def test_orders_api_example_runs(tmp_path):
    out = tmp_path / "orders.json"
    done = stratus("simulate", str(ORDERS_API), "--scenario", "flash-sale", "--duration", "150",
                   "--json", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["entries"]["orders_api"]["requests"] > 0
    assert "Orders API" in done.stdout


# ---- the table and the progress bar, in-process ---------------------------------------


def test_format_table_aligns_text_left_and_numbers_right():
    text = format_table(["Node", "Requests"], [["a", "1"], ["longer name", "1,000"]])
    lines = text.splitlines()
    assert lines[0] == "Node         Requests"
    assert lines[2] == "a                   1"
    assert lines[3] == "longer name     1,000"
    assert len({len(line) for line in lines}) == 1


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_waits_two_seconds_then_shows_percent_time_and_eta():
    stream, clock = _Tty(), _Clock()
    bar = ProgressBar(600, stream=stream, clock=clock)
    clock.now += 1.0
    bar(60, 600)
    assert stream.getvalue() == ""  # a run shorter than ~2 s never shows a bar
    clock.now += 2.0  # 3 s spent for 150 of 600 simulated seconds: 9 s to go
    bar.fraction(0.25)  # how simulation.engine reports progress
    shown = stream.getvalue()
    assert shown.startswith("\r[") and " 25.0%" in shown and "simulated 2m30s of 10m00s" in shown
    assert "ETA 9s" in shown
    bar.close()
    assert stream.getvalue().endswith("\r")


def test_progress_bar_stays_silent_when_stderr_is_not_a_terminal():
    stream, clock = io.StringIO(), _Clock()
    with ProgressBar(10, stream=stream, clock=clock) as bar:
        clock.now += 60
        bar(5, 10)
    assert stream.getvalue() == ""
