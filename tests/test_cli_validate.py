"""`python main.py validate`: examples pass; hostile files fail fast with a clear message."""

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, example_paths

BILLION_LAUGHS = """\
stratus: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def run_cli(*args, timeout=30):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    return done, time.monotonic() - started


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.name)
def test_every_example_validates(path):
    done, _ = run_cli("validate", str(path))
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout


def hostile_files(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "w") as handle:
        handle.write("stratus: 1\nname: Big\nnodes:\n")
        line = "  - {id: q, service: sqs, config: {message_kb: 1}}\n"
        handle.write(line * (50 * 1024 * 1024 // len(line)))
    cases = {
        "malformed.yaml": ("stratus: 1\nname: Bad\nnodes:\n  - id: fn\n    service: [lambda\n", r"malformed.yaml:\d+: invalid YAML"),
        "laughs.yaml": (BILLION_LAUGHS, "alias bomb"),
        "garbage.yaml": (bytes(range(256)) * 64, "binary file"),
        "latin1.yaml": ("stratus: 1\nname: Caf\xe9\n".encode("latin-1"), "not UTF-8 text"),
        "list.yaml": ("- stratus: 1\n- nodes: []\n", "the top level is a list"),
        "future.yaml": ("stratus: 99\nname: From the future\n", r"newer Stratus \(format 99\)"),
        "nomarker.yaml": ("name: Just a name\n", "'stratus: 1' format marker is missing"),
        "empty.yaml": ("", "file is empty"),
    }
    paths = {}
    for name, (content, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        paths[name] = (path, expected)
    paths["big.yaml"] = (big, r"file is 5\d\.\d MB; designs are limited to 5 MB")
    paths["missing.yaml"] = (tmp_path / "missing.yaml", "no such file")
    return paths


def test_hostile_files_fail_fast_with_a_clear_message(tmp_path):
    import re

    for name, (path, expected) in hostile_files(tmp_path).items():
        done, seconds = run_cli("validate", str(path))
        assert done.returncode == 1, (name, done.stdout, done.stderr)
        assert re.search(expected, done.stderr), (name, done.stderr)
        assert str(path) in done.stderr, (name, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout, name
        assert seconds < 5, (name, seconds)


def test_malformed_yaml_message_carries_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("stratus: 1\nname: Bad\nnodes:\n  - id: fn\n    service: lambda\n   config: {}\n")
    done, _ = run_cli("validate", str(path))
    assert done.returncode == 1
    assert f"{path}:6: invalid YAML" in done.stderr or f"{path}:5: invalid YAML" in done.stderr


def test_invalid_design_lists_every_problem_and_exits_1(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("stratus: 1\nname: Bad\nnodes:\n  - {id: fn, service: lambda, config: {memory_mb: 1}}\n"
                    "  - {id: t, service: tabel}\nedges:\n  - {from: fn, to: nowhere}\n")
    done, _ = run_cli("validate", str(path))
    assert done.returncode == 1
    assert f"{path}:4: node 'fn': memory_mb 1 is out of range" in done.stderr
    assert f"{path}:5: node 't': unknown service 'tabel'" in done.stderr
    assert f"{path}:7: edge fn -> nowhere: refers to no node 'nowhere'" in done.stderr
    assert "3 errors" in done.stderr


def test_usage_errors_exit_2():
    done, _ = run_cli("validate")
    assert done.returncode == 2
    done, _ = run_cli("export", "x.yaml", "--format", "pdf", "-o", "out")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_a_mistyped_command_gets_a_suggestion():
    done, _ = run_cli("simualte", "x.yaml")
    assert done.returncode == 2
    assert "did you mean simulate?" in done.stderr


def test_designer_without_a_display_explains_instead_of_crashing(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "main.py", str(ROOT / "assets/examples/orders_api.yaml")], cwd=ROOT,
                          capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 1
    assert "no display to open the designer on" in done.stderr
    done = subprocess.run([sys.executable, "main.py", str(tmp_path / "nothere.yaml")], cwd=ROOT,
                          capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 1 and "no such file" in done.stderr


def test_import_into_a_folder_is_refused_clearly(tmp_path):
    template = ROOT / "tests" / "fixtures" / "templates" / "sam_all_events.yaml"  # any template will do
    done, _ = run_cli("import", str(template), "-o", str(tmp_path))
    assert done.returncode == 1
    assert "it is a directory" in done.stderr and "Traceback" not in done.stderr
