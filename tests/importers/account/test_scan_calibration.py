"""Calibration without a server: the percentile path through botocore's Stubber (moto's
server has no percentiles), the Average/Maximum fit, the CloudWatch window, and the
trace files of the observed scenario."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from botocore.stub import ANY, Stubber

from importers.account import calibration as cal
from importers.account.aws import FALLBACK_ATTEMPTS, AccountReader
from importers.account.inventory import Record
from importers.account.mapping import build
from importers.account.metrics import window
from model.distributions import Z99, LogNormal, parse_distribution
from model.errors import StratusError
from simulation.workloads import read_trace
from tests.importers.account.helpers import session

NOW = datetime(2026, 11, 30, 12, 0, 30, tzinfo=timezone.utc)


def _one_function_design():
    record = Record("function", "checkout", "arn:aws:lambda:us-east-1:123456789012:function:checkout",
                    {"checkout"}, {"FunctionName": "checkout", "Runtime": "python3.12", "MemorySize": 512,
                                   "Timeout": 10, "Role": ""})
    return build("test", "us-east-1", [record])


def _results(ids_values: dict[str, list[float]], win) -> dict:
    return {"MetricDataResults": [{"Id": ident, "StatusCode": "Complete", "Values": values,
                                   "Timestamps": [win.start] * len(values)}
                                  for ident, values in ids_values.items()]}


def test_percentiles_become_a_lognormal_duration():
    b = _one_function_design()
    win = window(24, NOW)
    reader = AccountReader(session(), "us-east-1")
    stats = Stubber(reader.client("cloudwatch"))
    percentiles = Stubber(reader.client("cloudwatch", FALLBACK_ATTEMPTS))
    # Queries in calibrate's order: the five function statistics, then p50 and p99.
    stats.add_response("get_metric_data", _results(
        {"q0": [60.0], "q1": [900.0], "q2": [30.0], "q3": [3000.0], "q4": [12.0]}, win),
        {"MetricDataQueries": ANY, "StartTime": win.start, "EndTime": win.end, "ScanBy": "TimestampAscending"})
    percentiles.add_response("get_metric_data", _results({"q0": [45.0], "q1": [220.0]}, win),
                             {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": ANY})
    with stats, percentiles:
        cal.calibrate(b, reader, win, "t.observed")
        stats.assert_no_pending_responses()
        percentiles.assert_no_pending_responses()
    config = b.arch.nodes["checkout"].config
    assert config["duration_ms"] == {"dist": "lognormal", "p50": 45.0, "p99": 220.0}
    assert config["error_rate"] == pytest.approx(0.01)
    notes = [n.message for n in b.notes]
    assert any("from Duration p50 45 ms, p99 220 ms" in m for m in notes), notes
    assert not any("not available" in m for m in notes)


def test_the_percentile_queries_ask_for_p50_and_p99_of_duration():
    b = _one_function_design()
    win = window(24, NOW)
    reader = AccountReader(session(), "us-east-1")
    asked = []
    stats = Stubber(reader.client("cloudwatch"))
    percentiles = Stubber(reader.client("cloudwatch", FALLBACK_ATTEMPTS))
    stats.add_response("get_metric_data", _results({f"q{i}": [1.0] for i in range(5)}, win))
    percentiles.add_response("get_metric_data", _results({"q0": [10.0], "q1": [50.0]}, win))
    reader.client("cloudwatch", FALLBACK_ATTEMPTS).meta.events.register(
        "before-parameter-build.cloudwatch.GetMetricData", lambda params, **kw: asked.append(params))
    with stats, percentiles:
        cal.calibrate(b, reader, win, "t.observed")
    (params,) = asked
    stats_asked = [(q["MetricStat"]["Metric"]["MetricName"], q["MetricStat"]["Stat"], q["MetricStat"]["Period"])
                   for q in params["MetricDataQueries"]]
    assert stats_asked == [("Duration", "p50", 24 * 3600), ("Duration", "p99", 24 * 3600)]


def test_without_percentiles_the_fit_keeps_the_average_and_the_maximum():
    spec = cal._from_mean_and_max(80.0, 400.0)
    duration = parse_distribution(spec)
    assert duration.mean == pytest.approx(80.0, rel=1e-3)
    assert spec["p99"] == pytest.approx(400.0)
    assert cal._from_mean_and_max(50.0, 50.0) == 50.0  # no spread: a fixed duration
    heavy = cal._from_mean_and_max(10.0, 1000.0)  # a tail too long for the mean: sigma = Z99
    assert heavy["p99"] == 1000.0
    assert LogNormal(heavy["p50"], heavy["p99"]).sigma == pytest.approx(Z99, rel=1e-3)


def test_failed_percentiles_fall_back_and_say_so():
    b = _one_function_design()
    win = window(24, NOW)
    reader = AccountReader(session(), "us-east-1")
    stats = Stubber(reader.client("cloudwatch"))
    percentiles = Stubber(reader.client("cloudwatch", FALLBACK_ATTEMPTS))
    stats.add_response("get_metric_data", _results(
        {"q0": [100.0], "q1": [300.0], "q2": [0.0], "q3": [600.0], "q4": [2.0]}, win))
    percentiles.add_client_error("get_metric_data", "InternalFailure", http_status_code=500)
    with stats, percentiles:
        cal.calibrate(b, reader, win, "t.observed")
    spec = b.arch.nodes["checkout"].config["duration_ms"]
    assert parse_distribution(spec).mean == pytest.approx(100.0, rel=1e-3) and spec["p99"] == 300.0
    assert any("percentiles (p50, p99) are not available" in n.message for n in b.notes)
    assert reader.problems == []  # the fallback covers it: not a gap in the design


def test_the_window_follows_cloudwatch_retention():
    day = window(24, NOW)
    assert (day.period_s, day.periods) == (60, 24 * 60)
    assert day.end == datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)  # the last full minute
    assert window(24 * 30, NOW).period_s == 300
    assert window(24 * 100, NOW).period_s == 3600
    with pytest.raises(StratusError, match="--since"):
        window(0, NOW)
    with pytest.raises(StratusError, match="455 days"):
        window(24 * 456, NOW)


def test_a_trace_keeps_every_request_and_spreads_each_minute(tmp_path):
    counts = [120.0, 0.0, 30.4, 29.6, 1.0]
    text = cal.trace_csv(counts, 60)
    (tmp_path / "t.csv").write_text(text)
    arrivals = read_trace("t.csv", str(tmp_path))
    assert len(arrivals) == round(sum(counts))
    assert sum(1 for t in arrivals if t < 60) == 120
    assert not any(60 <= t < 120 for t in arrivals)  # the empty minute stays empty
    assert sum(1 for t in arrivals if 120 <= t < 180) == 30 and sum(1 for t in arrivals if 180 <= t < 240) == 30
    gaps = [b - a for a, b in zip(arrivals[:120], arrivals[1:120])]
    assert max(gaps) < 1.0  # spread over the minute, not bunched at its start


def test_observed_and_peak_hour_scenarios_from_entry_counts():
    b = _one_function_design()  # a function nothing feeds: its invocations are its arrivals
    win = window(3, NOW)  # 180 one-minute periods
    series = [0.0] * 180
    for minute in range(100, 170):  # 70 minutes of traffic, busiest from minute 130
        series[minute] = 60.0 if minute < 130 else 240.0
    values = {("checkout", "arrivals"): series}
    traces = cal._entries(b, ["checkout"], values, win, "d.observed")
    observed, peak = b.arch.scenario(cal.OBSERVED), b.arch.scenario(cal.PEAK_HOUR)
    assert observed.duration_s == 70 * 60 and observed.load[0].params == {"file": "d.observed.checkout.csv"}
    assert set(traces) == {"d.observed.checkout.csv"}
    assert peak.duration_s == 3600 and peak.load[0].pattern == "poisson"
    # The busiest 60 minutes: 40 at 240/min and 20 at 60/min.
    assert peak.load[0].params["rate_rps"] == pytest.approx((40 * 240 + 20 * 60) / 3600, rel=1e-3)


def test_item_size_and_read_write_mix_from_consumed_capacity():
    table_arn = "arn:aws:dynamodb:us-east-1:1:table/orders"
    table = Record("table", "orders", "", {"orders"}, {}, {"table": {
        "TableArn": table_arn, "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}})
    grant = {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": table_arn}
    function = Record("function", "writer", "arn:aws:lambda:us-east-1:1:function:writer", {"writer"},
                      {"FunctionName": "writer", "Role": "r"}, {"policies": [{"Statement": [grant]}]})
    b = build("t", "us-east-1", [function, table])
    (edge,) = b.arch.edges
    assert edge.config["action"] == "read_write"
    cal._tables(b, ["orders"], {("orders", "writes"): [400.0], ("orders", "write_units"): [1200.0],
                                ("orders", "reads"): [0.0], ("orders", "read_units"): [0.0]})
    assert b.arch.nodes["orders"].config["item_kb"] == 3.0
    assert edge.config["action"] == "write"  # only written in the window


def test_now_defaults_to_the_clock():
    assert datetime.now(timezone.utc) - window(1).end < timedelta(minutes=2)
