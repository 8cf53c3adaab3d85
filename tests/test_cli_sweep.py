"""`python main.py sweep` as a real subprocess: the JSON contract, table, report, exit codes.

Exit codes: 2 when --vary is not TARGET=V1,V2,... (argparse usage error); 1 for an unknown
node/field/load or a refused value (named), and when a replication failed (summary on stderr).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.simulation.test_sweep import DESIGN, TRACE_DESIGN

ROOT = Path(__file__).resolve().parent.parent


def sweep(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "sweep", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


@pytest.fixture
def design(tmp_path) -> Path:
    path = tmp_path / "design.yaml"
    path.write_text(DESIGN)
    return path


def test_json_contract_table_and_report(design, tmp_path):
    out, report = tmp_path / "sweep.json", tmp_path / "sweep.html"
    done = sweep(str(design), "--vary", "fn.memory_mb=256,1024", "--vary", "account.concurrency_limit=500,1000",
                 "--replications", "3", "--duration", "15", "--workers", "2", "--json", str(out),
                 "--report", str(report))
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"  # stable: sorted keys
    assert list(data) == ["runs"] and len(data["runs"]) == 4
    assert [r["params"] for r in data["runs"]] == [
        {"fn.memory_mb": 256, "account.concurrency_limit": 500}, {"fn.memory_mb": 256, "account.concurrency_limit": 1000},
        {"fn.memory_mb": 1024, "account.concurrency_limit": 500}, {"fn.memory_mb": 1024, "account.concurrency_limit": 1000}]
    for run in data["runs"]:
        assert run["replications"] == 3 and run["failures"] == [] and len(run["seeds"]) == 3
        for name in ("entries.api.latency_ms.p99", "cost.monthly_usd", "nodes.fn.cold_starts", "cost.by_node.fn"):
            metric = run["metrics"][name]
            assert set(metric) == {"mean", "ci95"}
            low, high = metric["ci95"]
            assert low <= metric["mean"] <= high
    assert "fn.memory_mb" in done.stdout and "±" in done.stdout and "Cost ($/month)" in done.stdout
    assert len([line for line in done.stdout.splitlines() if line.startswith(("256 ", "1024 "))]) == 4
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Against fn.memory_mb" in html and html.count("<svg") >= 6
    assert "<script" not in html and "<link" not in html


@pytest.mark.parametrize("vary", ["fn.memory_mb", "memory_mb=256", "fn.memory_mb=", "fn.memory_mb=256,,512"])
def test_bad_vary_syntax_is_a_usage_error(design, vary):
    done = sweep(str(design), "--vary", vary)
    assert done.returncode == 2
    assert "--vary" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("vary, named", [
    ("ghost.memory_mb=256", "no node 'ghost'"),
    ("fn.memory_mb=256,99999", "memory_mb 99999 is out of range"),
    ("load.api.rate_rps=ten", "rate_rps must be a number"),
])
def test_unknown_targets_and_bad_values_exit_1(design, vary, named):
    done = sweep(str(design), "--vary", vary, "--replications", "1")
    assert done.returncode == 1
    assert named in done.stderr and "Traceback" not in done.stderr


def test_failed_replications_give_exit_1_with_their_parameters(tmp_path):
    (tmp_path / "good.csv").write_text("time_s\n" + "".join(f"{i * 0.1:.1f}\n" for i in range(50)))
    (tmp_path / "bad.csv").write_text("time_s\n0.1\nlater\n")
    (tmp_path / "design.yaml").write_text(TRACE_DESIGN)
    out = tmp_path / "out.json"
    done = sweep("design.yaml", "--vary", "load.0.file=good.csv,bad.csv", "--replications", "2",
                 "--workers", "2", "--json", str(out), cwd=tmp_path)
    assert done.returncode == 1
    assert "2 of 4 replications failed" in done.stderr
    assert "load.0.file=bad.csv, replication 0" in done.stderr and "load.0.file=bad.csv, replication 1" in done.stderr
    assert "bad.csv:3" in done.stderr and "Traceback" not in done.stderr
    runs = json.loads(out.read_text())["runs"]
    assert runs[0]["replications"] == 2 and runs[0]["metrics"]["entries.fn.requests"]["mean"] == 50
    assert runs[1]["replications"] == 0 and [f["replication"] for f in runs[1]["failures"]] == [0, 1]


@pytest.mark.slow
def test_ctrl_c_cancels_pending_work_and_stops_the_workers(design):
    import os
    import signal
    import time

    # Its own process group with the default SIGINT handling, signalled like a terminal's Ctrl-C.
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "sweep", str(design), "--vary",
                             "fn.memory_mb=256,512", "--replications", "4", "--duration", "5000", "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(4)  # the pool is up and both workers are inside long replications
    assert proc.poll() is None
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert time.monotonic() - started < 10
    # The pool's workers are stopped; its forkserver and resource tracker exit on their own
    # once their pipes close.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = subprocess.run(["pgrep", "-a", "-g", str(proc.pid)], capture_output=True, text=True).stdout
        if not left.strip():
            break
        time.sleep(0.2)
    assert not left.strip(), f"processes left behind:\n{left}"
