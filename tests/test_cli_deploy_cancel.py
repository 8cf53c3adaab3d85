"""Ctrl-C during `deploy` / `destroy` stops after the current resource: exit 1, a message
saying how to finish, no traceback, and a state file a second run can carry on from.

A process inherits what happens to SIGINT from whoever started it: `trap '' INT`, nohup-style
runners and background jobs of a script start it ignored, and some runners start it blocked
(a blocked SIGINT never arrives, so the deploy would run to the end). These tests must not
depend on how pytest was started, so they set the state they need themselves.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES_DIR, ROOT, WITH_DEFAULT_SIGINT
from tests.moto_sandbox import moto_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


def interrupt_after_first_step(*args) -> tuple[int, str, str]:
    """Run a command, press Ctrl-C (SIGINT) once its first step is reported."""
    command = [sys.executable, "-c", WITH_DEFAULT_SIGINT, str(ROOT / "main.py"), *map(str, args)]
    proc = subprocess.Popen(command, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = []
    for line in proc.stdout:
        out.append(line)
        if line.startswith("[1/"):
            proc.send_signal(signal.SIGINT)
            break
    rest, err = proc.communicate(timeout=180)
    return proc.returncode, "".join(out) + rest, err


def test_ctrl_c_cancels_deploy_and_destroy_between_resources(endpoint, tmp_path):
    design = tmp_path / "sns_fanout.yaml"
    shutil.copy(EXAMPLES_DIR / "sns_fanout.yaml", design)
    state = tmp_path / "sns_fanout.stratus-state.json"
    code, out, err = interrupt_after_first_step("deploy", design, "--endpoint-url", endpoint)
    assert code == 1, err
    assert "Traceback" not in err and "Cancelling after the current resource" in err
    assert "cancelled after " in out and "run deploy again to finish, or destroy" in out
    done = int(out.split("cancelled after ")[1].split(" ")[0])
    assert 1 <= done < 38 and len(json.loads(state.read_text())["resources"]) == done

    finish = subprocess.run([sys.executable, str(ROOT / "main.py"), "deploy", design, "--endpoint-url", endpoint],
                            cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert finish.returncode == 0, finish.stderr
    assert f"Summary: {38 - done} to create, {done} unchanged" in finish.stdout

    code, out, err = interrupt_after_first_step("destroy", design, "--endpoint-url", endpoint)
    assert code == 1 and "Traceback" not in err
    assert "cancelled after " in out and "run destroy again" in out
    left = len(json.loads(state.read_text())["resources"])
    assert 0 < left < 38
    gone = subprocess.run([sys.executable, str(ROOT / "main.py"), "destroy", design, "--endpoint-url", endpoint],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert gone.returncode == 0 and f"Destroyed {left} resource(s)" in gone.stdout and not state.exists()


@pytest.fixture
def sigint_not_blocked():
    """Deliver SIGINT to this thread even if pytest was started with it blocked."""
    previous_mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    yield
    signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)


def test_the_ctrl_c_handler_is_installed_only_while_applying(sigint_not_blocked):
    from cli.common import ctrl_c_cancels

    before = signal.getsignal(signal.SIGINT)  # default, or SIG_IGN under `trap '' INT`: both work
    with ctrl_c_cancels("Cancelling…") as cancel:
        assert signal.getsignal(signal.SIGINT) is not before
        signal.raise_signal(signal.SIGINT)  # a KeyboardInterrupt here would fail the test
        assert cancel.is_set()
    assert signal.getsignal(signal.SIGINT) is before
