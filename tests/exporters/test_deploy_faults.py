"""Failures, conflicts and changes: a real API call fails (a botocore before-call hook on
the session raises the error AWS would), a foreign resource holds a wanted name, a
function's memory changes. Nothing of ours may be left behind; nothing foreign touched."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from exporters.deploy import apply, destroy, plan, sandbox
from model.aws.naming import NAME_LIMITS, deployed_name as physical_name
from model.architecture import Node
from model.designfile import load_design
from model.errors import StratusError
from tests.conftest import EXAMPLES_DIR
from tests.exporters.test_deploy import expected_counts, live_counts
from tests.moto_sandbox import client, moto_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


def failing_session(region: str, event: str, on_call: int):
    """A session whose `on_call`-th call matching `event` fails as AWS would fail it."""
    session = sandbox.session(region)
    calls = {"n": 0}

    def fail(**kwargs):
        calls["n"] += 1
        if calls["n"] == on_call:
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "injected fault"}},
                              event.rsplit(".", 1)[-1])

    session.events.register(f"before-call.{event}", fail)
    return session


@pytest.mark.parametrize("design, event, on_call", [
    ("orders_api.yaml", "lambda.CreateFunction", 1),        # early: only roles/tables/queues exist
    ("orders_api.yaml", "lambda.CreateFunction", 4),        # midway through the functions
    ("sns_fanout.yaml", "lambda.CreateEventSourceMapping", 2),
    ("sns_fanout.yaml", "sns.Subscribe", 3),
    ("eventbridge_workflow.yaml", "events.PutTargets", 3),  # fails inside a rule's creation
    ("clickstream.yaml", "apigateway.CreateDeployment", 1),  # the last step: everything to undo
])
def test_a_failing_step_rolls_back_everything_this_apply_created(endpoint, tmp_path, design, event, on_call):
    arch = load_design(EXAMPLES_DIR / design)
    state = tmp_path / "state.json"
    events = []
    result = apply(arch, failing_session(arch.region, event, on_call), state, events.append,
                   endpoint_url=endpoint, design_dir=EXAMPLES_DIR)
    assert not result.ok
    assert result.failed_step.startswith("create ") and "injected fault" in result.error
    assert result.rolled_back  # something had been created, and was undone
    assert live_counts(endpoint, arch) == {k: 0 for k in expected_counts(arch)}
    assert not state.exists()  # nothing left to record
    assert any(type(e).__name__ == "StepFailed" for e in events)


def test_rollback_spares_what_an_earlier_apply_created(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    state = tmp_path / "state.json"
    assert apply(arch, sandbox.session(arch.region), state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR).ok
    before = json.loads(state.read_text())
    counts = live_counts(endpoint, arch)
    arch.add_node(Node("audit_queue", "sqs"))
    arch.add_node(Node("audit_topic", "sns"))  # created after the queue, and made to fail
    result = apply(arch, failing_session(arch.region, "sns.CreateTopic", 1), state,
                   endpoint_url=endpoint, design_dir=EXAMPLES_DIR)
    assert not result.ok and result.rolled_back == ["queue:audit_queue"]
    assert live_counts(endpoint, arch) == counts
    assert json.loads(state.read_text())["resources"] == before["resources"]
    assert destroy(arch, sandbox.session(arch.region), state, endpoint_url=endpoint).ok


def test_a_foreign_resource_with_a_wanted_name_is_a_conflict_and_left_untouched(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "order_queue.yaml")
    sqs = client("sqs", endpoint)
    name = physical_name(arch.name, "order_dlq", kind="queue", suffix=".fifo")
    url = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true", "VisibilityTimeout": "7"},
                           tags={"owner": "someone-else"})["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    state = tmp_path / "state.json"
    try:
        the_plan = plan(arch, sandbox.session(arch.region), state_path=state, endpoint_url=endpoint,
                        design_dir=EXAMPLES_DIR)
        assert [c.key for c in the_plan.conflicts] == ["queue:order_dlq"]
        result = apply(arch, sandbox.session(arch.region), state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR)
        assert not result.ok and "queue:order_dlq" in result.error and result.done == []
        counts = live_counts(endpoint, arch)
        assert counts["queues"] == 1 and sum(counts.values()) == 1  # only the foreign queue
        assert not state.exists()
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"] == attributes
        assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"owner": "someone-else"}
    finally:
        sqs.delete_queue(QueueUrl=url)


def test_changed_settings_are_updated_in_place(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    state = tmp_path / "state.json"
    session = sandbox.session(arch.region)
    assert apply(arch, session, state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR).ok
    lam, sqs = client("lambda", endpoint), client("sqs", endpoint)
    fn_name = physical_name(arch.name, "create_order", kind="function")
    arn = lam.get_function_configuration(FunctionName=fn_name)["FunctionArn"]
    arch.set_node_config("create_order", "memory_mb", 1024)
    arch.set_node_config("failed_confirmations", "visibility_timeout_s", 90)
    the_plan = plan(arch, session, state_path=state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR)
    changed = {i.key: i.changed for i in the_plan.changes}
    assert changed == {"function:create_order": ("memory_mb",), "queue:failed_confirmations": ("attributes",)}
    result = apply(arch, session, state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR)
    assert result.ok and sorted(result.done) == ["update function:create_order", "update queue:failed_confirmations"]
    config = lam.get_function_configuration(FunctionName=fn_name)
    assert config["FunctionArn"] == arn and config["MemorySize"] == 1024
    url = sqs.get_queue_url(QueueName=physical_name(arch.name, "failed_confirmations", kind="queue"))["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])[
        "Attributes"]["VisibilityTimeout"] == "90"
    assert live_counts(endpoint, arch) == expected_counts(arch)
    assert destroy(arch, session, state, endpoint_url=endpoint).ok


def test_destroy_leaves_alone_what_is_no_longer_tagged_as_ours(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "order_queue.yaml")
    state = tmp_path / "state.json"
    session = sandbox.session(arch.region)
    assert apply(arch, session, state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR).ok
    sqs = client("sqs", endpoint)
    url = sqs.get_queue_url(QueueName=physical_name(arch.name, "order_dlq", kind="queue", suffix=".fifo"))["QueueUrl"]
    sqs.untag_queue(QueueUrl=url, TagKeys=["stratus:managed"])  # someone took it over
    result = destroy(arch, session, state, endpoint_url=endpoint)
    assert not result.ok and result.refused == ["queue:order_dlq"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])  # still there
    assert [r["key"] for r in json.loads(state.read_text())["resources"]] == ["queue:order_dlq"]
    sqs.delete_queue(QueueUrl=url)
    assert destroy(arch, session, state, endpoint_url=endpoint).ok and not state.exists()


def test_a_state_file_is_bound_to_its_target(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"stratus_state": 1, "design": arch.name,
                                 "target": {"account": "999999999999", "region": "us-east-1", "endpoint_url": None},
                                 "resources": [{"key": "queue:x", "kind": "queue", "name": "x", "node": "x",
                                                "outputs": {}, "tags": {}, "config": {}, "config_hash": ""}]}))
    with pytest.raises(StratusError, match="999999999999"):
        apply(arch, sandbox.session(arch.region), state, endpoint_url=endpoint, design_dir=EXAMPLES_DIR)


def test_physical_names_are_deterministic_and_within_limits():
    assert physical_name("Orders API", "create_order", kind="function") == "stratus-orders-api-create-order"
    long_design = "A very long design name that goes on " * 3
    for kind, limit in NAME_LIMITS.items():
        a = physical_name(long_design, "node_one", kind=kind, suffix=".fifo" if kind == "queue" else "")
        b = physical_name(long_design, "node_two", kind=kind, suffix=".fifo" if kind == "queue" else "")
        assert len(a) <= limit and a != b
        assert a == physical_name(long_design, "node_one", kind=kind, suffix=".fifo" if kind == "queue" else "")
    assert physical_name(long_design, "n", kind="queue", suffix=".fifo").endswith(".fifo")
