"""Live deployment against moto's server on 127.0.0.1: every example deploys, re-deploys
without change, and is destroyed; each resource is counted through its own service's API."""

from __future__ import annotations

import shutil

import pytest

from model.aws import iam, wiring
from exporters.deploy import apply, destroy, plan, sandbox
from model.aws.naming import deployed_name as physical_name
from model.designfile import load_design, loads_design
from tests.conftest import EXAMPLES_DIR, example_paths
from tests.moto_sandbox import client, moto_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


def prefix(arch) -> str:
    return physical_name(arch.name, kind="function") + "-"


def live_counts(url: str, arch) -> dict[str, int]:
    """What the target holds for this design, asked service by service."""
    p = prefix(arch)
    lam, sns = client("lambda", url), client("sns", url)
    functions = [f for f in lam.list_functions()["Functions"] if f["FunctionName"].startswith(p)]
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].split(":")[-1].startswith(p)]
    events = client("events", url)
    buses = ["default"] + [b["Name"] for b in events.list_event_buses()["EventBuses"] if b["Name"].startswith(p)]
    rules = [(bus, r["Name"]) for bus in buses for r in events.list_rules(EventBusName=bus, NamePrefix=p)["Rules"]]
    return {
        "functions": len(functions),
        "tables": sum(t.startswith(p) for t in client("dynamodb", url).list_tables()["TableNames"]),
        "queues": len(client("sqs", url).list_queues(QueueNamePrefix=p).get("QueueUrls", [])),
        "topics": len(topics),
        "streams": sum(s.startswith(p) for s in client("kinesis", url).list_streams()["StreamNames"]),
        "buckets": sum(b["Name"].startswith(p) for b in client("s3", url).list_buckets()["Buckets"]),
        "state_machines": sum(m["name"].startswith(p) for m in
                              client("stepfunctions", url).list_state_machines()["stateMachines"]),
        "apis": sum(a["name"].startswith(p) for a in client("apigateway", url).get_rest_apis()["items"])
        + sum(a["Name"].startswith(p) for a in client("apigatewayv2", url).get_apis()["Items"]),
        "roles": sum(r["RoleName"].startswith(p) for r in client("iam", url).list_roles()["Roles"]),
        "event_source_mappings": sum(len(lam.list_event_source_mappings(FunctionName=f["FunctionName"])
                                         ["EventSourceMappings"]) for f in functions),
        "subscriptions": sum(len(sns.list_subscriptions_by_topic(TopicArn=t)["Subscriptions"]) for t in topics),
        "rules": len(rules),
        "rule_targets": sum(len(events.list_targets_by_rule(Rule=r, EventBusName=b)["Targets"]) for b, r in rules),
    }


def expected_counts(arch) -> dict[str, int]:
    """What the design asks for, counted from its nodes and edges."""
    def nodes(service):
        return sum(n.service == service for n in arch.nodes.values())

    def edges(kind):
        return sum(arch.edge_kind(e) == kind for e in arch.edges)

    return {"functions": nodes("lambda"), "tables": nodes("dynamodb"), "queues": nodes("sqs"),
            "topics": nodes("sns"), "streams": nodes("kinesis"), "buckets": nodes("s3"),
            "state_machines": nodes("step_functions"), "apis": nodes("api_gateway"),
            "roles": len(iam.principals(arch)), "event_source_mappings": edges("event_source"),
            "subscriptions": edges("subscription"), "rules": edges("rule_target"),
            "rule_targets": edges("rule_target")}


def copy_design(tmp_path, name: str):
    path = tmp_path / name
    shutil.copy(EXAMPLES_DIR / name, path)
    return path


def run_apply(arch, url, state, **kw):
    return apply(arch, sandbox.session(arch.region), state, endpoint_url=url, design_dir=EXAMPLES_DIR, **kw)


def run_destroy(arch, url, state):
    return destroy(arch, sandbox.session(arch.region), state, endpoint_url=url)


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_example_deploys_redeploys_unchanged_and_destroys(endpoint, tmp_path, path):
    arch = load_design(path)
    state = tmp_path / "state.json"
    zero = {k: 0 for k in expected_counts(arch)}
    assert live_counts(endpoint, arch) == zero

    first = run_apply(arch, endpoint, state)
    assert first.ok, (first.failed_step, first.error)
    expected = expected_counts(arch)
    assert live_counts(endpoint, arch) == expected
    assert state.exists()

    again = plan(arch, sandbox.session(arch.region), state_path=state, endpoint_url=endpoint,
                 design_dir=EXAMPLES_DIR)
    assert again.counts() == {"unchanged": len(again.items)}
    second = run_apply(arch, endpoint, state)
    assert second.ok and second.done == []
    assert live_counts(endpoint, arch) == expected

    gone = run_destroy(arch, endpoint, state)
    assert gone.ok, gone.errors
    assert len(gone.deleted) == len(first.done)
    assert live_counts(endpoint, arch) == zero
    assert not state.exists()


def test_every_resource_carries_the_marker_tags(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "order_queue.yaml")
    state = tmp_path / "state.json"
    assert run_apply(arch, endpoint, state).ok
    try:
        p, ours = prefix(arch), {"stratus:design": arch.name, "stratus:managed": "true"}
        lam, sqs = client("lambda", endpoint), client("sqs", endpoint)
        for fn in lam.list_functions()["Functions"]:
            if fn["FunctionName"].startswith(p):
                assert lam.list_tags(Resource=fn["FunctionArn"])["Tags"].items() >= ours.items()
        for url in sqs.list_queues(QueueNamePrefix=p)["QueueUrls"]:
            assert sqs.list_queue_tags(QueueUrl=url)["Tags"].items() >= ours.items()
        bucket = physical_name(arch.name, "audit_archive", kind="bucket")
        tags = client("s3", endpoint).get_bucket_tagging(Bucket=bucket)["TagSet"]
        assert {t["Key"]: t["Value"] for t in tags}.items() >= ours.items()
    finally:
        assert run_destroy(arch, endpoint, state).ok


def test_state_machines_get_the_exporters_asl_with_real_arns(endpoint, tmp_path):
    arch = load_design(EXAMPLES_DIR / "eventbridge_workflow.yaml")
    state = tmp_path / "state.json"
    assert run_apply(arch, endpoint, state).ok
    try:
        sfn = client("stepfunctions", endpoint)
        name = physical_name(arch.name, "fulfilment_flow", kind="state_machine")
        machine = next(m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == name)
        definition = sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["definition"]
        fn_arn = client("lambda", endpoint).get_function(
            FunctionName=physical_name(arch.name, "reserve_stock", kind="function"))["Configuration"]["FunctionArn"]
        assert fn_arn in definition and "${stratus:" not in definition
        assert physical_name(arch.name, "fulfilment_table", kind="table") in definition
    finally:
        assert run_destroy(arch, endpoint, state).ok



def _filled(text, values: dict) -> str:
    out = text.text
    for var, value in values.items():
        out = out.replace("${" + var + "}", value)
    return out


def test_rest_integrations_and_mappings_are_wired_as_the_templates_are(endpoint, tmp_path):
    """The deployed integrations are model.aws.wiring's, placeholders filled with real names
    (a FIFO send in the message group the templates use, a read keyed by the path parameter);
    event source mappings carry the templates' fixed parameters."""
    text = (EXAMPLES_DIR / "order_queue.yaml").read_text()
    arch = loads_design(text.replace("edges:\n", "edges:\n  - {from: intake_api, to: orders_table, method: GET, "
                                                 "path: '/orders/{order_id}', action: read}\n", 1))
    state = tmp_path / "state.json"
    assert run_apply(arch, endpoint, state).ok
    try:
        agw = client("apigateway", endpoint)
        api = next(a for a in agw.get_rest_apis()["items"] if a["name"].startswith(prefix(arch)))
        resources = {r["path"]: r["id"] for r in agw.get_resources(restApiId=api["id"])["items"]}
        values = {"AWS::AccountId": client("sts", endpoint).get_caller_identity()["Account"],
                  "Queue": physical_name(arch.name, "order_queue", kind="queue", suffix=".fifo"),
                  "Table": physical_name(arch.name, "orders_table", kind="table")}
        for target, method, path, params in (("order_queue", "POST", "/orders", []),
                                             ("orders_table", "GET", "/orders/{order_id}", ["order_id"])):
            edge = next(e for e in arch.edges_from("intake_api") if e.target == target)
            wired = wiring.rest_integration(arch, edge, method, params)
            live = agw.get_integration(restApiId=api["id"], resourceId=resources[path], httpMethod=method)
            assert live["requestTemplates"]["application/json"] == _filled(wired.template, values)
            assert live["uri"] == f"arn:aws:apigateway:{arch.region}:" + _filled(wired.uri, values)
        templates = [agw.get_integration(restApiId=api["id"], resourceId=resources[path], httpMethod=method)
                     ["requestTemplates"]["application/json"] for path, method in (("/orders", "POST"),
                                                                                   ("/orders/{order_id}", "GET"))]
        # the example's orders keep their order per customer: the group is the body's customerId
        assert "MessageGroupId=$util.urlEncode($input.path('$.customerId'))" in templates[0]
        assert "$input.params('order_id')" in templates[1]

        worker = physical_name(arch.name, "order_worker", kind="function")
        mappings = client("lambda", endpoint).list_event_source_mappings(FunctionName=worker)["EventSourceMappings"]
        assert [m.get("FunctionResponseTypes") for m in mappings] == [["ReportBatchItemFailures"]]
        archiver = physical_name(arch.name, "audit_archiver", kind="function")
        streams = client("lambda", endpoint).list_event_source_mappings(FunctionName=archiver)["EventSourceMappings"]
        # the edge's bisect_on_error, AWS's default (off) unless the design asks
        assert [bool(m.get("BisectBatchOnFunctionError")) for m in streams] == [False]
        again = plan(arch, sandbox.session(arch.region), state_path=state, endpoint_url=endpoint,
                     design_dir=EXAMPLES_DIR)
        assert again.counts() == {"unchanged": len(again.items)}
    finally:
        assert run_destroy(arch, endpoint, state).ok
