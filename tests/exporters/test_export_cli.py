"""`python main.py export`: writes each format, refuses bad input with a clear message."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

DESIGN = ROOT / "assets" / "examples" / "order_queue.yaml"


def run(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_each_format_is_written(tmp_path):
    for fmt, out in (("cloudformation", tmp_path / "t.yaml"), ("sam", tmp_path / "t.json"),
                     ("terraform", tmp_path / "tf")):
        result = run("export", DESIGN, "--format", fmt, "-o", out)
        assert result.returncode == 0, result.stderr
        assert out.exists()
    assert (tmp_path / "t.json").read_text().lstrip().startswith("{")
    assert sorted(p.name for p in (tmp_path / "tf").iterdir()) == ["main.tf", "outputs.tf", "variables.tf",
                                                                  "versions.tf"]


def test_bad_input_exits_1_with_a_message_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("stratus: 1\nname: Bad\nnodes:\n  - {id: fn, service: lambda, config: {memory_mb: 1}}\n")
    result = run("export", bad, "--format", "terraform", "-o", tmp_path / "out")
    assert result.returncode == 1
    assert "bad.yaml" in result.stderr and "memory_mb" in result.stderr
    assert "Traceback" not in result.stderr

    http_to_table = tmp_path / "http.yaml"
    http_to_table.write_text(
        "stratus: 1\nname: H\nnodes:\n  - {id: api, service: api_gateway, config: {api_type: http}}\n"
        "  - {id: t, service: dynamodb}\nedges:\n  - {from: api, to: t, action: read}\n")
    result = run("export", http_to_table, "--format", "cloudformation", "-o", tmp_path / "h.yaml")
    assert result.returncode == 1
    assert "no direct dynamodb integration" in result.stderr.lower()  # validation or exporter says so
    assert "Traceback" not in result.stderr

    folder = tmp_path / "folder"
    folder.mkdir()
    result = run("export", DESIGN, "--format", "sam", "-o", folder)
    assert result.returncode == 1 and "is a folder" in result.stderr


def test_usage_error_exits_2(tmp_path):
    assert run("export", DESIGN, "--format", "pulumi", "-o", tmp_path / "x").returncode == 2
