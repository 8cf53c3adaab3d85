"""Round trip through a live (moto) account: every example deployed with `deploy`, metrics
put as a running system reports them, then scanned back by its tag. The scan must give the
same services, node count, edges (by the resources' names: node ids may differ) and
deployable settings, calibrated durations and error rates, entry rates within 10%, and a
design whose `observed` scenario simulates."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest

from importers.account import OBSERVED, PEAK_HOUR, Scope, save_scan, scan_account
from model.architecture import Architecture
from model.aws.wiring import edge_settings
from model.designfile import load_design
from model.distributions import parse_distribution
from model.validation import errors, validate
from simulation.engine import simulate
from simulation.workloads import read_trace
from tests.conftest import example_paths
from tests.importers.account.helpers import (
    ERROR_SHARE, deploy, put_metrics, resource_name, session,
)
from tests.moto_sandbox import REGION, moto_server

pytestmark = pytest.mark.slow

EXAMPLES = [p.stem for p in example_paths()]
# Settings a live deployment carries, per service (what the scan can read back).
DEPLOYED = {
    "lambda": ("runtime", "architecture", "memory_mb", "timeout_s", "reserved_concurrency", "handler"),
    "sqs": ("fifo", "visibility_timeout_s", "retention_s"),
    "sns": ("fifo",),
    "dynamodb": ("billing_mode", "read_capacity", "write_capacity", "stream", "partition_key"),
    "kinesis": ("capacity_mode", "shards", "retention_hours"),
    "api_gateway": ("api_type", "throttle_rate_rps", "throttle_burst", "stage"),
    "step_functions": ("workflow_type",),
    "eventbridge": (),  # bus_name: the deployer names a custom bus after its node (checked below)
    "s3": (),
}
EDGE_FIELDS = ("method", "path", "action", "batch_size", "max_concurrency", "parallelization_factor",
               "starting_position", "batch_window_s", "raw_message_delivery", "order", "events", "prefix",
               "suffix", "mode", "pattern")


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """moto's server with every example deployed and its metrics put."""
    with moto_server() as url:
        deployed = {}
        for example in EXAMPLES:
            folder = tmp_path_factory.mktemp(example)
            arch = deploy(url, example, folder)
            deployed[example] = (arch, put_metrics(url, arch))
        yield url, deployed


@pytest.fixture(scope="module")
def scans(account, tmp_path_factory):
    url, deployed = account
    out = {}
    for example, (arch, put) in deployed.items():
        folder = tmp_path_factory.mktemp(f"scan-{example}")
        scan = scan_account(session(), REGION, scope=Scope(tag=("stratus:design", arch.name)), endpoint_url=url,
                            trace_prefix=f"{example}.observed")
        save_scan(scan, folder / f"{example}.yaml")
        out[example] = (scan, folder)
    return out


def by_name(arch: Architecture) -> dict[str, str]:
    """node id -> the name of the AWS resource it stands for."""
    return {nid: node.extra["aws"]["name"] for nid, node in arch.nodes.items()}


def edge_set(arch: Architecture, name_of) -> set[tuple[str, str, str]]:
    return {(name_of(e.source), name_of(e.target), arch.edge_kind(e)) for e in arch.edges}


def moto_gaps(arch: Architecture) -> set[tuple[str, str, str]]:
    """Edges moto's server cannot give back: it drops a bucket's EventBridgeConfiguration
    (its notification XML comes back empty), so S3 -> EventBridge notifications are lost.
    The mapping itself is checked with a stubbed answer in test_scan_mapping.py."""
    return {(resource_name(arch, e.source), resource_name(arch, e.target), "notification")
            for e in arch.edges if arch.nodes[e.source].service == "s3"
            and arch.nodes[e.target].service == "eventbridge"}


@pytest.mark.parametrize("example", EXAMPLES)
def test_scan_gives_back_the_deployed_design(account, scans, example):
    arch, _ = account[1][example]
    scan, _ = scans[example]
    scanned = scan.architecture
    assert Counter(n.service for n in scanned.nodes.values()) == Counter(n.service for n in arch.nodes.values())
    assert len(scanned.nodes) == len(arch.nodes)
    names = by_name(scanned)
    expected = edge_set(arch, lambda nid: resource_name(arch, nid))
    found = edge_set(scanned, names.get)
    assert found == expected - moto_gaps(arch), (f"missing {sorted(expected - found)}, "
                                                 f"unexpected {sorted(found - expected)}")
    original_of = {resource_name(arch, nid): nid for nid in arch.nodes}
    for nid, node in scanned.nodes.items():
        original = arch.nodes[original_of[names[nid]]]
        want, got = original.effective_config(), node.effective_config()
        for field in DEPLOYED[node.service]:
            assert got[field] == want[field], f"{example}: {nid}.{field}: {got[field]!r} != {want[field]!r}"
        if node.service == "eventbridge":
            assert (got["bus_name"] == "default") == (want["bus_name"] == "default")
    for edge in scanned.edges:
        twin = next(e for e in arch.edges if resource_name(arch, e.source) == names[edge.source]
                    and resource_name(arch, e.target) == names[edge.target])
        got, want = edge_settings(scanned, edge), edge_settings(arch, twin)
        for field in EDGE_FIELDS:
            if field in want:
                assert _same(field, got[field], want[field]), f"{example}: {edge.describe()} {field}"


def _same(field: str, a, b) -> bool:
    return json.loads(a) == json.loads(b) if field == "pattern" else a == b


@pytest.mark.parametrize("example", EXAMPLES)
def test_durations_and_error_rates_are_calibrated(account, scans, example):
    arch, put = account[1][example]
    scanned = scans[example][0].architecture
    names = {v: k for k, v in by_name(scanned).items()}
    assert put["durations"]
    for node_id, (own, _average, _maximum) in put["durations"].items():
        node = scanned.nodes[names[resource_name(arch, node_id)]]
        spec = node.config["duration_ms"]
        assert spec["dist"] == "lognormal"
        duration = parse_distribution(spec)
        # Without percentiles: the handler's mean is the Average less its synchronous calls,
        # its p99 the Maximum less them (helpers.py puts Maximum = Average + 2 x own).
        assert math.isclose(duration.mean, own, rel_tol=0.10), (node_id, duration.mean, own)
        assert math.isclose(spec["p99"], 3 * own, rel_tol=0.10), (node_id, spec, own)
        assert math.isclose(node.config["error_rate"], ERROR_SHARE, rel_tol=0.01)
    assert any("percentiles (p50, p99) are not available" in n.message for n in scans[example][0].result.report)


@pytest.mark.parametrize("example", EXAMPLES)
def test_entry_rates_make_the_observed_and_peak_hour_scenarios(account, scans, example):
    arch, put = account[1][example]
    scan, folder = scans[example]
    scanned = scan.architecture
    names = {v: k for k, v in by_name(scanned).items()}
    observed, peak = scanned.scenario(OBSERVED), scanned.scenario(PEAK_HOUR)
    assert put["entries"] and observed is not None and peak is not None
    assert {load.entry for load in observed.load} == {names[resource_name(arch, n)] for n in put["entries"]}
    for node_id, rate in put["entries"].items():
        entry = names[resource_name(arch, node_id)]
        load = next(load for load in observed.load if load.entry == entry)
        assert load.pattern == "trace"
        arrivals = read_trace(load.params["file"], str(folder))
        assert math.isclose(len(arrivals) / observed.duration_s, rate, rel_tol=0.10)
        peak_load = next(load for load in peak.load if load.entry == entry)
        assert peak_load.pattern == "poisson"
        assert math.isclose(peak_load.params["rate_rps"], rate, rel_tol=0.10)


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_scanned_design_validates_and_its_observed_scenario_simulates(scans, example):
    scan, folder = scans[example]
    arch = load_design(folder / f"{example}.yaml")
    assert not errors(validate(arch, base_dir=str(folder)))
    result = simulate(arch, arch.scenario(OBSERVED), seed=1, duration_s=60, base_dir=str(folder))
    assert sum(e.requests for e in result.entries.values()) > 0


def test_route_shares_follow_the_functions_behind_each_route(account, scans):
    arch, put = account[1]["orders_api"]
    scanned = scans["orders_api"][0].architecture
    names = by_name(scanned)
    routes = [e for e in scanned.edges if scanned.nodes[e.source].service == "api_gateway"]
    total = sum(put["invocations"][_original(arch, names[e.target])] for e in routes)
    for edge in routes:
        share = put["invocations"][_original(arch, names[edge.target])] / total
        assert math.isclose(edge.config["calls"], share, rel_tol=0.01)


def _original(arch: Architecture, name: str) -> str:
    return next(nid for nid in arch.nodes if resource_name(arch, nid) == name)


def test_table_item_size_comes_from_consumed_capacity(account, scans):
    scanned = scans["orders_api"][0].architecture
    tables = [n for n in scanned.nodes.values() if n.service == "dynamodb"]
    assert tables and all(n.config["item_kb"] == 2.0 for n in tables)  # 200 units / 100 writes
