"""The deploy, destroy and sandbox commands, run as a user runs them (subprocesses)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES_DIR, ROOT, WITH_DEFAULT_SIGINT
from tests.moto_sandbox import client, moto_server

pytestmark = pytest.mark.slow


def stratus(*args, env=None, timeout=180):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


def test_plan_in_a_sandbox_of_its_own(tmp_path):
    design = tmp_path / "orders_api.yaml"
    shutil.copy(EXAMPLES_DIR / "orders_api.yaml", design)
    run = stratus("deploy", design, "--plan")
    assert run.returncode == 0, run.stderr
    assert "local sandbox at http://127.0.0.1:" in run.stdout
    assert "create     function:create_order" in run.stdout and "stratus-orders-api-create-order" in run.stdout
    assert "Summary: 23 to create" in run.stdout
    assert list(tmp_path.iterdir()) == [design]  # a plan writes nothing


def test_deploy_redeploy_destroy_through_an_endpoint(endpoint, tmp_path):
    design = tmp_path / "sns_fanout.yaml"
    shutil.copy(EXAMPLES_DIR / "sns_fanout.yaml", design)
    state = tmp_path / "sns_fanout.stratus-state.json"
    first = stratus("deploy", design, "--endpoint-url", endpoint)
    assert first.returncode == 0, first.stderr
    assert "Deployed 'SNS fan-out'" in first.stdout and state.exists()
    queues = client("sqs", endpoint).list_queues(QueueNamePrefix="stratus-sns-fan-out-")["QueueUrls"]
    assert len(queues) == 5
    again = stratus("deploy", design, "--endpoint-url", endpoint)
    assert again.returncode == 0 and "Nothing to do" in again.stdout
    gone = stratus("destroy", design, "--endpoint-url", endpoint)
    assert gone.returncode == 0, gone.stderr
    assert "Destroyed 38 resource(s)" in gone.stdout and not state.exists()
    assert not client("sqs", endpoint).list_queues(QueueNamePrefix="stratus-sns-fan-out-").get("QueueUrls")


def test_a_conflict_exits_1_and_changes_nothing(endpoint, tmp_path):
    design = tmp_path / "orders_api.yaml"
    shutil.copy(EXAMPLES_DIR / "orders_api.yaml", design)
    sqs = client("sqs", endpoint)
    url = sqs.create_queue(QueueName="stratus-orders-api-failed-confirmations")["QueueUrl"]
    try:
        run = stratus("deploy", design, "--endpoint-url", endpoint)
        assert run.returncode == 1
        assert "conflict" in run.stdout and "nothing was changed" in run.stderr
        assert "Traceback" not in run.stderr
        assert not client("lambda", endpoint).list_functions()["Functions"]
    finally:
        sqs.delete_queue(QueueUrl=url)


def test_real_aws_is_never_reached_without_a_usable_profile(tmp_path):
    env = {**os.environ, "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    run = stratus("deploy", EXAMPLES_DIR / "orders_api.yaml", "--target", "aws", "--profile",
                  "stratus-no-such-profile", env=env)
    assert run.returncode == 1 and "stratus-no-such-profile" in run.stderr
    assert "Traceback" not in run.stderr


def test_sandbox_command_runs_until_interrupted():
    # as a shell in a terminal starts it: SIGINT at its default (make's background jobs ignore it)
    proc = subprocess.Popen([sys.executable, "-c", WITH_DEFAULT_SIGINT, str(ROOT / "main.py"), "sandbox",
                             "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "Sandbox running at http://127.0.0.1:" in line
        url = line.split(" at ")[1].split()[0]
        assert client("sqs", url).list_queues().get("QueueUrls") is None  # it answers
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)  # (reading its pipes: a full one would block it)
        assert proc.returncode == 0, err[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
