"""Live deployment of settings the templates export besides the resources themselves, against
moto's server: API integration timeouts (deployed, read back equal to the template's, updated
in place) and provisioned concurrency (not supported by moto's server: a plan warning)."""

from __future__ import annotations

import pytest

from exporters.cloudformation import build_template
from exporters.deploy import plan, sandbox
from model.designfile import loads_design
from tests.conftest import EXAMPLES_DIR
from tests.exporters.test_deploy import prefix, run_apply, run_destroy
from tests.moto_sandbox import client, moto_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


def design(example: str, old: str, new: str, extra_edge: str = ""):
    text = (EXAMPLES_DIR / example).read_text()
    assert old in text, f"{example} no longer has {old!r}"
    text = text.replace(old, new, 1)
    if extra_edge:
        text = text.replace("edges:\n", f"edges:\n  - {extra_edge}\n", 1)
    return loads_design(text)


def template_timeouts(arch) -> set[int]:
    """The TimeoutInMillis of every API integration in the exported CloudFormation template."""
    resources = build_template(arch)["Resources"].values()
    v2 = {r["Properties"]["TimeoutInMillis"] for r in resources if r["Type"] == "AWS::ApiGatewayV2::Integration"}
    rest = {r["Properties"]["Integration"]["TimeoutInMillis"] for r in resources
            if r["Type"] == "AWS::ApiGateway::Method" and r["Properties"]["Integration"].get("Type") != "MOCK"}
    return v2 | rest


def http_integrations(url: str, arch) -> list[dict]:
    v2 = client("apigatewayv2", url)
    api = next(a for a in v2.get_apis()["Items"] if a["Name"].startswith(prefix(arch)))
    return v2.get_integrations(ApiId=api["ApiId"])["Items"]


def rest_integrations(url: str, arch) -> list[dict]:
    agw = client("apigateway", url)
    api = next(a for a in agw.get_rest_apis()["items"] if a["name"].startswith(prefix(arch)))
    return [agw.get_integration(restApiId=api["id"], resourceId=r["id"], httpMethod=method)
            for r in agw.get_resources(restApiId=api["id"])["items"] for method in r.get("resourceMethods", {})]


def replan(arch, url, state):
    return plan(arch, sandbox.session(arch.region), state_path=state, endpoint_url=url, design_dir=EXAMPLES_DIR)


def no_apis_left(url: str, arch) -> bool:
    p = prefix(arch)
    return (not any(a["Name"].startswith(p) for a in client("apigatewayv2", url).get_apis()["Items"])
            and not any(a["name"].startswith(p) for a in client("apigateway", url).get_rest_apis()["items"]))


HTTP_TIMEOUT = "timeout_ms: 30000"
REST_TIMEOUT = "timeout_ms: 10000"


def test_http_api_integrations_get_the_templates_timeout_and_a_change_updates_in_place(endpoint, tmp_path):
    """12 s deployed as the template writes it; then 45 s, over an HTTP API's limit: the
    template and the live API both hold 30 s."""
    sqs_route = "{from: checkout_api, to: billing_queue, method: POST, path: /bill}"  # a subtype integration
    arch = design("sns_fanout.yaml", HTTP_TIMEOUT, "timeout_ms: 12000", sqs_route)
    state = tmp_path / "state.json"
    first = run_apply(arch, endpoint, state)
    assert first.ok, (first.failed_step, first.error)
    try:
        assert template_timeouts(arch) == {12000}
        live = http_integrations(endpoint, arch)
        assert len(live) == 2 and {i.get("IntegrationSubtype") for i in live} == {None, "SQS-SendMessage"}
        assert [i.get("TimeoutInMillis") for i in live] == [12000, 12000]

        longer = design("sns_fanout.yaml", HTTP_TIMEOUT, "timeout_ms: 45000", sqs_route)
        the_plan = replan(longer, endpoint, state)
        assert [(i.key, i.action, i.changed) for i in the_plan.changes] == [
            ("http_api:checkout_api", "update", ("timeout_ms",))]
        assert run_apply(longer, endpoint, state).ok
        assert template_timeouts(longer) == {30000}
        assert [i.get("TimeoutInMillis") for i in http_integrations(endpoint, longer)] == [30000, 30000]
        again = replan(longer, endpoint, state)
        assert again.counts() == {"unchanged": len(again.items)}
    finally:
        gone = run_destroy(arch, endpoint, state)
    assert gone.ok, gone.errors
    assert no_apis_left(endpoint, arch)


def test_rest_api_integrations_get_the_templates_timeout_and_a_change_updates_in_place(endpoint, tmp_path):
    """A REST integration rewritten for a new timeout keeps its mapping (request template and
    integration response); 60 s is over a REST API's limit of 29 s."""
    arch = design("order_queue.yaml", REST_TIMEOUT, REST_TIMEOUT)
    state = tmp_path / "state.json"
    first = run_apply(arch, endpoint, state)
    assert first.ok, (first.failed_step, first.error)
    try:
        assert template_timeouts(arch) == {10000}
        before = rest_integrations(endpoint, arch)
        assert before and [i.get("timeoutInMillis") for i in before] == [10000] * len(before)

        longer = design("order_queue.yaml", REST_TIMEOUT, "timeout_ms: 60000")
        the_plan = replan(longer, endpoint, state)
        assert [(i.key, i.action, i.changed) for i in the_plan.changes] == [
            ("rest_api:intake_api", "update", ("timeout_ms",))]
        assert run_apply(longer, endpoint, state).ok
        assert template_timeouts(longer) == {29000}
        after = rest_integrations(endpoint, longer)
        assert [i.get("timeoutInMillis") for i in after] == [29000] * len(before)
        unchanged = ("type", "uri", "requestTemplates", "integrationResponses")
        assert [{k: i.get(k) for k in unchanged} for i in after] == [{k: i.get(k) for k in unchanged} for i in before]
        again = replan(longer, endpoint, state)
        assert again.counts() == {"unchanged": len(again.items)}
    finally:
        gone = run_destroy(arch, endpoint, state)
    assert gone.ok, gone.errors
    assert no_apis_left(endpoint, arch)


def test_provisioned_concurrency_is_a_plan_warning_not_a_silent_gap(endpoint, tmp_path):
    """moto's server has no provisioned concurrency API, so the deployer does not create it;
    the plan says so, once per function asking for it, and says nothing when none does."""
    warm = design("sns_fanout.yaml", "reserved_concurrency: 150", "reserved_concurrency: 150\n      "
                  "provisioned_concurrency: 7")
    the_plan = replan(warm, endpoint, tmp_path / "state.json")
    expected = ("provisioned concurrency of publish_order (7) is not deployed live: "
                "create it with the exported template")
    assert [w for w in the_plan.warnings if "provisioned" in w] == [expected]
    assert f"warning: {expected}" in the_plan.format()
    cold = design("sns_fanout.yaml", HTTP_TIMEOUT, HTTP_TIMEOUT)
    assert not [w for w in replan(cold, endpoint, tmp_path / "state.json").warnings if "provisioned" in w]
