"""The scanner's promises, against moto's server: only read calls are sent (a botocore hook
sees every operation), a refused call is named in the report while the scan goes on, a
scan can be cancelled, an empty scope is a clear error (exit 1), and the command line
prints progress on stderr and the report on stdout."""

from __future__ import annotations

import contextlib
import io

import pytest
from botocore.awsrequest import AWSResponse

from cli import run as cli_run
from importers.account import NothingToScan, ScanCancelled, Scope, scan_account
from importers.account.aws import READ_ONLY_PREFIXES, AccountReader, NotReadOnly
from tests.importers.account.helpers import deploy, resource_name, session
from tests.moto_sandbox import REGION, client, moto_server

pytestmark = pytest.mark.slow

DESIGN_TAG = ("stratus:design", "Orders API")


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    with moto_server() as url:
        arch = deploy(url, "orders_api", tmp_path_factory.mktemp("deployed"))
        yield url, arch


def test_only_read_operations_are_sent(account):
    url, _ = account
    seen = []

    def spy(model, **_kwargs):
        seen.append(model.name)

    watched = session()
    watched.events.register("before-call", spy)  # every client of this session, every call
    scan = scan_account(watched, REGION, endpoint_url=url)
    assert len(scan.architecture.nodes) == 9
    assert len(seen) >= 30 and {"ListFunctions", "GetMetricData", "GetRolePolicy"} <= set(seen)
    writes = sorted({name for name in seen if not name.startswith(READ_ONLY_PREFIXES)})
    assert writes == []


def test_the_reader_refuses_to_send_a_write(account):
    url, _ = account
    queue_url = client("sqs", url).create_queue(QueueName="guarded")["QueueUrl"]
    reader = AccountReader(session(), REGION, url)
    with pytest.raises(NotReadOnly, match="SendMessage"):
        reader.client("sqs").send_message(QueueUrl=queue_url, MessageBody="must not arrive")
    attributes = client("sqs", url).get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"


def test_an_access_denied_call_is_named_and_the_scan_goes_on(account):
    url, arch = account
    denied_function = resource_name(arch, "create_order")

    def deny(model, params, **_kwargs):  # params: the request, its path naming the function
        if f"/functions/{denied_function}/" in params.get("url_path", ""):
            response = AWSResponse(url, 403, {}, None)
            return response, {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"},
                              "ResponseMetadata": {"HTTPStatusCode": 403}}
        return None

    watched = session()
    watched.events.register("before-call.lambda.GetFunctionConcurrency", deny)
    scan = scan_account(watched, REGION, scope=Scope(tag=DESIGN_TAG), endpoint_url=url)
    report = [n.format() for n in scan.result.report]
    assert any(f"access denied to lambda GetFunctionConcurrency on {denied_function}" in line
               and "reserved concurrency not read" in line for line in report), report
    scanned = scan.architecture
    assert len(scanned.nodes) == len(arch.nodes) and len(scanned.edges) == len(arch.edges)
    reserved = {n.extra["aws"]["name"]: n.config.get("reserved_concurrency") for n in scanned.nodes.values()
                if n.service == "lambda"}
    assert reserved[denied_function] is None  # not read
    assert reserved[resource_name(arch, "list_orders")] == 40  # read as usual


def test_a_cancelled_scan_stops_and_says_so(account):
    url, _ = account
    steps = []
    with pytest.raises(ScanCancelled, match="cancelled after 3 of"):
        scan_account(session(), REGION, endpoint_url=url, progress=steps.append, cancel=lambda: len(steps) >= 3)
    assert len(steps) == 3


def test_an_empty_scope_is_nothing_to_scan(account):
    url, _ = account
    with pytest.raises(NothingToScan, match="nothing to scan: .* tagged team=nobody"):
        scan_account(session(), REGION, scope=Scope(tag=("team", "nobody")), endpoint_url=url)


def test_no_such_stack_is_a_clear_error(account):
    url, _ = account
    code, out, err = _cli(["scan", "--stack", "no-such-stack", "--endpoint-url", url, "-o", "unused.yaml"])
    assert code == 1 and "no-such-stack" in err and "Traceback" not in err


# -- the command line ------------------------------------------------------------------


def _cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_run(argv)
    return code, out.getvalue(), err.getvalue()


def test_cli_scan_writes_the_design_with_progress_on_stderr(account, tmp_path, monkeypatch):
    url, arch = account
    key, secret = "AKIASCANTESTKEY00001", "scan-test-secret-never-written"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)  # credentials from the environment
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    design = tmp_path / "orders.yaml"
    code, out, err = _cli(["scan", "--tag", f"{DESIGN_TAG[0]}={DESIGN_TAG[1]}", "--endpoint-url", url,
                           "--since", "24", "-o", str(design)])
    assert code == 0, err
    assert design.exists()
    assert "[1/" in err and "listed" in err  # progress lines
    assert "Nodes created (9):" in out and "Edges created (11):" in out  # the report, as import prints it
    assert "Traceback" not in out + err
    written = "".join(path.read_text() for path in tmp_path.iterdir()) + out + err
    assert key not in written and secret not in written  # the credentials are never written


def test_cli_nothing_to_scan_exits_1_and_writes_nothing(account, tmp_path):
    url, _ = account
    design = tmp_path / "empty.yaml"
    code, out, err = _cli(["scan", "--region", "eu-west-3", "--endpoint-url", url, "-o", str(design)])
    assert code == 1
    assert "nothing to scan" in err and "region eu-west-3" in err and "Traceback" not in err
    assert not design.exists()


@pytest.mark.parametrize("argv", [
    ["scan", "--stack", "a", "--tag", "k=v", "-o", "x.yaml"],
    ["scan", "--tag", "no-equals-sign", "-o", "x.yaml"],
    ["scan", "--since", "0", "-o", "x.yaml"],
    ["scan", "--stack", "a"],
])
def test_cli_usage_errors_exit_2(argv):
    code, _out, err = _cli(argv)
    assert code == 2 and "usage:" in err


def test_cli_without_credentials_says_how_to_give_them(tmp_path, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, _out, err = _cli(["scan", "--region", "us-east-1", "-o", str(tmp_path / "x.yaml")])
    assert code == 1 and "no AWS credentials" in err and "--profile" in err
    code, _out, err = _cli(["scan", "--profile", "nobody", "-o", str(tmp_path / "x.yaml")])
    assert code == 1 and "no AWS profile named 'nobody'" in err
