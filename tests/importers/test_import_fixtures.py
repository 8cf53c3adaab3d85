"""Templates written for what the corpus lacks, and bad input through the command."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from importers import import_template
from model.errors import StratusError
from model.validation import errors, validate
from tests.conftest import ROOT

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "templates"


def _edges(arch) -> Counter:
    return Counter((e.source, e.target, arch.edge_kind(e)) for e in arch.edges)


def test_sam_every_event_type_policy_templates_and_connectors():
    result = import_template(FIXTURES / "sam_all_events.yaml")
    arch = result.architecture
    assert _edges(arch) == Counter({
        ("Workflow", "Orders", "task"), ("Workflow", "Alerts", "task"),
        ("ServerlessRestApi", "Handler", "invoke"), ("ServerlessHttpApi", "Handler", "invoke"),
        ("Jobs", "Handler", "event_source"), ("Clicks", "Handler", "event_source"),
        ("Orders", "Handler", "event_source"), ("Uploads", "Handler", "notification"),
        ("Signals", "Handler", "subscription"), ("Bus", "Handler", "rule_target"),
        ("DefaultEventBus", "Handler", "rule_target"), ("Handler", "Orders", "data_access"),
        ("Handler", "Outbox", "send"), ("Handler", "OutBus", "put_events"),
        ("Handler", "Workflow", "start_execution"), ("Handler", "Archive", "data_access"),
        ("Reporter", "Archive", "data_access"), ("Reporter", "Jobs", "send"),
        ("Schedules", "Handler", "rule_target"), ("Schedules_2", "Handler", "rule_target"),
    })
    assert {arch.find_edge(s, "Handler").config["schedule"] for s in ("Schedules", "Schedules_2")} == {
        "rate(5 minutes)", "rate(1 hour)"}
    handler = arch.nodes["Handler"].config
    assert (handler["memory_mb"], handler["timeout_s"], handler["reserved_concurrency"],
            handler["provisioned_concurrency"], handler["architecture"]) == (1024, 10, 20, 5, "arm64")
    assert arch.find_edge("Handler", "Orders").config["action"] == "read"
    assert arch.find_edge("Handler", "Archive").config["action"] == "write"  # env ref does not widen the policy
    assert arch.find_edge("Reporter", "Archive").config["action"] == "read"
    assert arch.find_edge("Jobs", "Handler").config == {"batch_size": 5, "max_concurrency": 10}
    assert arch.find_edge("Clicks", "Handler").config["parallelization_factor"] == 2
    assert arch.find_edge("Uploads", "Handler").config == {"events": "object_created", "prefix": "incoming/"}
    assert arch.find_edge("Workflow", "Alerts").config["order"] == 2
    assert arch.find_edge("Workflow", "Orders").config["action"] == "read"
    assert arch.nodes["ServerlessHttpApi"].config["api_type"] == "http"
    (scenario,) = arch.scenarios
    assert sorted(ld.params["every_s"] for ld in scenario.load) == [300, 3600]
    assert not errors(validate(arch)), [p.format() for p in validate(arch)]


def test_cfn_conditions_mappings_intrinsics_and_plain_wiring():
    result = import_template(FIXTURES / "cfn_intrinsics.yaml")
    arch = result.architecture
    assert "DevOnlyQueue" not in arch.nodes  # condition IsDev is false with the defaults
    assert arch.nodes["Table"].config["billing_mode"] == "provisioned"  # Fn::If on IsProd
    assert arch.nodes["Table"].config["read_capacity"] == 20
    assert arch.nodes["Stream"].config["shards"] == 4  # FindInMap
    assert arch.nodes["Worker"].config["memory_mb"] == 1024
    assert arch.nodes["Api"].config["throttle_rate_rps"] == 250
    assert _edges(arch) == Counter({
        ("Inbox", "Dlq", "dead_letter"), ("Topic", "Inbox", "subscription"),
        ("Worker", "Table", "data_access"), ("Worker", "Topic", "publish"),
        ("Stream", "Worker", "event_source"), ("Topic", "Notifier", "subscription"),
        ("Bucket", "Worker", "notification"), ("Bucket", "Topic", "notification"),
        ("Flow", "Worker", "task"), ("Flow", "Notifier", "task"), ("Flow", "Inbox", "task"),
        ("Api", "Inbox", "integration"),
    })
    assert [arch.find_edge("Flow", t).config["order"] for t in ("Worker", "Notifier", "Inbox")] == [1, 2, 3]
    assert arch.find_edge("Stream", "Worker").config["batch_size"] == 200
    assert arch.find_edge("Api", "Inbox").routes == [("POST", "/messages")]
    # DevOnlyQueue is not in the design, but kept as written with its condition
    assert {e["logical_id"]: e.get("condition") for e in arch.extra["extras"]} == {
        "Logs": "WantsAudit", "Vpc": None, "DevOnlyQueue": "IsDev"}
    assert arch.nodes["Table"].extra["cfn"]["logical_id"] == "Table"
    assert not errors(validate(arch))


def test_terraform_local_module_followed_remote_reported():
    result = import_template(FIXTURES / "tf_module")
    arch = result.architecture
    assert {n.id: n.service for n in arch.nodes.values()} == {"orders": "dynamodb", "jobs": "sqs", "worker_fn": "lambda",
                                                              "Schedules": "eventbridge"}
    assert _edges(arch) == Counter({("worker_fn", "orders", "data_access"), ("jobs", "worker_fn", "event_source"),
                                    ("Schedules", "jobs", "rule_target")})
    assert arch.find_edge("Schedules", "jobs").config == {"schedule": "rate(5 minutes)", "fraction": 0}
    assert arch.find_edge("worker_fn", "orders").config["action"] == "write"
    assert arch.find_edge("jobs", "worker_fn").config == {"batch_size": 5, "max_concurrency": 4}
    assert arch.nodes["worker_fn"].config["memory_mb"] == 512
    assert arch.region == "eu-west-1"
    assert [n.logical_id for n in result.notes("unmapped")] == ["module.remote"]
    assert arch.scenarios[0].load[0].params == {"every_s": 300.0}
    assert not errors(validate(arch))


def _run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "main.py", "import", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name, needle", [
    ("bad_yaml.yaml", "bad_yaml.yaml:7: not valid YAML"),
    ("bad_hcl", "main.tf:4: not valid HCL"),
    ("empty_resources.yaml", "Resources section is empty"),
    ("circular.yaml", "circular reference between resources: A -> B -> C -> A"),
    ("no_such_template.yaml", "no such file"),
])
def test_bad_input_exits_1_with_a_clear_message(name, needle, tmp_path):
    done = _run(FIXTURES / name, "-o", tmp_path / "d.yaml")
    assert done.returncode == 1
    assert needle in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "d.yaml").exists()


def test_unknown_types_only_give_a_partial_design_and_a_report(tmp_path):
    done = _run(FIXTURES / "unknown_only.yaml", "-o", tmp_path / "d.yaml")
    assert done.returncode == 0, done.stderr
    assert "Vpc (AWS::EC2::VPC)" in done.stdout and "Pool (AWS::Cognito::UserPool)" in done.stdout
    from model.designfile import load_design
    assert [e["type"] for e in load_design(tmp_path / "d.yaml").extra["extras"]] == ["AWS::EC2::VPC", "AWS::Cognito::UserPool"]


def test_usage_error_exits_2():
    done = _run(FIXTURES / "unknown_only.yaml")
    assert done.returncode == 2


def test_command_writes_design_and_reports(tmp_path):
    done = _run(FIXTURES / "cfn_intrinsics.yaml", "-o", tmp_path / "d.yaml")
    assert done.returncode == 0, done.stderr
    for heading in ("Nodes created", "Edges created", "absorbed", "extras", "Validation: no problems"):
        assert heading in done.stdout


def test_short_form_intrinsics_and_dates_stay_text():
    from importers.cloudformation.intrinsics import Resolver, load_template
    text = ("AWSTemplateFormatVersion: 2010-09-09\nParameters: {P: {Type: String, Default: x}}\n"
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
            "      A: !GetAtt Q.Arn\n      B: !GetAtt [Q, Arn]\n      C: !Sub ['${P}-${V}', {V: !Ref P}]\n"
            "      D: !Select [1, !Split [',', 'a,b,c']]\n      E: !Join ['', [!Ref P, !Base64 y]]\n"
            "      F: !If [Yes, !ImportValue out, no]\nConditions:\n  Yes: !Equals [!Ref P, x]\n")
    template = load_template(text, "t")
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    props = Resolver(template, "t").resolve(template["Resources"]["Q"]["Properties"])
    assert props == {"A": "⟦Q.Arn⟧", "B": "⟦Q.Arn⟧", "C": "x-x", "D": "b", "E": "xy", "F": "⟦import:out⟧"}
    with pytest.raises(StratusError, match="line|:"):
        load_template("a: !Ref\n  - [", "t")
