"""Each validation rule has a bad design whose message is asserted (issue 2, item 3)."""

import textwrap

import pytest

from model import catalogue
from model.catalogue import MAX_NODES, ServiceSpec
from model.designfile import loads_design
from model.validation import errors, validate

GOOD = """\
stratus: 1
name: Orders
nodes:
  - id: api
    service: api_gateway
  - id: fn
    service: lambda
    config: {memory_mb: 512, reserved_concurrency: 50}
  - id: table
    service: dynamodb
edges:
  - {from: api, to: fn}
  - {from: fn, to: table, action: write}
scenarios:
  - name: day
    duration_s: 60
    load:
      - {entry: api, pattern: poisson, rate_rps: 10}
"""


def design(text: str):
    return loads_design(textwrap.dedent(text), "test.yaml")


def messages(text: str, severity: str = "error") -> list[str]:
    problems = validate(design(text))
    return [p.format("test.yaml") for p in problems if p.severity == severity]


def only_message(text: str) -> str:
    found = messages(text)
    assert len(found) == 1, found
    return found[0]


def test_the_good_design_is_valid():
    assert validate(design(GOOD)) == []


def test_unknown_service_names_node_and_line():
    msg = only_message(GOOD.replace("service: dynamodb", "service: dynamo"))
    assert "node 'table'" in msg and "unknown service 'dynamo'" in msg
    assert msg.startswith("test.yaml:9:")


@pytest.mark.parametrize("bad_id", ["9lives", "has-dash", "_under", "with space"])
def test_bad_ids(bad_id):
    text = GOOD.replace("id: table", f"id: '{bad_id}'").replace("to: table", f"to: '{bad_id}'")
    msg = only_message(text)
    assert f"node '{bad_id}'" in msg and "must start with a letter" in msg


def test_duplicate_id_names_both_lines():
    text = GOOD.replace("  - id: table\n    service: dynamodb\n",
                        "  - id: table\n    service: dynamodb\n  - id: fn\n    service: sqs\n")
    msg = only_message(text)
    assert "node 'fn'" in msg and "duplicate id (first used on line 6)" in msg
    assert msg.startswith("test.yaml:11:")


def test_dangling_edge():
    msg = only_message(GOOD.replace("{from: fn, to: table, action: write}", "{from: fn, to: tabel, action: write}"))
    assert "edge fn -> tabel" in msg and "refers to no node 'tabel'" in msg
    assert msg.startswith("test.yaml:13:")


def test_forbidden_pair_names_both_services():
    text = GOOD.replace("{from: api, to: fn}", "{from: api, to: fn}\n  - {from: table, to: api}")
    msg = only_message(text)
    assert "DynamoDB cannot send to API Gateway" in msg and "no such integration" in msg


def test_kind_not_allowed_for_pair():
    msg = only_message(GOOD.replace("{from: api, to: fn}", "{from: api, to: fn, kind: subscription}"))
    assert "kind 'subscription' is not an edge from API Gateway to Lambda" in msg


@pytest.mark.parametrize("field, value, expected", [
    ("memory_mb", "20000", "memory_mb 20000 is out of range 128..10240 MB"),
    ("memory_mb", "'lots'", "memory_mb must be a whole number, got 'lots'"),
    ("timeout_s", "901", "timeout_s 901 is out of range 1..900 s"),
    ("architecture", "sparc", "architecture must be one of x86_64, arm64; got 'sparc'"),
    ("error_rate", "1.5", "error_rate 1.5 is out of range 0..1"),
    ("memory_mb", "true", "memory_mb must be a whole number, got True"),
])
def test_config_values_of_wrong_type_or_out_of_range(field, value, expected):
    msg = only_message(GOOD.replace("{memory_mb: 512,", f"{{{field}: {value},"
                                    if field != "memory_mb" else f"{{memory_mb: {value},"))
    assert "node 'fn'" in msg and expected in msg


def test_config_line_is_the_fields_own_line():
    text = GOOD.replace("config: {memory_mb: 512, reserved_concurrency: 50}",
                        "config:\n      reserved_concurrency: 50\n      memory_mb: 99999")
    assert only_message(text).startswith("test.yaml:10:")


def test_unknown_config_field_is_a_warning_and_kept():
    text = GOOD.replace("{memory_mb: 512,", "{memory_mb: 512, colour: blue,")
    assert messages(text) == []
    assert any("unknown Lambda field 'colour'" in w for w in messages(text, "warning"))
    assert design(text).nodes["fn"].config["colour"] == "blue"


@pytest.mark.parametrize("spec, expected", [
    ("{dist: weibull, k: 2}", "unknown distribution 'weibull'"),
    ("{dist: lognormal, p50: 80}", "lognormal distribution needs 'p99'"),
    ("{dist: lognormal, p50: 400, p99: 80}", "lognormal needs 0 < p50 < p99"),
    ("{dist: uniform, low: 9, high: 1}", "uniform needs low <= high"),
    ("{dist: empirical, samples: []}", "'samples' must be a non-empty list"),
    ("-5", "a latency cannot be negative"),
])
def test_unknown_or_bad_distributions(spec, expected):
    msg = only_message(GOOD.replace("{memory_mb: 512,", f"{{duration_ms: {spec}, memory_mb: 512,"))
    assert "node 'fn'" in msg and "duration_ms" in msg and expected in msg


def test_unknown_load_pattern():
    msg = only_message(GOOD.replace("pattern: poisson", "pattern: bursty"))
    assert "scenario 'day'" in msg and "unknown load pattern 'bursty'" in msg
    assert msg.startswith("test.yaml:18:")


def test_load_at_unknown_node():
    msg = only_message(GOOD.replace("entry: api", "entry: nowhere"))
    assert "load enters at unknown node 'nowhere'" in msg


def test_load_at_node_that_takes_no_outside_traffic(monkeypatch):
    # Every service of DESIGN.md takes some outside traffic, so the rule is exercised on a
    # catalogue entry with none: the check reads the catalogue, not a list of its own.
    closed = ServiceSpec(**{**catalogue.SERVICES["dynamodb"].__dict__, "entry": ""})
    patched = dict(catalogue.SERVICES, dynamodb=closed)
    monkeypatch.setattr("model.validation.SERVICES", patched)
    msg = only_message(GOOD.replace("entry: api", "entry: table"))
    assert "load cannot enter at 'table': DynamoDB takes no outside traffic" in msg


@pytest.mark.parametrize("replace, expected", [
    (("duration_s: 60", "duration_s: 0"), "duration_s must be a positive number of seconds, got 0"),
    (("duration_s: 60", "duration_s: -10"), "duration_s must be a positive number of seconds, got -10"),
    (("rate_rps: 10", "rate_rps: 0"), "rate_rps must be greater than 0, got 0"),
    (("rate_rps: 10", "rate_rps: -3"), "rate_rps -3 is out of range >= 0 req/s"),
    (("rate_rps: 10", "rate: 10"), "poisson load at 'api' needs 'rate_rps'"),
])
def test_zero_or_negative_durations_and_rates(replace, expected):
    found = messages(GOOD.replace(*replace))
    assert any(expected in m and "scenario 'day'" in m for m in found), found


def test_loop_that_recurses_forever():
    text = """\
    stratus: 1
    name: Thumbnails
    nodes:
      - {id: bucket, service: s3}
      - {id: resize, service: lambda}
    edges:
      - {from: bucket, to: resize}
      - {from: resize, to: bucket, action: write}
    """
    msg = only_message(text)
    assert "event loop would recurse forever" in msg
    assert "bucket -> resize -> bucket" in msg or "resize -> bucket -> resize" in msg


def test_read_only_edge_back_is_fine():
    text = """\
    stratus: 1
    name: Thumbnails
    nodes:
      - {id: bucket, service: s3}
      - {id: resize, service: lambda}
    edges:
      - {from: bucket, to: resize}
      - {from: resize, to: bucket, action: read}
    """
    assert validate(design(text)) == []


def test_probabilistic_loop_is_a_warning():
    text = """\
    stratus: 1
    name: Retry
    nodes:
      - {id: queue, service: sqs}
      - {id: worker, service: lambda}
    edges:
      - {from: queue, to: worker}
      - {from: worker, to: queue, calls: 0.1}
    """
    assert messages(text) == []
    assert any("AWS stops recursive loops after 16" in w for w in messages(text, "warning"))


def test_self_invoking_function_is_a_loop():
    text = """\
    stratus: 1
    name: Self
    nodes:
      - {id: fn, service: lambda}
    edges:
      - {from: fn, to: fn, mode: async}
    """
    assert "fn -> fn" in only_message(text)


def test_design_too_large():
    nodes = "\n".join(f"  - {{id: q{i}, service: sqs}}" for i in range(MAX_NODES + 1))
    found = messages(f"stratus: 1\nname: Huge\nnodes:\n{nodes}\n")
    assert any(f"{MAX_NODES + 1:,} nodes is more than Stratus handles" in m for m in found)


def test_every_problem_is_reported_at_once():
    text = (GOOD.replace("service: dynamodb", "service: dynamo")
            .replace("duration_s: 60", "duration_s: 0")
            .replace("{memory_mb: 512,", "{memory_mb: 5,"))
    found = messages(text)
    assert len(found) == 3, found


def test_aws_concurrency_rules():
    assert "provisioned_concurrency 60 exceeds reserved_concurrency 50" in only_message(
        GOOD.replace("reserved_concurrency: 50}", "reserved_concurrency: 50, provisioned_concurrency: 60}"))
    assert "leaves less than 100 of the account's 1000 unreserved" in " ".join(messages(
        GOOD.replace("reserved_concurrency: 50}", "reserved_concurrency: 950}")))


def test_dynamodb_stream_needed_to_trigger_a_function():
    text = """\
    stratus: 1
    name: Streams
    nodes:
      - {id: table, service: dynamodb}
      - {id: fn, service: lambda}
    edges:
      - {from: table, to: fn}
    """
    assert "table 'table' has no stream" in only_message(text)
    assert validate(design(text.replace("{id: table, service: dynamodb}",
                                        "{id: table, service: dynamodb, config: {stream: new_image}}"))) == []


def test_dead_letter_queue_type_must_match():
    text = """\
    stratus: 1
    name: DLQ
    nodes:
      - {id: orders, service: sqs, config: {fifo: true}}
      - {id: dlq, service: sqs}
    edges:
      - {from: orders, to: dlq, kind: dead_letter}
    """
    assert "dead-letter queue must be FIFO too" in only_message(text)


def test_fifo_message_groups_an_eventbridge_rule_cannot_write_and_a_bad_group_field():
    text = """\
    stratus: 1
    name: Groups
    nodes:
      - {id: bus, service: eventbridge}
      - {id: q, service: sqs, config: {fifo: true, message_groups: 8}}
    edges:
      - {from: bus, to: q}
    """
    (warning,) = messages(text, "warning")
    assert "one fixed message group id" in warning and "(8)" in warning
    assert messages(text.replace("message_groups: 8", "message_groups: 1"), "warning") == []
    bad = text.replace("message_groups: 8", "message_group_field: \"a'b\"")
    assert "message_group_field \"a'b\" must be a JSON field name" in only_message(bad)


def test_stream_max_record_age_is_minus_one_or_at_least_60_s():
    text = """\
    stratus: 1
    name: Ages
    nodes:
      - {id: s, service: kinesis}
      - {id: fn, service: lambda}
    edges:
      - {from: s, to: fn, max_record_age_s: 30}
    """
    assert "max_record_age_s 30: AWS takes -1 (no limit) or 60..604800" in only_message(text)
    for fine in ("-1", "60", "604800"):
        assert validate(design(text.replace("max_record_age_s: 30", f"max_record_age_s: {fine}"))) == []


def test_http_api_integration_timeout_is_at_most_30_s():
    text = """\
    stratus: 1
    name: Slow
    nodes:
      - {id: api, service: api_gateway, config: {api_type: http, timeout_ms: 31000}}
    """
    assert "timeout_ms 31000: an HTTP API's integration timeout is at most 30,000 ms" in only_message(text)
    assert validate(design(text.replace("31000", "30000"))) == []
    assert validate(design(text.replace("http", "rest"))) == []  # raised on request; exported as 29 s


def test_sqs_batching_rules():
    text = """\
    stratus: 1
    name: Batching
    nodes:
      - {id: q, service: sqs}
      - {id: fn, service: lambda}
    edges:
      - {from: q, to: fn, batch_size: 100}
    """
    assert "needs batch_window_s of at least 1 s" in only_message(text)
    assert validate(design(text.replace("batch_size: 100", "batch_size: 100, batch_window_s: 2"))) == []


def test_override_of_unknown_node_and_bad_value():
    text = GOOD + "    overrides: {ghost: {memory_mb: 256}, fn: {memory_mb: 1}}\n"
    found = messages(text)
    assert any("overrides unknown node 'ghost'" in m for m in found)
    assert any("memory_mb 1 is out of range" in m for m in found)


def test_malformed_items_are_reported_with_the_rest():
    text = GOOD.replace("  - id: table\n", "  - just a string\n  - id: table\n")
    found = messages(text)
    assert any("nodes[2]" in m and "must be a mapping" in m for m in found)


def test_errors_filter():
    problems = validate(design(GOOD.replace("memory_mb: 512", "memory_mb: 1")))
    assert len(errors(problems)) == 1


def test_queue_visibility_shorter_than_function_timeout_is_refused_as_aws_does():
    text = """\
    stratus: 1
    name: Visibility
    nodes:
      - {id: q, service: sqs, config: {visibility_timeout_s: 10}}
      - {id: fn, service: lambda, config: {timeout_s: 60}}
    edges:
      - {from: q, to: fn}
    """
    assert "visibility_timeout_s 10, less than function 'fn''s timeout_s 60" in only_message(text)
    assert validate(design(text.replace("visibility_timeout_s: 10", "visibility_timeout_s: 360"))) == []


def test_edge_without_to_says_so():
    msg = only_message(GOOD.replace("{from: api, to: fn}", "{from: api}"))
    assert "missing 'to'" in msg
